//! Applications, groups and memberships on both databases, with the demo data set: who may
//! grant what, saving all or nothing, expiry, My Apps and the groups released to one
//! application.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, as_person, person};
use tessera_app::{Addition, App, AppError, ApplicationInput, Clock, Ctx};
use tessera_domain::UserId;
use tessera_domain::application::Environment;
use tessera_store::testing::TestDatabase;
use tessera_store::{AuditLog, SessionApplications, Users};
use time::Duration;
use uuid::Uuid;

tessera_store::on_both_databases!(
    access_administrators_grant_only_the_groups_granted_to_their_subtree,
    expired_memberships_stop_counting_at_once_and_are_swept,
    my_apps_shows_one_tile_per_environment_and_sso_gets_only_that_application,
    granting_a_group_to_many_people_is_all_or_nothing,
    operators_register_applications_and_groups_with_derived_names,
    display_my_sessions_lists_the_applications_used,
);

async fn demo(db: &TestDatabase) -> (App, std::sync::Arc<common::TestClock>) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    (app, clock)
}

async fn group_id(app: &App, ctx: &Ctx, user: UserId, name: &str) -> Uuid {
    let found = app.assignable_groups(ctx, user, name).await.unwrap();
    found
        .iter()
        .find(|g| g.group.technical_name == name)
        .unwrap_or_else(|| panic!("{name} is not assignable"))
        .group
        .id
}

async fn held(app: &App, ctx: &Ctx, user: UserId) -> Vec<String> {
    app.memberships_view(ctx, user)
        .await
        .unwrap()
        .held
        .into_iter()
        .map(|(m, _)| m.group.technical_name)
        .collect()
}

const ANTON: &str = "anton.weber@bank-e.example";
const ULLA: &str = "ulla.berger@bank-e.example";
const OPERATOR: &str = "operator@tessera.example";
const ERIKA: &str = "erika.mustermann@bank-e.example";
const PIERRE: &str = "pierre.dupont@bank-e.example";
const FIONA: &str = "fiona.walsh@bank-f.example";
const ZOE: &str = "zoe.papadopoulou@bank-f.example";

async fn access_administrators_grant_only_the_groups_granted_to_their_subtree(db: &TestDatabase) {
    let (app, _) = demo(db).await;
    let anton = as_person(db, ANTON).await;
    let pierre = person(db, PIERRE).await;
    // Typing "casper" finds the six CASPER groups of the manual, pre-production first.
    let casper: Vec<String> = app
        .assignable_groups(&anton, pierre, "casper")
        .await
        .unwrap()
        .into_iter()
        .map(|g| format!("{} {}", g.group.technical_name, g.group.display_name()))
        .collect();
    assert_eq!(
        casper,
        [
            "A-CASPER_WEB_DATA_SUBMITTER WEB_DATA_SUBMITTER",
            "A-CASPER_WEB_TECHNICAL_USER WEB_TECHNICAL_USER",
            "A-CASPER_WEB_USER_ADMIN WEB_USER_ADMIN",
            "CASPER_WEB_DATA_SUBMITTER WEB_DATA_SUBMITTER",
            "CASPER_WEB_TECHNICAL_USER WEB_TECHNICAL_USER",
            "CASPER_WEB_USER_ADMIN WEB_USER_ADMIN",
        ]
    );
    // ASTRA is granted to Bank F only: not offered for a person of Bank E.
    let all = app.assignable_groups(&anton, pierre, "").await.unwrap();
    assert!(
        all.iter()
            .all(|g| !g.group.technical_name.starts_with("ASTRA"))
    );
    assert!(
        all.iter()
            .any(|g| g.group.technical_name == "IMAS_PORTAL_USER")
    );

    let submitter = group_id(&app, &anton, pierre, "A-CASPER_WEB_DATA_SUBMITTER").await;
    let imas = group_id(&app, &anton, pierre, "IMAS_PORTAL_USER").await;
    let user_admin = group_id(&app, &anton, pierre, "CASPER_WEB_USER_ADMIN").await;
    app.save_memberships(
        &anton,
        pierre,
        &[
            Addition {
                group_id: submitter,
                expires_at: None,
            },
            Addition {
                group_id: imas,
                expires_at: None,
            },
        ],
        &[user_admin],
    )
    .await
    .unwrap();
    assert_eq!(
        held(&app, &anton, pierre).await,
        [
            "A-CASPER_WEB_DATA_SUBMITTER",
            "A-CASPER_WEB_USER_ADMIN",
            "IMAS_PORTAL_USER"
        ]
    );

    // One forbidden addition (ASTRA, granted to Bank F) and nothing of the save is kept.
    let operator = as_person(db, OPERATOR).await;
    let astra = group_id(&app, &operator, pierre, "ASTRA_REPORTER").await;
    let technical = group_id(&app, &anton, pierre, "CASPER_WEB_TECHNICAL_USER").await;
    let refused = app
        .save_memberships(
            &anton,
            pierre,
            &[
                Addition {
                    group_id: technical,
                    expires_at: None,
                },
                Addition {
                    group_id: astra,
                    expires_at: None,
                },
            ],
            &[imas],
        )
        .await;
    assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    assert_eq!(
        held(&app, &anton, pierre).await,
        [
            "A-CASPER_WEB_DATA_SUBMITTER",
            "A-CASPER_WEB_USER_ADMIN",
            "IMAS_PORTAL_USER"
        ]
    );

    // Outside the subtree: the person is not even found; a user administrator grants nothing;
    // nobody grants to themselves.
    let fiona = person(db, FIONA).await;
    assert!(matches!(
        app.assignable_groups(&anton, fiona, "").await,
        Err(AppError::NotFound)
    ));
    let ulla = as_person(db, ULLA).await;
    assert!(
        app.assignable_groups(&ulla, pierre, "")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        app.save_memberships(&ulla, pierre, &[], &[imas]).await,
        Err(AppError::Forbidden)
    ));
    let anton_id = person(db, ANTON).await;
    assert!(
        app.assignable_groups(&anton, anton_id, "")
            .await
            .unwrap()
            .is_empty()
    );
    // The operator may grant ASTRA anywhere.
    app.save_memberships(
        &operator,
        pierre,
        &[Addition {
            group_id: astra,
            expires_at: None,
        }],
        &[],
    )
    .await
    .unwrap();

    // Every grant and removal is in the audit trail.
    let mut tx = db.store.reads().await.unwrap();
    let events = tx.audit_events_after(0, 1000).await.unwrap();
    let grants = events
        .iter()
        .filter(|e| e.action == "membership.grant")
        .count();
    let removals = events
        .iter()
        .filter(|e| e.action == "membership.remove")
        .count();
    // Six demo grants, two by Anton, one by the operator.
    assert_eq!((grants, removals), (9, 1));
}

async fn expired_memberships_stop_counting_at_once_and_are_swept(db: &TestDatabase) {
    let (app, clock) = demo(db).await;
    let anton = as_person(db, ANTON).await;
    let pierre = person(db, PIERRE).await;
    let imas = group_id(&app, &anton, pierre, "IMAS_PORTAL_USER").await;
    let tomorrow = clock.now() + Duration::days(1);
    // An expiry in the past is refused, naming the field.
    let past = app
        .save_memberships(
            &anton,
            pierre,
            &[Addition {
                group_id: imas,
                expires_at: Some(clock.now() - Duration::hours(1)),
            }],
            &[],
        )
        .await;
    assert!(
        matches!(&past, Err(AppError::Invalid(e)) if e.for_field("expires_at").is_some()),
        "{past:?}"
    );
    app.save_memberships(
        &anton,
        pierre,
        &[Addition {
            group_id: imas,
            expires_at: Some(tomorrow),
        }],
        &[],
    )
    .await
    .unwrap();
    let tiles = |app: &App| {
        let app = app.clone();
        async move {
            app.my_apps(pierre)
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.tile.label)
                .collect::<Vec<_>>()
        }
    };
    assert!(tiles(&app).await.contains(&"IMAS Portal".to_owned()));
    clock.advance(Duration::days(1) + Duration::seconds(1));
    // Expired: no longer held, no tile, before any sweep.
    assert!(
        !held(&app, &anton, pierre)
            .await
            .contains(&"IMAS_PORTAL_USER".to_owned())
    );
    assert!(!tiles(&app).await.contains(&"IMAS Portal".to_owned()));
    let swept = app.sweep(Duration::days(30)).await.unwrap();
    assert_eq!(swept.memberships, 1);
    let mut tx = db.store.reads().await.unwrap();
    let events = tx.audit_events_after(0, 1000).await.unwrap();
    assert!(events.iter().any(|e| e.action == "membership.expire"));
}

async fn my_apps_shows_one_tile_per_environment_and_sso_gets_only_that_application(
    db: &TestDatabase,
) {
    let (app, _) = demo(db).await;
    let erika = person(db, ERIKA).await;
    let labels: Vec<String> = app
        .my_apps(erika)
        .await
        .unwrap()
        .into_iter()
        .map(|t| format!("{} {}", t.tile.label, t.tile.launch_url))
        .collect();
    assert_eq!(
        labels,
        [
            "CASPER https://casper.example/",
            "CASPER Pre-Production https://casper-acc.example/",
            "IMAS Portal https://imas.example/",
        ]
    );
    assert!(app.my_apps(person(db, ZOE).await).await.unwrap().is_empty());

    let operator = as_person(db, OPERATOR).await;
    let apps = app.applications(&operator).await.unwrap();
    let casper = apps.iter().find(|a| a.code == "CASPER").unwrap();
    // Each environment's clients see only that environment's memberships.
    assert_eq!(
        app.released_groups(erika, casper.id, Environment::Production)
            .await
            .unwrap(),
        ["CASPER_WEB_DATA_SUBMITTER"]
    );
    assert_eq!(
        app.released_groups(erika, casper.id, Environment::PreProduction)
            .await
            .unwrap(),
        ["A-CASPER_WEB_DATA_SUBMITTER"]
    );
    let astra = apps.iter().find(|a| a.code == "ASTRA").unwrap();
    assert!(
        app.released_groups(erika, astra.id, Environment::Production)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn granting_a_group_to_many_people_is_all_or_nothing(db: &TestDatabase) {
    let (app, _) = demo(db).await;
    let anton = as_person(db, ANTON).await;
    let (erika, pierre, fiona) = (
        person(db, ERIKA).await,
        person(db, PIERRE).await,
        person(db, FIONA).await,
    );
    let technical = group_id(&app, &anton, pierre, "CASPER_WEB_TECHNICAL_USER").await;
    // Fiona is outside Anton's subtree: nobody gets the group.
    let refused = app
        .assign_group_to_users(&anton, technical, &[erika, pierre, fiona], None)
        .await;
    assert!(refused.is_err());
    assert!(
        !held(&app, &anton, erika)
            .await
            .contains(&"CASPER_WEB_TECHNICAL_USER".to_owned())
    );
    assert_eq!(
        app.assign_group_to_users(&anton, technical, &[erika, pierre], None)
            .await
            .unwrap(),
        2
    );
    assert!(
        held(&app, &anton, pierre)
            .await
            .contains(&"CASPER_WEB_TECHNICAL_USER".to_owned())
    );
}

async fn operators_register_applications_and_groups_with_derived_names(db: &TestDatabase) {
    let (app, _) = demo(db).await;
    let operator = as_person(db, OPERATOR).await;
    let ulla = as_person(db, ULLA).await;
    let input = ApplicationInput {
        code: "atlas".into(),
        name: "ATLAS".into(),
        description: "Market operations".into(),
        min_assurance: "high".into(),
    };
    assert!(matches!(
        app.create_application(&ulla, &input).await,
        Err(AppError::Forbidden)
    ));
    let atlas = app.create_application(&operator, &input).await.unwrap();
    assert_eq!(atlas.code, "ATLAS");
    let taken = app.create_application(&operator, &input).await;
    assert!(matches!(&taken, Err(AppError::Invalid(e)) if e.for_field("code").is_some()));
    let bad = app
        .create_application(
            &operator,
            &ApplicationInput {
                code: "9 lives".into(),
                name: " ".into(),
                ..input.clone()
            },
        )
        .await;
    match bad {
        Err(AppError::Invalid(e)) => {
            assert!(e.for_field("code").is_some() && e.for_field("name").is_some());
        }
        other => panic!("{other:?}"),
    }
    let pre = app
        .create_group(&operator, atlas.id, "pre_production", "trader", "Trades")
        .await
        .unwrap();
    assert_eq!(pre.technical_name, "A-ATLAS_TRADER");
    let typed_prefix = app
        .create_group(&operator, atlas.id, "production", "A-TRADER", "")
        .await;
    assert!(matches!(&typed_prefix, Err(AppError::Invalid(e)) if e.for_field("role").is_some()));
    app.put_tile(
        &operator,
        atlas.id,
        "pre_production",
        &tessera_app::TileInput {
            label: "ATLAS Pre-Production".into(),
            icon: String::new(),
            launch_url: "https://atlas-acc.example/".into(),
        },
    )
    .await
    .unwrap();
    // Granted to the root's subtree, the group reaches everyone; Anton is no operator, and
    // the group was granted to Bank F only at first.
    let mut tx = db.store.reads().await.unwrap();
    let bank_f = tx
        .user(person(db, FIONA).await)
        .await
        .unwrap()
        .unwrap()
        .level_id;
    drop(tx);
    app.set_group_levels(&operator, pre.id, &[bank_f])
        .await
        .unwrap();
    let anton = as_person(db, ANTON).await;
    let erika = person(db, ERIKA).await;
    assert!(
        !app.assignable_groups(&anton, erika, "atlas")
            .await
            .unwrap()
            .iter()
            .any(|g| g.group.id == pre.id)
    );
    let detail = app.application_detail(&operator, atlas.id).await.unwrap();
    assert_eq!(detail.groups.len(), 1);
    assert_eq!(detail.groups[0].levels.len(), 1);
    assert_eq!(detail.tiles.len(), 1);
    // A group held by someone is not deleted.
    app.save_memberships(
        &operator,
        person(db, FIONA).await,
        &[Addition {
            group_id: pre.id,
            expires_at: None,
        }],
        &[],
    )
    .await
    .unwrap();
    assert!(matches!(
        app.delete_group(&operator, pre.id).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        app.delete_application(&operator, atlas.id).await,
        Err(AppError::Conflict(_))
    ));
}

async fn display_my_sessions_lists_the_applications_used(db: &TestDatabase) {
    let (app, clock) = demo(db).await;
    let token = common::full_sign_in(&app, ERIKA).await;
    let me = app.current_session(&token).await.unwrap().unwrap();
    let operator = as_person(db, OPERATOR).await;
    let casper = app
        .applications(&operator)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.code == "CASPER")
        .unwrap();
    let mut tx = db.store.begin().await.unwrap();
    for environment in [Environment::PreProduction, Environment::Production] {
        tx.note_application_use(me.session_id, casper.id, environment, clock.now())
            .await
            .unwrap();
    }
    // Used again later: listed once.
    tx.note_application_use(
        me.session_id,
        casper.id,
        Environment::Production,
        clock.now() + Duration::minutes(5),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let sessions = app.my_sessions(&me).await.unwrap();
    assert_eq!(sessions.len(), 1);
    let mut used = sessions[0].applications.clone();
    used.sort();
    assert_eq!(used, ["CASPER", "CASPER Pre-Production"]);
}
