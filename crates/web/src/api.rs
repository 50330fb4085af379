//! The JSON API under /api/v1. It accepts a signed-in session (cookies); calls that change
//! something must also send the CSRF token in `X-CSRF-Token`. Errors are problem+json.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use tessera_app::AppError;
use tessera_domain::message::Channel;

use crate::auth::ApiCaller;
use crate::csrf::CsrfJson;
use crate::error::PageError;
use crate::pages::outbox::state_filter;
use crate::problem::Problem;
use crate::state::AppState;

pub(crate) fn problem(error: AppError) -> Response {
    match error {
        AppError::Invalid(errors) => {
            let mut problem = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-input",
                "The input is not valid",
            );
            problem.errors = errors.errors;
            problem.into_response()
        }
        other => PageError::from(other).problem().into_response(),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxQuery {
    state: String,
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/outbox", tag = "messages", params(OutboxQuery),
    responses((status = 200, description = "Counts by state and the latest messages (recipients masked)", body = Object),
              (status = 403, description = "Operators only", body = Problem)))]
/// GET /api/v1/outbox: counts by state and the latest messages.
pub async fn outbox(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<OutboxQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            "The query is not valid",
        )
        .detail("Allowed parameters: state (queued, delivered, failed), limit (1 to 1000).")
        .into_response();
    };
    let filter = match state_filter(&query.state) {
        Ok(filter) => filter,
        Err(error) => return error.problem().into_response(),
    };
    match state
        .app
        .outbox_view(&caller.ctx, filter, query.limit.unwrap_or(100))
        .await
    {
        Ok(view) => Json(view).into_response(),
        Err(error) => problem(error),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestMessage {
    channel: String,
    to: String,
    #[serde(default = "english")]
    language: String,
}

fn english() -> String {
    "en".into()
}

#[utoipa::path(post, path = "/api/v1/outbox/test-messages", tag = "messages", request_body = TestMessage,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 202, description = "Queued", body = Object),
              (status = 422, description = "Invalid channel or recipient", body = Problem)))]
/// POST /api/v1/outbox/test-messages: queues a test message on a channel.
pub async fn send_test_message(
    State(state): State<AppState>,
    caller: ApiCaller,
    CsrfJson(body): CsrfJson<TestMessage>,
) -> Response {
    let Some(channel) = Channel::parse(&body.channel) else {
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "The input is not valid",
        );
        problem.errors = vec![tessera_domain::FieldError {
            field: "channel",
            code: "invalid",
            message: "Choose email, sms or voice.".into(),
        }];
        return problem.into_response();
    };
    match state
        .app
        .send_test_message(&caller.ctx, channel, &body.to, &body.language)
        .await
    {
        Ok(id) => (StatusCode::ACCEPTED, Json(json!({"id": id}))).into_response(),
        Err(error) => problem(error),
    }
}

#[utoipa::path(get, path = "/api/v1/outbox/{id}/attempts", tag = "messages",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "Every attempt to deliver the message", body = Object),
              (status = 404, description = "No such message", body = Problem)))]
/// GET /api/v1/outbox/{id}/attempts: every attempt made to deliver one message.
pub async fn outbox_attempts(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return Problem::new(StatusCode::NOT_FOUND, "not-found", "No such message")
            .detail("The message id is not valid.")
            .into_response();
    };
    match state.app.outbox_attempts(&caller.ctx, id).await {
        Ok(attempts) => Json(
            attempts
                .into_iter()
                .map(|a| {
                    json!({
                        "attempt": a.attempt,
                        "worker": a.worker,
                        "finished_at": a.finished_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                        "outcome": a.outcome,
                        "error": a.error,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(error) => problem(error),
    }
}
