//! Second factors: phone numbers (and those waiting for confirmation), the default method,
//! and pending sign-in challenges.

use tessera_domain::UserId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    pub number: String,
    pub verified: bool,
    pub created_at: OffsetDateTime,
}

/// A sign-in (or a step-up of a session) waiting for its second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub token_digest: String,
    pub user_id: UserId,
    /// `sms`, `voice`, `authenticator_app` or `security_key`.
    pub method: String,
    /// Where the code went (SMS and voice); empty otherwise.
    pub phone: String,
    /// The code sent (SMS and voice), as a digest; empty otherwise.
    pub code_digest: String,
    pub attempts: i32,
    pub expires_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    /// The assurance the sign-in must reach.
    pub needed: String,
    /// The session being stepped up, if any.
    pub session_id: Option<Uuid>,
    /// The WebAuthn ceremony under way (security keys), as JSON.
    pub ceremony: Option<String>,
}

/// What second factors a person has, read in one query (sign-in reads it every time).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactorSummary {
    /// Confirmed phone numbers, oldest first.
    pub phones: Vec<String>,
    pub default_phone: Option<String>,
    pub default_method: Option<String>,
    /// Confirmed authenticator apps.
    pub apps: usize,
    pub keys: usize,
}

/// A phone number waiting for its confirmation code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneConfirmation {
    pub user_id: UserId,
    pub number: String,
    pub code_digest: String,
    pub attempts: i32,
    pub expires_at: OffsetDateTime,
}

/// The port for second factors.
pub trait SecondFactors {
    async fn add_phone(&mut self, user: UserId, phone: &PhoneNumber) -> StoreResult<()>;
    async fn phones_of(&mut self, user: UserId) -> StoreResult<Vec<PhoneNumber>>;
    async fn default_method(&mut self, user: UserId) -> StoreResult<Option<String>>;
    async fn set_default_method(
        &mut self,
        user: UserId,
        method: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn factor_summary(&mut self, user: UserId) -> StoreResult<FactorSummary>;
    async fn delete_phone(&mut self, user: UserId, number: &str) -> StoreResult<bool>;
    /// The phone number codes go to first, when the person chose one.
    async fn default_phone(&mut self, user: UserId) -> StoreResult<Option<String>>;
    async fn set_default_phone(
        &mut self,
        user: UserId,
        number: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Starts (or restarts) the confirmation of a new number.
    async fn put_phone_confirmation(&mut self, pending: &PhoneConfirmation) -> StoreResult<()>;
    async fn phone_confirmation(
        &mut self,
        user: UserId,
        number: &str,
    ) -> StoreResult<Option<PhoneConfirmation>>;
    /// Counts one more try at a confirmation code; returns the new count (row locked).
    async fn use_confirmation_try(&mut self, user: UserId, number: &str) -> StoreResult<i32>;
    async fn delete_phone_confirmation(&mut self, user: UserId, number: &str) -> StoreResult<()>;
    async fn insert_challenge(&mut self, challenge: &Challenge) -> StoreResult<()>;
    async fn challenge(&mut self, token_digest: &str) -> StoreResult<Option<Challenge>>;
    /// Counts one more try at the code; returns the new count. The row stays locked (or the
    /// database's writer held) until the transaction ends, so tries never race.
    async fn use_code_try(&mut self, token_digest: &str) -> StoreResult<i32>;
    /// Another method or a new code (resend, "Try another way"): writes the challenge's
    /// method, phone, code, tries, expiry and ceremony.
    async fn update_challenge(&mut self, challenge: &Challenge) -> StoreResult<()>;
    async fn delete_challenge(&mut self, token_digest: &str) -> StoreResult<()>;
}

#[derive(sqlx::FromRow)]
struct ChallengeRow {
    token_digest: String,
    user_id: Uuid,
    method: String,
    phone: String,
    code_digest: String,
    attempts: i32,
    expires_at: Ts,
    created_at: Ts,
    needed: String,
    session_id: Option<Uuid>,
    ceremony: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ConfirmationRow {
    user_id: Uuid,
    number: String,
    code_digest: String,
    attempts: i32,
    expires_at: Ts,
}

impl SecondFactors for Tx {
    async fn add_phone(&mut self, user: UserId, phone: &PhoneNumber) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO phone_numbers (user_id, number, verified, created_at) VALUES ($1, $2, $3, $4)")
            .bind(user.0).bind(&phone.number).bind(phone.verified).bind(Ts(phone.created_at)))?;
        Ok(())
    }

    async fn phones_of(&mut self, user: UserId) -> StoreResult<Vec<PhoneNumber>> {
        let rows: Vec<(String, bool, Ts)> = with_conn!(self, conn => sqlx::query_as(
            "SELECT number, verified, created_at FROM phone_numbers WHERE user_id = $1
             ORDER BY created_at, number")
            .bind(user.0).fetch_all(conn).await)?;
        Ok(rows
            .into_iter()
            .map(|(number, verified, created_at)| PhoneNumber {
                number,
                verified,
                created_at: created_at.0,
            })
            .collect())
    }

    async fn default_method(&mut self, user: UserId) -> StoreResult<Option<String>> {
        let method: Option<String> = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT method FROM second_factor_defaults WHERE user_id = $1")
            .bind(user.0).fetch_optional(conn).await)?;
        Ok(method)
    }

    async fn set_default_method(
        &mut self,
        user: UserId,
        method: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO second_factor_defaults (user_id, method, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET method = excluded.method, updated_at = excluded.updated_at")
            .bind(user.0).bind(method).bind(Ts(at)))?;
        Ok(())
    }

    async fn insert_challenge(&mut self, c: &Challenge) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO signin_challenges (token_digest, user_id, method, phone, code_digest,
                 attempts, expires_at, created_at, needed, session_id, ceremony)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            )
            .bind(&c.token_digest)
            .bind(c.user_id.0)
            .bind(&c.method)
            .bind(&c.phone)
            .bind(&c.code_digest)
            .bind(c.attempts)
            .bind(Ts(c.expires_at))
            .bind(Ts(c.created_at))
            .bind(&c.needed)
            .bind(c.session_id)
            .bind(&c.ceremony)
        )?;
        Ok(())
    }

    async fn challenge(&mut self, token_digest: &str) -> StoreResult<Option<Challenge>> {
        let row: Option<ChallengeRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT token_digest, user_id, method, phone, code_digest, attempts, expires_at,
                    created_at, needed, session_id, ceremony
             FROM signin_challenges WHERE token_digest = $1")
            .bind(token_digest).fetch_optional(conn).await)?;
        Ok(row.map(|row| Challenge {
            token_digest: row.token_digest,
            user_id: UserId(row.user_id),
            method: row.method,
            phone: row.phone,
            code_digest: row.code_digest,
            attempts: row.attempts,
            expires_at: row.expires_at.0,
            created_at: row.created_at.0,
            needed: row.needed,
            session_id: row.session_id,
            ceremony: row.ceremony,
        }))
    }

    async fn use_code_try(&mut self, token_digest: &str) -> StoreResult<i32> {
        let attempts: i32 = with_conn!(self, conn => sqlx::query_scalar(
            "UPDATE signin_challenges SET attempts = attempts + 1 WHERE token_digest = $1
             RETURNING attempts")
            .bind(token_digest).fetch_one(conn).await)?;
        Ok(attempts)
    }

    async fn update_challenge(&mut self, c: &Challenge) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "UPDATE signin_challenges SET method = $2, phone = $3, code_digest = $4,
                 attempts = $5, expires_at = $6, ceremony = $7
             WHERE token_digest = $1"
            )
            .bind(&c.token_digest)
            .bind(&c.method)
            .bind(&c.phone)
            .bind(&c.code_digest)
            .bind(c.attempts)
            .bind(Ts(c.expires_at))
            .bind(&c.ceremony)
        )?;
        Ok(())
    }

    async fn factor_summary(&mut self, user: UserId) -> StoreResult<FactorSummary> {
        let rows: Vec<(String, Option<String>, i64)> = with_conn!(self, conn => sqlx::query_as(
            "SELECT 'phone' AS kind, number AS value,
                    ROW_NUMBER() OVER (ORDER BY created_at, number) AS n
               FROM phone_numbers WHERE user_id = $1 AND verified
             UNION ALL
             SELECT 'apps', NULL, COUNT(*) FROM authenticator_apps
              WHERE user_id = $1 AND confirmed
             UNION ALL
             SELECT 'keys', NULL, COUNT(*) FROM security_keys WHERE user_id = $1
             UNION ALL
             SELECT 'method', method, 0 FROM second_factor_defaults WHERE user_id = $1
             UNION ALL
             SELECT 'default_phone', phone, 0 FROM second_factor_defaults WHERE user_id = $1
             ORDER BY 1, 3")
            .bind(user.0).fetch_all(conn).await)?;
        let mut summary = FactorSummary::default();
        for (kind, value, n) in rows {
            let count = usize::try_from(n).unwrap_or(0);
            match (kind.as_str(), value) {
                ("phone", Some(number)) => summary.phones.push(number),
                ("apps", _) => summary.apps = count,
                ("keys", _) => summary.keys = count,
                ("method", method) => summary.default_method = method,
                ("default_phone", phone) => summary.default_phone = phone,
                _ => {}
            }
        }
        Ok(summary)
    }

    async fn delete_phone(&mut self, user: UserId, number: &str) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query("DELETE FROM phone_numbers WHERE user_id = $1 AND number = $2")
                .bind(user.0)
                .bind(number)
        )?;
        Ok(changed == 1)
    }

    async fn default_phone(&mut self, user: UserId) -> StoreResult<Option<String>> {
        let phone: Option<Option<String>> = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT phone FROM second_factor_defaults WHERE user_id = $1")
            .bind(user.0).fetch_optional(conn).await)?;
        Ok(phone.flatten())
    }

    async fn set_default_phone(
        &mut self,
        user: UserId,
        number: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO second_factor_defaults (user_id, method, phone, updated_at)
             VALUES ($1, 'sms', $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, updated_at = excluded.updated_at")
            .bind(user.0).bind(number).bind(Ts(at)))?;
        Ok(())
    }

    async fn put_phone_confirmation(&mut self, p: &PhoneConfirmation) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO phone_confirmations (user_id, number, code_digest, attempts, expires_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id, number) DO UPDATE SET code_digest = excluded.code_digest,
                 attempts = excluded.attempts, expires_at = excluded.expires_at")
            .bind(p.user_id.0).bind(&p.number).bind(&p.code_digest).bind(p.attempts)
            .bind(Ts(p.expires_at)))?;
        Ok(())
    }

    async fn phone_confirmation(
        &mut self,
        user: UserId,
        number: &str,
    ) -> StoreResult<Option<PhoneConfirmation>> {
        let row: Option<ConfirmationRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT user_id, number, code_digest, attempts, expires_at FROM phone_confirmations
             WHERE user_id = $1 AND number = $2")
            .bind(user.0).bind(number).fetch_optional(conn).await)?;
        Ok(row.map(|row| PhoneConfirmation {
            user_id: UserId(row.user_id),
            number: row.number,
            code_digest: row.code_digest,
            attempts: row.attempts,
            expires_at: row.expires_at.0,
        }))
    }

    async fn use_confirmation_try(&mut self, user: UserId, number: &str) -> StoreResult<i32> {
        let attempts: i32 = with_conn!(self, conn => sqlx::query_scalar(
            "UPDATE phone_confirmations SET attempts = attempts + 1
             WHERE user_id = $1 AND number = $2 RETURNING attempts")
            .bind(user.0).bind(number).fetch_one(conn).await)?;
        Ok(attempts)
    }

    async fn delete_phone_confirmation(&mut self, user: UserId, number: &str) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("DELETE FROM phone_confirmations WHERE user_id = $1 AND number = $2")
                .bind(user.0)
                .bind(number)
        )?;
        Ok(())
    }

    async fn delete_challenge(&mut self, token_digest: &str) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("DELETE FROM signin_challenges WHERE token_digest = $1").bind(token_digest)
        )?;
        Ok(())
    }
}
