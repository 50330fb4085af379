//! The audit trail page: the events the reader may see, filtered, newest first.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use tessera_app::AppError;

use crate::api_audit::AuditParams;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::state::AppState;

pub struct EventRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: &'static str,
    pub details: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    actor: String,
    target: String,
    action: String,
    from: String,
    to: String,
    events: Vec<EventRow>,
    next: Option<String>,
    own_only: bool,
    error: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Query(params): Query<AuditParams>,
    me: SignedIn,
) -> Result<Response, PageError> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let (events, next, own_only, error) =
        match state.app.audit_trail(&me.ctx, &params.query()).await {
            Ok(page) => {
                let rows = page
                    .events
                    .iter()
                    .map(|e| EventRow {
                        seq: e.seq,
                        at: e.at.format(&format).unwrap_or_default(),
                        actor: match e.actor.user_id() {
                            Some(id) => id.0.to_string(),
                            None => e.actor.kind().to_owned(),
                        },
                        action: e.action.clone(),
                        target: e.target_id.clone().unwrap_or_default(),
                        outcome: e.outcome.as_str(),
                        details: e.details.clone(),
                    })
                    .collect();
                let next = page.next.map(|before| {
                    let mut query = url_query(&params);
                    query.push_str(&format!("&before={before}"));
                    format!("/admin/audit?{query}")
                });
                (rows, next, page.own_only, None)
            }
            Err(AppError::Invalid(errors)) => (Vec::new(), None, false, Some(errors.to_string())),
            Err(other) => return Err(other.into()),
        };
    let page = AuditPage {
        actor: params.actor,
        target: params.target,
        action: params.action,
        from: params.from,
        to: params.to,
        events,
        next,
        own_only,
        error,
    };
    Ok(page.into_response())
}

fn url_query(params: &AuditParams) -> String {
    [
        ("actor", &params.actor),
        ("target", &params.target),
        ("action", &params.action),
        ("from", &params.from),
        ("to", &params.to),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", crate::pages::admin_users::percent(v)))
    .collect::<Vec<_>>()
    .join("&")
}
