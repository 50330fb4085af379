//! Who is asking: extractors for the signed-in person, for pages (redirect to sign-in) and
//! for the JSON API (401 problem).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use tessera_app::{ClientInfo, Ctx, CurrentSession};

use crate::cookies;
use crate::error::PageError;
use crate::middleware::RequestId;
use crate::problem::Problem;
use crate::state::AppState;

/// The request's id, for audit events.
pub fn request_id(parts: &Parts) -> Option<String> {
    parts.extensions.get::<RequestId>().map(|id| id.0.clone())
}

/// The browser and address of a request, as far as the server can tell.
pub fn client_info(parts: &Parts) -> ClientInfo {
    ClientInfo {
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        address: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_default(),
    }
}

async fn lookup(parts: &mut Parts, state: &AppState) -> Result<Option<CurrentSession>, PageError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(token) = jar.get(cookies::SESSION).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    Ok(state.app.current_session(&token).await?)
}

/// The signed-in person, if any.
pub struct MaybeSignedIn(pub Option<CurrentSession>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(lookup(parts, state).await?))
    }
}

/// A page for signed-in people: anyone else is sent to the sign-in page.
pub struct SignedIn {
    pub session: CurrentSession,
    pub ctx: Ctx,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match lookup(parts, state).await {
            Ok(Some(session)) => Ok(Self {
                ctx: session.ctx(request_id(parts)),
                session,
            }),
            Ok(None) => Err(Redirect::to("/signin").into_response()),
            Err(error) => Err(error.into_response()),
        }
    }
}

/// A JSON API call by a signed-in person: anyone else gets a 401 problem.
pub struct ApiCaller {
    pub ctx: Ctx,
    pub session: CurrentSession,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match lookup(parts, state).await {
            Ok(Some(session)) => Ok(Self {
                ctx: session.ctx(request_id(parts)),
                session,
            }),
            Ok(None) => {
                Err(
                    Problem::new(StatusCode::UNAUTHORIZED, "not-signed-in", "Not signed in")
                        .detail("Sign in first: this call needs a session.")
                        .into_response(),
                )
            }
            Err(error) => Err(error.problem().into_response()),
        }
    }
}
