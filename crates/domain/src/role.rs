//! Administrative roles and where they apply.

use serde::{Deserialize, Serialize};

/// An administrative role held at an organisation level (for operators: the root).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Staff of the institution: administers everything.
    Operator,
    /// Delegated user administrator: manages the users of a level and the levels below it.
    UserAdmin,
    /// Delegated access administrator: assigns memberships in a level and below it.
    AccessAdmin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Operator, Role::UserAdmin, Role::AccessAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::UserAdmin => "user_admin",
            Role::AccessAdmin => "access_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
