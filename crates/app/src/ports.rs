//! Time and randomness, given to the app from outside so tests control them.

use time::OffsetDateTime;

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

pub trait Random: Send + Sync {
    fn fill(&self, buf: &mut [u8]);
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// The operating system's secure random source.
pub struct SystemRandom;

impl Random for SystemRandom {
    fn fill(&self, buf: &mut [u8]) {
        // The OS source does not fail on the platforms Tessera runs on; if it ever did, the
        // bytes stay unusable zeros only until the process is restarted, so log it loudly.
        if tessera_auth::fill_random(buf).is_err() {
            tracing::error!("the operating system's random source failed");
        }
    }
}
