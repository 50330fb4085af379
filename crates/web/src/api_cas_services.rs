//! CAS services in the JSON API (operators): register a service for one environment of an
//! application and list an application's services; read, change or delete one service.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tessera_app::{CasService, CasServiceInput, CasServiceUpdate};
use uuid::Uuid;

use crate::api::problem;
use crate::auth::ApiCaller;
use crate::csrf::CsrfJson;
use crate::problem::Problem;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CasServiceJson {
    id: Uuid,
    application_id: Uuid,
    /// production or pre_production: the service sees only this environment's memberships.
    environment: &'static str,
    name: String,
    service_url: String,
    /// exact or prefix (same scheme, host and port).
    match_kind: String,
    proxy_allowed: bool,
    single_logout_url: Option<String>,
    version: i64,
}

impl From<&CasService> for CasServiceJson {
    fn from(service: &CasService) -> Self {
        Self {
            id: service.id,
            application_id: service.application_id,
            environment: service.environment.as_str(),
            name: service.name.clone(),
            service_url: service.service_url.clone(),
            match_kind: service.match_kind.clone(),
            proxy_allowed: service.proxy_allowed,
            single_logout_url: service.single_logout_url.clone(),
            version: service.version,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CasServiceList {
    services: Vec<CasServiceJson>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCasService {
    /// production or pre_production.
    environment: String,
    name: String,
    /// https, or http only to localhost; no fragment.
    service_url: String,
    /// exact (when left out) or prefix.
    match_kind: Option<String>,
    #[serde(default)]
    proxy_allowed: bool,
    single_logout_url: Option<String>,
}

impl NewCasService {
    fn into_input(self, application_id: Uuid) -> CasServiceInput {
        CasServiceInput {
            application_id,
            environment: self.environment,
            name: self.name,
            service_url: self.service_url,
            match_kind: self.match_kind,
            proxy_allowed: self.proxy_allowed,
            single_logout_url: self.single_logout_url.filter(|u| !u.is_empty()),
        }
    }
}

/// Every setting, as at registration, and the version read. Spelled out rather than
/// flattened: serde ignores unknown fields of a flattened struct, and these are refused.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasServiceChange {
    /// The service's environment; it cannot change, and what is sent is ignored.
    environment: Option<String>,
    name: String,
    /// https, or http only to localhost; no fragment.
    service_url: String,
    /// exact (when left out) or prefix.
    match_kind: Option<String>,
    #[serde(default)]
    proxy_allowed: bool,
    /// Left out, null or empty: no single logout.
    single_logout_url: Option<String>,
    /// The version read: a stale change is refused with 409.
    version: i64,
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/cas-services", tag = "applications",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "The application's CAS services", body = CasServiceList),
              (status = 403, description = "Operators only", body = Problem)))]
/// GET /api/v1/applications/{id}/cas-services
pub async fn services(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match state.app.cas_services(&caller.ctx, id).await {
        Ok(services) => Json(CasServiceList {
            services: services.iter().map(CasServiceJson::from).collect(),
        })
        .into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/cas-services", tag = "applications", request_body = NewCasService,
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 201, description = "Registered", body = CasServiceJson),
              (status = 422, description = "Invalid environment, name, URLs or match kind", body = Problem)))]
/// POST /api/v1/applications/{id}/cas-services
pub async fn register(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    CsrfJson(body): CsrfJson<NewCasService>,
) -> Response {
    let input = body.into_input(id);
    match state.app.register_cas_service(&caller.ctx, &input).await {
        Ok(service) => (StatusCode::CREATED, Json(CasServiceJson::from(&service))).into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(get, path = "/api/v1/cas-services/{id}", tag = "applications",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "One CAS service", body = CasServiceJson),
              (status = 403, description = "Operators only", body = Problem),
              (status = 404, description = "No such service", body = Problem)))]
/// GET /api/v1/cas-services/{id}
pub async fn service(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match state.app.cas_service(&caller.ctx, id).await {
        Ok(service) => Json(CasServiceJson::from(&service)).into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(put, path = "/api/v1/cas-services/{id}", tag = "applications", request_body = CasServiceChange,
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "Changed", body = CasServiceJson),
              (status = 403, description = "Operators only", body = Problem),
              (status = 404, description = "No such service", body = Problem),
              (status = 409, description = "Changed by someone else meanwhile", body = Problem),
              (status = 422, description = "Invalid name, URLs or match kind", body = Problem)))]
/// PUT /api/v1/cas-services/{id}
pub async fn change(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    CsrfJson(body): CsrfJson<CasServiceChange>,
) -> Response {
    let settings = NewCasService {
        environment: body.environment.unwrap_or_default(),
        name: body.name,
        service_url: body.service_url,
        match_kind: body.match_kind,
        proxy_allowed: body.proxy_allowed,
        single_logout_url: body.single_logout_url,
    };
    let update = CasServiceUpdate {
        // The use case keeps the service's own application and environment.
        settings: settings.into_input(Uuid::nil()),
        version: body.version,
    };
    match state.app.update_cas_service(&caller.ctx, id, &update).await {
        Ok(service) => Json(CasServiceJson::from(&service)).into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(delete, path = "/api/v1/cas-services/{id}", tag = "applications",
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 204, description = "Deleted, with its unvalidated tickets"),
              (status = 403, description = "Operators only", body = Problem),
              (status = 404, description = "No such service", body = Problem)))]
/// DELETE /api/v1/cas-services/{id}
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    _csrf: crate::csrf::CsrfHeader,
) -> Response {
    match state.app.delete_cas_service(&caller.ctx, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem(error),
    }
}
