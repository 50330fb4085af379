//! The `jti`s of `private_key_jwt` client assertions already accepted, kept until the
//! assertions expire so that each is accepted once (RFC 7523 §3, point 7).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

/// The port for used client assertions.
pub trait ClientAssertions {
    /// Records that `client` used the assertion `jti`, which expires at `expires_at`; false
    /// when that `jti` was used already and is still live at `now` (a replay). One insert
    /// guarded by the primary key, so of two nodes taking the same `jti` at once only one
    /// gets true. A row left from an expired assertion with the same `jti` is taken over.
    async fn spend_client_assertion(
        &mut self,
        client: Uuid,
        jti: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Forgets assertions that expired before `before`; how many.
    async fn delete_expired_client_assertions(
        &mut self,
        before: OffsetDateTime,
    ) -> StoreResult<u64>;
}

impl ClientAssertions for Tx {
    async fn spend_client_assertion(
        &mut self,
        client: Uuid,
        jti: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        // On a conflict the row changes only when the jti it holds has expired; otherwise no
        // row is touched and the count says "used".
        let changed = exec!(
            self,
            sqlx::query(
                "INSERT INTO oidc_used_assertions (client_id, jti, expires_at)
                 VALUES ($1, $2, $3)
                 ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at
                 WHERE oidc_used_assertions.expires_at <= $4"
            )
            .bind(client)
            .bind(jti)
            .bind(Ts(expires_at))
            .bind(Ts(now))
        )?;
        Ok(changed == 1)
    }

    async fn delete_expired_client_assertions(
        &mut self,
        before: OffsetDateTime,
    ) -> StoreResult<u64> {
        Ok(exec!(
            self,
            sqlx::query("DELETE FROM oidc_used_assertions WHERE expires_at < $1").bind(Ts(before))
        )?)
    }
}
