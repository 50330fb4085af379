//! Forms POSTed to relying parties: the single logout notices (an OpenID Connect logout
//! token, a CAS `logoutRequest`). The app makes the form when the message is claimed (a
//! logout token is signed then, so a retry carries a fresh `iat`); this adapter only posts
//! it, deciding success by the status code. Neither the form nor the answer's body is ever
//! logged or recorded: both may carry a ticket or a token.

use std::time::Duration;

use tessera_app::{App, Outgoing};

use crate::adapter::DeliveryError;

/// How long a relying party may take to answer one notice.
const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct HttpPostAdapter {
    client: reqwest::Client,
}

impl HttpPostAdapter {
    /// A client that never follows redirects: a notice goes to the registered address only.
    pub fn new() -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { client })
    }

    /// Makes the message's form (through the app) and posts it to its recipient URL.
    pub async fn deliver(&self, app: &App, outgoing: &Outgoing) -> Result<(), DeliveryError> {
        let form = match app.outgoing_form(outgoing).await {
            Ok(Some(form)) => form,
            Ok(None) => {
                return Err(DeliveryError::Permanent(format!(
                    "no form is made for '{}'",
                    outgoing.template
                )));
            }
            // A fault of Tessera's own (the database, no signing key): worth another try.
            Err(error) => return Err(DeliveryError::Temporary(error.to_string())),
        };
        let response = self
            .client
            .post(&outgoing.recipient)
            .form(&form)
            .send()
            .await
            .map_err(|e| DeliveryError::Temporary(describe(&e)))?;
        judge(response.status())
    }
}

/// 2xx is delivered (OIDC Back-Channel Logout §2.8 allows 200 and 204); a refusal of the
/// request itself is permanent, except for the statuses that ask to come back later.
fn judge(status: reqwest::StatusCode) -> Result<(), DeliveryError> {
    if status.is_success() {
        Ok(())
    } else if status.is_client_error()
        && status != reqwest::StatusCode::REQUEST_TIMEOUT
        && status != reqwest::StatusCode::TOO_MANY_REQUESTS
    {
        Err(DeliveryError::Permanent(format!("answered {status}")))
    } else {
        // 3xx as well: the registered address may move back; 5xx is the usual passing fault.
        Err(DeliveryError::Temporary(format!("answered {status}")))
    }
}

/// The error without its URL, whose query may carry a relying party's secret.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_decide_between_done_retry_and_give_up() {
        use reqwest::StatusCode;
        assert_eq!(judge(StatusCode::OK), Ok(()));
        assert_eq!(judge(StatusCode::NO_CONTENT), Ok(()));
        assert!(matches!(
            judge(StatusCode::BAD_REQUEST),
            Err(DeliveryError::Permanent(_))
        ));
        assert!(matches!(
            judge(StatusCode::TOO_MANY_REQUESTS),
            Err(DeliveryError::Temporary(_))
        ));
        assert!(matches!(
            judge(StatusCode::SERVICE_UNAVAILABLE),
            Err(DeliveryError::Temporary(_))
        ));
        assert!(matches!(
            judge(StatusCode::FOUND),
            Err(DeliveryError::Temporary(_))
        ));
    }
}
