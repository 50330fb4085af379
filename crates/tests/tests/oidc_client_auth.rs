//! `private_key_jwt` over HTTP on both databases: a client that holds its own key (made for
//! this test, signed here with jsonwebtoken, never with Tessera's code) completes the code
//! flow for demo Erika, gets an RS256 ID token with her phone number that checks against the
//! published JWKS, introspects with a second assertion; a replayed assertion and a secret
//! are refused. Discovery and the JWKS show what the provider offers.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::demo;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_app::{ClientInput, Ctx};
use tessera_store::Applications;
use tessera_testkit::demo::{ERIKA, PASSWORD};
use tessera_testkit::{Backend, TestServer};

tessera_testkit::on_both_backends!(
    discovery_and_jwks_offer_keys_and_algorithms,
    a_key_client_exchanges_a_code_with_its_own_assertion,
);

const REDIRECT: &str = "https://budget.example/callback";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The client's P-256 key (PKCS#8, made with openssl for this test only) and its public
/// coordinates.
const CLIENT_KEY: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgD5dVcBVPfassRl6R3kEiORJ2nMe1oJM4ZufBwM77UVShRANCAATBwLife6qlwbFU8n3rjP5ZZKjXOJxTU2N0Vooos4Qv3RjZRQGEoUXUx9hTtYNcx8c0/uhGjpx/A+5mlYaHRBfg";
const CLIENT_X: &str = "wcC4n3uqpcGxVPJ964z-WWSo1zicU1NjdFaKKLOEL90";
const CLIENT_Y: &str = "GNlFAYShRdTH2FO1g1zHxzT-6EaOnH8D7maVhodEF-A";

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A client assertion (RFC 7523) for the token endpoint, signed by the client's key.
fn assertion(server: &TestServer, client_id: &str, jti: &str) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("budget-1".into());
    let claims = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": format!("{}/oidc/token", server.public_url),
        "iat": now(),
        "exp": now() + 60,
        "jti": jti,
    });
    let key = EncodingKey::from_ec_der(&STANDARD.decode(CLIENT_KEY).unwrap());
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

async fn register(server: &TestServer) -> String {
    let casper = {
        let mut tx = server.db.store.read().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap()
    };
    let jwks = json!({ "keys": [{
        "kty": "EC", "crv": "P-256", "kid": "budget-1", "alg": "ES256",
        "x": CLIENT_X, "y": CLIENT_Y,
    }]});
    let registered = server
        .app
        .register_oidc_client(
            &Ctx::system(),
            &ClientInput {
                application_id: casper.id,
                environment: "production".into(),
                name: "Budget planner".into(),
                redirect_uris: vec![REDIRECT.into()],
                auth_method: Some("private_key_jwt".into()),
                jwks: Some(jwks.to_string()),
                id_token_alg: Some("RS256".into()),
                ..ClientInput::default()
            },
        )
        .await
        .unwrap();
    assert!(registered.secret.is_none());
    registered.client.client_id
}

async fn post(server: &TestServer, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(server.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn discovery_and_jwks_offer_keys_and_algorithms(backend: Backend) {
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
    let has = |field: &str, value: &str| {
        discovery[field]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == value)
    };
    for endpoint in ["token", "introspection", "revocation"] {
        assert!(has(
            &format!("{endpoint}_endpoint_auth_methods_supported"),
            "private_key_jwt"
        ));
        for alg in ["RS256", "ES256", "EdDSA"] {
            assert!(has(
                &format!("{endpoint}_endpoint_auth_signing_alg_values_supported"),
                alg
            ));
        }
    }
    for alg in ["ES256", "RS256", "EdDSA"] {
        assert!(has("id_token_signing_alg_values_supported", alg));
    }
    assert!(has("scopes_supported", "phone"));
    assert!(has("claims_supported", "phone_number"));
    assert!(has("claims_supported", "phone_number_verified"));

    let jwks: Value = http
        .get(server.url("/oidc/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut kinds: Vec<(String, String)> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kty"].as_str().unwrap().to_owned(),
                k["alg"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("EC".to_owned(), "ES256".to_owned()),
            ("OKP".to_owned(), "EdDSA".to_owned()),
            ("RSA".to_owned(), "RS256".to_owned()),
        ]
    );
}

async fn a_key_client_exchanges_a_code_with_its_own_assertion(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client_id = register(&server).await;
    let mut url = url::Url::parse("http://x/oidc/authorize").unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "openid profile phone")
        .append_pair("state", "s1");
    let path = format!("/oidc/authorize?{}", url.query().unwrap());
    let browser = server.client();
    let first = browser.page(&path).await.unwrap();
    assert_eq!(first.header("location"), Some("/signin"));
    server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    let back = browser.page(&path).await.unwrap();
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let location = url::Url::parse(back.header("location").unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();

    // A secret is no way in for this client, and neither is nothing at all.
    let (status, body) = post(
        &server,
        "/oidc/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", "not-the-code"),
            ("redirect_uri", REDIRECT),
            ("client_id", &client_id),
            ("client_secret", "guess"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");

    let signed = assertion(&server, &client_id, "exchange-1");
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", signed.as_str()),
    ];
    let (status, body) = post(&server, "/oidc/token", &exchange).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The ID token is RS256 as the client asked, checked against the published keys.
    let jwks: JwkSet = reqwest::get(server.url("/oidc/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = body["id_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&server.public_url]);
    validation.set_audience(&[&client_id]);
    let claims: Value =
        jsonwebtoken::decode(id_token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .unwrap()
            .claims;
    assert_eq!(claims["given_name"], "Erika");
    assert!(claims["phone_number"].as_str().unwrap().starts_with('+'));
    assert_eq!(claims["phone_number_verified"], true);
    let access = jsonwebtoken::decode_header(body["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(access.alg, Algorithm::ES256);

    // The same assertion again is a replay, whatever the request.
    let (status, body_again) = post(&server, "/oidc/token", &exchange).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body_again["error"], "invalid_client");

    // Introspection with a new assertion of its own.
    let look = assertion(&server, &client_id, "introspect-1");
    let (status, seen) = post(
        &server,
        "/oidc/introspect",
        &[
            ("token", body["access_token"].as_str().unwrap()),
            ("client_id", &client_id),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &look),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["active"], true);
    assert_eq!(seen["client_id"], client_id.as_str());
}
