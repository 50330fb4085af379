//! Administrators as the administration pages show them: who holds which role where, what
//! the actor may do about it, and nominations or appointments as typed into a form (a
//! person's e-mail address, a role's name, a level or none for the person's own).

use std::collections::HashMap;

use tessera_domain::access::{Action, Principal, allowed};
use tessera_domain::audit::Actor;
use tessera_domain::level::Level;
use tessera_domain::role::Role;
use tessera_domain::user::{User, email_address};
use tessera_domain::{LevelId, UserId, ValidationErrors};
use tessera_store::{Levels, Roles, Tx, Users};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// Which administration pages the actor may use at all, for showing links and forms (each
/// use case still decides on the record itself).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdministrationRights {
    /// See the tree of organisation levels (some subtree of it).
    pub view_levels: bool,
    /// Nominate user or access administrators somewhere.
    pub nominate: bool,
    /// Confirm or reject nominations, appoint and revoke administrators.
    pub decide_roles: bool,
}

/// One role held by one person at one level, as administrators see it.
#[derive(Debug, Clone)]
pub struct AdministratorView {
    pub user_id: UserId,
    pub user_name: String,
    pub user_email: String,
    pub role: Role,
    pub level_id: LevelId,
    pub level_name: String,
    pub granted_at: OffsetDateTime,
    /// Whether the actor may revoke this role (operators, never on their own roles).
    pub may_revoke: bool,
}

/// A nomination or appointment as typed on the page.
#[derive(Debug, Clone, Default)]
pub struct RoleInput {
    /// The person's e-mail address.
    pub email: String,
    /// `user_admin`, `access_admin` (or `operator`, for appointments).
    pub role: String,
    /// The organisation the role is held at; `None` for the person's own level.
    pub level_id: Option<LevelId>,
}

/// Someone other than any actor, to ask whether an action on *somebody* is allowed.
const SOMEONE_ELSE: Actor = Actor::Anonymous;

impl App {
    /// What the actor may do with levels and administrators, in general.
    pub async fn administration_rights(&self, ctx: &Ctx) -> AppResult<AdministrationRights> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        // Allowed somewhere = allowed at the level of one of the actor's roles.
        let anywhere = |action: fn(&str) -> Action<'_>| {
            grants
                .iter()
                .any(|g| allowed(&principal, action(&g.level_path)))
        };
        Ok(AdministrationRights {
            view_levels: anywhere(|level| Action::ViewLevels { level }),
            nominate: anywhere(|level| Action::Nominate {
                level,
                nominee: SOMEONE_ELSE,
            }),
            decide_roles: allowed(
                &principal,
                Action::DecideRoles {
                    subject: SOMEONE_ELSE,
                },
            ),
        })
    }

    /// The roles held in the levels the actor may see (everyone's for operators), by level
    /// and role.
    pub async fn administrators(&self, ctx: &Ctx) -> AppResult<Vec<AdministratorView>> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        if !grants.iter().any(|g| {
            allowed(
                &principal,
                Action::ViewUsers {
                    level: &g.level_path,
                },
            )
        }) {
            return Ok(Vec::new());
        }
        let all = tx.all_role_grants().await?;
        let mut levels: HashMap<LevelId, Option<Level>> = HashMap::new();
        let mut views = Vec::new();
        let mut people: HashMap<UserId, Option<tessera_domain::user::User>> = HashMap::new();
        for grant in all {
            let user = match people.get(&grant.user_id) {
                Some(known) => known.clone(),
                None => {
                    let found = tx.user(grant.user_id).await?;
                    people.insert(grant.user_id, found.clone());
                    found
                }
            };
            let Some(user) = user else {
                continue;
            };
            let level = match levels.get(&grant.level_id) {
                Some(known) => known.clone(),
                None => {
                    let found = tx.level(grant.level_id).await?;
                    levels.insert(grant.level_id, found.clone());
                    found
                }
            };
            let Some(level) = level else {
                continue;
            };
            if !allowed(&principal, Action::ViewUsers { level: &level.path }) {
                continue;
            }
            views.push((
                level.path.clone(),
                AdministratorView {
                    user_id: user.id,
                    user_name: user.display_name(),
                    user_email: user.email.clone(),
                    role: grant.role,
                    level_id: level.id,
                    level_name: level.name.clone(),
                    granted_at: grant.granted_at,
                    may_revoke: allowed(
                        &principal,
                        Action::DecideRoles {
                            subject: Actor::User(user.id),
                        },
                    ),
                },
            ));
        }
        views.sort_by(|(a_path, a), (b_path, b)| {
            (a_path, a.role.as_str(), &a.user_email).cmp(&(b_path, b.role.as_str(), &b.user_email))
        });
        Ok(views.into_iter().map(|(_, view)| view).collect())
    }

    /// The person, role and level a form names, checked: an account the actor may see, a
    /// role by its name, and the person's own level unless another was chosen.
    async fn role_request(
        &self,
        ctx: &Ctx,
        input: &RoleInput,
    ) -> AppResult<(UserId, Role, LevelId)> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        let mut errors = ValidationErrors::new();
        let person = match errors.check(email_address(&input.email)) {
            Some((_, key)) => {
                let visible = self.visible_person(&mut tx, &principal, &key).await?;
                if visible.is_none() {
                    errors.push(
                        "email",
                        "unknown",
                        "No account that you administer has this e-mail address.",
                    );
                }
                visible
            }
            None => None,
        };
        let role = Role::parse(input.role.trim());
        if role.is_none() {
            errors.push("role", "required", "Choose a role.");
        }
        match (person, role) {
            (Some(person), Some(role)) if errors.is_empty() => {
                Ok((person.id, role, input.level_id.unwrap_or(person.level_id)))
            }
            _ => Err(AppError::Invalid(errors)),
        }
    }

    /// The account with this address, if the actor may see it (others are not told apart
    /// from addresses nobody has).
    async fn visible_person(
        &self,
        tx: &mut Tx,
        principal: &Principal<'_>,
        email_key: &str,
    ) -> AppResult<Option<User>> {
        let Some(user) = tx.user_by_email_key(email_key).await? else {
            return Ok(None);
        };
        let Some(level) = tx.level(user.level_id).await? else {
            return Ok(None);
        };
        Ok(allowed(principal, Action::ViewUsers { level: &level.path }).then_some(user))
    }

    /// Nominates the person a form names (see [`App::nominate`]).
    pub async fn nominate_from(&self, ctx: &Ctx, input: &RoleInput) -> AppResult<Uuid> {
        let (user, role, level) = self.role_request(ctx, input).await?;
        self.nominate(ctx, user, role, level).await
    }

    /// Appoints the person a form names (see [`App::appoint`]).
    pub async fn appoint_from(&self, ctx: &Ctx, input: &RoleInput) -> AppResult<()> {
        let (user, role, level) = self.role_request(ctx, input).await?;
        self.appoint(ctx, user, role, level).await
    }
}
