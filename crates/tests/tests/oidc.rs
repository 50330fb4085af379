//! The OpenID Connect provider over HTTP, on both databases, driven the way a relying party
//! and a browser would: discovery, JWKS, the authorization code flow with PKCE for demo
//! Erika (password and SMS code), the ID token checked with jsonwebtoken against the
//! published keys (not with Tessera's own code), userinfo; and the refusals of RFC 6749.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{call, demo, signed_in};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tessera_app::{ClientInput, Ctx};
use tessera_store::Applications;
use tessera_testkit::demo::{ERIKA, OPERATOR, PASSWORD};
use tessera_testkit::{Backend, Client, TestServer};

tessera_testkit::on_both_backends!(
    erika_signs_in_to_casper_production_with_pkce,
    authorization_refusals_follow_the_rfcs,
    token_refusals_follow_the_rfcs,
    operators_register_clients_through_the_api,
    a_fresh_sign_in_comes_back_without_asking_again,
);

const REDIRECT: &str = "https://casper.example/callback";

struct RelyingParty {
    client_id: String,
    secret: Option<String>,
}

async fn register(server: &TestServer, environment: &str, public: bool) -> RelyingParty {
    let casper = {
        let mut tx = server.db.store.read().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap()
    };
    let registered = server
        .app
        .register_oidc_client(
            &Ctx::system(),
            &ClientInput {
                application_id: casper.id,
                environment: environment.into(),
                name: format!("CASPER web ({environment})"),
                redirect_uris: vec![REDIRECT.into()],
                public,
                ..ClientInput::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(registered.secret.is_none(), public);
    RelyingParty {
        client_id: registered.client.client_id,
        secret: registered.secret,
    }
}

/// A PKCE verifier (RFC 7636: 43 to 128 unreserved characters) and its S256 challenge.
fn pkce(seed: &str) -> (String, String) {
    let verifier = format!("{seed}-{}", "v".repeat(50));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn authorize_path(rp: &RelyingParty, extra: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse("http://x/oidc/authorize").unwrap();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &rp.client_id)
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("scope", "openid profile email")
            .append_pair("state", "st/ate=1&2")
            .append_pair("nonce", "n-0S6_WzA2Mj");
        for (name, value) in extra {
            query.append_pair(name, value);
        }
    }
    format!("/oidc/authorize?{}", url.query().unwrap())
}

/// The query parameters of a redirect to the client.
fn params_of(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(location).unwrap();
    assert_eq!(
        format!(
            "{}://{}{}",
            url.scheme(),
            url.host_str().unwrap(),
            url.path()
        ),
        REDIRECT
    );
    url.query_pairs().into_owned().collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Erika signs in when the application sends her, and comes back with a code.
async fn code_for_erika(server: &TestServer, browser: &Client, path: &str) -> String {
    let first = browser.page(path).await.unwrap();
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.header("location"), Some("/signin"));
    let done = server.sign_in(browser, ERIKA, PASSWORD).await.unwrap();
    // Back to the same authorization request, not to My Account.
    assert_eq!(done.header("location"), Some(path));
    let back = browser.page(path).await.unwrap();
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let params = params_of(back.header("location").unwrap());
    assert_eq!(param(&params, "state"), Some("st/ate=1&2"));
    assert_eq!(param(&params, "iss"), Some(server.public_url.as_str()));
    param(&params, "code").unwrap().to_owned()
}

async fn token(
    server: &TestServer,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(server.url("/oidc/token"))
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        );
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

async fn erika_signs_in_to_casper_production_with_pkce(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let http = reqwest::Client::new();
    let discovery: Value = http
        .get(server.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], server.public_url);
    assert_eq!(
        discovery["token_endpoint"],
        format!("{}/oidc/token", server.public_url)
    );
    assert_eq!(discovery["code_challenge_methods_supported"][0], "S256");
    let jwks: JwkSet = http
        .get(server.url("/oidc/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let rp = register(&server, "production", false).await;
    let (verifier, challenge) = pkce("erika");
    let path = authorize_path(
        &rp,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let browser = server.client();
    let code = code_for_erika(&server, &browser, &path).await;

    let (status, headers, body) = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
        Some((&rp.client_id, rp.secret.as_deref().unwrap())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], "Bearer");

    let id_token = body["id_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[&server.public_url]);
    validation.set_audience(&[&rp.client_id]);
    let claims: Value =
        jsonwebtoken::decode(id_token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .unwrap()
            .claims;
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["acr"], "medium");
    assert_eq!(claims["amr"], serde_json::json!(["pwd", "sms", "mfa"]));
    assert_eq!(claims["given_name"], "Erika");
    assert_eq!(claims["email"], ERIKA);
    // A production client sees only production memberships.
    assert_eq!(
        claims["groups"],
        serde_json::json!(["CASPER_WEB_DATA_SUBMITTER"])
    );

    // A tampered token fails the same check.
    let mut tampered = id_token.to_owned();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    assert!(
        jsonwebtoken::decode::<Value>(&tampered, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .is_err()
    );

    let access_token = body["access_token"].as_str().unwrap();
    let info = http
        .get(server.url("/oidc/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::OK);
    let info: Value = info.json().await.unwrap();
    assert_eq!(info["sub"], claims["sub"]);
    assert_eq!(info["family_name"], "Mustermann");
    let refused = http
        .get(server.url("/oidc/userinfo"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    // The same browser, now signed in, goes straight through for a pre-production client,
    // which sees only pre-production memberships.
    let pre = register(&server, "pre_production", true).await;
    let (verifier, challenge) = pkce("pre");
    let path = authorize_path(
        &pre,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let answer = browser.page(&path).await.unwrap();
    let params = params_of(answer.header("location").unwrap());
    let code = param(&params, "code").unwrap();
    let (status, _, body) = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &pre.client_id),
        ],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let payload = body["id_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(
        claims["groups"],
        serde_json::json!(["A-CASPER_WEB_DATA_SUBMITTER"])
    );

    // CASPER asking for more than the session has: the browser is sent to step up, and the
    // authorization request is remembered for afterwards.
    let casper = {
        let mut tx = server.db.store.read().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap()
    };
    server
        .app
        .update_application(
            &Ctx::system(),
            casper.id,
            &tessera_app::ApplicationInput {
                code: casper.code.clone(),
                name: casper.name.clone(),
                description: casper.description.clone(),
                min_assurance: "high".into(),
            },
            casper.version,
        )
        .await
        .unwrap();
    let answer = browser.page(&path).await.unwrap();
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(
        answer.header("location"),
        Some("/signin/step-up?assurance=high")
    );
    assert!(browser.cookie("tessera_return").is_some());

    // Each sign-in to an application is audited.
    assert!(
        audit_actions(&server)
            .await
            .iter()
            .filter(|a| *a == "sso.signin")
            .count()
            >= 2
    );
}

async fn audit_actions(server: &TestServer) -> Vec<String> {
    use tessera_store::AuditLog;
    let mut tx = server.db.store.read().await.unwrap();
    tx.audit_events_after(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn authorization_refusals_follow_the_rfcs(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let public = register(&server, "production", true).await;
    let browser = server.client();
    let (_, challenge) = pkce("x");

    // An unregistered redirect URI or an unknown client: an error page, never a redirect.
    let path = authorize_path(
        &public,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .replace("callback", "callback2");
    let page = browser.page(&path).await.unwrap();
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(page.header("location"), None);
    let unknown = RelyingParty {
        client_id: "nobody".into(),
        secret: None,
    };
    let page = browser.page(&authorize_path(&unknown, &[])).await.unwrap();
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(page.header("location"), None);

    // A public client without PKCE, or with plain: invalid_request at the redirect URI.
    for extra in [
        vec![],
        vec![
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "plain"),
        ],
    ] {
        let page = browser
            .page(&authorize_path(&public, &extra))
            .await
            .unwrap();
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let params = params_of(page.header("location").unwrap());
        assert_eq!(param(&params, "error"), Some("invalid_request"));
        assert_eq!(param(&params, "state"), Some("st/ate=1&2"));
    }

    // prompt=none without a session: login_required, no sign-in page.
    let page = browser
        .page(&authorize_path(
            &public,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("prompt", "none"),
            ],
        ))
        .await
        .unwrap();
    let params = params_of(page.header("location").unwrap());
    assert_eq!(param(&params, "error"), Some("login_required"));
}

async fn token_refusals_follow_the_rfcs(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let rp = register(&server, "production", false).await;
    let secret = rp.secret.clone().unwrap();
    let (verifier, challenge) = pkce("erika");
    let path = authorize_path(
        &rp,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let browser = server.client();
    let code = code_for_erika(&server, &browser, &path).await;
    let exchange = |code: String, verifier: String, secret: String| {
        let server = &server;
        let client_id = rp.client_id.clone();
        async move {
            token(
                server,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", &verifier),
                    ("client_id", &client_id),
                    ("client_secret", &secret),
                ],
                None,
            )
            .await
        }
    };

    // A wrong secret: invalid_client (401), and the code still works afterwards since
    // the client was refused before the code was looked at.
    let (status, headers, body) = exchange(code.clone(), verifier.clone(), "wrong".into()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(headers["cache-control"], "no-store");

    // client_secret_post works; the same code a second time is invalid_grant.
    let (status, _, body) = exchange(code.clone(), verifier.clone(), secret.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = exchange(code, verifier.clone(), secret.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");

    // A verifier that does not match the challenge: invalid_grant.
    let answer = browser.page(&path).await.unwrap();
    let params = params_of(answer.header("location").unwrap());
    let code = param(&params, "code").unwrap().to_owned();
    let (other, _) = pkce("someone-else");
    let (status, _, body) = exchange(code, other, secret.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");

    // Other grant types, and bodies that are not forms.
    let (status, _, body) = token(
        &server,
        &[("grant_type", "password")],
        Some((&rp.client_id, &secret)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
    let response = reqwest::Client::new()
        .post(server.url("/oidc/token"))
        .body("{}")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}

async fn operators_register_clients_through_the_api(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let casper = {
        let mut tx = server.db.store.read().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap()
    };
    let path = format!("/api/v1/applications/{}/oidc-clients", casper.id);
    let body = serde_json::json!({
        "environment": "pre_production",
        "name": "CASPER acceptance",
        "redirect_uris": [REDIRECT],
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
    assert_eq!(created["public"], false);
    let secret = created["client_secret"].as_str().unwrap();
    assert!(secret.len() >= 43);
    let (status, _, invalid) = call(
        &operator,
        reqwest::Method::POST,
        &path,
        Some(serde_json::json!({
            "environment": "production",
            "name": "x",
            "redirect_uris": ["http://casper.example/cb"],
        })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{invalid}");

    // Listed afterwards, never with the secret.
    let (status, _, list) = call(&operator, reqwest::Method::GET, &path, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["clients"][0]["client_id"], created["client_id"]);
    assert!(list["clients"][0].get("client_secret").is_none());
    assert!(!list.to_string().contains(secret));
}

async fn a_fresh_sign_in_comes_back_without_asking_again(backend: Backend) {
    let Some(server) = TestServer::start(backend).await.unwrap() else {
        return;
    };
    server.app.load_demo().await.unwrap();
    let rp = register(&server, "production", false).await;
    let browser = server.client();
    code_for_erika(&server, &browser, &authorize_path(&rp, &[])).await;
    // Signed in already, but the client wants a fresh sign-in.
    let fresh = authorize_path(&rp, &[("prompt", "login"), ("max_age", "60")]);
    let answer = browser.page(&fresh).await.unwrap();
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.header("location"), Some("/signin"));
    let done = server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    let back = done.header("location").unwrap().to_owned();
    assert!(back.starts_with("/oidc/authorize?"), "{back}");
    assert!(
        !back.contains("prompt=") && !back.contains("max_age="),
        "{back}"
    );
    // Coming back, the request is served with a code instead of asking again.
    let served = browser.page(&back).await.unwrap();
    let params = params_of(served.header("location").unwrap());
    assert!(param(&params, "code").is_some());
    assert_eq!(param(&params, "state"), Some("st/ate=1&2"));
}
