//! OpenID Connect logout on the wire: the `id_token_hint` of RP-Initiated Logout 1.0 (an ID
//! token Tessera issued, read back even after it expired) and the logout token of
//! Back-Channel Logout 1.0.

use std::collections::HashSet;

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::tokens::TokenError;

/// The event a logout token announces (Back-Channel Logout 1.0 §2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// How long a logout token may travel: the relying party reads it at once.
pub const LOGOUT_TOKEN_SECONDS: i64 = 120;

/// What an `id_token_hint` tells once its signature and issuer are good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenHint {
    pub sub: String,
    /// Every audience the token names (a client id each).
    pub aud: Vec<String>,
    /// The single sign-on session it was issued in, when it says.
    pub sid: Option<String>,
}

impl IdTokenHint {
    /// Whether the token was issued to this client.
    pub fn names_client(&self, client_id: &str) -> bool {
        self.aud.iter().any(|aud| aud == client_id)
    }
}

#[derive(Deserialize)]
struct HintClaims {
    sub: String,
    aud: Audience,
    #[serde(default)]
    sid: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// Checks an `id_token_hint` against one of Tessera's public keys (`jwk`, as published) and
/// the issuer. Its expiry is not judged: RP-Initiated Logout 1.0 §2 lets a relying party
/// send an expired ID token, and one usually has expired by the time a person signs out.
pub fn verify_id_token_hint(
    token: &str,
    jwk: &str,
    issuer: &str,
) -> Result<IdTokenHint, TokenError> {
    let jwk: Jwk = serde_json::from_str(jwk).map_err(|e| TokenError::Key(e.to_string()))?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| TokenError::Key(e.to_string()))?;
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
    // Only the asymmetric algorithms Tessera signs with; the key must be of the same family,
    // which decoding checks.
    if !matches!(
        header.alg,
        Algorithm::ES256 | Algorithm::RS256 | Algorithm::EdDSA
    ) {
        return Err(TokenError::Invalid(format!(
            "{:?} is not accepted",
            header.alg
        )));
    }
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::from(["iss".to_owned(), "sub".to_owned()]);
    validation.set_issuer(&[issuer]);
    let claims = jsonwebtoken::decode::<HintClaims>(token, &key, &validation)
        .map_err(|e| TokenError::Invalid(e.to_string()))?
        .claims;
    Ok(IdTokenHint {
        sub: claims.sub,
        aud: match claims.aud {
            Audience::One(aud) => vec![aud],
            Audience::Many(aud) => aud,
        },
        sid: claims.sid,
    })
}

/// The claims of a logout token (Back-Channel Logout 1.0 §2.4): who signed out of which
/// session, for one client. It never carries a `nonce`, so it cannot pass for an ID token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoutTokenClaims {
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub sub: String,
    pub sid: String,
    pub events: serde_json::Value,
}

impl LogoutTokenClaims {
    /// A token issued at `iat` (Unix seconds) that expires [`LOGOUT_TOKEN_SECONDS`] later.
    pub fn new(issuer: &str, client_id: &str, sub: &str, sid: &str, jti: &str, iat: i64) -> Self {
        Self {
            iss: issuer.to_owned(),
            aud: client_id.to_owned(),
            iat,
            exp: iat + LOGOUT_TOKEN_SECONDS,
            jti: jti.to_owned(),
            sub: sub.to_owned(),
            sid: sid.to_owned(),
            events: serde_json::json!({ BACKCHANNEL_LOGOUT_EVENT: {} }),
        }
    }
}

/// The `typ` header of a logout token (Back-Channel Logout 1.0 §2.4, explicit typing).
pub const LOGOUT_TOKEN_TYPE: &str = "logout+jwt";

#[cfg(test)]
mod tests {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use serde_json::json;

    use super::*;
    use crate::jwk::PublicJwk;
    use crate::tokens::Signer;

    const ISSUER: &str = "https://id.example";

    fn key() -> (Signer, String) {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap()
                .as_ref()
                .to_vec();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8).unwrap();
        let jwk = PublicJwk::es256(pair.public_key().as_ref()).unwrap();
        let signer = Signer::es256(jwk.kid().unwrap(), &pkcs8).unwrap();
        (signer, serde_json::to_string(&jwk).unwrap())
    }

    #[test]
    fn hints_are_read_even_expired_but_only_from_our_key_and_issuer() {
        let (signer, jwk) = key();
        let expired = json!({
            "iss": ISSUER, "sub": "u1", "aud": "casper", "sid": "s1",
            "iat": 1_000_000, "exp": 1_000_300,
        });
        let token = signer.sign(&expired, "JWT").unwrap();
        let hint = verify_id_token_hint(&token, &jwk, ISSUER).unwrap();
        assert_eq!(hint.sub, "u1");
        assert!(hint.names_client("casper"));
        assert!(!hint.names_client("imas"));
        assert_eq!(hint.sid.as_deref(), Some("s1"));

        let many = signer
            .sign(
                &json!({"iss": ISSUER, "sub": "u1", "aud": ["a", "casper"]}),
                "JWT",
            )
            .unwrap();
        assert!(
            verify_id_token_hint(&many, &jwk, ISSUER)
                .unwrap()
                .names_client("casper")
        );

        let (_, other) = key();
        assert!(verify_id_token_hint(&token, &other, ISSUER).is_err());
        assert!(verify_id_token_hint(&token, &jwk, "https://evil.example").is_err());
        let mut tampered = token.clone();
        tampered.insert(tampered.find('.').unwrap() + 2, 'x');
        assert!(verify_id_token_hint(&tampered, &jwk, ISSUER).is_err());
        assert!(verify_id_token_hint("not.a.token", &jwk, ISSUER).is_err());
    }

    #[test]
    fn logout_tokens_carry_the_event_and_no_nonce() {
        let claims = LogoutTokenClaims::new(ISSUER, "casper", "u1", "s1", "j1", 1_000);
        let json = serde_json::to_value(&claims).unwrap();
        assert_eq!(json["events"], json!({ BACKCHANNEL_LOGOUT_EVENT: {} }));
        assert_eq!(json["exp"], 1_000 + LOGOUT_TOKEN_SECONDS);
        assert!(json.get("nonce").is_none());
        assert_eq!(json["aud"], "casper");
    }
}
