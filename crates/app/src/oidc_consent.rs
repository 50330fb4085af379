//! Consent at the OpenID Connect authorization endpoint: third-party clients (and any client
//! sending `prompt=consent`) get the person's say before a code is issued; what was allowed
//! is kept per person and client (`oidc_consents`) so they are asked once per scope. A
//! refusal is audited (`oidc.consent.deny`); "Applications you allowed" in My Account lists
//! what a person allowed and withdraws it (`oidc.consent.withdraw`), after which the client
//! asks again.

use serde_json::json;
use tessera_domain::UserId;
use tessera_domain::application::{Application, Environment};
use tessera_domain::audit::{Actor, NewAuditEvent, Outcome};
use tessera_protocols::oauth::{AuthorizeParams, OAuthError, Refusal, ValidAuthorization};
use tessera_store::oidc::OidcClient;
use tessera_store::{AuditLog, OidcRefreshStore, OidcStore, SecondFactors, Tx};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::oidc::Authorization;
use crate::signin::CurrentSession;

/// What the consent page shows: who asks, for which application, and what for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPrompt {
    pub client_name: String,
    pub application_name: String,
    /// The scopes asked for, in Tessera's order (`openid profile email phone groups`).
    pub scopes: Vec<String>,
}

/// One consent the signed-in person gave, as "Applications you allowed" lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentItem {
    /// The client's row id: what [`App::withdraw_my_consent`] takes.
    pub client: Uuid,
    /// The public identifier the client presents.
    pub client_id: String,
    pub client_name: String,
    pub application_name: String,
    pub environment: Environment,
    /// The scopes allowed so far.
    pub scopes: Vec<String>,
    pub granted_at: OffsetDateTime,
}

/// The `error_description` of a refusal at the consent page.
const DENIED: &str = "the person did not allow it";

/// Where the consent step leaves an authorization request.
pub(crate) enum ConsentStep {
    /// Nothing to ask, or the person just allowed it: issue the code.
    Go,
    /// Answer this instead (the page, or a refusal at the redirect URI).
    Answer(Authorization),
    /// The person said no at the consent page: `access_denied`, whose audit event is in the
    /// transaction, to be committed before answering.
    Refused(Authorization),
}

/// The phone number released by the `phone` scope: the person's default number while it is
/// one of their confirmed numbers, else their oldest confirmed one (every kept number was
/// confirmed by a code sent to it).
pub(crate) async fn phone_of(tx: &mut Tx, user: UserId) -> AppResult<Option<String>> {
    let factors = tx.factor_summary(user).await?;
    Ok(match factors.default_phone {
        Some(default) if factors.phones.contains(&default) => Some(default),
        _ => factors.phones.into_iter().next(),
    })
}

/// Whether the scopes allowed so far cover every scope asked for.
fn covers(allowed: &str, asked: &str) -> bool {
    asked
        .split(' ')
        .filter(|s| !s.is_empty())
        .all(|s| allowed.split(' ').any(|a| a == s))
}

/// The scopes allowed so far and the new ones, in the order of `asked` first.
fn merged(allowed: Option<&str>, asked: &str) -> String {
    let mut scopes: Vec<&str> = asked.split(' ').filter(|s| !s.is_empty()).collect();
    for old in allowed.unwrap_or_default().split(' ') {
        if !old.is_empty() && !scopes.contains(&old) {
            scopes.push(old);
        }
    }
    scopes.join(" ")
}

impl App {
    /// The authorization endpoint after the consent page: `allow` is the person's answer to
    /// the same request. The request is judged again from the start (sign-in, assurance), so
    /// a posted answer carries no more weight than the request itself.
    pub async fn oidc_authorize_answered(
        &self,
        session: Option<&CurrentSession>,
        params: &AuthorizeParams,
        ctx: &Ctx,
        allow: bool,
    ) -> AppResult<Authorization> {
        self.authorize_request(session, params, ctx, Some(allow))
            .await
    }

    /// "Applications you allowed": every consent the signed-in person gave, newest first.
    /// Only ever their own: the person is the session's.
    pub async fn my_consents(&self, me: &CurrentSession) -> AppResult<Vec<ConsentItem>> {
        let mut tx = self.store().reads().await?;
        let consents = tx.oidc_consents_of(me.user.id).await?;
        Ok(consents
            .into_iter()
            .map(|c| ConsentItem {
                client: c.client,
                client_id: c.client_id,
                client_name: c.client_name,
                application_name: c.application_name,
                environment: c.environment,
                scopes: c
                    .scope
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                granted_at: c.granted_at,
            })
            .collect())
    }

    /// Withdraws the signed-in person's consent to a client (by the client's row id), audited
    /// `oidc.consent.withdraw` in the same transaction; the client asks again at the next
    /// sign-in. Someone else's consent, or none at all, is not found: the person is the
    /// session's, so nobody can withdraw (or learn of) another's.
    pub async fn withdraw_my_consent(
        &self,
        me: &CurrentSession,
        client: Uuid,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let consent = tx
            .oidc_consents_of(me.user.id)
            .await?
            .into_iter()
            .find(|c| c.client == client)
            .ok_or(AppError::NotFound)?;
        if !tx.delete_oidc_consent(me.user.id, client).await? {
            return Err(AppError::NotFound);
        }
        // What the client holds from that consent goes with it (its access tokens live
        // minutes and end with the session anyway).
        let revoked = tx.revoke_refresh_tokens_of(me.user.id, client).await?;
        tx.append_audit(
            NewAuditEvent::new(
                self.now(),
                Actor::User(me.user.id),
                "oidc.consent.withdraw",
                "oidc_client",
            )
            .target(&consent.client_id)
            .level(me.user.level_id)
            .request(ctx.request_id.as_deref())
            .details(&json!({
                "client": consent.client_name,
                "application": consent.application_name,
                "environment": consent.environment.as_str(),
                "scopes": consent.scope,
                "refresh_tokens_revoked": revoked,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The consent step of an authorization request, once the person is signed in strongly
    /// enough, in the transaction that will issue the code: asks when the client is a third
    /// party without consent for every scope asked, or when the client sent
    /// `prompt=consent`; records a consent given (audited `oidc.consent`) so that it commits
    /// with the code; turns a refusal into `access_denied` at the redirect URI.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn consent_step(
        &self,
        tx: &mut Tx,
        client: &OidcClient,
        application: &Application,
        session: &CurrentSession,
        valid: &ValidAuthorization,
        answered: Option<bool>,
        ctx: &Ctx,
    ) -> AppResult<ConsentStep> {
        let refuse = |error: OAuthError, description: &str| {
            let refusal = Refusal::Redirect {
                redirect_uri: valid.redirect_uri.clone(),
                error,
                description: description.to_owned(),
                state: valid.state.clone(),
            };
            refusal.location().map_or(
                Authorization::ErrorPage("Refused.".into()),
                Authorization::Redirect,
            )
        };
        match answered {
            Some(false) => {
                tx.append_audit(
                    NewAuditEvent::new(self.now(), ctx.actor, "oidc.consent.deny", "oidc_client")
                        .target(&client.client_id)
                        .level(session.user.level_id)
                        .request(ctx.request_id.as_deref())
                        .outcome(Outcome::Denied)
                        .details(&json!({
                            "application": application.code,
                            "asked": valid.scope,
                        })),
                )
                .await?;
                return Ok(ConsentStep::Refused(refuse(
                    OAuthError::AccessDenied,
                    DENIED,
                )));
            }
            Some(true) => {
                let allowed = tx.oidc_consent(session.user.id, client.id).await?;
                let scope = merged(allowed.as_deref(), &valid.scope);
                let now = self.now();
                tx.save_oidc_consent(session.user.id, client.id, &scope, now)
                    .await?;
                tx.append_audit(
                    NewAuditEvent::new(now, ctx.actor, "oidc.consent", "oidc_client")
                        .target(&client.client_id)
                        .level(session.user.level_id)
                        .request(ctx.request_id.as_deref())
                        .details(&json!({
                            "application": application.code,
                            "asked": valid.scope,
                            "allowed": scope,
                        })),
                )
                .await?;
                return Ok(ConsentStep::Go);
            }
            None => {}
        }
        let needed = valid.prompt_consent
            || (client.third_party
                && !tx
                    .oidc_consent(session.user.id, client.id)
                    .await?
                    .is_some_and(|allowed| covers(&allowed, &valid.scope)));
        if !needed {
            return Ok(ConsentStep::Go);
        }
        if valid.prompt_none {
            return Ok(ConsentStep::Answer(refuse(
                OAuthError::ConsentRequired,
                "the person has not allowed this client what it asks for",
            )));
        }
        Ok(ConsentStep::Answer(Authorization::Consent(ConsentPrompt {
            client_name: client.name.clone(),
            application_name: application.name.clone(),
            scopes: valid.scope.split(' ').map(str::to_owned).collect(),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_covers_only_what_was_allowed() {
        assert!(covers("openid profile email", "openid email"));
        assert!(!covers("openid profile", "openid phone"));
        assert!(covers("openid", ""));
        assert_eq!(
            merged(Some("openid email"), "openid phone"),
            "openid phone email"
        );
        assert_eq!(merged(None, "openid"), "openid");
    }
}
