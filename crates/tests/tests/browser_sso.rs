//! Single sign-on registrations in headless Chromium, with screenshots kept in
//! target/screenshots: an operator opens CASPER's page, registers an OpenID Connect client
//! (first with an insecure redirect URI, refused at its field), sees the secret once, opens
//! the client's page, and registers a CAS service.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use tessera_testkit::demo::OPERATOR;
use tessera_testkit::{Backend, Browser, TestServer};

async fn type_into(page: &Client, id: &str, text: &str) {
    let field = page.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(page: &Client, xpath: &str) {
    page.find(Locator::XPath(xpath))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn wait_for(page: &Client, locator: Locator<'_>) -> Element {
    page.wait().for_element(locator).await.unwrap()
}

/// Signs in with the demo password and the SMS code and stops at My Account.
async fn sign_in(page: &Client, server: &TestServer, email: &str) {
    page.goto(&server.url("/signin?change=1")).await.unwrap();
    wait_for(page, Locator::Id("email")).await;
    type_into(page, "email", email).await;
    click(page, "//button[@type='submit']").await;
    wait_for(page, Locator::Id("password")).await;
    type_into(page, "password", tessera_app::DEMO_PASSWORD).await;
    click(page, "//button[@type='submit']").await;
    wait_for(page, Locator::Id("code")).await;
    let phone = server.phone_of(email).await.unwrap();
    let code = server.latest_code(&phone).await.unwrap();
    type_into(page, "code", &code).await;
    click(page, "//button[@type='submit']").await;
    wait_for(page, Locator::XPath("//h1[text()='My Account']")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_register_sso_clients_in_a_real_browser() {
    let Some(browser) = Browser::start().await.unwrap() else {
        return;
    };
    let server = TestServer::start_demo(Backend::Sqlite)
        .await
        .unwrap()
        .unwrap();
    let page = &browser.client;
    sign_in(page, &server, OPERATOR).await;

    page.goto(&server.url("/admin/applications")).await.unwrap();
    click(page, "//a[text()='CASPER']").await;
    wait_for(page, Locator::Id("sso")).await;
    click(page, "//a[text()='Register an OpenID Connect client']").await;
    wait_for(page, Locator::Id("client-redirect_uris")).await;

    // An insecure redirect URI: refused at its field, with the summary.
    type_into(page, "client-name", "CASPER web").await;
    type_into(page, "client-redirect_uris", "http://casper.example/cb").await;
    click(
        page,
        "//input[@name='grant_types' and @value='refresh_token']",
    )
    .await;
    click(page, "//button[text()='Register client']").await;
    wait_for(page, Locator::Id("client-redirect_uris-error")).await;
    let summary = page.find(Locator::Css(".error-summary a")).await.unwrap();
    assert_eq!(
        summary.attr("href").await.unwrap().as_deref(),
        Some("#client-redirect_uris")
    );
    browser.screenshot("sso-client-error").await.unwrap();

    type_into(page, "client-redirect_uris", "https://casper.example/cb").await;
    click(page, "//button[text()='Register client']").await;
    let secret = wait_for(page, Locator::Id("client-secret")).await;
    let value = secret.prop("value").await.unwrap().unwrap();
    assert!(value.len() >= 40, "{value}");
    assert!(
        page.source()
            .await
            .unwrap()
            .contains("Copy the client secret now")
    );
    browser.screenshot("sso-client-secret").await.unwrap();

    click(page, "//a[text()='Back to the application']").await;
    wait_for(page, Locator::Id("sso")).await;
    browser.screenshot("sso-section").await.unwrap();
    click(page, "//a[text()='CASPER web']").await;
    wait_for(
        page,
        Locator::XPath("//label[contains(., 'Issue a new secret')]"),
    )
    .await;
    assert!(!page.source().await.unwrap().contains(&value), "shown once");
    browser.screenshot("sso-client-edit").await.unwrap();

    // A CAS service, prefix-matched.
    page.goto(&server.url("/admin/applications")).await.unwrap();
    click(page, "//a[text()='CASPER']").await;
    click(page, "//a[text()='Register a CAS service']").await;
    wait_for(page, Locator::Id("service-service_url")).await;
    type_into(page, "service-name", "CASPER login").await;
    type_into(page, "service-service_url", "https://casper.example/cas/").await;
    click(page, "//input[@name='match_kind' and @value='prefix']").await;
    browser.screenshot("sso-service-form").await.unwrap();
    click(page, "//button[text()='Register service']").await;
    wait_for(
        page,
        Locator::XPath("//p[text()='The CAS service was registered.']"),
    )
    .await;
    assert!(
        page.source()
            .await
            .unwrap()
            .contains("<code>https://casper.example/cas/</code>")
    );
    browser.screenshot("sso-service-registered").await.unwrap();
    browser.close().await.unwrap();
}
