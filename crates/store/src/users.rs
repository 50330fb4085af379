//! User accounts.

use tessera_domain::user::{User, UserStatus, search_key};
use tessera_domain::{LevelId, UserId};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

/// The port for user accounts.
pub trait Users {
    async fn insert_user(&mut self, user: &User) -> StoreResult<()>;
    async fn user(&mut self, id: UserId) -> StoreResult<Option<User>>;
    /// Looks an account up by e-mail address, whatever its case.
    async fn user_by_email_key(&mut self, email_key: &str) -> StoreResult<Option<User>>;
    async fn users_in_level(&mut self, level: LevelId) -> StoreResult<Vec<User>>;
    async fn count_users(&mut self) -> StoreResult<i64>;
    /// Writes every field of an account whose stored version is `user.version - 1`;
    /// [`StoreError::Stale`] when someone changed it meanwhile (or it is gone).
    async fn update_user(&mut self, user: &User) -> StoreResult<()>;
    /// Deletes an account (at `version`, when given); `false` when there is none (at it).
    async fn delete_user(&mut self, id: UserId, version: Option<i64>) -> StoreResult<bool>;
    /// Fills the name search keys of accounts stored before they existed; returns how many.
    async fn backfill_name_keys(&mut self) -> StoreResult<u64>;
    /// How many accounts a level holds (not counting the levels below it).
    async fn count_users_in_level(&mut self, level: LevelId) -> StoreResult<i64>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    level_id: Uuid,
    first_name: String,
    last_name: String,
    email: String,
    email_key: String,
    company_id: Option<String>,
    expires_at: Option<Ts>,
    language: String,
    status: String,
    created_by: Option<Uuid>,
    created_at: Ts,
    updated_at: Ts,
    version: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        let status = UserStatus::parse(&row.status)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown user status '{}'", row.status)))?;
        Ok(User {
            id: UserId(row.id),
            level_id: LevelId(row.level_id),
            first_name: row.first_name,
            last_name: row.last_name,
            email: row.email,
            email_key: row.email_key,
            company_id: row.company_id,
            expires_at: row.expires_at.map(|t| t.0),
            language: row.language,
            status,
            created_by: row.created_by.map(UserId),
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
            version: row.version,
        })
    }
}

macro_rules! select_users {
    ($rest:literal) => {
        concat!(
            "SELECT id, level_id, first_name, last_name, email, email_key, company_id, \
             expires_at, language, status, created_by, created_at, updated_at, version \
             FROM users ",
            $rest
        )
    };
}

impl Users for Tx {
    async fn insert_user(&mut self, user: &User) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO users (id, level_id, first_name, last_name, email, email_key, company_id,
                 expires_at, language, status, created_by, created_at, updated_at, version,
                 first_name_key, last_name_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
            .bind(user.id.0)
            .bind(user.level_id.0)
            .bind(&user.first_name)
            .bind(&user.last_name)
            .bind(&user.email)
            .bind(&user.email_key)
            .bind(&user.company_id)
            .bind(user.expires_at.map(Ts))
            .bind(&user.language)
            .bind(user.status.as_str())
            .bind(user.created_by.map(|u| u.0))
            .bind(Ts(user.created_at))
            .bind(Ts(user.updated_at))
            .bind(user.version)
            .bind(search_key(&user.first_name))
            .bind(search_key(&user.last_name)))?;
        Ok(())
    }

    async fn user(&mut self, id: UserId) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = with_conn!(self, conn =>
            sqlx::query_as(select_users!("WHERE id = $1")).bind(id.0).fetch_optional(conn).await)?;
        row.map(User::try_from).transpose()
    }

    async fn user_by_email_key(&mut self, email_key: &str) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = with_conn!(self, conn =>
            sqlx::query_as(select_users!("WHERE email_key = $1"))
                .bind(email_key).fetch_optional(conn).await)?;
        row.map(User::try_from).transpose()
    }

    async fn users_in_level(&mut self, level: LevelId) -> StoreResult<Vec<User>> {
        let rows: Vec<UserRow> = with_conn!(self, conn =>
            sqlx::query_as(select_users!("WHERE level_id = $1 ORDER BY last_name, first_name, id"))
                .bind(level.0).fetch_all(conn).await)?;
        rows.into_iter().map(User::try_from).collect()
    }

    async fn count_users(&mut self) -> StoreResult<i64> {
        let count: i64 = with_conn!(self, conn =>
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(conn).await)?;
        Ok(count)
    }

    async fn update_user(&mut self, user: &User) -> StoreResult<()> {
        let changed = exec!(
            self,
            sqlx::query(
                "UPDATE users SET level_id = $2, first_name = $3, last_name = $4, email = $5,
                 email_key = $6, company_id = $7, expires_at = $8, language = $9, status = $10,
                 updated_at = $11, version = $12, first_name_key = $13, last_name_key = $14
             WHERE id = $1 AND version = $15"
            )
            .bind(user.id.0)
            .bind(user.level_id.0)
            .bind(&user.first_name)
            .bind(&user.last_name)
            .bind(&user.email)
            .bind(&user.email_key)
            .bind(&user.company_id)
            .bind(user.expires_at.map(Ts))
            .bind(&user.language)
            .bind(user.status.as_str())
            .bind(Ts(user.updated_at))
            .bind(user.version)
            .bind(search_key(&user.first_name))
            .bind(search_key(&user.last_name))
            .bind(user.version - 1)
        )?;
        if changed == 1 {
            Ok(())
        } else {
            Err(StoreError::Stale)
        }
    }

    async fn delete_user(&mut self, id: UserId, version: Option<i64>) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query("DELETE FROM users WHERE id = $1 AND ($2 IS NULL OR version = $2)")
                .bind(id.0)
                .bind(version)
        )?;
        Ok(changed == 1)
    }

    async fn backfill_name_keys(&mut self) -> StoreResult<u64> {
        let rows: Vec<(Uuid, String, String)> = with_conn!(self, conn => sqlx::query_as(
            "SELECT id, first_name, last_name FROM users
             WHERE first_name_key = '' OR last_name_key = ''")
            .fetch_all(conn).await)?;
        let mut filled = 0;
        for (id, first, last) in rows {
            filled += exec!(
                self,
                sqlx::query(
                    "UPDATE users SET first_name_key = $2, last_name_key = $3 WHERE id = $1"
                )
                .bind(id)
                .bind(search_key(&first))
                .bind(search_key(&last))
            )?;
        }
        Ok(filled)
    }

    async fn count_users_in_level(&mut self, level: LevelId) -> StoreResult<i64> {
        let count: i64 = with_conn!(self, conn =>
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE level_id = $1")
                .bind(level.0).fetch_one(conn).await)?;
        Ok(count)
    }
}
