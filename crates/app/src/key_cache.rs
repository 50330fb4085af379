//! The signing keys as this node last read them. Every token, userinfo and introspection
//! request signs or checks a token, and every relying party fetches the JWKS: reading the
//! keys from the database and opening the sealed private key on each of those requests was
//! most of what they cost.
//!
//! The set is read again once it is [`REREAD_AFTER`] old, and at once after this node
//! creates or retires a key, so a key another node adds is seen within seconds (it only
//! signs an hour after it is published: `domain::key_rotation`). Which keys are live and which
//! one signs is still decided against the app's clock on every use, so keys leave the set
//! exactly when they retire. Opened private keys are kept by key id: the id is the key's
//! thumbprint, and the sealed key only opens under its own id, so an id never names other
//! material and those never go stale.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use tessera_domain::key_rotation::RotationPolicy;
use tessera_protocols::jwk::PublicJwk;
use tessera_protocols::tokens::Signer;
use tessera_store::{SigningKeys, Tx};
use time::OffsetDateTime;

use crate::app::App;
use crate::bootstrap::seal_context;
use crate::error::{AppError, AppResult};

/// How long a key set read from the database is used before it is read again.
pub(crate) const REREAD_AFTER: Duration = Duration::from_secs(5);

/// The cache, one per app.
#[derive(Default)]
pub(crate) struct KeyCache {
    set: RwLock<Option<Arc<KeySet>>>,
    /// Held by the one request that reads the set again; the others wait for its result.
    rereading: tokio::sync::Mutex<()>,
    signers: Mutex<HashMap<String, Arc<Signer>>>,
}

impl KeyCache {
    fn current(&self) -> Option<Arc<KeySet>> {
        self.set
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|set| set.read_at.elapsed() < REREAD_AFTER)
            .cloned()
    }

    fn replace(&self, set: Option<Arc<KeySet>>) {
        *self.set.write().unwrap_or_else(PoisonError::into_inner) = set;
    }
}

/// One signing key, public half parsed.
pub(crate) struct CachedKey {
    pub kid: String,
    /// `ES256`, `RS256` or `EdDSA`: each algorithm has its own signing key.
    pub algorithm: String,
    pub jwk: PublicJwk,
    created_at: OffsetDateTime,
    retires_at: Option<OffsetDateTime>,
    private_sealed: Vec<u8>,
}

impl CachedKey {
    fn live(&self, now: OffsetDateTime) -> bool {
        self.retires_at.is_none_or(|at| at > now)
    }
}

/// The keys not yet retired when they were read, newest first.
pub(crate) struct KeySet {
    read_at: Instant,
    keys: Vec<CachedKey>,
    /// The JWKS document of every key in the set: what is served while none has retired
    /// since the set was read (nearly always).
    jwks_of_all: Arc<str>,
}

impl KeySet {
    /// The keys live at `now`, newest first.
    pub(crate) fn live(&self, now: OffsetDateTime) -> impl Iterator<Item = &CachedKey> {
        self.keys.iter().filter(move |k| k.live(now))
    }

    /// The live key of this id.
    pub(crate) fn find(&self, kid: &str, now: OffsetDateTime) -> Option<&CachedKey> {
        self.live(now).find(|k| k.kid == kid)
    }

    /// The key of `algorithm` that signs at `now` (`domain::key_rotation`, among that
    /// algorithm's keys).
    fn signing(&self, now: OffsetDateTime, algorithm: &str) -> Option<&CachedKey> {
        let live: Vec<&CachedKey> = self
            .live(now)
            .filter(|k| k.algorithm == algorithm)
            .collect();
        let created: Vec<OffsetDateTime> = live.iter().map(|k| k.created_at).collect();
        RotationPolicy::default()
            .signing_index(&created, now)
            .and_then(|i| live.get(i).copied())
    }

    /// The JWKS document (`{"keys": [...]}`) of the keys live at `now`.
    fn jwks(&self, now: OffsetDateTime) -> AppResult<Arc<str>> {
        if self.keys.iter().all(|k| k.live(now)) {
            return Ok(Arc::clone(&self.jwks_of_all));
        }
        jwks_document(self.live(now))
    }
}

fn jwks_document<'a>(keys: impl Iterator<Item = &'a CachedKey>) -> AppResult<Arc<str>> {
    let keys: Vec<&PublicJwk> = keys.map(|k| &k.jwk).collect();
    serde_json::to_string(&serde_json::json!({ "keys": keys }))
        .map(Arc::from)
        .map_err(|e| AppError::Internal(format!("the key set: {e}")))
}

impl App {
    /// The signing keys, from the cache while it is fresh. Callers that hold a connection
    /// use [`App::key_set_on`] instead: waiting for another from the pool while holding one
    /// can wait forever once every connection is held that way.
    pub(crate) async fn key_set(&self) -> AppResult<Arc<KeySet>> {
        if let Some(set) = self.key_cache().current() {
            return Ok(set);
        }
        let mut tx = self.store().reads().await?;
        self.key_set_on(&mut tx).await
    }

    /// The signing keys, read again on `tx` when the cache is stale. Only a request that
    /// holds a connection takes the turn to read, so the turn never waits for the pool.
    pub(crate) async fn key_set_on(&self, tx: &mut Tx) -> AppResult<Arc<KeySet>> {
        let cache = self.key_cache();
        if let Some(set) = cache.current() {
            return Ok(set);
        }
        let _turn = cache.rereading.lock().await;
        // Another request may have read it while this one waited.
        if let Some(set) = cache.current() {
            return Ok(set);
        }
        let read_at = Instant::now();
        let stored = tx.live_signing_keys(self.now()).await?;
        let keys = stored
            .into_iter()
            .map(|key| {
                let jwk = serde_json::from_str(&key.public_jwk)
                    .map_err(|e| AppError::Internal(format!("signing key {}: {e}", key.kid)))?;
                Ok(CachedKey {
                    jwk,
                    created_at: key.created_at.0,
                    retires_at: key.retires_at.map(|at| at.0),
                    private_sealed: key.private_sealed,
                    algorithm: key.algorithm,
                    kid: key.kid,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let set = Arc::new(KeySet {
            read_at,
            jwks_of_all: jwks_document(keys.iter())?,
            keys,
        });
        // Opened keys that left the set are let go.
        cache
            .signers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|kid, _| set.keys.iter().any(|k| &k.kid == kid));
        cache.replace(Some(Arc::clone(&set)));
        Ok(set)
    }

    /// Drops the cached key set, after this node changed the keys (and committed).
    pub(crate) fn forget_key_set(&self) {
        self.key_cache().replace(None);
    }

    /// The key that signs now, opened (once per key). Not to be called while holding a
    /// connection (see [`App::key_set`]).
    pub(crate) async fn signer(&self) -> AppResult<Arc<Signer>> {
        self.signer_for("ES256").await
    }

    /// The key of `algorithm` (`ES256`, `RS256`, `EdDSA`) that signs now, opened (once per
    /// key: a kid is a thumbprint, so it never names a key of another algorithm). The same
    /// proviso as [`App::signer`].
    pub(crate) async fn signer_for(&self, algorithm: &str) -> AppResult<Arc<Signer>> {
        let set = self.key_set().await?;
        let key = set
            .signing(self.now(), algorithm)
            .ok_or_else(|| AppError::Internal(format!("no live {algorithm} signing key")))?;
        let cache = self.key_cache();
        if let Some(signer) = cache
            .signers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key.kid)
        {
            return Ok(Arc::clone(signer));
        }
        let pkcs8 = self
            .secrets()
            .open(&seal_context(&key.kid), &key.private_sealed)?;
        let signer = Arc::new(
            Signer::for_algorithm(&key.algorithm, &key.kid, &pkcs8)
                .map_err(|e| AppError::Internal(format!("signing key {}: {e}", key.kid)))?,
        );
        cache
            .signers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.kid.clone(), Arc::clone(&signer));
        Ok(signer)
    }

    /// The JWKS document of the keys that verify Tessera's signatures now, as JSON text.
    pub async fn jwks_json(&self) -> AppResult<Arc<str>> {
        self.key_set().await?.jwks(self.now())
    }
}
