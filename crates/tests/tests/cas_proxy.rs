//! CAS 3.0 proxying over HTTP, on both databases: a service allowed to proxy validates its
//! ticket with a `pgtUrl` on the test's own loopback server, receives the proxy-granting
//! ticket there and its IOU in the answer, asks `/cas/proxy` for a proxy ticket for a backend
//! service, which validates it at `/cas/proxyValidate` and sees the proxying service. A
//! `pgtUrl` that gets no proxy-granting ticket (not https, outside the registration, a
//! callback answering 404 or 500, or not listening) fails the validation with
//! `INVALID_PROXY_CALLBACK`, and the ticket is used all the same.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{StatusCode as AxumStatus, Uri};
use reqwest::StatusCode;
use serde_json::Value;
use tessera_app::{CasServiceInput, Ctx};
use tessera_store::Applications;
use tessera_testkit::demo::{ERIKA, PASSWORD};
use tessera_testkit::{Backend, TestServer};

tessera_testkit::on_both_backends!(
    a_proxying_service_reaches_a_backend,
    an_unacceptable_pgt_url_fails_the_validation,
);

const BACKEND: &str = "https://backend.example/api";

/// The proxying service's callback: records each query; `/cb` answers 200, `/fail` 500,
/// others 404.
struct Receiver {
    base: String,
    received: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

impl Receiver {
    async fn start() -> Self {
        let received: Arc<Mutex<Vec<HashMap<String, String>>>> = Arc::default();
        let log = Arc::clone(&received);
        let app = Router::new().fallback(move |uri: Uri| {
            let log = Arc::clone(&log);
            async move {
                let query = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                    .into_owned()
                    .collect();
                log.lock().unwrap().push(query);
                match uri.path() {
                    "/cb" => AxumStatus::OK,
                    "/fail" => AxumStatus::INTERNAL_SERVER_ERROR,
                    _ => AxumStatus::NOT_FOUND,
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, received }
    }
}

async fn register(server: &TestServer, url: &str, kind: &str, proxy_allowed: bool) {
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
                name: format!("CASPER {url}"),
                service_url: url.into(),
                match_kind: Some(kind.into()),
                proxy_allowed,
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

async fn get(server: &TestServer, endpoint: &str, pairs: &[(&str, &str)]) -> String {
    let response = reqwest::get(server.url(&format!("{endpoint}?{}", query(pairs))))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

async fn get_json(server: &TestServer, endpoint: &str, pairs: &[(&str, &str)]) -> Value {
    let mut pairs = pairs.to_vec();
    pairs.push(("format", "JSON"));
    serde_json::from_str(&get(server, endpoint, &pairs).await).unwrap()
}

/// The text between `<tag>` and `</tag>`.
fn element(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_owned())
}

async fn a_proxying_service_reaches_a_backend(backend: Backend) {
    let Some(server) = TestServer::start(backend).await.unwrap() else {
        return;
    };
    server.app.load_demo().await.unwrap();
    let receiver = Receiver::start().await;
    let front = format!("{}/", receiver.base);
    let page = format!("{}/app", receiver.base);
    let callback = format!("{}/cb", receiver.base);
    register(&server, &front, "prefix", true).await;
    register(&server, BACKEND, "exact", false).await;

    let browser = server.client();
    let login = format!("/cas/login?{}", query(&[("service", &page)]));
    let first = browser.page(&login).await.unwrap();
    assert_eq!(first.header("location"), Some("/signin"));
    server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    let ticket_for = |location: &str| location.rsplit_once("ticket=").unwrap().1.to_owned();
    let back = browser.page(&login).await.unwrap();
    let ticket = ticket_for(back.header("location").unwrap());

    // A callback that does not answer 200: the validation fails, saying so.
    let broken = format!("{}/broken", receiver.base);
    let answer = get_json(
        &server,
        "/cas/serviceValidate",
        &[("service", &page), ("ticket", &ticket), ("pgtUrl", &broken)],
    )
    .await;
    let failure = &answer["serviceResponse"]["authenticationFailure"];
    assert_eq!(failure["code"], "INVALID_PROXY_CALLBACK", "{answer}");
    let description = failure["description"].as_str().unwrap();
    assert!(description.contains("it answered 404"), "{description}");

    // The callback answers 200: the IOU in the answer, the PGT at the callback.
    let back = browser.page(&login).await.unwrap();
    let ticket = ticket_for(back.header("location").unwrap());
    let xml = get(
        &server,
        "/cas/serviceValidate",
        &[
            ("service", &page),
            ("ticket", &ticket),
            ("pgtUrl", &callback),
        ],
    )
    .await;
    let iou = element(&xml, "cas:proxyGrantingTicket").expect(&xml);
    assert!(iou.starts_with("PGTIOU-"), "{iou}");
    let delivered = receiver.received.lock().unwrap().last().cloned().unwrap();
    assert_eq!(delivered["pgtIou"], iou);
    let pgt = delivered["pgtId"].clone();
    assert!(pgt.starts_with("PGT-"), "{pgt}");

    // A pgtUrl outside the service's own registration gets no PGT: the validation fails.
    let back = browser.page(&login).await.unwrap();
    let ticket = ticket_for(back.header("location").unwrap());
    let xml = get(
        &server,
        "/cas/serviceValidate",
        &[("service", &page), ("ticket", &ticket), ("pgtUrl", BACKEND)],
    )
    .await;
    assert!(
        xml.contains("<cas:authenticationFailure code=\"INVALID_PROXY_CALLBACK\">"),
        "{xml}"
    );
    assert!(!xml.contains("<cas:user>"), "{xml}");

    // A proxy ticket for the backend.
    let xml = get(
        &server,
        "/cas/proxy",
        &[("pgt", &pgt), ("targetService", BACKEND)],
    )
    .await;
    let pt = element(&xml, "cas:proxyTicket").expect(&xml);
    assert!(pt.starts_with("PT-"), "{pt}");

    // serviceValidate refuses a proxy ticket; proxyValidate names the proxy, once.
    let refused = get(
        &server,
        "/cas/serviceValidate",
        &[("service", BACKEND), ("ticket", &pt)],
    )
    .await;
    assert!(refused.contains("code=\"INVALID_TICKET\""), "{refused}");
    let answer = get_json(
        &server,
        "/cas/proxyValidate",
        &[("service", BACKEND), ("ticket", &pt)],
    )
    .await;
    let success = &answer["serviceResponse"]["authenticationSuccess"];
    assert!(success["user"].is_string(), "{answer}");
    assert_eq!(success["proxies"], serde_json::json!([callback]));
    let again = get(
        &server,
        "/cas/proxyValidate",
        &[("service", BACKEND), ("ticket", &pt)],
    )
    .await;
    assert!(again.contains("code=\"INVALID_TICKET\""), "{again}");

    // Refusals of /cas/proxy.
    let cases: [(&[(&str, &str)], &str); 3] = [
        (
            &[
                ("pgt", &pgt),
                ("targetService", "https://elsewhere.example/"),
            ],
            "UNAUTHORIZED_SERVICE",
        ),
        (
            &[("pgt", "PGT-forged"), ("targetService", BACKEND)],
            "INVALID_TICKET",
        ),
        (&[("targetService", BACKEND)], "INVALID_REQUEST"),
    ];
    for (pairs, code) in cases {
        let xml = get(&server, "/cas/proxy", pairs).await;
        assert!(
            xml.contains(&format!("<cas:proxyFailure code=\"{code}\">")),
            "{xml}"
        );
    }

    // Signing out ends the PGT with the session.
    let out = browser.page("/cas/logout").await.unwrap();
    assert!(out.status.is_redirection());
    let xml = get(
        &server,
        "/cas/proxy",
        &[("pgt", &pgt), ("targetService", BACKEND)],
    )
    .await;
    assert!(xml.contains("code=\"INVALID_TICKET\""), "{xml}");
}

/// The `cas:authenticationFailure` code and text of an XML answer.
fn failure_of(xml: &str) -> (String, String) {
    let start = xml
        .find("<cas:authenticationFailure code=\"")
        .unwrap_or_else(|| panic!("not a failure: {xml}"))
        + "<cas:authenticationFailure code=\"".len();
    let (code, rest) = xml[start..].split_once("\">").unwrap();
    let (text, _) = rest.split_once("</cas:authenticationFailure>").unwrap();
    (code.to_owned(), text.to_owned())
}

async fn an_unacceptable_pgt_url_fails_the_validation(backend: Backend) {
    let Some(server) = TestServer::start(backend).await.unwrap() else {
        return;
    };
    server.app.load_demo().await.unwrap();
    let receiver = Receiver::start().await;
    let front = format!("{}/", receiver.base);
    let page = format!("{}/app", receiver.base);
    // A proxying service whose callback is not listening: a port bound, then let go.
    let dead = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let dead_page = format!("{dead}/app");
    register(&server, &front, "prefix", true).await;
    register(&server, &format!("{dead}/"), "prefix", true).await;
    register(&server, BACKEND, "exact", false).await;

    let browser = server.client();
    let login_for = |service: &str| format!("/cas/login?{}", query(&[("service", service)]));
    browser.page(&login_for(&page)).await.unwrap();
    server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    let ticket_for = |service: String| {
        let (browser, login) = (&browser, login_for(&service));
        async move {
            let back = browser.page(&login).await.unwrap();
            let location = back.header("location").unwrap();
            location.rsplit_once("ticket=").unwrap().1.to_owned()
        }
    };

    let fail = format!("{}/fail", receiver.base);
    let dead_callback = format!("{dead}/cb");
    let cases = [
        (
            page.clone(),
            "https://elsewhere.example/cb".to_owned(),
            "it must belong to the validating service",
        ),
        (
            page.clone(),
            "http://front.example/cb".to_owned(),
            "not an https address",
        ),
        (
            BACKEND.to_owned(),
            "https://backend.example/api".to_owned(),
            "the service is not registered for proxying",
        ),
        (page.clone(), fail.clone(), "it answered 500"),
        (dead_page.clone(), dead_callback, "could not be reached"),
    ];
    for endpoint in [
        "/cas/serviceValidate",
        "/cas/p3/serviceValidate",
        "/cas/proxyValidate",
    ] {
        for (service, pgt_url, why) in &cases {
            if endpoint == "/cas/proxyValidate" && service == BACKEND {
                continue; // refused earlier there, as UNAUTHORIZED_SERVICE_PROXY
            }
            let calls = receiver.received.lock().unwrap().len();
            let ticket = ticket_for(service.clone()).await;
            let pairs = [
                ("service", service.as_str()),
                ("ticket", ticket.as_str()),
                ("pgtUrl", pgt_url.as_str()),
            ];
            // XML and JSON say the same.
            let xml = get(&server, endpoint, &pairs).await;
            let (code, text) = failure_of(&xml);
            assert_eq!(
                code, "INVALID_PROXY_CALLBACK",
                "{endpoint} {pgt_url}: {xml}"
            );
            assert!(text.contains("no proxy-granting ticket"), "{xml}");
            assert!(text.contains(why), "{endpoint} {pgt_url}: {xml}");
            assert!(!xml.contains("<cas:user>"), "{xml}");
            // Only an acceptable address is called back.
            let called = receiver.received.lock().unwrap().len() - calls;
            assert_eq!(called, usize::from(*pgt_url == fail), "{pgt_url}");

            // The ticket is used all the same.
            let again = get(&server, endpoint, &pairs[..2]).await;
            assert_eq!(failure_of(&again).0, "INVALID_TICKET", "{again}");

            let ticket = ticket_for(service.clone()).await;
            let pairs = [
                ("service", service.as_str()),
                ("ticket", ticket.as_str()),
                ("pgtUrl", pgt_url.as_str()),
            ];
            let answer = get_json(&server, endpoint, &pairs).await;
            let failure = &answer["serviceResponse"]["authenticationFailure"];
            assert_eq!(failure["code"], "INVALID_PROXY_CALLBACK", "{answer}");
            assert!(
                failure["description"].as_str().unwrap().contains(why),
                "{answer}"
            );
            assert!(
                answer["serviceResponse"]
                    .get("authenticationSuccess")
                    .is_none()
            );
        }
    }

    // The PGT delivered to a callback answering 500 was never kept.
    let delivered = receiver.received.lock().unwrap().last().cloned().unwrap();
    let pgt = delivered["pgtId"].clone();
    assert!(pgt.starts_with("PGT-"), "{pgt}");
    let xml = get(
        &server,
        "/cas/proxy",
        &[("pgt", &pgt), ("targetService", BACKEND)],
    )
    .await;
    assert!(
        xml.contains("<cas:proxyFailure code=\"INVALID_TICKET\">"),
        "{xml}"
    );
}
