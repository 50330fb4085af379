//! The CAPTCHA endpoints over HTTP, on both databases: a new challenge as JSON for the
//! script, its picture as SVG strokes that never spell the code in the markup, its
//! recording as a real RIFF/WAVE file, nothing for unknown or used challenges, the limit per
//! address, and the script served from the site itself.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::StatusCode;
use serde_json::Value;
use tessera_app::CaptchaAnswer;
use tessera_domain::captcha::{self, Difficulty};
use tessera_testkit::{Backend, TestServer};

tessera_testkit::on_both_backends!(
    a_challenge_its_picture_and_its_recording,
    a_solved_challenge_leaves_nothing_to_see,
    unknown_challenges_are_not_found,
    new_challenges_are_limited_per_address,
);

async fn server(backend: Backend, per_minute: u32) -> Option<TestServer> {
    TestServer::start_configured(
        backend,
        |router| router,
        |_, app| {
            // Cheap for the test to solve.
            app.captcha.difficulty = Difficulty::new(8).unwrap();
            app.captcha.per_address_per_minute = per_minute;
        },
    )
    .await
    .unwrap()
}

async fn get(server: &TestServer, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", server.base_url))
        .send()
        .await
        .unwrap()
}

async fn new_challenge(server: &TestServer) -> Value {
    let response = get(server, "/captcha/challenge").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

async fn a_challenge_its_picture_and_its_recording(backend: Backend) {
    let Some(server) = server(backend, 30).await else {
        return;
    };
    let challenge = new_challenge(&server).await;
    let id = challenge["id"].as_str().unwrap();
    assert_eq!(id.len(), 43);
    assert_eq!(challenge["nonce"].as_str().unwrap().len(), 32);
    assert_eq!(challenge["difficulty"], 8);
    assert_eq!(challenge["expires_in"], 600);
    assert_eq!(challenge["image"], format!("/captcha/{id}/image"));
    assert_eq!(challenge["audio"], format!("/captcha/{id}/audio"));
    let code = server.app.captcha_picture(id).await.unwrap().code;

    let image = get(&server, &format!("/captcha/{id}/image")).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/svg+xml");
    assert_eq!(image.headers()["cache-control"], "no-store");
    let svg = image.text().await.unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("<path"));
    assert!(!svg.contains("<text"));
    assert!(!svg.contains(&code));
    for symbol in code.chars() {
        // Not even one symbol of the code as a character of its own (the path data is
        // commands and numbers: M, L and digits only).
        if symbol.is_ascii_alphabetic() {
            assert!(!svg.contains(&format!(">{symbol}<")), "{symbol}");
        }
    }
    // The same challenge, the same picture: averaging fetches teaches nothing.
    let again = get(&server, &format!("/captcha/{id}/image")).await;
    assert_eq!(again.text().await.unwrap(), svg);

    let audio = get(&server, &format!("/captcha/{id}/audio")).await;
    assert_eq!(audio.status(), StatusCode::OK);
    assert_eq!(audio.headers()["content-type"], "audio/wav");
    assert_eq!(audio.headers()["cache-control"], "no-store");
    let wav = audio.bytes().await.unwrap();
    assert_eq!(&wav[0..4], b"RIFF");
    assert_eq!(&wav[8..12], b"WAVE");
    assert_eq!(&wav[12..16], b"fmt ");
    let riff_size = u32::from_le_bytes(wav[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff_size + 8, wav.len());
    assert_eq!(u16::from_le_bytes([wav[20], wav[21]]), 1, "PCM");
    assert_eq!(u16::from_le_bytes([wav[22], wav[23]]), 1, "mono");
    assert_eq!(u32::from_le_bytes(wav[24..28].try_into().unwrap()), 8000);
    assert_eq!(&wav[36..40], b"data");
    let data = u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize;
    assert_eq!(data + 44, wav.len());
    let seconds = data as f64 / 8000.0;
    assert!(
        (3.0..15.0).contains(&seconds),
        "{seconds} s for six symbols"
    );

    // Two challenges, two codes' worth of different pictures.
    let other = new_challenge(&server).await;
    assert_ne!(other["id"], challenge["id"]);
    assert_ne!(other["nonce"], challenge["nonce"]);

    // The script is served from the site, as the policy requires.
    let script = get(&server, "/static/captcha.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script
            .text()
            .await
            .unwrap()
            .contains("crypto.subtle.digest")
    );
}

async fn a_solved_challenge_leaves_nothing_to_see(backend: Backend) {
    let Some(server) = server(backend, 30).await else {
        return;
    };
    let challenge = new_challenge(&server).await;
    let id = challenge["id"].as_str().unwrap().to_owned();
    let nonce = challenge["nonce"].as_str().unwrap();
    let difficulty = Difficulty::new(challenge["difficulty"].as_u64().unwrap() as u32).unwrap();
    // Solved the way the script does, from what the JSON says.
    let solution = captcha::solve(nonce, difficulty, 1 << 20).unwrap();
    let answer = CaptchaAnswer {
        id: id.clone(),
        solution,
        code: String::new(),
    };
    server.app.verify_captcha(&answer).await.unwrap();
    assert!(server.app.verify_captcha(&answer).await.is_err());
    for part in ["image", "audio"] {
        let response = get(&server, &format!("/captcha/{id}/{part}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{part}");
    }
}

async fn unknown_challenges_are_not_found(backend: Backend) {
    let Some(server) = server(backend, 30).await else {
        return;
    };
    let client = server.client();
    let unknown = "A".repeat(43);
    for path in [
        format!("/captcha/{unknown}/image"),
        format!("/captcha/{unknown}/audio"),
        "/captcha/short/image".to_owned(),
        format!("/captcha/{}/audio", "%2E".repeat(300)),
    ] {
        let (status, _, problem) = client.problem(&path).await.unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(problem.title, "This code is no longer available");
    }
    // A browser gets a page.
    let page = client
        .page(&format!("/captcha/{unknown}/image"))
        .await
        .unwrap();
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Ask for a new code"));
}

async fn new_challenges_are_limited_per_address(backend: Backend) {
    let Some(server) = server(backend, 2).await else {
        return;
    };
    new_challenge(&server).await;
    new_challenge(&server).await;
    let refused = get(&server, "/captcha/challenge").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "60");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
}
