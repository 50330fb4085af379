//! Answers kept for a moment: the machine-to-machine endpoints of the OpenID Connect provider
//! are asked the same questions again and again (a client authenticating at every token
//! request, a resource server introspecting the token of every call it serves, userinfo for
//! the same token), and each answer took several database reads.
//!
//! An answer is kept with the store's count of committed changes read *before* the database
//! was, and is used only while that count has not moved and for at most [`KEEP_FOR`]: a
//! change committed on this node (a session ended, an account suspended, a token revoked, a
//! client edited) takes effect at once, and so does one committed by another node over the
//! same PostgreSQL database once its `NOTIFY` is heard (`tessera_store`'s `changes.rs`); a
//! change nobody announces takes effect within [`KEEP_FOR`]. Writes that touch no such fact
//! (rotating a refresh token) are declared with `Tx::keeps_cached_facts` and leave the
//! answers standing.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};

use time::{Duration, OffsetDateTime};

/// The longest an answer is used, and so the longest an unannounced change goes unseen.
pub(crate) const KEEP_FOR: Duration = Duration::seconds(2);

/// Entries kept at most; when full, the stale ones go, and if none is stale, all of them.
const CAPACITY: usize = 50_000;

struct Entry<V> {
    value: V,
    changes: u64,
    until: OffsetDateTime,
}

/// A map of answers, each tagged with the change count it was read under and when it stops
/// being used.
pub(crate) struct Fresh<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> Default for Fresh<K, V> {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl<K: Eq + Hash, V: Clone> Fresh<K, V> {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The answer kept for `key`, when it was read under `changes` and is still in time.
    pub(crate) fn get<Q>(&self, key: &Q, changes: u64, now: OffsetDateTime) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|entry| entry.changes == changes && now < entry.until)
            .map(|entry| entry.value.clone())
    }

    /// Keeps `value` read under `changes` until `until` (at most [`KEEP_FOR`] from `now`).
    pub(crate) fn put(
        &self,
        key: K,
        value: V,
        changes: u64,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) {
        let until = until.min(now + KEEP_FOR);
        if until <= now {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, entry| entry.changes == changes && now < entry.until);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                value,
                changes,
                until,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);

    #[test]
    fn an_answer_is_used_while_nothing_changed_and_in_time() {
        let fresh: Fresh<String, u32> = Fresh::default();
        fresh.put("a".into(), 1, 7, T0, T0 + Duration::hours(1));
        assert_eq!(fresh.get("a", 7, T0 + Duration::seconds(1)), Some(1));
        // A committed change since: not used.
        assert_eq!(fresh.get("a", 8, T0 + Duration::seconds(1)), None);
        // Kept for KEEP_FOR at most, however long the answer itself lives.
        assert_eq!(fresh.get("a", 7, T0 + KEEP_FOR), None);
        assert_eq!(fresh.get("b", 7, T0), None);
    }

    #[test]
    fn an_answer_ends_with_its_own_lifetime() {
        let fresh: Fresh<String, u32> = Fresh::default();
        fresh.put("a".into(), 1, 0, T0, T0 + Duration::milliseconds(500));
        assert_eq!(fresh.get("a", 0, T0 + Duration::milliseconds(499)), Some(1));
        assert_eq!(fresh.get("a", 0, T0 + Duration::milliseconds(500)), None);
        // Already over: not kept at all.
        fresh.put("b".into(), 2, 0, T0, T0);
        assert_eq!(fresh.get("b", 0, T0 - Duration::seconds(1)), None);
    }

    #[test]
    fn a_full_map_drops_stale_answers_first_then_everything() {
        let fresh: Fresh<u32, u32> = Fresh::with_capacity(2);
        let later = T0 + Duration::hours(1);
        fresh.put(1, 1, 0, T0, later);
        fresh.put(2, 2, 1, T0, later);
        // Full: the answer read under the old count goes, the current one stays.
        fresh.put(3, 3, 1, T0, later);
        assert_eq!(fresh.get(&1, 0, T0), None);
        assert_eq!(fresh.get(&2, 1, T0), Some(2));
        assert_eq!(fresh.get(&3, 1, T0), Some(3));
        // Full of current answers: all go, the new one is kept.
        fresh.put(4, 4, 1, T0, later);
        assert_eq!(fresh.get(&2, 1, T0), None);
        assert_eq!(fresh.get(&4, 1, T0), Some(4));
    }
}
