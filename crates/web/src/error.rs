//! How failures reach people: a friendly page for browsers, problem+json for programs.
//! Bad input is never a 500; internal details go to the log, not to the response.

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tessera_app::AppError;
use tessera_domain::ValidationErrors;

use crate::i18n::Tr;
use crate::problem::Problem;

/// A failure while serving a page. `title` and `message` are English: problem+json keeps
/// them; the page shows `texts` in the visitor's language when the error has some.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    /// Seconds after which trying again makes sense (503).
    pub retry_after: Option<u32>,
    texts: Option<Texts>,
}

/// Where the page's texts come from, in `locales/<language>/errors.ftl`.
#[derive(Debug, Clone)]
enum Texts {
    /// `<key>-title` and `<key>`, with values.
    Keyed {
        key: &'static str,
        args: Vec<(&'static str, String)>,
    },
    /// `<key>-title`; the message is the app's own, as it names what it is about.
    Title(&'static str),
    /// Field errors, each translated by its code.
    Invalid(ValidationErrors),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    tr: Tr,
    here: &'static str,
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
            texts: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "The request could not be read",
            message,
        )
    }

    /// The page shows the texts `<key>-title` and `<key>` of the visitor's language.
    pub fn texts(mut self, key: &'static str) -> Self {
        self.texts = Some(Texts::Keyed {
            key,
            args: Vec::new(),
        });
        self
    }

    fn texts_with(mut self, key: &'static str, args: Vec<(&'static str, String)>) -> Self {
        self.texts = Some(Texts::Keyed { key, args });
        self
    }

    fn title_text(mut self, key: &'static str) -> Self {
        self.texts = Some(Texts::Title(key));
        self
    }

    pub(crate) fn problem(&self) -> Problem {
        Problem::new(self.status, &slug(self.title), self.title).detail(self.message.clone())
    }

    /// The title and message in `tr`'s language.
    fn translated(&self, tr: &Tr) -> (String, String) {
        match &self.texts {
            None => (self.title.to_owned(), self.message.clone()),
            Some(Texts::Keyed { key, args }) => {
                let args: Vec<(&'static str, &str)> =
                    args.iter().map(|(n, v)| (*n, v.as_str())).collect();
                (tr.t(&format!("{key}-title")), tr.ta(key, &args))
            }
            Some(Texts::Title(key)) => (tr.t(&format!("{key}-title")), self.message.clone()),
            Some(Texts::Invalid(errors)) => {
                let message: Vec<String> = errors
                    .errors
                    .iter()
                    .map(|e| tr.error(e.field, e.code, &e.message))
                    .collect();
                (tr.t("problem-bad-request-title"), message.join(" "))
            }
        }
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
            AppError::Invalid(errors) => Self {
                texts: Some(Texts::Invalid(errors.clone())),
                ..Self::bad_request(errors.to_string())
            },
            AppError::SetupLinkInvalid => Self::new(
                StatusCode::NOT_FOUND,
                "This setup link does not work",
                "It was used already, replaced by a newer link, or has expired. Restart Tessera to print a new link, or run `tessera admin create-operator` on the server.",
            ),
            AppError::ResetLinkInvalid => Self::new(
                StatusCode::NOT_FOUND,
                "This link does not work",
                "It was used already, replaced by a newer one, or has expired (links work for one hour). Ask for a new one under \"Lost your password?\".",
            )
            .texts("problem-reset-link"),
            AppError::AlreadySetUp => Self::new(
                StatusCode::CONFLICT,
                "Tessera is already set up",
                "An operator account exists, so setup links no longer work. Ask an operator for an account.",
            ),
            AppError::SignInFailed => Self::new(
                StatusCode::UNAUTHORIZED,
                "Not signed in",
                "The e-mail address or password is not correct.",
            )
            .texts("problem-sign-in-failed"),
            AppError::AccountUnavailable(status) => Self::new(
                StatusCode::FORBIDDEN,
                "Account not available",
                format!(
                    "Your account is {}. Contact your user administrator.",
                    status.as_str()
                ),
            )
            .texts_with(
                "problem-account-unavailable",
                vec![("status", status.as_str().to_owned())],
            ),
            AppError::Throttled { until, locked } => {
                let english = throttle_message(&Tr::new("en"), until, locked);
                Self {
                    retry_after: Some(seconds_until(until)),
                    ..Self::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "Too many failed attempts",
                        english,
                    )
                    .texts_with("problem-throttled", throttle_args(until, locked))
                }
            }
            AppError::WrongCode { left } => Self::new(
                StatusCode::UNAUTHORIZED,
                "Wrong code",
                format!("The code is not correct. You can try {left} more times."),
            )
            .texts_with("problem-wrong-code", vec![("left", left.to_string())]),
            AppError::CodeExpired => Self::new(
                StatusCode::UNAUTHORIZED,
                "Code expired",
                "The code has expired. Sign in again to receive a new one.",
            )
            .texts("problem-code-expired"),
            AppError::CodeExhausted => Self::new(
                StatusCode::UNAUTHORIZED,
                "Too many wrong codes",
                "The code was wrong too many times. Sign in again to receive a new one.",
            )
            .texts("problem-code-exhausted"),
            AppError::ChallengeGone => Self::new(
                StatusCode::UNAUTHORIZED,
                "Sign in again",
                "This sign-in has ended. Sign in again.",
            )
            .texts("problem-challenge-gone"),
            AppError::NoStrongEnoughMethod => Self::new(
                StatusCode::FORBIDDEN,
                "A stronger verification method is needed",
                "This needs a verification method your account does not have (for example a security key). Add one in My Account, or ask your user administrator.",
            )
            .texts("problem-no-strong-method"),
            AppError::LastFactor => Self::new(
                StatusCode::CONFLICT,
                "This is your last verification method",
                "Your applications need a second factor: add another one before removing this one.",
            )
            .texts("problem-last-factor"),
            AppError::PasskeysUnavailable => Self::new(
                StatusCode::NOT_FOUND,
                "Security keys are not available",
                "Security keys and passkeys only work when Tessera is reached by a host name (its public address), not by an IP address.",
            )
            .texts("problem-passkeys-unavailable"),
            AppError::KeyRefused(_) => Self::new(
                StatusCode::UNAUTHORIZED,
                "Security key not accepted",
                "The security key's answer was not accepted. Try again, or try another way.",
            )
            .texts("problem-key-refused"),
            AppError::Conflict(why) => {
                Self::new(StatusCode::CONFLICT, "Not possible", why).title_text("problem-conflict")
            }
            AppError::NotSignedIn => Self::new(
                StatusCode::UNAUTHORIZED,
                "Not signed in",
                "Sign in to continue.",
            )
            .texts("problem-not-signed-in"),
            AppError::NotFound => Self::new(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here, or it is not yours to see.",
            )
            .texts("problem-not-found"),
            AppError::Forbidden => Self::new(
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Your account may not do this. If you need to, ask an operator.",
            )
            .texts("problem-forbidden"),
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
                .texts("problem-busy")
            },
            AppError::Stale => Self::new(
                StatusCode::CONFLICT,
                "Changed in the meantime",
                "The record was changed by someone else. Reload it and try again.",
            )
            .texts("problem-stale"),
            AppError::Secrets(_) | AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %error, "request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Tessera could not complete this request. The problem has been logged; please try again later.",
                )
                .texts("problem-internal")
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let tr = Tr::current();
        let (title, message) = self.translated(&tr);
        let page = ErrorPage {
            tr,
            // The menu leads to the start page: the failed request may not be one to repeat.
            here: "/",
            title: &title,
            message: &message,
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
    )
    .texts("problem-page-not-found");
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
pub fn throttle_message(tr: &Tr, until: time::OffsetDateTime, locked: bool) -> String {
    let args = throttle_args(until, locked);
    let args: Vec<(&'static str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
    tr.ta("problem-throttled", &args)
}

/// The values of the throttle message: paused until a time (UTC), or a wait in seconds.
fn throttle_args(until: time::OffsetDateTime, locked: bool) -> Vec<(&'static str, String)> {
    let format = time::macros::format_description!("[hour]:[minute] UTC");
    vec![
        ("locked", if locked { "yes" } else { "no" }.to_owned()),
        ("until", until.format(format).unwrap_or_default()),
        ("seconds", seconds_until(until).to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::user::UserStatus;

    #[test]
    fn english_pages_say_what_problem_details_say() {
        // problem+json keeps the English of this file; the page takes errors.ftl's.
        let until = time::OffsetDateTime::now_utc() + time::Duration::minutes(5);
        let english = Tr::new("en");
        for error in [
            AppError::ResetLinkInvalid,
            AppError::SignInFailed,
            AppError::AccountUnavailable(UserStatus::Disabled),
            AppError::Throttled {
                until,
                locked: true,
            },
            AppError::WrongCode { left: 3 },
            AppError::CodeExpired,
            AppError::CodeExhausted,
            AppError::ChallengeGone,
            AppError::NoStrongEnoughMethod,
            AppError::LastFactor,
            AppError::PasskeysUnavailable,
            AppError::KeyRefused("no".into()),
            AppError::NotSignedIn,
            AppError::NotFound,
            AppError::Forbidden,
            AppError::Busy,
            AppError::Stale,
            AppError::Internal("boom".into()),
        ] {
            let page = PageError::from(error);
            assert!(page.texts.is_some(), "{}", page.title);
            let (title, message) = page.translated(&english);
            assert_eq!(title, page.title);
            assert_eq!(message, page.message);
        }
        let french = PageError::from(AppError::NotFound).translated(&Tr::new("fr"));
        assert_ne!(french.0, "Not found");
    }
}
