//! Other nodes' changes, on PostgreSQL. Every write transaction that may change a fact the
//! app keeps cached sends `NOTIFY` on one channel as it commits; each node listens on its
//! own connection and counts what it hears in its [`Changes`], so a sign-out, a suspension
//! or a revocation made through one node ends the kept answers of every node at once, not
//! after their two seconds. Notifications lost while the connection was down are made up
//! for by counting one more whenever it comes back.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::watch;

use crate::tx::Changes;

/// The channel the nodes of one database share.
const CHANNEL: &str = "tessera_changes";
/// What a committing transaction sends.
pub(crate) const NOTIFY: &str = "NOTIFY tessera_changes";
/// How long to wait before listening again after the database refused.
const RETRY: Duration = Duration::from_secs(1);

/// Listens until the store's last handle is dropped or its pool is closed.
pub(crate) async fn listen(pool: PgPool, changes: Changes, mut stop: watch::Receiver<()>) {
    loop {
        let listening = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        let listener = tokio::select! {
            _ = stop.changed() => return,
            listener = listening => listener,
        };
        match listener {
            Ok(mut listener) => {
                // Whatever was sent before this connection listened is unknown.
                changes.bump();
                loop {
                    tokio::select! {
                        _ = stop.changed() => return,
                        heard = listener.try_recv() => match heard {
                            Ok(Some(_)) => changes.bump(),
                            // The connection was lost and is back: some may be lost.
                            Ok(None) => changes.bump(),
                            Err(error) => {
                                changes.bump();
                                if !pool.is_closed() {
                                    tracing::warn!(%error, "listening for other nodes' changes");
                                }
                                break;
                            }
                        },
                    }
                }
            }
            Err(error) if !pool.is_closed() => {
                tracing::warn!(%error, "cannot listen for other nodes' changes");
            }
            Err(_) => {}
        }
        if pool.is_closed() {
            return;
        }
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(RETRY) => {}
        }
    }
}
