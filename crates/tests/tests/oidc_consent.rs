//! Consent over HTTP on both databases, as a browser without JavaScript meets it: a
//! third-party client's first request shows the consent page (a form with a CSRF token);
//! Allow comes back with a code and is not asked again; Deny answers `access_denied` with
//! the state; a forged answer is refused; `prompt=none` without consent answers
//! `consent_required`.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::demo;
use reqwest::StatusCode;
use tessera_app::{ClientInput, Ctx};
use tessera_store::Applications;
use tessera_testkit::client::Page;
use tessera_testkit::demo::{ERIKA, PASSWORD};
use tessera_testkit::{Backend, Client, TestServer};

tessera_testkit::on_both_backends!(
    a_third_party_client_asks_once_and_a_refusal_goes_back,
    prompt_none_without_consent_answers_consent_required,
);

const REDIRECT: &str = "https://budget.example/callback";

async fn register(server: &TestServer, name: &str) -> String {
    let casper = {
        let mut tx = server.db.store.read().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap()
    };
    server
        .app
        .register_oidc_client(
            &Ctx::system(),
            &ClientInput {
                application_id: casper.id,
                environment: "production".into(),
                name: name.into(),
                redirect_uris: vec![REDIRECT.into()],
                third_party: true,
                ..ClientInput::default()
            },
        )
        .await
        .unwrap()
        .client
        .client_id
}

fn authorize_path(client_id: &str, scope: &str, extra: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse("http://x/oidc/authorize").unwrap();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("scope", scope)
            .append_pair("state", "st8");
        for (name, value) in extra {
            query.append_pair(name, value);
        }
    }
    format!("/oidc/authorize?{}", url.query().unwrap())
}

/// The value of a hidden field of the page's form.
fn hidden(page: &Page, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = page.body.find(&marker).unwrap() + marker.len();
    let end = start + page.body[start..].find('"').unwrap();
    // askama escapes attributes; the query only has `&` to undo.
    page.body[start..end]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The parameters of a redirect to the client.
fn redirect_params(page: &Page) -> Vec<(String, String)> {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let location = url::Url::parse(page.header("location").unwrap()).unwrap();
    assert!(location.as_str().starts_with(REDIRECT));
    location.query_pairs().into_owned().collect()
}

fn has(params: &[(String, String)], name: &str, value: Option<&str>) -> bool {
    params
        .iter()
        .any(|(k, v)| k == name && value.is_none_or(|value| v == value))
}

async fn signed_in_browser(server: &TestServer, path: &str) -> Client {
    let browser = server.client();
    let first = browser.page(path).await.unwrap();
    assert_eq!(first.header("location"), Some("/signin"));
    let done = server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    assert_eq!(done.header("location"), Some(path));
    browser
}

async fn a_third_party_client_asks_once_and_a_refusal_goes_back(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client_id = register(&server, "Budget planner").await;
    let path = authorize_path(&client_id, "openid email phone", &[]);
    let browser = signed_in_browser(&server, &path).await;

    let page = browser.page(&path).await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Budget planner of CASPER wants to:"));
    assert!(page.body.contains("See your e-mail address"));
    assert!(page.body.contains("See your phone number"));
    assert!(page.body.contains(r#"action="/oidc/consent""#));
    assert!(!page.body.contains("<script"));
    // In the visitor's language, and the language menu comes back to the same request.
    browser.set_cookie("tessera_lang", "fr");
    let french = browser.page(&path).await.unwrap();
    assert!(french.body.contains("Budget planner de CASPER souhaite :"));
    assert!(french.body.contains("Voir votre numéro de téléphone"));
    assert!(french.body.contains(">Autoriser</button>"));
    assert!(
        french
            .body
            .contains("/language/en?return=/oidc/authorize%3F")
    );
    browser.set_cookie("tessera_lang", "en");
    let csrf = hidden(&page, "csrf");
    let request = hidden(&page, "request");
    assert_eq!(format!("/oidc/authorize?{request}"), path);

    // An answer without the page's token is refused.
    let forged = browser
        .post_form(
            "/oidc/consent",
            &[
                ("csrf", "forged"),
                ("request", &request),
                ("decision", "allow"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Deny: access_denied with the state, and the next request asks again.
    let denied = browser
        .post_form(
            "/oidc/consent",
            &[("csrf", &csrf), ("request", &request), ("decision", "deny")],
        )
        .await
        .unwrap();
    let params = redirect_params(&denied);
    assert!(has(&params, "error", Some("access_denied")));
    assert!(has(&params, "state", Some("st8")));
    assert!(!has(&params, "code", None));
    assert_eq!(browser.page(&path).await.unwrap().status, StatusCode::OK);

    // Allow: a code, and the same request goes straight through afterwards.
    let allowed = browser
        .post_form(
            "/oidc/consent",
            &[
                ("csrf", &csrf),
                ("request", &request),
                ("decision", "allow"),
            ],
        )
        .await
        .unwrap();
    let params = redirect_params(&allowed);
    assert!(has(&params, "code", None));
    assert!(has(&params, "state", Some("st8")));
    let again = browser.page(&path).await.unwrap();
    assert!(has(&redirect_params(&again), "code", None));

    // prompt=consent asks even so.
    let ask = authorize_path(&client_id, "openid email", &[("prompt", "consent")]);
    assert_eq!(browser.page(&ask).await.unwrap().status, StatusCode::OK);
}

async fn prompt_none_without_consent_answers_consent_required(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client_id = register(&server, "Tax helper").await;
    let path = authorize_path(&client_id, "openid", &[]);
    let browser = signed_in_browser(&server, &path).await;
    let silent = authorize_path(&client_id, "openid", &[("prompt", "none")]);
    let params = redirect_params(&browser.page(&silent).await.unwrap());
    assert!(has(&params, "error", Some("consent_required")));
    assert!(has(&params, "state", Some("st8")));
}
