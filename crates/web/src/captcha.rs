//! The CAPTCHA as forms use it (self-registration): the endpoints of its picture, its
//! recording and new challenges for the script, the field a form includes, and the answer
//! a form sends back.
//!
//! A page that needs a CAPTCHA puts a [`CaptchaField`] named `captcha` in its template's
//! values and writes `{% include "captcha_field.html" %}` inside its `<form>`, with
//! `<script src="/static/captcha.js" defer></script>` on the page. Its form type
//! `#[serde(flatten)]`s a [`CaptchaForm`]; the handler calls
//! `state.app.verify_captcha(&form.captcha.answer())` and, on any error, shows the form again
//! with a new field ([`CaptchaField::issue`]) carrying the error's message. A post with
//! `captcha_new` set ("New code" without the script) means: show the form again, as typed,
//! with a new challenge.
//!
//! The browser's script solves the proof of work and fills `captcha_solution`; without
//! the script (or WebCrypto) the person types the code from the picture or the recording.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tessera_app::{CaptchaAnswer, CaptchaChallenge, CaptchaError};

use crate::captcha_audio;
use crate::captcha_image;
use crate::error::{PageError, wants_html};
use crate::problem::Problem;
use crate::state::AppState;

/// What the CAPTCHA part of a form shows: a challenge, or why none could be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptchaField {
    /// The challenge id for the hidden field; empty when none could be given.
    pub id: String,
    /// For the script: the proof of work's nonce (hex) and difficulty (0: none).
    pub nonce: String,
    pub difficulty: u8,
    pub image_url: String,
    pub audio_url: String,
    /// The message next to the field (a wrong or expired answer, too many challenges).
    pub error: Option<String>,
}

impl CaptchaField {
    /// A field with a new challenge for the client at `client`; when that address asked
    /// for too many, a field without a challenge that says so (the form cannot pass then).
    pub async fn issue(
        state: &AppState,
        client: Option<IpAddr>,
        error: Option<String>,
    ) -> Result<Self, PageError> {
        match state.app.issue_captcha(client).await {
            Ok(challenge) => Ok(Self::for_challenge(&challenge, error)),
            Err(CaptchaError::Failed(failure)) => Err(failure.into()),
            Err(refused) => Ok(Self {
                id: String::new(),
                nonce: String::new(),
                difficulty: 0,
                image_url: String::new(),
                audio_url: String::new(),
                error: refused.message().map(str::to_owned),
            }),
        }
    }

    /// A field showing `challenge`.
    pub fn for_challenge(challenge: &CaptchaChallenge, error: Option<String>) -> Self {
        Self {
            image_url: format!("/captcha/{}/image", challenge.id),
            audio_url: format!("/captcha/{}/audio", challenge.id),
            id: challenge.id.clone(),
            nonce: challenge.nonce.clone(),
            difficulty: challenge.difficulty,
            error,
        }
    }

    /// Whether there is a challenge to answer.
    pub fn ready(&self) -> bool {
        !self.id.is_empty()
    }
}

/// The CAPTCHA fields of a posted form; every one may be missing.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CaptchaForm {
    #[serde(default)]
    pub captcha_id: String,
    /// Filled by the script once it has solved the proof of work.
    #[serde(default)]
    pub captcha_solution: String,
    /// What the person typed from the picture or the recording.
    #[serde(default)]
    pub captcha_code: String,
    /// Set by the "New code" button when the script is not running.
    #[serde(default)]
    pub captcha_new: Option<String>,
}

impl CaptchaForm {
    pub fn answer(&self) -> CaptchaAnswer {
        CaptchaAnswer {
            id: self.captcha_id.clone(),
            solution: self.captcha_solution.clone(),
            code: self.captcha_code.clone(),
        }
    }

    /// The person asked for another code rather than sending the form.
    pub fn wants_new_code(&self) -> bool {
        self.captcha_new.is_some()
    }
}

/// The address a request came from, for the limit on new challenges.
pub fn client_address(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// A new challenge as the script reads it.
#[derive(Debug, Serialize)]
struct ChallengeJson {
    id: String,
    nonce: String,
    difficulty: u8,
    image: String,
    audio: String,
    /// Seconds the challenge may be answered.
    expires_in: i64,
}

/// GET /captcha/challenge: a new challenge for the script ("New code").
pub async fn challenge(State(state): State<AppState>, parts: Parts) -> Response {
    let challenge = match state.app.issue_captcha(client_address(&parts)).await {
        Ok(challenge) => challenge,
        Err(CaptchaError::TooMany) => {
            let mut response = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-captchas",
                "Too many codes",
            )
            .detail(CaptchaError::TooMany.message().unwrap_or_default())
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(60u32));
            return response;
        }
        Err(CaptchaError::Failed(failure)) => {
            return PageError::from(failure).problem().into_response();
        }
        Err(other) => {
            tracing::error!(error = %other, "unexpected answer issuing a CAPTCHA");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let field = CaptchaField::for_challenge(&challenge, None);
    let expires_in = state.app.config().captcha.lifetime.whole_seconds();
    let body = ChallengeJson {
        id: field.id,
        nonce: field.nonce,
        difficulty: field.difficulty,
        image: field.image_url,
        audio: field.audio_url,
        expires_in: expires_in.max(0),
    };
    let mut response = axum::Json(body).into_response();
    no_store(&mut response);
    response
}

/// GET /captcha/{id}/image: the code drawn as SVG strokes.
pub async fn image(
    State(state): State<AppState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Response {
    let picture = match picture(&state, &id, &parts).await {
        Ok(picture) => picture,
        Err(response) => return response,
    };
    let Some(svg) = captcha_image::svg(&picture.code, &picture.seed) else {
        tracing::error!("a CAPTCHA code has a symbol the stroke font lacks");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = svg.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    no_store(&mut response);
    response
}

/// GET /captcha/{id}/audio: the code spelt out, as a WAV file.
pub async fn audio(
    State(state): State<AppState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Response {
    let picture = match picture(&state, &id, &parts).await {
        Ok(picture) => picture,
        Err(response) => return response,
    };
    let wav = match captcha_audio::wav(&picture.code, &picture.seed) {
        Ok(wav) => wav,
        Err(error) => {
            tracing::error!(%error, "the CAPTCHA recording could not be made");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut response = wav.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/wav"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"code.wav\""),
    );
    // Opened by the "Listen" link, the browser plays it in a page of its own; the site's
    // policy would forbid that page its media.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; media-src 'self'; style-src 'unsafe-inline'"),
    );
    no_store(&mut response);
    response
}

/// The code of a live challenge, or the answer to give instead (404 for unknown, used or
/// expired, as a page or a problem as the client prefers).
async fn picture(
    state: &AppState,
    id: &str,
    parts: &Parts,
) -> Result<tessera_app::CaptchaPicture, Response> {
    match state.app.captcha_picture(id).await {
        Ok(picture) => Ok(picture),
        Err(CaptchaError::Failed(failure)) => Err(PageError::from(failure).into_response()),
        Err(_) => {
            let error = PageError::new(
                StatusCode::NOT_FOUND,
                "This code is no longer available",
                "It was used, has expired or never existed. Ask for a new code.",
            );
            Err(if wants_html(&parts.headers) {
                error.into_response()
            } else {
                error.problem().into_response()
            })
        }
    }
}

/// Each code is shown to one person once: never kept by a cache on the way.
fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;

    /// A page including the partial, as the registration page will.
    #[derive(Template)]
    #[template(
        source = "<form>{% include \"captcha_field.html\" %}</form>",
        ext = "html"
    )]
    struct Page {
        tr: crate::i18n::Tr,
        captcha: CaptchaField,
    }

    fn field(error: Option<&str>) -> CaptchaField {
        CaptchaField {
            id: "I".repeat(43),
            nonce: "ab".repeat(16),
            difficulty: 18,
            image_url: format!("/captcha/{}/image", "I".repeat(43)),
            audio_url: format!("/captcha/{}/audio", "I".repeat(43)),
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn the_partial_carries_the_challenge_and_the_error() {
        let html = Page {
            tr: crate::i18n::Tr::new("en"),
            captcha: field(Some("The code was not correct. Enter the new code.")),
        }
        .render()
        .unwrap();
        assert!(html.contains("Enter the code"));
        assert!(html.contains(&format!("name=\"captcha_id\" value=\"{}\"", "I".repeat(43))));
        assert!(html.contains("name=\"captcha_solution\""));
        assert!(html.contains("name=\"captcha_code\""));
        assert!(html.contains("name=\"captcha_new\""));
        assert!(html.contains("data-difficulty=\"18\""));
        assert!(html.contains("/audio\""));
        assert!(html.contains("The code was not correct."));
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("aria-live=\"polite\""));
        assert!(!html.contains("<script"));

        let calm = Page {
            tr: crate::i18n::Tr::new("fr"),
            captcha: field(None),
        }
        .render()
        .unwrap();
        assert!(!calm.contains("aria-invalid"));
        assert!(calm.contains("Saisissez le code"), "in the page's language");
    }

    #[test]
    fn without_a_challenge_the_partial_says_why() {
        let html = Page {
            tr: crate::i18n::Tr::new("de"),
            captcha: CaptchaField {
                id: String::new(),
                nonce: String::new(),
                difficulty: 0,
                image_url: String::new(),
                audio_url: String::new(),
                error: Some("Too many codes were asked for from your network.".into()),
            },
        }
        .render()
        .unwrap();
        assert!(html.contains("Too many codes"));
        assert!(!html.contains("<img"));
    }

    #[test]
    fn the_form_fields_make_an_answer() {
        let form: CaptchaForm =
            serde_json::from_str(r#"{"captcha_id":"x","captcha_code":"ab"}"#).unwrap();
        assert_eq!(
            form.answer(),
            CaptchaAnswer {
                id: "x".into(),
                solution: String::new(),
                code: "ab".into()
            }
        );
        assert!(!form.wants_new_code());
    }
}
