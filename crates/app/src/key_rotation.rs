//! Rotating the signing keys: on demand (`tessera keys rotate`) and when the newest key is
//! old enough (the periodic sweep). Which key signs follows `domain::key_rotation`.

use serde_json::json;
use tessera_domain::access::Action;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::key_rotation::RotationPolicy;
use tessera_store::keys::StoredSigningKey;
use tessera_store::{AuditLog, SigningKeys};

use crate::app::App;
use crate::bootstrap::SIGNING_ALGORITHMS;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The new ES256 key, which signs access tokens (once it has been published for
    /// `publish_ahead`).
    pub new_kid: String,
    /// The new key of every algorithm (ES256 first), each replacing the keys of its own.
    pub new_kids: Vec<String>,
    /// The keys that stop being published after the overlap.
    pub replaced: u64,
    pub replaced_leave_at: time::OffsetDateTime,
}

/// The ES256 key that signs at `now` among live keys listed newest first (its index in
/// `live`): each algorithm's keys rotate on their own.
pub(crate) fn signing_key(
    policy: &RotationPolicy,
    live: &[StoredSigningKey],
    now: time::OffsetDateTime,
) -> Option<usize> {
    let es256: Vec<usize> = (0..live.len())
        .filter(|i| live.get(*i).is_some_and(|k| k.algorithm == "ES256"))
        .collect();
    let created: Vec<_> = es256
        .iter()
        .filter_map(|i| live.get(*i).map(|k| k.created_at.0))
        .collect();
    policy
        .signing_index(&created, now)
        .and_then(|i| es256.get(i).copied())
}

impl App {
    /// Creates a new signing key of every algorithm and schedules the older ones to leave the
    /// published set.
    /// Operators, and Tessera itself (the command line on the server, the sweep).
    pub async fn rotate_signing_key(&self, ctx: &Ctx) -> AppResult<Rotation> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageSigningKeys)?;
        let policy = RotationPolicy::default();
        let leave_at = policy.retire_replaced_at(self.now());
        let mut new_kids = Vec::new();
        let mut replaced = 0;
        for algorithm in SIGNING_ALGORITHMS {
            let new_kid = self
                .create_signing_key(&mut tx, ctx, "signing_key.rotate", algorithm)
                .await?;
            let retired = tx
                .retire_signing_keys_of_algorithm_except(algorithm, &new_kid, leave_at)
                .await?;
            tx.append_audit(
                NewAuditEvent::new(self.now(), ctx.actor, "signing_key.retire", "signing_key")
                    .request(ctx.request_id.as_deref())
                    .details(&json!({"replaced_by": new_kid, "algorithm": algorithm, "keys": retired, "leave_at": leave_at.unix_timestamp()})),
            )
            .await?;
            replaced += retired;
            new_kids.push(new_kid);
        }
        let new_kid = new_kids.first().cloned().unwrap_or_default();
        tx.commit().await?;
        self.forget_key_set();
        Ok(Rotation {
            new_kid,
            new_kids,
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

    /// Rotates when the newest key of some algorithm is due (or an algorithm has no key);
    /// `None` when nothing was due. All algorithms rotate together, so they stay in step.
    pub async fn rotate_signing_key_when_due(&self) -> AppResult<Option<Rotation>> {
        let policy = RotationPolicy::default();
        let now = self.now();
        let live = {
            let mut tx = self.store().reads().await?;
            tx.live_signing_keys(now).await?
        };
        // Newest first, so the first of each algorithm is its newest.
        let newest_of = |algorithm: &str| {
            live.iter()
                .find(|k| k.algorithm == algorithm)
                .map(|k| k.created_at.0)
        };
        if newest_of("ES256").is_none() {
            return Err(AppError::Internal("no live signing key".into()));
        }
        let due = SIGNING_ALGORITHMS
            .iter()
            .any(|algorithm| newest_of(algorithm).is_none_or(|at| policy.due(at, now)));
        if !due {
            return Ok(None);
        }
        self.rotate_signing_key(&Ctx::system()).await.map(Some)
    }
}
