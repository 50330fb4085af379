//! The operators' view of messages: states, attempts, errors; never the values.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;
use tessera_domain::message::DeliveryState;

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutboxQuery {
    state: String,
}

pub struct Row {
    created: String,
    channel: &'static str,
    recipient: String,
    template: String,
    language: String,
    state: &'static str,
    attempts: i32,
    last_error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_outbox.html")]
pub struct OutboxPage {
    filter: String,
    queued: i64,
    delivered: i64,
    failed: i64,
    items: Vec<Row>,
}

/// Parses a state filter: empty for all.
pub fn state_filter(raw: &str) -> Result<Option<DeliveryState>, PageError> {
    if raw.is_empty() {
        return Ok(None);
    }
    DeliveryState::parse(raw).map(Some).ok_or_else(|| {
        PageError::bad_request(format!(
            "'{raw}' is not a message state: use queued, delivered or failed."
        ))
    })
}

pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<OutboxQuery>,
    signed_in: SignedIn,
) -> Result<OutboxPage, PageError> {
    let filter = state_filter(&query.state)?;
    let view = state.app.outbox_view(&signed_in.ctx, filter, 200).await?;
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    Ok(OutboxPage {
        filter: filter.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        queued: view.queued,
        delivered: view.delivered,
        failed: view.failed,
        items: view
            .items
            .into_iter()
            .map(|item| Row {
                created: item.created_at.format(format).unwrap_or_default(),
                channel: item.channel.as_str(),
                recipient: item.recipient,
                template: item.template,
                language: item.language,
                state: item.state.as_str(),
                attempts: item.attempts,
                last_error: item.last_error.unwrap_or_default(),
            })
            .collect(),
    })
}
