//! OpenID Connect refresh tokens (as SHA-256 digests, in families) and revoked access
//! tokens (by `jti`, until they would have expired anyway).

use tessera_domain::UserId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::oidc::split_lines;
use crate::sql::Marks;
use crate::ts::Ts;
use crate::tx::Tx;

/// A refresh token as issued. `family` is shared by every token descended from one code
/// exchange, so that a reused token can take its whole lineage down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_digest: String,
    pub family: Uuid,
    /// The client's row id (not its `client_id`).
    pub client: Uuid,
    pub user_id: UserId,
    pub session_id: Uuid,
    pub scope: String,
    pub acr: String,
    pub amr: Vec<String>,
    pub auth_time: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// Already exchanged for a newer token.
    pub used: bool,
    /// Its family was revoked (reuse, or RFC 7009 revocation).
    pub revoked: bool,
}

/// The port for refresh tokens and revoked access tokens.
pub trait OidcRefreshStore {
    async fn insert_refresh_token(&mut self, token: &RefreshToken) -> StoreResult<()>;
    /// Stores several tokens in one statement.
    async fn insert_refresh_tokens(&mut self, tokens: &[RefreshToken]) -> StoreResult<()>;
    async fn refresh_token(&mut self, digest: &str) -> StoreResult<Option<RefreshToken>>;
    /// Revokes every refresh token a client holds for a person (the person withdrew their
    /// consent); how many were still unrevoked.
    async fn revoke_refresh_tokens_of(&mut self, user: UserId, client: Uuid) -> StoreResult<u64>;
    /// Revokes every token of a family; how many were still unrevoked.
    async fn revoke_refresh_family(&mut self, family: Uuid) -> StoreResult<u64>;
    /// Records a revoked access token until it expires (idempotent).
    async fn revoke_access_token(
        &mut self,
        jti: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn access_token_revoked(&mut self, jti: &str) -> StoreResult<bool>;
    /// Deletes refresh tokens and revocation records that expired before `before`.
    async fn delete_expired_oidc_tokens(&mut self, before: OffsetDateTime) -> StoreResult<u64>;
}

/// Columns of `oidc_refresh_tokens` bound per token.
pub(crate) const TOKEN_COLUMNS: usize = 13;

/// The INSERT of `count` refresh tokens, its placeholders written by `marks`; the values are
/// bound with [`bind_refresh_token!`], in order.
pub(crate) fn insert_tokens_sql(count: usize, marks: &mut Marks) -> String {
    let mut sql = String::from(
        "INSERT INTO oidc_refresh_tokens (token_digest, family_id, client_id, user_id,
         session_id, scope, acr, amr, auth_time, created_at, expires_at, used, revoked)
         VALUES ",
    );
    marks.rows(&mut sql, count, TOKEN_COLUMNS);
    sql
}

/// The columns read of a refresh token, for [`RefreshRow`]; a macro, so that texts can be
/// put together with `concat!`.
macro_rules! token_select {
    () => {
        "token_digest, family_id, client_id, user_id, session_id, scope, acr, amr, auth_time, \
         created_at, expires_at, used, revoked"
    };
}
pub(crate) use token_select;

#[derive(sqlx::FromRow)]
pub(crate) struct RefreshRow {
    token_digest: String,
    family_id: Uuid,
    client_id: Uuid,
    user_id: Uuid,
    session_id: Uuid,
    scope: String,
    acr: String,
    amr: String,
    auth_time: Ts,
    created_at: Ts,
    expires_at: Ts,
    used: bool,
    revoked: bool,
}

impl From<RefreshRow> for RefreshToken {
    fn from(row: RefreshRow) -> Self {
        RefreshToken {
            token_digest: row.token_digest,
            family: row.family_id,
            client: row.client_id,
            user_id: UserId(row.user_id),
            session_id: row.session_id,
            scope: row.scope,
            acr: row.acr,
            amr: split_lines(&row.amr),
            auth_time: row.auth_time.0,
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
            used: row.used,
            revoked: row.revoked,
        }
    }
}

impl OidcRefreshStore for Tx {
    async fn insert_refresh_token(&mut self, t: &RefreshToken) -> StoreResult<()> {
        self.insert_refresh_tokens(std::slice::from_ref(t)).await
    }

    async fn insert_refresh_tokens(&mut self, tokens: &[RefreshToken]) -> StoreResult<()> {
        if tokens.is_empty() {
            return Ok(());
        }
        let sql = insert_tokens_sql(tokens.len(), &mut Marks::new(self.is_sqlite()));
        with_conn!(self, conn => {
            // Only placeholders are written into the text; every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for t in tokens {
                query = bind_refresh_token!(query, t);
            }
            query.execute(conn).await.map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    async fn refresh_token(&mut self, digest: &str) -> StoreResult<Option<RefreshToken>> {
        let row: Option<RefreshRow> = with_conn!(self, conn => sqlx::query_as(concat!(
            "SELECT ", token_select!(), " FROM oidc_refresh_tokens WHERE token_digest = $1"))
            .bind(digest).fetch_optional(conn).await)?;
        Ok(row.map(RefreshToken::from))
    }

    async fn revoke_refresh_tokens_of(&mut self, user: UserId, client: Uuid) -> StoreResult<u64> {
        Ok(exec!(
            self,
            sqlx::query(
                "UPDATE oidc_refresh_tokens SET revoked = $3
                 WHERE user_id = $1 AND client_id = $2 AND revoked = $4"
            )
            .bind(user.0)
            .bind(client)
            .bind(true)
            .bind(false)
        )?)
    }

    async fn revoke_refresh_family(&mut self, family: Uuid) -> StoreResult<u64> {
        Ok(exec!(
            self,
            sqlx::query(
                "UPDATE oidc_refresh_tokens SET revoked = $2 WHERE family_id = $1 AND revoked = $3"
            )
            .bind(family)
            .bind(true)
            .bind(false)
        )?)
    }

    async fn revoke_access_token(
        &mut self,
        jti: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO oidc_revoked_tokens (jti, expires_at) VALUES ($1, $2)
                 ON CONFLICT (jti) DO NOTHING"
            )
            .bind(jti)
            .bind(Ts(expires_at))
        )?;
        Ok(())
    }

    async fn access_token_revoked(&mut self, jti: &str) -> StoreResult<bool> {
        let found: Option<String> = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT jti FROM oidc_revoked_tokens WHERE jti = $1")
            .bind(jti).fetch_optional(conn).await)?;
        Ok(found.is_some())
    }

    async fn delete_expired_oidc_tokens(&mut self, before: OffsetDateTime) -> StoreResult<u64> {
        let refresh = exec!(
            self,
            sqlx::query("DELETE FROM oidc_refresh_tokens WHERE expires_at < $1").bind(Ts(before))
        )?;
        let revoked = exec!(
            self,
            sqlx::query("DELETE FROM oidc_revoked_tokens WHERE expires_at < $1").bind(Ts(before))
        )?;
        Ok(refresh + revoked)
    }
}
