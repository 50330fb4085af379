//! E-mail delivery over real SMTP: required STARTTLS, implicit TLS, authentication, and
//! refusals, against aiosmtpd with a test certificate authority.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use tessera_domain::message::Channel;
use tessera_notify::texts::render;
use tessera_notify::{Adapter, DeliveryError, SmtpConfig};
use tessera_testkit::{SmtpMode, SmtpServer, TestCa};

fn config(port: u16, security: &str, ca: &TestCa, user: &str, password: &str) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: security.into(),
        username: user.into(),
        password: password.into(),
        from: "Tessera <no-reply@id.example.org>".into(),
        timeout_secs: 5,
        ca_file: ca.ca_file().display().to_string(),
    }
}

async fn send(config: &SmtpConfig) -> Result<(), DeliveryError> {
    let args: BTreeMap<String, String> = [("channel".to_owned(), "email".to_owned())].into();
    let message = render(Channel::Email, "test-message", "de", &args).unwrap();
    Adapter::smtp(config)
        .unwrap()
        .deliver("ops@bank-e.example", &message)
        .await
}

#[tokio::test]
async fn starttls_with_authentication_delivers() {
    let ca = TestCa::new().unwrap();
    let Some(server) = SmtpServer::start(
        SmtpMode::StartTls,
        Some(&ca),
        Some(("tessera", "s3cret-relay")),
    )
    .unwrap() else {
        return;
    };
    send(&config(
        server.port,
        "starttls",
        &ca,
        "tessera",
        "s3cret-relay",
    ))
    .await
    .unwrap();
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains("To: ops@bank-e.example"),
        "{}",
        messages[0]
    );
    assert!(
        messages[0].contains("Subject: Testnachricht von Tessera"),
        "{}",
        messages[0]
    );
}

#[tokio::test]
async fn implicit_tls_delivers() {
    let ca = TestCa::new().unwrap();
    let Some(server) = SmtpServer::start(SmtpMode::ImplicitTls, Some(&ca), None).unwrap() else {
        return;
    };
    send(&config(server.port, "tls", &ca, "", ""))
        .await
        .unwrap();
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn a_wrong_password_is_a_permanent_failure() {
    let ca = TestCa::new().unwrap();
    let Some(server) = SmtpServer::start(
        SmtpMode::StartTls,
        Some(&ca),
        Some(("tessera", "s3cret-relay")),
    )
    .unwrap() else {
        return;
    };
    let refused = send(&config(server.port, "starttls", &ca, "tessera", "guess")).await;
    assert!(
        matches!(refused, Err(DeliveryError::Permanent(_))),
        "{refused:?}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn no_mail_goes_in_plain_text_when_starttls_is_required() {
    let ca = TestCa::new().unwrap();
    // A server that does not offer STARTTLS (or a meddler that strips it).
    let Some(server) = SmtpServer::start(SmtpMode::Plain, None, None).unwrap() else {
        return;
    };
    let refused = send(&config(server.port, "starttls", &ca, "", "")).await;
    assert!(refused.is_err());
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let ca = TestCa::new().unwrap();
    let other = TestCa::new().unwrap();
    let Some(server) = SmtpServer::start(SmtpMode::ImplicitTls, Some(&ca), None).unwrap() else {
        return;
    };
    let refused = send(&config(server.port, "tls", &other, "", "")).await;
    assert!(refused.is_err());
    assert!(server.messages().is_empty());
}
