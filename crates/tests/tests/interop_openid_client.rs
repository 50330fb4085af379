//! Interoperability: `openid-client` (npm, v6), a certified relying-party library of another
//! ecosystem, signs demo Erika in to CASPER production through Tessera, with its own checks
//! rather than ours: discovery, the authorization URL with PKCE (S256), state and nonce, the
//! code exchange (`client_secret_post`) with the ID token verified against the JWKS, userinfo,
//! a refresh, and RP-initiated logout through the end-session URL it builds, after which the
//! session, its access token and its refresh token are gone. The library runs in Node.js
//! (`crates/tests/interop/node/rp.mjs`); this test plays the browser in between.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::demo;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_app::{ClientInput, Ctx};
use tessera_store::{Applications, Users};
use tessera_testkit::demo::{ERIKA, PASSWORD};
use tessera_testkit::interop::{LineProgram, programs_dir};
use tessera_testkit::{Backend, TestServer};

tessera_testkit::on_both_backends!(openid_client_signs_erika_in_refreshes_and_logs_out);

const REDIRECT: &str = "https://casper.example/callback";
const LOGGED_OUT: &str = "https://casper.example/goodbye";

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
                name: "CASPER web (openid-client)".into(),
                redirect_uris: vec![REDIRECT.into()],
                post_logout_redirect_uris: vec![LOGGED_OUT.into()],
                grant_types: vec!["refresh_token".into()],
                ..ClientInput::default()
            },
        )
        .await
        .unwrap();
    (registered.client.client_id, registered.secret.unwrap())
}

/// openid-client in Node.js, or `None` when it is not installed (and not required).
async fn relying_party() -> Option<LineProgram> {
    LineProgram::start(
        "openid-client (on Node.js 20 or later)",
        &programs_dir("node"),
        &[
            "node",
            "--input-type=module",
            "-e",
            "if (+process.versions.node.split('.')[0] < 20) process.exit(1); \
             await import('openid-client');",
        ],
        &["node", "rp.mjs"],
    )
    .await
    .unwrap()
}

/// A request the library must carry out: its answer.
async fn ok(rp: &mut LineProgram, request: Value) -> Value {
    let answer = rp.call(&request).await.unwrap();
    assert_eq!(answer["ok"], true, "{request} failed: {answer}");
    answer
}

/// A request the library must refuse: its error.
async fn refused(rp: &mut LineProgram, request: Value) -> Value {
    let answer = rp.call(&request).await.unwrap();
    assert_eq!(
        answer["ok"], false,
        "{request} should have failed: {answer}"
    );
    answer["error"].clone()
}

/// A query parameter of an absolute URL.
fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Path and query of a URL on the server, for the test's browser (which talks to the loopback
/// address rather than `localhost`).
fn path_of(url: &url::Url, server: &TestServer) -> String {
    assert_eq!(
        url.origin().ascii_serialization(),
        server.public_url,
        "{url} is not on the server"
    );
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

async fn openid_client_signs_erika_in_refreshes_and_logs_out(backend: Backend) {
    let Some(mut rp) = relying_party().await else {
        return;
    };
    let Some(server) = demo(backend).await else {
        return;
    };
    let (client_id, secret) = register(&server).await;
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

    // Discovery: the library checks that the issuer is the one it asked for.
    let discovered = ok(
        &mut rp,
        json!({
            "op": "discover",
            "issuer": server.public_url,
            "client_id": client_id,
            "client_secret": secret,
        }),
    )
    .await;
    assert_eq!(discovered["metadata"]["issuer"], server.public_url.as_str());

    // The authorization request it builds: PKCE S256, state and nonce.
    let authorize = ok(
        &mut rp,
        json!({"op": "authorize", "redirect_uri": REDIRECT, "scope": "openid profile email"}),
    )
    .await;
    let url = url::Url::parse(authorize["url"].as_str().unwrap()).unwrap();
    assert_eq!(url.path(), "/oidc/authorize");
    assert_eq!(
        param(&url, "client_id").as_deref(),
        Some(client_id.as_str())
    );
    assert_eq!(param(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        param(&url, "code_challenge"),
        authorize["code_challenge"].as_str().map(str::to_owned)
    );
    let state = authorize["state"].as_str().unwrap().to_owned();
    assert_eq!(param(&url, "state").as_deref(), Some(state.as_str()));
    assert_eq!(
        param(&url, "nonce"),
        authorize["nonce"].as_str().map(str::to_owned)
    );

    // The browser: sent to sign in (password and SMS code), back to the authorization, then
    // to the client with a code.
    let path = path_of(&url, &server);
    let browser = server.client();
    assert_eq!(
        browser.page(&path).await.unwrap().header("location"),
        Some("/signin")
    );
    let done = server.sign_in(&browser, ERIKA, PASSWORD).await.unwrap();
    assert_eq!(done.header("location"), Some(path.as_str()));
    let back = browser.page(&path).await.unwrap();
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let callback = back.header("location").unwrap().to_owned();
    assert!(callback.starts_with(&format!("{REDIRECT}?")), "{callback}");

    // The code exchange: the library checks state, sends the PKCE verifier, and verifies the
    // ID token (signature against the JWKS, issuer, audience, expiry, nonce).
    let exchanged = ok(&mut rp, json!({"op": "callback", "url": callback})).await;
    let tokens = &exchanged["tokens"];
    assert_eq!(
        tokens["token_type"]
            .as_str()
            .map(str::to_lowercase)
            .as_deref(),
        Some("bearer")
    );
    assert!(exchanged["expires_in"].as_i64().unwrap() > 0, "{exchanged}");
    let claims = &exchanged["claims"];
    assert_eq!(claims["iss"], server.public_url.as_str());
    assert_eq!(claims["aud"], client_id.as_str());
    assert_eq!(claims["sub"], erika.as_str());
    assert_eq!(claims["nonce"], authorize["nonce"]);
    assert_eq!(claims["given_name"], "Erika");
    assert_eq!(claims["family_name"], "Mustermann");
    assert_eq!(claims["email"], ERIKA);
    assert_eq!(claims["acr"], "medium");
    assert_eq!(claims["groups"], json!(["CASPER_WEB_DATA_SUBMITTER"]));
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let first_access = tokens["access_token"].as_str().unwrap().to_owned();
    let first_refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    // Userinfo: the library checks the subject is the ID token's.
    let info = ok(
        &mut rp,
        json!({"op": "userinfo", "access_token": first_access, "sub": erika}),
    )
    .await;
    assert_eq!(info["userinfo"]["email"], ERIKA);
    assert_eq!(info["userinfo"]["given_name"], "Erika");
    assert_eq!(
        info["userinfo"]["groups"],
        json!(["CASPER_WEB_DATA_SUBMITTER"])
    );

    // Refresh: a new access token that userinfo accepts, and a new refresh token.
    let refreshed = ok(
        &mut rp,
        json!({"op": "refresh", "refresh_token": first_refresh}),
    )
    .await;
    let access = refreshed["tokens"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = refreshed["tokens"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(access, first_access);
    assert_ne!(refresh, first_refresh);
    let info = ok(
        &mut rp,
        json!({"op": "userinfo", "access_token": access, "sub": erika}),
    )
    .await;
    assert_eq!(
        info["userinfo"]["groups"],
        json!(["CASPER_WEB_DATA_SUBMITTER"])
    );

    // RP-initiated logout: the end-session URL the library builds from the discovered
    // `end_session_endpoint`, followed by the browser, ends the session and comes back to the
    // registered address with the state.
    assert!(
        discovered["metadata"]["end_session_endpoint"].is_string(),
        "no end_session_endpoint in discovery: {}",
        discovered["metadata"]
    );
    let logout_state = "bye-123";
    let end = ok(
        &mut rp,
        json!({
            "op": "end_session",
            "id_token_hint": id_token,
            "post_logout_redirect_uri": LOGGED_OUT,
            "state": logout_state,
        }),
    )
    .await;
    let end_url = url::Url::parse(end["url"].as_str().unwrap()).unwrap();
    assert_eq!(
        param(&end_url, "client_id").as_deref(),
        Some(client_id.as_str())
    );
    let answer = browser.page(&path_of(&end_url, &server)).await.unwrap();
    assert!(
        answer.status.is_redirection(),
        "{}: {}",
        answer.status,
        answer.body
    );
    let gone_to = url::Url::parse(answer.header("location").unwrap()).unwrap();
    assert_eq!(
        format!(
            "{}{}",
            gone_to.origin().ascii_serialization(),
            gone_to.path()
        ),
        LOGGED_OUT
    );
    assert_eq!(param(&gone_to, "state").as_deref(), Some(logout_state));

    // The session is gone: the browser must sign in again, userinfo refuses the access token
    // and the refresh token is refused, as the library reports them.
    assert_eq!(
        browser.page("/account").await.unwrap().header("location"),
        Some("/signin")
    );
    let error = refused(
        &mut rp,
        json!({"op": "userinfo", "access_token": access, "sub": erika}),
    )
    .await;
    assert_eq!(error["status"], 401, "{error}");
    assert_eq!(error["oauth_error"], "invalid_token", "{error}");
    let error = refused(&mut rp, json!({"op": "refresh", "refresh_token": refresh})).await;
    assert_eq!(error["oauth_error"], "invalid_grant", "{error}");
}
