//! CAS proxying use cases: which validations offer a proxy-granting ticket, keeping one,
//! proxy tickets that name the proxy, work once at proxyValidate only and die with the
//! session; a `pgtUrl` that gets no proxy-granting ticket fails the validation with
//! `INVALID_PROXY_CALLBACK`, the ticket used all the same.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, as_person, full_sign_in};
use tessera_app::{CasLogin, CasLoginRequest, CasServiceInput, CasValidation, Ctx};
use tessera_protocols::cas::{FailureCode, ProxyCallbackRefusal, ProxyResponse, ServiceResponse};
use tessera_store::Applications;
use tessera_store::testing::TestDatabase;
use time::Duration;

tessera_store::on_both_databases!(
    a_pgt_gives_proxy_tickets_for_registered_services,
    an_unacceptable_pgt_url_fails_the_validation,
);

const FRONT: &str = "https://front.example/";
const BACKEND: &str = "https://backend.example/api";

fn ticket_of(login: CasLogin) -> String {
    let CasLogin::Redirect(location) = login else {
        panic!("no ticket: {login:?}");
    };
    location.rsplit_once("ticket=").unwrap().1.to_owned()
}

/// The failure's code and description, or a panic naming the answer.
fn failure(response: &ServiceResponse) -> (FailureCode, &str) {
    match response {
        ServiceResponse::Failure { code, description } => (*code, description.as_str()),
        success => panic!("not a failure: {success:?}"),
    }
}

/// `INVALID_PROXY_CALLBACK` saying `why`.
fn assert_refused(response: &ServiceResponse, why: &str) {
    let (code, description) = failure(response);
    assert_eq!(code, FailureCode::InvalidProxyCallback, "{description}");
    assert!(
        description.contains("no proxy-granting ticket") && description.contains(why),
        "{description}"
    );
}

async fn an_unacceptable_pgt_url_fails_the_validation(db: &TestDatabase) {
    let (app, _clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let casper = {
        let mut tx = db.store.reads().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap().id
    };
    let input = |url: &str, kind: &str, proxy_allowed: bool| CasServiceInput {
        application_id: casper,
        environment: "production".into(),
        name: url.into(),
        service_url: url.into(),
        match_kind: Some(kind.into()),
        proxy_allowed,
        ..CasServiceInput::default()
    };
    app.register_cas_service(&operator, &input(FRONT, "prefix", true))
        .await
        .unwrap();
    app.register_cas_service(&operator, &input(BACKEND, "exact", true))
        .await
        .unwrap();
    let token = full_sign_in(&app, "erika.mustermann@bank-e.example").await;
    let session = app.current_session(&token).await.unwrap().unwrap();
    let ctx = session.ctx(None);
    let ticket_for = |service: &'static str| {
        let (app, session, ctx) = (&app, &session, &ctx);
        async move {
            let request = CasLoginRequest {
                service: Some(service.into()),
                ..CasLoginRequest::default()
            };
            ticket_of(app.cas_login(Some(session), &request, ctx).await.unwrap())
        }
    };
    let front = "https://front.example/app";

    // Each refusal on each validation endpoint, in the order the checks are made.
    let refused = [
        ("http://front.example/cb", front, "not an https address"),
        ("not a url", front, "not an https address"),
        ("https://front.example/cb#x", front, "not an https address"),
        (
            "https://backend.example/api",
            front,
            "must belong to the validating service's own registration",
        ),
        (
            "https://elsewhere.example/cb",
            front,
            "must belong to the validating service's own registration",
        ),
    ];
    for which in [
        CasValidation::Service,
        CasValidation::P3,
        CasValidation::Proxy,
    ] {
        for (pgt_url, service, why) in refused {
            let ticket = ticket_for(service).await;
            let validated = app
                .cas_validate_for_proxy(which, Some(&ticket), Some(service), false, Some(pgt_url))
                .await
                .unwrap();
            assert!(validated.pending.is_none(), "{pgt_url} for {service}");
            assert_refused(&validated.response, why);
            // The ticket is used all the same.
            let again = app
                .cas_validate(which, Some(&ticket), Some(service), false)
                .await
                .unwrap();
            assert_eq!(failure(&again).0, FailureCode::InvalidTicket, "{which:?}");
        }
    }

    // A service registered without proxying.
    let plain = "https://plain.example/app";
    app.register_cas_service(&operator, &input(plain, "exact", false))
        .await
        .unwrap();
    let ticket = ticket_for(plain).await;
    let validated = app
        .cas_validate_for_proxy(
            CasValidation::P3,
            Some(&ticket),
            Some(plain),
            false,
            Some(plain),
        )
        .await
        .unwrap();
    assert_refused(
        &validated.response,
        "the service is not registered for proxying",
    );

    // An empty pgtUrl asks for nothing.
    let ticket = ticket_for(front).await;
    let validated = app
        .cas_validate_for_proxy(
            CasValidation::Service,
            Some(&ticket),
            Some(front),
            false,
            Some(""),
        )
        .await
        .unwrap();
    assert!(matches!(
        validated.response,
        ServiceResponse::Success {
            proxy_granting_ticket: None,
            ..
        }
    ));
    assert!(validated.pending.is_none());

    // A callback that did not answer 200: refused, saying so, and nothing kept.
    let ticket = ticket_for(front).await;
    let validated = app
        .cas_validate_for_proxy(
            CasValidation::Service,
            Some(&ticket),
            Some(front),
            false,
            Some("https://front.example/cb"),
        )
        .await
        .unwrap();
    let pending = validated.pending.unwrap();
    let pgt = pending.callback.rsplit_once("pgtId=").unwrap().1.to_owned();
    for (why, words) in [
        (ProxyCallbackRefusal::Status(500), "it answered 500"),
        (
            ProxyCallbackRefusal::Status(302),
            "redirects are not followed",
        ),
        (ProxyCallbackRefusal::Unreachable, "could not be reached"),
        (ProxyCallbackRefusal::TimedOut, "no answer in time"),
    ] {
        let answer = pending.refused(why);
        assert_refused(&answer, "the proxy callback did not answer 200");
        assert_refused(&answer, words);
    }
    let anonymous = Ctx::anonymous(None);
    let ProxyResponse::Failure { code, .. } = app
        .cas_proxy(Some(&pgt), Some(BACKEND), &anonymous)
        .await
        .unwrap()
    else {
        panic!("a refused callback's PGT worked");
    };
    assert_eq!(code, FailureCode::InvalidTicket);

    // Proxy chains are not supported: a proxy ticket with a pgtUrl is refused, even for a
    // backend allowed to proxy with a callback of its own registration; used all the same.
    app.cas_grant_pgt(&pending, &anonymous).await.unwrap();
    let ProxyResponse::Success { proxy_ticket } = app
        .cas_proxy(Some(&pgt), Some(BACKEND), &anonymous)
        .await
        .unwrap()
    else {
        panic!("no proxy ticket");
    };
    let validated = app
        .cas_validate_for_proxy(
            CasValidation::Proxy,
            Some(&proxy_ticket),
            Some(BACKEND),
            false,
            Some(BACKEND),
        )
        .await
        .unwrap();
    assert!(validated.pending.is_none());
    assert_refused(&validated.response, "proxy chains are not supported");
    let again = app
        .cas_validate(
            CasValidation::Proxy,
            Some(&proxy_ticket),
            Some(BACKEND),
            false,
        )
        .await
        .unwrap();
    assert_eq!(failure(&again).0, FailureCode::InvalidTicket);
}

async fn a_pgt_gives_proxy_tickets_for_registered_services(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let casper = {
        let mut tx = db.store.reads().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap().id
    };
    let input = |url: &str, kind: &str, proxy_allowed: bool| CasServiceInput {
        application_id: casper,
        environment: "production".into(),
        name: url.into(),
        service_url: url.into(),
        match_kind: Some(kind.into()),
        proxy_allowed,
        ..CasServiceInput::default()
    };
    app.register_cas_service(&operator, &input(FRONT, "prefix", true))
        .await
        .unwrap();
    app.register_cas_service(&operator, &input(BACKEND, "exact", false))
        .await
        .unwrap();

    let token = full_sign_in(&app, "erika.mustermann@bank-e.example").await;
    let session = app.current_session(&token).await.unwrap().unwrap();
    let ctx = session.ctx(None);
    let login = |service: &str| CasLoginRequest {
        service: Some(service.into()),
        ..CasLoginRequest::default()
    };
    let offer = |pgt_url: &'static str, service: &'static str| {
        let (app, session, ctx, login) = (&app, &session, &ctx, &login);
        async move {
            let ticket = ticket_of(
                app.cas_login(Some(session), &login(service), ctx)
                    .await
                    .unwrap(),
            );
            app.cas_validate_for_proxy(
                CasValidation::Service,
                Some(&ticket),
                Some(service),
                false,
                Some(pgt_url),
            )
            .await
            .unwrap()
        }
    };

    // Only a usable callback of the proxying service's own registration; anything else
    // fails the validation.
    let refused = [
        ("http://front.example/cb", "https://front.example/app"),
        ("https://backend.example/api", "https://front.example/app"),
        ("https://front.example/cb", "https://backend.example/api"),
    ];
    for (pgt_url, service) in refused {
        let validated = offer(pgt_url, service).await;
        assert!(
            matches!(
                validated.response,
                ServiceResponse::Failure {
                    code: FailureCode::InvalidProxyCallback,
                    ..
                }
            ),
            "{pgt_url} for {service}: {:?}",
            validated.response
        );
        assert!(validated.pending.is_none(), "{pgt_url} for {service}");
    }
    let validated = offer("https://front.example/cb", "https://front.example/app").await;
    let pending = validated.pending.unwrap();
    assert!(pending.iou.starts_with("PGTIOU-"));
    let (base, query) = pending.callback.split_once('?').unwrap();
    assert_eq!(base, "https://front.example/cb");
    let (iou, pgt) = query.split_once('&').unwrap();
    assert_eq!(iou, format!("pgtIou={}", pending.iou));
    let pgt = pgt.strip_prefix("pgtId=").unwrap().to_owned();
    assert!(pgt.starts_with("PGT-"));
    let ServiceResponse::Success {
        proxy_granting_ticket,
        ..
    } = pending.granted(validated.response)
    else {
        panic!("not a success");
    };
    assert_eq!(proxy_granting_ticket, Some(pending.iou.clone()));

    // Not kept until the callback succeeded.
    let anonymous = Ctx::anonymous(None);
    let proxy = |target: &'static str| {
        let (app, anonymous, pgt) = (&app, &anonymous, pgt.clone());
        async move {
            app.cas_proxy(Some(&pgt), Some(target), anonymous)
                .await
                .unwrap()
        }
    };
    let ProxyResponse::Failure { code, .. } = proxy(BACKEND).await else {
        panic!("a PGT worked before it was kept");
    };
    assert_eq!(code, FailureCode::InvalidTicket);
    app.cas_grant_pgt(&pending, &anonymous).await.unwrap();

    let ProxyResponse::Failure { code, .. } = proxy("https://elsewhere.example/").await else {
        panic!("an unregistered target got a proxy ticket");
    };
    assert_eq!(code, FailureCode::UnauthorizedService);
    let ProxyResponse::Success { proxy_ticket } = proxy(BACKEND).await else {
        panic!("no proxy ticket");
    };
    assert!(proxy_ticket.starts_with("PT-"));
    for which in [CasValidation::Service, CasValidation::P3] {
        let refused = app
            .cas_validate(which, Some(&proxy_ticket), Some(BACKEND), false)
            .await
            .unwrap();
        assert!(matches!(
            refused,
            ServiceResponse::Failure {
                code: FailureCode::InvalidTicket,
                ..
            }
        ));
    }
    let answer = app
        .cas_validate(
            CasValidation::Proxy,
            Some(&proxy_ticket),
            Some(BACKEND),
            false,
        )
        .await
        .unwrap();
    let ServiceResponse::Success { proxies, .. } = answer else {
        panic!("the proxy ticket was refused: {answer:?}");
    };
    assert_eq!(proxies, ["https://front.example/cb"]);

    // 60 seconds at most.
    let ProxyResponse::Success { proxy_ticket } = proxy(BACKEND).await else {
        panic!("no proxy ticket");
    };
    clock.advance(Duration::seconds(61));
    let late = app
        .cas_validate(
            CasValidation::Proxy,
            Some(&proxy_ticket),
            Some(BACKEND),
            false,
        )
        .await
        .unwrap();
    assert!(matches!(late, ServiceResponse::Failure { .. }));

    // The PGT ends with the session.
    app.sign_out(&token, &ctx).await.unwrap();
    let ProxyResponse::Failure { code, .. } = proxy(BACKEND).await else {
        panic!("a PGT outlived its session");
    };
    assert_eq!(code, FailureCode::InvalidTicket);
}
