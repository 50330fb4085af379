//! OpenID Connect clients of an application (operators): register one for an environment
//! (its secret is shown once, on the page that answers the registration), change its
//! settings (version-checked, optionally issuing a new secret, shown once too) and delete it
//! after a confirmation. Works without JavaScript; every field error is shown at its field
//! and in a summary.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use tessera_app::{ClientAuthMethod, ClientInput, ClientUpdate, OidcClient, RegisteredClient};
use tessera_domain::application::Environment;
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::pages::admin_sso::{
    DeletePage, FormErrors, Refusal, SummaryItem, lines, no_store, optional, refusal, seconds,
    with_number_errors,
};
use crate::pages::pairs::Pairs;
use crate::state::AppState;

const ASSURANCES: [(&str, &str); 4] = [
    ("", "The application's minimum"),
    ("low", "Low: password alone"),
    ("medium", "Medium: password and a code (SMS, voice, app)"),
    ("high", "High: a security key"),
];

const AUTH_METHODS: [(&str, &str); 3] = [
    (
        "client_secret_basic",
        "client_secret_basic: a secret Tessera generates, in the Authorization header",
    ),
    (
        "client_secret_post",
        "client_secret_post: a secret Tessera generates, in the request body",
    ),
    (
        "private_key_jwt",
        "private_key_jwt: a JWT signed with one of the client's own keys",
    ),
];

const ALGORITHMS: [&str; 3] = ["ES256", "RS256", "EdDSA"];

/// The values the form shows: as typed, as stored, or the defaults of a new client.
pub struct ClientForm {
    pub environment: String,
    pub name: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub backchannel_logout_uri: String,
    pub public: bool,
    pub auth_method: String,
    pub jwks: String,
    pub refresh_token: bool,
    pub client_credentials: bool,
    pub access_token_seconds: String,
    pub id_token_seconds: String,
    pub refresh_token_seconds: String,
    pub min_assurance: String,
    pub third_party: bool,
    pub id_token_alg: String,
    pub new_secret: bool,
}

impl ClientForm {
    fn new_client() -> Self {
        Self {
            environment: Environment::Production.as_str().into(),
            name: String::new(),
            redirect_uris: String::new(),
            post_logout_redirect_uris: String::new(),
            backchannel_logout_uri: String::new(),
            public: false,
            auth_method: ClientAuthMethod::ClientSecretBasic.as_str().into(),
            jwks: String::new(),
            refresh_token: false,
            client_credentials: false,
            access_token_seconds: "300".into(),
            id_token_seconds: "300".into(),
            refresh_token_seconds: "28800".into(),
            min_assurance: String::new(),
            third_party: false,
            id_token_alg: "ES256".into(),
            new_secret: false,
        }
    }

    fn stored(client: &OidcClient) -> Self {
        let public = client.auth_method == ClientAuthMethod::None;
        let has = |grant: &str| client.grant_types.iter().any(|g| g == grant);
        Self {
            environment: client.environment.as_str().into(),
            name: client.name.clone(),
            redirect_uris: client.redirect_uris.join("\n"),
            post_logout_redirect_uris: client.post_logout_redirect_uris.join("\n"),
            backchannel_logout_uri: client.backchannel_logout_uri.clone().unwrap_or_default(),
            public,
            auth_method: if public {
                ClientAuthMethod::ClientSecretBasic.as_str().into()
            } else {
                client.auth_method.as_str().into()
            },
            jwks: client.jwks.clone().unwrap_or_default(),
            refresh_token: has("refresh_token"),
            client_credentials: has("client_credentials"),
            access_token_seconds: client.access_token_seconds.to_string(),
            id_token_seconds: client.id_token_seconds.to_string(),
            refresh_token_seconds: client.refresh_token_seconds.to_string(),
            min_assurance: client
                .min_assurance
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            third_party: client.third_party,
            id_token_alg: client.id_token_alg.clone(),
            new_secret: false,
        }
    }

    fn typed(form: &Pairs) -> Self {
        let has = |grant: &str| form.all("grant_types").any(|g| g == grant);
        Self {
            environment: form.first("environment").into(),
            name: form.first("name").into(),
            redirect_uris: form.first("redirect_uris").into(),
            post_logout_redirect_uris: form.first("post_logout_redirect_uris").into(),
            backchannel_logout_uri: form.first("backchannel_logout_uri").into(),
            public: form.first("client_type") == "public",
            auth_method: form.first("auth_method").into(),
            jwks: form.first("jwks").into(),
            refresh_token: has("refresh_token"),
            client_credentials: has("client_credentials"),
            access_token_seconds: form.first("access_token_seconds").into(),
            id_token_seconds: form.first("id_token_seconds").into(),
            refresh_token_seconds: form.first("refresh_token_seconds").into(),
            min_assurance: form.first("min_assurance").into(),
            third_party: !form.first("third_party").is_empty(),
            id_token_alg: form.first("id_token_alg").into(),
            new_secret: !form.first("new_secret").is_empty(),
        }
    }
}

/// What the form asks the app for, and which lifetime fields were not numbers.
fn ask(application_id: Uuid, form: &Pairs) -> (ClientInput, Vec<&'static str>) {
    let mut not_numbers = Vec::new();
    let mut number = |field: &'static str| {
        seconds(form.first(field)).unwrap_or_else(|()| {
            // Certainly out of range: the app refuses it at its field, and the page says why.
            not_numbers.push(field);
            Some(i64::MIN)
        })
    };
    let access_token_seconds = number("access_token_seconds");
    let id_token_seconds = number("id_token_seconds");
    let refresh_token_seconds = number("refresh_token_seconds");
    let public = form.first("client_type") == "public";
    let input = ClientInput {
        application_id,
        environment: form.first("environment").to_owned(),
        name: form.first("name").to_owned(),
        redirect_uris: lines(form.first("redirect_uris")),
        post_logout_redirect_uris: lines(form.first("post_logout_redirect_uris")),
        public,
        access_token_seconds,
        id_token_seconds,
        // authorization_code is always on; the boxes add the others.
        grant_types: form
            .all("grant_types")
            .filter(|g| *g != "authorization_code")
            .map(str::to_owned)
            .collect(),
        refresh_token_seconds,
        backchannel_logout_uri: optional(form.first("backchannel_logout_uri")),
        min_assurance: optional(form.first("min_assurance")),
        third_party: !form.first("third_party").is_empty(),
        // A public client does not authenticate: the confidential clients' menu is ignored.
        auth_method: if public {
            None
        } else {
            optional(form.first("auth_method"))
        },
        jwks: optional(form.first("jwks")),
        id_token_alg: optional(form.first("id_token_alg")),
    };
    (input, not_numbers)
}

/// Set when the page changes an existing client.
pub struct Editing {
    pub id: Uuid,
    pub client_id: String,
    pub version: i64,
    pub environment: &'static str,
    pub has_secret: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_oidc_client.html")]
struct ClientPage {
    application_id: Uuid,
    application_name: String,
    editing: Option<Editing>,
    form: ClientForm,
    errors: FormErrors,
    summary: Vec<SummaryItem>,
    environments: Vec<(&'static str, &'static str)>,
    assurances: Vec<(&'static str, &'static str)>,
    auth_methods: Vec<(&'static str, &'static str)>,
    algorithms: Vec<&'static str>,
    csrf: String,
}

impl ClientPage {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.of(field)
    }
}

async fn client_page(
    state: &AppState,
    me: &SignedIn,
    application_id: Uuid,
    editing: Option<Editing>,
    form: ClientForm,
    errors: FormErrors,
    csrf: String,
) -> Result<ClientPage, PageError> {
    let detail = state
        .app
        .application_detail(&me.ctx, application_id)
        .await?;
    Ok(ClientPage {
        application_id,
        application_name: detail.application.name,
        editing,
        form,
        summary: errors.summary(),
        errors,
        environments: Environment::ALL
            .iter()
            .map(|e| (e.as_str(), e.label()))
            .collect(),
        assurances: ASSURANCES.to_vec(),
        auth_methods: AUTH_METHODS.to_vec(),
        algorithms: ALGORITHMS.to_vec(),
        csrf,
    })
}

fn editing(client: &OidcClient) -> Editing {
    Editing {
        id: client.id,
        client_id: client.client_id.clone(),
        version: client.version,
        environment: client.environment.label(),
        has_secret: client.secret_digest.is_some(),
    }
}

/// The answer to a registration, or to a change that issued a new secret: the secret, this
/// once, with a warning to copy it.
#[derive(Template, WebTemplate)]
#[template(path = "admin_oidc_secret.html")]
struct SecretPage {
    application_id: Uuid,
    /// Registered just now (not changed).
    registered: bool,
    client_id: String,
    name: String,
    environment: &'static str,
    auth_method: &'static str,
    secret: Option<String>,
}

fn secret_page(registered: bool, answer: RegisteredClient) -> Response {
    let client = answer.client;
    no_store(
        SecretPage {
            application_id: client.application_id,
            registered,
            client_id: client.client_id,
            name: client.name,
            environment: client.environment.label(),
            auth_method: client.auth_method.as_str(),
            secret: answer.secret,
        }
        .into_response(),
    )
}

fn back_to(application: Uuid, done: &str) -> Response {
    Redirect::to(&format!(
        "/admin/applications/{application}?done={done}#sso"
    ))
    .into_response()
}

/// GET /admin/applications/{id}/oidc-clients/new
pub async fn new(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let form = ClientForm::new_client();
    let page = client_page(&state, &me, id, None, form, FormErrors::new("client"), csrf).await?;
    Ok((jar, page).into_response())
}

/// POST /admin/applications/{id}/oidc-clients: registers the client and shows its secret.
pub async fn register(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let (input, not_numbers) = ask(id, &form);
    let error = match state.app.register_oidc_client(&me.ctx, &input).await {
        Ok(registered) => return Ok(secret_page(true, registered)),
        Err(error) => error,
    };
    let Refusal::Fields(errors) = refusal(error)? else {
        return Err(PageError::new(
            StatusCode::CONFLICT,
            "Not possible",
            "The client could not be registered: try again.",
        ));
    };
    let errors = FormErrors {
        errors: with_number_errors(errors, &not_numbers),
        ..FormErrors::new("client")
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let typed = ClientForm::typed(&form);
    let page = client_page(&state, &me, id, None, typed, errors, csrf).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
}

/// GET /admin/oidc-clients/{id}
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let client = state.app.oidc_client(&me.ctx, id).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = client_page(
        &state,
        &me,
        client.application_id,
        Some(editing(&client)),
        ClientForm::stored(&client),
        FormErrors::new("client"),
        csrf,
    )
    .await?;
    Ok((jar, page).into_response())
}

/// POST /admin/oidc-clients/{id}: the new settings, if the client is unchanged since the
/// page was read; a new secret, when asked for, is shown once.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let (settings, not_numbers) = ask(Uuid::nil(), &form);
    let update = ClientUpdate {
        settings,
        // A version that is not a number is one no client has: the change is stale.
        version: form.first("version").trim().parse().unwrap_or(-1),
        new_secret: !form.first("new_secret").is_empty(),
    };
    let error = match state.app.update_oidc_client(&me.ctx, id, &update).await {
        Ok(answer) if answer.secret.is_some() => return Ok(secret_page(false, answer)),
        Ok(answer) => return Ok(back_to(answer.client.application_id, "client_saved")),
        Err(error) => error,
    };
    let refused = refusal(error)?;
    let current = state.app.oidc_client(&me.ctx, id).await?;
    let mut errors = FormErrors::new("client");
    let (status, shown) = match refused {
        Refusal::Fields(fields) => {
            errors.errors = with_number_errors(fields, &not_numbers);
            let mut typed = ClientForm::typed(&form);
            typed.environment = current.environment.as_str().into();
            (StatusCode::UNPROCESSABLE_ENTITY, typed)
        }
        // The client as it is now: what was typed would hide the other change.
        Refusal::Stale(why) => {
            errors.problem = Some(why);
            (StatusCode::CONFLICT, ClientForm::stored(&current))
        }
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let mut edit = editing(&current);
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        // The version the operator read stays, so a change made meanwhile is still noticed.
        edit.version = update.version;
    }
    let page = client_page(
        &state,
        &me,
        current.application_id,
        Some(edit),
        shown,
        errors,
        csrf,
    )
    .await?;
    Ok((status, jar, page).into_response())
}

/// GET /admin/oidc-clients/{id}/delete: are you sure?
pub async fn confirm_delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let client = state.app.oidc_client(&me.ctx, id).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    Ok(DeletePage {
        kind: "OpenID Connect client",
        name: format!("{} ({})", client.name, client.client_id),
        consequence: "Its codes and refresh tokens stop working at once, and the application can no longer sign people in with this client id. The audit trail keeps what happened.",
        action: format!("/admin/oidc-clients/{id}/delete"),
        back: format!("/admin/oidc-clients/{id}"),
        csrf,
    }
    .response(jar))
}

/// POST /admin/oidc-clients/{id}/delete
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    me: SignedIn,
    CsrfForm(_form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let client = state.app.oidc_client(&me.ctx, id).await?;
    state.app.delete_oidc_client(&me.ctx, id).await?;
    Ok(back_to(client.application_id, "client_deleted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(fields: &[(&str, &str)]) -> Pairs {
        Pairs(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_public_client_sends_no_method_and_lifetimes_may_be_left_out() {
        let form = pairs(&[
            ("client_type", "public"),
            ("auth_method", "client_secret_post"),
            ("redirect_uris", "https://a.example/cb\r\n\r\n"),
            ("grant_types", "authorization_code"),
            ("grant_types", "refresh_token"),
            ("access_token_seconds", ""),
            ("id_token_seconds", "600"),
            ("refresh_token_seconds", "soon"),
            ("min_assurance", ""),
        ]);
        let (input, not_numbers) = ask(Uuid::nil(), &form);
        assert!(input.public);
        assert_eq!(input.auth_method, None);
        assert_eq!(input.redirect_uris, ["https://a.example/cb"]);
        assert_eq!(input.grant_types, ["refresh_token"]);
        assert_eq!(input.access_token_seconds, None);
        assert_eq!(input.id_token_seconds, Some(600));
        assert_eq!(not_numbers, ["refresh_token_seconds"]);
        assert_eq!(input.min_assurance, None);
        assert_eq!(input.backchannel_logout_uri, None);
    }

    #[test]
    fn the_offered_choices_are_the_ones_the_app_knows() {
        for (method, _) in AUTH_METHODS {
            assert!(ClientAuthMethod::parse(method).is_some(), "{method}");
        }
        for (assurance, _) in &ASSURANCES[1..] {
            assert!(
                tessera_domain::session::Assurance::parse(assurance).is_some(),
                "{assurance}"
            );
        }
    }
}
