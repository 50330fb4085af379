use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::auth::MaybeSignedIn;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    tr: Tr,
    here: &'static str,
    needs_setup: bool,
    signed_in: bool,
}

pub async fn show(
    State(state): State<AppState>,
    tr: Tr,
    MaybeSignedIn(session): MaybeSignedIn,
) -> Result<HomePage, PageError> {
    let needs_setup = state.app.needs_setup().await?;
    Ok(HomePage {
        tr,
        here: "/",
        needs_setup,
        signed_in: session.is_some(),
    })
}
