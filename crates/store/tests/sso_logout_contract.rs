//! The store contract of single logout participants (the OpenID Connect clients and the CAS
//! tickets of each session), on SQLite and on PostgreSQL alike.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_domain::application::Environment;
use tessera_store::cas::CasService;
use tessera_store::oidc::{ClientAuthMethod, OidcClient};
use tessera_store::sso_logout::{CasParticipant, LapsedSession};
use tessera_store::testing::{SsoFixture, TestDatabase, sso_fixture};
use tessera_store::{CasStore, OidcStore, Sessions, SsoParticipants, Store};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

tessera_store::on_both_databases!(
    clients_are_noted_once_per_session_and_forgotten,
    tickets_stay_sealed_and_name_the_logout_url,
    lapsed_sessions_are_found_only_with_participants,
);

const T0: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

async fn fixture(store: &Store) -> SsoFixture {
    sso_fixture(store, T0).await.unwrap()
}

fn client(application: Uuid, n: u8, backchannel: Option<&str>) -> OidcClient {
    OidcClient {
        id: Uuid::from_bytes([40 + n; 16]),
        client_id: format!("client-{n}"),
        application_id: application,
        environment: Environment::Production,
        name: format!("Client {n}"),
        secret_digest: Some("ab12".into()),
        redirect_uris: vec!["https://casper.example/cb".into()],
        post_logout_redirect_uris: Vec::new(),
        grant_types: vec!["authorization_code".into()],
        access_token_seconds: 300,
        id_token_seconds: 300,
        refresh_token_seconds: 28_800,
        backchannel_logout_uri: backchannel.map(str::to_owned),
        min_assurance: None,
        third_party: false,
        auth_method: ClientAuthMethod::ClientSecretBasic,
        jwks: None,
        id_token_alg: "ES256".into(),
        version: 1,
        created_at: T0,
        updated_at: T0,
    }
}

fn service(application: Uuid, n: u8, slo: Option<&str>) -> CasService {
    CasService {
        id: Uuid::from_bytes([60 + n; 16]),
        application_id: application,
        environment: Environment::Production,
        name: format!("Service {n}"),
        service_url: format!("https://cas{n}.example/app/"),
        match_kind: "prefix".into(),
        proxy_allowed: false,
        single_logout_url: slo.map(str::to_owned),
        version: 1,
        created_at: T0,
        updated_at: T0,
    }
}

fn ticket(f: &SsoFixture, service: Uuid, n: u8, at: OffsetDateTime) -> CasParticipant {
    CasParticipant {
        id: Uuid::from_bytes([80 + n; 16]),
        session_id: f.session,
        service_id: service,
        service_url: format!("https://cas.example/app/page?n={n}"),
        ticket_sealed: vec![n, 0, 255, n],
        issued_at: at,
        single_logout_url: None,
    }
}

async fn clients_are_noted_once_per_session_and_forgotten(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let with_uri = client(f.application, 1, Some("https://rp1.example/bc"));
    let without = client(f.application, 2, None);
    let mut tx = store.begin().await.unwrap();
    tx.insert_oidc_client(&with_uri).await.unwrap();
    tx.insert_oidc_client(&without).await.unwrap();
    tx.note_oidc_participant(f.session, with_uri.id, T0)
        .await
        .unwrap();
    tx.note_oidc_participant(f.session, without.id, T0 + Duration::seconds(5))
        .await
        .unwrap();
    // Again later: still one row, its first use kept.
    tx.note_oidc_participant(f.session, with_uri.id, T0 + Duration::minutes(3))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let noted = tx.oidc_participants(f.session).await.unwrap();
    assert_eq!(noted.len(), 2);
    assert_eq!(noted[0].client, with_uri.id);
    assert_eq!(noted[0].client_id, "client-1");
    assert_eq!(
        noted[0].backchannel_logout_uri.as_deref(),
        Some("https://rp1.example/bc")
    );
    assert_eq!(noted[0].first_used_at, T0);
    assert_eq!(noted[0].session_id, f.session);
    assert_eq!(noted[1].client_id, "client-2");
    assert_eq!(noted[1].backchannel_logout_uri, None);
    assert!(tx.oidc_participants(Uuid::nil()).await.unwrap().is_empty());

    assert_eq!(tx.forget_participants(f.session).await.unwrap(), 2);
    assert!(tx.oidc_participants(f.session).await.unwrap().is_empty());
    tx.commit().await.unwrap();

    // A deleted client leaves no participant behind.
    let mut tx = store.begin().await.unwrap();
    tx.note_oidc_participant(f.session, without.id, T0)
        .await
        .unwrap();
    assert!(tx.delete_oidc_client(without.id).await.unwrap());
    assert!(tx.oidc_participants(f.session).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

async fn tickets_stay_sealed_and_name_the_logout_url(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let with_slo = service(f.application, 1, Some("https://cas1.example/slo"));
    let plain = service(f.application, 2, None);
    let first = ticket(&f, with_slo.id, 1, T0);
    let second = ticket(&f, plain.id, 2, T0 + Duration::seconds(1));
    let mut tx = store.begin().await.unwrap();
    tx.insert_cas_service(&with_slo).await.unwrap();
    tx.insert_cas_service(&plain).await.unwrap();
    tx.note_cas_participant(&second).await.unwrap();
    tx.note_cas_participant(&first).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let noted = tx.cas_participants(f.session).await.unwrap();
    let expected_first = CasParticipant {
        single_logout_url: Some("https://cas1.example/slo".into()),
        ..first
    };
    assert_eq!(noted, vec![expected_first, second]);
    assert_eq!(tx.forget_participants(f.session).await.unwrap(), 2);
    assert!(tx.cas_participants(f.session).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

async fn lapsed_sessions_are_found_only_with_participants(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let s = service(f.application, 1, None);
    let mut tx = store.begin().await.unwrap();
    tx.insert_cas_service(&s).await.unwrap();
    tx.commit().await.unwrap();

    let idle_limit = T0 + Duration::minutes(1);
    let long_ago = T0 - Duration::days(1);
    let lapsed = |tx_now: OffsetDateTime| (idle_limit, long_ago, tx_now);

    // Idle, but nobody took part: nothing to tell.
    let mut tx = store.begin().await.unwrap();
    let (idle, begun, now) = lapsed(T0 + Duration::hours(1));
    assert!(
        tx.lapsed_sessions_with_participants(idle, begun, now, 10)
            .await
            .unwrap()
            .is_empty()
    );
    tx.note_cas_participant(&ticket(&f, s.id, 1, T0))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.lapsed_sessions_with_participants(idle, begun, now, 10)
            .await
            .unwrap(),
        vec![LapsedSession {
            id: f.session,
            user_id: f.user,
        }]
    );
    // Used recently and young enough: not lapsed.
    assert!(
        tx.lapsed_sessions_with_participants(long_ago, long_ago, now, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Begun too long ago counts too.
    assert_eq!(
        tx.lapsed_sessions_with_participants(long_ago, T0 + Duration::seconds(1), now, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    // Once ended, it is no longer lapsed but over.
    assert!(tx.end_session(f.session, now).await.unwrap());
    assert!(
        tx.lapsed_sessions_with_participants(idle, begun, now, 10)
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();
}
