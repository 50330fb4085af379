//! Message delivery. Use cases write messages to the outbox in their own transaction; the
//! [`DeliveryWorker`] here claims them, renders their texts in the recipient's language
//! ([`texts`]) and hands them to the adapter configured for their channel: the console
//! (development), SMTP, an HTTP gateway for SMS and voice, or a spool folder.
//!
//! Delivery is at least once: a worker that dies after its adapter delivered a message but
//! before it recorded the fact leaves the message to be claimed again when its lease runs
//! out, so that message arrives twice. Nothing is ever lost, and nothing is sent for a change
//! that did not commit.

mod config;
mod console;
mod gateway;
mod http_post;
mod smtp;
mod spool;
mod worker;

pub mod adapter;
pub mod texts;

pub use adapter::{Adapter, Adapters, DeliveryError};
pub use config::{DeliveryConfig, DeliveryConfigError, GatewayConfig, SmtpConfig, SpoolConfig};
pub use http_post::HttpPostAdapter;
pub use worker::{DeliveryWorker, WorkerConfig};
