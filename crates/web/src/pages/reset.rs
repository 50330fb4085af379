//! "Lost your password?": asking for a link, and choosing a new password through it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{AppError, Ctx};

use crate::auth::request_id;
use crate::cookies;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::pages::password::{Problem, password_problems, password_rules};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "reset_request.html")]
struct RequestPage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    email: String,
    error: Option<String>,
    sent: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "reset_password.html")]
struct NewPasswordPage {
    tr: Tr,
    here: String,
    rules: String,
    csrf: String,
    token: String,
    email: String,
    errors: Vec<Problem>,
}

impl NewPasswordPage {
    fn new(tr: Tr, csrf: String, token: String, email: String, errors: Vec<Problem>) -> Self {
        Self {
            here: format!("/signin/reset/{token}"),
            rules: password_rules(&tr),
            tr,
            csrf,
            token,
            email,
            errors,
        }
    }
}

pub async fn show_request(State(state): State<AppState>, tr: Tr, jar: CookieJar) -> Response {
    let email = jar
        .get(cookies::EMAIL)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = RequestPage {
        tr,
        here: "/signin/reset",
        csrf,
        email,
        error: None,
        sent: false,
    };
    (jar, page).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    csrf: String,
    email: String,
}

pub async fn submit_request(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    parts: Parts,
    CsrfForm(form): CsrfForm<RequestForm>,
) -> Result<Response, PageError> {
    let ctx = Ctx::anonymous(request_id(&parts));
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    match state.app.request_password_reset(&form.email, &ctx).await {
        // The same page whether or not the address has an account.
        Ok(()) => Ok((
            jar,
            RequestPage {
                tr,
                here: "/signin/reset",
                csrf,
                email: form.email,
                error: None,
                sent: true,
            },
        )
            .into_response()),
        Err(AppError::Invalid(errors)) => {
            let error = errors
                .errors
                .first()
                .map(|e| tr.error(e.field, e.code, &e.message));
            let page = RequestPage {
                tr,
                here: "/signin/reset",
                csrf,
                email: form.email,
                error,
                sent: false,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn show_link(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let user = state.app.check_reset_link(&token).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = NewPasswordPage::new(tr, csrf, token, user.email, Vec::new());
    Ok((jar, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewPasswordForm {
    csrf: String,
    new_password: String,
    confirm: String,
}

pub async fn submit_link(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    parts: Parts,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<NewPasswordForm>,
) -> Result<Response, PageError> {
    let ctx = Ctx::anonymous(request_id(&parts));
    let https = state.config.https();
    match state
        .app
        .complete_password_reset(&token, &form.new_password, &form.confirm, &ctx)
        .await
    {
        Ok(user) => {
            let jar = jar
                .remove(cookies::removal(cookies::SESSION))
                .add(cookies::remembered_email(user.email, https));
            Ok((jar, Redirect::to("/signin/password?restart=reset")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let user = state.app.check_reset_link(&token).await?;
            let (jar, csrf) = csrf::ensure(jar, https);
            let problems = password_problems(&tr, &errors.errors, &form.new_password);
            let page = NewPasswordPage::new(tr, csrf, token, user.email, problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

crate::csrf::csrf_protected!(NewPasswordForm, RequestForm);
