//! Static files, compiled into the binary so it runs from anywhere.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    (
        "tessera.css",
        "text/css; charset=utf-8",
        include_str!("../../static/tessera.css"),
    ),
    (
        "webauthn.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/webauthn.js"),
    ),
    (
        "captcha.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/captcha.js"),
    ),
    (
        "memberships.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/memberships.js"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => {
            let mut response = (*body).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            response
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
