//! The delivery adapters and how the worker picks one per channel.

use std::path::Path;

use tessera_domain::message::Channel;
use uuid::Uuid;

use crate::config::{DeliveryConfig, DeliveryConfigError};
use crate::gateway::GatewayAdapter;
pub use crate::smtp::SmtpAdapter;
use crate::spool::SpoolAdapter;
use crate::texts::Rendered;

/// Why a delivery did not happen. A temporary failure is retried; a permanent one (the
/// recipient was refused, the request was rejected as malformed) is given up at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("{0}")]
    Temporary(String),
    #[error("{0}")]
    Permanent(String),
}

#[derive(Clone)]
pub enum Adapter {
    /// Development: writes the whole message to the log instead of sending it.
    Console,
    Smtp(SmtpAdapter),
    Gateway(GatewayAdapter),
    Spool(SpoolAdapter),
}

impl Adapter {
    /// An SMTP adapter on its own (tests, tools).
    pub fn smtp(config: &crate::SmtpConfig) -> Result<SmtpAdapter, DeliveryConfigError> {
        SmtpAdapter::new(config)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Adapter::Console => "console",
            Adapter::Smtp(_) => "smtp",
            Adapter::Gateway(_) => "gateway",
            Adapter::Spool(_) => "spool",
        }
    }

    pub async fn deliver(
        &self,
        id: Uuid,
        channel: Channel,
        recipient: &str,
        message: &Rendered,
    ) -> Result<(), DeliveryError> {
        match self {
            Adapter::Console => {
                crate::console::deliver(id, channel, recipient, message);
                Ok(())
            }
            Adapter::Smtp(smtp) => smtp.deliver(recipient, message).await,
            Adapter::Gateway(gateway) => gateway.deliver(channel, recipient, message).await,
            Adapter::Spool(spool) => spool.deliver(id, channel, recipient, message).await,
        }
    }
}

static CONSOLE: Adapter = Adapter::Console;

/// One adapter per channel.
#[derive(Clone)]
pub struct Adapters {
    pub email: Adapter,
    pub sms: Adapter,
    pub voice: Adapter,
}

impl Adapters {
    /// Builds the adapters the configuration names; `data_dir` holds the default spool.
    pub fn from_config(
        config: &DeliveryConfig,
        data_dir: &Path,
    ) -> Result<Self, DeliveryConfigError> {
        config.validate()?;
        let spool_dir = if config.spool.dir.is_empty() {
            data_dir.join("spool")
        } else {
            config.spool.dir.clone().into()
        };
        let gateway = || GatewayAdapter::new(&config.gateway);
        let pick = |name: &str| -> Result<Adapter, DeliveryConfigError> {
            Ok(match name {
                "smtp" => Adapter::Smtp(SmtpAdapter::new(&config.smtp)?),
                "gateway" => Adapter::Gateway(gateway()?),
                "spool" => Adapter::Spool(SpoolAdapter::new(spool_dir.clone())),
                _ => Adapter::Console,
            })
        };
        Ok(Self {
            email: pick(&config.email)?,
            sms: pick(&config.sms)?,
            voice: pick(&config.voice)?,
        })
    }

    /// Every channel on the console: the development default.
    pub fn console() -> Self {
        Self {
            email: Adapter::Console,
            sms: Adapter::Console,
            voice: Adapter::Console,
        }
    }

    pub fn for_channel(&self, channel: Channel) -> &Adapter {
        match channel {
            Channel::Email => &self.email,
            Channel::Sms => &self.sms,
            Channel::Voice => &self.voice,
            // Forms to relying parties go through the worker's own HTTP client
            // (`HttpPostAdapter`), never a channel's adapter: this only logs what slipped by.
            Channel::HttpPost => &CONSOLE,
        }
    }
}
