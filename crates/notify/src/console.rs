//! The development adapter: the message goes to the log, clearly marked, codes included.
//! It is the only place where a message's secret values are ever written out.

use tessera_domain::message::Channel;
use uuid::Uuid;

use crate::texts::Rendered;

pub fn deliver(id: Uuid, channel: Channel, recipient: &str, message: &Rendered) {
    tracing::warn!(
        target: "tessera::delivery::console",
        message_id = %id,
        channel = channel.as_str(),
        recipient,
        subject = %message.subject,
        text = %message.text,
        "DEVELOPMENT DELIVERY (console adapter): this message was printed here, not sent"
    );
}
