//! Organisation levels: the tree whose root is the institution.
//!
//! Each level keeps a materialised path of the ids from the root down to itself
//! (`/root/child/grandchild/`), so "this level and every level below it" is one index range
//! scan on any database, with no recursive query.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use crate::error::FieldError;
use crate::ids::LevelId;

/// The longest level name, in characters.
pub const LEVEL_NAME_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub id: LevelId,
    pub parent_id: Option<LevelId>,
    pub name: String,
    /// `/` + the ids from the root to this level, each followed by `/`.
    pub path: String,
    /// The one level of self-registered accounts, which belong to no organisation (shown
    /// as "External"; no sub-levels, no administrators; see `crate::registration`).
    #[serde(default)]
    pub external: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl Level {
    /// A root level (the institution).
    pub fn new_root(id: LevelId, name: &str, now: OffsetDateTime) -> Result<Self, FieldError> {
        Ok(Self {
            id,
            parent_id: None,
            name: level_name(name)?,
            path: format!("/{id}/"),
            external: false,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// A level below `parent`.
    pub fn new_child(
        id: LevelId,
        parent: &Level,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<Self, FieldError> {
        Ok(Self {
            id,
            parent_id: Some(parent.id),
            name: level_name(name)?,
            path: format!("{}{id}/", parent.path),
            external: false,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// Whether `other` is this level or lies below it.
    pub fn contains(&self, other: &Level) -> bool {
        path_contains(&self.path, &other.path)
    }

    /// The half-open range of paths `[low, high)` that covers this level and its subtree,
    /// for an index range scan.
    pub fn subtree_range(&self) -> (String, String) {
        subtree_range(&self.path)
    }

    /// How many levels lie above this one.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(2)
    }
}

/// Whether the level at `path` is the level at `top` or lies below it. Paths end in '/', so a
/// sibling whose name merely starts the same (`/r/ex/` beside `/r/e/`) is not inside.
pub fn path_contains(top: &str, path: &str) -> bool {
    path.starts_with(top)
}

/// The half-open path range of a subtree: every path that starts with `path`.
pub fn subtree_range(path: &str) -> (String, String) {
    // Paths end in '/', and '0' is the character right after '/', so every path with this
    // prefix sorts before the prefix with its last '/' replaced by '0'.
    let mut high = path.trim_end_matches('/').to_owned();
    high.push('0');
    (path.to_owned(), high)
}

/// Validates and normalises a level name: trimmed, NFC, not empty, no control characters.
pub fn level_name(raw: &str) -> Result<String, FieldError> {
    let name: String = raw.trim().nfc().collect();
    if name.is_empty() {
        return Err(FieldError {
            field: "name",
            code: "required",
            message: "Enter a name for the level.".into(),
        });
    }
    if name.chars().count() > LEVEL_NAME_MAX {
        return Err(FieldError {
            field: "name",
            code: "too_long",
            message: format!("A level name has at most {LEVEL_NAME_MAX} characters."),
        });
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError {
            field: "name",
            code: "invalid",
            message: "A level name cannot contain control characters.".into(),
        });
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn id(n: u8) -> LevelId {
        LevelId::new(datetime!(2026-01-01 00:00 UTC), [n; 10])
    }

    #[test]
    fn paths_nest_and_subtree_range_covers_exactly_the_subtree() {
        let now = datetime!(2026-01-01 00:00 UTC);
        let root = Level::new_root(id(1), "Root", now).unwrap();
        let bank_e = Level::new_child(id(2), &root, "Bank E", now).unwrap();
        let payments = Level::new_child(id(3), &bank_e, "Payments", now).unwrap();
        let bank_f = Level::new_child(id(4), &root, "Bank F", now).unwrap();
        assert!(root.contains(&payments));
        assert!(bank_e.contains(&payments));
        assert!(bank_e.contains(&bank_e));
        assert!(!bank_e.contains(&bank_f));
        assert!(!payments.contains(&bank_e));
        assert_eq!(root.depth(), 0);
        assert_eq!(payments.depth(), 2);

        let (low, high) = bank_e.subtree_range();
        let inside = |l: &Level| l.path >= low && l.path < high;
        assert!(inside(&bank_e));
        assert!(inside(&payments));
        assert!(!inside(&bank_f));
        assert!(!inside(&root));
    }

    #[test]
    fn names_are_trimmed_normalised_and_checked() {
        assert_eq!(level_name("  Bank E ").unwrap(), "Bank E");
        // "e" followed by a combining acute accent becomes the single precomposed character.
        assert_eq!(
            level_name("Banque de Fe\u{301}de\u{301}ration").unwrap(),
            "Banque de Fédération"
        );
        assert_eq!(level_name("   ").unwrap_err().code, "required");
        assert_eq!(level_name(&"x".repeat(101)).unwrap_err().code, "too_long");
        assert_eq!(level_name("a\u{7}b").unwrap_err().code, "invalid");
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;

    /// A random tree: each new level hangs below one of the levels made before it.
    fn tree(parents: &[usize], ids: &[[u8; 10]]) -> Vec<Level> {
        let now = datetime!(2026-01-01 00:00 UTC);
        let mut levels = vec![Level::new_root(LevelId::new(now, ids[0]), "Root", now).unwrap()];
        for (i, parent) in parents.iter().enumerate() {
            let parent = levels[parent % levels.len()].clone();
            let id = LevelId::new(now, ids[i + 1]);
            levels.push(Level::new_child(id, &parent, &format!("L{i}"), now).unwrap());
        }
        levels
    }

    proptest! {
        #[test]
        fn the_subtree_range_holds_exactly_the_subtree(
            parents in proptest::collection::vec(0usize..1000, 1..40),
            seed in proptest::collection::vec(any::<[u8; 10]>(), 41),
        ) {
            let mut ids = seed.clone();
            ids.sort();
            ids.dedup();
            prop_assume!(ids.len() > parents.len());
            let levels = tree(&parents, &ids);
            for ancestor in &levels {
                let (low, high) = ancestor.subtree_range();
                for level in &levels {
                    let in_range = level.path >= low && level.path < high;
                    prop_assert_eq!(in_range, ancestor.contains(level));
                    // Containment is exactly "the ancestor's id is on the level's path".
                    let on_path = level.path.split('/').any(|id| id == ancestor.id.to_string());
                    prop_assert_eq!(on_path, ancestor.contains(level));
                }
            }
        }
    }
}
