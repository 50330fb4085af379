//! CAS use cases: who registers services and with what, login outcomes (sign in, step up,
//! ticket), and tickets that expire, die with their session and are swept.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, as_person, full_sign_in};
use tessera_app::{
    AppError, ApplicationInput, CasLogin, CasLoginRequest, CasServiceInput, CasValidation, Ctx,
};
use tessera_domain::session::Assurance;
use tessera_protocols::cas::{FailureCode, ServiceResponse};
use tessera_store::testing::TestDatabase;
use tessera_store::{Applications, AuditLog};
use time::Duration;

tessera_store::on_both_databases!(
    only_operators_register_services_with_usable_urls,
    login_signs_in_steps_up_or_issues_a_ticket_that_expires,
);

const SERVICE: &str = "https://casper.example/cas/";

async fn casper_input(db: &TestDatabase) -> CasServiceInput {
    let mut tx = db.store.reads().await.unwrap();
    CasServiceInput {
        application_id: tx.application_by_code("CASPER").await.unwrap().unwrap().id,
        environment: "production".into(),
        name: "CASPER web".into(),
        service_url: SERVICE.into(),
        match_kind: Some("prefix".into()),
        ..CasServiceInput::default()
    }
}

async fn only_operators_register_services_with_usable_urls(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let erika = as_person(db, "erika.mustermann@bank-e.example").await;
    let input = casper_input(db).await;

    assert!(matches!(
        app.register_cas_service(&erika, &input).await,
        Err(AppError::Forbidden)
    ));
    let bad = CasServiceInput {
        environment: "staging".into(),
        service_url: "http://casper.example/cas/".into(),
        match_kind: Some("regex".into()),
        single_logout_url: Some("https://casper.example/#slo".into()),
        ..input.clone()
    };
    let Err(AppError::Invalid(errors)) = app.register_cas_service(&operator, &bad).await else {
        panic!("an insecure service URL was accepted");
    };
    let fields: Vec<_> = errors.errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "environment",
            "match_kind",
            "service_url",
            "single_logout_url"
        ]
    );

    let service = app.register_cas_service(&operator, &input).await.unwrap();
    assert_eq!(
        app.cas_services(&operator, input.application_id)
            .await
            .unwrap(),
        [service]
    );
    assert!(app.cas_service_registered(SERVICE).await.unwrap());
    assert!(
        !app.cas_service_registered("https://evil.example/")
            .await
            .unwrap()
    );
    let mut tx = db.store.read().await.unwrap();
    let events = tx.audit_events_after(0, 10_000).await.unwrap();
    assert!(events.iter().any(|e| e.action == "cas_service.create"));
}

fn ticket_of(login: CasLogin) -> String {
    let CasLogin::Redirect(location) = login else {
        panic!("no ticket: {login:?}");
    };
    location.split_once("ticket=").unwrap().1.to_owned()
}

async fn login_signs_in_steps_up_or_issues_a_ticket_that_expires(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let input = casper_input(db).await;
    app.register_cas_service(&operator, &input).await.unwrap();
    let request = CasLoginRequest {
        service: Some(format!("{SERVICE}home")),
        ..CasLoginRequest::default()
    };
    let anonymous = Ctx::anonymous(None);
    assert_eq!(
        app.cas_login(None, &request, &anonymous).await.unwrap(),
        CasLogin::SignIn
    );
    let unregistered = CasLoginRequest {
        service: Some("https://evil.example/".into()),
        gateway: true,
        ..CasLoginRequest::default()
    };
    assert!(matches!(
        app.cas_login(None, &unregistered, &anonymous)
            .await
            .unwrap(),
        CasLogin::ErrorPage(_)
    ));

    let token = full_sign_in(&app, "erika.mustermann@bank-e.example").await;
    let session = app.current_session(&token).await.unwrap().unwrap();
    let ctx = session.ctx(None);
    // CASPER needing more than the session has: step up first, no ticket.
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
    assert_eq!(
        app.cas_login(Some(&session), &request, &ctx).await.unwrap(),
        CasLogin::StepUp(Assurance::High)
    );
    let medium = ApplicationInput {
        min_assurance: "medium".into(),
        ..high
    };
    app.update_application(&operator, casper.id, &medium, raised.version)
        .await
        .unwrap();
    let renew = CasLoginRequest {
        renew: true,
        ..request.clone()
    };
    assert_eq!(
        app.cas_login(Some(&session), &renew, &ctx).await.unwrap(),
        CasLogin::Reauthenticate
    );

    let service = request.service.as_deref();
    let validate = |ticket: String| {
        let app = &app;
        async move {
            app.cas_validate(CasValidation::P3, Some(&ticket), service, false)
                .await
                .unwrap()
        }
    };
    let ticket = ticket_of(app.cas_login(Some(&session), &request, &ctx).await.unwrap());
    assert!(matches!(
        validate(ticket).await,
        ServiceResponse::Success { .. }
    ));

    // A ticket waits 60 seconds at most.
    let ticket = ticket_of(app.cas_login(Some(&session), &request, &ctx).await.unwrap());
    clock.advance(Duration::seconds(61));
    let ServiceResponse::Failure { code, .. } = validate(ticket).await else {
        panic!("an expired ticket was accepted");
    };
    assert_eq!(code, FailureCode::InvalidTicket);

    // Signing out ends the tickets the session gave and has not had validated.
    let ticket = ticket_of(app.cas_login(Some(&session), &request, &ctx).await.unwrap());
    app.sign_out(&token, &ctx).await.unwrap();
    let ServiceResponse::Failure { code, .. } = validate(ticket).await else {
        panic!("a ticket outlived its session");
    };
    assert_eq!(code, FailureCode::InvalidTicket);

    clock.advance(Duration::days(2));
    let swept = app.sweep(Duration::days(90)).await.unwrap();
    assert_eq!(swept.cas_tickets, 3, "used and unused tickets alike");
}
