//! The store contract of the directory (users' versions, searches, level moves and deletes,
//! nominations, audit reading), on SQLite and on PostgreSQL alike.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_domain::application::{Application, Environment, Group, Membership};
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::level::Level;
use tessera_domain::role::Role;
use tessera_domain::session::Assurance;
use tessera_domain::user::{NewUser, User, UserStatus};
use tessera_domain::{LevelId, UserId};
use tessera_store::audit_search::AuditSearch;
use tessera_store::nominations::Nomination;
use tessera_store::roles::RoleGrant;
use tessera_store::second_factors::PhoneNumber;
use tessera_store::testing::TestDatabase;
use tessera_store::user_search::{UserSearch, UserSort};
use tessera_store::{
    Applications, AuditLog, AuditSearches, Levels, Memberships, Nominations, Roles, SecondFactors,
    Store, StoreError, UserSearches, Users,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

tessera_store::on_both_databases!(
    users_change_only_at_the_version_read,
    searches_filter_page_and_stay_inside_visible_subtrees,
    moving_a_level_moves_its_whole_subtree,
    levels_are_deleted_only_at_their_version_and_count_what_they_hold,
    nominations_are_decided_once,
    the_audit_trail_is_read_by_level_actor_action_and_time,
);

const T0: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

fn level_id(n: u8) -> LevelId {
    LevelId::new(T0, [n; 10])
}

fn user_id(n: u8) -> UserId {
    UserId::new(T0, [n; 10])
}

fn person(n: u8, level: LevelId, first: &str, last: &str) -> User {
    let email = format!(
        "{}.{}{n}@bank.example",
        first.to_lowercase(),
        last.to_lowercase()
    );
    NewUser::parse(first, last, &email, "en", &["en"])
        .unwrap()
        .into_user(user_id(n), level, UserStatus::Active, None, T0)
}

/// Root, Bank E, Payments (below Bank E), Bank F, and Cards (below Payments).
async fn tree(store: &Store) -> Vec<Level> {
    let root = Level::new_root(level_id(1), "Root", T0).unwrap();
    let bank_e = Level::new_child(level_id(2), &root, "Bank E", T0).unwrap();
    let payments = Level::new_child(level_id(3), &bank_e, "Payments", T0).unwrap();
    let bank_f = Level::new_child(level_id(4), &root, "Bank F", T0).unwrap();
    let cards = Level::new_child(level_id(5), &payments, "Cards", T0).unwrap();
    let levels = vec![root, bank_e, payments, bank_f, cards];
    let mut tx = store.begin().await.unwrap();
    for level in &levels {
        tx.insert_level(level).await.unwrap();
    }
    tx.commit().await.unwrap();
    levels
}

async fn users_change_only_at_the_version_read(db: &TestDatabase) {
    let store = &db.store;
    let levels = tree(store).await;
    let anna = person(1, levels[1].id, "Anna", "Schmidt");
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&anna).await.unwrap();
    let mut renamed = anna.clone();
    renamed.first_name = "Anne".into();
    renamed.version = 2;
    tx.update_user(&renamed).await.unwrap();
    // A second writer who also read version 1 is refused.
    let mut other = anna.clone();
    other.last_name = "Schulz".into();
    other.version = 2;
    assert!(matches!(
        tx.update_user(&other).await,
        Err(StoreError::Stale)
    ));
    assert!(!tx.delete_user(anna.id, Some(1)).await.unwrap());
    assert_eq!(tx.user(anna.id).await.unwrap().unwrap().first_name, "Anne");
    assert!(tx.delete_user(anna.id, Some(2)).await.unwrap());
    assert!(tx.user(anna.id).await.unwrap().is_none());
    tx.commit().await.unwrap();
}

fn search(path: &str) -> UserSearch {
    UserSearch {
        level_path: path.to_owned(),
        exact_level: None,
        visible: None,
        first_name: String::new(),
        last_name: String::new(),
        email: String::new(),
        phone: String::new(),
        group: None,
        sort: UserSort::LastName,
        walk_sorted: false,
        after: None,
        limit: 50,
    }
}

async fn searches_filter_page_and_stay_inside_visible_subtrees(db: &TestDatabase) {
    let store = &db.store;
    let levels = tree(store).await;
    let (root, bank_e, payments, bank_f, cards) =
        (&levels[0], &levels[1], &levels[2], &levels[3], &levels[4]);
    let people = [
        person(1, bank_e.id, "Anna", "Müller"),
        person(2, payments.id, "Ben", "Mueller"),
        person(3, cards.id, "Clara", "Meyer"),
        person(4, bank_f.id, "David", "Müller"),
        person(5, bank_e.id, "Elena", "Zimmer"),
    ];
    let mut tx = store.begin().await.unwrap();
    for p in &people {
        tx.insert_user(p).await.unwrap();
    }
    tx.add_phone(
        people[2].id,
        &PhoneNumber {
            number: "+4915123456789".into(),
            verified: true,
            created_at: T0,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let names = |hits: Vec<tessera_store::user_search::UserHit>| -> Vec<String> {
        hits.into_iter().map(|h| h.user.first_name).collect()
    };

    // Bank E with its sub-levels, by last name; only Bank E itself.
    let all_e = tx.search_users(&search(&bank_e.path)).await.unwrap();
    // Byte order of the lower-case keys: meyer < mueller < müller < zimmer.
    assert_eq!(names(all_e), ["Clara", "Ben", "Anna", "Elena"]);
    let only_e = UserSearch {
        exact_level: Some(bank_e.id.0),
        ..search(&bank_e.path)
    };
    assert_eq!(
        names(tx.search_users(&only_e).await.unwrap()),
        ["Anna", "Elena"]
    );
    // Walking the sort order finds the same people in the same order.
    let walked = UserSearch {
        walk_sorted: true,
        ..search(&bank_e.path)
    };
    assert_eq!(
        names(tx.search_users(&walked).await.unwrap()),
        ["Clara", "Ben", "Anna", "Elena"]
    );
    // A last-name prefix in any case and form of ü finds the same people.
    let mul = UserSearch {
        last_name: "MÜL".into(),
        ..search(&root.path)
    };
    assert_eq!(
        names(tx.search_users(&mul).await.unwrap()),
        ["Anna", "David"]
    );
    let decomposed = UserSearch {
        last_name: "mu\u{308}l".into(),
        ..search(&root.path)
    };
    assert_eq!(
        names(tx.search_users(&decomposed).await.unwrap()),
        ["Anna", "David"]
    );
    // E-mail and phone prefixes.
    let by_email = UserSearch {
        email: "CLARA.".into(),
        sort: UserSort::Email,
        ..search(&root.path)
    };
    assert_eq!(names(tx.search_users(&by_email).await.unwrap()), ["Clara"]);
    let by_phone = UserSearch {
        phone: "+49 1512".into(),
        ..search(&root.path)
    };
    assert_eq!(names(tx.search_users(&by_phone).await.unwrap()), ["Clara"]);
    // Someone who may see only Payments sees nothing else, whatever they search.
    let limited = UserSearch {
        visible: Some(vec![payments.path.clone()]),
        ..search(&root.path)
    };
    assert_eq!(
        names(tx.search_users(&limited).await.unwrap()),
        ["Clara", "Ben"]
    );
    let nothing = UserSearch {
        visible: Some(Vec::new()),
        ..search(&root.path)
    };
    assert!(tx.search_users(&nothing).await.unwrap().is_empty());
    // Pages of two, following the keyset, give everyone once, in order.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = tx
            .search_users(&UserSearch {
                limit: 2,
                after: after.clone(),
                ..search(&root.path)
            })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        let last = &page[page.len() - 1].user;
        after = Some((UserSort::LastName.key_of(last), last.id.0));
        seen.extend(page.into_iter().map(|h| h.user.first_name));
    }
    assert_eq!(seen, ["Clara", "Ben", "Anna", "David", "Elena"]);
    drop(tx);

    // Holders of a group, whole tree or a subtree; an expired membership no longer counts.
    let app = Application {
        id: Uuid::from_bytes([9; 16]),
        code: "CASPER".into(),
        name: "CASPER".into(),
        description: String::new(),
        min_assurance: Assurance::Medium,
        version: 1,
        created_at: T0,
        updated_at: T0,
    };
    let group = Group {
        id: Uuid::from_bytes([10; 16]),
        application_id: app.id,
        environment: Environment::Production,
        role: "WEB_USER_ADMIN".into(),
        technical_name: "CASPER_WEB_USER_ADMIN".into(),
        description: String::new(),
        version: 1,
    };
    let mut tx = store.begin().await.unwrap();
    assert!(tx.insert_application(&app).await.unwrap());
    assert!(tx.insert_group(&group).await.unwrap());
    for (p, expires_at) in [
        (&people[0], None),
        (&people[3], None),
        (&people[4], Some(T0 + Duration::days(1))),
    ] {
        tx.put_membership(&Membership {
            user_id: p.id.0,
            group_id: group.id,
            granted_by: None,
            granted_at: T0,
            expires_at,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let holders = |path: &str, now: OffsetDateTime| UserSearch {
        group: Some((group.id, now)),
        ..search(path)
    };
    assert_eq!(
        names(tx.search_users(&holders("", T0)).await.unwrap()),
        ["Anna", "David", "Elena"]
    );
    assert_eq!(
        names(tx.search_users(&holders(&bank_e.path, T0)).await.unwrap()),
        ["Anna", "Elena"]
    );
    assert_eq!(
        names(
            tx.search_users(&holders("", T0 + Duration::days(2)))
                .await
                .unwrap()
        ),
        ["Anna", "David"]
    );
}

async fn moving_a_level_moves_its_whole_subtree(db: &TestDatabase) {
    let store = &db.store;
    let levels = tree(store).await;
    let (bank_f, payments, cards) = (&levels[3], &levels[2], &levels[4]);
    let mut moved = payments.clone();
    moved.parent_id = Some(bank_f.id);
    moved.path = format!("{}{}/", bank_f.path, payments.id);
    moved.version = 2;
    let mut tx = store.begin().await.unwrap();
    tx.update_level(&moved, &payments.path).await.unwrap();
    let cards_now = tx.level(cards.id).await.unwrap().unwrap();
    assert_eq!(cards_now.path, format!("{}{}/", moved.path, cards.id));
    let under_f: Vec<LevelId> = tx
        .subtree(bank_f)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(under_f, [bank_f.id, payments.id, cards.id]);
    // The old version no longer applies.
    assert!(matches!(
        tx.update_level(&moved, &moved.path).await,
        Err(StoreError::Stale)
    ));
    tx.commit().await.unwrap();
}

async fn levels_are_deleted_only_at_their_version_and_count_what_they_hold(db: &TestDatabase) {
    let store = &db.store;
    let levels = tree(store).await;
    let (bank_e, payments, cards, bank_f) = (&levels[1], &levels[2], &levels[4], &levels[3]);
    let mut tx = store.begin().await.unwrap();
    let anna = person(1, bank_f.id, "Anna", "Weber");
    tx.insert_user(&anna).await.unwrap();
    tx.grant_role(&RoleGrant {
        user_id: anna.id,
        role: Role::UserAdmin,
        level_id: bank_f.id,
        granted_by: None,
        granted_at: T0,
    })
    .await
    .unwrap();
    assert_eq!(tx.count_children(bank_e.id).await.unwrap(), 1);
    assert_eq!(tx.count_children(cards.id).await.unwrap(), 0);
    assert_eq!(tx.count_users_in_level(bank_f.id).await.unwrap(), 1);
    assert_eq!(tx.count_grants_at(bank_f.id).await.unwrap(), 1);
    assert!(!tx.delete_level(cards.id, 7).await.unwrap());
    assert!(tx.delete_level(cards.id, 1).await.unwrap());
    assert_eq!(tx.count_children(payments.id).await.unwrap(), 0);
    assert!(
        tx.revoke_role(anna.id, Role::UserAdmin, bank_f.id)
            .await
            .unwrap()
    );
    assert!(
        !tx.revoke_role(anna.id, Role::UserAdmin, bank_f.id)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

async fn nominations_are_decided_once(db: &TestDatabase) {
    let store = &db.store;
    let levels = tree(store).await;
    let anna = person(1, levels[1].id, "Anna", "Weber");
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&anna).await.unwrap();
    let id = uuid::Uuid::new_v4();
    tx.insert_nomination(&Nomination {
        id,
        user_id: anna.id,
        role: Role::AccessAdmin,
        level_id: levels[1].id,
        nominated_by: None,
        nominated_at: T0,
        state: "pending".into(),
        decided_by: None,
        decided_at: None,
    })
    .await
    .unwrap();
    assert!(
        tx.pending_like(anna.id, Role::AccessAdmin, levels[1].id)
            .await
            .unwrap()
    );
    assert!(
        !tx.pending_like(anna.id, Role::UserAdmin, levels[1].id)
            .await
            .unwrap()
    );
    assert_eq!(tx.nominations_in("pending", 10).await.unwrap().len(), 1);
    assert!(
        tx.decide_nomination(id, "confirmed", None, T0)
            .await
            .unwrap()
    );
    assert!(
        !tx.decide_nomination(id, "rejected", None, T0)
            .await
            .unwrap()
    );
    let decided = tx.nomination(id).await.unwrap().unwrap();
    assert_eq!(decided.state, "confirmed");
    assert!(tx.nominations_in("pending", 10).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

async fn the_audit_trail_is_read_by_level_actor_action_and_time(db: &TestDatabase) {
    let store = &db.store;
    let levels = tree(store).await;
    let (bank_e, payments, bank_f) = (&levels[1], &levels[2], &levels[3]);
    let ulla = user_id(9);
    let mut tx = store.begin().await.unwrap();
    for (minute, actor, action, level) in [
        (0, Actor::System, "level.create", bank_e.id),
        (1, Actor::User(ulla), "user.create", payments.id),
        (2, Actor::User(ulla), "user.update", payments.id),
        (3, Actor::System, "user.create", bank_f.id),
    ] {
        tx.append_audit(
            NewAuditEvent::new(T0 + time::Duration::minutes(minute), actor, action, "user")
                .target(format!("t{minute}"))
                .level(level),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let actions = |events: Vec<tessera_domain::audit::AuditEvent>| -> Vec<String> {
        events.into_iter().map(|e| e.action).collect()
    };
    let all = AuditSearch {
        limit: 50,
        ..AuditSearch::default()
    };
    assert_eq!(
        actions(tx.search_audit(&all).await.unwrap()),
        ["user.create", "user.update", "user.create", "level.create"]
    );
    let bank_e_only = AuditSearch {
        subtrees: Some(vec![bank_e.path.clone()]),
        ..all.clone()
    };
    assert_eq!(
        actions(tx.search_audit(&bank_e_only).await.unwrap()),
        ["user.update", "user.create", "level.create"]
    );
    let by_ulla_users = AuditSearch {
        actor: Some(ulla),
        action: "user.".into(),
        ..all.clone()
    };
    assert_eq!(tx.search_audit(&by_ulla_users).await.unwrap().len(), 2);
    let window = AuditSearch {
        from: Some(T0 + time::Duration::minutes(1)),
        to: Some(T0 + time::Duration::minutes(3)),
        ..all.clone()
    };
    assert_eq!(
        actions(tx.search_audit(&window).await.unwrap()),
        ["user.update", "user.create"]
    );
    let target = AuditSearch {
        target: Some("t2".into()),
        ..all.clone()
    };
    assert_eq!(
        actions(tx.search_audit(&target).await.unwrap()),
        ["user.update"]
    );
    let first = tx
        .search_audit(&AuditSearch {
            limit: 1,
            ..all.clone()
        })
        .await
        .unwrap();
    let older = tx
        .search_audit(&AuditSearch {
            limit: 1,
            before: Some(first[0].seq),
            ..all.clone()
        })
        .await
        .unwrap();
    assert!(older[0].seq < first[0].seq);
}
