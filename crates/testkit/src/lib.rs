//! Test support, used only by tests: the real server started in-process on a fresh SQLite
//! file or PostgreSQL database, a typed client that drives it over HTTP, and headless
//! Chromium through WebDriver.

// This crate is test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod browser;
pub mod client;
pub mod server;
pub mod smtp;

pub use browser::Browser;
pub use client::Client;
pub use server::TestServer;
pub use smtp::{SmtpMode, SmtpServer, TestCa};
pub use tessera_store::Backend;

/// The error type of test helpers.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
