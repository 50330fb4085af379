//! "Create an account" in headless Chromium, in English and in French, with screenshots kept
//! in target/screenshots: the form (its CAPTCHA solved by the page's own script), the errors
//! of an empty form, "check your e-mail", the "New password" page from the e-mailed link with
//! a refused password, and the page that offers "Proceed".

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use fantoccini::{Client, Locator};
use tessera_domain::captcha::Difficulty;
use tessera_testkit::{Backend, Browser, TestServer};

const PASSWORD: &str = "Wandering-Heron-4817";

async fn type_into(page: &Client, id: &str, text: &str) {
    let field = page.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(page: &Client, css: &str) {
    page.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits for the page whose heading is `text`.
async fn expect_heading(page: &Client, text: &str) {
    let xpath = format!("//h1[normalize-space()=\"{text}\"]");
    page.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no heading {text}: {e}"));
}

/// Waits until the page's script has solved the proof of work.
async fn solved(page: &Client) {
    for _ in 0..300 {
        let field = page
            .find(Locator::Css("[data-captcha-solution]"))
            .await
            .unwrap();
        if field
            .prop("value")
            .await
            .unwrap()
            .is_some_and(|v| !v.is_empty())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page's script did not solve the CAPTCHA");
}

/// The newest verification link e-mailed to `email`, as a path.
async fn link_for(server: &TestServer, email: &str) -> String {
    server.deliver().await.unwrap();
    let message = server
        .delivered()
        .into_iter()
        .rev()
        .find(|m| m["recipient"] == email)
        .unwrap();
    let text = message["text"].as_str().unwrap();
    let at = text.find("/register/verify/").unwrap();
    text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

/// (language, e-mail, expected headings: form, sent, new password, done, empty-form error)
const RUNS: [(&str, &str, [&str; 5]); 2] = [
    (
        "en",
        "anna.external@example.org",
        [
            "Create an account",
            "Check your e-mail",
            "New password",
            "Your account is ready",
            "Enter your first name.",
        ],
    ),
    (
        "fr",
        "amelie.externe@example.org",
        [
            "Créer un compte",
            "Consultez votre messagerie",
            "Nouveau mot de passe",
            "Votre compte est prêt",
            "Indiquez votre prénom.",
        ],
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_an_account_in_english_and_in_french() {
    let Some(browser) = Browser::start().await.unwrap() else {
        return;
    };
    let server = TestServer::start_configured(
        Backend::Sqlite,
        |router| router,
        |_, app| {
            // A second or so of the browser's WebCrypto.
            app.captcha.difficulty = Difficulty::new(12).unwrap();
        },
    )
    .await
    .unwrap()
    .unwrap();
    server.app.load_demo().await.unwrap();
    let page = &browser.client;

    for (language, email, texts) in RUNS {
        page.goto(&server.url(&format!("/language/{language}?return=/signin%3Fchange%3D1")))
            .await
            .unwrap();
        click(page, "a[href='/register']").await;
        expect_heading(page, texts[0]).await;

        // Sent empty: an error at each field and a summary; the script's answer is lost
        // with the spent challenge, and a new one is solved.
        solved(page).await;
        click(page, "button[type=submit]:not([name])").await;
        page.wait()
            .for_element(Locator::Css(".error-summary"))
            .await
            .unwrap();
        let summary = page
            .find(Locator::Css(".error-summary"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(summary.contains(texts[4]), "{summary}");
        browser
            .screenshot(&format!("register-errors-{language}"))
            .await
            .unwrap();

        type_into(page, "first_name", "Άννα").await;
        type_into(page, "last_name", "Lefèvre").await;
        type_into(page, "email", email).await;
        type_into(page, "confirm_email", email).await;
        click(page, &format!("#language option[value='{language}']")).await;
        click(page, "#privacy").await;
        solved(page).await;
        browser
            .screenshot(&format!("register-form-{language}"))
            .await
            .unwrap();
        click(page, "button[type=submit]:not([name])").await;
        expect_heading(page, texts[1]).await;
        browser
            .screenshot(&format!("register-sent-{language}"))
            .await
            .unwrap();

        let link = link_for(&server, email).await;
        page.goto(&server.url(&link)).await.unwrap();
        expect_heading(page, texts[2]).await;
        type_into(page, "new_password", "password").await;
        type_into(page, "confirm", "password").await;
        click(page, "button[type=submit]").await;
        page.wait()
            .for_element(Locator::Css(".error-summary"))
            .await
            .unwrap();
        browser
            .screenshot(&format!("register-password-{language}"))
            .await
            .unwrap();
        type_into(page, "new_password", PASSWORD).await;
        type_into(page, "confirm", PASSWORD).await;
        click(page, "button[type=submit]").await;
        expect_heading(page, texts[3]).await;
        browser
            .screenshot(&format!("register-done-{language}"))
            .await
            .unwrap();
        click(page, "#proceed").await;
        page.wait()
            .for_element(Locator::XPath("//h1"))
            .await
            .unwrap();
        // Signed in: sign out for the next run.
        page.goto(&server.url("/account")).await.unwrap();
        page.find(Locator::XPath("//form[@action='/signout']//button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The sign-out lands on the home page; going on before it has would let its late
        // navigation replace the next run's first page.
        let home = url::Url::parse(&server.url("/")).unwrap();
        page.wait()
            .at_most(Duration::from_secs(20))
            .for_url(&home)
            .await
            .unwrap();
    }
    browser.close().await.unwrap();
}
