//! Where a finished sign-in goes: back to the request that needed it (an OpenID Connect
//! authorization, say) when one was remembered, otherwise My Account. The path is kept in a
//! short-lived cookie and only ever followed when it stays on this site.

use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::Duration;

use crate::cookies;

pub const RETURN: &str = "tessera_return";

/// Where people go after signing in when nothing else was asked for.
pub const DEFAULT: &str = "/account";

/// Remembers `path` (a path with its query, on this site) for after the sign-in.
pub fn remember(jar: CookieJar, path: &str, https: bool) -> CookieJar {
    // Encoded, because a query may hold characters a cookie value may not.
    let mut cookie = Cookie::new(RETURN, URL_SAFE_NO_PAD.encode(path));
    cookie.set_http_only(true);
    cookie.set_path("/");
    cookie.set_secure(https);
    // Lax: the sign-in pages are reached by top-level navigation from the application.
    cookie.set_same_site(SameSite::Lax);
    cookie.set_max_age(Duration::minutes(15));
    jar.add(cookie)
}

/// The remembered path if it is safe (else the default), and the jar without it.
pub fn take(jar: CookieJar) -> (CookieJar, String) {
    let path = jar
        .get(RETURN)
        .and_then(|c| URL_SAFE_NO_PAD.decode(c.value()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|p| is_local_path(p));
    match path {
        Some(path) => (jar.remove(cookies::removal(RETURN)), path),
        None => (jar, DEFAULT.to_owned()),
    }
}

/// A path on this site: one leading slash, and nothing a browser could read as another host
/// (`//host`, `/\host`) or that could split a header.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 4096
        && !path.chars().any(|c| c.is_control() || c == '\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        assert!(is_local_path("/oidc/authorize?client_id=x&state=%2F%2F"));
        assert!(is_local_path("/account"));
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "/a\r\nLocation: x",
            "",
            "evil",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_remembered_path_is_taken_once() {
        let jar = remember(CookieJar::new(), "/oidc/authorize?x=1", false);
        let (jar, path) = take(jar);
        assert_eq!(path, "/oidc/authorize?x=1");
        let (_, path) = take(jar);
        assert_eq!(path, DEFAULT);
        let forged = CookieJar::new().add(Cookie::new(RETURN, URL_SAFE_NO_PAD.encode("//evil")));
        assert_eq!(take(forged).1, DEFAULT);
    }
}
