//! Server-rendered pages. They work without JavaScript.

pub mod assets;
pub mod home;
pub mod setup;
