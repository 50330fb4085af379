//! The OpenID Provider metadata document (OpenID Connect Discovery 1.0 §3).

use serde::Serialize;

use crate::client_assertion::ALGORITHMS as ASSERTION_ALGORITHMS;

#[derive(Debug, Clone, Serialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub introspection_endpoint: String,
    pub revocation_endpoint: String,
    /// RP-Initiated Logout 1.0.
    pub end_session_endpoint: String,
    /// Back-Channel Logout 1.0: logout tokens, with `sid`, to clients that registered a URI.
    pub backchannel_logout_supported: bool,
    pub backchannel_logout_session_supported: bool,
    pub response_types_supported: Vec<&'static str>,
    pub grant_types_supported: Vec<&'static str>,
    pub subject_types_supported: Vec<&'static str>,
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    /// What `private_key_jwt` assertions may be signed with (the three endpoints alike).
    pub token_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    pub introspection_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    pub revocation_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    pub introspection_endpoint_auth_methods_supported: Vec<&'static str>,
    pub revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    pub code_challenge_methods_supported: Vec<&'static str>,
    pub scopes_supported: Vec<&'static str>,
    pub claims_supported: Vec<&'static str>,
    pub acr_values_supported: Vec<&'static str>,
}

impl ProviderMetadata {
    /// The document for an issuer (its public address, without a trailing slash).
    pub fn for_issuer(issuer: &str) -> Self {
        Self {
            issuer: issuer.to_owned(),
            authorization_endpoint: format!("{issuer}/oidc/authorize"),
            token_endpoint: format!("{issuer}/oidc/token"),
            userinfo_endpoint: format!("{issuer}/oidc/userinfo"),
            jwks_uri: format!("{issuer}/oidc/jwks"),
            introspection_endpoint: format!("{issuer}/oidc/introspect"),
            revocation_endpoint: format!("{issuer}/oidc/revoke"),
            end_session_endpoint: format!("{issuer}/oidc/logout"),
            backchannel_logout_supported: true,
            backchannel_logout_session_supported: true,
            response_types_supported: vec!["code"],
            grant_types_supported: vec![
                "authorization_code",
                "refresh_token",
                "client_credentials",
            ],
            subject_types_supported: vec!["public"],
            // Each client chooses (`id_token_alg`); ES256 unless it asks.
            id_token_signing_alg_values_supported: vec!["ES256", "RS256", "EdDSA"],
            token_endpoint_auth_methods_supported: vec![
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
                "none",
            ],
            token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS.to_vec(),
            // Introspection is for resource servers, which can keep a secret or a key.
            introspection_endpoint_auth_methods_supported: vec![
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
            ],
            introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS.to_vec(),
            revocation_endpoint_auth_methods_supported: vec![
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
                "none",
            ],
            revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS.to_vec(),
            code_challenge_methods_supported: vec!["S256"],
            scopes_supported: vec!["openid", "profile", "email", "phone", "groups"],
            claims_supported: vec![
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "sid",
                "acr",
                "amr",
                "name",
                "given_name",
                "family_name",
                "email",
                "email_verified",
                "phone_number",
                "phone_number_verified",
                "groups",
            ],
            acr_values_supported: vec!["low", "medium", "high"],
        }
    }
}
