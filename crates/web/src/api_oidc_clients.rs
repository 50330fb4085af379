//! OpenID Connect clients in the JSON API (operators): register a client for one environment
//! of an application (its secret comes back once, in the answer to the registration) and
//! list an application's clients (never with secrets).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tessera_app::{ClientInput, OidcClient};
use uuid::Uuid;

use crate::api::problem;
use crate::auth::ApiCaller;
use crate::csrf::CsrfJson;
use crate::problem::Problem;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OidcClientJson {
    client_id: String,
    application_id: Uuid,
    /// production or pre_production: the client sees only this environment's memberships.
    environment: &'static str,
    name: String,
    /// A public client has no secret and must use PKCE (S256).
    public: bool,
    redirect_uris: Vec<String>,
    post_logout_redirect_uris: Vec<String>,
    grant_types: Vec<String>,
    access_token_seconds: i64,
    id_token_seconds: i64,
    refresh_token_seconds: i64,
    version: i64,
    /// Only in the answer to the registration: shown once, kept only as a digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
}

impl From<&OidcClient> for OidcClientJson {
    fn from(client: &OidcClient) -> Self {
        Self {
            client_id: client.client_id.clone(),
            application_id: client.application_id,
            environment: client.environment.as_str(),
            name: client.name.clone(),
            public: client.secret_digest.is_none(),
            redirect_uris: client.redirect_uris.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.clone(),
            grant_types: client.grant_types.clone(),
            access_token_seconds: client.access_token_seconds,
            id_token_seconds: client.id_token_seconds,
            refresh_token_seconds: client.refresh_token_seconds,
            version: client.version,
            client_secret: None,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OidcClientList {
    clients: Vec<OidcClientJson>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOidcClient {
    /// production or pre_production.
    environment: String,
    name: String,
    /// Matched exactly: https, or http only to localhost; no fragment.
    redirect_uris: Vec<String>,
    #[serde(default)]
    post_logout_redirect_uris: Vec<String>,
    /// A browser or mobile app that cannot keep a secret.
    #[serde(default)]
    public: bool,
    /// 60 to 86400; 300 when left out.
    access_token_seconds: Option<i64>,
    /// 60 to 86400; 300 when left out.
    id_token_seconds: Option<i64>,
    /// Besides authorization_code: refresh_token, client_credentials (confidential only).
    #[serde(default)]
    grant_types: Vec<String>,
    /// 300 to 2592000; 28800 when left out.
    refresh_token_seconds: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/oidc-clients", tag = "applications",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "The application's OpenID Connect clients", body = OidcClientList),
              (status = 403, description = "Operators only", body = Problem)))]
/// GET /api/v1/applications/{id}/oidc-clients
pub async fn clients(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match state.app.oidc_clients(&caller.ctx, id).await {
        Ok(clients) => Json(OidcClientList {
            clients: clients.iter().map(OidcClientJson::from).collect(),
        })
        .into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/oidc-clients", tag = "applications", request_body = NewOidcClient,
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 201, description = "Registered; client_secret is shown this once", body = OidcClientJson),
              (status = 422, description = "Invalid environment, name, redirect URIs or lifetimes", body = Problem)))]
/// POST /api/v1/applications/{id}/oidc-clients
pub async fn register(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    CsrfJson(body): CsrfJson<NewOidcClient>,
) -> Response {
    let input = ClientInput {
        application_id: id,
        environment: body.environment,
        name: body.name,
        redirect_uris: body.redirect_uris,
        post_logout_redirect_uris: body.post_logout_redirect_uris,
        public: body.public,
        access_token_seconds: body.access_token_seconds,
        id_token_seconds: body.id_token_seconds,
        grant_types: body.grant_types,
        refresh_token_seconds: body.refresh_token_seconds,
    };
    match state.app.register_oidc_client(&caller.ctx, &input).await {
        Ok(registered) => {
            let mut json = OidcClientJson::from(&registered.client);
            json.client_secret = registered.secret;
            (StatusCode::CREATED, Json(json)).into_response()
        }
        Err(error) => problem(error),
    }
}
