//! OpenID Connect provider, part two: the token endpoint (authorization code grant, with
//! the other grants in `oidc_grants.rs`) and userinfo. Protocol refusals come back as [`OAuthFailure`] (answered with RFC 6749 error
//! codes); `AppError` is kept for faults of Tessera itself.

use std::sync::Arc;

use subtle::ConstantTimeEq;
use tessera_domain::UserId;
use tessera_domain::setup::{token_digest, token_text};
use tessera_domain::user::{User, UserStatus};
use tessera_protocols::oauth::{OAuthError, verify_pkce};
use tessera_protocols::tokens::{
    AccessTokenClaims, IdTokenClaims, Person, Profile, kid_of, verify,
};
use tessera_store::oidc::{ClientAuthMethod, OidcClient};
use tessera_store::oidc_refresh::RefreshToken;
use tessera_store::{Memberships, OidcRefreshStore, OidcStore, Sessions, Tx, Users};
use uuid::Uuid;

use crate::app::App;
use crate::error::{AppError, AppResult};

/// A refusal the client is told about, with an RFC 6749 / RFC 6750 error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthFailure {
    pub error: OAuthError,
    pub description: String,
}

pub(crate) fn fail<T>(error: OAuthError, description: &str) -> AppResult<Result<T, OAuthFailure>> {
    Ok(Err(OAuthFailure {
        error,
        description: description.to_owned(),
    }))
}

/// How a client authenticated to the token, introspection or revocation endpoint.
#[derive(Debug, Clone, Default)]
pub struct ClientCredentials {
    /// From the form (`client_secret_post`, or a public client).
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// From `Authorization: Basic` (`client_secret_basic`), already decoded.
    pub basic: Option<(String, String)>,
    /// `private_key_jwt` (RFC 7523 §2.2): the assertion's type and the signed JWT.
    pub client_assertion_type: Option<String>,
    pub client_assertion: Option<String>,
}

impl TokenRequest {
    fn credentials(&self) -> ClientCredentials {
        ClientCredentials {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            basic: self.basic.clone(),
            client_assertion_type: self.client_assertion_type.clone(),
            client_assertion: self.client_assertion.clone(),
        }
    }
}

/// A token request as posted (form fields), with the client's credentials wherever they
/// came from.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
    /// From the form (`client_secret_post`, or a public client).
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// From `Authorization: Basic` (`client_secret_basic`), already decoded.
    pub basic: Option<(String, String)>,
    /// `private_key_jwt`: the assertion's type and the signed JWT.
    pub client_assertion_type: Option<String>,
    pub client_assertion: Option<String>,
}

/// The successful answer of the token endpoint (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    /// Only from the code exchange: a refresh keeps the sign-in it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// When the client has the `refresh_token` grant (not for client credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// What userinfo answers: the subject and the claims its scopes release.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserInfo {
    pub sub: String,
    #[serde(flatten)]
    pub profile: Profile,
}

/// Whether a session of this person has not been ended (signed out, or ended from another
/// device or by an administrator).
pub(crate) async fn session_open(tx: &mut Tx, user: &User, session: Uuid) -> AppResult<bool> {
    Ok(tx
        .open_sessions_of(user.id)
        .await?
        .iter()
        .any(|s| s.id == session))
}

impl App {
    /// Authenticates the client: a secret compared as digests in constant time, an
    /// assertion checked against the client's keys, or nothing for a public client. The
    /// client is read through the cache of `oidc_answers.rs`.
    pub(crate) async fn authenticate_client(
        &self,
        credentials: &ClientCredentials,
    ) -> AppResult<Result<Arc<OidcClient>, OAuthFailure>> {
        if credentials.has_assertion() {
            return self.authenticate_by_assertion(credentials).await;
        }
        let request = credentials;
        let (client_id, secret) = match (&request.basic, &request.client_secret) {
            (Some(_), Some(_)) => {
                return fail(
                    OAuthError::InvalidRequest,
                    "use one way of client authentication",
                );
            }
            (Some((id, secret)), None) => {
                if request.client_id.as_ref().is_some_and(|form| form != id) {
                    return fail(OAuthError::InvalidRequest, "two different client ids");
                }
                (id.as_str(), Some(secret.as_str()))
            }
            (None, secret) => match &request.client_id {
                Some(id) => (id.as_str(), secret.as_deref()),
                None => return fail(OAuthError::InvalidClient, "client authentication failed"),
            },
        };
        let Some(client) = self.client_named(client_id).await? else {
            return fail(OAuthError::InvalidClient, "client authentication failed");
        };
        if client.auth_method == ClientAuthMethod::PrivateKeyJwt {
            return fail(
                OAuthError::InvalidClient,
                "this client authenticates with private_key_jwt",
            );
        }
        let authenticated = match (&client.secret_digest, secret) {
            (Some(stored), Some(given)) => {
                bool::from(stored.as_bytes().ct_eq(token_digest(given).as_bytes()))
            }
            // A public client proves itself with PKCE instead, checked on the code.
            (None, None) => client.auth_method == ClientAuthMethod::None,
            _ => false,
        };
        if !authenticated {
            return fail(OAuthError::InvalidClient, "client authentication failed");
        }
        Ok(Ok(client))
    }

    /// The token endpoint: authenticates the client, checks it may use the grant, and
    /// hands over to the grant.
    pub async fn oidc_token(
        &self,
        request: &TokenRequest,
    ) -> AppResult<Result<TokenResponse, OAuthFailure>> {
        let grant = match request.grant_type.as_deref() {
            None => return fail(OAuthError::InvalidRequest, "grant_type is missing"),
            Some(grant @ ("authorization_code" | "refresh_token" | "client_credentials")) => grant,
            Some(_) => {
                return fail(
                    OAuthError::UnsupportedGrantType,
                    "authorization_code, refresh_token or client_credentials",
                );
            }
        };
        // The client is known before any write begins: the client credentials grant writes
        // nothing, and the others hold SQLite's one writer for less.
        let client = match self.authenticate_client(&request.credentials()).await? {
            Ok(client) => client,
            Err(failure) => return Ok(Err(failure)),
        };
        if !client.grant_types.iter().any(|g| g == grant) {
            return fail(
                OAuthError::UnauthorizedClient,
                "this client may not use this grant type",
            );
        }
        match grant {
            "client_credentials" => self.client_credentials_grant(&client, request).await,
            "refresh_token" => self.refresh_grant(&client, request).await,
            _ => self.code_grant(&client, request).await,
        }
    }

    /// The authorization code grant: the code works once, for the client it was issued to,
    /// with the same redirect URI and the PKCE verifier when it has a challenge.
    async fn code_grant(
        &self,
        client: &OidcClient,
        request: &TokenRequest,
    ) -> AppResult<Result<TokenResponse, OAuthFailure>> {
        let now = self.now();
        let Some(code) = request.code.as_deref() else {
            return fail(OAuthError::InvalidRequest, "code is missing");
        };
        let mut tx = self.store().begin().await?;
        // A code and a refresh token are no fact any cache keeps.
        tx.keeps_cached_facts();
        // The code is burnt before it is judged, and the burning is committed whatever the
        // outcome: a code seen in a bad request must not work afterwards either.
        let stored = tx.consume_oidc_code(&token_digest(code), now).await?;
        tx.commit().await?;
        let Some(stored) = stored else {
            return fail(
                OAuthError::InvalidGrant,
                "the code is unknown, used or expired",
            );
        };
        if stored.client != client.id {
            return fail(
                OAuthError::InvalidGrant,
                "the code was issued to another client",
            );
        }
        if request.redirect_uri.as_deref() != Some(stored.redirect_uri.as_str()) {
            return fail(OAuthError::InvalidGrant, "redirect_uri does not match");
        }
        match (&stored.code_challenge, request.code_verifier.as_deref()) {
            (Some(challenge), Some(verifier)) if verify_pkce(challenge, verifier) => {}
            (None, None) => {}
            _ => return fail(OAuthError::InvalidGrant, "PKCE verification failed"),
        }

        let mut tx = self.store().reads().await?;
        let Some(user) = tx.user(stored.user_id).await? else {
            return fail(OAuthError::InvalidGrant, "the account is gone");
        };
        if user.effective_status(now) != UserStatus::Active {
            return fail(OAuthError::InvalidGrant, "the account cannot sign in");
        }
        if !session_open(&mut tx, &user, stored.session_id).await? {
            return fail(OAuthError::InvalidGrant, "the sign-in session has ended");
        }
        let person = self.person(&mut tx, &user, client, &stored.scope).await?;
        drop(tx);

        let mut tx = self.store().begin().await?;
        tx.keeps_cached_facts();
        let refresh_token = if client.grant_types.iter().any(|g| g == "refresh_token") {
            let family = RefreshToken {
                token_digest: String::new(),
                family: Uuid::now_v7(),
                client: client.id,
                user_id: user.id,
                session_id: stored.session_id,
                scope: stored.scope.clone(),
                acr: stored.acr.clone(),
                amr: stored.amr.clone(),
                auth_time: stored.auth_time,
                created_at: now,
                expires_at: now,
                used: false,
                revoked: false,
            };
            Some(
                self.issue_refresh_token(&mut tx, client, &family, "oidc.refresh_token.issue")
                    .await?,
            )
        } else {
            None
        };
        tx.commit().await?;
        let signer = self.signer().await?;
        // The client chose its ID tokens' algorithm; access tokens stay ES256.
        let id_signer = self.signer_for(&client.id_token_alg).await?;

        let issuer = &self.config().public_url;
        let iat = now.unix_timestamp();
        let access = self.access_claims(
            client,
            user.id.0.to_string(),
            stored.scope.clone(),
            Some((&stored.auth_time, stored.acr.as_str(), stored.session_id)),
        );
        let id = IdTokenClaims {
            iss: issuer.clone(),
            sub: user.id.0.to_string(),
            aud: client.client_id.clone(),
            azp: client.client_id.clone(),
            exp: iat + client.id_token_seconds,
            iat,
            auth_time: stored.auth_time.unix_timestamp(),
            nonce: stored.nonce.clone(),
            acr: stored.acr.clone(),
            amr: stored.amr.clone(),
            sid: Some(stored.session_id.to_string()),
            profile: Profile::released(&person, &stored.scope),
        };
        let sign_error =
            |e: tessera_protocols::tokens::TokenError| AppError::Internal(e.to_string());
        Ok(Ok(TokenResponse {
            access_token: signer.sign(&access, "at+jwt").map_err(sign_error)?,
            token_type: "Bearer",
            expires_in: client.access_token_seconds,
            id_token: Some(id_signer.sign(&id, "JWT").map_err(sign_error)?),
            refresh_token,
            scope: Some(stored.scope),
        }))
    }

    /// Userinfo for a bearer access token that Tessera signed and that has not expired.
    pub async fn oidc_userinfo(
        &self,
        access_token: &str,
    ) -> AppResult<Result<UserInfo, OAuthFailure>> {
        let invalid = || fail(OAuthError::InvalidToken, "the access token is not valid");
        // A client asks again with the same token, often.
        let at = self.lookup();
        if let Some(answer) = self.kept_userinfo(access_token, &at) {
            return Ok(Ok(answer));
        }
        let mut tx = self.store().reads().await?;
        let Some(claims) = self.live_access_token(&mut tx, access_token).await? else {
            return invalid();
        };
        if !claims.scope.split(' ').any(|s| s == "openid") {
            return fail(
                OAuthError::InvalidToken,
                "the token was not issued for openid",
            );
        }
        let Ok(user_id) = Uuid::parse_str(&claims.sub) else {
            return invalid();
        };
        let Some(user) = tx.user(UserId(user_id)).await? else {
            return invalid();
        };
        if user.effective_status(self.now()) != UserStatus::Active {
            return invalid();
        }
        // Tokens die with the single sign-on session they came from (signing out ends both).
        let Some(Ok(sid)) = claims.sid.as_deref().map(Uuid::parse_str) else {
            return invalid();
        };
        if !session_open(&mut tx, &user, sid).await? {
            return invalid();
        }
        let Some(client) = self.client_named_on(&mut tx, &claims.client_id).await? else {
            return invalid();
        };
        let person = self.person(&mut tx, &user, &client, &claims.scope).await?;
        let answer = UserInfo {
            sub: claims.sub,
            profile: Profile::released(&person, &claims.scope),
        };
        self.keep_userinfo(access_token, &answer, claims.exp, &at);
        Ok(Ok(answer))
    }

    /// The person as the client's application environment sees them; the phone number is
    /// read only when `scope` asks for it.
    async fn person(
        &self,
        tx: &mut Tx,
        user: &User,
        client: &OidcClient,
        scope: &str,
    ) -> AppResult<Person> {
        let phone_number = if scope.split(' ').any(|s| s == "phone") {
            crate::oidc_consent::phone_of(tx, user.id).await?
        } else {
            None
        };
        let groups = tx
            .groups_held_in(
                user.id,
                client.application_id,
                client.environment,
                self.now(),
            )
            .await?
            .into_iter()
            .map(|g| g.technical_name)
            .collect();
        Ok(Person {
            given_name: user.first_name.clone(),
            family_name: user.last_name.clone(),
            email: user.email.clone(),
            // Accounts become active through a link sent to their address.
            email_verified: true,
            phone_number,
            groups,
        })
    }

    /// An access token Tessera signed with a live key, not expired and not revoked; its
    /// claims, or `None`. Whether its person and session still hold is the caller's check.
    pub(crate) async fn live_access_token(
        &self,
        tx: &mut Tx,
        token: &str,
    ) -> AppResult<Option<AccessTokenClaims>> {
        let Ok(Some(kid)) = kid_of(token) else {
            return Ok(None);
        };
        let keys = self.key_set_on(tx).await?;
        let Some(key) = keys.find(&kid, self.now()) else {
            return Ok(None);
        };
        let issuer = &self.config().public_url;
        let now = self.now().unix_timestamp();
        let Ok(claims) = verify::<AccessTokenClaims>(token, &key.jwk, issuer, Some(issuer), now)
        else {
            return Ok(None);
        };
        if tx.access_token_revoked(&claims.jti).await? {
            return Ok(None);
        }
        Ok(Some(claims))
    }

    /// The claims of a new access token; `signed_in` is the person's sign-in (its time,
    /// assurance and session), absent for the client itself.
    pub(crate) fn access_claims(
        &self,
        client: &OidcClient,
        sub: String,
        scope: String,
        signed_in: Option<(&time::OffsetDateTime, &str, Uuid)>,
    ) -> AccessTokenClaims {
        let issuer = &self.config().public_url;
        let iat = self.now().unix_timestamp();
        AccessTokenClaims {
            iss: issuer.clone(),
            sub,
            aud: issuer.clone(),
            client_id: client.client_id.clone(),
            exp: iat + client.access_token_seconds,
            iat,
            jti: token_text(self.random_bytes()),
            scope,
            auth_time: signed_in.map(|(at, _, _)| at.unix_timestamp()),
            acr: signed_in.map(|(_, acr, _)| acr.to_owned()),
            sid: signed_in.map(|(_, _, sid)| sid.to_string()),
        }
    }
}
