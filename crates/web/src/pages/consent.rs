//! The consent page of the OpenID Connect authorization endpoint: a third-party client (or
//! any client sending `prompt=consent`) asks the person before it gets their data. A plain
//! form with Allow and Deny, carrying the authorization request back and a CSRF token; no
//! JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{Authorization, ConsentPrompt};
use tessera_protocols::oauth::AuthorizeParams;

use crate::auth::{MaybeSignedIn, request_id};
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::pages::account_consents::may_see;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "oidc_consent.html")]
struct ConsentPage {
    tr: Tr,
    /// The authorization request: where the language menu comes back to (it asks again).
    here: String,
    csrf: String,
    client: String,
    application: String,
    /// One sentence per thing the client will learn.
    wants: Vec<String>,
    /// The authorization request's query, posted back with the answer.
    request: String,
}

/// The page asking the person, for the request whose query is `query`.
pub(crate) fn page(
    state: &AppState,
    jar: CookieJar,
    tr: Tr,
    prompt: &ConsentPrompt,
    query: &str,
) -> Response {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = ConsentPage {
        here: format!("/oidc/authorize?{query}"),
        csrf,
        client: prompt.client_name.clone(),
        application: prompt.application_name.clone(),
        wants: may_see(&tr, &prompt.scopes, &prompt.application_name),
        request: query.to_owned(),
        tr,
    };
    (jar, page).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConsentForm {
    csrf: String,
    /// The authorization request's query string.
    request: String,
    /// `allow` or `deny`.
    decision: String,
}

crate::csrf::csrf_protected!(ConsentForm);

/// POST /oidc/consent: the person's answer. The request is judged again as a whole by the
/// app; whatever is still missing (signing in, a stronger sign-in) goes back through the
/// authorization endpoint.
pub async fn answer(
    State(state): State<AppState>,
    MaybeSignedIn(session): MaybeSignedIn,
    jar: CookieJar,
    parts: Parts,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> Result<Response, PageError> {
    let allow = match form.decision.as_str() {
        "allow" => true,
        "deny" => false,
        _ => return Err(PageError::bad_request("Choose Allow or Deny.")),
    };
    let again = format!("/oidc/authorize?{}", form.request);
    let params = again
        .parse::<Uri>()
        .ok()
        .and_then(|uri| Query::<AuthorizeParams>::try_from_uri(&uri).ok())
        .ok_or_else(|| PageError::bad_request("This answer names no usable sign-in request."))?
        .0;
    let Some(session) = session else {
        return Ok(Redirect::to(&again).into_response());
    };
    let ctx = session.ctx(request_id(&parts));
    let outcome = state
        .app
        .oidc_authorize_answered(Some(&session), &params, &ctx, allow)
        .await?;
    Ok(match outcome {
        Authorization::Redirect(location) => Redirect::to(&location).into_response(),
        Authorization::ErrorPage(why) => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "This application's sign-in request cannot be used",
                why,
            ));
        }
        Authorization::Consent(prompt) => page(
            &state,
            jar,
            Tr::from_headers(&parts.headers),
            &prompt,
            &form.request,
        ),
        // Signing in or stepping up first: the authorization endpoint leads the way and
        // asks again afterwards.
        Authorization::SignIn | Authorization::StepUp(_) | Authorization::Reauthenticate => {
            Redirect::to(&again).into_response()
        }
    })
}
