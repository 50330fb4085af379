use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::error::PageError;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    needs_setup: bool,
}

pub async fn show(State(state): State<AppState>) -> Result<HomePage, PageError> {
    let needs_setup = state.app.needs_setup().await?;
    Ok(HomePage { needs_setup })
}
