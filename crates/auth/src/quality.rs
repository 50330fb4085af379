//! Password quality beyond the composition rules: a list of leaked passwords, and an
//! estimate of how easy a password is to guess (zxcvbn), with feedback a person can act on.

use std::collections::HashSet;
use std::path::Path;

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};

/// Passwords that satisfy the composition rules yet top every leaked list: checked even
/// without a list file. A real deployment loads a larger list (`passwords.leaked_list_file`).
const BUILT_IN: &[&str] = &[
    "Password123!",
    "Password1234",
    "Password2024!",
    "Password2025!",
    "Password2026!",
    "P@ssw0rd123",
    "P@ssword123",
    "Passw0rd!23",
    "Welcome123!",
    "Welcome2024!",
    "Welcome2025!",
    "Welcome2026!",
    "Qwerty123!",
    "Qwerty12345",
    "Qwertz123!",
    "Azerty123!",
    "Abcd12345!",
    "Aa123456789",
    "Admin12345!",
    "Letmein123!",
    "Changeme123!",
    "Iloveyou123!",
    "Summer2024!",
    "Summer2025!",
    "Winter2024!",
    "Winter2025!",
    "Spring2025!",
    "Autumn2024!",
    "Monkey12345!",
    "Dragon12345!",
];

/// The message when a password is on a leaked list (EU Login's wording).
pub const LEAKED_MESSAGE: &str = "Your new password cannot be used because it is in a public database with insecure passwords. It could be used to take over your account. Please choose a different password.";

/// SHA-1 digests of leaked passwords (SHA-1 because that is how public lists are published).
#[derive(Debug, Default)]
pub struct LeakedPasswords {
    digests: HashSet<[u8; 20]>,
}

#[derive(Debug, thiserror::Error)]
pub enum LeakedListError {
    #[error("cannot read the leaked-password list {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("line {line} of the leaked-password list is not a SHA-1 digest in hex")]
    Line { line: usize },
}

fn sha1(password: &str) -> [u8; 20] {
    let mut out = [0u8; 20];
    out.copy_from_slice(digest(&SHA1_FOR_LEGACY_USE_ONLY, password.as_bytes()).as_ref());
    out
}

impl LeakedPasswords {
    /// The built-in list only.
    pub fn built_in() -> Self {
        Self {
            digests: BUILT_IN.iter().map(|p| sha1(p)).collect(),
        }
    }

    /// The built-in list plus a file with one upper- or lower-case hex SHA-1 per line,
    /// optionally followed by `:count` (the format public breach lists use).
    pub fn with_file(path: &Path) -> Result<Self, LeakedListError> {
        let text = std::fs::read_to_string(path).map_err(|source| LeakedListError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut list = Self::built_in();
        for (index, line) in text.lines().enumerate() {
            let hex_part = line.split(':').next().unwrap_or("").trim();
            if hex_part.is_empty() {
                continue;
            }
            let bytes =
                hex::decode(hex_part).map_err(|_| LeakedListError::Line { line: index + 1 })?;
            let digest: [u8; 20] = bytes
                .try_into()
                .map_err(|_| LeakedListError::Line { line: index + 1 })?;
            list.digests.insert(digest);
        }
        Ok(list)
    }

    pub fn contains(&self, password: &str) -> bool {
        self.digests.contains(&sha1(password))
    }

    pub fn len(&self) -> usize {
        self.digests.len()
    }

    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }
}

/// What is wrong with a password that is too easy to guess, or `None` when it is hard
/// enough (zxcvbn score 3 or more: beyond 10^10 guesses). `personal` holds the person's
/// name and e-mail address, which make a password easier to guess.
pub fn guessability_problem(password: &str, personal: &[&str]) -> Option<String> {
    // The estimate's cost grows with length; a long password is not the weak one.
    let sample: String = password.chars().take(64).collect();
    let entropy = zxcvbn::zxcvbn(&sample, personal);
    if u8::from(entropy.score()) >= 3 {
        return None;
    }
    let mut message = String::from("This password is easy to guess.");
    if let Some(feedback) = entropy.feedback() {
        if let Some(warning) = feedback.warning() {
            message.push(' ');
            message.push_str(&warning.to_string());
        }
        for suggestion in feedback.suggestions() {
            message.push(' ');
            message.push_str(&suggestion.to_string());
        }
    }
    if !message.ends_with(['.', '!']) {
        message.push('.');
    }
    Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_and_file_lists_are_checked() {
        let list = LeakedPasswords::built_in();
        assert!(list.contains("Password123!"));
        assert!(!list.contains("Quiet-Meadow-2040"));
        let dir = std::env::temp_dir().join(format!("tessera-leaked-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("leaked.txt");
        let digest = hex::encode_upper(sha1("Harbour-Lights-77"));
        std::fs::write(
            &file,
            format!("{digest}:12\n\n{}\n", hex::encode(sha1("x"))),
        )
        .unwrap();
        let list = LeakedPasswords::with_file(&file).unwrap();
        assert!(list.contains("Harbour-Lights-77"));
        assert!(list.contains("Password123!"));
        assert_eq!(list.len(), BUILT_IN.len() + 2);
        std::fs::write(&file, "not-a-digest\n").unwrap();
        assert!(matches!(
            LeakedPasswords::with_file(&file),
            Err(LeakedListError::Line { line: 1 })
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn easy_passwords_get_feedback_and_hard_ones_pass() {
        let weak = guessability_problem("Password2027", &[]).unwrap();
        assert!(
            weak.starts_with("This password is easy to guess."),
            "{weak}"
        );
        assert!(guessability_problem("January2026!", &[]).is_some());
        assert_eq!(guessability_problem("Quiet-Meadow-2040", &[]), None);
        assert_eq!(guessability_problem("vX9#kT2!qLm8", &[]), None);
    }
}
