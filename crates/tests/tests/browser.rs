//! Pages in headless Chromium, with screenshots kept in target/screenshots.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use tessera_testkit::{Backend, Browser, TestServer};

async fn type_into(page: &Client, id: &str, text: &str) {
    let field = page.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn submit(page: &Client) {
    let button = page
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap();
    button.click().await.unwrap();
}

/// Waits for an element of the page that the last action led to (never the old page's).
async fn wait_for(page: &Client, locator: Locator<'_>) -> Element {
    page.wait().for_element(locator).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_and_setup_pages_in_a_real_browser() {
    let Some(browser) = Browser::start().await.unwrap() else {
        return;
    };
    let server = TestServer::start(Backend::Sqlite).await.unwrap().unwrap();
    let page = &browser.client;

    page.goto(&server.url("/")).await.unwrap();
    assert_eq!(page.title().await.unwrap(), "Welcome · Tessera");
    let heading = page.find(Locator::Css("h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Welcome to Tessera");
    // The stylesheet loaded under the strict CSP: the masthead has its dark background.
    let masthead = page.find(Locator::Css(".masthead")).await.unwrap();
    let background = masthead.css_value("background-color").await.unwrap();
    assert_eq!(background, "rgba(27, 36, 48, 1)");
    browser.screenshot("home").await.unwrap();

    let link = server.app.issue_setup_link().await.unwrap().unwrap();
    page.goto(&link.url).await.unwrap();
    browser.screenshot("setup-form").await.unwrap();
    type_into(page, "first_name", "Erika").await;
    type_into(page, "email", "erika@").await;
    type_into(page, "password", "short").await;
    submit(page).await;
    let summary = wait_for(page, Locator::Css(".error-summary")).await;
    let summary = summary.text().await.unwrap();
    assert!(summary.contains("Enter a last name."), "{summary}");
    assert!(summary.contains("Use at least 10 characters"), "{summary}");
    // What was typed is still there, except the password.
    let first = page.find(Locator::Id("first_name")).await.unwrap();
    assert_eq!(first.prop("value").await.unwrap().as_deref(), Some("Erika"));
    browser.screenshot("setup-errors").await.unwrap();

    type_into(page, "last_name", "Mustermann").await;
    type_into(page, "email", "erika@tessera.example").await;
    type_into(page, "password", "Quiet-River-2031").await;
    type_into(page, "confirm", "Quiet-River-2031").await;
    submit(page).await;
    let done = wait_for(page, Locator::XPath("//h1[text()='Operator created']")).await;
    assert_eq!(done.text().await.unwrap(), "Operator created");
    browser.screenshot("setup-done").await.unwrap();

    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_and_the_outbox_page_in_a_real_browser() {
    let Some(browser) = Browser::start().await.unwrap() else {
        return;
    };
    let server = TestServer::start(Backend::Sqlite).await.unwrap().unwrap();
    server.app.load_demo().await.unwrap();
    let page = &browser.client;

    page.goto(&server.url("/")).await.unwrap();
    page.find(Locator::LinkText("Sign in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(page, Locator::Id("email")).await;
    browser.screenshot("signin-email").await.unwrap();
    type_into(page, "email", "operator@tessera.example").await;
    submit(page).await;
    wait_for(page, Locator::Id("password")).await;
    browser.screenshot("signin-password").await.unwrap();
    type_into(page, "password", "Wrong-Password-1").await;
    submit(page).await;
    let error = wait_for(page, Locator::Css(".error-summary")).await;
    assert!(
        error
            .text()
            .await
            .unwrap()
            .contains("The e-mail address or password is not correct.")
    );
    browser.screenshot("signin-failed").await.unwrap();
    type_into(page, "password", tessera_app::DEMO_PASSWORD).await;
    submit(page).await;
    wait_for(page, Locator::Id("code")).await;
    browser.screenshot("signin-code").await.unwrap();
    let phone = server.phone_of("operator@tessera.example").await.unwrap();
    let code = server.latest_code(&phone).await.unwrap();
    type_into(page, "code", &code).await;
    submit(page).await;
    wait_for(page, Locator::XPath("//h1[text()='My Account']")).await;
    browser.screenshot("account").await.unwrap();
    page.find(Locator::LinkText("Display my sessions"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let sessions = wait_for(page, Locator::Css("table")).await;
    assert!(
        sessions
            .text()
            .await
            .unwrap()
            .contains("Chrome on Linux (this browser)")
    );
    browser.screenshot("sessions").await.unwrap();
    page.goto(&server.url("/account")).await.unwrap();
    wait_for(page, Locator::LinkText("Messages (outbox)")).await;

    let mut tx = server.app.store().begin().await.unwrap();
    let message = tessera_domain::message::NewMessage::new(
        tessera_domain::message::Channel::Sms,
        "+4915123456789",
        "sign-in-code",
        "de",
    )
    .secret_arg("code", "524759");
    server.app.enqueue_message(&mut tx, message).await.unwrap();
    tx.commit().await.unwrap();
    page.find(Locator::LinkText("Messages (outbox)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let table = wait_for(page, Locator::Css("table")).await;
    let text = table.text().await.unwrap();
    assert!(text.contains("+49********789"), "{text}");
    assert!(text.contains("sign-in-code (de)"), "{text}");
    assert!(!page.source().await.unwrap().contains("524759"));
    browser.screenshot("admin-outbox").await.unwrap();

    page.goto(&server.url("/account")).await.unwrap();
    submit(page).await;
    wait_for(page, Locator::XPath("//h1[text()='Welcome to Tessera']")).await;
    page.goto(&server.url("/account")).await.unwrap();
    wait_for(page, Locator::Id("password")).await;
    browser.close().await.unwrap();
}
