//! "Applications you allowed" over HTTP on both databases: a person allows a third-party
//! client at the consent page, finds it in My Account with what it may see, withdraws it (a
//! CSRF-protected form; another person cannot), and the next authorization request asks
//! again.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::demo;
use reqwest::StatusCode;
use tessera_app::{ClientInput, Ctx};
use tessera_store::{Applications, AuditLog};
use tessera_testkit::client::Page;
use tessera_testkit::demo::{ERIKA, OPERATOR, PASSWORD};
use tessera_testkit::{Backend, Client, TestServer};

tessera_testkit::on_both_backends!(a_consent_is_listed_withdrawn_and_asked_again,);

const REDIRECT: &str = "https://budget.example/callback";

async fn register(server: &TestServer, name: &str) -> (String, String) {
    let casper = {
        let mut tx = server.db.store.read().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap()
    };
    let client = server
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
        .client;
    (client.id.to_string(), client.client_id)
}

fn authorize_path(client_id: &str, scope: &str) -> String {
    let mut url = url::Url::parse("http://x/oidc/authorize").unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", scope)
        .append_pair("state", "st8");
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

async fn signed_in_browser(server: &TestServer, path: &str) -> Client {
    let browser = server.client();
    let first = browser.page(path).await.unwrap();
    assert_eq!(first.header("location"), Some("/signin"));
    let done = server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    assert_eq!(done.header("location"), Some(path));
    browser
}

async fn withdrawals(server: &TestServer) -> usize {
    let mut tx = server.db.store.read().await.unwrap();
    tx.audit_events_after(0, 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "oidc.consent.withdraw")
        .count()
}

async fn a_consent_is_listed_withdrawn_and_asked_again(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let (id, client_id) = register(&server, "Budget planner").await;
    let path = authorize_path(&client_id, "openid email phone");
    let browser = signed_in_browser(&server, &path).await;

    // Nothing allowed yet: the page says so.
    let account = browser.page("/account").await.unwrap();
    assert!(account.body.contains(r#"href="/account/consents""#));
    assert!(account.body.contains("Applications you allowed"));
    let empty = browser.page("/account/consents").await.unwrap();
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty
            .body
            .contains("You have not allowed any application to receive your data.")
    );

    // Allow at the consent page.
    let consent = browser.page(&path).await.unwrap();
    assert_eq!(consent.status, StatusCode::OK);
    assert!(consent.body.contains("Budget planner of CASPER wants to:"));
    let allowed = browser
        .post_form(
            "/oidc/consent",
            &[
                ("csrf", &hidden(&consent, "csrf")),
                ("request", &hidden(&consent, "request")),
                ("decision", "allow"),
            ],
        )
        .await
        .unwrap();
    assert!(redirect_params(&allowed).iter().any(|(k, _)| k == "code"));

    // Listed: application, client, what it may see in the consent page's words, since when.
    let page = browser.page("/account/consents").await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("CASPER (Production)"), "{}", page.body);
    assert!(page.body.contains("Budget planner"));
    assert!(page.body.contains("Know who you are"));
    assert!(page.body.contains("See your e-mail address"));
    assert!(page.body.contains("See your phone number"));
    assert!(!page.body.contains("See your name"));
    assert!(page.body.contains(" UTC"));
    let action = format!(r#"action="/account/consents/{id}/withdraw""#);
    assert!(page.body.contains(&action), "{}", page.body);
    assert!(page.body.contains("Withdraw"));
    assert!(!page.body.contains("<script"));
    let withdraw = format!("/account/consents/{id}/withdraw");

    // In the visitor's language.
    let french = server.client();
    server.sign_in(&french, ERIKA, PASSWORD).await.unwrap();
    french.set_cookie("tessera_lang", "fr");
    let fr = french.page("/account/consents").await.unwrap();
    assert!(fr.body.contains("Applications que vous avez autorisées"));
    assert!(fr.body.contains("Voir votre adresse e-mail"));
    assert!(fr.body.contains("CASPER (Production)"));

    // Another person cannot withdraw it, and neither can a form without the token.
    let operator = server.client();
    server.sign_in(&operator, OPERATOR, PASSWORD).await.unwrap();
    let csrf = operator.cookie("tessera_csrf").unwrap();
    let foreign = operator
        .post_form(&withdraw, &[("csrf", &csrf)])
        .await
        .unwrap();
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let forged = browser
        .post_form(&withdraw, &[("csrf", "forged")])
        .await
        .unwrap();
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unknown = browser
        .post_form(
            "/account/consents/not-a-client/withdraw",
            &[("csrf", &hidden(&page, "csrf"))],
        )
        .await
        .unwrap();
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(withdrawals(&server).await, 0);
    // Still allowed: straight to a code.
    let again = browser.page(&path).await.unwrap();
    assert!(redirect_params(&again).iter().any(|(k, _)| k == "code"));

    // Withdraw.
    let done = browser
        .post_form(&withdraw, &[("csrf", &hidden(&page, "csrf"))])
        .await
        .unwrap();
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.header("location"),
        Some("/account/consents?done=withdrawn")
    );
    let after = browser
        .page("/account/consents?done=withdrawn")
        .await
        .unwrap();
    assert!(after.body.contains("Your consent was withdrawn."));
    assert!(
        after
            .body
            .contains("You have not allowed any application to receive your data.")
    );
    assert!(!after.body.contains(&action));
    assert_eq!(withdrawals(&server).await, 1);

    // The next sign-in through that client asks again.
    let asked = browser.page(&path).await.unwrap();
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("Budget planner of CASPER wants to:"));

    // A second withdrawal finds nothing.
    let twice = browser
        .post_form(&withdraw, &[("csrf", &hidden(&page, "csrf"))])
        .await
        .unwrap();
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
}
