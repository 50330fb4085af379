//! Single sign-on and single logout over HTTP, on both databases: one browser signs in once
//! (demo Erika, password and SMS code) and is served by an OpenID Connect client of CASPER
//! and a CAS service of IMAS in turn without signing in again; it then signs out through
//! RP-initiated logout. A small HTTP server of the test's own, standing in for both
//! applications, receives the back-channel logout token (checked with jsonwebtoken against
//! the published JWKS, not with Tessera's code) and the CAS logout request (read with a real
//! XML parser); the old session no longer works anywhere.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus, Uri};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{call, demo, signed_in};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use quick_xml::events::Event;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tessera_app::{CasServiceInput, ClientInput, Ctx};
use tessera_store::Applications;
use tessera_testkit::demo::{ERIKA, OPERATOR, PASSWORD};
use tessera_testkit::{Backend, Client, TestServer};

tessera_testkit::on_both_backends!(
    one_sign_in_serves_oidc_and_cas_and_one_logout_tells_both,
    a_logout_without_hint_asks_first_and_never_follows_unregistered_uris,
);

const REDIRECT: &str = "https://casper.example/callback";
const SIGNED_OUT: &str = "https://casper.example/signed-out";
const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// One request the stand-in application received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    content_type: String,
    form: HashMap<String, String>,
}

/// The test's own HTTP server on 127.0.0.1, recording every request it gets.
struct Receiver {
    base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start() -> Self {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let log = Arc::clone(&received);
        let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let log = Arc::clone(&log);
            async move {
                let form = url::form_urlencoded::parse(&body).into_owned().collect();
                log.lock().unwrap().push(Received {
                    path: uri.path().to_owned(),
                    content_type: headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned(),
                    form,
                });
                AxumStatus::OK
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, received }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn at(&self, path: &str) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

struct Casper {
    client_id: String,
    secret: String,
}

async fn application(server: &TestServer, code: &str) -> uuid::Uuid {
    let mut tx = server.db.store.read().await.unwrap();
    tx.application_by_code(code).await.unwrap().unwrap().id
}

async fn register_casper(server: &TestServer, backchannel: &str) -> Casper {
    let registered = server
        .app
        .register_oidc_client(
            &Ctx::system(),
            &ClientInput {
                application_id: application(server, "CASPER").await,
                environment: "production".into(),
                name: "CASPER web".into(),
                redirect_uris: vec![REDIRECT.into()],
                post_logout_redirect_uris: vec![SIGNED_OUT.into()],
                backchannel_logout_uri: Some(backchannel.into()),
                ..ClientInput::default()
            },
        )
        .await
        .unwrap();
    Casper {
        client_id: registered.client.client_id,
        secret: registered.secret.unwrap(),
    }
}

/// An IMAS service registered as a prefix, with no single logout URL of its own: its
/// logout requests go to the URL each ticket was issued for.
async fn register_imas(server: &TestServer, prefix: &str) {
    server
        .app
        .register_cas_service(
            &Ctx::system(),
            &CasServiceInput {
                application_id: application(server, "IMAS").await,
                environment: "production".into(),
                name: "IMAS portal".into(),
                service_url: prefix.into(),
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

fn param(location: &str, name: &str) -> Option<String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The authorization code flow with PKCE in `browser`, signing in first when `sign_in`.
async fn tokens(server: &TestServer, browser: &Client, casper: &Casper, sign_in: bool) -> Value {
    let verifier = format!("verifier-{}", "v".repeat(50));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let path = format!(
        "/oidc/authorize?{}",
        query(&[
            ("response_type", "code"),
            ("client_id", &casper.client_id),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile"),
            ("nonce", "n-42"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
    );
    if sign_in {
        let first = browser.page(&path).await.unwrap();
        assert_eq!(first.header("location"), Some("/signin"));
        let done = server.sign_in(browser, ERIKA, PASSWORD).await.unwrap();
        assert_eq!(done.header("location"), Some(path.as_str()));
    }
    let back = browser.page(&path).await.unwrap();
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let code = param(back.header("location").unwrap(), "code").unwrap();
    let response = reqwest::Client::new()
        .post(server.url("/oidc/token"))
        .header(
            "authorization",
            format!(
                "Basic {}",
                STANDARD.encode(format!("{}:{}", casper.client_id, casper.secret))
            ),
        )
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Checks a JWT's signature against the published keys, its issuer and audience; its
/// header and claims.
async fn verified(
    server: &TestServer,
    token: &str,
    audience: &str,
) -> (jsonwebtoken::Header, Value) {
    let jwks: JwkSet = reqwest::get(server.url("/oidc/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[&server.public_url]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["iss", "aud", "exp", "iat", "sub"]);
    let claims =
        jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .unwrap()
            .claims;
    (header, claims)
}

/// What a CAS client reads in a logout request: the root's name and attributes, the
/// `NameID` and the `SessionIndex`.
#[derive(Debug, Default)]
struct LogoutRequest {
    root: String,
    namespace: String,
    attributes: HashMap<String, String>,
    name_id: String,
    session_index: String,
}

fn parse_logout_request(xml: &str) -> LogoutRequest {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut request = LogoutRequest::default();
    let mut current = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(start) => {
                let name = String::from_utf8(start.local_name().as_ref().to_vec()).unwrap();
                if request.root.is_empty() {
                    request.root.clone_from(&name);
                    for attribute in start.attributes() {
                        let attribute = attribute.unwrap();
                        let key = String::from_utf8(attribute.key.as_ref().to_vec()).unwrap();
                        // Plain ASCII here (a namespace, an id, a time): no entities.
                        let value = String::from_utf8(attribute.value.to_vec()).unwrap();
                        if key == "xmlns:samlp" {
                            request.namespace.clone_from(&value);
                        }
                        request.attributes.insert(key, value);
                    }
                }
                current = name;
            }
            Event::Text(text) => {
                let text = text.decode().unwrap().into_owned();
                match current.as_str() {
                    "NameID" => request.name_id.push_str(&text),
                    "SessionIndex" => request.session_index.push_str(&text),
                    _ => {}
                }
            }
            Event::End(_) => current.clear(),
            Event::Eof => break,
            _ => {}
        }
    }
    request
}

async fn one_sign_in_serves_oidc_and_cas_and_one_logout_tells_both(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let casper = register_casper(&server, &receiver.url("/casper/backchannel")).await;
    register_imas(&server, &receiver.url("/imas/")).await;

    let discovery: Value = reqwest::get(server.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["end_session_endpoint"],
        format!("{}/oidc/logout", server.public_url)
    );
    assert_eq!(discovery["backchannel_logout_supported"], true);
    assert_eq!(discovery["backchannel_logout_session_supported"], true);

    // CASPER first: Erika signs in once.
    let browser = server.client();
    let answer = tokens(&server, &browser, &casper, true).await;
    let id_token = answer["id_token"].as_str().unwrap().to_owned();
    let access_token = answer["access_token"].as_str().unwrap().to_owned();
    let (_, id_claims) = verified(&server, &id_token, &casper.client_id).await;
    let sid = id_claims["sid"].as_str().unwrap().to_owned();
    let session_cookie = browser.cookie("tessera_session").unwrap();
    assert_ne!(
        sid, session_cookie,
        "sid is the session's public id, not its token"
    );
    assert!(!sid.is_empty());

    // Then IMAS over CAS, in the same browser: a ticket at once, no sign-in.
    let service = receiver.url("/imas/home");
    let login = format!("/cas/login?{}", query(&[("service", &service)]));
    let issued = browser.page(&login).await.unwrap();
    assert_eq!(issued.status, StatusCode::SEE_OTHER);
    let location = issued.header("location").unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{service}?ticket=")),
        "{location}"
    );
    let ticket = param(&location, "ticket").unwrap();
    let validation = reqwest::get(server.url(&format!(
        "/cas/serviceValidate?{}",
        query(&[("service", &service), ("ticket", &ticket)])
    )))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(
        validation.contains("cas:authenticationSuccess"),
        "{validation}"
    );

    // CASPER signs her out, proving the session with its ID token.
    let logout = format!(
        "/oidc/logout?{}",
        query(&[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", SIGNED_OUT),
            ("state", "after logout"),
        ])
    );
    let out = browser.page(&logout).await.unwrap();
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        out.header("location"),
        Some(format!("{SIGNED_OUT}?state=after%20logout").as_str())
    );

    // Both applications hear of it.
    assert_eq!(server.deliver().await.unwrap(), 2);
    let posts = receiver.at("/casper/backchannel");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].content_type, "application/x-www-form-urlencoded");
    let logout_token = &posts[0].form["logout_token"];
    let (header, claims) = verified(&server, logout_token, &casper.client_id).await;
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(claims["sub"], id_claims["sub"]);
    assert_eq!(claims["sid"], sid);
    assert_eq!(claims["aud"], casper.client_id);
    assert_eq!(
        claims["events"],
        serde_json::json!({ BACKCHANNEL_EVENT: {} })
    );
    assert!(claims.get("nonce").is_none());
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));

    let slo = receiver.at("/imas/home");
    assert_eq!(slo.len(), 1);
    assert_eq!(slo[0].content_type, "application/x-www-form-urlencoded");
    let request = parse_logout_request(&slo[0].form["logoutRequest"]);
    assert_eq!(request.root, "LogoutRequest");
    assert_eq!(request.namespace, "urn:oasis:names:tc:SAML:2.0:protocol");
    assert_eq!(request.attributes["Version"], "2.0");
    assert!(!request.attributes["ID"].is_empty());
    assert!(
        time::OffsetDateTime::parse(
            &request.attributes["IssueInstant"],
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );
    assert_eq!(request.name_id, "@NOT_USED@");
    assert_eq!(request.session_index, ticket);

    // The old session works nowhere any more.
    let userinfo = reqwest::Client::new()
        .get(server.url("/oidc/userinfo"))
        .bearer_auth(&access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), StatusCode::UNAUTHORIZED);
    let again = browser.page(&login).await.unwrap();
    assert_eq!(again.header("location"), Some("/signin"));
    browser.set_cookie("tessera_session", &session_cookie);
    let replayed = browser.page(&login).await.unwrap();
    assert_eq!(replayed.header("location"), Some("/signin"));

    // Operators see the notices among the messages, delivered, the addresses masked.
    let operator = signed_in(&server, OPERATOR).await;
    let (status, _, outbox) = call(&operator, Method::GET, "/api/v1/outbox", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{outbox}");
    let notices: Vec<&Value> = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["channel"] == "http_post")
        .collect();
    assert_eq!(notices.len(), 2, "{outbox}");
    for notice in notices {
        assert_eq!(notice["state"], "delivered");
        assert_eq!(notice["recipient"], format!("{}/…", receiver.base));
    }
}

async fn a_logout_without_hint_asks_first_and_never_follows_unregistered_uris(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let casper = register_casper(&server, &receiver.url("/casper/backchannel")).await;
    let browser = server.client();
    let answer = tokens(&server, &browser, &casper, true).await;
    let id_token = answer["id_token"].as_str().unwrap().to_owned();

    // A form POST from the application is turned into the same request as a GET, which a
    // browser makes with its SameSite=Lax session cookie.
    let posted = browser
        .post_form(
            "/oidc/logout",
            &[
                ("client_id", casper.client_id.as_str()),
                ("post_logout_redirect_uri", SIGNED_OUT),
            ],
        )
        .await
        .unwrap();
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let get = posted.header("location").unwrap().to_owned();
    assert!(get.starts_with("/oidc/logout?"), "{get}");

    // No hint: a page asks first, and nothing has ended yet.
    let asked = browser.page(&get).await.unwrap();
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("Do you want to sign out of Tessera?"));
    assert!(asked.body.contains("CASPER web"));
    assert_eq!(server.deliver().await.unwrap(), 0);
    assert!(receiver.at("/casper/backchannel").is_empty());

    // Another site's form without the CSRF token is refused.
    let forged = browser
        .post_form("/oidc/logout/confirm", &[("answer", "sign_out")])
        .await
        .unwrap();
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.page("/account").await.unwrap().status,
        StatusCode::OK
    );

    // A hint from this session with a URI CASPER never registered: signed out at once, but
    // the browser stays on Tessera.
    let near = format!(
        "/oidc/logout?{}",
        query(&[
            ("id_token_hint", &id_token),
            (
                "post_logout_redirect_uri",
                "https://casper.example/signed-out/evil"
            ),
            ("state", "x"),
        ])
    );
    let out = browser.page(&near).await.unwrap();
    assert_eq!(out.status, StatusCode::OK);
    assert!(out.body.contains("You have signed out"));
    assert!(out.header("location").is_none());
    assert_eq!(
        browser.page("/account").await.unwrap().header("location"),
        Some("/signin")
    );
    assert_eq!(server.deliver().await.unwrap(), 1);
    assert_eq!(receiver.at("/casper/backchannel").len(), 1);

    // Signed in again, with no hint: confirmed on the page, then back to CASPER.
    let _ = tokens(&server, &browser, &casper, true).await;
    let asked = browser.page(&get).await.unwrap();
    assert!(asked.body.contains("Do you want to sign out of Tessera?"));
    let csrf = browser.cookie("tessera_csrf").unwrap();
    let confirmed = browser
        .post_form(
            "/oidc/logout/confirm",
            &[
                ("csrf", csrf.as_str()),
                ("answer", "sign_out"),
                ("client_id", casper.client_id.as_str()),
                ("post_logout_redirect_uri", SIGNED_OUT),
            ],
        )
        .await
        .unwrap();
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert_eq!(confirmed.header("location"), Some(SIGNED_OUT));
    assert_eq!(
        browser.page("/account").await.unwrap().header("location"),
        Some("/signin")
    );
    assert_eq!(server.deliver().await.unwrap(), 1);
    assert_eq!(receiver.at("/casper/backchannel").len(), 2);
}
