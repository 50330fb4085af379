//! Interoperability: `python-cas` (PyPI, `CASClient` for CAS 3.0), a CAS client library of
//! another ecosystem, as a CASPER production service: the login URL it builds, followed by
//! this test playing the browser (demo Erika signs in with password and SMS code), gives a
//! ticket that the library validates at `/cas/p3/serviceValidate` and reads into the user and
//! the attributes (names, e-mail, groups: a list when there are several). A ticket works once,
//! and the logout URL it builds ends the single sign-on session. The library runs in Python
//! (`crates/tests/interop/python/cas_client.py`).

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::demo;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_app::{CasServiceInput, Ctx};
use tessera_domain::audit::Actor;
use tessera_store::{Applications, Users};
use tessera_testkit::demo::{ANTON, ERIKA, PASSWORD};
use tessera_testkit::interop::{LineProgram, programs_dir};
use tessera_testkit::{Backend, TestServer};

tessera_testkit::on_both_backends!(python_cas_signs_erika_in_and_validates_her_ticket);

/// Registered as a prefix: every page under it may ask for tickets.
const SERVICE: &str = "https://casper.example/cas/";
/// The page that the library sends people back to (with a query, as real pages have).
const PAGE: &str = "https://casper.example/cas/reports?year=2026";

async fn register(server: &TestServer) {
    let casper = {
        let mut tx = server.db.store.read().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap()
    };
    server
        .app
        .register_cas_service(
            &Ctx::system(),
            &CasServiceInput {
                application_id: casper.id,
                environment: "production".into(),
                name: "CASPER web (python-cas)".into(),
                service_url: SERVICE.into(),
                match_kind: Some("prefix".into()),
                ..CasServiceInput::default()
            },
        )
        .await
        .unwrap();
}

/// Anton, access administrator of Bank E, grants Erika a second CASPER production group, so
/// that the groups attribute has several values.
async fn second_group(server: &TestServer) {
    let (anton, erika, group) = {
        let mut tx = server.db.store.read().await.unwrap();
        let anton = tx.user_by_email_key(ANTON).await.unwrap().unwrap().id;
        let erika = tx.user_by_email_key(ERIKA).await.unwrap().unwrap().id;
        let group = tx
            .group_by_technical_name("CASPER_WEB_TECHNICAL_USER")
            .await
            .unwrap()
            .unwrap();
        (anton, erika, group)
    };
    let ctx = Ctx {
        actor: Actor::User(anton),
        request_id: None,
    };
    server
        .app
        .assign_group_to_users(&ctx, group.id, &[erika], None)
        .await
        .unwrap();
}

/// python-cas in Python, or `None` when it is not installed (and not required).
async fn cas_client() -> Option<LineProgram> {
    LineProgram::start(
        "python-cas (Python)",
        &programs_dir("python"),
        &["python3", "-c", "import cas"],
        &["python3", "cas_client.py"],
    )
    .await
    .unwrap()
}

/// A request the library must carry out: its answer.
async fn ok(client: &mut LineProgram, request: Value) -> Value {
    let answer = client.call(&request).await.unwrap();
    assert_eq!(answer["ok"], true, "{request} failed: {answer}");
    answer
}

/// Path and query of a URL on the server, for the test's browser (which talks to the loopback
/// address rather than `localhost`).
fn path_of(url: &str, server: &TestServer) -> String {
    let url = url::Url::parse(url).unwrap();
    assert_eq!(
        url.origin().ascii_serialization(),
        server.public_url,
        "{url} is not on the server"
    );
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

/// The ticket in a redirect back to the page, checking it goes to the page exactly.
fn ticket_of(location: &str) -> String {
    let url = url::Url::parse(location).unwrap();
    let mut rest = Vec::new();
    let mut ticket = None;
    for (key, value) in url.query_pairs() {
        if key == "ticket" {
            ticket = Some(value.into_owned());
        } else {
            rest.push(format!("{key}={value}"));
        }
    }
    assert_eq!(
        format!(
            "{}{}?{}",
            url.origin().ascii_serialization(),
            url.path(),
            rest.join("&")
        ),
        PAGE,
        "{location}"
    );
    let ticket = ticket.unwrap();
    assert!(ticket.starts_with("ST-"), "{ticket}");
    ticket
}

async fn python_cas_signs_erika_in_and_validates_her_ticket(backend: Backend) {
    let Some(mut cas) = cas_client().await else {
        return;
    };
    let Some(server) = demo(backend).await else {
        return;
    };
    register(&server).await;
    second_group(&server).await;
    let erika = {
        let mut tx = server.db.store.read().await.unwrap();
        tx.user_by_email_key(ERIKA)
            .await
            .unwrap()
            .unwrap()
            .id
            .0
            .to_string()
    };
    ok(
        &mut cas,
        json!({
            "op": "setup",
            "server_url": format!("{}/cas/", server.public_url),
            "service_url": PAGE,
        }),
    )
    .await;

    // Login: the URL the library builds, followed by the browser through signing in.
    let login = ok(&mut cas, json!({"op": "login_url"})).await;
    let path = path_of(login["url"].as_str().unwrap(), &server);
    assert!(path.starts_with("/cas/login?service="), "{path}");
    let browser = server.client();
    let first = browser.page(&path).await.unwrap();
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.header("location"), Some("/signin"));
    let done = server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    assert_eq!(done.header("location"), Some(path.as_str()));
    let back = browser.page(&path).await.unwrap();
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let ticket = ticket_of(back.header("location").unwrap());

    // Validation, as the library does it and reads it.
    let verified = ok(&mut cas, json!({"op": "verify", "ticket": ticket})).await;
    assert_eq!(verified["user"], erika.as_str(), "{verified}");
    let attributes = &verified["attributes"];
    assert_eq!(attributes["given_name"], "Erika", "{attributes}");
    assert_eq!(attributes["family_name"], "Mustermann", "{attributes}");
    assert_eq!(attributes["email"], ERIKA, "{attributes}");
    // Production groups of CASPER only (not A-CASPER_…, not IMAS Portal's): several values
    // come out as a list.
    let mut groups: Vec<&str> = attributes["groups"]
        .as_array()
        .unwrap_or_else(|| panic!("groups is not a list: {attributes}"))
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    groups.sort_unstable();
    assert_eq!(
        groups,
        ["CASPER_WEB_DATA_SUBMITTER", "CASPER_WEB_TECHNICAL_USER"]
    );

    // A ticket works once: the library finds no user the second time.
    let again = ok(&mut cas, json!({"op": "verify", "ticket": ticket})).await;
    assert_eq!(again["user"], Value::Null, "{again}");

    // Signed in now: the next login is served at once and its ticket validates.
    let next = browser.page(&path).await.unwrap();
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    let ticket = ticket_of(next.header("location").unwrap());
    let verified = ok(&mut cas, json!({"op": "verify", "ticket": ticket})).await;
    assert_eq!(verified["user"], erika.as_str(), "{verified}");

    // Logout through the URL the library builds: the session ends, and the browser goes
    // back to the service, which is registered.
    let logout = ok(&mut cas, json!({"op": "logout_url", "redirect_url": PAGE})).await;
    let path_out = path_of(logout["url"].as_str().unwrap(), &server);
    assert!(path_out.starts_with("/cas/logout?service="), "{path_out}");
    let out = browser.page(&path_out).await.unwrap();
    assert!(out.status.is_redirection(), "{}: {}", out.status, out.body);
    assert_eq!(out.header("location"), Some(PAGE));
    assert_eq!(
        browser.page("/account").await.unwrap().header("location"),
        Some("/signin")
    );
    let after = browser.page(&path).await.unwrap();
    assert_eq!(after.header("location"), Some("/signin"));
}
