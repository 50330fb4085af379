//! Signing key material. ES256 (ECDSA P-256) is the default for tokens; the key is made here
//! and handed out as PKCS#8 for sealing, with its public point for the JWKS.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("key generation failed")]
    Generate,
    #[error("the stored key is not a valid {0} key")]
    Invalid(&'static str),
}

/// A new P-256 key: its PKCS#8 document and its uncompressed public point (65 bytes).
pub struct Es256Material {
    pub pkcs8: Vec<u8>,
    pub public_point: Vec<u8>,
}

pub fn generate_es256() -> Result<Es256Material, KeyError> {
    let rng = SystemRandom::new();
    let document = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| KeyError::Generate)?;
    let pkcs8 = document.as_ref().to_vec();
    let public_point = es256_public_point(&pkcs8)?;
    Ok(Es256Material {
        pkcs8,
        public_point,
    })
}

/// The public point of a PKCS#8 P-256 key (checks that the key is usable).
pub fn es256_public_point(pkcs8: &[u8]) -> Result<Vec<u8>, KeyError> {
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
        .map_err(|_| KeyError::Invalid("ES256"))?;
    Ok(pair.public_key().as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_reload_to_the_same_public_point() {
        let material = generate_es256().unwrap();
        assert_eq!(material.public_point.len(), 65);
        assert_eq!(material.public_point[0], 0x04);
        assert_eq!(
            es256_public_point(&material.pkcs8).unwrap(),
            material.public_point
        );
        assert_ne!(
            generate_es256().unwrap().public_point,
            material.public_point
        );
        assert_eq!(es256_public_point(b"junk"), Err(KeyError::Invalid("ES256")));
    }
}
