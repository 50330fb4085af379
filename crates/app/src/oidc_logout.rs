//! RP-Initiated Logout 1.0: a relying party sends the browser to the end-session endpoint,
//! Tessera ends the single sign-on session (telling every application of it, see
//! `single_logout`), then sends the browser back to a post-logout redirect URI that the
//! client registered, or shows that the person has signed out.
//!
//! A request that proves it comes from the person's current session (an ID token of that
//! session as `id_token_hint`) signs out at once; any other asks the person first, so a
//! link on another site cannot sign anyone out unawares. The browser is sent back only to a
//! URI registered for the client the request identifies, compared exactly: otherwise, never.

use serde_json::json;
use tessera_domain::audit::NewAuditEvent;
use tessera_protocols::logout::{IdTokenHint, verify_id_token_hint};
use tessera_protocols::oauth::with_query;
use tessera_protocols::tokens::kid_of;
use tessera_store::oidc::OidcClient;
use tessera_store::{AuditLog, OidcStore, SigningKeys, Tx};

use crate::app::App;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::signin::CurrentSession;

/// An end-session request's parameters (RP-Initiated Logout 1.0 §2), from the query or the
/// form, or echoed by the confirmation page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndSessionRequest {
    pub id_token_hint: Option<String>,
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
    /// Accepted and not used: Tessera's pages are in English so far.
    pub ui_locales: Option<String>,
}

/// What the end-session endpoint should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndSession {
    /// The session has ended (or none was open): send the browser to `redirect` (the
    /// client's registered URI, with `state`) or, when `None`, show that they signed out.
    SignedOut { redirect: Option<String> },
    /// Ask the person whether to sign out; `client` names the application asking, when known.
    Confirm { client: Option<String> },
    /// A request that cannot be trusted: an error page, and never a redirect.
    ErrorPage(String),
}

/// What a request identifies, once checked.
struct Checked {
    hint: Option<IdTokenHint>,
    client: Option<OidcClient>,
    redirect: Option<String>,
}

impl App {
    /// GET or POST to the end-session endpoint.
    pub async fn oidc_end_session(
        &self,
        session: Option<&CurrentSession>,
        request: &EndSessionRequest,
        ctx: &Ctx,
    ) -> AppResult<EndSession> {
        let checked = match self.check_end_session(request).await? {
            Ok(checked) => checked,
            Err(why) => return Ok(EndSession::ErrorPage(why)),
        };
        let Some(session) = session else {
            // Nobody is signed in on this browser: nothing to end, and nothing to ask.
            return Ok(EndSession::SignedOut {
                redirect: checked.redirect,
            });
        };
        let of_this_session = checked.hint.as_ref().is_some_and(|hint| {
            hint.sid.as_deref() == Some(session.session_id.to_string().as_str())
                && hint.sub == session.user.id.0.to_string()
        });
        if !of_this_session {
            return Ok(EndSession::Confirm {
                client: checked.client.map(|c| c.name),
            });
        }
        self.end_current_session(session, checked.client.as_ref(), ctx)
            .await?;
        Ok(EndSession::SignedOut {
            redirect: checked.redirect,
        })
    }

    /// The person confirmed on Tessera's own page (the form's CSRF token checked by the web
    /// layer): the request is checked again, as it came back through the browser.
    pub async fn oidc_end_session_confirmed(
        &self,
        session: Option<&CurrentSession>,
        request: &EndSessionRequest,
        ctx: &Ctx,
    ) -> AppResult<EndSession> {
        let checked = match self.check_end_session(request).await? {
            Ok(checked) => checked,
            Err(why) => return Ok(EndSession::ErrorPage(why)),
        };
        if let Some(session) = session {
            self.end_current_session(session, checked.client.as_ref(), ctx)
                .await?;
        }
        Ok(EndSession::SignedOut {
            redirect: checked.redirect,
        })
    }

    /// Ends the browser's session with its notices and audits it.
    async fn end_current_session(
        &self,
        session: &CurrentSession,
        client: Option<&OidcClient>,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        if self
            .end_sso_session(&mut tx, session.session_id, session.user.id)
            .await?
        {
            tx.append_audit(
                NewAuditEvent::new(now, ctx.actor, "signout", "session")
                    .target(session.session_id)
                    .level(session.user.level_id)
                    .request(ctx.request_id.as_deref())
                    .details(&json!({
                        "via": "oidc_logout",
                        "client_id": client.map(|c| c.client_id.as_str()),
                    })),
            )
            .await?;
        }
        tx.commit().await?;
        self.wake_delivery();
        Ok(())
    }

    /// Checks the hint (Tessera's signature and issuer; expiry does not matter), the client
    /// (named, or the hint's audience; the two must agree) and the redirect URI (registered
    /// for that client, exactly). `Err` is the reason for an error page.
    async fn check_end_session(
        &self,
        request: &EndSessionRequest,
    ) -> AppResult<Result<Checked, String>> {
        let mut tx = self.store().reads().await?;
        let hint = match request.id_token_hint.as_deref() {
            Some(token) => match self.read_hint(&mut tx, token).await? {
                Some(hint) => Some(hint),
                None => {
                    return Ok(Err(
                        "The sign-out request carries an ID token that Tessera did not issue."
                            .into(),
                    ));
                }
            },
            None => None,
        };
        let client_id = match (request.client_id.as_deref(), &hint) {
            (Some(client_id), Some(hint)) if !hint.names_client(client_id) => {
                return Ok(Err(
                    "The ID token in the sign-out request was issued to another application."
                        .into(),
                ));
            }
            (Some(client_id), _) => Some(client_id.to_owned()),
            // The hint's audience names the client, when it names one only.
            (None, Some(hint)) if hint.aud.len() == 1 => hint.aud.first().cloned(),
            (None, _) => None,
        };
        let client = match client_id {
            Some(client_id) => match tx.oidc_client(&client_id).await? {
                Some(client) => Some(client),
                None => {
                    return Ok(Err(
                        "No application is registered under this client id.".into()
                    ));
                }
            },
            None => None,
        };
        let redirect = match (&client, request.post_logout_redirect_uri.as_deref()) {
            (Some(client), Some(uri))
                if client.post_logout_redirect_uris.iter().any(|r| r == uri) =>
            {
                Some(match request.state.as_deref() {
                    Some(state) => with_query(uri, &[("state", state)]),
                    None => uri.to_owned(),
                })
            }
            // Unregistered, or no client to hold it: the person stays on Tessera.
            _ => None,
        };
        Ok(Ok(Checked {
            hint,
            client,
            redirect,
        }))
    }

    /// An ID token Tessera signed with one of its live keys, expired or not.
    async fn read_hint(&self, tx: &mut Tx, token: &str) -> AppResult<Option<IdTokenHint>> {
        let Ok(Some(kid)) = kid_of(token) else {
            return Ok(None);
        };
        let keys = tx.live_signing_keys(self.now()).await?;
        let Some(key) = keys.iter().find(|k| k.kid == kid) else {
            return Ok(None);
        };
        Ok(verify_id_token_hint(token, &key.public_jwk, &self.config().public_url).ok())
    }
}
