//! A typed client for Tessera's HTTP interface, as an application or script would use it.

use reqwest::StatusCode;
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

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(base_url: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            base: base_url.trim_end_matches('/').to_owned(),
        }
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
