//! The one-time link that creates the first operator of an installation without demo data.

use serde_json::json;
use tessera_domain::audit::{NewAuditEvent, Outcome};
use tessera_domain::role::Role;
use tessera_domain::setup::{SETUP_TOKEN_LIFETIME, token_digest, token_is_live, token_text};
use tessera_domain::user::User;
use tessera_store::{AuditLog, Roles, SetupTokens};
use time::OffsetDateTime;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::operators::NewOperator;

/// A setup link to print on the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupLink {
    pub url: String,
    pub expires_at: OffsetDateTime,
}

impl App {
    /// When there is no operator yet, makes a new setup link (any earlier one stops working)
    /// and returns it; when there is one, returns `None`.
    pub async fn issue_setup_link(&self) -> AppResult<Option<SetupLink>> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        if tx.count_role(Role::Operator).await? > 0 {
            return Ok(None);
        }
        let token = token_text(self.random_bytes());
        let expires_at = now + SETUP_TOKEN_LIFETIME;
        tx.replace_setup_token(&token_digest(&token), now, expires_at)
            .await?;
        tx.append_audit(
            NewAuditEvent::new(now, Ctx::system().actor, "setup.link_issue", "installation")
                .details(&json!({"expires_at": expires_at.unix_timestamp()})),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(SetupLink {
            url: format!("{}/setup/{token}", self.config().public_url),
            expires_at,
        }))
    }

    /// Whether a setup link may be used now (for showing its form).
    pub async fn check_setup_link(&self, token: &str) -> AppResult<()> {
        let mut tx = self.store().read().await?;
        if tx.count_role(Role::Operator).await? > 0 {
            return Err(AppError::AlreadySetUp);
        }
        match tx.setup_token_expiry(&token_digest(token)).await? {
            Some(expires_at) if token_is_live(expires_at, self.now()) => Ok(()),
            _ => Err(AppError::SetupLinkInvalid),
        }
    }

    /// Creates the first operator through a setup link, using the link up.
    pub async fn complete_setup(
        &self,
        token: &str,
        input: NewOperator,
        ctx: &Ctx,
    ) -> AppResult<User> {
        // Check the link before the costly hash, and the input too, so that a person sees
        // every problem at once.
        self.check_setup_link(token).await?;
        let fields = input.validate(self)?;
        let phc = self.hasher().hash(input.password).await?;

        let now = self.now();
        let mut tx = self.store().begin().await?;
        let live = tx
            .take_setup_token(&token_digest(token))
            .await?
            .is_some_and(|expires_at| token_is_live(expires_at, now));
        if !live || tx.count_role(Role::Operator).await? > 0 {
            // Someone else used the link first, between the check above and now.
            drop(tx);
            self.audit_failed_setup(ctx).await?;
            return Err(AppError::SetupLinkInvalid);
        }
        let user = self.insert_operator(&mut tx, fields, &phc, ctx).await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "setup.complete", "installation")
                .target(user.id)
                .request(ctx.request_id.as_deref()),
        )
        .await?;
        self.notify_new_operator(&mut tx, &user).await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(user)
    }

    async fn audit_failed_setup(&self, ctx: &Ctx) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        tx.append_audit(
            NewAuditEvent::new(self.now(), ctx.actor, "setup.complete", "installation")
                .outcome(Outcome::Denied)
                .request(ctx.request_id.as_deref()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// Whether the installation still waits for its first operator.
    pub async fn needs_setup(&self) -> AppResult<bool> {
        let mut tx = self.store().read().await?;
        Ok(tx.count_role(Role::Operator).await? == 0)
    }
}
