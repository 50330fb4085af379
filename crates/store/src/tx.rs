use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

use crate::error::StoreResult;
use crate::writer::Held;

/// A database transaction on either backend. The app layer opens one per use case, does all
/// its reads and writes (the change, its audit event, any outbox message) through it, and
/// commits; dropping it without committing rolls everything back.
///
/// A transaction that may write counts itself in the store's [`Changes`] when it commits, so
/// that answers cached from earlier reads are known to be stale; a use case that only writes
/// what no cache holds (a rotated refresh token and its audit event, say) says so with
/// [`Tx::keeps_cached_facts`].
pub struct Tx {
    inner: Inner,
    /// Bumped on commit; `None` for reads and for writes that touch no cached fact.
    changes: Option<Changes>,
}

/// The connection or transaction behind a [`Tx`]. The `...Reads` variants are a plain
/// connection for a few independent reads on hot paths (each statement its own snapshot):
/// no BEGIN and ROLLBACK round trips. See [`crate::Store::reads`].
pub(crate) enum Inner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
    SqliteReads(PoolConnection<Sqlite>),
    PostgresReads(PoolConnection<Postgres>),
    /// A transaction on a connection a [`crate::Writer`] holds between transactions.
    Held(Held),
}

/// How many write transactions a store (and every clone of it) has committed that may have
/// changed facts the app keeps cached, and on PostgreSQL how many such commits of other
/// nodes it was told of (`changes.rs`). Caches tag what they keep with the count they read
/// before reading the database, and trust it only while the count has not moved.
#[derive(Clone, Default)]
pub struct Changes(Arc<AtomicU64>);

impl Changes {
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    pub(crate) fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// The connection behind a [`Tx`], for the query code written once for both databases.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Tx {
    pub(crate) fn new(inner: Inner, changes: Option<Changes>) -> Self {
        Self { inner, changes }
    }

    pub fn conn(&mut self) -> Conn<'_> {
        match &mut self.inner {
            Inner::Sqlite(tx) => Conn::Sqlite(&mut *tx),
            Inner::Postgres(tx) => Conn::Postgres(&mut *tx),
            Inner::SqliteReads(conn) => Conn::Sqlite(&mut *conn),
            Inner::PostgresReads(conn) => Conn::Postgres(&mut *conn),
            Inner::Held(held) => held.conn(),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        match &self.inner {
            Inner::Sqlite(_) | Inner::SqliteReads(_) => true,
            Inner::Postgres(_) | Inner::PostgresReads(_) => false,
            Inner::Held(held) => held.is_sqlite(),
        }
    }

    /// Declares that this transaction writes nothing any cache of the app keeps (sessions,
    /// accounts, memberships, clients, revocations): committing it leaves cached answers
    /// standing. Only for hot paths whose writes are known to be of that kind.
    pub fn keeps_cached_facts(&mut self) {
        self.changes = None;
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    pub(crate) fn into_parts(self) -> (Inner, Option<Changes>) {
        (self.inner, self.changes)
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self.inner {
            // The connection goes back to its pool.
            Inner::Held(mut held) => held.commit(self.changes.is_some()).await?,
            Inner::Sqlite(tx) => tx.commit().await?,
            Inner::Postgres(mut tx) => {
                // The other nodes sharing the database learn of the change when it commits
                // (a notification is delivered only then, and not at all on rollback).
                if self.changes.is_some() {
                    sqlx::query(crate::changes::NOTIFY)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?
            }
            Inner::SqliteReads(_) | Inner::PostgresReads(_) => {}
        }
        // After the commit: whoever reads the new count reads the new data too.
        if let Some(changes) = self.changes {
            changes.bump();
        }
        Ok(())
    }

    pub async fn rollback(self) -> StoreResult<()> {
        match self.inner {
            Inner::Sqlite(tx) => tx.rollback().await?,
            Inner::Postgres(tx) => tx.rollback().await?,
            Inner::Held(held) => held.rollback().await?,
            Inner::SqliteReads(_) | Inner::PostgresReads(_) => {}
        }
        Ok(())
    }
}
