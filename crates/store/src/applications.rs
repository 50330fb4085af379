//! Applications, their tiles, groups, and which levels' subtrees may be granted each group.

use tessera_domain::LevelId;
use tessera_domain::application::{Application, Environment, Group, Tile};
use tessera_domain::session::Assurance;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

/// The port for applications and groups.
pub trait Applications {
    /// Inserts an application; `false` when its code is taken.
    async fn insert_application(&mut self, app: &Application) -> StoreResult<bool>;
    /// Updates name, description and minimum assurance when the version still matches.
    async fn update_application(&mut self, app: &Application, expected: i64) -> StoreResult<bool>;
    async fn delete_application(&mut self, id: Uuid) -> StoreResult<bool>;
    async fn application(&mut self, id: Uuid) -> StoreResult<Option<Application>>;
    async fn application_by_code(&mut self, code: &str) -> StoreResult<Option<Application>>;
    /// Every application, by name.
    async fn applications(&mut self) -> StoreResult<Vec<Application>>;
    async fn put_tile(&mut self, tile: &Tile) -> StoreResult<()>;
    async fn delete_tile(&mut self, app: Uuid, environment: Environment) -> StoreResult<bool>;
    async fn tiles_of(&mut self, app: Uuid) -> StoreResult<Vec<Tile>>;
    /// Inserts a group; `false` when its technical name is taken.
    async fn insert_group(&mut self, group: &Group) -> StoreResult<bool>;
    async fn update_group_description(
        &mut self,
        id: Uuid,
        description: &str,
        expected: i64,
    ) -> StoreResult<bool>;
    async fn delete_group(&mut self, id: Uuid) -> StoreResult<bool>;
    async fn group(&mut self, id: Uuid) -> StoreResult<Option<Group>>;
    async fn group_by_technical_name(&mut self, name: &str) -> StoreResult<Option<Group>>;
    /// The groups of an application, by environment and role.
    async fn groups_of(&mut self, app: Uuid) -> StoreResult<Vec<Group>>;
    /// The levels (id and path) whose subtrees may be granted a group.
    async fn group_levels(&mut self, group: Uuid) -> StoreResult<Vec<(LevelId, String)>>;
    async fn set_group_levels(&mut self, group: Uuid, levels: &[LevelId]) -> StoreResult<()>;
    /// The groups that may be granted to a user of the level at `path`: those granted to that
    /// level or one above it.
    async fn groups_grantable_at(&mut self, path: &str) -> StoreResult<Vec<Group>>;
}

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: Uuid,
    code: String,
    name: String,
    description: String,
    min_assurance: String,
    version: i64,
    created_at: Ts,
    updated_at: Ts,
}

impl TryFrom<ApplicationRow> for Application {
    type Error = StoreError;

    fn try_from(row: ApplicationRow) -> Result<Self, Self::Error> {
        Ok(Application {
            id: row.id,
            code: row.code,
            name: row.name,
            description: row.description,
            min_assurance: Assurance::parse(&row.min_assurance).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown assurance '{}'", row.min_assurance))
            })?,
            version: row.version,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
        })
    }
}

fn environment(s: &str) -> StoreResult<Environment> {
    Environment::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown environment '{s}'")))
}

#[derive(sqlx::FromRow)]
struct TileRow {
    application_id: Uuid,
    environment: String,
    label: String,
    icon: String,
    launch_url: String,
}

impl TryFrom<TileRow> for Tile {
    type Error = StoreError;

    fn try_from(row: TileRow) -> Result<Self, Self::Error> {
        Ok(Tile {
            application_id: row.application_id,
            environment: environment(&row.environment)?,
            label: row.label,
            icon: row.icon,
            launch_url: row.launch_url,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GroupRow {
    id: Uuid,
    application_id: Uuid,
    environment: String,
    role: String,
    technical_name: String,
    description: String,
    version: i64,
}

impl TryFrom<GroupRow> for Group {
    type Error = StoreError;

    fn try_from(row: GroupRow) -> Result<Self, Self::Error> {
        Ok(Group {
            id: row.id,
            application_id: row.application_id,
            environment: environment(&row.environment)?,
            role: row.role,
            technical_name: row.technical_name,
            description: row.description,
            version: row.version,
        })
    }
}

macro_rules! select_applications {
    ($rest:literal) => {
        concat!(
            "SELECT id, code, name, description, min_assurance, version, created_at, updated_at \
             FROM applications ",
            $rest
        )
    };
}

/// The columns of a group, for queries that alias `app_groups` as `g`.
macro_rules! select_groups {
    ($rest:literal) => {
        concat!(
            "SELECT g.id, g.application_id, g.environment, g.role, g.technical_name, \
             g.description, g.version FROM app_groups g ",
            $rest
        )
    };
}
pub(crate) use select_groups;

impl Applications for Tx {
    async fn insert_application(&mut self, a: &Application) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query(
                "INSERT INTO applications (id, code, name, description, min_assurance, version,
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (code) DO NOTHING"
            )
            .bind(a.id)
            .bind(&a.code)
            .bind(&a.name)
            .bind(&a.description)
            .bind(a.min_assurance.as_str())
            .bind(a.version)
            .bind(Ts(a.created_at))
            .bind(Ts(a.updated_at))
        )?;
        Ok(done == 1)
    }

    async fn update_application(&mut self, a: &Application, expected: i64) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE applications SET name = $2, description = $3, min_assurance = $4,
                 version = $5, updated_at = $6 WHERE id = $1 AND version = $7"
            )
            .bind(a.id)
            .bind(&a.name)
            .bind(&a.description)
            .bind(a.min_assurance.as_str())
            .bind(a.version)
            .bind(Ts(a.updated_at))
            .bind(expected)
        )?;
        Ok(done == 1)
    }

    async fn delete_application(&mut self, id: Uuid) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query("DELETE FROM applications WHERE id = $1").bind(id)
        )?;
        Ok(done == 1)
    }

    async fn application(&mut self, id: Uuid) -> StoreResult<Option<Application>> {
        let row: Option<ApplicationRow> = with_conn!(self, conn =>
            sqlx::query_as(select_applications!("WHERE id = $1")).bind(id).fetch_optional(conn).await)?;
        row.map(Application::try_from).transpose()
    }

    async fn application_by_code(&mut self, code: &str) -> StoreResult<Option<Application>> {
        let row: Option<ApplicationRow> = with_conn!(self, conn =>
            sqlx::query_as(select_applications!("WHERE code = $1")).bind(code).fetch_optional(conn).await)?;
        row.map(Application::try_from).transpose()
    }

    async fn applications(&mut self) -> StoreResult<Vec<Application>> {
        let rows: Vec<ApplicationRow> = with_conn!(self, conn =>
            sqlx::query_as(select_applications!("ORDER BY name, code")).fetch_all(conn).await)?;
        rows.into_iter().map(Application::try_from).collect()
    }

    async fn put_tile(&mut self, t: &Tile) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO application_tiles (application_id, environment, label, icon,
                 launch_url) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (application_id, environment) DO UPDATE
                 SET label = excluded.label, icon = excluded.icon, launch_url = excluded.launch_url"
            )
            .bind(t.application_id)
            .bind(t.environment.as_str())
            .bind(&t.label)
            .bind(&t.icon)
            .bind(&t.launch_url)
        )?;
        Ok(())
    }

    async fn delete_tile(&mut self, app: Uuid, env: Environment) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query(
                "DELETE FROM application_tiles WHERE application_id = $1 AND environment = $2"
            )
            .bind(app)
            .bind(env.as_str())
        )?;
        Ok(done == 1)
    }

    async fn tiles_of(&mut self, app: Uuid) -> StoreResult<Vec<Tile>> {
        let rows: Vec<TileRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT application_id, environment, label, icon, launch_url FROM application_tiles
             WHERE application_id = $1 ORDER BY environment DESC")
            .bind(app).fetch_all(conn).await)?;
        rows.into_iter().map(Tile::try_from).collect()
    }

    async fn insert_group(&mut self, g: &Group) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query(
                "INSERT INTO app_groups (id, application_id, environment, role, technical_name,
                 description, version) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT DO NOTHING"
            )
            .bind(g.id)
            .bind(g.application_id)
            .bind(g.environment.as_str())
            .bind(&g.role)
            .bind(&g.technical_name)
            .bind(&g.description)
            .bind(g.version)
        )?;
        Ok(done == 1)
    }

    async fn update_group_description(
        &mut self,
        id: Uuid,
        description: &str,
        expected: i64,
    ) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE app_groups SET description = $2, version = version + 1
                 WHERE id = $1 AND version = $3"
            )
            .bind(id)
            .bind(description)
            .bind(expected)
        )?;
        Ok(done == 1)
    }

    async fn delete_group(&mut self, id: Uuid) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query("DELETE FROM app_groups WHERE id = $1").bind(id)
        )?;
        Ok(done == 1)
    }

    async fn group(&mut self, id: Uuid) -> StoreResult<Option<Group>> {
        let row: Option<GroupRow> = with_conn!(self, conn =>
            sqlx::query_as(select_groups!("WHERE g.id = $1")).bind(id).fetch_optional(conn).await)?;
        row.map(Group::try_from).transpose()
    }

    async fn group_by_technical_name(&mut self, name: &str) -> StoreResult<Option<Group>> {
        let row: Option<GroupRow> = with_conn!(self, conn =>
            sqlx::query_as(select_groups!("WHERE g.technical_name = $1")).bind(name).fetch_optional(conn).await)?;
        row.map(Group::try_from).transpose()
    }

    async fn groups_of(&mut self, app: Uuid) -> StoreResult<Vec<Group>> {
        let rows: Vec<GroupRow> = with_conn!(self, conn => sqlx::query_as(
            select_groups!("WHERE g.application_id = $1 ORDER BY g.environment, g.role"))
            .bind(app).fetch_all(conn).await)?;
        rows.into_iter().map(Group::try_from).collect()
    }

    async fn group_levels(&mut self, group: Uuid) -> StoreResult<Vec<(LevelId, String)>> {
        let rows: Vec<(Uuid, String)> = with_conn!(self, conn => sqlx::query_as(
            "SELECT l.id, l.path FROM group_levels gl JOIN levels l ON l.id = gl.level_id
             WHERE gl.group_id = $1 ORDER BY l.path")
            .bind(group).fetch_all(conn).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, path)| (LevelId(id), path))
            .collect())
    }

    async fn set_group_levels(&mut self, group: Uuid, levels: &[LevelId]) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query("DELETE FROM group_levels WHERE group_id = $1").bind(group)
        )?;
        for level in levels {
            exec!(
                self,
                sqlx::query(
                    "INSERT INTO group_levels (group_id, level_id) VALUES ($1, $2)
                     ON CONFLICT DO NOTHING"
                )
                .bind(group)
                .bind(level.0)
            )?;
        }
        Ok(())
    }

    async fn groups_grantable_at(&mut self, path: &str) -> StoreResult<Vec<Group>> {
        // A level above (or at) the user's has a path that is a prefix of the user's level's.
        let rows: Vec<GroupRow> = with_conn!(self, conn => sqlx::query_as(select_groups!(
            "WHERE EXISTS (SELECT 1 FROM group_levels gl JOIN levels l ON l.id = gl.level_id
                           WHERE gl.group_id = g.id
                             AND substr($1, 1, length(l.path)) = l.path)
             ORDER BY g.technical_name"))
            .bind(path).fetch_all(conn).await)?;
        rows.into_iter().map(Group::try_from).collect()
    }
}
