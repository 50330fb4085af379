//! Memberships: the Assign Memberships page (what a person holds, what this administrator may
//! add), saving additions and removals in one transaction, granting one group to many people
//! at once, My Apps, the groups released to one application, and the sweep of expired ones.

use serde_json::json;
use tessera_domain::access::{Action, Grant, Principal, allowed};
use tessera_domain::application::{Environment, Group, Membership, Tile, membership_expiry};
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::user::User;
use tessera_domain::{UserId, ValidationErrors};
use tessera_store::memberships::HeldMembership;
use tessera_store::{Applications, AuditLog, Levels, Memberships, Tx, Users};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// The Assign Memberships page of one person.
#[derive(Debug, Clone)]
pub struct MembershipsView {
    pub user: User,
    pub level_name: String,
    /// What the person holds (counting now), each with whether this actor may remove it.
    pub held: Vec<(HeldMembership, bool)>,
}

/// A group this administrator may grant to the person, for "Add Memberships".
#[derive(Debug, Clone)]
pub struct AssignableGroup {
    pub group: Group,
    pub application_name: String,
    pub held: bool,
}

/// One addition: a group and an optional expiry.
#[derive(Debug, Clone)]
pub struct Addition {
    pub group_id: Uuid,
    pub expires_at: Option<OffsetDateTime>,
}

/// A tile on My Apps.
#[derive(Debug, Clone)]
pub struct AppTile {
    pub tile: Tile,
    pub application_name: String,
}

/// Whether a search text matches a group (technical name, display name, application).
fn matches(search: &str, group: &Group, application_name: &str) -> bool {
    let needle = search.trim().to_lowercase();
    needle.is_empty()
        || group.technical_name.to_lowercase().contains(&needle)
        || group.role.to_lowercase().contains(&needle)
        || application_name.to_lowercase().contains(&needle)
}

impl App {
    /// The paths of the levels whose subtrees may be granted a group.
    async fn grantable_paths(&self, tx: &mut Tx, group: Uuid) -> AppResult<Vec<String>> {
        Ok(tx
            .group_levels(group)
            .await?
            .into_iter()
            .map(|(_, path)| path)
            .collect())
    }

    /// Asks the domain whether the actor may grant or remove `group` for a person.
    async fn may_assign(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        grants: &[Grant],
        user: &User,
        user_path: &str,
        group: Uuid,
    ) -> AppResult<bool> {
        let grantable = self.grantable_paths(tx, group).await?;
        Ok(allowed(
            &Principal::new(ctx.actor, grants),
            Action::AssignMembership {
                level: user_path,
                member: Actor::User(user.id),
                grantable: &grantable,
            },
        ))
    }

    /// The person's memberships, if the actor may see the person.
    pub async fn memberships_view(&self, ctx: &Ctx, id: UserId) -> AppResult<MembershipsView> {
        let mut tx = self.store().reads().await?;
        let (user, grants, path) = self.visible_user(&mut tx, ctx, id).await?;
        let level_name = tx
            .level(user.level_id)
            .await?
            .map(|l| l.name)
            .unwrap_or_default();
        let mut held = Vec::new();
        for membership in tx.memberships_of(user.id, self.now()).await? {
            let removable = self
                .may_assign(&mut tx, ctx, &grants, &user, &path, membership.group.id)
                .await?;
            held.push((membership, removable));
        }
        Ok(MembershipsView {
            user,
            level_name,
            held,
        })
    }

    /// The groups this actor may grant to the person, matching `search`.
    pub async fn assignable_groups(
        &self,
        ctx: &Ctx,
        id: UserId,
        search: &str,
    ) -> AppResult<Vec<AssignableGroup>> {
        let mut tx = self.store().reads().await?;
        let (user, grants, path) = self.visible_user(&mut tx, ctx, id).await?;
        let principal = Principal::new(ctx.actor, &grants);
        // Operators may grant any group; others those granted to a level above the person.
        let candidates = if principal.is_operator() {
            let mut all = Vec::new();
            for app in tx.applications().await? {
                all.extend(tx.groups_of(app.id).await?);
            }
            all.sort_by(|a, b| a.technical_name.cmp(&b.technical_name));
            all
        } else {
            tx.groups_grantable_at(&path).await?
        };
        let held: Vec<Uuid> = tx
            .memberships_of(user.id, self.now())
            .await?
            .into_iter()
            .map(|m| m.group.id)
            .collect();
        let mut names = std::collections::HashMap::new();
        let mut out = Vec::new();
        for group in candidates {
            if !self
                .may_assign(&mut tx, ctx, &grants, &user, &path, group.id)
                .await?
            {
                continue;
            }
            let application_name = match names.get(&group.application_id) {
                Some(name) => String::clone(name),
                None => {
                    let name = tx
                        .application(group.application_id)
                        .await?
                        .map(|a| a.name)
                        .unwrap_or_default();
                    names.insert(group.application_id, name.clone());
                    name
                }
            };
            if matches(search, &group, &application_name) {
                out.push(AssignableGroup {
                    held: held.contains(&group.id),
                    group,
                    application_name,
                });
            }
        }
        Ok(out)
    }

    /// Grants one membership inside a transaction, after the domain's decision; audited.
    #[allow(clippy::too_many_arguments)]
    async fn grant_in(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        grants: &[Grant],
        user: &User,
        path: &str,
        addition: &Addition,
        now: OffsetDateTime,
    ) -> AppResult<()> {
        let group = tx.group(addition.group_id).await?.ok_or_else(|| {
            ValidationErrors::single("groups", "unknown", "Choose existing groups.")
        })?;
        if !self
            .may_assign(tx, ctx, grants, user, path, group.id)
            .await?
        {
            return Err(AppError::Forbidden);
        }
        self.check_external_membership(tx, user, group.id).await?;
        let expires_at =
            membership_expiry(addition.expires_at, now).map_err(ValidationErrors::from)?;
        let membership = Membership {
            user_id: user.id.0,
            group_id: group.id,
            granted_by: ctx.actor.user_id().map(|u| u.0),
            granted_at: now,
            expires_at,
        };
        let new = tx.put_membership(&membership).await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, if new { "membership.grant" } else { "membership.update" }, "user")
                .target(user.id.0)
                .level(user.level_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({"group": group.technical_name, "after": {"expires_at": expires_at.map(|t| t.unix_timestamp())}})),
        )
        .await?;
        Ok(())
    }

    /// Saves the Assign Memberships page: additions and removals in one transaction, all or
    /// nothing, each one decided by the domain and audited.
    pub async fn save_memberships(
        &self,
        ctx: &Ctx,
        id: UserId,
        additions: &[Addition],
        removals: &[Uuid],
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let (user, grants, path) = self.visible_user(&mut tx, ctx, id).await?;
        for addition in additions {
            self.grant_in(&mut tx, ctx, &grants, &user, &path, addition, now)
                .await?;
        }
        for group_id in removals {
            let group = tx.group(*group_id).await?.ok_or_else(|| {
                ValidationErrors::single("groups", "unknown", "Choose existing groups.")
            })?;
            if !self
                .may_assign(&mut tx, ctx, &grants, &user, &path, group.id)
                .await?
            {
                return Err(AppError::Forbidden);
            }
            if tx.remove_membership(user.id, group.id).await? {
                tx.append_audit(
                    NewAuditEvent::new(now, ctx.actor, "membership.remove", "user")
                        .target(user.id.0)
                        .level(user.level_id)
                        .request(ctx.request_id.as_deref())
                        .details(&json!({"group": group.technical_name})),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Grants one group to many people in one transaction: every one must be allowed, or
    /// nobody gets it.
    pub async fn assign_group_to_users(
        &self,
        ctx: &Ctx,
        group_id: Uuid,
        users: &[UserId],
        expires_at: Option<OffsetDateTime>,
    ) -> AppResult<usize> {
        if users.is_empty() {
            return Err(ValidationErrors::single(
                "users",
                "required",
                "Choose at least one person.",
            )
            .into());
        }
        if users.len() > 10_000 {
            return Err(ValidationErrors::single(
                "users",
                "too_many",
                "Grant to at most 10,000 people at once.",
            )
            .into());
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let addition = Addition {
            group_id,
            expires_at,
        };
        for id in users {
            let user = tx.user(*id).await?.ok_or_else(|| {
                ValidationErrors::single(
                    "users",
                    "unknown",
                    format!("There is no person with id {}.", id.0),
                )
            })?;
            let path = self.level_path(&mut tx, user.level_id).await?;
            if !allowed(
                &Principal::new(ctx.actor, &grants),
                Action::ViewUsers { level: &path },
            ) {
                return Err(ValidationErrors::single(
                    "users",
                    "unknown",
                    format!("There is no person with id {}.", id.0),
                )
                .into());
            }
            self.grant_in(&mut tx, ctx, &grants, &user, &path, &addition, now)
                .await?;
        }
        tx.commit().await?;
        Ok(users.len())
    }

    /// The signed-in person's My Apps: one tile per application environment in which they
    /// hold a membership that counts now.
    pub async fn my_apps(&self, user: UserId) -> AppResult<Vec<AppTile>> {
        let mut tx = self.store().reads().await?;
        Ok(tx
            .tiles_for(user, self.now())
            .await?
            .into_iter()
            .map(|(tile, application_name)| AppTile {
                tile,
                application_name,
            })
            .collect())
    }

    /// The technical names of the groups a person holds in one application environment (and
    /// only that one), as single sign-on releases them to that environment's clients.
    pub async fn released_groups(
        &self,
        user: UserId,
        application: Uuid,
        environment: Environment,
    ) -> AppResult<Vec<String>> {
        let mut tx = self.store().reads().await?;
        Ok(tx
            .groups_held_in(user, application, environment, self.now())
            .await?
            .into_iter()
            .map(|g| g.technical_name)
            .collect())
    }

    /// Deletes memberships past their expiry (they stopped counting already), audited.
    pub async fn sweep_expired_memberships(&self) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let expired = tx.take_expired_memberships(now, 1000).await?;
        for membership in &expired {
            let group = tx.group(membership.group_id).await?;
            let level = tx
                .user(UserId(membership.user_id))
                .await?
                .map(|u| u.level_id);
            let mut event = NewAuditEvent::new(now, Actor::System, "membership.expire", "user")
                .target(membership.user_id)
                .details(&json!({"group": group.map(|g| g.technical_name), "expires_at": membership.expires_at.map(|t| t.unix_timestamp())}));
            if let Some(level) = level {
                event = event.level(level);
            }
            tx.append_audit(event).await?;
        }
        tx.commit().await?;
        Ok(expired.len())
    }
}

/// What the actor may do with applications and memberships in general, for showing links
/// (each use case still decides on the record itself).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MembershipRights {
    /// Register applications, tiles and groups.
    pub manage_applications: bool,
    /// Assign memberships to somebody, somewhere.
    pub assign: bool,
}

/// A person other than the actor, for asking the domain about others in general.
const SOMEONE_ELSE: Actor = Actor::User(UserId(Uuid::nil()));

impl App {
    /// Whether the actor may manage applications, and assign memberships somewhere.
    pub async fn membership_rights(&self, ctx: &Ctx) -> AppResult<MembershipRights> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        // Allowed somewhere = allowed at one of the actor's levels, for a group granted there.
        let assign = grants.iter().any(|g| {
            allowed(
                &principal,
                Action::AssignMembership {
                    level: &g.level_path,
                    member: SOMEONE_ELSE,
                    grantable: std::slice::from_ref(&g.level_path),
                },
            )
        });
        Ok(MembershipRights {
            manage_applications: allowed(&principal, Action::ManageApplications),
            assign,
        })
    }

    /// The groups whose holders the actor may look for on the Users page ("Select
    /// membership"), with their application's name: every group for operators, otherwise
    /// the groups granted at or above the levels where the actor sees users.
    pub async fn filterable_groups(&self, ctx: &Ctx) -> AppResult<Vec<(Group, String)>> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        let mut groups: Vec<Group> = Vec::new();
        if principal.is_operator() {
            for app in tx.applications().await? {
                groups.extend(tx.groups_of(app.id).await?);
            }
        } else {
            for grant in &grants {
                if allowed(
                    &principal,
                    Action::ViewUsers {
                        level: &grant.level_path,
                    },
                ) {
                    groups.extend(tx.groups_grantable_at(&grant.level_path).await?);
                }
            }
        }
        groups.sort_by(|a, b| a.technical_name.cmp(&b.technical_name));
        groups.dedup_by_key(|g| g.id);
        let mut names = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(groups.len());
        for group in groups {
            let name = match names.get(&group.application_id) {
                Some(name) => String::clone(name),
                None => {
                    let name = tx
                        .application(group.application_id)
                        .await?
                        .map(|a| a.name)
                        .unwrap_or_default();
                    names.insert(group.application_id, name.clone());
                    name
                }
            };
            out.push((group, name));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::application::Environment;

    #[test]
    fn search_matches_names_and_application() {
        let group = Group {
            id: Uuid::nil(),
            application_id: Uuid::nil(),
            environment: Environment::PreProduction,
            role: "WEB_DATA_SUBMITTER".into(),
            technical_name: "A-CASPER_WEB_DATA_SUBMITTER".into(),
            description: String::new(),
            version: 1,
        };
        assert!(matches("casper", &group, "CASPER"));
        assert!(matches("submitter", &group, "CASPER"));
        assert!(matches("", &group, "CASPER"));
        assert!(!matches("imas", &group, "CASPER"));
    }
}
