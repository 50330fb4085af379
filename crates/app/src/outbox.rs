//! Messages: queued in the transaction of the change that causes them, then claimed and
//! reported on by delivery workers (the notify layer), and shown to operators.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_domain::access::{may_send_test_message, may_view_outbox};
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::message::{AfterFailure, Channel, DeliveryState, NewMessage, mask_recipient};
use tessera_store::outbox::{AttemptOutcome, AttemptRecord, QueuedMessage};
use tessera_store::{AuditLog, Outbox, Tx};
use time::OffsetDateTime;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// The sealed part of a queued message.
#[derive(Serialize, Deserialize)]
struct Payload {
    args: BTreeMap<String, String>,
    secret: Vec<String>,
}

/// A message claimed for delivery, its values opened.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: Uuid,
    pub channel: Channel,
    pub recipient: String,
    pub template: String,
    pub language: String,
    pub args: BTreeMap<String, String>,
    /// 1 for the first attempt.
    pub attempt: i32,
    pub queued_at: OffsetDateTime,
}

/// Why one attempt failed, as the adapter saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFailure {
    pub error: String,
    /// The recipient or request was refused for good: retrying cannot help.
    pub permanent: bool,
}

/// One message as an operator sees it: masked recipient, no values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxItem {
    pub id: Uuid,
    pub channel: Channel,
    pub recipient: String,
    pub template: String,
    pub language: String,
    pub state: DeliveryState,
    pub attempts: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxView {
    pub queued: i64,
    pub delivered: i64,
    pub failed: i64,
    pub items: Vec<OutboxItem>,
}

fn seal_context(id: Uuid) -> String {
    format!("outbox:{id}")
}

impl App {
    /// Queues a message in the caller's transaction: it is delivered only if that
    /// transaction commits. Call [`App::wake_delivery`] after the commit.
    pub async fn enqueue_message(&self, tx: &mut Tx, message: NewMessage) -> AppResult<Uuid> {
        let now = self.now();
        let id = Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(now.unix_timestamp()).unwrap_or(0),
            now.nanosecond(),
        ));
        let payload = serde_json::to_vec(&Payload {
            args: message.args,
            secret: message.secret,
        })
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let payload_sealed = self.secrets().seal(&seal_context(id), &payload)?;
        tx.enqueue_message(&QueuedMessage {
            id,
            channel: message.channel,
            recipient: message.recipient,
            template: message.template,
            language: message.language,
            payload_sealed,
            created_at: now,
        })
        .await?;
        Ok(id)
    }

    /// The signal a delivery worker in this process waits on.
    pub fn delivery_signal(&self) -> Arc<Notify> {
        self.delivery_notify()
    }

    /// Tells this process's delivery worker that messages were committed.
    pub fn wake_delivery(&self) {
        self.delivery_notify().notify_one();
    }

    /// Claims due messages for a worker until `lease` from now.
    pub async fn claim_outgoing(
        &self,
        worker: &str,
        lease: time::Duration,
        limit: i64,
    ) -> AppResult<Vec<Outgoing>> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let claimed = tx.claim_messages(worker, now, now + lease, limit).await?;
        tx.commit().await?;
        let mut outgoing = Vec::with_capacity(claimed.len());
        for claim in claimed {
            let message = claim.message;
            let payload: Payload = self
                .secrets()
                .open(&seal_context(message.id), &message.payload_sealed)
                .map_err(AppError::from)
                .and_then(|bytes| {
                    serde_json::from_slice(&bytes).map_err(|e| AppError::Internal(e.to_string()))
                })?;
            outgoing.push(Outgoing {
                id: message.id,
                channel: message.channel,
                recipient: message.recipient,
                template: message.template,
                language: message.language,
                args: payload.args,
                attempt: claim.attempt,
                queued_at: message.created_at,
            });
        }
        Ok(outgoing)
    }

    /// Records how an attempt went: delivered, retried later (exponential backoff), or given
    /// up (permanent refusal or out of time), which is audited.
    pub async fn finish_outgoing(
        &self,
        outgoing: &Outgoing,
        worker: &str,
        result: Result<(), DeliveryFailure>,
    ) -> AppResult<()> {
        let now = self.now();
        let attempt = u32::try_from(outgoing.attempt).unwrap_or(1);
        let outcome = match &result {
            Ok(()) => AttemptOutcome::Delivered,
            Err(failure) => {
                let jitter = f64::from(self.random_bytes::<1>()[0]) / 256.0;
                match self.config().retry.after_failure(
                    outgoing.queued_at,
                    attempt,
                    now,
                    jitter,
                    failure.permanent,
                ) {
                    AfterFailure::RetryAt(at) => AttemptOutcome::Retry {
                        error: failure.error.clone(),
                        at,
                    },
                    AfterFailure::GiveUp => AttemptOutcome::GiveUp {
                        error: failure.error.clone(),
                    },
                }
            }
        };
        let mut tx = self.store().begin().await?;
        let changed = tx
            .finish_attempt(outgoing.id, worker, outgoing.attempt, now, &outcome)
            .await?;
        if let (true, AttemptOutcome::GiveUp { error }) = (changed, &outcome) {
            tx.append_audit(
                NewAuditEvent::new(now, Actor::System, "message.give_up", "message")
                    .target(outgoing.id)
                    .details(&json!({
                        "channel": outgoing.channel.as_str(),
                        "template": outgoing.template,
                        "recipient": mask_recipient(outgoing.channel, &outgoing.recipient),
                        "attempts": outgoing.attempt,
                        "error": error,
                    })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The outbox as an operator sees it: counts by state and the latest messages, with
    /// masked recipients and without the messages' values.
    pub async fn outbox_view(
        &self,
        ctx: &Ctx,
        state: Option<DeliveryState>,
        limit: i64,
    ) -> AppResult<OutboxView> {
        let mut tx = self.store().read().await?;
        let roles = self.roles_of_actor(&mut tx, ctx.actor).await?;
        if !may_view_outbox(ctx.actor, &roles) {
            return Err(AppError::Forbidden);
        }
        let counts = tx.outbox_counts().await?;
        let count = |wanted: DeliveryState| {
            counts
                .iter()
                .find(|(state, _)| *state == wanted)
                .map_or(0, |(_, n)| *n)
        };
        let items = tx
            .outbox_entries(state, limit.clamp(1, 1000))
            .await?
            .into_iter()
            .map(|entry| OutboxItem {
                recipient: mask_recipient(entry.channel, &entry.recipient),
                id: entry.id,
                channel: entry.channel,
                template: entry.template,
                language: entry.language,
                state: entry.state,
                attempts: entry.attempts,
                next_attempt_at: entry.next_attempt_at,
                last_error: entry.last_error,
                created_at: entry.created_at,
                finished_at: entry.finished_at,
            })
            .collect();
        Ok(OutboxView {
            queued: count(DeliveryState::Queued),
            delivered: count(DeliveryState::Delivered),
            failed: count(DeliveryState::Failed),
            items,
        })
    }

    /// The attempts made to deliver one message.
    pub async fn outbox_attempts(&self, ctx: &Ctx, id: Uuid) -> AppResult<Vec<AttemptRecord>> {
        let mut tx = self.store().read().await?;
        let roles = self.roles_of_actor(&mut tx, ctx.actor).await?;
        if !may_view_outbox(ctx.actor, &roles) {
            return Err(AppError::Forbidden);
        }
        Ok(tx.outbox_attempts(id).await?)
    }

    /// Queues a test message, to check that a channel's adapter delivers.
    pub async fn send_test_message(
        &self,
        ctx: &Ctx,
        channel: Channel,
        recipient: &str,
        language: &str,
    ) -> AppResult<Uuid> {
        let mut tx = self.store().begin().await?;
        let roles = self.roles_of_actor(&mut tx, ctx.actor).await?;
        if !may_send_test_message(ctx.actor, &roles) {
            return Err(AppError::Forbidden);
        }
        let recipient = crate::recipient::check(channel, recipient)?;
        let language = tessera_domain::user::email_language(language, crate::SUPPORTED_LANGUAGES)
            .map_err(tessera_domain::ValidationErrors::from)?;
        let message = NewMessage::new(channel, &recipient, "test-message", &language)
            .arg("channel", channel.as_str());
        let id = self.enqueue_message(&mut tx, message).await?;
        tx.append_audit(
            NewAuditEvent::new(self.now(), ctx.actor, "message.test", "message")
                .target(id)
                .request(ctx.request_id.as_deref())
                .details(&json!({
                    "channel": channel.as_str(),
                    "recipient": mask_recipient(channel, &recipient),
                })),
        )
        .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(id)
    }
}
