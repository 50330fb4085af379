//! Whether each environment of an application accepts external (self-registered) accounts:
//! the section of the application page, its form, and the JSON API.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tessera_domain::application::Environment;
use uuid::Uuid;

use crate::api::problem;
use crate::auth::{ApiCaller, SignedIn};
use crate::csrf::{CsrfForm, CsrfJson};
use crate::error::PageError;
use crate::state::AppState;

/// One environment's line of the section.
pub struct ExternalRow {
    pub environment: &'static str,
    pub label: &'static str,
    pub accepts: bool,
}

/// The section of the application page (`admin_external_section.html`).
pub struct ExternalSection {
    pub rows: Vec<ExternalRow>,
}

pub async fn section(
    state: &AppState,
    me: &SignedIn,
    id: Uuid,
) -> Result<ExternalSection, PageError> {
    let accepting = state.app.external_environments(&me.ctx, id).await?;
    Ok(ExternalSection {
        rows: Environment::ALL
            .into_iter()
            .map(|env| ExternalRow {
                environment: env.as_str(),
                label: env.label(),
                accepts: accepting.contains(&env),
            })
            .collect(),
    })
}

fn environment(raw: &str) -> Result<Environment, PageError> {
    Environment::parse(raw)
        .ok_or_else(|| PageError::bad_request("The environment is production or pre_production."))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExternalForm {
    csrf: String,
    /// Present when the box is ticked.
    accepts: Option<String>,
}

crate::csrf::csrf_protected!(ExternalForm);

/// POST /admin/applications/{id}/external/{environment}
pub async fn save(
    State(state): State<AppState>,
    Path((id, env)): Path<(Uuid, String)>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<ExternalForm>,
) -> Result<Response, PageError> {
    let env = environment(&env)?;
    state
        .app
        .set_accepts_external(&me.ctx, id, env, form.accepts.is_some())
        .await?;
    Ok(Redirect::to(&format!("/admin/applications/{id}?done=external")).into_response())
}

/// Whether an environment accepts external accounts, as the API shows and takes it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalBody {
    pub accepts_external: bool,
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/environments/{environment}/external", tag = "applications",
    params(("id" = String, Path, format = Uuid), ("environment" = String, Path, description = "production or pre_production")),
    responses((status = 200, description = "Whether the environment accepts external (self-registered) accounts", body = ExternalBody),
              (status = 404, description = "No such application", body = crate::problem::Problem)))]
/// GET /api/v1/applications/{id}/environments/{environment}/external
pub async fn api_get(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, env)): Path<(Uuid, String)>,
) -> Response {
    let Some(env) = Environment::parse(&env) else {
        return PageError::bad_request("The environment is production or pre_production.")
            .problem()
            .into_response();
    };
    match state.app.external_environments(&caller.ctx, id).await {
        Ok(accepting) => Json(ExternalBody {
            accepts_external: accepting.contains(&env),
        })
        .into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(put, path = "/api/v1/applications/{id}/environments/{environment}/external", tag = "applications",
    request_body = ExternalBody,
    params(("id" = String, Path, format = Uuid), ("environment" = String, Path, description = "production or pre_production"),
           ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "The setting as saved", body = ExternalBody),
              (status = 403, description = "Operators only", body = crate::problem::Problem)))]
/// PUT /api/v1/applications/{id}/environments/{environment}/external
pub async fn api_put(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, env)): Path<(Uuid, String)>,
    CsrfJson(body): CsrfJson<ExternalBody>,
) -> Response {
    let Some(env) = Environment::parse(&env) else {
        return PageError::bad_request("The environment is production or pre_production.")
            .problem()
            .into_response();
    };
    match state
        .app
        .set_accepts_external(&caller.ctx, id, env, body.accepts_external)
        .await
    {
        Ok(()) => Json(body).into_response(),
        Err(error) => problem(error),
    }
}
