//! Sign-in failures by typed address.

use tessera_domain::throttle::Failures;
use time::OffsetDateTime;

use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

/// The port for sign-in failures.
pub trait SignInFailures {
    async fn failures(&mut self, email_key: &str) -> StoreResult<Failures>;
    async fn put_failures(&mut self, email_key: &str, failures: &Failures) -> StoreResult<()>;
    async fn clear_failures(&mut self, email_key: &str) -> StoreResult<()>;
}

impl SignInFailures for Tx {
    async fn failures(&mut self, email_key: &str) -> StoreResult<Failures> {
        let row: Option<(i32, Ts, Option<Ts>)> = with_conn!(self, conn => sqlx::query_as(
            "SELECT count, last_at, locked_until FROM signin_failures WHERE email_key = $1")
            .bind(email_key).fetch_optional(conn).await)?;
        Ok(
            row.map_or_else(Failures::default, |(count, last_at, locked_until)| {
                Failures {
                    count,
                    last_at: Some(last_at.0),
                    locked_until: locked_until.map(|t| t.0),
                }
            }),
        )
    }

    async fn put_failures(&mut self, email_key: &str, failures: &Failures) -> StoreResult<()> {
        let last_at = failures.last_at.unwrap_or(OffsetDateTime::UNIX_EPOCH);
        exec!(
            self,
            sqlx::query(
                "INSERT INTO signin_failures (email_key, count, last_at, locked_until)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (email_key) DO UPDATE SET count = excluded.count,
                 last_at = excluded.last_at, locked_until = excluded.locked_until"
            )
            .bind(email_key)
            .bind(failures.count)
            .bind(Ts(last_at))
            .bind(failures.locked_until.map(Ts))
        )?;
        Ok(())
    }

    async fn clear_failures(&mut self, email_key: &str) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("DELETE FROM signin_failures WHERE email_key = $1").bind(email_key)
        )?;
        Ok(())
    }
}
