//! The second step of signing in, and of stepping a session up: a code sent by SMS or voice,
//! a code from an authenticator app, or a security key. "Try another way" switches between
//! the person's methods that are strong enough; "Resend code using SMS / Voice" also makes
//! that channel the person's default, as in the ECB Identity Portal.

use serde_json::json;
use tessera_auth::totp::AppSecret;
use tessera_domain::UserId;
use tessera_domain::audit::{Actor, NewAuditEvent, Outcome};
use tessera_domain::factor::{Method, first_method, totp_step_is_fresh, usable_methods};
use tessera_domain::message::{Channel, NewMessage, mask_recipient};
use tessera_domain::otp::{
    CODE_LIFETIME, CodeFormat, CodeVerdict, check_code, code_digest, judge_try, six_digit_code,
};
use tessera_domain::session::Assurance;
use tessera_domain::setup::{token_digest, token_text};
use tessera_domain::user::{User, UserStatus};
use tessera_store::second_factors::Challenge;
use tessera_store::{AuditLog, Authenticators, SecondFactors, Sessions, Tx, Users};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::app::{App, PRODUCT_NAME};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::signin::{ClientInfo, SignedIn};

/// How long an authenticator-app or security-key step may take (codes sent by SMS or voice
/// last three minutes).
const STEP_LIFETIME: Duration = Duration::minutes(10);

/// The second factors a person has.
pub(crate) struct Factors {
    /// Confirmed phone numbers, the default one first.
    pub phones: Vec<String>,
    /// How many confirmed authenticator apps.
    pub apps: usize,
    pub keys: usize,
    /// The method the person chose to be offered first, if any.
    pub default_method: Option<Method>,
}

impl Factors {
    pub fn methods(&self) -> Vec<Method> {
        let mut methods = Vec::new();
        if !self.phones.is_empty() {
            methods.extend([Method::Sms, Method::Voice]);
        }
        if self.apps > 0 {
            methods.push(Method::AuthenticatorApp);
        }
        if self.keys > 0 {
            methods.push(Method::SecurityKey);
        }
        methods
    }

    /// How many factors there are (each phone, app and key counts once).
    pub fn count(&self) -> usize {
        self.phones.len() + self.apps + self.keys
    }
}

/// One entry of "Try another way".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodChoice {
    pub method: Method,
    /// Which of the person's phone numbers (SMS and voice).
    pub phone_index: Option<usize>,
    /// That number, masked, for pages that word the choice in another language.
    pub phone: Option<String>,
    pub label: String,
}

/// What the second-step page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondStepView {
    pub method: Method,
    /// Where the code went, masked: `+49********167` (SMS and voice).
    pub phone: String,
    /// Every method that would do, the current one included.
    pub choices: Vec<MethodChoice>,
    /// A signed-in session is being stepped up (no password was asked).
    pub step_up: bool,
    pub expires_at: OffsetDateTime,
}

fn channel_of(method: Method) -> Option<Channel> {
    match method {
        Method::Sms => Some(Channel::Sms),
        Method::Voice => Some(Channel::Voice),
        Method::AuthenticatorApp | Method::SecurityKey => None,
    }
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

    /// The person's second factors, in one query.
    pub(crate) async fn factors_of(&self, tx: &mut Tx, user: UserId) -> AppResult<Factors> {
        let summary = tx.factor_summary(user).await?;
        let mut phones = summary.phones;
        if let Some(default) = summary.default_phone
            && let Some(at) = phones.iter().position(|p| *p == default)
        {
            let phone = phones.remove(at);
            phones.insert(0, phone);
        }
        Ok(Factors {
            phones,
            apps: summary.apps,
            keys: summary.keys,
            default_method: summary.default_method.as_deref().and_then(Method::parse),
        })
    }

    /// Starts the second step with the method offered first (the person's default when it
    /// is strong enough). `None` when the person has no method that reaches `needed`.
    /// `session` is the session to step up, when there is one.
    pub(crate) async fn begin_second_step(
        &self,
        tx: &mut Tx,
        user: &User,
        needed: Assurance,
        session: Option<Uuid>,
    ) -> AppResult<Option<(String, Method)>> {
        let factors = self.factors_of(tx, user.id).await?;
        let policy = self.config().method_assurance;
        let Some(method) =
            first_method(factors.default_method, &factors.methods(), needed, &policy)
        else {
            return Ok(None);
        };
        let now = self.now();
        let challenge = token_text(self.random_bytes());
        let mut record = Challenge {
            token_digest: token_digest(&challenge),
            user_id: user.id,
            method: String::new(),
            phone: String::new(),
            code_digest: String::new(),
            attempts: 0,
            expires_at: now,
            created_at: now,
            needed: needed.as_str().to_owned(),
            session_id: session,
            ceremony: None,
        };
        self.prepare_method(
            tx,
            user,
            &challenge,
            &mut record,
            method,
            factors.phones.first(),
        )
        .await?;
        tx.insert_challenge(&record).await?;
        Ok(Some((challenge, method)))
    }

    /// Points a challenge at `method`; for SMS and voice, sends a new code to `phone`.
    async fn prepare_method(
        &self,
        tx: &mut Tx,
        user: &User,
        challenge: &str,
        record: &mut Challenge,
        method: Method,
        phone: Option<&String>,
    ) -> AppResult<()> {
        let now = self.now();
        record.method = method.as_str().to_owned();
        record.attempts = 0;
        record.ceremony = None;
        record.code_digest = String::new();
        record.phone = String::new();
        record.expires_at = now + STEP_LIFETIME;
        if let Some(channel) = channel_of(method) {
            let phone = phone.ok_or(AppError::NoStrongEnoughMethod)?;
            let code = self.new_code();
            record.phone = phone.clone();
            record.code_digest = code_digest(challenge, &code);
            record.expires_at = now + CODE_LIFETIME;
            self.send_code(tx, user, phone, channel, &code).await?;
        }
        Ok(())
    }

    /// The pending challenge and its person, or `ChallengeGone`.
    async fn pending(&self, tx: &mut Tx, challenge: &str) -> AppResult<(Challenge, User)> {
        let pending = tx
            .challenge(&token_digest(challenge))
            .await?
            .ok_or(AppError::ChallengeGone)?;
        let user = tx
            .user(pending.user_id)
            .await?
            .ok_or(AppError::ChallengeGone)?;
        Ok((pending, user))
    }

    fn needed_of(pending: &Challenge) -> Assurance {
        Assurance::parse(&pending.needed).unwrap_or(Assurance::Medium)
    }

    /// The challenge behind a second-step cookie, for showing the page.
    pub async fn sign_in_challenge(&self, challenge: &str) -> AppResult<Option<SecondStepView>> {
        let mut tx = self.store().reads().await?;
        let (pending, user) = match self.pending(&mut tx, challenge).await {
            Ok(found) => found,
            Err(AppError::ChallengeGone) => return Ok(None),
            Err(other) => return Err(other),
        };
        let Some(method) = Method::parse(&pending.method) else {
            return Ok(None);
        };
        let factors = self.factors_of(&mut tx, user.id).await?;
        let policy = self.config().method_assurance;
        let mut choices = Vec::new();
        for usable in usable_methods(&factors.methods(), Self::needed_of(&pending), &policy) {
            match channel_of(usable) {
                Some(channel) => {
                    for (index, phone) in factors.phones.iter().enumerate() {
                        let masked = mask_recipient(channel, phone);
                        choices.push(MethodChoice {
                            method: usable,
                            phone_index: Some(index),
                            label: format!("{} to {}", usable.label(), masked),
                            phone: Some(masked),
                        });
                    }
                }
                None => choices.push(MethodChoice {
                    method: usable,
                    phone_index: None,
                    phone: None,
                    label: usable.label().to_owned(),
                }),
            }
        }
        Ok(Some(SecondStepView {
            method,
            phone: channel_of(method)
                .map(|channel| mask_recipient(channel, &pending.phone))
                .unwrap_or_default(),
            choices,
            step_up: pending.session_id.is_some(),
            expires_at: pending.expires_at,
        }))
    }

    /// "Try another way": the step goes on with another of the person's methods.
    pub async fn switch_sign_in_method(
        &self,
        challenge: &str,
        method: Method,
        phone_index: Option<usize>,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let (mut pending, user) = self.pending(&mut tx, challenge).await?;
        let factors = self.factors_of(&mut tx, user.id).await?;
        let policy = self.config().method_assurance;
        if !usable_methods(&factors.methods(), Self::needed_of(&pending), &policy).contains(&method)
        {
            return Err(AppError::NoStrongEnoughMethod);
        }
        let phone = match phone_index {
            Some(index) => factors.phones.get(index),
            None => factors.phones.first(),
        };
        self.prepare_method(&mut tx, &user, challenge, &mut pending, method, phone)
            .await?;
        tx.update_challenge(&pending).await?;
        tx.append_audit(
            NewAuditEvent::new(self.now(), Actor::User(user.id), "signin.method", "session")
                .request(ctx.request_id.as_deref())
                .details(&json!({"method": method.as_str()})),
        )
        .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(())
    }

    /// "Resend code using SMS / Voice": a new code on that channel to the same number, tries
    /// start again, and the channel becomes the person's default.
    pub async fn resend_sign_in_code(
        &self,
        challenge: &str,
        channel: Channel,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let method = match channel {
            Channel::Sms => Method::Sms,
            Channel::Voice => Method::Voice,
            Channel::Email | Channel::HttpPost => {
                return Err(AppError::Internal("codes go by SMS or voice".into()));
            }
        };
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let (mut pending, user) = self.pending(&mut tx, challenge).await?;
        let factors = self.factors_of(&mut tx, user.id).await?;
        let phone = factors
            .phones
            .iter()
            .find(|p| **p == pending.phone)
            .or(factors.phones.first())
            .cloned();
        self.prepare_method(
            &mut tx,
            &user,
            challenge,
            &mut pending,
            method,
            phone.as_ref(),
        )
        .await?;
        tx.update_challenge(&pending).await?;
        tx.set_default_method(user.id, method.as_str(), now).await?;
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

    /// Whether `typed` is a current code of one of the person's authenticator apps whose
    /// time step was not used before; marks that step used.
    async fn authenticator_code_matches(
        &self,
        tx: &mut Tx,
        user: &User,
        typed: &str,
        now: OffsetDateTime,
    ) -> AppResult<bool> {
        let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
        for app in tx.apps_of(user.id).await? {
            if !app.confirmed {
                continue;
            }
            let secret = self.secrets().open("totp", &app.secret)?;
            let totp = AppSecret::new(&secret, PRODUCT_NAME, &user.email)?;
            for step in totp.matching_steps(typed, unix) {
                let step = i64::try_from(step).unwrap_or(i64::MAX);
                let last = app.last_step.and_then(|s| u64::try_from(s).ok());
                if totp_step_is_fresh(u64::try_from(step).unwrap_or(0), last)
                    && tx.use_app_step(app.id, step, now).await?
                {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Checks a typed code (SMS, voice or authenticator app). Right: a session, or the
    /// stepped-up one. Wrong: the tries left. Expired, or the fifth wrong try: the challenge
    /// ends and signing in starts over.
    pub async fn verify_sign_in_code(
        &self,
        challenge: &str,
        code: &str,
        previous: Option<&str>,
        client: ClientInfo,
        ctx: &Ctx,
    ) -> AppResult<SignedIn> {
        let now = self.now();
        let (pending, user) = {
            let mut tx = self.store().reads().await?;
            let (pending, user) = self.pending(&mut tx, challenge).await?;
            self.throttle_gate(&mut tx, &user.email_key).await?;
            (pending, user)
        };
        let method = Method::parse(&pending.method).ok_or(AppError::ChallengeGone)?;
        let mut tx = self.store().begin().await?;
        // Each try is claimed before it is judged, in the same transaction: parallel
        // submissions queue on the challenge's row and never get more than five tries.
        let tries_before = tx.use_code_try(&pending.token_digest).await? - 1;
        let verdict = match method {
            Method::Sms | Method::Voice => check_code(
                CodeFormat::SixDigits,
                challenge,
                &pending.code_digest,
                code,
                tries_before,
                pending.expires_at,
                now,
            ),
            Method::AuthenticatorApp => {
                let matches = now < pending.expires_at
                    && self
                        .authenticator_code_matches(&mut tx, &user, code, now)
                        .await?;
                judge_try(matches, tries_before, pending.expires_at, now)
            }
            Method::SecurityKey => return Err(AppError::ChallengeGone),
        };
        self.settle_try(tx, verdict, pending, user, method, previous, client, ctx)
            .await
    }

    /// What follows the verdict on one try of the second step.
    #[allow(clippy::too_many_arguments)]
    async fn settle_try(
        &self,
        mut tx: Tx,
        verdict: CodeVerdict,
        pending: Challenge,
        user: User,
        method: Method,
        previous: Option<&str>,
        client: ClientInfo,
        ctx: &Ctx,
    ) -> AppResult<SignedIn> {
        let now = self.now();
        let audit = |outcome: Outcome, reason: &str| {
            NewAuditEvent::new(now, Actor::User(pending.user_id), "signin.code", "session")
                .outcome(outcome)
                .request(ctx.request_id.as_deref())
                .details(&json!({"method": pending.method, "reason": reason}))
        };
        match verdict {
            CodeVerdict::Accepted => {
                tx.delete_challenge(&pending.token_digest).await?;
                if user.effective_status(now) != UserStatus::Active {
                    tx.commit().await?;
                    return Err(AppError::ChallengeGone);
                }
                let signed_in = self
                    .complete_second_step(&mut tx, &pending, user, method, previous, client, ctx)
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
                tx.delete_challenge(&pending.token_digest).await?;
                tx.append_audit(audit(Outcome::Denied, "too_many_wrong_codes"))
                    .await?;
                tx.commit().await?;
                self.sign_in_failed(&user.email_key, Some(&user), "exhausted_code", ctx)
                    .await?;
                Err(AppError::CodeExhausted)
            }
            CodeVerdict::Expired => {
                tx.delete_challenge(&pending.token_digest).await?;
                tx.append_audit(audit(Outcome::Failure, "expired")).await?;
                tx.commit().await?;
                Err(AppError::CodeExpired)
            }
        }
    }

    /// A second factor was proven: a new session at the method's assurance, or the session
    /// being stepped up made stronger (with a new token).
    #[allow(clippy::too_many_arguments)]
    async fn complete_second_step(
        &self,
        tx: &mut Tx,
        pending: &Challenge,
        user: User,
        method: Method,
        previous: Option<&str>,
        client: ClientInfo,
        ctx: &Ctx,
    ) -> AppResult<SignedIn> {
        let assurance = self.config().method_assurance.of(method);
        let Some(session_id) = pending.session_id else {
            return self
                .open_session(
                    tx,
                    user,
                    assurance,
                    &["password", method.as_str()],
                    previous,
                    client,
                    ctx,
                )
                .await;
        };
        let now = self.now();
        let session = tx
            .open_sessions_of(user.id)
            .await?
            .into_iter()
            .find(|s| s.id == session_id)
            .ok_or(AppError::ChallengeGone)?;
        let mut methods = session.methods.clone();
        if !methods.iter().any(|m| m == method.as_str()) {
            methods.push(method.as_str().to_owned());
        }
        let assurance = assurance.max(session.assurance);
        let token = token_text(self.random_bytes());
        if !tx
            .step_up_session(session_id, assurance, &methods, &token_digest(&token), now)
            .await?
        {
            return Err(AppError::ChallengeGone);
        }
        tx.append_audit(
            NewAuditEvent::new(now, Actor::User(user.id), "session.step_up", "session")
                .target(session_id)
                .level(user.level_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({
                    "from": session.assurance.as_str(),
                    "to": assurance.as_str(),
                    "method": method.as_str(),
                })),
        )
        .await?;
        Ok(SignedIn { token, user })
    }

    /// Options for the browser to use one of the person's security keys in this step.
    pub async fn security_key_options(&self, challenge: &str) -> AppResult<serde_json::Value> {
        let passkeys = self.passkeys()?;
        let mut tx = self.store().begin().await?;
        let (mut pending, user) = self.pending(&mut tx, challenge).await?;
        if pending.method != Method::SecurityKey.as_str() {
            return Err(AppError::ChallengeGone);
        }
        let keys: Vec<String> = tx
            .keys_of(user.id)
            .await?
            .into_iter()
            .map(|k| k.passkey)
            .collect();
        let (options, state) = passkeys.start_authentication(&keys)?;
        pending.ceremony = Some(state);
        tx.update_challenge(&pending).await?;
        tx.commit().await?;
        Ok(options)
    }

    /// Checks a security key's answer in this step; a refused answer is one of the five tries.
    pub async fn verify_security_key(
        &self,
        challenge: &str,
        response: &str,
        previous: Option<&str>,
        client: ClientInfo,
        ctx: &Ctx,
    ) -> AppResult<SignedIn> {
        let passkeys = self.passkeys()?;
        let now = self.now();
        let (pending, user) = {
            let mut tx = self.store().reads().await?;
            self.pending(&mut tx, challenge).await?
        };
        if pending.method != Method::SecurityKey.as_str() {
            return Err(AppError::ChallengeGone);
        }
        self.check_throttle(&user.email_key).await?;
        let mut tx = self.store().begin().await?;
        let tries_before = tx.use_code_try(&pending.token_digest).await? - 1;
        let credential = passkeys.credential_of(response).map(hex::encode).ok();
        let key = tx
            .keys_of(user.id)
            .await?
            .into_iter()
            .find(|k| Some(&k.credential_id) == credential.as_ref());
        let used = match (&pending.ceremony, &key) {
            (Some(state), Some(key)) => passkeys
                .finish_authentication(response, state, &key.passkey)
                .ok(),
            _ => None,
        };
        if let (Some(used), Some(key)) = (&used, &key) {
            tx.key_used(key.id, used.updated_passkey.as_deref(), now)
                .await?;
        }
        let verdict = judge_try(used.is_some(), tries_before, pending.expires_at, now);
        match self
            .settle_try(
                tx,
                verdict,
                pending,
                user,
                Method::SecurityKey,
                previous,
                client,
                ctx,
            )
            .await
        {
            Err(AppError::WrongCode { .. }) => Err(AppError::KeyRefused(
                "the key did not answer this sign-in".into(),
            )),
            other => other,
        }
    }
}
