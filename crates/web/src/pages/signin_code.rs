//! Step 3 of signing in: the six-digit code sent by SMS or voice, with "Resend code using
//! Voice / SMS" (the channel chosen becomes the default) as in the ECB Identity Portal.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{AppError, ChallengeView, Ctx};
use tessera_domain::message::Channel;

use crate::auth::{client_info, request_id};
use crate::cookies;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "signin_code.html")]
struct CodePage {
    csrf: String,
    method_label: &'static str,
    phone: String,
    error: Option<String>,
}

impl CodePage {
    fn new(csrf: String, view: ChallengeView, error: Option<String>) -> Self {
        Self {
            csrf,
            method_label: match view.method {
                Channel::Voice => "voice call",
                _ => "SMS",
            },
            phone: view.phone,
            error,
        }
    }
}

/// Back to the password step, saying why.
fn restart(jar: CookieJar, reason: &str) -> Response {
    let jar = jar.remove(cookies::removal(cookies::CHALLENGE));
    (
        jar,
        Redirect::to(&format!("/signin/password?restart={reason}")),
    )
        .into_response()
}

fn challenge_of(jar: &CookieJar) -> Option<String> {
    jar.get(cookies::CHALLENGE).map(|c| c.value().to_owned())
}

pub async fn show(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    let Some(challenge) = challenge_of(&jar) else {
        return Ok(Redirect::to("/signin").into_response());
    };
    let Some(view) = state.app.sign_in_challenge(&challenge).await? else {
        return Ok(restart(jar, "ended"));
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    Ok((jar, CodePage::new(csrf, view, None)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    csrf: String,
    code: String,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    let Some(challenge) = challenge_of(&jar) else {
        return Ok(Redirect::to("/signin").into_response());
    };
    let https = state.config.https();
    let previous = jar.get(cookies::SESSION).map(|c| c.value().to_owned());
    let ctx = Ctx::anonymous(request_id(&parts));
    let outcome = state
        .app
        .verify_sign_in_code(
            &challenge,
            &form.code,
            previous.as_deref(),
            client_info(&parts),
            &ctx,
        )
        .await;
    match outcome {
        Ok(signed_in) => {
            let jar = jar
                .remove(cookies::removal(cookies::CHALLENGE))
                .add(cookies::session(signed_in.token, https));
            Ok((jar, Redirect::to("/account")).into_response())
        }
        Err(AppError::WrongCode { left }) => {
            let Some(view) = state.app.sign_in_challenge(&challenge).await? else {
                return Ok(restart(jar, "ended"));
            };
            let (jar, csrf) = csrf::ensure(jar, https);
            let error = format!("The code is not correct. You can try {left} more times.");
            let page = CodePage::new(csrf, view, Some(error));
            Ok((StatusCode::UNAUTHORIZED, jar, page).into_response())
        }
        Err(AppError::CodeExpired) => Ok(restart(jar, "expired")),
        Err(AppError::CodeExhausted) => Ok(restart(jar, "exhausted")),
        Err(AppError::ChallengeGone) => Ok(restart(jar, "ended")),
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResendForm {
    csrf: String,
    method: String,
}

pub async fn resend(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    CsrfForm(form): CsrfForm<ResendForm>,
) -> Result<Response, PageError> {
    let Some(challenge) = challenge_of(&jar) else {
        return Ok(Redirect::to("/signin").into_response());
    };
    let method = match form.method.as_str() {
        "voice" => Channel::Voice,
        "sms" => Channel::Sms,
        _ => return Err(PageError::bad_request("Codes are sent by SMS or voice.")),
    };
    let ctx = Ctx::anonymous(request_id(&parts));
    match state
        .app
        .resend_sign_in_code(&challenge, method, &ctx)
        .await
    {
        Ok(()) => Ok(Redirect::to("/signin/code").into_response()),
        Err(AppError::ChallengeGone) => Ok(restart(jar, "ended")),
        Err(other) => Err(other.into()),
    }
}

crate::csrf::csrf_protected!(CodeForm, ResendForm);
