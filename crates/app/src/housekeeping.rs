//! The periodic sweep of rows that are no longer needed.

use tessera_store::Housekeeping;
use tessera_store::housekeeping::{SweepBefore, Swept};
use time::Duration;

use crate::app::App;
use crate::error::AppResult;

/// Ended or idle sessions are kept this long (for "Display my sessions" and questions).
const SESSIONS_KEPT: Duration = Duration::days(7);
/// Expired challenges and links are kept this long.
const EXPIRED_KEPT: Duration = Duration::days(1);
/// Failure counts of addresses without a running lock are forgotten after this.
const FAILURES_KEPT: Duration = Duration::days(1);

impl App {
    /// Removes what has served its purpose; finished messages after `message_retention`.
    pub async fn sweep(&self, message_retention: Duration) -> AppResult<Swept> {
        let now = self.now();
        let before = SweepBefore {
            sessions: now - SESSIONS_KEPT,
            expired: now - EXPIRED_KEPT,
            failures: now - FAILURES_KEPT,
            messages: now - message_retention,
        };
        // First, while their participants are still known: lapsed sessions that
        // applications took part in end with a notice to each (single logout).
        let lapsed = self.end_lapsed_sessions().await?;
        let mut tx = self.store().begin().await?;
        let mut swept = tx.sweep(before, now).await?;
        tx.commit().await?;
        swept.expired_sessions += lapsed;
        // In batches, each its own transaction, so a backlog never holds one long lock.
        for _ in 0..100 {
            let taken = self.sweep_expired_memberships().await?;
            swept.memberships += u64::try_from(taken).unwrap_or(0);
            if taken < 1000 {
                break;
            }
        }
        swept.registrations = self.sweep_lapsed_registrations().await?;
        if let Some(rotation) = self.rotate_signing_key_when_due().await? {
            tracing::info!(kid = %rotation.new_kid, replaced = rotation.replaced, "signing key rotated");
        }
        if swept.total() > 0 {
            tracing::info!(
                sessions = swept.sessions,
                challenges = swept.challenges,
                resets = swept.resets,
                setup_tokens = swept.setup_tokens,
                failures = swept.failures,
                messages = swept.messages,
                memberships = swept.memberships,
                oidc_codes = swept.oidc_codes,
                oidc_tokens = swept.oidc_tokens,
                cas_tickets = swept.cas_tickets,
                captchas = swept.captchas,
                registrations = swept.registrations,
                "swept rows no longer needed"
            );
        }
        Ok(swept)
    }
}
