//! "Create an account" (self-registration, as in EU Login): the form, the verification link
//! by e-mail (24 hours, single use), the new password through it, and the removal of
//! accounts whose link was never used.
//!
//! The page always ends the same way ("check your e-mail"), whether or not the address has
//! an account: a new address gets an account waiting for its password and a link; an
//! address whose registration is still waiting gets a new link; any other account gets a
//! notice with links to sign in and to reset the password instead. At most
//! `registration_per_email_per_day` of these e-mails go to one address a day (counted in
//! the database, so across nodes). Self-registered accounts sit in the external level.

use serde_json::json;
use tessera_domain::ValidationErrors;
use tessera_domain::audit::{Actor, NewAuditEvent, Outcome};
use tessera_domain::level::Level;
use tessera_domain::message::{Channel, NewMessage};
use tessera_domain::password::{PasswordOwner, check_confirmation};
use tessera_domain::registration::{
    REGISTRATION_LIFETIME, RegistrationForm, SEND_WINDOW, external_level, may_send,
    parse_registration, registration_lapsed,
};
use tessera_domain::session::Assurance;
use tessera_domain::setup::{token_digest, token_is_live, token_text};
use tessera_domain::user::{User, UserStatus, email_address};
use tessera_store::registrations::PendingRegistration;
use tessera_store::{AuditLog, Credentials, Levels, Registrations, Tx, Users};

use crate::app::{App, SUPPORTED_LANGUAGES};
use crate::captcha::CaptchaAnswer;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::signin::{ClientInfo, SignedIn};

/// The "Create an account" form as posted.
#[derive(Debug, Clone, Default)]
pub struct RegistrationInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub confirm_email: String,
    pub language: String,
    pub privacy_accepted: bool,
    pub captcha: CaptchaAnswer,
    /// The path on this site that sent the person to register (an OIDC authorization, a
    /// CAS login), to go on to once the password is set; only kept when it is one.
    pub return_to: Option<String>,
}

/// A verification link that still works: whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationLink {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// A registration completed: the account, the new session (none when sign-in needs a
/// second factor), and where to proceed.
#[derive(Debug, Clone)]
pub struct Registered {
    pub user: User,
    pub signed_in: Option<SignedIn>,
    pub return_to: Option<String>,
}

/// Accounts removed per transaction by the sweep.
const SWEEP_BATCH: i64 = 500;

/// A path on this site (one leading slash, nothing another host could be read from).
fn local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 4096
        && !path.chars().any(|c| c.is_control() || c == '\\')
}

impl App {
    /// Makes sure the level of self-registered accounts exists below the root (bootstrap
    /// and the demonstration data call it; a no-op when it is there).
    pub(crate) async fn ensure_external_level(&self, tx: &mut Tx, ctx: &Ctx) -> AppResult<Level> {
        if let Some(level) = tx.external_level().await? {
            return Ok(level);
        }
        let root = tx
            .root_level()
            .await?
            .ok_or_else(|| AppError::Internal("the level tree has no root".into()))?;
        let level = external_level(self.new_level_id(), &root, self.now())
            .map_err(|e| AppError::Internal(e.message))?;
        tx.insert_level(&level).await?;
        tx.append_audit(
            NewAuditEvent::new(self.now(), ctx.actor, "level.create", "level")
                .target(level.id)
                .level(level.id)
                .details(
                    &json!({"after": {"name": level.name, "parent_id": root.id, "external": true}}),
                ),
        )
        .await?;
        Ok(level)
    }

    /// "Create an account". Every field at fault (the CAPTCHA included) comes back as a
    /// validation error; otherwise the answer is the same whatever the address.
    pub async fn register(&self, input: &RegistrationInput, ctx: &Ctx) -> AppResult<()> {
        let form = RegistrationForm {
            first_name: &input.first_name,
            last_name: &input.last_name,
            email: &input.email,
            confirm_email: &input.confirm_email,
            language: &input.language,
            privacy_accepted: input.privacy_accepted,
        };
        let parsed = parse_registration(form, SUPPORTED_LANGUAGES);
        let mut errors = match &parsed {
            Ok(_) => ValidationErrors::new(),
            Err(errors) => errors.clone(),
        };
        if let Err(refused) = self.verify_captcha(&input.captcha).await {
            match refused.field_error() {
                Some(field) => errors.errors.push(field),
                None => return Err(refused.into()),
            }
        }
        errors.clone().into_result()?;
        let fields = parsed.map_err(AppError::Invalid)?;
        let return_to = input.return_to.clone().filter(|p| local_path(p));

        let now = self.now();
        let mut tx = self.store().begin().await?;
        if !self.may_mail(&mut tx, &fields.email_key, ctx).await? {
            tx.commit().await?;
            return Ok(());
        }
        match tx.user_by_email_key(&fields.email_key).await? {
            Some(user) => {
                self.mail_existing(&mut tx, &user, return_to, ctx).await?;
            }
            None => {
                let level = self.ensure_external_level(&mut tx, ctx).await?;
                let user =
                    fields.into_user(self.new_user_id(), level.id, UserStatus::Invited, None, now);
                tx.insert_user(&user).await?;
                tx.append_audit(
                    NewAuditEvent::new(now, ctx.actor, "registration.create", "user")
                        .target(user.id)
                        .level(user.level_id)
                        .request(ctx.request_id.as_deref())
                        .details(&json!({"language": user.language})),
                )
                .await?;
                self.send_link(&mut tx, &user, return_to).await?;
            }
        }
        tx.commit().await?;
        self.wake_delivery();
        Ok(())
    }

    /// "Send a new link" from the page of an expired or used link: the same answer
    /// whatever the address; a waiting registration gets a new link (keeping where the
    /// person was going), an account already in use a notice, an unknown address nothing.
    pub async fn renew_registration(&self, email: &str, ctx: &Ctx) -> AppResult<()> {
        let (_, key) = email_address(email).map_err(ValidationErrors::from)?;
        let mut tx = self.store().begin().await?;
        let Some(user) = tx.user_by_email_key(&key).await? else {
            return Ok(());
        };
        if !self.may_mail(&mut tx, &key, ctx).await? {
            tx.commit().await?;
            return Ok(());
        }
        let return_to = tx
            .registration_of(user.id)
            .await?
            .and_then(|pending| pending.return_to);
        self.mail_existing(&mut tx, &user, return_to, ctx).await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(())
    }

    /// Whether another registration e-mail may go to this address today; counts it when
    /// so, audits the refusal otherwise.
    async fn may_mail(&self, tx: &mut Tx, email_key: &str, ctx: &Ctx) -> AppResult<bool> {
        let now = self.now();
        let sent = tx
            .registration_sends_since(email_key, now - SEND_WINDOW)
            .await?;
        if may_send(sent, self.config().registration_per_email_per_day) {
            tx.note_registration_send(email_key, now).await?;
            return Ok(true);
        }
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "registration.limit", "address")
                .outcome(Outcome::Denied)
                .request(ctx.request_id.as_deref())
                .details(&json!({"sent_today": sent})),
        )
        .await?;
        Ok(false)
    }

    /// An address that has an account: a new link while its registration waits, a notice
    /// (sign in, or reset the password) otherwise.
    async fn mail_existing(
        &self,
        tx: &mut Tx,
        user: &User,
        return_to: Option<String>,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let now = self.now();
        let waiting = user.status == UserStatus::Invited
            && tx.registration_of(user.id).await?.is_some()
            && tx.password(user.id).await?.is_none();
        if waiting {
            tx.append_audit(
                NewAuditEvent::new(now, ctx.actor, "registration.renew", "user")
                    .target(user.id)
                    .level(user.level_id)
                    .request(ctx.request_id.as_deref()),
            )
            .await?;
            return self.send_link(tx, user, return_to).await;
        }
        let url = &self.config().public_url;
        let notice = NewMessage::new(
            Channel::Email,
            &user.email,
            "registration-notice",
            &user.language,
        )
        .arg("name", user.display_name())
        .arg("email", &user.email)
        .arg("signin", format!("{url}/signin"))
        .arg("reset", format!("{url}/signin/reset"));
        self.enqueue_message(tx, notice).await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "registration.notice", "user")
                .target(user.id)
                .level(user.level_id)
                .request(ctx.request_id.as_deref()),
        )
        .await?;
        Ok(())
    }

    /// A new verification link (earlier ones stop working), by e-mail in the person's
    /// language.
    async fn send_link(
        &self,
        tx: &mut Tx,
        user: &User,
        return_to: Option<String>,
    ) -> AppResult<()> {
        let now = self.now();
        let token = token_text(self.random_bytes());
        let pending = PendingRegistration {
            user_id: user.id,
            return_to,
            created_at: now,
            expires_at: now + REGISTRATION_LIFETIME,
        };
        tx.put_registration(&pending, &token_digest(&token)).await?;
        let link = format!("{}/register/verify/{token}", self.config().public_url);
        let message = NewMessage::new(
            Channel::Email,
            &user.email,
            "registration-verify",
            &user.language,
        )
        .arg("name", user.display_name())
        .arg("email", &user.email)
        .secret_arg("link", link);
        self.enqueue_message(tx, message).await?;
        Ok(())
    }

    /// Whose a verification link is, while it works.
    pub async fn check_registration_link(&self, token: &str) -> AppResult<RegistrationLink> {
        let mut tx = self.store().read().await?;
        let (user, _) = self.live_link(&mut tx, token).await?;
        Ok(RegistrationLink {
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
        })
    }

    async fn live_link(&self, tx: &mut Tx, token: &str) -> AppResult<(User, PendingRegistration)> {
        let pending = tx
            .registration(&token_digest(token))
            .await?
            .filter(|p| token_is_live(p.expires_at, self.now()))
            .ok_or(AppError::ResetLinkInvalid)?;
        let user = tx
            .user(pending.user_id)
            .await?
            .filter(|u| u.status == UserStatus::Invited)
            .ok_or(AppError::ResetLinkInvalid)?;
        Ok((user, pending))
    }

    /// "New password" through a verification link: the password rules of everywhere, then
    /// the account is active and, unless sign-in needs a second factor, signed in.
    pub async fn complete_registration(
        &self,
        token: &str,
        new: &str,
        confirm: &str,
        previous: Option<&str>,
        client: ClientInfo,
        ctx: &Ctx,
    ) -> AppResult<Registered> {
        let (user, _) = {
            let mut tx = self.store().read().await?;
            self.live_link(&mut tx, token).await?
        };
        let owner = PasswordOwner {
            email: &user.email,
            first_name: &user.first_name,
            last_name: &user.last_name,
        };
        let mut errors = self.password_problems("new_password", new, owner);
        errors.check(check_confirmation("confirm", new, confirm));
        errors.into_result()?;
        let phc = self.hasher().hash(new.to_owned()).await?;

        let now = self.now();
        let mut tx = self.store().begin().await?;
        let pending = tx
            .take_registration(&token_digest(token))
            .await?
            .filter(|p| p.user_id == user.id && token_is_live(p.expires_at, now))
            .ok_or(AppError::ResetLinkInvalid)?;
        let user = tx
            .user(user.id)
            .await?
            .filter(|u| u.status == UserStatus::Invited)
            .ok_or(AppError::ResetLinkInvalid)?;
        tx.set_password(user.id, &phc, now).await?;
        self.activate_invited(&mut tx, &user).await?;
        let actor = Ctx {
            actor: Actor::User(user.id),
            request_id: ctx.request_id.clone(),
        };
        tx.append_audit(
            NewAuditEvent::new(now, actor.actor, "registration.complete", "user")
                .target(user.id)
                .level(user.level_id)
                .request(ctx.request_id.as_deref()),
        )
        .await?;
        let user = tx.user(user.id).await?.ok_or(AppError::NotFound)?;
        let signed_in = if self.config().required_assurance == Assurance::Low {
            Some(
                self.open_session(
                    &mut tx,
                    user.clone(),
                    Assurance::Low,
                    &["password"],
                    previous,
                    client,
                    &actor,
                )
                .await?,
            )
        } else {
            None
        };
        tx.commit().await?;
        self.wake_delivery();
        Ok(Registered {
            user,
            signed_in,
            return_to: pending.return_to,
        })
    }

    /// Removes accounts whose verification link expired unused (each audited), and
    /// forgets the counts of registration e-mails older than a day. For the sweep.
    pub async fn sweep_lapsed_registrations(&self) -> AppResult<u64> {
        let now = self.now();
        let mut removed = 0u64;
        loop {
            let mut tx = self.store().begin().await?;
            let lapsed = tx.lapsed_registrations(now, SWEEP_BATCH).await?;
            for id in &lapsed {
                let Some(user) = tx.user(*id).await? else {
                    continue;
                };
                let pending = tx.registration_of(user.id).await?;
                if !pending.is_some_and(|p| registration_lapsed(p.expires_at, now)) {
                    continue;
                }
                if tx.delete_user(user.id, None).await? {
                    removed += 1;
                    tx.append_audit(
                        NewAuditEvent::new(now, Actor::System, "registration.expire", "user")
                            .target(user.id)
                            .level(user.level_id),
                    )
                    .await?;
                }
            }
            tx.commit().await?;
            if i64::try_from(lapsed.len()).unwrap_or(0) < SWEEP_BATCH {
                break;
            }
        }
        let mut tx = self.store().begin().await?;
        tx.forget_registration_sends(now - SEND_WINDOW).await?;
        tx.commit().await?;
        Ok(removed)
    }
}
