//! Signing key material. ES256 (ECDSA P-256) is the default for tokens; RS256 and EdDSA keys
//! sign the ID tokens of clients that ask for them. Each key is made here and handed out as
//! PKCS#8 for sealing, with its public parts for the JWKS.

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

/// A new RSA key for RS256: its PKCS#8 document, and the modulus and public exponent
/// (big-endian, no leading zeros) for the JWKS.
pub struct RsaMaterial {
    pub pkcs8: Vec<u8>,
    pub modulus: Vec<u8>,
    pub exponent: Vec<u8>,
}

/// 2048 bits: what RS256 relying parties expect (RFC 7518 §3.3 asks for at least that), and
/// signing stays cheap enough for ID tokens.
pub fn generate_rs256() -> Result<RsaMaterial, KeyError> {
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
    use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
    let pkcs8: Pkcs8V1Der<'static> = pair.as_der().map_err(|_| KeyError::Generate)?;
    let public = pair.public_key();
    Ok(RsaMaterial {
        pkcs8: pkcs8.as_ref().to_vec(),
        modulus: public.modulus().big_endian_without_leading_zero().to_vec(),
        exponent: public.exponent().big_endian_without_leading_zero().to_vec(),
    })
}

/// A new Ed25519 key for EdDSA: its PKCS#8 document and its 32 public bytes.
pub struct Ed25519Material {
    pub pkcs8: Vec<u8>,
    pub public: Vec<u8>,
}

pub fn generate_ed25519() -> Result<Ed25519Material, KeyError> {
    use aws_lc_rs::signature::Ed25519KeyPair;
    let pair = Ed25519KeyPair::generate().map_err(|_| KeyError::Generate)?;
    let pkcs8 = pair.to_pkcs8().map_err(|_| KeyError::Generate)?;
    Ok(Ed25519Material {
        pkcs8: pkcs8.as_ref().to_vec(),
        public: pair.public_key().as_ref().to_vec(),
    })
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

    #[test]
    fn rsa_and_ed25519_keys_reload_from_their_pkcs8() {
        let rsa = generate_rs256().unwrap();
        assert_eq!(rsa.modulus.len(), 256);
        assert_eq!(rsa.exponent, [1, 0, 1]);
        assert!(aws_lc_rs::rsa::KeyPair::from_pkcs8(&rsa.pkcs8).is_ok());
        let ed = generate_ed25519().unwrap();
        assert_eq!(ed.public.len(), 32);
        let back = aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(&ed.pkcs8).unwrap();
        assert_eq!(back.public_key().as_ref(), ed.public.as_slice());
    }
}
