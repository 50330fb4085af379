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
