//! The directory over the JSON API, on both databases: two organisations (Bank E and Bank F)
//! with a user administrator each, and an operator. Administrators act only in their subtree;
//! records carry versions (ETag / If-Match); bad input names its field.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call, demo, get, level_id, new_user, signed_in};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera_testkit::Backend;
use tessera_testkit::demo::{FINN, FIONA, OPERATOR, ULLA};

tessera_testkit::on_both_backends!(
    user_administrators_manage_users_of_their_own_subtree_only,
    edits_need_the_current_version_and_bad_input_names_its_field,
    operators_build_the_level_tree,
    an_invited_person_chooses_a_password_and_becomes_active,
);

async fn user_administrators_manage_users_of_their_own_subtree_only(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let ulla = signed_in(&server, ULLA).await;
    let finn = signed_in(&server, FINN).await;

    // Ulla sees Bank E and the levels below it, nothing of Bank F.
    let (_, levels) = get(&ulla, "/api/v1/levels").await;
    let names: Vec<&str> = levels["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"Bank E Payments") && !names.contains(&"Bank F"));

    // She creates a user in a level below her own.
    let payments = level_id(&ulla, "Bank E Payments").await;
    let (status, headers, created) = call(
        &ulla,
        Method::POST,
        "/api/v1/users",
        Some(new_user(&payments, "Jonas.Keller@Bank-E.example")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(headers.get("etag").unwrap(), "\"1\"");
    assert_eq!(created["status"], "invited");
    assert_eq!(created["phone"], "+4915123456789");
    assert_eq!(created["level_name"], "Bank E Payments");
    let jonas = created["id"].as_str().unwrap().to_owned();

    // Searching her subtree by last-name prefix (any case) finds him; Finn finds nothing.
    let bank_e = level_id(&ulla, "Bank E").await;
    let (status, found) = get(
        &ulla,
        &format!("/api/v1/users?level_id={bank_e}&include_sub_levels=true&last_name=kel"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["users"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["users"][0]["id"], jonas.as_str());
    let (_, by_finn) = get(&finn, "/api/v1/users?include_sub_levels=true&last_name=kel").await;
    assert_eq!(by_finn["users"].as_array().unwrap().len(), 0, "{by_finn}");
    // Nor can Finn read, change or delete him: the account does not exist for Finn.
    let (status, _) = get(&finn, &format!("/api/v1/users/{jonas}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = call(
        &finn,
        Method::DELETE,
        &format!("/api/v1/users/{jonas}"),
        None,
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Ulla cannot create users in Bank F, nor see Fiona.
    let bank_f = level_id(&finn, "Bank F").await;
    let (status, _, body) = call(
        &ulla,
        Method::POST,
        "/api/v1/users",
        Some(new_user(&bank_f, "someone@bank-f.example")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, everyone) = get(&ulla, "/api/v1/users?include_sub_levels=true&limit=200").await;
    let emails: Vec<&str> = everyone["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(!emails.contains(&FIONA), "{emails:?}");
    assert!(
        emails
            .iter()
            .all(|e| e.to_lowercase().ends_with("@bank-e.example")),
        "{emails:?}"
    );
    // Nor move Jonas to Bank F.
    let mut moved = new_user(&bank_f, "Jonas.Keller@Bank-E.example");
    moved["first_name"] = json!("Jonas");
    let (status, _, _) = call(
        &ulla,
        Method::PUT,
        &format!("/api/v1/users/{jonas}"),
        Some(moved),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Neither administrator may build levels.
    let (status, _, _) = call(
        &ulla,
        Method::POST,
        "/api/v1/levels",
        Some(json!({"parent_id": bank_e, "name": "Bank E Audit"})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Ulla deletes Jonas (with his version); then he is gone.
    let (status, _, _) = call(
        &ulla,
        Method::DELETE,
        &format!("/api/v1/users/{jonas}"),
        None,
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(&ulla, &format!("/api/v1/users/{jonas}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn edits_need_the_current_version_and_bad_input_names_its_field(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let ulla = signed_in(&server, ULLA).await;
    let bank_e = level_id(&ulla, "Bank E").await;

    // Every invalid field at once, each named.
    let (status, _, problem) = call(
        &ulla,
        Method::POST,
        "/api/v1/users",
        Some(json!({
            "level_id": bank_e,
            "first_name": "  ",
            "last_name": "Keller",
            "email": "not-an-address",
            "phone": "0151 2345 6789",
            "expires_on": "2001-01-01",
            "language": "xx",
        })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["first_name", "email", "phone", "expires_on", "language"] {
        assert!(fields.contains(&field), "{field} in {problem}");
    }
    let phone = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "phone")
        .unwrap();
    assert!(
        phone["message"]
            .as_str()
            .unwrap()
            .contains("international format")
    );

    // Unknown fields are refused, not ignored.
    let mut body = new_user(&bank_e, "lena@bank-e.example");
    body["role"] = json!("operator");
    let (status, _, _) = call(&ulla, Method::POST, "/api/v1/users", Some(body), &[]).await;
    assert!(
        status.is_client_error() && status != StatusCode::NOT_FOUND,
        "{status}"
    );

    // E-mail addresses are unique whatever their case.
    let (status, _, created) = call(
        &ulla,
        Method::POST,
        "/api/v1/users",
        Some(new_user(&bank_e, "lena@bank-e.example")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, taken) = call(
        &ulla,
        Method::POST,
        "/api/v1/users",
        Some(new_user(&bank_e, "LENA@bank-e.example")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(taken["errors"][0]["field"], "email");

    let lena = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/users/{lena}");
    let mut edit = new_user(&bank_e, "lena@bank-e.example");
    edit["first_name"] = json!("Lena");
    // Without If-Match: 428. With an old version: 412. With the current one: done.
    let (status, _, _) = call(&ulla, Method::PUT, &path, Some(edit.clone()), &[]).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let (status, headers, updated) = call(
        &ulla,
        Method::PUT,
        &path,
        Some(edit.clone()),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["first_name"], "Lena");
    assert_eq!(headers.get("etag").unwrap(), "\"2\"");
    // Another administrator (the operator) still holding version 1 is refused.
    let operator = signed_in(&server, OPERATOR).await;
    edit["first_name"] = json!("Helena");
    let (status, _, stale) = call(
        &operator,
        Method::PUT,
        &path,
        Some(edit),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{stale}");
    let (_, now) = get(&ulla, &path).await;
    assert_eq!(now["first_name"], "Lena", "the first change stands");

    // The audit trail has the change, with the field before and after.
    use tessera_store::AuditLog;
    let mut tx = server.app.store().read().await.unwrap();
    let (head, _) = tx.audit_head().await.unwrap();
    let last = tx.audit_events_after(head - 5, 5).await.unwrap();
    let update = last.iter().find(|e| e.action == "user.update").unwrap();
    let details: Value = serde_json::from_str(&update.details).unwrap();
    assert_eq!(details["before"]["first_name"], "Jonas");
    assert_eq!(details["after"]["first_name"], "Lena");
    assert!(details["after"].get("email").is_none(), "only what changed");
}

async fn operators_build_the_level_tree(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let bank_e = level_id(&operator, "Bank E").await;
    let bank_f = level_id(&operator, "Bank F").await;
    let (status, headers, audit) = call(
        &operator,
        Method::POST,
        "/api/v1/levels",
        Some(json!({"parent_id": bank_e, "name": "  Bank E Audit "})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{audit}");
    assert_eq!(audit["name"], "Bank E Audit");
    assert!(headers.get("location").is_some());
    let id = audit["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/levels/{id}");
    // Rename, then move below Bank F: Ulla (Bank E) no longer sees it, Finn (Bank F) does.
    let (status, _, renamed) = call(
        &operator,
        Method::PATCH,
        &path,
        Some(json!({"name": "Internal Audit"})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    let (status, _, moved) = call(
        &operator,
        Method::PATCH,
        &path,
        Some(json!({"parent_id": bank_f})),
        &[("if-match", "\"2\"")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["parent_id"], bank_f.as_str());
    let finn = signed_in(&server, FINN).await;
    level_id(&finn, "Internal Audit").await;
    let ulla = signed_in(&server, ULLA).await;
    let (_, seen) = get(&ulla, "/api/v1/levels").await;
    assert!(!seen.to_string().contains("Internal Audit"));
    // A level cannot move below itself; Bank E cannot go while it holds people.
    let (status, _, cycle) = call(
        &operator,
        Method::PATCH,
        &format!("/api/v1/levels/{bank_f}"),
        Some(json!({"parent_id": id})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{cycle}");
    assert_eq!(cycle["errors"][0]["field"], "parent_id");
    let (status, _, full) = call(
        &operator,
        Method::DELETE,
        &format!("/api/v1/levels/{bank_e}"),
        None,
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{full}");
    // The empty one can go.
    let (status, _, _) = call(
        &operator,
        Method::DELETE,
        &path,
        None,
        &[("if-match", "\"3\"")],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(&operator, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn an_invited_person_chooses_a_password_and_becomes_active(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let ulla = signed_in(&server, ULLA).await;
    let bank_e = level_id(&ulla, "Bank E").await;
    let (status, _, created) = call(
        &ulla,
        Method::POST,
        "/api/v1/users",
        Some(new_user(&bank_e, "mara.weiss@bank-e.example")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    server.deliver().await.unwrap();
    let mail = server
        .delivered()
        .into_iter()
        .rev()
        .find(|m| m["recipient"] == "mara.weiss@bank-e.example")
        .unwrap();
    assert_eq!(mail["subject"], "Ihr Tessera-Konto");
    let text = mail["text"].as_str().unwrap();
    let start = text.find(&server.public_url).unwrap();
    let link = text[start..].split_whitespace().next().unwrap();
    let path = link.trim_start_matches(&server.public_url).to_owned();

    let mara = server.client();
    let page = mara.page(&path).await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    let csrf = mara.cookie("tessera_csrf").unwrap();
    let set = mara
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("new_password", "Quiet-Harbour-Lantern-7"),
                ("confirm", "Quiet-Harbour-Lantern-7"),
            ],
        )
        .await
        .unwrap();
    assert!(set.status.is_redirection(), "{}", set.body);
    let (_, record) = get(
        &ulla,
        &format!("/api/v1/users/{}", created["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(record["status"], "active", "{record}");
    // Her first sign-in asks for the code sent to the phone her administrator entered.
    let step = mara
        .sign_in("mara.weiss@bank-e.example", "Quiet-Harbour-Lantern-7")
        .await
        .unwrap();
    assert_eq!(step.header("location"), Some("/signin/code"));
    let code = server.latest_code("+4915123456789").await.unwrap();
    assert_eq!(
        mara.submit_code(&code).await.unwrap().header("location"),
        Some("/account")
    );
}
