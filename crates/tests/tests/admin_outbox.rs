//! The operators' outbox page and JSON API over HTTP, on both databases.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::StatusCode;
use serde_json::json;
use tessera_app::DEMO_PASSWORD;
use tessera_testkit::{Backend, TestServer};

use tessera_testkit::demo::{ERIKA, OPERATOR};

async fn demo(backend: Backend) -> Option<TestServer> {
    TestServer::start_demo(backend).await.unwrap()
}

tessera_testkit::on_both_backends!(
    only_operators_see_the_outbox_page,
    the_outbox_api_needs_a_session_an_operator_and_csrf,
);

async fn only_operators_see_the_outbox_page(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let anonymous = server.client();
    let redirect = anonymous.page("/admin/outbox").await.unwrap();
    assert_eq!(redirect.status, StatusCode::SEE_OTHER);
    assert_eq!(redirect.header("location"), Some("/signin"));

    let erika = server.client();
    server.sign_in(&erika, ERIKA, DEMO_PASSWORD).await.unwrap();
    let denied = erika.page("/admin/outbox").await.unwrap();
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(
        !erika
            .page("/account")
            .await
            .unwrap()
            .body
            .contains("Messages (outbox)")
    );

    let operator = server.client();
    server
        .sign_in(&operator, OPERATOR, DEMO_PASSWORD)
        .await
        .unwrap();
    let csrf = operator.cookie("tessera_csrf").unwrap();
    let (status, _) = operator
        .post_json(
            "/api/v1/outbox/test-messages",
            &json!({"channel": "sms", "to": "+49 151 2345 6789", "language": "de"}),
            Some(&csrf),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::ACCEPTED);
    let page = operator.page("/admin/outbox").await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Queued (1)"), "{}", page.body);
    assert!(page.body.contains("+49********789"));
    assert!(page.body.contains("test-message (de)"));
    assert!(!page.body.contains("+4915123456789"));
    let filtered = operator.page("/admin/outbox?state=failed").await.unwrap();
    assert!(filtered.body.contains("No messages in this state."));
    let nonsense = operator.page("/admin/outbox?state=lost").await.unwrap();
    assert_eq!(nonsense.status, StatusCode::BAD_REQUEST);
}

async fn the_outbox_api_needs_a_session_an_operator_and_csrf(backend: Backend) {
    let Some(server) = demo(backend).await else {
        return;
    };
    let (status, problem) = server.client().get_json("/api/v1/outbox").await.unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["type"], "urn:tessera:problem:not-signed-in");

    let erika = server.client();
    server.sign_in(&erika, ERIKA, DEMO_PASSWORD).await.unwrap();
    let (status, problem) = erika.get_json("/api/v1/outbox").await.unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["status"], 403);

    let operator = server.client();
    server
        .sign_in(&operator, OPERATOR, DEMO_PASSWORD)
        .await
        .unwrap();
    let csrf = operator.cookie("tessera_csrf").unwrap();
    let body = json!({"channel": "email", "to": "ops@bank-e.example"});
    let (status, _) = operator
        .post_json("/api/v1/outbox/test-messages", &body, None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF header");
    let (status, created) = operator
        .post_json("/api/v1/outbox/test-messages", &body, Some(&csrf))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(created["id"].is_string());

    let (status, problem) = operator
        .post_json(
            "/api/v1/outbox/test-messages",
            &json!({"channel": "pigeon", "to": "x"}),
            Some(&csrf),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "channel");
    let (status, problem) = operator
        .post_json(
            "/api/v1/outbox/test-messages",
            &json!({"channel": "sms", "to": "0151 2345"}),
            Some(&csrf),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "recipient");
    let (status, _) = operator
        .post_json(
            "/api/v1/outbox/test-messages",
            &json!({"channel": "sms", "to": "+4915123456789", "priority": "high"}),
            Some(&csrf),
        )
        .await
        .unwrap();
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );

    let (status, view) = operator
        .get_json("/api/v1/outbox?state=queued")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["queued"], 1);
    assert_eq!(view["items"][0]["recipient"], "o***@bank-e.example");
    assert_eq!(view["items"][0]["template"], "test-message");
    let (status, _) = operator
        .get_json("/api/v1/outbox?colour=red")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Each attempt is visible once a worker has tried.
    let worker = tessera_notify::DeliveryWorker::new(
        server.app.clone(),
        tessera_notify::Adapters::console(),
        tessera_notify::WorkerConfig::default(),
    );
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let id = created["id"].as_str().unwrap();
    let (status, attempts) = operator
        .get_json(&format!("/api/v1/outbox/{id}/attempts"))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attempts[0]["attempt"], 1);
    assert_eq!(attempts[0]["outcome"], "delivered");
    assert_eq!(attempts[0]["worker"], worker.id());
    let (status, _) = erika
        .get_json(&format!("/api/v1/outbox/{id}/attempts"))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = operator
        .get_json("/api/v1/outbox/not-an-id/attempts")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND);
}
