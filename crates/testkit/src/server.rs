use axum::Router;
use tessera_app::{App, AppConfig};
use tessera_notify::{Adapters, DeliveryConfig, DeliveryWorker, WorkerConfig};
use tessera_store::Backend;
use tessera_store::testing::TestDatabase;
use tessera_web::{AppState, WebConfig};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::BoxError;
use crate::client::Client;

/// The real router and middleware, served on a free loopback port, over a database made for
/// this test alone.
pub struct TestServer {
    /// Where tests connect: the loopback address itself.
    pub base_url: String,
    /// The public address Tessera is configured with (`http://localhost:<port>`), for the
    /// browser and WebAuthn, which need a host name.
    pub public_url: String,
    pub app: App,
    pub db: TestDatabase,
    /// Delivers queued messages into `spool` when a test calls [`TestServer::deliver`].
    worker: DeliveryWorker,
    spool: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Starts a server with the demonstration data loaded (see [`crate::demo`]).
    pub async fn start_demo(backend: Backend) -> Result<Option<Self>, BoxError> {
        let Some(server) = Self::start(backend).await? else {
            return Ok(None);
        };
        server.app.load_demo().await?;
        Ok(Some(server))
    }

    /// Starts a server, or gives `None` when PostgreSQL is asked for and skipped.
    pub async fn start(backend: Backend) -> Result<Option<Self>, BoxError> {
        Self::start_with(backend, |router| router).await
    }

    /// Starts a server whose router the test may extend (e.g. with a deliberately slow route).
    pub async fn start_with(
        backend: Backend,
        extend: impl FnOnce(Router) -> Router,
    ) -> Result<Option<Self>, BoxError> {
        Self::start_configured(backend, extend, |_, _| {}).await
    }

    /// Starts a server with web and app settings of the test's choosing (a low rate limit,
    /// a small hashing pool).
    pub async fn start_configured(
        backend: Backend,
        extend: impl FnOnce(Router) -> Router,
        configure: impl FnOnce(&mut WebConfig, &mut AppConfig),
    ) -> Result<Option<Self>, BoxError> {
        let Some(db) = TestDatabase::new(backend).await? else {
            return Ok(None);
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        // People reach it by host name: WebAuthn needs one (an IP address cannot be a
        // relying party), and `localhost` counts as a secure context without TLS.
        let public_url = format!("http://localhost:{}", listener.local_addr()?.port());
        let key = tessera_app::generate_secret_key()?;
        let mut web = WebConfig::new(&public_url);
        let mut settings = AppConfig::new(&public_url);
        configure(&mut web, &mut settings);
        let app = App::new(db.store.clone(), settings, &key)?;
        app.bootstrap().await?;
        let state = AppState::new(app.clone(), web);
        let router = extend(tessera_web::router(state));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(tessera_web::serve(listener, router, async move {
            let _ = stopped.await;
        }));
        let spool = tempfile::tempdir()?;
        let defaults = DeliveryConfig::default();
        let delivery = DeliveryConfig {
            email: "spool".into(),
            sms: "spool".into(),
            voice: "spool".into(),
            spool: tessera_notify::SpoolConfig {
                dir: spool.path().display().to_string(),
            },
            ..defaults
        };
        let adapters = Adapters::from_config(&delivery, spool.path())?;
        let worker = DeliveryWorker::new(app.clone(), adapters, WorkerConfig::default());
        Ok(Some(Self {
            base_url,
            public_url,
            app,
            db,
            worker,
            spool,
            stop: Some(stop),
            task: Some(task),
        }))
    }

    /// Delivers every due message (into the spool folder), as the worker of a node would.
    pub async fn deliver(&self) -> Result<usize, BoxError> {
        let mut total = 0;
        loop {
            let count = self.worker.run_once().await?;
            if count == 0 {
                return Ok(total);
            }
            total += count;
        }
    }

    /// Every message delivered so far, as the spool adapter wrote them.
    pub fn delivered(&self) -> Vec<serde_json::Value> {
        let Ok(entries) = std::fs::read_dir(self.spool.path()) else {
            return Vec::new();
        };
        let mut messages: Vec<(std::time::SystemTime, serde_json::Value)> = entries
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let name = entry.file_name().into_string().ok()?;
                if !name.ends_with(".json") || name.starts_with('.') {
                    return None;
                }
                let modified = entry.metadata().ok()?.modified().ok()?;
                let text = std::fs::read_to_string(entry.path()).ok()?;
                Some((modified, serde_json::from_str(&text).ok()?))
            })
            .collect();
        messages.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1["id"].as_str().cmp(&b.1["id"].as_str()))
        });
        messages.into_iter().map(|(_, message)| message).collect()
    }

    /// Delivers what is due and reads the newest sign-in code sent to `recipient`.
    pub async fn latest_code(&self, recipient: &str) -> Result<String, BoxError> {
        self.deliver().await?;
        let message = self
            .delivered()
            .into_iter()
            .rev()
            .find(|m| m["recipient"] == recipient)
            .ok_or_else(|| format!("no message was delivered to {recipient}"))?;
        let text = message["text"].as_str().unwrap_or_default();
        let digits: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
        if digits.len() == 6 {
            Ok(digits)
        } else {
            Err(format!("no code in {text:?}").into())
        }
    }

    /// Signs a client in all the way: e-mail, password, and the code from the delivered SMS
    /// when the account has a phone. Returns the last answer (303 to /account on success).
    pub async fn sign_in(
        &self,
        client: &Client,
        email: &str,
        password: &str,
    ) -> Result<crate::client::Page, BoxError> {
        let step = client.sign_in(email, password).await?;
        if step.header("location") != Some("/signin/code") {
            return Ok(step);
        }
        let phone = self.phone_of(email).await?;
        let code = self.latest_code(&phone).await?;
        client.submit_code(&code).await
    }

    /// The first phone number of an account.
    pub async fn phone_of(&self, email: &str) -> Result<String, BoxError> {
        use tessera_store::{SecondFactors, Users};
        let mut tx = self.db.store.read().await?;
        let user = tx
            .user_by_email_key(&email.to_lowercase())
            .await?
            .ok_or_else(|| format!("no account {email}"))?;
        let phones = tx.phones_of(user.id).await?;
        Ok(phones
            .first()
            .ok_or_else(|| format!("{email} has no phone"))?
            .number
            .clone())
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base_url)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Asks the server to stop, as a stop signal would.
    pub fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Stops the server and waits until it has finished every request in flight.
    pub async fn shutdown(mut self) -> Result<(), BoxError> {
        self.begin_shutdown();
        if let Some(task) = self.task.take() {
            task.await??;
        }
        Ok(())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.begin_shutdown();
    }
}
