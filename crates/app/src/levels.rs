//! Organisation levels: the tree operators build (create, rename, move, delete when empty),
//! and the part of it each administrator sees.

use serde_json::json;
use tessera_domain::access::{Action, Principal, allowed};
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::level::{Level, level_name, path_contains};
use tessera_domain::role::Role;
use tessera_domain::{LevelId, ValidationErrors};
use tessera_store::{AuditLog, Levels, Tx, Users};

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// Changes to a level; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct LevelChange {
    pub name: Option<String>,
    pub parent_id: Option<LevelId>,
}

/// The external level (self-registered accounts) holds people, never organisations.
fn external_parent() -> ValidationErrors {
    ValidationErrors::single(
        "parent_id",
        "external",
        "The External level holds self-registered accounts only: it has no sub-levels.",
    )
}

impl App {
    /// The levels the actor may see: every level for operators, the subtrees of their roles
    /// for other administrators, none for anyone else. Sorted by path (parents first).
    pub async fn visible_levels(&self, ctx: &Ctx) -> AppResult<Vec<Level>> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        let root = tx
            .root_level()
            .await?
            .ok_or_else(|| AppError::Internal("the level tree has no root".into()))?;
        if principal.is_operator() {
            return Ok(tx.subtree(&root).await?);
        }
        let mut tops: Vec<&str> = grants
            .iter()
            .filter(|g| matches!(g.role, Role::UserAdmin | Role::AccessAdmin))
            .map(|g| g.level_path.as_str())
            .collect();
        tops.sort_unstable();
        // A grant inside another grant's subtree adds nothing.
        tops.dedup_by(|inner, outer| path_contains(outer, inner));
        let mut levels = Vec::new();
        for top in tops {
            // Only the path matters for a subtree query.
            let probe = Level {
                path: top.to_owned(),
                ..root.clone()
            };
            levels.extend(tx.subtree(&probe).await?);
        }
        levels.sort_by(|a, b| a.path.cmp(&b.path));
        levels.dedup_by(|a, b| a.id == b.id);
        Ok(levels)
    }

    /// A level, if the actor may see it (otherwise "not found": its existence is not told).
    pub async fn level_for(&self, ctx: &Ctx, id: LevelId) -> AppResult<Level> {
        let mut tx = self.store().reads().await?;
        let level = tx.level(id).await?.ok_or(AppError::NotFound)?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        if allowed(
            &Principal::new(ctx.actor, &grants),
            Action::ViewLevels { level: &level.path },
        ) {
            Ok(level)
        } else {
            Err(AppError::NotFound)
        }
    }

    async fn audit_level(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        action: &str,
        level: &Level,
        details: serde_json::Value,
    ) -> AppResult<()> {
        tx.append_audit(
            NewAuditEvent::new(self.now(), ctx.actor, action, "level")
                .target(level.id)
                .level(level.id)
                .request(ctx.request_id.as_deref())
                .details(&details),
        )
        .await?;
        Ok(())
    }

    pub async fn create_level(&self, ctx: &Ctx, parent: LevelId, name: &str) -> AppResult<Level> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageLevels)?;
        let parent = tx.level(parent).await?.ok_or_else(|| {
            ValidationErrors::single("parent_id", "unknown", "Choose an existing parent level.")
        })?;
        if parent.external {
            return Err(external_parent().into());
        }
        let level = Level::new_child(self.new_level_id(), &parent, name, self.now())
            .map_err(ValidationErrors::from)?;
        tx.insert_level(&level).await?;
        self.audit_level(
            &mut tx,
            ctx,
            "level.create",
            &level,
            json!({"after": {"name": level.name, "parent_id": parent.id}}),
        )
        .await?;
        tx.commit().await?;
        Ok(level)
    }

    /// Renames and/or moves a level (with everything below it), if it is still at `version`.
    pub async fn update_level(
        &self,
        ctx: &Ctx,
        id: LevelId,
        change: LevelChange,
        version: i64,
    ) -> AppResult<Level> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageLevels)?;
        let before = tx.level(id).await?.ok_or(AppError::NotFound)?;
        if before.version != version {
            return Err(AppError::Stale);
        }
        let mut after = before.clone();
        let mut errors = ValidationErrors::new();
        if let Some(name) = &change.name
            && let Some(name) = errors.check(level_name(name))
        {
            after.name = name;
        }
        if let Some(parent_id) = change.parent_id
            && Some(parent_id) != before.parent_id
        {
            match tx.level(parent_id).await? {
                _ if before.parent_id.is_none() => errors.push(
                    "parent_id",
                    "root",
                    "The root level stays at the top of the tree.",
                ),
                Some(parent) if parent.external => errors.errors.extend(external_parent().errors),
                Some(parent) if path_contains(&before.path, &parent.path) => errors.push(
                    "parent_id",
                    "cycle",
                    "A level cannot move below itself or one of its own sub-levels.",
                ),
                Some(parent) => {
                    after.parent_id = Some(parent.id);
                    after.path = format!("{}{}/", parent.path, before.id);
                }
                None => errors.push("parent_id", "unknown", "Choose an existing parent level."),
            }
        }
        errors.into_result()?;
        after.updated_at = self.now();
        after.version = before.version + 1;
        tx.update_level(&after, &before.path).await?;
        self.audit_level(
            &mut tx,
            ctx,
            "level.update",
            &after,
            json!({
                "before": {"name": before.name, "parent_id": before.parent_id},
                "after": {"name": after.name, "parent_id": after.parent_id},
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a level that holds nothing: no sub-levels, no users, no administrators.
    pub async fn delete_level(&self, ctx: &Ctx, id: LevelId, version: i64) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageLevels)?;
        let level = tx.level(id).await?.ok_or(AppError::NotFound)?;
        if level.parent_id.is_none() {
            return Err(AppError::Conflict(
                "The root level cannot be deleted.".into(),
            ));
        }
        if level.version != version {
            return Err(AppError::Stale);
        }
        let children = tx.count_children(id).await?;
        let users = tx.count_users_in_level(id).await?;
        let grants_here = tx.count_grants_at(id).await?;
        if children + users + grants_here > 0 {
            return Err(AppError::Conflict(format!(
                "Only an empty level can be deleted; this one holds {children} sub-level(s), {users} user(s) and {grants_here} administrator role(s). Move or delete them first."
            )));
        }
        if !tx.delete_level(id, version).await? {
            return Err(AppError::Stale);
        }
        self.audit_level(
            &mut tx,
            ctx,
            "level.delete",
            &level,
            json!({"before": {"name": level.name, "parent_id": level.parent_id}}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
