//! Assign Memberships and My Apps in headless Chromium, with screenshots kept in
//! target/screenshots: an access administrator finds the CASPER groups, ticks two (the
//! "Selected (N)" count follows while the script runs), removes one, saves; then the person
//! sees their tiles, someone without memberships the empty state, and an operator CASPER's
//! page.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use tessera_testkit::demo::{ANTON, ERIKA, OPERATOR, ZOE};
use tessera_testkit::{Backend, Browser, TestServer};

async fn type_into(page: &Client, id: &str, text: &str) {
    let field = page.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn submit(page: &Client) {
    page.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
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

/// Signs in with the demo password and the SMS code, from a sign-in page that asks for the
/// address, and stops at My Account.
async fn sign_in(page: &Client, server: &TestServer, email: &str) {
    page.goto(&server.url("/signin?change=1")).await.unwrap();
    wait_for(page, Locator::Id("email")).await;
    type_into(page, "email", email).await;
    submit(page).await;
    wait_for(page, Locator::Id("password")).await;
    type_into(page, "password", tessera_app::DEMO_PASSWORD).await;
    submit(page).await;
    wait_for(page, Locator::Id("code")).await;
    let phone = server.phone_of(email).await.unwrap();
    let code = server.latest_code(&phone).await.unwrap();
    type_into(page, "code", &code).await;
    submit(page).await;
    wait_for(page, Locator::XPath("//h1[text()='My Account']")).await;
}

async fn sign_out(page: &Client, server: &TestServer) {
    page.goto(&server.url("/account")).await.unwrap();
    click(page, "//button[normalize-space()='Sign out']").await;
    wait_for(page, Locator::XPath("//h1[text()='Welcome to Tessera']")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assign_memberships_and_my_apps_in_a_real_browser() {
    let Some(browser) = Browser::start().await.unwrap() else {
        return;
    };
    let server = TestServer::start_demo(Backend::Sqlite)
        .await
        .unwrap()
        .unwrap();
    let page = &browser.client;

    // From the Users page, "Assign memberships" on Erika's row.
    sign_in(page, &server, ANTON).await;
    page.goto(&server.url("/admin/users")).await.unwrap();
    click(
        page,
        &format!("//tr[td[text()='{ERIKA}']]//a[contains(@href, '/memberships')]"),
    )
    .await;
    wait_for(page, Locator::XPath("//h1[text()='Assign Memberships']")).await;
    let source = page.source().await.unwrap();
    assert!(source.contains("Memberships (3)"));
    assert!(source.contains("Mustermann") && source.contains("Bank E"));
    browser.screenshot("memberships").await.unwrap();

    // "casper" in the Add Memberships search.
    type_into(page, "search", "casper").await;
    click(page, "//section[@class='memberships-add']//button").await;
    wait_for(page, Locator::XPath("//h3[contains(., 'Groups matching')]")).await;
    let offered = page
        .find_all(Locator::Css("section.memberships-add input[name=add]"))
        .await
        .unwrap();
    assert_eq!(offered.len(), 4, "six CASPER groups, two of them held");
    let held = page
        .find_all(Locator::XPath("//span[text()='(already held)']"))
        .await
        .unwrap();
    assert_eq!(held.len(), 2);
    browser
        .screenshot("memberships-search-casper")
        .await
        .unwrap();

    // Two ticked (the count follows at once), one removal.
    for name in ["CASPER_WEB_USER_ADMIN", "A-CASPER_WEB_USER_ADMIN"] {
        click(
            page,
            &format!("//label[code[text()='{name}']]/input[@name='add']"),
        )
        .await;
    }
    let count = page.find(Locator::Id("selected-count")).await.unwrap();
    assert_eq!(count.text().await.unwrap(), "2");
    click(
        page,
        "//tr[td/code[text()='A-CASPER_WEB_DATA_SUBMITTER']]//input[@name='remove']",
    )
    .await;
    browser.screenshot("memberships-selected").await.unwrap();
    click(page, "//button[normalize-space()='Save']").await;
    wait_for(
        page,
        Locator::XPath("//p[text()='The memberships were saved.']"),
    )
    .await;
    let source = page.source().await.unwrap();
    assert!(source.contains("Memberships (4)"), "{source}");
    assert!(source.contains("<code>A-CASPER_WEB_USER_ADMIN</code>"));
    browser.screenshot("memberships-saved").await.unwrap();
    sign_out(page, &server).await;

    // Erika's My Apps: CASPER in both environments, and the IMAS Portal.
    sign_in(page, &server, ERIKA).await;
    click(page, "//a[text()='My Apps']").await;
    wait_for(page, Locator::XPath("//h1[text()='My Apps']")).await;
    let tiles = page.find_all(Locator::Css("a.app-tile")).await.unwrap();
    assert_eq!(tiles.len(), 3);
    let mut links = Vec::new();
    for tile in &tiles {
        links.push(tile.attr("href").await.unwrap().unwrap_or_default());
    }
    links.sort();
    assert_eq!(
        links,
        [
            "https://casper-acc.example/",
            "https://casper.example/",
            "https://imas.example/"
        ]
    );
    browser.screenshot("my-apps").await.unwrap();
    sign_out(page, &server).await;

    // Zoe holds nothing: the empty state says who can help.
    sign_in(page, &server, ZOE).await;
    page.goto(&server.url("/account/apps")).await.unwrap();
    wait_for(
        page,
        Locator::XPath("//p[contains(., 'You have no applications yet.')]"),
    )
    .await;
    browser.screenshot("my-apps-empty").await.unwrap();
    sign_out(page, &server).await;

    // The operator's side: CASPER's page, with its tiles, groups and their levels.
    sign_in(page, &server, OPERATOR).await;
    click(page, "//a[text()='Applications']").await;
    wait_for(page, Locator::XPath("//h1[text()='Applications']")).await;
    browser.screenshot("admin-applications").await.unwrap();
    click(page, "//a[text()='CASPER']").await;
    wait_for(page, Locator::XPath("//h2[text()='Groups']")).await;
    let groups = page.find_all(Locator::Css("tr[id^=group-]")).await.unwrap();
    assert_eq!(groups.len(), 6);
    click(
        page,
        "//tr[td/code[text()='A-CASPER_WEB_USER_ADMIN']]//summary",
    )
    .await;
    browser.screenshot("admin-application").await.unwrap();
    browser.close().await.unwrap();
}
