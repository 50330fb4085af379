//! External (self-registered) accounts and the application environments that accept them:
//! each environment decides (`accepts_external`, off by default); single sign-on and
//! memberships ask here.

use serde_json::json;
use tessera_domain::ValidationErrors;
use tessera_domain::access::Action;
use tessera_domain::application::Environment;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::registration::environment_admits;
use tessera_domain::user::User;
use tessera_store::{Applications, AuditLog, Levels, Registrations, Tx};
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// What single sign-on answers an external person at an environment that does not accept
/// them.
pub const EXTERNAL_REFUSED: &str = "This application does not accept accounts created by self-registration (External accounts). If you need it, ask the people who run the application, or sign in with an account of your organisation.";

impl App {
    /// Whether `user` may use an application environment: `None` when so, the reason to
    /// show otherwise.
    pub(crate) async fn external_refusal(
        &self,
        tx: &mut Tx,
        user: &User,
        application: Uuid,
        environment: Environment,
    ) -> AppResult<Option<String>> {
        let level = tx.level(user.level_id).await?.ok_or(AppError::NotFound)?;
        if !level.external {
            return Ok(None);
        }
        let accepts = tx.accepts_external(application, environment).await?;
        Ok((!environment_admits(&level, accepts)).then(|| EXTERNAL_REFUSED.to_owned()))
    }

    /// Refuses a membership of `group` for an external person when the group's environment
    /// does not accept external accounts.
    pub(crate) async fn check_external_membership(
        &self,
        tx: &mut Tx,
        user: &User,
        group: Uuid,
    ) -> AppResult<()> {
        let group = tx.group(group).await?.ok_or(AppError::NotFound)?;
        match self
            .external_refusal(tx, user, group.application_id, group.environment)
            .await?
        {
            None => Ok(()),
            Some(_) => Err(ValidationErrors::single(
                "groups",
                "external",
                format!(
                    "{} is in an environment that does not accept external (self-registered) accounts.",
                    group.technical_name
                ),
            )
            .into()),
        }
    }

    /// The environments of an application that accept external accounts (operators).
    pub async fn external_environments(
        &self,
        ctx: &Ctx,
        application: Uuid,
    ) -> AppResult<Vec<Environment>> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageApplications)?;
        tx.application(application)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut accepting = Vec::new();
        for environment in Environment::ALL {
            if tx.accepts_external(application, environment).await? {
                accepting.push(environment);
            }
        }
        Ok(accepting)
    }

    /// Says whether an application environment accepts external accounts (operators);
    /// audited as `application.external`.
    pub async fn set_accepts_external(
        &self,
        ctx: &Ctx,
        application: Uuid,
        environment: Environment,
        accepts: bool,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageApplications)?;
        tx.application(application)
            .await?
            .ok_or(AppError::NotFound)?;
        let before = tx.accepts_external(application, environment).await?;
        if before != accepts {
            tx.set_accepts_external(application, environment, accepts)
                .await?;
            tx.append_audit(
                NewAuditEvent::new(self.now(), ctx.actor, "application.external", "application")
                    .target(application)
                    .request(ctx.request_id.as_deref())
                    .details(&json!({
                        "environment": environment.as_str(),
                        "before": before,
                        "after": accepts,
                    })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
