//! The CAPTCHA of self-registration, with no third party involved: a proof of work that the
//! browser solves by itself (no tracking, nothing to read), and a short code drawn in a
//! picture and spelt in a recording for people whose browser cannot do the work.
//!
//! One challenge carries both: a random nonce with a difficulty (the number of leading zero
//! bits SHA-256(nonce || solution) must have) and a code. Either answer passes it, once,
//! before it expires. The rules here are pure: random bytes and the time are parameters.

use std::net::IpAddr;

use base64::Engine;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// How long a challenge may be answered: enough to fill in the registration form.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(10);
/// Leading zero bits asked for by default: about 260 000 hashes, a few seconds of a
/// browser's WebCrypto, and the same cost again for every form a script wants to post.
pub const DEFAULT_DIFFICULTY_BITS: u8 = 18;
/// Beyond this a browser would work for minutes; 0 turns the proof of work off.
pub const MAX_DIFFICULTY_BITS: u8 = 32;
/// Random bytes of a nonce.
pub const NONCE_BYTES: usize = 16;
/// Characters in a code: 16 symbols each, so 24 bits, and a wrong answer burns the
/// challenge, so guessing needs millions of challenges.
pub const CODE_LENGTH: usize = 6;
/// The longest proof-of-work solution read (a counter in decimal fits in 20 digits).
pub const MAX_SOLUTION_LEN: usize = 32;

/// Capitals and digits that neither look nor sound alike: no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B,
/// 6/G, U/V, and of the letters whose names rhyme in English (B, C, D, G, P, T, V, Z) only P.
/// Sixteen symbols, so `byte % 16` picks each with the same chance.
pub const ALPHABET: &[u8; 16] = b"AEFHJKMPRWXY3479";

/// What a challenge accepts as an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptchaKind {
    /// A proof of work, or the code typed from the picture or the recording.
    ProofOfWorkOrCode,
    /// The typed code only: the installation turned the proof of work off (difficulty 0).
    CodeOnly,
}

impl CaptchaKind {
    /// The kind for a configured difficulty.
    pub fn for_difficulty(difficulty: Difficulty) -> Self {
        if difficulty.bits() == 0 {
            CaptchaKind::CodeOnly
        } else {
            CaptchaKind::ProofOfWorkOrCode
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CaptchaKind::ProofOfWorkOrCode => "pow_or_code",
            CaptchaKind::CodeOnly => "code",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pow_or_code" => Some(CaptchaKind::ProofOfWorkOrCode),
            "code" => Some(CaptchaKind::CodeOnly),
            _ => None,
        }
    }
}

/// A number of leading zero bits, within what a browser can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Difficulty(u8);

/// A difficulty outside 0..=32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a difficulty of {0} bits is outside 0..={MAX_DIFFICULTY_BITS}")]
pub struct DifficultyOutOfRange(pub u32);

impl Difficulty {
    pub fn new(bits: u32) -> Result<Self, DifficultyOutOfRange> {
        u8::try_from(bits)
            .ok()
            .filter(|b| *b <= MAX_DIFFICULTY_BITS)
            .map(Self)
            .ok_or(DifficultyOutOfRange(bits))
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    /// Hashes a solver tries on average: 2^bits.
    pub fn expected_tries(self) -> u64 {
        1u64 << self.0
    }
}

impl Default for Difficulty {
    fn default() -> Self {
        Self(DEFAULT_DIFFICULTY_BITS)
    }
}

/// The parts of a new challenge, all from random bytes given by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChallenge {
    /// What the browser holds and sends back (43 URL-safe characters); stored only as its
    /// digest.
    pub id: String,
    /// The nonce, as lower-case hex.
    pub nonce: String,
    pub code: String,
    pub kind: CaptchaKind,
    pub difficulty: Difficulty,
    pub expires_at: OffsetDateTime,
}

/// The random bytes a challenge is made of.
pub struct ChallengeRandom {
    pub id: [u8; 32],
    pub nonce: [u8; NONCE_BYTES],
    pub code: [u8; CODE_LENGTH],
}

impl NewChallenge {
    pub fn new(
        random: &ChallengeRandom,
        difficulty: Difficulty,
        lifetime: Duration,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random.id),
            nonce: hex::encode(random.nonce),
            code: code_from(random.code),
            kind: CaptchaKind::for_difficulty(difficulty),
            difficulty,
            expires_at: now + lifetime,
        }
    }
}

/// The digest a challenge is stored and found under.
pub fn id_digest(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// Whether a text could be a challenge id at all; anything else is answered "unknown"
/// without asking the database.
pub fn plausible_id(id: &str) -> bool {
    id.len() == 43
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A code from random bytes: one symbol per byte.
pub fn code_from(random: [u8; CODE_LENGTH]) -> String {
    random
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 16)]))
        .collect()
}

/// What a person typed, as compared: capitals, without spaces and dashes, so `ef 3k-9a`
/// reads as `EF3K9A`.
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// What is stored instead of the code: bound to the challenge, so one code's digest says
/// nothing about another challenge.
pub fn code_digest(id_digest: &str, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("captcha:{id_digest}:{code}").as_bytes(),
    ))
}

/// How many leading bits of a digest are zero.
pub fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in digest {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

/// Whether `solution` solves the proof of work of `nonce_hex` at `difficulty`: a short
/// text of ASCII digits whose SHA-256 after the nonce's bytes starts with enough zero bits.
pub fn solves(nonce_hex: &str, difficulty: Difficulty, solution: &str) -> bool {
    if solution.is_empty()
        || solution.len() > MAX_SOLUTION_LEN
        || !solution.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    let Ok(nonce) = hex::decode(nonce_hex) else {
        return false;
    };
    let mut hasher = Sha256::new();
    hasher.update(&nonce);
    hasher.update(solution.as_bytes());
    leading_zero_bits(&hasher.finalize()) >= u32::from(difficulty.bits())
}

/// Finds a solution by counting, as the browser's script does; `None` after `max_tries`.
/// For tests and tools: the server never solves its own challenges.
pub fn solve(nonce_hex: &str, difficulty: Difficulty, max_tries: u64) -> Option<String> {
    (0..max_tries)
        .map(|n| n.to_string())
        .find(|candidate| solves(nonce_hex, difficulty, candidate))
}

/// What a challenge looked like when it was consumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumed<'a> {
    pub id_digest: &'a str,
    pub kind: CaptchaKind,
    pub nonce: &'a str,
    pub difficulty: Difficulty,
    pub code_digest: &'a str,
    pub expires_at: OffsetDateTime,
}

/// The answer sent with a form: either part may be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt<'a> {
    pub solution: &'a str,
    pub typed_code: &'a str,
}

/// The verdict on an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The proof of work was right.
    SolvedByWork,
    /// The typed code was right.
    SolvedByCode,
    Wrong,
    Expired,
}

/// Judges an answer to a challenge that has just been consumed (so whatever the verdict,
/// this challenge is never judged again).
pub fn judge(challenge: &Consumed<'_>, attempt: Attempt<'_>, now: OffsetDateTime) -> Verdict {
    if now >= challenge.expires_at {
        return Verdict::Expired;
    }
    let work_counts = challenge.kind == CaptchaKind::ProofOfWorkOrCode;
    if work_counts && solves(challenge.nonce, challenge.difficulty, attempt.solution) {
        return Verdict::SolvedByWork;
    }
    let typed = normalise_code(attempt.typed_code);
    // Compared as digests, whose length is fixed, in constant time.
    if typed.len() == CODE_LENGTH
        && same(
            &code_digest(challenge.id_digest, &typed),
            challenge.code_digest,
        )
    {
        return Verdict::SolvedByCode;
    }
    Verdict::Wrong
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What a client's address is counted under for the limit on new challenges: an IPv4
/// address, or the /64 network of an IPv6 one (a single host usually holds a whole /64).
/// Kept as a digest, so the table does not list addresses in clear; it goes with the
/// challenge.
pub fn client_key(address: IpAddr) -> String {
    let text = match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    };
    hex::encode(Sha256::digest(format!("captcha-client:{text}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-05-04 08:00 UTC);

    fn random(seed: u8) -> ChallengeRandom {
        ChallengeRandom {
            id: [seed; 32],
            nonce: [seed.wrapping_add(1); NONCE_BYTES],
            code: [0, 1, 2, 13, 14, 31],
        }
    }

    fn bits(n: u32) -> Difficulty {
        Difficulty::new(n).unwrap()
    }

    #[test]
    fn the_alphabet_has_no_look_alikes_and_no_bias() {
        assert_eq!(256 % ALPHABET.len(), 0);
        for confusing in b"0OQD1IL2Z5S8B6GUV" {
            assert!(!ALPHABET.contains(confusing), "{}", char::from(*confusing));
        }
        let mut sorted = ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ALPHABET.len());
    }

    #[test]
    fn a_new_challenge_is_made_of_the_given_random_bytes() {
        let challenge = NewChallenge::new(&random(7), bits(18), CHALLENGE_LIFETIME, NOW);
        assert!(plausible_id(&challenge.id));
        assert_eq!(challenge.nonce, "08".repeat(NONCE_BYTES));
        assert_eq!(challenge.code, "AEF479");
        assert_eq!(challenge.kind, CaptchaKind::ProofOfWorkOrCode);
        assert_eq!(challenge.expires_at, datetime!(2026-05-04 08:10 UTC));
        let again = NewChallenge::new(&random(7), bits(18), CHALLENGE_LIFETIME, NOW);
        assert_eq!(challenge, again);
        let other = NewChallenge::new(&random(8), bits(0), CHALLENGE_LIFETIME, NOW);
        assert_ne!(other.id, challenge.id);
        assert_eq!(other.kind, CaptchaKind::CodeOnly);
    }

    #[test]
    fn difficulty_stays_within_what_a_browser_can_do() {
        assert_eq!(Difficulty::default().bits(), DEFAULT_DIFFICULTY_BITS);
        assert_eq!(bits(0).bits(), 0);
        assert_eq!(Difficulty::new(32).map(Difficulty::bits), Ok(32));
        assert_eq!(Difficulty::new(33), Err(DifficultyOutOfRange(33)));
        assert_eq!(Difficulty::new(300), Err(DifficultyOutOfRange(300)));
        assert_eq!(bits(10).expected_tries(), 1024);
    }

    #[test]
    fn kinds_read_back() {
        for kind in [CaptchaKind::ProofOfWorkOrCode, CaptchaKind::CodeOnly] {
            assert_eq!(CaptchaKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(CaptchaKind::parse("image"), None);
    }

    #[test]
    fn leading_zero_bits_are_counted_across_bytes() {
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0x01]), 7);
        assert_eq!(leading_zero_bits(&[0x00, 0x00, 0x20]), 18);
        assert_eq!(leading_zero_bits(&[0x00, 0x00]), 16);
        assert_eq!(leading_zero_bits(&[]), 0);
    }

    #[test]
    fn a_solution_found_by_counting_solves_and_others_do_not() {
        let nonce = "00112233445566778899aabbccddeeff";
        let difficulty = bits(12);
        let solution = solve(nonce, difficulty, 1 << 20).unwrap();
        assert!(solves(nonce, difficulty, &solution));
        // Checked independently of `solves`: the digest really starts with 12 zero bits.
        let mut input = hex::decode(nonce).unwrap();
        input.extend_from_slice(solution.as_bytes());
        let digest = Sha256::digest(&input);
        assert_eq!(digest[0], 0);
        assert!(digest[1] < 0x10);
        // The same solution does not solve another nonce (almost surely at 12 bits: it does
        // not for this one), nor a harder difficulty it happens not to reach.
        assert!(!solves(
            "ff112233445566778899aabbccddeeff",
            difficulty,
            &solution
        ));
        assert!(!solves(nonce, difficulty, ""));
        assert!(!solves(nonce, difficulty, "12a"));
        assert!(!solves(
            nonce,
            difficulty,
            &"1".repeat(MAX_SOLUTION_LEN + 1)
        ));
        assert!(!solves("not hex", difficulty, &solution));
        // Difficulty zero accepts any well-formed number.
        assert!(solves(nonce, bits(0), "0"));
    }

    #[test]
    fn typed_codes_are_read_case_insensitively() {
        assert_eq!(normalise_code(" ef3k-9a\t"), "EF3K9A");
        assert_eq!(normalise_code("ÄB"), "ÄB");
    }

    fn consumed<'a>(
        challenge: &'a NewChallenge,
        id_digest: &'a str,
        digest: &'a str,
    ) -> Consumed<'a> {
        Consumed {
            id_digest,
            kind: challenge.kind,
            nonce: &challenge.nonce,
            difficulty: challenge.difficulty,
            code_digest: digest,
            expires_at: challenge.expires_at,
        }
    }

    #[test]
    fn either_answer_passes_a_live_challenge() {
        let challenge = NewChallenge::new(&random(3), bits(8), CHALLENGE_LIFETIME, NOW);
        let key = id_digest(&challenge.id);
        let digest = code_digest(&key, &challenge.code);
        let stored = consumed(&challenge, &key, &digest);
        let solution = solve(&challenge.nonce, challenge.difficulty, 1 << 16).unwrap();
        let typed = challenge.code.to_ascii_lowercase();
        let attempt = |solution, typed_code| Attempt {
            solution,
            typed_code,
        };

        assert_eq!(
            judge(&stored, attempt(&solution, ""), NOW),
            Verdict::SolvedByWork
        );
        assert_eq!(
            judge(&stored, attempt("", &typed), NOW),
            Verdict::SolvedByCode
        );
        assert_eq!(
            judge(&stored, attempt("1", &typed), NOW),
            Verdict::SolvedByCode
        );
        assert_eq!(judge(&stored, attempt("", "AAAAAA"), NOW), Verdict::Wrong);
        assert_eq!(judge(&stored, attempt("", ""), NOW), Verdict::Wrong);
        let later = NOW + CHALLENGE_LIFETIME;
        assert_eq!(
            judge(&stored, attempt(&solution, &typed), later),
            Verdict::Expired
        );
        // A code is bound to its challenge: another challenge's digest does not match.
        let elsewhere = code_digest(&id_digest("another"), &challenge.code);
        let moved = consumed(&challenge, &key, &elsewhere);
        assert_eq!(judge(&moved, attempt("", &typed), NOW), Verdict::Wrong);
    }

    #[test]
    fn a_code_only_challenge_ignores_work() {
        let challenge = NewChallenge::new(&random(4), bits(0), CHALLENGE_LIFETIME, NOW);
        let key = id_digest(&challenge.id);
        let digest = code_digest(&key, &challenge.code);
        let stored = consumed(&challenge, &key, &digest);
        let work = Attempt {
            solution: "0",
            typed_code: "",
        };
        assert_eq!(judge(&stored, work, NOW), Verdict::Wrong);
        let typed = Attempt {
            solution: "",
            typed_code: &challenge.code,
        };
        assert_eq!(judge(&stored, typed, NOW), Verdict::SolvedByCode);
    }

    #[test]
    fn ids_are_checked_for_shape_before_any_lookup() {
        assert!(plausible_id(&"a".repeat(43)));
        assert!(!plausible_id(&"a".repeat(42)));
        assert!(!plausible_id(&format!("{}/", "a".repeat(42))));
        assert_eq!(id_digest("x").len(), 64);
    }

    #[test]
    fn client_keys_group_an_ipv6_host_by_its_network() {
        let v6 = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            client_key(v6("2001:db8:1:2::1")),
            client_key(v6("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            client_key(v6("2001:db8:1:2::1")),
            client_key(v6("2001:db8:1:3::1"))
        );
        assert_eq!(
            client_key(v6("::ffff:192.0.2.1")),
            client_key(v6("192.0.2.1"))
        );
        assert_ne!(client_key(v6("192.0.2.1")), client_key(v6("192.0.2.2")));
        assert!(!client_key(v6("192.0.2.1")).contains("192"));
    }
}
