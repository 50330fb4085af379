//! What every start does before serving: the root level and a signing key exist.

use serde_json::json;
use tessera_auth::keys::generate_es256;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::level::Level;
use tessera_domain::role::Role;
use tessera_protocols::jwk::PublicJwk;
use tessera_store::keys::StoredSigningKey;
use tessera_store::{AuditLog, Levels, Roles, SigningKeys, Ts, Tx, Users};

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// The name the root level gets when Tessera starts on an empty database.
pub const ROOT_LEVEL_NAME: &str = "Root";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootReport {
    /// Whether this start created the level tree's root.
    pub created_root: bool,
    /// The id of the key tokens are signed with now.
    pub signing_kid: String,
    pub operators: i64,
}

impl App {
    /// Makes sure the root level and a live signing key exist, creating them on first start.
    /// Safe to run on several nodes at once: the work happens in one write transaction.
    pub async fn bootstrap(&self) -> AppResult<BootReport> {
        let ctx = Ctx::system();
        let now = self.now();
        let mut tx = self.store().begin().await?;

        let created_root = match tx.root_level().await? {
            Some(_) => false,
            None => {
                let root = Level::new_root(self.new_level_id(), ROOT_LEVEL_NAME, now)
                    .map_err(|e| AppError::Internal(e.message))?;
                tx.insert_level(&root).await?;
                tx.append_audit(
                    NewAuditEvent::new(now, ctx.actor, "level.create", "level")
                        .target(root.id)
                        .level(root.id)
                        .details(&json!({"after": {"name": root.name, "parent": null}})),
                )
                .await?;
                true
            }
        };

        // Accounts from before name search keys existed get theirs (a no-op afterwards).
        let filled = tx.backfill_name_keys().await?;
        if filled > 0 {
            tracing::info!(accounts = filled, "filled in name search keys");
        }

        let live = tx.live_signing_keys(now).await?;
        let signing_kid = match live.first() {
            Some(key) => {
                // Opening the newest key proves the configured secret key is the right one:
                // a node started with another key refuses to start instead of failing later.
                self.secrets()
                    .open(&seal_context(&key.kid), &key.private_sealed)?;
                key.kid.clone()
            }
            None => {
                self.create_signing_key(&mut tx, &ctx, "signing_key.create")
                    .await?
            }
        };
        let operators = tx.count_role(Role::Operator).await?;
        tx.commit().await?;
        Ok(BootReport {
            created_root,
            signing_kid,
            operators,
        })
    }

    /// The public keys that verify Tessera's signatures now (for a JWKS document).
    pub async fn public_keys(&self) -> AppResult<Vec<PublicJwk>> {
        let mut tx = self.store().read().await?;
        let keys = tx.live_signing_keys(self.now()).await?;
        keys.iter()
            .map(|key| {
                serde_json::from_str(&key.public_jwk)
                    .map_err(|e| AppError::Internal(format!("signing key {}: {e}", key.kid)))
            })
            .collect()
    }
}

/// Associated data for a sealed signing key: the sealed bytes only open for this key id.
impl App {
    /// Creates a new ES256 signing key, sealed under the secret key, audited as `action`.
    pub(crate) async fn create_signing_key(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        action: &str,
    ) -> AppResult<String> {
        let now = self.now();
        let material = generate_es256().map_err(|e| AppError::Internal(e.to_string()))?;
        let jwk = PublicJwk::es256(&material.public_point)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let kid = jwk.thumbprint();
        let public_jwk =
            serde_json::to_string(&jwk).map_err(|e| AppError::Internal(e.to_string()))?;
        let private_sealed = self.secrets().seal(&seal_context(&kid), &material.pkcs8)?;
        tx.insert_signing_key(&StoredSigningKey {
            kid: kid.clone(),
            algorithm: "ES256".into(),
            private_sealed,
            public_jwk,
            created_at: Ts(now),
            retires_at: None,
        })
        .await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, action, "signing_key")
                .target(&kid)
                .details(&json!({"algorithm": "ES256"})),
        )
        .await?;
        Ok(kid)
    }
}

pub(crate) fn seal_context(kid: &str) -> String {
    format!("signing_key:{kid}")
}
