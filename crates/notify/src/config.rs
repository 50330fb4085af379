//! The `[delivery]` section of the configuration: which adapter serves each channel, and
//! each adapter's own settings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tessera_domain::message::check_body_template;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// How e-mail is delivered: `console`, `smtp` or `spool`.
    pub email: String,
    /// How SMS messages are delivered: `console`, `gateway` or `spool`.
    pub sms: String,
    /// How voice messages are delivered: `console`, `gateway` or `spool`.
    pub voice: String,
    /// After this many seconds without success a message is given up (and audited).
    pub give_up_after_secs: u64,
    /// How often a worker looks for messages queued by other nodes, in milliseconds.
    pub poll_interval_ms: u64,
    pub smtp: SmtpConfig,
    pub gateway: GatewayConfig,
    pub spool: SpoolConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `starttls` (upgrade a plain connection, required), `tls` (implicit TLS, usually port
    /// 465) or `none` (plain text: only for a relay on the same machine).
    pub security: String,
    /// Empty for no authentication.
    pub username: String,
    pub password: String,
    /// The sender, e.g. `Tessera <no-reply@id.example.org>`.
    pub from: String,
    pub timeout_secs: u64,
    /// A PEM file of certificate authorities to trust besides the system's (an internal CA);
    /// empty for the system's only.
    pub ca_file: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// The URL a JSON POST goes to for each SMS or voice message.
    pub url: String,
    /// Extra request headers, e.g. `Authorization`.
    pub headers: BTreeMap<String, String>,
    /// The JSON body, with `{recipient}` (E.164), `{text}` and `{channel}` (`sms` or `voice`)
    /// filled in as JSON string contents.
    pub body: String,
    pub timeout_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpoolConfig {
    /// The folder messages are written to as JSON files; empty for `<data_dir>/spool`.
    pub dir: String,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            email: "console".into(),
            sms: "console".into(),
            voice: "console".into(),
            give_up_after_secs: 86_400,
            poll_interval_ms: 2_000,
            smtp: SmtpConfig {
                host: "localhost".into(),
                port: 587,
                security: "starttls".into(),
                username: String::new(),
                password: String::new(),
                from: "Tessera <no-reply@localhost>".into(),
                timeout_secs: 15,
                ca_file: String::new(),
            },
            gateway: GatewayConfig {
                url: String::new(),
                headers: BTreeMap::new(),
                body: r#"{"to": "{recipient}", "text": "{text}", "channel": "{channel}"}"#.into(),
                timeout_secs: 10,
            },
            spool: SpoolConfig { dir: String::new() },
        }
    }
}

/// A configuration value that cannot work, with the key it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct DeliveryConfigError {
    pub key: &'static str,
    pub message: String,
}

fn invalid(key: &'static str, message: impl Into<String>) -> DeliveryConfigError {
    DeliveryConfigError {
        key,
        message: message.into(),
    }
}

impl DeliveryConfig {
    pub fn validate(&self) -> Result<(), DeliveryConfigError> {
        let choices: [(&'static str, &String, &[&str]); 3] = [
            ("delivery.email", &self.email, &["console", "smtp", "spool"]),
            ("delivery.sms", &self.sms, &["console", "gateway", "spool"]),
            (
                "delivery.voice",
                &self.voice,
                &["console", "gateway", "spool"],
            ),
        ];
        for (key, value, allowed) in choices {
            if !allowed.contains(&value.as_str()) {
                return Err(invalid(
                    key,
                    format!("'{value}' is not one of: {}", allowed.join(", ")),
                ));
            }
        }
        if self.give_up_after_secs == 0 {
            return Err(invalid(
                "delivery.give_up_after_secs",
                "must be more than 0",
            ));
        }
        if self.poll_interval_ms == 0 {
            return Err(invalid("delivery.poll_interval_ms", "must be more than 0"));
        }
        if self.email == "smtp" {
            let smtp = &self.smtp;
            if smtp.host.trim().is_empty() {
                return Err(invalid("delivery.smtp.host", "is empty"));
            }
            if !["starttls", "tls", "none"].contains(&smtp.security.as_str()) {
                return Err(invalid(
                    "delivery.smtp.security",
                    format!("'{}' is not one of: starttls, tls, none", smtp.security),
                ));
            }
            if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(invalid(
                    "delivery.smtp.from",
                    format!(
                        "'{}' is not an address such as Tessera <no-reply@example.org>",
                        smtp.from
                    ),
                ));
            }
            if smtp.username.is_empty() != smtp.password.is_empty() {
                return Err(invalid(
                    "delivery.smtp.password",
                    "give both a username and a password, or neither",
                ));
            }
        }
        if self.sms == "gateway" || self.voice == "gateway" {
            let url = &self.gateway.url;
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(invalid(
                    "delivery.gateway.url",
                    format!("'{url}' is not an http:// or https:// URL"),
                ));
            }
            check_body_template(&self.gateway.body)
                .map_err(|e| invalid("delivery.gateway.body", e.message))?;
            for name in self.gateway.headers.keys() {
                if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                    return Err(invalid(
                        "delivery.gateway.headers",
                        format!("'{name}' is not a header name"),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_mistakes_are_named() {
        assert!(DeliveryConfig::default().validate().is_ok());
        let with = |change: fn(&mut DeliveryConfig)| {
            let mut config = DeliveryConfig::default();
            change(&mut config);
            config.validate().unwrap_err().key
        };
        assert_eq!(with(|c| c.email = "pigeon".into()), "delivery.email");
        assert_eq!(with(|c| c.sms = "smtp".into()), "delivery.sms");
        assert_eq!(
            with(|c| {
                c.email = "smtp".into();
                c.smtp.from = "nobody".into();
            }),
            "delivery.smtp.from"
        );
        assert_eq!(
            with(|c| {
                c.email = "smtp".into();
                c.smtp.username = "tessera".into();
            }),
            "delivery.smtp.password"
        );
        assert_eq!(with(|c| c.voice = "gateway".into()), "delivery.gateway.url");
        assert_eq!(
            with(|c| {
                c.sms = "gateway".into();
                c.gateway.url = "https://sms.example".into();
                c.gateway.body = "{\"to\": {recipient}}".into();
            }),
            "delivery.gateway.body"
        );
    }
}
