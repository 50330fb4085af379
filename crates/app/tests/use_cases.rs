//! The use cases of the foundation, on both databases: bootstrap, setup link, operators, demo
//! data and the audit chain.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, app_on, full_sign_in};
use tessera_app::audit::ChainReport;
use tessera_app::{
    App, AppError, ClientInfo, Clock, Ctx, DEMO_PASSWORD, NewOperator, PasswordOutcome,
};
use tessera_domain::role::Role;
use tessera_store::testing::TestDatabase;
use tessera_store::{AuditLog, Credentials, Levels, Roles, Users};
use time::{Duration, OffsetDateTime};

fn operator(email: &str) -> NewOperator {
    NewOperator {
        first_name: "Olga".into(),
        last_name: "Berger".into(),
        email: email.into(),
        language: "de".into(),
        password: "Winter-Lake-1987".into(),
        confirm: Some("Winter-Lake-1987".into()),
    }
}

fn token_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

tessera_store::on_both_databases!(
    bootstrap_is_idempotent_and_checks_the_secret_key,
    a_setup_link_creates_the_first_operator_once,
    setup_links_expire_and_are_replaced,
    setup_reports_every_field_at_fault,
    the_command_line_creates_operators_and_ends_setup_links,
    demo_data_loads_once_and_only_into_an_empty_database,
    the_audit_chain_covers_every_change,
    sessions_end_when_idle_too_old_or_when_the_account_expires,
    sign_in_codes_expire_after_three_minutes,
    ten_thousand_wrong_passwords_never_get_in_nor_lock_out_others,
    password_reset_links_expire_after_an_hour,
    old_password_hashes_are_upgraded_at_sign_in,
    the_sweep_removes_what_has_served_its_purpose,
    signing_keys_rotate_with_overlap,
);

/// Signs in with the demo password and, when asked, the code taken from the queued message.
async fn bootstrap_is_idempotent_and_checks_the_secret_key(db: &TestDatabase) {
    let (app, clock) = app(db);
    let first = app.bootstrap().await.unwrap();
    assert!(first.created_root);
    assert_eq!(first.operators, 0);
    let second = app.bootstrap().await.unwrap();
    assert!(!second.created_root);
    assert_eq!(second.signing_kid, first.signing_kid);
    // One key per algorithm: ES256 (the signing kid reported), RS256 and EdDSA.
    let keys = app.public_keys().await.unwrap();
    assert_eq!(keys.len(), 3);
    assert!(
        keys.iter()
            .any(|k| k.kid() == Some(first.signing_kid.as_str()))
    );

    // A node configured with another secret key must not start on this database.
    let stranger = app_on(db, clock, &[8; 32]).unwrap();
    assert!(matches!(
        stranger.bootstrap().await,
        Err(AppError::Secrets(_))
    ));
}

async fn a_setup_link_creates_the_first_operator_once(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    let link = app.issue_setup_link().await.unwrap().unwrap();
    assert!(
        link.url.starts_with("http://localhost:8080/setup/"),
        "{}",
        link.url
    );
    let token = token_of(&link.url);
    app.check_setup_link(token).await.unwrap();
    assert!(matches!(
        app.check_setup_link("forged-token").await,
        Err(AppError::SetupLinkInvalid)
    ));

    let ctx = Ctx::anonymous(Some("req-7".into()));
    let user = app
        .complete_setup(token, operator("olga@tessera.example"), &ctx)
        .await
        .unwrap();
    assert_eq!(user.email, "olga@tessera.example");

    let mut tx = db.store.read().await.unwrap();
    let roles = tx.roles_of(user.id).await.unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role, Role::Operator);
    let phc = tx.password(user.id).await.unwrap().unwrap();
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    let root = tx.root_level().await.unwrap().unwrap();
    assert_eq!(user.level_id, root.id);
    drop(tx);

    // The link is used up, and no new one is issued once an operator exists.
    assert!(matches!(
        app.complete_setup(token, operator("eve@tessera.example"), &ctx)
            .await,
        Err(AppError::AlreadySetUp)
    ));
    assert_eq!(app.issue_setup_link().await.unwrap(), None);
}

async fn setup_links_expire_and_are_replaced(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    let old = app.issue_setup_link().await.unwrap().unwrap();
    let new = app.issue_setup_link().await.unwrap().unwrap();
    assert_ne!(old.url, new.url);
    assert!(matches!(
        app.check_setup_link(token_of(&old.url)).await,
        Err(AppError::SetupLinkInvalid)
    ));
    app.check_setup_link(token_of(&new.url)).await.unwrap();
    clock.advance(Duration::hours(24));
    assert!(matches!(
        app.complete_setup(
            token_of(&new.url),
            operator("olga@tessera.example"),
            &Ctx::system()
        )
        .await,
        Err(AppError::SetupLinkInvalid)
    ));
    let mut tx = db.store.read().await.unwrap();
    assert_eq!(tx.count_users().await.unwrap(), 0);
}

async fn setup_reports_every_field_at_fault(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    let link = app.issue_setup_link().await.unwrap().unwrap();
    let input = NewOperator {
        first_name: "  ".into(),
        last_name: "Berger".into(),
        email: "olga-at-tessera".into(),
        language: "de".into(),
        password: "berger".into(),
        confirm: Some("Berger".into()),
    };
    let Err(AppError::Invalid(errors)) = app
        .complete_setup(token_of(&link.url), input, &Ctx::system())
        .await
    else {
        panic!("bad input was accepted");
    };
    let fields: Vec<_> = errors.errors.iter().map(|e| (e.field, e.code)).collect();
    assert_eq!(
        fields,
        [
            ("first_name", "required"),
            ("email", "invalid"),
            ("password", "too_short"),
            ("password", "too_simple"),
            ("password", "contains_name"),
            ("confirm", "mismatch"),
        ]
    );
    // Nothing was lost: the link still works for a corrected attempt.
    app.check_setup_link(token_of(&link.url)).await.unwrap();
}

async fn the_command_line_creates_operators_and_ends_setup_links(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    let link = app.issue_setup_link().await.unwrap().unwrap();
    let mut input = operator("olga@tessera.example");
    input.confirm = None;
    app.create_operator(input.clone(), &Ctx::system())
        .await
        .unwrap();
    assert!(matches!(
        app.check_setup_link(token_of(&link.url)).await,
        Err(AppError::AlreadySetUp)
    ));
    // The same address, in other case, is refused with a message on the e-mail field.
    input.email = "OLGA@tessera.example".into();
    let Err(AppError::Invalid(errors)) = app.create_operator(input, &Ctx::system()).await else {
        panic!("a second account with the same e-mail was created");
    };
    assert_eq!(errors.errors[0].field, "email");
    let mut tx = db.store.read().await.unwrap();
    assert_eq!(tx.count_role(Role::Operator).await.unwrap(), 1);
}

async fn demo_data_loads_once_and_only_into_an_empty_database(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    let report = app.load_demo().await.unwrap();
    assert!(report.loaded_now);
    assert_eq!(report.accounts.len(), 8);
    let again = app.load_demo().await.unwrap();
    assert!(!again.loaded_now);
    assert_eq!(again.accounts, report.accounts);

    let mut tx = db.store.read().await.unwrap();
    // The demo's five and the root, and External (self-registration) from bootstrap.
    assert_eq!(tx.count_levels().await.unwrap(), 7);
    assert_eq!(tx.count_users().await.unwrap(), 8);
    assert_eq!(tx.count_role(Role::AccessAdmin).await.unwrap(), 1);
    assert_eq!(tx.count_role(Role::UserAdmin).await.unwrap(), 2);
    assert_eq!(tx.count_role(Role::Operator).await.unwrap(), 1);
    let zoe = tx
        .user_by_email_key("zoe.papadopoulou@bank-f.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(zoe.first_name, "Ζωή");
    let root = tx.root_level().await.unwrap().unwrap();
    let names: Vec<String> = tx
        .subtree(&root)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert!(names.contains(&"Bank E Payments".to_owned()));
    drop(tx);
    // No setup link once the demo operator exists; the demo password is what is printed.
    assert_eq!(app.issue_setup_link().await.unwrap(), None);
    assert_eq!(DEMO_PASSWORD, "Tessera-Demo-2026");

    // A database with other accounts is never filled with demo data.
    let other = TestDatabase::sqlite().await.unwrap();
    let (other_app, _) = self::app(&other);
    other_app.bootstrap().await.unwrap();
    let mut input = operator("olga@tessera.example");
    input.confirm = None;
    other_app
        .create_operator(input, &Ctx::system())
        .await
        .unwrap();
    assert!(matches!(
        other_app.load_demo().await,
        Err(AppError::DemoRefused)
    ));
}

async fn the_audit_chain_covers_every_change(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let ChainReport::Intact { events } = app.verify_audit_chain().await.unwrap() else {
        panic!("the chain is broken");
    };
    // Root level, the External level, signing keys (ES256, RS256, EdDSA), 5 levels, 8 users,
    // 1 operator, 2 user administrator and 1 access administrator grants, 3 applications,
    // 6 memberships, the demo load.
    assert_eq!(events, 32);
    let mut tx = db.store.begin().await.unwrap();
    match tx.conn() {
        tessera_store::Conn::Sqlite(c) => {
            sqlx::query("DELETE FROM audit_events WHERE seq = 18")
                .execute(c)
                .await
                .unwrap();
        }
        tessera_store::Conn::Postgres(c) => {
            sqlx::query("DELETE FROM audit_events WHERE seq = 18")
                .execute(c)
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
    assert!(matches!(
        app.verify_audit_chain().await.unwrap(),
        ChainReport::Broken(_)
    ));
}

async fn sessions_end_when_idle_too_old_or_when_the_account_expires(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let sign_in = || full_sign_in(&app, "pierre.dupont@bank-e.example");

    // Used every 20 minutes, a session lives; 30 minutes unused, it ends.
    let token = sign_in().await;
    for _ in 0..3 {
        clock.advance(Duration::minutes(20));
        assert!(app.current_session(&token).await.unwrap().is_some());
    }
    clock.advance(Duration::minutes(30));
    assert!(app.current_session(&token).await.unwrap().is_none());

    // However busy, no session outlives 12 hours.
    let token = sign_in().await;
    for _ in 0..35 {
        clock.advance(Duration::minutes(20));
        assert!(app.current_session(&token).await.unwrap().is_some());
    }
    clock.advance(Duration::minutes(20));
    assert!(app.current_session(&token).await.unwrap().is_none());

    // An account past its expiration date loses its sessions and cannot sign in.
    let token = sign_in().await;
    let mut tx = db.store.begin().await.unwrap();
    match tx.conn() {
        tessera_store::Conn::Sqlite(c) => {
            sqlx::query(
                "UPDATE users SET expires_at = 0 WHERE email_key = 'pierre.dupont@bank-e.example'",
            )
            .execute(c)
            .await
            .unwrap();
        }
        tessera_store::Conn::Postgres(c) => {
            sqlx::query("UPDATE users SET expires_at = timestamptz '2026-01-01 00:00:00+00' WHERE email_key = 'pierre.dupont@bank-e.example'")
                .execute(c)
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
    assert!(app.current_session(&token).await.unwrap().is_none());
    let refused = app
        .sign_in_with_password(
            "pierre.dupont@bank-e.example",
            DEMO_PASSWORD,
            None,
            ClientInfo::default(),
            &Ctx::anonymous(None),
        )
        .await;
    assert!(
        matches!(refused, Err(AppError::AccountUnavailable(_))),
        "{refused:?}"
    );
    let wrong = app
        .sign_in_with_password(
            "pierre.dupont@bank-e.example",
            "Wrong-Password-1",
            None,
            ClientInfo::default(),
            &Ctx::anonymous(None),
        )
        .await;
    assert!(
        matches!(wrong, Err(AppError::SignInFailed)),
        "the state shows only with the right password"
    );
}

async fn sign_in_codes_expire_after_three_minutes(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let ctx = Ctx::anonymous(None);
    let outcome = app
        .sign_in_with_password(
            "erika.mustermann@bank-e.example",
            DEMO_PASSWORD,
            None,
            ClientInfo::default(),
            &ctx,
        )
        .await
        .unwrap();
    let PasswordOutcome::NeedsCode(step) = outcome else {
        panic!("Erika has a phone: a code was due");
    };
    let view = app
        .sign_in_challenge(&step.challenge)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.phone, "+49********002");
    let sent = app
        .claim_outgoing("test", Duration::minutes(1), 10)
        .await
        .unwrap();
    let code = sent[0].args["code"].clone();
    assert_eq!(code.len(), 6);
    assert_eq!(sent[0].template, "sign-in-code");
    assert_eq!(sent[0].language, "de");
    clock.advance(Duration::minutes(3));
    assert!(matches!(
        app.verify_sign_in_code(&step.challenge, &code, None, ClientInfo::default(), &ctx)
            .await,
        Err(AppError::CodeExpired)
    ));
    assert!(matches!(
        app.verify_sign_in_code(&step.challenge, &code, None, ClientInfo::default(), &ctx)
            .await,
        Err(AppError::ChallengeGone)
    ));
    assert!(
        app.sign_in_challenge(&step.challenge)
            .await
            .unwrap()
            .is_none()
    );
}

async fn ten_thousand_wrong_passwords_never_get_in_nor_lock_out_others(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let ctx = Ctx::anonymous(None);
    let target = "erika.mustermann@bank-e.example";
    let (mut refused, mut checked, mut locks_seen) = (0, 0, 0);
    for attempt in 0..10_000 {
        let guess = format!("Guess-{attempt:05}-x");
        match app
            .sign_in_with_password(target, &guess, None, ClientInfo::default(), &ctx)
            .await
        {
            Err(AppError::SignInFailed) => checked += 1,
            Err(AppError::Throttled { locked, .. }) => {
                refused += 1;
                if locked {
                    locks_seen += 1;
                }
            }
            other => panic!("attempt {attempt} was answered {other:?}"),
        }
        if attempt % 100 == 99 {
            clock.advance(Duration::seconds(40));
        }
        // Someone else signs in undisturbed throughout.
        if attempt % 2_000 == 0 {
            full_sign_in(&app, "pierre.dupont@bank-e.example").await;
        }
    }
    // Only a few guesses ever reached the password check; the rest were refused at once.
    assert!(checked < 150, "{checked} guesses were checked");
    assert_eq!(checked + refused, 10_000);
    assert!(locks_seen > 0, "the account was never locked");

    // While locked, even the right password is refused; an operator lifts the lock.
    let mut tx = db.store.read().await.unwrap();
    let locked = tessera_store::SignInFailures::failures(&mut tx, target)
        .await
        .unwrap()
        .locked_until
        .is_some_and(|until| until > clock.now());
    drop(tx);
    if !locked {
        for n in 0..10 {
            let _ = app
                .sign_in_with_password(
                    target,
                    &format!("More-{n}-x"),
                    None,
                    ClientInfo::default(),
                    &ctx,
                )
                .await;
            clock.advance(Duration::seconds(31));
        }
    }
    assert!(matches!(
        app.sign_in_with_password(target, DEMO_PASSWORD, None, ClientInfo::default(), &ctx)
            .await,
        Err(AppError::Throttled { locked: true, .. })
    ));
    assert!(app.unlock_sign_in(&Ctx::system(), target).await.unwrap());
    assert!(
        app.sign_in_with_password(target, DEMO_PASSWORD, None, ClientInfo::default(), &ctx)
            .await
            .is_ok()
    );

    let mut tx = db.store.read().await.unwrap();
    let events = tx.audit_events_after(0, 100_000).await.unwrap();
    assert!(events.iter().any(|e| e.action == "signin.lock"));
    assert!(events.iter().any(|e| e.action == "signin.unlock"));
}

async fn password_reset_links_expire_after_an_hour(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let ctx = Ctx::anonymous(None);
    app.request_password_reset("fiona.walsh@bank-f.example", &ctx)
        .await
        .unwrap();
    let sent = app
        .claim_outgoing("test", Duration::minutes(1), 10)
        .await
        .unwrap();
    let link = sent[0].args["link"].clone();
    assert!(
        link.starts_with("http://localhost:8080/signin/reset/"),
        "{link}"
    );
    let token = link.rsplit('/').next().unwrap();
    app.check_reset_link(token).await.unwrap();
    clock.advance(Duration::minutes(60));
    assert!(matches!(
        app.check_reset_link(token).await,
        Err(AppError::ResetLinkInvalid)
    ));
    assert!(matches!(
        app.complete_password_reset(token, "Quiet-Meadow-2040", "Quiet-Meadow-2040", &ctx)
            .await,
        Err(AppError::ResetLinkInvalid)
    ));
}

async fn old_password_hashes_are_upgraded_at_sign_in(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    let mut input = operator("olga@tessera.example");
    input.confirm = None;
    let olga = app.create_operator(input, &Ctx::system()).await.unwrap();
    // A hash made with weaker parameters than today's, as an older release would have.
    let old = tessera_auth::PasswordHasher::with_params(
        argon2::Params::new(4096, 1, 1, None).unwrap(),
        1,
        1,
    )
    .hash("Winter-Lake-1987".into())
    .await
    .unwrap();
    let mut tx = db.store.begin().await.unwrap();
    tx.set_password(olga.id, &old, OffsetDateTime::now_utc())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let outcome = app
        .sign_in_with_password(
            "olga@tessera.example",
            "Winter-Lake-1987",
            None,
            ClientInfo::default(),
            &Ctx::anonymous(None),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, PasswordOutcome::SignedIn(_)));
    let mut tx = db.store.read().await.unwrap();
    let stored = tx.password(olga.id).await.unwrap().unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    assert_ne!(stored, old);
}

async fn the_sweep_removes_what_has_served_its_purpose(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let ctx = Ctx::anonymous(None);
    // A session, a failure count, a pending code challenge and a reset link.
    full_sign_in(&app, "pierre.dupont@bank-e.example").await;
    let _ = app
        .sign_in_with_password(
            "erika.mustermann@bank-e.example",
            "Wrong-Guess-1",
            None,
            ClientInfo::default(),
            &ctx,
        )
        .await;
    app.sign_in_with_password(
        "erika.mustermann@bank-e.example",
        DEMO_PASSWORD,
        None,
        ClientInfo::default(),
        &ctx,
    )
    .await
    .unwrap();
    app.request_password_reset("fiona.walsh@bank-f.example", &ctx)
        .await
        .unwrap();
    // Every queued message delivered.
    let sent = app
        .claim_outgoing("test", Duration::minutes(1), 100)
        .await
        .unwrap();
    for message in &sent {
        app.finish_outgoing(message, "test", Ok(())).await.unwrap();
    }
    assert!(!sent.is_empty());

    let retention = Duration::days(90);
    assert_eq!(
        app.sweep(retention).await.unwrap().total(),
        0,
        "nothing is stale yet"
    );
    clock.advance(Duration::days(8));
    let swept = app.sweep(retention).await.unwrap();
    assert_eq!(swept.sessions, 1);
    assert_eq!(swept.challenges, 1);
    assert_eq!(swept.resets, 1);
    assert_eq!(swept.failures, 1);
    assert_eq!(swept.messages, 0, "messages are kept for their retention");
    let swept = app.sweep(Duration::days(1)).await.unwrap();
    assert_eq!(swept.messages, sent.len() as u64);
    // The audit trail is never swept.
    assert!(matches!(
        app.verify_audit_chain().await.unwrap(),
        ChainReport::Intact { .. }
    ));
}

async fn signing_keys_rotate_with_overlap(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let first = app.signing_kid().await.unwrap();
    // Nothing is due on a new installation; only operators rotate.
    assert_eq!(app.rotate_signing_key_when_due().await.unwrap(), None);
    let erika = {
        let mut tx = db.store.read().await.unwrap();
        tx.user_by_email_key("erika.mustermann@bank-e.example")
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let as_erika = Ctx {
        actor: tessera_domain::audit::Actor::User(erika),
        request_id: None,
    };
    assert!(matches!(
        app.rotate_signing_key(&as_erika).await,
        Err(AppError::Forbidden)
    ));

    clock.advance(Duration::days(30));
    let rotation = app.rotate_signing_key(&Ctx::system()).await.unwrap();
    // One key per algorithm (ES256, RS256, EdDSA) is replaced by a new one of its own.
    assert_eq!(rotation.replaced, 3);
    assert_eq!(rotation.new_kids.len(), 3);
    let published = |app: &App| {
        let app = app.clone();
        async move {
            app.public_keys()
                .await
                .unwrap()
                .iter()
                .filter_map(|k| k.kid().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };
    // Both published; the old one still signs until the new one has been out an hour.
    assert_eq!(published(&app).await.len(), 6);
    assert_eq!(app.signing_kid().await.unwrap(), first);
    clock.advance(Duration::hours(1));
    assert_eq!(app.signing_kid().await.unwrap(), rotation.new_kid);
    assert_eq!(published(&app).await.len(), 6);
    // A day later (the overlap) the old key leaves the key set.
    clock.advance(Duration::days(1));
    let mut left = published(&app).await;
    left.sort();
    let mut new_kids = rotation.new_kids.clone();
    new_kids.sort();
    assert_eq!(left, new_kids);
    // The sweep rotates again once the newest key is 90 days old.
    clock.advance(Duration::days(89));
    assert!(app.rotate_signing_key_when_due().await.unwrap().is_some());
}
