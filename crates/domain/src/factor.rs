//! Second factors: the ways a person proves who they are after the password, how strong
//! each one makes a session, which one sign-in offers first, and when one may be removed.

use serde::{Deserialize, Serialize};

use crate::session::Assurance;

/// A verification method used after the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A six-digit code by SMS.
    Sms,
    /// A six-digit code read out by a voice call.
    Voice,
    /// A code from an authenticator app (TOTP, RFC 6238).
    AuthenticatorApp,
    /// A security key or passkey (WebAuthn).
    SecurityKey,
}

impl Method {
    /// The order in which "Try another way" lists methods.
    pub const ALL: [Method; 4] = [
        Method::SecurityKey,
        Method::AuthenticatorApp,
        Method::Sms,
        Method::Voice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Sms => "sms",
            Method::Voice => "voice",
            Method::AuthenticatorApp => "authenticator_app",
            Method::SecurityKey => "security_key",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The name people see.
    pub fn label(self) -> &'static str {
        match self {
            Method::Sms => "SMS",
            Method::Voice => "Voice call",
            Method::AuthenticatorApp => "Authenticator app",
            Method::SecurityKey => "Security key or passkey",
        }
    }

    /// Whether the method sends a code to a phone number.
    pub fn uses_phone(self) -> bool {
        matches!(self, Method::Sms | Method::Voice)
    }
}

/// How strong a session is after the password and each method: configured per method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MethodAssurance {
    pub sms: Assurance,
    pub voice: Assurance,
    pub authenticator_app: Assurance,
    pub security_key: Assurance,
}

impl Default for MethodAssurance {
    fn default() -> Self {
        Self {
            sms: Assurance::Medium,
            voice: Assurance::Medium,
            authenticator_app: Assurance::Medium,
            security_key: Assurance::High,
        }
    }
}

impl MethodAssurance {
    pub fn of(&self, method: Method) -> Assurance {
        match method {
            Method::Sms => self.sms,
            Method::Voice => self.voice,
            Method::AuthenticatorApp => self.authenticator_app,
            Method::SecurityKey => self.security_key,
        }
    }
}

/// The methods a person has that reach `needed`, in the order "Try another way" lists them.
pub fn usable_methods(
    available: &[Method],
    needed: Assurance,
    policy: &MethodAssurance,
) -> Vec<Method> {
    Method::ALL
        .into_iter()
        .filter(|m| available.contains(m) && policy.of(*m) >= needed)
        .collect()
}

/// The method sign-in offers first: the person's default while they still have it and it is
/// strong enough, otherwise the first usable one.
pub fn first_method(
    default: Option<Method>,
    available: &[Method],
    needed: Assurance,
    policy: &MethodAssurance,
) -> Option<Method> {
    let usable = usable_methods(available, needed, policy);
    default
        .filter(|d| usable.contains(d))
        .or_else(|| usable.first().copied())
}

/// Whether a person may remove a second factor: never the last one while their applications
/// need more than a password alone.
pub fn may_remove_factor(factors_after_removal: usize, needed: Assurance) -> bool {
    factors_after_removal > 0 || needed <= Assurance::Low
}

/// Whether an authenticator-app code of time step `matched` may be used, given the last step
/// already used with that app: a code is good once (RFC 6238 §5.2).
pub fn totp_step_is_fresh(matched: u64, last_used: Option<u64>) -> bool {
    last_used.is_none_or(|last| matched > last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_comes_first_while_it_is_strong_enough() {
        let policy = MethodAssurance::default();
        let all = [Method::Sms, Method::Voice, Method::AuthenticatorApp];
        assert_eq!(
            first_method(Some(Method::Voice), &all, Assurance::Medium, &policy),
            Some(Method::Voice)
        );
        // Without a default, the strongest kind the person has.
        assert_eq!(
            first_method(None, &all, Assurance::Medium, &policy),
            Some(Method::AuthenticatorApp)
        );
        // A default the person no longer has is passed over.
        assert_eq!(
            first_method(Some(Method::SecurityKey), &all, Assurance::Low, &policy),
            Some(Method::AuthenticatorApp)
        );
        // High assurance needs a security key by default.
        assert_eq!(
            first_method(Some(Method::Sms), &all, Assurance::High, &policy),
            None
        );
        let with_key = [Method::Sms, Method::SecurityKey];
        assert_eq!(
            first_method(Some(Method::Sms), &with_key, Assurance::High, &policy),
            Some(Method::SecurityKey)
        );
        assert_eq!(
            usable_methods(&with_key, Assurance::Medium, &policy),
            vec![Method::SecurityKey, Method::Sms]
        );
    }

    #[test]
    fn assurance_is_configured_per_method() {
        let policy = MethodAssurance {
            sms: Assurance::Low,
            ..MethodAssurance::default()
        };
        assert_eq!(
            usable_methods(&[Method::Sms, Method::Voice], Assurance::Medium, &policy),
            vec![Method::Voice]
        );
    }

    #[test]
    fn the_last_factor_stays_while_applications_need_one() {
        assert!(may_remove_factor(1, Assurance::High));
        assert!(may_remove_factor(0, Assurance::Low));
        assert!(!may_remove_factor(0, Assurance::Medium));
        assert!(!may_remove_factor(0, Assurance::High));
    }

    #[test]
    fn an_authenticator_code_is_good_once() {
        assert!(totp_step_is_fresh(100, None));
        assert!(totp_step_is_fresh(101, Some(100)));
        assert!(!totp_step_is_fresh(100, Some(100)));
        assert!(!totp_step_is_fresh(99, Some(100)));
    }

    #[test]
    fn methods_round_trip_through_their_names() {
        for method in Method::ALL {
            assert_eq!(Method::parse(method.as_str()), Some(method));
        }
        assert_eq!(Method::parse("pigeon"), None);
        assert!(Method::Sms.uses_phone() && !Method::SecurityKey.uses_phone());
    }
}
