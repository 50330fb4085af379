//! The audit trail: append-only, hash-chained.

use tessera_domain::audit::{Actor, AuditEvent, NewAuditEvent, Outcome};
use tessera_domain::{LevelId, UserId};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::sql::Marks;
use crate::ts::Ts;
use crate::tx::{Conn, Tx};

/// Columns of `audit_events` bound per event.
pub(crate) const EVENT_COLUMNS: usize = 13;

/// Numbers and chains `events` after the event `after` whose hash is `after_hash`.
pub(crate) fn seal(after: i64, after_hash: &str, events: Vec<NewAuditEvent>) -> Vec<AuditEvent> {
    let mut prev_hash = after_hash.to_owned();
    let mut sealed = Vec::with_capacity(events.len());
    for (seq, event) in (after + 1..).zip(events) {
        let event = event.seal(seq, &prev_hash);
        prev_hash.clone_from(&event.hash);
        sealed.push(event);
    }
    sealed
}

/// The INSERT of `count` sealed events, its placeholders written by `marks`; the values are
/// bound with [`bind_event!`], in order.
pub(crate) fn insert_events_sql(count: usize, marks: &mut Marks) -> String {
    let mut sql = String::from(
        "INSERT INTO audit_events (seq, at, actor_kind, actor_id, action, target_type,
         target_id, level_id, outcome, request_id, details, prev_hash, hash) VALUES ",
    );
    marks.rows(&mut sql, count, EVENT_COLUMNS);
    sql
}

/// The port for the audit trail.
pub trait AuditLog {
    /// Appends an event in the caller's transaction, numbering and chaining it. Concurrent
    /// appenders queue on the chain's head row until the first one commits.
    async fn append_audit(&mut self, event: NewAuditEvent) -> StoreResult<AuditEvent>;
    /// Appends several events in order, in two round trips to the database whatever their
    /// number.
    async fn append_audits(&mut self, events: Vec<NewAuditEvent>) -> StoreResult<Vec<AuditEvent>>;
    /// Events with numbers after `after_seq`, oldest first, at most `limit`.
    async fn audit_events_after(
        &mut self,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<AuditEvent>>;
    /// The number and hash of the latest event (0 and the genesis hash when there is none).
    async fn audit_head(&mut self) -> StoreResult<(i64, String)>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    at: Ts,
    actor_kind: String,
    actor_id: Option<Uuid>,
    action: String,
    target_type: String,
    target_id: Option<String>,
    level_id: Option<Uuid>,
    outcome: String,
    request_id: Option<String>,
    details: String,
    prev_hash: String,
    hash: String,
}

impl TryFrom<EventRow> for AuditEvent {
    type Error = StoreError;

    fn try_from(row: EventRow) -> Result<Self, Self::Error> {
        let actor = match (row.actor_kind.as_str(), row.actor_id) {
            ("system", _) => Actor::System,
            ("anonymous", _) => Actor::Anonymous,
            ("user", Some(id)) => Actor::User(UserId(id)),
            (kind, _) => {
                return Err(StoreError::Corrupt(format!(
                    "audit event {} has actor '{kind}'",
                    row.seq
                )));
            }
        };
        let outcome = Outcome::parse(&row.outcome).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "audit event {} has outcome '{}'",
                row.seq, row.outcome
            ))
        })?;
        Ok(AuditEvent {
            seq: row.seq,
            at: row.at.0,
            actor,
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            level_id: row.level_id.map(LevelId),
            outcome,
            request_id: row.request_id,
            details: row.details,
            prev_hash: row.prev_hash,
            hash: row.hash,
        })
    }
}

impl AuditLog for Tx {
    async fn append_audit(&mut self, event: NewAuditEvent) -> StoreResult<AuditEvent> {
        self.append_audits(vec![event])
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt("an appended audit event went missing".into()))
    }

    async fn append_audits(&mut self, events: Vec<NewAuditEvent>) -> StoreResult<Vec<AuditEvent>> {
        let Ok(count) = i64::try_from(events.len()) else {
            return Err(StoreError::Corrupt("too many audit events at once".into()));
        };
        if count == 0 {
            return Ok(Vec::new());
        }
        // Bumping the head first takes its row lock (PostgreSQL) or needs the write lock that
        // this transaction already holds (SQLite); RETURNING gives the last number taken and
        // the hash before this batch (the statement leaves the hash alone).
        let (last, hash): (i64, String) = with_conn!(self, conn => sqlx::query_as(
            "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(count)
            .fetch_one(conn).await)?;
        let sealed = seal(last - count, &hash, events);
        let head_hash = sealed.last().map_or(hash, |e| e.hash.clone());
        let mut marks = Marks::new(self.is_sqlite());
        let insert = insert_events_sql(sealed.len(), &mut marks);
        let mut set_head = String::from("UPDATE audit_head SET hash = ");
        marks.push(&mut set_head);
        set_head.push_str(" WHERE id = 1");
        // The events and the head's new hash in one round trip: two statements in one text
        // (SQLite), or the INSERT as a data-modifying WITH (PostgreSQL, which takes one
        // statement per prepared query).
        let sql = match self.conn() {
            Conn::Sqlite(_) => format!("{insert}; {set_head}"),
            Conn::Postgres(_) => format!("WITH events AS ({insert}) {set_head}"),
        };
        with_conn!(self, conn => {
            // Only placeholders are written into the text; every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for event in &sealed {
                query = bind_event!(query, event);
            }
            query.bind(&head_hash).execute(conn).await.map(|done| done.rows_affected())
        })?;
        Ok(sealed)
    }

    async fn audit_events_after(
        &mut self,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<AuditEvent>> {
        let rows: Vec<EventRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT seq, at, actor_kind, actor_id, action, target_type, target_id, level_id,
                    outcome, request_id, details, prev_hash, hash
             FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after_seq).bind(limit).fetch_all(conn).await)?;
        rows.into_iter().map(AuditEvent::try_from).collect()
    }

    async fn audit_head(&mut self) -> StoreResult<(i64, String)> {
        let head: (i64, String) = with_conn!(self, conn =>
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(conn).await)?;
        Ok(head)
    }
}
