//! The store contract of OpenID Connect clients and authorization codes, and of the groups
//! released per application environment, on SQLite and on PostgreSQL alike.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_domain::UserId;
use tessera_domain::application::{Environment, Group, Membership};
use tessera_domain::audit::{Actor, GENESIS_HASH, NewAuditEvent, verify_chain};
use tessera_domain::session::Assurance;
use tessera_domain::user::{NewUser, UserStatus};
use tessera_store::oidc::{ClientAuthMethod, ConsentRecord, OidcClient, OidcCode};
use tessera_store::oidc_refresh::RefreshToken;
use tessera_store::oidc_rotate::Rotation;
use tessera_store::testing::{SsoFixture, TestDatabase, sso_fixture};
use tessera_store::{
    Applications, AuditLog, Memberships, OidcRefreshStore, OidcStore, Store, StoreError, Users,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

tessera_store::on_both_databases!(
    clients_are_found_by_client_id_and_unique,
    a_code_is_consumed_once_and_only_while_live,
    groups_are_released_per_environment,
    a_client_is_updated_only_at_its_version_and_deleted,
    consent_is_kept_per_person_and_client,
    consents_are_listed_per_person_newest_first_and_withdrawn,
    a_batch_of_rotations_judges_each_on_its_own_and_keeps_the_chain,
    a_held_writer_keeps_its_connection_and_a_failed_batch_leaves_nothing,
);

const T0: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

async fn fixture(store: &Store) -> SsoFixture {
    sso_fixture(store, T0).await.unwrap()
}

fn client(application: Uuid, n: u8, secret: Option<&str>) -> OidcClient {
    OidcClient {
        id: Uuid::from_bytes([20 + n; 16]),
        client_id: format!("client-{n}"),
        application_id: application,
        environment: Environment::Production,
        name: format!("Client {n}"),
        secret_digest: secret.map(str::to_owned),
        redirect_uris: vec![
            "https://casper.example/cb".into(),
            "http://127.0.0.1:8080/cb".into(),
        ],
        post_logout_redirect_uris: vec!["https://casper.example/".into()],
        grant_types: vec!["authorization_code".into()],
        access_token_seconds: 300,
        id_token_seconds: 300,
        refresh_token_seconds: 28_800,
        backchannel_logout_uri: None,
        min_assurance: None,
        third_party: false,
        auth_method: if secret.is_some() {
            ClientAuthMethod::ClientSecretBasic
        } else {
            ClientAuthMethod::None
        },
        jwks: None,
        id_token_alg: "ES256".into(),
        version: 1,
        created_at: T0,
        updated_at: T0,
    }
}

async fn clients_are_found_by_client_id_and_unique(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let confidential = client(f.application, 1, Some("ab12"));
    let public = client(f.application, 2, None);
    let mut tx = store.begin().await.unwrap();
    tx.insert_oidc_client(&confidential).await.unwrap();
    tx.insert_oidc_client(&public).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.oidc_client("client-1").await.unwrap(),
        Some(confidential.clone())
    );
    assert_eq!(tx.oidc_client("client-2").await.unwrap(), Some(public));
    assert_eq!(tx.oidc_client("client-3").await.unwrap(), None);
    assert_eq!(tx.oidc_clients_of(f.application).await.unwrap().len(), 2);
    let mut taken = client(f.application, 3, None);
    taken.client_id = "client-1".into();
    assert!(matches!(
        tx.insert_oidc_client(&taken).await,
        Err(StoreError::Conflict)
    ));
}

async fn a_client_is_updated_only_at_its_version_and_deleted(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let original = client(f.application, 1, Some("ab12"));
    let mut tx = store.begin().await.unwrap();
    tx.insert_oidc_client(&original).await.unwrap();
    let mut changed = original.clone();
    changed.name = "Renamed".into();
    changed.backchannel_logout_uri = Some("https://casper.example/bcl".into());
    changed.min_assurance = Some(Assurance::High);
    changed.third_party = true;
    changed.auth_method = ClientAuthMethod::PrivateKeyJwt;
    changed.secret_digest = None;
    changed.jwks = Some(r#"{"keys":[]}"#.into());
    changed.id_token_alg = "EdDSA".into();
    changed.version = 2;
    changed.updated_at = T0 + Duration::minutes(5);
    assert!(tx.update_oidc_client(&changed, 1).await.unwrap());
    // A second writer still holding version 1 loses.
    assert!(!tx.update_oidc_client(&original, 1).await.unwrap());
    assert_eq!(
        tx.oidc_client_by_id(original.id).await.unwrap(),
        Some(changed.clone())
    );
    assert_eq!(tx.oidc_client("client-1").await.unwrap(), Some(changed));
    assert!(tx.delete_oidc_client(original.id).await.unwrap());
    assert!(!tx.delete_oidc_client(original.id).await.unwrap());
    assert_eq!(tx.oidc_client_by_id(original.id).await.unwrap(), None);
}

async fn consent_is_kept_per_person_and_client(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let one = client(f.application, 1, Some("ab12"));
    let two = client(f.application, 2, None);
    let mut tx = store.begin().await.unwrap();
    tx.insert_oidc_client(&one).await.unwrap();
    tx.insert_oidc_client(&two).await.unwrap();
    assert_eq!(tx.oidc_consent(f.user, one.id).await.unwrap(), None);
    tx.save_oidc_consent(f.user, one.id, "openid", T0)
        .await
        .unwrap();
    tx.save_oidc_consent(f.user, one.id, "openid email", T0)
        .await
        .unwrap();
    assert_eq!(
        tx.oidc_consent(f.user, one.id).await.unwrap().as_deref(),
        Some("openid email")
    );
    assert_eq!(tx.oidc_consent(f.user, two.id).await.unwrap(), None);
    // Deleting the client forgets what was allowed to it.
    tx.delete_oidc_client(one.id).await.unwrap();
    assert_eq!(tx.oidc_consent(f.user, one.id).await.unwrap(), None);
}

async fn consents_are_listed_per_person_newest_first_and_withdrawn(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let mut tx = store.begin().await.unwrap();
    let erika = tx.user(f.user).await.unwrap().unwrap();
    let other = NewUser::parse("Max", "Muster", "max@bank.example", "en", &["en"])
        .unwrap()
        .into_user(
            UserId::new(T0, [5; 10]),
            erika.level_id,
            UserStatus::Active,
            None,
            T0,
        );
    tx.insert_user(&other).await.unwrap();
    let one = client(f.application, 1, Some("ab12"));
    let mut two = client(f.application, 2, None);
    two.environment = Environment::PreProduction;
    tx.insert_oidc_client(&one).await.unwrap();
    tx.insert_oidc_client(&two).await.unwrap();
    assert_eq!(tx.oidc_consents_of(f.user).await.unwrap(), []);
    tx.save_oidc_consent(f.user, one.id, "openid email", T0)
        .await
        .unwrap();
    tx.save_oidc_consent(f.user, two.id, "openid", T0 + Duration::hours(1))
        .await
        .unwrap();
    tx.save_oidc_consent(other.id, one.id, "openid phone", T0)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let listed = tx.oidc_consents_of(f.user).await.unwrap();
    assert_eq!(
        listed,
        [
            ConsentRecord {
                client: two.id,
                client_id: "client-2".into(),
                client_name: "Client 2".into(),
                application_name: "CASPER".into(),
                environment: Environment::PreProduction,
                scope: "openid".into(),
                granted_at: T0 + Duration::hours(1),
            },
            ConsentRecord {
                client: one.id,
                client_id: "client-1".into(),
                client_name: "Client 1".into(),
                application_name: "CASPER".into(),
                environment: Environment::Production,
                scope: "openid email".into(),
                granted_at: T0,
            },
        ]
    );
    // Each person sees only their own.
    let theirs = tx.oidc_consents_of(other.id).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].scope, "openid phone");

    // Withdrawing forgets one person's consent to one client, once.
    assert!(tx.delete_oidc_consent(f.user, one.id).await.unwrap());
    assert!(!tx.delete_oidc_consent(f.user, one.id).await.unwrap());
    assert!(!tx.delete_oidc_consent(f.user, Uuid::nil()).await.unwrap());
    assert_eq!(tx.oidc_consent(f.user, one.id).await.unwrap(), None);
    assert_eq!(
        tx.oidc_consent(other.id, one.id).await.unwrap().as_deref(),
        Some("openid phone")
    );
    let left = tx.oidc_consents_of(f.user).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].client, two.id);
    tx.commit().await.unwrap();
}

fn code(client: Uuid, f: &SsoFixture, digest: &str, expires_at: OffsetDateTime) -> OidcCode {
    OidcCode {
        code_digest: digest.into(),
        client,
        user_id: f.user,
        session_id: f.session,
        redirect_uri: "https://casper.example/cb".into(),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        code_challenge_method: Some("S256".into()),
        nonce: Some("n-0S6_WzA2Mj".into()),
        scope: "openid profile".into(),
        acr: "medium".into(),
        amr: vec!["pwd".into(), "sms".into()],
        auth_time: T0,
        created_at: T0,
        expires_at,
    }
}

async fn a_code_is_consumed_once_and_only_while_live(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let c = client(f.application, 1, None);
    let live = code(c.id, &f, "live", T0 + Duration::minutes(1));
    let stale = code(c.id, &f, "stale", T0 + Duration::seconds(10));
    let mut tx = store.begin().await.unwrap();
    tx.insert_oidc_client(&c).await.unwrap();
    tx.insert_oidc_code(&live).await.unwrap();
    tx.insert_oidc_code(&stale).await.unwrap();
    tx.commit().await.unwrap();

    let now = T0 + Duration::seconds(30);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.consume_oidc_code("live", now).await.unwrap(), Some(live));
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.consume_oidc_code("live", now).await.unwrap(), None);
    assert_eq!(tx.consume_oidc_code("stale", now).await.unwrap(), None);
    assert_eq!(tx.consume_oidc_code("unknown", now).await.unwrap(), None);
    assert_eq!(tx.delete_expired_oidc_codes(now).await.unwrap(), 1);
    tx.commit().await.unwrap();
}

async fn groups_are_released_per_environment(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let group = |n: u8, environment, name: &str| Group {
        id: Uuid::from_bytes([40 + n; 16]),
        application_id: f.application,
        environment,
        role: "WEB_DATA_SUBMITTER".into(),
        technical_name: name.into(),
        description: String::new(),
        version: 1,
    };
    let production = group(1, Environment::Production, "CASPER_WEB_DATA_SUBMITTER");
    let pre = group(2, Environment::PreProduction, "A-CASPER_WEB_DATA_SUBMITTER");
    let mut tx = store.begin().await.unwrap();
    for g in [&production, &pre] {
        assert!(tx.insert_group(g).await.unwrap());
        tx.put_membership(&Membership {
            user_id: f.user.0,
            group_id: g.id,
            granted_by: None,
            granted_at: T0,
            expires_at: None,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for (environment, expected) in [
        (Environment::Production, "CASPER_WEB_DATA_SUBMITTER"),
        (Environment::PreProduction, "A-CASPER_WEB_DATA_SUBMITTER"),
    ] {
        let held = tx
            .groups_held_in(f.user, f.application, environment, T0)
            .await
            .unwrap();
        let names: Vec<_> = held.iter().map(|g| g.technical_name.as_str()).collect();
        assert_eq!(names, [expected]);
    }
}

fn refresh_token(f: &SsoFixture, client: Uuid, digest: &str) -> RefreshToken {
    RefreshToken {
        token_digest: digest.to_owned(),
        family: Uuid::from_bytes([digest.as_bytes()[0]; 16]),
        client,
        user_id: f.user,
        session_id: f.session,
        scope: "openid".into(),
        acr: "medium".into(),
        amr: vec!["pwd".into(), "sms".into()],
        auth_time: T0,
        created_at: T0,
        expires_at: T0 + Duration::hours(8),
        used: false,
        revoked: false,
    }
}

fn rotation(f: &SsoFixture, client: Uuid, next: &str) -> Rotation {
    Rotation {
        next: refresh_token(f, client, next),
        event: NewAuditEvent::new(
            T0,
            Actor::User(f.user),
            "oidc.refresh_token.rotate",
            "oidc_client",
        )
        .target(next),
    }
}

/// Of one batch, the unused tokens are claimed and given back whole; a used or revoked
/// token, an unknown one, or the second of the same token are not, without harm to the
/// others. Only the successors written are stored and their events appended, in order, on
/// the same chain; a claim put back is as it was.
async fn a_batch_of_rotations_judges_each_on_its_own_and_keeps_the_chain(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let c = client(f.application, 1, Some("ab12"));
    let mut tx = store.begin().await.unwrap();
    tx.insert_oidc_client(&c).await.unwrap();
    let mut used = refresh_token(&f, c.id, "u-used");
    used.used = true;
    let mut revoked = refresh_token(&f, c.id, "r-revoked");
    revoked.revoked = true;
    for token in [
        refresh_token(&f, c.id, "a-one"),
        refresh_token(&f, c.id, "b-two"),
        refresh_token(&f, c.id, "c-three"),
        used,
        revoked,
    ] {
        tx.insert_refresh_token(&token).await.unwrap();
    }
    let before = tx
        .append_audit(NewAuditEvent::new(T0, Actor::System, "before", "test"))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The batch runs on a held write connection, begun by its claim, as the app writes it.
    let writer = store.writer().await.unwrap();
    let presented: Vec<String> = [
        "a-one",
        "u-used",
        "b-two",
        "a-one",
        "r-revoked",
        "x-unknown",
        "c-three",
    ]
    .map(str::to_owned)
    .into();
    let (tx, mut claimed) = writer
        .begin_claiming_refresh_tokens(&presented)
        .await
        .unwrap();
    let got: Vec<Option<String>> = claimed
        .tokens
        .iter()
        .map(|t| t.as_ref().map(|t| t.token_digest.clone()))
        .collect();
    assert_eq!(
        got,
        [
            Some("a-one".into()),
            None,
            Some("b-two".into()),
            None,
            None,
            None,
            Some("c-three".into())
        ]
    );
    let mut expected = refresh_token(&f, c.id, "a-one");
    expected.used = true;
    assert_eq!(claimed.tokens[0].take(), Some(expected));
    // b-two and c-three go on; a-one is refused and put back. The connection is kept.
    let kept = tx
        .finish_rotations_and_commit(
            claimed,
            vec![
                rotation(&f, c.id, "b-two-next"),
                rotation(&f, c.id, "c-three-next"),
            ],
            &["a-one".to_owned()],
        )
        .await
        .unwrap();
    let writer = kept.expect("a writer's transaction keeps its connection");
    // Committed: the kept connection is between transactions, and the pool's others see it.
    drop(writer);

    let mut tx = store.begin().await.unwrap();
    for (digest, stored, is_used) in [
        ("a-one", true, false),
        ("b-two", true, true),
        ("c-three", true, true),
        ("b-two-next", true, false),
        ("c-three-next", true, false),
        ("u-used", true, true),
        ("a-one-next", false, false),
        ("x-unknown", false, false),
    ] {
        let token = tx.refresh_token(digest).await.unwrap();
        assert_eq!(token.is_some(), stored, "{digest}");
        if let Some(token) = token {
            assert_eq!(token.used, is_used, "{digest}");
            if digest.ends_with("-next") {
                assert_eq!(token, refresh_token(&f, c.id, digest));
            }
        }
    }
    let events = tx.audit_events_after(0, 100).await.unwrap();
    let (last_hash, last_seq) = verify_chain((GENESIS_HASH, 0), &events).unwrap();
    let after: Vec<_> = events
        .iter()
        .filter(|e| e.seq > before.seq)
        .map(|e| e.target_id.clone().unwrap_or_default())
        .collect();
    assert_eq!(after, ["b-two-next", "c-three-next"]);
    assert_eq!(
        tx.audit_head().await.unwrap(),
        (last_seq, last_hash.clone())
    );
    assert_eq!(last_seq, before.seq + 2);

    // A batch in which nothing is claimed writes nothing and leaves the head alone.
    let claimed = tx
        .claim_refresh_tokens(&["b-two".to_owned()])
        .await
        .unwrap();
    assert_eq!(claimed.tokens, [None]);
    tx.finish_rotations(claimed, Vec::new(), &[]).await.unwrap();
    assert_eq!(tx.audit_head().await.unwrap(), (last_seq, last_hash));
}

/// A held write connection runs transactions one after another; one dropped without its
/// commit is rolled back, and so is a batch that fails half-way (its claims are not left
/// marked used), after which writes go on as before.
async fn a_held_writer_keeps_its_connection_and_a_failed_batch_leaves_nothing(db: &TestDatabase) {
    let store = &db.store;
    let f = fixture(store).await;
    let c = client(f.application, 1, Some("ab12"));
    let mut tx = store.begin().await.unwrap();
    tx.insert_oidc_client(&c).await.unwrap();
    for digest in ["a-one", "b-two"] {
        tx.insert_refresh_token(&refresh_token(&f, c.id, digest))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let event = |action: &str| NewAuditEvent::new(T0, Actor::System, action, "test");

    // Two transactions in a row on one connection, then one dropped uncommitted.
    let mut tx = store.writer().await.unwrap().begin().await.unwrap();
    tx.append_audit(event("first")).await.unwrap();
    let writer = tx.commit_keeping().await.unwrap().unwrap();
    let mut tx = writer.begin().await.unwrap();
    tx.append_audit(event("second")).await.unwrap();
    let writer = tx.commit_keeping().await.unwrap().unwrap();
    let mut tx = writer.begin().await.unwrap();
    tx.append_audit(event("dropped")).await.unwrap();
    drop(tx);

    // A batch whose successor is a token that exists already fails in its last trip.
    let writer = store.writer().await.unwrap();
    let (tx, claimed) = writer
        .begin_claiming_refresh_tokens(&["a-one".to_owned()])
        .await
        .unwrap();
    assert!(claimed.tokens[0].is_some());
    let failed = tx
        .finish_rotations_and_commit(claimed, vec![rotation(&f, c.id, "b-two")], &[])
        .await;
    assert!(failed.is_err());

    // Writes go on; what was dropped or failed left nothing behind.
    let mut tx = store.begin().await.unwrap();
    tx.append_audit(event("after")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let actions: Vec<String> = tx
        .audit_events_after(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .filter(|a| ["first", "second", "dropped", "after"].contains(&a.as_str()))
        .collect();
    assert_eq!(actions, ["first", "second", "after"]);
    let one = tx.refresh_token("a-one").await.unwrap().unwrap();
    assert!(!one.used, "the failed batch's claim was rolled back");
    assert_eq!(
        tx.refresh_token("b-two").await.unwrap(),
        Some(refresh_token(&f, c.id, "b-two"))
    );
    tx.rollback().await.unwrap();

    // The token the failed batch claimed rotates now.
    let (tx, claimed) = store
        .writer()
        .await
        .unwrap()
        .begin_claiming_refresh_tokens(&["a-one".to_owned()])
        .await
        .unwrap();
    assert!(claimed.tokens[0].is_some());
    tx.finish_rotations_and_commit(claimed, vec![rotation(&f, c.id, "a-one-next")], &[])
        .await
        .unwrap();
    let mut tx = store.read().await.unwrap();
    assert!(tx.refresh_token("a-one").await.unwrap().unwrap().used);
    assert!(tx.refresh_token("a-one-next").await.unwrap().is_some());
}
