//! Behind an https public URL, browsers are told to stay on https.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::{Request, header};
use tessera_app::{App, AppConfig};
use tessera_store::testing::TestDatabase;
use tessera_web::{AppState, WebConfig};
use tower::ServiceExt;

async fn strict_transport(public_url: &str) -> Option<String> {
    let db = TestDatabase::sqlite().await.unwrap();
    let app = App::new(db.store.clone(), AppConfig::new(public_url), &[3; 32]).unwrap();
    app.bootstrap().await.unwrap();
    let router = tessera_web::router(AppState::new(app, WebConfig::new(public_url)));
    let response = router
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    response
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn hsts_is_sent_only_under_https() {
    assert_eq!(
        strict_transport("https://id.example.org").await.as_deref(),
        Some("max-age=63072000; includeSubDomains")
    );
    assert_eq!(strict_transport("http://localhost:8080").await, None);
}
