//! Applications, their environments and groups, and memberships (DESIGN.md §3).
//!
//! An application (CASPER) has a code, a production and a pre-production environment, each
//! with its own tile and its own groups. A group's technical name is derived, never typed:
//! `CASPER_WEB_DATA_SUBMITTER` in production, `A-CASPER_WEB_DATA_SUBMITTER` in
//! pre-production; its display name is the role part (`WEB_DATA_SUBMITTER`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;
use url::Url;
use uuid::Uuid;

use crate::error::FieldError;
use crate::session::Assurance;

/// The prefix that marks a pre-production group.
pub const PRE_PRODUCTION_PREFIX: &str = "A-";

/// Where an application runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Production,
    PreProduction,
}

impl Environment {
    pub const ALL: [Environment; 2] = [Environment::Production, Environment::PreProduction];

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::PreProduction => "pre_production",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The words shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Environment::Production => "Production",
            Environment::PreProduction => "Pre-Production",
        }
    }
}

/// An application as registered by operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: Uuid,
    /// Upper-case code that prefixes its groups' technical names (`CASPER`).
    pub code: String,
    pub name: String,
    pub description: String,
    /// The least assurance a session needs to enter it.
    pub min_assurance: Assurance,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// The tile of one environment of an application, as My Apps shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    pub application_id: Uuid,
    pub environment: Environment,
    pub label: String,
    /// An image address (https, or a path on this server); empty for the label's initial.
    pub icon: String,
    pub launch_url: String,
}

/// A group of an application in one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: Uuid,
    pub application_id: Uuid,
    pub environment: Environment,
    /// The role part (`WEB_DATA_SUBMITTER`), also the display name.
    pub role: String,
    /// Derived by [`technical_name`].
    pub technical_name: String,
    pub description: String,
    pub version: i64,
}

impl Group {
    pub fn display_name(&self) -> &str {
        &self.role
    }
}

/// A person's membership of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub user_id: Uuid,
    pub group_id: Uuid,
    pub granted_by: Option<Uuid>,
    pub granted_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
}

impl Membership {
    /// An expired membership stops counting at once, before any sweep removes it.
    pub fn counts_at(&self, now: OffsetDateTime) -> bool {
        membership_counts(self.expires_at, now)
    }
}

/// Whether a membership with this expiry counts at `now`.
pub fn membership_counts(expires_at: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    expires_at.is_none_or(|at| at > now)
}

/// The technical name of a group: `{CODE}_{ROLE}`, with the `A-` prefix in pre-production.
pub fn technical_name(code: &str, role: &str, environment: Environment) -> String {
    match environment {
        Environment::Production => format!("{code}_{role}"),
        Environment::PreProduction => format!("{PRE_PRODUCTION_PREFIX}{code}_{role}"),
    }
}

/// Checks a technical name someone typed (an import, an API call) against the derived one.
pub fn check_technical_name(
    typed: &str,
    code: &str,
    role: &str,
    environment: Environment,
) -> Result<(), FieldError> {
    let expected = technical_name(code, role, environment);
    if typed.trim() == expected {
        Ok(())
    } else {
        Err(FieldError {
            field: "technical_name",
            code: "mismatch",
            message: format!(
                "The technical name of this group is {expected}: the application's code, the role and, in pre-production, the prefix {PRE_PRODUCTION_PREFIX}."
            ),
        })
    }
}

/// Upper-case letters, digits and underscores, starting with a letter: the shape of codes and
/// roles, so technical names stay unambiguous for applications that parse them.
fn identifier(
    field: &'static str,
    raw: &str,
    what: &str,
    example: &str,
) -> Result<String, FieldError> {
    let value = raw.trim().to_uppercase();
    let err = |code: &'static str, message: String| FieldError {
        field,
        code,
        message,
    };
    if value.is_empty() {
        return Err(err("required", format!("Enter the {what}.")));
    }
    if value.len() > 40 {
        return Err(err(
            "too_long",
            format!("Use at most 40 characters for the {what}."),
        ));
    }
    let mut chars = value.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    if !starts_with_letter
        || !value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(err(
            "invalid",
            format!(
                "Use letters A to Z, digits and underscores for the {what}, starting with a letter (like {example})."
            ),
        ));
    }
    Ok(value)
}

/// An application's code (`CASPER`).
pub fn application_code(raw: &str) -> Result<String, FieldError> {
    identifier("code", raw, "application code", "CASPER")
}

/// A group's role part (`WEB_DATA_SUBMITTER`); a typed `A-` or code prefix is refused with a
/// message saying that Tessera adds them.
pub fn group_role(raw: &str, code: &str) -> Result<String, FieldError> {
    let trimmed = raw.trim();
    if trimmed.to_uppercase().starts_with(PRE_PRODUCTION_PREFIX) {
        return Err(FieldError {
            field: "role",
            code: "prefixed",
            message: format!(
                "Leave out the {PRE_PRODUCTION_PREFIX} prefix: choose the pre-production environment and Tessera adds it."
            ),
        });
    }
    let role = identifier("role", trimmed, "role", "WEB_DATA_SUBMITTER")?;
    if role.starts_with(&format!("{code}_")) {
        return Err(FieldError {
            field: "role",
            code: "prefixed",
            message: format!(
                "Leave out the application's code: the technical name becomes {code}_ followed by the role."
            ),
        });
    }
    Ok(role)
}

/// A short text shown to people (names, labels, descriptions): trimmed, NFC, bounded.
pub fn display_text(
    field: &'static str,
    raw: &str,
    max: usize,
    required: bool,
) -> Result<String, FieldError> {
    let value: String = raw.trim().nfc().collect();
    if required && value.is_empty() {
        return Err(FieldError {
            field,
            code: "required",
            message: "Enter a value.".into(),
        });
    }
    if value.chars().count() > max {
        return Err(FieldError {
            field,
            code: "too_long",
            message: format!("Use at most {max} characters."),
        });
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError {
            field,
            code: "invalid",
            message: "Remove the line breaks and control characters.".into(),
        });
    }
    Ok(value)
}

/// A launch address: absolute http or https, without credentials.
pub fn launch_url(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let err = |message: &str| FieldError {
        field,
        code: "invalid",
        message: message.into(),
    };
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError {
            field,
            code: "required",
            message: "Enter the address the tile opens (https://…).".into(),
        });
    }
    let url = Url::parse(value)
        .map_err(|_| err("Enter a full address starting with https:// (or http://)."))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(err(
            "Enter a full address starting with https:// (or http://).",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(err("Leave user names and passwords out of the address."));
    }
    Ok(url.to_string())
}

/// An icon: empty, a path on this server (`/static/...`), or an https image address.
pub fn icon(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    if value.starts_with('/')
        && !value.starts_with("//")
        && !value.contains(['"', '\'', '<', '>', ' '])
    {
        return Ok(value.to_owned());
    }
    match Url::parse(value) {
        Ok(url) if url.scheme() == "https" && url.host_str().is_some() => Ok(url.to_string()),
        _ => Err(FieldError {
            field,
            code: "invalid",
            message: "Enter an https:// image address or a path on this server, or leave it empty."
                .into(),
        }),
    }
}

/// An expiry chosen for a membership: in the future.
pub fn membership_expiry(
    expires_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, FieldError> {
    match expires_at {
        Some(at) if at <= now => Err(FieldError {
            field: "expires_at",
            code: "past",
            message: "Choose an expiry date in the future, or none.".into(),
        }),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn technical_names_are_derived_with_the_pre_production_prefix() {
        assert_eq!(
            technical_name("CASPER", "WEB_DATA_SUBMITTER", Environment::Production),
            "CASPER_WEB_DATA_SUBMITTER"
        );
        assert_eq!(
            technical_name("CASPER", "WEB_DATA_SUBMITTER", Environment::PreProduction),
            "A-CASPER_WEB_DATA_SUBMITTER"
        );
        assert!(
            check_technical_name(
                "A-CASPER_WEB_USER_ADMIN",
                "CASPER",
                "WEB_USER_ADMIN",
                Environment::PreProduction
            )
            .is_ok()
        );
        // Free text that does not match the environment is refused.
        let wrong = check_technical_name(
            "CASPER_WEB_USER_ADMIN",
            "CASPER",
            "WEB_USER_ADMIN",
            Environment::PreProduction,
        );
        assert_eq!(wrong.map_err(|e| e.code), Err("mismatch"));
    }

    #[test]
    fn roles_and_codes_are_identifiers_without_prefixes() {
        assert_eq!(application_code(" casper ").as_deref(), Ok("CASPER"));
        assert_eq!(
            application_code("9LIVES").map_err(|e| e.code),
            Err("invalid")
        );
        assert_eq!(application_code("").map_err(|e| e.code), Err("required"));
        assert_eq!(
            group_role("web_user_admin", "CASPER").as_deref(),
            Ok("WEB_USER_ADMIN")
        );
        assert_eq!(
            group_role("A-WEB_USER_ADMIN", "CASPER").map_err(|e| e.code),
            Err("prefixed")
        );
        assert_eq!(
            group_role("CASPER_WEB_USER_ADMIN", "CASPER").map_err(|e| e.code),
            Err("prefixed")
        );
        assert_eq!(
            group_role("WEB USER", "CASPER").map_err(|e| e.code),
            Err("invalid")
        );
    }

    #[test]
    fn launch_addresses_and_icons_are_checked() {
        assert_eq!(
            launch_url("launch_url", "https://casper.example/start").as_deref(),
            Ok("https://casper.example/start")
        );
        for bad in [
            "casper.example",
            "javascript:alert(1)",
            "ftp://x.example/",
            "https://u:p@x.example/",
        ] {
            assert!(launch_url("launch_url", bad).is_err(), "{bad}");
        }
        assert_eq!(icon("icon", "").as_deref(), Ok(""));
        assert_eq!(
            icon("icon", "/static/casper.svg").as_deref(),
            Ok("/static/casper.svg")
        );
        assert!(icon("icon", "//evil.example/x.png").is_err());
        assert!(icon("icon", "http://plain.example/x.png").is_err());
        assert!(icon("icon", "https://cdn.example/x.png").is_ok());
    }

    #[test]
    fn expired_memberships_stop_counting_at_once() {
        let now = datetime!(2026-11-21 12:00 UTC);
        assert!(membership_counts(None, now));
        assert!(membership_counts(
            Some(datetime!(2026-11-21 12:01 UTC)),
            now
        ));
        assert!(!membership_counts(Some(now), now));
        assert!(membership_expiry(Some(datetime!(2026-11-20 0:00 UTC)), now).is_err());
        assert!(membership_expiry(None, now).is_ok());
    }

    #[test]
    fn display_texts_are_trimmed_normalised_and_bounded() {
        assert_eq!(
            display_text("name", "  Cafe\u{301} ", 10, true).as_deref(),
            Ok("Café")
        );
        assert!(display_text("name", "   ", 10, true).is_err());
        assert!(display_text("name", "a\nb", 10, false).is_err());
        assert!(display_text("name", "abcdefghijk", 10, false).is_err());
    }
}
