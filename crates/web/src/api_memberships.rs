//! Memberships in the JSON API: what a person holds, the groups the caller may grant them,
//! additions and removals saved together (all or nothing), and one group granted to many
//! people at once (all or nothing). Access administrators act on the people of their subtree
//! and only with the groups granted to it; operators with any group.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tessera_app::{Addition, MembershipsView};
use tessera_domain::UserId;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::api::problem;
use crate::api_applications::{GroupJson, invalid_field};
use crate::api_directory::bad_query;
use crate::auth::ApiCaller;
use crate::csrf::CsrfJson;
use crate::pages::memberships::parse_expiry;
use crate::problem::Problem;
use crate::state::AppState;

const EXPIRY_HELP: &str = "Send expires_at as an RFC 3339 time (2030-12-31T00:00:00Z) or a day (2030-12-31), or leave it out.";

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MembershipJson {
    group: GroupJson,
    application_code: String,
    application_name: String,
    /// RFC 3339.
    granted_at: String,
    /// RFC 3339; from then on the membership no longer counts.
    expires_at: Option<String>,
    /// Whether the caller may remove it.
    removable: bool,
}

/// The answer of GET and POST /api/v1/users/{id}/memberships.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MembershipList {
    user_id: Uuid,
    first_name: String,
    last_name: String,
    level_name: String,
    /// Those that count now, by technical name.
    memberships: Vec<MembershipJson>,
}

impl From<&MembershipsView> for MembershipList {
    fn from(view: &MembershipsView) -> Self {
        Self {
            user_id: view.user.id.0,
            first_name: view.user.first_name.clone(),
            last_name: view.user.last_name.clone(),
            level_name: view.level_name.clone(),
            memberships: view
                .held
                .iter()
                .map(|(held, removable)| MembershipJson {
                    group: GroupJson::from(&held.group),
                    application_code: held.application_code.clone(),
                    application_name: held.application_name.clone(),
                    granted_at: rfc3339(held.membership.granted_at),
                    expires_at: held.membership.expires_at.map(rfc3339),
                    removable: *removable,
                })
                .collect(),
        }
    }
}

async fn answer_memberships(state: &AppState, caller: &ApiCaller, user: UserId) -> Response {
    match state.app.memberships_view(&caller.ctx, user).await {
        Ok(view) => Json(MembershipList::from(&view)).into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(get, path = "/api/v1/users/{id}/memberships", tag = "memberships",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "The person's memberships that count now", body = MembershipList),
              (status = 404, description = "No such person, or not in the caller's subtree", body = Problem)))]
/// GET /api/v1/users/{id}/memberships
pub async fn memberships(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
) -> Response {
    answer_memberships(&state, &caller, UserId(id)).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdditionBody {
    group_id: Uuid,
    /// RFC 3339 time or a day (YYYY-MM-DD, from its start, UTC); in the future.
    #[serde(default)]
    expires_at: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipChanges {
    #[serde(default)]
    add: Vec<AdditionBody>,
    /// Group ids to remove.
    #[serde(default)]
    remove: Vec<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/memberships", tag = "memberships", request_body = MembershipChanges,
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "Saved, all or nothing; the memberships now", body = MembershipList),
              (status = 403, description = "A group the caller may not grant or remove for this person", body = Problem),
              (status = 404, description = "No such person, or not in the caller's subtree", body = Problem),
              (status = 422, description = "Unknown groups, an expiry not in the future", body = Problem)))]
/// POST /api/v1/users/{id}/memberships
pub async fn change_memberships(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    CsrfJson(body): CsrfJson<MembershipChanges>,
) -> Response {
    let mut additions = Vec::with_capacity(body.add.len());
    for addition in &body.add {
        let Ok(expires_at) = parse_expiry(addition.expires_at.as_deref().unwrap_or("")) else {
            return invalid_field("expires_at", EXPIRY_HELP);
        };
        additions.push(Addition {
            group_id: addition.group_id,
            expires_at,
        });
    }
    match state
        .app
        .save_memberships(&caller.ctx, UserId(id), &additions, &body.remove)
        .await
    {
        Ok(()) => answer_memberships(&state, &caller, UserId(id)).await,
        Err(error) => problem(error),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct AssignableQuery {
    /// Part of a technical name, display name or application name (e.g. casper).
    search: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignableJson {
    #[serde(flatten)]
    group: GroupJson,
    application_name: String,
    /// The person holds it already.
    held: bool,
}

/// The answer of GET /api/v1/users/{id}/assignable-groups.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignableList {
    groups: Vec<AssignableJson>,
}

#[utoipa::path(get, path = "/api/v1/users/{id}/assignable-groups", tag = "memberships",
    params(("id" = String, Path, format = Uuid), AssignableQuery),
    responses((status = 200, description = "The groups the caller may grant to this person", body = AssignableList),
              (status = 404, description = "No such person, or not in the caller's subtree", body = Problem)))]
/// GET /api/v1/users/{id}/assignable-groups?search=
pub async fn assignable_groups(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    query: Result<Query<AssignableQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(rejection) => return bad_query(rejection),
    };
    match state
        .app
        .assignable_groups(&caller.ctx, UserId(id), &query.search)
        .await
    {
        Ok(groups) => Json(AssignableList {
            groups: groups
                .iter()
                .map(|g| AssignableJson {
                    group: GroupJson::from(&g.group),
                    application_name: g.application_name.clone(),
                    held: g.held,
                })
                .collect(),
        })
        .into_response(),
        Err(error) => problem(error),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkGrant {
    /// At most 10,000 people.
    user_ids: Vec<Uuid>,
    /// RFC 3339 time or a day (YYYY-MM-DD); for every one of them.
    #[serde(default)]
    expires_at: Option<String>,
}

/// The answer of POST /api/v1/groups/{id}/memberships.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkGranted {
    group_id: Uuid,
    /// How many people were granted it (or had their expiry changed).
    granted: usize,
}

#[utoipa::path(post, path = "/api/v1/groups/{id}/memberships", tag = "memberships", request_body = BulkGrant,
    params(("id" = String, Path, format = Uuid), ("X-CSRF-Token" = String, Header)),
    responses((status = 200, description = "Granted to every one of them, in one transaction", body = BulkGranted),
              (status = 403, description = "The caller may not grant this group to one of them: nobody got it", body = Problem),
              (status = 422, description = "An unknown person or one outside the caller's subtree, or a bad expiry: nobody got it", body = Problem)))]
/// POST /api/v1/groups/{id}/memberships: all or nothing.
pub async fn grant_to_many(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<Uuid>,
    CsrfJson(body): CsrfJson<BulkGrant>,
) -> Response {
    let Ok(expires_at) = parse_expiry(body.expires_at.as_deref().unwrap_or("")) else {
        return invalid_field("expires_at", EXPIRY_HELP);
    };
    let users: Vec<UserId> = body.user_ids.into_iter().map(UserId).collect();
    match state
        .app
        .assign_group_to_users(&caller.ctx, id, &users, expires_at)
        .await
    {
        Ok(granted) => (
            StatusCode::OK,
            Json(BulkGranted {
                group_id: id,
                granted,
            }),
        )
            .into_response(),
        Err(error) => problem(error),
    }
}
