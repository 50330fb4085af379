//! OpenID Connect provider, part three: the refresh token and client credentials grants.
//!
//! Refresh tokens are issued with the code exchange to every client that has the
//! `refresh_token` grant, public or confidential, whatever the scope: they end with the
//! single sign-on session they came from, so `offline_access` (a token outliving the
//! sign-in) is not offered. Each refresh rotates the token; presenting a used one again
//! means it leaked, and the whole family (every token descended from that code) is revoked.

use serde_json::json;
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::setup::{token_digest, token_text};
use tessera_domain::user::UserStatus;
use tessera_protocols::oauth::OAuthError;
use tessera_store::oidc::{ClientAuthMethod, OidcClient};
use tessera_store::oidc_refresh::RefreshToken;
use tessera_store::{AuditLog, OidcRefreshStore, Tx, Users};
use time::Duration;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::oidc_tokens::{OAuthFailure, TokenRequest, TokenResponse, fail, session_open};

/// Whether every scope in `asked` is among `granted` (RFC 6749 §6: a refresh may narrow the
/// scope, never widen it).
fn within(asked: &str, granted: &str) -> bool {
    asked
        .split(' ')
        .filter(|s| !s.is_empty())
        .all(|s| granted.split(' ').any(|g| g == s))
}

impl App {
    /// Stores a new refresh token of `like`'s family (its digest only), audited in the
    /// same transaction; gives the token back.
    pub(crate) async fn issue_refresh_token(
        &self,
        tx: &mut Tx,
        client: &OidcClient,
        like: &RefreshToken,
        action: &str,
    ) -> AppResult<String> {
        let now = self.now();
        let token = token_text(self.random_bytes());
        let stored = RefreshToken {
            token_digest: token_digest(&token),
            created_at: now,
            expires_at: now + Duration::seconds(client.refresh_token_seconds),
            used: false,
            revoked: false,
            ..like.clone()
        };
        tx.insert_refresh_token(&stored).await?;
        tx.append_audit(
            NewAuditEvent::new(now, Actor::User(stored.user_id), action, "oidc_client")
                .target(&client.client_id)
                .details(&json!({ "family": stored.family, "scope": stored.scope })),
        )
        .await?;
        Ok(token)
    }

    /// The refresh token grant (RFC 6749 §6) with rotation and reuse detection.
    pub(crate) async fn refresh_grant(
        &self,
        mut tx: Tx,
        client: &OidcClient,
        request: &TokenRequest,
    ) -> AppResult<Result<TokenResponse, OAuthFailure>> {
        let Some(presented) = request.refresh_token.as_deref() else {
            return fail(OAuthError::InvalidRequest, "refresh_token is missing");
        };
        let now = self.now();
        let digest = token_digest(presented);
        let unusable = || {
            fail(
                OAuthError::InvalidGrant,
                "the refresh token is unknown, used, revoked or expired",
            )
        };
        let Some(stored) = tx.refresh_token(&digest).await? else {
            return unusable();
        };
        // Another client's token is treated as unknown: nothing about it is revealed.
        if stored.client != client.id || stored.revoked {
            return unusable();
        }
        // Used already (or by a concurrent request that won the race): someone holds a
        // copy, so nothing of that family may work any more.
        if stored.used || !tx.use_refresh_token(&digest).await? {
            let revoked = tx.revoke_refresh_family(stored.family).await?;
            tx.append_audit(
                NewAuditEvent::new(
                    now,
                    Actor::User(stored.user_id),
                    "oidc.refresh_token.reuse",
                    "oidc_client",
                )
                .target(&client.client_id)
                .details(&json!({ "family": stored.family, "revoked": revoked })),
            )
            .await?;
            tx.commit().await?;
            return unusable();
        }
        if stored.expires_at <= now {
            return unusable();
        }
        let scope = match request.scope.as_deref() {
            Some(asked) if !within(asked, &stored.scope) => {
                return fail(OAuthError::InvalidScope, "more scope than was granted");
            }
            Some(asked) => asked
                .split(' ')
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
            None => stored.scope.clone(),
        };
        let Some(user) = tx.user(stored.user_id).await? else {
            return unusable();
        };
        if user.effective_status(now) != UserStatus::Active {
            return fail(OAuthError::InvalidGrant, "the account cannot sign in");
        }
        // Signing out ends the refresh tokens of the session too.
        if !session_open(&mut tx, &user, stored.session_id).await? {
            return fail(OAuthError::InvalidGrant, "the sign-in session has ended");
        }
        let next = RefreshToken {
            scope: scope.clone(),
            ..stored.clone()
        };
        let refresh_token = self
            .issue_refresh_token(&mut tx, client, &next, "oidc.refresh_token.rotate")
            .await?;
        tx.commit().await?;
        let signer = self.signer().await?;
        let access = self.access_claims(
            client,
            user.id.0.to_string(),
            scope.clone(),
            Some((&stored.auth_time, stored.acr.as_str(), stored.session_id)),
        );
        Ok(Ok(TokenResponse {
            access_token: signer
                .sign(&access, "at+jwt")
                .map_err(|e| AppError::Internal(e.to_string()))?,
            token_type: "Bearer",
            expires_in: client.access_token_seconds,
            id_token: None,
            refresh_token: Some(refresh_token),
            scope: Some(scope),
        }))
    }

    /// The client credentials grant (RFC 6749 §4.4): a confidential client acting for
    /// itself. The token's subject is the client; it carries no person's claims, so
    /// userinfo refuses it. Not audited: it changes nothing and would flood the trail.
    pub(crate) async fn client_credentials_grant(
        &self,
        client: &OidcClient,
        request: &TokenRequest,
    ) -> AppResult<Result<TokenResponse, OAuthFailure>> {
        if client.auth_method == ClientAuthMethod::None {
            return fail(
                OAuthError::UnauthorizedClient,
                "a public client cannot use client credentials",
            );
        }
        // The person scopes make no sense without a person; no other scopes exist yet.
        if request
            .scope
            .as_deref()
            .is_some_and(|s| s.split(' ').any(|s| !s.is_empty()))
        {
            return fail(
                OAuthError::InvalidScope,
                "no scope is available to client credentials",
            );
        }
        let signer = self.signer().await?;
        let access = self.access_claims(client, client.client_id.clone(), String::new(), None);
        Ok(Ok(TokenResponse {
            access_token: signer
                .sign(&access, "at+jwt")
                .map_err(|e| AppError::Internal(e.to_string()))?,
            token_type: "Bearer",
            expires_in: client.access_token_seconds,
            id_token: None,
            refresh_token: None,
            scope: None,
        }))
    }
}
