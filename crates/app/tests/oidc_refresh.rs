//! OpenID Connect refresh tokens (rotation, reuse detection, expiry, sign-out), client
//! credentials, introspection and revocation, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, full_sign_in};
use tessera_app::{
    App, Authorization, ClientCredentials, ClientInput, Ctx, RegisteredClient, TokenRequest,
};
use tessera_domain::audit::Actor;
use tessera_protocols::oauth::{AuthorizeParams, OAuthError};
use tessera_store::testing::TestDatabase;
use tessera_store::{Applications, AuditLog, Store, Users};
use time::Duration;

tessera_store::on_both_databases!(
    refresh_tokens_rotate_and_a_reuse_revokes_the_family,
    refresh_tokens_end_with_their_lifetime_and_the_session,
    only_clients_with_the_grant_refresh,
    client_credentials_stand_for_the_client_alone,
    introspection_and_revocation,
    concurrent_refreshes_are_committed_together,
    kept_answers_follow_this_nodes_changes_at_once,
    kept_answers_follow_another_nodes_changes,
);

const REDIRECT: &str = "https://casper.example/callback";

async fn operator(db: &TestDatabase) -> Ctx {
    let mut tx = db.store.reads().await.unwrap();
    Ctx {
        actor: Actor::User(
            tx.user_by_email_key("operator@tessera.example")
                .await
                .unwrap()
                .unwrap()
                .id,
        ),
        request_id: None,
    }
}

async fn client_input(db: &TestDatabase, grants: &[&str], public: bool) -> ClientInput {
    let application_id = {
        let mut tx = db.store.reads().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap().id
    };
    ClientInput {
        application_id,
        environment: "production".into(),
        name: "CASPER web".into(),
        redirect_uris: vec![REDIRECT.into()],
        public,
        grant_types: grants.iter().map(|g| (*g).to_owned()).collect(),
        refresh_token_seconds: Some(3600),
        ..ClientInput::default()
    }
}

async fn register(app: &App, db: &TestDatabase, grants: &[&str], public: bool) -> RegisteredClient {
    let input = client_input(db, grants, public).await;
    app.register_oidc_client(&operator(db).await, &input)
        .await
        .unwrap()
}

fn url_param(location: &str, name: &str) -> String {
    let query = location.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap()
        .to_owned()
}

fn basic(client: &RegisteredClient) -> Option<(String, String)> {
    Some((
        client.client.client_id.clone(),
        client.secret.clone().unwrap(),
    ))
}

/// Erika signs in and CASPER exchanges a code: the token response, and her session token.
async fn tokens_for_erika(
    app: &App,
    client: &RegisteredClient,
) -> (tessera_app::TokenResponse, String) {
    let session_token = full_sign_in(app, "erika.mustermann@bank-e.example").await;
    let session = app.current_session(&session_token).await.unwrap().unwrap();
    let params = AuthorizeParams {
        response_type: Some("code".into()),
        client_id: Some(client.client.client_id.clone()),
        redirect_uri: Some(REDIRECT.into()),
        scope: Some("openid profile".into()),
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
        basic: basic(client),
        ..TokenRequest::default()
    };
    (
        app.oidc_token(&request).await.unwrap().unwrap(),
        session_token,
    )
}

fn refresh(client: &RegisteredClient, token: &str) -> TokenRequest {
    TokenRequest {
        grant_type: Some("refresh_token".into()),
        refresh_token: Some(token.to_owned()),
        basic: basic(client),
        ..TokenRequest::default()
    }
}

async fn refused(app: &App, request: &TokenRequest) -> OAuthError {
    app.oidc_token(request).await.unwrap().unwrap_err().error
}

async fn refresh_tokens_rotate_and_a_reuse_revokes_the_family(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let client = register(&app, db, &["refresh_token"], false).await;
    let (tokens, _) = tokens_for_erika(&app, &client).await;
    let first = tokens.refresh_token.unwrap();

    clock.advance(Duration::minutes(10));
    let second = app
        .oidc_token(&refresh(&client, &first))
        .await
        .unwrap()
        .unwrap();
    assert!(second.id_token.is_none());
    assert_eq!(second.scope.as_deref(), Some("openid profile"));
    let info = app
        .oidc_userinfo(&second.access_token)
        .await
        .unwrap()
        .unwrap();
    assert!(info.profile.given_name.is_some());
    let newest = second.refresh_token.unwrap();
    assert_ne!(newest, first);
    // Narrowing the scope is allowed, widening it is not.
    let mut wider = refresh(&client, &newest);
    wider.scope = Some("openid email".into());
    assert_eq!(refused(&app, &wider).await, OAuthError::InvalidScope);
    let mut narrower = refresh(&client, &newest);
    narrower.scope = Some("openid".into());
    let third = app.oidc_token(&narrower).await.unwrap().unwrap();
    assert_eq!(third.scope.as_deref(), Some("openid"));
    let newest = third.refresh_token.unwrap();

    // The first token again: someone kept a copy. The whole family dies, newest included.
    assert_eq!(
        refused(&app, &refresh(&client, &first)).await,
        OAuthError::InvalidGrant
    );
    assert_eq!(
        refused(&app, &refresh(&client, &newest)).await,
        OAuthError::InvalidGrant
    );
    let mut tx = db.store.read().await.unwrap();
    let actions: Vec<String> = tx
        .audit_events_after(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("oidc.refresh_token"))
        .collect();
    assert_eq!(
        actions,
        [
            "oidc.refresh_token.issue",
            "oidc.refresh_token.rotate",
            "oidc.refresh_token.rotate",
            "oidc.refresh_token.reuse",
        ]
    );
}

async fn refresh_tokens_end_with_their_lifetime_and_the_session(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let client = register(&app, db, &["refresh_token"], false).await;
    let (tokens, _) = tokens_for_erika(&app, &client).await;
    let token = tokens.refresh_token.unwrap();
    // A client's refresh lifetime: an hour here.
    clock.advance(Duration::seconds(3601));
    assert_eq!(
        refused(&app, &refresh(&client, &token)).await,
        OAuthError::InvalidGrant
    );

    // Signing out of the session the token came from ends it, unused or not.
    let (tokens, session_token) = tokens_for_erika(&app, &client).await;
    let last = tokens.refresh_token.unwrap();
    let session = app.current_session(&session_token).await.unwrap().unwrap();
    app.sign_out(&session_token, &session.ctx(None))
        .await
        .unwrap();
    assert_eq!(
        refused(&app, &refresh(&client, &last)).await,
        OAuthError::InvalidGrant
    );
}

async fn only_clients_with_the_grant_refresh(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let plain = register(&app, db, &[], false).await;
    let (tokens, _) = tokens_for_erika(&app, &plain).await;
    assert!(tokens.refresh_token.is_none());
    assert_eq!(
        refused(&app, &refresh(&plain, "whatever")).await,
        OAuthError::UnauthorizedClient
    );
    assert!(
        app.register_oidc_client(
            &operator(db).await,
            &ClientInput {
                grant_types: vec!["client_credentials".into()],
                public: true,
                ..ClientInput {
                    application_id: plain.client.application_id,
                    environment: "production".into(),
                    name: "x".into(),
                    redirect_uris: vec![REDIRECT.into()],
                    ..ClientInput::default()
                }
            },
        )
        .await
        .is_err(),
        "a public client cannot have client credentials"
    );
    // A public client refreshes with its client_id alone; its tokens are bound to it.
    let public = register(&app, db, &["refresh_token"], true).await;
    let confidential = register(&app, db, &["refresh_token"], false).await;
    let (tokens, _) = tokens_for_erika(&app, &confidential).await;
    let stolen = TokenRequest {
        grant_type: Some("refresh_token".into()),
        refresh_token: tokens.refresh_token.clone(),
        client_id: Some(public.client.client_id.clone()),
        ..TokenRequest::default()
    };
    assert_eq!(refused(&app, &stolen).await, OAuthError::InvalidGrant);
    assert!(
        app.oidc_token(&refresh(&confidential, &tokens.refresh_token.unwrap()))
            .await
            .unwrap()
            .is_ok(),
        "another client's attempt does not burn the token"
    );
}

async fn client_credentials_stand_for_the_client_alone(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let client = register(&app, db, &["client_credentials"], false).await;
    let request = TokenRequest {
        grant_type: Some("client_credentials".into()),
        basic: basic(&client),
        ..TokenRequest::default()
    };
    let tokens = app.oidc_token(&request).await.unwrap().unwrap();
    assert!(tokens.id_token.is_none() && tokens.refresh_token.is_none());
    let payload = tokens.access_token.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], client.client.client_id.as_str());
    assert_eq!(claims["client_id"], client.client.client_id.as_str());
    assert!(claims.get("sid").is_none() && claims.get("acr").is_none());
    // No person behind it: userinfo refuses it.
    assert_eq!(
        app.oidc_userinfo(&tokens.access_token)
            .await
            .unwrap()
            .unwrap_err()
            .error,
        OAuthError::InvalidToken
    );
    let mut scoped = request.clone();
    scoped.scope = Some("openid".into());
    assert_eq!(refused(&app, &scoped).await, OAuthError::InvalidScope);
    // Without the grant, or with a wrong secret: refused.
    let other = register(&app, db, &[], false).await;
    let request = TokenRequest {
        basic: basic(&other),
        ..request
    };
    assert_eq!(
        refused(&app, &request).await,
        OAuthError::UnauthorizedClient
    );
    let wrong = TokenRequest {
        basic: Some((client.client.client_id.clone(), "wrong".into())),
        ..request
    };
    assert_eq!(refused(&app, &wrong).await, OAuthError::InvalidClient);
}

fn credentials(client: &RegisteredClient) -> ClientCredentials {
    ClientCredentials {
        basic: basic(client),
        ..ClientCredentials::default()
    }
}

async fn introspection_and_revocation(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let client = register(&app, db, &["refresh_token"], false).await;
    let resource = register(&app, db, &["client_credentials"], false).await;
    let (tokens, _) = tokens_for_erika(&app, &client).await;
    let look = |who: ClientCredentials, token: String| {
        let app = app.clone();
        async move { app.oidc_introspect(&who, &token).await.unwrap() }
    };

    // An access token: any confidential client (a resource server) may ask.
    let answer = look(credentials(&resource), tokens.access_token.clone())
        .await
        .unwrap();
    assert!(answer.active);
    assert_eq!(answer.token_type, Some("Bearer"));
    assert_eq!(
        answer.client_id.as_deref(),
        Some(client.client.client_id.as_str())
    );
    assert_eq!(answer.scope.as_deref(), Some("openid profile"));
    assert!(answer.sub.is_some() && answer.exp.unwrap() > answer.iat.unwrap());
    // A refresh token: only its own client learns about it.
    let refresh_token = tokens.refresh_token.clone().unwrap();
    let own = look(credentials(&client), refresh_token.clone())
        .await
        .unwrap();
    assert!(own.active);
    assert_eq!(own.token_type, Some("refresh_token"));
    assert!(
        !look(credentials(&resource), refresh_token.clone())
            .await
            .unwrap()
            .active
    );
    assert!(
        !look(credentials(&resource), "nonsense".into())
            .await
            .unwrap()
            .active
    );
    // Clients must authenticate; a public one cannot.
    let wrong = ClientCredentials {
        basic: Some((resource.client.client_id.clone(), "wrong".into())),
        ..ClientCredentials::default()
    };
    assert_eq!(
        look(wrong, tokens.access_token.clone())
            .await
            .unwrap_err()
            .error,
        OAuthError::InvalidClient
    );
    let public = register(&app, db, &[], true).await;
    let anonymous = ClientCredentials {
        client_id: Some(public.client.client_id.clone()),
        ..ClientCredentials::default()
    };
    assert_eq!(
        look(anonymous, tokens.access_token.clone())
            .await
            .unwrap_err()
            .error,
        OAuthError::InvalidClient
    );

    // Revoking the access token: introspection and userinfo refuse it from now on.
    app.oidc_revoke(&credentials(&client), &tokens.access_token)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !look(credentials(&resource), tokens.access_token.clone())
            .await
            .unwrap()
            .active
    );
    assert_eq!(
        app.oidc_userinfo(&tokens.access_token)
            .await
            .unwrap()
            .unwrap_err()
            .error,
        OAuthError::InvalidToken
    );
    // Unknown tokens are fine to revoke; another client's are left alone.
    app.oidc_revoke(&credentials(&client), "nonsense")
        .await
        .unwrap()
        .unwrap();
    app.oidc_revoke(&credentials(&resource), &refresh_token)
        .await
        .unwrap()
        .unwrap();
    assert!(
        look(credentials(&client), refresh_token.clone())
            .await
            .unwrap()
            .active
    );
    // Revoking a refresh token takes its family: the rotated successor dies too.
    let next = app
        .oidc_token(&refresh(&client, &refresh_token))
        .await
        .unwrap()
        .unwrap()
        .refresh_token
        .unwrap();
    assert!(
        !look(credentials(&client), refresh_token.clone())
            .await
            .unwrap()
            .active
    );
    app.oidc_revoke(&credentials(&client), &refresh_token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        refused(&app, &refresh(&client, &next)).await,
        OAuthError::InvalidGrant
    );

    // Expired tokens are inactive, and swept with their revocations.
    let (tokens, _) = tokens_for_erika(&app, &client).await;
    clock.advance(Duration::seconds(301));
    assert!(
        !look(credentials(&resource), tokens.access_token.clone())
            .await
            .unwrap()
            .active
    );
    clock.advance(Duration::days(2));
    let swept = app.sweep(Duration::days(90)).await.unwrap();
    assert_eq!(swept.oidc_tokens, 4, "three refresh tokens, one revocation");
}

/// Rotations arriving together are written in one batch, each judged on its own: every
/// family moves on, the trail stays one chain, and of two uses of one token exactly one wins
/// while the other counts as reuse and takes the family down.
async fn concurrent_refreshes_are_committed_together(db: &TestDatabase) {
    let (app, _clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let client = register(&app, db, &["refresh_token"], false).await;
    let mut tokens = Vec::new();
    for _ in 0..6 {
        tokens.push(
            tokens_for_erika(&app, &client)
                .await
                .0
                .refresh_token
                .unwrap(),
        );
    }
    // Spawned at once: they meet at the writer and go in together.
    let refreshes: Vec<_> = tokens
        .iter()
        .map(|token| {
            let app = app.clone();
            let request = refresh(&client, token);
            tokio::spawn(async move { app.oidc_token(&request).await.unwrap() })
        })
        .collect();
    let mut next = Vec::new();
    for refresh in refreshes {
        next.push(refresh.await.unwrap().unwrap().refresh_token.unwrap());
    }
    assert_eq!(next.len(), 6);
    assert!(next.iter().all(|n| !tokens.contains(n)));

    // The same token twice at once.
    let twice = [next[0].clone(), next[0].clone()].map(|token| {
        let app = app.clone();
        let request = refresh(&client, &token);
        tokio::spawn(async move { app.oidc_token(&request).await.unwrap() })
    });
    let [first, second] = twice;
    let (first, second) = (first.await.unwrap(), second.await.unwrap());
    let (winner, loser) = match (first, second) {
        (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
        other => panic!("exactly one must win: {other:?}"),
    };
    assert_eq!(loser.error, OAuthError::InvalidGrant);
    // The loser's reuse revoked the family, the winner's successor with it.
    assert_eq!(
        refused(&app, &refresh(&client, &winner.refresh_token.unwrap())).await,
        OAuthError::InvalidGrant
    );
    // The other families are untouched.
    assert!(
        app.oidc_token(&refresh(&client, &next[1]))
            .await
            .unwrap()
            .is_ok()
    );
    assert!(matches!(
        app.verify_audit_chain().await.unwrap(),
        tessera_app::audit::ChainReport::Intact { .. }
    ));
    let mut tx = db.store.reads().await.unwrap();
    let events = tx.audit_events_after(0, 10_000).await.unwrap();
    let count = |action: &str| events.iter().filter(|e| e.action == action).count();
    assert_eq!(count("oidc.refresh_token.rotate"), 6 + 1 + 1);
    assert_eq!(count("oidc.refresh_token.reuse"), 1);
}

/// Introspection and userinfo answers are kept for a moment, but whatever this node commits
/// (a sign-out, a revocation, a client's new secret) is seen by the very next request.
async fn kept_answers_follow_this_nodes_changes_at_once(db: &TestDatabase) {
    let (app, _clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let client = register(&app, db, &["refresh_token"], false).await;
    let resource = register(&app, db, &["client_credentials"], false).await;
    let (tokens, session_token) = tokens_for_erika(&app, &client).await;
    let access = tokens.access_token.clone();
    let active = |token: String| {
        let app = app.clone();
        let who = credentials(&resource);
        async move {
            app.oidc_introspect(&who, &token)
                .await
                .unwrap()
                .unwrap()
                .active
        }
    };
    // Asked twice: the second answer is the kept one.
    assert!(active(access.clone()).await);
    assert!(active(access.clone()).await);
    assert!(app.oidc_userinfo(&access).await.unwrap().is_ok());
    assert!(app.oidc_userinfo(&access).await.unwrap().is_ok());

    let session = app.current_session(&session_token).await.unwrap().unwrap();
    app.sign_out(&session_token, &session.ctx(None))
        .await
        .unwrap();
    assert!(!active(access.clone()).await);
    assert_eq!(
        app.oidc_userinfo(&access).await.unwrap().unwrap_err().error,
        OAuthError::InvalidToken
    );

    // A revoked access token, likewise.
    let (tokens, _) = tokens_for_erika(&app, &client).await;
    assert!(active(tokens.access_token.clone()).await);
    app.oidc_revoke(&credentials(&client), &tokens.access_token)
        .await
        .unwrap()
        .unwrap();
    assert!(!active(tokens.access_token.clone()).await);

    // A client whose secret was just replaced cannot use the old one, kept or not.
    let update = tessera_app::ClientUpdate {
        settings: client_input(db, &["client_credentials"], false).await,
        version: resource.client.version,
        new_secret: true,
    };
    let reissued = app
        .update_oidc_client(&operator(db).await, resource.client.id, &update)
        .await
        .unwrap()
        .secret
        .unwrap();
    assert_eq!(
        app.oidc_introspect(&credentials(&resource), &tokens.access_token)
            .await
            .unwrap()
            .unwrap_err()
            .error,
        OAuthError::InvalidClient
    );
    let renewed = ClientCredentials {
        basic: Some((resource.client.client_id.clone(), reissued)),
        ..ClientCredentials::default()
    };
    assert!(
        app.oidc_introspect(&renewed, &access)
            .await
            .unwrap()
            .is_ok()
    );
}

/// Another node's change: on PostgreSQL it is announced (NOTIFY as it commits) and this
/// node's kept answers end as soon as it hears; with SQLite (another process on the same
/// file) nothing is announced, and kept answers hold for at most two seconds of the app's
/// clock before the database is read again.
async fn kept_answers_follow_another_nodes_changes(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let client = register(&app, db, &["refresh_token"], false).await;
    let resource = register(&app, db, &["client_credentials"], false).await;
    let (tokens, session_token) = tokens_for_erika(&app, &client).await;
    let who = credentials(&resource);
    let active = || async {
        app.oidc_introspect(&who, &tokens.access_token)
            .await
            .unwrap()
            .unwrap()
            .active
    };
    assert!(active().await);

    // The other node: its own connections to the same database, the same clock.
    let other_store = Store::open(&db.url).await.unwrap();
    let other = App::with_ports(
        other_store,
        tessera_app::AppConfig::new("http://localhost:8080/"),
        &common::KEY,
        clock.clone(),
        std::sync::Arc::new(tessera_app::SystemRandom),
    )
    .unwrap();
    let session = other
        .current_session(&session_token)
        .await
        .unwrap()
        .unwrap();
    other
        .sign_out(&session_token, &session.ctx(None))
        .await
        .unwrap();
    if db.store.backend() == tessera_store::Backend::Postgres {
        // Heard within moments, the clock standing still.
        let mut heard = false;
        for _ in 0..100 {
            if !active().await {
                heard = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(heard, "the other node's sign-out was announced");
        return;
    }
    assert!(active().await, "kept on this node for a moment");
    clock.advance(Duration::milliseconds(1_999));
    assert!(active().await);
    clock.advance(Duration::milliseconds(1));
    assert!(!active().await, "read again after two seconds");
}
