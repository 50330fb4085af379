//! The OpenID Connect provider's endpoints: discovery, JWKS, authorization, token,
//! userinfo, introspection and revocation. Handlers parse, call one use case, and answer in the protocol's own terms
//! (RFC 6749 error JSON, redirects to the client), never with problem details.

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{Authorization, ClientCredentials, Ctx, OAuthFailure, TokenRequest};
use tessera_protocols::discovery::ProviderMetadata;
use tessera_protocols::oauth::{AuthorizeParams, ErrorBody, OAuthError, parse_basic};

use crate::auth::{MaybeSignedIn, request_id};
use crate::error::PageError;
use crate::return_to;
use crate::state::AppState;

/// Token and userinfo answers carry credentials or personal data: never cached
/// (RFC 6749 §5.1).
pub(crate) fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// An RFC 6749 §5.2 error answer.
pub(crate) fn oauth_error(failure: &OAuthFailure) -> Response {
    let status = match failure.error {
        OAuthError::InvalidClient | OAuthError::InvalidToken => StatusCode::UNAUTHORIZED,
        OAuthError::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut response = (
        status,
        Json(ErrorBody::new(failure.error, &failure.description)),
    )
        .into_response();
    let challenge = match failure.error {
        OAuthError::InvalidClient => Some(r#"Basic realm="tessera""#),
        OAuthError::InvalidToken => Some(r#"Bearer error="invalid_token""#),
        _ => None,
    };
    if let Some(challenge) = challenge {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    no_store(response)
}

pub(crate) fn failure(error: OAuthError, description: &str) -> Response {
    oauth_error(&OAuthFailure {
        error,
        description: description.to_owned(),
    })
}

/// A fault of Tessera's own, answered as `server_error` and logged.
pub(crate) fn server_error(error: &tessera_app::AppError) -> Response {
    tracing::error!(%error, "OpenID Connect endpoint failed");
    failure(OAuthError::ServerError, "the server could not answer")
}

/// GET /.well-known/openid-configuration
pub async fn discovery(State(state): State<AppState>) -> Response {
    let json = |text: String| {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            text,
        )
            .into_response()
    };
    if let Some(document) = state.discovery.get() {
        return json(document.clone());
    }
    let metadata = ProviderMetadata::for_issuer(&state.app.config().public_url);
    match serde_json::to_string(&metadata) {
        Ok(document) => {
            let _ = state.discovery.set(document.clone());
            json(document)
        }
        Err(_) => Json(metadata).into_response(),
    }
}

/// GET /oidc/jwks: the public keys that verify Tessera's tokens.
pub async fn jwks(State(state): State<AppState>) -> Result<Response, PageError> {
    // The document is kept ready by the app while its key set does not change.
    let document = state.app.jwks_json().await?;
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        document.to_string(),
    )
        .into_response();
    // Short, so a rotated key is seen soon; clients refetch on an unknown kid anyway.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

/// GET /oidc/authorize: signs the person in (or steps the session up) when needed, then
/// sends the browser back to the client with a code.
pub async fn authorize(
    State(state): State<AppState>,
    MaybeSignedIn(session): MaybeSignedIn,
    jar: CookieJar,
    parts: Parts,
) -> Result<Response, PageError> {
    let Ok(Query(params)) = Query::<AuthorizeParams>::try_from_uri(&parts.uri) else {
        return Err(PageError::bad_request(
            "This sign-in request from an application is malformed (a parameter is repeated \
             or unreadable).",
        ));
    };
    let ctx = match &session {
        Some(session) => session.ctx(request_id(&parts)),
        None => Ctx::anonymous(request_id(&parts)),
    };
    let outcome = state
        .app
        .oidc_authorize(session.as_ref(), &params, &ctx)
        .await?;
    let here = || match parts.uri.query() {
        Some(query) => format!("/oidc/authorize?{query}"),
        None => "/oidc/authorize".to_owned(),
    };
    let https = state.config.https();
    Ok(match outcome {
        Authorization::Redirect(location) => Redirect::to(&location).into_response(),
        Authorization::ErrorPage(why) => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "This application's sign-in request cannot be used",
                why,
            ));
        }
        Authorization::SignIn => (
            return_to::remember(jar, &here(), https),
            Redirect::to("/signin"),
        )
            .into_response(),
        Authorization::Reauthenticate => {
            // Back to the same request afterwards, minus what asked for the fresh sign-in,
            // or it would ask again forever.
            let again: Vec<(String, String)> =
                url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                    .into_owned()
                    .filter(|(name, _)| name != "max_age")
                    // prompt=consent still asks once signed in again; only login goes.
                    .filter_map(|(name, value)| {
                        if name != "prompt" {
                            return Some((name, value));
                        }
                        let rest: Vec<&str> = value
                            .split(' ')
                            .filter(|p| *p != "login" && !p.is_empty())
                            .collect();
                        (!rest.is_empty()).then(|| (name, rest.join(" ")))
                    })
                    .collect();
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(again)
                .finish();
            (
                return_to::remember(jar, &format!("/oidc/authorize?{query}"), https),
                Redirect::to("/signin"),
            )
                .into_response()
        }
        Authorization::Consent(prompt) => crate::pages::consent::page(
            &state,
            jar,
            crate::i18n::Tr::from_headers(&parts.headers),
            &prompt,
            parts.uri.query().unwrap_or(""),
        ),
        Authorization::StepUp(needed) => (
            return_to::remember(jar, &here(), https),
            Redirect::to(&format!("/signin/step-up?assurance={}", needed.as_str())),
        )
            .into_response(),
    })
}

/// The form of a token request (RFC 6749 §4.1.3).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
}

/// The client id and secret of an `Authorization: Basic` header, if any; a malformed
/// header is answered with `invalid_client`.
pub(crate) fn basic_credentials(
    headers: &HeaderMap,
) -> Result<Option<(String, String)>, Box<Response>> {
    match headers.get(header::AUTHORIZATION) {
        None => Ok(None),
        Some(value) => match value.to_str().ok().and_then(parse_basic) {
            Some(credentials) => Ok(Some(credentials)),
            None => Err(Box::new(failure(
                OAuthError::InvalidClient,
                "malformed Authorization header",
            ))),
        },
    }
}

/// POST /oidc/token
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return failure(
            OAuthError::InvalidRequest,
            "the body must be a form (application/x-www-form-urlencoded) without repeated fields",
        );
    };
    let basic = match basic_credentials(&headers) {
        Ok(basic) => basic,
        Err(refused) => return *refused,
    };
    let request = TokenRequest {
        grant_type: form.grant_type,
        code: form.code,
        redirect_uri: form.redirect_uri,
        code_verifier: form.code_verifier,
        refresh_token: form.refresh_token,
        scope: form.scope,
        client_id: form.client_id,
        client_secret: form.client_secret,
        basic,
        client_assertion_type: form.client_assertion_type,
        client_assertion: form.client_assertion,
    };
    match state.app.oidc_token(&request).await {
        Ok(Ok(tokens)) => no_store(Json(tokens).into_response()),
        Ok(Err(refused)) => oauth_error(&refused),
        Err(error) => server_error(&error),
    }
}

/// GET or POST /oidc/userinfo with `Authorization: Bearer` (RFC 6750 §2.1).
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let Some(token) = token else {
        let mut response = (StatusCode::UNAUTHORIZED, "").into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Bearer realm="tessera""#),
        );
        return no_store(response);
    };
    match state.app.oidc_userinfo(token).await {
        Ok(Ok(info)) => no_store(Json(info).into_response()),
        Ok(Err(refused)) => oauth_error(&refused),
        Err(error) => server_error(&error),
    }
}

/// The form of an introspection (RFC 7662 §2.1) or revocation (RFC 7009 §2.1) request.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenQueryForm {
    token: Option<String>,
    /// A hint only: both kinds are looked up whatever it says.
    #[allow(dead_code)]
    token_type_hint: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
}

/// The token and the client's credentials of an introspection or revocation request.
fn token_query(
    headers: &HeaderMap,
    form: Result<Form<TokenQueryForm>, FormRejection>,
) -> Result<(String, ClientCredentials), Box<Response>> {
    let Ok(Form(form)) = form else {
        return Err(Box::new(failure(
            OAuthError::InvalidRequest,
            "the body must be a form (application/x-www-form-urlencoded) without repeated fields",
        )));
    };
    let basic = basic_credentials(headers)?;
    let Some(token) = form.token.filter(|t| !t.is_empty()) else {
        return Err(Box::new(failure(
            OAuthError::InvalidRequest,
            "token is missing",
        )));
    };
    Ok((
        token,
        ClientCredentials {
            client_id: form.client_id,
            client_secret: form.client_secret,
            basic,
            client_assertion_type: form.client_assertion_type,
            client_assertion: form.client_assertion,
        },
    ))
}

/// POST /oidc/introspect (RFC 7662)
pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<TokenQueryForm>, FormRejection>,
) -> Response {
    let (token, credentials) = match token_query(&headers, form) {
        Ok(query) => query,
        Err(refused) => return *refused,
    };
    match state.app.oidc_introspect(&credentials, &token).await {
        Ok(Ok(answer)) => no_store(Json(answer).into_response()),
        Ok(Err(refused)) => oauth_error(&refused),
        Err(error) => server_error(&error),
    }
}

/// POST /oidc/revoke (RFC 7009): 200 whether or not the token was known.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<TokenQueryForm>, FormRejection>,
) -> Response {
    let (token, credentials) = match token_query(&headers, form) {
        Ok(query) => query,
        Err(refused) => return *refused,
    };
    match state.app.oidc_revoke(&credentials, &token).await {
        Ok(Ok(())) => no_store(StatusCode::OK.into_response()),
        Ok(Err(refused)) => oauth_error(&refused),
        Err(error) => server_error(&error),
    }
}
