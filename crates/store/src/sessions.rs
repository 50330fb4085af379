//! Single sign-on sessions.

use tessera_domain::UserId;
use tessera_domain::session::Assurance;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: Uuid,
    pub token_digest: String,
    pub user_id: UserId,
    pub assurance: Assurance,
    /// The methods used to sign in, e.g. `["password"]`.
    pub methods: Vec<String>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    pub user_agent: String,
    pub address: String,
}

/// The port for sessions.
pub trait Sessions {
    async fn insert_session(&mut self, session: &SessionRecord) -> StoreResult<()>;
    async fn session_by_digest(&mut self, digest: &str) -> StoreResult<Option<SessionRecord>>;
    async fn touch_session(&mut self, id: Uuid, at: OffsetDateTime) -> StoreResult<()>;
    /// A live session proven stronger: new assurance and methods, and a new token (digest),
    /// so the old cookie value stops working. `false` when the session has ended meanwhile.
    async fn step_up_session(
        &mut self,
        id: Uuid,
        assurance: Assurance,
        methods: &[String],
        token_digest: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Ends one session; false when it had ended already.
    async fn end_session(&mut self, id: Uuid, at: OffsetDateTime) -> StoreResult<bool>;
    /// Sessions of a user that have not been ended, newest first.
    async fn open_sessions_of(&mut self, user: UserId) -> StoreResult<Vec<SessionRecord>>;
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: Uuid,
    token_digest: String,
    user_id: Uuid,
    assurance: String,
    methods: String,
    created_at: Ts,
    last_seen_at: Ts,
    ended_at: Option<Ts>,
    user_agent: String,
    address: String,
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Self, Self::Error> {
        Ok(SessionRecord {
            id: row.id,
            token_digest: row.token_digest,
            user_id: UserId(row.user_id),
            assurance: Assurance::parse(&row.assurance).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown assurance '{}'", row.assurance))
            })?,
            methods: row
                .methods
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect(),
            created_at: row.created_at.0,
            last_seen_at: row.last_seen_at.0,
            ended_at: row.ended_at.map(|t| t.0),
            user_agent: row.user_agent,
            address: row.address,
        })
    }
}

macro_rules! select_sessions {
    ($rest:literal) => {
        concat!(
            "SELECT id, token_digest, user_id, assurance, methods, created_at, last_seen_at, \
             ended_at, user_agent, address FROM sessions ",
            $rest
        )
    };
}

impl Sessions for Tx {
    async fn insert_session(&mut self, session: &SessionRecord) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO sessions (id, token_digest, user_id, assurance, methods, created_at,
                 last_seen_at, ended_at, user_agent, address)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            )
            .bind(session.id)
            .bind(&session.token_digest)
            .bind(session.user_id.0)
            .bind(session.assurance.as_str())
            .bind(session.methods.join(","))
            .bind(Ts(session.created_at))
            .bind(Ts(session.last_seen_at))
            .bind(session.ended_at.map(Ts))
            .bind(&session.user_agent)
            .bind(&session.address)
        )?;
        Ok(())
    }

    async fn session_by_digest(&mut self, digest: &str) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionRow> = with_conn!(self, conn =>
            sqlx::query_as(select_sessions!("WHERE token_digest = $1"))
                .bind(digest).fetch_optional(conn).await)?;
        row.map(SessionRecord::try_from).transpose()
    }

    async fn touch_session(&mut self, id: Uuid, at: OffsetDateTime) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
                .bind(id)
                .bind(Ts(at))
        )?;
        Ok(())
    }

    async fn step_up_session(
        &mut self,
        id: Uuid,
        assurance: Assurance,
        methods: &[String],
        token_digest: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query(
                "UPDATE sessions SET assurance = $2, methods = $3, token_digest = $4,
                 last_seen_at = $5 WHERE id = $1 AND ended_at IS NULL"
            )
            .bind(id)
            .bind(assurance.as_str())
            .bind(methods.join(","))
            .bind(token_digest)
            .bind(Ts(at))
        )?;
        Ok(changed == 1)
    }

    async fn end_session(&mut self, id: Uuid, at: OffsetDateTime) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query("UPDATE sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL")
                .bind(id)
                .bind(Ts(at))
        )?;
        Ok(changed == 1)
    }

    async fn open_sessions_of(&mut self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        let rows: Vec<SessionRow> = with_conn!(self, conn =>
            sqlx::query_as(select_sessions!(
                "WHERE user_id = $1 AND ended_at IS NULL ORDER BY created_at DESC"))
                .bind(user.0).fetch_all(conn).await)?;
        rows.into_iter().map(SessionRecord::try_from).collect()
    }
}
