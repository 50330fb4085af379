use tessera_auth::{HashError, SecretBoxError};
use tessera_domain::ValidationErrors;
use tessera_store::StoreError;

/// What a use case can answer besides success; the web layer maps each to a status and page.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input broke a rule; every field at fault is named.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    #[error(
        "this setup link does not work: it was used already, replaced by a newer one, or has expired"
    )]
    SetupLinkInvalid,
    /// Unknown address or wrong password: deliberately the same answer.
    #[error("the e-mail address or password is not correct")]
    SignInFailed,
    /// The password was right, but the account may not sign in now.
    #[error("this account is {}", .0.as_str())]
    AccountUnavailable(tessera_domain::user::UserStatus),
    /// Too many failures for this address: wait, or (locked) until an administrator lifts it.
    #[error("too many failed attempts")]
    Throttled {
        until: time::OffsetDateTime,
        locked: bool,
    },
    /// The code was wrong; this many tries remain.
    #[error("the code is not correct")]
    WrongCode { left: i32 },
    #[error("the code has expired")]
    CodeExpired,
    #[error("too many wrong codes")]
    CodeExhausted,
    /// The code step is over (used, expired, restarted) or never began.
    #[error("this sign-in has ended")]
    ChallengeGone,
    /// The person has no second factor that reaches the assurance needed.
    #[error("no verification method of this account is strong enough")]
    NoStrongEnoughMethod,
    /// The last second factor stays while the person's applications need one.
    #[error("your applications need a second factor: add another one before removing this one")]
    LastFactor,
    /// Security keys cannot be used at this installation's address.
    #[error("security keys and passkeys cannot be used at this address")]
    PasskeysUnavailable,
    /// A security key's answer was refused.
    #[error("the security key was not accepted: {0}")]
    KeyRefused(String),
    /// The change cannot be made in the record's present state (the message says why).
    #[error("{0}")]
    Conflict(String),
    /// Signing in is needed first.
    #[error("sign in first")]
    NotSignedIn,
    /// The thing asked for does not exist (or is not the asker's to see).
    #[error("not found")]
    NotFound,
    /// The actor may not do this.
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error(
        "this password link does not work: it was used already, replaced by a newer one, or has expired"
    )]
    ResetLinkInvalid,
    #[error("Tessera already has an operator")]
    AlreadySetUp,
    #[error(
        "demonstration data is only loaded into an empty database; this one already has accounts"
    )]
    DemoRefused,
    /// Too much work is queued (password hashing); try again shortly.
    #[error("the server is busy; try again in a moment")]
    Busy,
    #[error("the record was changed by someone else; reload it and try again")]
    Stale,
    #[error("stored secrets cannot be opened: {0}")]
    Secrets(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Stale => AppError::Stale,
            other => AppError::Store(other),
        }
    }
}

impl From<HashError> for AppError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy => AppError::Busy,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<tessera_auth::passkeys::PasskeyError> for AppError {
    fn from(error: tessera_auth::passkeys::PasskeyError) -> Self {
        use tessera_auth::passkeys::PasskeyError;
        match error {
            PasskeyError::Refused(why) | PasskeyError::Malformed(why) => AppError::KeyRefused(why),
            PasskeyError::Setup(..) => AppError::PasskeysUnavailable,
            PasskeyError::Stored(why) => AppError::Internal(why),
        }
    }
}

impl From<tessera_auth::totp::TotpError> for AppError {
    fn from(error: tessera_auth::totp::TotpError) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl From<SecretBoxError> for AppError {
    fn from(error: SecretBoxError) -> Self {
        AppError::Secrets(error.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
