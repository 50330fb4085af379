//! What every start does before serving: the root level and a signing key exist.

use serde_json::json;
use tessera_auth::keys::{generate_ed25519, generate_es256, generate_rs256};
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::level::Level;
use tessera_domain::role::Role;
use tessera_protocols::jwk::PublicJwk;
use tessera_store::keys::StoredSigningKey;
use tessera_store::{AuditLog, Levels, Roles, SigningKeys, Ts, Tx, Users};

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// The algorithms Tessera signs with, one live signing key each: ES256 signs access tokens
/// (and ID tokens by default), RS256 and EdDSA the ID tokens of clients that ask for them.
pub(crate) const SIGNING_ALGORITHMS: [&str; 3] = ["ES256", "RS256", "EdDSA"];

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

        // The level of self-registered accounts (issue 8), on every installation.
        self.ensure_external_level(&mut tx, &ctx).await?;

        // Accounts from before name search keys existed get theirs (a no-op afterwards).
        let filled = tx.backfill_name_keys().await?;
        if filled > 0 {
            tracing::info!(accounts = filled, "filled in name search keys");
        }

        let live = tx.live_signing_keys(now).await?;
        let live_es256: Vec<_> = live.iter().filter(|k| k.algorithm == "ES256").collect();
        let signing_kid = match live_es256.first() {
            Some(key) => {
                // Opening the newest key proves the configured secret key is the right one:
                // a node started with another key refuses to start instead of failing later.
                self.secrets()
                    .open(&seal_context(&key.kid), &key.private_sealed)?;
                key.kid.clone()
            }
            None => {
                self.create_signing_key(&mut tx, &ctx, "signing_key.create", "ES256")
                    .await?
            }
        };
        // Installations from before RS256 and EdDSA get those keys now; with no other key
        // of their algorithm they sign at once (relying parties refetch the JWKS on an
        // unknown kid).
        for algorithm in SIGNING_ALGORITHMS.into_iter().filter(|a| *a != "ES256") {
            if !live.iter().any(|k| k.algorithm == algorithm) {
                self.create_signing_key(&mut tx, &ctx, "signing_key.create", algorithm)
                    .await?;
            }
        }
        let operators = tx.count_role(Role::Operator).await?;
        tx.commit().await?;
        self.forget_key_set();
        Ok(BootReport {
            created_root,
            signing_kid,
            operators,
        })
    }

    /// The public keys that verify Tessera's signatures now (for a JWKS document).
    pub async fn public_keys(&self) -> AppResult<Vec<PublicJwk>> {
        let keys = self.key_set().await?;
        Ok(keys.live(self.now()).map(|key| key.jwk.clone()).collect())
    }
}

/// Associated data for a sealed signing key: the sealed bytes only open for this key id.
impl App {
    /// Creates a new signing key for `algorithm` (`ES256`, `RS256` or `EdDSA`), sealed
    /// under the secret key as PKCS#8, audited as `action`.
    pub(crate) async fn create_signing_key(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        action: &str,
        algorithm: &str,
    ) -> AppResult<String> {
        let now = self.now();
        let internal = |e: &dyn std::fmt::Display| AppError::Internal(e.to_string());
        let (pkcs8, jwk) = match algorithm {
            "ES256" => {
                let material = generate_es256().map_err(|e| internal(&e))?;
                let jwk = PublicJwk::es256(&material.public_point).map_err(|e| internal(&e))?;
                (material.pkcs8, jwk)
            }
            "RS256" => {
                let material = generate_rs256().map_err(|e| internal(&e))?;
                let jwk = PublicJwk::rs256(&material.modulus, &material.exponent)
                    .map_err(|e| internal(&e))?;
                (material.pkcs8, jwk)
            }
            "EdDSA" => {
                let material = generate_ed25519().map_err(|e| internal(&e))?;
                let jwk = PublicJwk::ed25519(&material.public).map_err(|e| internal(&e))?;
                (material.pkcs8, jwk)
            }
            other => return Err(internal(&format!("no signing keys for {other}"))),
        };
        let kid = jwk.thumbprint();
        let public_jwk =
            serde_json::to_string(&jwk).map_err(|e| AppError::Internal(e.to_string()))?;
        let private_sealed = self.secrets().seal(&seal_context(&kid), &pkcs8)?;
        tx.insert_signing_key(&StoredSigningKey {
            kid: kid.clone(),
            algorithm: algorithm.into(),
            private_sealed,
            public_jwk,
            created_at: Ts(now),
            retires_at: None,
        })
        .await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, action, "signing_key")
                .target(&kid)
                .details(&json!({ "algorithm": algorithm })),
        )
        .await?;
        Ok(kid)
    }
}

pub(crate) fn seal_context(kid: &str) -> String {
    format!("signing_key:{kid}")
}
