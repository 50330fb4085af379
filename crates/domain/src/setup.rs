//! Secret tokens that Tessera hands out (setup links now; sessions and links later).
//!
//! A token is high-entropy, so the database keeps only its SHA-256 digest: a leaked database
//! reveals no usable token, and checking one costs a single hash.

use base64::Engine;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// How long a first-operator setup link stays valid.
pub const SETUP_TOKEN_LIFETIME: Duration = Duration::hours(24);

/// The token text given to a person (URL-safe base64 of 32 random bytes).
pub fn token_text(random: [u8; 32]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random)
}

/// The digest under which a token is stored and looked up.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a token issued with this expiry may still be used at `now`.
pub fn token_is_live(expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now < expires_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn tokens_are_url_safe_and_digests_are_stable() {
        let token = token_text([0xfb; 32]);
        assert_eq!(token.len(), 43);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(token_digest(&token), token_digest(&token));
        assert_ne!(token_digest(&token), token_digest(&token_text([0xfa; 32])));
        // SHA-256 of the empty string, as published.
        assert_eq!(
            token_digest(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn setup_tokens_expire_after_a_day() {
        let issued = datetime!(2026-03-01 12:00 UTC);
        let expires = issued + SETUP_TOKEN_LIFETIME;
        assert!(token_is_live(expires, issued + Duration::hours(23)));
        assert!(!token_is_live(expires, issued + Duration::hours(24)));
    }
}
