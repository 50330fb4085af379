//! Self-registration: pending registrations (the verification link as a digest, and where
//! the person came from), the count of registration e-mails per address, the level of
//! external accounts, and the application environments that accept them.

use tessera_domain::application::Environment;
use tessera_domain::level::Level;
use tessera_domain::{LevelId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::levels::Levels;
use crate::ts::Ts;
use crate::tx::Tx;

/// A registration waiting for its link to be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRegistration {
    pub user_id: UserId,
    /// The path on this site to go on to afterwards (an authorization request, say).
    pub return_to: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// The port for self-registration.
pub trait Registrations {
    /// Stores a new link for an account; an earlier link of that account stops working.
    async fn put_registration(
        &mut self,
        pending: &PendingRegistration,
        token_digest: &str,
    ) -> StoreResult<()>;
    /// The registration a link belongs to, without using it.
    async fn registration(
        &mut self,
        token_digest: &str,
    ) -> StoreResult<Option<PendingRegistration>>;
    /// The pending registration of an account, if it has one.
    async fn registration_of(&mut self, user: UserId) -> StoreResult<Option<PendingRegistration>>;
    /// Uses a link up (deletes it and gives it back): it works once.
    async fn take_registration(
        &mut self,
        token_digest: &str,
    ) -> StoreResult<Option<PendingRegistration>>;
    /// Accounts whose registration link expired before `now` and was never used, at most
    /// `limit`, oldest first.
    async fn lapsed_registrations(
        &mut self,
        now: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<UserId>>;
    /// Counts one registration or notice e-mail to an address.
    async fn note_registration_send(
        &mut self,
        email_key: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// How many registration or notice e-mails went to an address since `since`.
    async fn registration_sends_since(
        &mut self,
        email_key: &str,
        since: OffsetDateTime,
    ) -> StoreResult<i64>;
    /// Forgets the counts from before `before`; how many.
    async fn forget_registration_sends(&mut self, before: OffsetDateTime) -> StoreResult<u64>;
    /// The level flagged external, if there is one.
    async fn external_level(&mut self) -> StoreResult<Option<Level>>;
    /// Whether an application environment accepts external accounts.
    async fn accepts_external(&mut self, app: Uuid, environment: Environment) -> StoreResult<bool>;
    /// Says whether an application environment accepts external accounts.
    async fn set_accepts_external(
        &mut self,
        app: Uuid,
        environment: Environment,
        accepts: bool,
    ) -> StoreResult<()>;
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    user_id: Uuid,
    return_to: Option<String>,
    created_at: Ts,
    expires_at: Ts,
}

impl From<PendingRow> for PendingRegistration {
    fn from(row: PendingRow) -> Self {
        PendingRegistration {
            user_id: UserId(row.user_id),
            return_to: row.return_to,
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
        }
    }
}

impl Registrations for Tx {
    async fn put_registration(
        &mut self,
        pending: &PendingRegistration,
        token_digest: &str,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("DELETE FROM registrations WHERE user_id = $1").bind(pending.user_id.0)
        )?;
        exec!(
            self,
            sqlx::query(
                "INSERT INTO registrations (user_id, token_digest, return_to, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(pending.user_id.0)
            .bind(token_digest)
            .bind(pending.return_to.as_deref())
            .bind(Ts(pending.created_at))
            .bind(Ts(pending.expires_at))
        )?;
        Ok(())
    }

    async fn registration(
        &mut self,
        token_digest: &str,
    ) -> StoreResult<Option<PendingRegistration>> {
        let row: Option<PendingRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT user_id, return_to, created_at, expires_at FROM registrations
             WHERE token_digest = $1")
            .bind(token_digest).fetch_optional(conn).await)?;
        Ok(row.map(PendingRegistration::from))
    }

    async fn registration_of(&mut self, user: UserId) -> StoreResult<Option<PendingRegistration>> {
        let row: Option<PendingRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT user_id, return_to, created_at, expires_at FROM registrations
             WHERE user_id = $1")
            .bind(user.0).fetch_optional(conn).await)?;
        Ok(row.map(PendingRegistration::from))
    }

    async fn take_registration(
        &mut self,
        token_digest: &str,
    ) -> StoreResult<Option<PendingRegistration>> {
        let row: Option<PendingRow> = with_conn!(self, conn => sqlx::query_as(
            "DELETE FROM registrations WHERE token_digest = $1
             RETURNING user_id, return_to, created_at, expires_at")
            .bind(token_digest).fetch_optional(conn).await)?;
        Ok(row.map(PendingRegistration::from))
    }

    async fn lapsed_registrations(
        &mut self,
        now: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<UserId>> {
        let ids: Vec<Uuid> = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT r.user_id FROM registrations r JOIN users u ON u.id = r.user_id
             WHERE r.expires_at <= $1 AND u.status = 'invited'
             ORDER BY r.expires_at LIMIT $2")
            .bind(Ts(now)).bind(limit).fetch_all(conn).await)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    async fn note_registration_send(
        &mut self,
        email_key: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("INSERT INTO registration_sends (email_key, sent_at) VALUES ($1, $2)")
                .bind(email_key)
                .bind(Ts(at))
        )?;
        Ok(())
    }

    async fn registration_sends_since(
        &mut self,
        email_key: &str,
        since: OffsetDateTime,
    ) -> StoreResult<i64> {
        let count: i64 = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT COUNT(*) FROM registration_sends WHERE email_key = $1 AND sent_at > $2")
            .bind(email_key).bind(Ts(since)).fetch_one(conn).await)?;
        Ok(count)
    }

    async fn forget_registration_sends(&mut self, before: OffsetDateTime) -> StoreResult<u64> {
        Ok(exec!(
            self,
            sqlx::query("DELETE FROM registration_sends WHERE sent_at < $1").bind(Ts(before))
        )?)
    }

    async fn external_level(&mut self) -> StoreResult<Option<Level>> {
        let id: Option<Uuid> = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT id FROM levels WHERE external = $1 ORDER BY created_at LIMIT 1")
            .bind(true).fetch_optional(conn).await)?;
        match id {
            Some(id) => self.level(LevelId(id)).await,
            None => Ok(None),
        }
    }

    async fn accepts_external(&mut self, app: Uuid, environment: Environment) -> StoreResult<bool> {
        let count: i64 = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT COUNT(*) FROM external_environments
             WHERE application_id = $1 AND environment = $2")
            .bind(app).bind(environment.as_str()).fetch_one(conn).await)?;
        Ok(count > 0)
    }

    async fn set_accepts_external(
        &mut self,
        app: Uuid,
        environment: Environment,
        accepts: bool,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "DELETE FROM external_environments WHERE application_id = $1 AND environment = $2"
            )
            .bind(app)
            .bind(environment.as_str())
        )?;
        if accepts {
            exec!(
                self,
                sqlx::query(
                    "INSERT INTO external_environments (application_id, environment) VALUES ($1, $2)"
                )
                .bind(app)
                .bind(environment.as_str())
            )?;
        }
        Ok(())
    }
}
