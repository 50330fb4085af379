//! Typed identifiers, so a user id is never passed where a level id is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A time-ordered id (UUIDv7) built from the given random bytes and time, so
            /// inserts stay local in B-tree indexes and tests can build ids deterministically.
            pub fn new(now: time::OffsetDateTime, random: [u8; 10]) -> Self {
                let millis = u64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
                Self(uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// Identifies an organisation level.
    LevelId
);
id_type!(
    /// Identifies a user account.
    UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_time_ordered() {
        let t1 = time::macros::datetime!(2026-01-01 00:00 UTC);
        let t2 = time::macros::datetime!(2026-01-01 00:00:01 UTC);
        let a = UserId::new(t1, [0xff; 10]);
        let b = UserId::new(t2, [0x00; 10]);
        assert!(a < b);
        assert_eq!(a.0.get_version_num(), 7);
        assert_eq!(a.to_string().parse::<UserId>().ok(), Some(a));
    }
}
