//! "My Account".

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_domain::access::{may_open_directory, may_view_outbox};
use tessera_domain::audit::Actor;

use crate::auth::SignedIn;
use crate::csrf;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    first_name: String,
    last_name: String,
    email: String,
    language: String,
    /// "password, sms (medium assurance)", in the visitor's language.
    signed_in_with: String,
    operator: bool,
    directory: bool,
    /// Links to the organisation levels and administrators pages.
    levels: bool,
    administrators: bool,
    /// Link to the applications pages (operators).
    applications: bool,
    password_changed: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountQuery {
    password: String,
}

pub async fn show(
    State(state): State<AppState>,
    tr: Tr,
    Query(query): Query<AccountQuery>,
    jar: CookieJar,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let rights = state.app.administration_rights(&signed_in.ctx).await?;
    let membership_rights = state.app.membership_rights(&signed_in.ctx).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let session = signed_in.session;
    let signed_in_with = tr.ta(
        "account-signed-in-with-value",
        &[
            ("methods", &used_methods(&tr, &session.methods)),
            (
                "assurance",
                &tr.t(&format!("assurance-{}", session.assurance.as_str())),
            ),
        ],
    );
    let page = AccountPage {
        here: "/account",
        csrf,
        operator: may_view_outbox(Actor::User(session.user.id), &session.roles),
        directory: may_open_directory(Actor::User(session.user.id), &session.roles),
        levels: rights.view_levels,
        administrators: rights.nominate || rights.decide_roles,
        applications: membership_rights.manage_applications,
        password_changed: query.password == "changed",
        first_name: session.user.first_name,
        last_name: session.user.last_name,
        email: session.user.email,
        // Each language is named in itself, as in the language menu.
        language: Tr::new(&session.user.language).t("language-name"),
        signed_in_with,
        tr,
    };
    Ok((jar, page).into_response())
}

/// The ways a session was signed in ("password, sms"), each in the visitor's language.
pub fn used_methods(tr: &Tr, methods: &[String]) -> String {
    methods
        .iter()
        .map(|m| {
            let key = format!("used-method-{m}");
            let text = tr.t(&key);
            // A way of signing in newer than the texts shows as its code.
            if text == key { m.clone() } else { text }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
