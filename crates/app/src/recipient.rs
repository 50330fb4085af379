//! Checking where a message may go.

use tessera_domain::ValidationErrors;
use tessera_domain::message::Channel;
use tessera_domain::phone::phone_number;
use tessera_domain::user::email_address;

/// An e-mail address for e-mail, a valid phone number (kept as E.164) for SMS and voice.
pub fn check(channel: Channel, recipient: &str) -> Result<String, ValidationErrors> {
    match channel {
        Channel::Email => email_address(recipient)
            .map(|(email, _)| email)
            .map_err(|mut e| {
                e.field = "recipient";
                ValidationErrors::from(e)
            }),
        Channel::Sms | Channel::Voice => {
            phone_number("recipient", recipient).map_err(ValidationErrors::from)
        }
        // Posts to relying parties are made by single logout, never by hand.
        Channel::HttpPost => Err(ValidationErrors::single(
            "channel",
            "invalid",
            "Choose email, sms or voice.",
        )),
    }
}
