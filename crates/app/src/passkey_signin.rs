//! Signing in with a passkey alone, without typing an e-mail address: the browser offers the
//! person's passkeys for this site, the key proves possession and checks its PIN or
//! biometric, and the user handle it returns names the account. And stepping a signed-in
//! session up to the assurance an application needs, without signing in again.

use serde_json::json;
use tessera_domain::UserId;
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::factor::Method;
use tessera_domain::session::Assurance;
use tessera_domain::setup::{token_digest, token_text};
use tessera_domain::user::UserStatus;
use tessera_store::authenticators::Ceremony;
use tessera_store::{AuditLog, Authenticators, Tx, Users};
use time::Duration;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::signin::{ClientInfo, CurrentSession, SignedIn};

const CEREMONY_LIFETIME: Duration = Duration::minutes(5);

/// A passkey sign-in under way: the token goes back with the browser's answer.
#[derive(Debug, Clone)]
pub struct PasskeyChallenge {
    pub token: String,
    pub options: serde_json::Value,
}

/// What a step-up needs.
#[derive(Debug, Clone)]
pub enum StepUp {
    /// The session is strong enough already.
    Enough,
    /// The second step begins; the challenge token goes into the second-step cookie.
    Challenge(String),
}

impl App {
    /// Options for the browser to offer the person's passkeys for this site.
    pub async fn passkey_sign_in_options(&self) -> AppResult<PasskeyChallenge> {
        let (options, state) = self.passkeys()?.start_discoverable()?;
        let token = token_text(self.random_bytes());
        let mut tx = self.store().begin().await?;
        tx.insert_ceremony(&Ceremony {
            token_digest: token_digest(&token),
            user_id: None,
            purpose: "passkey_signin".into(),
            state,
            expires_at: self.now() + CEREMONY_LIFETIME,
        })
        .await?;
        tx.commit().await?;
        Ok(PasskeyChallenge { token, options })
    }

    /// Checks a passkey's answer and opens a session at the security key's assurance.
    pub async fn finish_passkey_sign_in(
        &self,
        token: &str,
        response: &str,
        previous: Option<&str>,
        client: ClientInfo,
        ctx: &Ctx,
    ) -> AppResult<SignedIn> {
        let passkeys = self.passkeys()?;
        let now = self.now();
        let (ceremony, key, user) = {
            let mut tx = self.store().begin().await?;
            // Taken out at once: each ceremony is answered once, right or wrong.
            let ceremony = tx
                .take_ceremony(&token_digest(token))
                .await?
                .filter(|c| c.purpose == "passkey_signin" && c.expires_at > now)
                .ok_or(AppError::ChallengeGone)?;
            tx.commit().await?;
            let (handle, credential) = passkeys.identify(response)?;
            let mut tx = self.store().reads().await?;
            let key = tx
                .key_by_credential(&hex::encode(credential))
                .await?
                .filter(|k| k.user_id == UserId(handle))
                .ok_or_else(|| AppError::KeyRefused("this passkey is not registered".into()))?;
            let user = tx
                .user(key.user_id)
                .await?
                .ok_or_else(|| AppError::KeyRefused("this passkey is not registered".into()))?;
            (ceremony, key, user)
        };
        self.check_throttle(&user.email_key).await?;
        let used = match passkeys.finish_discoverable(response, &ceremony.state, &key.passkey) {
            Ok(used) => used,
            Err(error) => {
                self.sign_in_failed(&user.email_key, Some(&user), "passkey_refused", ctx)
                    .await?;
                return Err(error.into());
            }
        };
        let status = user.effective_status(now);
        if status != UserStatus::Active {
            return Err(AppError::AccountUnavailable(status));
        }
        let mut tx = self.store().begin().await?;
        tx.key_used(key.id, used.updated_passkey.as_deref(), now)
            .await?;
        let assurance = self.config().method_assurance.of(Method::SecurityKey);
        let signed_in = self
            .open_session(
                &mut tx,
                user,
                assurance,
                &["passkey"],
                previous,
                client,
                ctx,
            )
            .await?;
        tx.commit().await?;
        Ok(signed_in)
    }

    /// Makes a signed-in session reach `needed`: the second step with a method strong
    /// enough, after which the same session carries on (no password, no new sign-in).
    pub async fn begin_step_up(
        &self,
        me: &CurrentSession,
        needed: Assurance,
        ctx: &Ctx,
    ) -> AppResult<StepUp> {
        if me.assurance >= needed {
            return Ok(StepUp::Enough);
        }
        let mut tx: Tx = self.store().begin().await?;
        let (challenge, _) = self
            .begin_second_step(&mut tx, &me.user, needed, Some(me.session_id))
            .await?
            .ok_or(AppError::NoStrongEnoughMethod)?;
        tx.append_audit(
            NewAuditEvent::new(
                self.now(),
                Actor::User(me.user.id),
                "session.step_up_start",
                "session",
            )
            .target(me.session_id)
            .level(me.user.level_id)
            .request(ctx.request_id.as_deref())
            .details(&json!({"from": me.assurance.as_str(), "needed": needed.as_str()})),
        )
        .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(StepUp::Challenge(challenge))
    }
}
