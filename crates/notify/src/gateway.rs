//! SMS and voice through an HTTP gateway: one JSON POST per message, success decided by the
//! status code. The gateway's answer body is never recorded (it may echo the text, code
//! included).

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tessera_domain::message::{Channel, fill_body_template};

use crate::adapter::DeliveryError;
use crate::config::{DeliveryConfigError, GatewayConfig};
use crate::texts::Rendered;

#[derive(Clone)]
pub struct GatewayAdapter {
    client: reqwest::Client,
    url: String,
    body: String,
}

impl GatewayAdapter {
    pub fn new(config: &GatewayConfig) -> Result<Self, DeliveryConfigError> {
        let invalid = |message: String| DeliveryConfigError {
            key: "delivery.gateway.headers",
            message,
        };
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for (name, value) in &config.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(format!("'{name}' is not a header name")))?;
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| invalid(format!("the value of '{name}' is not a header value")))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(Duration::from_secs(config.timeout_secs.max(1)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| DeliveryConfigError {
                key: "delivery.gateway",
                message: e.to_string(),
            })?;
        Ok(Self {
            client,
            url: config.url.clone(),
            body: config.body.clone(),
        })
    }

    pub async fn deliver(
        &self,
        channel: Channel,
        recipient: &str,
        message: &Rendered,
    ) -> Result<(), DeliveryError> {
        let body = fill_body_template(&self.body, recipient, &message.text, channel.as_str());
        let response = self
            .client
            .post(&self.url)
            .body(body)
            .send()
            .await
            .map_err(|e| DeliveryError::Temporary(format!("gateway: {}", without_url(&e))))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else if status.is_client_error()
            && status != reqwest::StatusCode::REQUEST_TIMEOUT
            && status != reqwest::StatusCode::TOO_MANY_REQUESTS
        {
            Err(DeliveryError::Permanent(format!(
                "gateway answered {status}"
            )))
        } else {
            Err(DeliveryError::Temporary(format!(
                "gateway answered {status}"
            )))
        }
    }
}

/// The error without its URL, which may carry credentials in its query.
fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    kind.to_owned()
}
