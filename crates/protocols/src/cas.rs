//! CAS 3.0 wire logic: which service URLs a registration admits, the form of service
//! tickets, and the validation answers in XML and JSON.

use serde_json::{Map, Value, json};
use url::Url;

/// Service tickets start with this (CAS 3.0 §3.1.1).
pub const TICKET_PREFIX: &str = "ST-";

/// CAS 3.0 §3.1.1: clients must accept tickets up to 256 characters.
const TICKET_MAX: usize = 256;

/// How a registration's URL admits a service URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// The very same string.
    Exact,
    /// The URL starts with the registered one, on the same scheme, host and port.
    Prefix,
}

impl MatchKind {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "exact" => Some(Self::Exact),
            "prefix" => Some(Self::Prefix),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Prefix => "prefix",
        }
    }
}

/// A URL a service may be registered under: absolute https (http only to this machine),
/// with a host, without a fragment, user info, whitespace or control characters.
pub fn is_registrable(url: &str) -> bool {
    let Some(parsed) = plain_url(url) else {
        return false;
    };
    let local = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    (parsed.scheme() == "https" || parsed.scheme() == "http" && local) && url.len() <= 2000
}

/// Parses a service URL, refusing anything a browser could read differently from us.
fn plain_url(url: &str) -> Option<Url> {
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return None;
    }
    let parsed = Url::parse(url).ok()?;
    (parsed.host_str().is_some_and(|h| !h.is_empty())
        && parsed.username().is_empty()
        && parsed.password().is_none()
        && parsed.fragment().is_none()
        && matches!(parsed.scheme(), "https" | "http"))
    .then_some(parsed)
}

/// Whether `service` (as a login or validation request gives it) is admitted by a
/// registration. Prefix matching compares the parsed URLs' origins first and then the
/// normalised text, so `https://app.example.evil.example/` or `/app/../admin` never pass
/// for `https://app.example/app/`.
pub fn service_matches(registered: &str, kind: MatchKind, service: &str) -> bool {
    match kind {
        MatchKind::Exact => registered == service && plain_url(service).is_some(),
        MatchKind::Prefix => {
            let (Some(pattern), Some(candidate)) = (plain_url(registered), plain_url(service))
            else {
                return false;
            };
            pattern.scheme() == candidate.scheme()
                && pattern.host_str() == candidate.host_str()
                && pattern.port_or_known_default() == candidate.port_or_known_default()
                && candidate.as_str().starts_with(pattern.as_str())
        }
    }
}

/// A ticket as Tessera issues it, from a random token.
pub fn service_ticket(token: &str) -> String {
    format!("{TICKET_PREFIX}{token}")
}

/// Whether a presented ticket has the form of a service ticket at all.
pub fn is_service_ticket(ticket: &str) -> bool {
    has_form(ticket, TICKET_PREFIX)
}

/// The prefixes of proxy tickets, proxy-granting tickets and their IOUs (CAS 3.0 §3.2-3.4).
pub const PROXY_TICKET_PREFIX: &str = "PT-";
pub const PGT_PREFIX: &str = "PGT-";
pub const PGT_IOU_PREFIX: &str = "PGTIOU-";

fn has_form(ticket: &str, prefix: &str) -> bool {
    ticket.starts_with(prefix)
        && ticket.len() > prefix.len()
        && ticket.len() <= TICKET_MAX
        && ticket.bytes().all(|b| b.is_ascii_graphic())
}

/// A proxy ticket, from a random token.
pub fn proxy_ticket(token: &str) -> String {
    format!("{PROXY_TICKET_PREFIX}{token}")
}

/// Whether a presented ticket has the form of a proxy ticket.
pub fn is_proxy_ticket(ticket: &str) -> bool {
    has_form(ticket, PROXY_TICKET_PREFIX)
}

/// A proxy-granting ticket, from a random token.
pub fn proxy_granting_ticket(token: &str) -> String {
    format!("{PGT_PREFIX}{token}")
}

/// Whether a presented ticket has the form of a proxy-granting ticket.
pub fn is_proxy_granting_ticket(ticket: &str) -> bool {
    has_form(ticket, PGT_PREFIX)
}

/// A proxy-granting ticket IOU, from a random token.
pub fn pgt_iou(token: &str) -> String {
    format!("{PGT_IOU_PREFIX}{token}")
}

/// The proxy callback (CAS 3.0 §2.5.4): `pgt_url` with `pgtIou` and `pgtId` added.
pub fn pgt_callback(pgt_url: &str, iou: &str, pgt: &str) -> String {
    let separator = if pgt_url.contains('?') { '&' } else { '?' };
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("pgtIou", iou)
        .append_pair("pgtId", pgt)
        .finish();
    format!("{pgt_url}{separator}{query}")
}

/// `service` with `ticket` added to its query, as CAS sends the browser back.
pub fn with_ticket(service: &str, ticket: &str) -> String {
    let separator = if service.contains('?') { '&' } else { '?' };
    let encoded: String = url::form_urlencoded::byte_serialize(ticket.as_bytes()).collect();
    format!("{service}{separator}ticket={encoded}")
}

/// The failure codes of CAS 3.0 §2.5.3 (and the proxy one of §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCode {
    InvalidRequest,
    InvalidTicketSpec,
    UnauthorizedServiceProxy,
    InvalidProxyCallback,
    InvalidTicket,
    InvalidService,
    /// `/cas/proxy` only: the target service is not registered.
    UnauthorizedService,
    InternalError,
}

impl FailureCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::InvalidTicketSpec => "INVALID_TICKET_SPEC",
            Self::UnauthorizedServiceProxy => "UNAUTHORIZED_SERVICE_PROXY",
            Self::InvalidProxyCallback => "INVALID_PROXY_CALLBACK",
            Self::InvalidTicket => "INVALID_TICKET",
            Self::InvalidService => "INVALID_SERVICE",
            Self::UnauthorizedService => "UNAUTHORIZED_SERVICE",
            Self::InternalError => "INTERNAL_ERROR",
        }
    }
}

/// Why a validation asking for a proxy-granting ticket (`pgtUrl`, CAS 3.0 §2.5.4) fails with
/// `INVALID_PROXY_CALLBACK`: no proxy-granting ticket is issued and the validation fails
/// (the ticket is used all the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyCallbackRefusal {
    /// Not an absolute https address (http only to this machine), or malformed.
    NotHttps,
    /// The validating service is not registered with proxying allowed.
    ProxyingNotAllowed,
    /// The address is not one of the validating service's own registration.
    NotRegistered,
    /// A proxy ticket was validated with `pgtUrl`: proxy chains are not supported.
    ProxyChain,
    /// The callback answered, but not 200 (redirects are not followed).
    Status(u16),
    /// The callback did not answer in time.
    TimedOut,
    /// The callback could not be reached (no connection, TLS refused, broken answer).
    Unreachable,
}

impl ProxyCallbackRefusal {
    /// The failure's text: why no proxy-granting ticket was issued.
    pub fn description(self) -> String {
        let why = match self {
            Self::NotHttps => {
                "the pgtUrl is not an https address (http is allowed only to localhost)".to_owned()
            }
            Self::ProxyingNotAllowed => {
                "the service is not registered for proxying (proxying is not allowed)".to_owned()
            }
            Self::NotRegistered => {
                "the pgtUrl is not registered for proxying: it must belong to the validating \
                 service's own registration"
                    .to_owned()
            }
            Self::ProxyChain => "proxy chains are not supported: a proxy ticket cannot \
                 yield a proxy-granting ticket"
                .to_owned(),
            Self::Status(status) => format!(
                "the proxy callback did not answer 200 (it answered {status}; redirects are \
                 not followed)"
            ),
            Self::TimedOut => {
                "the proxy callback did not answer 200 (no answer in time)".to_owned()
            }
            Self::Unreachable => {
                "the proxy callback did not answer 200 (it could not be reached)".to_owned()
            }
        };
        format!("no proxy-granting ticket was issued: {why}")
    }
}

/// A validation's outcome, ready to be written in either format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceResponse {
    Success {
        user: String,
        /// Name and values; a multi-valued attribute (`groups`) lists each value.
        attributes: Vec<(String, Vec<String>)>,
        /// The IOU of a proxy-granting ticket delivered to the callback (§2.5.4).
        proxy_granting_ticket: Option<String>,
        /// For a proxy ticket: the proxying services, most recent first (§2.6.2).
        proxies: Vec<String>,
    },
    Failure {
        code: FailureCode,
        description: String,
    },
}

impl ServiceResponse {
    pub fn failure(code: FailureCode, description: impl Into<String>) -> Self {
        Self::Failure {
            code,
            description: description.into(),
        }
    }

    /// The failure answering a `pgtUrl` that gave no proxy-granting ticket.
    pub fn proxy_callback_refused(why: ProxyCallbackRefusal) -> Self {
        Self::failure(FailureCode::InvalidProxyCallback, why.description())
    }

    /// The XML form of CAS 3.0 §2.5.2 and §2.5.3.
    pub fn to_xml(&self) -> String {
        let mut out =
            String::from("<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\n");
        match self {
            Self::Success {
                user,
                attributes,
                proxy_granting_ticket,
                proxies,
            } => {
                out.push_str("  <cas:authenticationSuccess>\n");
                out.push_str(&format!("    <cas:user>{}</cas:user>\n", escape(user)));
                if !attributes.is_empty() {
                    out.push_str("    <cas:attributes>\n");
                    for (name, values) in attributes {
                        // Names are Tessera's own, but a bad one must not break the document.
                        let name: String = name
                            .chars()
                            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        for value in values {
                            out.push_str(&format!(
                                "      <cas:{name}>{}</cas:{name}>\n",
                                escape(value)
                            ));
                        }
                    }
                    out.push_str("    </cas:attributes>\n");
                }
                if let Some(iou) = proxy_granting_ticket {
                    out.push_str(&format!(
                        "    <cas:proxyGrantingTicket>{}</cas:proxyGrantingTicket>\n",
                        escape(iou)
                    ));
                }
                if !proxies.is_empty() {
                    out.push_str("    <cas:proxies>\n");
                    for proxy in proxies {
                        out.push_str(&format!("      <cas:proxy>{}</cas:proxy>\n", escape(proxy)));
                    }
                    out.push_str("    </cas:proxies>\n");
                }
                out.push_str("  </cas:authenticationSuccess>\n");
            }
            Self::Failure { code, description } => {
                out.push_str(&format!(
                    "  <cas:authenticationFailure code=\"{}\">{}</cas:authenticationFailure>\n",
                    code.as_str(),
                    escape(description)
                ));
            }
        }
        out.push_str("</cas:serviceResponse>\n");
        out
    }

    /// The JSON form of CAS 3.0 (`format=JSON`): single values as strings, several as arrays.
    pub fn to_json(&self) -> Value {
        let body = match self {
            Self::Success {
                user,
                attributes,
                proxy_granting_ticket,
                proxies,
            } => {
                let mut map = Map::new();
                for (name, values) in attributes {
                    // `groups` is always a list, even of one, so clients need not guess.
                    let value = match values.as_slice() {
                        [one] if name != "groups" => json!(one),
                        many => json!(many),
                    };
                    map.insert(name.clone(), value);
                }
                let mut success = json!({ "user": user, "attributes": map });
                if let Some(iou) = proxy_granting_ticket {
                    success["proxyGrantingTicket"] = json!(iou);
                }
                if !proxies.is_empty() {
                    success["proxies"] = json!(proxies);
                }
                json!({ "authenticationSuccess": success })
            }
            Self::Failure { code, description } => json!({
                "authenticationFailure": { "code": code.as_str(), "description": description }
            }),
        };
        json!({ "serviceResponse": body })
    }
}

/// The answer of `/cas/proxy` (CAS 3.0 §2.7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyResponse {
    Success {
        proxy_ticket: String,
    },
    Failure {
        code: FailureCode,
        description: String,
    },
}

impl ProxyResponse {
    pub fn failure(code: FailureCode, description: impl Into<String>) -> Self {
        Self::Failure {
            code,
            description: description.into(),
        }
    }

    pub fn to_xml(&self) -> String {
        let body = match self {
            Self::Success { proxy_ticket } => format!(
                "  <cas:proxySuccess>\n    <cas:proxyTicket>{}</cas:proxyTicket>\n  </cas:proxySuccess>\n",
                escape(proxy_ticket)
            ),
            Self::Failure { code, description } => format!(
                "  <cas:proxyFailure code=\"{}\">{}</cas:proxyFailure>\n",
                code.as_str(),
                escape(description)
            ),
        };
        format!(
            "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\n{body}</cas:serviceResponse>\n"
        )
    }

    pub fn to_json(&self) -> Value {
        let body = match self {
            Self::Success { proxy_ticket } => {
                json!({ "proxySuccess": { "proxyTicket": proxy_ticket } })
            }
            Self::Failure { code, description } => json!({
                "proxyFailure": { "code": code.as_str(), "description": description }
            }),
        };
        json!({ "serviceResponse": body })
    }
}

/// XML text and attribute escaping; characters XML 1.0 cannot carry at all are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_services_match_the_same_string_only() {
        let registered = "https://casper.example/login";
        assert!(service_matches(registered, MatchKind::Exact, registered));
        for other in [
            "https://casper.example/login?x=1",
            "https://casper.example/login/",
            "http://casper.example/login",
        ] {
            assert!(
                !service_matches(registered, MatchKind::Exact, other),
                "{other}"
            );
        }
    }

    #[test]
    fn prefix_services_stay_on_the_registered_origin() {
        let registered = "https://casper.example/app/";
        for good in [
            "https://casper.example/app/",
            "https://casper.example/app/page?x=1&y=2",
            "https://casper.example:443/app/deep/er",
        ] {
            assert!(
                service_matches(registered, MatchKind::Prefix, good),
                "{good}"
            );
        }
        for bad in [
            "https://casper.example.evil.example/app/",
            "https://casper.example@evil.example/app/",
            "http://casper.example/app/",
            "https://casper.example:8443/app/",
            "https://casper.example/app/../admin",
            "https://casper.example/other",
            "https://casper.example/app/#frag",
            "https://casper.example/app/\\evil",
            "//evil.example/app/",
            "javascript:alert(1)",
            "",
        ] {
            assert!(
                !service_matches(registered, MatchKind::Prefix, bad),
                "{bad}"
            );
        }
        // A host-only prefix must not admit a longer host.
        assert!(!service_matches(
            "https://casper.example",
            MatchKind::Prefix,
            "https://casper.example.evil.example/"
        ));
    }

    #[test]
    fn registrable_urls_are_https_or_local() {
        assert!(is_registrable("https://casper.example/app/"));
        assert!(is_registrable("http://localhost:8080/cas"));
        assert!(!is_registrable("http://casper.example/app/"));
        assert!(!is_registrable("https://casper.example/app/#x"));
        assert!(!is_registrable("ftp://casper.example/"));
        assert!(!is_registrable("not a url"));
    }

    #[test]
    fn tickets_have_the_service_ticket_form() {
        let ticket = service_ticket("abc_DEF-123");
        assert_eq!(ticket, "ST-abc_DEF-123");
        assert!(is_service_ticket(&ticket));
        assert!(!is_service_ticket("ST-"));
        assert!(!is_service_ticket("PT-abc"));
        assert!(!is_service_ticket("ST-a b"));
        assert!(!is_service_ticket(&format!("ST-{}", "a".repeat(300))));
        assert_eq!(
            with_ticket("https://a.example/p?x=1", "ST-1"),
            "https://a.example/p?x=1&ticket=ST-1"
        );
        assert_eq!(
            with_ticket("https://a.example/p", "ST-1"),
            "https://a.example/p?ticket=ST-1"
        );
    }

    fn erika() -> ServiceResponse {
        ServiceResponse::Success {
            user: "u-1".into(),
            attributes: vec![
                ("given_name".into(), vec!["Erika".into()]),
                ("family_name".into(), vec!["Muster<mann> & Söhne".into()]),
                ("groups".into(), vec!["CASPER_A".into(), "CASPER_B".into()]),
            ],
            proxy_granting_ticket: None,
            proxies: Vec::new(),
        }
    }

    #[test]
    fn proxying_is_written_in_both_forms() {
        let answer = ServiceResponse::Success {
            user: "u-1".into(),
            attributes: Vec::new(),
            proxy_granting_ticket: Some("PGTIOU-1".into()),
            proxies: vec!["https://proxy.example/cb".into()],
        };
        let xml = answer.to_xml();
        assert!(xml.contains("<cas:proxyGrantingTicket>PGTIOU-1</cas:proxyGrantingTicket>"));
        assert!(xml.contains("<cas:proxy>https://proxy.example/cb</cas:proxy>"));
        let json = answer.to_json();
        let success = &json["serviceResponse"]["authenticationSuccess"];
        assert_eq!(success["proxyGrantingTicket"], "PGTIOU-1");
        assert_eq!(success["proxies"][0], "https://proxy.example/cb");
        let refused = ProxyResponse::failure(FailureCode::UnauthorizedService, "no");
        assert!(
            refused
                .to_xml()
                .contains("<cas:proxyFailure code=\"UNAUTHORIZED_SERVICE\">no</cas:proxyFailure>")
        );
        let issued = ProxyResponse::Success {
            proxy_ticket: "PT-1".into(),
        };
        assert_eq!(
            issued.to_json()["serviceResponse"]["proxySuccess"]["proxyTicket"],
            "PT-1"
        );
        assert_eq!(
            pgt_callback("https://p.example/cb?a=1", "PGTIOU-1", "PGT-2"),
            "https://p.example/cb?a=1&pgtIou=PGTIOU-1&pgtId=PGT-2"
        );
        assert!(is_proxy_ticket("PT-x") && !is_proxy_ticket("ST-x"));
        assert!(is_proxy_granting_ticket("PGT-x") && !is_proxy_granting_ticket("PGTIOU-x"));
    }

    #[test]
    fn success_is_written_in_xml_with_escaping_and_repeated_attributes() {
        let xml = erika().to_xml();
        assert!(xml.starts_with("<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">"));
        assert!(xml.contains("<cas:user>u-1</cas:user>"));
        assert!(xml.contains("<cas:family_name>Muster&lt;mann&gt; &amp; Söhne</cas:family_name>"));
        assert!(xml.contains("<cas:groups>CASPER_A</cas:groups>"));
        assert!(xml.contains("<cas:groups>CASPER_B</cas:groups>"));
    }

    #[test]
    fn failure_is_written_in_xml_with_its_code() {
        let xml =
            ServiceResponse::failure(FailureCode::InvalidTicket, "Ticket \"ST-1\" <used>\u{1}")
                .to_xml();
        assert!(xml.contains(
            "<cas:authenticationFailure code=\"INVALID_TICKET\">Ticket &quot;ST-1&quot; &lt;used&gt;</cas:authenticationFailure>"
        ));
    }

    #[test]
    fn refused_proxy_callbacks_say_why_in_both_forms() {
        let refused = ServiceResponse::proxy_callback_refused(ProxyCallbackRefusal::Status(500));
        let xml = refused.to_xml();
        assert!(
            xml.contains("<cas:authenticationFailure code=\"INVALID_PROXY_CALLBACK\">"),
            "{xml}"
        );
        assert!(xml.contains("did not answer 200 (it answered 500"), "{xml}");
        let json = refused.to_json();
        let failure = &json["serviceResponse"]["authenticationFailure"];
        assert_eq!(failure["code"], "INVALID_PROXY_CALLBACK");
        for (why, words) in [
            (ProxyCallbackRefusal::NotHttps, "not an https address"),
            (
                ProxyCallbackRefusal::ProxyingNotAllowed,
                "not registered for proxying",
            ),
            (
                ProxyCallbackRefusal::NotRegistered,
                "not registered for proxying",
            ),
            (ProxyCallbackRefusal::ProxyChain, "proxy chains"),
            (ProxyCallbackRefusal::TimedOut, "did not answer 200"),
            (ProxyCallbackRefusal::Unreachable, "could not be reached"),
        ] {
            assert!(why.description().contains(words), "{why:?}");
        }
    }

    #[test]
    fn json_form_follows_the_specification() {
        assert_eq!(
            erika().to_json(),
            json!({"serviceResponse": {"authenticationSuccess": {
                "user": "u-1",
                "attributes": {
                    "given_name": "Erika",
                    "family_name": "Muster<mann> & Söhne",
                    "groups": ["CASPER_A", "CASPER_B"],
                }
            }}})
        );
        assert_eq!(
            ServiceResponse::failure(FailureCode::InvalidService, "no").to_json(),
            json!({"serviceResponse": {"authenticationFailure": {
                "code": "INVALID_SERVICE", "description": "no"
            }}})
        );
    }
}
