//! The data folder: one process at a time, and the secret key kept in it.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error(
        "another Tessera process{pid} is already using the data folder {path}; stop it first, or give this one another folder with --data-dir"
    )]
    InUse { path: PathBuf, pid: String },
    #[error("the data folder {path} cannot be used: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the secret key file {path} is not valid: it must hold 32 bytes in base64")]
    BadKey { path: PathBuf },
}

/// Holds the data folder's lock for as long as it lives: a second process on the same
/// folder is refused instead of corrupting the database. The operating system releases
/// the lock if the process dies.
pub struct DataDir {
    _lock: File,
}

impl DataDir {
    pub fn open(path: &Path) -> Result<Self, DataDirError> {
        let io = |source| DataDirError::Io {
            path: path.to_path_buf(),
            source,
        };
        // Private to the account Tessera runs as: it holds the database and the secret key.
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
            .map_err(io)?;
        let lock_path = path.join("tessera.lock");
        let mut lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&lock_path)
            .map_err(io)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = lock.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(DataDirError::InUse {
                    path: path.to_path_buf(),
                    pid: if holder.is_empty() {
                        String::new()
                    } else {
                        format!(" (pid {holder})")
                    },
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        lock.set_len(0).map_err(io)?;
        write!(lock, "{}", std::process::id()).map_err(io)?;
        Ok(Self { _lock: lock })
    }
}

/// Reads the secret key, creating it (mode 0600) on first start.
pub fn load_or_create_secret_key(path: &Path) -> Result<(Vec<u8>, bool), DataDirError> {
    let io = |source| DataDirError::Io {
        path: path.to_path_buf(),
        source,
    };
    match fs::read_to_string(path) {
        Ok(text) => {
            let mode = fs::metadata(path).map_err(io)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{:o}", mode & 0o777),
                    "the secret key file can be read by other users; make it 0600"
                );
            }
            let key = STANDARD
                .decode(text.trim())
                .ok()
                .filter(|k| k.len() == 32)
                .ok_or_else(|| DataDirError::BadKey {
                    path: path.to_path_buf(),
                })?;
            Ok((key, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(io)?;
            }
            let key =
                tessera_app::generate_secret_key().map_err(|e| io(std::io::Error::other(e)))?;
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(io)?;
            writeln!(file, "{}", STANDARD.encode(key)).map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok((key.to_vec(), true))
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDir::open(dir.path()).unwrap();
        let error = DataDir::open(dir.path()).err().unwrap().to_string();
        assert!(error.contains("already using the data folder"), "{error}");
        assert!(
            error.contains(&format!("pid {}", std::process::id())),
            "{error}"
        );
        drop(first);
        assert!(DataDir::open(dir.path()).is_ok());
    }

    #[test]
    fn the_secret_key_is_created_private_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/secret.key");
        let (key, created) = load_or_create_secret_key(&path).unwrap();
        assert!(created);
        assert_eq!(key.len(), 32);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (again, created) = load_or_create_secret_key(&path).unwrap();
        assert!(!created);
        assert_eq!(again, key);
        fs::write(&path, "c2hvcnQ=\n").unwrap();
        assert!(matches!(
            load_or_create_secret_key(&path),
            Err(DataDirError::BadKey { .. })
        ));
    }
}
