//! OpenID Connect clients and authorization codes. Client secrets and codes arrive here as
//! SHA-256 digests; the store never sees the values themselves.

use tessera_domain::UserId;
use tessera_domain::application::Environment;
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
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
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
             id_token_seconds, refresh_token_seconds, version, created_at, updated_at \
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
                 access_token_seconds, id_token_seconds, refresh_token_seconds, version,
                 created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
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
            .bind(c.version)
            .bind(Ts(c.created_at))
            .bind(Ts(c.updated_at))
        )?;
        Ok(())
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
