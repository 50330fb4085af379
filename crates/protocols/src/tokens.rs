//! ID tokens and access tokens (OpenID Connect Core §2, RFC 9068), signed with ES256 by the
//! key whose JWK thumbprint is the `kid`.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::jwk::PublicJwk;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the signing key cannot be used: {0}")]
    Key(String),
    #[error("the token could not be signed: {0}")]
    Sign(String),
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

/// The claims of an ID token, with the person's profile and the groups released to the
/// client's application environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub azp: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub nonce: Option<String>,
    pub acr: String,
    pub amr: Vec<String>,
    /// The single sign-on session's public id, which logout tokens repeat (Back-Channel
    /// Logout 1.0 §2.1); never the session's cookie token.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sid: Option<String>,
    #[serde(flatten)]
    pub profile: Profile,
}

/// What the `profile`, `email` and `groups` scopes release; absent fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub family_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub email_verified: Option<bool>,
    /// E.164, from the `phone` scope.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub phone_number_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub groups: Option<Vec<String>>,
}

/// The person's details, before the scopes pick what is released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub email_verified: bool,
    /// The person's default phone number (E.164), when they have one. Only numbers
    /// confirmed by a code sent to them are kept, so it is verified.
    pub phone_number: Option<String>,
    pub groups: Vec<String>,
}

impl Profile {
    /// The claims `scope` (space-separated) releases.
    pub fn released(person: &Person, scope: &str) -> Self {
        let has = |wanted: &str| scope.split(' ').any(|s| s == wanted);
        let mut profile = Profile::default();
        if has("profile") {
            profile.name = Some(format!("{} {}", person.given_name, person.family_name));
            profile.given_name = Some(person.given_name.clone());
            profile.family_name = Some(person.family_name.clone());
        }
        if has("email") {
            profile.email = Some(person.email.clone());
            profile.email_verified = Some(person.email_verified);
        }
        if has("phone")
            && let Some(number) = &person.phone_number
        {
            profile.phone_number = Some(number.clone());
            profile.phone_number_verified = Some(true);
        }
        if has("groups") || has("profile") {
            profile.groups = Some(person.groups.clone());
        }
        profile
    }
}

/// An access token as a JWT (RFC 9068): the resource it is for is Tessera's userinfo (and
/// later the API), so `aud` is the issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub scope: String,
    /// The person's sign-in; absent from client credentials tokens, which stand for the
    /// client itself (`sub` is its `client_id`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub auth_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub acr: Option<String>,
    /// The single sign-on session the token came from.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sid: Option<String>,
}

/// Signs tokens with one key: ES256 (access tokens, and ID tokens by default), RS256 or
/// EdDSA (ID tokens of clients that ask for them).
///
/// The key is parsed once, when the signer is made: jsonwebtoken's `encode` parses the
/// PKCS#8 document again on every call (for P-256 that recomputes the public point, for RSA
/// it checks the whole key), which cost more than the signature itself. So the compact JWS
/// (RFC 7515 §7.1) is put together here; tokens are still checked with jsonwebtoken.
pub struct Signer {
    kid: String,
    key: SigningKey,
}

enum SigningKey {
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
    EdDsa(Ed25519KeyPair),
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .field("alg", &self.algorithm())
            .finish()
    }
}

/// The protected header of Tessera's tokens.
#[derive(Serialize)]
struct JwsHeader<'a> {
    alg: &'static str,
    kid: &'a str,
    typ: &'a str,
}

fn unusable(e: impl std::fmt::Display) -> TokenError {
    TokenError::Key(e.to_string())
}

impl Signer {
    /// From the PKCS#8 document of a P-256 key.
    pub fn es256(kid: &str, pkcs8: &[u8]) -> Result<Self, TokenError> {
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8).map_err(unusable)?;
        Ok(Self {
            kid: kid.to_owned(),
            key: SigningKey::Es256(pair),
        })
    }

    /// From the PKCS#8 document of an Ed25519 key.
    pub fn eddsa(kid: &str, pkcs8: &[u8]) -> Result<Self, TokenError> {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(unusable)?;
        Ok(Self {
            kid: kid.to_owned(),
            key: SigningKey::EdDsa(pair),
        })
    }

    /// From the PKCS#8 document of an RSA key.
    pub fn rs256(kid: &str, pkcs8: &[u8]) -> Result<Self, TokenError> {
        let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(unusable)?;
        Ok(Self {
            kid: kid.to_owned(),
            key: SigningKey::Rs256(pair),
        })
    }

    /// By the algorithm's JOSE name (`ES256`, `RS256`, `EdDSA`), as signing keys are stored.
    pub fn for_algorithm(alg: &str, kid: &str, pkcs8: &[u8]) -> Result<Self, TokenError> {
        match alg {
            "ES256" => Self::es256(kid, pkcs8),
            "EdDSA" => Self::eddsa(kid, pkcs8),
            "RS256" => Self::rs256(kid, pkcs8),
            other => Err(TokenError::Key(format!("unknown algorithm {other}"))),
        }
    }

    /// The JOSE name of the algorithm this signer uses.
    pub fn algorithm(&self) -> &'static str {
        match self.key {
            SigningKey::Es256(_) => "ES256",
            SigningKey::Rs256(_) => "RS256",
            SigningKey::EdDsa(_) => "EdDSA",
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// A compact JWS of `claims`, `typ` as given (`JWT`, or `at+jwt` for access tokens).
    pub fn sign<T: Serialize>(&self, claims: &T, typ: &str) -> Result<String, TokenError> {
        let sign_error = |e: &dyn std::fmt::Display| TokenError::Sign(e.to_string());
        let header = JwsHeader {
            alg: self.algorithm(),
            kid: &self.kid,
            typ,
        };
        let header = serde_json::to_vec(&header).map_err(|e| sign_error(&e))?;
        let claims = serde_json::to_vec(claims).map_err(|e| sign_error(&e))?;
        let mut jws = String::with_capacity((header.len() + claims.len()) * 4 / 3 + 400);
        URL_SAFE_NO_PAD.encode_string(&header, &mut jws);
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(&claims, &mut jws);
        let signature = match &self.key {
            SigningKey::Es256(pair) => pair
                .sign(&SystemRandom::new(), jws.as_bytes())
                .map_err(|e| sign_error(&e))?
                .as_ref()
                .to_vec(),
            SigningKey::EdDsa(pair) => pair.sign(jws.as_bytes()).as_ref().to_vec(),
            SigningKey::Rs256(pair) => {
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    jws.as_bytes(),
                    &mut out,
                )
                .map_err(|e| sign_error(&e))?;
                out
            }
        };
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut jws);
        Ok(jws)
    }
}

/// The key id a token names in its header.
pub fn kid_of(token: &str) -> Result<Option<String>, TokenError> {
    jsonwebtoken::decode_header(token)
        .map(|h| h.kid)
        .map_err(|e| TokenError::Invalid(e.to_string()))
}

/// Checks an ES256 token's signature against a public key, its issuer, its expiry against
/// `now` (Unix seconds: time is a parameter, not the system clock) and its audience when one
/// is named, and gives its claims back.
pub fn verify<T: DeserializeOwned>(
    token: &str,
    jwk: &PublicJwk,
    issuer: &str,
    audience: Option<&str>,
    now: i64,
) -> Result<T, TokenError> {
    let PublicJwk::Ec { x, y, .. } = jwk else {
        return Err(TokenError::Key("not an EC key".into()));
    };
    let key = DecodingKey::from_ec_components(x, y).map_err(|e| TokenError::Key(e.to_string()))?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.leeway = 0;
    // Checked below against `now`; `exp` must still be present.
    validation.validate_exp = false;
    validation.set_issuer(&[issuer]);
    match audience {
        Some(audience) => validation.set_audience(&[audience]),
        None => validation.validate_aud = false,
    }
    let claims = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
        .map_err(|e| TokenError::Invalid(e.to_string()))?
        .claims;
    match claims.get("exp").and_then(serde_json::Value::as_i64) {
        Some(exp) if now < exp => {}
        _ => return Err(TokenError::Invalid("expired".into())),
    }
    serde_json::from_value(claims).map_err(|e| TokenError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::signature::KeyPair;

    use super::*;

    fn key() -> (Vec<u8>, PublicJwk) {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap()
                .as_ref()
                .to_vec();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8).unwrap();
        let jwk = PublicJwk::es256(pair.public_key().as_ref()).unwrap();
        (pkcs8, jwk)
    }

    fn person() -> Person {
        Person {
            given_name: "Erika".into(),
            family_name: "Mustermann".into(),
            email: "erika@bank.example".into(),
            email_verified: true,
            phone_number: Some("+4915112345678".into()),
            groups: vec!["CASPER_WEB_DATA_SUBMITTER".into()],
        }
    }

    fn claims(exp: i64) -> IdTokenClaims {
        IdTokenClaims {
            iss: "https://id.example".into(),
            sub: "u1".into(),
            aud: "casper".into(),
            azp: "casper".into(),
            exp,
            iat: exp - 300,
            auth_time: exp - 400,
            nonce: Some("n".into()),
            acr: "medium".into(),
            amr: vec!["pwd".into(), "sms".into()],
            sid: Some("s1".into()),
            profile: Profile::released(&person(), "openid profile email"),
        }
    }

    fn far_future() -> i64 {
        4_102_444_800 // 2100-01-01
    }

    #[test]
    fn signed_tokens_verify_with_the_published_key_only() {
        let (pkcs8, jwk) = key();
        let signer = Signer::es256(jwk.kid().unwrap(), &pkcs8).unwrap();
        let token = signer.sign(&claims(far_future()), "JWT").unwrap();
        assert_eq!(kid_of(&token).unwrap().as_deref(), jwk.kid());
        let now = far_future() - 10;
        let back: IdTokenClaims =
            verify(&token, &jwk, "https://id.example", Some("casper"), now).unwrap();
        assert_eq!(back, claims(far_future()));
        assert_eq!(back.profile.groups.unwrap(), ["CASPER_WEB_DATA_SUBMITTER"]);

        let (_, other) = key();
        let issuer = "https://id.example";
        assert!(verify::<IdTokenClaims>(&token, &other, issuer, None, now).is_err());
        assert!(verify::<IdTokenClaims>(&token, &jwk, "https://evil.example", None, now).is_err());
        assert!(verify::<IdTokenClaims>(&token, &jwk, issuer, Some("x"), now).is_err());
        // Expiry is judged against the time given, not the machine's clock.
        assert!(verify::<IdTokenClaims>(&token, &jwk, issuer, None, far_future()).is_err());
        let old = signer.sign(&claims(1_000_000), "JWT").unwrap();
        assert!(verify::<IdTokenClaims>(&old, &jwk, issuer, None, 999_999).is_ok());
        assert!(verify::<IdTokenClaims>(&old, &jwk, issuer, None, 1_000_000).is_err());
    }

    #[test]
    fn scopes_pick_the_released_claims() {
        let only_openid = Profile::released(&person(), "openid");
        assert_eq!(only_openid, Profile::default());
        let email = Profile::released(&person(), "openid email");
        assert_eq!(email.email.as_deref(), Some("erika@bank.example"));
        assert_eq!(email.name, None);
        let profile = Profile::released(&person(), "openid profile");
        assert_eq!(profile.name.as_deref(), Some("Erika Mustermann"));
        assert!(profile.groups.is_some());
        let json = serde_json::to_value(&only_openid).unwrap();
        assert_eq!(json, serde_json::json!({}));
        let phone = Profile::released(&person(), "openid phone");
        assert_eq!(
            serde_json::to_value(&phone).unwrap(),
            serde_json::json!({"phone_number": "+4915112345678", "phone_number_verified": true})
        );
        let without = Person {
            phone_number: None,
            ..person()
        };
        assert_eq!(
            Profile::released(&without, "openid phone"),
            Profile::default()
        );
    }
}
