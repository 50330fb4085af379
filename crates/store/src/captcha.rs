//! CAPTCHA challenges. They arrive here under the SHA-256 digest of their id, with the code
//! as a digest and sealed; the store never sees an id or a code in clear.

use tessera_domain::captcha::{CaptchaKind, Difficulty};
use time::OffsetDateTime;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

/// A challenge as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCaptcha {
    pub id_digest: String,
    pub kind: CaptchaKind,
    /// Lower-case hex.
    pub nonce: String,
    pub difficulty: Difficulty,
    pub code_digest: String,
    /// The code sealed under the secret key, for drawing it on any node.
    pub code_sealed: Vec<u8>,
    /// Who asked for it, as counted by the limit on new challenges.
    pub client_key: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub consumed_at: Option<OffsetDateTime>,
}

/// The port for CAPTCHA challenges.
pub trait CaptchaStore {
    async fn insert_captcha(&mut self, challenge: &StoredCaptcha) -> StoreResult<()>;
    /// A challenge as it is, used or not, expired or not.
    async fn captcha(&mut self, id_digest: &str) -> StoreResult<Option<StoredCaptcha>>;
    /// Marks a live, unused challenge used and gives it back; `None` when it is unknown,
    /// expired or used already. One conditional UPDATE, so a challenge is judged once even
    /// across nodes, and it is used up before its answer is judged, right or wrong.
    async fn consume_captcha(
        &mut self,
        id_digest: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<StoredCaptcha>>;
    /// How many challenges a client was given since `since`, for the per-address limit.
    async fn captchas_issued_since(
        &mut self,
        client_key: &str,
        since: OffsetDateTime,
    ) -> StoreResult<u64>;
    /// Deletes challenges that expired before `before`; how many.
    async fn delete_expired_captchas(&mut self, before: OffsetDateTime) -> StoreResult<u64>;
}

#[derive(sqlx::FromRow)]
struct CaptchaRow {
    id_digest: String,
    kind: String,
    nonce: String,
    difficulty: i32,
    code_digest: String,
    code_sealed: Vec<u8>,
    client_key: Option<String>,
    created_at: Ts,
    expires_at: Ts,
    consumed_at: Option<Ts>,
}

/// The columns of a challenge, in the order of [`CaptchaRow`].
macro_rules! captcha_columns {
    () => {
        "id_digest, kind, nonce, difficulty, code_digest, code_sealed, client_key, created_at, \
         expires_at, consumed_at"
    };
}

impl TryFrom<CaptchaRow> for StoredCaptcha {
    type Error = StoreError;

    fn try_from(row: CaptchaRow) -> StoreResult<Self> {
        let kind = CaptchaKind::parse(&row.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("captcha kind '{}'", row.kind)))?;
        let difficulty = u32::try_from(row.difficulty)
            .ok()
            .and_then(|bits| Difficulty::new(bits).ok())
            .ok_or_else(|| StoreError::Corrupt(format!("captcha difficulty {}", row.difficulty)))?;
        Ok(Self {
            id_digest: row.id_digest,
            kind,
            nonce: row.nonce,
            difficulty,
            code_digest: row.code_digest,
            code_sealed: row.code_sealed,
            client_key: row.client_key,
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
            consumed_at: row.consumed_at.map(|t| t.0),
        })
    }
}

impl CaptchaStore for Tx {
    async fn insert_captcha(&mut self, c: &StoredCaptcha) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO captcha_challenges (id_digest, kind, nonce, difficulty, code_digest,
                     code_sealed, client_key, created_at, expires_at, consumed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            )
            .bind(&c.id_digest)
            .bind(c.kind.as_str())
            .bind(&c.nonce)
            .bind(i32::from(c.difficulty.bits()))
            .bind(&c.code_digest)
            .bind(&c.code_sealed)
            .bind(&c.client_key)
            .bind(Ts(c.created_at))
            .bind(Ts(c.expires_at))
            .bind(c.consumed_at.map(Ts))
        )?;
        Ok(())
    }

    async fn captcha(&mut self, id_digest: &str) -> StoreResult<Option<StoredCaptcha>> {
        let row: Option<CaptchaRow> = with_conn!(self, conn => sqlx::query_as(concat!(
            "SELECT ", captcha_columns!(), " FROM captcha_challenges WHERE id_digest = $1"))
            .bind(id_digest).fetch_optional(conn).await)?;
        row.map(StoredCaptcha::try_from).transpose()
    }

    async fn consume_captcha(
        &mut self,
        id_digest: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<StoredCaptcha>> {
        let row: Option<CaptchaRow> = with_conn!(self, conn => sqlx::query_as(concat!(
            "UPDATE captcha_challenges SET consumed_at = $2
             WHERE id_digest = $1 AND consumed_at IS NULL AND expires_at > $2
             RETURNING ", captcha_columns!()))
            .bind(id_digest).bind(Ts(now)).fetch_optional(conn).await)?;
        row.map(StoredCaptcha::try_from).transpose()
    }

    async fn captchas_issued_since(
        &mut self,
        client_key: &str,
        since: OffsetDateTime,
    ) -> StoreResult<u64> {
        let count: i64 = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT COUNT(*) FROM captcha_challenges WHERE client_key = $1 AND created_at > $2")
            .bind(client_key).bind(Ts(since)).fetch_one(conn).await)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn delete_expired_captchas(&mut self, before: OffsetDateTime) -> StoreResult<u64> {
        Ok(exec!(
            self,
            sqlx::query("DELETE FROM captcha_challenges WHERE expires_at < $1").bind(Ts(before))
        )?)
    }
}
