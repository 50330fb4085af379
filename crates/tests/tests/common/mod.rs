//! Helpers shared by the directory's API tests.

// Not every test file uses every helper.
#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera_app::DEMO_PASSWORD;
use tessera_testkit::client::Page;
use tessera_testkit::{Backend, Client, TestServer};

pub async fn demo(backend: Backend) -> Option<TestServer> {
    TestServer::start_demo(backend).await.unwrap()
}

pub async fn signed_in(server: &TestServer, email: &str) -> Client {
    let client = server.client();
    let done = server.sign_in(&client, email, DEMO_PASSWORD).await.unwrap();
    assert_eq!(done.header("location"), Some("/account"), "{email}");
    client
}

pub async fn call(
    client: &Client,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    client
        .api(method, path, body.as_ref(), headers)
        .await
        .unwrap()
}

pub async fn get(client: &Client, path: &str) -> (StatusCode, Value) {
    let (status, _, body) = call(client, Method::GET, path, None, &[]).await;
    (status, body)
}

/// The id of the visible level with this name.
pub async fn level_id(client: &Client, name: &str) -> String {
    let (status, body) = get(client, "/api/v1/levels").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("no level {name} in {body}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn new_user(level: &str, email: &str) -> Value {
    json!({
        "level_id": level,
        "first_name": "Jonas",
        "last_name": "Keller",
        "email": email,
        "phone": "+49 151 2345 6789",
        "company_id": "BE-042",
        "expires_on": "2099-12-31",
        "language": "de",
    })
}

/// The id of a visible user with this address.
pub async fn user_id(client: &Client, email: &str) -> String {
    let (status, body) = get(
        client,
        &format!("/api/v1/users?include_sub_levels=true&email={email}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["users"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{email} not found: {body}"))
        .to_owned()
}

/// Posts a form with the browser's CSRF token, as the page's own form would.
pub async fn submit(client: &Client, path: &str, fields: &[(&str, &str)]) -> Page {
    if client.cookie("tessera_csrf").is_none() {
        client.page("/account").await.unwrap();
    }
    let csrf = client.cookie("tessera_csrf").unwrap();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    client.post_form(path, &all).await.unwrap()
}
