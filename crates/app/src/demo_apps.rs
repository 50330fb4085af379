//! The demonstration applications: CASPER (production and pre-production, with the six groups
//! of the ECB manual), the IMAS Portal and ASTRA, granted to the demo organisations, and a few
//! memberships so that My Apps and Assign Memberships have something to show.

use serde_json::json;
use tessera_domain::UserId;
use tessera_domain::application::{
    Application, Environment, Group, Membership, Tile, technical_name,
};
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::level::Level;
use tessera_domain::session::Assurance;
use tessera_store::{Applications, AuditLog, Memberships, Tx};
use uuid::Uuid;

use crate::app::App;
use crate::error::{AppError, AppResult};

struct DemoApp {
    code: &'static str,
    name: &'static str,
    description: &'static str,
    min_assurance: Assurance,
    /// (environment, tile label, launch address)
    tiles: &'static [(Environment, &'static str, &'static str)],
    roles: &'static [&'static str],
    /// The organisations whose subtrees may be granted the groups.
    granted_to: &'static [&'static str],
}

const BOTH: &[Environment] = &[Environment::Production, Environment::PreProduction];

const DEMO_APPS: &[DemoApp] = &[
    DemoApp {
        code: "CASPER",
        name: "CASPER",
        description: "Data collection and submission",
        min_assurance: Assurance::Medium,
        tiles: &[
            (Environment::Production, "CASPER", "https://casper.example/"),
            (
                Environment::PreProduction,
                "CASPER Pre-Production",
                "https://casper-acc.example/",
            ),
        ],
        roles: &["WEB_DATA_SUBMITTER", "WEB_TECHNICAL_USER", "WEB_USER_ADMIN"],
        granted_to: &["Bank E", "Bank F"],
    },
    DemoApp {
        code: "IMAS",
        name: "IMAS Portal",
        description: "Supervisory processes",
        min_assurance: Assurance::Medium,
        tiles: &[(
            Environment::Production,
            "IMAS Portal",
            "https://imas.example/",
        )],
        roles: &["PORTAL_USER", "PORTAL_ADMIN"],
        granted_to: &["Bank E"],
    },
    DemoApp {
        code: "ASTRA",
        name: "ASTRA",
        description: "Statistical reporting",
        min_assurance: Assurance::Low,
        tiles: &[(Environment::Production, "ASTRA", "https://astra.example/")],
        roles: &["REPORTER"],
        granted_to: &["Bank F"],
    },
];

/// (person's e-mail, technical name of the group)
const DEMO_MEMBERSHIPS: &[(&str, &str)] = &[
    (
        "erika.mustermann@bank-e.example",
        "CASPER_WEB_DATA_SUBMITTER",
    ),
    (
        "erika.mustermann@bank-e.example",
        "A-CASPER_WEB_DATA_SUBMITTER",
    ),
    ("erika.mustermann@bank-e.example", "IMAS_PORTAL_USER"),
    ("pierre.dupont@bank-e.example", "CASPER_WEB_USER_ADMIN"),
    ("pierre.dupont@bank-e.example", "A-CASPER_WEB_USER_ADMIN"),
    ("fiona.walsh@bank-f.example", "ASTRA_REPORTER"),
];

impl App {
    /// Registers the demo applications and memberships inside the demo's transaction.
    pub(crate) async fn load_demo_applications(
        &self,
        tx: &mut Tx,
        levels: &[Level],
        people: &[(&str, UserId)],
    ) -> AppResult<()> {
        let now = self.now();
        let mut groups: Vec<Group> = Vec::new();
        for demo in DEMO_APPS {
            let app = Application {
                id: Uuid::now_v7(),
                code: demo.code.into(),
                name: demo.name.into(),
                description: demo.description.into(),
                min_assurance: demo.min_assurance,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            tx.insert_application(&app).await?;
            for (environment, label, url) in demo.tiles {
                tx.put_tile(&Tile {
                    application_id: app.id,
                    environment: *environment,
                    label: (*label).into(),
                    icon: String::new(),
                    launch_url: (*url).into(),
                })
                .await?;
            }
            let granted_to: Vec<_> = levels
                .iter()
                .filter(|l| demo.granted_to.contains(&l.name.as_str()))
                .map(|l| l.id)
                .collect();
            let environments = if demo.tiles.len() > 1 {
                BOTH
            } else {
                &BOTH[..1]
            };
            for environment in environments {
                for role in demo.roles {
                    let group = Group {
                        id: Uuid::now_v7(),
                        application_id: app.id,
                        environment: *environment,
                        role: (*role).into(),
                        technical_name: technical_name(demo.code, role, *environment),
                        description: String::new(),
                        version: 1,
                    };
                    tx.insert_group(&group).await?;
                    tx.set_group_levels(group.id, &granted_to).await?;
                    groups.push(group);
                }
            }
            tx.append_audit(
                NewAuditEvent::new(now, Actor::System, "application.create", "application")
                    .target(app.id)
                    .details(&json!({"after": {"code": app.code, "name": app.name}})),
            )
            .await?;
        }
        for (email, name) in DEMO_MEMBERSHIPS {
            let user = people
                .iter()
                .find(|(e, _)| e == email)
                .map(|(_, id)| *id)
                .ok_or_else(|| AppError::Internal(format!("no demo person {email}")))?;
            let group = groups
                .iter()
                .find(|g| g.technical_name == *name)
                .ok_or_else(|| AppError::Internal(format!("no demo group {name}")))?;
            tx.put_membership(&Membership {
                user_id: user.0,
                group_id: group.id,
                granted_by: None,
                granted_at: now,
                expires_at: None,
            })
            .await?;
            tx.append_audit(
                NewAuditEvent::new(now, Actor::System, "membership.grant", "user")
                    .target(user.0)
                    .details(&json!({"group": group.technical_name})),
            )
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casper_has_the_six_groups_of_the_manual() {
        let casper = &DEMO_APPS[0];
        let mut names: Vec<String> = BOTH
            .iter()
            .flat_map(|env| {
                casper
                    .roles
                    .iter()
                    .map(|r| technical_name(casper.code, r, *env))
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "A-CASPER_WEB_DATA_SUBMITTER",
                "A-CASPER_WEB_TECHNICAL_USER",
                "A-CASPER_WEB_USER_ADMIN",
                "CASPER_WEB_DATA_SUBMITTER",
                "CASPER_WEB_TECHNICAL_USER",
                "CASPER_WEB_USER_ADMIN",
            ]
        );
    }
}
