//! "My Apps": one tile per application environment in which the signed-in person holds a
//! membership that counts now, each linking to the application's launch address (in the
//! same tab, as in the ECB Identity Portal), or a helpful empty state.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::pages::admin_applications::with_icon_policy;
use crate::state::AppState;

pub struct TileView {
    pub label: String,
    pub application: String,
    pub environment: String,
    pub icon: String,
    /// Shown when there is no icon.
    pub initial: String,
    pub launch_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "my_apps.html")]
struct MyAppsPage {
    tr: Tr,
    here: &'static str,
    tiles: Vec<TileView>,
}

/// GET /account/apps
pub async fn show(
    State(state): State<AppState>,
    tr: Tr,
    me: SignedIn,
) -> Result<Response, PageError> {
    let tiles = state
        .app
        .my_apps(me.session.user.id)
        .await?
        .into_iter()
        .map(|t| TileView {
            initial: t
                .tile
                .label
                .chars()
                .next()
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default(),
            label: t.tile.label,
            application: t.application_name,
            environment: tr.t(&format!("environment-{}", t.tile.environment.as_str())),
            icon: t.tile.icon,
            launch_url: t.tile.launch_url,
        })
        .collect();
    let page = MyAppsPage {
        tr,
        here: "/account/apps",
        tiles,
    };
    Ok(with_icon_policy(page.into_response()))
}
