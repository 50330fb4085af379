use thiserror::Error;

/// What can go wrong in the store, in terms the app layer can act on.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (two writers raced for the same e-mail, say).
    #[error("a record with the same unique value already exists")]
    Conflict,
    /// An update named a version that is no longer current.
    #[error("the record was changed by someone else in the meantime")]
    Stale,
    #[error("the stored data is not valid: {0}")]
    Corrupt(String),
    #[error("the database URL is not valid: {0}")]
    BadUrl(String),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error.as_database_error() {
            Some(db) if db.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Database(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
