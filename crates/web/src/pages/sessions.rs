//! "Display my sessions": where the person is signed in, with sign-out of any session.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::AppError;

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::pages::account::used_methods;
use crate::state::AppState;

pub struct Row {
    id: String,
    current: bool,
    device: String,
    address: String,
    started: String,
    last_used: String,
    methods: String,
    applications: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "sessions.html")]
struct SessionsPage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    sessions: Vec<Row>,
}

/// "Chrome on Linux" from a User-Agent header: enough to recognise a device.
pub fn describe_device(tr: &Tr, user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => tr.ta(
            "sessions-browser-on",
            &[("browser", browser), ("system", system)],
        ),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => tr.ta("sessions-a-browser-on", &[("system", system)]),
        (None, None) if user_agent.is_empty() => tr.t("sessions-unknown-device"),
        (None, None) => user_agent.chars().take(60).collect(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    tr: Tr,
    jar: CookieJar,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let items = state.app.my_sessions(&signed_in.session).await?;
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    let sessions = items
        .into_iter()
        .map(|s| Row {
            id: s.id.to_string(),
            current: s.current,
            device: describe_device(&tr, &s.user_agent),
            address: if s.address.is_empty() {
                tr.t("sessions-unknown-address")
            } else {
                s.address
            },
            started: s.created_at.format(format).unwrap_or_default(),
            last_used: s.last_seen_at.format(format).unwrap_or_default(),
            methods: used_methods(&tr, &s.methods),
            applications: if s.applications.is_empty() {
                tr.t("sessions-no-applications")
            } else {
                s.applications.join(", ")
            },
        })
        .collect();
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = SessionsPage {
        tr,
        here: "/account/sessions",
        csrf,
        sessions,
    };
    Ok((jar, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    csrf: String,
}

pub async fn end(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed_in: SignedIn,
    _checked: CsrfForm<EndForm>,
) -> Result<Response, PageError> {
    let id = id
        .parse()
        .map_err(|_| PageError::from(AppError::NotFound))?;
    state
        .app
        .end_my_session(&signed_in.session, id, &signed_in.ctx)
        .await?;
    Ok(Redirect::to("/account/sessions").into_response())
}

#[cfg(test)]
mod tests {
    use super::describe_device;
    use crate::i18n::Tr;

    #[test]
    fn devices_are_named_from_user_agents() {
        let tr = Tr::new("en");
        assert_eq!(
            describe_device(
                &tr,
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
            ),
            "Chrome on Linux"
        );
        assert_eq!(
            describe_device(
                &tr,
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0"
            ),
            "Firefox on Windows"
        );
        assert_eq!(describe_device(&tr, ""), "Unknown device");
        assert_eq!(
            describe_device(&Tr::new("de"), "Firefox/130.0 (Windows NT 10.0)"),
            "Firefox unter Windows"
        );
    }
}

crate::csrf::csrf_protected!(EndForm);
