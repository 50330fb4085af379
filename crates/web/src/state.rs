use std::sync::Arc;

use tessera_app::App;

use crate::metrics::Metrics;

/// What the web layer needs to know beyond the app.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people reach Tessera at; `https` turns on HSTS and Secure cookies.
    pub public_url: String,
}

impl WebConfig {
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        Self {
            app,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
        }
    }
}
