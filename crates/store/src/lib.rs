//! The store layer: ports (traits) for every kind of record, and their two adapters.
//!
//! Both adapters share one code path: every query is written once, with `$1`-style
//! placeholders that SQLite and PostgreSQL both understand, and [`with_conn!`] runs it on
//! whichever database the [`Tx`] holds. Only connection set-up, migrations and the column types
//! of the schema differ per database (see `migrations/sqlite` and `migrations/postgres`).

// The ports are used with the concrete `Tx`, whose futures are known to be `Send`.
#![allow(async_fn_in_trait)]

#[macro_use]
mod macros;
mod changes;
mod checkpoint;
mod connect;
mod error;
mod sql;
mod ts;
mod tx;
mod writer;

pub mod applications;
pub mod audit;
pub mod audit_search;
pub mod authenticators;
pub mod captcha;
pub mod cas;
pub mod client_assertions;
pub mod credentials;
pub mod housekeeping;
pub mod keys;
pub mod levels;
pub mod memberships;
pub mod nominations;
pub mod oidc;
pub mod oidc_refresh;
pub mod oidc_rotate;
pub mod outbox;
pub mod registrations;
pub mod resets;
pub mod roles;
pub mod second_factors;
pub mod session_applications;
pub mod sessions;
pub mod settings;
pub mod setup_tokens;
pub mod sso_logout;
pub mod throttle;
pub mod user_search;
pub mod users;

pub use connect::{Backend, Store, redact_url};
pub use error::{StoreError, StoreResult};
pub use ts::Ts;
pub use tx::{Changes, Conn, Tx};
pub use writer::Writer;

pub use applications::Applications;
pub use audit::AuditLog;
pub use audit_search::AuditSearches;
pub use authenticators::Authenticators;
pub use captcha::CaptchaStore;
pub use cas::CasStore;
pub use client_assertions::ClientAssertions;
pub use credentials::Credentials;
pub use housekeeping::Housekeeping;
pub use keys::SigningKeys;
pub use levels::Levels;
pub use memberships::Memberships;
pub use nominations::Nominations;
pub use oidc::OidcStore;
pub use oidc_refresh::OidcRefreshStore;
pub use outbox::Outbox;
pub use registrations::Registrations;
pub use resets::PasswordResets;
pub use roles::Roles;
pub use second_factors::SecondFactors;
pub use session_applications::SessionApplications;
pub use sessions::Sessions;
pub use settings::Settings;
pub use setup_tokens::SetupTokens;
pub use sso_logout::SsoParticipants;
pub use throttle::SignInFailures;
pub use user_search::UserSearches;
pub use users::Users;

#[cfg(feature = "testing")]
pub mod testing;
