//! OpenID Connect clients in the JSON API (operators): register a client for one environment
//! of an application (its secret comes back once, in the answer to the registration) and
//! list an application's clients (never with secrets); read, change or delete one client.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tessera_app::{AppError, ClientInput, ClientUpdate, OidcClient};
use tessera_domain::ValidationErrors;
use uuid::Uuid;

use crate::api::problem;
use crate::auth::ApiCaller;
use crate::csrf::CsrfJson;
use crate::problem::Problem;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OidcClientJson {
    /// Tessera's id of the registration, for /api/v1/oidc-clients/{id}.
    id: Uuid,
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
    /// client_secret_basic, client_secret_post, private_key_jwt or none (public).
    auth_method: &'static str,
    backchannel_logout_uri: Option<String>,
    /// low, medium or high: what the client needs beyond its application's minimum.
    min_assurance: Option<&'static str>,
    /// People consent before a third-party client receives their data.
    third_party: bool,
    /// The client's public keys (JWK Set) for private_key_jwt.
    #[schema(value_type = Option<Object>)]
    jwks: Option<serde_json::Value>,
    /// ES256, RS256 or EdDSA.
    id_token_alg: String,
    version: i64,
    /// Only in the answer to the registration: shown once, kept only as a digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
}

impl From<&OidcClient> for OidcClientJson {
    fn from(client: &OidcClient) -> Self {
        Self {
            id: client.id,
            client_id: client.client_id.clone(),
            application_id: client.application_id,
            environment: client.environment.as_str(),
            name: client.name.clone(),
            public: client.auth_method == tessera_app::ClientAuthMethod::None,
            redirect_uris: client.redirect_uris.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.clone(),
            grant_types: client.grant_types.clone(),
            access_token_seconds: client.access_token_seconds,
            id_token_seconds: client.id_token_seconds,
            refresh_token_seconds: client.refresh_token_seconds,
            auth_method: client.auth_method.as_str(),
            backchannel_logout_uri: client.backchannel_logout_uri.clone(),
            min_assurance: client.min_assurance.map(|a| a.as_str()),
            third_party: client.third_party,
            jwks: client
                .jwks
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok()),
            id_token_alg: client.id_token_alg.clone(),
            version: client.version,
            client_secret: None,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OidcClientList {
    clients: Vec<OidcClientJson>,
}

/// A client's settings: the body of a registration (POST) and of a change (PUT), which
/// also carries the version read. One struct, so unknown fields are refused on both.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOidcClient {
    /// production or pre_production; fixed at registration (ignored on a change).
    #[serde(default)]
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
    /// Where logout tokens are posted (OpenID Connect Back-Channel Logout 1.0).
    backchannel_logout_uri: Option<String>,
    /// low, medium or high: more than the application's minimum, if needed.
    min_assurance: Option<String>,
    /// A third party: each person consents before it receives their data.
    #[serde(default)]
    third_party: bool,
    /// client_secret_basic (the default), client_secret_post or private_key_jwt; none for a public client.
    auth_method: Option<String>,
    /// The client's public keys as a JWK Set, for private_key_jwt.
    #[schema(value_type = Option<Object>)]
    jwks: Option<serde_json::Value>,
    /// ES256 (the default), RS256 or EdDSA.
    id_token_alg: Option<String>,
    /// Changes only: the version read; a stale change is refused with 409.
    version: Option<i64>,
    /// Changes only: issue a new secret (in the answer, once) and forget the old one.
    #[serde(default)]
    new_secret: bool,
}

impl NewOidcClient {
    fn into_input(self, application_id: Uuid) -> ClientInput {
        ClientInput {
            application_id,
            environment: self.environment,
            name: self.name,
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            public: self.public,
            access_token_seconds: self.access_token_seconds,
            id_token_seconds: self.id_token_seconds,
            grant_types: self.grant_types,
            refresh_token_seconds: self.refresh_token_seconds,
            backchannel_logout_uri: self.backchannel_logout_uri.filter(|u| !u.is_empty()),
            min_assurance: self.min_assurance,
            third_party: self.third_party,
            auth_method: self.auth_method,
            jwks: self.jwks.map(|j| j.to_string()),
            id_token_alg: self.id_token_alg,
        }
    }
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
    if body.version.is_some() || body.new_secret {
        return problem(AppError::Invalid(ValidationErrors::single(
            "version",
            "registration",
            "version and new_secret belong to a change (PUT), not to a registration.",
        )));
    }
    let input = body.into_input(id);
    match state.app.register_oidc_client(&caller.ctx, &input).await {
        Ok(registered) => (StatusCode::CREATED, Json(with_secret(registered))).into_response(),
        Err(error) => problem(error),
    }
}

fn with_secret(registered: tessera_app::RegisteredClient) -> OidcClientJson {
    let mut json = OidcClientJson::from(&registered.client);
    json.client_secret = registered.secret;
    json
}

#[utoipa::path(get, path = "/api/v1/oidc-clients/{id}", tag = "applications",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "One OpenID Connect client", body = OidcClientJson),
              (status = 404, description = "No such client", body = Problem)))]
/// GET /api/v1/oidc-clients/{id}
pub async fn client(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match state.app.oidc_client(&caller.ctx, id).await {
        Ok(client) => Json(OidcClientJson::from(&client)).into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(put, path = "/api/v1/oidc-clients/{id}", tag = "applications", request_body = NewOidcClient,
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "Changed; client_secret only when a new one was issued", body = OidcClientJson),
              (status = 409, description = "Changed by someone else meanwhile", body = Problem),
              (status = 422, description = "Invalid settings", body = Problem)))]
/// PUT /api/v1/oidc-clients/{id}
pub async fn change(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    CsrfJson(body): CsrfJson<NewOidcClient>,
) -> Response {
    let Some(version) = body.version else {
        return problem(AppError::Invalid(ValidationErrors::single(
            "version",
            "required",
            "Send the version you read, so a change made meanwhile is not overwritten.",
        )));
    };
    let update = ClientUpdate {
        version,
        new_secret: body.new_secret,
        // The application is the client's own; the use case keeps it and the environment.
        settings: body.into_input(Uuid::nil()),
    };
    match state.app.update_oidc_client(&caller.ctx, id, &update).await {
        Ok(registered) => Json(with_secret(registered)).into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(delete, path = "/api/v1/oidc-clients/{id}", tag = "applications",
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 204, description = "Deleted, with everything issued to it"),
              (status = 404, description = "No such client", body = Problem)))]
/// DELETE /api/v1/oidc-clients/{id}
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    _csrf: crate::csrf::CsrfHeader,
) -> Response {
    match state.app.delete_oidc_client(&caller.ctx, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem(error),
    }
}
