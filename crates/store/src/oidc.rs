//! OpenID Connect clients and authorization codes. Client secrets and codes arrive here as
//! SHA-256 digests; the store never sees the values themselves.

use tessera_domain::UserId;
use tessera_domain::application::Environment;
use tessera_domain::session::Assurance;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

/// A registered relying party, belonging to one application environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcClient {
    pub id: Uuid,
    /// The public identifier the client presents (`client_id`).
    pub client_id: String,
    pub application_id: Uuid,
    pub environment: Environment,
    pub name: String,
    /// SHA-256 of the secret, hex; `None` for a public client.
    pub secret_digest: Option<String>,
    /// Compared exactly, never by prefix.
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    pub access_token_seconds: i64,
    pub id_token_seconds: i64,
    /// How long a refresh token lives (each refresh issues a new one with a fresh lifetime).
    pub refresh_token_seconds: i64,
    /// Where logout tokens are posted when a session it served ends (OIDC Back-Channel Logout).
    pub backchannel_logout_uri: Option<String>,
    /// The assurance this client needs beyond its application's minimum, if more.
    pub min_assurance: Option<Assurance>,
    /// A third party: people consent before it receives their data.
    pub third_party: bool,
    /// How it authenticates at the token endpoint.
    pub auth_method: ClientAuthMethod,
    /// Its public keys (a JWK Set as JSON) for `private_key_jwt`.
    pub jwks: Option<String>,
    /// The algorithm of its ID tokens: `ES256`, `RS256` or `EdDSA`.
    pub id_token_alg: String,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Client authentication at the token endpoint (RFC 7591 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthMethod {
    /// A secret in the Authorization header; the secret in the form body is accepted too.
    ClientSecretBasic,
    /// A secret in the form body; the Authorization header is accepted too.
    ClientSecretPost,
    /// A JWT signed with one of the client's registered keys (RFC 7523).
    PrivateKeyJwt,
    /// A public client: no authentication, PKCE instead.
    None,
}

impl ClientAuthMethod {
    pub const ALL: [ClientAuthMethod; 4] = [
        ClientAuthMethod::ClientSecretBasic,
        ClientAuthMethod::ClientSecretPost,
        ClientAuthMethod::PrivateKeyJwt,
        ClientAuthMethod::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuthMethod::ClientSecretBasic => "client_secret_basic",
            ClientAuthMethod::ClientSecretPost => "client_secret_post",
            ClientAuthMethod::PrivateKeyJwt => "private_key_jwt",
            ClientAuthMethod::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether the client holds a secret that Tessera generated.
    pub fn uses_secret(self) -> bool {
        matches!(
            self,
            ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost
        )
    }
}

/// An authorization code as issued: everything the token endpoint needs to check and answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcCode {
    pub code_digest: String,
    /// The client's row id (not its `client_id`).
    pub client: Uuid,
    pub user_id: UserId,
    pub session_id: Uuid,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
    pub scope: String,
    pub acr: String,
    pub amr: Vec<String>,
    pub auth_time: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A consent as "Applications you allowed" lists it: the client, its application and
/// environment, the scopes allowed and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// The client's row id (not its `client_id`).
    pub client: Uuid,
    /// The public identifier the client presents.
    pub client_id: String,
    pub client_name: String,
    pub application_name: String,
    pub environment: Environment,
    /// Space-separated scopes allowed so far.
    pub scope: String,
    pub granted_at: OffsetDateTime,
}

/// The port for OpenID Connect clients and codes.
pub trait OidcStore {
    /// `Conflict` when the `client_id` is taken.
    async fn insert_oidc_client(&mut self, client: &OidcClient) -> StoreResult<()>;
    async fn oidc_client(&mut self, client_id: &str) -> StoreResult<Option<OidcClient>>;
    async fn oidc_clients_of(&mut self, application: Uuid) -> StoreResult<Vec<OidcClient>>;
    async fn insert_oidc_code(&mut self, code: &OidcCode) -> StoreResult<()>;
    /// Marks a live, unused code used and gives it back; `None` when it is unknown, expired
    /// or used already. One conditional UPDATE, so a code works once even across nodes.
    async fn consume_oidc_code(
        &mut self,
        digest: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<OidcCode>>;
    /// Deletes codes that expired before `before`; how many.
    async fn delete_expired_oidc_codes(&mut self, before: OffsetDateTime) -> StoreResult<u64>;
    /// A client by its row id.
    async fn oidc_client_by_id(&mut self, id: Uuid) -> StoreResult<Option<OidcClient>>;
    /// Replaces a client's settings when its version is still `expected_version` (the
    /// client's `version` is the new one); false when it changed meanwhile or is gone.
    async fn update_oidc_client(
        &mut self,
        client: &OidcClient,
        expected_version: i64,
    ) -> StoreResult<bool>;
    /// Deletes a client with its codes, refresh tokens and consents; false when it is gone.
    async fn delete_oidc_client(&mut self, id: Uuid) -> StoreResult<bool>;
    /// The scopes a person has allowed a client so far.
    async fn oidc_consent(&mut self, user: UserId, client: Uuid) -> StoreResult<Option<String>>;
    /// Records the scopes a person allows a client (replacing what was there).
    async fn save_oidc_consent(
        &mut self,
        user: UserId,
        client: Uuid,
        scope: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Everything a person has allowed, with the client's and application's names, newest
    /// first.
    async fn oidc_consents_of(&mut self, user: UserId) -> StoreResult<Vec<ConsentRecord>>;
    /// Forgets what a person allowed a client; false when there was nothing.
    async fn delete_oidc_consent(&mut self, user: UserId, client: Uuid) -> StoreResult<bool>;
}

#[derive(sqlx::FromRow)]
struct ConsentRow {
    client: Uuid,
    client_id: String,
    client_name: String,
    application_name: String,
    environment: String,
    scope: String,
    granted_at: Ts,
}

impl TryFrom<ConsentRow> for ConsentRecord {
    type Error = StoreError;

    fn try_from(row: ConsentRow) -> Result<Self, Self::Error> {
        Ok(ConsentRecord {
            environment: Environment::parse(&row.environment).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown environment '{}'", row.environment))
            })?,
            client: row.client,
            client_id: row.client_id,
            client_name: row.client_name,
            application_name: row.application_name,
            scope: row.scope,
            granted_at: row.granted_at.0,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ClientRow {
    id: Uuid,
    client_id: String,
    application_id: Uuid,
    environment: String,
    name: String,
    secret_digest: Option<String>,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    grant_types: String,
    access_token_seconds: i64,
    id_token_seconds: i64,
    refresh_token_seconds: i64,
    backchannel_logout_uri: Option<String>,
    min_assurance: Option<String>,
    third_party: bool,
    auth_method: String,
    jwks: Option<String>,
    id_token_alg: String,
    version: i64,
    created_at: Ts,
    updated_at: Ts,
}

pub(crate) fn split_lines(s: &str) -> Vec<String> {
    s.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl TryFrom<ClientRow> for OidcClient {
    type Error = StoreError;

    fn try_from(row: ClientRow) -> Result<Self, Self::Error> {
        Ok(OidcClient {
            environment: Environment::parse(&row.environment).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown environment '{}'", row.environment))
            })?,
            id: row.id,
            client_id: row.client_id,
            application_id: row.application_id,
            name: row.name,
            secret_digest: row.secret_digest,
            redirect_uris: split_lines(&row.redirect_uris),
            post_logout_redirect_uris: split_lines(&row.post_logout_redirect_uris),
            grant_types: split_lines(&row.grant_types),
            access_token_seconds: row.access_token_seconds,
            id_token_seconds: row.id_token_seconds,
            refresh_token_seconds: row.refresh_token_seconds,
            min_assurance: row
                .min_assurance
                .as_deref()
                .map(|a| {
                    Assurance::parse(a)
                        .ok_or_else(|| StoreError::Corrupt(format!("unknown assurance '{a}'")))
                })
                .transpose()?,
            auth_method: ClientAuthMethod::parse(&row.auth_method).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown auth method '{}'", row.auth_method))
            })?,
            backchannel_logout_uri: row.backchannel_logout_uri,
            third_party: row.third_party,
            jwks: row.jwks,
            id_token_alg: row.id_token_alg,
            version: row.version,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    code_digest: String,
    client_id: Uuid,
    user_id: Uuid,
    session_id: Uuid,
    redirect_uri: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    nonce: Option<String>,
    scope: String,
    acr: String,
    amr: String,
    auth_time: Ts,
    created_at: Ts,
    expires_at: Ts,
}

impl From<CodeRow> for OidcCode {
    fn from(row: CodeRow) -> Self {
        OidcCode {
            code_digest: row.code_digest,
            client: row.client_id,
            user_id: UserId(row.user_id),
            session_id: row.session_id,
            redirect_uri: row.redirect_uri,
            code_challenge: row.code_challenge,
            code_challenge_method: row.code_challenge_method,
            nonce: row.nonce,
            scope: row.scope,
            acr: row.acr,
            amr: split_lines(&row.amr),
            auth_time: row.auth_time.0,
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
        }
    }
}

macro_rules! select_clients {
    ($rest:literal) => {
        concat!(
            "SELECT id, client_id, application_id, environment, name, secret_digest, \
             redirect_uris, post_logout_redirect_uris, grant_types, access_token_seconds, \
             id_token_seconds, refresh_token_seconds, backchannel_logout_uri, min_assurance, \
             third_party, auth_method, jwks, id_token_alg, version, created_at, updated_at \
             FROM oidc_clients ",
            $rest
        )
    };
}

impl OidcStore for Tx {
    async fn insert_oidc_client(&mut self, c: &OidcClient) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO oidc_clients (id, client_id, application_id, environment, name,
                 secret_digest, redirect_uris, post_logout_redirect_uris, grant_types,
                 access_token_seconds, id_token_seconds, refresh_token_seconds,
                 backchannel_logout_uri, min_assurance, third_party, auth_method, jwks,
                 id_token_alg, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                         $16, $17, $18, $19, $20, $21)"
            )
            .bind(c.id)
            .bind(&c.client_id)
            .bind(c.application_id)
            .bind(c.environment.as_str())
            .bind(&c.name)
            .bind(&c.secret_digest)
            .bind(c.redirect_uris.join("\n"))
            .bind(c.post_logout_redirect_uris.join("\n"))
            .bind(c.grant_types.join("\n"))
            .bind(c.access_token_seconds)
            .bind(c.id_token_seconds)
            .bind(c.refresh_token_seconds)
            .bind(&c.backchannel_logout_uri)
            .bind(c.min_assurance.map(Assurance::as_str))
            .bind(c.third_party)
            .bind(c.auth_method.as_str())
            .bind(&c.jwks)
            .bind(&c.id_token_alg)
            .bind(c.version)
            .bind(Ts(c.created_at))
            .bind(Ts(c.updated_at))
        )?;
        Ok(())
    }

    async fn oidc_client_by_id(&mut self, id: Uuid) -> StoreResult<Option<OidcClient>> {
        let row: Option<ClientRow> = with_conn!(self, conn =>
            sqlx::query_as(select_clients!("WHERE id = $1"))
                .bind(id).fetch_optional(conn).await)?;
        row.map(OidcClient::try_from).transpose()
    }

    async fn update_oidc_client(
        &mut self,
        c: &OidcClient,
        expected_version: i64,
    ) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query(
                "UPDATE oidc_clients SET name = $2, secret_digest = $3, redirect_uris = $4,
                 post_logout_redirect_uris = $5, grant_types = $6, access_token_seconds = $7,
                 id_token_seconds = $8, refresh_token_seconds = $9,
                 backchannel_logout_uri = $10, min_assurance = $11, third_party = $12,
                 auth_method = $13, jwks = $14, id_token_alg = $15, version = $16,
                 updated_at = $17
                 WHERE id = $1 AND version = $18"
            )
            .bind(c.id)
            .bind(&c.name)
            .bind(&c.secret_digest)
            .bind(c.redirect_uris.join("\n"))
            .bind(c.post_logout_redirect_uris.join("\n"))
            .bind(c.grant_types.join("\n"))
            .bind(c.access_token_seconds)
            .bind(c.id_token_seconds)
            .bind(c.refresh_token_seconds)
            .bind(&c.backchannel_logout_uri)
            .bind(c.min_assurance.map(Assurance::as_str))
            .bind(c.third_party)
            .bind(c.auth_method.as_str())
            .bind(&c.jwks)
            .bind(&c.id_token_alg)
            .bind(c.version)
            .bind(Ts(c.updated_at))
            .bind(expected_version)
        )?;
        Ok(changed == 1)
    }

    async fn delete_oidc_client(&mut self, id: Uuid) -> StoreResult<bool> {
        let deleted = exec!(
            self,
            sqlx::query("DELETE FROM oidc_clients WHERE id = $1").bind(id)
        )?;
        Ok(deleted == 1)
    }

    async fn oidc_consent(&mut self, user: UserId, client: Uuid) -> StoreResult<Option<String>> {
        let scope: Option<(String,)> = with_conn!(self, conn => sqlx::query_as(
            "SELECT scope FROM oidc_consents WHERE user_id = $1 AND client_id = $2")
            .bind(user.0).bind(client).fetch_optional(conn).await)?;
        Ok(scope.map(|(s,)| s))
    }

    async fn save_oidc_consent(
        &mut self,
        user: UserId,
        client: Uuid,
        scope: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO oidc_consents (user_id, client_id, scope, granted_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, client_id)
                 DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at"
            )
            .bind(user.0)
            .bind(client)
            .bind(scope)
            .bind(Ts(now))
        )?;
        Ok(())
    }

    async fn oidc_consents_of(&mut self, user: UserId) -> StoreResult<Vec<ConsentRecord>> {
        let rows: Vec<ConsentRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT k.client_id AS client, c.client_id, c.name AS client_name,
                    a.name AS application_name, c.environment, k.scope, k.granted_at
             FROM oidc_consents k
             JOIN oidc_clients c ON c.id = k.client_id
             JOIN applications a ON a.id = c.application_id
             WHERE k.user_id = $1
             ORDER BY k.granted_at DESC, a.name, c.name, c.id")
            .bind(user.0).fetch_all(conn).await)?;
        rows.into_iter().map(ConsentRecord::try_from).collect()
    }

    async fn delete_oidc_consent(&mut self, user: UserId, client: Uuid) -> StoreResult<bool> {
        let deleted = exec!(
            self,
            sqlx::query("DELETE FROM oidc_consents WHERE user_id = $1 AND client_id = $2")
                .bind(user.0)
                .bind(client)
        )?;
        Ok(deleted == 1)
    }

    async fn oidc_client(&mut self, client_id: &str) -> StoreResult<Option<OidcClient>> {
        let row: Option<ClientRow> = with_conn!(self, conn =>
            sqlx::query_as(select_clients!("WHERE client_id = $1"))
                .bind(client_id).fetch_optional(conn).await)?;
        row.map(OidcClient::try_from).transpose()
    }

    async fn oidc_clients_of(&mut self, application: Uuid) -> StoreResult<Vec<OidcClient>> {
        let rows: Vec<ClientRow> = with_conn!(self, conn =>
            sqlx::query_as(select_clients!("WHERE application_id = $1 ORDER BY environment DESC, name"))
                .bind(application).fetch_all(conn).await)?;
        rows.into_iter().map(OidcClient::try_from).collect()
    }

    async fn insert_oidc_code(&mut self, c: &OidcCode) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO oidc_codes (code_digest, client_id, user_id, session_id,
                 redirect_uri, code_challenge, code_challenge_method, nonce, scope, acr, amr,
                 auth_time, created_at, expires_at, used)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, FALSE)"
            )
            .bind(&c.code_digest)
            .bind(c.client)
            .bind(c.user_id.0)
            .bind(c.session_id)
            .bind(&c.redirect_uri)
            .bind(&c.code_challenge)
            .bind(&c.code_challenge_method)
            .bind(&c.nonce)
            .bind(&c.scope)
            .bind(&c.acr)
            .bind(c.amr.join("\n"))
            .bind(Ts(c.auth_time))
            .bind(Ts(c.created_at))
            .bind(Ts(c.expires_at))
        )?;
        Ok(())
    }

    async fn consume_oidc_code(
        &mut self,
        digest: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<OidcCode>> {
        let row: Option<CodeRow> = with_conn!(self, conn => sqlx::query_as(
            "UPDATE oidc_codes SET used = TRUE
             WHERE code_digest = $1 AND used = FALSE AND expires_at > $2
             RETURNING code_digest, client_id, user_id, session_id, redirect_uri,
                       code_challenge, code_challenge_method, nonce, scope, acr, amr,
                       auth_time, created_at, expires_at")
            .bind(digest).bind(Ts(now)).fetch_optional(conn).await)?;
        Ok(row.map(OidcCode::from))
    }

    async fn delete_expired_oidc_codes(&mut self, before: OffsetDateTime) -> StoreResult<u64> {
        Ok(exec!(
            self,
            sqlx::query("DELETE FROM oidc_codes WHERE expires_at < $1").bind(Ts(before))
        )?)
    }
}
