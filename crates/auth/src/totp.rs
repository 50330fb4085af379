//! Authenticator apps (TOTP, RFC 6238): the shared secret, the `otpauth://` address an app
//! reads from a QR code, and checking a typed code at a given time.
//!
//! SHA-1, six digits, 30-second steps: what every authenticator app understands. A code of
//! the step before or after is accepted too, for clocks that drift; the caller refuses a step
//! already used (see `tessera_domain::factor::totp_step_is_fresh`).

use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Length of a new shared secret: 160 bits, as RFC 4226 recommends for HMAC-SHA-1.
pub const SECRET_LEN: usize = 20;
const STEP_SECONDS: u64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error("authenticator secret: {0}")]
    Secret(String),
    #[error("QR code: {0}")]
    Qr(String),
}

/// An authenticator app's shared secret and how the app shows it.
pub struct AppSecret {
    totp: Totp,
}

impl AppSecret {
    /// The secret, labelled for the app with the issuer and the person's e-mail address.
    pub fn new(secret: &[u8], issuer: &str, account: &str) -> Result<Self, TotpError> {
        // ':' separates issuer from account in the label; neither may hold one.
        let issuer = issuer.replace(':', " ");
        let account = account.replace(':', " ");
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(STEP_SECONDS)
            .with_secret(Secret::from(secret.to_vec()))
            .with_issuer(Some(issuer))
            .with_account_name(account)
            .build()
            .map_err(|e| TotpError::Secret(e.to_string()))?;
        Ok(Self { totp })
    }

    /// The secret as people type it into an app without a camera (base32).
    pub fn text(&self) -> String {
        self.totp.secret().to_base32()
    }

    /// The `otpauth://totp/...` address the QR code holds.
    pub fn address(&self) -> Result<String, TotpError> {
        self.totp
            .to_url()
            .map_err(|e| TotpError::Secret(e.to_string()))
    }

    /// The QR code of the address, as an SVG image to place in a page.
    pub fn qr_svg(&self) -> Result<String, TotpError> {
        let code =
            QrCode::new(self.address()?.as_bytes()).map_err(|e| TotpError::Qr(e.to_string()))?;
        Ok(code
            .render::<svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build())
    }

    /// The time steps (of 30 s) whose code is `typed`, from the one before `unix_time`'s step
    /// to the one after; usually one step, and none when the code is wrong.
    pub fn matching_steps(&self, typed: &str, unix_time: u64) -> Vec<u64> {
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 6 {
            return Vec::new();
        }
        let now = unix_time / STEP_SECONDS;
        (now.saturating_sub(1)..=now + 1)
            .filter(|step| {
                let expected = self.totp.generate(step * STEP_SECONDS).to_string();
                constant_time_eq(expected.as_bytes(), digits.as_bytes())
            })
            .collect()
    }

    /// The code an app shows at `unix_time` (for tests and the demo).
    pub fn code_at(&self, unix_time: u64) -> String {
        self.totp.generate(unix_time).to_string()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 Appendix B: the SHA-1 secret "12345678901234567890"; its eight-digit code at
    // 59 s is 94287082, so the six-digit one is 287082.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_follow_rfc_6238() {
        let app = AppSecret::new(RFC_SECRET, "Tessera", "erika@bank-e.example").unwrap();
        assert_eq!(app.code_at(59), "287082");
        assert_eq!(app.code_at(1_111_111_109), "081804");
        assert_eq!(app.matching_steps("287 082", 59), vec![1]);
        // One step of drift either way is accepted, two are not.
        assert_eq!(app.matching_steps("287082", 59 + 30), vec![1]);
        assert_eq!(app.matching_steps("287082", 59 + 60), Vec::<u64>::new());
        assert!(app.matching_steps("28708", 59).is_empty());
        assert!(app.matching_steps("000000", 59).is_empty());
    }

    #[test]
    fn the_qr_code_holds_the_otpauth_address() {
        let app = AppSecret::new(RFC_SECRET, "Tessera: Bank", "erika@bank-e.example").unwrap();
        let address = app.address().unwrap();
        assert!(
            address.starts_with("otpauth://totp/Tessera%20%20Bank:erika%40bank-e.example?"),
            "{address}"
        );
        assert!(
            address.contains(&format!("secret={}", app.text())),
            "{address}"
        );
        assert_eq!(app.text(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let svg = app.qr_svg().unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
