//! Memberships of people in application groups. A membership past its expiry no longer counts
//! in any read here (the `now` parameter), before the sweep deletes it.

use tessera_domain::UserId;
use tessera_domain::application::{Environment, Group, Membership, Tile};
use tessera_domain::session::Assurance;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::applications::{GroupRow, select_groups};
use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

/// A membership with its group and application, as the Assign Memberships page lists it.
#[derive(Debug, Clone)]
pub struct HeldMembership {
    pub group: Group,
    pub application_code: String,
    pub application_name: String,
    pub membership: Membership,
}

/// The port for memberships.
pub trait Memberships {
    /// Grants, or changes the expiry of, a membership; `true` when it is new.
    async fn put_membership(&mut self, membership: &Membership) -> StoreResult<bool>;
    /// `true` when there was such a membership.
    async fn remove_membership(&mut self, user: UserId, group: Uuid) -> StoreResult<bool>;
    /// The memberships of a person that count at `now`, by technical name.
    async fn memberships_of(
        &mut self,
        user: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<HeldMembership>>;
    /// The tiles of the application environments in which a person holds a counting
    /// membership, with the application's name.
    async fn tiles_for(
        &mut self,
        user: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<(Tile, String)>>;
    /// The groups of one application environment that a person holds at `now`: a client of
    /// one environment never sees another's memberships.
    async fn groups_held_in(
        &mut self,
        user: UserId,
        application: Uuid,
        environment: Environment,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Group>>;
    /// The minimum assurances of the applications in which a person holds a membership that
    /// counts at `now`.
    async fn assurances_needed(
        &mut self,
        user: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Assurance>>;
    /// How many people hold a group at `now`.
    async fn count_members(&mut self, group: Uuid, now: OffsetDateTime) -> StoreResult<i64>;
    /// Deletes up to `limit` memberships expired at `now` and gives them back.
    async fn take_expired_memberships(
        &mut self,
        now: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<Membership>>;
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    user_id: Uuid,
    group_id: Uuid,
    granted_by: Option<Uuid>,
    granted_at: Ts,
    expires_at: Option<Ts>,
}

impl From<MembershipRow> for Membership {
    fn from(row: MembershipRow) -> Self {
        Membership {
            user_id: row.user_id,
            group_id: row.group_id,
            granted_by: row.granted_by,
            granted_at: row.granted_at.0,
            expires_at: row.expires_at.map(|t| t.0),
        }
    }
}

#[derive(sqlx::FromRow)]
struct HeldRow {
    #[sqlx(flatten)]
    group: GroupRow,
    application_code: String,
    application_name: String,
    user_id: Uuid,
    granted_by: Option<Uuid>,
    granted_at: Ts,
    expires_at: Option<Ts>,
}

#[derive(sqlx::FromRow)]
struct TileRow {
    application_id: Uuid,
    environment: String,
    label: String,
    icon: String,
    launch_url: String,
    application_name: String,
}

impl Memberships for Tx {
    async fn put_membership(&mut self, m: &Membership) -> StoreResult<bool> {
        let existed: i64 = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND group_id = $2")
            .bind(m.user_id).bind(m.group_id).fetch_one(conn).await)?;
        exec!(
            self,
            sqlx::query(
                "INSERT INTO memberships (user_id, group_id, granted_by, granted_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (user_id, group_id) DO UPDATE
                 SET granted_by = excluded.granted_by, granted_at = excluded.granted_at,
                     expires_at = excluded.expires_at"
            )
            .bind(m.user_id)
            .bind(m.group_id)
            .bind(m.granted_by)
            .bind(Ts(m.granted_at))
            .bind(m.expires_at.map(Ts))
        )?;
        Ok(existed == 0)
    }

    async fn remove_membership(&mut self, user: UserId, group: Uuid) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND group_id = $2")
                .bind(user.0)
                .bind(group)
        )?;
        Ok(done == 1)
    }

    async fn memberships_of(
        &mut self,
        user: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<HeldMembership>> {
        let rows: Vec<HeldRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT g.id, g.application_id, g.environment, g.role, g.technical_name,
                    g.description, g.version, a.code AS application_code,
                    a.name AS application_name, m.user_id, m.granted_by, m.granted_at,
                    m.expires_at
             FROM app_groups g
             JOIN memberships m ON m.group_id = g.id
             JOIN applications a ON a.id = g.application_id
             WHERE m.user_id = $1 AND (m.expires_at IS NULL OR m.expires_at > $2)
             ORDER BY g.technical_name")
            .bind(user.0).bind(Ts(now)).fetch_all(conn).await)?;
        rows.into_iter()
            .map(|row| {
                let group = Group::try_from(row.group)?;
                Ok(HeldMembership {
                    membership: Membership {
                        user_id: row.user_id,
                        group_id: group.id,
                        granted_by: row.granted_by,
                        granted_at: row.granted_at.0,
                        expires_at: row.expires_at.map(|t| t.0),
                    },
                    group,
                    application_code: row.application_code,
                    application_name: row.application_name,
                })
            })
            .collect()
    }

    async fn tiles_for(
        &mut self,
        user: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<(Tile, String)>> {
        let rows: Vec<TileRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT t.application_id, t.environment, t.label, t.icon, t.launch_url,
                    a.name AS application_name
             FROM application_tiles t JOIN applications a ON a.id = t.application_id
             WHERE EXISTS (SELECT 1 FROM memberships m JOIN app_groups g ON g.id = m.group_id
                           WHERE m.user_id = $1 AND g.application_id = t.application_id
                             AND g.environment = t.environment
                             AND (m.expires_at IS NULL OR m.expires_at > $2))
             ORDER BY a.name, t.environment DESC")
            .bind(user.0).bind(Ts(now)).fetch_all(conn).await)?;
        rows.into_iter()
            .map(|row| {
                let environment = tessera_domain::application::Environment::parse(&row.environment)
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown environment '{}'", row.environment))
                    })?;
                Ok((
                    Tile {
                        application_id: row.application_id,
                        environment,
                        label: row.label,
                        icon: row.icon,
                        launch_url: row.launch_url,
                    },
                    row.application_name,
                ))
            })
            .collect()
    }

    async fn groups_held_in(
        &mut self,
        user: UserId,
        application: Uuid,
        environment: Environment,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Group>> {
        let rows: Vec<GroupRow> = with_conn!(self, conn => sqlx::query_as(select_groups!(
            "JOIN memberships m ON m.group_id = g.id
             WHERE m.user_id = $1 AND g.application_id = $2 AND g.environment = $3
               AND (m.expires_at IS NULL OR m.expires_at > $4)
             ORDER BY g.technical_name"))
            .bind(user.0).bind(application).bind(environment.as_str()).bind(Ts(now))
            .fetch_all(conn).await)?;
        rows.into_iter().map(Group::try_from).collect()
    }

    async fn assurances_needed(
        &mut self,
        user: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Assurance>> {
        let rows: Vec<String> = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT DISTINCT a.min_assurance FROM memberships m
             JOIN app_groups g ON g.id = m.group_id
             JOIN applications a ON a.id = g.application_id
             WHERE m.user_id = $1 AND (m.expires_at IS NULL OR m.expires_at > $2)")
            .bind(user.0).bind(Ts(now)).fetch_all(conn).await)?;
        rows.iter()
            .map(|s| {
                Assurance::parse(s)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown assurance '{s}'")))
            })
            .collect()
    }

    async fn count_members(&mut self, group: Uuid, now: OffsetDateTime) -> StoreResult<i64> {
        let count: i64 = with_conn!(self, conn => sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships
             WHERE group_id = $1 AND (expires_at IS NULL OR expires_at > $2)")
            .bind(group).bind(Ts(now)).fetch_one(conn).await)?;
        Ok(count)
    }

    async fn take_expired_memberships(
        &mut self,
        now: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<Membership>> {
        let rows: Vec<MembershipRow> = with_conn!(self, conn => sqlx::query_as(
            "DELETE FROM memberships WHERE (user_id, group_id) IN (
                 SELECT user_id, group_id FROM memberships
                 WHERE expires_at IS NOT NULL AND expires_at <= $1
                 ORDER BY expires_at LIMIT $2)
             RETURNING user_id, group_id, granted_by, granted_at, expires_at")
            .bind(Ts(now)).bind(limit).fetch_all(conn).await)?;
        Ok(rows.into_iter().map(Membership::from).collect())
    }
}
