//! The CAS 3.0 server's endpoints: login, ticket validation (CAS 2.0 `serviceValidate`, CAS
//! 3.0 `p3/serviceValidate`, `proxyValidate`), proxying (`pgtUrl` callbacks and `/cas/proxy`)
//! and logout. Validation answers in the
//! protocol's own XML or JSON (`format=JSON`), never with problem details.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use tessera_app::{CasLogin, CasLoginRequest, CasValidation, Ctx};
use tessera_protocols::cas::{FailureCode, ProxyCallbackRefusal, ProxyResponse, ServiceResponse};

use crate::auth::{MaybeSignedIn, request_id};
use crate::cookies;
use crate::error::PageError;
use crate::return_to;
use crate::state::AppState;

/// The query of `/cas/login` and `/cas/logout`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    service: Option<String>,
    renew: Option<String>,
    gateway: Option<String>,
}

/// Set when `renew=true` sends someone to sign in again: the session that may not serve
/// the request (`none` without one). A different session on return was begun since, so the
/// request is renewed. Kept in the browser, like the return path, and HttpOnly.
const RENEW: &str = "tessera_cas_renew";

fn renew_cookie(stale: String, https: bool) -> Cookie<'static> {
    let mut cookie = Cookie::new(RENEW, stale);
    cookie.set_http_only(true);
    cookie.set_path("/");
    cookie.set_secure(https);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_max_age(time::Duration::minutes(15));
    cookie
}

/// CAS flags are set by their presence; `false` is read as unset, as clients send it.
fn flag(value: Option<&String>) -> bool {
    value.is_some_and(|v| !v.eq_ignore_ascii_case("false"))
}

/// GET /cas/login: signs the person in (or steps the session up) when needed, then sends the
/// browser to the service with a ticket.
pub async fn login(
    State(state): State<AppState>,
    MaybeSignedIn(session): MaybeSignedIn,
    jar: CookieJar,
    parts: Parts,
) -> Result<Response, PageError> {
    let Ok(Query(query)) = Query::<LoginQuery>::try_from_uri(&parts.uri) else {
        return Err(PageError::bad_request(
            "This sign-in request from an application is malformed (a parameter is repeated \
             or unreadable).",
        ));
    };
    let current = session
        .as_ref()
        .map_or_else(|| "none".to_owned(), |s| s.session_id.to_string());
    let request = CasLoginRequest {
        renew: flag(query.renew.as_ref()),
        gateway: flag(query.gateway.as_ref()),
        fresh: jar
            .get(RENEW)
            .is_some_and(|stale| session.is_some() && stale.value() != current),
        service: query.service,
    };
    let ctx = match &session {
        Some(session) => session.ctx(request_id(&parts)),
        None => Ctx::anonymous(request_id(&parts)),
    };
    let outcome = state
        .app
        .cas_login(session.as_ref(), &request, &ctx)
        .await?;
    // Back to the same request after signing in; `renew` is then satisfied by the new
    // session (see RENEW), so keeping it cannot loop.
    let here = match parts.uri.query() {
        Some(query) => format!("/cas/login?{query}"),
        None => "/cas/login".to_owned(),
    };
    let https = state.config.https();
    Ok(match outcome {
        CasLogin::Redirect(location) => {
            (jar.remove(cookies::removal(RENEW)), Redirect::to(&location)).into_response()
        }
        CasLogin::ErrorPage(why) => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "This application's sign-in request cannot be used",
                why,
            ));
        }
        CasLogin::NoService => Redirect::to(return_to::DEFAULT).into_response(),
        CasLogin::SignIn | CasLogin::Reauthenticate => {
            let jar = if request.renew && !request.fresh {
                jar.add(renew_cookie(current, https))
            } else {
                jar
            };
            (
                return_to::remember(jar, &here, https),
                Redirect::to("/signin"),
            )
                .into_response()
        }
        CasLogin::StepUp(needed) => (
            return_to::remember(jar, &here, https),
            Redirect::to(&format!("/signin/step-up?assurance={}", needed.as_str())),
        )
            .into_response(),
    })
}

/// The query of the validation endpoints.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ValidateQuery {
    ticket: Option<String>,
    service: Option<String>,
    renew: Option<String>,
    format: Option<String>,
    /// Where a service allowed to proxy receives its proxy-granting ticket (CAS 3.0 §2.5.4).
    #[serde(rename = "pgtUrl")]
    pgt_url: Option<String>,
}

/// How long a proxy callback may take to answer.
const CALLBACK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Calls the proxy callback; only a 200 answer counts (redirects are not followed), and
/// anything else says why.
async fn call_back(url: &str) -> Result<(), ProxyCallbackRefusal> {
    let client = match reqwest::Client::builder()
        .timeout(CALLBACK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "no HTTP client for the CAS proxy callback");
            return Err(ProxyCallbackRefusal::Unreachable);
        }
    };
    // The URL carries the ticket: never logged, and neither are the errors, which quote it.
    let outcome = match client.get(url).send().await {
        Ok(response) if response.status() == reqwest::StatusCode::OK => return Ok(()),
        Ok(response) => ProxyCallbackRefusal::Status(response.status().as_u16()),
        Err(error) if error.is_timeout() => ProxyCallbackRefusal::TimedOut,
        Err(_) => ProxyCallbackRefusal::Unreachable,
    };
    tracing::info!(refusal = ?outcome, "CAS proxy callback refused");
    Err(outcome)
}

fn answer(response: &ServiceResponse, json: bool, status: StatusCode) -> Response {
    let mut response = if json {
        (status, Json(response.to_json())).into_response()
    } else {
        let mut r = (status, response.to_xml()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        );
        r
    };
    // The answer carries personal data and a one-time outcome: never cached.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn validate(state: &AppState, parts: &Parts, which: CasValidation) -> Response {
    let Ok(Query(query)) = Query::<ValidateQuery>::try_from_uri(&parts.uri) else {
        let json = parts.uri.query().is_some_and(|q| q.contains("format=JSON"));
        let refused = ServiceResponse::failure(
            FailureCode::InvalidRequest,
            "a parameter is repeated or unreadable",
        );
        return answer(&refused, json, StatusCode::OK);
    };
    let json = query.format.as_deref() == Some("JSON");
    let validated = state
        .app
        .cas_validate_for_proxy(
            which,
            query.ticket.as_deref(),
            query.service.as_deref(),
            flag(query.renew.as_ref()),
            query.pgt_url.as_deref(),
        )
        .await;
    let validated = match validated {
        Ok(validated) => match validated.pending {
            // Kept only once the callback answered 200; otherwise the validation fails with
            // INVALID_PROXY_CALLBACK (CAS 3.0 §2.5.4), the ticket being used all the same.
            Some(pending) => match call_back(&pending.callback).await {
                Ok(()) => {
                    let ctx = Ctx::anonymous(request_id(parts));
                    state
                        .app
                        .cas_grant_pgt(&pending, &ctx)
                        .await
                        .map(|()| pending.granted(validated.response))
                }
                Err(why) => Ok(pending.refused(why)),
            },
            None => Ok(validated.response),
        },
        Err(error) => Err(error),
    };
    match validated {
        Ok(response) => answer(&response, json, StatusCode::OK),
        Err(error) => {
            tracing::error!(%error, "CAS validation failed");
            let failure =
                ServiceResponse::failure(FailureCode::InternalError, "the server could not answer");
            answer(&failure, json, StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// GET /cas/serviceValidate (CAS 2.0): the user only.
pub async fn service_validate(State(state): State<AppState>, parts: Parts) -> Response {
    validate(&state, &parts, CasValidation::Service).await
}

/// GET /cas/p3/serviceValidate (CAS 3.0): the user and attributes.
pub async fn p3_service_validate(State(state): State<AppState>, parts: Parts) -> Response {
    validate(&state, &parts, CasValidation::P3).await
}

/// GET /cas/proxyValidate and /cas/p3/proxyValidate: proxy tickets (listing the proxying
/// service), and service tickets for services allowed to proxy.
pub async fn proxy_validate(State(state): State<AppState>, parts: Parts) -> Response {
    validate(&state, &parts, CasValidation::Proxy).await
}

/// The query of `/cas/proxy`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProxyQuery {
    pgt: Option<String>,
    #[serde(rename = "targetService")]
    target_service: Option<String>,
    format: Option<String>,
}

/// GET /cas/proxy (CAS 3.0 §2.7): a proxy ticket for a registered target service.
pub async fn proxy(State(state): State<AppState>, parts: Parts) -> Response {
    let (response, json) = match Query::<ProxyQuery>::try_from_uri(&parts.uri) {
        Ok(Query(query)) => {
            let ctx = Ctx::anonymous(request_id(&parts));
            let json = query.format.as_deref() == Some("JSON");
            let outcome = state
                .app
                .cas_proxy(query.pgt.as_deref(), query.target_service.as_deref(), &ctx)
                .await;
            match outcome {
                Ok(response) => (response, json),
                Err(error) => {
                    tracing::error!(%error, "CAS proxy ticket failed");
                    let failure = ProxyResponse::failure(
                        FailureCode::InternalError,
                        "the server could not answer",
                    );
                    return proxy_answer(&failure, json, StatusCode::INTERNAL_SERVER_ERROR);
                }
            }
        }
        Err(_) => (
            ProxyResponse::failure(
                FailureCode::InvalidRequest,
                "a parameter is repeated or unreadable",
            ),
            parts.uri.query().is_some_and(|q| q.contains("format=JSON")),
        ),
    };
    proxy_answer(&response, json, StatusCode::OK)
}

fn proxy_answer(response: &ProxyResponse, json: bool, status: StatusCode) -> Response {
    let mut response = if json {
        (status, Json(response.to_json())).into_response()
    } else {
        let mut r = (status, response.to_xml()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        );
        r
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// GET /cas/logout: ends the single sign-on session, then goes to `service` when it belongs
/// to a registered service (else to the home page: never an open redirect).
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
) -> Result<Response, PageError> {
    let service = Query::<LoginQuery>::try_from_uri(&parts.uri)
        .ok()
        .and_then(|Query(q)| q.service);
    if let Some(token) = jar.get(cookies::SESSION).map(|c| c.value().to_owned()) {
        let ctx = Ctx::anonymous(request_id(&parts));
        state.app.sign_out(&token, &ctx).await?;
    }
    let jar = jar.remove(cookies::removal(cookies::SESSION));
    let target = match service {
        Some(url) if state.app.cas_service_registered(&url).await? => url,
        _ => "/".to_owned(),
    };
    Ok((jar, Redirect::to(&target)).into_response())
}
