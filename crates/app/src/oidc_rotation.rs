//! Refresh token rotations committed together. Each rotation is a write (the presented
//! token marked used, its successor stored, the audit event appended), and on SQLite every
//! write queues for the one writer connection, where each statement is a round trip to the
//! connection's thread: one transaction per rotation made the writer, not the processors,
//! the limit. So rotations that arrive while another batch is being written wait, and the
//! next batch writes all of them in one transaction (group commit) of a few round trips to
//! the database (`tessera_store::oidc_rotate`).
//!
//! The batch claims the presented tokens first (marks them used and reads them back), then
//! judges each claimed token here, in the same transaction (its client, its expiry, the
//! scope asked, whether the sign-in still holds), and puts back the ones refused. Each
//! rotation stands on its own: a token used by another rotation of the same batch, or by
//! anything before, is not claimed, and its request learns why on its own (reuse, say)
//! without touching the others.

use std::sync::{Arc, Mutex, PoisonError};

use tessera_store::oidc::OidcClient;
use tessera_store::oidc_refresh::RefreshToken;
use tessera_store::oidc_rotate::Rotation;
use tessera_store::{Backend, Writer};
use tokio::sync::{OwnedSemaphorePermit, oneshot};

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::oidc_tokens::OAuthFailure;

/// Rotations per transaction at most on SQLite (the second round trip binds 26 values per
/// rotation).
const BATCH: usize = 64;
/// The same on PostgreSQL, where a batch's second statement goes over TCP as one message of
/// about 700 bytes a rotation. sqlx leaves Nagle's algorithm on, so a message larger than the
/// socket's first send buffer (16 KiB) leaves its tail waiting for an acknowledgement that
/// the server delays by 40 ms, the whole message not being there: batches of 30 took 45 ms
/// instead of 2. Sixteen rotations stay well below.
const POSTGRES_BATCH: usize = 16;
/// Batches written in a row on one write connection before it goes back to the pool: about
/// 10 ms under load, the longest another write waits for it on SQLite's behalf.
const KEEP_WRITER_FOR: usize = 8;

/// A refresh token presented for rotation.
pub(crate) struct Claim {
    /// The presented token's digest.
    pub digest: String,
    /// The client that presented it, authenticated.
    pub client: Arc<OidcClient>,
    /// The scope asked for (a refresh may narrow it).
    pub scope: Option<String>,
}

/// What became of a claim.
pub(crate) enum Outcome {
    /// Rotated: the presented token as it was stored, its successor to hand out, and the
    /// successor's scope.
    Rotated {
        stored: Box<RefreshToken>,
        token: String,
        scope: String,
    },
    /// Claimed, then refused (and put back as it was).
    Refused(OAuthFailure),
    /// Not claimed: unknown, used, revoked, or claimed by a twin in the same batch.
    NotClaimed,
}

type Reply = oneshot::Sender<Result<Outcome, String>>;

/// The claims waiting for a batch, and the turns to write one.
pub(crate) struct Rotations {
    waiting: Mutex<Vec<(Claim, Reply)>>,
    turns: Arc<tokio::sync::Semaphore>,
}

impl Rotations {
    /// One batch at a time on SQLite, whose one writer would queue a second anyway. Two on
    /// PostgreSQL, where a batch spends most of its time waiting for round trips: the
    /// second begins and claims its tokens while the first still holds the audit head,
    /// whose lock it then waits for.
    pub(crate) fn new(backend: Backend) -> Self {
        Self {
            waiting: Mutex::default(),
            turns: Arc::new(tokio::sync::Semaphore::new(match backend {
                Backend::Sqlite => 1,
                Backend::Postgres => 2,
            })),
        }
    }

    fn take_waiting(&self) -> Vec<(Claim, Reply)> {
        std::mem::take(&mut *self.waiting.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl App {
    /// Commits `claim`, in a batch with whichever others are waiting.
    pub(crate) async fn commit_rotation(&self, claim: Claim) -> AppResult<Outcome> {
        let rotations = self.rotations();
        let (reply, mut answer) = oneshot::channel();
        rotations
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((claim, reply));
        // A batch written while this one waited for its turn may have taken it along: then
        // its answer comes first, and the turn goes to someone still waiting.
        let turn = tokio::select! {
            biased;
            result = &mut answer => return answered(result),
            turn = rotations.turns.clone().acquire_owned() => {
                turn.map_err(|e| AppError::Internal(e.to_string()))?
            }
        };
        if let Ok(result) = answer.try_recv() {
            return result.map_err(AppError::Internal);
        }
        let waiting = rotations.take_waiting();
        if !waiting.is_empty() {
            // Written by a task of its own, so that a request given up half-way (its client
            // went away) cannot leave the others of its batch without an answer.
            tokio::spawn(write_batches(self.clone(), waiting, turn));
        }
        answered(answer.await)
    }
}

fn answered(
    result: Result<Result<Outcome, String>, oneshot::error::RecvError>,
) -> AppResult<Outcome> {
    match result {
        Ok(result) => result.map_err(AppError::Internal),
        Err(_) => Err(AppError::Internal(
            "a refresh token rotation was dropped unanswered".into(),
        )),
    }
}

/// Writes `waiting`, then whatever came meanwhile, until nothing waits; then gives up the
/// turn. Keeping the turn between batches matters under load: the requests a batch has just
/// answered make many tasks ready at once, and a turn handed to another task would queue
/// behind all of them, the writer idle meanwhile. The write connection is kept from one
/// batch to the next likewise (`Writer`), but only for a few, so that other writes waiting
/// for it (on SQLite there is one) get their turn.
async fn write_batches(app: App, mut waiting: Vec<(Claim, Reply)>, turn: OwnedSemaphorePermit) {
    let most = match app.store().backend() {
        Backend::Sqlite => BATCH,
        Backend::Postgres => POSTGRES_BATCH,
    };
    let mut writer = None;
    let mut kept_for = 0;
    while !waiting.is_empty() {
        let mut rest = waiting.into_iter().peekable();
        while rest.peek().is_some() {
            let (batch, replies): (Vec<Claim>, Vec<Reply>) = rest.by_ref().take(most).unzip();
            let ready = match writer.take() {
                Some(kept) => Ok(kept),
                None => app.store().writer().await,
            };
            let written = match ready {
                Ok(writer) => write_batch(&app, writer, batch).await,
                Err(error) => Err(error.into()),
            };
            match written {
                Ok((outcomes, kept)) => {
                    kept_for += 1;
                    if kept_for < KEEP_WRITER_FOR {
                        writer = kept;
                    } else {
                        kept_for = 0;
                    }
                    for (reply, outcome) in replies.into_iter().zip(outcomes) {
                        let _ = reply.send(Ok(outcome));
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
        waiting = app.rotations().take_waiting();
    }
    drop(writer);
    // A claim pushed after the last look waits for this turn, and writes itself.
    drop(turn);
}

/// One transaction: claims the presented tokens, judges the claimed ones, stores the
/// successors of the good ones with their events and puts the others back; each claim's
/// outcome, in order.
async fn write_batch(
    app: &App,
    writer: Writer,
    batch: Vec<Claim>,
) -> AppResult<(Vec<Outcome>, Option<Writer>)> {
    let digests: Vec<String> = batch.iter().map(|c| c.digest.clone()).collect();
    let (mut tx, mut claimed) = writer.begin_claiming_refresh_tokens(&digests).await?;
    // Refresh tokens and their audit events are no fact any cache keeps.
    tx.keeps_cached_facts();
    let tokens = std::mem::take(&mut claimed.tokens);
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut rotations = Vec::new();
    let mut released = Vec::new();
    for (claim, token) in batch.iter().zip(tokens) {
        let Some(stored) = token else {
            outcomes.push(Outcome::NotClaimed);
            continue;
        };
        match app.judge_refresh(&mut tx, claim, &stored).await? {
            Ok(scope) => {
                let (token, next) = app.next_refresh_token(
                    &claim.client,
                    &RefreshToken {
                        scope: scope.clone(),
                        ..stored.clone()
                    },
                );
                rotations.push(Rotation {
                    event: app.refresh_token_event(
                        &claim.client,
                        &next,
                        "oidc.refresh_token.rotate",
                    ),
                    next,
                });
                outcomes.push(Outcome::Rotated {
                    stored: Box::new(stored),
                    token,
                    scope,
                });
            }
            Err(failure) => {
                released.push(stored.token_digest);
                outcomes.push(Outcome::Refused(failure));
            }
        }
    }
    let kept = tx
        .finish_rotations_and_commit(claimed, rotations, &released)
        .await?;
    Ok((outcomes, kept))
}
