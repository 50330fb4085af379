//! The app layer: every use case, and the only door to the store.
//!
//! A use case validates its input (domain rules), checks permission (domain), then changes
//! state, writes its audit event and any outbox message in one transaction. Web pages, the
//! JSON API and the command line all call these same functions.

mod administrators;
mod app;
mod applications;
mod bootstrap;
mod bulk;
mod captcha;
mod cas;
mod cas_proxy;
mod client_assertion;
mod context;
mod demo;
mod demo_apps;
mod directory;
mod error;
mod external;
mod factors;
mod fresh;
mod housekeeping;
mod key_cache;
mod key_rotation;
mod levels;
mod memberships;
mod nominations;
mod oidc;
mod oidc_answers;
mod oidc_consent;
mod oidc_grants;
mod oidc_introspect;
mod oidc_logout;
mod oidc_rotation;
mod oidc_tokens;
mod operators;
mod outbox;
mod passkey_signin;
mod password_change;
mod password_reset;
mod ports;
mod recipient;
mod registration;
mod second_step;
mod setup;
mod signin;
mod single_logout;

pub mod audit;

pub use administrators::{AdministrationRights, AdministratorView, RoleInput};
pub use app::{App, AppConfig, SUPPORTED_LANGUAGES};
pub use applications::{ApplicationDetail, ApplicationInput, GroupDetail, TileInput};
pub use audit::{AuditPage, AuditQuery};
pub use bootstrap::BootReport;
pub use bulk::{CSV_COLUMNS, ImportReport, RowError};
pub use captcha::{
    CAPTCHA_FIELD, CaptchaAnswer, CaptchaChallenge, CaptchaConfig, CaptchaError, CaptchaPicture,
    RENDER_SEED_BYTES,
};
pub use cas::{
    CasLogin, CasLoginRequest, CasService, CasServiceInput, CasServiceUpdate, CasValidated,
    CasValidation, PendingPgt, TICKET_LIFETIME,
};
pub use context::Ctx;
pub use demo::{DEMO_PASSWORD, DemoAccount, DemoReport};
pub use directory::{
    DirectoryRights, INVITATION_LIFETIME, UserInput, UserPage, UserQuery, UserRecord,
};
pub use error::{AppError, AppResult};
pub use external::EXTERNAL_REFUSED;
pub use factors::{AppEnrolment, KeyRegistration, MyFactors, NamedFactor, PhoneItem};
pub use key_rotation::Rotation;
pub use levels::LevelChange;
pub use memberships::{Addition, AppTile, AssignableGroup, MembershipRights, MembershipsView};
pub use nominations::NominationView;
pub use oidc::{
    Authorization, CODE_LIFETIME, ClientAuthMethod, ClientInput, ClientUpdate, OidcClient,
    RegisteredClient,
};
pub use oidc_consent::{ConsentItem, ConsentPrompt};
pub use oidc_introspect::Introspection;
pub use oidc_logout::{EndSession, EndSessionRequest};
pub use oidc_tokens::{ClientCredentials, OAuthFailure, TokenRequest, TokenResponse, UserInfo};
pub use operators::NewOperator;
pub use outbox::{DeliveryFailure, OutboxItem, OutboxView, Outgoing};
pub use passkey_signin::{PasskeyChallenge, StepUp};
pub use ports::{Clock, Random, SystemClock, SystemRandom};
pub use registration::{Registered, RegistrationInput, RegistrationLink};
pub use second_step::{MethodChoice, SecondStepView};
pub use setup::SetupLink;
pub use signin::{ClientInfo, CodeStep, CurrentSession, PasswordOutcome, SessionItem, SignedIn};

/// A new random key for sealing secrets at rest.
pub fn generate_secret_key() -> Result<[u8; 32], tessera_auth::SecretBoxError> {
    tessera_auth::SecretBox::generate_key()
}
