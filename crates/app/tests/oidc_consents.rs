//! "Applications you allowed": a person lists the consents they gave to OpenID Connect
//! clients and withdraws one (audited `oidc.consent.withdraw`, after which the client asks
//! again); nobody withdraws another's; a refusal at the consent page is audited
//! (`oidc.consent.deny`); on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, exchange_code, full_sign_in};
use serde_json::Value;
use tessera_app::audit::ChainReport;
use tessera_app::{
    App, AppError, Authorization, ClientInput, Clock, Ctx, CurrentSession, RegisteredClient,
    TokenRequest,
};
use tessera_domain::application::Environment;
use tessera_domain::audit::{Actor, AuditEvent, Outcome};
use tessera_protocols::oauth::{AuthorizeParams, OAuthError};
use tessera_store::testing::TestDatabase;
use tessera_store::{Applications, AuditLog};
use time::Duration;
use uuid::Uuid;

tessera_store::on_both_databases!(
    my_consents_are_listed_newest_first,
    a_withdrawn_consent_is_audited_and_asked_again,
    nobody_withdraws_another_persons_consent,
    a_refusal_at_the_consent_page_is_audited,
);

const REDIRECT: &str = "https://budget.example/callback";
const ERIKA: &str = "erika.mustermann@bank-e.example";
const PIERRE: &str = "pierre.dupont@bank-e.example";

async fn register(
    app: &App,
    db: &TestDatabase,
    application: &str,
    environment: &str,
    name: &str,
) -> RegisteredClient {
    let mut tx = db.store.reads().await.unwrap();
    let application_id = tx
        .application_by_code(application)
        .await
        .unwrap()
        .unwrap()
        .id;
    drop(tx);
    let input = ClientInput {
        application_id,
        environment: environment.into(),
        name: name.into(),
        redirect_uris: vec![REDIRECT.into()],
        third_party: true,
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        ..ClientInput::default()
    };
    app.register_oidc_client(&Ctx::system(), &input)
        .await
        .unwrap()
}

fn request(client: &RegisteredClient, scope: &str) -> AuthorizeParams {
    AuthorizeParams {
        response_type: Some("code".into()),
        client_id: Some(client.client.client_id.clone()),
        redirect_uri: Some(REDIRECT.into()),
        scope: Some(scope.into()),
        state: Some("st8".into()),
        ..AuthorizeParams::default()
    }
}

async fn signed_in(app: &App, email: &str) -> CurrentSession {
    let token = full_sign_in(app, email).await;
    app.current_session(&token).await.unwrap().unwrap()
}

async fn ask(app: &App, session: &CurrentSession, params: &AuthorizeParams) -> Authorization {
    app.oidc_authorize(Some(session), params, &session.ctx(None))
        .await
        .unwrap()
}

async fn answer(
    app: &App,
    session: &CurrentSession,
    params: &AuthorizeParams,
    allow: bool,
) -> Authorization {
    app.oidc_authorize_answered(Some(session), params, &session.ctx(None), allow)
        .await
        .unwrap()
}

/// Allows the client what it asks; the code comes back (the redirect is given back).
async fn allow(
    app: &App,
    session: &CurrentSession,
    client: &RegisteredClient,
    scope: &str,
) -> String {
    let params = request(client, scope);
    assert!(matches!(
        ask(app, session, &params).await,
        Authorization::Consent(_)
    ));
    let Authorization::Redirect(location) = answer(app, session, &params, true).await else {
        panic!("allowing gives a code");
    };
    assert!(location.contains("code="), "{location}");
    location
}

async fn events(db: &TestDatabase, action: &str) -> Vec<AuditEvent> {
    let mut tx = db.store.reads().await.unwrap();
    tx.audit_events_after(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

async fn my_consents_are_listed_newest_first(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let budget = register(&app, db, "CASPER", "production", "Budget planner").await;
    let news = register(&app, db, "IMAS", "pre_production", "News digest").await;
    let erika = signed_in(&app, ERIKA).await;
    let pierre = signed_in(&app, PIERRE).await;
    assert_eq!(app.my_consents(&erika).await.unwrap(), []);

    let first = clock.now();
    allow(&app, &erika, &budget, "openid email").await;
    clock.advance(Duration::minutes(1));
    allow(&app, &erika, &news, "openid profile").await;

    let listed = app.my_consents(&erika).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].client, news.client.id);
    assert_eq!(listed[0].client_id, news.client.client_id);
    assert_eq!(listed[0].client_name, "News digest");
    assert_eq!(listed[0].application_name, "IMAS Portal");
    assert_eq!(listed[0].environment, Environment::PreProduction);
    assert_eq!(listed[0].scopes, ["openid", "profile"]);
    assert_eq!(listed[0].granted_at, first + Duration::minutes(1));
    assert_eq!(listed[1].client_name, "Budget planner");
    assert_eq!(listed[1].application_name, "CASPER");
    assert_eq!(listed[1].environment, Environment::Production);
    assert_eq!(listed[1].scopes, ["openid", "email"]);
    assert_eq!(listed[1].granted_at, first);

    // Allowing more adds to the consent and makes it the newest.
    clock.advance(Duration::minutes(1));
    allow(&app, &erika, &budget, "openid phone").await;
    let listed = app.my_consents(&erika).await.unwrap();
    assert_eq!(listed[0].client, budget.client.id);
    assert_eq!(listed[0].scopes, ["openid", "phone", "email"]);

    // Each person sees their own only.
    assert_eq!(app.my_consents(&pierre).await.unwrap(), []);
}

async fn a_withdrawn_consent_is_audited_and_asked_again(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let budget = register(&app, db, "CASPER", "production", "Budget planner").await;
    let news = register(&app, db, "IMAS", "production", "News digest").await;
    let erika = signed_in(&app, ERIKA).await;
    let location = allow(&app, &erika, &budget, "openid email").await;
    allow(&app, &erika, &news, "openid").await;
    // The client holds a refresh token from that consent.
    let code = location
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("code="))
        .unwrap();
    let basic = Some((
        budget.client.client_id.clone(),
        budget.secret.clone().unwrap(),
    ));
    let tokens = exchange_code(&app, code, REDIRECT, basic.clone()).await;
    let refresh = TokenRequest {
        grant_type: Some("refresh_token".into()),
        refresh_token: tokens.refresh_token.clone(),
        basic,
        ..TokenRequest::default()
    };
    // Allowed: straight to the code.
    assert!(matches!(
        ask(&app, &erika, &request(&budget, "openid email")).await,
        Authorization::Redirect(_)
    ));

    let ctx = erika.ctx(Some("req-withdraw".into()));
    app.withdraw_my_consent(&erika, budget.client.id, &ctx)
        .await
        .unwrap();

    let listed = app.my_consents(&erika).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].client, news.client.id);
    let withdrawn = events(db, "oidc.consent.withdraw").await;
    assert_eq!(withdrawn.len(), 1);
    let event = &withdrawn[0];
    assert_eq!(event.actor, Actor::User(erika.user.id));
    assert_eq!(event.target_type, "oidc_client");
    assert_eq!(
        event.target_id.as_deref(),
        Some(budget.client.client_id.as_str())
    );
    assert_eq!(event.outcome, Outcome::Success);
    assert_eq!(event.level_id, Some(erika.user.level_id));
    assert_eq!(event.request_id.as_deref(), Some("req-withdraw"));
    let details: Value = serde_json::from_str(&event.details).unwrap();
    assert_eq!(details["scopes"], "openid email");
    assert_eq!(details["refresh_tokens_revoked"], 1);
    // What the client held from the consent stops working with it.
    assert_eq!(
        app.oidc_token(&refresh).await.unwrap().unwrap_err().error,
        OAuthError::InvalidGrant
    );

    // The next sign-in through that client asks again; the other client does not.
    let Authorization::Consent(prompt) = ask(&app, &erika, &request(&budget, "openid email")).await
    else {
        panic!("a withdrawn consent is asked for again");
    };
    assert_eq!(prompt.client_name, "Budget planner");
    assert!(matches!(
        ask(&app, &erika, &request(&news, "openid")).await,
        Authorization::Redirect(_)
    ));

    // Withdrawing it again: not found, and nothing more audited.
    assert!(matches!(
        app.withdraw_my_consent(&erika, budget.client.id, &ctx)
            .await,
        Err(AppError::NotFound)
    ));
    assert_eq!(events(db, "oidc.consent.withdraw").await.len(), 1);
}

async fn nobody_withdraws_another_persons_consent(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let budget = register(&app, db, "CASPER", "production", "Budget planner").await;
    let erika = signed_in(&app, ERIKA).await;
    let pierre = signed_in(&app, PIERRE).await;
    allow(&app, &erika, &budget, "openid email").await;

    // Pierre names Erika's client: not found, as for a client nobody allowed.
    let theirs = app
        .withdraw_my_consent(&pierre, budget.client.id, &pierre.ctx(None))
        .await;
    assert!(matches!(theirs, Err(AppError::NotFound)), "{theirs:?}");
    let unknown = app
        .withdraw_my_consent(&erika, Uuid::new_v4(), &erika.ctx(None))
        .await;
    assert!(matches!(unknown, Err(AppError::NotFound)), "{unknown:?}");

    // Erika's consent stands and nothing was audited.
    assert_eq!(app.my_consents(&erika).await.unwrap().len(), 1);
    assert!(events(db, "oidc.consent.withdraw").await.is_empty());
    assert!(matches!(
        ask(&app, &erika, &request(&budget, "openid email")).await,
        Authorization::Redirect(_)
    ));

    // Even when the context claims Erika, Pierre's session withdraws only Pierre's.
    let claimed = app
        .withdraw_my_consent(&pierre, budget.client.id, &erika.ctx(None))
        .await;
    assert!(matches!(claimed, Err(AppError::NotFound)), "{claimed:?}");
    assert_eq!(app.my_consents(&erika).await.unwrap().len(), 1);
}

async fn a_refusal_at_the_consent_page_is_audited(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let budget = register(&app, db, "CASPER", "production", "Budget planner").await;
    let erika = signed_in(&app, ERIKA).await;
    let params = request(&budget, "openid email");
    assert!(matches!(
        ask(&app, &erika, &params).await,
        Authorization::Consent(_)
    ));

    let Authorization::Redirect(refused) = app
        .oidc_authorize_answered(
            Some(&erika),
            &params,
            &erika.ctx(Some("req-deny".into())),
            false,
        )
        .await
        .unwrap()
    else {
        panic!("a refusal goes back to the client");
    };
    assert!(refused.contains("error=access_denied") && refused.contains("state=st8"));

    let denied = events(db, "oidc.consent.deny").await;
    assert_eq!(denied.len(), 1);
    let event = &denied[0];
    assert_eq!(event.actor, Actor::User(erika.user.id));
    assert_eq!(event.outcome, Outcome::Denied);
    assert_eq!(event.target_type, "oidc_client");
    assert_eq!(
        event.target_id.as_deref(),
        Some(budget.client.client_id.as_str())
    );
    assert_eq!(event.level_id, Some(erika.user.level_id));
    assert_eq!(event.request_id.as_deref(), Some("req-deny"));
    let details: Value = serde_json::from_str(&event.details).unwrap();
    assert_eq!(details["asked"], "openid email");
    assert_eq!(details["application"], "CASPER");
    // Nothing was allowed, nothing is listed, and the audit chain holds.
    assert!(events(db, "oidc.consent").await.is_empty());
    assert_eq!(app.my_consents(&erika).await.unwrap(), []);
    assert!(matches!(
        app.verify_audit_chain().await.unwrap(),
        ChainReport::Intact { .. }
    ));

    // An answer that never reaches the consent step is no refusal: nobody signed in, or a
    // request that names no client.
    let nobody = app
        .oidc_authorize_answered(None, &params, &Ctx::anonymous(None), false)
        .await
        .unwrap();
    assert!(matches!(nobody, Authorization::SignIn));
    let unnamed = AuthorizeParams {
        client_id: None,
        ..params.clone()
    };
    assert!(matches!(
        answer(&app, &erika, &unnamed, false).await,
        Authorization::ErrorPage(_)
    ));
    assert_eq!(events(db, "oidc.consent.deny").await.len(), 1);
}
