//! Second factors in self-service and at sign-in, over HTTP on both databases: phone numbers
//! confirmed by an XXXX-XXXX code, authenticator apps (codes good once), security keys (a
//! software key speaking real WebAuthn), "Try another way", the default method, the step-up
//! of a session, and the last factor that stays.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::StatusCode;
use serde_json::json;
use tessera_app::DEMO_PASSWORD;
use tessera_domain::session::Assurance;
use tessera_testkit::demo::{ERIKA, ZOE};
use tessera_testkit::keys::{SoftKey, authenticator_code, unix_now};
use tessera_testkit::{Backend, Client, TestServer};

async fn demo(backend: Backend) -> Option<TestServer> {
    TestServer::start_demo(backend).await.unwrap()
}

tessera_testkit::on_both_backends!(
    a_phone_number_is_confirmed_by_an_eight_character_code,
    the_last_factor_stays_while_applications_need_one,
    authenticator_app_codes_are_good_once,
    security_keys_sign_in_and_step_a_session_up,
    try_another_way_offers_every_method_and_the_default_comes_first,
);

fn csrf(client: &Client) -> String {
    client.cookie("tessera_csrf").unwrap()
}

/// The text between `before` and the next `after` in a page.
fn between<'a>(body: &'a str, before: &str, after: &str) -> &'a str {
    let start = body
        .find(before)
        .unwrap_or_else(|| panic!("no {before:?} in page"))
        + before.len();
    let end = body[start..].find(after).unwrap() + start;
    &body[start..end]
}

async fn signed_in(server: &TestServer) -> Client {
    let client = server.client();
    let done = server.sign_in(&client, ERIKA, DEMO_PASSWORD).await.unwrap();
    assert_eq!(done.header("location"), Some("/account"));
    client
}

/// The text of the last message delivered to `recipient`.
async fn last_text_to(server: &TestServer, recipient: &str) -> String {
    server.deliver().await.unwrap();
    let message = server
        .delivered()
        .into_iter()
        .rev()
        .find(|m| m["recipient"] == recipient)
        .unwrap_or_else(|| panic!("nothing delivered to {recipient}"));
    message["text"].as_str().unwrap().to_owned()
}

async fn a_phone_number_is_confirmed_by_an_eight_character_code(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = signed_in(&server).await;
    let security = client.page("/account/security").await.unwrap();
    assert_eq!(security.status, StatusCode::OK);
    assert!(security.body.contains("Mobile phone numbers"));
    let old = server.phone_of(ERIKA).await.unwrap();
    assert!(security.body.contains(&old));

    // A malformed number is refused with a message saying what to type.
    let bad = client
        .post_form(
            "/account/security/phones",
            &[("csrf", &csrf(&client)), ("phone", "0151 123")],
        )
        .await
        .unwrap();
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("international format"), "{}", bad.body);

    let new = "+4915550109999";
    let sent = client
        .post_form(
            "/account/security/phones",
            &[("csrf", &csrf(&client)), ("phone", "+49 1555 0109999")],
        )
        .await
        .unwrap();
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("Confirm your phone number"));
    assert!(sent.body.contains("XXXX-XXXX"));
    let text = last_text_to(&server, new).await;
    // Erika reads German.
    let code = between(&text, "Bestätigungscode lautet ", ".");
    assert_eq!(code.len(), 9, "XXXX-XXXX: {text}");
    assert_eq!(&code[4..5], "-");

    let wrong = client
        .post_form(
            "/account/security/phones/confirm",
            &[
                ("csrf", &csrf(&client)),
                ("number", new),
                ("code", "AAAA-AAAA"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("You can try 4 more times"));
    // Typed in lower case without the dash, it still counts.
    let typed = code.replace('-', "").to_lowercase();
    let confirmed = client
        .post_form(
            "/account/security/phones/confirm",
            &[("csrf", &csrf(&client)), ("number", new), ("code", &typed)],
        )
        .await
        .unwrap();
    assert_eq!(
        confirmed.header("location"),
        Some("/account/security?done=phone-added")
    );
    // The code works once.
    let again = client
        .post_form(
            "/account/security/phones/confirm",
            &[("csrf", &csrf(&client)), ("number", new), ("code", &typed)],
        )
        .await
        .unwrap();
    assert_eq!(again.status, StatusCode::GONE);
    let security = client.page("/account/security").await.unwrap();
    assert!(security.body.contains(new));

    // Made the default, it receives the next sign-in's code; the old number can go.
    let default = client
        .post_form(
            "/account/security/phones/default",
            &[("csrf", &csrf(&client)), ("number", new)],
        )
        .await
        .unwrap();
    assert_eq!(
        default.header("location"),
        Some("/account/security?done=phone-default")
    );
    let removed = client
        .post_form(
            "/account/security/phones/remove",
            &[("csrf", &csrf(&client)), ("number", &old)],
        )
        .await
        .unwrap();
    assert_eq!(
        removed.header("location"),
        Some("/account/security?done=phone-removed")
    );
    let other = server.client();
    let step = other.sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    assert_eq!(step.header("location"), Some("/signin/code"));
    let code_page = other.page("/signin/code").await.unwrap();
    assert!(
        code_page.body.contains("+49********999"),
        "{}",
        code_page.body
    );
    let code = server.latest_code(new).await.unwrap();
    let done = other.submit_code(&code).await.unwrap();
    assert_eq!(done.header("location"), Some("/account"));
}

async fn the_last_factor_stays_while_applications_need_one(backend: Backend) {
    // Nothing is asked of everyone: what counts is that Erika holds CASPER memberships and
    // CASPER's minimum assurance is medium.
    let Some(server) = TestServer::start(backend).await.unwrap() else {
        return;
    };
    server.app.load_demo().await.unwrap();
    // Zoe holds no membership: her only phone may go.
    let zoe = server.client();
    server.sign_in(&zoe, ZOE, DEMO_PASSWORD).await.unwrap();
    let zoe_phone = server.phone_of(ZOE).await.unwrap();
    let removed = zoe
        .post_form(
            "/account/security/phones/remove",
            &[("csrf", &csrf(&zoe)), ("number", &zoe_phone)],
        )
        .await
        .unwrap();
    assert_eq!(
        removed.header("location"),
        Some("/account/security?done=phone-removed")
    );
    let client = signed_in(&server).await;
    let phone = server.phone_of(ERIKA).await.unwrap();
    let refused = client
        .post_form(
            "/account/security/phones/remove",
            &[("csrf", &csrf(&client)), ("number", &phone)],
        )
        .await
        .unwrap();
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .body
            .contains("add another one before removing this one")
    );
    assert!(refused.body.contains(&phone), "still listed");

    // With an authenticator app added, the phone may go.
    let secret = add_app(&server, &client, "Phone").await;
    assert!(!secret.is_empty());
    let removed = client
        .post_form(
            "/account/security/phones/remove",
            &[("csrf", &csrf(&client)), ("number", &phone)],
        )
        .await
        .unwrap();
    assert_eq!(
        removed.header("location"),
        Some("/account/security?done=phone-removed")
    );
    // And now the app is the last one.
    let security = client.page("/account/security").await.unwrap();
    let id = between(&security.body, "/account/security/apps/", "/remove").to_owned();
    let refused = client
        .post_form(
            &format!("/account/security/apps/{id}/remove"),
            &[("csrf", &csrf(&client))],
        )
        .await
        .unwrap();
    assert_eq!(refused.status, StatusCode::CONFLICT);
}

/// Adds and confirms an authenticator app; returns its secret.
async fn add_app(_server: &TestServer, client: &Client, name: &str) -> String {
    let started = client
        .post_form(
            "/account/security/apps",
            &[("csrf", &csrf(client)), ("name", name)],
        )
        .await
        .unwrap();
    let location = started.header("location").unwrap().to_owned();
    assert!(
        location.starts_with("/account/security/apps/"),
        "{location}"
    );
    let page = client.page(&location).await.unwrap();
    assert!(
        page.body.contains("data:image/svg+xml;base64,"),
        "QR code inline"
    );
    let secret = between(&page.body, "<code id=\"secret\">", "</code>").to_owned();
    let wrong = client
        .post_form(
            &format!("{location}/confirm"),
            &[("csrf", &csrf(client)), ("code", "000000")],
        )
        .await
        .unwrap();
    // (One time in a million 000000 is right; then this test fails and says why.)
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "000000 was the code"
    );
    let code = authenticator_code(&secret, unix_now()).unwrap();
    let confirmed = client
        .post_form(
            &format!("{location}/confirm"),
            &[("csrf", &csrf(client)), ("code", &code)],
        )
        .await
        .unwrap();
    assert_eq!(
        confirmed.header("location"),
        Some("/account/security?done=app-added")
    );
    secret
}

async fn authenticator_app_codes_are_good_once(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = signed_in(&server).await;
    let secret = add_app(&server, &client, "Phone").await;
    let security = client.page("/account/security").await.unwrap();
    assert!(security.body.contains("<strong>Phone</strong>"));

    // Signing in again: the SMS step is offered first (the default), the app another way.
    let other = server.client();
    other.sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    let switched = other
        .post_form(
            "/signin/method",
            &[("csrf", &csrf(&other)), ("method", "authenticator_app")],
        )
        .await
        .unwrap();
    assert_eq!(switched.header("location"), Some("/signin/code"));
    let page = other.page("/signin/code").await.unwrap();
    assert!(page.body.contains("Secure login with an authenticator app"));
    // The code used to confirm the app is refused: each time step is good once.
    let used = authenticator_code(&secret, unix_now()).unwrap();
    let replay = other.submit_code(&used).await.unwrap();
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert!(replay.body.contains("The code is not correct"));
    // The next step's code is within the allowed drift and has not been used.
    let next = authenticator_code(&secret, unix_now() + 30).unwrap();
    let done = other.submit_code(&next).await.unwrap();
    assert_eq!(done.header("location"), Some("/account"));
    let account = other.page("/account").await.unwrap();
    assert!(
        account
            .body
            .contains("password, authenticator_app (medium assurance)")
    );

    // The same code in another sign-in is refused too.
    let third = server.client();
    third.sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    third
        .post_form(
            "/signin/method",
            &[("csrf", &csrf(&third)), ("method", "authenticator_app")],
        )
        .await
        .unwrap();
    let replay = third.submit_code(&next).await.unwrap();
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
}

/// Registers a software key named `name` for the signed-in client.
async fn add_key(server: &TestServer, client: &Client, key: &mut SoftKey, name: &str) {
    let (status, start) = client
        .post_json(
            "/account/security/keys/options",
            &json!({}),
            Some(&csrf(client)),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{start}");
    let credential = key.register(&server.public_url, &start["options"]).unwrap();
    let (status, added) = client
        .post_json(
            "/account/security/keys",
            &json!({"token": start["token"], "name": name, "credential": credential}),
            Some(&csrf(client)),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["redirect"], "/account/security?done=key-added");
}

/// Answers the security-key step of a sign-in or step-up with `key`.
async fn use_key(server: &TestServer, client: &Client, key: &mut SoftKey) -> serde_json::Value {
    let (status, start) = client
        .post_json("/signin/key/options", &json!({}), Some(&csrf(client)))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{start}");
    let credential = key.sign(&server.public_url, &start["options"]).unwrap();
    let (status, done) = client
        .post_json(
            "/signin/key",
            &json!({"credential": credential}),
            Some(&csrf(client)),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{done}");
    done
}

async fn security_keys_sign_in_and_step_a_session_up(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = signed_in(&server).await;
    // Without a key, nothing reaches high assurance.
    let refused = client.page("/signin/step-up?assurance=high").await.unwrap();
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut key = SoftKey::new();
    add_key(&server, &client, &mut key, "Blue key").await;
    let security = client.page("/account/security").await.unwrap();
    assert!(security.body.contains("<strong>Blue key</strong>"));

    // Step-up: the same session, now at high assurance, without the password.
    let before_token = client.cookie("tessera_session").unwrap();
    let before = server
        .app
        .current_session(&before_token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.assurance, Assurance::Medium);
    let step = client.page("/signin/step-up?assurance=high").await.unwrap();
    assert_eq!(step.header("location"), Some("/signin/code"));
    let page = client.page("/signin/code").await.unwrap();
    assert!(page.body.contains("Authenticate with a Security Key"));
    assert!(page.body.contains("You stay signed in"));
    let done = use_key(&server, &client, &mut key).await;
    assert_eq!(done["redirect"], "/account");
    let after_token = client.cookie("tessera_session").unwrap();
    assert_ne!(after_token, before_token, "the token is rotated");
    assert!(
        server
            .app
            .current_session(&before_token)
            .await
            .unwrap()
            .is_none()
    );
    let after = server
        .app
        .current_session(&after_token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.session_id, before.session_id,
        "stepped up, not restarted"
    );
    assert_eq!(after.assurance, Assurance::High);
    assert_eq!(after.created_at, before.created_at);
    assert!(after.methods.contains(&"security_key".to_owned()));
    // Already strong enough: nothing to do.
    let enough = client
        .page("/signin/step-up?assurance=medium")
        .await
        .unwrap();
    assert_eq!(enough.header("location"), Some("/account"));

    // With the key as default method, the next sign-in asks for it right after the password.
    let default = client
        .post_form(
            "/account/security/default",
            &[("csrf", &csrf(&client)), ("method", "security_key")],
        )
        .await
        .unwrap();
    assert_eq!(
        default.header("location"),
        Some("/account/security?done=default")
    );
    let other = server.client();
    let step = other.sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    assert_eq!(step.header("location"), Some("/signin/code"));
    assert!(
        other
            .page("/signin/code")
            .await
            .unwrap()
            .body
            .contains("Security Key")
    );
    // Another key's answer is refused (and counts as a try).
    let mut stranger = SoftKey::new();
    let (_, start) = other
        .post_json("/signin/key/options", &json!({}), Some(&csrf(&other)))
        .await
        .unwrap();
    let forged = stranger.sign(&server.public_url, &start["options"]);
    assert!(
        forged.is_err(),
        "a key never registered has nothing to sign with"
    );
    let done = use_key(&server, &other, &mut key).await;
    assert_eq!(done["redirect"], "/account");
    let account = other.page("/account").await.unwrap();
    assert!(
        account.body.contains("(high assurance)"),
        "{}",
        account.body
    );

    // Removing the key: it can no longer be used.
    let id = between(&security.body, "/account/security/keys/", "/remove").to_owned();
    let removed = client
        .post_form(
            &format!("/account/security/keys/{id}/remove"),
            &[("csrf", &csrf(&client))],
        )
        .await
        .unwrap();
    assert_eq!(
        removed.header("location"),
        Some("/account/security?done=key-removed")
    );
    assert!(
        !client
            .page("/account/security")
            .await
            .unwrap()
            .body
            .contains("Blue key")
    );
}

async fn try_another_way_offers_every_method_and_the_default_comes_first(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = signed_in(&server).await;
    let secret = add_app(&server, &client, "Tablet").await;
    let phone = server.phone_of(ERIKA).await.unwrap();

    let other = server.client();
    other.sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    let page = other.page("/signin/code").await.unwrap();
    assert!(page.body.contains("Try another way"));
    for label in ["Authenticator app", "SMS to +49", "Voice call to +49"] {
        assert!(page.body.contains(label), "{label} in {}", page.body);
    }
    // Voice, chosen another way, sends a new code by voice.
    let voice = other
        .post_form(
            "/signin/method",
            &[("csrf", &csrf(&other)), ("method", "voice"), ("phone", "0")],
        )
        .await
        .unwrap();
    assert_eq!(voice.header("location"), Some("/signin/code"));
    server.deliver().await.unwrap();
    let last = server.delivered().pop().unwrap();
    assert_eq!(last["channel"], "voice");
    let code = server.latest_code(&phone).await.unwrap();
    assert_eq!(
        other.submit_code(&code).await.unwrap().header("location"),
        Some("/account")
    );
    // An unknown method is a clear error, not a crash.
    let third = server.client();
    third.sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    let bad = third
        .post_form(
            "/signin/method",
            &[("csrf", &csrf(&third)), ("method", "pigeon")],
        )
        .await
        .unwrap();
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // The app as default: sign-in offers it first, and no SMS goes out.
    let saved = client
        .post_form(
            "/account/security/default",
            &[("csrf", &csrf(&client)), ("method", "authenticator_app")],
        )
        .await
        .unwrap();
    assert_eq!(
        saved.header("location"),
        Some("/account/security?done=default")
    );
    server.deliver().await.unwrap();
    let sent_before = server.delivered().len();
    let fourth = server.client();
    fourth.sign_in(ERIKA, DEMO_PASSWORD).await.unwrap();
    assert!(
        fourth
            .page("/signin/code")
            .await
            .unwrap()
            .body
            .contains("authenticator app")
    );
    server.deliver().await.unwrap();
    assert_eq!(server.delivered().len(), sent_before, "no code was sent");
    let code = authenticator_code(&secret, unix_now() + 30).unwrap();
    assert_eq!(
        fourth.submit_code(&code).await.unwrap().header("location"),
        Some("/account")
    );
}
