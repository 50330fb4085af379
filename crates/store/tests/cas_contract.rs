//! The store contract of CAS services and service tickets, on SQLite and on PostgreSQL alike.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_domain::application::Environment;
use tessera_store::cas::{CasProxyGrantingTicket, CasService, CasTicket};
use tessera_store::testing::{SsoFixture, TestDatabase, sso_fixture};
use tessera_store::{CasStore, Store};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

tessera_store::on_both_databases!(
    services_are_kept_per_application_environment,
    a_ticket_is_consumed_once_and_only_while_live,
    proxy_granting_tickets_and_proxy_tickets_are_kept,
);

const T0: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

async fn fixture(store: &Store) -> SsoFixture {
    sso_fixture(store, T0).await.unwrap()
}

fn service(application: Uuid, n: u8, environment: Environment) -> CasService {
    CasService {
        id: Uuid::from_bytes([20 + n; 16]),
        application_id: application,
        environment,
        name: format!("Service {n}"),
        service_url: format!("https://casper{n}.example/app/"),
        match_kind: if n == 1 { "prefix" } else { "exact" }.into(),
        proxy_allowed: n == 2,
        single_logout_url: (n == 1).then(|| "https://casper1.example/slo".into()),
        version: 1,
        created_at: T0,
        updated_at: T0,
    }
}

async fn services_are_kept_per_application_environment(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let production = service(f.application, 1, Environment::Production);
    let pre = service(f.application, 2, Environment::PreProduction);
    let mut tx = store.begin().await.unwrap();
    tx.insert_cas_service(&production).await.unwrap();
    tx.insert_cas_service(&pre).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.cas_service(production.id).await.unwrap(),
        Some(production.clone())
    );
    assert_eq!(tx.cas_service(pre.id).await.unwrap(), Some(pre.clone()));
    assert_eq!(tx.cas_service(Uuid::nil()).await.unwrap(), None);
    assert_eq!(tx.cas_services().await.unwrap().len(), 2);
    assert_eq!(
        tx.cas_services_of(f.application).await.unwrap(),
        vec![production, pre]
    );
    assert!(tx.cas_services_of(Uuid::nil()).await.unwrap().is_empty());
}

fn ticket(service: Uuid, f: &SsoFixture, digest: &str, expires_at: OffsetDateTime) -> CasTicket {
    CasTicket {
        ticket_digest: digest.into(),
        service_id: service,
        service_url: "https://casper1.example/app/page?x=1".into(),
        user_id: f.user,
        session_id: f.session,
        renewed: digest == "live",
        created_at: T0,
        expires_at,
        proxied_by: None,
    }
}

async fn a_ticket_is_consumed_once_and_only_while_live(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let s = service(f.application, 1, Environment::Production);
    let live = ticket(s.id, &f, "live", T0 + Duration::minutes(1));
    let stale = ticket(s.id, &f, "stale", T0 + Duration::seconds(10));
    let mut tx = store.begin().await.unwrap();
    tx.insert_cas_service(&s).await.unwrap();
    tx.insert_cas_ticket(&live).await.unwrap();
    tx.insert_cas_ticket(&stale).await.unwrap();
    tx.commit().await.unwrap();

    let now = T0 + Duration::seconds(30);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.consume_cas_ticket("live", now).await.unwrap(),
        Some(live)
    );
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.consume_cas_ticket("live", now).await.unwrap(), None);
    assert_eq!(tx.consume_cas_ticket("stale", now).await.unwrap(), None);
    assert_eq!(tx.consume_cas_ticket("unknown", now).await.unwrap(), None);
    assert_eq!(tx.delete_expired_cas_tickets(now).await.unwrap(), 1);
    tx.commit().await.unwrap();
}

async fn proxy_granting_tickets_and_proxy_tickets_are_kept(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let s = service(f.application, 2, Environment::Production);
    let pgt = |digest: &str, expires_at| CasProxyGrantingTicket {
        pgt_digest: digest.into(),
        service_id: s.id,
        pgt_url: "https://casper2.example/app/".into(),
        user_id: f.user,
        session_id: f.session,
        created_at: T0,
        expires_at,
    };
    let live = pgt("pgt-live", T0 + Duration::hours(12));
    let stale = pgt("pgt-stale", T0 + Duration::seconds(10));
    let proxy = CasTicket {
        proxied_by: Some("https://casper2.example/app/".into()),
        ..ticket(s.id, &f, "pt", T0 + Duration::minutes(1))
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_cas_service(&s).await.unwrap();
    tx.insert_cas_proxy_granting_ticket(&live).await.unwrap();
    tx.insert_cas_proxy_granting_ticket(&stale).await.unwrap();
    tx.insert_cas_ticket(&proxy).await.unwrap();
    tx.commit().await.unwrap();

    let now = T0 + Duration::seconds(30);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.cas_proxy_granting_ticket("pgt-live", now).await.unwrap(),
        Some(live)
    );
    assert_eq!(
        tx.cas_proxy_granting_ticket("pgt-stale", now)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        tx.cas_proxy_granting_ticket("unknown", now).await.unwrap(),
        None
    );
    assert_eq!(tx.consume_cas_ticket("pt", now).await.unwrap(), Some(proxy));
    // The stale PGT goes with housekeeping; the live one stays.
    assert_eq!(tx.delete_expired_cas_tickets(now).await.unwrap(), 1);
    assert!(
        tx.cas_proxy_granting_ticket("pgt-live", now)
            .await
            .unwrap()
            .is_some()
    );
    tx.commit().await.unwrap();
}
