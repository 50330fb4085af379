//! The audit trail in the JSON API: GET /api/v1/audit, filtered by actor, target, action and
//! time, newest first, paged with `before`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use tessera_app::AuditQuery;
use tessera_domain::audit::AuditEvent;

use crate::api::problem;
use crate::auth::ApiCaller;
use crate::problem::Problem;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct AuditParams {
    pub actor: String,
    pub target: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

impl AuditParams {
    pub fn query(&self) -> AuditQuery {
        AuditQuery {
            actor: self.actor.clone(),
            target: self.target.clone(),
            action: self.action.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            before: self.before,
            limit: self.limit.unwrap_or(50),
        }
    }
}

pub fn event_json(event: &AuditEvent) -> serde_json::Value {
    json!({
        "seq": event.seq,
        "at": event.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "actor": event.actor,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "level_id": event.level_id,
        "outcome": event.outcome.as_str(),
        "request_id": event.request_id,
        "details": serde_json::from_str::<serde_json::Value>(&event.details).unwrap_or_default(),
    })
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, description = "Events, newest first; `next_before` continues", body = Object),
              (status = 422, description = "A bad date or actor", body = Problem)))]
pub async fn audit(
    State(state): State<AppState>,
    caller: ApiCaller,
    params: Result<Query<AuditParams>, QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            "The query is not valid",
        )
        .detail("Allowed parameters: actor, target, action, from, to, before, limit.")
        .into_response();
    };
    match state.app.audit_trail(&caller.ctx, &params.query()).await {
        Ok(page) => {
            let events: Vec<serde_json::Value> = page.events.iter().map(event_json).collect();
            Json(json!({"events": events, "next_before": page.next, "own_only": page.own_only}))
                .into_response()
        }
        Err(error) => problem(error),
    }
}
