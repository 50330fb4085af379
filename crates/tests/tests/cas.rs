//! The CAS 3.0 server over HTTP, on both databases, driven the way a CAS client and a browser
//! would: demo Erika signs in to a CASPER production service, the service validates the
//! ticket (answers read with a real XML parser, quick-xml) and receives her production groups
//! only; tickets work once and for their own service; unregistered services get an error
//! page; gateway, renew, the JSON form and logout.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call, demo, signed_in};
use quick_xml::events::Event;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_app::{CasServiceInput, Ctx};
use tessera_store::{Applications, Users};
use tessera_testkit::demo::{ERIKA, OPERATOR, PASSWORD};
use tessera_testkit::{Backend, Client, TestServer};

tessera_testkit::on_both_backends!(
    erika_signs_in_to_a_casper_service,
    validation_refusals_follow_the_protocol,
    gateway_renew_and_logout,
    operators_register_services_through_the_api,
);

/// Registered as a prefix: every page under it may ask for tickets.
const SERVICE: &str = "https://casper.example/cas/";
const PAGE: &str = "https://casper.example/cas/reports?year=2026&x=a%20b";

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
                name: "CASPER web".into(),
                service_url: SERVICE.into(),
                match_kind: Some("prefix".into()),
                ..CasServiceInput::default()
            },
        )
        .await
        .unwrap();
}

fn query(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn login_path(service: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![("service", service)];
    pairs.extend_from_slice(extra);
    format!("/cas/login?{}", query(&pairs))
}

/// The ticket in a redirect to the service, checking it goes to `service` exactly.
fn ticket_of(location: &str, service: &str) -> String {
    let (before, ticket) = location.rsplit_once("ticket=").unwrap();
    assert_eq!(&before[..before.len() - 1], service);
    assert!(ticket.starts_with("ST-"), "{ticket}");
    ticket.to_owned()
}

/// Erika is signed in by following the login request, and comes back with a ticket.
async fn ticket_for_erika(server: &TestServer, browser: &Client, path: &str) -> String {
    let first = browser.page(path).await.unwrap();
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.header("location"), Some("/signin"));
    let done = server.sign_in(browser, ERIKA, PASSWORD).await.unwrap();
    assert_eq!(done.header("location"), Some(path));
    let back = browser.page(path).await.unwrap();
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    ticket_of(back.header("location").unwrap(), PAGE)
}

/// A validation answer as a CAS client sees it.
#[derive(Debug, Default)]
struct Answer {
    user: Option<String>,
    failure: Option<String>,
    /// Attribute name (without `cas:`) and value, in document order.
    attributes: Vec<(String, String)>,
}

impl Answer {
    fn values(&self, name: &str) -> Vec<&str> {
        self.attributes
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// An attribute's value; the ones read here are plain ASCII (a namespace, a code).
fn attribute(start: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    let value = start.try_get_attribute(name).unwrap()?;
    Some(String::from_utf8(value.value.to_vec()).unwrap())
}

fn parse(xml: &str) -> Answer {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut answer = Answer::default();
    let mut root = None;
    // Text comes in pieces around entity references; joined at the element's end.
    let mut text = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(start) => {
                let name = String::from_utf8(start.name().as_ref().to_vec()).unwrap();
                if root.is_none() {
                    root = Some(name.clone());
                    assert_eq!(
                        attribute(&start, "xmlns:cas").as_deref(),
                        Some("http://www.yale.edu/tp/cas")
                    );
                }
                if name == "cas:authenticationFailure" {
                    answer.failure = attribute(&start, "code");
                }
                path.push(name);
                text.clear();
            }
            Event::Text(piece) => text.push_str(&piece.decode().unwrap()),
            Event::GeneralRef(reference) => match reference.resolve_char_ref().unwrap() {
                Some(c) => text.push(c),
                None => {
                    let name = reference.decode().unwrap();
                    let entity = format!("&{name};");
                    text.push_str(&quick_xml::escape::unescape(&entity).unwrap());
                }
            },
            Event::End(_) => {
                let names: Vec<&str> = path.iter().map(String::as_str).collect();
                let value = std::mem::take(&mut text);
                match names.as_slice() {
                    [_, "cas:authenticationSuccess", "cas:user"] => answer.user = Some(value),
                    [_, "cas:authenticationSuccess", "cas:attributes", name] => answer
                        .attributes
                        .push((name.trim_start_matches("cas:").to_owned(), value)),
                    _ => {}
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root.as_deref(), Some("cas:serviceResponse"));
    answer
}

async fn validate(server: &TestServer, endpoint: &str, pairs: &[(&str, &str)]) -> Answer {
    let response = reqwest::get(server.url(&format!("{endpoint}?{}", query(pairs))))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/xml"),
        "{content_type}"
    );
    parse(&response.text().await.unwrap())
}

async fn erika_id(server: &TestServer) -> String {
    let mut tx = server.db.store.read().await.unwrap();
    let user = tx
        .user_by_email_key(&ERIKA.to_lowercase())
        .await
        .unwrap()
        .unwrap();
    user.id.0.to_string()
}

async fn erika_signs_in_to_a_casper_service(backend: Backend) {
    let Some(server) = TestServer::start(backend).await.unwrap() else {
        return;
    };
    server.app.load_demo().await.unwrap();
    register(&server).await;
    let browser = server.client();
    let ticket = ticket_for_erika(&server, &browser, &login_path(PAGE, &[])).await;

    let p3 = "/cas/p3/serviceValidate";
    let answer = validate(&server, p3, &[("service", PAGE), ("ticket", &ticket)]).await;
    assert_eq!(answer.failure, None);
    assert_eq!(answer.user, Some(erika_id(&server).await));
    assert_eq!(answer.values("given_name"), ["Erika"]);
    assert_eq!(answer.values("family_name"), ["Mustermann"]);
    assert_eq!(answer.values("email"), [ERIKA]);
    // Production groups of CASPER only: not A-CASPER_…, not IMAS Portal's.
    assert_eq!(answer.values("groups"), ["CASPER_WEB_DATA_SUBMITTER"]);

    // A ticket works once.
    let again = validate(&server, p3, &[("service", PAGE), ("ticket", &ticket)]).await;
    assert_eq!(again.failure.as_deref(), Some("INVALID_TICKET"));
    assert_eq!(again.user, None);

    // Signed in now: the next login is served at once, and "Display my sessions" lists CASPER.
    let next = browser.page(&login_path(PAGE, &[])).await.unwrap();
    let ticket = ticket_of(next.header("location").unwrap(), PAGE);
    let cas2 = validate(
        &server,
        "/cas/serviceValidate",
        &[("service", PAGE), ("ticket", &ticket)],
    )
    .await;
    assert_eq!(cas2.user, Some(erika_id(&server).await));
    let sessions = browser.page("/account/sessions").await.unwrap();
    assert!(sessions.body.contains("CASPER"), "{}", sessions.body);
}

async fn validation_refusals_follow_the_protocol(backend: Backend) {
    let Some(server) = TestServer::start(backend).await.unwrap() else {
        return;
    };
    server.app.load_demo().await.unwrap();
    register(&server).await;
    let browser = server.client();
    let ticket = ticket_for_erika(&server, &browser, &login_path(PAGE, &[])).await;
    let p3 = "/cas/p3/serviceValidate";

    // Another service (even under the same prefix) may not use the ticket, which is then gone.
    let other = "https://casper.example/cas/other";
    let wrong = validate(&server, p3, &[("service", other), ("ticket", &ticket)]).await;
    assert_eq!(wrong.failure.as_deref(), Some("INVALID_SERVICE"));
    let gone = validate(&server, p3, &[("service", PAGE), ("ticket", &ticket)]).await;
    assert_eq!(gone.failure.as_deref(), Some("INVALID_TICKET"));

    let missing = validate(&server, p3, &[("service", PAGE)]).await;
    assert_eq!(missing.failure.as_deref(), Some("INVALID_REQUEST"));
    let unknown = validate(&server, p3, &[("service", PAGE), ("ticket", "ST-nope")]).await;
    assert_eq!(unknown.failure.as_deref(), Some("INVALID_TICKET"));
    let repeated = validate(
        &server,
        p3,
        &[("service", PAGE), ("ticket", "ST-1"), ("ticket", "ST-2")],
    )
    .await;
    assert_eq!(repeated.failure.as_deref(), Some("INVALID_REQUEST"));

    // Proxying is not allowed for this service.
    let next = browser.page(&login_path(PAGE, &[])).await.unwrap();
    let ticket = ticket_of(next.header("location").unwrap(), PAGE);
    let proxy = validate(
        &server,
        "/cas/proxyValidate",
        &[("service", PAGE), ("ticket", &ticket)],
    )
    .await;
    assert_eq!(proxy.failure.as_deref(), Some("UNAUTHORIZED_SERVICE_PROXY"));

    // The JSON form.
    let (status, body) = browser
        .get_json(&format!(
            "/cas/p3/serviceValidate?{}",
            query(&[("service", PAGE), ("ticket", &ticket), ("format", "JSON")])
        ))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let success = &body["serviceResponse"]["authenticationSuccess"];
    assert_eq!(success["user"], Value::String(erika_id(&server).await));
    assert_eq!(
        success["attributes"]["groups"],
        json!(["CASPER_WEB_DATA_SUBMITTER"])
    );
    assert_eq!(success["attributes"]["given_name"], json!("Erika"));
    let (_, body) = browser
        .get_json(&format!(
            "/cas/serviceValidate?{}",
            query(&[("service", PAGE), ("ticket", &ticket), ("format", "JSON")])
        ))
        .await
        .unwrap();
    assert_eq!(
        body["serviceResponse"]["authenticationFailure"]["code"],
        json!("INVALID_TICKET")
    );

    // An unregistered service, or one that only looks like it, gets an error page.
    for bad in [
        "https://evil.example/cas/",
        "https://casper.example.evil.example/cas/",
        "https://casper.example/other",
        "http://casper.example/cas/",
    ] {
        let page = browser.page(&login_path(bad, &[])).await.unwrap();
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(page.header("location"), None, "{bad}");
    }
}

async fn gateway_renew_and_logout(backend: Backend) {
    let Some(server) = TestServer::start(backend).await.unwrap() else {
        return;
    };
    server.app.load_demo().await.unwrap();
    register(&server).await;
    let browser = server.client();

    // gateway without a session: straight back to the service, without a ticket.
    let gateway = browser
        .page(&login_path(PAGE, &[("gateway", "true")]))
        .await
        .unwrap();
    assert_eq!(gateway.status, StatusCode::SEE_OTHER);
    assert_eq!(gateway.header("location"), Some(PAGE));
    // Unregistered, even with gateway: an error page.
    let bad = browser
        .page(&login_path("https://evil.example/", &[("gateway", "true")]))
        .await
        .unwrap();
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let plain = ticket_for_erika(&server, &browser, &login_path(PAGE, &[])).await;
    // A ticket from single sign-on does not satisfy a validation asking for renew.
    let p3 = "/cas/p3/serviceValidate";
    let refused = validate(
        &server,
        p3,
        &[("service", PAGE), ("ticket", &plain), ("renew", "true")],
    )
    .await;
    assert_eq!(refused.failure.as_deref(), Some("INVALID_TICKET"));

    // renew: signed in already, but asked to sign in again, then served without asking again.
    let renew = login_path(PAGE, &[("renew", "true")]);
    let asked = browser.page(&renew).await.unwrap();
    assert_eq!(asked.header("location"), Some("/signin"));
    let done = server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    assert_eq!(done.header("location"), Some(renew.as_str()));
    let served = browser.page(&renew).await.unwrap();
    let ticket = ticket_of(served.header("location").unwrap(), PAGE);
    let fresh = validate(
        &server,
        p3,
        &[("service", PAGE), ("ticket", &ticket), ("renew", "true")],
    )
    .await;
    assert_eq!(fresh.failure, None);
    assert_eq!(fresh.values("isFromNewLogin"), ["true"]);
    // And renew asks again the next time.
    let again = browser.page(&renew).await.unwrap();
    assert_eq!(again.header("location"), Some("/signin"));

    // Logout ends the session and goes back to a registered service only.
    let out = browser
        .page(&format!("/cas/logout?{}", query(&[("service", PAGE)])))
        .await
        .unwrap();
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.header("location"), Some(PAGE));
    let after = browser.page(&login_path(PAGE, &[])).await.unwrap();
    assert_eq!(after.header("location"), Some("/signin"));
    let evil = browser
        .page(&format!(
            "/cas/logout?{}",
            query(&[("service", "https://evil.example/")])
        ))
        .await
        .unwrap();
    assert_eq!(evil.header("location"), Some("/"));
}

async fn operators_register_services_through_the_api(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let casper = {
        let mut tx = server.db.store.read().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap()
    };
    let path = format!("/api/v1/applications/{}/cas-services", casper.id);
    let body = json!({
        "environment": "pre_production",
        "name": "CASPER acceptance",
        "service_url": "https://acceptance.casper.example/cas/",
        "match_kind": "prefix",
    });
    let erika = signed_in(&server, ERIKA).await;
    let (status, _, _) = call(
        &erika,
        reqwest::Method::POST,
        &path,
        Some(body.clone()),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let operator = signed_in(&server, OPERATOR).await;
    let (status, _, created) = call(&operator, reqwest::Method::POST, &path, Some(body), &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["environment"], "pre_production");
    assert_eq!(created["match_kind"], "prefix");
    assert_eq!(created["proxy_allowed"], false);
    let (status, _, invalid) = call(
        &operator,
        reqwest::Method::POST,
        &path,
        Some(json!({
            "environment": "production",
            "name": "x",
            "service_url": "http://casper.example/cas/",
        })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{invalid}");

    let (status, _, list) = call(&operator, reqwest::Method::GET, &path, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["services"][0]["id"], created["id"]);
    let (status, _, document) = call(
        &operator,
        reqwest::Method::GET,
        "/api/v1/openapi.json",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let documented = &document["paths"]["/api/v1/applications/{id}/cas-services"];
    assert!(documented.get("get").is_some() && documented.get("post").is_some());
    // The registered service now asks for tickets.
    let browser = server.client();
    let page = browser
        .page(&login_path("https://acceptance.casper.example/cas/x", &[]))
        .await
        .unwrap();
    assert_eq!(page.header("location"), Some("/signin"));
}
