//! Page texts in the visitor's language. The texts are Fluent files in `locales/<language>/`
//! at the repository's root, beside the messages' texts; adding a language is adding a folder
//! (the menu lists every folder there is). The language comes from the `tessera_lang` cookie set by the language
//! menu, else from the browser's Accept-Language, else English.
//!
//! Messages (e-mail, SMS) are not rendered here: they follow the recipient's e-mail language
//! (crates/notify).

use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;

use axum::extract::{FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use serde::Deserialize;
use tessera_domain::ValidationErrors;

use crate::state::AppState;

fluent_templates::static_loader! {
    static PAGES = {
        locales: "../../locales",
        fallback_language: "en",
        // Isolation marks would show as stray characters around names in plain text fields.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The cookie that keeps the language chosen in the menu.
pub const LANGUAGE_COOKIE: &str = "tessera_lang";

/// One entry of the language menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageChoice {
    pub code: String,
    /// The language's name in that language ("Français").
    pub name: String,
    pub current: bool,
}

/// The texts of one page view, in one language.
#[derive(Debug, Clone)]
pub struct Tr {
    lang: LanguageIdentifier,
}

/// The language codes there are texts for, English first, then by code.
pub fn languages() -> Vec<String> {
    let mut codes: Vec<String> = PAGES.locales().map(ToString::to_string).collect();
    codes.sort_by_key(|code| (code != "en", code.clone()));
    codes.dedup();
    codes
}

/// The best language for a visitor: the cookie's when it names one there are texts for,
/// else the first of Accept-Language (by quality) that there are texts for, else English.
pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> String {
    let known = languages();
    let supported = |tag: &str| -> Option<String> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        known.iter().find(|code| **code == primary).cloned()
    };
    if let Some(code) = cookie.and_then(supported) {
        return code;
    }
    let mut wanted: Vec<(u16, usize, &str)> = accept_language
        .unwrap_or("")
        .split(',')
        .enumerate()
        .filter_map(|(order, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let quality =
                pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1000), |q| {
                        q.trim()
                            .parse::<f32>()
                            .ok()
                            .filter(|q| (0.0..=1.0).contains(q))
                            // Thousandths are all RFC 9110 allows.
                            .map(|q| (q * 1000.0).round() as u16)
                    })?;
            (!tag.is_empty() && quality > 0).then_some((quality, order, tag))
        })
        .collect();
    // Highest quality first; the header's own order breaks ties.
    wanted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    wanted
        .into_iter()
        .find_map(|(_, _, tag)| supported(tag))
        .unwrap_or_else(|| "en".to_owned())
}

impl Tr {
    /// Texts in `code`, or English when there are none in that language.
    pub fn new(code: &str) -> Self {
        let lang = languages()
            .into_iter()
            .find(|known| known == code)
            .and_then(|known| known.parse().ok())
            .unwrap_or_else(|| PAGES.fallback().clone());
        Tr { lang }
    }

    /// The language from a request's cookie and headers.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let jar = CookieJar::from_headers(headers);
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Tr::new(&negotiate(
            jar.get(LANGUAGE_COOKIE).map(Cookie::value),
            accept,
        ))
    }

    /// The language's code, for `<html lang>`.
    pub fn lang(&self) -> String {
        self.lang.to_string()
    }

    /// A text; its key when no language has it (a missing text shows, it never breaks a page).
    pub fn t(&self, key: &str) -> String {
        PAGES
            .try_lookup(&self.lang, key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// A text with named values (`{ $name }` in the Fluent file).
    pub fn ta(&self, key: &str, args: &[(&'static str, &str)]) -> String {
        let values = fluent_args(args);
        PAGES
            .try_lookup_with_args(&self.lang, key, &values)
            .unwrap_or_else(|| key.to_owned())
    }

    /// A field error in this language: the text `error-<field>-<code>` when there is one,
    /// else `error-<code>`, else the app's own (English) sentence.
    pub fn error(&self, field: &str, code: &str, fallback: &str) -> String {
        self.error_with(field, code, fallback, &[])
    }

    /// A field error whose text has values (`{ $min }` in a password rule).
    pub fn error_with(
        &self,
        field: &str,
        code: &str,
        fallback: &str,
        args: &[(&'static str, &str)],
    ) -> String {
        let values = fluent_args(args);
        PAGES
            .try_lookup_with_args(&self.lang, &format!("error-{field}-{code}"), &values)
            .or_else(|| PAGES.try_lookup_with_args(&self.lang, &format!("error-{code}"), &values))
            .unwrap_or_else(|| fallback.to_owned())
    }

    /// The first error of `field` in `errors`, in this language.
    pub fn field_error(&self, errors: &ValidationErrors, field: &str) -> Option<String> {
        errors
            .errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.error(e.field, e.code, &e.message))
    }

    /// Every language there are texts for, each named in itself.
    pub fn choices(&self) -> Vec<LanguageChoice> {
        let current = self.lang();
        languages()
            .into_iter()
            .map(|code| {
                let name = Tr::new(&code).t("language-name");
                LanguageChoice {
                    current: code == current,
                    code,
                    name,
                }
            })
            .collect()
    }
}

fn fluent_args<'a>(
    args: &[(&'static str, &'a str)],
) -> HashMap<Cow<'static, str>, FluentValue<'a>> {
    args.iter()
        .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(*value)))
        .collect()
}

tokio::task_local! {
    /// The headers that choose the language, for the time of one request.
    static WANTED: HeaderMap;
}

impl Tr {
    /// The language of the request being served. Error pages are made far from any
    /// extractor (`?` on a use case's error, a middleware's refusal), so they find it here;
    /// outside a request it is English.
    pub fn current() -> Self {
        WANTED
            .try_with(Tr::from_headers)
            .unwrap_or_else(|_| Tr::new("en"))
    }
}

/// Middleware: keeps the headers that choose the language while the request is served,
/// for [`Tr::current`]. Only those two headers are copied, so this costs next to nothing.
pub async fn keep_language(request: Request, next: Next) -> Response {
    let mut wanted = HeaderMap::new();
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
        for value in request.headers().get_all(&name) {
            wanted.append(name.clone(), value.clone());
        }
    }
    WANTED.scope(wanted, next.run(request)).await
}

impl<S: Send + Sync> FromRequestParts<S> for Tr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Tr::from_headers(&parts.headers))
    }
}

#[derive(Debug, Deserialize)]
pub struct LanguageQuery {
    /// Where to go back to: a path on this site.
    #[serde(default)]
    r#return: Option<String>,
}

/// GET /language/{code}: the language menu. Keeps the choice for a year and goes back to
/// the page the menu was on (only ever a path on this site). Changing the display language
/// is harmless, so a plain link does it.
pub async fn choose(
    axum::extract::State(state): axum::extract::State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<LanguageQuery>,
    jar: CookieJar,
) -> Response {
    let back = query
        .r#return
        .filter(|path| crate::return_to::is_local_path(path))
        .unwrap_or_else(|| "/".to_owned());
    if !languages().contains(&code) {
        return Redirect::to(&back).into_response();
    }
    let mut cookie = Cookie::new(LANGUAGE_COOKIE, code);
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_secure(state.config.https());
    cookie.set_same_site(SameSite::Lax);
    cookie.set_max_age(time::Duration::days(365));
    (jar.add(cookie), Redirect::to(&back)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_french_and_german_are_there() {
        let codes = languages();
        assert_eq!(codes.first().map(String::as_str), Some("en"));
        for code in ["fr", "de"] {
            assert!(codes.iter().any(|c| c == code), "{code} missing");
        }
    }

    #[test]
    fn the_cookie_wins_then_accept_language_by_quality() {
        assert_eq!(negotiate(Some("de"), Some("fr")), "de");
        assert_eq!(negotiate(Some("xx"), Some("fr-BE,en;q=0.5")), "fr");
        assert_eq!(negotiate(None, Some("en;q=0.4, de-AT;q=0.9")), "de");
        assert_eq!(negotiate(None, Some("ja, fr;q=0.1")), "fr");
        assert_eq!(negotiate(None, Some("fr;q=0, de;q=oops")), "en");
        assert_eq!(negotiate(None, None), "en");
        assert_eq!(negotiate(None, Some("")), "en");
    }

    #[test]
    fn texts_fall_back_to_english_then_to_the_key() {
        let fr = Tr::new("fr");
        assert_eq!(fr.lang(), "fr");
        assert_eq!(fr.t("language-name"), "Français");
        assert_eq!(Tr::new("xx").lang(), "en");
        assert_eq!(fr.t("no-such-text"), "no-such-text");
        assert_eq!(
            Tr::new("de").error("email", "nonsense", "As the app said."),
            "As the app said."
        );
    }

    #[test]
    fn no_text_is_defined_twice_in_a_language() {
        // Fluent refuses a second definition when the texts are loaded: every page would fail.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../locales");
        for folder in std::fs::read_dir(root).unwrap() {
            let folder = folder.unwrap().path();
            let mut seen = std::collections::HashMap::new();
            for file in std::fs::read_dir(&folder).unwrap() {
                let file = file.unwrap().path();
                let text = std::fs::read_to_string(&file).unwrap();
                for key in text
                    .lines()
                    .filter(|l| !l.starts_with([' ', '#', '.']) && l.contains(" ="))
                    .filter_map(|l| l.split(" =").next())
                {
                    if let Some(first) = seen.insert(key.to_owned(), file.clone()) {
                        panic!("{key} is in both {first:?} and {file:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_language_has_every_english_text() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../locales/en");
        let mut keys = Vec::new();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            keys.extend(
                text.lines()
                    .filter(|l| !l.starts_with([' ', '#', '.']) && l.contains(" ="))
                    .filter_map(|l| l.split(" =").next().map(str::to_owned)),
            );
        }
        assert!(keys.len() > 10);
        // A text with a value it is not given fails to format: give every name any English
        // text uses, so a failure means a missing text or a name English does not have.
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for after in text.split('$').skip(1) {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        }
        let args: HashMap<String, FluentValue<'_>> = names
            .into_iter()
            .map(|name| (name, FluentValue::from("1")))
            .collect();
        for code in languages() {
            let tr = Tr::new(&code);
            for key in &keys {
                assert!(
                    PAGES
                        .lookup_single_language(&tr.lang, key, Some(&args))
                        .is_ok(),
                    "{code} has no text for {key}, or it uses a value English does not give"
                );
            }
        }
    }
}
