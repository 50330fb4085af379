//! JSON Web Keys (RFC 7517) for the public halves of signing keys, and their RFC 7638
//! thumbprints, which serve as key ids.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwkError {
    #[error("a P-256 public key is 65 bytes starting with 0x04, not {0} bytes")]
    BadEcPoint(usize),
    #[error("an Ed25519 public key is 32 bytes, not {0}")]
    BadEd25519(usize),
    #[error("an RSA signing key has a modulus of at least 2048 bits")]
    BadRsa,
}

/// A public JSON Web Key, as published in a JWKS document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kty")]
pub enum PublicJwk {
    #[serde(rename = "EC")]
    Ec {
        crv: String,
        x: String,
        y: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        kid: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        alg: Option<String>,
        #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
        use_: Option<String>,
    },
    #[serde(rename = "OKP")]
    Okp {
        crv: String,
        x: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        kid: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        alg: Option<String>,
        #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
        use_: Option<String>,
    },
    #[serde(rename = "RSA")]
    Rsa {
        n: String,
        e: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        kid: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        alg: Option<String>,
        #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
        use_: Option<String>,
    },
}

impl PublicJwk {
    /// An ES256 signing key from its uncompressed point (`0x04 || x || y`), with its
    /// thumbprint as `kid`.
    pub fn es256(point: &[u8]) -> Result<Self, JwkError> {
        if point.len() != 65 || point[0] != 0x04 {
            return Err(JwkError::BadEcPoint(point.len()));
        }
        let mut jwk = PublicJwk::Ec {
            crv: "P-256".into(),
            x: URL_SAFE_NO_PAD.encode(&point[1..33]),
            y: URL_SAFE_NO_PAD.encode(&point[33..]),
            kid: None,
            alg: Some("ES256".into()),
            use_: Some("sig".into()),
        };
        jwk.set_kid(jwk.thumbprint());
        Ok(jwk)
    }

    /// An EdDSA (Ed25519) signing key from its 32 public bytes, with its thumbprint as `kid`.
    pub fn ed25519(public: &[u8]) -> Result<Self, JwkError> {
        if public.len() != 32 {
            return Err(JwkError::BadEd25519(public.len()));
        }
        let mut jwk = PublicJwk::Okp {
            crv: "Ed25519".into(),
            x: URL_SAFE_NO_PAD.encode(public),
            kid: None,
            alg: Some("EdDSA".into()),
            use_: Some("sig".into()),
        };
        jwk.set_kid(jwk.thumbprint());
        Ok(jwk)
    }

    /// An RS256 signing key from its modulus and public exponent (big-endian, without
    /// leading zeros), with its thumbprint as `kid`.
    pub fn rs256(modulus: &[u8], exponent: &[u8]) -> Result<Self, JwkError> {
        if modulus.len() < 256 || exponent.is_empty() {
            return Err(JwkError::BadRsa);
        }
        let mut jwk = PublicJwk::Rsa {
            n: URL_SAFE_NO_PAD.encode(modulus),
            e: URL_SAFE_NO_PAD.encode(exponent),
            kid: None,
            alg: Some("RS256".into()),
            use_: Some("sig".into()),
        };
        jwk.set_kid(jwk.thumbprint());
        Ok(jwk)
    }

    pub fn kid(&self) -> Option<&str> {
        match self {
            PublicJwk::Ec { kid, .. } | PublicJwk::Okp { kid, .. } | PublicJwk::Rsa { kid, .. } => {
                kid.as_deref()
            }
        }
    }

    fn set_kid(&mut self, value: String) {
        match self {
            PublicJwk::Ec { kid, .. } | PublicJwk::Okp { kid, .. } | PublicJwk::Rsa { kid, .. } => {
                *kid = Some(value);
            }
        }
    }

    /// The RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order,
    /// without white space, base64url-encoded.
    pub fn thumbprint(&self) -> String {
        // The members are fixed ASCII names and base64url values, which need no escaping, so
        // the canonical form can be written directly.
        let canonical = match self {
            PublicJwk::Ec { crv, x, y, .. } => {
                format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#)
            }
            PublicJwk::Okp { crv, x, .. } => format!(r#"{{"crv":"{crv}","kty":"OKP","x":"{x}"}}"#),
            PublicJwk::Rsa { n, e, .. } => format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
        };
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }
}

/// Checks a client's registered public keys (a JWK Set, for `private_key_jwt`): parseable,
/// at least one key, no private members, and only key types Tessera can verify. The answer
/// is a sentence for the person who pasted it.
pub fn check_client_jwks(text: &str) -> Result<(), String> {
    let raw: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("This is not JSON ({e}): paste a JWK Set, {{\"keys\": [...]}}."))?;
    let keys = raw
        .get("keys")
        .and_then(serde_json::Value::as_array)
        .ok_or("A JWK Set has a \"keys\" array.")?;
    if keys.is_empty() {
        return Err("The JWK Set holds no key.".into());
    }
    if keys.len() > 10 {
        return Err("At most 10 keys.".into());
    }
    // Private members would mean the client handed its private key over: refuse to keep it.
    for (n, key) in keys.iter().enumerate() {
        if ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|member| key.get(member).is_some())
        {
            return Err(format!(
                "Key {} holds private parts: give the public key only.",
                n + 1
            ));
        }
    }
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(raw)
        .map_err(|e| format!("A key is not a usable public JWK ({e})."))?;
    for (n, key) in set.keys.iter().enumerate() {
        use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve};
        let usable = match &key.algorithm {
            AlgorithmParameters::RSA(_) => true,
            AlgorithmParameters::EllipticCurve(ec) => ec.curve == EllipticCurve::P256,
            AlgorithmParameters::OctetKeyPair(okp) => okp.curve == EllipticCurve::Ed25519,
            _ => false,
        };
        if !usable {
            return Err(format!(
                "Key {} is of a kind Tessera does not verify: RSA, EC P-256 or Ed25519.",
                n + 1
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_thumbprint_matches_rfc_8037() {
        // RFC 8037, appendix A.3: the thumbprint of the example Ed25519 public key.
        let x = URL_SAFE_NO_PAD
            .decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
            .unwrap();
        let jwk = PublicJwk::ed25519(&x).unwrap();
        assert_eq!(
            jwk.kid(),
            Some("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        );
    }

    #[test]
    fn rsa_thumbprint_matches_rfc_7638() {
        // RFC 7638 §3.1: the example RSA key and its thumbprint.
        let n = URL_SAFE_NO_PAD
            .decode(
                "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            )
            .unwrap();
        let jwk = PublicJwk::rs256(&n, &[1, 0, 1]).unwrap();
        assert_eq!(
            jwk.kid(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
        assert_eq!(
            PublicJwk::rs256(&n[..128], &[1, 0, 1]),
            Err(JwkError::BadRsa)
        );
    }

    #[test]
    fn es256_keys_serialise_as_published_jwks() {
        let mut point = vec![0x04];
        point.extend(1..=64u8);
        let jwk = PublicJwk::es256(&point).unwrap();
        let json = serde_json::to_value(&jwk).unwrap();
        assert_eq!(json["kty"], "EC");
        assert_eq!(json["crv"], "P-256");
        assert_eq!(json["alg"], "ES256");
        assert_eq!(json["use"], "sig");
        assert_eq!(json["x"].as_str().unwrap().len(), 43);
        assert_eq!(json["kid"].as_str(), jwk.kid());
        let back: PublicJwk = serde_json::from_value(json).unwrap();
        assert_eq!(back, jwk);
        assert_eq!(PublicJwk::es256(&point[1..]), Err(JwkError::BadEcPoint(64)));
    }

    #[test]
    fn client_key_sets_are_public_and_of_known_kinds() {
        let ec = r#"{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1"}]}"#;
        assert_eq!(check_client_jwks(ec), Ok(()));
        let private = ec.replace(r#""kid":"k1""#, r#""kid":"k1","d":"abc""#);
        assert!(check_client_jwks(&private).unwrap_err().contains("private"));
        assert!(check_client_jwks("{").unwrap_err().contains("not JSON"));
        assert!(check_client_jwks(r#"{"keys":[]}"#).is_err());
        assert!(check_client_jwks(r#"{"k":[]}"#).is_err());
        let p384 = ec.replace("P-256", "P-384");
        assert!(check_client_jwks(&p384).is_err());
    }
}
