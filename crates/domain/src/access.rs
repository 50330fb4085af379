//! Who may do what (DESIGN.md §2), decided in one place: [`allowed`]. Every door (pages, the
//! JSON API, the command line) asks it through the app layer; no handler decides a permission
//! by itself.
//!
//! Administrators hold roles at an organisation level and act on that level and the levels
//! below it (its subtree), never above or beside it. Levels are identified here by their
//! materialised path (`/root/bank-e/payments/`), so "within the subtree" is a prefix test.

use crate::audit::Actor;
use crate::level::path_contains;
use crate::role::Role;

/// A role held at a level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    /// The path of the level the role is held at.
    pub level_path: String,
}

/// Someone acting, with the roles they hold.
#[derive(Debug, Clone, Copy)]
pub struct Principal<'a> {
    pub actor: Actor,
    pub grants: &'a [Grant],
}

impl<'a> Principal<'a> {
    pub fn new(actor: Actor, grants: &'a [Grant]) -> Self {
        Self { actor, grants }
    }

    /// Tessera itself (start-up, sweeps, the command line on the server).
    pub fn system() -> Principal<'static> {
        Principal {
            actor: Actor::System,
            grants: &[],
        }
    }

    pub fn is_operator(&self) -> bool {
        matches!(self.actor, Actor::System) || self.holds(Role::Operator)
    }

    fn holds(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Whether a role is held at `path` or at a level above it.
    fn holds_over(&self, role: Role, path: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && path_contains(&g.level_path, path))
    }
}

/// What someone wants to do. Actions on a user or a level name the path of the level
/// concerned (the user's level; for a move, each of the two levels is asked about).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Create, rename, move or delete organisation levels.
    ManageLevels,
    /// See the levels (the tree) at and below a level, to search and place users.
    ViewLevels { level: &'a str },
    /// Search and view the users of a level.
    ViewUsers { level: &'a str },
    /// Create, edit or delete a user of a level (and place a user there).
    ManageUsers { level: &'a str },
    /// Lift a sign-in lock, or end every session, of a user of a level.
    SecureAccount { level: &'a str },
    /// Nominate a user of a level as user or access administrator there.
    Nominate { level: &'a str, nominee: Actor },
    /// Confirm or reject a nomination; appoint or revoke an administrator directly.
    DecideRoles { subject: Actor },
    /// Read the audit events of a level's subtree.
    ReadAudit { level: &'a str },
    /// Read the outbox and send test messages.
    OperateDelivery,
    /// Rotate the keys that sign tokens.
    ManageSigningKeys,
    /// Register applications, their tiles and groups, and decide which organisations may be
    /// granted which groups.
    ManageApplications,
    /// Grant or remove a membership of a group for a user of a level. `grantable` holds the
    /// paths of the levels whose subtrees the group may be granted to.
    AssignMembership {
        level: &'a str,
        member: Actor,
        grantable: &'a [String],
    },
}

/// The one decision: may `who` do `action`?
pub fn allowed(who: &Principal<'_>, action: Action<'_>) -> bool {
    if matches!(who.actor, Actor::System) {
        return true;
    }
    if !matches!(who.actor, Actor::User(_)) {
        // Someone not signed in administers nothing.
        return false;
    }
    let operator = who.holds(Role::Operator);
    match action {
        Action::ManageLevels | Action::OperateDelivery | Action::ManageSigningKeys => operator,
        Action::ManageUsers { level } | Action::SecureAccount { level } => {
            operator || who.holds_over(Role::UserAdmin, level)
        }
        Action::ViewUsers { level }
        | Action::ViewLevels { level }
        | Action::ReadAudit { level } => {
            operator
                || who.holds_over(Role::UserAdmin, level)
                || who.holds_over(Role::AccessAdmin, level)
        }
        // Nobody raises their own rights: not by nominating themselves, not by deciding on
        // their own roles.
        Action::Nominate { level, nominee } => {
            nominee != who.actor && (operator || who.holds_over(Role::UserAdmin, level))
        }
        Action::DecideRoles { subject } => operator && subject != who.actor,
        Action::ManageApplications => operator,
        // Access administrators grant in their subtree, and only the groups the application
        // grants to a level at or above the member's; nobody grants to themselves.
        Action::AssignMembership {
            level,
            member,
            grantable,
        } => {
            member != who.actor
                && (operator
                    || (who.holds_over(Role::AccessAdmin, level)
                        && grantable.iter().any(|top| path_contains(top, level))))
        }
    }
}

/// Whether removing an operator (revoking the role or deleting the person) is possible:
/// never the last one.
pub fn may_remove_operator(operators_now: i64) -> bool {
    operators_now > 1
}

/// Reading the outbox (message states, attempts, errors; never the messages' values):
/// operators, and Tessera itself on its command line.
pub fn may_view_outbox(actor: Actor, roles: &[Role]) -> bool {
    matches!(actor, Actor::System)
        || (matches!(actor, Actor::User(_)) && roles.contains(&Role::Operator))
}

/// Whether someone holding these roles has a Users page at all (operators and user and
/// access administrators); what it shows is decided record by record by [`allowed`].
pub fn may_open_directory(actor: Actor, roles: &[Role]) -> bool {
    matches!(actor, Actor::System) || (matches!(actor, Actor::User(_)) && !roles.is_empty())
}

/// Sending a test message to check a delivery adapter: the same people.
pub fn may_send_test_message(actor: Actor, roles: &[Role]) -> bool {
    may_view_outbox(actor, roles)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;
    use proptest::prelude::*;

    fn user(n: u8) -> Actor {
        Actor::User(UserId(uuid::Uuid::from_bytes([n; 16])))
    }

    fn grant(role: Role, path: &str) -> Grant {
        Grant {
            role,
            level_path: path.to_owned(),
        }
    }

    const ROOT: &str = "/r/";
    const BANK_E: &str = "/r/e/";
    const PAYMENTS: &str = "/r/e/p/";
    const BANK_F: &str = "/r/f/";

    #[test]
    fn user_administrators_act_in_their_subtree_only() {
        let grants = [grant(Role::UserAdmin, BANK_E)];
        let dua = Principal::new(user(1), &grants);
        for level in [BANK_E, PAYMENTS] {
            assert!(allowed(&dua, Action::ManageUsers { level }));
            assert!(allowed(&dua, Action::ViewUsers { level }));
            assert!(allowed(&dua, Action::SecureAccount { level }));
            assert!(allowed(&dua, Action::ReadAudit { level }));
        }
        for level in [ROOT, BANK_F] {
            assert!(!allowed(&dua, Action::ManageUsers { level }));
            assert!(!allowed(&dua, Action::ViewUsers { level }));
            assert!(!allowed(&dua, Action::SecureAccount { level }));
        }
        assert!(!allowed(&dua, Action::ManageLevels));
        assert!(!allowed(&dua, Action::OperateDelivery));
        assert!(allowed(
            &dua,
            Action::Nominate {
                level: PAYMENTS,
                nominee: user(2)
            }
        ));
        assert!(!allowed(
            &dua,
            Action::Nominate {
                level: BANK_E,
                nominee: user(1)
            }
        ));
        assert!(!allowed(&dua, Action::DecideRoles { subject: user(2) }));
    }

    #[test]
    fn access_administrators_see_but_do_not_change_users() {
        let grants = [grant(Role::AccessAdmin, BANK_F)];
        let daa = Principal::new(user(1), &grants);
        assert!(allowed(&daa, Action::ViewUsers { level: BANK_F }));
        assert!(!allowed(&daa, Action::ViewUsers { level: BANK_E }));
        assert!(!allowed(&daa, Action::ManageUsers { level: BANK_F }));
        assert!(!allowed(
            &daa,
            Action::Nominate {
                level: BANK_F,
                nominee: user(2)
            }
        ));
    }

    #[test]
    fn access_administrators_grant_only_groups_granted_to_the_subtree() {
        let grants = [grant(Role::AccessAdmin, BANK_E)];
        let daa = Principal::new(user(1), &grants);
        let to_bank_e = [BANK_E.to_owned()];
        let to_root = [ROOT.to_owned()];
        let to_payments = [PAYMENTS.to_owned()];
        let assign = |level, member, grantable| Action::AssignMembership {
            level,
            member,
            grantable,
        };
        assert!(allowed(&daa, assign(PAYMENTS, user(2), &to_bank_e)));
        assert!(allowed(&daa, assign(BANK_E, user(2), &to_root)));
        // The group is granted to Payments only: not to a user of Bank E itself.
        assert!(!allowed(&daa, assign(BANK_E, user(2), &to_payments)));
        assert!(!allowed(&daa, assign(BANK_F, user(2), &to_root)));
        assert!(!allowed(&daa, assign(PAYMENTS, user(1), &to_bank_e)));
        assert!(!allowed(&daa, assign(PAYMENTS, user(2), &[])));
        assert!(!allowed(&daa, Action::ManageApplications));
        let dua_grants = [grant(Role::UserAdmin, BANK_E)];
        let dua = Principal::new(user(1), &dua_grants);
        assert!(!allowed(&dua, assign(PAYMENTS, user(2), &to_bank_e)));
    }

    #[test]
    fn operators_do_everything_but_decide_their_own_roles() {
        let grants = [grant(Role::Operator, ROOT)];
        let op = Principal::new(user(1), &grants);
        assert!(allowed(&op, Action::ManageLevels));
        assert!(allowed(&op, Action::ManageUsers { level: BANK_F }));
        assert!(allowed(&op, Action::DecideRoles { subject: user(2) }));
        assert!(!allowed(&op, Action::DecideRoles { subject: user(1) }));
        assert!(allowed(&Principal::system(), Action::ManageLevels));
        let nobody = Principal::new(Actor::Anonymous, &grants);
        assert!(!allowed(&nobody, Action::ViewUsers { level: ROOT }));
        assert!(!may_remove_operator(1));
        assert!(may_remove_operator(2));
    }

    #[test]
    fn a_level_is_not_inside_a_sibling_with_a_longer_name() {
        // "/r/e/" must not count as containing "/r/ex/".
        let grants = [grant(Role::UserAdmin, "/r/e/")];
        let dua = Principal::new(user(1), &grants);
        assert!(!allowed(&dua, Action::ManageUsers { level: "/r/ex/" }));
    }

    /// A random tree: level i's parent is an earlier level (0 is the root).
    fn tree() -> impl Strategy<Value = Vec<usize>> {
        (1usize..24).prop_flat_map(|n| {
            (0..n)
                .map(|i| {
                    if i == 0 {
                        Just(0).boxed()
                    } else {
                        (0..i).boxed()
                    }
                })
                .collect::<Vec<_>>()
        })
    }

    /// Paths of the tree's levels, as the store keeps them.
    fn paths(parents: &[usize]) -> Vec<String> {
        let mut paths: Vec<String> = Vec::with_capacity(parents.len());
        for (i, parent) in parents.iter().enumerate() {
            let path = if i == 0 {
                format!("/l{i}/")
            } else {
                format!("{}l{i}/", paths[*parent])
            };
            paths.push(path);
        }
        paths
    }

    /// The oracle, written from the table of DESIGN.md §2 without paths: walks parent links.
    fn is_at_or_below(parents: &[usize], level: usize, top: usize) -> bool {
        let mut at = level;
        loop {
            if at == top {
                return true;
            }
            if at == 0 {
                return false;
            }
            at = parents[at];
        }
    }

    fn role_of(n: u8) -> Role {
        Role::ALL[usize::from(n) % Role::ALL.len()]
    }

    proptest! {
        #[test]
        fn nothing_outside_the_rules_is_ever_allowed(
            parents in tree(),
            held in proptest::collection::vec((0u8..3, 0usize..64), 0..4),
            target in 0usize..64,
            action_kind in 0u8..12,
            other in 0u8..2,
            granted_to in proptest::collection::vec(0usize..64, 0..3),
        ) {
            let paths = paths(&parents);
            let n = paths.len();
            let grants: Vec<Grant> = held
                .iter()
                .map(|(r, l)| grant(role_of(*r), &paths[l % n]))
                .collect();
            let me = user(7);
            let subject = if other == 0 { me } else { user(8) };
            let who = Principal::new(me, &grants);
            let level = target % n;
            let path = paths[level].as_str();
            let holds_over = |role: Role| held
                .iter()
                .any(|(r, l)| role_of(*r) == role && is_at_or_below(&parents, level, l % n));
            let operator = held.iter().any(|(r, _)| role_of(*r) == Role::Operator);
            let dua = holds_over(Role::UserAdmin);
            let daa = holds_over(Role::AccessAdmin);
            let grantable: Vec<String> = granted_to.iter().map(|l| paths[l % n].clone()).collect();
            let group_reaches = granted_to.iter().any(|l| is_at_or_below(&parents, level, l % n));
            let (action, expected) = match action_kind {
                0 => (Action::ManageLevels, operator),
                1 => (Action::ViewLevels { level: path }, operator || dua || daa),
                2 => (Action::ViewUsers { level: path }, operator || dua || daa),
                3 => (Action::ManageUsers { level: path }, operator || dua),
                4 => (Action::SecureAccount { level: path }, operator || dua),
                5 => (
                    Action::Nominate { level: path, nominee: subject },
                    subject != me && (operator || dua),
                ),
                6 => (Action::DecideRoles { subject }, operator && subject != me),
                7 => (Action::ReadAudit { level: path }, operator || dua || daa),
                8 => (Action::ManageApplications, operator),
                10 => (Action::ManageSigningKeys, operator),
                9 => (
                    Action::AssignMembership { level: path, member: subject, grantable: &grantable },
                    subject != me && (operator || (daa && group_reaches)),
                ),
                _ => (Action::OperateDelivery, operator),
            };
            prop_assert_eq!(allowed(&who, action), expected, "{:?} with {:?}", action, grants);
            // Someone not signed in is never allowed anything, whatever roles are claimed.
            let nobody = Principal::new(Actor::Anonymous, &grants);
            prop_assert!(!allowed(&nobody, action));
        }
    }
}
