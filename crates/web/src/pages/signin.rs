//! Identifier-first sign-in: the e-mail address (remembered on this browser), then the
//! password. Second factors join as a third step with the sign-in work.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{AppError, PasswordOutcome};
use tessera_domain::user::email_address;

use crate::auth::{client_info, request_id};
use crate::cookies;
use crate::csrf::{self, CsrfForm};
use crate::error::{PageError, seconds_until, throttle_message};
use crate::i18n::Tr;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "signin_email.html")]
struct EmailPage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    email: String,
    error: Option<String>,
    passkeys: bool,
    /// Whether people may create their own account here.
    registration: bool,
}

impl EmailPage {
    fn new(state: &AppState, tr: Tr, csrf: String, email: String, error: Option<String>) -> Self {
        EmailPage {
            tr,
            here: "/signin",
            csrf,
            email,
            error,
            passkeys: state.app.passkeys_available(),
            registration: state.app.registration_open(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "signin_password.html")]
struct PasswordPage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    email: String,
    error: Option<String>,
    passkeys: bool,
}

impl PasswordPage {
    fn new(state: &AppState, tr: Tr, csrf: String, email: String, error: Option<String>) -> Self {
        PasswordPage {
            tr,
            here: "/signin/password",
            csrf,
            email,
            error,
            passkeys: state.app.passkeys_available(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeQuery {
    change: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailForm {
    csrf: String,
    email: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    email: String,
    password: String,
}

/// Step 1: the e-mail address. A remembered address skips it, unless the person asks to
/// change it.
pub async fn show_email(
    State(state): State<AppState>,
    tr: Tr,
    Query(query): Query<ChangeQuery>,
    jar: CookieJar,
) -> Response {
    let https = state.config.https();
    if query.change.is_some() {
        let jar = jar.remove(cookies::removal(cookies::EMAIL));
        let (jar, csrf) = csrf::ensure(jar, https);
        return (jar, EmailPage::new(&state, tr, csrf, String::new(), None)).into_response();
    }
    if jar.get(cookies::EMAIL).is_some() {
        return Redirect::to("/signin/password").into_response();
    }
    let (jar, csrf) = csrf::ensure(jar, https);
    (jar, EmailPage::new(&state, tr, csrf, String::new(), None)).into_response()
}

pub async fn submit_email(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    let https = state.config.https();
    match email_address(&form.email) {
        // Any well-formed address goes on to the password step, known or not.
        Ok((email, _)) => {
            let jar = jar.add(cookies::remembered_email(email, https));
            Ok((jar, Redirect::to("/signin/password")).into_response())
        }
        Err(problem) => {
            let (jar, csrf) = csrf::ensure(jar, https);
            let error = tr.error(problem.field, problem.code, &problem.message);
            let page = EmailPage::new(&state, tr, csrf, form.email, Some(error));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RestartQuery {
    restart: String,
}

/// Step 2: the password, for the remembered address. `restart` says why a code step sent
/// the person back here.
pub async fn show_password(
    State(state): State<AppState>,
    tr: Tr,
    Query(query): Query<RestartQuery>,
    jar: CookieJar,
) -> Response {
    let Some(email) = jar.get(cookies::EMAIL).map(|c| c.value().to_owned()) else {
        return Redirect::to("/signin").into_response();
    };
    let error = match query.restart.as_str() {
        "expired" => Some("problem-code-expired"),
        "exhausted" => Some("problem-code-exhausted"),
        "ended" => Some("problem-challenge-gone"),
        "reset" => Some("signin-password-reset-done"),
        _ => None,
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let error = error.map(|key| tr.t(key));
    let page = PasswordPage::new(&state, tr, csrf, email, error);
    (jar, page).into_response()
}

pub async fn submit_password(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    parts: Parts,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let https = state.config.https();
    let previous = jar.get(cookies::SESSION).map(|c| c.value().to_owned());
    let ctx = tessera_app::Ctx::anonymous(request_id(&parts));
    let outcome = state
        .app
        .sign_in_with_password(
            &form.email,
            &form.password,
            previous.as_deref(),
            client_info(&parts),
            &ctx,
        )
        .await;
    match outcome {
        Ok(PasswordOutcome::SignedIn(signed_in)) => {
            let jar = jar
                .add(cookies::session(signed_in.token, https))
                .add(cookies::remembered_email(signed_in.user.email, https));
            let (jar, next) = crate::return_to::take(jar);
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Ok(PasswordOutcome::NeedsCode(step)) => {
            let jar = jar
                .add(cookies::challenge(step.challenge, https))
                .add(cookies::remembered_email(step.user.email, https));
            Ok((jar, Redirect::to("/signin/code")).into_response())
        }
        Err(AppError::Throttled { until, locked }) => {
            let (jar, csrf) = csrf::ensure(jar, https);
            let error = throttle_message(&tr, until, locked);
            let page = PasswordPage::new(&state, tr, csrf, form.email, Some(error));
            let mut response = (StatusCode::TOO_MANY_REQUESTS, jar, page).into_response();
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds_until(until)),
            );
            Ok(response)
        }
        Err(error @ (AppError::SignInFailed | AppError::AccountUnavailable(_))) => {
            let (jar, csrf) = csrf::ensure(jar, https);
            let message = match error {
                AppError::AccountUnavailable(status) => tr.ta(
                    "problem-account-unavailable",
                    &[("status", status.as_str())],
                ),
                _ => tr.t("problem-sign-in-failed"),
            };
            let page = PasswordPage::new(&state, tr, csrf, form.email, Some(message));
            Ok((StatusCode::UNAUTHORIZED, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignOutForm {
    csrf: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    _checked: CsrfForm<SignOutForm>,
) -> Result<Response, PageError> {
    if let Some(token) = jar.get(cookies::SESSION).map(|c| c.value().to_owned()) {
        let ctx = tessera_app::Ctx::anonymous(request_id(&parts));
        state.app.sign_out(&token, &ctx).await?;
    }
    let jar = jar.remove(cookies::removal(cookies::SESSION));
    Ok((jar, Redirect::to("/")).into_response())
}

crate::csrf::csrf_protected!(EmailForm, PasswordForm, SignOutForm);
