//! My Account over HTTP: sessions, changing the password, and "Lost your password?", on
//! both databases.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::StatusCode;
use tessera_app::DEMO_PASSWORD;
use tessera_testkit::{Backend, TestServer};

use tessera_testkit::demo::{ERIKA, OPERATOR};

async fn demo(backend: Backend) -> Option<TestServer> {
    TestServer::start_demo(backend).await.unwrap()
}

tessera_testkit::on_both_backends!(
    my_sessions_are_listed_and_each_can_be_ended,
    changing_the_password_needs_the_current_one_and_ends_other_sessions,
    a_lost_password_is_reset_through_a_single_use_link,
    an_operator_ends_every_session_of_a_person,
    a_user_administrator_secures_accounts_of_their_subtree_only,
);

async fn my_sessions_are_listed_and_each_can_be_ended(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let laptop = server.client();
    let phone = server.client();
    let operator = server.client();
    server.sign_in(&laptop, ERIKA, DEMO_PASSWORD).await.unwrap();
    server.sign_in(&phone, ERIKA, DEMO_PASSWORD).await.unwrap();
    server
        .sign_in(&operator, OPERATOR, DEMO_PASSWORD)
        .await
        .unwrap();

    let account = laptop.page("/account").await.unwrap();
    assert!(account.body.contains("Display my sessions"));
    let page = laptop.page("/account/sessions").await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("(this browser)").count(), 1);
    assert_eq!(
        page.body.matches("<tr>").count(),
        3,
        "a header row and two sessions"
    );
    assert!(page.body.contains("password, sms"));
    assert!(page.body.contains("127.0.0.1"));
    let start = page.body.find("/account/sessions/").unwrap() + "/account/sessions/".len();
    let other = page.body[start..].split('/').next().unwrap().to_owned();

    // Another person cannot end it, and neither can a form without the token.
    let csrf = operator.cookie("tessera_csrf").unwrap();
    let foreign = operator
        .post_form(
            &format!("/account/sessions/{other}/end"),
            &[("csrf", &csrf)],
        )
        .await
        .unwrap();
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let forged = laptop
        .post_form(
            &format!("/account/sessions/{other}/end"),
            &[("csrf", "forged")],
        )
        .await
        .unwrap();
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(phone.page("/account").await.unwrap().status, StatusCode::OK);

    let csrf = laptop.cookie("tessera_csrf").unwrap();
    let ended = laptop
        .post_form(
            &format!("/account/sessions/{other}/end"),
            &[("csrf", &csrf)],
        )
        .await
        .unwrap();
    assert_eq!(ended.header("location"), Some("/account/sessions"));
    assert_eq!(
        phone.page("/account").await.unwrap().header("location"),
        Some("/signin")
    );
    let after = laptop.page("/account/sessions").await.unwrap();
    assert_eq!(after.body.matches("<tr>").count(), 2);
    assert_eq!(
        laptop.page("/account").await.unwrap().status,
        StatusCode::OK
    );
}

async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let laptop = server.client();
    let phone = server.client();
    server.sign_in(&laptop, ERIKA, DEMO_PASSWORD).await.unwrap();
    server.sign_in(&phone, ERIKA, DEMO_PASSWORD).await.unwrap();
    let form = laptop.page("/account/password").await.unwrap();
    assert!(form.body.contains("Current password"));
    assert!(form.body.contains("Confirm new password"));
    let csrf = laptop.cookie("tessera_csrf").unwrap();
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let laptop = laptop.clone();
        let csrf = csrf.clone();
        async move {
            laptop
                .post_form(
                    "/account/password",
                    &[
                        ("csrf", csrf.as_str()),
                        ("current_password", current),
                        ("new_password", new),
                        ("confirm", confirm),
                    ],
                )
                .await
                .unwrap()
        }
    };

    let wrong = change("Not-It-1234", "Harbour-Lights-77", "Harbour-Lights-77").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Your current password is not correct."));
    let weak = change(DEMO_PASSWORD, "erika2026", "erika2027").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("Use at least 10 characters"));
    assert!(weak.body.contains("Do not use your name or e-mail address"));
    assert!(weak.body.contains("The two passwords are not the same."));
    // On a leaked list, or easy to guess: refused with what to do instead.
    let leaked = change(DEMO_PASSWORD, "Password123!", "Password123!").await;
    assert!(
        leaked
            .body
            .contains("it is in a public database with insecure passwords")
    );
    let guessable = change(DEMO_PASSWORD, "January2026!", "January2026!").await;
    assert!(
        guessable.body.contains("This password is easy to guess."),
        "{}",
        guessable.body
    );
    let same = change(DEMO_PASSWORD, DEMO_PASSWORD, DEMO_PASSWORD).await;
    assert!(
        same.body
            .contains("Choose a password other than your current one.")
    );

    let done = change(DEMO_PASSWORD, "Harbour-Lights-77", "Harbour-Lights-77").await;
    assert_eq!(done.header("location"), Some("/account?password=changed"));
    let account = laptop.page("/account?password=changed").await.unwrap();
    assert!(account.body.contains("Your password was changed."));
    // The other session is over; this one goes on.
    assert_eq!(
        phone.page("/account").await.unwrap().header("location"),
        Some("/signin")
    );
    assert_eq!(
        laptop.page("/account").await.unwrap().status,
        StatusCode::OK
    );
    // The old password no longer signs in; the new one does; the person was told.
    let old = server.client().sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let fresh = server.client();
    let signed = server
        .sign_in(&fresh, ERIKA, "Harbour-Lights-77")
        .await
        .unwrap();
    assert_eq!(signed.header("location"), Some("/account"));
    server.deliver().await.unwrap();
    let notice = server
        .delivered()
        .into_iter()
        .find(|m| m["recipient"] == ERIKA)
        .unwrap();
    assert_eq!(notice["subject"], "Ihr Tessera-Passwort wurde geändert");
}

async fn a_lost_password_is_reset_through_a_single_use_link(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let phone = server.client();
    server.sign_in(&phone, ERIKA, DEMO_PASSWORD).await.unwrap();
    server.deliver().await.unwrap();
    let mails_before = server.delivered().len();

    let client = server.client();
    let step = client.page("/signin/reset").await.unwrap();
    assert!(step.body.contains("Lost your password?"));
    let csrf = client.cookie("tessera_csrf").unwrap();
    let ask = |email: &'static str| {
        let client = client.clone();
        let csrf = csrf.clone();
        async move {
            client
                .post_form(
                    "/signin/reset",
                    &[("csrf", csrf.as_str()), ("email", email)],
                )
                .await
                .unwrap()
        }
    };
    let unknown = ask("nobody@bank-e.example").await;
    let known = ask(ERIKA).await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(known.status, StatusCode::OK);
    let strip = |body: &str, email: &str| body.replace(email, "EMAIL");
    assert_eq!(
        strip(&unknown.body, "nobody@bank-e.example"),
        strip(&known.body, ERIKA),
        "the answer must not tell which address has an account"
    );
    // Asking again at once sends nothing more.
    ask(ERIKA).await;
    server.deliver().await.unwrap();
    let mails: Vec<_> = server.delivered().into_iter().skip(mails_before).collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["recipient"], ERIKA);
    assert_eq!(mails[0]["subject"], "Tessera-Passwort zurücksetzen");
    let text = mails[0]["text"].as_str().unwrap();
    let start = text.find(&server.public_url).unwrap();
    let link = text[start..].split_whitespace().next().unwrap();
    let path = link.trim_start_matches(&server.public_url).to_owned();

    let form = client.page(&path).await.unwrap();
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Choose a new password"));
    let post = |new: &'static str, confirm: &'static str| {
        let client = client.clone();
        let csrf = csrf.clone();
        let path = path.clone();
        async move {
            client
                .post_form(
                    &path,
                    &[
                        ("csrf", csrf.as_str()),
                        ("new_password", new),
                        ("confirm", confirm),
                    ],
                )
                .await
                .unwrap()
        }
    };
    let weak = post("short", "short").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("Use at least 10 characters"));
    let done = post("Quiet-Meadow-2040", "Quiet-Meadow-2040").await;
    assert_eq!(
        done.header("location"),
        Some("/signin/password?restart=reset")
    );
    // Every session of the account ended; the link works once.
    assert_eq!(
        phone.page("/account").await.unwrap().header("location"),
        Some("/signin")
    );
    let again = client.page(&path).await.unwrap();
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.body.contains("This link does not work"));
    // The new password signs in, with the second factor as always.
    let fresh = server.client();
    let signed = server
        .sign_in(&fresh, ERIKA, "Quiet-Meadow-2040")
        .await
        .unwrap();
    assert_eq!(signed.header("location"), Some("/account"));
}

async fn an_operator_ends_every_session_of_a_person(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let laptop = server.client();
    let phone = server.client();
    server.sign_in(&laptop, ERIKA, DEMO_PASSWORD).await.unwrap();
    server.sign_in(&phone, ERIKA, DEMO_PASSWORD).await.unwrap();
    let mut tx = server.db.store.read().await.unwrap();
    let operator = tessera_store::Users::user_by_email_key(&mut tx, OPERATOR)
        .await
        .unwrap()
        .unwrap();
    let erika = tessera_store::Users::user_by_email_key(&mut tx, ERIKA)
        .await
        .unwrap()
        .unwrap();
    drop(tx);
    let as_user = |id| tessera_app::Ctx {
        actor: tessera_domain::audit::Actor::User(id),
        request_id: None,
    };
    // Erika cannot end the sessions of the operator (she may not even see the account: the
    // answer is "not found"); the operator can end hers.
    assert!(matches!(
        server
            .app
            .end_sessions_of(&as_user(erika.id), OPERATOR)
            .await,
        Err(tessera_app::AppError::NotFound)
    ));
    let ended = server
        .app
        .end_sessions_of(&as_user(operator.id), ERIKA)
        .await
        .unwrap();
    assert_eq!(ended, 2);
    for client in [&laptop, &phone] {
        assert_eq!(
            client.page("/account").await.unwrap().header("location"),
            Some("/signin")
        );
    }
}

/// Issue 4, points 5 and 6: the person's user administrator lifts a sign-in lock and ends
/// every session; outside their subtree they cannot (and learn nothing).
async fn a_user_administrator_secures_accounts_of_their_subtree_only(backend: Backend) {
    use tessera_testkit::demo::{FIONA, PIERRE, ULLA};
    let Some(server) = demo(backend).await else {
        return;
    };
    let ulla = {
        let mut tx = server.app.store().read().await.unwrap();
        use tessera_store::Users;
        tx.user_by_email_key(ULLA).await.unwrap().unwrap()
    };
    let as_ulla = tessera_app::Ctx {
        actor: tessera_domain::audit::Actor::User(ulla.id),
        request_id: None,
    };
    // Pierre (Bank E Payments, below Ulla's Bank E) is locked out, and signed in elsewhere.
    let laptop = server.client();
    server
        .sign_in(&laptop, PIERRE, DEMO_PASSWORD)
        .await
        .unwrap();
    {
        use tessera_store::SignInFailures;
        let now = time::OffsetDateTime::now_utc();
        let mut tx = server.app.store().begin().await.unwrap();
        tx.put_failures(
            PIERRE,
            &tessera_domain::throttle::Failures {
                count: 10,
                last_at: Some(now),
                locked_until: Some(now + time::Duration::minutes(15)),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let refused = server
        .client()
        .sign_in(PIERRE, DEMO_PASSWORD)
        .await
        .unwrap();
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    // Ulla lifts the lock and ends his sessions.
    assert!(server.app.unlock_sign_in(&as_ulla, PIERRE).await.unwrap());
    let ended = server.app.end_sessions_of(&as_ulla, PIERRE).await.unwrap();
    assert_eq!(ended, 1);
    assert_eq!(
        laptop.page("/account").await.unwrap().header("location"),
        Some("/signin")
    );
    let again = server.client();
    let done = server.sign_in(&again, PIERRE, DEMO_PASSWORD).await.unwrap();
    assert_eq!(done.header("location"), Some("/account"));
    // Fiona (Bank F) is outside Ulla's subtree.
    assert!(matches!(
        server.app.unlock_sign_in(&as_ulla, FIONA).await,
        Err(tessera_app::AppError::Forbidden)
    ));
    assert!(matches!(
        server.app.end_sessions_of(&as_ulla, FIONA).await,
        Err(tessera_app::AppError::NotFound)
    ));
    // An address without an account is only for operators.
    assert!(matches!(
        server
            .app
            .unlock_sign_in(&as_ulla, "nobody@bank-e.example")
            .await,
        Err(tessera_app::AppError::Forbidden)
    ));
}
