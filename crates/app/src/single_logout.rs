//! Single logout: when a single sign-on session ends, for whatever reason (signing out,
//! RP-initiated logout, a session ended from another device or by an administrator, a
//! password change, the sweep of lapsed sessions), every application that took part in it is
//! told. OpenID Connect clients with a `backchannel_logout_uri` get a logout token
//! (Back-Channel Logout 1.0); CAS services get a SAML `LogoutRequest` naming the ticket they
//! were issued (CAS 3.0 Appendix C). The notices are outbox messages on the `http_post`
//! channel, queued in the transaction that ends the session: they go out if and only if it
//! commits, are retried with backoff, and operators see them with the other messages.

use serde_json::json;
use tessera_domain::UserId;
use tessera_domain::audit::{Actor, NewAuditEvent};
use tessera_domain::message::{Channel, NewMessage};
use tessera_domain::setup::token_text;
use tessera_protocols::cas_logout::{LOGOUT_REQUEST_FIELD, logout_request};
use tessera_protocols::logout::{LOGOUT_TOKEN_TYPE, LogoutTokenClaims};
use tessera_store::sso_logout::CasParticipant;
use tessera_store::{AuditLog, Sessions, SsoParticipants, Tx};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::outbox::Outgoing;
use crate::signin::SESSION_POLICY;

/// The outbox template of a back-channel logout token.
pub const BACKCHANNEL_TEMPLATE: &str = "oidc-backchannel-logout";
/// The outbox template of a CAS single logout request.
pub const CAS_LOGOUT_TEMPLATE: &str = "cas-single-logout";

/// Lapsed sessions ended per transaction by the sweep.
const SWEEP_BATCH: i64 = 100;

fn ticket_context(id: Uuid) -> String {
    format!("sso-ticket:{id}")
}

impl App {
    /// Records, in the caller's transaction, that an OpenID Connect client got a code in a
    /// session, so its end reaches the client.
    pub(crate) async fn note_oidc_participant(
        &self,
        tx: &mut Tx,
        session: Uuid,
        client: Uuid,
    ) -> AppResult<()> {
        tx.note_oidc_participant(session, client, self.now())
            .await?;
        Ok(())
    }

    /// Records, in the caller's transaction, a CAS ticket issued in a session. The ticket is
    /// needed again for the logout request, so it is kept sealed, never in clear.
    pub(crate) async fn note_cas_participant(
        &self,
        tx: &mut Tx,
        session: Uuid,
        service: Uuid,
        service_url: &str,
        ticket: &str,
    ) -> AppResult<()> {
        let id = uuid::Builder::from_random_bytes(self.random_bytes()).into_uuid();
        let ticket_sealed = self
            .secrets()
            .seal(&ticket_context(id), ticket.as_bytes())?;
        tx.note_cas_participant(&CasParticipant {
            id,
            session_id: session,
            service_id: service,
            service_url: service_url.to_owned(),
            ticket_sealed,
            issued_at: self.now(),
            single_logout_url: None,
        })
        .await?;
        Ok(())
    }

    /// Ends a session in the caller's transaction and queues the notices to the
    /// applications that took part in it; false (and nothing queued) when it had ended
    /// already. The caller audits the end and, after committing, wakes delivery.
    pub(crate) async fn end_sso_session(
        &self,
        tx: &mut Tx,
        session: Uuid,
        user: UserId,
    ) -> AppResult<bool> {
        if !tx.end_session(session, self.now()).await? {
            return Ok(false);
        }
        self.queue_logout_notices(tx, session, user).await?;
        Ok(true)
    }

    /// Queues one notice per client with a back-channel logout URI and per CAS ticket of
    /// the session, then forgets the session's participants; how many were queued.
    async fn queue_logout_notices(
        &self,
        tx: &mut Tx,
        session: Uuid,
        user: UserId,
    ) -> AppResult<usize> {
        let now = self.now();
        let mut queued = 0;
        for client in tx.oidc_participants(session).await? {
            let Some(uri) = client.backchannel_logout_uri else {
                continue;
            };
            // Signed when delivered (a retry carries a fresh iat and exp); the jti stays, so
            // a relying party that got the first attempt can tell a repeat.
            let notice = NewMessage::new(Channel::HttpPost, &uri, BACKCHANNEL_TEMPLATE, "en")
                .arg("client_id", &client.client_id)
                .arg("alg", &client.id_token_alg)
                .arg("sub", user.0.to_string())
                .arg("sid", session.to_string())
                .arg("jti", token_text(self.random_bytes()));
            self.enqueue_message(tx, notice).await?;
            queued += 1;
        }
        for ticket in tx.cas_participants(session).await? {
            let opened = self
                .secrets()
                .open(&ticket_context(ticket.id), &ticket.ticket_sealed)?;
            let ticket_text = String::from_utf8(opened)
                .map_err(|_| AppError::Internal("a sealed ticket is not text".into()))?;
            let id = format!("LR-{}", token_text(self.random_bytes()));
            let request = logout_request(&id, now, &ticket_text);
            let url = ticket
                .single_logout_url
                .as_deref()
                .unwrap_or(&ticket.service_url);
            let notice = NewMessage::new(Channel::HttpPost, url, CAS_LOGOUT_TEMPLATE, "en")
                .secret_arg(LOGOUT_REQUEST_FIELD, request);
            self.enqueue_message(tx, notice).await?;
            queued += 1;
        }
        // Their notices hold what is needed now; the sealed tickets need not stay.
        tx.forget_participants(session).await?;
        Ok(queued)
    }

    /// Ends the sessions that lapsed (idle, too old, or of an expired account) while
    /// applications still hold sessions of their own from them, so those hear of it; part of
    /// the sweep. Lapsed sessions nobody took part in simply stop working, as before.
    pub(crate) async fn end_lapsed_sessions(&self) -> AppResult<u64> {
        let mut ended = 0;
        for _ in 0..100 {
            let now = self.now();
            let mut tx = self.store().begin().await?;
            let lapsed = tx
                .lapsed_sessions_with_participants(
                    now - SESSION_POLICY.idle,
                    now - SESSION_POLICY.absolute,
                    now,
                    SWEEP_BATCH,
                )
                .await?;
            let found = lapsed.len();
            for session in lapsed {
                if self
                    .end_sso_session(&mut tx, session.id, session.user_id)
                    .await?
                {
                    tx.append_audit(
                        NewAuditEvent::new(now, Actor::System, "session.expire", "session")
                            .target(session.id)
                            .details(&json!({ "user": session.user_id.0 })),
                    )
                    .await?;
                    ended += 1;
                }
            }
            tx.commit().await?;
            if found > 0 {
                self.wake_delivery();
            }
            if i64::try_from(found).unwrap_or(0) < SWEEP_BATCH {
                break;
            }
        }
        Ok(ended)
    }

    /// The form a notice on the `http_post` channel posts, made when it is delivered:
    /// `None` for a template that makes none (given up at once).
    pub async fn outgoing_form(
        &self,
        outgoing: &Outgoing,
    ) -> AppResult<Option<Vec<(String, String)>>> {
        let arg = |name: &str| {
            outgoing
                .args
                .get(name)
                .cloned()
                .ok_or_else(|| AppError::Internal(format!("the notice has no {name}")))
        };
        match outgoing.template.as_str() {
            BACKCHANNEL_TEMPLATE => {
                let now: OffsetDateTime = self.now();
                let claims = LogoutTokenClaims::new(
                    &self.config().public_url,
                    &arg("client_id")?,
                    &arg("sub")?,
                    &arg("sid")?,
                    &arg("jti")?,
                    now.unix_timestamp(),
                );
                // The client's ID token algorithm (OIDC Back-Channel Logout §2.4); notices
                // queued before the algorithm was recorded are ES256.
                let algorithm = outgoing.args.get("alg").map_or("ES256", String::as_str);
                let signer = self.signer_for(algorithm).await?;
                let token = signer
                    .sign(&claims, LOGOUT_TOKEN_TYPE)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                Ok(Some(vec![("logout_token".to_owned(), token)]))
            }
            CAS_LOGOUT_TEMPLATE => Ok(Some(vec![(
                LOGOUT_REQUEST_FIELD.to_owned(),
                arg(LOGOUT_REQUEST_FIELD)?,
            )])),
            _ => Ok(None),
        }
    }
}
