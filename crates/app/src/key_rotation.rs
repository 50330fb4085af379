//! Rotating the signing keys: on demand (`tessera keys rotate`) and when the newest key is
//! old enough (the periodic sweep). Which key signs follows `domain::key_rotation`.

use serde_json::json;
use tessera_domain::access::Action;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::key_rotation::RotationPolicy;
use tessera_store::keys::StoredSigningKey;
use tessera_store::{AuditLog, SigningKeys};

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The new key (it signs once it has been published for `publish_ahead`).
    pub new_kid: String,
    /// The keys that stop being published after the overlap.
    pub replaced: u64,
    pub replaced_leave_at: time::OffsetDateTime,
}

/// The key that signs at `now` among live keys listed newest first.
pub(crate) fn signing_key(
    policy: &RotationPolicy,
    live: &[StoredSigningKey],
    now: time::OffsetDateTime,
) -> Option<usize> {
    let created: Vec<_> = live.iter().map(|k| k.created_at.0).collect();
    policy.signing_index(&created, now)
}

impl App {
    /// Creates a new signing key and schedules the older ones to leave the published set.
    /// Operators, and Tessera itself (the command line on the server, the sweep).
    pub async fn rotate_signing_key(&self, ctx: &Ctx) -> AppResult<Rotation> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageSigningKeys)?;
        let policy = RotationPolicy::default();
        let new_kid = self
            .create_signing_key(&mut tx, ctx, "signing_key.rotate")
            .await?;
        let leave_at = policy.retire_replaced_at(self.now());
        let replaced = tx.retire_signing_keys_except(&new_kid, leave_at).await?;
        tx.append_audit(
            NewAuditEvent::new(self.now(), ctx.actor, "signing_key.retire", "signing_key")
                .request(ctx.request_id.as_deref())
                .details(&json!({"replaced_by": new_kid, "keys": replaced, "leave_at": leave_at.unix_timestamp()})),
        )
        .await?;
        tx.commit().await?;
        Ok(Rotation {
            new_kid,
            replaced,
            replaced_leave_at: leave_at,
        })
    }

    /// The id of the key that signs now.
    pub async fn signing_kid(&self) -> AppResult<String> {
        let mut tx = self.store().reads().await?;
        let live = tx.live_signing_keys(self.now()).await?;
        signing_key(&RotationPolicy::default(), &live, self.now())
            .and_then(|i| live.get(i))
            .map(|k| k.kid.clone())
            .ok_or_else(|| AppError::Internal("no live signing key".into()))
    }

    /// Rotates when the newest key is due; `None` when nothing was due.
    pub async fn rotate_signing_key_when_due(&self) -> AppResult<Option<Rotation>> {
        let policy = RotationPolicy::default();
        let newest = {
            let mut tx = self.store().reads().await?;
            tx.live_signing_keys(self.now())
                .await?
                .first()
                .map(|k| k.created_at.0)
        };
        let Some(newest) = newest else {
            return Err(AppError::Internal("no live signing key".into()));
        };
        if !policy.due(newest, self.now()) {
            return Ok(None);
        }
        self.rotate_signing_key(&Ctx::system()).await.map(Some)
    }
}
