//! Single sign-on on an application's page (operators): its OpenID Connect clients and CAS
//! services per environment, with links to register, change and delete them (the pages are
//! in `admin_oidc_clients.rs` and `admin_cas_services.rs`); and what those pages share: field
//! errors with their summary, reading numbers and lists out of a form, the delete
//! confirmation.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tessera_app::{AppError, CasService, OidcClient};
use tessera_domain::FieldError;
use tessera_domain::application::Environment;
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::state::AppState;

/// One OpenID Connect client in the section's table.
pub struct ClientRow {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub auth_method: &'static str,
    pub redirect_uris: Vec<String>,
    pub grant_types: String,
}

/// One CAS service in the section's table.
pub struct ServiceRow {
    pub id: Uuid,
    pub name: String,
    pub service_url: String,
    pub match_kind: String,
    pub proxy_allowed: bool,
    pub single_logout: bool,
}

/// The clients and services of one environment: each sees only that environment's
/// memberships.
pub struct SsoEnvironment {
    pub value: &'static str,
    pub label: &'static str,
    pub clients: Vec<ClientRow>,
    pub services: Vec<ServiceRow>,
}

/// The "Single sign-on" section of an application's page.
pub struct SsoSection {
    /// Whether the actor may register, change and delete clients and services.
    pub may_manage: bool,
    pub environments: Vec<SsoEnvironment>,
}

fn client_row(client: &OidcClient) -> ClientRow {
    ClientRow {
        id: client.id,
        client_id: client.client_id.clone(),
        name: client.name.clone(),
        auth_method: client.auth_method.as_str(),
        redirect_uris: client.redirect_uris.clone(),
        grant_types: client.grant_types.join(", "),
    }
}

fn service_row(service: &CasService) -> ServiceRow {
    ServiceRow {
        id: service.id,
        name: service.name.clone(),
        service_url: service.service_url.clone(),
        match_kind: service.match_kind.clone(),
        proxy_allowed: service.proxy_allowed,
        single_logout: service.single_logout_url.is_some(),
    }
}

/// The section for one application; empty (and without links) for someone who may not
/// manage applications.
pub async fn section(
    state: &AppState,
    me: &SignedIn,
    application: Uuid,
) -> Result<SsoSection, PageError> {
    let may_manage = state
        .app
        .membership_rights(&me.ctx)
        .await?
        .manage_applications;
    if !may_manage {
        return Ok(SsoSection {
            may_manage,
            environments: Vec::new(),
        });
    }
    let clients = state.app.oidc_clients(&me.ctx, application).await?;
    let services = state.app.cas_services(&me.ctx, application).await?;
    let environments = Environment::ALL
        .iter()
        .map(|env| SsoEnvironment {
            value: env.as_str(),
            label: env.label(),
            clients: clients
                .iter()
                .filter(|c| c.environment == *env)
                .map(client_row)
                .collect(),
            services: services
                .iter()
                .filter(|s| s.environment == *env)
                .map(service_row)
                .collect(),
        })
        .collect();
    Ok(SsoSection {
        may_manage,
        environments,
    })
}

/// A message of the error summary, linking to its field.
pub struct SummaryItem {
    pub anchor: String,
    pub message: String,
}

/// What went wrong with a submitted form: messages per field, or a problem with the record
/// as a whole (someone else changed it first).
#[derive(Default)]
pub struct FormErrors {
    /// The prefix of the form's field ids (`client`, `service`).
    pub prefix: &'static str,
    pub errors: Vec<FieldError>,
    pub problem: Option<String>,
}

impl FormErrors {
    pub fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            ..Self::default()
        }
    }

    /// The message at one field, if any.
    pub fn of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn any(&self) -> bool {
        !self.errors.is_empty() || self.problem.is_some()
    }

    /// Every field message, linking to its field, in the order the app gave them.
    pub fn summary(&self) -> Vec<SummaryItem> {
        self.errors
            .iter()
            .map(|e| SummaryItem {
                anchor: format!("{}-{}", self.prefix, e.field),
                message: e.message.clone(),
            })
            .collect()
    }
}

/// The lines of a text area, trimmed, without the empty ones.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Text that is empty once trimmed means "not given".
pub fn optional(text: &str) -> Option<String> {
    Some(text.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A number of seconds typed into a form: `Ok(None)` when left empty, `Err(())` when it is
/// not a whole number.
pub fn seconds(text: &str) -> Result<Option<i64>, ()> {
    match text.trim() {
        "" => Ok(None),
        typed => typed.parse().map(Some).map_err(|_| ()),
    }
}

/// The field errors of an invalid submission, with this page's own message at the fields
/// whose text was not a number (the app saw those as out of range).
pub fn with_number_errors(
    mut errors: Vec<FieldError>,
    not_numbers: &[&'static str],
) -> Vec<FieldError> {
    for field in not_numbers {
        let message = "Enter a whole number of seconds, such as 300.".to_owned();
        match errors.iter_mut().find(|e| e.field == *field) {
            Some(error) => error.message = message,
            None => errors.push(FieldError {
                field,
                code: "number",
                message,
            }),
        }
    }
    errors
}

/// What a refused change means for the form: field errors (422), or the record changed by
/// someone else (409, shown as it is now); anything else is an error page.
pub enum Refusal {
    Fields(Vec<FieldError>),
    Stale(String),
}

pub fn refusal(error: AppError) -> Result<Refusal, PageError> {
    match error {
        AppError::Invalid(errors) => Ok(Refusal::Fields(errors.errors)),
        AppError::Stale => Ok(Refusal::Stale(STALE.to_owned())),
        other => Err(other.into()),
    }
}

/// What someone is told when another change came first.
pub const STALE: &str = "Someone else changed this after you opened the page. It is shown as it is now: check it, then make your change again.";

/// Pages showing a secret are never kept by the browser or a proxy.
pub fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// "Delete this client / service?": one button, and a way back.
#[derive(Template, WebTemplate)]
#[template(path = "admin_sso_delete.html")]
pub struct DeletePage {
    /// "OpenID Connect client" or "CAS service".
    pub kind: &'static str,
    pub name: String,
    /// What else goes, in a sentence.
    pub consequence: &'static str,
    pub action: String,
    pub back: String,
    pub csrf: String,
}

impl DeletePage {
    pub fn response(self, jar: axum_extra::extract::CookieJar) -> Response {
        (jar, self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_areas_give_one_value_a_line() {
        assert_eq!(
            lines(" https://a.example/cb \r\n\r\nhttps://b.example/cb\n"),
            ["https://a.example/cb", "https://b.example/cb"]
        );
        assert!(lines("  \n").is_empty());
    }

    #[test]
    fn numbers_are_optional_but_must_be_numbers() {
        assert_eq!(seconds(""), Ok(None));
        assert_eq!(seconds(" 300 "), Ok(Some(300)));
        assert_eq!(seconds("five"), Err(()));
        let errors = with_number_errors(
            vec![FieldError {
                field: "id_token_seconds",
                code: "range",
                message: "Between 60 seconds and one day.".into(),
            }],
            &["id_token_seconds", "access_token_seconds"],
        );
        assert_eq!(errors.len(), 2);
        assert!(
            errors
                .iter()
                .all(|e| e.message.starts_with("Enter a whole number"))
        );
    }

    #[test]
    fn summary_links_point_at_the_fields() {
        let mut errors = FormErrors::new("client");
        errors.errors.push(FieldError {
            field: "redirect_uris",
            code: "required",
            message: "At least one redirect URI.".into(),
        });
        assert_eq!(errors.summary()[0].anchor, "client-redirect_uris");
        assert_eq!(
            errors.of("redirect_uris"),
            Some("At least one redirect URI.")
        );
        assert_eq!(errors.of("name"), None);
        assert!(errors.any());
    }
}
