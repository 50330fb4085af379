//! `private_key_jwt` client authentication (OpenID Connect Core §9, RFC 7523) at the token,
//! introspection and revocation endpoints. `protocols::client_assertion` checks the JWT; here
//! the client is found, its kind checked, and the assertion's `jti` spent in the store.

use std::sync::Arc;

use tessera_protocols::client_assertion::{JWT_BEARER, claimed_client_id, verify_client_assertion};
use tessera_protocols::oauth::OAuthError;
use tessera_store::oidc::{ClientAuthMethod, OidcClient};
use tessera_store::{ClientAssertions, Tx};
use time::OffsetDateTime;

use crate::app::App;
use crate::error::AppResult;
use crate::oidc_tokens::{ClientCredentials, OAuthFailure, fail};

impl ClientCredentials {
    /// Whether the client authenticates with an assertion rather than a secret.
    pub(crate) fn has_assertion(&self) -> bool {
        self.client_assertion.is_some() || self.client_assertion_type.is_some()
    }
}

impl App {
    /// For endpoints that go on to write: the client authenticated, then a write transaction
    /// for the rest of the work. The client is authenticated first because spending an
    /// assertion's `jti` commits a write of its own, and SQLite's one writer connection must
    /// not be held meanwhile.
    pub(crate) async fn authenticated_for_writing(
        &self,
        credentials: &ClientCredentials,
    ) -> AppResult<Result<(Arc<OidcClient>, Tx), OAuthFailure>> {
        let client = match self.authenticate_client(credentials).await? {
            Ok(client) => client,
            Err(failure) => return Ok(Err(failure)),
        };
        Ok(Ok((client, self.store().begin().await?)))
    }

    /// Checks a client assertion: the client (read through the cache) must authenticate with
    /// `private_key_jwt`, the JWT must pass `verify_client_assertion` against its registered
    /// keys, and its `jti` is spent in a transaction committed at once, so it never works
    /// again whatever becomes of the request.
    pub(crate) async fn authenticate_by_assertion(
        &self,
        credentials: &ClientCredentials,
    ) -> AppResult<Result<Arc<OidcClient>, OAuthFailure>> {
        let refused = |why: &str| fail(OAuthError::InvalidClient, why);
        if credentials.client_secret.is_some() || credentials.basic.is_some() {
            return fail(
                OAuthError::InvalidRequest,
                "use one way of client authentication",
            );
        }
        if credentials.client_assertion_type.as_deref() != Some(JWT_BEARER) {
            return fail(
                OAuthError::InvalidRequest,
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            );
        }
        let Some(assertion) = credentials.client_assertion.as_deref() else {
            return fail(OAuthError::InvalidRequest, "client_assertion is missing");
        };
        // RFC 7523 §3: client_id may be left out, the assertion names the client anyway.
        let claimed = claimed_client_id(assertion);
        let client_id = match (credentials.client_id.as_deref(), claimed.as_deref()) {
            (Some(form), Some(claimed)) if form != claimed => {
                return refused("client_id and the assertion name different clients");
            }
            (Some(id), _) | (None, Some(id)) => id.to_owned(),
            (None, None) => return refused("client authentication failed"),
        };
        let Some(client) = self.client_named(&client_id).await? else {
            return refused("client authentication failed");
        };
        // A client registered for secrets must not be able to pick the weaker of two ways.
        if client.auth_method != ClientAuthMethod::PrivateKeyJwt {
            return refused("this client does not authenticate with private_key_jwt");
        }
        let Some(jwks) = client.jwks.as_deref() else {
            return refused("this client has no registered keys");
        };
        let issuer = &self.config().public_url;
        let token_endpoint = format!("{issuer}/oidc/token");
        let now = self.now();
        let verified = match verify_client_assertion(
            assertion,
            jwks,
            &client.client_id,
            &[token_endpoint.as_str(), issuer.as_str()],
            now.unix_timestamp(),
        ) {
            Ok(verified) => verified,
            Err(why) => return refused(&why.to_string()),
        };
        let expires = OffsetDateTime::from_unix_timestamp(verified.exp).unwrap_or(now);
        let mut write = self.store().begin().await?;
        write.keeps_cached_facts();
        let fresh = write
            .spend_client_assertion(client.id, &verified.jti, expires, now)
            .await?;
        write.commit().await?;
        if !fresh {
            return refused("the client assertion was used already");
        }
        Ok(Ok(client))
    }
}
