//! "Lost your password?": a single-use link by e-mail, valid one hour.
//!
//! Asking always gets the same answer, whether or not the address has an account; only an
//! account's owner receives a link. Using the link sets a new password, ends every session of
//! the account and lifts a sign-in lock; signing in afterwards still needs the second factor.

use tessera_domain::ValidationErrors;
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::message::{Channel, NewMessage};
use tessera_domain::password::{PasswordOwner, check_confirmation};
use tessera_domain::setup::{token_digest, token_is_live, token_text};
use tessera_domain::user::{User, UserStatus, email_address};
use tessera_store::{AuditLog, PasswordResets, SignInFailures, Users};
use time::Duration;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// How long a reset link works.
pub const RESET_LIFETIME: Duration = Duration::hours(1);
/// At most one reset e-mail per account this often.
const RESET_SPACING: Duration = Duration::minutes(2);

impl App {
    /// Sends a reset link to the address if an account has it (and is active). The caller
    /// shows the same answer either way.
    pub async fn request_password_reset(&self, email: &str, ctx: &Ctx) -> AppResult<()> {
        let Ok((_, key)) = email_address(email) else {
            return Err(ValidationErrors::single(
                "email",
                "invalid",
                "Enter an e-mail address in the form name@example.org.",
            )
            .into());
        };
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let Some(user) = tx.user_by_email_key(&key).await? else {
            return Ok(());
        };
        if user.effective_status(now) != UserStatus::Active {
            return Ok(());
        }
        if tx
            .last_reset_at(user.id)
            .await?
            .is_some_and(|at| now < at + RESET_SPACING)
        {
            // A link went out moments ago; sending more would only flood the inbox.
            return Ok(());
        }
        let token = token_text(self.random_bytes());
        tx.replace_reset(user.id, &token_digest(&token), now, now + RESET_LIFETIME)
            .await?;
        let link = format!("{}/signin/reset/{token}", self.config().public_url);
        let message = NewMessage::new(
            Channel::Email,
            &user.email,
            "password-reset",
            &user.language,
        )
        .arg("name", user.display_name())
        .arg("email", &user.email)
        .secret_arg("link", link);
        self.enqueue_message(&mut tx, message).await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "password.reset_request", "user")
                .target(user.id)
                .level(user.level_id)
                .request(ctx.request_id.as_deref()),
        )
        .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(())
    }

    /// The account a reset link is for, if it still works.
    pub async fn check_reset_link(&self, token: &str) -> AppResult<User> {
        let mut tx = self.store().read().await?;
        match tx.reset(&token_digest(token)).await? {
            Some((user, expires_at)) if token_is_live(expires_at, self.now()) => {
                tx.user(user).await?.ok_or(AppError::ResetLinkInvalid)
            }
            _ => Err(AppError::ResetLinkInvalid),
        }
    }

    /// Sets a new password through a reset link, using the link up.
    pub async fn complete_password_reset(
        &self,
        token: &str,
        new: &str,
        confirm: &str,
        ctx: &Ctx,
    ) -> AppResult<User> {
        let user = self.check_reset_link(token).await?;
        let owner = PasswordOwner {
            email: &user.email,
            first_name: &user.first_name,
            last_name: &user.last_name,
        };
        let mut errors = ValidationErrors::new();
        errors
            .errors
            .extend(self.password_problems("new_password", new, owner).errors);
        errors.check(check_confirmation("confirm", new, confirm));
        errors.into_result()?;
        let phc = self.hasher().hash(new.to_owned()).await?;

        let now = self.now();
        let mut tx = self.store().begin().await?;
        let taken = tx.take_reset(&token_digest(token)).await?;
        if !taken
            .is_some_and(|(owner, expires_at)| owner == user.id && token_is_live(expires_at, now))
        {
            return Err(AppError::ResetLinkInvalid);
        }
        tx.clear_failures(&user.email_key).await?;
        self.activate_invited(&mut tx, &user).await?;
        let ctx = Ctx {
            actor: Actor::User(user.id),
            request_id: ctx.request_id.clone(),
        };
        self.replace_password(&mut tx, &user, &phc, None, "password.reset", &ctx)
            .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(user)
    }
}
