//! CAS services in the JSON API (operators): register a service for one environment of an
//! application and list an application's services.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tessera_app::{CasService, CasServiceInput};
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
    let input = CasServiceInput {
        application_id: id,
        environment: body.environment,
        name: body.name,
        service_url: body.service_url,
        match_kind: body.match_kind,
        proxy_allowed: body.proxy_allowed,
        single_logout_url: body.single_logout_url,
    };
    match state.app.register_cas_service(&caller.ctx, &input).await {
        Ok(service) => (StatusCode::CREATED, Json(CasServiceJson::from(&service))).into_response(),
        Err(error) => problem(error),
    }
}
