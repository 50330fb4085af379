//! Changing and deleting single sign-on registrations, on both databases: OpenID Connect
//! clients (operators only, stale versions refused, a new secret replacing the old one at the
//! token endpoint, private_key_jwt needing keys, deletion ending refresh tokens) and CAS
//! services (the same rules as registration, stale versions, deletion ending tickets).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, as_person, full_sign_in};
use tessera_app::{
    App, AppError, Authorization, CasLogin, CasLoginRequest, CasServiceInput, CasServiceUpdate,
    CasValidation, ClientAuthMethod, ClientInput, ClientUpdate, Ctx, RegisteredClient,
    TokenRequest,
};
use tessera_protocols::cas::{FailureCode, ServiceResponse};
use tessera_protocols::oauth::{AuthorizeParams, OAuthError};
use tessera_store::testing::TestDatabase;
use tessera_store::{Applications, AuditLog};

tessera_store::on_both_databases!(
    only_operators_change_or_delete_clients,
    a_stale_client_change_is_refused,
    a_new_secret_replaces_the_old_one,
    private_key_jwt_needs_the_clients_keys,
    deleting_a_client_ends_its_refresh_tokens,
    cas_services_change_as_they_were_registered,
    deleting_a_cas_service_ends_its_tickets,
);

const REDIRECT: &str = "https://casper.example/callback";
const SERVICE: &str = "https://casper.example/cas/";
const EC_JWKS: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1"}]}"#;

async fn casper(db: &TestDatabase) -> uuid::Uuid {
    let mut tx = db.store.reads().await.unwrap();
    tx.application_by_code("CASPER").await.unwrap().unwrap().id
}

async fn client_input(db: &TestDatabase, grants: &[&str]) -> ClientInput {
    ClientInput {
        application_id: casper(db).await,
        environment: "production".into(),
        name: "CASPER web".into(),
        redirect_uris: vec![REDIRECT.into()],
        grant_types: grants.iter().map(|g| (*g).to_owned()).collect(),
        ..ClientInput::default()
    }
}

/// A demo installation with CASPER's client registered by the operator.
async fn with_client(db: &TestDatabase, grants: &[&str]) -> (App, Ctx, RegisteredClient) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let input = client_input(db, grants).await;
    let client = app.register_oidc_client(&operator, &input).await.unwrap();
    (app, operator, client)
}

fn change(client: &RegisteredClient, settings: ClientInput) -> ClientUpdate {
    ClientUpdate {
        settings,
        version: client.client.version,
        new_secret: false,
    }
}

fn client_credentials(client_id: &str, secret: &str) -> TokenRequest {
    TokenRequest {
        grant_type: Some("client_credentials".into()),
        basic: Some((client_id.to_owned(), secret.to_owned())),
        ..TokenRequest::default()
    }
}

async fn actions(db: &TestDatabase) -> Vec<(String, String)> {
    let mut tx = db.store.read().await.unwrap();
    tx.audit_events_after(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.details))
        .collect()
}

async fn only_operators_change_or_delete_clients(db: &TestDatabase) {
    let (app, operator, client) = with_client(db, &[]).await;
    let erika = as_person(db, "erika.mustermann@bank-e.example").await;
    let id = client.client.id;
    let renamed = ClientInput {
        name: "CASPER portal".into(),
        ..client_input(db, &[]).await
    };

    assert!(matches!(
        app.oidc_client(&erika, id).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        app.update_oidc_client(&erika, id, &change(&client, renamed.clone()))
            .await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        app.delete_oidc_client(&erika, id).await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        app.oidc_client(&operator, id).await.unwrap().name,
        "CASPER web"
    );

    let changed = app
        .update_oidc_client(&operator, id, &change(&client, renamed))
        .await
        .unwrap();
    assert_eq!(changed.client.name, "CASPER portal");
    assert_eq!(changed.client.version, client.client.version + 1);
    assert_eq!(changed.client.client_id, client.client.client_id);
    assert!(changed.secret.is_none(), "no new secret unless asked for");
    app.delete_oidc_client(&operator, id).await.unwrap();
    assert!(matches!(
        app.oidc_client(&operator, id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.delete_oidc_client(&operator, id).await,
        Err(AppError::NotFound)
    ));
    let events = actions(db).await;
    for action in ["oidc_client.update", "oidc_client.delete"] {
        assert!(events.iter().any(|(a, _)| a == action), "{action}");
    }
}

async fn a_stale_client_change_is_refused(db: &TestDatabase) {
    let (app, operator, client) = with_client(db, &[]).await;
    let id = client.client.id;
    let first = ClientInput {
        name: "First".into(),
        ..client_input(db, &[]).await
    };
    let second = ClientInput {
        name: "Second".into(),
        ..first.clone()
    };
    // Two operators read version 1; the first to save wins.
    app.update_oidc_client(&operator, id, &change(&client, first))
        .await
        .unwrap();
    assert!(matches!(
        app.update_oidc_client(&operator, id, &change(&client, second))
            .await,
        Err(AppError::Stale)
    ));
    assert_eq!(app.oidc_client(&operator, id).await.unwrap().name, "First");
}

async fn a_new_secret_replaces_the_old_one(db: &TestDatabase) {
    let (app, operator, client) = with_client(db, &["client_credentials"]).await;
    let client_id = client.client.client_id.clone();
    let old = client.secret.clone().unwrap();
    assert!(
        app.oidc_token(&client_credentials(&client_id, &old))
            .await
            .unwrap()
            .is_ok()
    );

    let update = ClientUpdate {
        new_secret: true,
        ..change(&client, client_input(db, &["client_credentials"]).await)
    };
    let changed = app
        .update_oidc_client(&operator, client.client.id, &update)
        .await
        .unwrap();
    let new = changed.secret.unwrap();
    assert_ne!(new, old);
    assert!(
        app.oidc_token(&client_credentials(&client_id, &new))
            .await
            .unwrap()
            .is_ok(),
        "the new secret works"
    );
    let refused = app
        .oidc_token(&client_credentials(&client_id, &old))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        refused.error,
        OAuthError::InvalidClient,
        "the old one does not"
    );
    let (_, details) = actions(db)
        .await
        .into_iter()
        .find(|(a, _)| a == "oidc_client.update")
        .unwrap();
    assert!(!details.contains(&new), "the secret is never audited");
    assert!(details.contains(r#""new_secret":true"#), "{details}");
}

async fn private_key_jwt_needs_the_clients_keys(db: &TestDatabase) {
    let (app, operator, client) = with_client(db, &[]).await;
    let id = client.client.id;
    let without_keys = ClientInput {
        auth_method: Some("private_key_jwt".into()),
        ..client_input(db, &[]).await
    };
    let Err(AppError::Invalid(errors)) = app
        .update_oidc_client(&operator, id, &change(&client, without_keys.clone()))
        .await
    else {
        panic!("private_key_jwt without keys was accepted");
    };
    let fields: Vec<_> = errors.errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["jwks"]);
    // Nothing changed: the same version still saves.
    let with_keys = ClientInput {
        jwks: Some(EC_JWKS.into()),
        ..without_keys
    };
    let changed = app
        .update_oidc_client(&operator, id, &change(&client, with_keys))
        .await
        .unwrap();
    assert_eq!(changed.client.auth_method, ClientAuthMethod::PrivateKeyJwt);
    assert!(changed.client.jwks.is_some());
    assert_eq!(
        changed.client.secret_digest, None,
        "the secret is forgotten"
    );
    assert!(changed.secret.is_none());
}

async fn deleting_a_client_ends_its_refresh_tokens(db: &TestDatabase) {
    let (app, operator, client) = with_client(db, &["refresh_token"]).await;
    let basic = Some((
        client.client.client_id.clone(),
        client.secret.clone().unwrap(),
    ));
    let session_token = full_sign_in(&app, "erika.mustermann@bank-e.example").await;
    let session = app.current_session(&session_token).await.unwrap().unwrap();
    let params = AuthorizeParams {
        response_type: Some("code".into()),
        client_id: Some(client.client.client_id.clone()),
        redirect_uri: Some(REDIRECT.into()),
        scope: Some("openid".into()),
        ..AuthorizeParams::default()
    };
    let Authorization::Redirect(location) = app
        .oidc_authorize(Some(&session), &params, &session.ctx(None))
        .await
        .unwrap()
    else {
        panic!("no code");
    };
    let code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .unwrap()
        .to_owned();
    let tokens = common::exchange_code(&app, &code, REDIRECT, basic.clone()).await;
    let refresh = TokenRequest {
        grant_type: Some("refresh_token".into()),
        refresh_token: tokens.refresh_token,
        basic,
        ..TokenRequest::default()
    };

    app.delete_oidc_client(&operator, client.client.id)
        .await
        .unwrap();
    let refused = app.oidc_token(&refresh).await.unwrap().unwrap_err();
    assert_eq!(refused.error, OAuthError::InvalidClient);
    // Registered again under the same settings, it is another client: the old token is
    // still nobody's.
    let again = app
        .register_oidc_client(&operator, &client_input(db, &["refresh_token"]).await)
        .await
        .unwrap();
    let as_new_client = TokenRequest {
        basic: Some((again.client.client_id, again.secret.unwrap())),
        ..refresh
    };
    let refused = app.oidc_token(&as_new_client).await.unwrap().unwrap_err();
    assert_eq!(refused.error, OAuthError::InvalidGrant);
}

async fn service_input(db: &TestDatabase) -> CasServiceInput {
    CasServiceInput {
        application_id: casper(db).await,
        environment: "pre_production".into(),
        name: "CASPER test".into(),
        service_url: SERVICE.into(),
        match_kind: Some("prefix".into()),
        ..CasServiceInput::default()
    }
}

async fn cas_services_change_as_they_were_registered(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let erika = as_person(db, "erika.mustermann@bank-e.example").await;
    let service = app
        .register_cas_service(&operator, &service_input(db).await)
        .await
        .unwrap();
    let moved = CasServiceUpdate {
        settings: CasServiceInput {
            // Ignored: a service stays in its environment.
            environment: "production".into(),
            name: "CASPER acceptance".into(),
            service_url: "https://casper.example/cas/login".into(),
            match_kind: Some("exact".into()),
            proxy_allowed: true,
            single_logout_url: Some("https://casper.example/slo".into()),
            ..service_input(db).await
        },
        version: service.version,
    };

    assert!(matches!(
        app.cas_service(&erika, service.id).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        app.update_cas_service(&erika, service.id, &moved).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        app.delete_cas_service(&erika, service.id).await,
        Err(AppError::Forbidden)
    ));

    // The rules of registration, every field at once.
    let bad = CasServiceUpdate {
        settings: CasServiceInput {
            name: " ".into(),
            service_url: "http://casper.example/cas/".into(),
            match_kind: Some("regex".into()),
            single_logout_url: Some("https://casper.example/#slo".into()),
            ..moved.settings.clone()
        },
        ..moved.clone()
    };
    let Err(AppError::Invalid(errors)) = app.update_cas_service(&operator, service.id, &bad).await
    else {
        panic!("an insecure service URL was accepted");
    };
    let fields: Vec<_> = errors.errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        ["name", "match_kind", "service_url", "single_logout_url"]
    );

    let changed = app
        .update_cas_service(&operator, service.id, &moved)
        .await
        .unwrap();
    assert_eq!(changed.version, service.version + 1);
    assert_eq!(
        changed.environment, service.environment,
        "the environment stays"
    );
    assert_eq!(changed.application_id, service.application_id);
    assert_eq!(changed.match_kind, "exact");
    assert!(changed.proxy_allowed);
    assert_eq!(
        app.cas_service(&operator, service.id).await.unwrap(),
        changed
    );
    // The new address matches exactly; what the old prefix admitted no longer does.
    assert!(
        app.cas_service_registered("https://casper.example/cas/login")
            .await
            .unwrap()
    );
    assert!(
        !app.cas_service_registered("https://casper.example/cas/home")
            .await
            .unwrap()
    );

    // Another operator's change made from the old version is stale.
    assert!(matches!(
        app.update_cas_service(&operator, service.id, &moved).await,
        Err(AppError::Stale)
    ));
    assert!(matches!(
        app.update_cas_service(&operator, uuid::Uuid::nil(), &moved)
            .await,
        Err(AppError::NotFound)
    ));
    let events = actions(db).await;
    let (_, details) = events
        .iter()
        .find(|(a, _)| a == "cas_service.update")
        .unwrap();
    assert!(
        details.contains("https://casper.example/cas/login"),
        "{details}"
    );
}

async fn deleting_a_cas_service_ends_its_tickets(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let production = CasServiceInput {
        environment: "production".into(),
        ..service_input(db).await
    };
    let service = app
        .register_cas_service(&operator, &production)
        .await
        .unwrap();
    let token = full_sign_in(&app, "erika.mustermann@bank-e.example").await;
    let session = app.current_session(&token).await.unwrap().unwrap();
    let url = format!("{SERVICE}home");
    let request = CasLoginRequest {
        service: Some(url.clone()),
        ..CasLoginRequest::default()
    };
    let CasLogin::Redirect(location) = app
        .cas_login(Some(&session), &request, &session.ctx(None))
        .await
        .unwrap()
    else {
        panic!("no ticket");
    };
    let ticket = location.split_once("ticket=").unwrap().1.to_owned();

    app.delete_cas_service(&operator, service.id).await.unwrap();
    let ServiceResponse::Failure { code, .. } = app
        .cas_validate(CasValidation::Service, Some(&ticket), Some(&url), false)
        .await
        .unwrap()
    else {
        panic!("a ticket outlived its service");
    };
    assert_eq!(code, FailureCode::InvalidTicket);
    assert!(matches!(
        app.cas_login(Some(&session), &request, &session.ctx(None))
            .await
            .unwrap(),
        CasLogin::ErrorPage(_)
    ));
    assert!(matches!(
        app.delete_cas_service(&operator, service.id).await,
        Err(AppError::NotFound)
    ));
    let events = actions(db).await;
    assert!(events.iter().any(|(a, _)| a == "cas_service.delete"));
}
