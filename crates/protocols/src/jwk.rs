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

    pub fn kid(&self) -> Option<&str> {
        match self {
            PublicJwk::Ec { kid, .. } | PublicJwk::Okp { kid, .. } => kid.as_deref(),
        }
    }

    fn set_kid(&mut self, value: String) {
        match self {
            PublicJwk::Ec { kid, .. } | PublicJwk::Okp { kid, .. } => *kid = Some(value),
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
        };
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }
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
}
