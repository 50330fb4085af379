//! The store contract of changing and deleting CAS services, on SQLite and on PostgreSQL
//! alike: a change names the version it read, and a deleted service takes its tickets along.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_domain::application::Environment;
use tessera_store::CasStore;
use tessera_store::cas::{CasService, CasTicket};
use tessera_store::testing::{TestDatabase, sso_fixture};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

tessera_store::on_both_databases!(
    a_change_needs_the_version_it_read,
    deleting_a_service_takes_its_tickets_along,
);

const T0: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

fn service(application: Uuid) -> CasService {
    CasService {
        id: Uuid::from_bytes([31; 16]),
        application_id: application,
        environment: Environment::PreProduction,
        name: "CASPER test".into(),
        service_url: "https://casper.example/app/".into(),
        match_kind: "prefix".into(),
        proxy_allowed: false,
        single_logout_url: None,
        version: 1,
        created_at: T0,
        updated_at: T0,
    }
}

async fn a_change_needs_the_version_it_read(db: &TestDatabase) {
    let store = &db.store;
    let f = sso_fixture(store, T0).await.unwrap();
    let original = service(f.application);
    let mut tx = store.begin().await.unwrap();
    tx.insert_cas_service(&original).await.unwrap();
    tx.commit().await.unwrap();

    let changed = CasService {
        name: "CASPER acceptance".into(),
        service_url: "https://casper.example/app/login".into(),
        match_kind: "exact".into(),
        proxy_allowed: true,
        single_logout_url: Some("https://casper.example/slo".into()),
        version: 2,
        updated_at: T0 + Duration::minutes(5),
        // What may not change through an update, even if asked.
        environment: Environment::Production,
        application_id: Uuid::nil(),
        created_at: T0 + Duration::minutes(5),
        ..original.clone()
    };
    let mut tx = store.begin().await.unwrap();
    assert!(tx.update_cas_service(&changed, 1).await.unwrap());
    // A second change naming the version read before the first is stale.
    let late = CasService {
        name: "Too late".into(),
        version: 2,
        ..changed.clone()
    };
    assert!(!tx.update_cas_service(&late, 1).await.unwrap());
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let stored = tx.cas_service(original.id).await.unwrap().unwrap();
    assert_eq!(
        stored,
        CasService {
            environment: Environment::PreProduction,
            application_id: f.application,
            created_at: T0,
            ..changed.clone()
        }
    );
    // A service that is not there changes nothing.
    let ghost = CasService {
        id: Uuid::nil(),
        ..changed
    };
    assert!(!tx.update_cas_service(&ghost, 2).await.unwrap());
}

async fn deleting_a_service_takes_its_tickets_along(db: &TestDatabase) {
    let store = &db.store;
    let f = sso_fixture(store, T0).await.unwrap();
    let s = service(f.application);
    let ticket = CasTicket {
        ticket_digest: "digest".into(),
        service_id: s.id,
        service_url: "https://casper.example/app/page".into(),
        user_id: f.user,
        session_id: f.session,
        renewed: false,
        created_at: T0,
        expires_at: T0 + Duration::minutes(1),
        proxied_by: None,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_cas_service(&s).await.unwrap();
    tx.insert_cas_ticket(&ticket).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert!(tx.delete_cas_service(s.id).await.unwrap());
    assert!(!tx.delete_cas_service(s.id).await.unwrap(), "gone already");
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cas_service(s.id).await.unwrap(), None);
    assert!(tx.cas_services_of(f.application).await.unwrap().is_empty());
    // Its ticket went with it: it cannot be redeemed even while it would still be live.
    assert_eq!(
        tx.consume_cas_ticket("digest", T0 + Duration::seconds(5))
            .await
            .unwrap(),
        None
    );
    tx.commit().await.unwrap();
}
