use std::sync::Arc;

use tessera_auth::passkeys::Passkeys;
use tessera_auth::quality::{LEAKED_MESSAGE, LeakedPasswords, guessability_problem};
use tessera_auth::{PasswordHasher, SecretBox};
use tessera_domain::ValidationErrors;
use tessera_domain::access::{Action, Grant, Principal, allowed};
use tessera_domain::audit::Actor;
use tessera_domain::factor::MethodAssurance;
use tessera_domain::message::RetryPolicy;
use tessera_domain::password::{PasswordOwner, check_password};
use tessera_domain::role::Role;
use tessera_domain::session::Assurance;
use tessera_domain::throttle::ThrottlePolicy;
use tessera_domain::{LevelId, UserId};
use tessera_store::{Levels, Roles, Store, Tx};
use time::OffsetDateTime;
use tokio::sync::Notify;

use crate::error::{AppError, AppResult};
use crate::ports::{Clock, Random, SystemClock, SystemRandom};

/// The name people see in authenticator apps and security key prompts.
pub const PRODUCT_NAME: &str = "Tessera";

/// The languages Tessera has texts for (e-mail language, pages).
pub const SUPPORTED_LANGUAGES: &[&str] = tessera_domain::language::LANGUAGES;

/// What the app needs to know about its installation.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The address people reach Tessera at, without a trailing slash.
    pub public_url: String,
    /// Password hashes running at once (default: the number of cores).
    pub hash_parallel: usize,
    /// Password hashes allowed to wait before requests are refused as busy.
    pub hash_queue: usize,
    /// How failed message deliveries are retried and when they are given up.
    pub retry: RetryPolicy,
    /// How repeated sign-in failures are slowed down and locked.
    pub throttle: ThrottlePolicy,
    /// A file of leaked-password SHA-1 digests, checked besides the built-in list.
    pub leaked_list: Option<std::path::PathBuf>,
    /// The assurance each second factor gives a session.
    pub method_assurance: MethodAssurance,
    /// The assurance every person's applications need at least, until applications declare
    /// their own: above `low`, nobody may remove their last second factor.
    pub required_assurance: Assurance,
    /// The CAPTCHA of forms anyone may post: difficulty, lifetime, per-address limit.
    pub captcha: crate::captcha::CaptchaConfig,
    /// Whether people may create their own account ("Create an account", issue 8).
    pub registration_open: bool,
    /// Registration and notice e-mails per address and day (0: no limit).
    pub registration_per_email_per_day: u32,
}

impl AppConfig {
    pub fn new(public_url: &str) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            hash_parallel: cores,
            hash_queue: cores * 32,
            retry: RetryPolicy::default(),
            throttle: ThrottlePolicy::default(),
            leaked_list: None,
            method_assurance: MethodAssurance::default(),
            required_assurance: Assurance::Low,
            captcha: crate::captcha::CaptchaConfig::default(),
            registration_open: true,
            registration_per_email_per_day: tessera_domain::registration::DEFAULT_PER_EMAIL_PER_DAY,
        }
    }
}

struct Inner {
    store: Store,
    config: AppConfig,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    hasher: PasswordHasher,
    secrets: SecretBox,
    delivery: Arc<Notify>,
    leaked: LeakedPasswords,
    /// The WebAuthn relying party; `None` when the public address cannot be one.
    passkeys: Option<Passkeys>,
    /// The signing keys as last read, and the opened private keys.
    keys: crate::key_cache::KeyCache,
    /// Answers of the OpenID Connect machine endpoints, kept for a moment (`fresh.rs`).
    answers: crate::oidc_answers::Answers,
    /// Refresh token rotations waiting to be committed together (`oidc_rotation.rs`).
    rotations: crate::oidc_rotation::Rotations,
}

/// The use cases, over one store. Cheap to clone: every request holds one.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

impl App {
    /// An app on the wall clock and the system's random source, with secrets sealed under
    /// `secret_key` (32 bytes).
    pub fn new(store: Store, config: AppConfig, secret_key: &[u8]) -> AppResult<Self> {
        Self::with_ports(
            store,
            config,
            secret_key,
            Arc::new(SystemClock),
            Arc::new(SystemRandom),
        )
    }

    pub fn with_ports(
        store: Store,
        config: AppConfig,
        secret_key: &[u8],
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> AppResult<Self> {
        let hasher = PasswordHasher::new(config.hash_parallel, config.hash_queue);
        let leaked = match &config.leaked_list {
            Some(path) => {
                LeakedPasswords::with_file(path).map_err(|e| AppError::Internal(e.to_string()))?
            }
            None => LeakedPasswords::built_in(),
        };
        let passkeys = match Passkeys::new(&config.public_url, PRODUCT_NAME) {
            Ok(passkeys) => Some(passkeys),
            Err(error) => {
                tracing::warn!(%error, "security keys and passkeys are turned off");
                None
            }
        };
        let rotations = crate::oidc_rotation::Rotations::new(store.backend());
        Ok(Self {
            inner: Arc::new(Inner {
                passkeys,
                secrets: SecretBox::new(secret_key)?,
                store,
                config,
                clock,
                random,
                hasher,
                delivery: Arc::new(Notify::new()),
                leaked,
                keys: crate::key_cache::KeyCache::default(),
                answers: crate::oidc_answers::Answers::default(),
                rotations,
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.inner.clock.now()
    }

    pub(crate) fn hasher(&self) -> &PasswordHasher {
        &self.inner.hasher
    }

    pub(crate) fn passkeys(&self) -> AppResult<&Passkeys> {
        self.inner
            .passkeys
            .as_ref()
            .ok_or(AppError::PasskeysUnavailable)
    }

    /// Whether security keys and passkeys can be used at this installation's address.
    /// Whether the sign-in page offers "Create an account".
    pub fn registration_open(&self) -> bool {
        self.inner.config.registration_open
    }

    pub fn passkeys_available(&self) -> bool {
        self.inner.passkeys.is_some()
    }

    pub(crate) fn secrets(&self) -> &SecretBox {
        &self.inner.secrets
    }

    pub(crate) fn key_cache(&self) -> &crate::key_cache::KeyCache {
        &self.inner.keys
    }

    pub(crate) fn answers(&self) -> &crate::oidc_answers::Answers {
        &self.inner.answers
    }

    pub(crate) fn rotations(&self) -> &crate::oidc_rotation::Rotations {
        &self.inner.rotations
    }

    pub(crate) fn delivery_notify(&self) -> Arc<Notify> {
        Arc::clone(&self.inner.delivery)
    }

    pub(crate) fn random_bytes<const N: usize>(&self) -> [u8; N] {
        let mut bytes = [0u8; N];
        self.inner.random.fill(&mut bytes);
        bytes
    }

    pub(crate) fn new_level_id(&self) -> LevelId {
        LevelId::new(self.now(), self.random_bytes())
    }

    pub(crate) fn new_user_id(&self) -> UserId {
        UserId::new(self.now(), self.random_bytes())
    }

    /// Every problem with a new password: the composition rules first; when they pass, the
    /// leaked-password list and how easy it is to guess (with advice).
    pub(crate) fn password_problems(
        &self,
        field: &'static str,
        password: &str,
        owner: PasswordOwner<'_>,
    ) -> ValidationErrors {
        let mut errors = match check_password(field, password, owner) {
            Ok(()) => ValidationErrors::new(),
            Err(errors) => errors,
        };
        if errors.is_empty() {
            if self.inner.leaked.contains(password) {
                errors.push(field, "leaked", LEAKED_MESSAGE);
            } else if let Some(advice) =
                guessability_problem(password, &[owner.email, owner.first_name, owner.last_name])
            {
                errors.push(field, "guessable", advice);
            }
        }
        errors
    }

    /// The roles of whoever is acting (none for Tessera itself or someone not signed in),
    /// for the domain's permission rules.
    pub(crate) async fn roles_of_actor(&self, tx: &mut Tx, actor: Actor) -> AppResult<Vec<Role>> {
        Ok(match actor.user_id() {
            Some(user) => tx
                .roles_of(user)
                .await?
                .into_iter()
                .map(|grant| grant.role)
                .collect(),
            None => Vec::new(),
        })
    }

    /// The roles of whoever is acting, each with its level's path, for [`allowed`].
    pub(crate) async fn grants_of_actor(&self, tx: &mut Tx, actor: Actor) -> AppResult<Vec<Grant>> {
        Ok(match actor.user_id() {
            Some(user) => tx.grants_of(user).await?,
            None => Vec::new(),
        })
    }

    /// The path of a level, for access decisions.
    pub(crate) async fn level_path(&self, tx: &mut Tx, level: LevelId) -> AppResult<String> {
        Ok(tx.level(level).await?.ok_or(AppError::NotFound)?.path)
    }

    /// Refuses (403) unless the domain allows the action.
    pub(crate) fn authorize(
        &self,
        actor: Actor,
        grants: &[Grant],
        action: Action<'_>,
    ) -> AppResult<()> {
        if allowed(&Principal::new(actor, grants), action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the database answers: the readiness of this node.
    pub async fn ready(&self) -> AppResult<()> {
        self.inner.store.ping().await?;
        Ok(())
    }
}
