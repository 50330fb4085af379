//! Reading the audit trail back: filtered by actor, target, action and time, limited to the
//! levels the reader may see (or to their own events), newest first, paged by event number.

use tessera_domain::UserId;
use tessera_domain::audit::AuditEvent;
use time::OffsetDateTime;

use crate::audit::EventRow;
use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct AuditSearch {
    /// Events at levels inside these subtrees (path prefixes); `None` for every event.
    pub subtrees: Option<Vec<String>>,
    /// Only events this person did (a reader without administrator rights sees their own).
    pub own: Option<UserId>,
    pub actor: Option<UserId>,
    pub target: Option<String>,
    /// An action or the start of one (`user.` for every user change).
    pub action: String,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    /// Events numbered below this (the previous page's last).
    pub before: Option<i64>,
    pub limit: i64,
}

enum Bind {
    Text(String),
    Id(uuid::Uuid),
    Int(i64),
    At(Ts),
}

/// The port for reading the audit trail.
pub trait AuditSearches {
    async fn search_audit(&mut self, search: &AuditSearch) -> StoreResult<Vec<AuditEvent>>;
}

impl AuditSearches for Tx {
    async fn search_audit(&mut self, search: &AuditSearch) -> StoreResult<Vec<AuditEvent>> {
        let mut binds: Vec<Bind> = Vec::new();
        let mut bind = |value: Bind| {
            binds.push(value);
            format!("${}", binds.len())
        };
        let mut conditions: Vec<String> = vec!["1 = 1".into()];
        if let Some(subtrees) = &search.subtrees {
            let mut any = Vec::new();
            for path in subtrees {
                let (low, high) = tessera_domain::level::subtree_range(path);
                let low = bind(Bind::Text(low));
                let high = bind(Bind::Text(high));
                any.push(format!("(l.path >= {low} AND l.path < {high})"));
            }
            if any.is_empty() {
                return Ok(Vec::new());
            }
            conditions.push(format!(
                "e.level_id IN (SELECT l.id FROM levels l WHERE {})",
                any.join(" OR ")
            ));
        }
        for who in [search.own, search.actor].into_iter().flatten() {
            conditions.push(format!("e.actor_id = {}", bind(Bind::Id(who.0))));
        }
        if let Some(target) = &search.target {
            conditions.push(format!(
                "e.target_id = {}",
                bind(Bind::Text(target.clone()))
            ));
        }
        let action = search.action.trim();
        if !action.is_empty() {
            let end = bind(Bind::Text(format!("{action}\u{10FFFF}")));
            let start = bind(Bind::Text(action.to_owned()));
            conditions.push(format!("e.action >= {start} AND e.action < {end}"));
        }
        if let Some(from) = search.from {
            conditions.push(format!("e.at >= {}", bind(Bind::At(Ts(from)))));
        }
        if let Some(to) = search.to {
            conditions.push(format!("e.at < {}", bind(Bind::At(Ts(to)))));
        }
        if let Some(before) = search.before {
            conditions.push(format!("e.seq < {}", bind(Bind::Int(before))));
        }
        let limit = bind(Bind::Int(search.limit.clamp(1, 500)));
        // Every value is a bound parameter; only fixed text is spliced in.
        let sql = format!(
            "SELECT e.seq, e.at, e.actor_kind, e.actor_id, e.action, e.target_type, e.target_id,
                    e.level_id, e.outcome, e.request_id, e.details, e.prev_hash, e.hash
             FROM audit_events e WHERE {} ORDER BY e.seq DESC LIMIT {limit}",
            conditions.join(" AND ")
        );
        let rows: Vec<EventRow> = with_conn!(self, conn => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for value in &binds {
                query = match value {
                    Bind::Text(text) => query.bind(text.clone()),
                    Bind::Id(id) => query.bind(*id),
                    Bind::Int(n) => query.bind(*n),
                    Bind::At(at) => query.bind(*at),
                };
            }
            query.fetch_all(conn).await
        })?;
        rows.into_iter().map(AuditEvent::try_from).collect()
    }
}
