//! CAS single logout (CAS 3.0 §2.3.3 and Appendix C): the SAML `LogoutRequest` posted to a
//! service, in the form field `logoutRequest`, when the single sign-on session that got it a
//! ticket ends. The service finds its own session by the ticket (`SessionIndex`).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The form field the request travels in.
pub const LOGOUT_REQUEST_FIELD: &str = "logoutRequest";

/// The `LogoutRequest` for the service ticket `ticket`, with the message id `id` (an XML
/// NCName: it must not start with a digit) issued at `at`.
pub fn logout_request(id: &str, at: OffsetDateTime, ticket: &str) -> String {
    // Whole seconds in UTC, as SAML's xs:dateTime examples and CAS clients expect.
    let at = at
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at);
    let instant = at.format(&Rfc3339).unwrap_or_default();
    format!(
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{}\" Version=\"2.0\" \
         IssueInstant=\"{}\"><saml:NameID>@NOT_USED@</saml:NameID>\
         <samlp:SessionIndex>{}</samlp:SessionIndex></samlp:LogoutRequest>",
        escape(id),
        escape(&instant),
        escape(ticket)
    )
}

/// Text and attribute values in XML; tickets are plain ASCII, but nothing is assumed.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn the_request_names_the_ticket_as_session_index() {
        let xml = logout_request(
            "LR-abc",
            datetime!(2026-11-03 10:15:30.123 +01:00),
            "ST-x<y",
        );
        assert_eq!(
            xml,
            "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
             xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"LR-abc\" \
             Version=\"2.0\" IssueInstant=\"2026-11-03T09:15:30Z\">\
             <saml:NameID>@NOT_USED@</saml:NameID>\
             <samlp:SessionIndex>ST-x&lt;y</samlp:SessionIndex></samlp:LogoutRequest>"
        );
    }
}
