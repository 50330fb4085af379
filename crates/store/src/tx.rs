use sqlx::{Postgres, Sqlite, Transaction};

use crate::error::StoreResult;

/// A database transaction on either backend. The app layer opens one per use case, does all
/// its reads and writes (the change, its audit event, any outbox message) through it, and
/// commits; dropping it without committing rolls everything back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await?,
            Tx::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}
