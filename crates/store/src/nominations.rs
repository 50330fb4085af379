//! Nominations of administrators, waiting for an operator's decision.

use tessera_domain::role::Role;
use tessera_domain::{LevelId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nomination {
    pub id: Uuid,
    pub user_id: UserId,
    pub role: Role,
    pub level_id: LevelId,
    pub nominated_by: Option<UserId>,
    pub nominated_at: OffsetDateTime,
    /// `pending`, `confirmed` or `rejected`.
    pub state: String,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<OffsetDateTime>,
}

/// The port for nominations.
pub trait Nominations {
    async fn insert_nomination(&mut self, nomination: &Nomination) -> StoreResult<()>;
    async fn nomination(&mut self, id: Uuid) -> StoreResult<Option<Nomination>>;
    /// Nominations in a state, oldest first.
    async fn nominations_in(&mut self, state: &str, limit: i64) -> StoreResult<Vec<Nomination>>;
    /// Records the decision on a pending nomination; `false` when it was decided already.
    async fn decide_nomination(
        &mut self,
        id: Uuid,
        state: &str,
        by: Option<UserId>,
        at: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Whether the same person is pending for the same role at the same level.
    async fn pending_like(&mut self, user: UserId, role: Role, level: LevelId)
    -> StoreResult<bool>;
}

#[derive(sqlx::FromRow)]
struct NominationRow {
    id: Uuid,
    user_id: Uuid,
    role: String,
    level_id: Uuid,
    nominated_by: Option<Uuid>,
    nominated_at: Ts,
    state: String,
    decided_by: Option<Uuid>,
    decided_at: Option<Ts>,
}

impl TryFrom<NominationRow> for Nomination {
    type Error = StoreError;

    fn try_from(row: NominationRow) -> Result<Self, Self::Error> {
        Ok(Nomination {
            id: row.id,
            user_id: UserId(row.user_id),
            role: Role::parse(&row.role)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown role '{}'", row.role)))?,
            level_id: LevelId(row.level_id),
            nominated_by: row.nominated_by.map(UserId),
            nominated_at: row.nominated_at.0,
            state: row.state,
            decided_by: row.decided_by.map(UserId),
            decided_at: row.decided_at.map(|t| t.0),
        })
    }
}

macro_rules! select_nominations {
    ($rest:literal) => {
        concat!(
            "SELECT id, user_id, role, level_id, nominated_by, nominated_at, state, decided_by, \
             decided_at FROM nominations ",
            $rest
        )
    };
}

impl Nominations for Tx {
    async fn insert_nomination(&mut self, n: &Nomination) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO nominations (id, user_id, role, level_id, nominated_by, nominated_at,
                 state, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            )
            .bind(n.id)
            .bind(n.user_id.0)
            .bind(n.role.as_str())
            .bind(n.level_id.0)
            .bind(n.nominated_by.map(|u| u.0))
            .bind(Ts(n.nominated_at))
            .bind(&n.state)
            .bind(n.decided_by.map(|u| u.0))
            .bind(n.decided_at.map(Ts))
        )?;
        Ok(())
    }

    async fn nomination(&mut self, id: Uuid) -> StoreResult<Option<Nomination>> {
        let row: Option<NominationRow> = with_conn!(self, conn =>
            sqlx::query_as(select_nominations!("WHERE id = $1")).bind(id).fetch_optional(conn).await)?;
        row.map(Nomination::try_from).transpose()
    }

    async fn nominations_in(&mut self, state: &str, limit: i64) -> StoreResult<Vec<Nomination>> {
        let rows: Vec<NominationRow> = with_conn!(self, conn =>
            sqlx::query_as(select_nominations!("WHERE state = $1 ORDER BY nominated_at, id LIMIT $2"))
                .bind(state).bind(limit).fetch_all(conn).await)?;
        rows.into_iter().map(Nomination::try_from).collect()
    }

    async fn decide_nomination(
        &mut self,
        id: Uuid,
        state: &str,
        by: Option<UserId>,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query(
                "UPDATE nominations SET state = $2, decided_by = $3, decided_at = $4
                 WHERE id = $1 AND state = 'pending'"
            )
            .bind(id)
            .bind(state)
            .bind(by.map(|u| u.0))
            .bind(Ts(at))
        )?;
        Ok(changed == 1)
    }

    async fn pending_like(
        &mut self,
        user: UserId,
        role: Role,
        level: LevelId,
    ) -> StoreResult<bool> {
        let count: i64 = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT COUNT(*) FROM nominations
             WHERE user_id = $1 AND role = $2 AND level_id = $3 AND state = 'pending'")
            .bind(user.0).bind(role.as_str()).bind(level.0).fetch_one(conn).await)?;
        Ok(count > 0)
    }
}
