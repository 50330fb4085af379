//! OpenID Connect provider, part three: the refresh token and client credentials grants.
//!
//! Refresh tokens are issued with the code exchange to every client that has the
//! `refresh_token` grant, public or confidential, whatever the scope: they end with the
//! single sign-on session they came from, so `offline_access` (a token outliving the
//! sign-in) is not offered. Each refresh rotates the token; presenting a used one again
//! means it leaked, and the whole family (every token descended from that code) is revoked.

use std::sync::Arc;

use serde_json::json;
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::setup::{token_digest, token_text};
use tessera_protocols::oauth::OAuthError;
use tessera_store::oidc::{ClientAuthMethod, OidcClient};
use tessera_store::oidc_refresh::RefreshToken;
use tessera_store::{AuditLog, OidcRefreshStore, Tx};
use time::Duration;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::oidc_answers::SignIn;
use crate::oidc_rotation::{Claim, Outcome};
use crate::oidc_tokens::{OAuthFailure, TokenRequest, TokenResponse, fail};

/// Whether every scope in `asked` is among `granted` (RFC 6749 §6: a refresh may narrow the
/// scope, never widen it).
fn within(asked: &str, granted: &str) -> bool {
    asked
        .split(' ')
        .filter(|s| !s.is_empty())
        .all(|s| granted.split(' ').any(|g| g == s))
}

/// The one answer for a refresh token that is unknown, another client's, used, revoked or
/// expired: which of these it is stays untold.
fn refresh_unusable<T>() -> AppResult<Result<T, OAuthFailure>> {
    fail(
        OAuthError::InvalidGrant,
        "the refresh token is unknown, used, revoked or expired",
    )
}

impl App {
    /// A new refresh token of `like`'s family: the token to hand out, and what is stored of
    /// it (its digest).
    pub(crate) fn next_refresh_token(
        &self,
        client: &OidcClient,
        like: &RefreshToken,
    ) -> (String, RefreshToken) {
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
        (token, stored)
    }

    /// The audit event of a refresh token issued to `client`.
    pub(crate) fn refresh_token_event(
        &self,
        client: &OidcClient,
        stored: &RefreshToken,
        action: &str,
    ) -> NewAuditEvent {
        NewAuditEvent::new(
            self.now(),
            Actor::User(stored.user_id),
            action,
            "oidc_client",
        )
        .target(&client.client_id)
        .details(&json!({ "family": stored.family, "scope": stored.scope }))
    }

    /// Stores a new refresh token of `like`'s family (its digest only), audited in the
    /// same transaction; gives the token back.
    pub(crate) async fn issue_refresh_token(
        &self,
        tx: &mut Tx,
        client: &OidcClient,
        like: &RefreshToken,
        action: &str,
    ) -> AppResult<String> {
        let (token, stored) = self.next_refresh_token(client, like);
        tx.insert_refresh_token(&stored).await?;
        tx.append_audit(self.refresh_token_event(client, &stored, action))
            .await?;
        Ok(token)
    }

    /// The refresh token grant (RFC 6749 §6) with rotation and reuse detection. The token
    /// is claimed in a batch of SQLite's one writer (`oidc_rotation.rs`), conditionally, so
    /// that of two concurrent refreshes one wins and the other is reuse, and judged there;
    /// a token the batch could not claim is read again to tell the client why.
    pub(crate) async fn refresh_grant(
        &self,
        client: &Arc<OidcClient>,
        request: &TokenRequest,
    ) -> AppResult<Result<TokenResponse, OAuthFailure>> {
        let Some(presented) = request.refresh_token.as_deref() else {
            return fail(OAuthError::InvalidRequest, "refresh_token is missing");
        };
        let digest = token_digest(presented);
        // A second try only when a twin of this request in the same batch claimed the
        // token and was refused (which put it back).
        for _ in 0..2 {
            let claim = Claim {
                digest: digest.clone(),
                client: Arc::clone(client),
                scope: request.scope.clone(),
            };
            match self.commit_rotation(claim).await? {
                Outcome::Rotated {
                    stored,
                    token,
                    scope,
                } => return self.refreshed(client, &stored, token, scope).await,
                Outcome::Refused(failure) => return Ok(Err(failure)),
                Outcome::NotClaimed => {}
            }
            let mut reads = self.store().reads().await?;
            let stored = reads.refresh_token(&digest).await?;
            drop(reads);
            match stored {
                // Another client's token is treated as unknown: nothing about it is revealed.
                Some(stored) if stored.client == client.id && !stored.revoked => {
                    // Used meanwhile: someone holds a copy.
                    if stored.used {
                        return self.refresh_reused(client, &stored).await;
                    }
                }
                _ => return refresh_unusable(),
            }
        }
        refresh_unusable()
    }

    /// Judges a claimed token for the claim's client, in the batch's transaction: the scope
    /// the successor gets, or why there is none.
    pub(crate) async fn judge_refresh(
        &self,
        tx: &mut Tx,
        claim: &Claim,
        stored: &RefreshToken,
    ) -> AppResult<Result<String, OAuthFailure>> {
        // Another client's token is treated as unknown: nothing about it is revealed.
        if stored.client != claim.client.id || stored.expires_at <= self.now() {
            return refresh_unusable();
        }
        let scope = match claim.scope.as_deref() {
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
        match self.sign_in(tx, stored.user_id, stored.session_id).await? {
            SignIn::Holds => Ok(Ok(scope)),
            SignIn::AccountUnusable => fail(OAuthError::InvalidGrant, "the account cannot sign in"),
            // Signing out ends the refresh tokens of the session too.
            SignIn::SessionEnded => fail(OAuthError::InvalidGrant, "the sign-in session has ended"),
        }
    }

    /// The answer to a rotated refresh token: a new access token beside its successor.
    async fn refreshed(
        &self,
        client: &OidcClient,
        stored: &RefreshToken,
        refresh_token: String,
        scope: String,
    ) -> AppResult<Result<TokenResponse, OAuthFailure>> {
        let signer = self.signer().await?;
        let access = self.access_claims(
            client,
            stored.user_id.0.to_string(),
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

    /// A used refresh token came back: someone holds a copy, so nothing of its family may
    /// work any more. The revocation is committed, and the request refused.
    async fn refresh_reused(
        &self,
        client: &OidcClient,
        stored: &RefreshToken,
    ) -> AppResult<Result<TokenResponse, OAuthFailure>> {
        let mut tx = self.store().begin().await?;
        let revoked = tx.revoke_refresh_family(stored.family).await?;
        tx.append_audit(
            NewAuditEvent::new(
                self.now(),
                Actor::User(stored.user_id),
                "oidc.refresh_token.reuse",
                "oidc_client",
            )
            .target(&client.client_id)
            .details(&json!({ "family": stored.family, "revoked": revoked })),
        )
        .await?;
        tx.commit().await?;
        refresh_unusable()
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
