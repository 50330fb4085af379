//! The demonstration data set loaded by `serve --demo`.

use serde_json::json;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::level::Level;
use tessera_domain::role::Role;
use tessera_domain::user::NewUser;
use tessera_store::roles::RoleGrant;
use tessera_store::second_factors::PhoneNumber;
use tessera_store::{AuditLog, Levels, Roles, SecondFactors, Settings, Tx, Users};

use crate::app::{App, SUPPORTED_LANGUAGES};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// The password of every demonstration account. It is public, so demo data is for trying
/// Tessera out, never for an installation that holds real accounts.
pub const DEMO_PASSWORD: &str = "Tessera-Demo-2026";

const DEMO_SETTING: &str = "demo_data";

/// One account a newcomer can sign in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub role: &'static str,
    pub name: String,
    pub email: &'static str,
    pub level: &'static str,
    /// Where sign-in codes go (SMS; printed on the console in development).
    pub phone: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    /// False when the data set was already there from an earlier start.
    pub loaded_now: bool,
    pub accounts: Vec<DemoAccount>,
}

/// (parent, name) in creation order; `None` is the root.
const DEMO_LEVELS: &[(Option<&str>, &str)] = &[
    (None, "Bank E"),
    (Some("Bank E"), "Bank E Payments"),
    (Some("Bank E"), "Bank E Statistics"),
    (None, "Bank F"),
    (Some("Bank F"), "Bank F Reporting"),
];

struct DemoPerson {
    role: &'static str,
    first: &'static str,
    last: &'static str,
    email: &'static str,
    language: &'static str,
    /// `None`: the root level.
    level: Option<&'static str>,
    phone: &'static str,
}

const DEMO_PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        role: "operator",
        first: "Olivia",
        last: "Operator",
        email: "operator@tessera.example",
        language: "en",
        level: None,
        phone: "+4915550100001",
    },
    DemoPerson {
        role: "user",
        first: "Erika",
        last: "Mustermann",
        email: "erika.mustermann@bank-e.example",
        language: "de",
        level: Some("Bank E"),
        phone: "+4915550100002",
    },
    DemoPerson {
        role: "user",
        first: "Pierre",
        last: "Dupont",
        email: "pierre.dupont@bank-e.example",
        language: "fr",
        level: Some("Bank E Payments"),
        phone: "+33615501003",
    },
    DemoPerson {
        role: "user",
        first: "Fiona",
        last: "Walsh",
        email: "fiona.walsh@bank-f.example",
        language: "en",
        level: Some("Bank F"),
        phone: "+353855501004",
    },
    DemoPerson {
        role: "user_admin",
        first: "Ulla",
        last: "Berger",
        email: "ulla.berger@bank-e.example",
        language: "de",
        level: Some("Bank E"),
        phone: "+4915550100006",
    },
    DemoPerson {
        role: "user_admin",
        first: "Finn",
        last: "Murphy",
        email: "finn.murphy@bank-f.example",
        language: "en",
        level: Some("Bank F"),
        phone: "+353855501007",
    },
    DemoPerson {
        role: "access_admin",
        first: "Anton",
        last: "Weber",
        email: "anton.weber@bank-e.example",
        language: "de",
        level: Some("Bank E"),
        phone: "+4915550100008",
    },
    DemoPerson {
        role: "user",
        first: "Ζωή",
        last: "Παπαδοπούλου",
        email: "zoe.papadopoulou@bank-f.example",
        language: "en",
        level: Some("Bank F Reporting"),
        phone: "+306955010005",
    },
];

impl App {
    /// Loads the demonstration data into an empty installation, or reports the accounts when
    /// an earlier start loaded it. Refuses a database that holds other accounts.
    pub async fn load_demo(&self) -> AppResult<DemoReport> {
        let accounts = DEMO_PEOPLE
            .iter()
            .map(|p| DemoAccount {
                role: p.role,
                name: format!("{} {}", p.first, p.last),
                email: p.email,
                level: p.level.unwrap_or("Root"),
                phone: p.phone,
            })
            .collect();
        {
            let mut tx = self.store().read().await?;
            if tx.setting(DEMO_SETTING).await?.is_some() {
                return Ok(DemoReport {
                    loaded_now: false,
                    accounts,
                });
            }
            if tx.count_users().await? > 0 {
                return Err(AppError::DemoRefused);
            }
        }

        // Hash before the write transaction: hashing takes a while and must not hold the lock.
        let mut hashes = Vec::with_capacity(DEMO_PEOPLE.len());
        for _ in DEMO_PEOPLE {
            hashes.push(self.hasher().hash(DEMO_PASSWORD.to_owned()).await?);
        }

        let ctx = Ctx::system();
        let now = self.now();
        let mut tx = self.store().begin().await?;
        if tx.count_users().await? > 0 {
            return Err(AppError::DemoRefused);
        }
        let root = tx
            .root_level()
            .await?
            .ok_or_else(|| AppError::Internal("the level tree has no root".into()))?;
        self.ensure_external_level(&mut tx, &ctx).await?;
        let mut levels = vec![root.clone()];
        for (parent, name) in DEMO_LEVELS {
            let parent = match parent {
                None => &root,
                Some(parent) => find_level(&levels, parent)?,
            };
            let level = self.create_demo_level(&mut tx, parent, name, &ctx).await?;
            levels.push(level);
        }
        let mut people = Vec::with_capacity(DEMO_PEOPLE.len());
        for (person, phc) in DEMO_PEOPLE.iter().zip(&hashes) {
            let fields = NewUser::parse(
                person.first,
                person.last,
                person.email,
                person.language,
                SUPPORTED_LANGUAGES,
            )?;
            let user = match person.level {
                None => self.insert_operator(&mut tx, fields, phc, &ctx).await?,
                Some(name) => {
                    let level = find_level(&levels, name)?;
                    let user = self
                        .insert_user_with_password(&mut tx, level, fields, phc, &ctx)
                        .await?;
                    let role = match person.role {
                        "user_admin" => Some(Role::UserAdmin),
                        "access_admin" => Some(Role::AccessAdmin),
                        _ => None,
                    };
                    if let Some(role) = role {
                        tx.grant_role(&RoleGrant {
                            user_id: user.id,
                            role,
                            level_id: level.id,
                            granted_by: None,
                            granted_at: now,
                        })
                        .await?;
                        tx.append_audit(
                            NewAuditEvent::new(now, ctx.actor, "role.grant", "user")
                                .target(user.id)
                                .level(level.id)
                                .details(&json!({"role": role.as_str()})),
                        )
                        .await?;
                    }
                    user
                }
            };
            people.push((person.email, user.id));
            tx.add_phone(
                user.id,
                &PhoneNumber {
                    number: person.phone.to_owned(),
                    verified: true,
                    created_at: now,
                },
            )
            .await?;
        }
        self.load_demo_applications(&mut tx, &levels, &people)
            .await?;
        tx.put_setting(DEMO_SETTING, "loaded", now).await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "demo.load", "installation")
                .details(&json!({"levels": DEMO_LEVELS.len(), "users": DEMO_PEOPLE.len()})),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(users = DEMO_PEOPLE.len(), "demonstration data loaded");
        Ok(DemoReport {
            loaded_now: true,
            accounts,
        })
    }

    async fn create_demo_level(
        &self,
        tx: &mut Tx,
        parent: &Level,
        name: &str,
        ctx: &Ctx,
    ) -> AppResult<Level> {
        let now = self.now();
        let level = Level::new_child(self.new_level_id(), parent, name, now)
            .map_err(|e| AppError::Internal(e.message))?;
        tx.insert_level(&level).await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "level.create", "level")
                .target(level.id)
                .level(level.id)
                .details(&json!({"after": {"name": level.name, "parent": parent.id}})),
        )
        .await?;
        Ok(level)
    }
}

fn find_level<'a>(levels: &'a [Level], name: &str) -> AppResult<&'a Level> {
    levels
        .iter()
        .find(|l| l.name == name)
        .ok_or_else(|| AppError::Internal(format!("demo level {name} is missing")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_phone_numbers_are_valid_e164() {
        for person in DEMO_PEOPLE {
            assert_eq!(
                tessera_domain::phone::phone_number("phone", person.phone).as_deref(),
                Ok(person.phone),
                "{}",
                person.email
            );
        }
    }
}
