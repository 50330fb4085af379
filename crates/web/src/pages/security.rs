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
use crate::i18n::Tr;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "account_security.html")]
struct SecurityPage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    factors: MyFactors,
    /// The person's methods, each named in the visitor's language, for the default.
    methods: Vec<MethodOption>,
    passkeys: bool,
    notice: Option<String>,
    error: Option<String>,
}

pub struct MethodOption {
    code: &'static str,
    name: String,
    default: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "account_phone_confirm.html")]
struct ConfirmPhonePage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    number: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "account_app.html")]
struct AppPage {
    tr: Tr,
    here: String,
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
    tr: Tr,
    here: &'static str,
    csrf: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// The text of `?done=`: only the changes this page knows, never text from the address.
fn notice_of(tr: &Tr, done: &str) -> Option<String> {
    let known = [
        "phone-added",
        "phone-removed",
        "phone-default",
        "app-added",
        "app-removed",
        "key-added",
        "key-removed",
        "default",
    ];
    known
        .contains(&done)
        .then(|| tr.t(&format!("security-done-{done}")))
}

async fn page(
    state: &AppState,
    tr: Tr,
    jar: CookieJar,
    me: &SignedIn,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let factors = state.app.my_factors(&me.session).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let methods = factors
        .methods
        .iter()
        .map(|m| MethodOption {
            code: m.as_str(),
            name: tr.t(&format!("method-{}", m.as_str())),
            default: factors.default_method == Some(*m),
        })
        .collect();
    let page = SecurityPage {
        tr,
        here: "/account/security",
        csrf,
        factors,
        methods,
        passkeys: state.app.passkeys_available(),
        notice,
        error,
    };
    Ok((status, jar, page).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    tr: Tr,
    Query(done): Query<Done>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let notice = notice_of(&tr, &done.done);
    page(&state, tr, jar, &me, notice, None, StatusCode::OK).await
}

fn done(what: &str) -> Response {
    Redirect::to(&format!("/account/security?done={what}")).into_response()
}

/// Refusals the Security page shows in place, rather than on an error page.
async fn refused(
    state: &AppState,
    tr: Tr,
    jar: CookieJar,
    me: &SignedIn,
    error: AppError,
) -> Result<Response, PageError> {
    match error {
        AppError::Invalid(errors) => {
            let message = errors
                .errors
                .iter()
                .map(|e| tr.error(e.field, e.code, &e.message))
                .collect::<Vec<_>>()
                .join(" ");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(state, tr, jar, me, None, Some(message), status).await
        }
        AppError::LastFactor => {
            let message = tr.t("problem-last-factor");
            page(
                state,
                tr,
                jar,
                me,
                None,
                Some(message),
                StatusCode::CONFLICT,
            )
            .await
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
    tr: Tr,
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
                tr,
                here: "/account/security",
                csrf,
                number,
                error: None,
            };
            Ok((jar, page).into_response())
        }
        Err(error) => refused(&state, tr, jar, &me, error).await,
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
    tr: Tr,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<ConfirmPhoneForm>,
) -> Result<Response, PageError> {
    let outcome = state
        .app
        .confirm_phone(&me.session, &form.number, &form.code, &me.ctx)
        .await;
    let again = |tr: Tr, message: String| {
        let (jar, csrf) = csrf::ensure(jar.clone(), state.config.https());
        let page = ConfirmPhonePage {
            tr,
            // The page came from a form: the menu goes back to the Security page.
            here: "/account/security",
            csrf,
            number: form.number.clone(),
            error: Some(message),
        };
        (StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response()
    };
    match outcome {
        Ok(()) => Ok(done("phone-added")),
        Err(AppError::WrongCode { left }) => {
            let message = tr.ta("problem-wrong-code", &[("left", &left.to_string())]);
            Ok(again(tr, message))
        }
        Err(AppError::CodeExpired | AppError::CodeExhausted | AppError::ChallengeGone) => {
            let message = tr.t("security-phone-code-gone");
            page(&state, tr, jar, &me, None, Some(message), StatusCode::GONE).await
        }
        Err(error) => refused(&state, tr, jar, &me, error).await,
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
    tr: Tr,
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
        Err(error) => refused(&state, tr, jar, &me, error).await,
    }
}

pub async fn default_phone(
    State(state): State<AppState>,
    tr: Tr,
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
        Err(error) => refused(&state, tr, jar, &me, error).await,
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
    tr: Tr,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<DefaultForm>,
) -> Result<Response, PageError> {
    let Some(method) = Method::parse(&form.method) else {
        return refused(
            &state,
            tr,
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
        Err(error) => refused(&state, tr, jar, &me, error).await,
    }
}

fn app_page(tr: Tr, csrf: String, enrolment: AppEnrolment, error: Option<String>) -> AppPage {
    let qr = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(enrolment.qr_svg)
    );
    AppPage {
        tr,
        here: format!("/account/security/apps/{}", enrolment.id),
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
    tr: Tr,
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
        Err(error) => refused(&state, tr, jar, &me, error).await,
    }
}

pub async fn show_app(
    State(state): State<AppState>,
    tr: Tr,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let enrolment = state.app.authenticator_enrolment(&me.session, id).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    Ok((jar, app_page(tr, csrf, enrolment, None)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AppCodeForm {
    csrf: String,
    code: String,
}

pub async fn confirm_app(
    State(state): State<AppState>,
    tr: Tr,
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
            let message = errors
                .errors
                .iter()
                .map(|e| tr.error(e.field, e.code, &e.message))
                .collect::<Vec<_>>()
                .join(" ");
            let page = app_page(tr, csrf, enrolment, Some(message));
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
    tr: Tr,
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
        Err(error) => refused(&state, tr, jar, &me, error).await,
    }
}

pub async fn new_key(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    _me: SignedIn,
) -> Result<Response, PageError> {
    if !state.app.passkeys_available() {
        return Err(AppError::PasskeysUnavailable.into());
    }
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = NewKeyPage {
        tr,
        here: "/account/security/keys/new",
        csrf,
    };
    Ok((jar, page).into_response())
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
    tr: Tr,
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
        Err(error) => refused(&state, tr, jar, &me, error).await,
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
