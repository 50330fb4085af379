//! Signing keys, with the private half sealed by the caller before it reaches the store.

use time::OffsetDateTime;

use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredSigningKey {
    pub kid: String,
    pub algorithm: String,
    /// The private key, encrypted under the installation's secret key.
    pub private_sealed: Vec<u8>,
    /// The public key as a JSON Web Key.
    pub public_jwk: String,
    pub created_at: Ts,
    pub retires_at: Option<Ts>,
}

/// The port for signing keys.
pub trait SigningKeys {
    async fn insert_signing_key(&mut self, key: &StoredSigningKey) -> StoreResult<()>;
    /// Keys not yet retired at `now`, newest first.
    async fn live_signing_keys(
        &mut self,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<StoredSigningKey>>;
    /// Sets when every live key but `kid` leaves the published set (the ones already leaving
    /// earlier keep their time); how many changed.
    async fn retire_signing_keys_except(
        &mut self,
        kid: &str,
        retires_at: OffsetDateTime,
    ) -> StoreResult<u64>;
    /// The same among the live keys of one `algorithm` only (each algorithm has its own
    /// signing key); how many changed.
    async fn retire_signing_keys_of_algorithm_except(
        &mut self,
        algorithm: &str,
        kid: &str,
        retires_at: OffsetDateTime,
    ) -> StoreResult<u64>;
}

impl SigningKeys for Tx {
    async fn insert_signing_key(&mut self, key: &StoredSigningKey) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO signing_keys (kid, algorithm, private_sealed, public_jwk, created_at, retires_at)
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&key.kid)
            .bind(&key.algorithm)
            .bind(&key.private_sealed)
            .bind(&key.public_jwk)
            .bind(key.created_at)
            .bind(key.retires_at))?;
        Ok(())
    }

    async fn live_signing_keys(
        &mut self,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<StoredSigningKey>> {
        let keys: Vec<StoredSigningKey> = with_conn!(self, conn => sqlx::query_as(
            "SELECT kid, algorithm, private_sealed, public_jwk, created_at, retires_at
             FROM signing_keys WHERE retires_at IS NULL OR retires_at > $1
             ORDER BY created_at DESC, kid")
            .bind(Ts(now)).fetch_all(conn).await)?;
        Ok(keys)
    }

    async fn retire_signing_keys_except(
        &mut self,
        kid: &str,
        retires_at: OffsetDateTime,
    ) -> StoreResult<u64> {
        let changed = exec!(
            self,
            sqlx::query(
                "UPDATE signing_keys SET retires_at = $2
                 WHERE kid <> $1 AND (retires_at IS NULL OR retires_at > $2)"
            )
            .bind(kid)
            .bind(Ts(retires_at))
        )?;
        Ok(changed)
    }

    async fn retire_signing_keys_of_algorithm_except(
        &mut self,
        algorithm: &str,
        kid: &str,
        retires_at: OffsetDateTime,
    ) -> StoreResult<u64> {
        let changed = exec!(
            self,
            sqlx::query(
                "UPDATE signing_keys SET retires_at = $3
                 WHERE algorithm = $1 AND kid <> $2 AND (retires_at IS NULL OR retires_at > $3)"
            )
            .bind(algorithm)
            .bind(kid)
            .bind(Ts(retires_at))
        )?;
        Ok(changed)
    }
}
