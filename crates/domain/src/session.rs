//! Single sign-on sessions: how strong they are and how long they last.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How sure Tessera is of who is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assurance {
    /// A password alone.
    Low,
    /// A password and a second factor.
    Medium,
    /// A password and a phishing-resistant second factor (security key, passkey).
    High,
}

impl Assurance {
    pub fn as_str(self) -> &'static str {
        match self {
            Assurance::Low => "low",
            Assurance::Medium => "medium",
            Assurance::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Assurance::Low, Assurance::Medium, Assurance::High]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// How long sessions live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// No session lasts longer than this, used or not.
    pub absolute: Duration,
    /// Last use is written at most this often, so reading a page is not a write each time.
    pub touch_every: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
            touch_every: Duration::minutes(1),
        }
    }
}

/// Whether a session may still be used at `now`.
pub fn session_is_live(
    policy: &SessionPolicy,
    created_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    ended: bool,
    now: OffsetDateTime,
) -> bool {
    !ended && now < created_at + policy.absolute && now < last_seen_at + policy.idle
}

/// Whether this use of a session should be recorded as its last use.
pub fn session_needs_touch(
    policy: &SessionPolicy,
    last_seen_at: OffsetDateTime,
    now: OffsetDateTime,
) -> bool {
    now >= last_seen_at + policy.touch_every
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sessions_end_when_idle_or_too_old_or_ended() {
        let policy = SessionPolicy::default();
        let start = datetime!(2026-04-01 08:00 UTC);
        let live = |last: OffsetDateTime, now: OffsetDateTime| {
            session_is_live(&policy, start, last, false, now)
        };
        assert!(live(start, start + Duration::minutes(29)));
        assert!(!live(start, start + Duration::minutes(30)));
        // Used every 20 minutes, it still ends after 12 hours.
        assert!(live(
            start + Duration::hours(11),
            start + Duration::hours(11) + Duration::minutes(20)
        ));
        assert!(!live(
            start + Duration::hours(11) + Duration::minutes(50),
            start + Duration::hours(12)
        ));
        assert!(!session_is_live(&policy, start, start, true, start));
        assert!(!session_needs_touch(
            &policy,
            start,
            start + Duration::seconds(59)
        ));
        assert!(session_needs_touch(
            &policy,
            start,
            start + Duration::seconds(60)
        ));
        assert!(Assurance::Medium > Assurance::Low);
        assert_eq!(Assurance::parse("high"), Some(Assurance::High));
    }
}
