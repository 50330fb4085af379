//! SQLite's write-ahead log is copied back into the database file by the store's own
//! checkpoints, with no help from the writer (which only does it past 256 MiB of log).

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_store::testing::TestDatabase;
use tessera_store::{AuditLog, Backend};
use time::macros::datetime;

/// What the database file holds by itself: opened as immutable, SQLite reads neither the log
/// nor its index, so a row is found only once a checkpoint has copied it back.
async fn in_the_file_itself(path: &str) -> i64 {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true);
    let Ok(mut conn) = options.connect().await else {
        return 0;
    };
    let found = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'copied'")
        .fetch_one(&mut conn)
        .await
        .unwrap_or(0);
    let _ = conn.close().await;
    found
}

#[tokio::test]
async fn a_commit_reaches_the_database_file_without_the_writer_checkpointing() {
    let db = TestDatabase::new(Backend::Sqlite).await.unwrap().unwrap();
    let path = db.url.strip_prefix("sqlite://").unwrap().to_owned();
    let mut tx = db.store.begin().await.unwrap();
    tx.append_audit(NewAuditEvent::new(
        datetime!(2026-03-01 09:00:00 UTC),
        Actor::System,
        "copied",
        "test",
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // The checkpoints come every second; ten are more than enough on a loaded machine.
    for _ in 0..100 {
        if in_the_file_itself(&path).await == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the commit never reached the database file");
}
