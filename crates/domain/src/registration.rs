//! Self-registration ("Create an account", as in EU Login): the fields of the form, the
//! lifetime of the verification link, the limit of e-mails per address, and who external
//! accounts may reach.
//!
//! Self-registered accounts belong to no organisation: they sit in the one level flagged
//! `external`, and an application environment admits them only when it says so.

use time::{Duration, OffsetDateTime};

use crate::error::{FieldError, ValidationErrors};
use crate::ids::LevelId;
use crate::level::Level;
use crate::user::{NewUser, email_address};

/// How long a verification link works.
pub const REGISTRATION_LIFETIME: Duration = Duration::hours(24);
/// The name of the level of self-registered accounts.
pub const EXTERNAL_LEVEL_NAME: &str = "External";
/// Registration and notice e-mails per address and day, unless configured otherwise.
pub const DEFAULT_PER_EMAIL_PER_DAY: u32 = 5;
/// The window the per-address count runs over.
pub const SEND_WINDOW: Duration = Duration::days(1);

/// The registration form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegistrationForm<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub confirm_email: &'a str,
    pub language: &'a str,
    /// The privacy statement box was ticked.
    pub privacy_accepted: bool,
}

/// Validates the form: the person's fields with the same rules as everywhere
/// ([`NewUser::parse`]), the address typed twice alike, the privacy statement acknowledged.
/// Every field at fault is named.
pub fn parse_registration(
    form: RegistrationForm<'_>,
    languages: &[&str],
) -> Result<NewUser, ValidationErrors> {
    let parsed = NewUser::parse(
        form.first_name,
        form.last_name,
        form.email,
        form.language,
        languages,
    );
    let mut errors = match &parsed {
        Ok(_) => ValidationErrors::new(),
        Err(errors) => errors.clone(),
    };
    errors.check(confirmation(form.email, form.confirm_email));
    if !form.privacy_accepted {
        errors.push(
            "privacy",
            "required",
            "Tick the box to acknowledge the privacy statement.",
        );
    }
    match parsed {
        Ok(user) if errors.is_empty() => Ok(user),
        _ => Err(errors),
    }
}

/// The second address must be the first one again (case aside, as addresses are unique).
fn confirmation(email: &str, confirm: &str) -> Result<(), FieldError> {
    let error = |code, message: &str| FieldError {
        field: "confirm_email",
        code,
        message: message.into(),
    };
    if confirm.trim().is_empty() {
        return Err(error("required", "Enter your e-mail address again."));
    }
    match (email_address(email), email_address(confirm)) {
        (Ok((_, first)), Ok((_, second))) if first == second => Ok(()),
        // The first address is wrong itself: its own message says so.
        (Err(_), _) => Ok(()),
        _ => Err(error(
            "mismatch",
            "The two e-mail addresses are not the same.",
        )),
    }
}

/// Whether another registration or notice e-mail may go to an address that has had `sent`
/// of them in the last [`SEND_WINDOW`]; a limit of 0 means no limit.
pub fn may_send(sent: i64, per_day: u32) -> bool {
    per_day == 0 || sent < i64::from(per_day)
}

/// Whether a person of `level` may use an application environment that does (or does not)
/// accept external accounts: everyone of an organisation may, an external person only where
/// accepted.
pub fn environment_admits(level: &Level, accepts_external: bool) -> bool {
    !level.external || accepts_external
}

/// The level of self-registered accounts, below the root.
pub fn external_level(id: LevelId, root: &Level, now: OffsetDateTime) -> Result<Level, FieldError> {
    Ok(Level {
        external: true,
        ..Level::new_child(id, root, EXTERNAL_LEVEL_NAME, now)?
    })
}

/// Whether a pending registration may be removed at `now`: its link has expired.
pub fn registration_lapsed(expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now >= expires_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const LANGUAGES: &[&str] = &["en", "fr", "de"];

    fn form() -> RegistrationForm<'static> {
        RegistrationForm {
            first_name: "Αλέξανδρος",
            last_name: "Παπαδόπουλος",
            email: "alex@example.org",
            confirm_email: "Alex@Example.org",
            language: "fr",
            privacy_accepted: true,
        }
    }

    fn fields(errors: &ValidationErrors) -> Vec<(&str, &str)> {
        errors.errors.iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn names_in_any_alphabet_and_the_address_twice() {
        let user = parse_registration(form(), LANGUAGES).unwrap();
        assert_eq!(user.first_name, "Αλέξανδρος");
        assert_eq!(user.email, "alex@example.org");
        assert_eq!(user.language, "fr");
    }

    #[test]
    fn every_field_at_fault_is_named() {
        let errors = parse_registration(RegistrationForm::default(), LANGUAGES).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                ("first_name", "required"),
                ("last_name", "required"),
                ("email", "required"),
                ("language", "unsupported"),
                ("confirm_email", "required"),
                ("privacy", "required"),
            ]
        );
        let errors = parse_registration(
            RegistrationForm {
                confirm_email: "alex@example.com",
                privacy_accepted: false,
                ..form()
            },
            LANGUAGES,
        )
        .unwrap_err();
        assert_eq!(
            fields(&errors),
            [("confirm_email", "mismatch"), ("privacy", "required")]
        );
    }

    #[test]
    fn a_wrong_first_address_is_not_also_a_mismatch() {
        let errors = parse_registration(
            RegistrationForm {
                email: "not an address",
                confirm_email: "alex@example.org",
                ..form()
            },
            LANGUAGES,
        )
        .unwrap_err();
        assert_eq!(fields(&errors), [("email", "invalid")]);
    }

    #[test]
    fn the_daily_limit_per_address() {
        assert!(may_send(0, 5));
        assert!(may_send(4, 5));
        assert!(!may_send(5, 5));
        assert!(may_send(1000, 0));
    }

    #[test]
    fn external_people_reach_only_environments_that_accept_them() {
        let now = datetime!(2026-03-01 12:00 UTC);
        let root = Level::new_root(LevelId(uuid::Uuid::nil()), "Root", now).unwrap();
        let bank = Level::new_child(LevelId(uuid::Uuid::max()), &root, "Bank", now).unwrap();
        let external = external_level(LevelId(uuid::Uuid::from_u128(7)), &root, now).unwrap();
        assert_eq!(external.name, EXTERNAL_LEVEL_NAME);
        assert!(external.external && !bank.external);
        assert!(environment_admits(&bank, false));
        assert!(environment_admits(&external, true));
        assert!(!environment_admits(&external, false));
    }

    #[test]
    fn a_registration_lapses_when_its_link_expires() {
        let made = datetime!(2026-03-01 12:00 UTC);
        let expires = made + REGISTRATION_LIFETIME;
        assert!(!registration_lapsed(expires, made + Duration::hours(23)));
        assert!(registration_lapsed(expires, made + Duration::hours(24)));
    }
}
