//! Protection against cross-site request forgery: every form carries a token that must equal
//! the one in a SameSite=Strict cookie (a double-submit token); JSON calls that change
//! something send it in the `X-CSRF-Token` header. Another site can neither read the cookie
//! nor make the browser send it along with a forged request.

use axum_extra::extract::CookieJar;
use base64::Engine;
use subtle::ConstantTimeEq;

use crate::cookies;

pub const HEADER: &str = "x-csrf-token";

/// The browser's token, creating one (and its cookie) when it has none.
pub fn ensure(jar: CookieJar, https: bool) -> (CookieJar, String) {
    if let Some(token) = jar.get(cookies::CSRF).map(|c| c.value().to_owned())
        && token.len() >= 32
    {
        return (jar, token);
    }
    let mut bytes = [0u8; 32];
    // A random token per browser; uuid's generator uses the operating system's source.
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    (jar.add(cookies::csrf(token.clone(), https)), token)
}

/// Whether a submitted token matches the browser's cookie.
pub fn verify(jar: &CookieJar, submitted: &str) -> bool {
    match jar.get(cookies::CSRF) {
        Some(cookie) if !submitted.is_empty() => {
            bool::from(cookie.value().as_bytes().ct_eq(submitted.as_bytes()))
        }
        _ => false,
    }
}
