//! Reading the audit trail back: verification of the hash chain.

use tessera_domain::audit::{ChainBreak, GENESIS_HASH, verify_chain};
use tessera_store::AuditLog;

use crate::app::App;
use crate::error::AppResult;

/// What `tessera audit verify` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainReport {
    /// Every event from the first to the head links up.
    Intact {
        events: i64,
    },
    Broken(ChainBreak),
}

const PAGE: i64 = 1_000;

impl App {
    /// Walks the whole audit trail in pages and checks its chain up to the recorded head.
    pub async fn verify_audit_chain(&self) -> AppResult<ChainReport> {
        let mut tx = self.store().read().await?;
        let (head_seq, head_hash) = tx.audit_head().await?;
        let mut last = (GENESIS_HASH.to_owned(), 0_i64);
        loop {
            let events = tx.audit_events_after(last.1, PAGE).await?;
            if events.is_empty() {
                break;
            }
            match verify_chain((&last.0, last.1), &events) {
                Ok(next) => last = next,
                Err(broken) => return Ok(ChainReport::Broken(broken)),
            }
        }
        // Events missing at the end, or a head that was rewritten, show up here.
        if last.1 != head_seq {
            return Ok(ChainReport::Broken(ChainBreak::Gap {
                seq: head_seq,
                previous: last.1,
            }));
        }
        if last.0 != head_hash {
            return Ok(ChainReport::Broken(ChainBreak::Unlinked { seq: head_seq }));
        }
        Ok(ChainReport::Intact { events: head_seq })
    }
}

impl App {
    /// Writes one audit event on its own, for events that belong to no use case's change
    /// (a refused request, seen at the edge).
    pub async fn audit_event(&self, event: tessera_domain::audit::NewAuditEvent) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What to read of the audit trail, as typed on the audit page or in the API.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// An account id or e-mail address; empty for anyone.
    pub actor: String,
    /// The id of the record changed; empty for any.
    pub target: String,
    /// An action or its start (`user.`).
    pub action: String,
    /// `YYYY-MM-DD` (from the start of that day, UTC) or RFC 3339; empty for no bound.
    pub from: String,
    /// `YYYY-MM-DD` (to the end of that day, UTC) or RFC 3339.
    pub to: String,
    pub before: Option<i64>,
    pub limit: i64,
}

/// One page of events, newest first; `next` continues below.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub events: Vec<tessera_domain::audit::AuditEvent>,
    pub next: Option<i64>,
    /// The reader sees only their own events (no administrator rights).
    pub own_only: bool,
}

fn moment(
    field: &'static str,
    raw: &str,
    end_of_day: bool,
) -> Result<Option<time::OffsetDateTime>, tessera_domain::FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Ok(Some(at));
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(text, &format) {
        Ok(date) => {
            let start = date.with_time(time::Time::MIDNIGHT).assume_utc();
            Ok(Some(if end_of_day {
                start + time::Duration::days(1)
            } else {
                start
            }))
        }
        Err(_) => Err(tessera_domain::FieldError {
            field,
            code: "invalid",
            message: "Enter a date as YYYY-MM-DD, or a time as 2026-05-01T09:00:00Z.".into(),
        }),
    }
}

impl App {
    /// The audit trail as the actor may read it: everything for operators, the events of
    /// their subtrees for user and access administrators, their own events for anyone else.
    pub async fn audit_trail(
        &self,
        ctx: &crate::context::Ctx,
        query: &AuditQuery,
    ) -> AppResult<AuditPage> {
        use tessera_domain::access::{Action, Principal, allowed};
        use tessera_domain::role::Role;
        use tessera_store::audit_search::AuditSearch;
        use tessera_store::{AuditSearches, Users};

        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        let (subtrees, own) = match ctx.actor.user_id() {
            _ if principal.is_operator() => (None, None),
            None => return Err(crate::error::AppError::Forbidden),
            Some(me) => {
                let tops: Vec<String> = grants
                    .iter()
                    .filter(|g| matches!(g.role, Role::UserAdmin | Role::AccessAdmin))
                    .filter(|g| {
                        allowed(
                            &principal,
                            Action::ReadAudit {
                                level: &g.level_path,
                            },
                        )
                    })
                    .map(|g| g.level_path.clone())
                    .collect();
                if tops.is_empty() {
                    (None, Some(me))
                } else {
                    (Some(tops), None)
                }
            }
        };
        let mut errors = tessera_domain::ValidationErrors::new();
        let from = errors.check(moment("from", &query.from, false)).flatten();
        let to = errors.check(moment("to", &query.to, true)).flatten();
        let actor = match query.actor.trim() {
            "" => None,
            text => match uuid::Uuid::parse_str(text) {
                Ok(id) => Some(tessera_domain::UserId(id)),
                Err(_) => match tessera_domain::user::email_address(text) {
                    Ok((_, key)) => Some(
                        tx.user_by_email_key(&key)
                            .await?
                            .map_or(tessera_domain::UserId(uuid::Uuid::nil()), |u| u.id),
                    ),
                    Err(_) => {
                        errors.push(
                            "actor",
                            "invalid",
                            "Enter the actor's e-mail address or account id.",
                        );
                        None
                    }
                },
            },
        };
        errors.into_result()?;
        let limit = if query.limit <= 0 {
            50
        } else {
            query.limit.min(200)
        };
        let search = AuditSearch {
            subtrees,
            own,
            actor,
            target: Some(query.target.trim().to_owned()).filter(|t| !t.is_empty()),
            action: query.action.clone(),
            from,
            to,
            before: query.before,
            limit: limit + 1,
        };
        let mut events = tx.search_audit(&search).await?;
        let more = events.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        events.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(AuditPage {
            next: if more {
                events.last().map(|e| e.seq)
            } else {
                None
            },
            own_only: search.own.is_some(),
            events,
        })
    }
}
