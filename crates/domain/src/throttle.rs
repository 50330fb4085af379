//! Throttling of sign-in failures, per account: a growing wait between tries after a few
//! failures, then a temporary lock. Failures of passwords and of codes count alike.
//!
//! The state is kept by the address that was typed, not by account, so an address with no
//! account is throttled exactly like one with: locking never tells which accounts exist.

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed without any wait.
    pub free_failures: i32,
    /// The wait after the first failure beyond the free ones; it doubles with each further one.
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// After this many failures in a row the account is locked...
    pub lock_after: i32,
    /// ...for this long.
    pub lock_for: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 3,
            first_wait: Duration::seconds(1),
            max_wait: Duration::seconds(30),
            lock_after: 10,
            lock_for: Duration::minutes(15),
        }
    }
}

/// Failures recorded against one sign-in address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: i32,
    pub last_at: Option<OffsetDateTime>,
    pub locked_until: Option<OffsetDateTime>,
}

/// Whether a sign-in attempt may go ahead now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Too soon after the last failure: try again after this time.
    Wait(OffsetDateTime),
    /// Locked until this time (or until an administrator lifts the lock).
    Locked(OffsetDateTime),
}

impl ThrottlePolicy {
    /// The wait that follows the `count`-th failure in a row.
    fn wait_after(&self, count: i32) -> Duration {
        let beyond = count - self.free_failures;
        if beyond <= 0 {
            return Duration::ZERO;
        }
        let doublings = u32::try_from(beyond - 1).unwrap_or(0).min(20);
        (self.first_wait * 2_i32.pow(doublings)).min(self.max_wait)
    }

    pub fn gate(&self, failures: &Failures, now: OffsetDateTime) -> Gate {
        if let Some(until) = failures.locked_until
            && now < until
        {
            return Gate::Locked(until);
        }
        match failures.last_at {
            Some(last) => {
                let ready = last + self.wait_after(failures.count);
                if now < ready {
                    Gate::Wait(ready)
                } else {
                    Gate::Open
                }
            }
            None => Gate::Open,
        }
    }

    /// The state after one more failure at `now`. A lock that has run out starts the count
    /// again.
    pub fn after_failure(&self, failures: &Failures, now: OffsetDateTime) -> Failures {
        let expired_lock = failures.locked_until.is_some_and(|until| now >= until);
        let count = if expired_lock { 1 } else { failures.count + 1 };
        Failures {
            count,
            last_at: Some(now),
            locked_until: (count >= self.lock_after).then(|| now + self.lock_for),
        }
    }

    /// Whether this failure is the one that locks the account (it is audited).
    pub fn locks_now(&self, before: &Failures, after: &Failures) -> bool {
        after.locked_until.is_some() && before.locked_until != after.locked_until
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-06-01 10:00 UTC);

    #[test]
    fn a_few_failures_are_free_then_waits_grow_then_a_lock() {
        let policy = ThrottlePolicy::default();
        let mut state = Failures::default();
        let mut now = T0;
        for _ in 0..3 {
            assert_eq!(policy.gate(&state, now), Gate::Open);
            state = policy.after_failure(&state, now);
        }
        assert_eq!(
            policy.gate(&state, now),
            Gate::Open,
            "three failures are free"
        );
        state = policy.after_failure(&state, now);
        assert_eq!(
            policy.gate(&state, now),
            Gate::Wait(now + Duration::seconds(1))
        );
        now += Duration::seconds(1);
        assert_eq!(policy.gate(&state, now), Gate::Open);
        state = policy.after_failure(&state, now);
        assert_eq!(
            policy.gate(&state, now),
            Gate::Wait(now + Duration::seconds(2))
        );
        for _ in 0..4 {
            now += Duration::seconds(30);
            state = policy.after_failure(&state, now);
        }
        assert_eq!(state.count, 9);
        assert_eq!(
            policy.gate(&state, now),
            Gate::Wait(now + Duration::seconds(30))
        );
        now += Duration::seconds(30);
        let before = state;
        state = policy.after_failure(&state, now);
        assert!(policy.locks_now(&before, &state));
        assert_eq!(
            policy.gate(&state, now),
            Gate::Locked(now + Duration::minutes(15))
        );
        // After the lock the count starts again.
        now += Duration::minutes(15);
        assert_eq!(policy.gate(&state, now), Gate::Open);
        state = policy.after_failure(&state, now);
        assert_eq!(state.count, 1);
        assert_eq!(state.locked_until, None);
    }
}
