//! User accounts and the validation of their fields.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use crate::error::{FieldError, ValidationErrors};
use crate::ids::{LevelId, UserId};

/// The longest first or last name, in characters.
pub const NAME_MAX: usize = 100;
/// The longest e-mail address (RFC 5321 path limit less the brackets).
pub const EMAIL_MAX: usize = 254;

/// The stored state of an account. "Expired" is not stored: it follows from the
/// account expiration date and the time of the question (see [`User::effective_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Invited,
    Active,
    Disabled,
    Locked,
    Expired,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Invited => "invited",
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
            UserStatus::Locked => "locked",
            UserStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            UserStatus::Invited,
            UserStatus::Active,
            UserStatus::Disabled,
            UserStatus::Locked,
            UserStatus::Expired,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub level_id: LevelId,
    pub first_name: String,
    pub last_name: String,
    /// The address as the person wrote it (trimmed).
    pub email: String,
    /// The key that makes addresses unique regardless of case.
    pub email_key: String,
    pub company_id: Option<String>,
    pub expires_at: Option<OffsetDateTime>,
    pub language: String,
    pub status: UserStatus,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl User {
    /// The status a person sees at `now`: an account past its expiration date is expired
    /// whatever its stored status.
    pub fn effective_status(&self, now: OffsetDateTime) -> UserStatus {
        match self.expires_at {
            Some(at) if at <= now => UserStatus::Expired,
            _ => self.status,
        }
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The validated fields of a new user, as every door hands them to the app layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub email_key: String,
    pub language: String,
}

impl NewUser {
    /// Validates raw input, collecting a message for every field at fault.
    pub fn parse(
        first_name: &str,
        last_name: &str,
        email: &str,
        language: &str,
        supported_languages: &[&str],
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let first = errors.check(person_name("first_name", first_name));
        let last = errors.check(person_name("last_name", last_name));
        let email = errors.check(email_address(email));
        let language = errors.check(email_language(language, supported_languages));
        match (first, last, email, language) {
            (Some(first_name), Some(last_name), Some((email, email_key)), Some(language)) => {
                Ok(Self {
                    first_name,
                    last_name,
                    email,
                    email_key,
                    language,
                })
            }
            _ => Err(errors),
        }
    }

    /// The account these fields describe, created at `now` in `level_id`.
    pub fn into_user(
        self,
        id: UserId,
        level_id: LevelId,
        status: UserStatus,
        created_by: Option<UserId>,
        now: OffsetDateTime,
    ) -> User {
        User {
            id,
            level_id,
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            email_key: self.email_key,
            company_id: None,
            expires_at: None,
            language: self.language,
            status,
            created_by,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }
}

/// The form of a name (or a typed prefix of one) that searches compare: NFC, lower case, so
/// "müller", "MÜLLER" and "Mu\u{308}ller" find the same people.
pub fn search_key(text: &str) -> String {
    text.trim().nfc().collect::<String>().to_lowercase()
}

/// A first or last name: any script, trimmed, Unicode NFC, not empty.
pub fn person_name(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let label = if field == "first_name" {
        "first name"
    } else {
        "last name"
    };
    let name: String = raw.trim().nfc().collect();
    if name.is_empty() {
        return Err(FieldError {
            field,
            code: "required",
            message: format!("Enter a {label}."),
        });
    }
    if name.chars().count() > NAME_MAX {
        return Err(FieldError {
            field,
            code: "too_long",
            message: format!("A {label} has at most {NAME_MAX} characters."),
        });
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError {
            field,
            code: "invalid",
            message: format!("A {label} cannot contain control characters."),
        });
    }
    Ok(name)
}

/// An e-mail address: returns it trimmed, with its case-insensitive uniqueness key.
pub fn email_address(raw: &str) -> Result<(String, String), FieldError> {
    let email = raw.trim();
    let invalid = |code: &'static str, message: &str| FieldError {
        field: "email",
        code,
        message: message.into(),
    };
    if email.is_empty() {
        return Err(invalid("required", "Enter an e-mail address."));
    }
    if email.len() > EMAIL_MAX {
        return Err(invalid(
            "too_long",
            "An e-mail address has at most 254 characters.",
        ));
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err(invalid(
            "invalid",
            "Enter an e-mail address in the form name@example.org.",
        ));
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !local_ok || !domain_ok {
        return Err(invalid(
            "invalid",
            "Enter an e-mail address in the form name@example.org.",
        ));
    }
    let email: String = email.nfc().collect();
    let key = email.to_lowercase();
    Ok((email, key))
}

/// An e-mail language: one of the languages Tessera has texts for.
pub fn email_language(raw: &str, supported: &[&str]) -> Result<String, FieldError> {
    let tag = raw.trim().to_ascii_lowercase();
    if supported.iter().any(|s| *s == tag) {
        Ok(tag)
    } else {
        Err(FieldError {
            field: "language",
            code: "unsupported",
            message: format!("Choose one of these languages: {}.", supported.join(", ")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const LANGS: &[&str] = &["en", "fr", "de"];

    #[test]
    fn names_accept_any_script_and_are_normalised() {
        assert_eq!(person_name("first_name", " Ζωή ").unwrap(), "Ζωή");
        assert_eq!(person_name("last_name", "Müller").unwrap(), "Müller");
        assert_eq!(person_name("last_name", "Mu\u{308}ller").unwrap(), "Müller");
        assert_eq!(person_name("first_name", "王").unwrap(), "王");
        let err = person_name("first_name", " \t ").unwrap_err();
        assert_eq!((err.field, err.code), ("first_name", "required"));
        assert_eq!(
            person_name("last_name", &"a".repeat(101)).unwrap_err().code,
            "too_long"
        );
    }

    #[test]
    fn emails_are_validated_and_keyed_without_case() {
        let (email, key) = email_address("  Anna.Schmidt@Bank-E.example ").unwrap();
        assert_eq!(email, "Anna.Schmidt@Bank-E.example");
        assert_eq!(key, "anna.schmidt@bank-e.example");
        for bad in [
            "",
            "anna",
            "anna@",
            "@bank.example",
            "anna@bank",
            "an na@bank.example",
            "anna@bank..example",
            ".anna@bank.example",
            "anna@-bank.example",
        ] {
            assert!(email_address(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn new_user_reports_every_bad_field_at_once() {
        let errors = NewUser::parse("", "Doe", "not-an-email", "xx", LANGS).unwrap_err();
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["first_name", "email", "language"]);
        assert!(errors.for_field("email").is_some());
        let ok = NewUser::parse("Jane", "Doe", "jane@bank-f.example", "FR", LANGS).unwrap();
        assert_eq!(ok.language, "fr");
    }

    #[test]
    fn an_account_past_its_expiry_is_expired() {
        let now = datetime!(2026-06-01 00:00 UTC);
        let user = NewUser::parse("Jane", "Doe", "jane@bank-f.example", "en", LANGS)
            .unwrap()
            .into_user(
                UserId::new(now, [1; 10]),
                LevelId::new(now, [2; 10]),
                UserStatus::Active,
                None,
                now,
            );
        assert_eq!(user.effective_status(now), UserStatus::Active);
        let expiring = User {
            expires_at: Some(now),
            ..user
        };
        assert_eq!(expiring.effective_status(now), UserStatus::Expired);
        assert_eq!(
            expiring.effective_status(now - time::Duration::seconds(1)),
            UserStatus::Active
        );
    }
}
