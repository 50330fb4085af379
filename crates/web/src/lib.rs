//! The web layer: HTTP routes, pages and middleware. Handlers are thin: they parse the
//! request, call one use case of the app layer, and render its answer.

mod api;
mod auth;
mod cookies;
mod csrf;
mod error;
mod metrics;
mod middleware;
mod ops;
mod pages;
mod problem;
mod rate_limit;
mod serve;
mod state;

pub use metrics::Metrics;
pub use serve::serve;
pub use state::{AppState, WebConfig};

use axum::Router;
use axum::routing::{get, post};

/// Every route Tessera serves, with its middleware.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(pages::home::show))
        .route(
            "/setup/{token}",
            get(pages::setup::show).post(pages::setup::submit),
        )
        .route(
            "/signin",
            get(pages::signin::show_email).post(pages::signin::submit_email),
        )
        .route(
            "/signin/password",
            get(pages::signin::show_password).post(pages::signin::submit_password),
        )
        .route(
            "/signin/code",
            get(pages::signin_code::show).post(pages::signin_code::submit),
        )
        .route("/signin/code/resend", post(pages::signin_code::resend))
        .route(
            "/signin/reset",
            get(pages::reset::show_request).post(pages::reset::submit_request),
        )
        .route(
            "/signin/reset/{token}",
            get(pages::reset::show_link).post(pages::reset::submit_link),
        )
        .route("/signout", post(pages::signin::sign_out))
        .route("/account", get(pages::account::show))
        .route(
            "/account/password",
            get(pages::password::show).post(pages::password::submit),
        )
        .route("/account/sessions", get(pages::sessions::show))
        .route("/account/sessions/{id}/end", post(pages::sessions::end))
        .route("/admin/outbox", get(pages::outbox::show))
        .route("/api/v1/outbox", get(api::outbox))
        .route("/api/v1/outbox/test-messages", post(api::send_test_message))
        .route("/api/v1/outbox/{id}/attempts", get(api::outbox_attempts))
        .route("/static/{file}", get(pages::assets::serve))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(error::not_found);
    middleware::wrap(routes, state.clone()).with_state(state)
}
