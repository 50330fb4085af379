//! Refresh tokens, client credentials, introspection (RFC 7662) and revocation (RFC 7009)
//! over HTTP, on both databases. Expiry needs the app's clock and is tested in the app
//! crate (`crates/app/tests/oidc_refresh.rs`).

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::demo;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tessera_app::{ClientInput, Ctx};
use tessera_store::Applications;
use tessera_testkit::demo::{ERIKA, PASSWORD};
use tessera_testkit::{Backend, TestServer};

tessera_testkit::on_both_backends!(
    refresh_rotates_and_a_reused_token_revokes_the_family,
    client_credentials_introspection_and_revocation,
);

const REDIRECT: &str = "https://casper.example/callback";

struct Rp {
    id: String,
    secret: String,
}

async fn register(server: &TestServer, grants: &[&str]) -> Rp {
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
                environment: "production".into(),
                name: "CASPER web".into(),
                redirect_uris: vec![REDIRECT.into()],
                grant_types: grants.iter().map(|g| (*g).to_owned()).collect(),
                ..ClientInput::default()
            },
        )
        .await
        .unwrap();
    Rp {
        id: registered.client.client_id,
        secret: registered.secret.unwrap(),
    }
}

/// POSTs a form to one of the provider's endpoints with `client_secret_basic`.
async fn post(
    server: &TestServer,
    path: &str,
    rp: &Rp,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(server.url(path))
        .header(
            "authorization",
            format!(
                "Basic {}",
                STANDARD.encode(format!("{}:{}", rp.id, rp.secret))
            ),
        )
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Erika signs in through the browser; CASPER exchanges the code (PKCE) for tokens.
async fn tokens_for_erika(server: &TestServer, rp: &Rp) -> Value {
    let verifier = "erika-".to_owned() + &"v".repeat(50);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let path = format!(
        "/oidc/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid%20profile\
         &state=s&code_challenge={challenge}&code_challenge_method=S256",
        rp.id,
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );
    let browser = server.client();
    browser.page(&path).await.unwrap();
    server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    let back = browser.page(&path).await.unwrap();
    let location = url::Url::parse(back.header("location").unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let (status, body) = post(
        server,
        "/oidc/token",
        rp,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn refresh(server: &TestServer, rp: &Rp, token: &str) -> (StatusCode, Value) {
    post(
        server,
        "/oidc/token",
        rp,
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await
}

async fn refresh_rotates_and_a_reused_token_revokes_the_family(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let discovery: Value = reqwest::get(server.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["grant_types_supported"],
        serde_json::json!(["authorization_code", "refresh_token", "client_credentials"])
    );
    assert_eq!(
        discovery["introspection_endpoint"],
        format!("{}/oidc/introspect", server.public_url)
    );
    assert_eq!(
        discovery["revocation_endpoint"],
        format!("{}/oidc/revoke", server.public_url)
    );

    let rp = register(&server, &["refresh_token"]).await;
    let tokens = tokens_for_erika(&server, &rp).await;
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();
    let (status, rotated) = refresh(&server, &rp, &first).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    assert!(rotated.get("id_token").is_none());
    let second = rotated["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let info = reqwest::Client::new()
        .get(server.url("/oidc/userinfo"))
        .bearer_auth(rotated["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::OK);

    // The used token again: invalid_grant, and the newest token of the family dies with it.
    let (status, body) = refresh(&server, &rp, &first).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    let (status, body) = refresh(&server, &rp, &second).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");

    // A client without the grant gets no refresh token, and may not use one.
    let plain = register(&server, &[]).await;
    let tokens = tokens_for_erika(&server, &plain).await;
    assert!(tokens.get("refresh_token").is_none());
    let (status, body) = refresh(&server, &plain, "anything").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unauthorized_client");
}

async fn client_credentials_introspection_and_revocation(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let resource = register(&server, &["client_credentials"]).await;
    let (status, own) = post(
        &server,
        "/oidc/token",
        &resource,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert!(own.get("id_token").is_none() && own.get("refresh_token").is_none());
    let own_token = own["access_token"].as_str().unwrap();
    let (_, answer) = post(
        &server,
        "/oidc/introspect",
        &resource,
        &[("token", own_token)],
    )
    .await;
    assert_eq!(answer["active"], true);
    assert_eq!(answer["sub"], resource.id.as_str());

    let rp = register(&server, &["refresh_token"]).await;
    let tokens = tokens_for_erika(&server, &rp).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let (status, answer) = post(&server, "/oidc/introspect", &resource, &[("token", access)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["active"], true);
    assert_eq!(answer["client_id"], rp.id.as_str());
    assert_eq!(answer["scope"], "openid profile");
    assert_eq!(answer["token_type"], "Bearer");
    for field in ["sub", "exp", "iat"] {
        assert!(answer.get(field).is_some(), "{field} in {answer}");
    }
    let (_, answer) = post(
        &server,
        "/oidc/introspect",
        &rp,
        &[
            ("token", refresh_token),
            ("token_type_hint", "refresh_token"),
        ],
    )
    .await;
    assert_eq!(answer["active"], true);
    assert_eq!(answer["token_type"], "refresh_token");
    // Without client authentication: 401 invalid_client.
    let response = reqwest::Client::new()
        .post(server.url("/oidc/introspect"))
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = post(&server, "/oidc/introspect", &resource, &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no token");

    // Revocation: 200 for unknown tokens, and revoked tokens are inactive everywhere.
    let (status, _) = post(&server, "/oidc/revoke", &rp, &[("token", "unknown")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post(&server, "/oidc/revoke", &rp, &[("token", access)]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, answer) = post(&server, "/oidc/introspect", &resource, &[("token", access)]).await;
    assert_eq!(answer, serde_json::json!({ "active": false }));
    let info = reqwest::Client::new()
        .get(server.url("/oidc/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = post(&server, "/oidc/revoke", &rp, &[("token", refresh_token)]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = refresh(&server, &rp, refresh_token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    let (_, answer) = post(
        &server,
        "/oidc/introspect",
        &rp,
        &[("token", refresh_token)],
    )
    .await;
    assert_eq!(answer["active"], false);
}
