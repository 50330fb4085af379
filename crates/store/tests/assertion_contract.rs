//! The store contract of used `private_key_jwt` client assertions, on SQLite and on
//! PostgreSQL alike: a jti is accepted once while it lives, even by two transactions racing,
//! and the sweep forgets it after.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_domain::application::Environment;
use tessera_store::housekeeping::SweepBefore;
use tessera_store::oidc::{ClientAuthMethod, OidcClient};
use tessera_store::testing::{TestDatabase, sso_fixture};
use tessera_store::{ClientAssertions, Housekeeping, OidcStore, Store};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

tessera_store::on_both_databases!(
    a_jti_is_spent_once_per_client_while_it_lives,
    two_transactions_never_both_spend_a_jti,
    expired_assertions_are_swept,
);

const T0: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

async fn client(store: &Store, n: u8) -> Uuid {
    let f = sso_fixture(store, T0).await.unwrap();
    let client = OidcClient {
        id: Uuid::from_bytes([40 + n; 16]),
        client_id: format!("jwt-client-{n}"),
        application_id: f.application,
        environment: Environment::Production,
        name: "Key client".into(),
        secret_digest: None,
        redirect_uris: vec!["https://casper.example/cb".into()],
        post_logout_redirect_uris: vec![],
        grant_types: vec!["authorization_code".into()],
        access_token_seconds: 300,
        id_token_seconds: 300,
        refresh_token_seconds: 28_800,
        backchannel_logout_uri: None,
        min_assurance: None,
        third_party: false,
        auth_method: ClientAuthMethod::PrivateKeyJwt,
        jwks: Some(r#"{"keys":[]}"#.into()),
        id_token_alg: "ES256".into(),
        version: 1,
        created_at: T0,
        updated_at: T0,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_oidc_client(&client).await.unwrap();
    tx.commit().await.unwrap();
    client.id
}

async fn a_jti_is_spent_once_per_client_while_it_lives(db: &TestDatabase) {
    let store = &db.store;
    let first = client(store, 1).await;
    let exp = T0 + Duration::minutes(5);
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.spend_client_assertion(first, "j1", exp, T0)
            .await
            .unwrap()
    );
    assert!(
        !tx.spend_client_assertion(first, "j1", exp, T0)
            .await
            .unwrap()
    );
    assert!(
        tx.spend_client_assertion(first, "j2", exp, T0)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    // Still refused a moment before it expires...
    let before_expiry = exp - Duration::seconds(1);
    assert!(
        !tx.spend_client_assertion(first, "j1", exp, before_expiry)
            .await
            .unwrap()
    );
    // ...and a new assertion reusing an expired jti is a new assertion.
    let later = exp + Duration::minutes(5);
    assert!(
        tx.spend_client_assertion(first, "j1", later, exp)
            .await
            .unwrap()
    );
    assert!(
        !tx.spend_client_assertion(first, "j1", later, exp)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

async fn two_transactions_never_both_spend_a_jti(db: &TestDatabase) {
    let store = &db.store;
    let first = client(store, 2).await;
    let exp = T0 + Duration::minutes(5);
    let spend = |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        let spent = tx
            .spend_client_assertion(first, "race", exp, T0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        spent
    };
    let (a, b) = tokio::join!(
        tokio::spawn(spend(store.clone())),
        tokio::spawn(spend(store.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a ^ b, "exactly one of two racing spends wins ({a}, {b})");
}

async fn expired_assertions_are_swept(db: &TestDatabase) {
    let store = &db.store;
    let first = client(store, 3).await;
    let mut tx = store.begin().await.unwrap();
    let soon = T0 + Duration::minutes(1);
    let late = T0 + Duration::minutes(9);
    assert!(
        tx.spend_client_assertion(first, "a", soon, T0)
            .await
            .unwrap()
    );
    assert!(
        tx.spend_client_assertion(first, "b", late, T0)
            .await
            .unwrap()
    );
    let now = T0 + Duration::minutes(5);
    let swept = tx
        .sweep(
            SweepBefore {
                sessions: T0 - Duration::days(1),
                expired: now,
                failures: T0 - Duration::days(1),
                messages: T0 - Duration::days(1),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(swept.oidc_tokens, 1);
    assert_eq!(tx.delete_expired_client_assertions(late).await.unwrap(), 0);
    assert_eq!(
        tx.delete_expired_client_assertions(late + Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();
}
