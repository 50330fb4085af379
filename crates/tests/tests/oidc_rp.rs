//! Interoperability: the `openidconnect` crate, as a relying party, signs demo Erika in to
//! CASPER production through Tessera (discovery, authorization code with PKCE, Basic client
//! authentication, ID token verified against the JWKS with nonce, userinfo), with its own
//! checks rather than ours; then it refreshes, and a reused refresh token is refused. Its HTTP requests go through a small adapter over reqwest.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::demo;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreGenderClaim,
    CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest,
    HttpResponse, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl,
    RequestTokenError, Scope, TokenResponse, UserInfoClaims,
};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use tessera_app::{ClientInput, Ctx};
use tessera_store::Applications;
use tessera_testkit::demo::{ERIKA, PASSWORD};
use tessera_testkit::{Backend, TestServer};

tessera_testkit::on_both_backends!(the_openidconnect_crate_signs_erika_in);

const REDIRECT: &str = "https://casper.example/callback";

#[derive(Debug)]
struct HttpError(String);

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

fn broken(e: impl std::fmt::Display) -> HttpError {
    HttpError(e.to_string())
}

/// The relying party's HTTP client: requests as openidconnect builds them, sent with reqwest.
async fn send(http: reqwest::Client, request: HttpRequest) -> Result<HttpResponse, HttpError> {
    let mut builder = http
        .request(request.method().clone(), request.uri().to_string())
        .body(request.body().clone());
    for (name, value) in request.headers() {
        builder = builder.header(name, value);
    }
    let response = builder.send().await.map_err(broken)?;
    let mut answer = openidconnect::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    answer
        .body(response.bytes().await.map_err(broken)?.to_vec())
        .map_err(broken)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Groups {
    groups: Vec<String>,
}

impl AdditionalClaims for Groups {}

async fn register(server: &TestServer) -> (String, String) {
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
                grant_types: vec!["refresh_token".into()],
                ..ClientInput::default()
            },
        )
        .await
        .unwrap();
    (registered.client.client_id, registered.secret.unwrap())
}

async fn the_openidconnect_crate_signs_erika_in(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let (client_id, secret) = register(&server).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let http_client = |request: HttpRequest| send(http.clone(), request);

    let metadata = CoreProviderMetadata::discover_async(
        IssuerUrl::new(server.public_url.clone()).unwrap(),
        &http_client,
    )
    .await
    .unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();

    // The browser: sent to sign in, back to the authorization, then to the client.
    let path = format!("{}?{}", url.path(), url.query().unwrap());
    let browser = server.client();
    assert_eq!(
        browser.page(&path).await.unwrap().header("location"),
        Some("/signin")
    );
    let done = server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    assert_eq!(done.header("location"), Some(path.as_str()));
    let back = browser.page(&path).await.unwrap();
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let callback = url::Url::parse(back.header("location").unwrap()).unwrap();
    let param = |name: &str| {
        callback
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some(state.secret().as_str()));

    let tokens = client
        .exchange_code(AuthorizationCode::new(param("code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http_client)
        .await
        .unwrap();
    let id_token = tokens.id_token().unwrap();
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .unwrap();
    assert_eq!(
        claims.given_name().unwrap().get(None).unwrap().as_str(),
        "Erika"
    );
    assert_eq!(claims.email().unwrap().as_str(), ERIKA);
    assert_eq!(claims.auth_context_ref().unwrap().as_str(), "medium");

    let info: UserInfoClaims<Groups, CoreGenderClaim> = client
        .user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        )
        .unwrap()
        .request_async(&http_client)
        .await
        .unwrap();
    assert_eq!(
        info.additional_claims().groups,
        ["CASPER_WEB_DATA_SUBMITTER"]
    );

    // Refresh: a new access token that userinfo accepts, and a new refresh token.
    let first = tokens.refresh_token().unwrap().clone();
    let refreshed = client
        .exchange_refresh_token(&first)
        .unwrap()
        .request_async(&http_client)
        .await
        .unwrap();
    let second = refreshed.refresh_token().unwrap();
    assert_ne!(second.secret(), first.secret());
    let info: UserInfoClaims<Groups, CoreGenderClaim> = client
        .user_info(refreshed.access_token().clone(), None)
        .unwrap()
        .request_async(&http_client)
        .await
        .unwrap();
    assert_eq!(info.subject(), claims.subject());
    // The first refresh token again: refused, and the family with it.
    for token in [&first, second] {
        let Err(RequestTokenError::ServerResponse(refused)) = client
            .exchange_refresh_token(token)
            .unwrap()
            .request_async(&http_client)
            .await
        else {
            panic!("a reused refresh token family still works");
        };
        assert_eq!(refused.error(), &CoreErrorResponseType::InvalidGrant);
    }
}
