//! A write connection kept out of the pool for a run of transactions, for batched writes
//! (refresh token rotations) that follow one another under load. Giving a connection back to
//! sqlx's pool spawns a task that pings the connection before it is free again, and taking
//! it wakes the next task: both queue behind every request ready at the time, and on SQLite,
//! whose one writer connection they pass through, that wait was a quarter of each batch.
//! A held connection goes straight from one transaction to the next.
//!
//! The transaction is begun and ended by plain statements, so sqlx does not know of it: a
//! transaction dropped without its commit closes its connection, which rolls it back on
//! both databases, rather than let it go back to the pool half-way.

use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Sqlite};

use crate::error::StoreResult;
use crate::tx::{Changes, Conn, Inner, Tx};

/// A write connection between transactions. Dropping it gives the connection back.
pub struct Writer(Held);

pub(crate) enum HeldConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// A held connection, whether a transaction is open on it, and the store's count of changes.
pub(crate) struct Held {
    conn: HeldConn,
    open: bool,
    changes: Changes,
}

impl Writer {
    pub(crate) fn new(conn: HeldConn, changes: Changes) -> Self {
        Self(Held {
            conn,
            open: false,
            changes,
        })
    }

    /// Begins a transaction that may write (`BEGIN IMMEDIATE` on SQLite, as
    /// [`crate::Store::begin`]).
    pub async fn begin(mut self) -> StoreResult<Tx> {
        let begin = if self.is_sqlite() {
            "BEGIN IMMEDIATE"
        } else {
            "BEGIN"
        };
        self.0.run(begin).await?;
        Ok(self.begin_in_first_statement())
    }

    /// Whether the connection is SQLite's, where a transaction's first and last statements
    /// can go in the same trip as others.
    pub(crate) fn is_sqlite(&self) -> bool {
        self.0.is_sqlite()
    }

    /// A transaction whose `BEGIN IMMEDIATE` the caller sends itself, at the head of its
    /// first statement's text (SQLite only: one trip spared). Counted open from here, so
    /// that a failure of that first trip closes the connection whatever it left behind.
    pub(crate) fn begin_in_first_statement(self) -> Tx {
        let mut held = self.0;
        held.open = true;
        let changes = held.changes.clone();
        Tx::new(Inner::Held(held), Some(changes))
    }
}

impl Held {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match &mut self.conn {
            HeldConn::Sqlite(conn) => Conn::Sqlite(conn),
            HeldConn::Postgres(conn) => Conn::Postgres(conn),
        }
    }

    pub(crate) fn is_sqlite(&self) -> bool {
        matches!(self.conn, HeldConn::Sqlite(_))
    }

    /// Commits (after the notification of a change, on PostgreSQL).
    pub(crate) async fn commit(&mut self, notify: bool) -> StoreResult<()> {
        if notify && !self.is_sqlite() {
            self.run(crate::changes::NOTIFY).await?;
        }
        self.run("COMMIT").await?;
        self.open = false;
        Ok(())
    }

    /// The writer again once the transaction has committed, and the change counted: after
    /// the commit, so that whoever reads the new count reads the new data too.
    fn committed(mut self, changes: Option<Changes>) -> Writer {
        self.open = false;
        if let Some(changes) = changes {
            changes.bump();
        }
        Writer(self)
    }

    /// Rolls back; the connection goes back to its pool.
    pub(crate) async fn rollback(mut self) -> StoreResult<()> {
        self.run("ROLLBACK").await?;
        self.open = false;
        Ok(())
    }

    /// One statement without values: the transaction's own.
    async fn run(&mut self, sql: &'static str) -> StoreResult<()> {
        match &mut self.conn {
            HeldConn::Sqlite(conn) => sqlx::query(sql).execute(&mut **conn).await.map(|_| ())?,
            HeldConn::Postgres(conn) => sqlx::query(sql).execute(&mut **conn).await.map(|_| ())?,
        }
        Ok(())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // Ended without a commit (an error, or a task given up half-way): closed, not given
        // back with its transaction open.
        if self.open {
            match &mut self.conn {
                HeldConn::Sqlite(conn) => conn.close_on_drop(),
                HeldConn::Postgres(conn) => conn.close_on_drop(),
            }
        }
    }
}

impl Tx {
    /// Whether this transaction ends with a `COMMIT` the caller may send itself, at the tail
    /// of its last statement's text ([`Tx::committed_in_last_statement`]).
    pub(crate) fn may_commit_in_last_statement(&self) -> bool {
        matches!(self.inner(), Inner::Held(held) if held.is_sqlite())
    }

    /// Takes note that the last statement's text ended with `COMMIT`, and that it ran.
    pub(crate) fn committed_in_last_statement(self) -> Option<Writer> {
        match self.into_parts() {
            (Inner::Held(held), changes) => Some(held.committed(changes)),
            _ => None,
        }
    }

    /// Commits, and keeps the connection for the next transaction when this one was begun
    /// by a [`Writer`] (`None` otherwise: the connection went back to its pool).
    pub async fn commit_keeping(self) -> StoreResult<Option<Writer>> {
        match self.into_parts() {
            (Inner::Held(mut held), changes) => {
                held.commit(changes.is_some()).await?;
                Ok(Some(held.committed(changes)))
            }
            (other, changes) => {
                Tx::new(other, changes).commit().await?;
                Ok(None)
            }
        }
    }
}
