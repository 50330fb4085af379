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

/// Types an address and the demo password at `signin_url`, and stops at the code step.
async fn up_to_the_code(page: &Client, signin_url: &str, email: &str) {
    page.goto(signin_url).await.unwrap();
    type_into(page, "email", email).await;
    submit(page).await;
    wait_for(page, Locator::Id("password")).await;
    type_into(page, "password", tessera_app::DEMO_PASSWORD).await;
    submit(page).await;
    wait_for(page, Locator::Id("code")).await;
}

/// Signs in all the way, with the code delivered by SMS, and stops at My Account.
async fn sign_in(page: &Client, server: &TestServer, signin_url: &str, email: &str) {
    up_to_the_code(page, signin_url, email).await;
    let phone = server.phone_of(email).await.unwrap();
    let code = server.latest_code(&phone).await.unwrap();
    type_into(page, "code", &code).await;
    submit(page).await;
    wait_for(page, Locator::XPath("//h1[text()='My Account']")).await;
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
    let summary = wait_for(page, Locator::Css("div.error-summary")).await;
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
    let error = wait_for(page, Locator::Css("div.error-summary")).await;
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

/// Clicks the button whose text is `text`.
async fn click_button(page: &Client, text: &str) {
    page.find(Locator::XPath(&format!(
        "//button[normalize-space()='{text}']"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_tab_and_passkeys_in_a_real_browser() {
    let Some(browser) = Browser::start().await.unwrap() else {
        return;
    };
    let page = &browser.client;
    // A platform authenticator inside Chromium: creates and uses passkeys headless.
    page.issue_cmd(tessera_testkit::keys::AddVirtualAuthenticator)
        .await
        .unwrap();
    let server = TestServer::start(Backend::Sqlite).await.unwrap().unwrap();
    server.app.load_demo().await.unwrap();
    let erika = tessera_testkit::demo::ERIKA;
    // WebAuthn needs a host name: the browser goes to http://localhost.
    let at = |path: &str| format!("{}{path}", server.public_url);

    sign_in(page, &server, &at("/signin"), erika).await;
    page.find(Locator::Css("a[href=\"/account/security\"]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(page, Locator::XPath("//h1[text()='Security']")).await;
    browser.screenshot("account-security").await.unwrap();

    // A phone number: the page asking for the XXXX-XXXX code.
    type_into(page, "phone", "+49 1555 0107777").await;
    click_button(page, "Send code").await;
    wait_for(
        page,
        Locator::XPath("//h1[text()='Confirm your phone number']"),
    )
    .await;
    browser.screenshot("account-phone-confirm").await.unwrap();
    page.goto(&at("/account/security")).await.unwrap();

    // An authenticator app: the QR code page.
    type_into(page, "app-name", "Phone").await;
    click_button(page, "Add authenticator app").await;
    let qr = wait_for(page, Locator::Css("img.qr")).await;
    assert!(
        qr.attr("src")
            .await
            .unwrap()
            .unwrap()
            .starts_with("data:image/svg+xml")
    );
    browser.screenshot("account-app-qr").await.unwrap();
    page.goto(&at("/account/security")).await.unwrap();

    // A passkey, created by the browser's authenticator.
    page.find(Locator::LinkText("Add a security key or passkey"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(page, Locator::Id("key-name")).await;
    browser.screenshot("account-key-new").await.unwrap();
    type_into(page, "key-name", "This laptop").await;
    page.wait()
        .for_element(Locator::Css("#add-key:not([disabled])"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let notice = wait_for(page, Locator::Css(".notice")).await;
    assert!(
        notice
            .text()
            .await
            .unwrap()
            .contains("A security key has been added."),
        "{}",
        page.source().await.unwrap()
    );
    assert!(page.source().await.unwrap().contains("This laptop"));
    browser
        .screenshot("account-security-with-key")
        .await
        .unwrap();

    // The key as default method: after the password, sign-in asks for it.
    page.find(Locator::Css("input[name=method][value=security_key]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(page, "Save default").await;
    wait_for(
        page,
        Locator::XPath("//p[contains(., 'default verification method was saved')]"),
    )
    .await;
    page.goto(&at("/account")).await.unwrap();
    click_button(page, "Sign out").await;
    wait_for(page, Locator::XPath("//h1[text()='Welcome to Tessera']")).await;
    page.goto(&at("/signin")).await.unwrap();
    type_into(page, "password", tessera_app::DEMO_PASSWORD).await;
    submit(page).await;
    wait_for(page, Locator::Id("use-key")).await;
    browser.screenshot("signin-key").await.unwrap();
    page.wait()
        .for_element(Locator::Css("#use-key:not([disabled])"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(page, Locator::XPath("//h1[text()='My Account']")).await;
    assert!(page.source().await.unwrap().contains("(high assurance)"));

    // A passkey alone, offered in the e-mail field's autofill: no address, no password. The
    // virtual authenticator consents at once, as a person picking the passkey would.
    click_button(page, "Sign out").await;
    wait_for(page, Locator::XPath("//h1[text()='Welcome to Tessera']")).await;
    page.goto(&at("/signin?change=1")).await.unwrap();
    wait_for(page, Locator::XPath("//h1[text()='My Account']")).await;
    let source = page.source().await.unwrap();
    assert!(source.contains("passkey (high assurance)"), "{source}");
    assert!(source.contains(erika));
    browser.screenshot("signin-passkey-account").await.unwrap();

    // And by the button, on the password page of a remembered address.
    click_button(page, "Sign out").await;
    wait_for(page, Locator::XPath("//h1[text()='Welcome to Tessera']")).await;
    page.goto(&at("/signin")).await.unwrap();
    wait_for(page, Locator::Id("password")).await;
    page.wait()
        .for_element(Locator::Css("#passkey:not([disabled])"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(page, Locator::XPath("//h1[text()='My Account']")).await;
    assert!(
        page.source()
            .await
            .unwrap()
            .contains("passkey (high assurance)")
    );
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_pages_and_another_way_in_a_real_browser() {
    let Some(browser) = Browser::start().await.unwrap() else {
        return;
    };
    let page = &browser.client;
    let server = TestServer::start(Backend::Sqlite).await.unwrap().unwrap();
    server.app.load_demo().await.unwrap();
    let erika = tessera_testkit::demo::ERIKA;

    // "Lost your password?": the request, the answer, and the page of the link.
    page.goto(&server.url("/signin/reset")).await.unwrap();
    wait_for(page, Locator::XPath("//h1[text()='Lost your password?']")).await;
    browser.screenshot("reset-request").await.unwrap();
    type_into(page, "email", erika).await;
    click_button(page, "Send the link").await;
    wait_for(page, Locator::XPath("//h1[text()='Check your e-mail']")).await;
    browser.screenshot("reset-sent").await.unwrap();
    server.deliver().await.unwrap();
    let mail = server
        .delivered()
        .into_iter()
        .rev()
        .find(|m| m["recipient"] == erika)
        .unwrap();
    let text = mail["text"].as_str().unwrap();
    let start = text.find(&server.public_url).unwrap();
    let link = text[start..].split_whitespace().next().unwrap();
    let path = link.trim_start_matches(&server.public_url);
    page.goto(&server.url(path)).await.unwrap();
    wait_for(page, Locator::XPath("//h1[text()='Choose a new password']")).await;
    browser.screenshot("reset-new-password").await.unwrap();

    // Signing in: "Try another way" opened on the code step.
    up_to_the_code(page, &server.url("/signin"), erika).await;
    page.find(Locator::Css(".another-way summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        page,
        Locator::XPath("//button[starts-with(normalize-space(), 'Voice call to')]"),
    )
    .await;
    browser.screenshot("signin-another-way").await.unwrap();
    let phone = server.phone_of(erika).await.unwrap();
    let code = server.latest_code(&phone).await.unwrap();
    type_into(page, "code", &code).await;
    submit(page).await;
    wait_for(page, Locator::XPath("//h1[text()='My Account']")).await;

    // Change password, with the messages of a rule broken.
    page.goto(&server.url("/account/password")).await.unwrap();
    wait_for(page, Locator::XPath("//h1[text()='Change password']")).await;
    browser.screenshot("account-password").await.unwrap();
    type_into(page, "current_password", tessera_app::DEMO_PASSWORD).await;
    type_into(page, "new_password", "short").await;
    type_into(page, "confirm", "short").await;
    page.find(Locator::Css(
        "form[action='/account/password'] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_for(page, Locator::Css("div.error-summary")).await;
    browser.screenshot("account-password-errors").await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_administrator_creates_searches_edits_and_deletes_a_user_in_a_real_browser() {
    let Some(browser) = Browser::start().await.unwrap() else {
        return;
    };
    let page = &browser.client;
    let server = TestServer::start(Backend::Sqlite).await.unwrap().unwrap();
    server.app.load_demo().await.unwrap();
    let ulla = tessera_testkit::demo::ULLA;

    sign_in(page, &server, &server.url("/signin"), ulla).await;
    page.find(Locator::LinkText("Users"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let table = wait_for(page, Locator::Css("table")).await;
    let listed = table.text().await.unwrap();
    assert!(
        listed.contains("Mustermann") && listed.contains("Dupont"),
        "{listed}"
    );
    assert!(!listed.contains("Walsh"), "Bank F is not Ulla's: {listed}");
    browser.screenshot("admin-users").await.unwrap();

    // Create: an empty form first, with a message at each field.
    page.find(Locator::LinkText("Create a new user"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(page, Locator::Id("first_name")).await;
    click_button(page, "Save").await;
    let errors = wait_for(page, Locator::Css("div.error-summary")).await;
    assert!(errors.text().await.unwrap().contains("Enter a first name."));
    browser.screenshot("admin-user-errors").await.unwrap();
    page.find(Locator::XPath(
        "//select[@id='level_id']/option[contains(., 'Bank E Payments')]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    type_into(page, "first_name", "Jonas").await;
    type_into(page, "last_name", "Keller").await;
    type_into(page, "email", "jonas.keller@bank-e.example").await;
    type_into(page, "phone", "0151 2345 6789").await;
    click_button(page, "Save").await;
    let phone_error = wait_for(page, Locator::Css("#phone-error")).await;
    assert!(
        phone_error
            .text()
            .await
            .unwrap()
            .contains("international format")
    );
    type_into(page, "phone", "+49 151 2345 6789").await;
    click_button(page, "Save").await;
    wait_for(page, Locator::XPath("//h1[text()='Jonas Keller']")).await;
    assert!(page.source().await.unwrap().contains("+4915123456789"));
    browser.screenshot("admin-user-created").await.unwrap();

    // Search by last-name prefix, in Bank E with its sub-levels.
    page.goto(&server.url("/admin/users")).await.unwrap();
    wait_for(page, Locator::Id("last_name")).await;
    type_into(page, "last_name", "kel").await;
    click_button(page, "Search").await;
    wait_for(page, Locator::XPath("//td[text()='Keller']")).await;
    let rows = page.find_all(Locator::Css("tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1);
    browser.screenshot("admin-users-search").await.unwrap();

    // Edit.
    page.find(Locator::Css("td.actions a[href$='/edit']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(page, Locator::XPath("//h1[text()='Edit user']")).await;
    type_into(page, "first_name", "Jonah").await;
    click_button(page, "Save").await;
    wait_for(
        page,
        Locator::XPath("//p[text()='Your changes were saved.']"),
    )
    .await;
    assert!(page.source().await.unwrap().contains("Jonah Keller"));

    // Delete, after a confirmation.
    page.find(Locator::LinkText("Delete"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(page, Locator::XPath("//h1[text()='Delete Jonah Keller?']")).await;
    browser.screenshot("admin-user-delete").await.unwrap();
    click_button(page, "Delete").await;
    wait_for(page, Locator::XPath("//p[text()='The user was deleted.']")).await;
    assert!(!page.source().await.unwrap().contains("Keller"));
    browser.close().await.unwrap();
}
