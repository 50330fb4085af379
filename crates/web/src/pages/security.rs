//! "My Account", Security tab: password, phone numbers (confirmed by an XXXX-XXXX code sent
//! by SMS), authenticator apps (QR code), security keys and passkeys, the default method.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use tessera_app::{AppEnrolment, AppError, MyFactors};
use tessera_domain::factor::Method;
use uuid::Uuid;

use crate::api::problem;
use crate::auth::{ApiCaller, SignedIn};
use crate::csrf::{self, CsrfForm, CsrfJson};
use crate::error::PageError;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "account_security.html")]
struct SecurityPage {
    csrf: String,
    factors: MyFactors,
    passkeys: bool,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "account_phone_confirm.html")]
struct ConfirmPhonePage {
    csrf: String,
    number: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "account_app.html")]
struct AppPage {
    csrf: String,
    id: Uuid,
    name: String,
    qr: String,
    secret: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "account_key_new.html")]
struct NewKeyPage {
    csrf: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

fn notice_of(done: &str) -> Option<&'static str> {
    Some(match done {
        "phone-added" => "The phone number was confirmed and added.",
        "phone-removed" => "The phone number was deleted.",
        "phone-default" => "Codes now go to this number first.",
        "app-added" => "The authenticator app was added.",
        "app-removed" => "The authenticator app was removed.",
        "key-added" => "A security key has been added.",
        "key-removed" => "The security key was removed.",
        "default" => "Your default verification method was saved.",
        _ => return None,
    })
}

async fn page(
    state: &AppState,
    jar: CookieJar,
    me: &SignedIn,
    notice: Option<&'static str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let factors = state.app.my_factors(&me.session).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = SecurityPage {
        csrf,
        factors,
        passkeys: state.app.passkeys_available(),
        notice,
        error,
    };
    Ok((status, jar, page).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Query(done): Query<Done>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    page(
        &state,
        jar,
        &me,
        notice_of(&done.done),
        None,
        StatusCode::OK,
    )
    .await
}

fn done(what: &str) -> Response {
    Redirect::to(&format!("/account/security?done={what}")).into_response()
}

/// Refusals the Security page shows in place, rather than on an error page.
async fn refused(
    state: &AppState,
    jar: CookieJar,
    me: &SignedIn,
    error: AppError,
) -> Result<Response, PageError> {
    match error {
        AppError::Invalid(errors) => {
            let message = errors.to_string();
            page(
                state,
                jar,
                me,
                None,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        AppError::LastFactor => {
            let message = AppError::LastFactor.to_string();
            let message = format!("{}{}", message[..1].to_uppercase(), &message[1..]);
            page(state, jar, me, None, Some(message), StatusCode::CONFLICT).await
        }
        other => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PhoneForm {
    csrf: String,
    phone: String,
}

/// Sends the confirmation code to a new number.
pub async fn add_phone(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<PhoneForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .start_adding_phone(&me.session, &form.phone, &me.ctx)
        .await
    {
        Ok(number) => {
            let (jar, csrf) = csrf::ensure(jar, state.config.https());
            let page = ConfirmPhonePage {
                csrf,
                number,
                error: None,
            };
            Ok((jar, page).into_response())
        }
        Err(error) => refused(&state, jar, &me, error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmPhoneForm {
    csrf: String,
    number: String,
    code: String,
}

pub async fn confirm_phone(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<ConfirmPhoneForm>,
) -> Result<Response, PageError> {
    let outcome = state
        .app
        .confirm_phone(&me.session, &form.number, &form.code, &me.ctx)
        .await;
    let again = |message: String| {
        let (jar, csrf) = csrf::ensure(jar.clone(), state.config.https());
        let page = ConfirmPhonePage {
            csrf,
            number: form.number.clone(),
            error: Some(message),
        };
        (StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response()
    };
    match outcome {
        Ok(()) => Ok(done("phone-added")),
        Err(AppError::WrongCode { left }) => Ok(again(format!(
            "The code is not correct. You can try {left} more times."
        ))),
        Err(AppError::CodeExpired | AppError::CodeExhausted | AppError::ChallengeGone) => {
            let message = "This code no longer works (it expired, or was wrong too many times). Add the number again to receive a new code.";
            page(
                &state,
                jar,
                &me,
                None,
                Some(message.into()),
                StatusCode::GONE,
            )
            .await
        }
        Err(error) => refused(&state, jar, &me, error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NumberForm {
    csrf: String,
    number: String,
}

pub async fn remove_phone(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<NumberForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .remove_phone(&me.session, &form.number, &me.ctx)
        .await
    {
        Ok(()) => Ok(done("phone-removed")),
        Err(error) => refused(&state, jar, &me, error).await,
    }
}

pub async fn default_phone(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<NumberForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .make_default_phone(&me.session, &form.number, &me.ctx)
        .await
    {
        Ok(()) => Ok(done("phone-default")),
        Err(error) => refused(&state, jar, &me, error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DefaultForm {
    csrf: String,
    method: String,
}

pub async fn default_method(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<DefaultForm>,
) -> Result<Response, PageError> {
    let Some(method) = Method::parse(&form.method) else {
        return refused(
            &state,
            jar,
            &me,
            tessera_domain::ValidationErrors::single(
                "method",
                "required",
                "Choose one of your verification methods.",
            )
            .into(),
        )
        .await;
    };
    match state
        .app
        .set_default_method(&me.session, method, &me.ctx)
        .await
    {
        Ok(()) => Ok(done("default")),
        Err(error) => refused(&state, jar, &me, error).await,
    }
}

fn app_page(csrf: String, enrolment: AppEnrolment, error: Option<String>) -> AppPage {
    let qr = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(enrolment.qr_svg)
    );
    AppPage {
        csrf,
        id: enrolment.id,
        name: enrolment.name,
        qr,
        secret: enrolment.secret,
        error,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameForm {
    csrf: String,
    name: String,
}

pub async fn add_app(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .start_adding_authenticator_app(&me.session, &form.name, &me.ctx)
        .await
    {
        Ok(enrolment) => {
            Ok(Redirect::to(&format!("/account/security/apps/{}", enrolment.id)).into_response())
        }
        Err(error) => refused(&state, jar, &me, error).await,
    }
}

pub async fn show_app(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let enrolment = state.app.authenticator_enrolment(&me.session, id).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    Ok((jar, app_page(csrf, enrolment, None)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AppCodeForm {
    csrf: String,
    code: String,
}

pub async fn confirm_app(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<AppCodeForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .confirm_authenticator_app(&me.session, id, &form.code, &me.ctx)
        .await
    {
        Ok(()) => Ok(done("app-added")),
        Err(AppError::Invalid(errors)) => {
            let enrolment = state.app.authenticator_enrolment(&me.session, id).await?;
            let (jar, csrf) = csrf::ensure(jar, state.config.https());
            let page = app_page(csrf, enrolment, Some(errors.to_string()));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlainForm {
    csrf: String,
}

pub async fn remove_app(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    _checked: CsrfForm<PlainForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .remove_authenticator_app(&me.session, id, &me.ctx)
        .await
    {
        Ok(()) => Ok(done("app-removed")),
        Err(error) => refused(&state, jar, &me, error).await,
    }
}

pub async fn new_key(
    State(state): State<AppState>,
    jar: CookieJar,
    _me: SignedIn,
) -> Result<Response, PageError> {
    if !state.app.passkeys_available() {
        return Err(AppError::PasskeysUnavailable.into());
    }
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    Ok((jar, NewKeyPage { csrf }).into_response())
}

/// POST /account/security/keys/options: the browser's options to create a key.
pub async fn key_options(
    State(state): State<AppState>,
    caller: ApiCaller,
    CsrfJson(_): CsrfJson<serde_json::Value>,
) -> Response {
    match state.app.start_adding_security_key(&caller.session).await {
        Ok(start) => Json(json!({"token": start.token, "options": start.options})).into_response(),
        Err(error) => problem(error),
    }
}

#[derive(Debug, Deserialize)]
pub struct NewKey {
    token: String,
    name: String,
    credential: serde_json::Value,
}

/// POST /account/security/keys: the browser's answer, kept under the key's name.
pub async fn add_key(
    State(state): State<AppState>,
    caller: ApiCaller,
    CsrfJson(key): CsrfJson<NewKey>,
) -> Response {
    match state
        .app
        .finish_adding_security_key(
            &caller.session,
            &key.token,
            &key.name,
            &key.credential.to_string(),
            &caller.ctx,
        )
        .await
    {
        Ok(id) => (
            StatusCode::CREATED,
            Json(json!({"id": id, "redirect": "/account/security?done=key-added"})),
        )
            .into_response(),
        Err(error) => problem(error),
    }
}

pub async fn remove_key(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    _checked: CsrfForm<PlainForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .remove_security_key(&me.session, id, &me.ctx)
        .await
    {
        Ok(()) => Ok(done("key-removed")),
        Err(error) => refused(&state, jar, &me, error).await,
    }
}

crate::csrf::csrf_protected!(
    PhoneForm,
    ConfirmPhoneForm,
    NumberForm,
    DefaultForm,
    NameForm,
    AppCodeForm,
    PlainForm
);
