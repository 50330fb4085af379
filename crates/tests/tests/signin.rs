//! Signing in and out over HTTP: the steps, codes, sessions, CSRF and throttling,
//! on both databases.

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
    signing_in_opens_a_fresh_http_only_session,
    unknown_addresses_and_wrong_passwords_get_the_same_answer,
    the_email_address_is_remembered_and_can_be_changed,
    forms_without_the_csrf_token_are_refused,
    signing_out_ends_the_session_for_good,
    the_code_step_counts_wrong_codes_and_starts_over_after_five,
    resending_by_voice_makes_voice_the_default,
    accounts_without_a_second_factor_sign_in_at_low_assurance,
    repeated_failures_slow_down_known_and_unknown_addresses_alike,
    one_address_gets_a_bounded_number_of_sign_in_posts,
    a_burst_beyond_the_hashing_pool_is_answered_503_with_retry_after,
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
        |web, _| {
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

async fn a_burst_beyond_the_hashing_pool_is_answered_503_with_retry_after(backend: Backend) {
    let Some(server) = TestServer::start_configured(
        backend,
        |router| router,
        |_, app| {
            app.hash_parallel = 1;
            app.hash_queue = 0;
        },
    )
    .await
    .unwrap() else {
        return;
    };
    server.app.load_demo().await.unwrap();
    // Every client reaches the password step, then all post their passwords at once.
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let client = server.client();
            let barrier = std::sync::Arc::clone(&barrier);
            tokio::spawn(async move {
                client.page("/signin?change=1").await.unwrap();
                let csrf = client.cookie("tessera_csrf").unwrap();
                client
                    .post_form("/signin", &[("csrf", csrf.as_str()), ("email", ERIKA)])
                    .await
                    .unwrap();
                barrier.wait().await;
                client
                    .post_form(
                        "/signin/password",
                        &[
                            ("csrf", csrf.as_str()),
                            ("email", ERIKA),
                            ("password", DEMO_PASSWORD),
                        ],
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut busy = 0;
    let mut through = 0;
    for attempt in attempts {
        let page = attempt.await.unwrap();
        match page.status {
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert_eq!(page.header("retry-after"), Some("2"));
                assert!(page.body.contains("Tessera is busy"), "{}", page.body);
            }
            StatusCode::SEE_OTHER => through += 1,
            other => panic!("unexpected {other}: {}", page.body),
        }
    }
    assert!(busy > 0, "no request was refused");
    assert!(through > 0, "no request got through");
}
