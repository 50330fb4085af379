//! OpenID Connect consent: third-party clients ask once per scope, `prompt=consent` always
//! asks, `prompt=none` answers `consent_required`, and a refusal goes back as
//! `access_denied`; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, full_sign_in};
use tessera_app::{App, Authorization, ClientInput, Ctx, CurrentSession, RegisteredClient};
use tessera_domain::audit::Actor;
use tessera_protocols::oauth::AuthorizeParams;
use tessera_store::testing::TestDatabase;
use tessera_store::{Applications, AuditLog, Users};

tessera_store::on_both_databases!(
    a_third_party_client_is_allowed_once_per_scope,
    a_refusal_answers_access_denied_with_the_state,
    prompt_consent_always_asks_and_prompt_none_cannot,
);

const REDIRECT: &str = "https://budget.example/callback";

async fn register(app: &App, db: &TestDatabase, third_party: bool) -> RegisteredClient {
    let mut tx = db.store.reads().await.unwrap();
    let operator = tx
        .user_by_email_key("operator@tessera.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let input = ClientInput {
        application_id: tx.application_by_code("CASPER").await.unwrap().unwrap().id,
        environment: "production".into(),
        name: "Budget planner".into(),
        redirect_uris: vec![REDIRECT.into()],
        third_party,
        ..ClientInput::default()
    };
    drop(tx);
    let ctx = Ctx {
        actor: Actor::User(operator),
        request_id: None,
    };
    app.register_oidc_client(&ctx, &input).await.unwrap()
}

fn request(client: &RegisteredClient, scope: &str, prompt: Option<&str>) -> AuthorizeParams {
    AuthorizeParams {
        response_type: Some("code".into()),
        client_id: Some(client.client.client_id.clone()),
        redirect_uri: Some(REDIRECT.into()),
        scope: Some(scope.into()),
        state: Some("st8".into()),
        prompt: prompt.map(str::to_owned),
        ..AuthorizeParams::default()
    }
}

async fn erika(app: &App) -> CurrentSession {
    let token = full_sign_in(app, "erika.mustermann@bank-e.example").await;
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

fn location(outcome: Authorization) -> String {
    match outcome {
        Authorization::Redirect(location) => location,
        other => panic!("expected a redirect, got {other:?}"),
    }
}

async fn consents(db: &TestDatabase) -> usize {
    let mut tx = db.store.reads().await.unwrap();
    tx.audit_events_after(0, 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "oidc.consent")
        .count()
}

async fn a_third_party_client_is_allowed_once_per_scope(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let client = register(&app, db, true).await;
    let session = erika(&app).await;

    let params = request(&client, "openid profile", None);
    let Authorization::Consent(prompt) = ask(&app, &session, &params).await else {
        panic!("a third party asks first");
    };
    assert_eq!(prompt.client_name, "Budget planner");
    assert_eq!(prompt.scopes, ["openid", "profile"]);
    assert_eq!(consents(db).await, 0);
    let code = location(answer(&app, &session, &params, true).await);
    assert!(code.starts_with(REDIRECT) && code.contains("code=") && code.contains("state=st8"));
    assert_eq!(consents(db).await, 1);

    // Allowed already: straight to the code, even with fewer scopes.
    assert!(location(ask(&app, &session, &params).await).contains("code="));
    let fewer = request(&client, "openid", None);
    assert!(location(ask(&app, &session, &fewer).await).contains("code="));
    // A scope not allowed yet is asked for; the answer adds to what was allowed.
    let more = request(&client, "openid email", None);
    assert!(matches!(
        ask(&app, &session, &more).await,
        Authorization::Consent(_)
    ));
    assert!(location(answer(&app, &session, &more, true).await).contains("code="));
    let all = request(&client, "openid profile email", None);
    assert!(location(ask(&app, &session, &all).await).contains("code="));
    assert_eq!(consents(db).await, 2);

    // A first-party client never asks on its own.
    let own = register(&app, db, false).await;
    let own_params = request(&own, "openid profile email phone", None);
    assert!(location(ask(&app, &session, &own_params).await).contains("code="));
}

async fn a_refusal_answers_access_denied_with_the_state(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let client = register(&app, db, true).await;
    let session = erika(&app).await;
    let params = request(&client, "openid email", None);
    let refused = location(answer(&app, &session, &params, false).await);
    assert!(refused.starts_with(REDIRECT));
    assert!(refused.contains("error=access_denied"));
    assert!(refused.contains("state=st8"));
    assert!(!refused.contains("code="));
    assert_eq!(consents(db).await, 0);
    // Nothing was kept: the next request asks again.
    assert!(matches!(
        ask(&app, &session, &params).await,
        Authorization::Consent(_)
    ));
}

async fn prompt_consent_always_asks_and_prompt_none_cannot(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let third = register(&app, db, true).await;
    let own = register(&app, db, false).await;
    let session = erika(&app).await;

    // prompt=none without consent: consent_required at the redirect URI, with the state.
    let silent = request(&third, "openid", Some("none"));
    let refused = location(ask(&app, &session, &silent).await);
    assert!(refused.contains("error=consent_required") && refused.contains("state=st8"));

    // prompt=consent asks any client, even one allowed before.
    let again = request(&own, "openid", Some("consent"));
    assert!(matches!(
        ask(&app, &session, &again).await,
        Authorization::Consent(_)
    ));
    assert!(location(answer(&app, &session, &again, true).await).contains("code="));
    assert!(matches!(
        ask(&app, &session, &again).await,
        Authorization::Consent(_)
    ));

    // Once allowed, prompt=none goes through silently.
    let first = request(&third, "openid", None);
    assert!(location(answer(&app, &session, &first, true).await).contains("code="));
    assert!(location(ask(&app, &session, &silent).await).contains("code="));
}
