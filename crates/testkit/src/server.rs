use axum::Router;
use tessera_app::{App, AppConfig};
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
    pub base_url: String,
    pub app: App,
    pub db: TestDatabase,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Starts a server, or gives `None` when PostgreSQL is asked for and skipped.
    pub async fn start(backend: Backend) -> Result<Option<Self>, BoxError> {
        Self::start_with(backend, |router| router).await
    }

    /// Starts a server whose router the test may extend (e.g. with a deliberately slow route).
    pub async fn start_with(
        backend: Backend,
        extend: impl FnOnce(Router) -> Router,
    ) -> Result<Option<Self>, BoxError> {
        let Some(db) = TestDatabase::new(backend).await? else {
            return Ok(None);
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let key = tessera_app::generate_secret_key()?;
        let app = App::new(db.store.clone(), AppConfig::new(&base_url), &key)?;
        app.bootstrap().await?;
        let state = AppState::new(
            app.clone(),
            WebConfig {
                public_url: base_url.clone(),
            },
        );
        let router = extend(tessera_web::router(state));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(tessera_web::serve(listener, router, async move {
            let _ = stopped.await;
        }));
        Ok(Some(Self {
            base_url,
            app,
            db,
            stop: Some(stop),
            task: Some(task),
        }))
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
