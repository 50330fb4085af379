//! A typed client for Tessera's HTTP interface, as an application or script would use it.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{ACCEPT, HeaderMap};
use serde::Deserialize;

use crate::BoxError;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Health {
    pub status: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Readiness {
    pub status: String,
    pub database: String,
}

/// RFC 9457 problem details.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: Option<String>,
}

/// A page as a browser receives it.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client like a browser: it keeps cookies, and does not follow redirects (tests look at
/// them).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    jar: Arc<Jar>,
}

impl Client {
    pub fn new(base_url: &str) -> Self {
        let jar = Arc::new(Jar::default());
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .cookie_provider(Arc::clone(&jar))
                .build()
                .expect("an HTTP client"),
            base: base_url.trim_end_matches('/').to_owned(),
            jar,
        }
    }

    /// The value of a cookie this client holds for the server.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = self.base.parse().ok()?;
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
    }

    /// Puts a cookie into this client's jar, as a browser that kept it would send it.
    pub fn set_cookie(&self, name: &str, value: &str) {
        if let Ok(url) = self.base.parse() {
            self.jar
                .add_cookie_str(&format!("{name}={value}; Path=/"), &url);
        }
    }

    /// Signs in with e-mail and password through the pages, as a person would. Returns the
    /// answer to the password step (303 to /account on success).
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Page, BoxError> {
        self.page("/signin?change=1").await?;
        let csrf = self
            .cookie("tessera_csrf")
            .ok_or("no CSRF cookie after /signin")?;
        let step = self
            .post_form("/signin", &[("csrf", &csrf), ("email", email)])
            .await?;
        if step.status != StatusCode::SEE_OTHER {
            return Ok(step);
        }
        self.post_form(
            "/signin/password",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }

    /// Types a code into the code step of signing in.
    pub async fn submit_code(&self, code: &str) -> Result<Page, BoxError> {
        let csrf = self.cookie("tessera_csrf").ok_or("no CSRF cookie")?;
        self.post_form("/signin/code", &[("csrf", &csrf), ("code", code)])
            .await
    }

    /// POSTs JSON to the API with the CSRF header, as a script signed in would.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        csrf: Option<&str>,
    ) -> Result<(StatusCode, serde_json::Value), BoxError> {
        let mut request = self.http.post(self.url(path)).json(body);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        ))
    }

    /// Calls the JSON API as a signed-in script would: any method, the CSRF header from the
    /// cookie, extra headers (e.g. If-Match). Gives the status, headers and JSON body (or the
    /// text as a JSON string; null when empty).
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Result<(StatusCode, HeaderMap, serde_json::Value), BoxError> {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header(ACCEPT, "application/json");
        if let Some(csrf) = self.cookie("tessera_csrf") {
            request = request.header("x-csrf-token", csrf);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        Ok((status, headers, json))
    }

    /// POSTs a text body (CSV, say) to the API with the CSRF header; gives the status and
    /// the JSON answer.
    pub async fn post_text(
        &self,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> Result<(StatusCode, serde_json::Value), BoxError> {
        let mut request = self
            .http
            .post(self.url(path))
            .header("content-type", content_type)
            .header(ACCEPT, "application/json")
            .body(body.to_owned());
        if let Some(csrf) = self.cookie("tessera_csrf") {
            request = request.header("x-csrf-token", csrf);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        ))
    }

    /// GETs text (a CSV export, say).
    pub async fn get_text(&self, path: &str) -> Result<(StatusCode, String), BoxError> {
        let response = self.http.get(self.url(path)).send().await?;
        Ok((response.status(), response.text().await?))
    }

    /// GETs JSON from the API.
    pub async fn get_json(&self, path: &str) -> Result<(StatusCode, serde_json::Value), BoxError> {
        let response = self
            .http
            .get(self.url(path))
            .header(ACCEPT, "application/json")
            .send()
            .await?;
        let status = response.status();
        Ok((status, response.json().await?))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn healthz(&self) -> Result<Health, BoxError> {
        let response = self.http.get(self.url("/healthz")).send().await?;
        Ok(response.error_for_status()?.json().await?)
    }

    /// The readiness answer, with its status code (503 when not ready).
    pub async fn readyz(&self) -> Result<(StatusCode, Readiness), BoxError> {
        let response = self.http.get(self.url("/readyz")).send().await?;
        Ok((response.status(), response.json().await?))
    }

    pub async fn metrics(&self) -> Result<String, BoxError> {
        let response = self.http.get(self.url("/metrics")).send().await?;
        Ok(response.error_for_status()?.text().await?)
    }

    /// GETs a page the way a browser asks for it.
    pub async fn page(&self, path: &str) -> Result<Page, BoxError> {
        self.page_with(path, &[]).await
    }

    pub async fn page_with(&self, path: &str, headers: &[(&str, &str)]) -> Result<Page, BoxError> {
        let mut request = self
            .http
            .get(self.url(path))
            .header(ACCEPT, "text/html,application/xhtml+xml");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        into_page(request.send().await?).await
    }

    /// Posts a form the way a browser submits it.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Result<Page, BoxError> {
        let response = self
            .http
            .post(self.url(path))
            .header(ACCEPT, "text/html")
            .form(fields)
            .send()
            .await?;
        into_page(response).await
    }

    /// Posts a raw body with a content type of the caller's choosing (malformed input tests).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Page, BoxError> {
        let response = self
            .http
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await?;
        into_page(response).await
    }

    /// GETs a path as a program would, expecting problem details back.
    pub async fn problem(&self, path: &str) -> Result<(StatusCode, HeaderMap, Problem), BoxError> {
        let response = self
            .http
            .get(self.url(path))
            .header(ACCEPT, "application/json")
            .send()
            .await?;
        let status = response.status();
        let headers = response.headers().clone();
        Ok((status, headers, response.json().await?))
    }
}

async fn into_page(response: reqwest::Response) -> Result<Page, BoxError> {
    Ok(Page {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await?,
    })
}
