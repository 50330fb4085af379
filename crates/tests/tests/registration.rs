//! Self-registration over HTTP, on both databases, the way a person does it: an application
//! (ASTRA, over OpenID Connect) sends them to sign in, they create an account (the CAPTCHA's
//! proof of work solved here), read the link in the e-mail delivered over real SMTP, open it
//! in a new tab, are refused a weak and a leaked password with the message they need, set a
//! good one, and "Proceed" takes them back to ASTRA with a code. Then they sign in again
//! with the new password. Also: an address that has an account gets the same page and a
//! notice, and registration posts are limited per client address.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::StatusCode;
use tessera_app::{ClientInput, Ctx};
use tessera_domain::application::Environment;
use tessera_domain::captcha::{self, Difficulty};
use tessera_notify::{Adapters, DeliveryConfig, DeliveryWorker, SmtpConfig, WorkerConfig};
use tessera_store::Applications;
use tessera_testkit::{Backend, Client, SmtpMode, SmtpServer, TestServer};

tessera_testkit::on_both_backends!(
    a_person_registers_and_comes_back_to_the_application,
    a_known_address_gets_the_same_page_and_a_notice,
    registration_posts_are_limited_per_address,
);

const REDIRECT: &str = "https://astra.example/callback";
const PASSWORD: &str = "Wandering-Heron-4817";

async fn server(backend: Backend, per_minute: u32) -> Option<TestServer> {
    let server = TestServer::start_configured(
        backend,
        |router| router,
        |web, app| {
            // Cheap for the test to solve.
            app.captcha.difficulty = Difficulty::new(8).unwrap();
            web.register_per_address_per_minute = per_minute;
        },
    )
    .await
    .unwrap()?;
    server.app.load_demo().await.unwrap();
    Some(server)
}

/// A delivery worker that sends e-mail to the SMTP test server.
fn smtp_worker(server: &TestServer, smtp: &SmtpServer) -> DeliveryWorker {
    let spool = tempfile::tempdir().unwrap();
    let config = DeliveryConfig {
        email: "smtp".into(),
        sms: "spool".into(),
        voice: "spool".into(),
        smtp: SmtpConfig {
            host: "127.0.0.1".into(),
            port: smtp.port,
            security: "none".into(),
            username: String::new(),
            password: String::new(),
            from: "Tessera <no-reply@id.example.org>".into(),
            timeout_secs: 5,
            ca_file: String::new(),
        },
        spool: tessera_notify::SpoolConfig {
            dir: spool.path().display().to_string(),
        },
        ..DeliveryConfig::default()
    };
    let adapters = Adapters::from_config(&config, spool.path()).unwrap();
    DeliveryWorker::new(server.app.clone(), adapters, WorkerConfig::default())
}

/// Decodes quoted-printable text (soft line breaks, `=XX`), as a mail reader would.
fn unquote(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Delivers what is queued and gives the newest message to `recipient`, decoded.
async fn mail_to(worker: &DeliveryWorker, smtp: &SmtpServer, recipient: &str) -> String {
    while worker.run_once().await.unwrap() > 0 {}
    let mut found: Vec<String> = smtp
        .messages()
        .into_iter()
        .filter(|m| m.contains(&format!("To: {recipient}")))
        .map(|m| unquote(&m))
        .collect();
    found
        .pop()
        .unwrap_or_else(|| panic!("no mail to {recipient}"))
}

/// The value of a hidden field or attribute in a page: `name="x" value="..."`.
fn attribute<'a>(html: &'a str, after: &str, name: &str) -> &'a str {
    let start = html
        .find(after)
        .unwrap_or_else(|| panic!("{after} missing"));
    let rest = &html[start..];
    let from = rest.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let len = rest[from..].find('"').unwrap();
    &rest[from..from + len]
}

/// Fills in and sends the form of /register, solving the proof of work.
async fn register(client: &Client, email: &str, language: &str) -> tessera_testkit::client::Page {
    let form = client.page("/register").await.unwrap();
    assert_eq!(form.status, StatusCode::OK);
    for text in [
        "Help for external users",
        "First name",
        "Confirm e-mail",
        "E-mail language",
        "English (en)",
        "Français (fr)",
        "Deutsch (de)",
        "Enter the code",
        "By checking this box, you acknowledge that you have read and understood the",
        "href=\"/privacy\"",
    ] {
        assert!(form.body.contains(text), "{text} missing from the form");
    }
    let id = attribute(&form.body, "name=\"captcha_id\"", "value").to_owned();
    let nonce = attribute(&form.body, "data-captcha", "data-nonce").to_owned();
    let solution = captcha::solve(&nonce, Difficulty::new(8).unwrap(), 1 << 20).unwrap();
    let csrf = client.cookie("tessera_csrf").unwrap();
    client
        .post_form(
            "/register",
            &[
                ("csrf", &csrf),
                ("first_name", "Άννα"),
                ("last_name", "Smith"),
                ("email", email),
                ("confirm_email", email),
                ("language", language),
                ("captcha_id", &id),
                ("captcha_solution", &solution),
                ("captcha_code", ""),
                ("privacy", "yes"),
            ],
        )
        .await
        .unwrap()
}

async fn a_person_registers_and_comes_back_to_the_application(backend: Backend) {
    let Some(smtp) = SmtpServer::start(SmtpMode::Plain, None, None).unwrap() else {
        return;
    };
    let Some(server) = server(backend, 10).await else {
        return;
    };
    let astra = {
        let mut tx = server.db.store.read().await.unwrap();
        tx.application_by_code("ASTRA").await.unwrap().unwrap()
    };
    let client = server
        .app
        .register_oidc_client(
            &Ctx::system(),
            &ClientInput {
                application_id: astra.id,
                environment: "production".into(),
                name: "ASTRA".into(),
                redirect_uris: vec![REDIRECT.into()],
                public: true,
                ..ClientInput::default()
            },
        )
        .await
        .unwrap();
    server
        .app
        .set_accepts_external(&Ctx::system(), astra.id, Environment::Production, true)
        .await
        .unwrap();
    let authorize = format!(
        "/oidc/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid&state=s1\
         &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        client.client.client_id,
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );

    // ASTRA sends the person to sign in; the sign-in page offers "Create an account".
    let browser = server.client();
    let first = browser.page(&authorize).await.unwrap();
    assert_eq!(first.header("location"), Some("/signin"));
    let signin = browser.page("/signin").await.unwrap();
    assert!(signin.body.contains("href=\"/register\""));

    // Every field at fault is named, and nothing typed is lost.
    browser.page("/register").await.unwrap();
    let csrf = browser.cookie("tessera_csrf").unwrap();
    let wrong = browser
        .post_form(
            "/register",
            &[
                ("csrf", &csrf),
                ("first_name", "Άννα"),
                ("email", "anna@example.org"),
                ("confirm_email", "anne@example.org"),
                ("language", "en"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    for text in [
        "Enter your last name.",
        "The two e-mail addresses are not the same.",
        "Tick the box to acknowledge the privacy statement.",
        "Enter the code shown in the picture.",
        "value=\"Άννα\"",
        "value=\"anne@example.org\"",
    ] {
        assert!(wrong.body.contains(text), "{text} missing");
    }

    let sent = register(&browser, "anna@example.org", "en").await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("Check your e-mail"));

    // The e-mail, over SMTP, in English; the link opened in a new tab (no cookies).
    let worker = smtp_worker(&server, &smtp);
    let mail = mail_to(&worker, &smtp, "anna@example.org").await;
    assert!(
        mail.contains("Subject: Create your Tessera password"),
        "{mail}"
    );
    assert!(
        mail.contains("If you did not ask for an account, ignore this message"),
        "{mail}"
    );
    let at = mail.find("/register/verify/").unwrap();
    let token: String = mail[at + "/register/verify/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token.len(), 43);
    let path = format!("/register/verify/{token}");
    let tab = server.client();
    let page = tab.page(&path).await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "New password",
        "anna@example.org",
        "(External)",
        "Confirm new password",
        "at least 10 characters",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    let csrf = tab.cookie("tessera_csrf").unwrap();
    let weak = tab
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("new_password", "weak"),
                ("confirm", "weak"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.body.contains("Use at least 10 characters."),
        "{}",
        weak.body
    );
    let leaked = tab
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("new_password", "Password123!"),
                ("confirm", "Password123!"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(leaked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        leaked
            .body
            .contains("it is in a public database with insecure passwords"),
        "{}",
        leaked.body
    );
    let done = tab
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("new_password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await
        .unwrap();
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Proceed"));
    let proceed = attribute(&done.body, "id=\"proceed\"", "href")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(proceed.starts_with("/oidc/authorize?"), "{proceed}");

    // Proceed: back to ASTRA with a code, signed in from the new tab.
    let back = tab.page(&proceed).await.unwrap();
    assert_eq!(
        back.status,
        StatusCode::SEE_OTHER,
        "{proceed}: {}",
        back.body
    );
    let location = back.header("location").unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert!(
        location.contains("code=") && location.contains("state=s1"),
        "{location}"
    );

    // The link works once: now it offers a new one for the address typed again.
    let used = tab.page(&path).await.unwrap();
    assert_eq!(used.status, StatusCode::GONE);
    assert!(used.body.contains("Send a new link"));

    // And the new password signs in.
    let again = server.client();
    let signed = again.sign_in("anna@example.org", PASSWORD).await.unwrap();
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(signed.header("location"), Some("/account"));
}

async fn a_known_address_gets_the_same_page_and_a_notice(backend: Backend) {
    let Some(smtp) = SmtpServer::start(SmtpMode::Plain, None, None).unwrap() else {
        return;
    };
    let Some(server) = server(backend, 10).await else {
        return;
    };
    let browser = server.client();
    let known = register(&browser, tessera_testkit::demo::FIONA, "fr").await;
    let unknown = register(&browser, "nobody.yet@example.org", "fr").await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.status, StatusCode::OK);
    let strip = |body: &str, email: &str| body.replace(email, "EMAIL");
    assert_eq!(
        strip(&known.body, tessera_testkit::demo::FIONA),
        strip(&unknown.body, "nobody.yet@example.org"),
        "the pages tell nothing apart"
    );
    let worker = smtp_worker(&server, &smtp);
    let notice = mail_to(&worker, &smtp, tessera_testkit::demo::FIONA).await;
    assert!(notice.contains("/signin/reset"), "{notice}");
    assert!(!notice.contains("/register/verify/"), "{notice}");
    // The new address chose French.
    let verify = mail_to(&worker, &smtp, "nobody.yet@example.org").await;
    assert!(verify.contains("/register/verify/"), "{verify}");
    assert!(verify.contains("Bonjour"), "{verify}");
}

async fn registration_posts_are_limited_per_address(backend: Backend) {
    let Some(server) = server(backend, 2).await else {
        return;
    };
    let browser = server.client();
    browser.page("/register").await.unwrap();
    let csrf = browser.cookie("tessera_csrf").unwrap();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let page = browser
            .post_form("/register", &[("csrf", &csrf), ("email", "x@example.org")])
            .await
            .unwrap();
        statuses.push(page.status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}
