//! How failures reach people: a friendly page for browsers, problem+json for programs.
//! Bad input is never a 500; internal details go to the log, not to the response.

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tessera_app::AppError;

use crate::problem::Problem;

/// A failure while serving a page.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    /// Seconds after which trying again makes sense (503).
    pub retry_after: Option<u32>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    status: u16,
}

impl PageError {
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            title,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "The request could not be read",
            message,
        )
    }

    pub(crate) fn problem(&self) -> Problem {
        Problem::new(self.status, &slug(self.title), self.title).detail(self.message.clone())
    }
}

fn slug(title: &str) -> String {
    title
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(errors) => Self::bad_request(errors.to_string()),
            AppError::SetupLinkInvalid => Self::new(
                StatusCode::NOT_FOUND,
                "This setup link does not work",
                "It was used already, replaced by a newer link, or has expired. Restart Tessera to print a new link, or run `tessera admin create-operator` on the server.",
            ),
            AppError::ResetLinkInvalid => Self::new(
                StatusCode::NOT_FOUND,
                "This link does not work",
                "It was used already, replaced by a newer one, or has expired (links work for one hour). Ask for a new one under \"Lost your password?\".",
            ),
            AppError::AlreadySetUp => Self::new(
                StatusCode::CONFLICT,
                "Tessera is already set up",
                "An operator account exists, so setup links no longer work. Ask an operator for an account.",
            ),
            AppError::SignInFailed => Self::new(
                StatusCode::UNAUTHORIZED,
                "Not signed in",
                "The e-mail address or password is not correct.",
            ),
            AppError::AccountUnavailable(status) => Self::new(
                StatusCode::FORBIDDEN,
                "Account not available",
                format!(
                    "Your account is {}. Contact your user administrator.",
                    status.as_str()
                ),
            ),
            AppError::Throttled { until, locked } => {
                let message = throttle_message(until, locked);
                Self {
                    retry_after: Some(seconds_until(until)),
                    ..Self::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "Too many failed attempts",
                        message,
                    )
                }
            }
            AppError::WrongCode { left } => Self::new(
                StatusCode::UNAUTHORIZED,
                "Wrong code",
                format!("The code is not correct. You can try {left} more times."),
            ),
            AppError::CodeExpired => Self::new(
                StatusCode::UNAUTHORIZED,
                "Code expired",
                "The code has expired. Sign in again to receive a new one.",
            ),
            AppError::CodeExhausted => Self::new(
                StatusCode::UNAUTHORIZED,
                "Too many wrong codes",
                "The code was wrong too many times. Sign in again to receive a new one.",
            ),
            AppError::ChallengeGone => Self::new(
                StatusCode::UNAUTHORIZED,
                "Sign in again",
                "This sign-in has ended. Sign in again.",
            ),
            AppError::NoStrongEnoughMethod => Self::new(
                StatusCode::FORBIDDEN,
                "A stronger verification method is needed",
                "This needs a verification method your account does not have (for example a security key). Add one in My Account, or ask your user administrator.",
            ),
            AppError::LastFactor => Self::new(
                StatusCode::CONFLICT,
                "This is your last verification method",
                AppError::LastFactor.to_string(),
            ),
            AppError::PasskeysUnavailable => Self::new(
                StatusCode::NOT_FOUND,
                "Security keys are not available",
                "Security keys and passkeys only work when Tessera is reached by a host name (its public address), not by an IP address.",
            ),
            AppError::KeyRefused(_) => Self::new(
                StatusCode::UNAUTHORIZED,
                "Security key not accepted",
                "The security key's answer was not accepted. Try again, or try another way.",
            ),
            AppError::Conflict(why) => Self::new(StatusCode::CONFLICT, "Not possible", why),
            AppError::NotSignedIn => Self::new(
                StatusCode::UNAUTHORIZED,
                "Not signed in",
                "Sign in to continue.",
            ),
            AppError::NotFound => Self::new(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here, or it is not yours to see.",
            ),
            AppError::Forbidden => Self::new(
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Your account may not do this. If you need to, ask an operator.",
            ),
            AppError::DemoRefused => Self::new(
                StatusCode::CONFLICT,
                "Not possible",
                AppError::DemoRefused.to_string(),
            ),
            AppError::Busy => Self {
                retry_after: Some(2),
                ..Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Tessera is busy",
                    "Too many requests are being processed. Please try again in a moment.",
                )
            },
            AppError::Stale => Self::new(
                StatusCode::CONFLICT,
                "Changed in the meantime",
                AppError::Stale.to_string(),
            ),
            AppError::Secrets(_) | AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %error, "request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Tessera could not complete this request. The problem has been logged; please try again later.",
                )
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            title: self.title,
            message: &self.message,
            status: self.status.as_u16(),
        };
        let mut response = match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, self.message.clone()).into_response(),
        };
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Whether the client prefers a page to JSON.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Answers a path that matches no route, in the form the client asked for.
pub async fn not_found(headers: HeaderMap) -> Response {
    let error = PageError::new(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing at this address. Check the link, or go back to the start page.",
    );
    if wants_html(&headers) {
        error.into_response()
    } else {
        error.problem().into_response()
    }
}

/// Whole seconds from now until `until` (at least 1), for Retry-After.
pub fn seconds_until(until: time::OffsetDateTime) -> u32 {
    let seconds = (until - time::OffsetDateTime::now_utc())
        .whole_seconds()
        .max(1);
    u32::try_from(seconds).unwrap_or(u32::MAX)
}

/// What a person is told when signing in is slowed down or paused for their address.
pub fn throttle_message(until: time::OffsetDateTime, locked: bool) -> String {
    if locked {
        let format = time::macros::format_description!("[hour]:[minute] UTC");
        format!(
            "Too many failed attempts: signing in with this e-mail address is paused until {}. Your user administrator can lift this sooner.",
            until.format(format).unwrap_or_default()
        )
    } else {
        format!(
            "Too many failed attempts. Wait {} seconds, then try again.",
            seconds_until(until)
        )
    }
}
