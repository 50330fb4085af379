//! CSV export and import of the users of a level:
//! `GET /api/v1/levels/{id}/users.csv` and `POST` of the same (with `?dry_run=true` to check
//! only). An import answers a JSON report naming each invalid row's line; it writes nothing
//! unless every row is valid.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use tessera_domain::LevelId;
use uuid::Uuid;

use crate::api::problem;
use crate::auth::ApiCaller;
use crate::csrf::CsrfHeader;
use crate::problem::Problem;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/levels/{id}/users.csv", tag = "users",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "first_name,last_name,email,phone,company_id,expires_on,language", content_type = "text/csv", body = String),
              (status = 404, description = "No such level, or not visible", body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match state.app.export_users(&caller.ctx, LevelId(id)).await {
        Ok(csv) => {
            let mut response = csv.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"users.csv\""),
            );
            response
        }
        Err(error) => problem(error),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct ImportParams {
    dry_run: bool,
}

#[utoipa::path(post, path = "/api/v1/levels/{id}/users.csv", tag = "users",
    request_body(content = String, content_type = "text/csv"),
    params(("id" = String, Path, format = Uuid), ImportParams, ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "All rows valid (and created, unless a dry run)", body = Object),
              (status = 422, description = "Every invalid row with its line and field; nothing written", body = Object)))]
pub async fn import(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    Query(params): Query<ImportParams>,
    _csrf: CsrfHeader,
    body: String,
) -> Response {
    if body.trim().is_empty() {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "empty-body",
            "The CSV file is empty",
        )
        .detail("Send the CSV text as the body, with a header row first.")
        .into_response();
    }
    match state
        .app
        .import_users(&caller.ctx, LevelId(id), &body, params.dry_run)
        .await
    {
        Ok(report) => {
            let errors: Vec<serde_json::Value> = report
                .errors
                .iter()
                .map(|e| json!({"line": e.line, "field": e.field, "message": e.message}))
                .collect();
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let body = json!({
                "rows": report.rows,
                "created": report.created,
                "dry_run": report.dry_run,
                "errors": errors,
            });
            (status, Json(body)).into_response()
        }
        Err(error) => problem(error),
    }
}
