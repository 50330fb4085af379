//! Refresh token rotations committed together. Each rotation is a write (the presented
//! token marked used, its successor stored, the audit event appended), and on SQLite every
//! write queues for the one writer connection, where each statement is a round trip to the
//! connection's thread: one transaction per rotation made the writer, not the processors,
//! the limit. So rotations that arrive while another batch is being written wait, and the
//! next batch writes all of them in one transaction (group commit) of a few round trips to
//! the database (`tessera_store::oidc_rotate`).
//!
//! Each rotation still stands on its own: a token marked used by another rotation of the
//! same batch, or by anything before, makes that rotation lose (the caller treats it as
//! reuse) without touching the others.

use std::sync::{Mutex, PoisonError};

use tessera_store::Store;
pub(crate) use tessera_store::oidc_rotate::Rotation;
use tokio::sync::oneshot;

use crate::app::App;
use crate::error::{AppError, AppResult};

/// Rotations per transaction at most (the second round trip binds 26 values per rotation).
const BATCH: usize = 64;

type Reply = oneshot::Sender<Result<bool, String>>;

/// The rotations waiting for a batch, and the turn to write one.
#[derive(Default)]
pub(crate) struct Rotations {
    waiting: Mutex<Vec<(Rotation, Reply)>>,
    turn: tokio::sync::Mutex<()>,
}

impl App {
    /// Commits `rotation`, in a batch with whichever others are waiting; whether it won
    /// (its token was still unused).
    pub(crate) async fn commit_rotation(&self, rotation: Rotation) -> AppResult<bool> {
        let rotations = self.rotations();
        let (reply, mut answer) = oneshot::channel();
        rotations
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((rotation, reply));
        // A batch written while this one waited for its turn may have taken it along: then
        // its answer comes first, and the turn goes to someone still waiting.
        let turn = tokio::select! {
            biased;
            result = &mut answer => return answered(result),
            turn = rotations.turn.lock() => turn,
        };
        if let Ok(result) = answer.try_recv() {
            return result.map_err(AppError::Internal);
        }
        let waiting = std::mem::take(
            &mut *rotations
                .waiting
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        if !waiting.is_empty() {
            // Written by a task of its own, so that a request given up half-way (its client
            // went away) cannot leave the others of its batch without an answer.
            let store = self.store().clone();
            let written = tokio::spawn(write_batches(store, waiting));
            // The task answers every rotation itself; its end only matters for the turn.
            let _ = written.await;
        }
        drop(turn);
        answered(answer.await)
    }
}

fn answered(result: Result<Result<bool, String>, oneshot::error::RecvError>) -> AppResult<bool> {
    match result {
        Ok(result) => result.map_err(AppError::Internal),
        Err(_) => Err(AppError::Internal(
            "a refresh token rotation was dropped unanswered".into(),
        )),
    }
}

async fn write_batches(store: Store, waiting: Vec<(Rotation, Reply)>) {
    let mut waiting = waiting.into_iter().peekable();
    while waiting.peek().is_some() {
        let (batch, replies): (Vec<Rotation>, Vec<Reply>) = waiting.by_ref().take(BATCH).unzip();
        match write_batch(&store, batch).await {
            Ok(won) => {
                for (reply, won) in replies.into_iter().zip(won) {
                    let _ = reply.send(Ok(won));
                }
            }
            Err(error) => {
                let error = error.to_string();
                for reply in replies {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}

/// One transaction: marks the presented tokens used, and for those that were still unused
/// stores the successor and appends the event; which ones won, in order.
async fn write_batch(store: &Store, batch: Vec<Rotation>) -> AppResult<Vec<bool>> {
    let mut tx = store.begin().await?;
    // Refresh tokens and their audit events are no fact any cache keeps.
    tx.keeps_cached_facts();
    let won = tx.rotate_refresh_tokens(batch).await?;
    tx.commit().await?;
    Ok(won)
}
