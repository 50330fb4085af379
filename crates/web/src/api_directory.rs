//! The directory in the JSON API: organisation levels and users under /api/v1. Records carry
//! their version as a strong ETag; changes need `If-Match` (428 without it, 412 when stale).
//! Bodies with unknown fields are refused; invalid fields come back as problem+json naming
//! each field (422).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_app::{AppError, LevelChange, UserInput, UserQuery, UserRecord};
use tessera_domain::level::Level;
use tessera_domain::{LevelId, UserId};
use uuid::Uuid;

use crate::api::problem;
use crate::auth::ApiCaller;
use crate::csrf::{CsrfHeader, CsrfJson};
use crate::problem::Problem;
use crate::state::AppState;

pub(crate) fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The version an `If-Match` header names, or the problem to answer.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<i64, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "If-Match is required",
        )
        .detail("Send the ETag of the record you read in If-Match, so that another administrator's change is never overwritten."));
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-if-match",
                "If-Match is not valid",
            )
            .detail("Send the ETag exactly as it was given, e.g. \"3\".")
        })
}

/// A stale version answers 412 here (the client sent If-Match); other errors as usual.
pub(crate) fn answer_error(error: AppError) -> Response {
    match error {
        AppError::Stale => Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "stale",
            "The record was changed by someone else",
        )
        .detail("Read it again, and repeat your change with the new ETag.")
        .into_response(),
        other => problem(other),
    }
}

pub(crate) fn bad_query(rejection: QueryRejection) -> Response {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-query",
        "The query is not valid",
    )
    .detail(rejection.body_text())
    .into_response()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LevelJson {
    #[schema(value_type = String, format = Uuid)]
    id: LevelId,
    #[schema(value_type = Option<String>, format = Uuid)]
    parent_id: Option<LevelId>,
    name: String,
    /// 0 for the root.
    depth: usize,
    version: i64,
}

impl From<&Level> for LevelJson {
    fn from(level: &Level) -> Self {
        Self {
            id: level.id,
            parent_id: level.parent_id,
            name: level.name.clone(),
            depth: level.depth(),
            version: level.version,
        }
    }
}

fn level_answer(status: StatusCode, level: &Level) -> Response {
    let mut response = (status, Json(LevelJson::from(level))).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag(level.version));
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/levels/{}", level.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

#[utoipa::path(get, path = "/api/v1/levels", tag = "levels",
    responses((status = 200, description = "The levels the caller may see, parents first", body = LevelList),
              (status = 401, description = "Not signed in", body = Problem)))]
/// GET /api/v1/levels: the levels the caller may see, parents first.
pub async fn levels(State(state): State<AppState>, caller: ApiCaller) -> Response {
    match state.app.visible_levels(&caller.ctx).await {
        Ok(levels) => {
            let levels: Vec<LevelJson> = levels.iter().map(LevelJson::from).collect();
            Json(json!({"levels": levels})).into_response()
        }
        Err(error) => problem(error),
    }
}

#[utoipa::path(get, path = "/api/v1/levels/{id}", tag = "levels",
    params(("id" = String, Path, format = Uuid, description = "Level id")),
    responses((status = 200, description = "The level; its version in ETag", body = LevelJson),
              (status = 404, description = "No such level, or not visible", body = Problem)))]
pub async fn level(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match state.app.level_for(&caller.ctx, LevelId(id)).await {
        Ok(level) => level_answer(StatusCode::OK, &level),
        Err(error) => problem(error),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLevel {
    #[schema(value_type = String, format = Uuid)]
    parent_id: LevelId,
    name: String,
}

#[utoipa::path(post, path = "/api/v1/levels", tag = "levels", request_body = NewLevel,
    params(("X-CSRF-Token" = String, Header, description = "The tessera_csrf cookie's value")),
    responses((status = 201, description = "Created", body = LevelJson),
              (status = 403, description = "Only operators build levels", body = Problem),
              (status = 422, description = "Invalid fields, each named", body = Problem)))]
pub async fn create_level(
    State(state): State<AppState>,
    caller: ApiCaller,
    CsrfJson(body): CsrfJson<NewLevel>,
) -> Response {
    match state
        .app
        .create_level(&caller.ctx, body.parent_id, &body.name)
        .await
    {
        Ok(level) => level_answer(StatusCode::CREATED, &level),
        Err(error) => problem(error),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelPatch {
    name: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    parent_id: Option<LevelId>,
}

#[utoipa::path(patch, path = "/api/v1/levels/{id}", tag = "levels", request_body = LevelPatch,
    params(("id" = String, Path, format = Uuid), ("If-Match" = String, Header, description = "The ETag read"),
           ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "Renamed and/or moved with everything below", body = LevelJson),
              (status = 412, description = "Changed by someone else meanwhile", body = Problem),
              (status = 422, description = "Invalid name or parent (e.g. below itself)", body = Problem),
              (status = 428, description = "If-Match missing", body = Problem)))]
pub async fn update_level(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    CsrfJson(body): CsrfJson<LevelPatch>,
) -> Response {
    let version = match if_match(&headers) {
        Ok(version) => version,
        Err(problem) => return problem.into_response(),
    };
    let change = LevelChange {
        name: body.name,
        parent_id: body.parent_id,
    };
    match state
        .app
        .update_level(&caller.ctx, LevelId(id), change, version)
        .await
    {
        Ok(level) => level_answer(StatusCode::OK, &level),
        Err(error) => answer_error(error),
    }
}

#[utoipa::path(delete, path = "/api/v1/levels/{id}", tag = "levels",
    params(("id" = String, Path, format = Uuid), ("If-Match" = String, Header), ("X-CSRF-Token" = String, Header)),
    responses((status = 204, description = "Deleted"),
              (status = 409, description = "Not empty: sub-levels, users or administrators", body = Problem),
              (status = 412, description = "Changed meanwhile", body = Problem)))]
pub async fn delete_level(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    _csrf: CsrfHeader,
) -> Response {
    let version = match if_match(&headers) {
        Ok(version) => version,
        Err(problem) => return problem.into_response(),
    };
    match state
        .app
        .delete_level(&caller.ctx, LevelId(id), version)
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => answer_error(error),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserJson {
    #[schema(value_type = String, format = Uuid)]
    id: UserId,
    #[schema(value_type = String, format = Uuid)]
    level_id: LevelId,
    level_name: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: Option<String>,
    company_id: Option<String>,
    /// The day the account stops working (YYYY-MM-DD).
    expires_on: Option<String>,
    language: String,
    /// As of now: an account past its date is "expired".
    status: &'static str,
    roles: Vec<&'static str>,
    version: i64,
}

impl From<&UserRecord> for UserJson {
    fn from(record: &UserRecord) -> Self {
        let user = &record.user;
        Self {
            id: user.id,
            level_id: user.level_id,
            level_name: record.level_name.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone(),
            phone: record.phones.first().cloned(),
            company_id: user.company_id.clone(),
            expires_on: user.expires_at.map(|at| at.date().to_string()),
            language: user.language.clone(),
            status: record.status.as_str(),
            roles: record.roles.iter().map(|r| r.as_str()).collect(),
            version: user.version,
        }
    }
}

async fn user_answer(
    state: &AppState,
    caller: &ApiCaller,
    id: UserId,
    status: StatusCode,
) -> Response {
    match state.app.user_record(&caller.ctx, id).await {
        Ok(record) => {
            let mut response = (status, Json(UserJson::from(&record))).into_response();
            response
                .headers_mut()
                .insert(header::ETAG, etag(record.user.version));
            if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/users/{}", id.0)) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(error) => problem(error),
    }
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "The account; its version in ETag", body = UserJson),
              (status = 404, description = "No such account, or not visible", body = Problem)))]
pub async fn user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
) -> Response {
    user_answer(&state, &caller, UserId(id), StatusCode::OK).await
}

/// The body of POST and PUT /api/v1/users.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    #[schema(value_type = Option<String>, format = Uuid)]
    level_id: Option<LevelId>,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    company_id: Option<String>,
    #[serde(default)]
    expires_on: Option<String>,
    #[serde(default)]
    language: String,
}

impl From<UserBody> for UserInput {
    fn from(body: UserBody) -> Self {
        UserInput {
            level_id: body.level_id,
            first_name: body.first_name,
            last_name: body.last_name,
            email: body.email,
            phone: body.phone.unwrap_or_default(),
            company_id: body.company_id.unwrap_or_default(),
            expires_on: body.expires_on.unwrap_or_default(),
            language: body.language,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserBody,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 201, description = "Created; an invitation e-mail is queued", body = UserJson),
              (status = 403, description = "Not a user administrator of that level", body = Problem),
              (status = 422, description = "Invalid fields, each named", body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    CsrfJson(body): CsrfJson<UserBody>,
) -> Response {
    match state.app.create_user(&caller.ctx, &body.into()).await {
        Ok(user) => user_answer(&state, &caller, user.id, StatusCode::CREATED).await,
        Err(error) => problem(error),
    }
}

#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", request_body = UserBody,
    params(("id" = String, Path, format = Uuid), ("If-Match" = String, Header), ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "Saved", body = UserJson),
              (status = 412, description = "Changed by someone else meanwhile", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem),
              (status = 428, description = "If-Match missing", body = Problem)))]
pub async fn replace_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    CsrfJson(body): CsrfJson<UserBody>,
) -> Response {
    let version = match if_match(&headers) {
        Ok(version) => version,
        Err(problem) => return problem.into_response(),
    };
    match state
        .app
        .update_user(&caller.ctx, UserId(id), &body.into(), version)
        .await
    {
        Ok(user) => user_answer(&state, &caller, user.id, StatusCode::OK).await,
        Err(error) => answer_error(error),
    }
}

#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = String, Path, format = Uuid), ("If-Match" = String, Header), ("X-CSRF-Token" = String, Header)),
    responses((status = 204, description = "Deleted; sessions ended"),
              (status = 409, description = "One's own account, or the last operator", body = Problem),
              (status = 412, description = "Changed meanwhile", body = Problem)))]
pub async fn delete_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    _csrf: CsrfHeader,
) -> Response {
    let version = match if_match(&headers) {
        Ok(version) => version,
        Err(problem) => return problem.into_response(),
    };
    match state
        .app
        .delete_user(&caller.ctx, UserId(id), Some(version))
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => answer_error(error),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct UserSearchQuery {
    level_id: Option<Uuid>,
    include_sub_levels: bool,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    /// Only holders of this group.
    group_id: Option<Uuid>,
    sort: String,
    after: String,
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserSearchQuery),
    responses((status = 200, description = "One page; `next` continues (as `after`)", body = UserList),
              (status = 400, description = "Bad query or cursor", body = Problem)))]
/// GET /api/v1/users: the Users page's search.
pub async fn users(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<UserSearchQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(rejection) => return bad_query(rejection),
    };
    let after = match query.after.as_str() {
        "" => None,
        text => match crate::cursor::decode(text) {
            Some(cursor) => Some(cursor),
            None => {
                return Problem::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-cursor",
                    "The cursor is not valid",
                )
                .detail("Pass back the `next` value of the previous page unchanged.")
                .into_response();
            }
        },
    };
    let search = UserQuery {
        level_id: query.level_id.map(LevelId),
        include_sub_levels: query.include_sub_levels,
        first_name: query.first_name,
        last_name: query.last_name,
        email: query.email,
        phone: query.phone,
        group_id: query.group_id,
        sort: query.sort,
        after,
        limit: query.limit.unwrap_or(50),
    };
    match state.app.search_users(&caller.ctx, &search).await {
        Ok(page) => {
            let users: Vec<serde_json::Value> = page
                .hits
                .iter()
                .map(|hit| {
                    json!({
                        "id": hit.user.id,
                        "level_id": hit.user.level_id,
                        "level_name": hit.level_name,
                        "first_name": hit.user.first_name,
                        "last_name": hit.user.last_name,
                        "email": hit.user.email,
                        "status": state.app.status_of(&hit.user).as_str(),
                        "version": hit.user.version,
                    })
                })
                .collect();
            let next = page.next.map(|(key, id)| crate::cursor::encode(&key, id));
            Json(json!({"users": users, "next": next})).into_response()
        }
        Err(error) => problem(error),
    }
}

/// The answer of GET /api/v1/levels.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LevelList {
    pub levels: Vec<LevelJson>,
}

/// The answer of GET /api/v1/users.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserList {
    /// id, level_id, level_name, first_name, last_name, email, status, version of each.
    pub users: Vec<serde_json::Value>,
    /// Pass as `after` for the next page; null on the last.
    pub next: Option<String>,
}
