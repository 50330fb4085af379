//! `private_key_jwt` client authentication (OpenID Connect Core §9, RFC 7523 §2.2 and §3):
//! a JWT the client signs with a key whose public half it registered. This module checks the
//! assertion itself; that its `jti` is used once is the caller's business (it needs the
//! store).

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// The only `client_assertion_type` there is for JWTs (RFC 7523 §2.2).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How far ahead an assertion may expire: it is made for one request, and its `jti` is kept
/// until it expires, so a long-lived one would only cost storage and widen replay windows.
pub const MAX_LIFETIME_SECONDS: i64 = 600;

/// The algorithms an assertion may be signed with, as in discovery.
pub const ALGORITHMS: [&str; 3] = ["RS256", "ES256", "EdDSA"];

/// The longest `jti` kept; longer ones are refused rather than stored.
const MAX_JTI_LEN: usize = 256;

/// Why an assertion was refused. Each is answered as `invalid_client`; the text is for the
/// client's developers.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AssertionError {
    #[error("the client assertion is not a JWT: {0}")]
    Malformed(String),
    #[error("the client assertion must be signed with RS256, ES256 or EdDSA")]
    Algorithm,
    #[error("no registered key of the client matches the assertion")]
    NoKey,
    #[error("the client assertion is not valid: {0}")]
    Invalid(String),
    #[error("the client assertion has expired")]
    Expired,
    #[error("the client assertion lives too long (at most ten minutes)")]
    TooLong,
    #[error("the client assertion is not valid yet")]
    NotYet,
    #[error("the client assertion needs a jti of at most 256 characters")]
    Jti,
}

/// What the caller keeps of a good assertion: its `jti`, until `exp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAssertion {
    pub jti: String,
    /// Unix seconds.
    pub exp: i64,
}

#[derive(Deserialize)]
struct Claims {
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    jti: Option<String>,
}

#[derive(Deserialize)]
struct Unverified {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
}

/// The client an assertion says it comes from (`iss`, equal to `sub`), read without checking
/// anything: only to find whose keys verify it when the form names no `client_id`
/// (RFC 7523 §3 makes it optional).
pub fn claimed_client_id(assertion: &str) -> Option<String> {
    use base64::Engine;
    let payload = assertion.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: Unverified = serde_json::from_slice(&bytes).ok()?;
    match (claims.iss, claims.sub) {
        (Some(iss), Some(sub)) if iss == sub => Some(iss),
        _ => None,
    }
}

fn algorithm_of(name: Algorithm) -> Result<Algorithm, AssertionError> {
    match name {
        Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA => Ok(name),
        _ => Err(AssertionError::Algorithm),
    }
}

/// Whether a registered key can verify `alg`: its type and curve fit, and the `alg` it was
/// registered for, if any, is this one.
fn fits(key: &Jwk, alg: Algorithm) -> bool {
    let kind = match &key.algorithm {
        AlgorithmParameters::RSA(_) => alg == Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(ec) => {
            alg == Algorithm::ES256 && ec.curve == EllipticCurve::P256
        }
        AlgorithmParameters::OctetKeyPair(okp) => {
            alg == Algorithm::EdDSA && okp.curve == EllipticCurve::Ed25519
        }
        _ => false,
    };
    let declared = match key.common.key_algorithm {
        None => true,
        Some(KeyAlgorithm::RS256) => alg == Algorithm::RS256,
        Some(KeyAlgorithm::ES256) => alg == Algorithm::ES256,
        Some(KeyAlgorithm::EdDSA) => alg == Algorithm::EdDSA,
        Some(_) => false,
    };
    kind && declared
}

/// The key that verifies an assertion: the one named by `kid`, or, without a `kid`, the only
/// key that fits the algorithm (trying several would let one bad key stand in for another).
fn pick_key<'a>(set: &'a JwkSet, kid: Option<&str>, alg: Algorithm) -> Option<&'a Jwk> {
    match kid {
        Some(kid) => set
            .keys
            .iter()
            .find(|k| k.common.key_id.as_deref() == Some(kid))
            .filter(|k| fits(k, alg)),
        None => {
            let mut fitting = set.keys.iter().filter(|k| fits(k, alg));
            match (fitting.next(), fitting.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            }
        }
    }
}

/// Checks a client assertion: signed by one of the client's registered keys (`jwks`, a JWK
/// Set as JSON) with RS256, ES256 or EdDSA; `iss` and `sub` are `client_id`; `aud` names one
/// of `audiences` (the token endpoint or the issuer); `exp` after `now` (Unix seconds, a
/// parameter: never the machine's clock) and at most ten minutes ahead; `nbf`, if any, not
/// after `now`; a `jti`.
pub fn verify_client_assertion(
    assertion: &str,
    jwks: &str,
    client_id: &str,
    audiences: &[&str],
    now: i64,
) -> Result<VerifiedAssertion, AssertionError> {
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|e| AssertionError::Malformed(e.to_string()))?;
    let alg = algorithm_of(header.alg)?;
    let set: JwkSet = serde_json::from_str(jwks).map_err(|_| AssertionError::NoKey)?;
    let jwk = pick_key(&set, header.kid.as_deref(), alg).ok_or(AssertionError::NoKey)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| AssertionError::NoKey)?;
    let mut validation = Validation::new(alg);
    validation.leeway = 0;
    // Times are judged below against `now`.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    validation.set_issuer(&[client_id]);
    validation.sub = Some(client_id.to_owned());
    validation.set_audience(audiences);
    let claims = jsonwebtoken::decode::<Claims>(assertion, &key, &validation)
        .map_err(|e| AssertionError::Invalid(e.to_string()))?
        .claims;
    if claims.exp <= now {
        return Err(AssertionError::Expired);
    }
    if claims.exp > now + MAX_LIFETIME_SECONDS {
        return Err(AssertionError::TooLong);
    }
    if claims.nbf.is_some_and(|nbf| nbf > now) {
        return Err(AssertionError::NotYet);
    }
    match claims.jti {
        Some(jti) if !jti.is_empty() && jti.len() <= MAX_JTI_LEN => Ok(VerifiedAssertion {
            jti,
            exp: claims.exp,
        }),
        _ => Err(AssertionError::Jti),
    }
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{
        ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair,
    };
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;

    const NOW: i64 = 1_800_000_000;
    const TOKEN_ENDPOINT: &str = "https://id.example/oidc/token";

    fn ec_key(kid: &str) -> (EncodingKey, serde_json::Value) {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref();
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..]),
        });
        (EncodingKey::from_ec_der(pkcs8.as_ref()), jwk)
    }

    fn ed_key(kid: &str) -> (EncodingKey, serde_json::Value) {
        let pair = Ed25519KeyPair::generate().unwrap();
        let pkcs8 = pair.to_pkcs8().unwrap();
        let jwk = json!({
            "kty": "OKP", "crv": "Ed25519", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
        });
        (EncodingKey::from_ed_der(pkcs8.as_ref()), jwk)
    }

    fn claims(exp: i64) -> serde_json::Value {
        json!({
            "iss": "casper", "sub": "casper", "aud": TOKEN_ENDPOINT,
            "exp": exp, "iat": NOW, "jti": "j-1",
        })
    }

    fn sign(
        key: &EncodingKey,
        alg: Algorithm,
        kid: Option<&str>,
        body: &serde_json::Value,
    ) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, body, key).unwrap()
    }

    fn set(keys: &[&serde_json::Value]) -> String {
        json!({ "keys": keys }).to_string()
    }

    fn check(token: &str, jwks: &str) -> Result<VerifiedAssertion, AssertionError> {
        verify_client_assertion(
            token,
            jwks,
            "casper",
            &[TOKEN_ENDPOINT, "https://id.example"],
            NOW,
        )
    }

    #[test]
    fn a_good_assertion_gives_its_jti_and_expiry() {
        let (ec, ec_jwk) = ec_key("e1");
        let (ed, ed_jwk) = ed_key("d1");
        let jwks = set(&[&ec_jwk, &ed_jwk]);
        let token = sign(&ec, Algorithm::ES256, Some("e1"), &claims(NOW + 60));
        assert_eq!(
            check(&token, &jwks),
            Ok(VerifiedAssertion {
                jti: "j-1".into(),
                exp: NOW + 60
            })
        );
        let token = sign(&ed, Algorithm::EdDSA, Some("d1"), &claims(NOW + 60));
        assert!(check(&token, &jwks).is_ok());
        // Without a kid, the only key of the algorithm's kind is used.
        let token = sign(&ed, Algorithm::EdDSA, None, &claims(NOW + 60));
        assert!(check(&token, &jwks).is_ok());
        // The issuer is a good audience too, alone or in a list.
        let mut body = claims(NOW + 60);
        body["aud"] = json!(["https://other.example", "https://id.example"]);
        assert!(check(&sign(&ec, Algorithm::ES256, Some("e1"), &body), &jwks).is_ok());
        assert_eq!(claimed_client_id(&token).as_deref(), Some("casper"));
    }

    #[test]
    fn rsa_assertions_verify_against_an_rsa_jwk() {
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let public = pair.public_key();
        let n = public.modulus().big_endian_without_leading_zero();
        let e = public.exponent().big_endian_without_leading_zero();
        let jwk = json!({
            "kty": "RSA", "kid": "r1",
            "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e),
        });
        let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).unwrap();
        let signer = crate::tokens::Signer::rs256("r1", pkcs8.as_ref()).unwrap();
        let token = signer.sign(&claims(NOW + 60), "JWT").unwrap();
        assert!(check(&token, &set(&[&jwk])).is_ok());
    }

    #[test]
    fn bad_assertions_are_refused_for_what_is_wrong() {
        let (ec, ec_jwk) = ec_key("e1");
        let (other, _) = ec_key("e1");
        let jwks = set(&[&ec_jwk]);
        let good = |body: &serde_json::Value| sign(&ec, Algorithm::ES256, Some("e1"), body);

        assert_eq!(
            check(&good(&claims(NOW)), &jwks),
            Err(AssertionError::Expired)
        );
        assert_eq!(
            check(&good(&claims(NOW + MAX_LIFETIME_SECONDS + 1)), &jwks),
            Err(AssertionError::TooLong)
        );
        let token = sign(&other, Algorithm::ES256, Some("e1"), &claims(NOW + 60));
        assert!(matches!(
            check(&token, &jwks),
            Err(AssertionError::Invalid(_))
        ));
        let token = sign(&ec, Algorithm::ES256, Some("unknown"), &claims(NOW + 60));
        assert_eq!(check(&token, &jwks), Err(AssertionError::NoKey));
        for (claim, value) in [
            ("aud", json!("https://evil.example/token")),
            ("iss", json!("someone-else")),
            ("sub", json!("someone-else")),
        ] {
            let mut body = claims(NOW + 60);
            body[claim] = value;
            assert!(
                matches!(check(&good(&body), &jwks), Err(AssertionError::Invalid(_))),
                "{claim}"
            );
        }
        let mut body = claims(NOW + 60);
        body.as_object_mut().unwrap().remove("jti");
        assert_eq!(check(&good(&body), &jwks), Err(AssertionError::Jti));
        let mut body = claims(NOW + 60);
        body["nbf"] = json!(NOW + 30);
        assert_eq!(check(&good(&body), &jwks), Err(AssertionError::NotYet));
        // A secret-keyed assertion (HS256) is not a private key JWT.
        let hs = sign(
            &EncodingKey::from_secret(b"secret"),
            Algorithm::HS256,
            None,
            &claims(NOW + 60),
        );
        assert_eq!(check(&hs, &jwks), Err(AssertionError::Algorithm));
        assert!(matches!(
            check("junk", &jwks),
            Err(AssertionError::Malformed(_))
        ));
    }
}
