//! Applications in the JSON API (operators): the application with its version as an ETag
//! (changes name it in `If-Match` or as `version` in the body), its tile per environment, its
//! groups (technical names derived by Tessera) and the levels whose subtrees may be granted
//! each group. Bodies with unknown fields are refused; invalid fields come back as
//! problem+json naming each field.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tessera_app::{ApplicationDetail, ApplicationInput, GroupDetail, TileInput};
use tessera_domain::LevelId;
use tessera_domain::application::{Application, Group, Tile};
use uuid::Uuid;

use crate::api::problem;
use crate::api_directory::{answer_error, etag, if_match};
use crate::auth::ApiCaller;
use crate::csrf::{CsrfHeader, CsrfJson};
use crate::problem::Problem;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationJson {
    id: Uuid,
    /// Upper-case code that starts its groups' technical names.
    code: String,
    name: String,
    description: String,
    /// low, medium or high.
    min_assurance: &'static str,
    version: i64,
}

impl From<&Application> for ApplicationJson {
    fn from(app: &Application) -> Self {
        Self {
            id: app.id,
            code: app.code.clone(),
            name: app.name.clone(),
            description: app.description.clone(),
            min_assurance: app.min_assurance.as_str(),
            version: app.version,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TileJson {
    /// production or pre_production.
    environment: &'static str,
    label: String,
    /// Empty: My Apps shows the label's first letter.
    icon: String,
    launch_url: String,
}

impl From<&Tile> for TileJson {
    fn from(tile: &Tile) -> Self {
        Self {
            environment: tile.environment.as_str(),
            label: tile.label.clone(),
            icon: tile.icon.clone(),
            launch_url: tile.launch_url.clone(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LevelRef {
    #[schema(value_type = String, format = Uuid)]
    id: LevelId,
    name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupJson {
    id: Uuid,
    application_id: Uuid,
    /// production or pre_production.
    environment: &'static str,
    /// Derived: CODE_ROLE, with the prefix A- in pre-production.
    technical_name: String,
    /// The role part, shown to people.
    display_name: String,
    description: String,
    /// The levels whose subtrees may be granted it (in an application's detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    levels: Option<Vec<LevelRef>>,
    /// How many people hold it now (in an application's detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    members: Option<i64>,
}

impl From<&Group> for GroupJson {
    fn from(group: &Group) -> Self {
        Self {
            id: group.id,
            application_id: group.application_id,
            environment: group.environment.as_str(),
            technical_name: group.technical_name.clone(),
            display_name: group.display_name().to_owned(),
            description: group.description.clone(),
            levels: None,
            members: None,
        }
    }
}

impl From<&GroupDetail> for GroupJson {
    fn from(detail: &GroupDetail) -> Self {
        Self {
            levels: Some(
                detail
                    .levels
                    .iter()
                    .map(|(id, name)| LevelRef {
                        id: *id,
                        name: name.clone(),
                    })
                    .collect(),
            ),
            members: Some(detail.members),
            ..GroupJson::from(&detail.group)
        }
    }
}

/// An application with its tiles and groups.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationDetailJson {
    #[serde(flatten)]
    application: ApplicationJson,
    tiles: Vec<TileJson>,
    groups: Vec<GroupJson>,
}

/// The answer of GET /api/v1/applications.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationList {
    applications: Vec<ApplicationJson>,
}

fn detail_answer(status: StatusCode, detail: &ApplicationDetail) -> Response {
    let body = ApplicationDetailJson {
        application: ApplicationJson::from(&detail.application),
        tiles: detail.tiles.iter().map(TileJson::from).collect(),
        groups: detail.groups.iter().map(GroupJson::from).collect(),
    };
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag(detail.application.version));
    if let Ok(location) =
        HeaderValue::from_str(&format!("/api/v1/applications/{}", detail.application.id))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

async fn answer_detail(
    state: &AppState,
    caller: &ApiCaller,
    id: Uuid,
    status: StatusCode,
) -> Response {
    match state.app.application_detail(&caller.ctx, id).await {
        Ok(detail) => detail_answer(status, &detail),
        Err(error) => problem(error),
    }
}

#[utoipa::path(get, path = "/api/v1/applications", tag = "applications",
    responses((status = 200, description = "Every application", body = ApplicationList),
              (status = 403, description = "Operators only", body = Problem)))]
/// GET /api/v1/applications
pub async fn applications(State(state): State<AppState>, caller: ApiCaller) -> Response {
    match state.app.applications(&caller.ctx).await {
        Ok(list) => Json(ApplicationList {
            applications: list.iter().map(ApplicationJson::from).collect(),
        })
        .into_response(),
        Err(error) => problem(error),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    code: String,
    name: String,
    #[serde(default)]
    description: String,
    /// low (the default), medium or high.
    #[serde(default)]
    min_assurance: String,
}

#[utoipa::path(post, path = "/api/v1/applications", tag = "applications", request_body = NewApplication,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 201, description = "Registered; its version in ETag", body = ApplicationDetailJson),
              (status = 403, description = "Operators only", body = Problem),
              (status = 422, description = "Invalid fields (a code taken, ...), each named", body = Problem)))]
/// POST /api/v1/applications
pub async fn create_application(
    State(state): State<AppState>,
    caller: ApiCaller,
    CsrfJson(body): CsrfJson<NewApplication>,
) -> Response {
    let input = ApplicationInput {
        code: body.code,
        name: body.name,
        description: body.description,
        min_assurance: body.min_assurance,
    };
    match state.app.create_application(&caller.ctx, &input).await {
        Ok(app) => answer_detail(&state, &caller, app.id, StatusCode::CREATED).await,
        Err(error) => problem(error),
    }
}

#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "The application, its tiles and groups; its version in ETag", body = ApplicationDetailJson),
              (status = 404, description = "No such application", body = Problem)))]
/// GET /api/v1/applications/{id}
pub async fn application(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
) -> Response {
    answer_detail(&state, &caller, id, StatusCode::OK).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationPatch {
    name: Option<String>,
    description: Option<String>,
    min_assurance: Option<String>,
    /// The version read, when If-Match is not sent.
    version: Option<i64>,
}

#[utoipa::path(patch, path = "/api/v1/applications/{id}", tag = "applications", request_body = ApplicationPatch,
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header, description = "The ETag read (or `version` in the body)"),
           ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "Saved (the code never changes)", body = ApplicationDetailJson),
              (status = 412, description = "Changed by someone else meanwhile", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem),
              (status = 428, description = "Neither If-Match nor version", body = Problem)))]
/// PATCH /api/v1/applications/{id}
pub async fn update_application(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    CsrfJson(body): CsrfJson<ApplicationPatch>,
) -> Response {
    let version = match (headers.contains_key(header::IF_MATCH), body.version) {
        (false, Some(version)) => version,
        _ => match if_match(&headers) {
            Ok(version) => version,
            Err(problem) => return problem.into_response(),
        },
    };
    let current = match state.app.application_detail(&caller.ctx, id).await {
        Ok(detail) => detail.application,
        Err(error) => return problem(error),
    };
    // Fields left out keep their value.
    let input = ApplicationInput {
        code: current.code,
        name: body.name.unwrap_or(current.name),
        description: body.description.unwrap_or(current.description),
        min_assurance: body
            .min_assurance
            .unwrap_or_else(|| current.min_assurance.as_str().to_owned()),
    };
    match state
        .app
        .update_application(&caller.ctx, id, &input, version)
        .await
    {
        Ok(_) => answer_detail(&state, &caller, id, StatusCode::OK).await,
        Err(error) => answer_error(error),
    }
}

#[utoipa::path(delete, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 204, description = "Deleted with its tiles and groups"),
              (status = 409, description = "Somebody still holds one of its groups", body = Problem)))]
/// DELETE /api/v1/applications/{id}
pub async fn delete_application(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    _csrf: CsrfHeader,
) -> Response {
    match state.app.delete_application(&caller.ctx, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem(error),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TileBody {
    label: String,
    /// An https:// image address or a path on this server; empty for none.
    #[serde(default)]
    icon: String,
    launch_url: String,
}

#[utoipa::path(put, path = "/api/v1/applications/{id}/tiles/{environment}", tag = "applications", request_body = TileBody,
    params(("id" = String, Path, format = Uuid), ("environment" = String, Path, description = "production or pre_production"),
           ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "The tile as saved", body = TileJson),
              (status = 422, description = "Invalid fields (environment, label, icon, launch_url)", body = Problem)))]
/// PUT /api/v1/applications/{id}/tiles/{environment}
pub async fn put_tile(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, environment)): Path<(Uuid, String)>,
    CsrfJson(body): CsrfJson<TileBody>,
) -> Response {
    let input = TileInput {
        label: body.label,
        icon: body.icon,
        launch_url: body.launch_url,
    };
    match state
        .app
        .put_tile(&caller.ctx, id, &environment, &input)
        .await
    {
        Ok(tile) => Json(TileJson::from(&tile)).into_response(),
        Err(error) => problem(error),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// production or pre_production.
    environment: String,
    /// The role part only (WEB_DATA_SUBMITTER): Tessera adds the code and, in
    /// pre-production, the prefix A-.
    role: String,
    #[serde(default)]
    description: String,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/groups", tag = "applications", request_body = NewGroup,
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 201, description = "Created, with its derived technical name", body = GroupJson),
              (status = 422, description = "Invalid or taken role, invalid environment", body = Problem)))]
/// POST /api/v1/applications/{id}/groups
pub async fn create_group(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    CsrfJson(body): CsrfJson<NewGroup>,
) -> Response {
    match state
        .app
        .create_group(
            &caller.ctx,
            id,
            &body.environment,
            &body.role,
            &body.description,
        )
        .await
    {
        Ok(group) => (StatusCode::CREATED, Json(GroupJson::from(&group))).into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(delete, path = "/api/v1/groups/{id}", tag = "applications",
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 204, description = "Deleted"),
              (status = 409, description = "Somebody still holds it", body = Problem)))]
/// DELETE /api/v1/groups/{id}
pub async fn delete_group(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    _csrf: CsrfHeader,
) -> Response {
    match state.app.delete_group(&caller.ctx, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem(error),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupLevels {
    /// The levels whose subtrees may be granted the group (replaces the previous list).
    #[schema(value_type = Vec<String>)]
    level_ids: Vec<LevelId>,
}

/// The answer of PUT /api/v1/groups/{id}/levels.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupLevelsJson {
    group_id: Uuid,
    #[schema(value_type = Vec<String>)]
    level_ids: Vec<LevelId>,
}

#[utoipa::path(put, path = "/api/v1/groups/{id}/levels", tag = "applications", request_body = GroupLevels,
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "Saved", body = GroupLevelsJson),
              (status = 404, description = "No such group", body = Problem),
              (status = 422, description = "Unknown levels", body = Problem)))]
/// PUT /api/v1/groups/{id}/levels
pub async fn set_group_levels(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    CsrfJson(body): CsrfJson<GroupLevels>,
) -> Response {
    match state
        .app
        .set_group_levels(&caller.ctx, id, &body.level_ids)
        .await
    {
        Ok(()) => {
            let mut level_ids = body.level_ids;
            level_ids.sort();
            level_ids.dedup();
            Json(GroupLevelsJson {
                group_id: id,
                level_ids,
            })
            .into_response()
        }
        Err(error) => problem(error),
    }
}

/// A problem for an unreadable field value, naming the field (422 like every invalid field).
pub(crate) fn invalid_field(field: &'static str, message: impl Into<String>) -> Response {
    let mut problem = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-input",
        "The input is not valid",
    );
    problem.errors = vec![tessera_domain::FieldError {
        field,
        code: "invalid",
        message: message.into(),
    }];
    problem.into_response()
}
