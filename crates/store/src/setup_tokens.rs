//! One-time setup links for the first operator, kept as digests only.

use time::OffsetDateTime;

use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

/// The port for setup tokens.
pub trait SetupTokens {
    /// Replaces every earlier setup token with this one: only the latest link works.
    async fn replace_setup_token(
        &mut self,
        digest: &str,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Removes the token and returns its expiry, if it existed: a token can be taken once.
    async fn take_setup_token(&mut self, digest: &str) -> StoreResult<Option<OffsetDateTime>>;
    /// The expiry of a token, without using it up.
    async fn setup_token_expiry(&mut self, digest: &str) -> StoreResult<Option<OffsetDateTime>>;
    async fn clear_setup_tokens(&mut self) -> StoreResult<()>;
}

impl SetupTokens for Tx {
    async fn replace_setup_token(
        &mut self,
        digest: &str,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.clear_setup_tokens().await?;
        exec!(
            self,
            sqlx::query(
                "INSERT INTO setup_tokens (digest, created_at, expires_at) VALUES ($1, $2, $3)"
            )
            .bind(digest)
            .bind(Ts(created_at))
            .bind(Ts(expires_at))
        )?;
        Ok(())
    }

    async fn take_setup_token(&mut self, digest: &str) -> StoreResult<Option<OffsetDateTime>> {
        let expiry: Option<Ts> = with_conn!(self, conn => sqlx::query_scalar(
            "DELETE FROM setup_tokens WHERE digest = $1 RETURNING expires_at")
            .bind(digest).fetch_optional(conn).await)?;
        Ok(expiry.map(|t| t.0))
    }

    async fn setup_token_expiry(&mut self, digest: &str) -> StoreResult<Option<OffsetDateTime>> {
        let expiry: Option<Ts> = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT expires_at FROM setup_tokens WHERE digest = $1")
            .bind(digest).fetch_optional(conn).await)?;
        Ok(expiry.map(|t| t.0))
    }

    async fn clear_setup_tokens(&mut self) -> StoreResult<()> {
        exec!(self, sqlx::query("DELETE FROM setup_tokens"))?;
        Ok(())
    }
}
