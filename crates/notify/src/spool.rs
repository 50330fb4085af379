//! The spool adapter: each message becomes a JSON file in a folder, for operators who relay
//! messages with tools of their own. Files appear whole (written, then renamed).

use std::path::PathBuf;

use serde_json::json;
use tessera_domain::message::Channel;
use uuid::Uuid;

use crate::adapter::DeliveryError;
use crate::texts::Rendered;

#[derive(Clone)]
pub struct SpoolAdapter {
    dir: PathBuf,
}

impl SpoolAdapter {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub async fn deliver(
        &self,
        id: Uuid,
        channel: Channel,
        recipient: &str,
        message: &Rendered,
    ) -> Result<(), DeliveryError> {
        let body = json!({
            "id": id,
            "channel": channel.as_str(),
            "recipient": recipient,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
        });
        let temporary = |e: std::io::Error| {
            DeliveryError::Temporary(format!("spool {}: {e}", self.dir.display()))
        };
        let dir = self.dir.clone();
        let partial = dir.join(format!(".{id}.json.partial"));
        let done = dir.join(format!("{id}.json"));
        let text = body.to_string();
        // One trip to a blocking thread for the three file operations.
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(&partial, text)?;
            std::fs::rename(&partial, &done)
        })
        .await
        .map_err(|e| temporary(std::io::Error::other(e)))?
        .map_err(temporary)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_message_becomes_one_whole_json_file() {
        let dir = tempfile::tempdir().unwrap();
        let spool = SpoolAdapter::new(dir.path().join("spool"));
        let id = Uuid::new_v4();
        let message = Rendered {
            subject: "Subject".into(),
            text: "Your code is 524759.".into(),
            html: "<p>Your code is 524759.</p>".into(),
        };
        spool
            .deliver(id, Channel::Sms, "+33612345678", &message)
            .await
            .unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path().join("spool"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, [format!("{id}.json")]);
        let written: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("spool/{id}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(written["recipient"], "+33612345678");
        assert_eq!(written["channel"], "sms");
        assert_eq!(written["text"], "Your code is 524759.");
    }
}
