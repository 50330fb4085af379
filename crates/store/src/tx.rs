use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

use crate::error::StoreResult;

/// A database transaction on either backend. The app layer opens one per use case, does all
/// its reads and writes (the change, its audit event, any outbox message) through it, and
/// commits; dropping it without committing rolls everything back.
///
/// The `...Reads` variants are a plain connection for a few independent reads on hot paths
/// (each statement its own snapshot): no BEGIN and ROLLBACK round trips. See
/// [`crate::Store::reads`].
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
    SqliteReads(PoolConnection<Sqlite>),
    PostgresReads(PoolConnection<Postgres>),
}

/// The connection behind a [`Tx`], for the query code written once for both databases.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(tx) => Conn::Sqlite(&mut *tx),
            Tx::Postgres(tx) => Conn::Postgres(&mut *tx),
            Tx::SqliteReads(conn) => Conn::Sqlite(&mut *conn),
            Tx::PostgresReads(conn) => Conn::Postgres(&mut *conn),
        }
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
            Tx::SqliteReads(_) | Tx::PostgresReads(_) => {}
        }
        Ok(())
    }

    pub async fn rollback(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await?,
            Tx::Postgres(tx) => tx.rollback().await?,
            Tx::SqliteReads(_) | Tx::PostgresReads(_) => {}
        }
        Ok(())
    }
}
