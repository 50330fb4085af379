//! Applications over HTTP, on both databases: operators register an application, its tiles,
//! its groups (technical names derived, with the A- prefix in pre-production) and the levels
//! that may be granted each group, through the pages and through the JSON API; nobody else
//! may; and the OpenAPI document lists the new operations.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call, demo, get, level_id, signed_in, submit, user_id};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tessera_testkit::demo::{ANTON, ERIKA, OPERATOR};
use tessera_testkit::{Backend, Client};

tessera_testkit::on_both_backends!(
    operators_register_an_application_through_the_pages,
    applications_through_the_api,
);

/// The id in a path such as `/admin/applications/{id}?done=created`.
fn id_in(location: &str, prefix: &str) -> String {
    location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"))
        .split(['?', '/', '#'])
        .next()
        .unwrap()
        .to_owned()
}

async fn assignable_to(client: &Client, user: &str, search: &str) -> Vec<String> {
    let (status, body) = get(
        client,
        &format!("/api/v1/users/{user}/assignable-groups?search={search}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["technical_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn operators_register_an_application_through_the_pages(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let anton = signed_in(&server, ANTON).await;
    let bank_e = level_id(&operator, "Bank E").await;
    let erika = user_id(&operator, ERIKA).await;

    // Only operators get the link and the pages.
    let account = operator.page("/account").await.unwrap();
    assert!(account.body.contains(r#"href="/admin/applications""#));
    let account = anton.page("/account").await.unwrap();
    assert!(!account.body.contains(r#"href="/admin/applications""#));
    let refused = anton.page("/admin/applications").await.unwrap();
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let list = operator.page("/admin/applications").await.unwrap();
    assert_eq!(list.status, StatusCode::OK);
    for text in ["CASPER", "IMAS Portal", "ASTRA", "Register an application"] {
        assert!(list.body.contains(text), "{text} missing");
    }

    // Required fields: messages at the fields and in the summary.
    let invalid = submit(
        &operator,
        "/admin/applications",
        &[("code", "9 lives"), ("name", " "), ("min_assurance", "low")],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.body.contains("error-summary"));
    assert!(invalid.body.contains(r##"href="#code""##));
    assert!(invalid.body.contains(r#"id="name-error""#));
    assert!(invalid.body.contains("9 lives"), "what was typed stays");

    let created = submit(
        &operator,
        "/admin/applications",
        &[
            ("code", "atlas"),
            ("name", "ATLAS Trading"),
            ("description", "Market operations"),
            ("min_assurance", "medium"),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.header("location").unwrap().to_owned();
    let id = id_in(&location, "/admin/applications/");
    let path = format!("/admin/applications/{id}");
    let page = operator.page(&location).await.unwrap();
    assert!(page.body.contains("ATLAS Trading"));
    assert!(page.body.contains("(ATLAS)"), "the code, upper-cased");
    assert!(
        page.body.contains("A-ATLAS_WEB_DATA_SUBMITTER"),
        "the example"
    );

    // A pre-production group: its technical name is derived, with the A- prefix.
    let typed_prefix = submit(
        &operator,
        &format!("{path}/groups"),
        &[("environment", "pre_production"), ("role", "A-TRADER")],
    )
    .await;
    assert_eq!(typed_prefix.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(typed_prefix.body.contains(r##"href="#group-role""##));
    assert!(typed_prefix.body.contains(r#"id="group-role-error""#));
    let group = submit(
        &operator,
        &format!("{path}/groups"),
        &[
            ("environment", "pre_production"),
            ("role", "trader"),
            ("description", "Trades in the test environment"),
        ],
    )
    .await;
    assert_eq!(group.status, StatusCode::SEE_OTHER, "{}", group.body);
    let group_id = group
        .header("location")
        .unwrap()
        .split("#group-")
        .nth(1)
        .unwrap()
        .to_owned();
    let page = operator.page(&path).await.unwrap();
    assert!(
        page.body.contains("<code>A-ATLAS_TRADER</code>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Pre-Production"));
    assert!(page.body.contains("No organisation yet"));

    // A tile: a bad launch address is refused at its field; then saved.
    let bad_tile = submit(
        &operator,
        &format!("{path}/tiles/pre_production"),
        &[
            ("label", "ATLAS Pre-Production"),
            ("launch_url", "ftp://atlas"),
        ],
    )
    .await;
    assert_eq!(bad_tile.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_tile
            .body
            .contains(r#"id="tile-pre_production-launch_url-error""#)
    );
    assert!(
        bad_tile.body.contains("ftp://atlas"),
        "what was typed stays"
    );
    let tile = submit(
        &operator,
        &format!("{path}/tiles/pre_production"),
        &[
            ("label", "ATLAS Pre-Production"),
            ("icon", ""),
            ("launch_url", "https://atlas-acc.example/"),
        ],
    )
    .await;
    assert_eq!(tile.status, StatusCode::SEE_OTHER, "{}", tile.body);

    // Granted to Bank E: Anton may now grant it to Erika, and she gets the tile.
    let levels = submit(
        &operator,
        &format!("{path}/groups/{group_id}/levels"),
        &[("levels", &bank_e)],
    )
    .await;
    assert_eq!(levels.status, StatusCode::SEE_OTHER, "{}", levels.body);
    let bad_levels = submit(
        &operator,
        &format!("{path}/groups/{group_id}/levels"),
        &[("levels", "not-a-level")],
    )
    .await;
    assert_eq!(bad_levels.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_levels
            .body
            .contains(&format!(r#"id="levels-{group_id}-error""#))
    );
    assert_eq!(
        assignable_to(&anton, &erika, "atlas").await,
        ["A-ATLAS_TRADER"]
    );
    let granted = submit(
        &anton,
        &format!("/admin/users/{erika}/memberships"),
        &[("action", "save"), ("add", &group_id)],
    )
    .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    let erika_client = signed_in(&server, ERIKA).await;
    let apps = erika_client.page("/account/apps").await.unwrap();
    assert!(apps.body.contains("https://atlas-acc.example/"));

    // Edits carry the version read: a stale one is refused with the record as it is now.
    let saved = submit(
        &operator,
        &path,
        &[
            ("version", "1"),
            ("name", "ATLAS Markets"),
            ("description", ""),
            ("min_assurance", "high"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stale = submit(
        &operator,
        &path,
        &[
            ("version", "1"),
            ("name", "ATLAS Again"),
            ("min_assurance", "low"),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone else changed this application"));
    assert!(stale.body.contains("ATLAS Markets"));

    // Held groups and their application stay; once nobody holds them they go.
    let kept = submit(&operator, &format!("{path}/groups/{group_id}/delete"), &[]).await;
    assert_eq!(kept.status, StatusCode::CONFLICT);
    assert!(kept.body.contains("A-ATLAS_TRADER is held by 1 person"));
    let removed = submit(
        &anton,
        &format!("/admin/users/{erika}/memberships"),
        &[("action", "save"), ("remove", &group_id)],
    )
    .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let deleted = submit(&operator, &format!("{path}/groups/{group_id}/delete"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let gone = submit(&operator, &format!("{path}/delete"), &[]).await;
    assert_eq!(
        gone.header("location"),
        Some("/admin/applications?done=deleted")
    );
    let missing = operator.page(&path).await.unwrap();
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // An id that is no id is a 400 page, not a failure.
    let garbled = operator
        .page("/admin/applications/not-an-id")
        .await
        .unwrap();
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
}

async fn applications_through_the_api(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let anton = signed_in(&server, ANTON).await;
    let bank_f = level_id(&operator, "Bank F").await;

    let (status, _) = get(&anton, "/api/v1/applications").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, list) = get(&operator, "/api/v1/applications").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["applications"].as_array().unwrap().len(), 3);

    let (status, _, _) = call(
        &operator,
        Method::POST,
        "/api/v1/applications",
        Some(json!({"code": "ORION", "name": "Orion", "owner": "me"})),
        &[],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
    let (status, _, problem) = call(
        &operator,
        Method::POST,
        "/api/v1/applications",
        Some(json!({"code": "CASPER", "name": "Again", "min_assurance": "extreme"})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"min_assurance"), "{problem}");

    let (status, headers, app) = call(
        &operator,
        Method::POST,
        "/api/v1/applications",
        Some(json!({"code": "ORION", "name": "Orion"})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    assert_eq!(headers["etag"], "\"1\"");
    assert_eq!(app["min_assurance"], "low");
    let id = app["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/applications/{id}");

    // PATCH names the version read, in If-Match or in the body.
    let (status, _, _) = call(
        &operator,
        Method::PATCH,
        &path,
        Some(json!({"name": "Orion Portal"})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let (status, headers, patched) = call(
        &operator,
        Method::PATCH,
        &path,
        Some(json!({"name": "Orion Portal"})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(headers["etag"], "\"2\"");
    assert_eq!(patched["code"], "ORION");
    let (status, _, _) = call(
        &operator,
        Method::PATCH,
        &path,
        Some(json!({"description": "stale"})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, _, patched) = call(
        &operator,
        Method::PATCH,
        &path,
        Some(json!({"min_assurance": "high", "version": 2})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Orion Portal", "fields left out stay");
    assert_eq!(patched["min_assurance"], "high");

    // Tiles and groups.
    let (status, _, tile) = call(
        &operator,
        Method::PUT,
        &format!("{path}/tiles/production"),
        Some(json!({"label": "Orion", "launch_url": "https://orion.example/"})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tile}");
    assert_eq!(tile["environment"], "production");
    let (status, _, problem) = call(
        &operator,
        Method::PUT,
        &format!("{path}/tiles/staging"),
        Some(json!({"label": "Orion", "launch_url": "https://orion.example/"})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "environment");
    let (status, _, group) = call(
        &operator,
        Method::POST,
        &format!("{path}/groups"),
        Some(json!({"environment": "pre_production", "role": "VIEWER"})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    assert_eq!(group["technical_name"], "A-ORION_VIEWER");
    assert_eq!(group["display_name"], "VIEWER");
    let group_id = group["id"].as_str().unwrap().to_owned();
    let (status, _, _) = call(
        &operator,
        Method::POST,
        &format!("{path}/groups"),
        Some(json!({"environment": "pre_production", "role": "VIEWER", "technical_name": "X"})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "names are never typed");

    let (status, _, levels) = call(
        &operator,
        Method::PUT,
        &format!("/api/v1/groups/{group_id}/levels"),
        Some(json!({"level_ids": [bank_f]})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{levels}");
    let (_, detail) = get(&operator, &path).await;
    assert_eq!(detail["groups"][0]["levels"][0]["name"], "Bank F");
    assert_eq!(detail["groups"][0]["members"], 0);
    assert_eq!(detail["tiles"].as_array().unwrap().len(), 1);
    // Bank F's group is not Anton's to grant.
    let erika = user_id(&anton, ERIKA).await;
    assert!(assignable_to(&anton, &erika, "orion").await.is_empty());

    // Anton may not change applications; without the CSRF header nobody may.
    let (status, _, _) = call(
        &anton,
        Method::DELETE,
        &format!("/api/v1/groups/{group_id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = operator
        .post_json(
            &format!("{path}/groups"),
            &json!({"environment": "production", "role": "X"}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _, _) = call(
        &operator,
        Method::DELETE,
        &format!("/api/v1/groups/{group_id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = call(&operator, Method::DELETE, &path, None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(&operator, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The OpenAPI document lists the new operations.
    let (status, document) = get(&operator, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let paths = document["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/applications", "get"),
        ("/api/v1/applications", "post"),
        ("/api/v1/applications/{id}", "patch"),
        ("/api/v1/applications/{id}", "delete"),
        ("/api/v1/applications/{id}/tiles/{environment}", "put"),
        ("/api/v1/applications/{id}/groups", "post"),
        ("/api/v1/groups/{id}", "delete"),
        ("/api/v1/groups/{id}/levels", "put"),
        ("/api/v1/groups/{id}/memberships", "post"),
        ("/api/v1/users/{id}/memberships", "get"),
        ("/api/v1/users/{id}/memberships", "post"),
        ("/api/v1/users/{id}/assignable-groups", "get"),
    ] {
        assert!(paths[path].get(method).is_some(), "{method} {path} missing");
    }
}
