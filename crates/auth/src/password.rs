//! Argon2id password hashing at the OWASP parameters (19 MiB, t=2, p=1).
//!
//! Each hash costs tens of milliseconds of one core and 19 MiB of memory, so hashing runs on
//! blocking threads behind a semaphore: at most `parallel` hashes at once, at most `queue`
//! waiting, and anything beyond that is refused at once with [`HashError::Busy`] (the web
//! layer answers 503 with Retry-After) instead of exhausting memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Too many hashes are running or waiting; try again shortly.
    #[error("too many password checks are in progress")]
    Busy,
    #[error("the stored password hash cannot be read: {0}")]
    BadHash(String),
    #[error("password hashing failed: {0}")]
    Internal(String),
}

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    pub matches: bool,
    /// The stored hash used other parameters than today's: store a new one.
    pub needs_rehash: bool,
}

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// Hashes running or waiting now.
    inside: Arc<AtomicUsize>,
    /// How many may be running or waiting at once: parallel + queue.
    capacity: usize,
}

impl PasswordHasher {
    /// A hasher at the OWASP parameters with `parallel` hashes at once and `queue` waiting.
    pub fn new(parallel: usize, queue: usize) -> Self {
        Self::with_params(Params::default(), parallel, queue)
    }

    pub fn with_params(params: Params, parallel: usize, queue: usize) -> Self {
        Self {
            params,
            permits: Arc::new(Semaphore::new(parallel.max(1))),
            inside: Arc::new(AtomicUsize::new(0)),
            capacity: parallel.max(1) + queue,
        }
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let params = self.params.clone();
        self.run(move || {
            Self::argon2(params)
                .hash_password(password.as_bytes())
                .map(|hash| hash.to_string())
                .map_err(|e| HashError::Internal(e.to_string()))
        })
        .await
    }

    /// Checks a password against a stored PHC string, in constant time for the comparison.
    pub async fn verify(&self, password: String, phc: String) -> Result<Verification, HashError> {
        let current = self.params.clone();
        self.run(move || {
            let parsed = PasswordHash::new(&phc).map_err(|e| HashError::BadHash(e.to_string()))?;
            let stored =
                Params::try_from(&parsed).map_err(|e| HashError::BadHash(e.to_string()))?;
            let matches = Self::argon2(stored.clone())
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            let same_params = parsed.algorithm.as_str() == "argon2id"
                && stored.m_cost() == current.m_cost()
                && stored.t_cost() == current.t_cost()
                && stored.p_cost() == current.p_cost();
            Ok(Verification {
                matches,
                needs_rehash: matches && !same_params,
            })
        })
        .await
    }

    /// Spends the same work as a real check, for an account that does not exist, so that
    /// timing does not tell which e-mail addresses have accounts.
    pub async fn waste(&self, password: String) -> Result<(), HashError> {
        self.hash(password).await.map(|_| ())
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let ahead = self.inside.fetch_add(1, Ordering::SeqCst);
        let _leave = Leave(&self.inside);
        if ahead >= self.capacity {
            return Err(HashError::Busy);
        }
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| HashError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|e| HashError::Internal(e.to_string()))?
    }
}

/// Counts a caller out of the waiting line when it leaves, however it leaves.
struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Params {
        Params::new(1024, 1, 1, None).unwrap()
    }

    #[tokio::test]
    async fn hashes_verify_and_differ_by_salt() {
        let hasher = PasswordHasher::with_params(cheap(), 2, 8);
        let a = hasher.hash("Correct horse 7".into()).await.unwrap();
        let b = hasher.hash("Correct horse 7".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert_ne!(a, b);
        let ok = hasher
            .verify("Correct horse 7".into(), a.clone())
            .await
            .unwrap();
        assert_eq!(
            ok,
            Verification {
                matches: true,
                needs_rehash: false
            }
        );
        let bad = hasher.verify("Correct horse 8".into(), a).await.unwrap();
        assert!(!bad.matches);
        assert!(matches!(
            hasher.verify("x".into(), "not a hash".into()).await,
            Err(HashError::BadHash(_))
        ));
    }

    #[tokio::test]
    async fn default_parameters_are_owasp_and_old_hashes_ask_for_rehash() {
        let old = PasswordHasher::with_params(cheap(), 1, 1);
        let phc = old.hash("Correct horse 7".into()).await.unwrap();
        let current = PasswordHasher::new(1, 1);
        let verdict = current.verify("Correct horse 7".into(), phc).await.unwrap();
        assert_eq!(
            verdict,
            Verification {
                matches: true,
                needs_rehash: true
            }
        );
        let fresh = current.hash("Correct horse 7".into()).await.unwrap();
        assert!(
            fresh.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{fresh}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_beyond_the_queue_is_refused_not_queued() {
        let hasher = PasswordHasher::new(1, 2);
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash("Correct horse 7".into()).await })
            })
            .collect();
        let mut busy = 0;
        let mut done = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => done += 1,
                Err(HashError::Busy) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(busy > 0, "nothing was refused");
        assert!((1..=3).contains(&done), "{done} hashes ran");
        // The line empties again: a later hash goes through.
        assert!(hasher.hash("Correct horse 7".into()).await.is_ok());
    }
}
