//! The domain layer: Tessera's rules as pure functions and values.
//!
//! Nothing here performs IO, reads a clock or draws random numbers: the time and any random
//! bytes a rule needs are parameters, so every rule is tested without sleeping or mocking.

pub mod access;
pub mod application;
pub mod audit;
pub mod captcha;
pub mod error;
pub mod factor;
pub mod ids;
pub mod key_rotation;
pub mod language;
pub mod level;
pub mod message;
pub mod otp;
pub mod password;
pub mod phone;
pub mod registration;
pub mod role;
pub mod session;
pub mod setup;
pub mod throttle;
pub mod user;

pub use error::{FieldError, ValidationErrors};
pub use ids::{LevelId, UserId};
