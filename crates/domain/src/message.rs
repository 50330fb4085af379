//! Messages to people (e-mail, SMS, voice) and the rules of their delivery: when to try
//! again, and when to give up.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
    Voice,
    /// A form POSTed to a relying party (single logout notices): the recipient is the URL,
    /// the sealed values make the form. Not a channel to people, so not in [`Channel::ALL`].
    HttpPost,
}

impl Channel {
    /// The channels that carry texts to people.
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Sms, Channel::Voice];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Voice => "voice",
            Channel::HttpPost => "http_post",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain([Channel::HttpPost])
            .find(|c| c.as_str() == s)
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first or next attempt.
    Queued,
    Delivered,
    /// Given up: a permanent refusal, or retries ran out of time.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A message to queue: which text, for whom, in which language, with which values. Values
/// named in `secret` (codes, links) are never shown to administrators or written to logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMessage {
    pub channel: Channel,
    /// An e-mail address, or a phone number in E.164 for SMS and voice.
    pub recipient: String,
    /// The text's name in the message catalogue (e.g. `operator-created`).
    pub template: String,
    pub language: String,
    pub args: BTreeMap<String, String>,
    pub secret: Vec<String>,
}

impl NewMessage {
    pub fn new(channel: Channel, recipient: &str, template: &str, language: &str) -> Self {
        Self {
            channel,
            recipient: recipient.to_owned(),
            template: template.to_owned(),
            language: language.to_owned(),
            args: BTreeMap::new(),
            secret: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl Into<String>) -> Self {
        self.args.insert(name.to_owned(), value.into());
        self
    }

    /// A value that must stay out of views and logs.
    pub fn secret_arg(mut self, name: &str, value: impl Into<String>) -> Self {
        self.secret.push(name.to_owned());
        self.arg(name, value)
    }

    /// The recipient as shown to administrators: enough to recognise it, not to harvest it.
    pub fn masked_recipient(channel: Channel, recipient: &str) -> String {
        mask_recipient(channel, recipient)
    }
}

/// `a***@bank-e.example`, `+49******4167`.
pub fn mask_recipient(channel: Channel, recipient: &str) -> String {
    match channel {
        Channel::Email => match recipient.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".into(),
        },
        Channel::Sms | Channel::Voice => {
            let chars: Vec<char> = recipient.chars().collect();
            if chars.len() <= 6 {
                return "***".into();
            }
            let head: String = chars[..3].iter().collect();
            let tail: String = chars[chars.len() - 3..].iter().collect();
            format!("{head}{}{tail}", "*".repeat(chars.len() - 6))
        }
        // The origin says which relying party; a path or query may carry a tenant's secret.
        Channel::HttpPost => match url::Url::parse(recipient) {
            Ok(url) => format!("{}/…", url.origin().ascii_serialization()),
            Err(_) => "***".into(),
        },
    }
}

/// How retries are spaced and when they stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure; each further failure doubles it.
    pub first_delay: Duration,
    /// The longest wait between two attempts.
    pub max_delay: Duration,
    /// After this long since the message was queued, it is given up.
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_delay: Duration::seconds(5),
            max_delay: Duration::minutes(30),
            give_up_after: Duration::hours(24),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(OffsetDateTime),
    GiveUp,
}

impl RetryPolicy {
    /// The next step after attempt number `attempts` (1 for the first) failed at `now`.
    /// `jitter` in [0, 1) spreads retries of many messages so they do not come back together;
    /// it adds up to a quarter of the delay.
    pub fn after_failure(
        &self,
        queued_at: OffsetDateTime,
        attempts: u32,
        now: OffsetDateTime,
        jitter: f64,
        permanent: bool,
    ) -> AfterFailure {
        if permanent {
            return AfterFailure::GiveUp;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let base = self
            .first_delay
            .checked_mul(1_i32 << doublings.min(20))
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        let spread = base * (jitter.clamp(0.0, 0.999) * 0.25);
        let next = now + base + spread;
        if next >= queued_at + self.give_up_after {
            AfterFailure::GiveUp
        } else {
            AfterFailure::RetryAt(next)
        }
    }
}

/// The language a message is written in: the requested one when texts exist for it,
/// English otherwise.
pub fn message_language<'a>(requested: &'a str, available: &[&'a str]) -> &'a str {
    if available.contains(&requested) {
        requested
    } else {
        "en"
    }
}

/// Checks a gateway body template: JSON once its placeholders are filled.
pub fn check_body_template(template: &str) -> Result<(), FieldError> {
    let filled = fill_body_template(template, "+4917012345678", "text \"quoted\"\n", "sms");
    serde_json::from_str::<serde_json::Value>(&filled)
        .map(|_| ())
        .map_err(|e| FieldError {
            field: "delivery.gateway.body",
            code: "invalid",
            message: format!("the body template is not JSON once filled in: {e}"),
        })
}

/// Fills `{recipient}`, `{text}` and `{channel}` with JSON-escaped values (the template puts
/// the quotes around them).
pub fn fill_body_template(template: &str, recipient: &str, text: &str, channel: &str) -> String {
    let escape = |value: &str| {
        let quoted = serde_json::Value::String(value.to_owned()).to_string();
        quoted[1..quoted.len() - 1].to_owned()
    };
    template
        .replace("{recipient}", &escape(recipient))
        .replace("{channel}", &escape(channel))
        .replace("{text}", &escape(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-07-01 12:00 UTC);

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap_then_give_up() {
        let policy = RetryPolicy::default();
        let next = |attempts| match policy.after_failure(T0, attempts, T0, 0.0, false) {
            AfterFailure::RetryAt(at) => at - T0,
            AfterFailure::GiveUp => Duration::ZERO,
        };
        assert_eq!(next(1), Duration::seconds(5));
        assert_eq!(next(2), Duration::seconds(10));
        assert_eq!(next(3), Duration::seconds(20));
        assert_eq!(next(10), Duration::minutes(30));
        assert_eq!(next(60), Duration::minutes(30));

        // Jitter adds at most a quarter.
        let AfterFailure::RetryAt(jittered) = policy.after_failure(T0, 2, T0, 0.99, false) else {
            panic!()
        };
        assert!(jittered - T0 > Duration::seconds(10));
        assert!(jittered - T0 < Duration::seconds(13));

        // Past the give-up time, or on a permanent refusal, it stops.
        let late = T0 + Duration::hours(23) + Duration::minutes(59);
        assert_eq!(
            policy.after_failure(T0, 5, late, 0.0, false),
            AfterFailure::GiveUp
        );
        assert_eq!(
            policy.after_failure(T0, 1, T0, 0.0, true),
            AfterFailure::GiveUp
        );
    }

    #[test]
    fn recipients_are_masked_for_display() {
        assert_eq!(
            mask_recipient(Channel::Email, "anna.schmidt@bank-e.example"),
            "a***@bank-e.example"
        );
        assert_eq!(
            mask_recipient(Channel::Sms, "+4915112345167"),
            "+49********167"
        );
        assert_eq!(mask_recipient(Channel::Voice, "+49"), "***");
        assert_eq!(
            mask_recipient(
                Channel::HttpPost,
                "https://rp.example:8443/logout?tenant=s3cret"
            ),
            "https://rp.example:8443/…"
        );
        assert_eq!(mask_recipient(Channel::HttpPost, "not a url"), "***");
        assert_eq!(Channel::parse("http_post"), Some(Channel::HttpPost));
        assert!(!Channel::ALL.contains(&Channel::HttpPost));
    }

    #[test]
    fn gateway_templates_escape_values_and_must_be_json() {
        let body = fill_body_template(
            r#"{"to":"{recipient}","message":"{text}","type":"{channel}"}"#,
            "+33612345678",
            "Code: \"123\"\nBye",
            "sms",
        );
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["message"], "Code: \"123\"\nBye");
        assert_eq!(json["to"], "+33612345678");
        assert!(check_body_template(r#"{"to":"{recipient}","text":"{text}"}"#).is_ok());
        assert!(check_body_template(r#"{"to":{recipient}}"#).is_err());
    }

    #[test]
    fn unknown_languages_fall_back_to_english() {
        assert_eq!(message_language("fr", &["en", "fr", "de"]), "fr");
        assert_eq!(message_language("el", &["en", "fr", "de"]), "en");
    }
}
