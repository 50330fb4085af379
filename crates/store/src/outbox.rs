//! The outbox: queued messages, their claims by delivery workers, and their attempts.

use tessera_domain::message::{Channel, DeliveryState};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::{Conn, Tx};

/// A message as queued, its values already sealed by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    pub id: Uuid,
    pub channel: Channel,
    pub recipient: String,
    pub template: String,
    pub language: String,
    pub payload_sealed: Vec<u8>,
    pub created_at: OffsetDateTime,
}

/// A message a worker has claimed; `attempt` counts this claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedMessage {
    pub message: QueuedMessage,
    pub attempt: i32,
}

/// What administrators see of a message: no values, no secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: Uuid,
    pub channel: Channel,
    pub recipient: String,
    pub template: String,
    pub language: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub next_attempt_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub attempt: i32,
    pub worker: String,
    pub finished_at: OffsetDateTime,
    pub outcome: String,
    pub error: Option<String>,
}

/// The outcome of one attempt, as the worker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    /// Failed; try again at this time.
    Retry {
        error: String,
        at: OffsetDateTime,
    },
    /// Failed for good (permanent refusal or out of time).
    GiveUp {
        error: String,
    },
}

/// The port for the outbox.
pub trait Outbox {
    async fn enqueue_message(&mut self, message: &QueuedMessage) -> StoreResult<()>;
    /// Claims up to `limit` due messages for `worker` until `lease_until`. A claim whose lease
    /// ran out (its worker died) is claimed again.
    async fn claim_messages(
        &mut self,
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedMessage>>;
    /// Records an attempt and moves the message on. Returns false when the message was no
    /// longer queued (another worker finished it after this one's lease ran out).
    async fn finish_attempt(
        &mut self,
        id: Uuid,
        worker: &str,
        attempt: i32,
        at: OffsetDateTime,
        outcome: &AttemptOutcome,
    ) -> StoreResult<bool>;
    async fn outbox_entries(
        &mut self,
        state: Option<DeliveryState>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEntry>>;
    async fn outbox_attempts(&mut self, id: Uuid) -> StoreResult<Vec<AttemptRecord>>;
    async fn outbox_counts(&mut self) -> StoreResult<Vec<(DeliveryState, i64)>>;
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: Uuid,
    channel: String,
    recipient: String,
    template: String,
    language: String,
    payload_sealed: Vec<u8>,
    attempts: i32,
    created_at: Ts,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: Uuid,
    channel: String,
    recipient: String,
    template: String,
    language: String,
    state: String,
    attempts: i32,
    next_attempt_at: Ts,
    last_error: Option<String>,
    created_at: Ts,
    finished_at: Option<Ts>,
}

fn channel(s: &str) -> StoreResult<Channel> {
    Channel::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown channel '{s}'")))
}

fn state(s: &str) -> StoreResult<DeliveryState> {
    DeliveryState::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown state '{s}'")))
}

/// The claim, with a row-locking suffix where the database has one.
macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE state = 'queued' AND next_attempt_at <= $3
                   AND (claimed_until IS NULL OR claimed_until < $3)
                 ORDER BY next_attempt_at LIMIT $4 ",
            $lock,
            ")
             AND state = 'queued' AND (claimed_until IS NULL OR claimed_until < $3)
             RETURNING id, channel, recipient, template, language, payload_sealed, attempts,
                       created_at"
        )
    };
}

impl Outbox for Tx {
    async fn enqueue_message(&mut self, message: &QueuedMessage) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO outbox (id, channel, recipient, template, language, payload_sealed,
                 state, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7)"
            )
            .bind(message.id)
            .bind(message.channel.as_str())
            .bind(&message.recipient)
            .bind(&message.template)
            .bind(&message.language)
            .bind(&message.payload_sealed)
            .bind(Ts(message.created_at))
        )?;
        Ok(())
    }

    async fn claim_messages(
        &mut self,
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedMessage>> {
        // The one query that differs: PostgreSQL skips rows another node is claiming right
        // now; SQLite has a single writer, so there is nothing to skip.
        let rows: Vec<ClaimRow> = match self.conn() {
            Conn::Sqlite(conn) => {
                sqlx::query_as(claim_sql!(""))
                    .bind(worker)
                    .bind(Ts(lease_until))
                    .bind(Ts(now))
                    .bind(limit)
                    .fetch_all(conn)
                    .await?
            }
            Conn::Postgres(conn) => {
                sqlx::query_as(claim_sql!("FOR UPDATE SKIP LOCKED"))
                    .bind(worker)
                    .bind(Ts(lease_until))
                    .bind(Ts(now))
                    .bind(limit)
                    .fetch_all(conn)
                    .await?
            }
        };
        rows.into_iter()
            .map(|row| {
                Ok(ClaimedMessage {
                    attempt: row.attempts,
                    message: QueuedMessage {
                        id: row.id,
                        channel: channel(&row.channel)?,
                        recipient: row.recipient,
                        template: row.template,
                        language: row.language,
                        payload_sealed: row.payload_sealed,
                        created_at: row.created_at.0,
                    },
                })
            })
            .collect()
    }

    async fn finish_attempt(
        &mut self,
        id: Uuid,
        worker: &str,
        attempt: i32,
        at: OffsetDateTime,
        outcome: &AttemptOutcome,
    ) -> StoreResult<bool> {
        let (label, error) = match outcome {
            AttemptOutcome::Delivered => ("delivered", None),
            AttemptOutcome::Retry { error, .. } => ("error", Some(error.as_str())),
            AttemptOutcome::GiveUp { error } => ("gave_up", Some(error.as_str())),
        };
        exec!(self, sqlx::query(
            "INSERT INTO outbox_attempts (message_id, attempt, worker, finished_at, outcome, error)
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(attempt).bind(worker).bind(Ts(at)).bind(label).bind(error))?;
        let changed =
            match outcome {
                AttemptOutcome::Delivered => exec!(self, sqlx::query(
                "UPDATE outbox SET state = 'delivered', finished_at = $2, claimed_by = NULL,
                     claimed_until = NULL
                 WHERE id = $1 AND state = 'queued'")
                .bind(id).bind(Ts(at)))?,
                AttemptOutcome::Retry { error, at: next } => exec!(self, sqlx::query(
                "UPDATE outbox SET next_attempt_at = $2, last_error = $3, claimed_by = NULL,
                     claimed_until = NULL
                 WHERE id = $1 AND state = 'queued' AND claimed_by = $4")
                .bind(id).bind(Ts(*next)).bind(error).bind(worker))?,
                AttemptOutcome::GiveUp { error } => exec!(
                    self,
                    sqlx::query(
                        "UPDATE outbox SET state = 'failed', finished_at = $2, last_error = $3,
                     claimed_by = NULL, claimed_until = NULL
                 WHERE id = $1 AND state = 'queued'"
                    )
                    .bind(id)
                    .bind(Ts(at))
                    .bind(error)
                )?,
            };
        Ok(changed == 1)
    }

    async fn outbox_entries(
        &mut self,
        filter: Option<DeliveryState>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEntry>> {
        let rows: Vec<EntryRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT id, channel, recipient, template, language, state, attempts, next_attempt_at,
                    last_error, created_at, finished_at
             FROM outbox WHERE ($1 IS NULL OR state = $1)
             ORDER BY created_at DESC, id DESC LIMIT $2")
            .bind(filter.map(DeliveryState::as_str))
            .bind(limit)
            .fetch_all(conn)
            .await)?;
        rows.into_iter()
            .map(|row| {
                Ok(OutboxEntry {
                    id: row.id,
                    channel: channel(&row.channel)?,
                    recipient: row.recipient,
                    template: row.template,
                    language: row.language,
                    state: state(&row.state)?,
                    attempts: row.attempts,
                    next_attempt_at: row.next_attempt_at.0,
                    last_error: row.last_error,
                    created_at: row.created_at.0,
                    finished_at: row.finished_at.map(|t| t.0),
                })
            })
            .collect()
    }

    async fn outbox_attempts(&mut self, id: Uuid) -> StoreResult<Vec<AttemptRecord>> {
        let rows: Vec<(i32, String, Ts, String, Option<String>)> = with_conn!(self, conn =>
            sqlx::query_as(
                "SELECT attempt, worker, finished_at, outcome, error FROM outbox_attempts
                 WHERE message_id = $1 ORDER BY finished_at, attempt")
                .bind(id).fetch_all(conn).await)?;
        Ok(rows
            .into_iter()
            .map(
                |(attempt, worker, finished_at, outcome, error)| AttemptRecord {
                    attempt,
                    worker,
                    finished_at: finished_at.0,
                    outcome,
                    error,
                },
            )
            .collect())
    }

    async fn outbox_counts(&mut self) -> StoreResult<Vec<(DeliveryState, i64)>> {
        let rows: Vec<(String, i64)> = with_conn!(self, conn => sqlx::query_as(
            "SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")
            .fetch_all(conn).await)?;
        rows.into_iter().map(|(s, n)| Ok((state(&s)?, n))).collect()
    }
}
