//! Memberships over HTTP, on both databases: the Assign Memberships page as an access
//! administrator without JavaScript uses it (search, selections kept, additions and a removal
//! saved together, expiry dates), who may not use it, the Users page's membership filter, My
//! Apps, and the same rules through the JSON API, including a grant to many people that is
//! all or nothing.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use common::{call, demo, get, signed_in, submit, user_id};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera_testkit::demo::{ANTON, ERIKA, FIONA, OPERATOR, PIERRE, ULLA, ZOE};
use tessera_testkit::{Backend, Client};

tessera_testkit::on_both_backends!(
    an_access_administrator_assigns_memberships_through_the_page,
    only_access_administrators_of_the_subtree_assign_memberships,
    my_apps_shows_a_tile_per_environment_or_a_helpful_empty_state,
    memberships_through_the_api_are_all_or_nothing,
);

const CASPER_GROUPS: [&str; 6] = [
    "A-CASPER_WEB_DATA_SUBMITTER",
    "A-CASPER_WEB_TECHNICAL_USER",
    "A-CASPER_WEB_USER_ADMIN",
    "CASPER_WEB_DATA_SUBMITTER",
    "CASPER_WEB_TECHNICAL_USER",
    "CASPER_WEB_USER_ADMIN",
];

/// The groups a page offers to add, technical name to id, read from its checkboxes.
fn offered(body: &str) -> HashMap<String, String> {
    body.split(r#"name="add" value=""#)
        .skip(1)
        .map(|rest| {
            let id = rest[..36].to_owned();
            let name = rest
                .split_once("<code>")
                .and_then(|(_, after)| after.split_once("</code>"))
                .map(|(name, _)| name.to_owned())
                .unwrap();
            (name, id)
        })
        .collect()
}

/// The number in "Memberships (N)".
fn held_count(body: &str) -> usize {
    body.split_once("Memberships (")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(n, _)| n.parse().unwrap())
        .unwrap()
}

/// The group names a person holds, as the API reports them.
async fn held(client: &Client, user: &str) -> Vec<String> {
    let (status, body) = get(client, &format!("/api/v1/users/{user}/memberships")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut names: Vec<String> = body["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["group"]["technical_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// Group ids by technical name, as the operator sees them.
async fn group_ids(operator: &Client) -> HashMap<String, String> {
    let (status, body) = get(operator, "/api/v1/applications").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut ids = HashMap::new();
    for app in body["applications"].as_array().unwrap() {
        let id = app["id"].as_str().unwrap();
        let (_, detail) = get(operator, &format!("/api/v1/applications/{id}")).await;
        for group in detail["groups"].as_array().unwrap() {
            ids.insert(
                group["technical_name"].as_str().unwrap().to_owned(),
                group["id"].as_str().unwrap().to_owned(),
            );
        }
    }
    ids
}

async fn an_access_administrator_assigns_memberships_through_the_page(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let anton = signed_in(&server, ANTON).await;
    let erika = user_id(&anton, ERIKA).await;
    let path = format!("/admin/users/{erika}/memberships");

    // The Users page offers "Assign memberships" on each row, and the user's page too.
    let users = anton.page("/admin/users").await.unwrap();
    assert_eq!(users.status, StatusCode::OK);
    assert!(users.body.contains(&path), "{}", users.body);
    let user_page = anton.page(&format!("/admin/users/{erika}")).await.unwrap();
    assert!(user_page.body.contains(&path));

    // The header and what Erika holds.
    let page = anton.page(&path).await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "First Name",
        "Erika",
        "Last Name",
        "Mustermann",
        "Level",
        "Bank E",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    assert_eq!(held_count(&page.body), 3);
    assert!(page.body.contains("Add Memberships"));
    assert!(
        page.body
            .contains("Selected (<span id=\"selected-count\">0</span>)")
    );

    // "casper" finds the six CASPER groups; the two she holds are marked, not offered.
    let found = anton.page(&format!("{path}?search=casper")).await.unwrap();
    for name in CASPER_GROUPS {
        assert!(found.body.contains(name), "{name} missing");
    }
    assert!(
        !found.body.contains("IMAS_PORTAL_ADMIN"),
        "only what matches"
    );
    let offer = offered(&found.body);
    assert_eq!(offer.len(), 4, "{offer:?}");
    assert_eq!(found.body.matches("(already held)").count(), 2);
    let admin = offer["CASPER_WEB_USER_ADMIN"].clone();
    let pre_admin = offer["A-CASPER_WEB_USER_ADMIN"].clone();

    // The held list's own search box filters it.
    let filtered = anton.page(&format!("{path}?q=imas")).await.unwrap();
    assert!(filtered.body.contains("IMAS_PORTAL_USER"));
    assert_eq!(filtered.body.matches(r#"name="remove""#).count(), 1);

    // A removal box of the held pre-production submitter group.
    let (_, memberships) = get(&anton, &format!("/api/v1/users/{erika}/memberships")).await;
    let pre_submitter = memberships["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["group"]["technical_name"] == "A-CASPER_WEB_DATA_SUBMITTER")
        .unwrap()["group"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        page.body
            .contains(&format!(r#"name="remove" value="{pre_submitter}""#))
    );

    // Searching again keeps what was ticked: it moves to "Selected (1)".
    let expires_admin = format!("expires_{admin}");
    let kept = submit(
        &anton,
        &path,
        &[
            ("action", "search"),
            ("search", "imas"),
            ("add", &admin),
            (&expires_admin, "2099-12-31"),
            ("remove", &pre_submitter),
        ],
    )
    .await;
    assert_eq!(kept.status, StatusCode::OK);
    assert!(
        kept.body
            .contains("Selected (<span id=\"selected-count\">1</span>)")
    );
    assert!(kept.body.contains(&format!(r#"value="{admin}" checked"#)));
    assert!(kept.body.contains("2099-12-31"));
    assert!(
        kept.body
            .contains(&format!(r#"name="remove" value="{pre_submitter}" checked"#))
    );
    assert!(kept.body.contains("IMAS_PORTAL_ADMIN"), "the new search");

    // An expiry in the past, or not a date: nothing is saved, the message is at the field.
    for (date, message) in [
        ("2001-01-01", "Choose an expiry date in the future"),
        ("next week", "Enter the expiry date as a day"),
    ] {
        let refused = submit(
            &anton,
            &path,
            &[
                ("action", "save"),
                ("add", &admin),
                (&expires_admin, date),
                ("add", &pre_admin),
                ("remove", &pre_submitter),
            ],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        assert!(refused.body.contains("error-summary"));
        assert!(refused.body.contains(message), "{date}: {}", refused.body);
        assert!(
            refused
                .body
                .contains(&format!(r##"href="#{expires_admin}""##))
        );
        assert!(
            refused
                .body
                .contains(&format!(r#"id="{expires_admin}-error""#))
        );
    }
    assert_eq!(held(&anton, &erika).await.len(), 3, "nothing was saved");

    // Two additions and one removal, saved together.
    let saved = submit(
        &anton,
        &path,
        &[
            ("action", "save"),
            ("add", &admin),
            (&expires_admin, "2099-12-31"),
            ("add", &pre_admin),
            ("remove", &pre_submitter),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.header("location"),
        Some(format!("{path}?done=saved").as_str())
    );
    let after = anton.page(&format!("{path}?done=saved")).await.unwrap();
    assert!(after.body.contains("The memberships were saved."));
    assert_eq!(held_count(&after.body), 4);
    assert!(after.body.contains("2099-12-31"), "the expiry is shown");
    assert_eq!(
        held(&anton, &erika).await,
        [
            "A-CASPER_WEB_USER_ADMIN",
            "CASPER_WEB_DATA_SUBMITTER",
            "CASPER_WEB_USER_ADMIN",
            "IMAS_PORTAL_USER"
        ]
    );

    // The Users page finds the holders of a group ("Select membership").
    let users = anton.page("/admin/users").await.unwrap();
    assert!(users.body.contains("Select membership"));
    assert!(users.body.contains(&format!(r#"<option value="{admin}""#)));
    assert!(
        !users.body.contains("ASTRA_REPORTER"),
        "not granted to Bank E"
    );
    let holders = anton
        .page(&format!("/admin/users?group_id={admin}"))
        .await
        .unwrap();
    assert!(holders.body.contains(ERIKA) && holders.body.contains(PIERRE));
    assert!(!holders.body.contains(ULLA));
    assert!(
        holders
            .body
            .contains(&format!(r#"<option value="{admin}" selected"#))
    );
}

async fn only_access_administrators_of_the_subtree_assign_memberships(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let anton = signed_in(&server, ANTON).await;
    let ulla = signed_in(&server, ULLA).await;
    let fiona = user_id(&operator, FIONA).await;
    let erika = user_id(&operator, ERIKA).await;
    let groups = group_ids(&operator).await;

    // A Bank F person is not there for Bank E's access administrator.
    let hidden = anton
        .page(&format!("/admin/users/{fiona}/memberships"))
        .await
        .unwrap();
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let posted = submit(
        &anton,
        &format!("/admin/users/{fiona}/memberships"),
        &[
            ("action", "save"),
            ("add", &groups["CASPER_WEB_USER_ADMIN"]),
        ],
    )
    .await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);

    // A user administrator sees the memberships but may not change them.
    let users = ulla.page("/admin/users").await.unwrap();
    assert!(
        !users.body.contains("/memberships\""),
        "no Assign memberships link"
    );
    let page = ulla
        .page(&format!("/admin/users/{erika}/memberships"))
        .await
        .unwrap();
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Add Memberships"));
    assert!(!page.body.contains(r#"name="remove""#));
    let refused = submit(
        &ulla,
        &format!("/admin/users/{erika}/memberships"),
        &[
            ("action", "save"),
            ("add", &groups["CASPER_WEB_USER_ADMIN"]),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Not allowed"), "{}", refused.body);

    // A form without its CSRF token is refused too.
    let forged = anton
        .post_form(
            &format!("/admin/users/{erika}/memberships"),
            &[
                ("action", "save"),
                ("add", &groups["CASPER_WEB_USER_ADMIN"]),
            ],
        )
        .await
        .unwrap();
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Nobody assigns to themselves; an operator may grant any group, here ASTRA's.
    let anton_id = user_id(&operator, ANTON).await;
    let own = anton
        .page(&format!(
            "/admin/users/{anton_id}/memberships?search=casper"
        ))
        .await
        .unwrap();
    assert!(offered(&own.body).is_empty());
    let granted = submit(
        &operator,
        &format!("/admin/users/{erika}/memberships"),
        &[("action", "save"), ("add", &groups["ASTRA_REPORTER"])],
    )
    .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    assert!(
        held(&operator, &erika)
            .await
            .contains(&"ASTRA_REPORTER".to_owned())
    );
    assert_eq!(held(&anton, &erika).await.len(), 4);
}

async fn my_apps_shows_a_tile_per_environment_or_a_helpful_empty_state(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let erika = signed_in(&server, ERIKA).await;
    let account = erika.page("/account").await.unwrap();
    assert!(account.body.contains(r#"href="/account/apps""#));
    let apps = erika.page("/account/apps").await.unwrap();
    assert_eq!(apps.status, StatusCode::OK);
    assert_eq!(apps.body.matches(r#"class="app-tile""#).count(), 3);
    for (label, url) in [
        ("CASPER", "https://casper.example/"),
        ("CASPER Pre-Production", "https://casper-acc.example/"),
        ("IMAS Portal", "https://imas.example/"),
    ] {
        assert!(apps.body.contains(&format!(r#"href="{url}""#)), "{url}");
        assert!(
            apps.body
                .contains(&format!(r#"<span class="app-label">{label}</span>"#)),
            "{label}"
        );
    }
    assert!(!apps.body.contains("target="), "tiles open in the same tab");
    assert!(
        apps.body.contains(r#"class="app-initial""#),
        "no icon: the initial"
    );
    let policy = apps.header("content-security-policy").unwrap();
    assert!(policy.contains("img-src 'self' data: https:"), "{policy}");

    let zoe = signed_in(&server, ZOE).await;
    let empty = zoe.page("/account/apps").await.unwrap();
    assert_eq!(empty.status, StatusCode::OK);
    // The page escapes the apostrophe, as it does every text.
    assert!(empty.body.contains(
        "You have no applications yet. Your organisation&#39;s access administrator can grant you access."
    ));
    assert!(!empty.body.contains("app-tile"));

    // Signed out: to the sign-in page.
    let nobody = server.client();
    let redirected = nobody.page("/account/apps").await.unwrap();
    assert_eq!(redirected.header("location"), Some("/signin"));
}

async fn memberships_through_the_api_are_all_or_nothing(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let anton = signed_in(&server, ANTON).await;
    let ulla_client = signed_in(&server, ULLA).await;
    let ulla = user_id(&operator, ULLA).await;
    let erika = user_id(&operator, ERIKA).await;
    let pierre = user_id(&operator, PIERRE).await;
    let fiona = user_id(&operator, FIONA).await;

    let (status, found) = get(
        &anton,
        &format!("/api/v1/users/{ulla}/assignable-groups?search=casper"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let found = found["groups"].as_array().unwrap();
    let mut names: Vec<&str> = found
        .iter()
        .map(|g| g["technical_name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, CASPER_GROUPS);
    let id_of = |name: &str| -> String {
        found.iter().find(|g| g["technical_name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let submitter = id_of("CASPER_WEB_DATA_SUBMITTER");
    let technical = id_of("CASPER_WEB_TECHNICAL_USER");
    let (status, _) = get(
        &anton,
        &format!("/api/v1/users/{ulla}/assignable-groups?nonsense=1"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let path = format!("/api/v1/users/{ulla}/memberships");
    let change = |body: Value| {
        let anton = anton.clone();
        let path = path.clone();
        async move { call(&anton, Method::POST, &path, Some(body), &[]).await }
    };
    // Unknown fields, at the top or in an addition, are refused.
    let (status, _, _) = change(json!({"add": [], "remove": [], "replace": true})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) =
        change(json!({"add": [{"group_id": submitter, "until": "2099-01-01"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // An expiry that is no time, or is past: the field is named, nothing is saved.
    let (status, _, problem) =
        change(json!({"add": [{"group_id": submitter, "expires_at": "soon"}]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "expires_at");
    let (status, _, problem) = change(json!({"add": [
        {"group_id": technical},
        {"group_id": submitter, "expires_at": "2001-01-01T00:00:00Z"},
    ]}))
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "expires_at");
    assert!(held(&anton, &ulla).await.is_empty(), "all or nothing");

    let (status, _, saved) = change(json!({"add": [
        {"group_id": submitter, "expires_at": "2099-12-31"},
        {"group_id": technical},
    ]}))
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["memberships"].as_array().unwrap().len(), 2);
    let dated = saved["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["group"]["id"] == submitter.as_str())
        .unwrap();
    assert_eq!(dated["expires_at"], "2099-12-31T00:00:00Z");
    assert_eq!(dated["removable"], true);
    let (status, _, saved) = change(json!({"remove": [technical]})).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(held(&anton, &ulla).await, ["CASPER_WEB_DATA_SUBMITTER"]);

    // Without the CSRF header, as a user administrator, or for a Bank F person: refused.
    let (status, _) = anton
        .post_json(&path, &json!({"remove": [submitter]}), None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = call(
        &ulla_client,
        Method::POST,
        &format!("/api/v1/users/{erika}/memberships"),
        Some(json!({"add": [{"group_id": technical}]})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&anton, &format!("/api/v1/users/{fiona}/memberships")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // One group to many people: one of them outside Anton's subtree, so nobody gets it.
    let bulk = format!("/api/v1/groups/{technical}/memberships");
    let (status, _, problem) = call(
        &anton,
        Method::POST,
        &bulk,
        Some(json!({"user_ids": [erika, pierre, fiona]})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "users");
    for person in [&erika, &pierre, &fiona] {
        assert!(
            !held(&operator, person)
                .await
                .contains(&"CASPER_WEB_TECHNICAL_USER".to_owned())
        );
    }
    let (status, _, _) = call(
        &anton,
        Method::POST,
        &bulk,
        Some(json!({"user_ids": [erika], "expires_at": "2099-12-31", "notify": true})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown field");
    let (status, _, granted) = call(
        &anton,
        Method::POST,
        &bulk,
        Some(json!({"user_ids": [erika, pierre], "expires_at": "2099-12-31"})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{granted}");
    assert_eq!(granted["granted"], 2);
    for person in [&erika, &pierre] {
        assert!(
            held(&anton, person)
                .await
                .contains(&"CASPER_WEB_TECHNICAL_USER".to_owned())
        );
    }

    // Every grant and removal is in the audit trail.
    let (status, audit) = get(&operator, "/api/v1/audit?action=membership.").await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let actions: Vec<&str> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"membership.grant"), "{actions:?}");
    assert!(actions.contains(&"membership.remove"), "{actions:?}");
}
