//! Nominations of administrators through the pages, on both databases: a user administrator
//! nominates a person of their organisation (from the person's page or by address); an
//! operator confirms or rejects, appoints directly and revokes; the user administrator of
//! Bank E neither sees nor acts on Bank F. Rights are checked by what each person can then
//! open.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{demo, level_id, signed_in, submit, user_id};
use reqwest::StatusCode;
use tessera_testkit::Backend;
use tessera_testkit::demo::{ERIKA, FINN, FIONA, OPERATOR, PIERRE, ULLA};

tessera_testkit::on_both_backends!(
    a_nomination_made_on_the_page_gives_rights_once_an_operator_confirms,
    operators_appoint_reject_and_revoke_on_the_page,
);

/// The id of the pending nomination whose Confirm button the page shows.
fn confirm_id(body: &str) -> Option<String> {
    body.split("/admin/nominations/")
        .skip(1)
        .find_map(|rest| rest.split_once("/confirm").map(|(id, _)| id.to_owned()))
}

async fn a_nomination_made_on_the_page_gives_rights_once_an_operator_confirms(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let ulla = signed_in(&server, ULLA).await;
    let erika = signed_in(&server, ERIKA).await;
    let finn = signed_in(&server, FINN).await;
    let operator = signed_in(&server, OPERATOR).await;
    let erika_id = user_id(&ulla, ERIKA).await;

    // From Erika's page to the form, her address filled in.
    let view = ulla
        .page(&format!("/admin/users/{erika_id}"))
        .await
        .unwrap();
    assert!(
        view.body.contains("Nominate as administrator"),
        "{}",
        view.body
    );
    let form = ulla
        .page(&format!("/admin/nominations?user_id={erika_id}"))
        .await
        .unwrap();
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains(&format!("value=\"{ERIKA}\"")),
        "{}",
        form.body
    );
    assert!(
        !form.body.contains("Appoint directly"),
        "only operators appoint"
    );

    // Mistakes are shown at their fields.
    let nobody = submit(
        &ulla,
        "/admin/nominations",
        &[("email", "nobody@bank-e.example"), ("role", "")],
    )
    .await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        nobody
            .body
            .contains("No account that you administer has this e-mail address.")
    );
    assert!(nobody.body.contains("Choose a role."));
    // Someone of Bank F is out of Ulla's reach, and told apart from nobody.
    let outside = submit(
        &ulla,
        "/admin/nominations",
        &[("email", FIONA), ("role", "user_admin"), ("level_id", "")],
    )
    .await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        outside
            .body
            .contains("No account that you administer has this e-mail address.")
    );
    let herself = submit(
        &ulla,
        "/admin/nominations",
        &[("email", ULLA), ("role", "access_admin"), ("level_id", "")],
    )
    .await;
    assert_eq!(herself.status, StatusCode::FORBIDDEN);
    assert!(
        herself.body.contains("nobody nominates"),
        "{}",
        herself.body
    );

    let nominated = submit(
        &ulla,
        "/admin/nominations",
        &[("email", ERIKA), ("role", "access_admin"), ("level_id", "")],
    )
    .await;
    assert_eq!(
        nominated.status,
        StatusCode::SEE_OTHER,
        "{}",
        nominated.body
    );
    assert_eq!(
        nominated.header("location"),
        Some("/admin/nominations?done=nominated")
    );
    let again = submit(
        &ulla,
        "/admin/nominations",
        &[("email", ERIKA), ("role", "access_admin"), ("level_id", "")],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("already waiting"), "{}", again.body);

    // Ulla sees it waiting, without buttons to decide; Erika has no rights yet.
    let waiting = ulla.page("/admin/nominations").await.unwrap();
    assert!(waiting.body.contains(ERIKA), "{}", waiting.body);
    assert_eq!(confirm_id(&waiting.body), None);
    assert_eq!(
        erika.page("/admin/users").await.unwrap().status,
        StatusCode::FORBIDDEN
    );

    // Finn (Bank F) neither sees it nor decides it.
    let id = confirm_id(&operator.page("/admin/nominations").await.unwrap().body)
        .expect("a Confirm button for the operator");
    let finns = finn.page("/admin/nominations").await.unwrap();
    assert_eq!(finns.status, StatusCode::OK);
    assert!(!finns.body.contains(ERIKA), "{}", finns.body);
    assert!(
        !finns.body.contains(ULLA),
        "Bank E's administrators stay hidden"
    );
    let refused = submit(&finn, &format!("/admin/nominations/{id}/confirm"), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        erika.page("/admin/users").await.unwrap().status,
        StatusCode::FORBIDDEN
    );

    // The operator confirms: Erika sees Bank E's users, and is listed as an administrator.
    let confirmed = submit(&operator, &format!("/admin/nominations/{id}/confirm"), &[]).await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    assert_eq!(
        confirmed.header("location"),
        Some("/admin/nominations?done=confirmed")
    );
    let users = erika.page("/admin/users").await.unwrap();
    assert_eq!(users.status, StatusCode::OK);
    assert!(users.body.contains(PIERRE), "{}", users.body);
    let listed = operator
        .page("/admin/nominations?done=confirmed")
        .await
        .unwrap();
    assert!(listed.body.contains("The nomination was confirmed"));
    let current = listed.body.split("Current administrators").nth(1).unwrap();
    assert!(current.contains(ERIKA) && current.contains("Access administrator"));
    assert!(
        current.contains(ULLA) && current.contains(FINN),
        "{current}"
    );
    // Decided once only.
    let twice = submit(&operator, &format!("/admin/nominations/{id}/confirm"), &[]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.body.contains("decided already"), "{}", twice.body);
}

async fn operators_appoint_reject_and_revoke_on_the_page(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let ulla = signed_in(&server, ULLA).await;
    let operator = signed_in(&server, OPERATOR).await;
    let pierre = signed_in(&server, PIERRE).await;
    let bank_e = level_id(&operator, "Bank E").await;
    let pierre_id = user_id(&operator, PIERRE).await;
    let operator_id = user_id(&operator, OPERATOR).await;

    // A nomination rejected grants nothing.
    let nominated = submit(
        &ulla,
        "/admin/nominations",
        &[
            ("email", PIERRE),
            ("role", "user_admin"),
            ("level_id", &bank_e),
        ],
    )
    .await;
    assert_eq!(
        nominated.status,
        StatusCode::SEE_OTHER,
        "{}",
        nominated.body
    );
    let page = operator.page("/admin/nominations").await.unwrap();
    let id = confirm_id(&page.body).unwrap();
    let rejected = submit(&operator, &format!("/admin/nominations/{id}/reject"), &[]).await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    let page = operator
        .page("/admin/nominations?done=rejected")
        .await
        .unwrap();
    assert!(page.body.contains("The nomination was rejected."));
    assert!(
        page.body.contains("No nominations are waiting."),
        "{}",
        page.body
    );
    assert_eq!(
        pierre.page("/admin/users").await.unwrap().status,
        StatusCode::FORBIDDEN
    );

    // Appointed directly, at Bank E (he works one level below): rights at once.
    let appointed = submit(
        &operator,
        "/admin/nominations/appoint",
        &[
            ("email", PIERRE),
            ("role", "user_admin"),
            ("level_id", &bank_e),
        ],
    )
    .await;
    assert_eq!(
        appointed.status,
        StatusCode::SEE_OTHER,
        "{}",
        appointed.body
    );
    assert_eq!(
        pierre.page("/admin/users").await.unwrap().status,
        StatusCode::OK
    );
    let page = operator.page("/admin/nominations").await.unwrap();
    let revoke_pierre = format!("name=\"user_id\" value=\"{pierre_id}\"");
    assert!(page.body.contains(&revoke_pierre), "{}", page.body);
    // No Revoke button on the operator's own role.
    assert!(
        !page
            .body
            .contains(&format!("name=\"user_id\" value=\"{operator_id}\""))
    );

    // Revoked: the rights are gone.
    let revoked = submit(
        &operator,
        "/admin/nominations/revoke",
        &[
            ("user_id", &pierre_id),
            ("role", "user_admin"),
            ("level_id", &bank_e),
        ],
    )
    .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert_eq!(
        pierre.page("/admin/users").await.unwrap().status,
        StatusCode::FORBIDDEN
    );
    let page = operator.page("/admin/nominations").await.unwrap();
    assert!(!page.body.contains(&revoke_pierre), "{}", page.body);

    // Nobody revokes their own role, even by posting the form; a garbled form is a 400.
    let root = level_id(&operator, "Root").await;
    let own = submit(
        &operator,
        "/admin/nominations/revoke",
        &[
            ("user_id", &operator_id),
            ("role", "operator"),
            ("level_id", &root),
        ],
    )
    .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let garbled = submit(
        &operator,
        "/admin/nominations/revoke",
        &[("user_id", "x"), ("role", "king"), ("level_id", "")],
    )
    .await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
    // A user administrator cannot appoint.
    let refused = submit(
        &ulla,
        "/admin/nominations/appoint",
        &[("email", ERIKA), ("role", "user_admin"), ("level_id", "")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
