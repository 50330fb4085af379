//! Test support, used only by tests: the real server started in-process on a fresh SQLite
//! file or PostgreSQL database, a typed client that drives it over HTTP, and headless
//! Chromium through WebDriver.

// This crate is test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod browser;

/// Accounts of the demonstration data set that tests sign in with.
pub mod demo {
    pub use tessera_app::DEMO_PASSWORD as PASSWORD;
    pub const OPERATOR: &str = "operator@tessera.example";
    pub const ERIKA: &str = "erika.mustermann@bank-e.example";
    /// At Bank E Payments, below Bank E.
    pub const PIERRE: &str = "pierre.dupont@bank-e.example";
    pub const FIONA: &str = "fiona.walsh@bank-f.example";
    /// User administrator of Bank E.
    pub const ULLA: &str = "ulla.berger@bank-e.example";
    /// User administrator of Bank F.
    pub const FINN: &str = "finn.murphy@bank-f.example";
    /// Access administrator of Bank E.
    pub const ANTON: &str = "anton.weber@bank-e.example";
    /// At Bank F Reporting, with no application memberships.
    pub const ZOE: &str = "zoe.papadopoulou@bank-f.example";
}

pub mod client;
pub mod interop;
pub mod keys;
pub mod server;
pub mod smtp;

pub use browser::Browser;
pub use client::Client;
pub use server::TestServer;
pub use smtp::{SmtpMode, SmtpServer, TestCa};
pub use tessera_store::Backend;

/// The error type of test helpers.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Declares, for each named `async fn(Backend)`, one test on SQLite and one on PostgreSQL
/// (the PostgreSQL one skips with a message when none answers and none is required).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::Backend::Sqlite).await }
        )* }
        mod postgres { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::Backend::Postgres).await }
        )* }
    };
}
