//! Step 3 of signing in (and the step-up of a signed-in session): the second factor. A code
//! sent by SMS or voice, with "Resend code using Voice / SMS" as in the ECB Identity Portal;
//! a code from an authenticator app; or a security key (this page's JSON calls, made by
//! `webauthn.js`). "Try another way" switches between the person's methods.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use serde_json::json;
use tessera_app::{AppError, Ctx, MethodChoice, SecondStepView, StepUp};
use tessera_domain::factor::Method;
use tessera_domain::message::Channel;
use tessera_domain::session::Assurance;

use crate::api::problem;
use crate::auth::{SignedIn, client_info, request_id};
use crate::cookies;
use crate::csrf::{self, CsrfForm, CsrfJson};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::return_to;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "signin_code.html")]
struct CodePage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    heading: String,
    by_phone: bool,
    phone: String,
    choices: Vec<Choice>,
    step_up: bool,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "signin_key.html")]
struct KeyPage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    choices: Vec<Choice>,
    step_up: bool,
}

/// One entry of "Try another way", worded in the visitor's language.
pub struct Choice {
    method: &'static str,
    phone_index: Option<usize>,
    label: String,
}

fn choices(tr: &Tr, choices: Vec<MethodChoice>) -> Vec<Choice> {
    choices
        .into_iter()
        .map(|choice| Choice {
            method: choice.method.as_str(),
            phone_index: choice.phone_index,
            label: match &choice.phone {
                Some(phone) => tr.ta(
                    &format!("method-{}-to", choice.method.as_str()),
                    &[("phone", phone.as_str())],
                ),
                None => tr.t(&format!("method-{}", choice.method.as_str())),
            },
        })
        .collect()
}

impl CodePage {
    fn new(tr: Tr, csrf: String, view: SecondStepView, error: Option<String>) -> Self {
        let heading = tr.t(match view.method {
            Method::Voice => "code-heading-voice",
            Method::Sms => "code-heading-sms",
            _ => "code-heading-app",
        });
        Self {
            here: "/signin/code",
            csrf,
            heading,
            by_phone: view.method.uses_phone(),
            phone: view.phone,
            choices: choices(&tr, view.choices),
            step_up: view.step_up,
            error,
            tr,
        }
    }
}

/// Back to the password step (or, for a step-up, to My Account), saying why.
fn restart(jar: CookieJar, reason: &str) -> Response {
    let jar = jar.remove(cookies::removal(cookies::CHALLENGE));
    let to = if jar.get(cookies::SESSION).is_some() {
        format!("/account?stepup={reason}")
    } else {
        format!("/signin/password?restart={reason}")
    };
    (jar, Redirect::to(&to)).into_response()
}

fn challenge_of(jar: &CookieJar) -> Option<String> {
    jar.get(cookies::CHALLENGE).map(|c| c.value().to_owned())
}

/// The session cookie after the second step: the new session, or the stepped-up one.
fn signed_in(jar: CookieJar, token: String, https: bool) -> CookieJar {
    jar.remove(cookies::removal(cookies::CHALLENGE))
        .add(cookies::session(token, https))
}

pub async fn show(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let Some(challenge) = challenge_of(&jar) else {
        return Ok(Redirect::to("/signin").into_response());
    };
    let Some(view) = state.app.sign_in_challenge(&challenge).await? else {
        return Ok(restart(jar, "ended"));
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    if view.method == Method::SecurityKey {
        let page = KeyPage {
            here: "/signin/code",
            csrf,
            choices: choices(&tr, view.choices),
            step_up: view.step_up,
            tr,
        };
        return Ok((jar, page).into_response());
    }
    Ok((jar, CodePage::new(tr, csrf, view, None)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    csrf: String,
    code: String,
}

pub async fn submit(
    State(state): State<AppState>,
    tr: Tr,
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
        Ok(done) => {
            let (jar, next) = return_to::take(signed_in(jar, done.token, https));
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Err(AppError::WrongCode { left }) => {
            let Some(view) = state.app.sign_in_challenge(&challenge).await? else {
                return Ok(restart(jar, "ended"));
            };
            let (jar, csrf) = csrf::ensure(jar, https);
            let error = tr.ta("problem-wrong-code", &[("left", &left.to_string())]);
            let page = CodePage::new(tr, csrf, view, Some(error));
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
    let channel = match form.method.as_str() {
        "voice" => Channel::Voice,
        "sms" => Channel::Sms,
        _ => return Err(PageError::bad_request("Codes are sent by SMS or voice.")),
    };
    let ctx = Ctx::anonymous(request_id(&parts));
    match state
        .app
        .resend_sign_in_code(&challenge, channel, &ctx)
        .await
    {
        Ok(()) => Ok(Redirect::to("/signin/code").into_response()),
        Err(AppError::ChallengeGone) => Ok(restart(jar, "ended")),
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MethodForm {
    csrf: String,
    method: String,
    phone: Option<usize>,
}

/// "Try another way": the chosen method takes over the step.
pub async fn switch(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    CsrfForm(form): CsrfForm<MethodForm>,
) -> Result<Response, PageError> {
    let Some(challenge) = challenge_of(&jar) else {
        return Ok(Redirect::to("/signin").into_response());
    };
    let Some(method) = Method::parse(&form.method) else {
        return Err(PageError::bad_request("Choose one of the methods listed."));
    };
    let ctx = Ctx::anonymous(request_id(&parts));
    match state
        .app
        .switch_sign_in_method(&challenge, method, form.phone, &ctx)
        .await
    {
        Ok(()) => Ok(Redirect::to("/signin/code").into_response()),
        Err(AppError::ChallengeGone) => Ok(restart(jar, "ended")),
        Err(other) => Err(other.into()),
    }
}

/// POST /signin/key/options: what the browser needs to ask the person's keys.
pub async fn key_options(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfJson(_): CsrfJson<serde_json::Value>,
) -> Response {
    let Some(challenge) = challenge_of(&jar) else {
        return problem(AppError::ChallengeGone);
    };
    match state.app.security_key_options(&challenge).await {
        Ok(options) => Json(json!({"options": options})).into_response(),
        Err(error) => problem(error),
    }
}

/// The browser's answer from a security key (or passkey).
#[derive(Debug, Deserialize)]
pub struct KeyAnswer {
    #[serde(default)]
    token: String,
    credential: serde_json::Value,
}

/// POST /signin/key: checks the key's answer; the JSON names where to go next.
pub async fn key_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    CsrfJson(answer): CsrfJson<KeyAnswer>,
) -> Response {
    let Some(challenge) = challenge_of(&jar) else {
        return problem(AppError::ChallengeGone);
    };
    let https = state.config.https();
    let previous = jar.get(cookies::SESSION).map(|c| c.value().to_owned());
    let ctx = Ctx::anonymous(request_id(&parts));
    match state
        .app
        .verify_security_key(
            &challenge,
            &answer.credential.to_string(),
            previous.as_deref(),
            client_info(&parts),
            &ctx,
        )
        .await
    {
        Ok(done) => {
            let (jar, next) = return_to::take(signed_in(jar, done.token, https));
            (jar, Json(json!({ "redirect": next }))).into_response()
        }
        Err(
            error @ (AppError::CodeExhausted | AppError::CodeExpired | AppError::ChallengeGone),
        ) => {
            let jar = jar.remove(cookies::removal(cookies::CHALLENGE));
            (jar, problem(error)).into_response()
        }
        Err(error) => problem(error),
    }
}

/// POST /signin/passkey/options: a passkey sign-in, without an e-mail address.
pub async fn passkey_options(
    State(state): State<AppState>,
    CsrfJson(_): CsrfJson<serde_json::Value>,
) -> Response {
    match state.app.passkey_sign_in_options().await {
        Ok(start) => Json(json!({"token": start.token, "options": start.options})).into_response(),
        Err(error) => problem(error),
    }
}

/// POST /signin/passkey: the passkey's answer; signed in on success.
pub async fn passkey_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    CsrfJson(answer): CsrfJson<KeyAnswer>,
) -> Response {
    let https = state.config.https();
    let previous = jar.get(cookies::SESSION).map(|c| c.value().to_owned());
    let ctx = Ctx::anonymous(request_id(&parts));
    match state
        .app
        .finish_passkey_sign_in(
            &answer.token,
            &answer.credential.to_string(),
            previous.as_deref(),
            client_info(&parts),
            &ctx,
        )
        .await
    {
        Ok(done) => {
            let jar = jar
                .add(cookies::session(done.token, https))
                .add(cookies::remembered_email(done.user.email, https));
            let (jar, next) = return_to::take(jar);
            (jar, Json(json!({ "redirect": next }))).into_response()
        }
        Err(error) => problem(error),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepUpQuery {
    assurance: String,
}

/// GET /signin/step-up?assurance=high: makes the signed-in session strong enough, with a
/// second step but without the password; the session carries on.
pub async fn step_up(
    State(state): State<AppState>,
    Query(query): Query<StepUpQuery>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let Some(needed) = Assurance::parse(&query.assurance) else {
        return Err(PageError::bad_request(
            "Ask for the assurance needed: low, medium or high.",
        ));
    };
    match state
        .app
        .begin_step_up(&me.session, needed, &me.ctx)
        .await?
    {
        StepUp::Enough => {
            let (jar, next) = return_to::take(jar);
            Ok((jar, Redirect::to(&next)).into_response())
        }
        StepUp::Challenge(challenge) => {
            let jar = jar.add(cookies::challenge(challenge, state.config.https()));
            Ok((jar, Redirect::to("/signin/code")).into_response())
        }
    }
}

crate::csrf::csrf_protected!(CodeForm, ResendForm, MethodForm);
