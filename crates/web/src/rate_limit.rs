//! Per-address limits on sign-in attempts: a browser or script at one address gets a bounded
//! number of sign-in posts per minute, whichever accounts it tries. Kept in memory on each
//! node (a limit per node is enough to bound guessing; the per-account throttle, which lives in
//! the database, holds across nodes).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::json;
use tessera_domain::audit::{Actor, NewAuditEvent, Outcome};

use crate::error::PageError;
use crate::state::AppState;

/// How often a limited address is written to the audit trail, at most.
const AUDIT_EVERY: Duration = Duration::from_secs(60);

pub struct SignInLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    audited: Mutex<HashMap<IpAddr, Instant>>,
}

impl SignInLimiter {
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            audited: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` when the address may try now; the wait otherwise.
    pub(crate) fn check(&self, address: IpAddr) -> Result<(), Duration> {
        // Forget idle addresses now and then, so the table does not grow without end.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&address)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Whether this refusal should be audited (the first per address and minute).
    fn should_audit(&self, address: IpAddr) -> bool {
        let Ok(mut audited) = self.audited.lock() else {
            return false;
        };
        let now = Instant::now();
        if audited.len() > 10_000 {
            audited.retain(|_, at| now.duration_since(*at) < AUDIT_EVERY);
        }
        match audited.get(&address) {
            Some(at) if now.duration_since(*at) < AUDIT_EVERY => false,
            _ => {
                audited.insert(address, now);
                true
            }
        }
    }
}

/// Applies the limit to the sign-in forms' posts.
pub async fn limit_sign_in(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let applies = request.method() == Method::POST && request.uri().path().starts_with("/signin");
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let (true, Some(address)) = (applies, address) else {
        return next.run(request).await;
    };
    match state.signin_limiter.check(address) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(%address, "sign-in attempts from this address are being limited");
            if state.signin_limiter.should_audit(address) {
                let event = NewAuditEvent::new(
                    time::OffsetDateTime::now_utc(),
                    Actor::Anonymous,
                    "signin.rate_limit",
                    "address",
                )
                .outcome(Outcome::Denied)
                .details(&json!({"address": address.to_string()}));
                if let Err(error) = state.app.audit_event(event).await {
                    tracing::error!(%error, "could not audit a rate limit");
                }
            }
            let seconds = u32::try_from(wait.as_secs().max(1)).unwrap_or(60);
            let mut response = PageError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many sign-in attempts",
                "Too many sign-in attempts came from your network. Wait a minute, then try again.",
            )
            .texts("problem-rate-limited")
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}
