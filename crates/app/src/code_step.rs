//! The second step of signing in: a six-digit code sent by SMS or voice.

use serde_json::json;
use tessera_domain::audit::{Actor, NewAuditEvent, Outcome};
use tessera_domain::message::{Channel, NewMessage, mask_recipient};
use tessera_domain::otp::{CODE_LIFETIME, CodeVerdict, check_code, code_digest, six_digit_code};
use tessera_domain::session::Assurance;
use tessera_domain::setup::token_digest;
use tessera_domain::user::{User, UserStatus};
use tessera_store::{AuditLog, SecondFactors, Tx, Users};
use time::OffsetDateTime;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::signin::{ClientInfo, SignedIn};

/// What the code page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeView {
    pub method: Channel,
    /// The phone number, masked: `+49********167`.
    pub phone: String,
    pub expires_at: OffsetDateTime,
}

impl App {
    /// A fresh six-digit code.
    pub(crate) fn new_code(&self) -> String {
        loop {
            if let Some(code) = six_digit_code(self.random_bytes()) {
                return code;
            }
        }
    }

    /// Queues the code message in the caller's transaction.
    pub(crate) async fn send_code(
        &self,
        tx: &mut Tx,
        user: &User,
        phone: &str,
        method: Channel,
        code: &str,
    ) -> AppResult<()> {
        let message =
            NewMessage::new(method, phone, "sign-in-code", &user.language).secret_arg("code", code);
        self.enqueue_message(tx, message).await?;
        Ok(())
    }

    /// The challenge behind a code-step cookie, for showing the page.
    pub async fn sign_in_challenge(&self, challenge: &str) -> AppResult<Option<ChallengeView>> {
        let mut tx = self.store().read().await?;
        Ok(tx.challenge(&token_digest(challenge)).await?.and_then(|c| {
            let method = Channel::parse(&c.method)?;
            Some(ChallengeView {
                method,
                phone: mask_recipient(method, &c.phone),
                expires_at: c.expires_at,
            })
        }))
    }

    /// Checks a typed code. Right: a session at medium assurance. Wrong: the tries left.
    /// Expired, or the fifth wrong try: the challenge ends and signing in starts over.
    pub async fn verify_sign_in_code(
        &self,
        challenge: &str,
        code: &str,
        previous: Option<&str>,
        client: ClientInfo,
        ctx: &Ctx,
    ) -> AppResult<SignedIn> {
        let now = self.now();
        let digest = token_digest(challenge);
        let mut tx = self.store().begin().await?;
        let Some(pending) = tx.challenge(&digest).await? else {
            return Err(AppError::ChallengeGone);
        };
        let Some(user) = tx.user(pending.user_id).await? else {
            return Err(AppError::ChallengeGone);
        };
        drop(tx);
        self.check_throttle(&user.email_key).await?;
        let mut tx = self.store().begin().await?;
        // Each try is claimed before it is judged, in the same transaction: parallel
        // submissions queue on the challenge's row and never get more than five tries.
        let tries_before = tx.use_code_try(&digest).await? - 1;
        let verdict = check_code(
            challenge,
            &pending.code_digest,
            code,
            tries_before,
            pending.expires_at,
            now,
        );
        let audit = |outcome: Outcome, reason: &str| {
            NewAuditEvent::new(now, Actor::User(pending.user_id), "signin.code", "session")
                .outcome(outcome)
                .request(ctx.request_id.as_deref())
                .details(&json!({"method": pending.method, "reason": reason}))
        };
        match verdict {
            CodeVerdict::Accepted => {
                tx.delete_challenge(&digest).await?;
                if user.effective_status(now) != UserStatus::Active {
                    tx.commit().await?;
                    return Err(AppError::ChallengeGone);
                }
                let methods = ["password", pending.method.as_str()];
                let signed_in = self
                    .open_session(
                        &mut tx,
                        user,
                        Assurance::Medium,
                        &methods,
                        previous,
                        client,
                        ctx,
                    )
                    .await?;
                tx.commit().await?;
                Ok(signed_in)
            }
            // A wrong code is one of the challenge's five tries; only running out of them
            // counts against the account (each new challenge needs the password again).
            CodeVerdict::Wrong { left } => {
                tx.append_audit(audit(Outcome::Failure, "wrong_code"))
                    .await?;
                tx.commit().await?;
                Err(AppError::WrongCode { left })
            }
            CodeVerdict::Exhausted => {
                tx.delete_challenge(&digest).await?;
                tx.append_audit(audit(Outcome::Denied, "too_many_wrong_codes"))
                    .await?;
                tx.commit().await?;
                self.sign_in_failed(&user.email_key, Some(&user), "exhausted_code", ctx)
                    .await?;
                Err(AppError::CodeExhausted)
            }
            CodeVerdict::Expired => {
                tx.delete_challenge(&digest).await?;
                tx.append_audit(audit(Outcome::Failure, "expired")).await?;
                tx.commit().await?;
                Err(AppError::CodeExpired)
            }
        }
    }

    /// "Resend code using SMS / Voice": a new code on that channel, tries start again, and
    /// the channel becomes the person's default.
    pub async fn resend_sign_in_code(
        &self,
        challenge: &str,
        method: Channel,
        ctx: &Ctx,
    ) -> AppResult<()> {
        if method == Channel::Email {
            return Err(AppError::Internal("codes go by SMS or voice".into()));
        }
        let now = self.now();
        let digest = token_digest(challenge);
        let mut tx = self.store().begin().await?;
        let Some(pending) = tx.challenge(&digest).await? else {
            return Err(AppError::ChallengeGone);
        };
        let user = tx
            .user(pending.user_id)
            .await?
            .ok_or(AppError::ChallengeGone)?;
        let code = self.new_code();
        tx.renew_challenge(
            &digest,
            method.as_str(),
            &code_digest(challenge, &code),
            now + CODE_LIFETIME,
        )
        .await?;
        tx.set_default_method(user.id, method.as_str(), now).await?;
        self.send_code(&mut tx, &user, &pending.phone, method, &code)
            .await?;
        tx.append_audit(
            NewAuditEvent::new(now, Actor::User(user.id), "signin.code_resend", "session")
                .request(ctx.request_id.as_deref())
                .details(&json!({"method": method.as_str()})),
        )
        .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(())
    }
}
