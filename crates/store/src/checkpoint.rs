//! SQLite's write-ahead log is copied back into the database file (a checkpoint) by a
//! connection of its own, once a second, rather than by the writer when a commit finds the
//! log long. A checkpoint the writer runs holds up every write queued behind it while it
//! copies pages and waits for the disk to sync them; under a steady write load (refresh token
//! rotations) moving it here gave 5 to 10% more rotations a second. A passive checkpoint
//! never waits for the writer nor makes it wait, and the log starts again from its beginning
//! once it is all copied. Should this task fall behind, the writer still checkpoints past
//! [`WRITER_CHECKPOINTS_AT`] pages.

use std::time::Duration;

use sqlx::SqlitePool;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

/// How often the log is copied back. Under the heaviest load measured (ten thousand refresh
/// rotations a second) the log grows by about 40 MiB in that time; checkpoints five times as
/// often gave no more rotations and took more processor time, copying hot pages again.
const EVERY: Duration = Duration::from_secs(1);

/// Pages of log (4 KiB each: 256 MiB) past which the writer checkpoints by itself.
pub(crate) const WRITER_CHECKPOINTS_AT: &str = "65536";

/// Copies the log back every [`EVERY`] until `stop` goes or the pool is closed.
pub(crate) async fn run(pool: SqlitePool, mut stop: watch::Receiver<()>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = tick.tick() => {}
        }
        if pool.is_closed() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(%error, "copying the write-ahead log back into the database");
        }
    }
}
