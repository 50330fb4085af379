//! OAuth 2.0 / OpenID Connect authorization requests (RFC 6749 §4.1, RFC 7636 PKCE,
//! OpenID Connect Core §3.1.2): validation and the answers sent back, without IO.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The error codes of RFC 6749 (§4.1.2.1, §5.2) and OpenID Connect Core (§3.1.2.6) that
/// Tessera answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthError {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    LoginRequired,
    /// `prompt=none`, but the person has not allowed the client what it asks for.
    ConsentRequired,
    InvalidToken,
    ServerError,
}

impl OAuthError {
    pub fn code(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::UnauthorizedClient => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::UnsupportedResponseType => "unsupported_response_type",
            OAuthError::InvalidScope => "invalid_scope",
            OAuthError::AccessDenied => "access_denied",
            OAuthError::LoginRequired => "login_required",
            OAuthError::ConsentRequired => "consent_required",
            OAuthError::InvalidToken => "invalid_token",
            OAuthError::ServerError => "server_error",
        }
    }
}

/// An error as the token and userinfo endpoints answer it (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl ErrorBody {
    pub fn new(error: OAuthError, description: &str) -> Self {
        Self {
            error: error.code().to_owned(),
            error_description: Some(description.to_owned()),
        }
    }
}

/// The parameters of an authorization request, as they came (query string).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    /// Space-separated ACR values, most wanted first (OpenID Connect Core §3.1.2.1).
    pub acr_values: Option<String>,
    /// The longest time since the person last signed in that the client accepts, in seconds.
    pub max_age: Option<String>,
}

/// What the authorization request must be checked against: the registered client.
#[derive(Debug, Clone, Copy)]
pub struct ClientRules<'a> {
    pub redirect_uris: &'a [String],
    /// A client without a secret, which must prove possession with PKCE.
    pub public: bool,
    pub grant_types: &'a [String],
}

/// A request that may go ahead once the person is signed in strongly enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAuthorization {
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// The S256 challenge, when the client sent one.
    pub code_challenge: Option<String>,
    pub prompt_none: bool,
    /// `prompt=login`: the person signs in again even with a live session.
    pub prompt_login: bool,
    /// `prompt=consent`: the person is asked to allow the client even if they did before.
    pub prompt_consent: bool,
    /// The ACR values asked for, in the client's order (unknown ones left to the caller).
    pub acr_values: Vec<String>,
    /// Seconds since the last sign-in beyond which the person signs in again.
    pub max_age: Option<u64>,
}

/// Why a request was refused, and how to tell the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The redirect URI cannot be trusted (missing, unregistered, or no such client): the
    /// person sees an error page and is never redirected (RFC 6749 §4.1.2.1).
    Page(String),
    /// Answered to the client at its (verified) redirect URI.
    Redirect {
        redirect_uri: String,
        error: OAuthError,
        description: String,
        state: Option<String>,
    },
}

impl Refusal {
    /// The address to send the browser to, for `Redirect`.
    pub fn location(&self) -> Option<String> {
        match self {
            Refusal::Page(_) => None,
            Refusal::Redirect {
                redirect_uri,
                error,
                description,
                state,
            } => {
                let mut params = vec![("error", error.code()), ("error_description", description)];
                if let Some(state) = state {
                    params.push(("state", state));
                }
                Some(with_query(redirect_uri, &params))
            }
        }
    }
}

/// `uri` with `params` appended to its query, form-encoded (keeping a query it has).
pub fn with_query(uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = uri.to_owned();
    let mut separator = if uri.contains('?') { '&' } else { '?' };
    for (name, value) in params {
        out.push(separator);
        out.push_str(&form_encode(name));
        out.push('=');
        out.push_str(&form_encode(value));
        separator = '&';
    }
    out
}

fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Checks an authorization request against its client (OpenID Connect Core §3.1.2.2). The
/// redirect URI is checked first and exactly, so no error is ever sent to an address the
/// client did not register.
pub fn validate_authorization(
    params: &AuthorizeParams,
    client: ClientRules<'_>,
) -> Result<ValidAuthorization, Refusal> {
    let Some(redirect_uri) = params.redirect_uri.as_deref() else {
        return Err(Refusal::Page("The request names no redirect URI.".into()));
    };
    if !client.redirect_uris.iter().any(|uri| uri == redirect_uri) {
        return Err(Refusal::Page(
            "The redirect URI is not registered for this application.".into(),
        ));
    }
    let refuse = |error: OAuthError, description: &str| Refusal::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        error,
        description: description.to_owned(),
        state: params.state.clone(),
    };
    match params.response_type.as_deref() {
        Some("code") => {}
        None => {
            return Err(refuse(
                OAuthError::InvalidRequest,
                "response_type is missing",
            ));
        }
        Some(_) => {
            return Err(refuse(
                OAuthError::UnsupportedResponseType,
                "only response_type=code is supported",
            ));
        }
    }
    if !client.grant_types.iter().any(|g| g == "authorization_code") {
        return Err(refuse(
            OAuthError::UnauthorizedClient,
            "this client may not use the authorization code grant",
        ));
    }
    let scope = params.scope.as_deref().unwrap_or_default();
    if !scope.split(' ').any(|s| s == "openid") {
        return Err(refuse(
            OAuthError::InvalidScope,
            "scope must contain openid",
        ));
    }
    let code_challenge = match (
        params.code_challenge.as_deref(),
        params.code_challenge_method.as_deref(),
    ) {
        (None, None) if client.public => {
            return Err(refuse(
                OAuthError::InvalidRequest,
                "public clients must use PKCE (code_challenge with S256)",
            ));
        }
        (None, None) => None,
        (None, Some(_)) => {
            return Err(refuse(
                OAuthError::InvalidRequest,
                "code_challenge is missing",
            ));
        }
        // `plain` would hand the verifier to anyone who sees the request.
        (Some(_), None | Some("plain")) => {
            return Err(refuse(
                OAuthError::InvalidRequest,
                "code_challenge_method must be S256",
            ));
        }
        (Some(challenge), Some("S256")) if is_pkce_value(challenge) && challenge.len() == 43 => {
            Some(challenge.to_owned())
        }
        (Some(_), Some("S256")) => {
            return Err(refuse(
                OAuthError::InvalidRequest,
                "code_challenge is malformed",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(refuse(
                OAuthError::InvalidRequest,
                "code_challenge_method must be S256",
            ));
        }
    };
    let prompts: Vec<&str> = params
        .prompt
        .as_deref()
        .unwrap_or("")
        .split(' ')
        .filter(|p| !p.is_empty())
        .collect();
    if prompts
        .iter()
        .any(|p| !matches!(*p, "none" | "login" | "consent"))
    {
        return Err(refuse(
            OAuthError::InvalidRequest,
            "prompt is not understood",
        ));
    }
    let prompt_none = prompts.contains(&"none");
    let prompt_login = prompts.contains(&"login");
    let prompt_consent = prompts.contains(&"consent");
    if prompt_none && prompts.len() > 1 {
        // OpenID Connect Core §3.1.2.1: none goes with no other value.
        return Err(refuse(
            OAuthError::InvalidRequest,
            "prompt=none cannot be combined with other values",
        ));
    }
    let max_age = match params.max_age.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match text.parse::<u64>() {
            Ok(seconds) => Some(seconds),
            Err(_) => {
                return Err(refuse(
                    OAuthError::InvalidRequest,
                    "max_age must be a number of seconds",
                ));
            }
        },
    };
    let acr_values = params
        .acr_values
        .as_deref()
        .unwrap_or("")
        .split(' ')
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(ValidAuthorization {
        redirect_uri: redirect_uri.to_owned(),
        scope: normalise_scope(scope),
        state: params.state.clone(),
        nonce: params.nonce.clone().filter(|n| !n.is_empty()),
        code_challenge,
        prompt_none,
        prompt_login,
        prompt_consent,
        acr_values,
        max_age,
    })
}

/// The scopes Tessera knows, in a fixed order; others are ignored (RFC 6749 §3.3 lets the
/// server grant fewer than asked).
fn normalise_scope(scope: &str) -> String {
    const KNOWN: [&str; 5] = ["openid", "profile", "email", "phone", "groups"];
    KNOWN
        .into_iter()
        .filter(|known| scope.split(' ').any(|s| s == *known))
        .collect::<Vec<_>>()
        .join(" ")
}

/// RFC 7636 §4.1: 43 to 128 characters from the unreserved set.
fn is_pkce_value(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The S256 challenge of a verifier: base64url(SHA-256(verifier)).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` answers an S256 `challenge` (RFC 7636 §4.6).
pub fn verify_pkce(challenge: &str, verifier: &str) -> bool {
    is_pkce_value(verifier) && s256_challenge(verifier) == challenge
}

/// The client id and secret of an `Authorization: Basic` header (RFC 6749 §2.3.1: each
/// form-encoded, then joined by a colon and base64-encoded). `None` when malformed.
pub fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, value) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// Undoes `application/x-www-form-urlencoded` encoding; `None` for broken escapes.
fn form_decode(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut input = s.bytes();
    while let Some(byte) = input.next() {
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let high = char::from(input.next()?).to_digit(16)?;
                let low = char::from(input.next()?).to_digit(16)?;
                bytes.push(u8::try_from(high * 16 + low).ok()?);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn uris() -> Vec<String> {
        vec!["https://casper.example/cb".into()]
    }

    fn grants() -> Vec<String> {
        vec!["authorization_code".into()]
    }

    fn request() -> AuthorizeParams {
        AuthorizeParams {
            response_type: Some("code".into()),
            client_id: Some("casper".into()),
            redirect_uri: Some("https://casper.example/cb".into()),
            scope: Some("openid profile unknown groups".into()),
            state: Some("af0ifjsldkj".into()),
            nonce: Some("n-0S6_WzA2Mj".into()),
            code_challenge: Some(CHALLENGE.into()),
            code_challenge_method: Some("S256".into()),
            prompt: None,
            acr_values: None,
            max_age: None,
        }
    }

    fn check(params: &AuthorizeParams, public: bool) -> Result<ValidAuthorization, Refusal> {
        let (uris, grants) = (uris(), grants());
        validate_authorization(
            params,
            ClientRules {
                redirect_uris: &uris,
                public,
                grant_types: &grants,
            },
        )
    }

    fn error_of(result: Result<ValidAuthorization, Refusal>) -> OAuthError {
        match result {
            Err(Refusal::Redirect { error, .. }) => error,
            other => panic!("expected a redirected error, got {other:?}"),
        }
    }

    #[test]
    fn rfc_7636_example_verifier_matches_its_challenge() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(s256_challenge(verifier), CHALLENGE);
        assert!(verify_pkce(CHALLENGE, verifier));
        assert!(!verify_pkce(
            CHALLENGE,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj"
        ));
        assert!(!verify_pkce(CHALLENGE, "short"));
    }

    #[test]
    fn a_good_request_carries_state_nonce_and_known_scopes() {
        let valid = check(&request(), true).unwrap();
        assert_eq!(valid.scope, "openid profile groups");
        assert_eq!(valid.state.as_deref(), Some("af0ifjsldkj"));
        assert_eq!(valid.nonce.as_deref(), Some("n-0S6_WzA2Mj"));
        assert_eq!(valid.code_challenge.as_deref(), Some(CHALLENGE));
    }

    #[test]
    fn redirect_uris_match_exactly_or_the_person_sees_a_page() {
        for uri in [
            "https://casper.example/cb/",
            "https://casper.example/cb?x=1",
            "https://CASPER.example/cb",
            "https://casper.example/c",
        ] {
            let mut params = request();
            params.redirect_uri = Some(uri.into());
            assert!(
                matches!(check(&params, true), Err(Refusal::Page(_))),
                "{uri}"
            );
        }
        let mut params = request();
        params.redirect_uri = None;
        assert!(matches!(check(&params, false), Err(Refusal::Page(_))));
    }

    #[test]
    fn public_clients_need_s256_and_plain_is_refused() {
        let mut params = request();
        params.code_challenge = None;
        params.code_challenge_method = None;
        assert_eq!(error_of(check(&params, true)), OAuthError::InvalidRequest);
        assert!(check(&params, false).is_ok());
        let mut params = request();
        params.code_challenge_method = Some("plain".into());
        assert_eq!(error_of(check(&params, false)), OAuthError::InvalidRequest);
        params.code_challenge_method = None;
        assert_eq!(error_of(check(&params, true)), OAuthError::InvalidRequest);
        let mut params = request();
        params.code_challenge = Some("too-short".into());
        assert_eq!(error_of(check(&params, true)), OAuthError::InvalidRequest);
    }

    #[test]
    fn other_errors_go_back_to_the_client_with_state() {
        let mut params = request();
        params.scope = Some("profile".into());
        let refusal = check(&params, true).unwrap_err();
        assert_eq!(
            refusal.location().unwrap(),
            "https://casper.example/cb?error=invalid_scope&error_description=scope%20must%20contain%20openid&state=af0ifjsldkj"
        );
        let mut params = request();
        params.response_type = Some("token".into());
        assert_eq!(
            error_of(check(&params, true)),
            OAuthError::UnsupportedResponseType
        );
        let mut params = request();
        params.prompt = Some("select_account".into());
        assert_eq!(error_of(check(&params, true)), OAuthError::InvalidRequest);
        let mut params = request();
        params.prompt = Some("none login".into());
        assert_eq!(error_of(check(&params, true)), OAuthError::InvalidRequest);
        let mut params = request();
        params.max_age = Some("an hour".into());
        assert_eq!(error_of(check(&params, true)), OAuthError::InvalidRequest);
    }

    #[test]
    fn acr_values_max_age_and_prompt_login_are_carried() {
        let mut params = request();
        params.prompt = Some("login consent".into());
        params.max_age = Some("300".into());
        params.acr_values = Some("high  medium".into());
        let valid = check(&params, true).unwrap();
        assert!(valid.prompt_login && valid.prompt_consent && !valid.prompt_none);
        params.prompt = Some("login".into());
        assert!(!check(&params, true).unwrap().prompt_consent);
        params.prompt = Some("none consent".into());
        assert_eq!(error_of(check(&params, true)), OAuthError::InvalidRequest);
        params.scope = Some("openid phone".into());
        params.prompt = None;
        assert_eq!(check(&params, true).unwrap().scope, "openid phone");
        assert_eq!(valid.max_age, Some(300));
        assert_eq!(valid.acr_values, ["high", "medium"]);
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("my%3Aclient:s3cr%2Bt+x")
        );
        assert_eq!(
            parse_basic(&header),
            Some(("my:client".into(), "s3cr+t x".into()))
        );
        assert_eq!(parse_basic("Bearer abc"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
        let no_colon = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("x")
        );
        assert_eq!(parse_basic(&no_colon), None);
    }

    #[test]
    fn queries_are_appended_to_an_existing_one() {
        assert_eq!(
            with_query("https://a.example/cb?x=1", &[("code", "a b&c")]),
            "https://a.example/cb?x=1&code=a%20b%26c"
        );
    }
}
