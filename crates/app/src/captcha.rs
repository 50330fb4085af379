//! The CAPTCHA of forms that anyone may post (self-registration): issuing a challenge,
//! drawing material for its picture and recording, and judging an answer once.
//!
//! A challenge holds a proof of work for the browser's script and a code for people
//! without one, so a single hidden field (the id) carries both. The code rests in the
//! database only as a digest and sealed under the secret key: any node can draw it, and a
//! copy of the database does not reveal it. A challenge is used up before its answer is
//! judged, so a wrong answer burns it and a right one works once, across nodes.

use std::net::IpAddr;

use tessera_domain::captcha::{
    self, Attempt, CHALLENGE_LIFETIME, CODE_LENGTH, CaptchaKind, ChallengeRandom, Consumed,
    Difficulty, NewChallenge, Verdict,
};
use tessera_domain::{FieldError, ValidationErrors};
use tessera_store::captcha::StoredCaptcha;
use tessera_store::{CaptchaStore, StoreError};
use time::{Duration, OffsetDateTime};

use crate::app::App;
use crate::error::AppError;

/// The form field the CAPTCHA's errors are reported at.
pub const CAPTCHA_FIELD: &str = "captcha";
/// Random bytes that shape a challenge's picture and recording: sealed with the code, so
/// every fetch of the same challenge looks and sounds the same and averaging many fetches
/// teaches nothing.
pub const RENDER_SEED_BYTES: usize = 16;

/// The installation's CAPTCHA settings (`[captcha]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptchaConfig {
    /// Leading zero bits the proof of work needs; 0 leaves only the typed code.
    pub difficulty: Difficulty,
    /// How long a challenge may be answered.
    pub lifetime: Duration,
    /// New challenges per client address (IPv6: per /64) and minute, counted over every
    /// node; 0 for no limit.
    pub per_address_per_minute: u32,
}

impl Default for CaptchaConfig {
    fn default() -> Self {
        Self {
            difficulty: Difficulty::default(),
            lifetime: CHALLENGE_LIFETIME,
            per_address_per_minute: 30,
        }
    }
}

/// A new challenge, as the page and the script need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptchaChallenge {
    /// What the form carries back in its hidden field.
    pub id: String,
    /// The proof of work's nonce, in hex.
    pub nonce: String,
    /// Leading zero bits needed; 0 when only the typed code counts.
    pub difficulty: u8,
    pub expires_at: OffsetDateTime,
}

/// What a form sends back: the challenge id, and the script's solution or the typed code
/// (either may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptchaAnswer {
    pub id: String,
    pub solution: String,
    pub code: String,
}

/// What the picture and the recording of a challenge show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptchaPicture {
    /// The code, in capitals of [`captcha::ALPHABET`].
    pub code: String,
    /// Bytes for the jitter and noise of its drawing and recording.
    pub seed: [u8; RENDER_SEED_BYTES],
}

/// Why a CAPTCHA was not passed, or no challenge was given.
#[derive(Debug, thiserror::Error)]
pub enum CaptchaError {
    /// Nothing was answered (the script had not finished, nothing was typed).
    #[error("no answer to the CAPTCHA")]
    Missing,
    #[error("the CAPTCHA answer is not correct")]
    Wrong,
    #[error("the CAPTCHA has expired")]
    Expired,
    /// Used already, or never issued.
    #[error("the CAPTCHA is unknown or was used already")]
    Gone,
    /// This address asked for too many challenges in the last minute.
    #[error("too many CAPTCHA challenges were asked for from this address")]
    TooMany,
    #[error(transparent)]
    Failed(#[from] AppError),
}

impl From<StoreError> for CaptchaError {
    fn from(error: StoreError) -> Self {
        CaptchaError::Failed(error.into())
    }
}

impl CaptchaError {
    /// What to tell the person next to the field; `None` for a failure of Tessera itself.
    pub fn message(&self) -> Option<&'static str> {
        Some(match self {
            CaptchaError::Missing => "Enter the code shown in the picture.",
            CaptchaError::Wrong => "The code was not correct. Enter the new code.",
            CaptchaError::Expired => "The code has expired. Enter the new code.",
            CaptchaError::Gone => "This code cannot be used any more. Enter the new code.",
            CaptchaError::TooMany => {
                "Too many codes were asked for from your network. Wait a minute, then try again."
            }
            CaptchaError::Failed(_) => return None,
        })
    }

    /// The error as one at the form's `captcha` field, when it is the person's to fix.
    pub fn field_error(&self) -> Option<FieldError> {
        let code = match self {
            CaptchaError::Missing => "required",
            CaptchaError::Wrong => "wrong",
            CaptchaError::Expired => "expired",
            CaptchaError::Gone => "gone",
            CaptchaError::TooMany => "too_many",
            CaptchaError::Failed(_) => return None,
        };
        Some(FieldError {
            field: CAPTCHA_FIELD,
            code,
            message: self.message()?.to_owned(),
        })
    }
}

/// So a use case can `?` a CAPTCHA check among its other validation: the person's mistakes
/// become an error at the `captcha` field.
impl From<CaptchaError> for AppError {
    fn from(error: CaptchaError) -> Self {
        match error {
            CaptchaError::Failed(inner) => inner,
            other => match other.field_error() {
                Some(field) => AppError::Invalid(ValidationErrors::from(field)),
                None => AppError::Internal(other.to_string()),
            },
        }
    }
}

/// The context the code is sealed under: its own challenge, so a sealed code cannot be
/// moved to another row.
fn seal_context(id_digest: &str) -> String {
    format!("captcha:{id_digest}")
}

impl App {
    /// A new challenge for a form; `client` is the asker's address, for the limit on how
    /// many challenges one address gets per minute.
    pub async fn issue_captcha(
        &self,
        client: Option<IpAddr>,
    ) -> Result<CaptchaChallenge, CaptchaError> {
        let settings = self.config().captcha;
        let now = self.now();
        let client_key = client.map(captcha::client_key);
        if let (Some(key), limit @ 1..) = (&client_key, settings.per_address_per_minute) {
            let mut tx = self.store().reads().await?;
            let recent = tx
                .captchas_issued_since(key, now - Duration::minutes(1))
                .await?;
            if recent >= u64::from(limit) {
                tracing::warn!("CAPTCHA challenges for one address are being limited");
                return Err(CaptchaError::TooMany);
            }
        }
        let random = ChallengeRandom {
            id: self.random_bytes(),
            nonce: self.random_bytes(),
            code: self.random_bytes(),
        };
        let seed: [u8; RENDER_SEED_BYTES] = self.random_bytes();
        let challenge = NewChallenge::new(&random, settings.difficulty, settings.lifetime, now);
        let id_digest = captcha::id_digest(&challenge.id);
        let mut secret = challenge.code.clone().into_bytes();
        secret.extend_from_slice(&seed);
        let stored = StoredCaptcha {
            code_digest: captcha::code_digest(&id_digest, &challenge.code),
            code_sealed: self
                .secrets()
                .seal(&seal_context(&id_digest), &secret)
                .map_err(AppError::from)?,
            id_digest,
            kind: challenge.kind,
            nonce: challenge.nonce.clone(),
            difficulty: challenge.difficulty,
            client_key,
            created_at: now,
            expires_at: challenge.expires_at,
            consumed_at: None,
        };
        let mut tx = self.store().begin().await?;
        tx.insert_captcha(&stored).await?;
        tx.commit().await?;
        Ok(CaptchaChallenge {
            difficulty: match challenge.kind {
                CaptchaKind::ProofOfWorkOrCode => challenge.difficulty.bits(),
                CaptchaKind::CodeOnly => 0,
            },
            id: challenge.id,
            nonce: challenge.nonce,
            expires_at: challenge.expires_at,
        })
    }

    /// Passes when the answer solves a live, unused challenge; the challenge is used up
    /// whatever the verdict, unless nothing at all was answered.
    pub async fn verify_captcha(&self, answer: &CaptchaAnswer) -> Result<(), CaptchaError> {
        let solution = answer.solution.trim();
        let typed = answer.code.trim();
        if solution.is_empty() && typed.is_empty() {
            return Err(CaptchaError::Missing);
        }
        let id = answer.id.trim();
        if !captcha::plausible_id(id) {
            return Err(CaptchaError::Gone);
        }
        let id_digest = captcha::id_digest(id);
        let now = self.now();
        // Committed before judging: the challenge is spent even when the answer is wrong.
        let mut tx = self.store().begin().await?;
        let consumed = tx.consume_captcha(&id_digest, now).await?;
        tx.commit().await?;
        let Some(stored) = consumed else {
            return Err(self.why_unusable(&id_digest, now).await?);
        };
        let verdict = captcha::judge(
            &Consumed {
                id_digest: &stored.id_digest,
                kind: stored.kind,
                nonce: &stored.nonce,
                difficulty: stored.difficulty,
                code_digest: &stored.code_digest,
                expires_at: stored.expires_at,
            },
            Attempt {
                solution,
                typed_code: typed,
            },
            now,
        );
        match verdict {
            Verdict::SolvedByWork | Verdict::SolvedByCode => {
                tracing::debug!(?verdict, "CAPTCHA passed");
                Ok(())
            }
            Verdict::Wrong => Err(CaptchaError::Wrong),
            Verdict::Expired => Err(CaptchaError::Expired),
        }
    }

    /// Expired or gone (used, never issued), for the message a person sees.
    async fn why_unusable(
        &self,
        id_digest: &str,
        now: OffsetDateTime,
    ) -> Result<CaptchaError, CaptchaError> {
        let mut tx = self.store().reads().await?;
        Ok(match tx.captcha(id_digest).await? {
            Some(stored) if stored.consumed_at.is_none() && stored.expires_at <= now => {
                CaptchaError::Expired
            }
            _ => CaptchaError::Gone,
        })
    }

    /// The code of a live, unused challenge, with the seed of its drawing; `Gone` for an
    /// unknown, used or expired one (nothing left to look at or listen to).
    pub async fn captcha_picture(&self, id: &str) -> Result<CaptchaPicture, CaptchaError> {
        if !captcha::plausible_id(id) {
            return Err(CaptchaError::Gone);
        }
        let id_digest = captcha::id_digest(id);
        let mut tx = self.store().reads().await?;
        let stored = match tx.captcha(&id_digest).await? {
            Some(stored) if stored.consumed_at.is_none() && self.now() < stored.expires_at => {
                stored
            }
            _ => return Err(CaptchaError::Gone),
        };
        let opened = self
            .secrets()
            .open(&seal_context(&id_digest), &stored.code_sealed)
            .map_err(AppError::from)?;
        let (code, seed) = opened.split_at_checked(CODE_LENGTH).ok_or_else(|| {
            AppError::Internal("a sealed CAPTCHA code has the wrong length".into())
        })?;
        let code = String::from_utf8(code.to_vec())
            .map_err(|_| AppError::Internal("a sealed CAPTCHA code is not text".into()))?;
        let seed = <[u8; RENDER_SEED_BYTES]>::try_from(seed)
            .map_err(|_| AppError::Internal("a sealed CAPTCHA seed has the wrong length".into()))?;
        Ok(CaptchaPicture { code, seed })
    }
}
