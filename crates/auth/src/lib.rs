//! Authentication mechanics: password hashing on a bounded pool of blocking threads, sealing
//! of secrets at rest, and generation of signing key material.
//!
//! The sign-in flow and second factors (issue 4) grow here; the rules they apply (password
//! policy, OTP expiry) stay in the domain.

pub mod keys;
pub mod passkeys;
pub mod password;
pub mod quality;
pub mod secret_box;
pub mod totp;

pub use password::{HashError, PasswordHasher, Verification};
pub use secret_box::{SecretBox, SecretBoxError};

/// Fills `buf` from the operating system's secure random source.
pub fn fill_random(buf: &mut [u8]) -> Result<(), aws_lc_rs::error::Unspecified> {
    use aws_lc_rs::rand::SecureRandom;
    aws_lc_rs::rand::SystemRandom::new().fill(buf)
}
