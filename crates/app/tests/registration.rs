//! Self-registration on both databases: every field at fault named, the CAPTCHA checked,
//! the link by e-mail in the chosen language, the same answer and a notice for an address
//! that has an account, the link's 24 hours and the sweep of accounts never verified, the
//! External level (no sub-levels, no administrators), environments that accept external
//! accounts or not (single sign-on and memberships), and the daily limit per address.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, as_person};
use tessera_app::{
    Addition, App, AppError, Authorization, CaptchaAnswer, CasLogin, CasLoginRequest,
    CasServiceInput, ClientInfo, ClientInput, Ctx, Outgoing, RegistrationInput,
};
use tessera_domain::application::Environment;
use tessera_domain::role::Role;
use tessera_domain::user::UserStatus;
use tessera_protocols::oauth::AuthorizeParams;
use tessera_store::testing::TestDatabase;
use tessera_store::{Applications, AuditLog, Registrations, Users};
use time::Duration;

tessera_store::on_both_databases!(
    every_field_at_fault_is_named,
    a_registration_sends_a_link_in_the_chosen_language,
    a_known_address_gets_a_notice_and_the_same_answer,
    links_expire_after_a_day_and_the_sweep_removes_the_account,
    an_expired_link_can_be_renewed_with_the_address,
    the_external_level_has_no_sub_levels_nor_administrators,
    environments_decide_whether_they_accept_external_people,
    at_most_five_mails_per_address_and_day,
);

const PASSWORD: &str = "Wandering-Heron-4817";

async fn ready(db: &TestDatabase) -> (App, std::sync::Arc<common::TestClock>) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    // The demonstration data's own messages are not this test's business.
    sent(&app).await;
    (app, clock)
}

/// A filled-in form with a CAPTCHA answered by typing its code.
async fn form(app: &App, email: &str) -> RegistrationInput {
    let challenge = app.issue_captcha(None).await.unwrap();
    let code = app.captcha_picture(&challenge.id).await.unwrap().code;
    RegistrationInput {
        first_name: "Nikola".into(),
        last_name: "Јовановић".into(),
        email: email.into(),
        confirm_email: email.to_uppercase(),
        language: "fr".into(),
        privacy_accepted: true,
        captcha: CaptchaAnswer {
            id: challenge.id,
            solution: String::new(),
            code: code.to_lowercase(),
        },
        return_to: Some("/oidc/authorize?client_id=x".into()),
    }
}

/// The messages queued since the last call, marked delivered.
async fn sent(app: &App) -> Vec<Outgoing> {
    let messages = app
        .claim_outgoing("test", Duration::minutes(1), 100)
        .await
        .unwrap();
    for message in &messages {
        app.finish_outgoing(message, "test", Ok(())).await.unwrap();
    }
    messages
}

fn token(message: &Outgoing) -> String {
    let link = &message.args["link"];
    assert!(
        link.starts_with("http://localhost:8080/register/verify/"),
        "{link}"
    );
    link.rsplit('/').next().unwrap().to_owned()
}

async fn actions(db: &TestDatabase) -> Vec<String> {
    let mut tx = db.store.read().await.unwrap();
    tx.audit_events_after(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn user(db: &TestDatabase, email: &str) -> Option<tessera_domain::user::User> {
    let mut tx = db.store.reads().await.unwrap();
    tx.user_by_email_key(&email.to_lowercase()).await.unwrap()
}

/// Registers `email` and completes it; the session token.
async fn registered(app: &App, email: &str) -> String {
    let ctx = Ctx::anonymous(None);
    app.register(&form(app, email).await, &ctx).await.unwrap();
    let link = sent(app).await.pop().unwrap();
    let done = app
        .complete_registration(
            &token(&link),
            PASSWORD,
            PASSWORD,
            None,
            ClientInfo::default(),
            &ctx,
        )
        .await
        .unwrap();
    done.signed_in.unwrap().token
}

async fn every_field_at_fault_is_named(db: &TestDatabase) {
    let (app, _) = ready(db).await;
    let ctx = Ctx::anonymous(None);
    let input = RegistrationInput {
        first_name: "  ".into(),
        confirm_email: "other@example.org".into(),
        email: "nikola@example.org".into(),
        language: "xx".into(),
        privacy_accepted: false,
        ..form(&app, "nikola@example.org").await
    };
    let Err(AppError::Invalid(errors)) = app.register(&input, &ctx).await else {
        panic!("accepted");
    };
    let fields: Vec<_> = errors.errors.iter().map(|e| (e.field, e.code)).collect();
    assert_eq!(
        fields,
        [
            ("first_name", "required"),
            ("language", "unsupported"),
            ("confirm_email", "mismatch"),
            ("privacy", "required"),
        ]
    );
    // A wrong code is an error at the CAPTCHA, among the others.
    let mut input = form(&app, "nikola@example.org").await;
    input.captcha.code = "AAAAAA".into();
    let Err(AppError::Invalid(errors)) = app.register(&input, &ctx).await else {
        panic!("accepted");
    };
    assert_eq!(errors.errors[0].field, "captcha");
    assert!(user(db, "nikola@example.org").await.is_none());
    assert!(sent(&app).await.is_empty());
}

async fn a_registration_sends_a_link_in_the_chosen_language(db: &TestDatabase) {
    let (app, _) = ready(db).await;
    let ctx = Ctx::anonymous(None);
    app.register(&form(&app, "Nikola@Example.org").await, &ctx)
        .await
        .unwrap();
    let account = user(db, "nikola@example.org").await.unwrap();
    assert_eq!(account.status, UserStatus::Invited);
    assert_eq!(account.language, "fr");
    assert_eq!(account.last_name, "Јовановић");
    let level = {
        let mut tx = db.store.reads().await.unwrap();
        tessera_store::Levels::level(&mut tx, account.level_id)
            .await
            .unwrap()
            .unwrap()
    };
    assert!(level.external);
    assert_eq!(level.name, "External");

    let messages = sent(&app).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].template, "registration-verify");
    assert_eq!(messages[0].language, "fr");
    assert_eq!(messages[0].recipient, "Nikola@Example.org");
    let token = token(&messages[0]);
    assert_eq!(
        app.check_registration_link(&token).await.unwrap().email,
        "Nikola@Example.org"
    );

    // The password rules of everywhere, with their messages.
    let weak = app
        .complete_registration(&token, "short", "short", None, ClientInfo::default(), &ctx)
        .await;
    assert!(matches!(weak, Err(AppError::Invalid(_))), "{weak:?}");
    let Err(AppError::Invalid(leaked)) = app
        .complete_registration(
            &token,
            "Password123!",
            "Password123!",
            None,
            ClientInfo::default(),
            &ctx,
        )
        .await
    else {
        panic!("a leaked password was accepted");
    };
    assert_eq!(leaked.errors[0].code, "leaked");
    assert!(
        leaked.errors[0].message.contains("public database"),
        "{leaked:?}"
    );

    let done = app
        .complete_registration(
            &token,
            PASSWORD,
            PASSWORD,
            None,
            ClientInfo::default(),
            &ctx,
        )
        .await
        .unwrap();
    assert_eq!(
        done.return_to.as_deref(),
        Some("/oidc/authorize?client_id=x")
    );
    let session = app
        .current_session(&done.signed_in.unwrap().token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.user.status, UserStatus::Active);
    // The link works once.
    assert!(matches!(
        app.check_registration_link(&token).await,
        Err(AppError::ResetLinkInvalid)
    ));
    let actions = actions(db).await;
    for action in [
        "registration.create",
        "user.activate",
        "registration.complete",
        "signin.complete",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} missing");
    }
}

async fn a_known_address_gets_a_notice_and_the_same_answer(db: &TestDatabase) {
    let (app, _) = ready(db).await;
    let ctx = Ctx::anonymous(None);
    let before = user(db, "fiona.walsh@bank-f.example").await.unwrap();
    app.register(&form(&app, "Fiona.Walsh@bank-f.example").await, &ctx)
        .await
        .unwrap();
    let after = user(db, "fiona.walsh@bank-f.example").await.unwrap();
    assert_eq!(before, after, "the account is left as it was");
    let messages = sent(&app).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].template, "registration-notice");
    assert_eq!(messages[0].recipient, "fiona.walsh@bank-f.example");
    assert_eq!(
        messages[0].args["reset"],
        "http://localhost:8080/signin/reset"
    );
    assert!(!messages[0].args.contains_key("link"));
    assert!(actions(db).await.iter().any(|a| a == "registration.notice"));

    // Registering again while the first link waits sends a new link, not a second account.
    app.register(&form(&app, "new@example.org").await, &ctx)
        .await
        .unwrap();
    let first = token(&sent(&app).await[0]);
    app.register(&form(&app, "NEW@example.org").await, &ctx)
        .await
        .unwrap();
    let second = token(&sent(&app).await[0]);
    assert_ne!(first, second);
    assert!(app.check_registration_link(&first).await.is_err());
    app.check_registration_link(&second).await.unwrap();
}

async fn links_expire_after_a_day_and_the_sweep_removes_the_account(db: &TestDatabase) {
    let (app, clock) = ready(db).await;
    let ctx = Ctx::anonymous(None);
    app.register(&form(&app, "late@example.org").await, &ctx)
        .await
        .unwrap();
    app.register(&form(&app, "prompt@example.org").await, &ctx)
        .await
        .unwrap();
    let links = sent(&app).await;
    let late = token(&links[0]);
    let prompt = token(&links[1]);
    clock.advance(Duration::hours(23));
    app.complete_registration(
        &prompt,
        PASSWORD,
        PASSWORD,
        None,
        ClientInfo::default(),
        &ctx,
    )
    .await
    .unwrap();
    app.sweep(Duration::days(90)).await.unwrap();
    assert!(user(db, "late@example.org").await.is_some());
    clock.advance(Duration::hours(1));
    assert!(matches!(
        app.check_registration_link(&late).await,
        Err(AppError::ResetLinkInvalid)
    ));
    assert!(matches!(
        app.complete_registration(&late, PASSWORD, PASSWORD, None, ClientInfo::default(), &ctx)
            .await,
        Err(AppError::ResetLinkInvalid)
    ));
    let swept = app.sweep(Duration::days(90)).await.unwrap();
    assert_eq!(swept.registrations, 1);
    assert!(user(db, "late@example.org").await.is_none());
    assert_eq!(
        user(db, "prompt@example.org").await.unwrap().status,
        UserStatus::Active
    );
    assert!(actions(db).await.iter().any(|a| a == "registration.expire"));
    // Admin invitations are not registrations: the sweep leaves them.
    assert!(user(db, "erika.mustermann@bank-e.example").await.is_some());
}

async fn an_expired_link_can_be_renewed_with_the_address(db: &TestDatabase) {
    let (app, clock) = ready(db).await;
    let ctx = Ctx::anonymous(None);
    app.register(&form(&app, "slow@example.org").await, &ctx)
        .await
        .unwrap();
    let old = token(&sent(&app).await[0]);
    clock.advance(Duration::hours(25));
    assert!(app.check_registration_link(&old).await.is_err());
    app.renew_registration("Slow@example.org", &ctx)
        .await
        .unwrap();
    let messages = sent(&app).await;
    assert_eq!(messages[0].template, "registration-verify");
    let new = token(&messages[0]);
    let done = app
        .complete_registration(&new, PASSWORD, PASSWORD, None, ClientInfo::default(), &ctx)
        .await
        .unwrap();
    // Where the person was going survives the renewal.
    assert_eq!(
        done.return_to.as_deref(),
        Some("/oidc/authorize?client_id=x")
    );
    // Unknown addresses: the same answer, nothing sent; a bad address: an error.
    app.renew_registration("nobody@example.org", &ctx)
        .await
        .unwrap();
    assert!(sent(&app).await.is_empty());
    assert!(matches!(
        app.renew_registration("not an address", &ctx).await,
        Err(AppError::Invalid(_))
    ));
}

async fn the_external_level_has_no_sub_levels_nor_administrators(db: &TestDatabase) {
    let (app, _) = ready(db).await;
    let operator = as_person(db, "operator@tessera.example").await;
    registered(&app, "ext@example.org").await;
    let external = {
        let mut tx = db.store.reads().await.unwrap();
        tx.external_level().await.unwrap().unwrap()
    };
    let Err(AppError::Invalid(errors)) = app.create_level(&operator, external.id, "Sub").await
    else {
        panic!("a sub-level of External was created");
    };
    assert_eq!(errors.errors[0].code, "external");
    let person = user(db, "ext@example.org").await.unwrap();
    let Err(AppError::Invalid(errors)) = app
        .nominate(&operator, person.id, Role::UserAdmin, external.id)
        .await
    else {
        panic!("an administrator was nominated at External");
    };
    assert_eq!(errors.errors[0].code, "external");
    // Bootstrap again (a restart): still one External level.
    app.bootstrap().await.unwrap();
    let mut tx = db.store.reads().await.unwrap();
    assert_eq!(tx.external_level().await.unwrap().unwrap().id, external.id);
}

async fn environments_decide_whether_they_accept_external_people(db: &TestDatabase) {
    let (app, _) = ready(db).await;
    let operator = as_person(db, "operator@tessera.example").await;
    let casper = {
        let mut tx = db.store.reads().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap().id
    };
    let client = app
        .register_oidc_client(
            &operator,
            &ClientInput {
                application_id: casper,
                environment: "production".into(),
                name: "CASPER web".into(),
                redirect_uris: vec!["https://casper.example/callback".into()],
                public: true,
                ..ClientInput::default()
            },
        )
        .await
        .unwrap();
    app.register_cas_service(
        &operator,
        &CasServiceInput {
            application_id: casper,
            environment: "production".into(),
            name: "CASPER CAS".into(),
            service_url: "https://casper.example/cas/".into(),
            match_kind: Some("prefix".into()),
            proxy_allowed: false,
            single_logout_url: None,
        },
    )
    .await
    .unwrap();
    let token = registered(&app, "ext@example.org").await;
    let session = app.current_session(&token).await.unwrap().unwrap();
    let params = AuthorizeParams {
        response_type: Some("code".into()),
        client_id: Some(client.client.client_id.clone()),
        redirect_uri: Some("https://casper.example/callback".into()),
        scope: Some("openid".into()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        code_challenge_method: Some("S256".into()),
        ..AuthorizeParams::default()
    };
    let ctx = Ctx::anonymous(None);
    let refused = app
        .oidc_authorize(Some(&session), &params, &ctx)
        .await
        .unwrap();
    assert_eq!(
        refused,
        Authorization::ErrorPage(tessera_app::EXTERNAL_REFUSED.into())
    );
    let cas = CasLoginRequest {
        service: Some("https://casper.example/cas/app".into()),
        ..CasLoginRequest::default()
    };
    assert!(matches!(
        app.cas_login(Some(&session), &cas, &ctx).await.unwrap(),
        CasLogin::ErrorPage(_)
    ));
    let group = {
        let mut tx = db.store.reads().await.unwrap();
        tx.groups_of(casper)
            .await
            .unwrap()
            .into_iter()
            .find(|g| g.environment == Environment::Production)
            .unwrap()
    };
    let addition = Addition {
        group_id: group.id,
        expires_at: None,
    };
    let Err(AppError::Invalid(errors)) = app
        .save_memberships(
            &operator,
            session.user.id,
            std::slice::from_ref(&addition),
            &[],
        )
        .await
    else {
        panic!("a membership was granted in an environment closed to external people");
    };
    assert_eq!(errors.errors[0].code, "external");

    // Only operators open an environment; it is audited.
    let erika = as_person(db, "erika.mustermann@bank-e.example").await;
    assert!(matches!(
        app.set_accepts_external(&erika, casper, Environment::Production, true)
            .await,
        Err(AppError::Forbidden)
    ));
    app.set_accepts_external(&operator, casper, Environment::Production, true)
        .await
        .unwrap();
    assert_eq!(
        app.external_environments(&operator, casper).await.unwrap(),
        [Environment::Production]
    );
    assert!(
        actions(db)
            .await
            .iter()
            .any(|a| a == "application.external")
    );
    // Admitted: on to the next question (CASPER needs a stronger sign-in).
    assert_eq!(
        app.oidc_authorize(Some(&session), &params, &ctx)
            .await
            .unwrap(),
        Authorization::StepUp(tessera_domain::session::Assurance::Medium)
    );
    assert!(matches!(
        app.cas_login(Some(&session), &cas, &ctx).await.unwrap(),
        CasLogin::StepUp(_)
    ));
    app.save_memberships(&operator, session.user.id, &[addition], &[])
        .await
        .unwrap();
    // People of organisations were never concerned.
    app.set_accepts_external(&operator, casper, Environment::Production, false)
        .await
        .unwrap();
    let erika_token = common::full_sign_in(&app, "erika.mustermann@bank-e.example").await;
    let erika_session = app.current_session(&erika_token).await.unwrap().unwrap();
    assert!(!matches!(
        app.oidc_authorize(Some(&erika_session), &params, &ctx)
            .await
            .unwrap(),
        Authorization::ErrorPage(_)
    ));
}

async fn at_most_five_mails_per_address_and_day(db: &TestDatabase) {
    let (app, clock) = ready(db).await;
    let ctx = Ctx::anonymous(None);
    for _ in 0..7 {
        app.register(&form(&app, "flood@example.org").await, &ctx)
            .await
            .unwrap();
    }
    assert_eq!(sent(&app).await.len(), 5);
    // The account that answers to it is still only one, and its fifth link works.
    assert!(actions(db).await.iter().any(|a| a == "registration.limit"));
    for _ in 0..7 {
        app.register(&form(&app, "fiona.walsh@bank-f.example").await, &ctx)
            .await
            .unwrap();
    }
    assert_eq!(sent(&app).await.len(), 5, "notices count too");
    clock.advance(Duration::hours(25));
    app.sweep(Duration::days(90)).await.unwrap();
    app.register(&form(&app, "flood@example.org").await, &ctx)
        .await
        .unwrap();
    assert_eq!(sent(&app).await.len(), 1, "a day later, one more");
}
