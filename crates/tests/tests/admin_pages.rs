//! The administration pages over HTTP, as a browser without JavaScript uses them, on both
//! databases: organisation levels (create, rename, move, delete, stale versions), CSV export
//! and import on the Users page, and which links each person is shown. What changed is
//! checked through the JSON API, and what people are told in the pages themselves.
//! Nominations are in `nomination_pages.rs`.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{demo, get, level_id, signed_in, submit};
use reqwest::StatusCode;
use tessera_testkit::client::Page;
use tessera_testkit::demo::{ERIKA, FINN, OPERATOR, ULLA};
use tessera_testkit::{Backend, Client};

tessera_testkit::on_both_backends!(
    operators_build_the_level_tree_through_the_pages,
    csv_export_downloads_and_import_reports_every_invalid_line,
    administration_links_follow_what_each_person_may_do,
);

async fn level_json(client: &Client, id: &str) -> (StatusCode, serde_json::Value) {
    get(client, &format!("/api/v1/levels/{id}")).await
}

async fn version_of(client: &Client, id: &str) -> String {
    let (status, level) = level_json(client, id).await;
    assert_eq!(status, StatusCode::OK, "{level}");
    level["version"].to_string()
}

/// The id in a path such as `/admin/levels/{id}?done=created`.
fn id_in(location: &str, prefix: &str) -> String {
    location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"))
        .split(['?', '/'])
        .next()
        .unwrap()
        .to_owned()
}

async fn operators_build_the_level_tree_through_the_pages(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let bank_e = level_id(&operator, "Bank E").await;
    let bank_f = level_id(&operator, "Bank F").await;

    let tree = operator.page("/admin/levels").await.unwrap();
    assert_eq!(tree.status, StatusCode::OK);
    for text in [
        "Root",
        "Bank E",
        "Bank E Payments",
        "Bank F",
        "Create a new level",
    ] {
        assert!(tree.body.contains(text), "{text} missing: {}", tree.body);
    }
    assert!(tree.body.contains("depth 2"), "sub-levels show their depth");

    // A name is required: the message is at the field and in the summary.
    let refused = submit(
        &operator,
        "/admin/levels",
        &[("parent_id", &bank_e), ("name", "  ")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("error-summary"), "{}", refused.body);
    assert!(refused.body.contains("field-error"), "{}", refused.body);
    assert!(refused.body.contains("Enter a name for the level."));

    let created = submit(
        &operator,
        "/admin/levels",
        &[("parent_id", &bank_e), ("name", "Treasury")],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.header("location").unwrap().to_owned();
    let treasury = id_in(&location, "/admin/levels/");
    let page = operator.page(&location).await.unwrap();
    assert!(
        page.body.contains("The level was created."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Root › Bank E › Treasury"),
        "{}",
        page.body
    );
    let (_, level) = level_json(&operator, &treasury).await;
    assert_eq!(level["parent_id"], bank_e.as_str());
    assert_eq!(level["version"], 1);

    // Rename at the version read.
    let renamed = submit(
        &operator,
        &format!("/admin/levels/{treasury}/rename"),
        &[("version", "1"), ("name", "Group Treasury")],
    )
    .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    let (_, level) = level_json(&operator, &treasury).await;
    assert_eq!(level["name"], "Group Treasury");
    assert_eq!(level["version"], 2);

    // A second rename from the same, now outdated, page is refused, and says so.
    let stale = submit(
        &operator,
        &format!("/admin/levels/{treasury}/rename"),
        &[("version", "1"), ("name", "Old Treasury")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("Someone else changed this level"),
        "{}",
        stale.body
    );
    assert!(
        stale.body.contains("value=\"2\""),
        "the page offers the new version"
    );
    let (_, level) = level_json(&operator, &treasury).await;
    assert_eq!(level["name"], "Group Treasury");

    // A bad name at the field; a version that is no number is a 400 page, not a 500.
    let invalid = submit(
        &operator,
        &format!("/admin/levels/{treasury}/rename"),
        &[("version", "2"), ("name", "")],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.body.contains("Enter a name for the level."));
    let garbled = submit(
        &operator,
        &format!("/admin/levels/{treasury}/rename"),
        &[("version", "two"), ("name", "X")],
    )
    .await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);

    // Move it below Bank F, chosen from the select.
    let move_page = operator
        .page(&format!("/admin/levels/{treasury}"))
        .await
        .unwrap();
    assert!(move_page.body.contains(&format!("value=\"{bank_f}\"")));
    let moved = submit(
        &operator,
        &format!("/admin/levels/{treasury}/move"),
        &[("version", "2"), ("parent_id", &bank_f)],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let (_, level) = level_json(&operator, &treasury).await;
    assert_eq!(level["parent_id"], bank_f.as_str());
    assert_eq!(level["depth"], 2);

    // Bank F cannot go below its own sub-level.
    let version = version_of(&operator, &bank_f).await;
    let cycle = submit(
        &operator,
        &format!("/admin/levels/{bank_f}/move"),
        &[("version", &version), ("parent_id", &treasury)],
    )
    .await;
    assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        cycle.body.contains("cannot move below itself"),
        "{}",
        cycle.body
    );

    // Bank F holds users: deleting it is refused with the reason.
    let full = submit(
        &operator,
        &format!("/admin/levels/{bank_f}/delete"),
        &[("version", &version)],
    )
    .await;
    assert_eq!(full.status, StatusCode::CONFLICT);
    assert!(
        full.body.contains("Only an empty level can be deleted"),
        "{}",
        full.body
    );
    assert_eq!(level_json(&operator, &bank_f).await.0, StatusCode::OK);

    // The empty level goes, but only at its current version.
    let outdated = submit(
        &operator,
        &format!("/admin/levels/{treasury}/delete"),
        &[("version", "2")],
    )
    .await;
    assert_eq!(outdated.status, StatusCode::CONFLICT);
    assert!(outdated.body.contains("Someone else changed this level"));
    assert_eq!(level_json(&operator, &treasury).await.0, StatusCode::OK);
    let deleted = submit(
        &operator,
        &format!("/admin/levels/{treasury}/delete"),
        &[("version", "3")],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
    assert_eq!(
        deleted.header("location"),
        Some("/admin/levels?done=deleted")
    );
    assert_eq!(
        level_json(&operator, &treasury).await.0,
        StatusCode::NOT_FOUND
    );

    // A user administrator sees their own subtree, without forms, and changes nothing.
    let ulla = signed_in(&server, ULLA).await;
    let seen = ulla.page("/admin/levels").await.unwrap();
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("Bank E Payments"));
    assert!(!seen.body.contains("Bank F"), "{}", seen.body);
    assert!(!seen.body.contains("Create a new level"));
    let refused = submit(
        &ulla,
        "/admin/levels",
        &[("parent_id", &bank_e), ("name", "Shadow")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let version = version_of(&operator, &bank_e).await;
    let refused = submit(
        &ulla,
        &format!("/admin/levels/{bank_e}/rename"),
        &[("version", &version), ("name", "Mine")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(level_json(&operator, &bank_e).await.1["name"], "Bank E");
    let hidden = ulla.page(&format!("/admin/levels/{bank_f}")).await.unwrap();
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

/// A multipart/form-data body, as a browser sends the import form.
fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "----tessera-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(file) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn import(
    client: &Client,
    level: &str,
    dry_run: bool,
    text: &str,
    file: Option<&[u8]>,
) -> Page {
    let csrf = client.cookie("tessera_csrf").unwrap_or_default();
    let dry_run = if dry_run { "true" } else { "false" };
    let (content_type, body) = multipart(
        &[
            ("csrf", &csrf),
            ("level_id", level),
            ("text", text),
            ("dry_run", dry_run),
        ],
        file,
    );
    client
        .post_raw("/admin/users/import", &content_type, body)
        .await
        .unwrap()
}

async fn csv_export_downloads_and_import_reports_every_invalid_line(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let ulla = signed_in(&server, ULLA).await;
    let finn = signed_in(&server, FINN).await;
    let bank_e = level_id(&ulla, "Bank E").await;
    let bank_f = level_id(&finn, "Bank F").await;

    // The Users page links to the export of the level searched, and to the import.
    let users = ulla
        .page(&format!("/admin/users?level_id={bank_e}"))
        .await
        .unwrap();
    assert!(
        users
            .body
            .contains(&format!("/admin/users/export?level_id={bank_e}"))
    );
    assert!(users.body.contains("Import CSV"), "{}", users.body);

    let download = ulla
        .page(&format!("/admin/users/export?level_id={bank_e}"))
        .await
        .unwrap();
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(
        download.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename=\"users-bank-e.csv\"")
    );
    assert!(
        download
            .body
            .starts_with("first_name,last_name,email,phone,company_id,expires_on,language\n")
    );
    assert!(download.body.contains(ERIKA), "{}", download.body);
    // Another organisation's level, or none: not found.
    let other = ulla
        .page(&format!("/admin/users/export?level_id={bank_f}"))
        .await
        .unwrap();
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.body.contains("fiona"));
    let none = ulla
        .page("/admin/users/export?level_id=nonsense")
        .await
        .unwrap();
    assert_eq!(none.status, StatusCode::NOT_FOUND);

    let form = ulla
        .page(&format!("/admin/users/import?level_id={bank_e}"))
        .await
        .unwrap();
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Check (dry run)")
            && form.body.contains("enctype=\"multipart/form-data\"")
    );

    // A file with mistakes on lines 3 and 4: each reported with its line; nothing written.
    let bad = "first_name,last_name,email,phone,company_id,expires_on,language\n\
               Lena,Roth,lena.roth@bank-e.example,+49 151 2345 6780,,,de\n\
               Tom,Kranz,not-an-address,,,,de\n\
               Ida,,ida.wolf@bank-e.example,,,,en\n";
    let report = import(&ulla, &bank_e, true, "", Some(bad.as_bytes())).await;
    assert_eq!(
        report.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        report.body
    );
    assert!(
        report.body.contains("2 problems in 3 rows"),
        "{}",
        report.body
    );
    assert!(
        report.body.contains("<td>3</td><td>email</td>"),
        "{}",
        report.body
    );
    assert!(
        report.body.contains("<td>4</td><td>last_name</td>"),
        "{}",
        report.body
    );
    assert!(!report.body.contains("<td>2</td>"), "line 2 is valid");
    // The real import of the same file writes nothing either.
    let refused = import(&ulla, &bank_e, false, "", Some(bad.as_bytes())).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("nothing was imported"));
    let (_, found) = get(
        &ulla,
        "/api/v1/users?include_sub_levels=true&email=lena.roth",
    )
    .await;
    assert_eq!(found["users"].as_array().unwrap().len(), 0, "{found}");

    // A clean file: the check passes and keeps the rows in the form; nothing written yet.
    let good = "first_name,last_name,email,phone,company_id,expires_on,language\n\
                Lena,Roth,lena.roth@bank-e.example,+49 151 2345 6780,,,de\n\
                Ida,Wolf,ida.wolf@bank-e.example,,BE-9,2099-01-31,en\n";
    let checked = import(&ulla, &bank_e, true, "", Some(good.as_bytes())).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(
        checked.body.contains("All 2 rows are valid."),
        "{}",
        checked.body
    );
    assert!(
        checked.body.contains("ida.wolf@bank-e.example,,BE-9"),
        "rows kept in the textarea"
    );
    let (_, found) = get(
        &ulla,
        "/api/v1/users?include_sub_levels=true&email=ida.wolf",
    )
    .await;
    assert_eq!(found["users"].as_array().unwrap().len(), 0, "{found}");

    // Finn (Bank F) cannot import into Bank E; a form without the token is refused.
    let csrf = finn.page("/account").await.unwrap();
    assert_eq!(csrf.status, StatusCode::OK);
    let foreign = import(&finn, &bank_e, false, good, None).await;
    assert!(
        foreign.status == StatusCode::FORBIDDEN || foreign.status == StatusCode::NOT_FOUND,
        "{}",
        foreign.status
    );
    let (content_type, body) = multipart(
        &[("level_id", &bank_e), ("text", good), ("dry_run", "false")],
        None,
    );
    let forged = ulla
        .post_raw("/admin/users/import", &content_type, body)
        .await
        .unwrap();
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Not UTF-8, empty, or not multipart at all: told, never a 500.
    let latin1 = import(&ulla, &bank_e, true, "", Some(b"first_name\nR\xe9my\n")).await;
    assert_eq!(latin1.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(latin1.body.contains("not UTF-8"), "{}", latin1.body);
    let empty = import(&ulla, &bank_e, true, " ", None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Choose a CSV file"));
    let plain = ulla
        .post_raw("/admin/users/import", "text/plain", b"hello".to_vec())
        .await
        .unwrap();
    assert_eq!(plain.status, StatusCode::BAD_REQUEST);
    let (_, found) = get(
        &ulla,
        "/api/v1/users?include_sub_levels=true&email=ida.wolf",
    )
    .await;
    assert_eq!(found["users"].as_array().unwrap().len(), 0, "{found}");

    // Import, from the text the check left in the form.
    let done = import(&ulla, &bank_e, false, good, None).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("2 accounts were created."),
        "{}",
        done.body
    );
    for email in ["lena.roth", "ida.wolf"] {
        let (_, found) = get(
            &ulla,
            &format!("/api/v1/users?include_sub_levels=true&email={email}"),
        )
        .await;
        assert_eq!(found["users"][0]["level_id"], bank_e.as_str(), "{found}");
    }
    let download = ulla
        .page(&format!("/admin/users/export?level_id={bank_e}"))
        .await
        .unwrap();
    assert!(
        download
            .body
            .contains("Ida,Wolf,ida.wolf@bank-e.example,,BE-9,2099-01-31,en")
    );
}

async fn administration_links_follow_what_each_person_may_do(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let links = ["/admin/levels", "/admin/nominations"];
    for who in [OPERATOR, ULLA] {
        let client = signed_in(&server, who).await;
        let account = client.page("/account").await.unwrap();
        let users = client.page("/admin/users").await.unwrap();
        for link in links {
            assert!(account.body.contains(link), "{who}: {link}");
            assert!(users.body.contains(link), "{who}: {link}");
            assert_eq!(client.page(link).await.unwrap().status, StatusCode::OK);
        }
    }
    let erika = signed_in(&server, ERIKA).await;
    let account = erika.page("/account").await.unwrap();
    for link in links {
        assert!(!account.body.contains(link), "{link}");
        assert_eq!(
            erika.page(link).await.unwrap().status,
            StatusCode::FORBIDDEN
        );
    }
    // Not signed in: to the sign-in page.
    let anonymous = server.client();
    let page = anonymous.page("/admin/levels").await.unwrap();
    assert_eq!(page.header("location"), Some("/signin"));
}
