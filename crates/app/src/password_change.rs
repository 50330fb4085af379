//! Changing one's password in "My Account".

use serde_json::json;
use tessera_domain::ValidationErrors;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::message::{Channel, NewMessage};
use tessera_domain::password::{PasswordOwner, check_confirmation};
use tessera_domain::user::User;
use tessera_store::{AuditLog, Credentials, Sessions, Tx};
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::signin::CurrentSession;

impl App {
    /// Sets a new password after checking the current one. Every other session of the person
    /// ends (a thief's included), and they are told by e-mail.
    pub async fn change_password(
        &self,
        me: &CurrentSession,
        current: &str,
        new: &str,
        confirm: &str,
        ctx: &Ctx,
    ) -> AppResult<usize> {
        let user = &me.user;
        self.check_throttle(&user.email_key).await?;
        let mut errors = ValidationErrors::new();
        let owner = PasswordOwner {
            email: &user.email,
            first_name: &user.first_name,
            last_name: &user.last_name,
        };
        errors
            .errors
            .extend(self.password_problems("new_password", new, owner).errors);
        errors.check(check_confirmation("confirm", new, confirm));
        if new == current && !new.is_empty() {
            errors.push(
                "new_password",
                "unchanged",
                "Choose a password other than your current one.",
            );
        }
        let phc = {
            let mut tx = self.store().read().await?;
            tx.password(user.id).await?
        };
        let matches = match phc {
            Some(phc) => self.hasher().verify(current.to_owned(), phc).await?.matches,
            None => false,
        };
        if !matches {
            // A wrong current password counts like a failed sign-in: this form is no way
            // around the throttle.
            self.sign_in_failed(&user.email_key, Some(user), "wrong_password", ctx)
                .await?;
            let mut wrong = ValidationErrors::single(
                "current_password",
                "wrong",
                "Your current password is not correct.",
            );
            wrong.errors.extend(errors.errors);
            return Err(wrong.into());
        }
        errors.into_result()?;
        let phc = self.hasher().hash(new.to_owned()).await?;

        let mut tx = self.store().begin().await?;
        let ended = self
            .replace_password(
                &mut tx,
                user,
                &phc,
                Some(me.session_id),
                "password.change",
                ctx,
            )
            .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(ended)
    }

    /// Stores a new password hash, ends the account's sessions (all but `keep`), audits it
    /// as `action` and tells the person by e-mail, in the caller's transaction.
    pub(crate) async fn replace_password(
        &self,
        tx: &mut Tx,
        user: &User,
        phc: &str,
        keep: Option<Uuid>,
        action: &str,
        ctx: &Ctx,
    ) -> AppResult<usize> {
        let now = self.now();
        tx.set_password(user.id, phc, now).await?;
        let mut ended = 0;
        for session in tx.open_sessions_of(user.id).await? {
            if Some(session.id) != keep && self.end_sso_session(tx, session.id, user.id).await? {
                ended += 1;
            }
        }
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, action, "user")
                .target(user.id)
                .level(user.level_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({"sessions_ended": ended})),
        )
        .await?;
        let notice = NewMessage::new(
            Channel::Email,
            &user.email,
            "password-changed",
            &user.language,
        )
        .arg("name", user.display_name())
        .arg("email", &user.email);
        self.enqueue_message(tx, notice).await?;
        Ok(ended)
    }
}
