//! OpenID Connect provider, part four: token introspection (RFC 7662) and revocation
//! (RFC 7009). Access tokens are self-contained JWTs, so revoking one records its `jti`
//! until it would have expired; refresh tokens are revoked with their whole family.

use std::sync::Arc;

use serde_json::json;
use tessera_domain::UserId;
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::setup::token_digest;
use tessera_protocols::oauth::OAuthError;
use tessera_store::oidc::{ClientAuthMethod, OidcClient};
use tessera_store::{AuditLog, OidcRefreshStore};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::App;
use crate::error::AppResult;
use crate::oidc_answers::SignIn;
use crate::oidc_tokens::{ClientCredentials, OAuthFailure, fail};

/// What introspection says about a token (RFC 7662 §2.2). An inactive token says nothing
/// else, whatever the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// `Bearer` for access tokens, `refresh_token` for refresh tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
}

impl App {
    /// RFC 7662: a confidential client (a resource server) asks whether a token is live.
    /// Any such client may introspect access tokens (they are for resource servers); a
    /// refresh token only by the client it was issued to.
    pub async fn oidc_introspect(
        &self,
        credentials: &ClientCredentials,
        token: &str,
    ) -> AppResult<Result<Introspection, OAuthFailure>> {
        let client = match self.confidential_client(credentials).await? {
            Ok(client) => client,
            Err(failure) => return Ok(Err(failure)),
        };
        // Resource servers introspect the same token for every call they serve.
        let at = self.lookup();
        if let Some(answer) = self.kept_introspection(token, &at) {
            return Ok(Ok(answer));
        }
        let mut tx = self.store().reads().await?;
        if let Some(claims) = self.live_access_token(&mut tx, token).await? {
            let person_ok = match claims.sid.as_deref().map(Uuid::parse_str) {
                // A client credentials token: no person, no session.
                None => true,
                Some(Ok(sid)) => match Uuid::parse_str(&claims.sub) {
                    Ok(user) => self.sign_in(&mut tx, UserId(user), sid).await? == SignIn::Holds,
                    Err(_) => false,
                },
                Some(Err(_)) => false,
            };
            if !person_ok {
                return Ok(Ok(Introspection::default()));
            }
            let answer = Introspection {
                active: true,
                scope: Some(claims.scope),
                client_id: Some(claims.client_id),
                sub: Some(claims.sub),
                exp: Some(claims.exp),
                iat: Some(claims.iat),
                token_type: Some("Bearer"),
            };
            self.keep_introspection(token, &answer, &at);
            return Ok(Ok(answer));
        }
        let Some(stored) = tx.refresh_token(&token_digest(token)).await? else {
            return Ok(Ok(Introspection::default()));
        };
        let live = stored.client == client.id
            && !stored.used
            && !stored.revoked
            && stored.expires_at > self.now()
            && self
                .sign_in(&mut tx, stored.user_id, stored.session_id)
                .await?
                == SignIn::Holds;
        if !live {
            return Ok(Ok(Introspection::default()));
        }
        Ok(Ok(Introspection {
            active: true,
            scope: Some(stored.scope),
            client_id: Some(client.client_id.clone()),
            sub: Some(stored.user_id.0.to_string()),
            exp: Some(stored.expires_at.unix_timestamp()),
            iat: Some(stored.created_at.unix_timestamp()),
            token_type: Some("refresh_token"),
        }))
    }

    /// RFC 7009: a client gives up a token it holds. A refresh token takes its family with
    /// it; an access token is refused from now until it expires. Unknown, expired or other
    /// clients' tokens change nothing, and the answer is the same (§2.2).
    pub async fn oidc_revoke(
        &self,
        credentials: &ClientCredentials,
        token: &str,
    ) -> AppResult<Result<(), OAuthFailure>> {
        let (client, mut tx) = match self.authenticated_for_writing(credentials).await? {
            Ok(authenticated) => authenticated,
            Err(failure) => return Ok(Err(failure)),
        };
        let now = self.now();
        if let Some(stored) = tx.refresh_token(&token_digest(token)).await? {
            if stored.client == client.id {
                let revoked = tx.revoke_refresh_family(stored.family).await?;
                if revoked > 0 {
                    tx.append_audit(
                        NewAuditEvent::new(
                            now,
                            Actor::User(stored.user_id),
                            "oidc.refresh_token.revoke",
                            "oidc_client",
                        )
                        .target(&client.client_id)
                        .details(&json!({ "family": stored.family, "revoked": revoked })),
                    )
                    .await?;
                }
            }
        } else if let Some(claims) = self.live_access_token(&mut tx, token).await?
            && claims.client_id == client.client_id
        {
            let expires = OffsetDateTime::from_unix_timestamp(claims.exp).unwrap_or(now);
            tx.revoke_access_token(&claims.jti, expires).await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Introspection is for confidential clients: a public one cannot prove who it is.
    async fn confidential_client(
        &self,
        credentials: &ClientCredentials,
    ) -> AppResult<Result<Arc<OidcClient>, OAuthFailure>> {
        match self.authenticate_client(credentials).await? {
            Ok(client) if client.auth_method != ClientAuthMethod::None => Ok(Ok(client)),
            Ok(_) => fail(
                OAuthError::InvalidClient,
                "introspection needs client authentication",
            ),
            Err(failure) => Ok(Err(failure)),
        }
    }
}
