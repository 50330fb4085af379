//! Who may do what (DESIGN.md §2). Every door asks these functions; no handler decides a
//! permission by itself. The directory rules (levels, users, memberships) join here with the
//! administration work.

use crate::audit::Actor;
use crate::role::Role;

/// Reading the outbox (message states, attempts, errors; never the messages' values):
/// operators, and Tessera itself on its command line.
pub fn may_view_outbox(actor: Actor, roles: &[Role]) -> bool {
    matches!(actor, Actor::System) || roles.contains(&Role::Operator)
}

/// Sending a test message to check a delivery adapter: the same people.
pub fn may_send_test_message(actor: Actor, roles: &[Role]) -> bool {
    may_view_outbox(actor, roles)
}

/// Lifting a sign-in lock: operators and Tessera's command line. (User administrators of the
/// person's level join when the directory rules arrive.)
pub fn may_unlock_sign_in(actor: Actor, roles: &[Role]) -> bool {
    matches!(actor, Actor::System) || roles.contains(&Role::Operator)
}

/// Ending every session of another person (a lost laptop, a departure): operators and
/// Tessera's command line. (User administrators of the person's level join with the
/// directory rules.)
pub fn may_end_sessions_of_others(actor: Actor, roles: &[Role]) -> bool {
    matches!(actor, Actor::System) || roles.contains(&Role::Operator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;

    #[test]
    fn only_operators_and_the_system_see_the_outbox() {
        let user = Actor::User(UserId(uuid::Uuid::nil()));
        assert!(may_view_outbox(Actor::System, &[]));
        assert!(may_view_outbox(user, &[Role::Operator]));
        assert!(!may_view_outbox(
            user,
            &[Role::UserAdmin, Role::AccessAdmin]
        ));
        assert!(!may_view_outbox(Actor::Anonymous, &[]));
        assert!(!may_send_test_message(user, &[]));
        assert!(may_unlock_sign_in(user, &[Role::Operator]));
        assert!(!may_unlock_sign_in(Actor::Anonymous, &[]));
        assert!(may_end_sessions_of_others(Actor::System, &[]));
        assert!(!may_end_sessions_of_others(user, &[Role::AccessAdmin]));
    }
}
