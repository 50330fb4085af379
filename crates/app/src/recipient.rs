//! Checking where a message may go.

use tessera_domain::ValidationErrors;
use tessera_domain::message::Channel;
use tessera_domain::user::email_address;

/// An e-mail address for e-mail, an E.164 number (`+` and 8 to 15 digits) for SMS and voice.
pub fn check(channel: Channel, recipient: &str) -> Result<String, ValidationErrors> {
    match channel {
        Channel::Email => email_address(recipient)
            .map(|(email, _)| email)
            .map_err(|mut e| {
                e.field = "recipient";
                ValidationErrors::from(e)
            }),
        Channel::Sms | Channel::Voice => {
            let number: String = recipient.chars().filter(|c| !c.is_whitespace()).collect();
            let digits = number.strip_prefix('+').unwrap_or("");
            if (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
                Ok(number)
            } else {
                Err(ValidationErrors::single(
                    "recipient",
                    "invalid",
                    "Enter the phone number in international format, starting with + and the country code (e.g. +49 151 2345 6789).",
                ))
            }
        }
    }
}
