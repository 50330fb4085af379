//! The delivery worker: claims due messages, renders and delivers them, records the outcome.
//! Any number of workers (one per node) can run over one database.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tessera_app::{App, AppError, DeliveryFailure, Outgoing};
use tokio::task::JoinSet;

use crate::adapter::{Adapters, DeliveryError};
use crate::texts;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How long to wait for new messages when nothing wakes the worker (messages queued by
    /// other nodes are found this way).
    pub poll: Duration,
    /// How long a claim lasts; a worker that dies leaves its messages to others after this.
    pub lease: time::Duration,
    /// Messages claimed and delivered together.
    pub batch: i64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(2),
            lease: time::Duration::seconds(60),
            batch: 16,
        }
    }
}

pub struct DeliveryWorker {
    app: App,
    adapters: Arc<Adapters>,
    config: WorkerConfig,
    id: String,
}

impl DeliveryWorker {
    pub fn new(app: App, adapters: Adapters, config: WorkerConfig) -> Self {
        let id = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        Self {
            app,
            adapters: Arc::new(adapters),
            config,
            id,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims one batch of due messages and delivers them side by side. Returns how many
    /// were attempted.
    pub async fn run_once(&self) -> Result<usize, AppError> {
        let batch = self
            .app
            .claim_outgoing(&self.id, self.config.lease, self.config.batch)
            .await?;
        let count = batch.len();
        let mut deliveries = JoinSet::new();
        for outgoing in batch {
            let app = self.app.clone();
            let adapters = Arc::clone(&self.adapters);
            let worker = self.id.clone();
            deliveries.spawn(async move { deliver(&app, &adapters, &worker, outgoing).await });
        }
        while let Some(done) = deliveries.join_next().await {
            match done {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(%error, "recording a delivery failed"),
                Err(error) => tracing::error!(%error, "a delivery task failed"),
            }
        }
        Ok(count)
    }

    /// Delivers until `shutdown` completes; deliveries under way are finished first.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let wake = self.app.delivery_signal();
        tracing::info!(
            worker = %self.id,
            email = self.adapters.email.name(),
            sms = self.adapters.sms.name(),
            voice = self.adapters.voice.name(),
            "delivery worker started"
        );
        loop {
            // A full batch may leave more behind: claim again at once. Otherwise wait for
            // the next wake-up (a permit is kept if one came while delivering) or the poll.
            let busy = match self.run_once().await {
                Ok(count) => count > 0 && count >= usize::try_from(self.config.batch).unwrap_or(0),
                Err(error) => {
                    tracing::warn!(%error, "delivery worker could not claim messages");
                    false
                }
            };
            let pause = if busy {
                Duration::ZERO
            } else {
                self.config.poll
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = wake.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
        tracing::info!(worker = %self.id, "delivery worker stopped");
    }
}

async fn deliver(
    app: &App,
    adapters: &Adapters,
    worker: &str,
    outgoing: Outgoing,
) -> Result<(), AppError> {
    let result = match texts::render(
        outgoing.channel,
        &outgoing.template,
        &outgoing.language,
        &outgoing.args,
    ) {
        Ok(rendered) => adapters
            .for_channel(outgoing.channel)
            .deliver(
                outgoing.id,
                outgoing.channel,
                &outgoing.recipient,
                &rendered,
            )
            .await
            .map_err(|error| match error {
                DeliveryError::Temporary(error) => DeliveryFailure {
                    error,
                    permanent: false,
                },
                DeliveryError::Permanent(error) => DeliveryFailure {
                    error,
                    permanent: true,
                },
            }),
        Err(error) => Err(DeliveryFailure {
            error: error.to_string(),
            permanent: true,
        }),
    };
    if let Err(failure) = &result {
        tracing::warn!(
            message_id = %outgoing.id,
            channel = outgoing.channel.as_str(),
            attempt = outgoing.attempt,
            permanent = failure.permanent,
            error = %failure.error,
            "delivery failed"
        );
    }
    app.finish_outgoing(&outgoing, worker, result).await
}
