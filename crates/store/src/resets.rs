//! Password reset links.

use tessera_domain::UserId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

/// The port for password reset links.
pub trait PasswordResets {
    /// Stores a new link for a user; earlier links of that user stop working.
    async fn replace_reset(
        &mut self,
        user: UserId,
        token_digest: &str,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The user and expiry of a link, without using it.
    async fn reset(&mut self, token_digest: &str) -> StoreResult<Option<(UserId, OffsetDateTime)>>;
    /// Uses a link up: it works once.
    async fn take_reset(
        &mut self,
        token_digest: &str,
    ) -> StoreResult<Option<(UserId, OffsetDateTime)>>;
    /// When the user's newest link was made, to space out reset e-mails.
    async fn last_reset_at(&mut self, user: UserId) -> StoreResult<Option<OffsetDateTime>>;
}

impl PasswordResets for Tx {
    async fn replace_reset(
        &mut self,
        user: UserId,
        token_digest: &str,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("DELETE FROM password_resets WHERE user_id = $1").bind(user.0)
        )?;
        exec!(
            self,
            sqlx::query(
                "INSERT INTO password_resets (token_digest, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)"
            )
            .bind(token_digest)
            .bind(user.0)
            .bind(Ts(created_at))
            .bind(Ts(expires_at))
        )?;
        Ok(())
    }

    async fn reset(&mut self, token_digest: &str) -> StoreResult<Option<(UserId, OffsetDateTime)>> {
        let row: Option<(Uuid, Ts)> = with_conn!(self, conn => sqlx::query_as(
            "SELECT user_id, expires_at FROM password_resets WHERE token_digest = $1")
            .bind(token_digest).fetch_optional(conn).await)?;
        Ok(row.map(|(user, expires)| (UserId(user), expires.0)))
    }

    async fn take_reset(
        &mut self,
        token_digest: &str,
    ) -> StoreResult<Option<(UserId, OffsetDateTime)>> {
        let row: Option<(Uuid, Ts)> = with_conn!(self, conn => sqlx::query_as(
            "DELETE FROM password_resets WHERE token_digest = $1 RETURNING user_id, expires_at")
            .bind(token_digest).fetch_optional(conn).await)?;
        Ok(row.map(|(user, expires)| (UserId(user), expires.0)))
    }

    async fn last_reset_at(&mut self, user: UserId) -> StoreResult<Option<OffsetDateTime>> {
        let at: Option<Ts> = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT MAX(created_at) FROM password_resets WHERE user_id = $1")
            .bind(user.0).fetch_one(conn).await)?;
        Ok(at.map(|t| t.0))
    }
}
