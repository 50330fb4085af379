//! CAS proxying use cases: which validations offer a proxy-granting ticket, keeping one,
//! proxy tickets that name the proxy, work once at proxyValidate only and die with the
//! session.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, as_person, full_sign_in};
use tessera_app::{CasLogin, CasLoginRequest, CasServiceInput, CasValidation, Ctx};
use tessera_protocols::cas::{FailureCode, ProxyResponse, ServiceResponse};
use tessera_store::Applications;
use tessera_store::testing::TestDatabase;
use time::Duration;

tessera_store::on_both_databases!(a_pgt_gives_proxy_tickets_for_registered_services,);

const FRONT: &str = "https://front.example/";
const BACKEND: &str = "https://backend.example/api";

fn ticket_of(login: CasLogin) -> String {
    let CasLogin::Redirect(location) = login else {
        panic!("no ticket: {login:?}");
    };
    location.rsplit_once("ticket=").unwrap().1.to_owned()
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

    // Only a usable callback of the proxying service's own registration.
    let refused = [
        ("http://front.example/cb", "https://front.example/app"),
        ("https://backend.example/api", "https://front.example/app"),
        ("https://front.example/cb", "https://backend.example/api"),
    ];
    for (pgt_url, service) in refused {
        let validated = offer(pgt_url, service).await;
        assert!(matches!(
            validated.response,
            ServiceResponse::Success { .. }
        ));
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
