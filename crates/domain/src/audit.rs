//! Audit events and the hash chain that makes tampering detectable.
//!
//! Events are numbered without gaps; each stores the SHA-256 of its predecessor's hash and its
//! own canonical encoding. Editing, deleting or reordering any stored event breaks the chain
//! at that point, which [`verify_chain`] reports.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::ids::{LevelId, UserId};

/// The hash that precedes the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// Tessera itself (start-up, sweeps, the command line before anyone has signed in).
    System,
    /// Someone not signed in (a setup link, a sign-in attempt).
    Anonymous,
    User(UserId),
}

impl Actor {
    pub fn kind(self) -> &'static str {
        match self {
            Actor::System => "system",
            Actor::Anonymous => "anonymous",
            Actor::User(_) => "user",
        }
    }

    pub fn user_id(self) -> Option<UserId> {
        match self {
            Actor::User(id) => Some(id),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Denied,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failure => "failure",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Outcome::Success, Outcome::Denied, Outcome::Failure]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// An event about to be appended: the store gives it its number and chain hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub at: OffsetDateTime,
    pub actor: Actor,
    /// Dotted verb, e.g. `user.create`, `setup.complete`.
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub level_id: Option<LevelId>,
    pub outcome: Outcome,
    pub request_id: Option<String>,
    /// JSON text with the changed fields (before / after) or other facts.
    pub details: String,
}

impl NewAuditEvent {
    pub fn new(at: OffsetDateTime, actor: Actor, action: &str, target_type: &str) -> Self {
        Self {
            at,
            actor,
            action: action.to_owned(),
            target_type: target_type.to_owned(),
            target_id: None,
            level_id: None,
            outcome: Outcome::Success,
            request_id: None,
            details: "{}".to_owned(),
        }
    }

    pub fn target(mut self, id: impl ToString) -> Self {
        self.target_id = Some(id.to_string());
        self
    }

    pub fn level(mut self, level: LevelId) -> Self {
        self.level_id = Some(level);
        self
    }

    pub fn request(mut self, request_id: Option<&str>) -> Self {
        self.request_id = request_id.map(str::to_owned);
        self
    }

    pub fn details(mut self, details: &serde_json::Value) -> Self {
        self.details = details.to_string();
        self
    }

    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// The event as stored, once the store has numbered it after `prev_hash`.
    pub fn seal(self, seq: i64, prev_hash: &str) -> AuditEvent {
        let mut event = AuditEvent {
            seq,
            at: self.at,
            actor: self.actor,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            level_id: self.level_id,
            outcome: self.outcome,
            request_id: self.request_id,
            details: self.details,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        event
    }
}

/// A stored audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub actor: Actor,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub level_id: Option<LevelId>,
    pub outcome: Outcome,
    pub request_id: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// SHA-256 over the previous hash and every field, each length-prefixed so that no two
    /// different events encode alike. Times count in whole microseconds, the precision both
    /// databases keep.
    pub fn compute_hash(&self) -> String {
        let micros = (self.at.unix_timestamp_nanos() / 1_000).to_string();
        let actor_id = self.actor.user_id().map(|id| id.to_string());
        let level_id = self.level_id.map(|id| id.to_string());
        let fields: [&str; 12] = [
            &self.prev_hash,
            &self.seq.to_string(),
            &micros,
            self.actor.kind(),
            actor_id.as_deref().unwrap_or(""),
            &self.action,
            &self.target_type,
            self.target_id.as_deref().unwrap_or(""),
            level_id.as_deref().unwrap_or(""),
            self.outcome.as_str(),
            self.request_id.as_deref().unwrap_or(""),
            &self.details,
        ];
        let mut hasher = Sha256::new();
        for field in fields {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// Where a chain stops being what was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("event {seq} follows {previous}: events are missing in between")]
    Gap { seq: i64, previous: i64 },
    #[error("event {seq} does not link to the event before it")]
    Unlinked { seq: i64 },
    #[error("event {seq} was changed after it was written")]
    Altered { seq: i64 },
}

/// Checks a run of consecutive events; `before` is the hash and number of the event before the
/// first one (the genesis hash and 0 for a chain checked from its start). Returns the last
/// hash and number, to continue with the next run.
pub fn verify_chain<'a>(
    before: (&str, i64),
    events: impl IntoIterator<Item = &'a AuditEvent>,
) -> Result<(String, i64), ChainBreak> {
    let (mut prev_hash, mut prev_seq) = (before.0.to_owned(), before.1);
    for event in events {
        if event.seq != prev_seq + 1 {
            return Err(ChainBreak::Gap {
                seq: event.seq,
                previous: prev_seq,
            });
        }
        if event.prev_hash != prev_hash {
            return Err(ChainBreak::Unlinked { seq: event.seq });
        }
        if event.compute_hash() != event.hash {
            return Err(ChainBreak::Altered { seq: event.seq });
        }
        prev_hash.clone_from(&event.hash);
        prev_seq = event.seq;
    }
    Ok((prev_hash, prev_seq))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let event = NewAuditEvent::new(
                    datetime!(2026-02-01 10:00 UTC) + time::Duration::seconds(seq),
                    Actor::System,
                    "level.create",
                    "level",
                )
                .target(seq)
                .details(&serde_json::json!({"name": format!("L{seq}")}))
                .seal(seq, &prev);
                prev = event.hash.clone();
                event
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let events = chain(5);
        let (last, seq) = verify_chain((GENESIS_HASH, 0), &events).unwrap();
        assert_eq!(seq, 5);
        assert_eq!(last, events[4].hash);
        // Verifying in two runs gives the same answer.
        let head = verify_chain((GENESIS_HASH, 0), &events[..2]).unwrap();
        assert!(verify_chain((&head.0, head.1), &events[2..]).is_ok());
    }

    #[test]
    fn edits_deletions_and_swaps_are_detected() {
        let mut edited = chain(4);
        edited[2].details = r#"{"name":"forged"}"#.into();
        assert_eq!(
            verify_chain((GENESIS_HASH, 0), &edited),
            Err(ChainBreak::Altered { seq: 3 })
        );

        let mut deleted = chain(4);
        deleted.remove(1);
        assert_eq!(
            verify_chain((GENESIS_HASH, 0), &deleted),
            Err(ChainBreak::Gap {
                seq: 3,
                previous: 1
            })
        );

        // Recomputing the edited event's own hash does not help: the next one no longer links.
        let mut rehashed = chain(4);
        rehashed[1].action = "level.delete".into();
        rehashed[1].hash = rehashed[1].compute_hash();
        assert_eq!(
            verify_chain((GENESIS_HASH, 0), &rehashed),
            Err(ChainBreak::Unlinked { seq: 3 })
        );

        let mut actor = chain(2);
        actor[0].actor = Actor::Anonymous;
        assert_eq!(
            verify_chain((GENESIS_HASH, 0), &actor),
            Err(ChainBreak::Altered { seq: 1 })
        );
    }
}
