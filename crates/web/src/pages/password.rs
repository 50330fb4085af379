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

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::state::AppState;

pub struct Field {
    name: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    hint: Option<&'static str>,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    csrf: String,
    email: String,
    fields: Vec<Field>,
    errors: Vec<FieldError>,
}

impl PasswordPage {
    fn new(csrf: String, email: String, errors: Vec<FieldError>) -> Self {
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
                label: "Current password",
                autocomplete: "current-password",
                hint: None,
                error: error("current_password"),
            },
            Field {
                name: "new_password",
                label: "New password",
                autocomplete: "new-password",
                hint: Some(
                    "At least 10 characters from three of: upper case, lower case, digits, special characters (a space counts). Not your name or e-mail address.",
                ),
                error: error("new_password"),
            },
            Field {
                name: "confirm",
                label: "Confirm new password",
                autocomplete: "new-password",
                hint: None,
                error: error("confirm"),
            },
        ];
        Self {
            csrf,
            email,
            fields,
            errors,
        }
    }
}

pub async fn show(State(state): State<AppState>, jar: CookieJar, signed_in: SignedIn) -> Response {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = PasswordPage::new(csrf, signed_in.session.user.email, Vec::new());
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
            let page = PasswordPage::new(csrf, signed_in.session.user.email, errors.errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

crate::csrf::csrf_protected!(PasswordForm);
