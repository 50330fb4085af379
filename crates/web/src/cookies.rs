//! The cookies Tessera sets: the session, the remembered e-mail address, the CSRF token.
//! All are HttpOnly, scoped to the whole site, and Secure under an https public URL.

use axum_extra::extract::cookie::{Cookie, SameSite};
use time::Duration;

pub const SESSION: &str = "tessera_session";
pub const EMAIL: &str = "tessera_email";
pub const CSRF: &str = "tessera_csrf";
pub const CHALLENGE: &str = "tessera_challenge";

fn base(name: &'static str, value: String, https: bool) -> Cookie<'static> {
    let mut cookie = Cookie::new(name, value);
    cookie.set_http_only(true);
    cookie.set_path("/");
    cookie.set_secure(https);
    cookie
}

/// The session cookie: it lasts while the browser runs; the server ends idle and old
/// sessions itself. Lax, so that arriving from an application's link keeps the session.
pub fn session(token: String, https: bool) -> Cookie<'static> {
    let mut cookie = base(SESSION, token, https);
    cookie.set_same_site(SameSite::Lax);
    cookie
}

/// The e-mail address remembered for the next sign-in on this browser.
pub fn remembered_email(email: String, https: bool) -> Cookie<'static> {
    let mut cookie = base(EMAIL, email, https);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_max_age(Duration::days(365));
    cookie
}

pub fn csrf(token: String, https: bool) -> Cookie<'static> {
    let mut cookie = base(CSRF, token, https);
    cookie.set_same_site(SameSite::Strict);
    cookie
}

/// A cookie that tells the browser to forget `name`.
pub fn removal(name: &'static str) -> Cookie<'static> {
    let mut cookie = Cookie::from(name);
    cookie.set_path("/");
    cookie
}

/// The code step's challenge: short-lived, like the code it waits for.
pub fn challenge(token: String, https: bool) -> Cookie<'static> {
    let mut cookie = base(CHALLENGE, token, https);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_max_age(Duration::minutes(15));
    cookie
}
