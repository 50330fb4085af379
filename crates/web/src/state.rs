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

/// Shared by every request. One `Arc`: the router and each middleware clone the state for
/// every request, and one reference count is cheaper to bump across cores than six.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What the state holds.
pub struct Shared {
    pub app: App,
    pub config: WebConfig,
    pub metrics: Metrics,
    pub signin_limiter: SignInLimiter,
    /// The same kind of limit on registration posts, counted apart.
    pub register_limiter: SignInLimiter,
    /// The OpenID Connect discovery document, serialised on first use (it depends on the
    /// public address only).
    pub(crate) discovery: std::sync::OnceLock<String>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        Self(Arc::new(Shared {
            app,
            signin_limiter: SignInLimiter::new(config.signin_per_address_per_minute),
            register_limiter: SignInLimiter::new(config.register_per_address_per_minute),
            config,
            metrics: Metrics::new(),
            discovery: std::sync::OnceLock::new(),
        }))
    }
}
