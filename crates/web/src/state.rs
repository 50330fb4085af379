use std::sync::Arc;

use tessera_app::App;

use crate::metrics::Metrics;
use crate::rate_limit::SignInLimiter;

/// What the web layer needs to know beyond the app.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people reach Tessera at; `https` turns on HSTS and Secure cookies.
    pub public_url: String,
    /// Sign-in posts allowed per client address and minute.
    pub signin_per_address_per_minute: u32,
    /// "Create an account" posts allowed per client address and minute.
    pub register_per_address_per_minute: u32,
}

impl WebConfig {
    pub fn new(public_url: &str) -> Self {
        Self {
            public_url: public_url.to_owned(),
            signin_per_address_per_minute: 30,
            register_per_address_per_minute: 10,
        }
    }
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
    pub signin_limiter: Arc<SignInLimiter>,
    /// The same kind of limit on registration posts, counted apart.
    pub register_limiter: Arc<SignInLimiter>,
    /// The OpenID Connect discovery document, serialised on first use (it depends on the
    /// public address only).
    pub(crate) discovery: Arc<std::sync::OnceLock<String>>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        Self {
            app,
            signin_limiter: Arc::new(SignInLimiter::new(config.signin_per_address_per_minute)),
            register_limiter: Arc::new(SignInLimiter::new(config.register_per_address_per_minute)),
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            discovery: Arc::default(),
        }
    }
}
