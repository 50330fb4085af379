//! Administrators in the JSON API: nominations (made by user administrators or operators,
//! decided by operators) and direct appointment and revocation by operators.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use tessera_domain::role::Role;
use tessera_domain::{FieldError, LevelId, UserId};
use uuid::Uuid;

use crate::api::problem;
use crate::auth::ApiCaller;
use crate::csrf::{CsrfHeader, CsrfJson};
use crate::problem::Problem;
use crate::state::AppState;

fn role_of(text: &str) -> Result<Role, Problem> {
    Role::parse(text).ok_or_else(|| {
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "The input is not valid",
        );
        problem.errors = vec![FieldError {
            field: "role",
            code: "invalid",
            message: "Choose user_admin, access_admin or operator.".into(),
        }];
        problem
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    #[schema(value_type = String, format = Uuid)]
    user_id: UserId,
    /// user_admin, access_admin (or operator, for appointments)
    role: String,
    #[schema(value_type = String, format = Uuid)]
    level_id: LevelId,
}

#[utoipa::path(post, path = "/api/v1/nominations", tag = "administrators", request_body = RoleBody,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 201, description = "Pending an operator's decision", body = Object),
              (status = 403, description = "Not a user administrator there, or oneself", body = Problem),
              (status = 409, description = "Already held or already pending", body = Problem)))]
/// POST /api/v1/nominations
pub async fn nominate(
    State(state): State<AppState>,
    caller: ApiCaller,
    CsrfJson(body): CsrfJson<RoleBody>,
) -> Response {
    let role = match role_of(&body.role) {
        Ok(role) => role,
        Err(problem) => return problem.into_response(),
    };
    match state
        .app
        .nominate(&caller.ctx, body.user_id, role, body.level_id)
        .await
    {
        Ok(id) => (
            StatusCode::CREATED,
            Json(json!({"id": id, "state": "pending"})),
        )
            .into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(get, path = "/api/v1/nominations", tag = "administrators",
    responses((status = 200, description = "Pending nominations the caller may see", body = Object)))]
/// GET /api/v1/nominations: pending nominations the caller may see.
pub async fn pending(State(state): State<AppState>, caller: ApiCaller) -> Response {
    match state.app.pending_nominations(&caller.ctx).await {
        Ok(list) => {
            let items: Vec<serde_json::Value> = list
                .iter()
                .map(|n| {
                    json!({
                        "id": n.id,
                        "user_id": n.user_id,
                        "user_name": n.user_name,
                        "user_email": n.user_email,
                        "role": n.role.as_str(),
                        "level_id": n.level_id,
                        "level_name": n.level_name,
                        "state": n.state,
                    })
                })
                .collect();
            Json(json!({"nominations": items})).into_response()
        }
        Err(error) => problem(error),
    }
}

async fn decide(state: &AppState, caller: &ApiCaller, id: Uuid, confirm: bool) -> Response {
    match state.app.decide_nomination(&caller.ctx, id, confirm).await {
        Ok(()) => Json(json!({
            "id": id,
            "state": if confirm { "confirmed" } else { "rejected" },
        }))
        .into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(post, path = "/api/v1/nominations/{id}/confirm", tag = "administrators",
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "Confirmed: the role is granted", body = Object),
              (status = 403, description = "Only operators decide, never on their own roles", body = Problem),
              (status = 409, description = "Decided already", body = Problem)))]
/// POST /api/v1/nominations/{id}/confirm
pub async fn confirm(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    _csrf: CsrfHeader,
) -> Response {
    decide(&state, &caller, id, true).await
}

#[utoipa::path(post, path = "/api/v1/nominations/{id}/reject", tag = "administrators",
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "Rejected", body = Object),
              (status = 409, description = "Decided already", body = Problem)))]
/// POST /api/v1/nominations/{id}/reject
pub async fn reject(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    _csrf: CsrfHeader,
) -> Response {
    decide(&state, &caller, id, false).await
}

#[utoipa::path(post, path = "/api/v1/roles", tag = "administrators", request_body = RoleBody,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 201, description = "Granted"),
              (status = 403, description = "Only operators appoint, never themselves", body = Problem)))]
/// POST /api/v1/roles: an operator appoints directly.
pub async fn appoint(
    State(state): State<AppState>,
    caller: ApiCaller,
    CsrfJson(body): CsrfJson<RoleBody>,
) -> Response {
    let role = match role_of(&body.role) {
        Ok(role) => role,
        Err(problem) => return problem.into_response(),
    };
    match state
        .app
        .appoint(&caller.ctx, body.user_id, role, body.level_id)
        .await
    {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(delete, path = "/api/v1/roles/{user_id}/{role}/{level_id}", tag = "administrators",
    params(("user_id" = String, Path, format = Uuid), ("role" = String, Path), ("level_id" = String, Path, format = Uuid),
           ("X-CSRF-Token" = String, Header)),
    responses((status = 204, description = "Revoked"),
              (status = 409, description = "The last operator stays", body = Problem)))]
/// DELETE /api/v1/roles/{user_id}/{role}/{level_id}: an operator revokes.
pub async fn revoke(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user, role, level)): Path<(Uuid, String, Uuid)>,
    _csrf: CsrfHeader,
) -> Response {
    let role = match role_of(&role) {
        Ok(role) => role,
        Err(problem) => return problem.into_response(),
    };
    match state
        .app
        .revoke(&caller.ctx, UserId(user), role, LevelId(level))
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem(error),
    }
}
