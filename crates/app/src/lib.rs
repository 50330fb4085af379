//! The app layer: every use case, and the only door to the store.
//!
//! A use case validates its input (domain rules), checks permission (domain), then changes
//! state, writes its audit event and any outbox message in one transaction. Web pages, the
//! JSON API and the command line all call these same functions.

mod app;
mod bootstrap;
mod code_step;
mod context;
mod demo;
mod error;
mod housekeeping;
mod operators;
mod outbox;
mod password_change;
mod password_reset;
mod ports;
mod recipient;
mod setup;
mod signin;

pub mod audit;

pub use app::{App, AppConfig, SUPPORTED_LANGUAGES};
pub use bootstrap::BootReport;
pub use code_step::ChallengeView;
pub use context::Ctx;
pub use demo::{DEMO_PASSWORD, DemoAccount, DemoReport};
pub use error::{AppError, AppResult};
pub use operators::NewOperator;
pub use outbox::{DeliveryFailure, OutboxItem, OutboxView, Outgoing};
pub use ports::{Clock, Random, SystemClock, SystemRandom};
pub use setup::SetupLink;
pub use signin::{ClientInfo, CodeStep, CurrentSession, PasswordOutcome, SessionItem, SignedIn};

/// A new random key for sealing secrets at rest.
pub fn generate_secret_key() -> Result<[u8; 32], tessera_auth::SecretBoxError> {
    tessera_auth::SecretBox::generate_key()
}
