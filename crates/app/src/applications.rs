//! Applications as operators register them: code, name, description, minimum assurance, a
//! tile per environment, groups per environment (technical names derived, never typed), and
//! the levels whose subtrees may be granted each group.

use serde_json::json;
use tessera_domain::access::Action;
use tessera_domain::application::{
    self, Application, Environment, Group, Tile, display_text, technical_name,
};
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::session::Assurance;
use tessera_domain::{LevelId, ValidationErrors};
use tessera_store::{Applications, AuditLog, Levels, Memberships, Tx};
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// What an operator types for an application.
#[derive(Debug, Clone, Default)]
pub struct ApplicationInput {
    pub code: String,
    pub name: String,
    pub description: String,
    /// `low`, `medium` or `high`; empty for low.
    pub min_assurance: String,
}

/// What an operator types for a tile.
#[derive(Debug, Clone, Default)]
pub struct TileInput {
    pub label: String,
    pub icon: String,
    pub launch_url: String,
}

/// A group with the levels it may be granted to (id, name) and its member count.
#[derive(Debug, Clone)]
pub struct GroupDetail {
    pub group: Group,
    pub levels: Vec<(LevelId, String)>,
    pub members: i64,
}

/// An application with everything operators manage about it.
#[derive(Debug, Clone)]
pub struct ApplicationDetail {
    pub application: Application,
    pub tiles: Vec<Tile>,
    pub groups: Vec<GroupDetail>,
}

fn assurance(raw: &str) -> Result<Assurance, ValidationErrors> {
    match raw.trim() {
        "" => Ok(Assurance::Low),
        other => Assurance::parse(other).ok_or_else(|| {
            ValidationErrors::single(
                "min_assurance",
                "invalid",
                "Choose low, medium or high as the minimum assurance.",
            )
        }),
    }
}

fn environment(raw: &str) -> Result<Environment, ValidationErrors> {
    Environment::parse(raw.trim()).ok_or_else(|| {
        ValidationErrors::single(
            "environment",
            "invalid",
            "Choose production or pre_production as the environment.",
        )
    })
}

/// The environment and name that every registration under an application (an OIDC client,
/// a CAS service) starts with; problems go into `errors`.
pub(crate) fn environment_and_name<'a>(
    errors: &mut ValidationErrors,
    environment: &str,
    name: &'a str,
) -> (Option<Environment>, &'a str) {
    let environment = Environment::parse(environment);
    if environment.is_none() {
        errors.push(
            "environment",
            "unknown",
            "Choose production or pre-production.",
        );
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push("name", "length", "Between 1 and 100 characters.");
    }
    (environment, name)
}

impl App {
    async fn authorize_applications(&self, tx: &mut Tx, ctx: &Ctx) -> AppResult<()> {
        let grants = self.grants_of_actor(tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageApplications)
    }

    async fn audit_application(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        action: &str,
        target_type: &str,
        target: Uuid,
        details: serde_json::Value,
    ) -> AppResult<()> {
        tx.append_audit(
            NewAuditEvent::new(self.now(), ctx.actor, action, target_type)
                .target(target)
                .request(ctx.request_id.as_deref())
                .details(&details),
        )
        .await?;
        Ok(())
    }

    /// Every application (operators).
    pub async fn applications(&self, ctx: &Ctx) -> AppResult<Vec<Application>> {
        let mut tx = self.store().reads().await?;
        self.authorize_applications(&mut tx, ctx).await?;
        Ok(tx.applications().await?)
    }

    /// One application with its tiles, groups, their levels and member counts (operators).
    pub async fn application_detail(&self, ctx: &Ctx, id: Uuid) -> AppResult<ApplicationDetail> {
        let mut tx = self.store().reads().await?;
        self.authorize_applications(&mut tx, ctx).await?;
        let application = tx.application(id).await?.ok_or(AppError::NotFound)?;
        let tiles = tx.tiles_of(id).await?;
        let now = self.now();
        let mut groups = Vec::new();
        for group in tx.groups_of(id).await? {
            let mut levels = Vec::new();
            for (level, _) in tx.group_levels(group.id).await? {
                let name = tx.level(level).await?.map(|l| l.name).unwrap_or_default();
                levels.push((level, name));
            }
            let members = tx.count_members(group.id, now).await?;
            groups.push(GroupDetail {
                group,
                levels,
                members,
            });
        }
        Ok(ApplicationDetail {
            application,
            tiles,
            groups,
        })
    }

    pub async fn create_application(
        &self,
        ctx: &Ctx,
        input: &ApplicationInput,
    ) -> AppResult<Application> {
        let mut errors = ValidationErrors::new();
        let code = errors.check(application::application_code(&input.code));
        let name = errors.check(display_text("name", &input.name, 100, true));
        let description = errors.check(display_text("description", &input.description, 500, false));
        let min_assurance = match assurance(&input.min_assurance) {
            Ok(a) => Some(a),
            Err(e) => {
                errors.errors.extend(e.errors);
                None
            }
        };
        let (Some(code), Some(name), Some(description), Some(min_assurance)) =
            (code, name, description, min_assurance)
        else {
            return Err(errors.into());
        };
        let mut tx = self.store().begin().await?;
        self.authorize_applications(&mut tx, ctx).await?;
        let now = self.now();
        let app = Application {
            id: Uuid::now_v7(),
            code,
            name,
            description,
            min_assurance,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        if !tx.insert_application(&app).await? {
            return Err(ValidationErrors::single(
                "code",
                "taken",
                format!("Another application already has the code {}.", app.code),
            )
            .into());
        }
        self.audit_application(
            &mut tx,
            ctx,
            "application.create",
            "application",
            app.id,
            json!({"after": {"code": app.code, "name": app.name, "min_assurance": app.min_assurance.as_str()}}),
        )
        .await?;
        tx.commit().await?;
        Ok(app)
    }

    /// Changes name, description and minimum assurance (the code names the groups, so it
    /// stays), if the application is still at `version`.
    pub async fn update_application(
        &self,
        ctx: &Ctx,
        id: Uuid,
        input: &ApplicationInput,
        version: i64,
    ) -> AppResult<Application> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(display_text("name", &input.name, 100, true));
        let description = errors.check(display_text("description", &input.description, 500, false));
        let min_assurance = match assurance(&input.min_assurance) {
            Ok(a) => Some(a),
            Err(e) => {
                errors.errors.extend(e.errors);
                None
            }
        };
        let (Some(name), Some(description), Some(min_assurance)) =
            (name, description, min_assurance)
        else {
            return Err(errors.into());
        };
        let mut tx = self.store().begin().await?;
        self.authorize_applications(&mut tx, ctx).await?;
        let before = tx.application(id).await?.ok_or(AppError::NotFound)?;
        if before.version != version {
            return Err(AppError::Stale);
        }
        let after = Application {
            name,
            description,
            min_assurance,
            version: before.version + 1,
            updated_at: self.now(),
            ..before.clone()
        };
        if !tx.update_application(&after, version).await? {
            return Err(AppError::Stale);
        }
        self.audit_application(
            &mut tx,
            ctx,
            "application.update",
            "application",
            id,
            json!({
                "before": {"name": before.name, "description": before.description, "min_assurance": before.min_assurance.as_str()},
                "after": {"name": after.name, "description": after.description, "min_assurance": after.min_assurance.as_str()},
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes an application nobody holds a membership of any more.
    pub async fn delete_application(&self, ctx: &Ctx, id: Uuid) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        self.authorize_applications(&mut tx, ctx).await?;
        let app = tx.application(id).await?.ok_or(AppError::NotFound)?;
        let now = self.now();
        let mut members = 0;
        for group in tx.groups_of(id).await? {
            members += tx.count_members(group.id, now).await?;
        }
        if members > 0 {
            return Err(AppError::Conflict(format!(
                "{} still has {members} membership(s); remove them before deleting the application.",
                app.name
            )));
        }
        tx.delete_application(id).await?;
        self.audit_application(
            &mut tx,
            ctx,
            "application.delete",
            "application",
            id,
            json!({"before": {"code": app.code, "name": app.name}}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the tile of one environment.
    pub async fn put_tile(
        &self,
        ctx: &Ctx,
        application_id: Uuid,
        environment_name: &str,
        input: &TileInput,
    ) -> AppResult<Tile> {
        let mut errors = ValidationErrors::new();
        let env = match environment(environment_name) {
            Ok(env) => Some(env),
            Err(e) => {
                errors.errors.extend(e.errors);
                None
            }
        };
        let label = errors.check(display_text("label", &input.label, 60, true));
        let icon = errors.check(application::icon("icon", &input.icon));
        let launch_url = errors.check(application::launch_url("launch_url", &input.launch_url));
        let (Some(environment), Some(label), Some(icon), Some(launch_url)) =
            (env, label, icon, launch_url)
        else {
            return Err(errors.into());
        };
        let mut tx = self.store().begin().await?;
        self.authorize_applications(&mut tx, ctx).await?;
        tx.application(application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let tile = Tile {
            application_id,
            environment,
            label,
            icon,
            launch_url,
        };
        tx.put_tile(&tile).await?;
        self.audit_application(
            &mut tx,
            ctx,
            "application.tile",
            "application",
            application_id,
            json!({"after": {"environment": environment.as_str(), "label": tile.label, "icon": tile.icon, "launch_url": tile.launch_url}}),
        )
        .await?;
        tx.commit().await?;
        Ok(tile)
    }

    /// Creates a group of an application in one environment, its technical name derived.
    pub async fn create_group(
        &self,
        ctx: &Ctx,
        application_id: Uuid,
        environment_name: &str,
        role: &str,
        description: &str,
    ) -> AppResult<Group> {
        let mut tx = self.store().begin().await?;
        self.authorize_applications(&mut tx, ctx).await?;
        let app = tx
            .application(application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut errors = ValidationErrors::new();
        let env = match environment(environment_name) {
            Ok(env) => Some(env),
            Err(e) => {
                errors.errors.extend(e.errors);
                None
            }
        };
        let role = errors.check(application::group_role(role, &app.code));
        let description = errors.check(display_text("description", description, 500, false));
        let (Some(environment), Some(role), Some(description)) = (env, role, description) else {
            return Err(errors.into());
        };
        let group = Group {
            id: Uuid::now_v7(),
            application_id,
            environment,
            technical_name: technical_name(&app.code, &role, environment),
            role,
            description,
            version: 1,
        };
        if !tx.insert_group(&group).await? {
            return Err(ValidationErrors::single(
                "role",
                "taken",
                format!("The group {} exists already.", group.technical_name),
            )
            .into());
        }
        self.audit_application(
            &mut tx,
            ctx,
            "group.create",
            "group",
            group.id,
            json!({"after": {"technical_name": group.technical_name, "application": app.code}}),
        )
        .await?;
        tx.commit().await?;
        Ok(group)
    }

    /// Deletes a group nobody holds.
    pub async fn delete_group(&self, ctx: &Ctx, id: Uuid) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        self.authorize_applications(&mut tx, ctx).await?;
        let group = tx.group(id).await?.ok_or(AppError::NotFound)?;
        let members = tx.count_members(id, self.now()).await?;
        if members > 0 {
            return Err(AppError::Conflict(format!(
                "{} is held by {members} person(s); remove those memberships first.",
                group.technical_name
            )));
        }
        tx.delete_group(id).await?;
        self.audit_application(
            &mut tx,
            ctx,
            "group.delete",
            "group",
            id,
            json!({"before": {"technical_name": group.technical_name}}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Decides which organisations (levels, with their subtrees) may be granted a group.
    pub async fn set_group_levels(
        &self,
        ctx: &Ctx,
        group_id: Uuid,
        levels: &[LevelId],
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        self.authorize_applications(&mut tx, ctx).await?;
        let group = tx.group(group_id).await?.ok_or(AppError::NotFound)?;
        for level in levels {
            if tx.level(*level).await?.is_none() {
                return Err(ValidationErrors::single(
                    "levels",
                    "unknown",
                    "Choose existing organisation levels.",
                )
                .into());
            }
        }
        let before: Vec<LevelId> = tx
            .group_levels(group_id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let mut after = levels.to_vec();
        after.sort_by_key(|l| l.0);
        after.dedup();
        tx.set_group_levels(group_id, &after).await?;
        self.audit_application(
            &mut tx,
            ctx,
            "group.levels",
            "group",
            group_id,
            json!({"technical_name": group.technical_name, "before": before, "after": after}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
