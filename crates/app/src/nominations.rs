//! Administrators: nominated by a user administrator of the organisation (or an operator),
//! confirmed or rejected by an operator; until then the nominee has no rights. Operators also
//! appoint directly and revoke, never leaving Tessera without an operator.

use serde_json::json;
use tessera_domain::access::{Action, Principal, allowed, may_remove_operator};
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::level::path_contains;
use tessera_domain::role::Role;
use tessera_domain::{LevelId, UserId, ValidationErrors};
use tessera_store::nominations::Nomination;
use tessera_store::roles::RoleGrant;
use tessera_store::{AuditLog, Levels, Nominations, Roles, Tx, Users};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// A nomination as administrators see it.
#[derive(Debug, Clone)]
pub struct NominationView {
    pub id: Uuid,
    pub user_id: UserId,
    pub user_name: String,
    pub user_email: String,
    pub role: Role,
    pub level_id: LevelId,
    pub level_name: String,
    pub state: String,
    pub nominated_at: OffsetDateTime,
    /// Whether the actor may confirm or reject it (operators, never on their own roles).
    pub may_decide: bool,
}

/// The person and the organisation a role would be held at, checked: the level exists and
/// the person belongs to it (its level or one below).
struct Placement {
    user: tessera_domain::user::User,
    level: tessera_domain::level::Level,
}

impl App {
    async fn placement(&self, tx: &mut Tx, user: UserId, level: LevelId) -> AppResult<Placement> {
        let user = tx.user(user).await?.ok_or(AppError::NotFound)?;
        let level = tx.level(level).await?.ok_or_else(|| {
            ValidationErrors::single("level_id", "unknown", "Choose an existing level.")
        })?;
        if level.external {
            return Err(ValidationErrors::single(
                "level_id",
                "external",
                "The External level has no administrators: self-registered accounts belong to no organisation.",
            )
            .into());
        }
        let user_path = self.level_path(tx, user.level_id).await?;
        if !path_contains(&level.path, &user_path) {
            return Err(ValidationErrors::single(
                "level_id",
                "outside",
                "The person must belong to this organisation (its level or one below it).",
            )
            .into());
        }
        Ok(Placement { user, level })
    }

    fn administrator_role(role: Role) -> AppResult<Role> {
        match role {
            Role::UserAdmin | Role::AccessAdmin => Ok(role),
            Role::Operator => Err(ValidationErrors::single(
                "role",
                "not_nominable",
                "Nominate a user administrator or an access administrator; operators are appointed by operators.",
            )
            .into()),
        }
    }

    async fn audit_role(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        action: &str,
        user: UserId,
        level: LevelId,
        details: serde_json::Value,
    ) -> AppResult<()> {
        tx.append_audit(
            NewAuditEvent::new(self.now(), ctx.actor, action, "user")
                .target(user)
                .level(level)
                .request(ctx.request_id.as_deref())
                .details(&details),
        )
        .await?;
        Ok(())
    }

    /// Whether the person holds the role at the level already.
    async fn holds(
        &self,
        tx: &mut Tx,
        user: UserId,
        role: Role,
        level: LevelId,
    ) -> AppResult<bool> {
        Ok(tx
            .roles_of(user)
            .await?
            .iter()
            .any(|g| g.role == role && g.level_id == level))
    }

    /// Grants a role unless it is held already; `false` then.
    async fn grant_once(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        user: UserId,
        role: Role,
        level: LevelId,
    ) -> AppResult<bool> {
        if self.holds(tx, user, role, level).await? {
            return Ok(false);
        }
        tx.grant_role(&RoleGrant {
            user_id: user,
            role,
            level_id: level,
            granted_by: ctx.actor.user_id(),
            granted_at: self.now(),
        })
        .await?;
        Ok(true)
    }

    /// Nominates a person as user or access administrator of an organisation.
    pub async fn nominate(
        &self,
        ctx: &Ctx,
        user: UserId,
        role: Role,
        level: LevelId,
    ) -> AppResult<Uuid> {
        let role = Self::administrator_role(role)?;
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        let place = self.placement(&mut tx, user, level).await?;
        let user_path = self.level_path(&mut tx, place.user.level_id).await?;
        if !allowed(&principal, Action::ViewUsers { level: &user_path }) {
            return Err(AppError::NotFound);
        }
        self.authorize(
            ctx.actor,
            &grants,
            Action::Nominate {
                level: &place.level.path,
                nominee: Actor::User(user),
            },
        )?;
        if self.holds(&mut tx, user, role, level).await? {
            return Err(AppError::Conflict(
                "This person already holds this role there.".into(),
            ));
        }
        if tx.pending_like(user, role, level).await? {
            return Err(AppError::Conflict(
                "This nomination is already waiting for an operator's decision.".into(),
            ));
        }
        let id = Uuid::new_v4();
        tx.insert_nomination(&Nomination {
            id,
            user_id: user,
            role,
            level_id: level,
            nominated_by: ctx.actor.user_id(),
            nominated_at: self.now(),
            state: "pending".into(),
            decided_by: None,
            decided_at: None,
        })
        .await?;
        self.audit_role(
            &mut tx,
            ctx,
            "nomination.create",
            user,
            level,
            json!({"nomination": id, "role": role.as_str()}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Pending nominations the actor may see: all for operators, those of their subtrees for
    /// user and access administrators.
    pub async fn pending_nominations(&self, ctx: &Ctx) -> AppResult<Vec<NominationView>> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        let mut views = Vec::new();
        for n in tx.nominations_in("pending", 500).await? {
            let Some(level) = tx.level(n.level_id).await? else {
                continue;
            };
            if !allowed(&principal, Action::ViewUsers { level: &level.path }) {
                continue;
            }
            let Some(user) = tx.user(n.user_id).await? else {
                continue;
            };
            views.push(NominationView {
                id: n.id,
                user_id: n.user_id,
                user_name: user.display_name(),
                user_email: user.email,
                role: n.role,
                level_id: n.level_id,
                level_name: level.name,
                state: n.state,
                nominated_at: n.nominated_at,
                may_decide: allowed(
                    &principal,
                    Action::DecideRoles {
                        subject: Actor::User(n.user_id),
                    },
                ),
            });
        }
        Ok(views)
    }

    /// An operator confirms (the role is granted) or rejects a nomination.
    pub async fn decide_nomination(&self, ctx: &Ctx, id: Uuid, confirm: bool) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let nomination = tx.nomination(id).await?.ok_or(AppError::NotFound)?;
        self.authorize(
            ctx.actor,
            &grants,
            Action::DecideRoles {
                subject: Actor::User(nomination.user_id),
            },
        )?;
        let state = if confirm { "confirmed" } else { "rejected" };
        if !tx
            .decide_nomination(id, state, ctx.actor.user_id(), now)
            .await?
        {
            return Err(AppError::Conflict(
                "This nomination was decided already.".into(),
            ));
        }
        if confirm {
            // The person must still belong to the organisation.
            self.placement(&mut tx, nomination.user_id, nomination.level_id)
                .await?;
            self.grant_once(
                &mut tx,
                ctx,
                nomination.user_id,
                nomination.role,
                nomination.level_id,
            )
            .await?;
        }
        self.audit_role(
            &mut tx,
            ctx,
            if confirm {
                "nomination.confirm"
            } else {
                "nomination.reject"
            },
            nomination.user_id,
            nomination.level_id,
            json!({"nomination": id, "role": nomination.role.as_str()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An operator appoints someone directly (any role, at a level the person belongs to).
    pub async fn appoint(
        &self,
        ctx: &Ctx,
        user: UserId,
        role: Role,
        level: LevelId,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(
            ctx.actor,
            &grants,
            Action::DecideRoles {
                subject: Actor::User(user),
            },
        )?;
        self.placement(&mut tx, user, level).await?;
        if !self.grant_once(&mut tx, ctx, user, role, level).await? {
            return Err(AppError::Conflict(
                "This person already holds this role there.".into(),
            ));
        }
        self.audit_role(
            &mut tx,
            ctx,
            "role.grant",
            user,
            level,
            json!({"role": role.as_str()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An operator takes a role away; the last operator stays.
    pub async fn revoke(
        &self,
        ctx: &Ctx,
        user: UserId,
        role: Role,
        level: LevelId,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(
            ctx.actor,
            &grants,
            Action::DecideRoles {
                subject: Actor::User(user),
            },
        )?;
        if role == Role::Operator && !may_remove_operator(tx.count_role(Role::Operator).await?) {
            return Err(AppError::Conflict(
                "This is the last operator: appoint another operator first.".into(),
            ));
        }
        if !tx.revoke_role(user, role, level).await? {
            return Err(AppError::NotFound);
        }
        self.audit_role(
            &mut tx,
            ctx,
            "role.revoke",
            user,
            level,
            json!({"role": role.as_str()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
