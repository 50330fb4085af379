//! Administration over the JSON API, on both databases: nominations of administrators, the
//! audit trail by subtree, CSV import and export, and the OpenAPI document.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call, demo, get, level_id, new_user, signed_in, user_id};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera_testkit::demo::{ERIKA, FINN, FIONA, OPERATOR, ULLA};
use tessera_testkit::{Backend, TestServer};

tessera_testkit::on_both_backends!(
    nominations_give_rights_only_once_an_operator_confirms,
    each_reader_sees_the_audit_trail_of_their_subtree,
    csv_imports_check_every_row_and_write_all_or_nothing,
);

async fn nominations_give_rights_only_once_an_operator_confirms(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let ulla = signed_in(&server, ULLA).await;
    let erika = signed_in(&server, ERIKA).await;
    let operator = signed_in(&server, OPERATOR).await;
    let bank_e = level_id(&ulla, "Bank E").await;
    let erika_id = user_id(&ulla, ERIKA).await;
    let ulla_id = user_id(&ulla, ULLA).await;
    let nominate =
        |who: &str, role: &str| json!({"user_id": who, "role": role, "level_id": bank_e});

    let (status, _, nomination) = call(
        &ulla,
        Method::POST,
        "/api/v1/nominations",
        Some(nominate(&erika_id, "access_admin")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{nomination}");
    let id = nomination["id"].as_str().unwrap().to_owned();
    // The same again, herself, someone of Bank F, or an operator: refused.
    let (status, _, _) = call(
        &ulla,
        Method::POST,
        "/api/v1/nominations",
        Some(nominate(&erika_id, "access_admin")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _, _) = call(
        &ulla,
        Method::POST,
        "/api/v1/nominations",
        Some(nominate(&ulla_id, "access_admin")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = call(
        &ulla,
        Method::POST,
        "/api/v1/nominations",
        Some(nominate(&erika_id, "operator")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fiona_id = user_id(&operator, FIONA).await;
    let (status, _, _) = call(
        &ulla,
        Method::POST,
        "/api/v1/nominations",
        Some(nominate(&fiona_id, "access_admin")),
        &[],
    )
    .await;
    assert!(
        status == StatusCode::NOT_FOUND || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{status}"
    );

    // Until confirmed, Erika has no rights; Ulla cannot confirm.
    let (status, _) = get(&erika, "/api/v1/users?include_sub_levels=true").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let confirm = format!("/api/v1/nominations/{id}/confirm");
    let (status, _, _) = call(&ulla, Method::POST, &confirm, None, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The operator sees it pending and confirms.
    let (_, pending) = get(&operator, "/api/v1/nominations").await;
    assert!(pending.to_string().contains(&id), "{pending}");
    let (status, _, decided) = call(&operator, Method::POST, &confirm, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    let (status, _, _) = call(&operator, Method::POST, &confirm, None, &[]).await;
    assert_eq!(status, StatusCode::CONFLICT, "decided once");
    // Erika now sees Bank E's users, but as an access administrator changes none.
    let (status, seen) = get(&erika, "/api/v1/users?include_sub_levels=true").await;
    assert_eq!(status, StatusCode::OK);
    assert!(seen.to_string().contains("pierre.dupont@bank-e.example"));
    assert!(!seen.to_string().contains("bank-f.example"));
    let (status, _, _) = call(
        &erika,
        Method::POST,
        "/api/v1/users",
        Some(new_user(&bank_e, "new.one@bank-e.example")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The operator revokes; the rights are gone.
    let (status, _, _) = call(
        &operator,
        Method::DELETE,
        &format!("/api/v1/roles/{erika_id}/access_admin/{bank_e}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(&erika, "/api/v1/users?include_sub_levels=true").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Nobody decides their own roles, and the last operator stays.
    let operator_id = user_id(&operator, OPERATOR).await;
    let root = level_id(&operator, "Root").await;
    let (status, _, _) = call(
        &operator,
        Method::DELETE,
        &format!("/api/v1/roles/{operator_id}/operator/{root}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let revoked = server
        .app
        .revoke(
            &tessera_app::Ctx::system(),
            tessera_domain::UserId(operator_id.parse().unwrap()),
            tessera_domain::role::Role::Operator,
            tessera_domain::LevelId(root.parse().unwrap()),
        )
        .await;
    assert!(
        matches!(revoked, Err(tessera_app::AppError::Conflict(_))),
        "{revoked:?}"
    );
}

async fn each_reader_sees_the_audit_trail_of_their_subtree(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let ulla = signed_in(&server, ULLA).await;
    let finn = signed_in(&server, FINN).await;
    let erika = signed_in(&server, ERIKA).await;
    let operator = signed_in(&server, OPERATOR).await;
    let bank_e = level_id(&ulla, "Bank E").await;
    let bank_f = level_id(&finn, "Bank F").await;
    let (status, _, jonas) = call(
        &ulla,
        Method::POST,
        "/api/v1/users",
        Some(new_user(&bank_e, "jonas@bank-e.example")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = call(
        &finn,
        Method::POST,
        "/api/v1/users",
        Some(new_user(&bank_f, "jonas@bank-f.example")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let actions = |body: &Value| -> Vec<(String, String)> {
        body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_owned(),
                    e["details"].to_string(),
                )
            })
            .collect()
    };
    // Ulla: the creations in Bank E (the demo's and hers), none in Bank F.
    let (status, seen) = get(&ulla, "/api/v1/audit?action=user.create").await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    let text = seen.to_string();
    assert!(text.contains("jonas@bank-e.example") && text.contains("erika.mustermann"));
    assert!(!text.contains("bank-f.example"), "{seen}");
    // Finn: the other way round.
    let (_, seen) = get(&finn, "/api/v1/audit?action=user.create").await;
    let text = seen.to_string();
    assert!(
        text.contains("jonas@bank-f.example") && !text.contains("bank-e.example"),
        "{seen}"
    );
    // The operator sees both, and can filter by actor and by target.
    let (_, seen) = get(&operator, "/api/v1/audit?action=user.create").await;
    let text = seen.to_string();
    assert!(text.contains("jonas@bank-e.example") && text.contains("jonas@bank-f.example"));
    let (_, by_ulla) = get(
        &operator,
        &format!("/api/v1/audit?actor={ULLA}&action=user."),
    )
    .await;
    assert_eq!(actions(&by_ulla).len(), 1, "{by_ulla}");
    let target = jonas["id"].as_str().unwrap();
    let (_, about) = get(&operator, &format!("/api/v1/audit?target={target}")).await;
    assert!(
        actions(&about).iter().all(|(a, _)| a.starts_with("user.")),
        "{about}"
    );
    // Erika, no administrator, sees only what she did herself (her sign-ins).
    let (_, own) = get(&erika, "/api/v1/audit").await;
    assert_eq!(own["own_only"], true);
    assert!(!actions(&own).is_empty());
    assert!(
        actions(&own)
            .iter()
            .all(|(a, _)| a.starts_with("signin") || a.starts_with("session")),
        "{own}"
    );
    // A time window that ended before everything: nothing; a bad date: the field named.
    let (_, none) = get(&operator, "/api/v1/audit?to=2001-01-01").await;
    assert!(actions(&none).is_empty());
    let (status, bad) = get(&operator, "/api/v1/audit?from=yesterday").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "from");
    // Paging: one at a time, following next_before.
    let (_, first) = get(&operator, "/api/v1/audit?limit=1").await;
    let before = first["next_before"].as_i64().unwrap();
    let (_, second) = get(&operator, &format!("/api/v1/audit?limit=1&before={before}")).await;
    assert!(
        second["events"][0]["seq"].as_i64().unwrap() < first["events"][0]["seq"].as_i64().unwrap()
    );
    // The page shows the same.
    let page = ulla.page("/admin/audit?action=user.create").await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("user.create"));
    assert!(!page.body.contains("jonas@bank-f.example"));
}

async fn csv_imports_check_every_row_and_write_all_or_nothing(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let ulla = signed_in(&server, ULLA).await;
    let finn = signed_in(&server, FINN).await;
    let bank_e = level_id(&ulla, "Bank E").await;
    let path = format!("/api/v1/levels/{bank_e}/users.csv");

    // The export holds the level's own users (not Pierre, one level below).
    let (status, csv) = ulla.get_text(&path).await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("first_name,last_name,email,phone,company_id,expires_on,language")
    );
    assert!(
        csv.contains("erika.mustermann@bank-e.example,+4915550100002"),
        "{csv}"
    );
    assert!(!csv.contains("pierre.dupont"), "{csv}");

    // Every invalid row is reported with its line, and nothing is written.
    let bad = "first_name,last_name,email,phone,company_id,expires_on,language\n\
               Lena,Roth,lena.roth@bank-e.example,+49 151 2345 6780,,,de\n\
               Erika,Again,ERIKA.MUSTERMANN@bank-e.example,,,,de\n\
               Tom,,not-an-address,0151 23,,2001-01-01,xx\n\
               Lena,Twice,Lena.Roth@bank-e.example,,,,en\n";
    let (status, report) = ulla.post_text(&path, "text/csv", bad).await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert_eq!(report["rows"], 4);
    assert_eq!(report["created"], 0);
    let at = |line: i64| -> Vec<String> {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["line"] == line)
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(at(2).is_empty());
    assert_eq!(at(3), vec!["email"]);
    for field in ["last_name", "email", "phone", "expires_on", "language"] {
        assert!(at(4).contains(&field.to_owned()), "{field}: {report}");
    }
    assert_eq!(at(5), vec!["email"], "a duplicate within the file");
    let (_, found) = get(
        &ulla,
        "/api/v1/users?include_sub_levels=true&last_name=roth",
    )
    .await;
    assert_eq!(
        found["users"].as_array().unwrap().len(),
        0,
        "nothing written"
    );

    // A dry run of a good file writes nothing either; then the import creates everyone.
    let good = "first_name,last_name,email,phone,company_id,expires_on,language\n\
                Lena,Roth,lena.roth@bank-e.example,+49 151 2345 6780,BE-7,2099-06-30,de\n\
                \"Ana, María\",Núñez,ana.nunez@bank-e.example,,,,en\n";
    let (status, dry) = ulla
        .post_text(&format!("{path}?dry_run=true"), "text/csv", good)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(
        (dry["rows"].as_i64(), dry["created"].as_i64()),
        (Some(2), Some(0))
    );
    let (status, done) = ulla.post_text(&path, "text/csv", good).await.unwrap();
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 2);
    let (_, csv) = ulla.get_text(&path).await.unwrap();
    assert!(
        csv.contains("\"Ana, María\",Núñez,ana.nunez@bank-e.example"),
        "{csv}"
    );
    assert!(
        csv.contains("Lena,Roth,lena.roth@bank-e.example,+4915123456780,BE-7,2099-06-30,de"),
        "{csv}"
    );
    server.deliver().await.unwrap();
    assert!(
        server
            .delivered()
            .iter()
            .any(|m| m["recipient"] == "ana.nunez@bank-e.example")
    );

    // A wrong header is line 1; Finn may neither import into nor export Bank E.
    let (status, header) = ulla
        .post_text(&path, "text/csv", "name,mail\nA,b@c.example\n")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(header["errors"][0]["line"], 1);
    let (status, _) = finn.post_text(&path, "text/csv", good).await.unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = finn.get_text(&path).await.unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The OpenAPI document is served, is 3.1, and every operation it lists is routed: without
/// a session each answers 401 with a problem, never 404 or 405.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_operation_and_each_is_routed() {
    let server = TestServer::start(Backend::Sqlite).await.unwrap().unwrap();
    let client = server.client();
    let (status, doc) = get(&client, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/api/v1/levels",
        "/api/v1/levels/{id}",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/levels/{id}/users.csv",
        "/api/v1/nominations",
        "/api/v1/roles",
        "/api/v1/audit",
        "/api/v1/outbox",
    ] {
        assert!(paths.contains_key(expected), "{expected} documented");
    }
    let nil = "00000000-0000-0000-0000-000000000000";
    let mut operations = 0;
    for (path, item) in paths {
        let concrete = path
            .replace("{id}", nil)
            .replace("{user_id}", nil)
            .replace("{level_id}", nil)
            .replace("{role}", "user_admin");
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method == Method::POST || method == Method::PUT || method == Method::PATCH)
                .then(|| json!({}));
            let (status, _, answer) = call(&client, method.clone(), &concrete, body, &[]).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {concrete}: {answer}"
            );
            operations += 1;
        }
    }
    assert!(operations >= 20, "{operations} operations");
}
