//! Argon2id password hashing at the OWASP parameters (19 MiB, t=2, p=1).
//!
//! Each hash costs tens of milliseconds of one core and 19 MiB of memory, so hashing runs on
//! blocking threads behind a semaphore: at most `parallel` hashes at once, at most `queue`
//! waiting, and anything beyond that is refused at once with [`HashError::Busy`] (the web
//! layer answers 503 with Retry-After) instead of exhausting memory.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

/// Salt and output lengths of new hashes (the PHC defaults).
const SALT_LEN: usize = 16;
const OUTPUT_LEN: usize = 32;

/// Argon2's working memory, kept between hashes: at most one buffer per hash running at
/// once. Allocating (and the kernel zeroing) 19 MiB for every sign-in cost more than a
/// tenth of the hash itself; Argon2 overwrites every block before reading it, so a reused
/// buffer needs no clearing.
#[derive(Clone, Default)]
struct Memory(Arc<Mutex<Vec<Vec<Block>>>>);

impl Memory {
    fn with<T>(&self, blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
        let spare = self.0.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut buffer = spare.unwrap_or_default();
        if buffer.len() < blocks {
            buffer.resize(blocks, Block::new());
        }
        let result = work(buffer.get_mut(..blocks).unwrap_or_default());
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(buffer);
        result
    }
}

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
    memory: Memory,
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
            memory: Memory::default(),
            permits: Arc::new(Semaphore::new(parallel.max(1))),
            inside: Arc::new(AtomicUsize::new(0)),
            capacity: parallel.max(1) + queue,
        }
    }

    /// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let hasher = self.clone();
        self.run(move || hasher.hash_now(&password)).await
    }

    /// Hashes on the calling thread, with the same reused memory (for the benchmark's
    /// Argon2-only bound, which must hash exactly as sign-in does).
    pub fn hash_now(&self, password: &str) -> Result<String, HashError> {
        let internal = |e: &dyn std::fmt::Display| HashError::Internal(e.to_string());
        let mut salt = [0u8; SALT_LEN];
        crate::fill_random(&mut salt).map_err(|e| internal(&e))?;
        let mut out = [0u8; OUTPUT_LEN];
        self.compute(
            Algorithm::Argon2id,
            Version::V0x13,
            &self.params,
            password.as_bytes(),
            &salt,
            &mut out,
        )?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(|e| internal(&e))?,
            salt: Some(Salt::new(&salt).map_err(|e| internal(&e))?),
            hash: Some(Output::new(&out).map_err(|e| internal(&e))?),
        };
        Ok(phc.to_string())
    }

    fn compute(
        &self,
        algorithm: Algorithm,
        version: Version,
        params: &Params,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> Result<(), HashError> {
        let argon = Argon2::new(algorithm, version, params.clone());
        self.memory
            .with(params.block_count(), |blocks| {
                argon.hash_password_into_with_memory(password, salt, out, blocks)
            })
            .map_err(|e| HashError::Internal(e.to_string()))
    }

    /// Checks a password against a stored PHC string, in constant time for the comparison.
    pub async fn verify(&self, password: String, phc: String) -> Result<Verification, HashError> {
        let hasher = self.clone();
        self.run(move || hasher.verify_now(&password, &phc)).await
    }

    fn verify_now(&self, password: &str, phc: &str) -> Result<Verification, HashError> {
        let bad = |e: &dyn std::fmt::Display| HashError::BadHash(e.to_string());
        let parsed = PasswordHash::new(phc).map_err(|e| bad(&e))?;
        let stored = Params::try_from(&parsed).map_err(|e| bad(&e))?;
        let algorithm = Algorithm::new(parsed.algorithm.as_str()).map_err(|e| bad(&e))?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).map_err(|e| bad(&e))?,
            None => Version::V0x10,
        };
        let salt = parsed.salt.ok_or_else(|| bad(&"no salt"))?;
        let expected = parsed.hash.ok_or_else(|| bad(&"no hash"))?;
        let mut out = vec![0u8; expected.len()];
        self.compute(
            algorithm,
            version,
            &stored,
            password.as_bytes(),
            salt.as_ref(),
            &mut out,
        )?;
        // Output compares in constant time.
        let matches = Output::new(&out).is_ok_and(|computed| computed == expected);
        let current = &self.params;
        let same_params = algorithm == Algorithm::Argon2id
            && version == Version::V0x13
            && stored.m_cost() == current.m_cost()
            && stored.t_cost() == current.t_cost()
            && stored.p_cost() == current.p_cost();
        Ok(Verification {
            matches,
            needs_rehash: matches && !same_params,
        })
    }

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
    async fn hashes_interoperate_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = PasswordHasher::with_params(cheap(), 1, 1);
        let ours = hasher.hash("Correct horse 7".into()).await.unwrap();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, cheap());
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon.verify_password(b"Correct horse 7", &parsed).is_ok());
        assert!(argon.verify_password(b"Correct horse 8", &parsed).is_err());
        let theirs = argon.hash_password(b"Correct horse 7").unwrap().to_string();
        let check = |password: &str| hasher.verify(password.into(), theirs.clone());
        assert!(check("Correct horse 7").await.unwrap().matches);
        assert!(!check("Correct horse 8").await.unwrap().matches);
        // An argon2i hash (another algorithm) verifies and asks to be upgraded.
        let old = Argon2::new(Algorithm::Argon2i, Version::V0x13, cheap())
            .hash_password(b"Correct horse 7")
            .unwrap()
            .to_string();
        let verdict = hasher.verify("Correct horse 7".into(), old).await.unwrap();
        assert!(verdict.matches && verdict.needs_rehash);
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
