//! Administrative role grants.

use tessera_domain::access::Grant;
use tessera_domain::role::Role;
use tessera_domain::{LevelId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

/// One role held by one user at one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub user_id: UserId,
    pub role: Role,
    pub level_id: LevelId,
    pub granted_by: Option<UserId>,
    pub granted_at: OffsetDateTime,
}

/// The port for role grants.
pub trait Roles {
    async fn grant_role(&mut self, grant: &RoleGrant) -> StoreResult<()>;
    async fn roles_of(&mut self, user: UserId) -> StoreResult<Vec<RoleGrant>>;
    async fn count_role(&mut self, role: Role) -> StoreResult<i64>;
    /// Takes a role away; `false` when the user did not hold it there.
    async fn revoke_role(&mut self, user: UserId, role: Role, level: LevelId) -> StoreResult<bool>;
    /// The roles a user holds, each with the path of its level, for access decisions.
    async fn grants_of(&mut self, user: UserId) -> StoreResult<Vec<Grant>>;
    /// Every role held by anyone (administrators are few: one row per role and level).
    async fn all_role_grants(&mut self) -> StoreResult<Vec<RoleGrant>>;
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    user_id: Uuid,
    role: String,
    level_id: Uuid,
    granted_by: Option<Uuid>,
    granted_at: Ts,
}

fn role_grants(rows: Vec<GrantRow>) -> StoreResult<Vec<RoleGrant>> {
    rows.into_iter()
        .map(|row| {
            let role = Role::parse(&row.role)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown role '{}'", row.role)))?;
            Ok(RoleGrant {
                user_id: UserId(row.user_id),
                role,
                level_id: LevelId(row.level_id),
                granted_by: row.granted_by.map(UserId),
                granted_at: row.granted_at.0,
            })
        })
        .collect()
}

impl Roles for Tx {
    async fn grant_role(&mut self, grant: &RoleGrant) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO role_grants (user_id, role, level_id, granted_by, granted_at)
             VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(grant.user_id.0)
            .bind(grant.role.as_str())
            .bind(grant.level_id.0)
            .bind(grant.granted_by.map(|u| u.0))
            .bind(Ts(grant.granted_at))
        )?;
        Ok(())
    }

    async fn roles_of(&mut self, user: UserId) -> StoreResult<Vec<RoleGrant>> {
        let rows: Vec<GrantRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT user_id, role, level_id, granted_by, granted_at FROM role_grants
             WHERE user_id = $1 ORDER BY role, level_id")
            .bind(user.0).fetch_all(conn).await)?;
        role_grants(rows)
    }

    async fn all_role_grants(&mut self) -> StoreResult<Vec<RoleGrant>> {
        let rows: Vec<GrantRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT user_id, role, level_id, granted_by, granted_at FROM role_grants
             ORDER BY user_id, role, level_id")
            .fetch_all(conn).await)?;
        role_grants(rows)
    }

    async fn revoke_role(&mut self, user: UserId, role: Role, level: LevelId) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query(
                "DELETE FROM role_grants WHERE user_id = $1 AND role = $2 AND level_id = $3"
            )
            .bind(user.0)
            .bind(role.as_str())
            .bind(level.0)
        )?;
        Ok(changed == 1)
    }

    async fn grants_of(&mut self, user: UserId) -> StoreResult<Vec<Grant>> {
        let rows: Vec<(String, String)> = with_conn!(self, conn => sqlx::query_as(
            "SELECT g.role, l.path FROM role_grants g JOIN levels l ON l.id = g.level_id
             WHERE g.user_id = $1 ORDER BY g.role, l.path")
            .bind(user.0).fetch_all(conn).await)?;
        rows.into_iter()
            .map(|(role, level_path)| {
                let role = Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown role '{role}'")))?;
                Ok(Grant { role, level_path })
            })
            .collect()
    }

    async fn count_role(&mut self, role: Role) -> StoreResult<i64> {
        let count: i64 = with_conn!(self, conn =>
            sqlx::query_scalar("SELECT COUNT(*) FROM role_grants WHERE role = $1")
                .bind(role.as_str()).fetch_one(conn).await)?;
        Ok(count)
    }
}
