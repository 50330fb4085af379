//! The store contract: every test here runs against SQLite and against PostgreSQL.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_domain::audit::{Actor, GENESIS_HASH, NewAuditEvent, verify_chain};
use tessera_domain::level::Level;
use tessera_domain::role::Role;
use tessera_domain::user::{NewUser, User, UserStatus};
use tessera_domain::{LevelId, UserId};
use tessera_store::keys::StoredSigningKey;
use tessera_store::roles::RoleGrant;
use tessera_store::testing::TestDatabase;
use tessera_store::{
    AuditLog, Backend, Credentials, Levels, Roles, Settings, SetupTokens, SigningKeys, Store,
    StoreError, Ts, Users,
};
use time::OffsetDateTime;
use time::macros::datetime;

tessera_store::on_both_databases!(
    levels_form_a_tree_with_subtree_ranges,
    users_are_unique_by_email_key_and_round_trip,
    passwords_are_set_and_replaced,
    role_grants_are_listed_and_counted,
    audit_events_chain_and_tampering_is_detected,
    concurrent_audit_appends_keep_one_gapless_chain,
    settings_are_upserted,
    setup_tokens_are_single_use,
    signing_keys_retire,
    a_rolled_back_transaction_leaves_nothing,
    migrations_run_twice_without_harm,
);

const T0: OffsetDateTime = datetime!(2026-03-01 09:00:00.123456 UTC);

fn level_id(n: u8) -> LevelId {
    LevelId::new(T0, [n; 10])
}

fn user_id(n: u8) -> UserId {
    UserId::new(T0, [n; 10])
}

fn user(n: u8, level: LevelId, email: &str) -> User {
    NewUser::parse("Anna", "Schmidt", email, "de", &["en", "fr", "de"])
        .unwrap()
        .into_user(user_id(n), level, UserStatus::Active, None, T0)
}

async fn tree(store: &Store) -> (Level, Level, Level, Level) {
    let root = Level::new_root(level_id(1), "Root", T0).unwrap();
    let bank_e = Level::new_child(level_id(2), &root, "Bank E", T0).unwrap();
    let payments = Level::new_child(level_id(3), &bank_e, "Payments", T0).unwrap();
    let bank_f = Level::new_child(level_id(4), &root, "Bank F", T0).unwrap();
    let mut tx = store.begin().await.unwrap();
    for level in [&root, &bank_e, &payments, &bank_f] {
        tx.insert_level(level).await.unwrap();
    }
    tx.commit().await.unwrap();
    (root, bank_e, payments, bank_f)
}

async fn levels_form_a_tree_with_subtree_ranges(db: &TestDatabase) {
    let store = &db.store;
    let (root, bank_e, payments, bank_f) = tree(store).await;
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.level(bank_e.id).await.unwrap(), Some(bank_e.clone()));
    assert_eq!(tx.level(level_id(99)).await.unwrap(), None);
    assert_eq!(tx.root_level().await.unwrap(), Some(root.clone()));
    let children: Vec<String> = tx
        .child_levels(root.id)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(children, ["Bank E", "Bank F"]);
    let subtree: Vec<LevelId> = tx
        .subtree(&bank_e)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(subtree, [bank_e.id, payments.id]);
    assert_eq!(tx.subtree(&root).await.unwrap().len(), 4);
    assert_eq!(tx.subtree(&bank_f).await.unwrap(), vec![bank_f]);
    assert_eq!(tx.count_levels().await.unwrap(), 4);
}

async fn users_are_unique_by_email_key_and_round_trip(db: &TestDatabase) {
    let store = &db.store;
    let (_, bank_e, _, _) = tree(store).await;
    let mut anna = user(1, bank_e.id, "Anna.Schmidt@Bank-E.example");
    anna.expires_at = Some(datetime!(2027-01-01 00:00 UTC));
    anna.company_id = Some("E-0042".into());
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&anna).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let twin = user(2, bank_e.id, "anna.schmidt@bank-e.EXAMPLE");
    assert!(matches!(
        tx.insert_user(&twin).await,
        Err(StoreError::Conflict)
    ));
    drop(tx);

    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.user(anna.id).await.unwrap(), Some(anna.clone()));
    assert_eq!(
        tx.user_by_email_key("anna.schmidt@bank-e.example")
            .await
            .unwrap(),
        Some(anna.clone())
    );
    assert_eq!(
        tx.user_by_email_key("nobody@bank-e.example").await.unwrap(),
        None
    );
    assert_eq!(tx.users_in_level(bank_e.id).await.unwrap(), vec![anna]);
    assert_eq!(tx.count_users().await.unwrap(), 1);
}

async fn passwords_are_set_and_replaced(db: &TestDatabase) {
    let store = &db.store;
    let (root, ..) = tree(store).await;
    let anna = user(1, root.id, "anna@tessera.example");
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&anna).await.unwrap();
    assert_eq!(tx.password(anna.id).await.unwrap(), None);
    tx.set_password(anna.id, "$argon2id$first", T0)
        .await
        .unwrap();
    tx.set_password(anna.id, "$argon2id$second", T0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.password(anna.id).await.unwrap().as_deref(),
        Some("$argon2id$second")
    );
}

async fn role_grants_are_listed_and_counted(db: &TestDatabase) {
    let store = &db.store;
    let (root, bank_e, ..) = tree(store).await;
    let anna = user(1, bank_e.id, "anna@bank-e.example");
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&anna).await.unwrap();
    let grant = |role, level| RoleGrant {
        user_id: anna.id,
        role,
        level_id: level,
        granted_by: None,
        granted_at: T0,
    };
    tx.grant_role(&grant(Role::UserAdmin, bank_e.id))
        .await
        .unwrap();
    tx.grant_role(&grant(Role::Operator, root.id))
        .await
        .unwrap();
    assert!(matches!(
        tx.grant_role(&grant(Role::UserAdmin, bank_e.id)).await,
        Err(StoreError::Conflict)
    ));
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&anna).await.unwrap();
    tx.grant_role(&grant(Role::UserAdmin, bank_e.id))
        .await
        .unwrap();
    tx.grant_role(&grant(Role::Operator, root.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let roles: Vec<Role> = tx
        .roles_of(anna.id)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.role)
        .collect();
    assert_eq!(roles, [Role::Operator, Role::UserAdmin]);
    assert_eq!(tx.count_role(Role::Operator).await.unwrap(), 1);
    assert_eq!(tx.count_role(Role::AccessAdmin).await.unwrap(), 0);
}

fn event(n: i64) -> NewAuditEvent {
    NewAuditEvent::new(
        T0 + time::Duration::microseconds(n),
        if n % 2 == 0 {
            Actor::System
        } else {
            Actor::User(user_id(7))
        },
        "level.create",
        "level",
    )
    .target(n)
    .level(level_id(1))
    .request(Some("req-1"))
    .details(&serde_json::json!({"name": format!("Level {n}"), "emoji": "🏦"}))
}

async fn audit_events_chain_and_tampering_is_detected(db: &TestDatabase) {
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.audit_head().await.unwrap(), (0, GENESIS_HASH.to_owned()));
    for n in 1..=3 {
        let sealed = tx.append_audit(event(n)).await.unwrap();
        assert_eq!(sealed.seq, n);
    }
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let events = tx.audit_events_after(0, 100).await.unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[1].actor, Actor::System);
    assert_eq!(events[0].actor, Actor::User(user_id(7)));
    let (last_hash, last_seq) = verify_chain((GENESIS_HASH, 0), &events).unwrap();
    assert_eq!(tx.audit_head().await.unwrap(), (last_seq, last_hash));
    assert_eq!(tx.audit_events_after(2, 100).await.unwrap().len(), 1);
    drop(tx);

    // Someone with database access edits an event: the chain says where.
    let mut tx = store.begin().await.unwrap();
    exec_raw(
        &mut tx,
        "UPDATE audit_events SET details = '{}' WHERE seq = 2",
    )
    .await;
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let events = tx.audit_events_after(0, 100).await.unwrap();
    assert_eq!(
        verify_chain((GENESIS_HASH, 0), &events)
            .unwrap_err()
            .to_string(),
        "event 2 was changed after it was written"
    );
}

async fn exec_raw(tx: &mut tessera_store::Tx, sql: &'static str) {
    match tx.conn() {
        tessera_store::Conn::Sqlite(tx) => {
            sqlx::query(sql).execute(tx).await.unwrap();
        }
        tessera_store::Conn::Postgres(tx) => {
            sqlx::query(sql).execute(tx).await.unwrap();
        }
    }
}

async fn concurrent_audit_appends_keep_one_gapless_chain(db: &TestDatabase) {
    let store = &db.store;
    let tasks: Vec<_> = (1..=20)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                tx.append_audit(event(n)).await.unwrap();
                // Every third writer changes its mind: its number must not leave a gap.
                if n % 3 == 0 {
                    tx.rollback().await.unwrap();
                } else {
                    tx.commit().await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut tx = store.read().await.unwrap();
    let events = tx.audit_events_after(0, 100).await.unwrap();
    assert_eq!(events.len(), 14);
    assert!(verify_chain((GENESIS_HASH, 0), &events).is_ok());
}

async fn settings_are_upserted(db: &TestDatabase) {
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.setting("demo").await.unwrap(), None);
    tx.put_setting("demo", "loaded", T0).await.unwrap();
    tx.put_setting("demo", "loaded twice", T0).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.setting("demo").await.unwrap().as_deref(),
        Some("loaded twice")
    );
}

async fn setup_tokens_are_single_use(db: &TestDatabase) {
    let store = &db.store;
    let expires = T0 + time::Duration::hours(24);
    let mut tx = store.begin().await.unwrap();
    tx.replace_setup_token("old", T0, expires).await.unwrap();
    tx.replace_setup_token("new", T0, expires).await.unwrap();
    assert_eq!(tx.setup_token_expiry("old").await.unwrap(), None);
    assert_eq!(tx.setup_token_expiry("new").await.unwrap(), Some(expires));
    assert_eq!(tx.take_setup_token("new").await.unwrap(), Some(expires));
    assert_eq!(tx.take_setup_token("new").await.unwrap(), None);
    tx.commit().await.unwrap();
}

async fn signing_keys_retire(db: &TestDatabase) {
    let store = &db.store;
    let key =
        |kid: &str, created: OffsetDateTime, retires: Option<OffsetDateTime>| StoredSigningKey {
            kid: kid.into(),
            algorithm: "ES256".into(),
            private_sealed: vec![0, 1, 2, 255],
            public_jwk: "{}".into(),
            created_at: Ts(created),
            retires_at: retires.map(Ts),
        };
    let old = key("old", T0, Some(T0 + time::Duration::days(1)));
    let new = key("new", T0 + time::Duration::hours(1), None);
    let mut tx = store.begin().await.unwrap();
    tx.insert_signing_key(&old).await.unwrap();
    tx.insert_signing_key(&new).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let live = tx
        .live_signing_keys(T0 + time::Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(live, vec![new.clone(), old]);
    let later = tx
        .live_signing_keys(T0 + time::Duration::days(2))
        .await
        .unwrap();
    assert_eq!(later, vec![new]);
}

async fn a_rolled_back_transaction_leaves_nothing(db: &TestDatabase) {
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    tx.insert_level(&Level::new_root(level_id(1), "Root", T0).unwrap())
        .await
        .unwrap();
    tx.append_audit(event(1)).await.unwrap();
    tx.rollback().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.count_levels().await.unwrap(), 0);
    assert_eq!(tx.audit_head().await.unwrap().0, 0);
}

async fn migrations_run_twice_without_harm(db: &TestDatabase) {
    let store = &db.store;
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
    assert!(matches!(
        store.backend(),
        Backend::Sqlite | Backend::Postgres
    ));
}
