//! CAS 3.0 proxying (§2.5.4, §2.7): a service allowed to proxy receives a proxy-granting
//! ticket at its callback when it validates a ticket with `pgtUrl`; with it, `/cas/proxy`
//! issues proxy tickets for other registered services, which they validate at
//! `/cas/proxyValidate` and which name the proxying service. A `pgtUrl` that gives no
//! proxy-granting ticket (not https, not registered for proxying, a callback that does not
//! answer 200) fails the validation with `INVALID_PROXY_CALLBACK` (§2.5.3, §2.5.4), the
//! ticket being used all the same.
//!
//! Proxy chains are not supported: a proxy ticket validated with a `pgtUrl` is refused the
//! same way, since a proxy ticket names one proxy only and a longer chain could not be
//! listed whole in `cas:proxies`.

use serde_json::json;
use tessera_domain::UserId;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::setup::{token_digest, token_text};
use tessera_domain::user::UserStatus;
use tessera_protocols::cas::{
    FailureCode, ProxyCallbackRefusal, ProxyResponse, ServiceResponse, is_proxy_granting_ticket,
    is_registrable, pgt_callback, pgt_iou, proxy_granting_ticket, proxy_ticket,
};
use tessera_store::cas::{CasProxyGrantingTicket, CasService, CasTicket};
use tessera_store::{AuditLog, CasStore, Sessions, Tx, Users};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::App;
use crate::cas::{TICKET_LIFETIME, find_service};
use crate::context::Ctx;
use crate::error::AppResult;
use crate::signin::SESSION_POLICY;

/// A validation's answer, with the proxy-granting ticket to deliver when one was asked for
/// and may be granted. A `pgtUrl` that may not have one makes the answer an
/// `INVALID_PROXY_CALLBACK` failure, without a pending ticket.
#[derive(Debug, Clone)]
pub struct CasValidated {
    pub response: ServiceResponse,
    pub pending: Option<PendingPgt>,
}

/// A proxy-granting ticket not yet kept: it is kept only once the callback answered 200.
#[derive(Debug, Clone)]
pub struct PendingPgt {
    /// Where to call back: the `pgtUrl` with `pgtIou` and `pgtId` added.
    pub callback: String,
    /// The IOU to put in the validation answer once the callback succeeded.
    pub iou: String,
    pgt_digest: String,
    pgt_url: String,
    service_id: Uuid,
    user_id: UserId,
    session_id: Uuid,
    expires_at: OffsetDateTime,
}

impl PendingPgt {
    /// The answer when the callback did not answer 200: `INVALID_PROXY_CALLBACK`, saying why;
    /// nothing is kept.
    pub fn refused(&self, why: ProxyCallbackRefusal) -> ServiceResponse {
        ServiceResponse::proxy_callback_refused(why)
    }

    /// The answer once the callback succeeded: the success with the IOU.
    pub fn granted(&self, response: ServiceResponse) -> ServiceResponse {
        match response {
            ServiceResponse::Success {
                user,
                attributes,
                proxies,
                ..
            } => ServiceResponse::Success {
                user,
                attributes,
                proxy_granting_ticket: Some(self.iou.clone()),
                proxies,
            },
            failure => failure,
        }
    }
}

impl App {
    /// A proxy-granting ticket for `service` when it may proxy and `pgt_url` is a usable
    /// address of the same registration (https, or http to this machine); otherwise the
    /// failure to answer instead of the validation's success.
    pub(crate) async fn pgt_offer(
        &self,
        tx: &mut Tx,
        services: &[CasService],
        service: &CasService,
        ticket: &CasTicket,
        pgt_url: &str,
    ) -> AppResult<Result<PendingPgt, ServiceResponse>> {
        let refusal = if ticket.proxied_by.is_some() {
            Some(ProxyCallbackRefusal::ProxyChain)
        } else if !is_registrable(pgt_url) {
            Some(ProxyCallbackRefusal::NotHttps)
        } else if !service.proxy_allowed {
            Some(ProxyCallbackRefusal::ProxyingNotAllowed)
        } else if find_service(services, pgt_url).is_none_or(|s| s.id != service.id) {
            Some(ProxyCallbackRefusal::NotRegistered)
        } else {
            None
        };
        if let Some(why) = refusal {
            return Ok(Err(ServiceResponse::proxy_callback_refused(why)));
        }
        let Some(session) = tx
            .open_sessions_of(ticket.user_id)
            .await?
            .into_iter()
            .find(|s| s.id == ticket.session_id)
        else {
            return Ok(Err(ServiceResponse::failure(
                FailureCode::InvalidTicket,
                "the sign-in behind the ticket has ended",
            )));
        };
        let pgt = proxy_granting_ticket(&token_text(self.random_bytes()));
        let iou = pgt_iou(&token_text(self.random_bytes()));
        Ok(Ok(PendingPgt {
            callback: pgt_callback(pgt_url, &iou, &pgt),
            iou,
            pgt_digest: token_digest(&pgt),
            pgt_url: pgt_url.to_owned(),
            service_id: service.id,
            user_id: ticket.user_id,
            session_id: session.id,
            expires_at: session.created_at + SESSION_POLICY.absolute,
        }))
    }

    /// Keeps a proxy-granting ticket whose callback answered 200, auditing the grant.
    pub async fn cas_grant_pgt(&self, pending: &PendingPgt, ctx: &Ctx) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        tx.insert_cas_proxy_granting_ticket(&CasProxyGrantingTicket {
            pgt_digest: pending.pgt_digest.clone(),
            service_id: pending.service_id,
            pgt_url: pending.pgt_url.clone(),
            user_id: pending.user_id,
            session_id: pending.session_id,
            created_at: now,
            expires_at: pending.expires_at,
        })
        .await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "cas.proxy_granting_ticket", "cas_service")
                .target(pending.service_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({
                    "session": pending.session_id,
                    "pgt_url": pending.pgt_url,
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `/cas/proxy`: a proxy ticket for `target` (a registered service) from a live
    /// proxy-granting ticket whose session still lasts.
    pub async fn cas_proxy(
        &self,
        pgt: Option<&str>,
        target: Option<&str>,
        ctx: &Ctx,
    ) -> AppResult<ProxyResponse> {
        let fail = |code, why: &str| Ok(ProxyResponse::failure(code, why));
        let (Some(pgt), Some(target)) = (pgt, target) else {
            return fail(
                FailureCode::InvalidRequest,
                "pgt and targetService are required",
            );
        };
        if !is_proxy_granting_ticket(pgt) {
            return fail(FailureCode::InvalidTicket, "not a proxy-granting ticket");
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let Some(granting) = tx
            .cas_proxy_granting_ticket(&token_digest(pgt), now)
            .await?
        else {
            return fail(
                FailureCode::InvalidTicket,
                "the proxy-granting ticket is unknown or expired",
            );
        };
        let live = tx
            .user(granting.user_id)
            .await?
            .is_some_and(|u| u.effective_status(now) == UserStatus::Active)
            && tx
                .open_sessions_of(granting.user_id)
                .await?
                .iter()
                .any(|s| s.id == granting.session_id);
        if !live {
            return fail(
                FailureCode::InvalidTicket,
                "the sign-in behind the proxy-granting ticket has ended",
            );
        }
        let services = tx.cas_services().await?;
        if !services
            .iter()
            .any(|s| s.id == granting.service_id && s.proxy_allowed)
        {
            return fail(
                FailureCode::UnauthorizedService,
                "the proxying service may no longer proxy",
            );
        }
        let Some(service) = find_service(&services, target) else {
            return fail(
                FailureCode::UnauthorizedService,
                "the target service is not registered",
            );
        };
        let ticket = proxy_ticket(&token_text(self.random_bytes()));
        tx.insert_cas_ticket(&CasTicket {
            ticket_digest: token_digest(&ticket),
            service_id: service.id,
            service_url: target.to_owned(),
            user_id: granting.user_id,
            session_id: granting.session_id,
            renewed: false,
            created_at: now,
            expires_at: now + TICKET_LIFETIME,
            proxied_by: Some(granting.pgt_url.clone()),
        })
        .await?;
        self.note_cas_participant(&mut tx, granting.session_id, service.id, target, &ticket)
            .await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "cas.proxy_ticket", "cas_service")
                .target(service.id)
                .request(ctx.request_id.as_deref())
                .details(&json!({
                    "session": granting.session_id,
                    "proxied_by": granting.pgt_url,
                    "proxying_service": granting.service_id,
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(ProxyResponse::Success {
            proxy_ticket: ticket,
        })
    }
}
