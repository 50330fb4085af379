//! The web layer: HTTP routes, pages and middleware. Handlers are thin: they parse the
//! request, call one use case of the app layer, and render its answer.

mod error;
mod metrics;
mod middleware;
mod ops;
mod pages;
mod problem;
mod serve;
mod state;

pub use metrics::Metrics;
pub use serve::serve;
pub use state::{AppState, WebConfig};

use axum::Router;
use axum::routing::get;

/// Every route Tessera serves, with its middleware.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(pages::home::show))
        .route(
            "/setup/{token}",
            get(pages::setup::show).post(pages::setup::submit),
        )
        .route("/static/{file}", get(pages::assets::serve))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(error::not_found);
    middleware::wrap(routes, state.clone()).with_state(state)
}
