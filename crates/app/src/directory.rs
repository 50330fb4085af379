//! Users administration: create (with an invitation e-mail), view, edit, delete and search
//! the accounts of the levels an administrator manages. Every decision goes through
//! `domain::access::allowed`; every change is audited with its fields before and after.

use serde_json::json;
use tessera_domain::access::{Action, Grant, Principal, allowed};
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::message::{Channel, NewMessage};
use tessera_domain::phone::phone_number;
use tessera_domain::role::Role;
use tessera_domain::setup::{token_digest, token_text};
use tessera_domain::user::{User, UserStatus, email_address, email_language, person_name};
use tessera_domain::{FieldError, LevelId, UserId, ValidationErrors};
use tessera_store::second_factors::PhoneNumber;
use tessera_store::user_search::{UserHit, UserSearch, UserSort};
use tessera_store::{
    AuditLog, Levels, PasswordResets, Roles, SecondFactors, Sessions, Tx, UserSearches, Users,
};
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

use crate::app::{App, SUPPORTED_LANGUAGES};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// How long an invitation link works.
pub const INVITATION_LIFETIME: Duration = Duration::days(7);
const COMPANY_ID_MAX: usize = 64;

/// The fields of the create and edit forms, as typed.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub level_id: Option<LevelId>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Empty for none.
    pub phone: String,
    /// Empty for none.
    pub company_id: String,
    /// `YYYY-MM-DD`, the day the account stops working; empty for none.
    pub expires_on: String,
    pub language: String,
}

/// The checked fields.
pub(crate) struct Checked {
    first_name: String,
    last_name: String,
    email: String,
    pub(crate) email_key: String,
    phone: Option<String>,
    company_id: Option<String>,
    expires_at: Option<OffsetDateTime>,
    language: String,
}

/// An account as the administration pages show it.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user: User,
    pub level_name: String,
    pub level_path: String,
    /// The phone numbers codes go to, the default first.
    pub phones: Vec<String>,
    pub roles: Vec<Role>,
    /// Status at the time of asking (an account past its date shows as expired).
    pub status: UserStatus,
}

/// One page of search results, and where the next one starts.
#[derive(Debug, Clone)]
pub struct UserPage {
    pub hits: Vec<UserHit>,
    /// Pass back as `after` for the next page; `None` on the last page.
    pub next: Option<(String, Uuid)>,
    /// The order used (the one asked for, or the searched field's).
    pub sort: &'static str,
}

/// What an administrator may do with the directory, in general.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirectoryRights {
    pub view_users: bool,
    pub manage_users: bool,
    pub manage_levels: bool,
}

/// What to search for, as typed on the Users page or in the API.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// The level to search; the root when `None`.
    pub level_id: Option<LevelId>,
    pub include_sub_levels: bool,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    /// Only holders of this group (the Users page's membership filter).
    pub group_id: Option<Uuid>,
    /// `last_name` (default), `first_name` or `email`.
    pub sort: String,
    pub after: Option<(String, Uuid)>,
    pub limit: i64,
}

fn optional(raw: &str) -> Option<&str> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then_some(trimmed)
}

/// A date typed as `YYYY-MM-DD`: the account stops working at the start of that day (UTC),
/// which must lie ahead.
fn expiry(raw: &str, now: OffsetDateTime) -> Result<Option<OffsetDateTime>, FieldError> {
    let Some(text) = optional(raw) else {
        return Ok(None);
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(text, &format).map_err(|_| FieldError {
        field: "expires_on",
        code: "invalid",
        message: "Enter the expiration date as YYYY-MM-DD (for example 2027-03-31).".into(),
    })?;
    let at = date.with_time(Time::MIDNIGHT).assume_utc();
    if at <= now {
        return Err(FieldError {
            field: "expires_on",
            code: "past",
            message: "The expiration date must lie in the future.".into(),
        });
    }
    Ok(Some(at))
}

fn company_id(raw: &str) -> Result<Option<String>, FieldError> {
    let Some(text) = optional(raw) else {
        return Ok(None);
    };
    if text.chars().count() > COMPANY_ID_MAX || text.chars().any(char::is_control) {
        return Err(FieldError {
            field: "company_id",
            code: "invalid",
            message: format!("A company ID has at most {COMPANY_ID_MAX} characters."),
        });
    }
    Ok(Some(text.to_owned()))
}

/// Checks the fields of the create and edit forms (and of an imported row).
pub(crate) fn check_input(
    input: &UserInput,
    now: OffsetDateTime,
) -> Result<Checked, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let first = errors.check(person_name("first_name", &input.first_name));
    let last = errors.check(person_name("last_name", &input.last_name));
    let email = errors.check(email_address(&input.email));
    let phone = match optional(&input.phone) {
        Some(raw) => errors.check(phone_number("phone", raw)).map(Some),
        None => Some(None),
    };
    let company = errors.check(company_id(&input.company_id));
    let expires = errors.check(expiry(&input.expires_on, now));
    let language = errors.check(email_language(&input.language, SUPPORTED_LANGUAGES));
    if input.level_id.is_none() {
        errors.push("level_id", "required", "Choose the user's level.");
    }
    match (first, last, email, phone, company, expires, language) {
        (
            Some(first_name),
            Some(last_name),
            Some((email, email_key)),
            Some(phone),
            Some(company_id),
            Some(expires_at),
            Some(language),
        ) if errors.is_empty() => Ok(Checked {
            first_name,
            last_name,
            email,
            email_key,
            phone,
            company_id,
            expires_at,
            language,
        }),
        _ => Err(errors),
    }
}

fn fields_json(user: &User, phone: Option<&str>) -> serde_json::Value {
    json!({
        "level_id": user.level_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": phone,
        "company_id": user.company_id,
        "expires_at": user.expires_at.map(OffsetDateTime::unix_timestamp),
        "language": user.language,
    })
}

/// Only the fields that changed, before and after.
fn changes(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return json!({});
    };
    let mut old = serde_json::Map::new();
    let mut new = serde_json::Map::new();
    for (key, value) in a {
        if b.get(key) != Some(value) {
            old.insert(key.clone(), b.get(key).cloned().unwrap_or_default());
            new.insert(key.clone(), value.clone());
        }
    }
    json!({"before": old, "after": new})
}

impl App {
    /// The grants of the actor and the path of a level, for a decision about it.
    async fn decide_on_level(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        level: LevelId,
    ) -> AppResult<(Vec<Grant>, String)> {
        let grants = self.grants_of_actor(tx, ctx.actor).await?;
        let path = match tx.level(level).await? {
            Some(level) => level.path,
            None => {
                return Err(ValidationErrors::single(
                    "level_id",
                    "unknown",
                    "Choose an existing level.",
                )
                .into());
            }
        };
        Ok((grants, path))
    }

    /// A user the actor may see, or "not found" (existence outside one's subtree is not told).
    pub(crate) async fn visible_user(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        id: UserId,
    ) -> AppResult<(User, Vec<Grant>, String)> {
        let user = tx.user(id).await?.ok_or(AppError::NotFound)?;
        let grants = self.grants_of_actor(tx, ctx.actor).await?;
        let path = self.level_path(tx, user.level_id).await?;
        if !allowed(
            &Principal::new(ctx.actor, &grants),
            Action::ViewUsers { level: &path },
        ) {
            return Err(AppError::NotFound);
        }
        Ok((user, grants, path))
    }

    /// Creates an account in a level the actor manages; the person gets an invitation e-mail
    /// with a link (valid 7 days) to choose a password.
    pub async fn create_user(&self, ctx: &Ctx, input: &UserInput) -> AppResult<User> {
        let now = self.now();
        let checked = check_input(input, now)?;
        let level_id = input.level_id.ok_or(AppError::NotFound)?;
        let mut tx = self.store().begin().await?;
        let (grants, path) = self.decide_on_level(&mut tx, ctx, level_id).await?;
        self.authorize(ctx.actor, &grants, Action::ManageUsers { level: &path })?;
        if tx.user_by_email_key(&checked.email_key).await?.is_some() {
            return Err(ValidationErrors::single(
                "email",
                "taken",
                "An account with this e-mail address already exists.",
            )
            .into());
        }
        let user = self.insert_checked(&mut tx, ctx, level_id, checked).await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(user)
    }

    /// Writes a new, checked account with its phone, invitation link and e-mail, and audit
    /// event, in the caller's transaction.
    pub(crate) async fn insert_checked(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        level_id: LevelId,
        checked: Checked,
    ) -> AppResult<User> {
        let now = self.now();
        let user = User {
            id: self.new_user_id(),
            level_id,
            first_name: checked.first_name,
            last_name: checked.last_name,
            email: checked.email,
            email_key: checked.email_key,
            company_id: checked.company_id,
            expires_at: checked.expires_at,
            language: checked.language,
            status: UserStatus::Invited,
            created_by: ctx.actor.user_id(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        tx.insert_user(&user).await?;
        if let Some(phone) = &checked.phone {
            // Entered by an administrator who vouches for it, as in the ECB Identity Portal.
            tx.add_phone(
                user.id,
                &PhoneNumber {
                    number: phone.clone(),
                    verified: true,
                    created_at: now,
                },
            )
            .await?;
            tx.set_default_phone(user.id, Some(phone), now).await?;
        }
        let token = token_text(self.random_bytes());
        tx.replace_reset(
            user.id,
            &token_digest(&token),
            now,
            now + INVITATION_LIFETIME,
        )
        .await?;
        let link = format!("{}/signin/reset/{token}", self.config().public_url);
        let message = NewMessage::new(Channel::Email, &user.email, "invitation", &user.language)
            .arg("name", user.display_name())
            .arg("email", &user.email)
            .secret_arg("link", link);
        self.enqueue_message(tx, message).await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "user.create", "user")
                .target(user.id)
                .level(user.level_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({"after": fields_json(&user, checked.phone.as_deref())})),
        )
        .await?;
        Ok(user)
    }

    /// An account with its level, phones and roles, if the actor may see it.
    pub async fn user_record(&self, ctx: &Ctx, id: UserId) -> AppResult<UserRecord> {
        let mut tx = self.store().reads().await?;
        let (user, _, level_path) = self.visible_user(&mut tx, ctx, id).await?;
        let level_name = tx
            .level(user.level_id)
            .await?
            .map(|l| l.name)
            .unwrap_or_default();
        let phones = self.factors_of(&mut tx, user.id).await?.phones;
        let roles = tx
            .roles_of(user.id)
            .await?
            .into_iter()
            .map(|g| g.role)
            .collect();
        Ok(UserRecord {
            status: user.effective_status(self.now()),
            user,
            level_name,
            level_path,
            phones,
            roles,
        })
    }

    /// Edits an account still at `version`; a move to another level needs the right to
    /// manage users there too.
    pub async fn update_user(
        &self,
        ctx: &Ctx,
        id: UserId,
        input: &UserInput,
        version: i64,
    ) -> AppResult<User> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let (before, grants, path) = self.visible_user(&mut tx, ctx, id).await?;
        self.authorize(ctx.actor, &grants, Action::ManageUsers { level: &path })?;
        if before.version != version {
            return Err(AppError::Stale);
        }
        let mut input = input.clone();
        let level_id = *input.level_id.get_or_insert(before.level_id);
        // An unchanged date in the past (an expired account) may stay as it is.
        let keep_expiry = before
            .expires_at
            .map(|at| at.date().to_string())
            .is_some_and(|date| date == input.expires_on.trim());
        let checked = match check_input(
            &UserInput {
                expires_on: if keep_expiry {
                    String::new()
                } else {
                    input.expires_on.clone()
                },
                ..input.clone()
            },
            now,
        ) {
            Ok(checked) => checked,
            Err(errors) => return Err(errors.into()),
        };
        if level_id != before.level_id {
            let (_, new_path) = self.decide_on_level(&mut tx, ctx, level_id).await?;
            self.authorize(ctx.actor, &grants, Action::ManageUsers { level: &new_path })?;
        }
        if checked.email_key != before.email_key
            && tx.user_by_email_key(&checked.email_key).await?.is_some()
        {
            return Err(ValidationErrors::single(
                "email",
                "taken",
                "An account with this e-mail address already exists.",
            )
            .into());
        }
        let old_phone = self.factors_of(&mut tx, id).await?.phones.first().cloned();
        let after = User {
            level_id,
            first_name: checked.first_name,
            last_name: checked.last_name,
            email: checked.email,
            email_key: checked.email_key,
            company_id: checked.company_id,
            expires_at: if keep_expiry {
                before.expires_at
            } else {
                checked.expires_at
            },
            language: checked.language,
            updated_at: now,
            version: before.version + 1,
            ..before.clone()
        };
        tx.update_user(&after).await?;
        if let Some(phone) = &checked.phone
            && Some(phone) != old_phone.as_ref()
        {
            if !tx.phones_of(id).await?.iter().any(|p| p.number == *phone) {
                tx.add_phone(
                    id,
                    &PhoneNumber {
                        number: phone.clone(),
                        verified: true,
                        created_at: now,
                    },
                )
                .await?;
            }
            tx.set_default_phone(id, Some(phone), now).await?;
        }
        let new_phone = checked.phone.clone().or(old_phone.clone());
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "user.update", "user")
                .target(id)
                .level(after.level_id)
                .request(ctx.request_id.as_deref())
                .details(&changes(
                    &fields_json(&before, old_phone.as_deref()),
                    &fields_json(&after, new_phone.as_deref()),
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes an account (at `version`, when given). Not one's own, and never the last
    /// operator.
    pub async fn delete_user(&self, ctx: &Ctx, id: UserId, version: Option<i64>) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let (user, grants, path) = self.visible_user(&mut tx, ctx, id).await?;
        self.authorize(ctx.actor, &grants, Action::ManageUsers { level: &path })?;
        if ctx.actor.user_id() == Some(id) {
            return Err(AppError::Conflict(
                "You cannot delete your own account here; ask another administrator.".into(),
            ));
        }
        if version.is_some_and(|v| v != user.version) {
            return Err(AppError::Stale);
        }
        let operator = tx
            .roles_of(id)
            .await?
            .iter()
            .any(|g| g.role == Role::Operator);
        if operator
            && !tessera_domain::access::may_remove_operator(tx.count_role(Role::Operator).await?)
        {
            return Err(AppError::Conflict(
                "This is the last operator: appoint another operator first.".into(),
            ));
        }
        // Read before the row goes: its phone numbers go with it.
        let phone = self.factors_of(&mut tx, id).await?.phones.first().cloned();
        for session in tx.open_sessions_of(id).await? {
            self.end_sso_session(&mut tx, session.id, id).await?;
        }
        if !tx.delete_user(id, version).await? {
            return Err(AppError::Stale);
        }
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "user.delete", "user")
                .target(id)
                .level(user.level_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({"before": fields_json(&user, phone.as_deref())})),
        )
        .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(())
    }

    /// The Users page's search, within what the actor may see.
    pub async fn search_users(&self, ctx: &Ctx, query: &UserQuery) -> AppResult<UserPage> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        let root = tx
            .root_level()
            .await?
            .ok_or_else(|| AppError::Internal("the level tree has no root".into()))?;
        let level = match query.level_id {
            Some(id) => tx.level(id).await?.ok_or_else(|| {
                ValidationErrors::single("level_id", "unknown", "Choose an existing level.")
            })?,
            None => root,
        };
        let visible = if principal.is_operator() {
            None
        } else {
            let tops: Vec<String> = grants
                .iter()
                .filter(|g| matches!(g.role, Role::UserAdmin | Role::AccessAdmin))
                .map(|g| g.level_path.clone())
                .collect();
            if tops.is_empty() {
                return Err(AppError::Forbidden);
            }
            Some(tops)
        };
        // Without a chosen order, the order of the field searched, so the index that finds
        // the rows also sorts them.
        let sort = match query.sort.trim() {
            "" if !query.email.trim().is_empty() => UserSort::Email,
            "" if query.last_name.trim().is_empty() && !query.first_name.trim().is_empty() => {
                UserSort::FirstName
            }
            "" => UserSort::LastName,
            other => UserSort::parse(other).ok_or_else(|| {
                ValidationErrors::single(
                    "sort",
                    "invalid",
                    "Sort by last_name, first_name or email.",
                )
            })?,
        };
        let limit = if query.limit <= 0 {
            50
        } else {
            query.limit.min(200)
        };
        let whole_tree = level.parent_id.is_none() && query.include_sub_levels;
        // A subtree with a large share of the levels (so, likely, of the people) is best
        // searched by walking the sort order; a smaller one by gathering its people from
        // the index (a page of 50 from 5% of a million people takes a few milliseconds).
        let walk_sorted = !whole_tree && query.include_sub_levels && {
            let inside = tx.count_subtree(&level.path).await?;
            let all = tx.count_levels().await?.max(1);
            inside * 20 >= all
        };
        let search = UserSearch {
            walk_sorted,
            level_path: if whole_tree {
                String::new()
            } else {
                level.path.clone()
            },
            exact_level: (!query.include_sub_levels).then_some(level.id.0),
            visible,
            first_name: query.first_name.clone(),
            last_name: query.last_name.clone(),
            email: query.email.clone(),
            phone: query.phone.clone(),
            group: query.group_id.map(|g| (g, self.now())),
            sort,
            after: query.after.clone(),
            limit: limit + 1,
        };
        let mut hits = tx.search_users(&search).await?;
        let more = hits.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        hits.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next = if more {
            hits.last()
                .map(|hit| (sort.key_of(&hit.user), hit.user.id.0))
        } else {
            None
        };
        Ok(UserPage {
            hits,
            next,
            sort: sort.as_str(),
        })
    }

    /// What the actor may do with the directory at all, for showing links and buttons (each
    /// use case still decides on the record itself).
    pub async fn directory_rights(&self, ctx: &Ctx) -> AppResult<DirectoryRights> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let principal = Principal::new(ctx.actor, &grants);
        // Allowed somewhere = allowed at the level of one of the actor's roles.
        let anywhere = |action: fn(&str) -> Action<'_>| {
            principal.is_operator()
                || grants
                    .iter()
                    .any(|g| allowed(&principal, action(&g.level_path)))
        };
        Ok(DirectoryRights {
            view_users: anywhere(|level| Action::ViewUsers { level }),
            manage_users: anywhere(|level| Action::ManageUsers { level }),
            manage_levels: allowed(&principal, Action::ManageLevels),
        })
    }

    /// An account's status now (an account past its expiration date is expired).
    pub fn status_of(&self, user: &User) -> UserStatus {
        user.effective_status(self.now())
    }

    /// An invited person chose a password: the account becomes active.
    pub(crate) async fn activate_invited(&self, tx: &mut Tx, user: &User) -> AppResult<()> {
        if user.status != UserStatus::Invited {
            return Ok(());
        }
        let now = self.now();
        let after = User {
            status: UserStatus::Active,
            updated_at: now,
            version: user.version + 1,
            ..user.clone()
        };
        tx.update_user(&after).await?;
        tx.append_audit(
            NewAuditEvent::new(
                now,
                tessera_domain::audit::Actor::User(user.id),
                "user.activate",
                "user",
            )
            .target(user.id)
            .level(user.level_id),
        )
        .await?;
        Ok(())
    }
}
