//! OpenID Connect: `private_key_jwt` client authentication at the token, introspection and
//! revocation endpoints, the `phone` scope, and ID tokens signed with the algorithm each
//! client chose, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{app, full_sign_in};
use serde_json::{Value, json};
use tessera_app::{
    App, Authorization, ClientCredentials, ClientInput, Ctx, OAuthFailure, RegisteredClient,
    TokenRequest, TokenResponse,
};
use tessera_auth::keys::generate_es256;
use tessera_domain::audit::Actor;
use tessera_protocols::client_assertion::JWT_BEARER;
use tessera_protocols::jwk::PublicJwk;
use tessera_protocols::oauth::{AuthorizeParams, OAuthError};
use tessera_protocols::tokens::Signer;
use tessera_store::testing::TestDatabase;
use tessera_store::{Applications, Users};
use time::macros::datetime;

tessera_store::on_both_databases!(
    a_key_client_authenticates_once_per_assertion,
    assertions_are_refused_for_what_is_wrong,
    secrets_and_assertions_do_not_mix,
    the_phone_scope_releases_the_default_number,
    id_tokens_are_signed_with_the_clients_algorithm,
);

const REDIRECT: &str = "https://casper.example/callback";
const ISSUER: &str = "http://localhost:8080";
const TOKEN_ENDPOINT: &str = "http://localhost:8080/oidc/token";
/// The test clock's start (`common::app`).
const NOW: i64 = datetime!(2026-05-04 08:00 UTC).unix_timestamp();

async fn operator(db: &TestDatabase) -> Ctx {
    let mut tx = db.store.reads().await.unwrap();
    let id = tx
        .user_by_email_key("operator@tessera.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    Ctx {
        actor: Actor::User(id),
        request_id: None,
    }
}

async fn casper(db: &TestDatabase) -> ClientInput {
    let mut tx = db.store.reads().await.unwrap();
    ClientInput {
        application_id: tx.application_by_code("CASPER").await.unwrap().unwrap().id,
        environment: "production".into(),
        name: "CASPER web".into(),
        redirect_uris: vec![REDIRECT.into()],
        grant_types: vec!["client_credentials".into()],
        ..ClientInput::default()
    }
}

/// A client key pair: what signs the assertions, and its public JWK.
fn client_key() -> (Signer, PublicJwk) {
    let material = generate_es256().unwrap();
    let jwk = PublicJwk::es256(&material.public_point).unwrap();
    (
        Signer::es256(jwk.kid().unwrap(), &material.pkcs8).unwrap(),
        jwk,
    )
}

async fn key_client(app: &App, db: &TestDatabase, jwk: &PublicJwk) -> RegisteredClient {
    let input = ClientInput {
        auth_method: Some("private_key_jwt".into()),
        jwks: Some(json!({ "keys": [jwk] }).to_string()),
        ..casper(db).await
    };
    let registered = app
        .register_oidc_client(&operator(db).await, &input)
        .await
        .unwrap();
    assert!(registered.secret.is_none(), "a key client gets no secret");
    registered
}

fn claims(client_id: &str, jti: &str) -> Value {
    json!({
        "iss": client_id, "sub": client_id, "aud": TOKEN_ENDPOINT,
        "iat": NOW, "exp": NOW + 120, "jti": jti,
    })
}

fn by_assertion(assertion: String) -> ClientCredentials {
    ClientCredentials {
        client_assertion_type: Some(JWT_BEARER.into()),
        client_assertion: Some(assertion),
        ..ClientCredentials::default()
    }
}

fn credentials_grant(credentials: ClientCredentials) -> TokenRequest {
    TokenRequest {
        grant_type: Some("client_credentials".into()),
        client_id: credentials.client_id,
        client_secret: credentials.client_secret,
        basic: credentials.basic,
        client_assertion_type: credentials.client_assertion_type,
        client_assertion: credentials.client_assertion,
        ..TokenRequest::default()
    }
}

async fn token(app: &App, request: &TokenRequest) -> Result<TokenResponse, OAuthFailure> {
    app.oidc_token(request).await.unwrap()
}

fn refused(answer: Result<TokenResponse, OAuthFailure>) -> OAuthError {
    answer.unwrap_err().error
}

async fn a_key_client_authenticates_once_per_assertion(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let (signer, jwk) = client_key();
    let client = key_client(&app, db, &jwk).await;
    let id = client.client.client_id.clone();

    let assertion = signer.sign(&claims(&id, "first"), "JWT").unwrap();
    let mut request = credentials_grant(by_assertion(assertion.clone()));
    request.client_id = Some(id.clone());
    let tokens = token(&app, &request).await.unwrap();
    // Used once: the same assertion again is refused, with or without the client id.
    assert_eq!(
        refused(token(&app, &request).await),
        OAuthError::InvalidClient
    );
    request.client_id = None;
    assert_eq!(
        refused(token(&app, &request).await),
        OAuthError::InvalidClient
    );

    // The client id may be left out; the issuer is a good audience too.
    let mut as_issuer = claims(&id, "second");
    as_issuer["aud"] = json!(ISSUER);
    let second = signer.sign(&as_issuer, "JWT").unwrap();
    assert!(
        token(&app, &credentials_grant(by_assertion(second)))
            .await
            .is_ok()
    );

    // Introspection and revocation take assertions too, each its own.
    let look = signer.sign(&claims(&id, "third"), "JWT").unwrap();
    let seen = app
        .oidc_introspect(&by_assertion(look.clone()), &tokens.access_token)
        .await
        .unwrap()
        .unwrap();
    assert!(seen.active);
    assert_eq!(
        app.oidc_introspect(&by_assertion(look), &tokens.access_token)
            .await
            .unwrap()
            .unwrap_err()
            .error,
        OAuthError::InvalidClient
    );
    let revoke = signer.sign(&claims(&id, "fourth"), "JWT").unwrap();
    app.oidc_revoke(&by_assertion(revoke), &tokens.access_token)
        .await
        .unwrap()
        .unwrap();
    let look = signer.sign(&claims(&id, "fifth"), "JWT").unwrap();
    assert!(
        !app.oidc_introspect(&by_assertion(look), &tokens.access_token)
            .await
            .unwrap()
            .unwrap()
            .active
    );
}

async fn assertions_are_refused_for_what_is_wrong(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let (signer, jwk) = client_key();
    let client = key_client(&app, db, &jwk).await;
    let id = client.client.client_id.clone();
    let attempt = |body: Value, with: &Signer| {
        credentials_grant(by_assertion(with.sign(&body, "JWT").unwrap()))
    };

    let mut wrong_aud = claims(&id, "a1");
    wrong_aud["aud"] = json!("https://elsewhere.example/token");
    let mut expired = claims(&id, "a2");
    expired["exp"] = json!(NOW - 1);
    let mut too_long = claims(&id, "a3");
    too_long["exp"] = json!(NOW + 3600);
    let mut other_issuer = claims(&id, "a4");
    other_issuer["iss"] = json!("someone-else");
    for body in [wrong_aud, expired, too_long, other_issuer] {
        let request = attempt(body.clone(), &signer);
        assert_eq!(
            refused(token(&app, &request).await),
            OAuthError::InvalidClient,
            "{body}"
        );
    }
    // Another key under the registered key's id, and a key the client never registered.
    let material = generate_es256().unwrap();
    let impostor = Signer::es256(jwk.kid().unwrap(), &material.pkcs8).unwrap();
    let request = attempt(claims(&id, "a5"), &impostor);
    assert_eq!(
        refused(token(&app, &request).await),
        OAuthError::InvalidClient
    );
    let (stranger, _) = client_key();
    let request = attempt(claims(&id, "a6"), &stranger);
    assert_eq!(
        refused(token(&app, &request).await),
        OAuthError::InvalidClient
    );
    // The wrong assertion type is a malformed request.
    let mut request = attempt(claims(&id, "a7"), &signer);
    request.client_assertion_type =
        Some("urn:ietf:params:oauth:client-assertion-type:saml2-bearer".into());
    assert_eq!(
        refused(token(&app, &request).await),
        OAuthError::InvalidRequest
    );
    // Time is the app's clock: an assertion made for now is stale ten minutes later.
    let request = attempt(claims(&id, "a8"), &signer);
    clock.advance(time::Duration::minutes(10));
    assert_eq!(
        refused(token(&app, &request).await),
        OAuthError::InvalidClient
    );
}

async fn secrets_and_assertions_do_not_mix(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let (signer, jwk) = client_key();
    let key_client = key_client(&app, db, &jwk).await;
    // A secret client that registered keys anyway still authenticates with its secret only.
    let input = ClientInput {
        jwks: Some(json!({ "keys": [jwk] }).to_string()),
        ..casper(db).await
    };
    let secret_client = app
        .register_oidc_client(&operator(db).await, &input)
        .await
        .unwrap();
    let secret_id = secret_client.client.client_id.clone();
    let secret = secret_client.secret.clone().unwrap();

    let assertion = signer.sign(&claims(&secret_id, "s1"), "JWT").unwrap();
    let request = credentials_grant(by_assertion(assertion));
    assert_eq!(
        refused(token(&app, &request).await),
        OAuthError::InvalidClient
    );

    // A key client presenting a secret (its own client id, any secret) is refused.
    let key_id = key_client.client.client_id.clone();
    let request = credentials_grant(ClientCredentials {
        basic: Some((key_id.clone(), secret.clone())),
        ..ClientCredentials::default()
    });
    assert_eq!(
        refused(token(&app, &request).await),
        OAuthError::InvalidClient
    );
    let request = credentials_grant(ClientCredentials {
        client_id: Some(key_id.clone()),
        ..ClientCredentials::default()
    });
    assert_eq!(
        refused(token(&app, &request).await),
        OAuthError::InvalidClient
    );
    // Both ways at once is a malformed request.
    let assertion = signer.sign(&claims(&key_id, "s2"), "JWT").unwrap();
    let mut both = credentials_grant(by_assertion(assertion));
    both.basic = Some((secret_id.clone(), secret.clone()));
    assert_eq!(
        refused(token(&app, &both).await),
        OAuthError::InvalidRequest
    );
    // The secret client still works with its secret.
    let request = credentials_grant(ClientCredentials {
        basic: Some((secret_id, secret)),
        ..ClientCredentials::default()
    });
    assert!(token(&app, &request).await.is_ok());
}

fn url_param(location: &str, name: &str) -> String {
    let query = location.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap()
        .to_owned()
}

/// Erika signs in and the client exchanges a code for `scope`.
async fn code_flow(app: &App, client: &RegisteredClient, scope: &str) -> TokenResponse {
    let session_token = full_sign_in(app, "erika.mustermann@bank-e.example").await;
    let session = app.current_session(&session_token).await.unwrap().unwrap();
    let params = AuthorizeParams {
        response_type: Some("code".into()),
        client_id: Some(client.client.client_id.clone()),
        redirect_uri: Some(REDIRECT.into()),
        scope: Some(scope.into()),
        ..AuthorizeParams::default()
    };
    let Authorization::Redirect(location) = app
        .oidc_authorize(Some(&session), &params, &session.ctx(None))
        .await
        .unwrap()
    else {
        panic!("no code");
    };
    let request = TokenRequest {
        grant_type: Some("authorization_code".into()),
        code: Some(url_param(&location, "code")),
        redirect_uri: Some(REDIRECT.into()),
        basic: Some((
            client.client.client_id.clone(),
            client.secret.clone().unwrap(),
        )),
        ..TokenRequest::default()
    };
    token(app, &request).await.unwrap()
}

/// The claims of a JWT, unchecked (the signature is checked where it matters).
fn payload(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn the_phone_scope_releases_the_default_number(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let client = app
        .register_oidc_client(&operator(db).await, &casper(db).await)
        .await
        .unwrap();

    let tokens = code_flow(&app, &client, "openid phone").await;
    let id_token = payload(tokens.id_token.as_deref().unwrap());
    assert_eq!(id_token["phone_number"], "+4915550100002");
    assert_eq!(id_token["phone_number_verified"], true);
    assert!(id_token.get("email").is_none());
    assert_eq!(tokens.scope.as_deref(), Some("openid phone"));
    let info = app
        .oidc_userinfo(&tokens.access_token)
        .await
        .unwrap()
        .unwrap();
    let info = serde_json::to_value(&info).unwrap();
    assert_eq!(info["phone_number"], "+4915550100002");
    assert_eq!(info["phone_number_verified"], true);

    // Without the scope, no number.
    let tokens = code_flow(&app, &client, "openid email").await;
    let id_token = payload(tokens.id_token.as_deref().unwrap());
    assert!(id_token.get("phone_number").is_none());
    assert!(id_token.get("phone_number_verified").is_none());
}

async fn id_tokens_are_signed_with_the_clients_algorithm(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let keys = app.public_keys().await.unwrap();
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_value(json!({ "keys": keys })).unwrap();
    for (alg, algorithm) in [
        (None, jsonwebtoken::Algorithm::ES256),
        (Some("RS256"), jsonwebtoken::Algorithm::RS256),
        (Some("EdDSA"), jsonwebtoken::Algorithm::EdDSA),
    ] {
        let input = ClientInput {
            id_token_alg: alg.map(str::to_owned),
            ..casper(db).await
        };
        let client = app
            .register_oidc_client(&operator(db).await, &input)
            .await
            .unwrap();
        let tokens = code_flow(&app, &client, "openid profile").await;
        let id_token = tokens.id_token.unwrap();
        let header = jsonwebtoken::decode_header(&id_token).unwrap();
        assert_eq!(header.alg, algorithm, "{alg:?}");
        let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
        let mut validation = jsonwebtoken::Validation::new(algorithm);
        validation.set_audience(&[client.client.client_id.as_str()]);
        validation.set_issuer(&[ISSUER]);
        // The test clock is not the machine's: expiry is checked by the app's own tests.
        validation.validate_exp = false;
        let checked = jsonwebtoken::decode::<Value>(
            &id_token,
            &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(checked.claims["given_name"], "Erika");
        // Access tokens stay ES256 whatever the client chose.
        let access = jsonwebtoken::decode_header(&tokens.access_token).unwrap();
        assert_eq!(access.alg, jsonwebtoken::Algorithm::ES256);
    }
}
