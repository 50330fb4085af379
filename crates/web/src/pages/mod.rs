//! Server-rendered pages. They work without JavaScript.

pub mod account;
pub mod admin_applications;
pub mod admin_audit;
pub mod admin_cas_services;
pub mod admin_csv;
pub mod admin_external;
pub mod admin_levels;
pub mod admin_nominations;
pub mod admin_oidc_clients;
pub mod admin_sso;
pub mod admin_users;
pub mod assets;
pub mod consent;
pub mod home;
pub mod memberships;
pub mod my_apps;
pub mod outbox;
pub mod pairs;
pub mod password;
pub mod register;
pub mod reset;
pub mod security;
pub mod sessions;
pub mod setup;
pub mod signin;
pub mod signin_code;
