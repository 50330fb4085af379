//! Removing rows that have served their purpose. Plain deletes by time: any number of nodes
//! may sweep at once. Audit events are never removed.

use time::OffsetDateTime;

use crate::captcha::CaptchaStore;
use crate::cas::CasStore;
use crate::client_assertions::ClientAssertions;
use crate::error::StoreResult;
use crate::oidc_refresh::OidcRefreshStore;
use crate::ts::Ts;
use crate::tx::Tx;

/// The times before which each kind of row goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepBefore {
    /// Sessions last used (or ended) before this.
    pub sessions: OffsetDateTime,
    /// Code challenges, reset links and setup links that expired before this.
    pub expired: OffsetDateTime,
    /// Failure counts last touched before this, unless a lock still runs.
    pub failures: OffsetDateTime,
    /// Delivered or failed messages finished before this.
    pub messages: OffsetDateTime,
}

/// How many rows of each kind went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Swept {
    /// Sessions ended by the sweep: their account expired, or they lapsed while
    /// applications that took part in them had to be told (counted by the app).
    pub expired_sessions: u64,
    pub sessions: u64,
    pub challenges: u64,
    pub resets: u64,
    pub setup_tokens: u64,
    pub failures: u64,
    pub messages: u64,
    /// Memberships deleted after their expiry (swept by the app, which audits each one).
    pub memberships: u64,
    /// OpenID Connect authorization codes past their expiry, used or not.
    pub oidc_codes: u64,
    /// Refresh tokens, access-token revocations and used client assertions past their
    /// expiry.
    pub oidc_tokens: u64,
    /// CAS service tickets past their expiry, used or not.
    pub cas_tickets: u64,
    /// CAPTCHA challenges past their expiry, used or not.
    pub captchas: u64,
    /// Self-registered accounts whose verification link expired unused (swept by the app,
    /// which audits each one).
    pub registrations: u64,
}

impl Swept {
    pub fn total(&self) -> u64 {
        self.expired_sessions
            + self.sessions
            + self.challenges
            + self.resets
            + self.setup_tokens
            + self.failures
            + self.messages
            + self.memberships
            + self.oidc_codes
            + self.oidc_tokens
            + self.cas_tickets
            + self.captchas
            + self.registrations
    }
}

/// The port for housekeeping.
pub trait Housekeeping {
    async fn sweep(&mut self, before: SweepBefore, now: OffsetDateTime) -> StoreResult<Swept>;
}

impl Housekeeping for Tx {
    async fn sweep(&mut self, before: SweepBefore, now: OffsetDateTime) -> StoreResult<Swept> {
        let sessions = exec!(
            self,
            sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR ended_at < $1")
                .bind(Ts(before.sessions))
        )?;
        let challenges = exec!(
            self,
            sqlx::query("DELETE FROM signin_challenges WHERE expires_at < $1")
                .bind(Ts(before.expired))
        )?;
        // Ceremonies and phone confirmations are challenges too; unconfirmed authenticator
        // apps are abandoned enrolments.
        let ceremonies = exec!(
            self,
            sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at < $1")
                .bind(Ts(before.expired))
        )?;
        let confirmations = exec!(
            self,
            sqlx::query("DELETE FROM phone_confirmations WHERE expires_at < $1")
                .bind(Ts(before.expired))
        )?;
        let abandoned_apps = exec!(
            self,
            sqlx::query("DELETE FROM authenticator_apps WHERE confirmed = $2 AND created_at < $1")
                .bind(Ts(before.expired))
                .bind(false)
        )?;
        let challenges = challenges + ceremonies + confirmations + abandoned_apps;
        let resets = exec!(
            self,
            sqlx::query("DELETE FROM password_resets WHERE expires_at < $1")
                .bind(Ts(before.expired))
        )?;
        let setup_tokens = exec!(
            self,
            sqlx::query("DELETE FROM setup_tokens WHERE expires_at < $1").bind(Ts(before.expired))
        )?;
        let failures = exec!(
            self,
            sqlx::query(
                "DELETE FROM signin_failures
             WHERE last_at < $1 AND (locked_until IS NULL OR locked_until < $2)"
            )
            .bind(Ts(before.failures))
            .bind(Ts(now))
        )?;
        let messages = exec!(
            self,
            sqlx::query("DELETE FROM outbox WHERE state <> 'queued' AND finished_at < $1")
                .bind(Ts(before.messages))
        )?;
        // Accounts past their expiration date: their sessions end (sign-in refuses them too).
        let oidc_codes = exec!(
            self,
            sqlx::query("DELETE FROM oidc_codes WHERE expires_at < $1").bind(Ts(before.expired))
        )?;
        let oidc_tokens = self.delete_expired_oidc_tokens(before.expired).await?
            + self
                .delete_expired_client_assertions(before.expired)
                .await?;
        let cas_tickets = self.delete_expired_cas_tickets(before.expired).await?;
        let captchas = self.delete_expired_captchas(before.expired).await?;
        let expired_sessions = exec!(
            self,
            sqlx::query(
                "UPDATE sessions SET ended_at = $1 WHERE ended_at IS NULL AND user_id IN
                 (SELECT id FROM users WHERE expires_at IS NOT NULL AND expires_at <= $1)"
            )
            .bind(Ts(now))
        )?;
        Ok(Swept {
            expired_sessions,
            sessions,
            challenges,
            resets,
            setup_tokens,
            failures,
            messages,
            memberships: 0,
            oidc_codes,
            oidc_tokens,
            cas_tickets,
            captchas,
            registrations: 0,
        })
    }
}
