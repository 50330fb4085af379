//! "Create an account" (self-registration, as in EU Login): the form with its CAPTCHA, the
//! "check your e-mail" page (the same for every address), the "New password" page the
//! e-mailed link leads to, the page of an expired or used link (a new link for the e-mail
//! address typed again), "Proceed" once signed in, and the privacy statement.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{AppError, Ctx, RegistrationInput, SUPPORTED_LANGUAGES};
use tessera_domain::{FieldError, ValidationErrors};

use crate::auth::{client_info, request_id};
use crate::captcha::{CaptchaField, CaptchaForm, client_address};
use crate::cookies;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::state::AppState;

/// An error next to a field, in the visitor's language.
#[derive(Debug, Clone)]
struct Shown {
    field: &'static str,
    message: String,
}

/// The texts of a field error: `register-error-<field>-<code>` of registration.ftl first,
/// then the shared texts, then the app's own sentence.
fn shown(tr: &Tr, errors: &ValidationErrors) -> Vec<Shown> {
    errors
        .errors
        .iter()
        .map(|e| Shown {
            field: e.field,
            message: translate(tr, e),
        })
        .collect()
}

fn translate(tr: &Tr, error: &FieldError) -> String {
    let key = format!("register-error-{}-{}", error.field, error.code);
    match tr.t(&key) {
        text if text != key => text,
        _ => tr.error(error.field, error.code, &error.message),
    }
}

fn error_of<'a>(errors: &'a [Shown], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// One text field of the form.
struct Field {
    name: &'static str,
    label: String,
    kind: &'static str,
    value: String,
    autocomplete: &'static str,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "register.html")]
struct RegisterPage {
    tr: Tr,
    here: String,
    csrf: String,
    fields: Vec<Field>,
    /// (code, label) of the e-mail languages.
    languages: Vec<(&'static str, String)>,
    language: String,
    privacy: bool,
    errors: Vec<Shown>,
    captcha: CaptchaField,
}

impl RegisterPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "register_sent.html")]
struct SentPage {
    tr: Tr,
    here: String,
    email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "register_password.html")]
struct PasswordPage {
    tr: Tr,
    here: String,
    csrf: String,
    token: String,
    email: String,
    errors: Vec<Shown>,
}

impl PasswordPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "register_expired.html")]
struct ExpiredPage {
    tr: Tr,
    here: String,
    csrf: String,
    email: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "register_done.html")]
struct DonePage {
    tr: Tr,
    here: String,
    email: String,
    /// Where "Proceed" goes.
    next: String,
    signed_in: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    tr: Tr,
    here: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "register_help.html")]
struct HelpPage {
    tr: Tr,
    here: String,
}

/// The form as posted; every field may be missing.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    csrf: String,
    first_name: String,
    last_name: String,
    email: String,
    confirm_email: String,
    language: String,
    privacy: Option<String>,
    #[serde(flatten)]
    captcha: CaptchaForm,
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
    new_password: String,
    confirm: String,
}

crate::csrf::csrf_protected!(RegisterForm, EmailForm, PasswordForm);

fn closed() -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        "Page not found",
        "People cannot create their own account here. Ask your organisation's user administrator.",
    )
}

/// The registration form's page, with what was typed and its errors.
fn form_page(
    tr: Tr,
    csrf: String,
    form: &RegisterForm,
    errors: Vec<Shown>,
    captcha: CaptchaField,
) -> RegisterPage {
    let field = |name: &'static str, kind, value: &str, autocomplete| Field {
        name,
        label: tr.t(&format!("register-{}", name.replace('_', "-"))),
        kind,
        value: value.to_owned(),
        autocomplete,
        error: error_of(&errors, name).map(str::to_owned),
    };
    let fields = vec![
        field("first_name", "text", &form.first_name, "given-name"),
        field("last_name", "text", &form.last_name, "family-name"),
        field("email", "email", &form.email, "email"),
        field("confirm_email", "email", &form.confirm_email, "email"),
    ];
    let language = if SUPPORTED_LANGUAGES.contains(&form.language.as_str()) {
        form.language.clone()
    } else {
        tr.lang()
    };
    RegisterPage {
        languages: SUPPORTED_LANGUAGES
            .iter()
            // "English (en)", each language named in itself, as in the EU Login form.
            .map(|code| {
                (
                    *code,
                    format!("{} ({code})", Tr::new(code).t("language-name")),
                )
            })
            .collect(),
        here: "/register".to_owned(),
        csrf,
        fields,
        language,
        privacy: form.privacy.is_some(),
        errors,
        captcha,
        tr,
    }
}

/// A refusal of the per-address limit, as a page.
fn limited(tr: &Tr) -> Response {
    let mut response = PageError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many attempts",
        tr.t("register-too-many"),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(60u32));
    response
}

/// GET /register
pub async fn show(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    parts: Parts,
) -> Result<Response, PageError> {
    if !state.app.registration_open() {
        return Err(closed());
    }
    let captcha = CaptchaField::issue(&state, client_address(&parts), None).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = form_page(tr, csrf, &RegisterForm::default(), Vec::new(), captcha);
    Ok((jar, page).into_response())
}

/// POST /register
pub async fn submit(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    parts: Parts,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> Result<Response, PageError> {
    if !state.app.registration_open() {
        return Err(closed());
    }
    let client = client_address(&parts);
    if let Some(address) = client
        && state.register_limiter.check(address).is_err()
    {
        tracing::warn!(%address, "registrations from this address are being limited");
        return Ok(limited(&tr));
    }
    let https = state.config.https();
    if form.captcha.wants_new_code() {
        let captcha = CaptchaField::issue(&state, client, None).await?;
        let (jar, csrf) = csrf::ensure(jar, https);
        return Ok((jar, form_page(tr, csrf, &form, Vec::new(), captcha)).into_response());
    }
    // Where an application sent the person to sign in: kept with the registration.
    let (rest, next) = crate::return_to::take(jar.clone());
    let return_to = (next != crate::return_to::DEFAULT).then_some(next);
    let input = RegistrationInput {
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        email: form.email.clone(),
        confirm_email: form.confirm_email.clone(),
        language: form.language.clone(),
        privacy_accepted: form.privacy.is_some(),
        captcha: form.captcha.answer(),
        return_to,
    };
    let ctx = Ctx::anonymous(request_id(&parts));
    match state.app.register(&input, &ctx).await {
        Ok(()) => {
            let page = SentPage {
                tr,
                here: "/register".to_owned(),
                email: form.email.trim().to_owned(),
            };
            Ok((rest, page).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let errors = shown(&tr, &errors);
            let captcha_error = error_of(&errors, tessera_app::CAPTCHA_FIELD).map(str::to_owned);
            let captcha = CaptchaField::issue(&state, client, captcha_error).await?;
            let (jar, csrf) = csrf::ensure(jar, https);
            let page = form_page(tr, csrf, &form, errors, captcha);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The page of a link that no longer works.
fn expired(tr: Tr, csrf: String, email: String, error: Option<String>) -> ExpiredPage {
    ExpiredPage {
        tr,
        here: "/register".to_owned(),
        csrf,
        email,
        error,
    }
}

/// GET /register/verify/{token}: "New password", or the page of an expired link.
pub async fn show_link(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    match state.app.check_registration_link(&token).await {
        Ok(link) => {
            let page = PasswordPage {
                tr,
                here: format!("/register/verify/{token}"),
                csrf,
                token,
                email: link.email,
                errors: Vec::new(),
            };
            Ok((jar, page).into_response())
        }
        Err(AppError::ResetLinkInvalid) => Ok((
            StatusCode::GONE,
            jar,
            expired(tr, csrf, String::new(), None),
        )
            .into_response()),
        Err(other) => Err(other.into()),
    }
}

/// POST /register/verify/{token}: sets the password, signs in, offers "Proceed".
pub async fn submit_link(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    parts: Parts,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let https = state.config.https();
    let ctx = Ctx::anonymous(request_id(&parts));
    let previous = jar.get(cookies::SESSION).map(|c| c.value().to_owned());
    let outcome = state
        .app
        .complete_registration(
            &token,
            &form.new_password,
            &form.confirm,
            previous.as_deref(),
            client_info(&parts),
            &ctx,
        )
        .await;
    match outcome {
        Ok(done) => {
            let mut jar = jar.add(cookies::remembered_email(done.user.email.clone(), https));
            let signed_in = done.signed_in.is_some();
            if let Some(session) = done.signed_in {
                jar = jar.add(cookies::session(session.token, https));
            }
            let next = match done.return_to {
                Some(path) if crate::return_to::is_local_path(&path) => path,
                _ if signed_in => crate::return_to::DEFAULT.to_owned(),
                _ => "/signin".to_owned(),
            };
            let page = DonePage {
                tr,
                here: "/register".to_owned(),
                email: done.user.email,
                next,
                signed_in,
            };
            Ok((jar, page).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let link = state.app.check_registration_link(&token).await?;
            let (jar, csrf) = csrf::ensure(jar, https);
            let page = PasswordPage {
                errors: shown(&tr, &errors),
                tr,
                here: format!("/register/verify/{token}"),
                csrf,
                token,
                email: link.email,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(AppError::ResetLinkInvalid) => {
            let (jar, csrf) = csrf::ensure(jar, https);
            let page = expired(tr, csrf, String::new(), None);
            Ok((StatusCode::GONE, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /register/renew: a new link for the address typed again (the same answer for
/// every address).
pub async fn renew(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    parts: Parts,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    if let Some(address) = client_address(&parts)
        && state.register_limiter.check(address).is_err()
    {
        return Ok(limited(&tr));
    }
    let ctx = Ctx::anonymous(request_id(&parts));
    match state.app.renew_registration(&form.email, &ctx).await {
        Ok(()) => {
            let page = SentPage {
                tr,
                here: "/register".to_owned(),
                email: form.email.trim().to_owned(),
            };
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let message = tr
                .field_error(&errors, "email")
                .or_else(|| errors.errors.first().map(|e| translate(&tr, e)));
            let (jar, csrf) = csrf::ensure(jar, state.config.https());
            let page = expired(tr, csrf, form.email, message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// GET /privacy: what Tessera keeps and why.
pub async fn privacy(tr: Tr) -> Response {
    PrivacyPage {
        tr,
        here: "/privacy".to_owned(),
    }
    .into_response()
}

/// GET /register/help: help for external users.
pub async fn help(tr: Tr) -> Response {
    HelpPage {
        tr,
        here: "/register/help".to_owned(),
    }
    .into_response()
}
