//! E-mail over SMTP (lettre): STARTTLS, implicit TLS, or plain for a local relay; optional
//! authentication; a plain-text and an HTML part.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::adapter::DeliveryError;
use crate::config::{DeliveryConfigError, SmtpConfig};
use crate::texts::Rendered;

#[derive(Clone)]
pub struct SmtpAdapter {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpAdapter {
    pub fn new(config: &SmtpConfig) -> Result<Self, DeliveryConfigError> {
        let invalid = |key: &'static str, e: &dyn std::fmt::Display| DeliveryConfigError {
            key,
            message: e.to_string(),
        };
        let tls = || -> Result<TlsParameters, DeliveryConfigError> {
            let mut params = TlsParameters::builder(config.host.clone());
            if !config.ca_file.is_empty() {
                let pem = std::fs::read(&config.ca_file)
                    .map_err(|e| invalid("delivery.smtp.ca_file", &e))?;
                let ca = Certificate::from_pem(&pem)
                    .map_err(|e| invalid("delivery.smtp.ca_file", &e))?;
                params = params.add_root_certificate(ca);
            }
            params
                .build_rustls()
                .map_err(|e| invalid("delivery.smtp", &e))
        };
        // STARTTLS is required, never opportunistic: a server (or a meddler) that does not
        // offer it gets no credentials and no mail in plain text.
        let security = match config.security.as_str() {
            "tls" => Tls::Wrapper(tls()?),
            "starttls" => Tls::Required(tls()?),
            _ => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .tls(security)
            .port(config.port)
            .timeout(Some(Duration::from_secs(config.timeout_secs.max(1))));
        if !config.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                config.username.clone(),
                config.password.clone(),
            ));
        }
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| invalid("delivery.smtp.from", &e))?;
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    pub async fn deliver(&self, recipient: &str, message: &Rendered) -> Result<(), DeliveryError> {
        let to = recipient
            .parse::<Mailbox>()
            .map_err(|e| DeliveryError::Permanent(format!("recipient address: {e}")))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                message.text.clone(),
                message.html.clone(),
            ))
            .map_err(|e| DeliveryError::Permanent(format!("building the e-mail: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            // 5xx answers (unknown mailbox, rejected sender) will not change on a retry.
            Err(e) if e.is_permanent() => Err(DeliveryError::Permanent(format!("SMTP: {e}"))),
            Err(e) => Err(DeliveryError::Temporary(format!("SMTP: {e}"))),
        }
    }
}
