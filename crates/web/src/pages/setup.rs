//! The first operator's setup page, reached through the one-time link printed at start-up.
//!
//! The link's token is a 256-bit secret in the path, so a cross-site form cannot forge a
//! submission without knowing it; the token is used up when the operator is created.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tessera_app::{AppError, Ctx, NewOperator};
use tessera_domain::FieldError;

use crate::error::PageError;
use crate::middleware::RequestId;
use crate::state::AppState;

const LANGUAGES: &[(&str, &str)] = &[("en", "English"), ("fr", "Français"), ("de", "Deutsch")];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    first_name: String,
    last_name: String,
    email: String,
    language: String,
    password: String,
    confirm: String,
}

pub struct Field {
    name: &'static str,
    label: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    hint: Option<&'static str>,
    value: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
pub struct SetupPage {
    token: String,
    expires_hint: &'static str,
    fields: Vec<Field>,
    errors: Vec<FieldError>,
    languages: &'static [(&'static str, &'static str)],
}

#[derive(Template, WebTemplate)]
#[template(path = "setup_done.html")]
pub struct SetupDonePage {
    email: String,
}

impl SetupPage {
    fn new(token: String, form: &SetupForm, errors: Vec<FieldError>) -> Self {
        let error_for = |name: &str| {
            errors
                .iter()
                .filter(|e| e.field == name)
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let field = |name, label, input_type, autocomplete, hint, value: &str| {
            let error = error_for(name);
            Field {
                name,
                label,
                input_type,
                autocomplete,
                hint,
                // Passwords are never sent back into the page.
                value: if input_type == "password" {
                    String::new()
                } else {
                    value.to_owned()
                },
                error: (!error.is_empty()).then_some(error),
            }
        };
        let fields = vec![
            field(
                "first_name",
                "First name",
                "text",
                "given-name",
                None,
                &form.first_name,
            ),
            field(
                "last_name",
                "Last name",
                "text",
                "family-name",
                None,
                &form.last_name,
            ),
            field(
                "email",
                "E-mail address",
                "email",
                "email",
                Some("You sign in with this address."),
                &form.email,
            ),
            field(
                "language",
                "E-mail language",
                "",
                "",
                None,
                if form.language.is_empty() {
                    "en"
                } else {
                    &form.language
                },
            ),
            field(
                "password",
                "Password",
                "password",
                "new-password",
                Some(
                    "At least 10 characters from three of: upper case, lower case, digits, special characters. Not your name or e-mail address.",
                ),
                "",
            ),
            field(
                "confirm",
                "Confirm password",
                "password",
                "new-password",
                None,
                "",
            ),
        ];
        Self {
            token,
            expires_hint: "24 hours after Tessera printed it",
            fields,
            errors,
            languages: LANGUAGES,
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<SetupPage, PageError> {
    state.app.check_setup_link(&token).await?;
    Ok(SetupPage::new(token, &SetupForm::default(), Vec::new()))
}

pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Extension(request_id): Extension<RequestId>,
    form: Result<Form<SetupForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|rejection| PageError::bad_request(rejection.body_text()))?;
    let input = NewOperator {
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        email: form.email.clone(),
        language: form.language.clone(),
        password: form.password.clone(),
        confirm: Some(form.confirm.clone()),
    };
    let ctx = Ctx::anonymous(Some(request_id.0));
    match state.app.complete_setup(&token, input, &ctx).await {
        Ok(user) => Ok(SetupDonePage { email: user.email }.into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = SetupPage::new(token, &form, errors.errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
