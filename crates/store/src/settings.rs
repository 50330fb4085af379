//! Small named values that belong to the installation (e.g. whether demo data was loaded).

use time::OffsetDateTime;

use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

/// The port for installation settings.
pub trait Settings {
    async fn setting(&mut self, key: &str) -> StoreResult<Option<String>>;
    async fn put_setting(&mut self, key: &str, value: &str, at: OffsetDateTime) -> StoreResult<()>;
}

impl Settings for Tx {
    async fn setting(&mut self, key: &str) -> StoreResult<Option<String>> {
        let value: Option<String> = with_conn!(self, conn =>
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key).fetch_optional(conn).await)?;
        Ok(value)
    }

    async fn put_setting(&mut self, key: &str, value: &str, at: OffsetDateTime) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
            .bind(key).bind(value).bind(Ts(at)))?;
        Ok(())
    }
}
