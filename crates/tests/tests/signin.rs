//! Signing in and out over HTTP, sessions, CSRF, and the operators' outbox page and API,
//! on both databases.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::StatusCode;
use serde_json::json;
use tessera_app::DEMO_PASSWORD;
use tessera_testkit::{Backend, TestServer};

const OPERATOR: &str = "operator@tessera.example";
const ERIKA: &str = "erika.mustermann@bank-e.example";

async fn demo(backend: Backend) -> Option<TestServer> {
    let server = TestServer::start(backend).await.unwrap()?;
    server.app.load_demo().await.unwrap();
    Some(server)
}

tessera_testkit::on_both_backends!(
    signing_in_opens_a_fresh_http_only_session,
    unknown_addresses_and_wrong_passwords_get_the_same_answer,
    the_email_address_is_remembered_and_can_be_changed,
    forms_without_the_csrf_token_are_refused,
    signing_out_ends_the_session_for_good,
    only_operators_see_the_outbox_page,
    the_outbox_api_needs_a_session_an_operator_and_csrf,
    the_code_step_counts_wrong_codes_and_starts_over_after_five,
    resending_by_voice_makes_voice_the_default,
    accounts_without_a_second_factor_sign_in_at_low_assurance,
    repeated_failures_slow_down_known_and_unknown_addresses_alike,
    one_address_gets_a_bounded_number_of_sign_in_posts,
    my_sessions_are_listed_and_each_can_be_ended,
    changing_the_password_needs_the_current_one_and_ends_other_sessions,
    a_lost_password_is_reset_through_a_single_use_link,
);

async fn signing_in_opens_a_fresh_http_only_session(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = server.client();
    let done = server
        .sign_in(&client, OPERATOR, DEMO_PASSWORD)
        .await
        .unwrap();
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.header("location"), Some("/account"));
    let set_cookies: Vec<&str> = done
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = set_cookies
        .iter()
        .find(|c| c.starts_with("tessera_session="))
        .unwrap();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(session.contains("Path=/"), "{session}");
    // http:// public URL in tests: not Secure (an https one sets Secure, as for HSTS).
    assert!(!session.contains("Secure"), "{session}");
    let first = client.cookie("tessera_session").unwrap();
    assert!(first.len() >= 43);

    let account = client.page("/account").await.unwrap();
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("<dd>Olivia</dd>"));
    assert!(account.body.contains("Messages (outbox)"));

    // Signing in again gives a new token and ends the old session.
    server
        .sign_in(&client, OPERATOR, DEMO_PASSWORD)
        .await
        .unwrap();
    let second = client.cookie("tessera_session").unwrap();
    assert_ne!(first, second);
    let replay = tessera_testkit::Client::new(&server.base_url);
    replay.set_cookie("tessera_session", &first);
    assert_eq!(
        replay.page("/account").await.unwrap().status,
        StatusCode::SEE_OTHER
    );
}

async fn unknown_addresses_and_wrong_passwords_get_the_same_answer(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let wrong = server
        .client()
        .sign_in(OPERATOR, "Not-The-Password-1")
        .await
        .unwrap();
    let unknown = server
        .client()
        .sign_in("nobody@tessera.example", "Not-The-Password-1")
        .await
        .unwrap();
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let strip = |page: &str, email: &str| page.replace(email, "EMAIL");
    let csrf_free = |page: String| {
        page.lines()
            .filter(|l| !l.contains("name=\"csrf\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        csrf_free(strip(&wrong.body, OPERATOR)),
        csrf_free(strip(&unknown.body, "nobody@tessera.example"))
    );
    assert!(
        wrong
            .body
            .contains("The e-mail address or password is not correct.")
    );
    assert!(
        wrong
            .header("set-cookie")
            .is_none_or(|c| !c.starts_with("tessera_session"))
    );
}

async fn the_email_address_is_remembered_and_can_be_changed(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = server.client();
    server.sign_in(&client, ERIKA, DEMO_PASSWORD).await.unwrap();
    // Next time, the browser skips the address step...
    let next = client.page("/signin").await.unwrap();
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert_eq!(next.header("location"), Some("/signin/password"));
    let step = client.page("/signin/password").await.unwrap();
    assert!(step.body.contains(ERIKA));
    assert!(step.body.contains("Sign in with another e-mail address"));
    // ...unless the person changes it.
    let change = client.page("/signin?change=1").await.unwrap();
    assert_eq!(change.status, StatusCode::OK);
    assert!(change.body.contains("Sign in to continue"));
    assert!(client.cookie("tessera_email").is_none());

    let csrf = client.cookie("tessera_csrf").unwrap();
    let bad = client
        .post_form("/signin", &[("csrf", &csrf), ("email", "not an address")])
        .await
        .unwrap();
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("Enter an e-mail address in the form name@example.org.")
    );
}

async fn forms_without_the_csrf_token_are_refused(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = server.client();
    client.page("/signin?change=1").await.unwrap();
    let missing = client
        .post_form("/signin", &[("email", OPERATOR)])
        .await
        .unwrap();
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let forged = client
        .post_form(
            "/signin/password",
            &[
                ("csrf", "forged-token-forged-token-forged-token-00"),
                ("email", OPERATOR),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await
        .unwrap();
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("The form has expired"));
    // A browser without the cookie (another site's form) is refused too.
    let stranger = tessera_testkit::Client::new(&server.base_url);
    let cross_site = stranger
        .post_form(
            "/signin/password",
            &[
                ("csrf", "x"),
                ("email", OPERATOR),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await
        .unwrap();
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
}

async fn signing_out_ends_the_session_for_good(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = server.client();
    server
        .sign_in(&client, OPERATOR, DEMO_PASSWORD)
        .await
        .unwrap();
    let token = client.cookie("tessera_session").unwrap();
    let csrf = client.cookie("tessera_csrf").unwrap();
    let out = client
        .post_form("/signout", &[("csrf", &csrf)])
        .await
        .unwrap();
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(client.cookie("tessera_session").is_none());
    assert_eq!(
        client.page("/account").await.unwrap().header("location"),
        Some("/signin")
    );
    // The old token, replayed, opens nothing.
    let replay = tessera_testkit::Client::new(&server.base_url);
    replay.set_cookie("tessera_session", &token);
    assert_eq!(
        replay.page("/account").await.unwrap().status,
        StatusCode::SEE_OTHER
    );
    let (status, _) = replay.get_json("/api/v1/outbox").await.unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn only_operators_see_the_outbox_page(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let anonymous = server.client();
    let redirect = anonymous.page("/admin/outbox").await.unwrap();
    assert_eq!(redirect.status, StatusCode::SEE_OTHER);
    assert_eq!(redirect.header("location"), Some("/signin"));

    let erika = server.client();
    server.sign_in(&erika, ERIKA, DEMO_PASSWORD).await.unwrap();
    let denied = erika.page("/admin/outbox").await.unwrap();
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(
        !erika
            .page("/account")
            .await
            .unwrap()
            .body
            .contains("Messages (outbox)")
    );

    let operator = server.client();
    server
        .sign_in(&operator, OPERATOR, DEMO_PASSWORD)
        .await
        .unwrap();
    let csrf = operator.cookie("tessera_csrf").unwrap();
    let (status, _) = operator
        .post_json(
            "/api/v1/outbox/test-messages",
            &json!({"channel": "sms", "to": "+49 151 2345 6789", "language": "de"}),
            Some(&csrf),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::ACCEPTED);
    let page = operator.page("/admin/outbox").await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Queued (1)"), "{}", page.body);
    assert!(page.body.contains("+49********789"));
    assert!(page.body.contains("test-message (de)"));
    assert!(!page.body.contains("+4915123456789"));
    let filtered = operator.page("/admin/outbox?state=failed").await.unwrap();
    assert!(filtered.body.contains("No messages in this state."));
    let nonsense = operator.page("/admin/outbox?state=lost").await.unwrap();
    assert_eq!(nonsense.status, StatusCode::BAD_REQUEST);
}

async fn the_outbox_api_needs_a_session_an_operator_and_csrf(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let (status, problem) = server.client().get_json("/api/v1/outbox").await.unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["type"], "urn:tessera:problem:not-signed-in");

    let erika = server.client();
    server.sign_in(&erika, ERIKA, DEMO_PASSWORD).await.unwrap();
    let (status, problem) = erika.get_json("/api/v1/outbox").await.unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["status"], 403);

    let operator = server.client();
    server
        .sign_in(&operator, OPERATOR, DEMO_PASSWORD)
        .await
        .unwrap();
    let csrf = operator.cookie("tessera_csrf").unwrap();
    let body = json!({"channel": "email", "to": "ops@bank-e.example"});
    let (status, _) = operator
        .post_json("/api/v1/outbox/test-messages", &body, None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF header");
    let (status, created) = operator
        .post_json("/api/v1/outbox/test-messages", &body, Some(&csrf))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(created["id"].is_string());

    let (status, problem) = operator
        .post_json(
            "/api/v1/outbox/test-messages",
            &json!({"channel": "pigeon", "to": "x"}),
            Some(&csrf),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "channel");
    let (status, problem) = operator
        .post_json(
            "/api/v1/outbox/test-messages",
            &json!({"channel": "sms", "to": "0151 2345"}),
            Some(&csrf),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "recipient");
    let (status, _) = operator
        .post_json(
            "/api/v1/outbox/test-messages",
            &json!({"channel": "sms", "to": "+4915123456789", "priority": "high"}),
            Some(&csrf),
        )
        .await
        .unwrap();
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );

    let (status, view) = operator
        .get_json("/api/v1/outbox?state=queued")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["queued"], 1);
    assert_eq!(view["items"][0]["recipient"], "o***@bank-e.example");
    assert_eq!(view["items"][0]["template"], "test-message");
    let (status, _) = operator
        .get_json("/api/v1/outbox?colour=red")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Each attempt is visible once a worker has tried.
    let worker = tessera_notify::DeliveryWorker::new(
        server.app.clone(),
        tessera_notify::Adapters::console(),
        tessera_notify::WorkerConfig::default(),
    );
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let id = created["id"].as_str().unwrap();
    let (status, attempts) = operator
        .get_json(&format!("/api/v1/outbox/{id}/attempts"))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attempts[0]["attempt"], 1);
    assert_eq!(attempts[0]["outcome"], "delivered");
    assert_eq!(attempts[0]["worker"], worker.id());
    let (status, _) = erika
        .get_json(&format!("/api/v1/outbox/{id}/attempts"))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = operator
        .get_json("/api/v1/outbox/not-an-id/attempts")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_code_step_counts_wrong_codes_and_starts_over_after_five(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = server.client();
    let step = client.sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    assert_eq!(step.header("location"), Some("/signin/code"));
    let page = client.page("/signin/code").await.unwrap();
    assert!(page.body.contains("Secure login with SMS"));
    assert!(page.body.contains("+49********002"));
    assert!(page.body.contains("Resend code using Voice"));
    assert!(page.body.contains("Resend code using SMS"));
    assert!(page.body.contains("Try another way"));
    let phone = server.phone_of(ERIKA).await.unwrap();
    let code = server.latest_code(&phone).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..=4).rev() {
        let answer = client.submit_code(wrong).await.unwrap();
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(
            answer
                .body
                .contains(&format!("You can try {left} more times.")),
            "{}",
            answer.body
        );
    }
    let fifth = client.submit_code(wrong).await.unwrap();
    assert_eq!(
        fifth.header("location"),
        Some("/signin/password?restart=exhausted")
    );
    // The right code no longer opens anything: the step starts over.
    let late = client.submit_code(&code).await.unwrap();
    assert_eq!(late.header("location"), Some("/signin"));
    assert!(client.cookie("tessera_session").is_none());
    let again = client
        .page("/signin/password?restart=exhausted")
        .await
        .unwrap();
    assert!(again.body.contains("The code was wrong too many times."));
}

async fn resending_by_voice_makes_voice_the_default(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = server.client();
    client.sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    let phone = server.phone_of(ERIKA).await.unwrap();
    let first = server.latest_code(&phone).await.unwrap();
    let csrf = client.cookie("tessera_csrf").unwrap();
    let resent = client
        .post_form(
            "/signin/code/resend",
            &[("csrf", &csrf), ("method", "voice")],
        )
        .await
        .unwrap();
    assert_eq!(resent.header("location"), Some("/signin/code"));
    assert!(
        client
            .page("/signin/code")
            .await
            .unwrap()
            .body
            .contains("Secure login with voice call")
    );
    server.deliver().await.unwrap();
    let voice = server.delivered().pop().unwrap();
    assert_eq!(voice["channel"], "voice");
    assert!(
        voice["text"].as_str().unwrap().contains(", "),
        "digit by digit: {voice}"
    );
    let second = server.latest_code(&phone).await.unwrap();
    // The first code was replaced.
    if first != second {
        assert_eq!(
            client.submit_code(&first).await.unwrap().status,
            StatusCode::UNAUTHORIZED
        );
    }
    let done = client.submit_code(&second).await.unwrap();
    assert_eq!(done.header("location"), Some("/account"));
    let account = client.page("/account").await.unwrap();
    assert!(
        account.body.contains("password, voice (medium assurance)"),
        "{}",
        account.body
    );

    // Next time, the code comes by voice first.
    let next = server.client();
    next.sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    assert!(
        next.page("/signin/code")
            .await
            .unwrap()
            .body
            .contains("Secure login with voice call")
    );
}

async fn accounts_without_a_second_factor_sign_in_at_low_assurance(backend: Backend) {
    let Some(server) = TestServer::start(backend).await.unwrap() else {
        return;
    };
    server
        .app
        .create_operator(
            tessera_app::NewOperator {
                first_name: "Olga".into(),
                last_name: "Berger".into(),
                email: "olga@tessera.example".into(),
                language: "de".into(),
                password: "Winter-Lake-1987".into(),
                confirm: None,
            },
            &tessera_app::Ctx::system(),
        )
        .await
        .unwrap();
    let client = server.client();
    let done = client
        .sign_in("olga@tessera.example", "Winter-Lake-1987")
        .await
        .unwrap();
    assert_eq!(done.header("location"), Some("/account"));
    let account = client.page("/account").await.unwrap();
    assert!(account.body.contains("password (low assurance)"));
}

async fn repeated_failures_slow_down_known_and_unknown_addresses_alike(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let mut answers = Vec::new();
    for email in [ERIKA, "nobody@bank-e.example"] {
        let client = server.client();
        let mut statuses = Vec::new();
        let mut last = None;
        for n in 0..5 {
            let page = client
                .sign_in(email, &format!("Wrong-Guess-{n}"))
                .await
                .unwrap();
            statuses.push(page.status.as_u16());
            last = Some(page);
        }
        let last = last.unwrap();
        assert!(last.header("retry-after").is_some());
        assert!(
            last.body.contains("Too many failed attempts. Wait"),
            "{}",
            last.body
        );
        answers.push(statuses);
    }
    // Three free failures, a fourth that starts the wait, then refusals: the same for an
    // address with an account and one without.
    assert_eq!(answers[0], [401, 401, 401, 401, 429]);
    assert_eq!(answers[0], answers[1]);
}

async fn one_address_gets_a_bounded_number_of_sign_in_posts(backend: Backend) {
    let Some(server) = TestServer::start_configured(
        backend,
        |router| router,
        |web| {
            web.signin_per_address_per_minute = 5;
        },
    )
    .await
    .unwrap() else {
        return;
    };
    let client = server.client();
    client.page("/signin?change=1").await.unwrap();
    let csrf = client.cookie("tessera_csrf").unwrap();
    let mut statuses = Vec::new();
    for n in 0..8 {
        let email = format!("someone{n}@bank-e.example");
        let answer = client
            .post_form("/signin", &[("csrf", &csrf), ("email", &email)])
            .await
            .unwrap();
        statuses.push(answer.status.as_u16());
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(answer.header("retry-after").is_some());
            assert!(
                answer
                    .body
                    .contains("Too many sign-in attempts came from your network.")
            );
        }
    }
    assert_eq!(statuses, [303, 303, 303, 303, 303, 429, 429, 429]);
    // Pages are still served; only sign-in posts are limited.
    assert_eq!(
        client.page("/signin?change=1").await.unwrap().status,
        StatusCode::OK
    );
    assert_eq!(client.healthz().await.unwrap().status, "ok");
    let mut tx = server.db.store.read().await.unwrap();
    let events = tessera_store::AuditLog::audit_events_after(&mut tx, 0, 1000)
        .await
        .unwrap();
    let limited = events
        .iter()
        .filter(|e| e.action == "signin.rate_limit")
        .count();
    assert_eq!(limited, 1, "audited once per address and minute");
}

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
    let start = text.find(&server.base_url).unwrap();
    let link = text[start..].split_whitespace().next().unwrap();
    let path = link.trim_start_matches(&server.base_url).to_owned();

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
