//! Second factors as a person's devices would answer: a software security key (webauthn-rs's
//! own soft passkey, speaking real WebAuthn), an authenticator app's codes, and Chromium's
//! virtual authenticator for browser tests.

use fantoccini::wd::WebDriverCompatibleCommand;
use totp_rs::{Algorithm, Builder, Secret};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::{CreationChallengeResponse, RequestChallengeResponse};

use crate::BoxError;

/// A security key in software: registers and signs like a real one.
pub struct SoftKey {
    key: SoftPasskey,
}

impl Default for SoftKey {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftKey {
    pub fn new() -> Self {
        // It has no PIN; it claims user verification, as a key with a PIN would.
        Self {
            key: SoftPasskey::new(true),
        }
    }

    /// Answers registration options (as Tessera sent them) for a page at `origin`.
    pub fn register(
        &mut self,
        origin: &str,
        options: &serde_json::Value,
    ) -> Result<serde_json::Value, BoxError> {
        let options: CreationChallengeResponse = serde_json::from_value(options.clone())?;
        let answer = self
            .key
            .do_registration(url::Url::parse(origin)?, options)
            .map_err(|e| format!("soft key registration: {e:?}"))?;
        Ok(serde_json::to_value(answer)?)
    }

    /// Answers sign-in options for a page at `origin`.
    pub fn sign(
        &mut self,
        origin: &str,
        options: &serde_json::Value,
    ) -> Result<serde_json::Value, BoxError> {
        let options: RequestChallengeResponse = serde_json::from_value(options.clone())?;
        let answer = self
            .key
            .do_authentication(url::Url::parse(origin)?, options)
            .map_err(|e| format!("soft key sign-in: {e:?}"))?;
        Ok(serde_json::to_value(answer)?)
    }
}

/// The code an authenticator app shows at `unix_time` for a base32 secret (RFC 6238: SHA-1,
/// six digits, 30 seconds).
pub fn authenticator_code(secret_base32: &str, unix_time: u64) -> Result<String, BoxError> {
    let secret = Secret::try_from_base32(secret_base32).map_err(|e| format!("{e:?}"))?;
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .map_err(|e| format!("{e}"))?;
    Ok(totp.generate(unix_time).to_string())
}

/// The current Unix time in seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// WebDriver's "Add Virtual Authenticator": a platform authenticator with resident keys and
/// user verification that always succeeds, so passkeys work headless.
#[derive(Debug)]
pub struct AddVirtualAuthenticator;

impl WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/webauthn/authenticator",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserConsenting": true,
            "isUserVerified": true,
        });
        (http::Method::POST, Some(body.to_string()))
    }
}
