//! One-time codes sent by SMS or voice: six digits for signing in, eight characters shown as
//! XXXX-XXXX for confirming a new phone number; valid three minutes, at most five tries.

use sha2::{Digest, Sha256};
use subtle_free::eq;
use time::{Duration, OffsetDateTime};

/// How long a code may be used.
pub const CODE_LIFETIME: Duration = Duration::minutes(3);
/// Wrong codes allowed before the step starts over.
pub const MAX_CODE_ATTEMPTS: i32 = 5;

/// A six-digit code from four random bytes, or `None` for the few values that would make
/// some codes likelier than others (draw again).
pub fn six_digit_code(random: [u8; 4]) -> Option<String> {
    let value = u32::from_be_bytes(random);
    // 4_294_000_000 is the largest multiple of 1_000_000 below 2^32.
    (value < 4_294_000_000).then(|| format!("{:06}", value % 1_000_000))
}

/// What is stored instead of the code: bound to the challenge, so equal codes of two
/// challenges do not look alike.
pub fn code_digest(challenge: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{challenge}:{code}").as_bytes()))
}

/// The digits a person typed, without the spaces and dashes they may have added.
pub fn normalise_code(input: &str) -> String {
    input.chars().filter(char::is_ascii_digit).collect()
}

/// Capitals and digits without the look-alikes 0/O and 1/I: 32 symbols, so each random
/// byte gives one without bias.
const CONFIRMATION_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// The eight characters that confirm a new phone number, from eight random bytes.
pub fn confirmation_code(random: [u8; 8]) -> String {
    random
        .iter()
        .map(|b| char::from(CONFIRMATION_ALPHABET[usize::from(b % 32)]))
        .collect()
}

/// A confirmation code as people see it: `XXXX-XXXX`.
pub fn grouped(code: &str) -> String {
    match (code.get(..4), code.get(4..)) {
        (Some(head), Some(tail)) if !tail.is_empty() => format!("{head}-{tail}"),
        _ => code.to_owned(),
    }
}

/// What was typed for a confirmation code: capitals, without spaces and dashes.
pub fn normalise_confirmation(input: &str) -> String {
    input
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The two kinds of code, and how typed input is read for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeFormat {
    /// Six digits (signing in).
    SixDigits,
    /// Eight letters and digits shown as XXXX-XXXX (confirming a phone number).
    Confirmation,
}

impl CodeFormat {
    fn normalise(self, input: &str) -> String {
        match self {
            CodeFormat::SixDigits => normalise_code(input),
            CodeFormat::Confirmation => normalise_confirmation(input),
        }
    }

    fn len(self) -> usize {
        match self {
            CodeFormat::SixDigits => 6,
            CodeFormat::Confirmation => 8,
        }
    }
}

/// The verdict on a typed code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeVerdict {
    Accepted,
    /// Wrong; this many tries remain.
    Wrong {
        left: i32,
    },
    /// Wrong, and that was the last try: the step starts over.
    Exhausted,
    Expired,
}

/// Checks a typed code against a challenge that has had `attempts` wrong tries so far.
pub fn check_code(
    format: CodeFormat,
    challenge: &str,
    expected_digest: &str,
    typed: &str,
    attempts: i32,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> CodeVerdict {
    let typed = format.normalise(typed);
    let matches =
        typed.len() == format.len() && eq(&code_digest(challenge, &typed), expected_digest);
    judge_try(matches, attempts, expires_at, now)
}

/// The verdict on one try at a step that allows five: `matches` tells whether what was typed
/// (a sent code, an authenticator app's code) was right.
pub fn judge_try(
    matches: bool,
    attempts: i32,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> CodeVerdict {
    if now >= expires_at {
        return CodeVerdict::Expired;
    }
    if attempts >= MAX_CODE_ATTEMPTS {
        return CodeVerdict::Exhausted;
    }
    if matches {
        return CodeVerdict::Accepted;
    }
    let left = MAX_CODE_ATTEMPTS - attempts - 1;
    if left <= 0 {
        CodeVerdict::Exhausted
    } else {
        CodeVerdict::Wrong { left }
    }
}

/// Constant-time equality of two digests, without a dependency for one comparison.
mod subtle_free {
    pub fn eq(a: &str, b: &str) -> bool {
        a.len() == b.len()
            && a.bytes()
                .zip(b.bytes())
                .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn codes_are_six_digits_without_bias() {
        assert_eq!(six_digit_code([0, 0, 0, 7]).as_deref(), Some("000007"));
        assert_eq!(
            six_digit_code(4_293_999_999u32.to_be_bytes()).as_deref(),
            Some("999999")
        );
        assert_eq!(six_digit_code(4_294_000_000u32.to_be_bytes()), None);
        assert_eq!(six_digit_code([255; 4]), None);
        assert_eq!(normalise_code(" 524-759 "), "524759");
    }

    #[test]
    fn confirmation_codes_are_eight_unambiguous_characters() {
        let code = confirmation_code([0, 1, 2, 31, 63, 200, 255, 9]);
        assert_eq!(code, "ABC99J9K");
        assert_eq!(grouped(&code), "ABC9-9J9K");
        assert!(
            confirmation_code([7; 8])
                .chars()
                .all(|c| !"01OI".contains(c))
        );
        assert_eq!(normalise_confirmation(" abc9-9j9k "), "ABC99J9K");
        let digest = code_digest("p1", &code);
        let sent = datetime!(2026-05-01 09:00 UTC);
        let check = |typed: &str| {
            check_code(
                CodeFormat::Confirmation,
                "p1",
                &digest,
                typed,
                0,
                sent + CODE_LIFETIME,
                sent,
            )
        };
        assert_eq!(check("abc9-9j9k"), CodeVerdict::Accepted);
        assert_eq!(check("ABC9-9J9L"), CodeVerdict::Wrong { left: 4 });
    }

    #[test]
    fn codes_expire_after_three_minutes_and_allow_five_tries() {
        let sent = datetime!(2026-05-01 09:00 UTC);
        let expires = sent + CODE_LIFETIME;
        let digest = code_digest("c1", "524759");
        let check = |typed: &str, attempts: i32, at: OffsetDateTime| {
            check_code(
                CodeFormat::SixDigits,
                "c1",
                &digest,
                typed,
                attempts,
                expires,
                at,
            )
        };
        assert_eq!(check("524 759", 0, sent), CodeVerdict::Accepted);
        assert_eq!(check("524758", 0, sent), CodeVerdict::Wrong { left: 4 });
        assert_eq!(check("524758", 3, sent), CodeVerdict::Wrong { left: 1 });
        assert_eq!(check("524758", 4, sent), CodeVerdict::Exhausted);
        // After five wrong tries even the right code is refused.
        assert_eq!(check("524759", 5, sent), CodeVerdict::Exhausted);
        assert_eq!(
            check(
                "524759",
                0,
                sent + Duration::minutes(2) + Duration::seconds(59)
            ),
            CodeVerdict::Accepted
        );
        assert_eq!(check("524759", 0, expires), CodeVerdict::Expired);
        // The same code of another challenge does not match.
        assert_eq!(
            check_code(
                CodeFormat::SixDigits,
                "c2",
                &digest,
                "524759",
                0,
                expires,
                sent
            ),
            CodeVerdict::Wrong { left: 4 }
        );
    }
}
