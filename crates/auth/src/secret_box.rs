//! Secrets at rest: AES-256-GCM under the installation's secret key.
//!
//! Sealed data is `nonce (12 bytes) || ciphertext || tag`. The nonce is random for each seal;
//! with 96-bit random nonces one key stays safe for far more seals than Tessera makes. The
//! caller passes a context string (e.g. `signing_key:<kid>`) as associated data, so a sealed
//! value copied into another row does not open there.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretBoxError {
    #[error("the secret key must be 32 bytes, not {0}")]
    KeyLength(usize),
    #[error("sealing failed")]
    Seal,
    /// Wrong key, wrong context, or the data was altered.
    #[error("the sealed data does not open with this key")]
    Open,
}

pub const SECRET_KEY_LEN: usize = 32;

/// Seals and opens secrets with one key.
pub struct SecretBox {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl SecretBox {
    pub fn new(key: &[u8]) -> Result<Self, SecretBoxError> {
        if key.len() != SECRET_KEY_LEN {
            return Err(SecretBoxError::KeyLength(key.len()));
        }
        let unbound =
            UnboundKey::new(&AES_256_GCM, key).map_err(|_| SecretBoxError::KeyLength(key.len()))?;
        Ok(Self {
            key: LessSafeKey::new(unbound),
            rng: SystemRandom::new(),
        })
    }

    /// A fresh random key.
    pub fn generate_key() -> Result<[u8; SECRET_KEY_LEN], SecretBoxError> {
        let mut key = [0u8; SECRET_KEY_LEN];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| SecretBoxError::Seal)?;
        Ok(key)
    }

    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, SecretBoxError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| SecretBoxError::Seal)?;
        let mut buffer = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut buffer,
            )
            .map_err(|_| SecretBoxError::Seal)?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + buffer.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&buffer);
        Ok(sealed)
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, SecretBoxError> {
        if sealed.len() < NONCE_LEN {
            return Err(SecretBoxError::Open);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretBoxError::Open)?;
        let mut buffer = body.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buffer)
            .map_err(|_| SecretBoxError::Open)?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_context() {
        let key = SecretBox::generate_key().unwrap();
        let secret_box = SecretBox::new(&key).unwrap();
        let sealed = secret_box.seal("signing_key:a", b"private bytes").unwrap();
        assert_ne!(&sealed[NONCE_LEN..], b"private bytes");
        assert_eq!(
            secret_box.open("signing_key:a", &sealed).unwrap(),
            b"private bytes"
        );
        // Two seals of the same secret differ (fresh nonce).
        assert_ne!(
            sealed,
            secret_box.seal("signing_key:a", b"private bytes").unwrap()
        );

        assert_eq!(
            secret_box.open("signing_key:b", &sealed),
            Err(SecretBoxError::Open)
        );
        let other = SecretBox::new(&SecretBox::generate_key().unwrap()).unwrap();
        assert_eq!(
            other.open("signing_key:a", &sealed),
            Err(SecretBoxError::Open)
        );
        let mut altered = sealed.clone();
        altered[NONCE_LEN] ^= 1;
        assert_eq!(
            secret_box.open("signing_key:a", &altered),
            Err(SecretBoxError::Open)
        );
        assert_eq!(
            secret_box.open("signing_key:a", &[1, 2]),
            Err(SecretBoxError::Open)
        );
        assert_eq!(
            SecretBox::new(&[0; 16]).err(),
            Some(SecretBoxError::KeyLength(16))
        );
    }
}
