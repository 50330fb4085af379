//! The password rules of DESIGN.md §4, applied wherever a password is set.
//!
//! At least ten characters, from at least three of: upper case, lower case, digits, special
//! characters (space counts as special); not containing the person's name or the local part
//! of their e-mail address. The leaked-password list and strength feedback come with the
//! sign-in work (issue 4) and add further checks here.

use crate::error::{FieldError, ValidationErrors};

pub const PASSWORD_MIN: usize = 10;
/// An upper bound, so that hashing cost stays bounded whatever is posted.
pub const PASSWORD_MAX: usize = 256;

/// Who the password belongs to: the parts of their identity it must not contain.
#[derive(Debug, Clone, Copy)]
pub struct PasswordOwner<'a> {
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
}

/// Checks a new password against the rules, with one message per rule broken.
pub fn check_password(
    field: &'static str,
    password: &str,
    owner: PasswordOwner<'_>,
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        errors.push(
            field,
            "too_short",
            format!("Use at least {PASSWORD_MIN} characters (this one has {length})."),
        );
    }
    if length > PASSWORD_MAX {
        errors.push(
            field,
            "too_long",
            format!("Use at most {PASSWORD_MAX} characters."),
        );
    }
    let classes = [
        password.chars().any(char::is_uppercase),
        password.chars().any(char::is_lowercase),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|present| **present).count() < 3 {
        errors.push(
            field,
            "too_simple",
            "Use characters from at least three of these groups: upper case letters, lower case letters, digits, special characters (a space counts).",
        );
    }
    let lowered = password.to_lowercase();
    let local_part = owner.email.split('@').next().unwrap_or_default();
    let personal = [local_part, owner.first_name, owner.last_name]
        .into_iter()
        .map(str::to_lowercase)
        .filter(|part| part.chars().count() >= 3)
        .any(|part| lowered.contains(&part));
    if personal {
        errors.push(
            field,
            "contains_name",
            "Do not use your name or e-mail address in your password.",
        );
    }
    errors.into_result()
}

/// A message for the confirmation field when the two entries differ.
pub fn check_confirmation(
    field: &'static str,
    password: &str,
    confirmation: &str,
) -> Result<(), FieldError> {
    if password == confirmation {
        Ok(())
    } else {
        Err(FieldError {
            field,
            code: "mismatch",
            message: "The two passwords are not the same.".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: PasswordOwner<'static> = PasswordOwner {
        email: "anna.schmidt@bank-e.example",
        first_name: "Anna",
        last_name: "Schmidt",
    };

    fn codes(password: &str) -> Vec<&'static str> {
        match check_password("password", password, OWNER) {
            Ok(()) => vec![],
            Err(e) => e.errors.iter().map(|e| e.code).collect(),
        }
    }

    #[test]
    fn good_passwords_pass() {
        assert!(codes("Correct horse 7").is_empty());
        assert!(codes("tiger-LILY-2031").is_empty());
        // Three groups without digits: upper, lower and a space.
        assert!(codes("Blue Whale Song").is_empty());
    }

    #[test]
    fn each_rule_gives_its_own_message() {
        assert_eq!(codes("Ab1!"), ["too_short"]);
        assert_eq!(codes("alllowercaseletters"), ["too_simple"]);
        assert_eq!(codes("ANNA-rocks-2026"), ["contains_name"]);
        assert_eq!(codes("x-schmidt-X-1"), ["contains_name"]);
        assert_eq!(codes("anna.schmidt9X"), ["contains_name"]);
        assert_eq!(codes("short"), ["too_short", "too_simple"]);
        assert_eq!(codes(&"Aa1!".repeat(70)), ["too_long"]);
    }

    #[test]
    fn confirmation_must_match() {
        assert!(check_confirmation("confirm", "a", "a").is_ok());
        assert_eq!(
            check_confirmation("confirm", "a", "b").unwrap_err().code,
            "mismatch"
        );
    }
}
