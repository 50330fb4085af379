//! Opening a database: the one place where the two adapters differ in code.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::error::{StoreError, StoreResult};
use crate::tx::{Changes, Inner, Tx};
use crate::writer::{HeldConn, Writer};

/// Prepared statements kept per connection (sqlx keeps 100 by default). Batched writes
/// (refresh token rotations) have a statement text per batch size: room for all of them
/// beside the rest, so that none is parsed again and again.
const STATEMENT_CACHE: usize = 512;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone)]
enum Pools {
    /// SQLite allows one writer at a time: writers queue on a single connection in this
    /// process instead of spinning on the file lock, while readers use a pool of their own.
    Sqlite {
        writer: SqlitePool,
        readers: SqlitePool,
        /// Copies the write-ahead log back into the database file (`checkpoint.rs`).
        checkpointer: SqlitePool,
    },
    Postgres(PgPool),
}

/// A handle on the database; cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Store {
    pools: Pools,
    changes: Changes,
    /// Dropped with the last handle, which stops the background task: on PostgreSQL the
    /// listener of the other nodes' changes (`changes.rs`), on SQLite the checkpoints
    /// (`checkpoint.rs`).
    _background: Option<Arc<tokio::sync::watch::Sender<()>>>,
}

impl Store {
    /// Opens a database by URL: `sqlite://PATH` (created when missing) or `postgres://...`.
    pub async fn open(url: &str) -> StoreResult<Self> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            Self::open_sqlite(Path::new(path)).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::open_postgres(url).await
        } else {
            Err(StoreError::BadUrl(format!(
                "'{}' is neither sqlite://PATH nor postgres://...",
                redact_url(url)
            )))
        }
    }

    /// Opens (creating when missing) an SQLite database file in WAL mode.
    pub async fn open_sqlite(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // The log is copied back by a connection of its own (`checkpoint.rs`); the
            // writer does it only should that one fall far behind.
            .pragma(
                "wal_autocheckpoint",
                crate::checkpoint::WRITER_CHECKPOINTS_AT,
            )
            // A multi-row INSERT inside a transaction keeps a statement journal, which SQLite
            // spills to a temporary file past 64 KiB: opened, written and unlinked for every
            // batch of refresh rotations. In memory it is a buffer.
            .pragma("temp_store", "memory")
            .statement_cache_capacity(STATEMENT_CACHE);
        // A connection to a local file does not go stale: no ping (a round trip to the
        // connection's worker thread) each time one is taken from the pool.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(0)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone().read_only(true))
            .await?;
        // Checkpoints write the database file: not a read-only connection.
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        let (stop, stopped) = tokio::sync::watch::channel(());
        tokio::spawn(crate::checkpoint::run(checkpointer.clone(), stopped));
        Ok(Self {
            pools: Pools::Sqlite {
                writer,
                readers,
                checkpointer,
            },
            changes: Changes::default(),
            _background: Some(Arc::new(stop)),
        })
    }

    pub async fn open_postgres(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(format!("{}: {e}", redact_url(url))))?;
        let options = options.statement_cache_capacity(STATEMENT_CACHE);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        let changes = Changes::default();
        let (stop, stopped) = tokio::sync::watch::channel(());
        tokio::spawn(crate::changes::listen(
            pool.clone(),
            changes.clone(),
            stopped,
        ));
        Ok(Self {
            pools: Pools::Postgres(pool),
            changes,
            _background: Some(Arc::new(stop)),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date. Safe to run from several nodes at once: sqlx takes an
    /// advisory lock on PostgreSQL, and SQLite has a single writer.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await?,
            Pools::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Begins a transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it never fails half-way on a lock upgrade.
    pub async fn begin(&self) -> StoreResult<Tx> {
        let inner = match &self.pools {
            Pools::Sqlite { writer, .. } => {
                Inner::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?)
            }
            Pools::Postgres(pool) => Inner::Postgres(pool.begin().await?),
        };
        Ok(Tx::new(inner, Some(self.changes.clone())))
    }

    /// A write connection to keep for a run of transactions ([`Writer`]).
    pub async fn writer(&self) -> StoreResult<Writer> {
        let conn = match &self.pools {
            Pools::Sqlite { writer, .. } => HeldConn::Sqlite(writer.acquire().await?),
            Pools::Postgres(pool) => HeldConn::Postgres(pool.acquire().await?),
        };
        Ok(Writer::new(conn, self.changes.clone()))
    }

    /// The count of committed writes that may have changed what the app keeps cached.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    /// Begins a transaction that only reads: a consistent snapshot, and on SQLite it does not
    /// wait for writers.
    pub async fn read(&self) -> StoreResult<Tx> {
        let inner = match &self.pools {
            Pools::Sqlite { readers, .. } => Inner::Sqlite(readers.begin().await?),
            Pools::Postgres(pool) => Inner::Postgres(pool.begin().await?),
        };
        Ok(Tx::new(inner, None))
    }

    /// A connection for a few independent reads, without a transaction: each statement sees
    /// the latest committed data. For hot paths (sign-in) where a snapshot across statements
    /// is not needed and the BEGIN/ROLLBACK round trips are.
    pub async fn reads(&self) -> StoreResult<Tx> {
        let inner = match &self.pools {
            Pools::Sqlite { readers, .. } => Inner::SqliteReads(readers.acquire().await?),
            Pools::Postgres(pool) => Inner::PostgresReads(pool.acquire().await?),
        };
        Ok(Tx::new(inner, None))
    }

    /// Answers whether the database takes queries now (for readiness checks).
    pub async fn ping(&self) -> StoreResult<()> {
        match &self.pools {
            Pools::Sqlite { readers, .. } => {
                sqlx::query("SELECT 1").execute(readers).await?;
            }
            Pools::Postgres(pool) => {
                sqlx::query("SELECT 1").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite {
                writer,
                readers,
                checkpointer,
            } => {
                checkpointer.close().await;
                readers.close().await;
                writer.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

/// A database URL with its password hidden, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.example:5432/tessera"),
            "postgres://app:***@db.example:5432/tessera"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact_url("sqlite://data/t.db"), "sqlite://data/t.db");
    }
}
