//! The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0) and its confirmation
//! page. The rules (which request signs out at once, where the browser may be sent) are the
//! app's, in `oidc_end_session`; this module parses, renders and handles the cookies.

use askama::Template;
use askama_web::WebTemplate;

use crate::i18n::Tr;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{Ctx, EndSession, EndSessionRequest};

use crate::auth::{MaybeSignedIn, request_id};
use crate::cookies;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::state::AppState;

/// The parameters of RP-Initiated Logout 1.0 §2, from the query or a form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndSessionParams {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    ui_locales: Option<String>,
}

impl EndSessionParams {
    fn request(self) -> EndSessionRequest {
        // An empty parameter is an absent one (a form may send every field).
        let given = |value: Option<String>| value.filter(|v| !v.is_empty());
        EndSessionRequest {
            id_token_hint: given(self.id_token_hint),
            client_id: given(self.client_id),
            post_logout_redirect_uri: given(self.post_logout_redirect_uri),
            state: given(self.state),
            ui_locales: given(self.ui_locales),
        }
    }
}

/// The request's fields, to carry through the confirmation page.
fn fields(request: &EndSessionRequest) -> Vec<(&'static str, String)> {
    [
        ("id_token_hint", &request.id_token_hint),
        ("client_id", &request.client_id),
        (
            "post_logout_redirect_uri",
            &request.post_logout_redirect_uri,
        ),
        ("state", &request.state),
        ("ui_locales", &request.ui_locales),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.clone().map(|value| (name, value)))
    .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "oidc_logout_confirm.html")]
struct ConfirmPage {
    tr: Tr,
    here: &'static str,
    csrf: String,
    client: Option<String>,
    fields: Vec<(&'static str, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "oidc_logged_out.html")]
struct SignedOutPage {
    tr: Tr,
    here: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    csrf: String,
    /// `sign_out`, or `stay`.
    answer: String,
    #[serde(flatten)]
    params: EndSessionParams,
}

crate::csrf::csrf_protected!(ConfirmForm);

fn malformed() -> PageError {
    PageError::bad_request(
        "This sign-out request from an application is malformed (a parameter is repeated or \
         unreadable).",
    )
}

/// GET /oidc/logout: signs out at once for an ID token of this very session, asks first
/// otherwise, then goes back to the client or says the person has signed out.
pub async fn end_session(
    State(state): State<AppState>,
    tr: Tr,
    MaybeSignedIn(session): MaybeSignedIn,
    jar: CookieJar,
    parts: Parts,
) -> Result<Response, PageError> {
    let Ok(Query(params)) = Query::<EndSessionParams>::try_from_uri(&parts.uri) else {
        return Err(malformed());
    };
    let request = params.request();
    let ctx = match &session {
        Some(session) => session.ctx(request_id(&parts)),
        None => Ctx::anonymous(request_id(&parts)),
    };
    let outcome = state
        .app
        .oidc_end_session(session.as_ref(), &request, &ctx)
        .await?;
    let tr = preferred(request.ui_locales.as_deref()).unwrap_or(tr);
    answer(&state, tr, jar, outcome, &request)
}

/// POST /oidc/logout: the same request as a form. A form posted from the relying party's
/// site carries no SameSite=Lax session cookie, so the browser is sent to the same request
/// as a GET, which it makes as a top-level navigation, cookie included.
pub async fn end_session_form(
    form: Result<Form<EndSessionParams>, FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(params)) = form else {
        return Err(malformed());
    };
    let request = params.request();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields(&request))
        .finish();
    let target = if query.is_empty() {
        "/oidc/logout".to_owned()
    } else {
        format!("/oidc/logout?{query}")
    };
    Ok(Redirect::to(&target).into_response())
}

/// POST /oidc/logout/confirm: the confirmation page's answer.
pub async fn confirm(
    State(state): State<AppState>,
    tr: Tr,
    MaybeSignedIn(session): MaybeSignedIn,
    jar: CookieJar,
    parts: Parts,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, PageError> {
    if form.answer != "sign_out" {
        return Ok(Redirect::to("/").into_response());
    }
    let request = form.params.request();
    let ctx = match &session {
        Some(session) => session.ctx(request_id(&parts)),
        None => Ctx::anonymous(request_id(&parts)),
    };
    let outcome = state
        .app
        .oidc_end_session_confirmed(session.as_ref(), &request, &ctx)
        .await?;
    let tr = preferred(request.ui_locales.as_deref()).unwrap_or(tr);
    answer(&state, tr, jar, outcome, &request)
}

/// The first of the client's `ui_locales` (space-separated, in order of preference) that
/// there are texts for.
fn preferred(ui_locales: Option<&str>) -> Option<Tr> {
    let known = crate::i18n::languages();
    ui_locales?.split(' ').find_map(|tag| {
        let primary = tag.split('-').next()?.to_ascii_lowercase();
        known.contains(&primary).then(|| Tr::new(&primary))
    })
}

fn answer(
    state: &AppState,
    tr: Tr,
    jar: CookieJar,
    outcome: EndSession,
    request: &EndSessionRequest,
) -> Result<Response, PageError> {
    let response = match outcome {
        EndSession::SignedOut { redirect } => {
            let jar = jar.remove(cookies::removal(cookies::SESSION));
            match redirect {
                Some(location) => (jar, Redirect::to(&location)).into_response(),
                None => (
                    jar,
                    SignedOutPage {
                        tr,
                        here: "/signin",
                    },
                )
                    .into_response(),
            }
        }
        EndSession::Confirm { client } => {
            let (jar, csrf) = csrf::ensure(jar, state.config.https());
            let page = ConfirmPage {
                tr,
                // The request itself is not worth repeating in another language: the menu
                // leads home.
                here: "/",
                csrf,
                client,
                fields: fields(request),
            };
            (jar, page).into_response()
        }
        EndSession::ErrorPage(why) => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "This sign-out request cannot be used",
                why,
            ));
        }
    };
    // The confirmation page holds the ID token it was sent; neither page is for caches.
    let mut response = response;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
