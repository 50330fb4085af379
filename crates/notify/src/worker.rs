//! The delivery worker: claims due messages, renders and delivers them, records the outcome.
//! Any number of workers (one per node) can run over one database.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tessera_app::{App, AppError, DeliveryFailure, Outgoing};
use tokio::task::JoinSet;

use tessera_domain::message::Channel;

use crate::adapter::{Adapters, DeliveryError};
use crate::http_post::HttpPostAdapter;
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
    /// Single logout notices to relying parties; `None` when no HTTP client could be built,
    /// and then each such message fails (and is retried) with that reason.
    http_post: Option<HttpPostAdapter>,
    config: WorkerConfig,
    id: String,
}

impl DeliveryWorker {
    pub fn new(app: App, adapters: Adapters, config: WorkerConfig) -> Self {
        let id = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        let http_post = HttpPostAdapter::new()
            .inspect_err(|error| tracing::error!(%error, "no HTTP client for logout notices"))
            .ok();
        Self {
            app,
            adapters: Arc::new(adapters),
            http_post,
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
            let http_post = self.http_post.clone();
            let worker = self.id.clone();
            deliveries.spawn(async move {
                if outgoing.channel == Channel::HttpPost {
                    post(&app, http_post.as_ref(), &worker, outgoing).await
                } else {
                    deliver(&app, &adapters, &worker, outgoing).await
                }
            });
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
    report(app, worker, &outgoing, result).await
}

/// A form to a relying party, made by the app and posted by the worker's own client.
async fn post(
    app: &App,
    http_post: Option<&HttpPostAdapter>,
    worker: &str,
    outgoing: Outgoing,
) -> Result<(), AppError> {
    let result = match http_post {
        Some(adapter) => adapter.deliver(app, &outgoing).await,
        None => Err(DeliveryError::Temporary("no HTTP client".into())),
    }
    .map_err(|error| match error {
        DeliveryError::Temporary(error) => DeliveryFailure {
            error,
            permanent: false,
        },
        DeliveryError::Permanent(error) => DeliveryFailure {
            error,
            permanent: true,
        },
    });
    report(app, worker, &outgoing, result).await
}

/// Logs a failure and records the attempt's outcome.
async fn report(
    app: &App,
    worker: &str,
    outgoing: &Outgoing,
    result: Result<(), DeliveryFailure>,
) -> Result<(), AppError> {
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
    app.finish_outgoing(outgoing, worker, result).await
}
