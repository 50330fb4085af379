//! The real server, started in-process on a fresh database, driven over HTTP.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use axum::routing::get;
use reqwest::StatusCode;
use tessera_testkit::{Backend, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn server(backend: Backend) -> Option<TestServer> {
    TestServer::start(backend).await.unwrap()
}

tessera_testkit::on_both_backends!(
    health_readiness_and_metrics_answer,
    readiness_fails_when_the_database_is_gone,
    every_response_carries_security_headers_and_a_request_id,
    unknown_paths_answer_in_the_form_asked_for,
    the_setup_link_creates_the_first_operator_over_http,
    bad_form_input_never_gives_a_server_error,
    requests_in_flight_finish_on_shutdown,
);

async fn health_readiness_and_metrics_answer(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let client = server.client();
    assert_eq!(client.healthz().await.unwrap().status, "ok");
    let (status, ready) = client.readyz().await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (ready.status.as_str(), ready.database.as_str()),
        ("ready", "ok")
    );
    client.healthz().await.unwrap();
    let metrics = client.metrics().await.unwrap();
    assert!(
        metrics.contains(
            r#"tessera_http_requests_total{method="GET",route="/healthz",status="200"} 2"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("tessera_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tessera_http_requests_in_flight"),
        "{metrics}"
    );
}

async fn readiness_fails_when_the_database_is_gone(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let client = server.client();
    assert_eq!(client.readyz().await.unwrap().0, StatusCode::OK);
    server.db.store.close().await;
    let (status, ready) = client.readyz().await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.database, "unavailable");
    // Liveness does not depend on the database: the process itself is fine.
    assert_eq!(client.healthz().await.unwrap().status, "ok");
}

async fn every_response_carries_security_headers_and_a_request_id(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let client = server.client();
    for path in ["/", "/healthz", "/static/tessera.css", "/no/such/page"] {
        let page = client.page(path).await.unwrap();
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(
            page.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            page.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
        assert_eq!(page.header("x-frame-options"), Some("DENY"), "{path}");
        // http:// public URL: no HSTS (it would be ignored, and it would pin a dev host).
        assert_eq!(page.header("strict-transport-security"), None, "{path}");
        let id = page.header("x-request-id").unwrap();
        assert_eq!(id.len(), 36, "{path}: {id}");
    }
    let css = client.page("/static/tessera.css").await.unwrap();
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.body.contains(".button"));

    // A load balancer's request id is kept; a hostile one is replaced.
    let kept = client
        .page_with("/healthz", &[("x-request-id", "lb-4711.a")])
        .await
        .unwrap();
    assert_eq!(kept.header("x-request-id"), Some("lb-4711.a"));
    let hostile = client
        .page_with("/healthz", &[("x-request-id", "evil\" injected=1")])
        .await
        .unwrap();
    assert_ne!(hostile.header("x-request-id"), Some("evil\" injected=1"));
}

async fn unknown_paths_answer_in_the_form_asked_for(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let client = server.client();
    let page = client.page("/no/such/page").await.unwrap();
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.body.contains("Page not found"));
    let (status, headers, problem) = client.problem("/api/v1/nothing").await.unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(problem.status, 404);
    assert_eq!(problem.title, "Page not found");
    assert_eq!(problem.type_, "urn:tessera:problem:page-not-found");
}

fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_owned()
}

async fn the_setup_link_creates_the_first_operator_over_http(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let client = server.client();
    let home = client.page("/").await.unwrap();
    assert!(home.body.contains("This installation has no operator yet"));

    let link = server.app.issue_setup_link().await.unwrap().unwrap();
    let path = format!("/setup/{}", token_of(&link.url));
    let form = client.page(&path).await.unwrap();
    assert_eq!(form.status, StatusCode::OK);
    for label in [
        "First name",
        "Last name",
        "E-mail address",
        "E-mail language",
        "Password",
        "Confirm password",
    ] {
        assert!(
            form.body.contains(&format!(">{label}<")),
            "label {label} missing"
        );
    }

    // Every field at fault is named, next to the field and in the summary; typed values come
    // back, passwords do not.
    let wrong = client
        .post_form(
            &path,
            &[
                ("first_name", "Ζωή"),
                ("last_name", ""),
                ("email", "zoe(at)bank-f"),
                ("language", "el"),
                ("password", "Zoe-Secret-99"),
                ("confirm", "Zoe-Secret-98"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Please correct the following"));
    assert!(wrong.body.contains("Enter a last name."));
    assert!(
        wrong
            .body
            .contains("Enter an e-mail address in the form name@example.org.")
    );
    assert!(
        wrong
            .body
            .contains("Choose one of these languages: en, de, fr.")
    );
    assert!(wrong.body.contains("The two passwords are not the same."));
    assert!(wrong.body.contains(r#"value="Ζωή""#));
    assert!(!wrong.body.contains("Zoe-Secret-99"));
    assert!(wrong.body.contains(r#"aria-invalid="true""#));

    let done = client
        .post_form(
            &path,
            &[
                ("first_name", "Ζωή"),
                ("last_name", "Παπαδοπούλου"),
                ("email", "zoe@tessera.example"),
                ("language", "fr"),
                ("password", "Sunny-Harbour-42"),
                ("confirm", "Sunny-Harbour-42"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Operator created"));
    assert!(done.body.contains("zoe@tessera.example"));

    let again = client.page(&path).await.unwrap();
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("Tessera is already set up"));
    let forged = client.page("/setup/forged").await.unwrap();
    assert_eq!(forged.status, StatusCode::CONFLICT);
    assert!(
        !client
            .page("/")
            .await
            .unwrap()
            .body
            .contains("no operator yet")
    );
}

async fn bad_form_input_never_gives_a_server_error(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let client = server.client();
    let link = server.app.issue_setup_link().await.unwrap().unwrap();
    let path = format!("/setup/{}", token_of(&link.url));
    let cases: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        (
            "application/json",
            br#"{"email":"x"}"#.to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        // Undecodable pairs are dropped by the lenient form decoder: the person gets the page
        // that names every field still missing.
        (
            "application/x-www-form-urlencoded",
            vec![0xff, 0xfe, b'=', 0x80],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/x-www-form-urlencoded",
            b"%%%=%%%&&&".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/x-www-form-urlencoded",
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (content_type, body, expected) in cases {
        let answer = client.post_raw(&path, content_type, body).await.unwrap();
        assert_eq!(answer.status, expected, "{content_type}: {}", answer.body);
    }
    // A body announced as larger than the limit is refused before it is read (sent over a
    // raw connection: a client still writing the body would race the server's answer).
    let address = server.base_url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 12];
    stream.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"HTTP/1.1 413");
    // Nothing was used up: the link still shows its form.
    assert_eq!(client.page(&path).await.unwrap().status, StatusCode::OK);
}

async fn requests_in_flight_finish_on_shutdown(backend: Backend) {
    let slow = |router: axum::Router| {
        router.route(
            "/test/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(600)).await;
                "finished"
            }),
        )
    };
    let Some(mut server) = TestServer::start_with(backend, slow).await.unwrap() else {
        return;
    };
    let url = server.url("/test/slow");
    let in_flight = tokio::spawn(async move { reqwest::get(url).await?.text().await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    server.begin_shutdown();
    // New connections are refused soon after the signal...
    let healthz = server.url("/healthz");
    let mut refused = false;
    for _ in 0..50 {
        if reqwest::get(&healthz).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        refused,
        "the server still accepted connections after the stop signal"
    );
    // ...while the request in flight completes.
    assert_eq!(in_flight.await.unwrap().unwrap(), "finished");
    server.shutdown().await.unwrap();
}
