//! Pages in headless Chromium, with screenshots kept in target/screenshots.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use fantoccini::Locator;
use tessera_testkit::{Backend, Browser, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_and_setup_pages_in_a_real_browser() {
    let Some(browser) = Browser::start().await.unwrap() else {
        return;
    };
    let server = TestServer::start(Backend::Sqlite).await.unwrap().unwrap();
    let page = &browser.client;

    page.goto(&server.url("/")).await.unwrap();
    assert_eq!(page.title().await.unwrap(), "Welcome · Tessera");
    let heading = page
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "Welcome to Tessera");
    // The stylesheet loaded under the strict CSP: the masthead has its dark background.
    let masthead = page.find(Locator::Css(".masthead")).await.unwrap();
    let background = masthead.css_value("background-color").await.unwrap();
    assert_eq!(background, "rgba(27, 36, 48, 1)");
    browser.screenshot("home").await.unwrap();

    let link = server.app.issue_setup_link().await.unwrap().unwrap();
    page.goto(&link.url).await.unwrap();
    browser.screenshot("setup-form").await.unwrap();
    page.find(Locator::Id("first_name"))
        .await
        .unwrap()
        .send_keys("Erika")
        .await
        .unwrap();
    page.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys("erika@")
        .await
        .unwrap();
    page.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("short")
        .await
        .unwrap();
    page.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let summary = page
        .find(Locator::Css(".error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(summary.contains("Enter a last name."), "{summary}");
    assert!(summary.contains("Use at least 10 characters"), "{summary}");
    browser.screenshot("setup-errors").await.unwrap();

    page.find(Locator::Id("last_name"))
        .await
        .unwrap()
        .send_keys("Mustermann")
        .await
        .unwrap();
    let email = page.find(Locator::Id("email")).await.unwrap();
    email.clear().await.unwrap();
    email.send_keys("erika@tessera.example").await.unwrap();
    page.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("Quiet-River-2031")
        .await
        .unwrap();
    page.find(Locator::Id("confirm"))
        .await
        .unwrap()
        .send_keys("Quiet-River-2031")
        .await
        .unwrap();
    page.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = page
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(done, "Operator created");
    browser.screenshot("setup-done").await.unwrap();

    browser.close().await.unwrap();
}
