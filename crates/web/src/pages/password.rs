//! "Change password" in My Account.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::AppError;
use tessera_domain::FieldError;
use tessera_domain::password::{PASSWORD_MAX, PASSWORD_MIN};

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::state::AppState;

pub struct Field {
    name: &'static str,
    label: String,
    autocomplete: &'static str,
    hint: Option<String>,
    error: Option<String>,
}

/// A field error of a password form, in the visitor's language, and the field it is on.
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

/// The password rules, as shown beside every "New password" field.
pub fn password_rules(tr: &Tr) -> String {
    tr.ta("password-rules", &[("min", &PASSWORD_MIN.to_string())])
}

/// The problems of a password form in the visitor's language. The rules' numbers are
/// values of the texts, so no translation repeats them.
pub fn password_problems(tr: &Tr, errors: &[FieldError], new_password: &str) -> Vec<Problem> {
    let min = PASSWORD_MIN.to_string();
    let max = PASSWORD_MAX.to_string();
    let length = new_password.chars().count().to_string();
    let args = [
        ("min", min.as_str()),
        ("max", max.as_str()),
        ("length", length.as_str()),
    ];
    errors
        .iter()
        .map(|e| Problem {
            field: e.field,
            message: tr.error_with(e.field, e.code, &e.message, &args),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    email: String,
    fields: Vec<Field>,
    errors: Vec<Problem>,
}

impl PasswordPage {
    fn new(tr: Tr, csrf: String, email: String, errors: Vec<Problem>) -> Self {
        let error = |name: &str| {
            let text: Vec<&str> = errors
                .iter()
                .filter(|e| e.field == name)
                .map(|e| e.message.as_str())
                .collect();
            (!text.is_empty()).then(|| text.join(" "))
        };
        let fields = vec![
            Field {
                name: "current_password",
                label: tr.t("password-current"),
                autocomplete: "current-password",
                hint: None,
                error: error("current_password"),
            },
            Field {
                name: "new_password",
                label: tr.t("password-new"),
                autocomplete: "new-password",
                hint: Some(password_rules(&tr)),
                error: error("new_password"),
            },
            Field {
                name: "confirm",
                label: tr.t("password-confirm"),
                autocomplete: "new-password",
                hint: None,
                error: error("confirm"),
            },
        ];
        Self {
            tr,
            here: "/account/password",
            csrf,
            email,
            fields,
            errors,
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    signed_in: SignedIn,
) -> Response {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = PasswordPage::new(tr, csrf, signed_in.session.user.email, Vec::new());
    (jar, page).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    current_password: String,
    new_password: String,
    confirm: String,
}

pub async fn submit(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    signed_in: SignedIn,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let outcome = state
        .app
        .change_password(
            &signed_in.session,
            &form.current_password,
            &form.new_password,
            &form.confirm,
            &signed_in.ctx,
        )
        .await;
    match outcome {
        Ok(_) => Ok(Redirect::to("/account?password=changed").into_response()),
        Err(AppError::Invalid(errors)) => {
            let (jar, csrf) = csrf::ensure(jar, state.config.https());
            let problems = password_problems(&tr, &errors.errors, &form.new_password);
            let page = PasswordPage::new(tr, csrf, signed_in.session.user.email, problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

crate::csrf::csrf_protected!(PasswordForm);
