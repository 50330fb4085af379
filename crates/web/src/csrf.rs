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

/// A form that carries a CSRF token.
pub trait CsrfProtected {
    fn csrf_token(&self) -> &str;
}

/// Implements [`CsrfProtected`] for form types with a `csrf` field.
macro_rules! csrf_protected {
    ($($form:ty),* $(,)?) => {
        $(impl $crate::csrf::CsrfProtected for $form {
            fn csrf_token(&self) -> &str {
                &self.csrf
            }
        })*
    };
}
pub(crate) use csrf_protected;

/// A posted form whose CSRF token matched the browser's cookie. A malformed body is a 400
/// page; a missing or wrong token, a 403 page.
pub struct CsrfForm<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + CsrfProtected,
{
    type Rejection = crate::error::PageError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(request.headers());
        let axum::Form(form) = axum::Form::<T>::from_request(request, state)
            .await
            .map_err(|rejection| crate::error::PageError::bad_request(rejection.body_text()))?;
        if verify(&jar, form.csrf_token()) {
            Ok(Self(form))
        } else {
            Err(forged())
        }
    }
}

/// The answer to a form that did not come from Tessera's own page (or an outdated one).
pub fn forged() -> crate::error::PageError {
    crate::error::PageError::new(
        axum::http::StatusCode::FORBIDDEN,
        "The form has expired",
        "This form was not sent from Tessera's own page, or its page is too old. Go back, reload the page and try again.",
    )
    .texts("problem-form-expired")
}

/// A JSON body sent with the CSRF token in the `X-CSRF-Token` header (calls from Tessera's
/// own pages and API clients that change something). Rejections are problem+json.
pub struct CsrfJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for CsrfJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = axum::response::Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        use axum::http::StatusCode;
        use axum::response::IntoResponse;

        use crate::problem::Problem;

        let jar = CookieJar::from_headers(request.headers());
        let submitted = request
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if !verify(&jar, &submitted) {
            return Err(
                Problem::new(StatusCode::FORBIDDEN, "csrf", "Missing or wrong CSRF token")
                    .detail("Send the value of the tessera_csrf cookie in the X-CSRF-Token header.")
                    .into_response(),
            );
        }
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(body)) => Ok(Self(body)),
            Err(rejection) => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-body",
                "The body is not valid",
            )
            .detail(rejection.body_text())
            .into_response()),
        }
    }
}

/// A call without a body (DELETE) that must still carry the CSRF token in its header.
pub struct CsrfHeader;

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for CsrfHeader {
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        use axum::http::StatusCode;
        use axum::response::IntoResponse;

        let jar = CookieJar::from_headers(&parts.headers);
        let submitted = parts
            .headers
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if verify(&jar, submitted) {
            Ok(Self)
        } else {
            Err(crate::problem::Problem::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "Missing or wrong CSRF token",
            )
            .detail("Send the value of the tessera_csrf cookie in the X-CSRF-Token header.")
            .into_response())
        }
    }
}
