//! Single sign-on registrations over HTTP, on both databases: operators register, change and
//! delete OpenID Connect clients and CAS services through the pages (the secret shown once,
//! errors at their fields, stale changes refused) and through the JSON API (PUT and DELETE,
//! 422 per field, 409 stale, 404 unknown); nobody else may.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call, demo, get, signed_in, submit};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera_testkit::demo::{ANTON, OPERATOR};
use tessera_testkit::{Backend, Client, TestServer};

tessera_testkit::on_both_backends!(
    oidc_clients_through_the_pages,
    cas_services_through_the_pages,
    sso_registrations_through_the_api,
);

const REDIRECT: &str = "https://casper.example/callback";

async fn casper(client: &Client) -> String {
    let (status, body) = get(client, "/api/v1/applications").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "CASPER")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The text between `before` and the next `after` in a page.
fn between<'a>(body: &'a str, before: &str, after: &str) -> &'a str {
    let start = body
        .find(before)
        .unwrap_or_else(|| panic!("{before} not in {body}"))
        + before.len();
    let rest = &body[start..];
    &rest[..rest.find(after).unwrap()]
}

/// The client credentials grant with a secret: the token endpoint's status.
async fn token_status(server: &TestServer, client_id: &str, secret: &str) -> StatusCode {
    reqwest::Client::new()
        .post(server.url("/oidc/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .status()
}

fn client_form<'a>(name: &'a str, redirect: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("redirect_uris", redirect),
        ("post_logout_redirect_uris", "https://casper.example/bye"),
        ("backchannel_logout_uri", ""),
        ("client_type", "confidential"),
        ("auth_method", "client_secret_basic"),
        ("jwks", ""),
        ("grant_types", "client_credentials"),
        ("access_token_seconds", "600"),
        ("id_token_seconds", "300"),
        ("refresh_token_seconds", ""),
        ("min_assurance", "high"),
        ("id_token_alg", "ES256"),
    ]
}

async fn oidc_clients_through_the_pages(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let anton = signed_in(&server, ANTON).await;
    let app = casper(&operator).await;
    let app_path = format!("/admin/applications/{app}");
    let new_path = format!("{app_path}/oidc-clients/new");

    let page = operator.page(&app_path).await.unwrap();
    assert!(page.body.contains("Single sign-on"));
    assert!(page.body.contains(&format!(r#"href="{new_path}""#)));
    assert!(
        page.body
            .contains("No OpenID Connect client in Pre-Production")
    );
    assert_eq!(
        anton.page(&new_path).await.unwrap().status,
        StatusCode::FORBIDDEN
    );
    let refused = submit(
        &anton,
        &format!("{app_path}/oidc-clients"),
        &client_form("X", REDIRECT),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let form = operator.page(&new_path).await.unwrap();
    assert_eq!(form.status, StatusCode::OK);
    for field in [
        "redirect_uris",
        "jwks",
        "grant_types",
        "id_token_alg",
        "third_party",
    ] {
        assert!(form.body.contains(&format!(r#"name="{field}""#)), "{field}");
    }

    // Errors at their fields and in the summary; what was typed stays.
    let mut bad = client_form("CASPER web", "http://casper.example/cb");
    bad.retain(|(k, _)| *k != "access_token_seconds");
    bad.push(("access_token_seconds", "soon"));
    bad.push(("environment", "production"));
    let invalid = submit(&operator, &format!("{app_path}/oidc-clients"), &bad).await;
    assert_eq!(
        invalid.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        invalid.body
    );
    assert!(invalid.body.contains("error-summary"));
    assert!(invalid.body.contains(r##"href="#client-redirect_uris""##));
    assert!(invalid.body.contains(r#"id="client-redirect_uris-error""#));
    assert!(
        invalid
            .body
            .contains(r#"id="client-access_token_seconds-error""#)
    );
    assert!(invalid.body.contains("Enter a whole number of seconds"));
    assert!(
        invalid.body.contains("http://casper.example/cb"),
        "typed stays"
    );

    // Registered: the secret is shown this once, and never cached.
    let mut good = client_form("CASPER web", REDIRECT);
    good.push(("environment", "pre_production"));
    let shown = submit(&operator, &format!("{app_path}/oidc-clients"), &good).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.header("cache-control"), Some("no-store"));
    assert!(shown.body.contains("Copy the client secret now"));
    let client_id = between(&shown.body, r#"<code id="client-id">"#, "<").to_owned();
    let secret = between(
        &shown.body,
        r#"id="client-secret" class="secret" value=""#,
        "\"",
    )
    .to_owned();
    assert!(client_id.starts_with("casper-"), "{client_id}");
    assert_eq!(
        token_status(&server, &client_id, &secret).await,
        StatusCode::OK
    );

    let page = operator.page(&app_path).await.unwrap();
    assert!(page.body.contains(&client_id));
    assert!(!page.body.contains(&secret), "shown once only");
    let id = between(&page.body, r#"href="/admin/oidc-clients/"#, "\"").to_owned();
    let edit_path = format!("/admin/oidc-clients/{id}");
    let edit = operator.page(&edit_path).await.unwrap();
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains(r#"name="version" value="1""#));
    assert!(edit.body.contains("Issue a new secret"));
    assert!(edit.body.contains("https://casper.example/bye"));
    assert!(!edit.body.contains(&secret));
    assert_eq!(
        anton.page(&edit_path).await.unwrap().status,
        StatusCode::FORBIDDEN
    );

    // A change with a new secret: shown once; the old secret stops working.
    let mut renamed = client_form("CASPER portal", REDIRECT);
    renamed.extend([("version", "1"), ("new_secret", "yes")]);
    let changed = submit(&operator, &edit_path, &renamed).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert!(changed.body.contains("was changed"));
    let new_secret = between(
        &changed.body,
        r#"id="client-secret" class="secret" value=""#,
        "\"",
    )
    .to_owned();
    assert_ne!(new_secret, secret);
    assert_eq!(
        token_status(&server, &client_id, &new_secret).await,
        StatusCode::OK
    );
    assert_eq!(
        token_status(&server, &client_id, &secret).await,
        StatusCode::UNAUTHORIZED
    );

    // The same version again is stale: refused, the client shown as it is now.
    let mut stale = client_form("CASPER stale", REDIRECT);
    stale.push(("version", "1"));
    let refused = submit(&operator, &edit_path, &stale).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("Someone else changed this"));
    assert!(refused.body.contains(r#"value="CASPER portal""#));
    assert!(refused.body.contains(r#"name="version" value="2""#));

    // private_key_jwt without keys: refused at the jwks field.
    let mut keyless = client_form("CASPER portal", REDIRECT);
    keyless.retain(|(k, _)| *k != "auth_method");
    keyless.extend([("auth_method", "private_key_jwt"), ("version", "2")]);
    let invalid = submit(&operator, &edit_path, &keyless).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.body.contains(r#"id="client-jwks-error""#));
    assert!(invalid.body.contains(r##"href="#client-jwks""##));

    // A plain save goes back to the application's page.
    let mut plain = client_form("CASPER portal", REDIRECT);
    plain.push(("version", "2"));
    let saved = submit(&operator, &edit_path, &plain).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.header("location"),
        Some(format!("{app_path}?done=client_saved#sso").as_str())
    );

    // Deleting asks first; then the client's secret works no more.
    let confirm = operator.page(&format!("{edit_path}/delete")).await.unwrap();
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("CASPER portal"));
    let refused = submit(&anton, &format!("{edit_path}/delete"), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let deleted = submit(&operator, &format!("{edit_path}/delete"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let page = operator
        .page(deleted.header("location").unwrap())
        .await
        .unwrap();
    assert!(page.body.contains("The OpenID Connect client was deleted."));
    assert!(!page.body.contains(&client_id));
    assert_eq!(
        token_status(&server, &client_id, &new_secret).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        operator.page(&edit_path).await.unwrap().status,
        StatusCode::NOT_FOUND
    );
}

async fn cas_services_through_the_pages(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let anton = signed_in(&server, ANTON).await;
    let app = casper(&operator).await;
    let app_path = format!("/admin/applications/{app}");
    let register = format!("{app_path}/cas-services");

    let form = operator.page(&format!("{register}/new")).await.unwrap();
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"name="match_kind""#));
    assert_eq!(
        anton.page(&format!("{register}/new")).await.unwrap().status,
        StatusCode::FORBIDDEN
    );

    let invalid = submit(
        &operator,
        &register,
        &[
            ("environment", "production"),
            ("name", "CASPER"),
            ("service_url", "http://casper.example/cas/"),
            ("match_kind", "prefix"),
            ("single_logout_url", ""),
        ],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.body.contains(r#"id="service-service_url-error""#));
    assert!(invalid.body.contains(r##"href="#service-service_url""##));
    assert!(
        !invalid
            .body
            .contains(r#"id="service-single_logout_url-error""#)
    );

    let fields = [
        ("environment", "production"),
        ("name", "CASPER"),
        ("service_url", "https://casper.example/cas/"),
        ("match_kind", "prefix"),
        ("single_logout_url", ""),
    ];
    let registered = submit(&operator, &register, &fields).await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    let page = operator
        .page(registered.header("location").unwrap())
        .await
        .unwrap();
    assert!(page.body.contains("The CAS service was registered."));
    assert!(
        page.body
            .contains("<code>https://casper.example/cas/</code>")
    );
    let id = between(&page.body, r#"href="/admin/cas-services/"#, "\"").to_owned();
    let edit_path = format!("/admin/cas-services/{id}");
    let edit = operator.page(&edit_path).await.unwrap();
    assert!(edit.body.contains(r#"name="version" value="1""#));

    let changed = [
        ("name", "CASPER login"),
        ("service_url", "https://casper.example/cas/login"),
        ("match_kind", "exact"),
        ("proxy_allowed", "yes"),
        ("single_logout_url", "https://casper.example/slo"),
    ];
    let refused = submit(&anton, &edit_path, &changed).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut bad = changed.to_vec();
    bad.extend([("version", "1"), ("single_logout_url", "ftp://x")]);
    bad.retain(|(k, v)| *k != "single_logout_url" || *v == "ftp://x");
    let invalid = submit(&operator, &edit_path, &bad).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid
            .body
            .contains(r#"id="service-single_logout_url-error""#)
    );
    assert!(
        invalid.body.contains(r#"value="CASPER login""#),
        "typed stays"
    );

    let mut good = changed.to_vec();
    good.push(("version", "1"));
    let saved = submit(&operator, &edit_path, &good).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = operator
        .page(saved.header("location").unwrap())
        .await
        .unwrap();
    assert!(page.body.contains("The CAS service was saved."));
    assert!(
        page.body
            .contains("<code>https://casper.example/cas/login</code>")
    );

    let stale = submit(&operator, &edit_path, &good).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone else changed this"));
    assert!(stale.body.contains(r#"name="version" value="2""#));

    let confirm = operator.page(&format!("{edit_path}/delete")).await.unwrap();
    assert!(confirm.body.contains("CASPER login"));
    let deleted = submit(&operator, &format!("{edit_path}/delete"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let page = operator
        .page(deleted.header("location").unwrap())
        .await
        .unwrap();
    assert!(page.body.contains("The CAS service was deleted."));
    assert!(!page.body.contains("casper.example/cas/login"));
    // /cas/login no longer knows the address.
    let login = operator
        .page("/cas/login?service=https%3A%2F%2Fcasper.example%2Fcas%2Flogin")
        .await
        .unwrap();
    assert_ne!(login.status, StatusCode::SEE_OTHER);
    assert!(login.header("location").is_none());
}

fn problem_fields(body: &Value) -> Vec<&str> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect()
}

async fn sso_registrations_through_the_api(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let anton = signed_in(&server, ANTON).await;
    let app = casper(&operator).await;
    let unknown = "00000000-0000-7000-8000-000000000000";

    // CAS services.
    let (status, _, service) = call(
        &operator,
        Method::POST,
        &format!("/api/v1/applications/{app}/cas-services"),
        Some(
            json!({"environment": "pre_production", "name": "CASPER test",
                    "service_url": "https://casper.example/cas/", "match_kind": "prefix"}),
        ),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    let path = format!("/api/v1/cas-services/{}", service["id"].as_str().unwrap());
    let (status, read) = get(&operator, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, service);
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let body = (method == Method::PUT).then(|| {
            json!({"environment": "production",
            "name": "X", "service_url": "https://x.example/", "version": 1})
        });
        let (status, _, _) = call(&anton, method.clone(), &path, body, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method}");
    }
    let change = |name: &str, url: &str, version: i64| {
        json!({"environment": "pre_production", "name": name, "service_url": url,
               "match_kind": "exact", "proxy_allowed": true, "single_logout_url": "",
               "version": version})
    };
    let (status, _, body) = call(
        &operator,
        Method::PUT,
        &path,
        Some(
            json!({"environment": "pre_production", "name": "", "service_url": "http://x.example/",
                    "match_kind": "regex", "version": 1}),
        ),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem_fields(&body), ["name", "match_kind", "service_url"]);
    let (status, _, body) = call(
        &operator,
        Method::PUT,
        &path,
        Some(change(
            "CASPER login",
            "https://casper.example/cas/login",
            1,
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);
    assert_eq!(body["match_kind"], "exact");
    assert_eq!(body["single_logout_url"], Value::Null);
    let (status, _, body) = call(
        &operator,
        Method::PUT,
        &path,
        Some(change("Late", "https://casper.example/cas/late", 1)),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let mut unknown_field = change("Sneaky", "https://casper.example/cas/sneaky", 2);
    unknown_field["owner"] = json!("someone");
    let (status, _, body) = call(&operator, Method::PUT, &path, Some(unknown_field), &[]).await;
    assert!(status.is_client_error(), "{status} {body}");
    assert_eq!(get(&operator, &path).await.1["name"], "CASPER login");
    let unknown_path = format!("/api/v1/cas-services/{unknown}");
    assert_eq!(get(&operator, &unknown_path).await.0, StatusCode::NOT_FOUND);
    let (status, _, _) = call(
        &operator,
        Method::PUT,
        &unknown_path,
        Some(change("X", "https://x.example/", 1)),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = call(&operator, Method::DELETE, &unknown_path, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = call(&operator, Method::DELETE, &path, None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(get(&operator, &path).await.0, StatusCode::NOT_FOUND);

    // OpenID Connect clients.
    let settings = |extra: Value| {
        let mut body = json!({"environment": "production", "name": "CASPER web",
            "redirect_uris": [REDIRECT], "grant_types": ["client_credentials"]});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        body
    };
    let (status, _, client) = call(
        &operator,
        Method::POST,
        &format!("/api/v1/applications/{app}/oidc-clients"),
        Some(settings(json!({}))),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    let path = format!("/api/v1/oidc-clients/{}", client["id"].as_str().unwrap());
    let (status, _, body) = call(
        &operator,
        Method::PUT,
        &path,
        Some(settings(
            json!({"auth_method": "private_key_jwt", "version": 1}),
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem_fields(&body), ["jwks"]);
    let (status, _, body) = call(
        &operator,
        Method::PUT,
        &path,
        Some(settings(
            json!({"name": "CASPER portal", "version": 1, "new_secret": true}),
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);
    let new_secret = body["client_secret"].as_str().unwrap().to_owned();
    let client_id = body["client_id"].as_str().unwrap().to_owned();
    assert_eq!(
        token_status(&server, &client_id, &new_secret).await,
        StatusCode::OK
    );
    assert_eq!(
        token_status(
            &server,
            &client_id,
            client["client_secret"].as_str().unwrap()
        )
        .await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _, _) = call(
        &operator,
        Method::PUT,
        &path,
        Some(settings(json!({"version": 1}))),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Unknown fields are refused, and a change must say which version it read.
    for body in [json!({"version": 2, "owner": "someone"}), json!({})] {
        let (status, _, answer) =
            call(&operator, Method::PUT, &path, Some(settings(body)), &[]).await;
        assert!(
            status.is_client_error() && status != StatusCode::CONFLICT,
            "{answer}"
        );
    }
    let (status, read) = get(&operator, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(read.get("client_secret").is_none(), "never shown again");
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let body = (method == Method::PUT).then(|| settings(json!({"version": 2})));
        let (status, _, _) = call(&anton, method.clone(), &path, body, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method}");
    }
    let unknown_path = format!("/api/v1/oidc-clients/{unknown}");
    assert_eq!(get(&operator, &unknown_path).await.0, StatusCode::NOT_FOUND);
    let (status, _, _) = call(
        &operator,
        Method::PUT,
        &unknown_path,
        Some(settings(json!({"version": 1}))),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = call(&operator, Method::DELETE, &path, None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        token_status(&server, &client_id, &new_secret).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _, _) = call(&operator, Method::DELETE, &path, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The OpenAPI document lists the new operations.
    let (_, document) = get(&operator, "/api/v1/openapi.json").await;
    let operations = &document["paths"]["/api/v1/cas-services/{id}"];
    for method in ["get", "put", "delete"] {
        assert!(operations.get(method).is_some(), "{method}");
    }
}
