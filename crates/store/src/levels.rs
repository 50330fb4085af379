//! Organisation levels.

use tessera_domain::LevelId;
use tessera_domain::level::Level;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

/// The port for organisation levels.
pub trait Levels {
    async fn insert_level(&mut self, level: &Level) -> StoreResult<()>;
    async fn level(&mut self, id: LevelId) -> StoreResult<Option<Level>>;
    /// The level without a parent, if the tree has been started.
    async fn root_level(&mut self) -> StoreResult<Option<Level>>;
    /// Every level by name under a parent, in name order.
    async fn child_levels(&mut self, parent: LevelId) -> StoreResult<Vec<Level>>;
    /// This level and all below it, in path order (parents before children).
    async fn subtree(&mut self, level: &Level) -> StoreResult<Vec<Level>>;
    async fn count_levels(&mut self) -> StoreResult<i64>;
    /// Writes a level's name and parent (at `level.version - 1`), and moves every path of its
    /// subtree from `old_path` to `level.path`; [`StoreError::Stale`] when it changed meanwhile.
    async fn update_level(&mut self, level: &Level, old_path: &str) -> StoreResult<()>;
    /// Deletes a level; `false` when it is gone or at another version.
    async fn delete_level(&mut self, id: LevelId, version: i64) -> StoreResult<bool>;
    /// How many levels a subtree holds (the level included).
    async fn count_subtree(&mut self, path: &str) -> StoreResult<i64>;
    /// How many levels sit directly below a level.
    async fn count_children(&mut self, id: LevelId) -> StoreResult<i64>;
    /// How many role grants are held at a level.
    async fn count_grants_at(&mut self, id: LevelId) -> StoreResult<i64>;
}

#[derive(sqlx::FromRow)]
struct LevelRow {
    id: Uuid,
    parent_id: Option<Uuid>,
    name: String,
    path: String,
    external: bool,
    created_at: Ts,
    updated_at: Ts,
    version: i64,
}

impl From<LevelRow> for Level {
    fn from(row: LevelRow) -> Self {
        Level {
            id: LevelId(row.id),
            parent_id: row.parent_id.map(LevelId),
            name: row.name,
            path: row.path,
            external: row.external,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
            version: row.version,
        }
    }
}

/// `SELECT <every column> FROM levels <rest>`, as one static string.
macro_rules! select_levels {
    ($rest:literal) => {
        concat!(
            "SELECT id, parent_id, name, path, external, created_at, updated_at, version FROM levels ",
            $rest
        )
    };
}

impl Levels for Tx {
    async fn insert_level(&mut self, level: &Level) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO levels (id, parent_id, name, path, created_at, updated_at, version, external)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )
            .bind(level.id.0)
            .bind(level.parent_id.map(|p| p.0))
            .bind(&level.name)
            .bind(&level.path)
            .bind(Ts(level.created_at))
            .bind(Ts(level.updated_at))
            .bind(level.version)
            .bind(level.external)
        )?;
        Ok(())
    }

    async fn level(&mut self, id: LevelId) -> StoreResult<Option<Level>> {
        let sql = select_levels!("WHERE id = $1");
        let row: Option<LevelRow> = with_conn!(self, conn =>
            sqlx::query_as(sql).bind(id.0).fetch_optional(conn).await)?;
        Ok(row.map(Level::from))
    }

    async fn root_level(&mut self) -> StoreResult<Option<Level>> {
        let sql = select_levels!("WHERE parent_id IS NULL ORDER BY created_at LIMIT 1");
        let row: Option<LevelRow> =
            with_conn!(self, conn => sqlx::query_as(sql).fetch_optional(conn).await)?;
        Ok(row.map(Level::from))
    }

    async fn child_levels(&mut self, parent: LevelId) -> StoreResult<Vec<Level>> {
        let sql = select_levels!("WHERE parent_id = $1 ORDER BY name, id");
        let rows: Vec<LevelRow> =
            with_conn!(self, conn => sqlx::query_as(sql).bind(parent.0).fetch_all(conn).await)?;
        Ok(rows.into_iter().map(Level::from).collect())
    }

    async fn subtree(&mut self, level: &Level) -> StoreResult<Vec<Level>> {
        let (low, high) = level.subtree_range();
        let sql = select_levels!("WHERE path >= $1 AND path < $2 ORDER BY path");
        let rows: Vec<LevelRow> = with_conn!(self, conn =>
            sqlx::query_as(sql).bind(&low).bind(&high).fetch_all(conn).await)?;
        Ok(rows.into_iter().map(Level::from).collect())
    }

    async fn count_levels(&mut self) -> StoreResult<i64> {
        let count: i64 = with_conn!(self, conn =>
            sqlx::query_scalar("SELECT COUNT(*) FROM levels").fetch_one(conn).await)?;
        Ok(count)
    }

    async fn update_level(&mut self, level: &Level, old_path: &str) -> StoreResult<()> {
        let changed = exec!(
            self,
            sqlx::query(
                "UPDATE levels SET name = $2, parent_id = $3, updated_at = $4, version = $5
                 WHERE id = $1 AND version = $6"
            )
            .bind(level.id.0)
            .bind(&level.name)
            .bind(level.parent_id.map(|p| p.0))
            .bind(Ts(level.updated_at))
            .bind(level.version)
            .bind(level.version - 1)
        )?;
        if changed != 1 {
            return Err(StoreError::Stale);
        }
        if level.path != old_path {
            // Every path below starts with the old path: swap that prefix for the new one.
            let (low, high) = tessera_domain::level::subtree_range(old_path);
            // An int4 for PostgreSQL's substr(text, integer).
            let keep_from = i32::try_from(old_path.len())
                .unwrap_or(i32::MAX)
                .saturating_add(1);
            exec!(
                self,
                sqlx::query(
                    "UPDATE levels SET path = $1 || substr(path, $2)
                     WHERE path >= $3 AND path < $4"
                )
                .bind(&level.path)
                .bind(keep_from)
                .bind(&low)
                .bind(&high)
            )?;
        }
        Ok(())
    }

    async fn delete_level(&mut self, id: LevelId, version: i64) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query("DELETE FROM levels WHERE id = $1 AND version = $2")
                .bind(id.0)
                .bind(version)
        )?;
        Ok(changed == 1)
    }

    async fn count_subtree(&mut self, path: &str) -> StoreResult<i64> {
        let (low, high) = tessera_domain::level::subtree_range(path);
        let count: i64 = with_conn!(self, conn =>
            sqlx::query_scalar("SELECT COUNT(*) FROM levels WHERE path >= $1 AND path < $2")
                .bind(&low).bind(&high).fetch_one(conn).await)?;
        Ok(count)
    }

    async fn count_children(&mut self, id: LevelId) -> StoreResult<i64> {
        let count: i64 = with_conn!(self, conn =>
            sqlx::query_scalar("SELECT COUNT(*) FROM levels WHERE parent_id = $1")
                .bind(id.0).fetch_one(conn).await)?;
        Ok(count)
    }

    async fn count_grants_at(&mut self, id: LevelId) -> StoreResult<i64> {
        let count: i64 = with_conn!(self, conn =>
            sqlx::query_scalar("SELECT COUNT(*) FROM role_grants WHERE level_id = $1")
                .bind(id.0).fetch_one(conn).await)?;
        Ok(count)
    }
}
