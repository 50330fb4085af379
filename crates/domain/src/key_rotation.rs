//! When signing keys rotate and which one signs: a new key is published (in the JWKS) for a
//! while before it signs, so relying parties that cache the key set know it before they meet
//! it; an old key stays published after it stops signing for as long as its tokens live.

use time::{Duration, OffsetDateTime};

/// How keys rotate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationPolicy {
    /// A key older than this is replaced by the periodic sweep.
    pub rotate_after: Duration,
    /// A new key is published this long before it signs.
    pub publish_ahead: Duration,
    /// A replaced key stays published this long after it stops signing (at least the
    /// longest lifetime of a token it signed).
    pub overlap: Duration,
}

impl Default for RotationPolicy {
    fn default() -> Self {
        Self {
            rotate_after: Duration::days(90),
            publish_ahead: Duration::hours(1),
            overlap: Duration::days(1),
        }
    }
}

impl RotationPolicy {
    /// Whether the newest key (created at `newest`) is due for replacement at `now`.
    pub fn due(&self, newest: OffsetDateTime, now: OffsetDateTime) -> bool {
        now - newest >= self.rotate_after
    }

    /// When the keys replaced at `now` leave the published set: after the new key has
    /// started signing and every token the old ones signed has expired.
    pub fn retire_replaced_at(&self, now: OffsetDateTime) -> OffsetDateTime {
        now + self.publish_ahead + self.overlap
    }

    /// Which of the live keys signs at `now`, given their creation times newest first: the
    /// newest that has been published long enough, else the one published longest (on a
    /// fresh installation, its only key).
    pub fn signing_index(
        &self,
        created_newest_first: &[OffsetDateTime],
        now: OffsetDateTime,
    ) -> Option<usize> {
        created_newest_first
            .iter()
            .position(|created| now - *created >= self.publish_ahead)
            .or_else(|| created_newest_first.len().checked_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_new_key_signs_only_after_it_was_published_long_enough() {
        let policy = RotationPolicy::default();
        let old = datetime!(2026-01-01 0:00 UTC);
        let rotated = datetime!(2026-04-01 0:00 UTC);
        let keys = [rotated, old];
        // Half an hour after the rotation the old key still signs; an hour after, the new.
        assert_eq!(
            policy.signing_index(&keys, rotated + Duration::minutes(30)),
            Some(1)
        );
        assert_eq!(
            policy.signing_index(&keys, rotated + Duration::hours(1)),
            Some(0)
        );
        // The only key of a fresh installation signs at once.
        assert_eq!(policy.signing_index(&[rotated], rotated), Some(0));
        assert_eq!(policy.signing_index(&[], rotated), None);
        // Two keys both too new (rotated twice in a row): the older keeps signing.
        let again = rotated + Duration::minutes(5);
        assert_eq!(policy.signing_index(&[again, rotated], again), Some(1));
    }

    #[test]
    fn keys_rotate_on_schedule_and_old_ones_stay_published_for_their_tokens() {
        let policy = RotationPolicy::default();
        let created = datetime!(2026-01-01 0:00 UTC);
        assert!(!policy.due(created, created + Duration::days(89)));
        assert!(policy.due(created, created + Duration::days(90)));
        let now = datetime!(2026-04-01 0:00 UTC);
        assert_eq!(policy.retire_replaced_at(now), now + Duration::hours(25));
    }
}
