//! One-time codes sent by SMS or voice: six digits, valid three minutes, at most five tries.

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
    challenge: &str,
    expected_digest: &str,
    typed: &str,
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
    let typed = normalise_code(typed);
    if typed.len() == 6 && eq(&code_digest(challenge, &typed), expected_digest) {
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
    fn codes_expire_after_three_minutes_and_allow_five_tries() {
        let sent = datetime!(2026-05-01 09:00 UTC);
        let expires = sent + CODE_LIFETIME;
        let digest = code_digest("c1", "524759");
        let check = |typed: &str, attempts: i32, at: OffsetDateTime| {
            check_code("c1", &digest, typed, attempts, expires, at)
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
            check_code("c2", &digest, "524759", 0, expires, sent),
            CodeVerdict::Wrong { left: 4 }
        );
    }
}
