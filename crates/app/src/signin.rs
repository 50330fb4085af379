//! Signing in and out, and the single sign-on session that results.
//!
//! Sign-in is by e-mail address and password, then a second factor (see `second_step`), or
//! by a passkey alone (see `passkey_signin`). An unknown address takes the same path and time as a wrong password and fails with the
//! same answer, so sign-in never tells which addresses have accounts.

use serde_json::json;
use tessera_domain::access::{Action, Principal, allowed};
use tessera_domain::audit::{Actor, NewAuditEvent, Outcome};
use tessera_domain::role::Role;
use tessera_domain::session::{Assurance, SessionPolicy, session_is_live, session_needs_touch};
use tessera_domain::setup::{token_digest, token_text};
use tessera_domain::throttle::Gate;
use tessera_domain::user::{User, UserStatus, email_address};
use tessera_store::sessions::SessionRecord;
use tessera_store::{
    AuditLog, Credentials, Roles, SessionApplications, Sessions, SignInFailures, Tx, Users,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// What the browser tells about itself, for "Display my sessions".
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub user_agent: String,
    pub address: String,
}

/// A new session: the token goes into the cookie, and nowhere else.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub user: User,
}

/// What follows a correct password.
#[derive(Debug, Clone)]
pub enum PasswordOutcome {
    /// No second factor is registered: signed in, at low assurance.
    SignedIn(SignedIn),
    /// The second step follows (a code was sent, or an app or key is asked for); the
    /// challenge token goes into a cookie for it.
    NeedsCode(CodeStep),
}

#[derive(Debug, Clone)]
pub struct CodeStep {
    pub challenge: String,
    pub user: User,
}

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub session_id: Uuid,
    pub user: User,
    pub roles: Vec<Role>,
    pub assurance: Assurance,
    pub methods: Vec<String>,
    pub created_at: OffsetDateTime,
}

impl CurrentSession {
    /// The context for use cases called on this person's behalf.
    pub fn ctx(&self, request_id: Option<String>) -> Ctx {
        Ctx {
            actor: Actor::User(self.user.id),
            request_id,
        }
    }
}

pub(crate) const SESSION_POLICY: SessionPolicy = SessionPolicy {
    idle: time::Duration::minutes(30),
    absolute: time::Duration::hours(12),
    touch_every: time::Duration::minutes(1),
};

impl App {
    /// Checks an e-mail address and password and opens a session. `previous` is the token of
    /// a session the browser already had: it is ended, so each sign-in gets a fresh token.
    pub async fn sign_in_with_password(
        &self,
        email: &str,
        password: &str,
        previous: Option<&str>,
        client: ClientInfo,
        ctx: &Ctx,
    ) -> AppResult<PasswordOutcome> {
        let valid_key = email_address(email).map(|(_, key)| key).ok();
        // Throttling is by what was typed, so unknown addresses behave like known ones.
        let throttle_key: String = valid_key
            .clone()
            .unwrap_or_else(|| email.trim().to_lowercase())
            .chars()
            .take(254)
            .collect();
        let key = valid_key;
        let (user, phc) = {
            let mut tx = self.store().reads().await?;
            self.throttle_gate(&mut tx, &throttle_key).await?;
            let user = match &key {
                Some(key) => tx.user_by_email_key(key).await?,
                None => None,
            };
            let phc = match &user {
                Some(user) => tx.password(user.id).await?,
                None => None,
            };
            (user, phc)
        };
        let (Some(user), Some(phc)) = (user, phc) else {
            // The same work as a real check, so timing does not tell either.
            self.hasher().waste(password.to_owned()).await?;
            self.sign_in_failed(&throttle_key, None, "unknown_account", ctx)
                .await?;
            return Err(AppError::SignInFailed);
        };
        let verdict = self.hasher().verify(password.to_owned(), phc).await?;
        if !verdict.matches {
            self.sign_in_failed(&throttle_key, Some(&user), "wrong_password", ctx)
                .await?;
            return Err(AppError::SignInFailed);
        }
        let now = self.now();
        let status = user.effective_status(now);
        if status != UserStatus::Active {
            // Only someone who knows the password learns the account's state.
            self.audit_sign_in(Some(&user), Outcome::Denied, status.as_str(), ctx)
                .await?;
            return Err(AppError::AccountUnavailable(status));
        }
        let rehash = if verdict.needs_rehash {
            Some(self.hasher().hash(password.to_owned()).await?)
        } else {
            None
        };

        let mut tx = self.store().begin().await?;
        if let Some(phc) = rehash {
            tx.set_password(user.id, &phc, now).await?;
        }
        // Any second factor will do at sign-in, unless every person's applications need
        // more; an application that needs more steps the session up later.
        let needed = self.config().required_assurance.max(Assurance::Medium);
        if let Some((challenge, method)) =
            self.begin_second_step(&mut tx, &user, needed, None).await?
        {
            let method = method.as_str();
            tx.append_audit(
                NewAuditEvent::new(now, Actor::User(user.id), "signin.password", "session")
                    .level(user.level_id)
                    .request(ctx.request_id.as_deref())
                    .details(&json!({"next": method})),
            )
            .await?;
            tx.commit().await?;
            self.wake_delivery();
            return Ok(PasswordOutcome::NeedsCode(CodeStep { challenge, user }));
        }
        if self.config().required_assurance > Assurance::Low
            || !self
                .factors_of(&mut tx, user.id)
                .await?
                .methods()
                .is_empty()
        {
            // Second factors exist but none is strong enough for what is needed.
            tx.commit().await?;
            return Err(AppError::NoStrongEnoughMethod);
        }
        let signed_in = self
            .open_session(
                &mut tx,
                user,
                Assurance::Low,
                &["password"],
                previous,
                client,
                ctx,
            )
            .await?;
        tx.commit().await?;
        Ok(PasswordOutcome::SignedIn(signed_in))
    }

    /// Opens a session with a fresh token, ending the browser's previous one, and audits it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn open_session(
        &self,
        tx: &mut Tx,
        user: User,
        assurance: Assurance,
        methods: &[&str],
        previous: Option<&str>,
        client: ClientInfo,
        ctx: &Ctx,
    ) -> AppResult<SignedIn> {
        let now = self.now();
        let token = token_text(self.random_bytes());
        if let Some(previous) = previous
            && let Some(old) = tx.session_by_digest(&token_digest(previous)).await?
        {
            self.end_sso_session(tx, old.id, old.user_id).await?;
        }
        let session = SessionRecord {
            id: Uuid::new_v4(),
            token_digest: token_digest(&token),
            user_id: user.id,
            assurance,
            methods: methods.iter().map(|m| (*m).to_owned()).collect(),
            created_at: now,
            last_seen_at: now,
            ended_at: None,
            user_agent: client.user_agent.chars().take(300).collect(),
            address: client.address.chars().take(64).collect(),
        };
        tx.insert_session(&session).await?;
        tx.clear_failures(&user.email_key).await?;
        tx.append_audit(
            NewAuditEvent::new(now, Actor::User(user.id), "signin.complete", "session")
                .target(session.id)
                .level(user.level_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({
                    "assurance": session.assurance.as_str(),
                    "methods": session.methods,
                    "address": session.address,
                })),
        )
        .await?;
        Ok(SignedIn { token, user })
    }

    /// Refuses at once, without any password work, while an address must wait or is locked.
    pub(crate) async fn check_throttle(&self, key: &str) -> AppResult<()> {
        let mut tx = self.store().reads().await?;
        self.throttle_gate(&mut tx, key).await
    }

    /// [`Self::check_throttle`] inside a transaction the caller reads more with.
    pub(crate) async fn throttle_gate(&self, tx: &mut Tx, key: &str) -> AppResult<()> {
        let failures = tx.failures(key).await?;
        match self.config().throttle.gate(&failures, self.now()) {
            Gate::Open => Ok(()),
            Gate::Wait(until) => Err(AppError::Throttled {
                until,
                locked: false,
            }),
            Gate::Locked(until) => Err(AppError::Throttled {
                until,
                locked: true,
            }),
        }
    }

    /// Records a failed password or code, with its audit event, and audits the lock it may
    /// start.
    pub(crate) async fn sign_in_failed(
        &self,
        key: &str,
        user: Option<&User>,
        reason: &str,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = tx.failures(key).await?;
        let policy = self.config().throttle;
        let after = policy.after_failure(&before, now);
        tx.put_failures(key, &after).await?;
        let target = |event: NewAuditEvent| match user {
            Some(user) => event.target(user.id).level(user.level_id),
            None => event,
        };
        let action = if reason.ends_with("code") {
            "signin.code"
        } else {
            "signin.password"
        };
        tx.append_audit(target(
            NewAuditEvent::new(now, ctx.actor, action, "session")
                .outcome(Outcome::Failure)
                .request(ctx.request_id.as_deref())
                .details(&json!({"reason": reason, "failures": after.count})),
        ))
        .await?;
        if policy.locks_now(&before, &after) {
            tx.append_audit(target(
                NewAuditEvent::new(now, Actor::System, "signin.lock", "session")
                    .request(ctx.request_id.as_deref())
                    .details(&json!({
                        "failures": after.count,
                        "until": after.locked_until.map(OffsetDateTime::unix_timestamp),
                    })),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a sign-in lock (and forgets the failures) for an address.
    pub async fn unlock_sign_in(&self, ctx: &Ctx, email: &str) -> AppResult<bool> {
        let key = email_address(email)
            .map(|(_, key)| key)
            .map_err(tessera_domain::ValidationErrors::from)?;
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let user = tx.user_by_email_key(&key).await?;
        // The person's user administrators may lift it; an address without an account is
        // only the operators' business.
        match &user {
            Some(user) => {
                let path = self.level_path(&mut tx, user.level_id).await?;
                self.authorize(ctx.actor, &grants, Action::SecureAccount { level: &path })?;
            }
            None if Principal::new(ctx.actor, &grants).is_operator() => {}
            None => return Err(AppError::Forbidden),
        }
        let failures = tx.failures(&key).await?;
        let was_locked = failures
            .locked_until
            .is_some_and(|until| until > self.now());
        tx.clear_failures(&key).await?;
        let mut event = NewAuditEvent::new(self.now(), ctx.actor, "signin.unlock", "session")
            .request(ctx.request_id.as_deref())
            .details(&json!({"was_locked": was_locked, "failures": failures.count}));
        if let Some(user) = user {
            event = event.target(user.id).level(user.level_id);
        }
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(was_locked)
    }

    async fn audit_sign_in(
        &self,
        user: Option<&User>,
        outcome: Outcome,
        reason: &str,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let mut event = NewAuditEvent::new(self.now(), ctx.actor, "signin.password", "session")
            .outcome(outcome)
            .request(ctx.request_id.as_deref())
            .details(&json!({"reason": reason}));
        if let Some(user) = user {
            event = event.target(user.id).level(user.level_id);
        }
        let mut tx = self.store().begin().await?;
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live session a cookie's token stands for, if any; records its use.
    pub async fn current_session(&self, token: &str) -> AppResult<Option<CurrentSession>> {
        let now = self.now();
        let mut tx = self.store().reads().await?;
        let Some(session) = tx.session_by_digest(&token_digest(token)).await? else {
            return Ok(None);
        };
        if !session_is_live(
            &SESSION_POLICY,
            session.created_at,
            session.last_seen_at,
            session.ended_at.is_some(),
            now,
        ) {
            return Ok(None);
        }
        let Some(user) = tx.user(session.user_id).await? else {
            return Ok(None);
        };
        if user.effective_status(now) != UserStatus::Active {
            return Ok(None);
        }
        let roles = tx
            .roles_of(user.id)
            .await?
            .into_iter()
            .map(|grant| grant.role)
            .collect();
        drop(tx);
        if session_needs_touch(&SESSION_POLICY, session.last_seen_at, now) {
            let mut tx = self.store().begin().await?;
            // When a session was last seen is no fact any cache keeps.
            tx.keeps_cached_facts();
            tx.touch_session(session.id, now).await?;
            tx.commit().await?;
        }
        Ok(Some(CurrentSession {
            session_id: session.id,
            user,
            roles,
            assurance: session.assurance,
            methods: session.methods,
            created_at: session.created_at,
        }))
    }

    /// Ends the session behind a token (signing out).
    pub async fn sign_out(&self, token: &str, ctx: &Ctx) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        if let Some(session) = tx.session_by_digest(&token_digest(token)).await?
            && self
                .end_sso_session(&mut tx, session.id, session.user_id)
                .await?
        {
            tx.append_audit(
                NewAuditEvent::new(now, Actor::User(session.user_id), "signout", "session")
                    .target(session.id)
                    .request(ctx.request_id.as_deref()),
            )
            .await?;
        }
        tx.commit().await?;
        self.wake_delivery();
        Ok(())
    }
}

/// One of a person's open sessions, for "Display my sessions".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionItem {
    pub id: Uuid,
    /// The session the question came from.
    pub current: bool,
    pub user_agent: String,
    pub address: String,
    pub methods: Vec<String>,
    pub assurance: Assurance,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    /// The applications signed into during the session (tile labels), first used first.
    pub applications: Vec<String>,
}

impl App {
    /// The live sessions of the signed-in person, newest first.
    pub async fn my_sessions(&self, me: &CurrentSession) -> AppResult<Vec<SessionItem>> {
        let now = self.now();
        let mut tx = self.store().reads().await?;
        let sessions = tx.open_sessions_of(me.user.id).await?;
        let used = tx.applications_used(me.user.id).await?;
        Ok(sessions
            .into_iter()
            .filter(|s| session_is_live(&SESSION_POLICY, s.created_at, s.last_seen_at, false, now))
            .map(|s| SessionItem {
                current: s.id == me.session_id,
                id: s.id,
                user_agent: s.user_agent,
                address: s.address,
                methods: s.methods,
                assurance: s.assurance,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                applications: used
                    .iter()
                    .filter(|u| u.session_id == s.id)
                    .map(|u| u.label.clone())
                    .collect(),
            })
            .collect())
    }

    /// Ends one of the signed-in person's own sessions ("Sign out" on another device).
    pub async fn end_my_session(
        &self,
        me: &CurrentSession,
        session: Uuid,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let own = tx
            .open_sessions_of(me.user.id)
            .await?
            .into_iter()
            .any(|s| s.id == session);
        // Another person's session, or one already ended: the same answer, so session ids
        // cannot be probed.
        if !own {
            return Err(AppError::NotFound);
        }
        self.end_sso_session(&mut tx, session, me.user.id).await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "session.end", "session")
                .target(session)
                .level(me.user.level_id)
                .request(ctx.request_id.as_deref()),
        )
        .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(())
    }
}

impl App {
    /// Ends every session of the account with this address; returns how many ended.
    pub async fn end_sessions_of(&self, ctx: &Ctx, email: &str) -> AppResult<usize> {
        let key = email_address(email)
            .map(|(_, key)| key)
            .map_err(tessera_domain::ValidationErrors::from)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let user = tx
            .user_by_email_key(&key)
            .await?
            .ok_or(AppError::NotFound)?;
        let path = self.level_path(&mut tx, user.level_id).await?;
        // Someone who may not even see the person learns nothing of the account.
        if !allowed(
            &Principal::new(ctx.actor, &grants),
            Action::ViewUsers { level: &path },
        ) {
            return Err(AppError::NotFound);
        }
        self.authorize(ctx.actor, &grants, Action::SecureAccount { level: &path })?;
        let mut ended = 0;
        for session in tx.open_sessions_of(user.id).await? {
            if self.end_sso_session(&mut tx, session.id, user.id).await? {
                ended += 1;
            }
        }
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "session.end_all", "user")
                .target(user.id)
                .level(user.level_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({"sessions_ended": ended})),
        )
        .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(ended)
    }
}
