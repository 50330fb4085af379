//! Credentials. For now the password (an Argon2id PHC string); second factors join later.

use tessera_domain::UserId;
use time::OffsetDateTime;

use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

/// The port for credentials.
pub trait Credentials {
    /// Sets (or replaces) a user's password hash.
    async fn set_password(
        &mut self,
        user: UserId,
        phc: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn password(&mut self, user: UserId) -> StoreResult<Option<String>>;
}

impl Credentials for Tx {
    async fn set_password(
        &mut self,
        user: UserId,
        phc: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO password_credentials (user_id, phc, set_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET phc = excluded.phc, set_at = excluded.set_at"
            )
            .bind(user.0)
            .bind(phc)
            .bind(Ts(at))
        )?;
        Ok(())
    }

    async fn password(&mut self, user: UserId) -> StoreResult<Option<String>> {
        let phc: Option<String> = with_conn!(self, conn =>
            sqlx::query_scalar("SELECT phc FROM password_credentials WHERE user_id = $1")
                .bind(user.0).fetch_optional(conn).await)?;
        Ok(phc)
    }
}
