//! The layers around every route: request ids, tracing, metrics, security headers, limits.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tracing::Instrument;

use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Forms and JSON bodies are small; anything larger is refused before it is read.
pub const BODY_LIMIT: usize = 64 * 1024;
/// CSV imports of users are larger: about 50,000 rows.
pub const BULK_LIMIT: usize = 8 * 1024 * 1024;

/// The request id of the request being served, for audit events.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub fn wrap(routes: Router<AppState>, state: AppState, body_limit: usize) -> Router<AppState> {
    routes.layer(
        ServiceBuilder::new()
            .layer(from_fn_with_state(state.clone(), essentials))
            // Outside every layer that may answer with an error page, so it is translated.
            .layer(from_fn(crate::i18n::keep_language))
            .layer(from_fn_with_state(state, crate::rate_limit::limit_sign_in))
            .layer(CatchPanicLayer::new())
            .layer(RequestBodyLimitLayer::new(body_limit)),
    )
}

/// The layers of the machine endpoints (OpenID Connect's discovery, JWKS, token, userinfo,
/// introspection and revocation): those of every route but the language, since they answer
/// JSON, and the sign-in limit, since they have no sign-in form. They are the hot paths of
/// applications, and each layer costs a boxed future and a clone of what lies within.
pub fn wrap_machine(routes: Router<AppState>, state: AppState) -> Router<AppState> {
    routes.layer(
        ServiceBuilder::new()
            .layer(from_fn_with_state(state, essentials))
            .layer(CatchPanicLayer::new())
            .layer(RequestBodyLimitLayer::new(BODY_LIMIT)),
    )
}

/// What every route gets, in one layer: the request id (taken from a load balancer's
/// `X-Request-Id` when it is a plain token, made otherwise, and returned on the response),
/// a tracing span with the served status and latency, the metrics, and the security headers.
async fn essentials(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(new_request_id, str::to_owned);
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        path = %request.uri().path(),
    );
    request.extensions_mut().insert(RequestId(id.clone()));
    let started = Instant::now();
    let _in_flight = state.metrics.enter();
    let mut response = next.run(request).instrument(span.clone()).await;
    let took = started.elapsed();
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            latency_ms = took.as_secs_f64() * 1000.0,
            "served"
        );
    });
    state
        .metrics
        .observe(&method, &route, response.status().as_u16(), took);
    security_headers(state.config.https(), response.headers_mut());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// A request id of this process, shaped as a UUID: a random half drawn once per process
/// (so that nodes do not collide) and a counter. Cheaper than drawing random bytes from the
/// kernel for every request.
fn new_request_id() -> String {
    static PROCESS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let process = *PROCESS.get_or_init(|| uuid::Uuid::new_v4().as_u64_pair().0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    uuid::Uuid::from_u64_pair(process, n)
        .hyphenated()
        .to_string()
}

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// The headers every answer carries, unless its handler set them otherwise.
fn security_headers(https: bool, headers: &mut HeaderMap) {
    let mut set = |name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    // Pages may show personal data: nothing is cached unless a handler says otherwise.
    set(header::CACHE_CONTROL, "no-store");
    if https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
}
