//! Pages in the visitor's language over HTTP, on both databases: chosen by Accept-Language,
//! then by the language menu (its cookie wins over the header), English for anything else.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::StatusCode;
use tessera_app::DEMO_PASSWORD;
use tessera_testkit::demo::ERIKA;
use tessera_testkit::{Backend, Client, TestServer};

tessera_testkit::on_both_backends!(
    sign_in_and_account_pages_follow_accept_language_then_the_menu,
    password_problems_and_error_pages_are_in_the_visitors_language,
);

const FRENCH: (&str, &str) = ("Accept-Language", "fr-BE,fr;q=0.9");

async fn demo(backend: Backend) -> Option<TestServer> {
    TestServer::start_demo(backend).await.unwrap()
}

/// A page asked for by a French-speaking browser.
async fn french(client: &Client, path: &str) -> tessera_testkit::client::Page {
    let page = client.page_with(path, &[FRENCH]).await.unwrap();
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    page
}

fn menu_offers(body: &str, here: &str, others: &[&str]) {
    for code in others {
        assert!(
            body.contains(&format!("href=\"/language/{code}?return={here}\"")),
            "no link to {code} back to {here}: {body}"
        );
    }
}

async fn sign_in_and_account_pages_follow_accept_language_then_the_menu(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = server.client();

    // Accept-Language: the first language there are texts for.
    let email = french(&client, "/signin?change=1").await;
    assert!(email.body.contains("<html lang=\"fr\">"));
    assert!(email.body.contains("Connectez-vous pour continuer"));
    assert!(
        email
            .body
            .contains("<span aria-current=\"true\" lang=\"fr\">Français</span>")
    );
    menu_offers(&email.body, "/signin", &["en", "de"]);

    // An unknown language falls back to English, whatever else the header says.
    let unknown = client
        .page_with(
            "/signin?change=1",
            &[("Accept-Language", "xx-YY, tlh;q=0.8")],
        )
        .await
        .unwrap();
    assert!(unknown.body.contains("<html lang=\"en\">"));
    assert!(unknown.body.contains("Sign in to continue"));

    // Password step, then the code step, in French.
    let csrf = client.cookie("tessera_csrf").unwrap();
    let step = client
        .post_form("/signin", &[("csrf", &csrf), ("email", ERIKA)])
        .await
        .unwrap();
    assert_eq!(step.header("location"), Some("/signin/password"));
    let password = french(&client, "/signin/password").await;
    assert!(password.body.contains("Connexion en tant que"));
    assert!(password.body.contains("Mot de passe oublié ?"));
    menu_offers(&password.body, "/signin/password", &["en", "de"]);
    let step = client
        .post_form(
            "/signin/password",
            &[
                ("csrf", &csrf),
                ("email", ERIKA),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await
        .unwrap();
    assert_eq!(step.header("location"), Some("/signin/code"));
    let code = french(&client, "/signin/code").await;
    assert!(code.body.contains("Connexion sécurisée par SMS"));
    assert!(code.body.contains("Renvoyer le code par SMS"));
    assert!(code.body.contains("Essayer une autre méthode"));
    let phone = server.phone_of(ERIKA).await.unwrap();
    let done = client
        .submit_code(&server.latest_code(&phone).await.unwrap())
        .await
        .unwrap();
    assert_eq!(done.status, StatusCode::SEE_OTHER);

    let account = french(&client, "/account").await;
    assert!(account.body.contains("<html lang=\"fr\">"));
    assert!(account.body.contains("Afficher mes sessions"));
    assert!(account.body.contains("mot de passe, SMS"));
    menu_offers(&account.body, "/account", &["en", "de"]);
    let sessions = french(&client, "/account/sessions").await;
    assert!(sessions.body.contains("(ce navigateur)"));

    // Choosing Deutsch in the menu keeps it in a cookie and goes back to the page.
    let chosen = client
        .page("/language/de?return=%2Faccount%2Fsecurity")
        .await
        .unwrap();
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    assert_eq!(chosen.header("location"), Some("/account/security"));
    assert_eq!(client.cookie("tessera_lang").as_deref(), Some("de"));
    // The cookie wins over the header from now on.
    let security = french(&client, "/account/security").await;
    assert!(security.body.contains("<html lang=\"de\">"));
    assert!(security.body.contains("Mobiltelefonnummern"));
    assert!(
        security
            .body
            .contains("<span aria-current=\"true\" lang=\"de\">Deutsch</span>")
    );
    menu_offers(&security.body, "/account/security", &["en", "fr"]);
    let account = french(&client, "/account").await;
    assert!(account.body.contains("Meine Sitzungen anzeigen"));
    let apps = french(&client, "/account/apps").await;
    assert!(apps.body.contains("Meine Anwendungen"));

    // A menu link may only lead back to this site.
    let elsewhere = client
        .page("/language/fr?return=https%3A%2F%2Fevil.example%2F")
        .await
        .unwrap();
    assert_eq!(elsewhere.header("location"), Some("/"));
    // And English again, through the menu.
    client.page("/language/en?return=%2Faccount").await.unwrap();
    let account = french(&client, "/account").await;
    assert!(account.body.contains("<html lang=\"en\">"));
    assert!(account.body.contains("Display my sessions"));
}

async fn password_problems_and_error_pages_are_in_the_visitors_language(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let client = server.client();
    server.sign_in(&client, ERIKA, DEMO_PASSWORD).await.unwrap();
    client.set_cookie("tessera_lang", "fr");

    let form = client.page("/account/password").await.unwrap();
    assert!(form.body.contains("Au moins 10 caractères"));
    let csrf = client.cookie("tessera_csrf").unwrap();
    let change = |new: &'static str, confirm: &'static str| {
        let client = client.clone();
        let csrf = csrf.clone();
        async move {
            client
                .post_form(
                    "/account/password",
                    &[
                        ("csrf", csrf.as_str()),
                        ("current_password", DEMO_PASSWORD),
                        ("new_password", new),
                        ("confirm", confirm),
                    ],
                )
                .await
                .unwrap()
        }
    };
    let leaked = change("Password123!", "Password123!").await;
    assert_eq!(leaked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        leaked.body.contains(
            "Votre nouveau mot de passe ne peut pas être utilisé, car il figure dans une base \
             de données publique de mots de passe peu sûrs."
        ),
        "{}",
        leaked.body
    );
    let weak = change("kurz1", "anders").await;
    assert!(
        weak.body
            .contains("Utilisez au moins 10 caractères (celui-ci en a 5)."),
        "{}",
        weak.body
    );
    assert!(
        weak.body
            .contains("Les deux mots de passe ne sont pas identiques.")
    );

    // The friendly error page speaks the visitor's language too.
    let missing = client
        .page_with("/no/such/page", &[("Accept-Language", "de")])
        .await
        .unwrap();
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // The cookie still says French.
    assert!(missing.body.contains("<html lang=\"fr\">"));
    assert!(missing.body.contains("Page introuvable"));
    let stranger = server.client();
    let missing = stranger
        .page_with("/no/such/page", &[("Accept-Language", "de")])
        .await
        .unwrap();
    assert!(missing.body.contains("Seite nicht gefunden"));
    assert!(missing.body.contains("Zur Startseite"));
    // Programs still get problem details in English.
    let (status, _, problem) = stranger.problem("/no/such/page").await.unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem.title, "Page not found");
}
