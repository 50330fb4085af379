//! "Applications you allowed" in My Account: the consents the person gave to OpenID Connect
//! clients (the application, the client, what it may see in the consent page's words, since
//! when), each with Withdraw. Which consents are the person's own is the app's decision.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{AppError, ConsentItem};

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::state::AppState;

pub struct Row {
    client: String,
    application: String,
    client_name: String,
    may_see: Vec<String>,
    since: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account_consents.html")]
struct ConsentsPage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    consents: Vec<Row>,
    notice: Option<String>,
}

/// What the scopes let the client see, in words: those of the consent page, in the
/// visitor's language and in the same order.
pub(crate) fn may_see(tr: &Tr, scopes: &[String], application: &str) -> Vec<String> {
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let mut lines = vec![tr.t("consents-scope-openid")];
    for scope in ["profile", "email", "phone"] {
        if has(scope) {
            lines.push(tr.t(&format!("consents-scope-{scope}")));
        }
    }
    // The profile scope releases the groups too (`protocols::tokens::Profile::released`).
    if has("groups") || has("profile") {
        lines.push(tr.ta("consents-scope-groups", &[("application", application)]));
    }
    lines
}

fn row(tr: &Tr, consent: ConsentItem) -> Row {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    let environment = tr.t(&format!("environment-{}", consent.environment.as_str()));
    Row {
        client: consent.client.to_string(),
        application: tr.ta(
            "consents-application-in",
            &[
                ("application", &consent.application_name),
                ("environment", &environment),
            ],
        ),
        may_see: may_see(tr, &consent.scopes, &consent.application_name),
        client_name: consent.client_name,
        since: consent.granted_at.format(format).unwrap_or_default(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// GET /account/consents
pub async fn show(
    State(state): State<AppState>,
    tr: Tr,
    Query(done): Query<Done>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let consents = state.app.my_consents(&me.session).await?;
    // Only the changes this page knows, never text from the address.
    let notice = (done.done == "withdrawn").then(|| tr.t("consents-done-withdrawn"));
    let consents = consents.into_iter().map(|c| row(&tr, c)).collect();
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = ConsentsPage {
        tr,
        here: "/account/consents",
        csrf,
        consents,
        notice,
    };
    Ok((jar, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    csrf: String,
}

crate::csrf::csrf_protected!(WithdrawForm);

/// POST /account/consents/{client}/withdraw: `client` is the client's row id, as listed.
pub async fn withdraw(
    State(state): State<AppState>,
    Path(client): Path<String>,
    me: SignedIn,
    _checked: CsrfForm<WithdrawForm>,
) -> Result<Response, PageError> {
    let client = client
        .parse()
        .map_err(|_| PageError::from(AppError::NotFound))?;
    state
        .app
        .withdraw_my_consent(&me.session, client, &me.ctx)
        .await?;
    Ok(Redirect::to("/account/consents?done=withdrawn").into_response())
}

#[cfg(test)]
mod tests {
    use super::may_see;
    use crate::i18n::Tr;

    fn scopes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn scopes_are_said_in_the_consent_pages_words() {
        let tr = Tr::new("en");
        assert_eq!(
            may_see(&tr, &scopes(&["openid", "phone", "email"]), "CASPER"),
            [
                "Know who you are",
                "See your e-mail address",
                "See your phone number"
            ]
        );
        assert_eq!(
            may_see(&tr, &scopes(&["openid", "profile"]), "CASPER"),
            [
                "Know who you are",
                "See your name",
                "See your memberships of CASPER"
            ]
        );
        assert_eq!(
            may_see(&Tr::new("de"), &scopes(&["openid", "groups"]), "ASTRA"),
            [
                "Wissen, wer Sie sind",
                "Ihre Mitgliedschaften in ASTRA sehen"
            ]
        );
    }
}
