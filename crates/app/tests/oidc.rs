//! OpenID Connect use cases: who registers clients and with what, authorization outcomes
//! (sign in, step up, code), and codes that expire and are swept.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, as_person, full_sign_in};
use tessera_app::{
    AppError, ApplicationInput, Authorization, ClientInput, Ctx, OAuthFailure, TokenRequest,
};
use tessera_domain::session::Assurance;
use tessera_protocols::oauth::{AuthorizeParams, OAuthError};
use tessera_store::testing::TestDatabase;
use tessera_store::{Applications, AuditLog, OidcStore};
use time::Duration;

tessera_store::on_both_databases!(
    only_operators_register_clients_with_usable_redirect_uris,
    authorization_signs_in_steps_up_or_issues_a_code_that_expires,
    clients_ask_for_a_stronger_or_fresher_sign_in,
);

const REDIRECT: &str = "https://casper.example/callback";

async fn casper_input(db: &TestDatabase) -> ClientInput {
    let mut tx = db.store.reads().await.unwrap();
    ClientInput {
        application_id: tx.application_by_code("CASPER").await.unwrap().unwrap().id,
        environment: "production".into(),
        name: "CASPER web".into(),
        redirect_uris: vec![REDIRECT.into()],
        ..ClientInput::default()
    }
}

async fn only_operators_register_clients_with_usable_redirect_uris(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let erika = as_person(db, "erika.mustermann@bank-e.example").await;
    let input = casper_input(db).await;

    assert!(matches!(
        app.register_oidc_client(&erika, &input).await,
        Err(AppError::Forbidden)
    ));
    let mut bad = input.clone();
    bad.redirect_uris = vec!["http://casper.example/cb".into()];
    bad.environment = "staging".into();
    bad.access_token_seconds = Some(5);
    let Err(AppError::Invalid(errors)) = app.register_oidc_client(&operator, &bad).await else {
        panic!("an insecure redirect URI was accepted");
    };
    let fields: Vec<_> = errors.errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        ["environment", "redirect_uris", "access_token_seconds"]
    );

    let registered = app.register_oidc_client(&operator, &input).await.unwrap();
    let secret = registered.secret.unwrap();
    assert!(registered.client.client_id.starts_with("casper-"));
    let mut tx = db.store.read().await.unwrap();
    let stored = tx
        .oidc_client(&registered.client.client_id)
        .await
        .unwrap()
        .unwrap();
    // Only the digest is kept.
    assert_ne!(stored.secret_digest.as_deref(), Some(secret.as_str()));
    assert_eq!(stored.secret_digest.unwrap().len(), 64);
    let events = tx.audit_events_after(0, 10_000).await.unwrap();
    let event = events
        .iter()
        .find(|e| e.action == "oidc_client.create")
        .unwrap();
    assert!(
        !event.details.contains(&secret),
        "the secret is never audited"
    );
}

async fn authorization_signs_in_steps_up_or_issues_a_code_that_expires(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let input = casper_input(db).await;
    let registered = app.register_oidc_client(&operator, &input).await.unwrap();
    let params = AuthorizeParams {
        response_type: Some("code".into()),
        client_id: Some(registered.client.client_id.clone()),
        redirect_uri: Some(REDIRECT.into()),
        scope: Some("openid".into()),
        state: Some("s".into()),
        ..AuthorizeParams::default()
    };
    let anonymous = Ctx::anonymous(None);
    assert_eq!(
        app.oidc_authorize(None, &params, &anonymous).await.unwrap(),
        Authorization::SignIn
    );

    let token = full_sign_in(&app, "erika.mustermann@bank-e.example").await;
    let session = app.current_session(&token).await.unwrap().unwrap();
    assert_eq!(session.assurance, Assurance::Medium);
    // CASPER asking for more than the session has: step up first, no code.
    let casper = {
        let mut tx = db.store.reads().await.unwrap();
        tx.application(input.application_id).await.unwrap().unwrap()
    };
    let high = ApplicationInput {
        code: casper.code.clone(),
        name: casper.name.clone(),
        description: casper.description.clone(),
        min_assurance: "high".into(),
    };
    let raised = app
        .update_application(&operator, casper.id, &high, casper.version)
        .await
        .unwrap();
    let ctx = session.ctx(None);
    assert_eq!(
        app.oidc_authorize(Some(&session), &params, &ctx)
            .await
            .unwrap(),
        Authorization::StepUp(Assurance::High)
    );
    let medium = ApplicationInput {
        min_assurance: "medium".into(),
        ..high
    };
    app.update_application(&operator, casper.id, &medium, raised.version)
        .await
        .unwrap();
    let Authorization::Redirect(location) = app
        .oidc_authorize(Some(&session), &params, &ctx)
        .await
        .unwrap()
    else {
        panic!("no code for a strong enough session");
    };
    let code = url_param(&location, "code");
    assert_eq!(url_param(&location, "state"), "s");
    let request = TokenRequest {
        grant_type: Some("authorization_code".into()),
        code: Some(code.clone()),
        redirect_uri: Some(REDIRECT.into()),
        basic: Some((
            registered.client.client_id.clone(),
            registered.secret.clone().unwrap(),
        )),
        ..TokenRequest::default()
    };
    let tokens = app.oidc_token(&request).await.unwrap().unwrap();
    assert!(
        app.oidc_userinfo(&tokens.access_token)
            .await
            .unwrap()
            .is_ok()
    );

    // Signing out ends what the session gave: its access tokens, and codes not yet used.
    let Authorization::Redirect(location) = app
        .oidc_authorize(Some(&session), &params, &ctx)
        .await
        .unwrap()
    else {
        panic!("no second code");
    };
    app.sign_out(&token, &ctx).await.unwrap();
    let failure = app
        .oidc_userinfo(&tokens.access_token)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(failure.error, OAuthError::InvalidToken);
    let late = TokenRequest {
        code: Some(url_param(&location, "code")),
        ..request.clone()
    };
    let failure = app.oidc_token(&late).await.unwrap().unwrap_err();
    assert_eq!(failure.error, OAuthError::InvalidGrant);

    let Authorization::Redirect(location) = app
        .oidc_authorize(Some(&session), &params, &ctx)
        .await
        .unwrap()
    else {
        panic!("no third code");
    };
    let code = url_param(&location, "code");

    // A code waits 60 seconds at most.
    clock.advance(Duration::seconds(61));
    let request = TokenRequest {
        grant_type: Some("authorization_code".into()),
        code: Some(code),
        redirect_uri: Some(REDIRECT.into()),
        basic: Some((
            registered.client.client_id.clone(),
            registered.secret.unwrap(),
        )),
        ..TokenRequest::default()
    };
    let refused = app.oidc_token(&request).await.unwrap().unwrap_err();
    assert_eq!(
        refused,
        OAuthFailure {
            error: OAuthError::InvalidGrant,
            description: "the code is unknown, used or expired".into(),
        }
    );
    clock.advance(Duration::days(2));
    let swept = app.sweep(Duration::days(90)).await.unwrap();
    assert_eq!(swept.oidc_codes, 3, "used and unused codes alike");
}

fn url_param(location: &str, name: &str) -> String {
    let query = location.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap()
        .to_owned()
}

async fn clients_ask_for_a_stronger_or_fresher_sign_in(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let registered = app
        .register_oidc_client(&operator, &casper_input(db).await)
        .await
        .unwrap();
    let token = full_sign_in(&app, "erika.mustermann@bank-e.example").await;
    let session = app.current_session(&token).await.unwrap().unwrap();
    let ctx = session.ctx(None);
    let ask = |extra: AuthorizeParams| AuthorizeParams {
        response_type: Some("code".into()),
        client_id: Some(registered.client.client_id.clone()),
        redirect_uri: Some(REDIRECT.into()),
        scope: Some("openid".into()),
        ..extra
    };
    let outcome = |params: AuthorizeParams| {
        let app = app.clone();
        let session = session.clone();
        let ctx = ctx.clone();
        async move {
            app.oidc_authorize(Some(&session), &params, &ctx)
                .await
                .unwrap()
        }
    };
    // acr_values above the session's medium: step up to what was asked.
    assert_eq!(
        outcome(ask(AuthorizeParams {
            acr_values: Some("high".into()),
            ..AuthorizeParams::default()
        }))
        .await,
        Authorization::StepUp(Assurance::High)
    );
    // The least known value listed counts, and never below CASPER's own minimum (medium).
    assert!(matches!(
        outcome(ask(AuthorizeParams {
            acr_values: Some("urn:unknown high low".into()),
            ..AuthorizeParams::default()
        }))
        .await,
        Authorization::Redirect(_)
    ));
    // prompt=login asks for a fresh sign-in even with a live session.
    assert_eq!(
        outcome(ask(AuthorizeParams {
            prompt: Some("login".into()),
            ..AuthorizeParams::default()
        }))
        .await,
        Authorization::Reauthenticate
    );
    // max_age: fine within it, a fresh sign-in once it has passed (prompt=none: an error).
    let within = || {
        ask(AuthorizeParams {
            max_age: Some("600".into()),
            ..AuthorizeParams::default()
        })
    };
    assert!(matches!(
        outcome(within()).await,
        Authorization::Redirect(_)
    ));
    clock.advance(Duration::seconds(601));
    assert_eq!(outcome(within()).await, Authorization::Reauthenticate);
    let Authorization::Redirect(location) = outcome(AuthorizeParams {
        prompt: Some("none".into()),
        state: Some("s".into()),
        ..within()
    })
    .await
    else {
        panic!("prompt=none is answered at the redirect URI");
    };
    assert_eq!(url_param(&location, "error"), "login_required");
}
