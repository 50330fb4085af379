//! Authenticator apps, security keys and the WebAuthn ceremonies that register or use them.

use tessera_domain::UserId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

/// An authenticator app (TOTP) of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorApp {
    pub id: Uuid,
    pub user_id: UserId,
    pub name: String,
    /// The shared secret, sealed.
    pub secret: Vec<u8>,
    pub confirmed: bool,
    pub last_step: Option<i64>,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// A security key or passkey (WebAuthn credential) of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityKey {
    pub id: Uuid,
    pub user_id: UserId,
    pub name: String,
    /// Hex of the credential id.
    pub credential_id: String,
    /// The credential as webauthn-rs keeps it (JSON).
    pub passkey: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// A WebAuthn ceremony waiting for the browser's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ceremony {
    pub token_digest: String,
    pub user_id: Option<UserId>,
    /// `register` or `passkey_signin`.
    pub purpose: String,
    pub state: String,
    pub expires_at: OffsetDateTime,
}

/// The port for authenticator apps, security keys and ceremonies.
pub trait Authenticators {
    async fn insert_app(&mut self, app: &AuthenticatorApp) -> StoreResult<()>;
    /// The person's apps, confirmed or not, oldest first.
    async fn apps_of(&mut self, user: UserId) -> StoreResult<Vec<AuthenticatorApp>>;
    async fn confirm_app(&mut self, user: UserId, id: Uuid) -> StoreResult<bool>;
    /// Records that the code of `step` was used, unless that step (or a later one) was used
    /// already; `false` then. One statement, so two nodes never accept the same code.
    async fn use_app_step(&mut self, id: Uuid, step: i64, at: OffsetDateTime) -> StoreResult<bool>;
    async fn delete_app(&mut self, user: UserId, id: Uuid) -> StoreResult<bool>;

    async fn insert_key(&mut self, key: &SecurityKey) -> StoreResult<()>;
    async fn keys_of(&mut self, user: UserId) -> StoreResult<Vec<SecurityKey>>;
    async fn key_by_credential(&mut self, credential_id: &str) -> StoreResult<Option<SecurityKey>>;
    /// Records a use, with the credential's new signature counter when it changed.
    async fn key_used(
        &mut self,
        id: Uuid,
        passkey: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn delete_key(&mut self, user: UserId, id: Uuid) -> StoreResult<bool>;

    async fn insert_ceremony(&mut self, ceremony: &Ceremony) -> StoreResult<()>;
    /// Takes a ceremony out: each is answered once.
    async fn take_ceremony(&mut self, token_digest: &str) -> StoreResult<Option<Ceremony>>;
}

#[derive(sqlx::FromRow)]
struct AppRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    secret: Vec<u8>,
    confirmed: bool,
    last_step: Option<i64>,
    created_at: Ts,
    last_used_at: Option<Ts>,
}

impl From<AppRow> for AuthenticatorApp {
    fn from(row: AppRow) -> Self {
        Self {
            id: row.id,
            user_id: UserId(row.user_id),
            name: row.name,
            secret: row.secret,
            confirmed: row.confirmed,
            last_step: row.last_step,
            created_at: row.created_at.0,
            last_used_at: row.last_used_at.map(|t| t.0),
        }
    }
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    credential_id: String,
    passkey: String,
    created_at: Ts,
    last_used_at: Option<Ts>,
}

impl From<KeyRow> for SecurityKey {
    fn from(row: KeyRow) -> Self {
        Self {
            id: row.id,
            user_id: UserId(row.user_id),
            name: row.name,
            credential_id: row.credential_id,
            passkey: row.passkey,
            created_at: row.created_at.0,
            last_used_at: row.last_used_at.map(|t| t.0),
        }
    }
}

#[derive(sqlx::FromRow)]
struct CeremonyRow {
    token_digest: String,
    user_id: Option<Uuid>,
    purpose: String,
    state: String,
    expires_at: Ts,
}

impl Authenticators for Tx {
    async fn insert_app(&mut self, app: &AuthenticatorApp) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO authenticator_apps
                 (id, user_id, name, secret, confirmed, last_step, created_at, last_used_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )
            .bind(app.id)
            .bind(app.user_id.0)
            .bind(&app.name)
            .bind(&app.secret)
            .bind(app.confirmed)
            .bind(app.last_step)
            .bind(Ts(app.created_at))
            .bind(app.last_used_at.map(Ts))
        )?;
        Ok(())
    }

    async fn apps_of(&mut self, user: UserId) -> StoreResult<Vec<AuthenticatorApp>> {
        let rows: Vec<AppRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT id, user_id, name, secret, confirmed, last_step, created_at, last_used_at
             FROM authenticator_apps WHERE user_id = $1 ORDER BY created_at, id")
            .bind(user.0).fetch_all(conn).await)?;
        Ok(rows.into_iter().map(AuthenticatorApp::from).collect())
    }

    async fn confirm_app(&mut self, user: UserId, id: Uuid) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query(
                "UPDATE authenticator_apps SET confirmed = $3 WHERE user_id = $1 AND id = $2"
            )
            .bind(user.0)
            .bind(id)
            .bind(true)
        )?;
        Ok(changed == 1)
    }

    async fn use_app_step(&mut self, id: Uuid, step: i64, at: OffsetDateTime) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query(
                "UPDATE authenticator_apps SET last_step = $2, last_used_at = $3
                 WHERE id = $1 AND (last_step IS NULL OR last_step < $2)"
            )
            .bind(id)
            .bind(step)
            .bind(Ts(at))
        )?;
        Ok(changed == 1)
    }

    async fn delete_app(&mut self, user: UserId, id: Uuid) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query("DELETE FROM authenticator_apps WHERE user_id = $1 AND id = $2")
                .bind(user.0)
                .bind(id)
        )?;
        Ok(changed == 1)
    }

    async fn insert_key(&mut self, key: &SecurityKey) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO security_keys
                 (id, user_id, name, credential_id, passkey, created_at, last_used_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            )
            .bind(key.id)
            .bind(key.user_id.0)
            .bind(&key.name)
            .bind(&key.credential_id)
            .bind(&key.passkey)
            .bind(Ts(key.created_at))
            .bind(key.last_used_at.map(Ts))
        )?;
        Ok(())
    }

    async fn keys_of(&mut self, user: UserId) -> StoreResult<Vec<SecurityKey>> {
        let rows: Vec<KeyRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT id, user_id, name, credential_id, passkey, created_at, last_used_at
             FROM security_keys WHERE user_id = $1 ORDER BY created_at, id")
            .bind(user.0).fetch_all(conn).await)?;
        Ok(rows.into_iter().map(SecurityKey::from).collect())
    }

    async fn key_by_credential(&mut self, credential_id: &str) -> StoreResult<Option<SecurityKey>> {
        let row: Option<KeyRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT id, user_id, name, credential_id, passkey, created_at, last_used_at
             FROM security_keys WHERE credential_id = $1")
            .bind(credential_id).fetch_optional(conn).await)?;
        Ok(row.map(SecurityKey::from))
    }

    async fn key_used(
        &mut self,
        id: Uuid,
        passkey: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "UPDATE security_keys SET passkey = COALESCE($2, passkey), last_used_at = $3
                 WHERE id = $1"
            )
            .bind(id)
            .bind(passkey)
            .bind(Ts(at))
        )?;
        Ok(())
    }

    async fn delete_key(&mut self, user: UserId, id: Uuid) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query("DELETE FROM security_keys WHERE user_id = $1 AND id = $2")
                .bind(user.0)
                .bind(id)
        )?;
        Ok(changed == 1)
    }

    async fn insert_ceremony(&mut self, c: &Ceremony) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO webauthn_ceremonies (token_digest, user_id, purpose, state, expires_at)
                 VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(&c.token_digest)
            .bind(c.user_id.map(|u| u.0))
            .bind(&c.purpose)
            .bind(&c.state)
            .bind(Ts(c.expires_at))
        )?;
        Ok(())
    }

    async fn take_ceremony(&mut self, token_digest: &str) -> StoreResult<Option<Ceremony>> {
        let row: Option<CeremonyRow> = with_conn!(self, conn => sqlx::query_as(
            "DELETE FROM webauthn_ceremonies WHERE token_digest = $1
             RETURNING token_digest, user_id, purpose, state, expires_at")
            .bind(token_digest).fetch_optional(conn).await)?;
        Ok(row.map(|row| Ceremony {
            token_digest: row.token_digest,
            user_id: row.user_id.map(UserId),
            purpose: row.purpose,
            state: row.state,
            expires_at: row.expires_at.0,
        }))
    }
}
