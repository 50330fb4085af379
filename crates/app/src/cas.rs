//! CAS 3.0 server: operators register services per application environment; `/cas/login`
//! issues service tickets for a session strong enough for the application; validation burns
//! the ticket and releases the person with the environment's groups.

use serde_json::json;
use tessera_domain::ValidationErrors;
use tessera_domain::access::Action;
use tessera_domain::application::Environment;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::session::Assurance;
use tessera_domain::setup::{token_digest, token_text};
use tessera_domain::user::UserStatus;
use tessera_protocols::cas::{
    FailureCode, MatchKind, ServiceResponse, is_proxy_ticket, is_registrable, is_service_ticket,
    service_matches, service_ticket, with_ticket,
};
pub use tessera_store::cas::CasService;
use tessera_store::cas::CasTicket;
use tessera_store::{
    Applications, AuditLog, CasStore, Memberships, SessionApplications, Sessions, Tx, Users,
};
use time::Duration;
use uuid::Uuid;

use crate::app::App;
pub use crate::cas_proxy::{CasValidated, PendingPgt};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::signin::CurrentSession;

/// How long a service ticket may wait for validation (CAS 3.0 §3.1.1 suggests minutes at
/// most; a service validates at once).
pub const TICKET_LIFETIME: Duration = Duration::seconds(60);

/// What an operator fills in to register a service.
#[derive(Debug, Clone, Default)]
pub struct CasServiceInput {
    pub application_id: Uuid,
    /// `production` or `pre_production`.
    pub environment: String,
    pub name: String,
    pub service_url: String,
    /// `exact` (the default) or `prefix`.
    pub match_kind: Option<String>,
    pub proxy_allowed: bool,
    pub single_logout_url: Option<String>,
}

/// A login request as `/cas/login` receives it.
#[derive(Debug, Clone, Default)]
pub struct CasLoginRequest {
    pub service: Option<String>,
    pub renew: bool,
    pub gateway: bool,
    /// The session began after this request asked for `renew` (the web layer tracks that
    /// across the sign-in), so `renew` is satisfied.
    pub fresh: bool,
}

/// What `/cas/login` should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CasLogin {
    /// Send the browser here: the service with a ticket (or without, for `gateway`).
    Redirect(String),
    /// An unregistered or unusable service: an error page, never a redirect.
    ErrorPage(String),
    /// No service named: the person's own pages (signing in first if needed).
    NoService,
    SignIn,
    StepUp(Assurance),
    /// `renew=true`: sign in again, then come back to the same request.
    Reauthenticate,
}

/// Which validation endpoint is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasValidation {
    /// `/cas/serviceValidate`: the user only.
    Service,
    /// `/cas/p3/serviceValidate`: the user and attributes.
    P3,
    /// `/cas/proxyValidate`: as p3, for services allowed to proxy.
    Proxy,
}

/// The registration admitting `url`: an exact one first, then the longest prefix.
pub(crate) fn find_service<'a>(services: &'a [CasService], url: &str) -> Option<&'a CasService> {
    let admits = |s: &&CasService| {
        MatchKind::parse(&s.match_kind)
            .is_some_and(|kind| service_matches(&s.service_url, kind, url))
    };
    services
        .iter()
        .filter(admits)
        .max_by_key(|s| (s.match_kind == "exact", s.service_url.len()))
}

/// What an operator changes of a service; its application and environment stay.
#[derive(Debug, Clone, Default)]
pub struct CasServiceUpdate {
    /// Every setting, as at registration (the application and environment are ignored).
    pub settings: CasServiceInput,
    /// The version the operator saw: a stale change is refused.
    pub version: i64,
}

/// A service's settings once checked: what registering and changing both store.
struct ServiceSettings {
    environment: Environment,
    name: String,
    service_url: String,
    match_kind: MatchKind,
    proxy_allowed: bool,
    single_logout_url: Option<String>,
}

/// Checks what an operator filled in, every field at once.
fn check_service(input: &CasServiceInput) -> Result<ServiceSettings, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let (environment, name) =
        crate::applications::environment_and_name(&mut errors, &input.environment, &input.name);
    let match_kind = MatchKind::parse(input.match_kind.as_deref().unwrap_or("exact"));
    if match_kind.is_none() {
        errors.push("match_kind", "unknown", "Choose exact or prefix.");
    }
    for (field, url) in [
        ("service_url", Some(&input.service_url)),
        ("single_logout_url", input.single_logout_url.as_ref()),
    ] {
        if let Some(url) = url
            && !is_registrable(url)
        {
            errors.push(
                field,
                "invalid",
                "An absolute https address without a fragment (http only for localhost).",
            );
        }
    }
    match (environment, match_kind) {
        (Some(environment), Some(match_kind)) if errors.is_empty() => Ok(ServiceSettings {
            environment,
            name: name.to_owned(),
            service_url: input.service_url.clone(),
            match_kind,
            proxy_allowed: input.proxy_allowed,
            single_logout_url: input.single_logout_url.clone(),
        }),
        _ => Err(errors),
    }
}

/// What the audit trail keeps of a service's settings.
fn audited(service: &CasService) -> serde_json::Value {
    json!({
        "environment": service.environment.as_str(),
        "name": service.name,
        "service_url": service.service_url,
        "match": service.match_kind,
        "proxy_allowed": service.proxy_allowed,
        "single_logout_url": service.single_logout_url,
    })
}

impl App {
    /// Registers a CAS service for one application environment (operators only).
    pub async fn register_cas_service(
        &self,
        ctx: &Ctx,
        input: &CasServiceInput,
    ) -> AppResult<CasService> {
        let settings = check_service(input)?;
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageApplications)?;
        let application = tx
            .application(input.application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = self.now();
        let service = CasService {
            id: Uuid::now_v7(),
            application_id: application.id,
            environment: settings.environment,
            name: settings.name,
            service_url: settings.service_url,
            match_kind: settings.match_kind.as_str().to_owned(),
            proxy_allowed: settings.proxy_allowed,
            single_logout_url: settings.single_logout_url,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_cas_service(&service).await?;
        let mut details = audited(&service);
        details["application"] = json!(application.code);
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "cas_service.create", "cas_service")
                .target(service.id)
                .request(ctx.request_id.as_deref())
                .details(&details),
        )
        .await?;
        tx.commit().await?;
        Ok(service)
    }

    /// One service by its id (operators only).
    pub async fn cas_service(&self, ctx: &Ctx, id: Uuid) -> AppResult<CasService> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageApplications)?;
        tx.cas_service(id).await?.ok_or(AppError::NotFound)
    }

    /// Changes a service's settings (operators only) if nobody changed it since the version
    /// the operator read; its application and environment stay. Checked as at registration.
    pub async fn update_cas_service(
        &self,
        ctx: &Ctx,
        id: Uuid,
        update: &CasServiceUpdate,
    ) -> AppResult<CasService> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageApplications)?;
        let current = tx.cas_service(id).await?.ok_or(AppError::NotFound)?;
        let input = CasServiceInput {
            application_id: current.application_id,
            environment: current.environment.as_str().to_owned(),
            ..update.settings.clone()
        };
        let settings = check_service(&input)?;
        let now = self.now();
        let service = CasService {
            name: settings.name,
            service_url: settings.service_url,
            match_kind: settings.match_kind.as_str().to_owned(),
            proxy_allowed: settings.proxy_allowed,
            single_logout_url: settings.single_logout_url,
            version: current.version + 1,
            updated_at: now,
            ..current
        };
        if !tx.update_cas_service(&service, update.version).await? {
            return Err(AppError::Stale);
        }
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "cas_service.update", "cas_service")
                .target(service.id)
                .request(ctx.request_id.as_deref())
                .details(&audited(&service)),
        )
        .await?;
        tx.commit().await?;
        Ok(service)
    }

    /// Deletes a service (operators only); its tickets go with it, so none of them validates
    /// any more, and `/cas/login` no longer knows its address.
    pub async fn delete_cas_service(&self, ctx: &Ctx, id: Uuid) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageApplications)?;
        let service = tx.cas_service(id).await?.ok_or(AppError::NotFound)?;
        if !tx.delete_cas_service(id).await? {
            return Err(AppError::NotFound);
        }
        tx.append_audit(
            NewAuditEvent::new(self.now(), ctx.actor, "cas_service.delete", "cas_service")
                .target(service.id)
                .request(ctx.request_id.as_deref())
                .details(&audited(&service)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The CAS services of one application (operators only).
    pub async fn cas_services(&self, ctx: &Ctx, application: Uuid) -> AppResult<Vec<CasService>> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(ctx.actor, &grants, Action::ManageApplications)?;
        Ok(tx.cas_services_of(application).await?)
    }

    /// Whether `url` belongs to a registered service (where `/cas/logout` may send people).
    pub async fn cas_service_registered(&self, url: &str) -> AppResult<bool> {
        let mut tx = self.store().reads().await?;
        Ok(find_service(&tx.cas_services().await?, url).is_some())
    }

    /// `/cas/login`: issues a ticket for a session strong enough for the service's
    /// application, auditing the sign-in; otherwise says how to get there.
    pub async fn cas_login(
        &self,
        session: Option<&CurrentSession>,
        request: &CasLoginRequest,
        ctx: &Ctx,
    ) -> AppResult<CasLogin> {
        let Some(url) = request.service.as_deref() else {
            return Ok(CasLogin::NoService);
        };
        let mut tx = self.store().begin().await?;
        let services = tx.cas_services().await?;
        let Some(service) = find_service(&services, url) else {
            return Ok(CasLogin::ErrorPage(
                "This address is not registered as a service of any application.".into(),
            ));
        };
        let application = tx
            .application(service.application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = self.now();
        // gateway: never show a page; the service hears nothing and carries on anonymously.
        let gateway = request.gateway && !request.renew;
        let Some(session) = session else {
            return Ok(if gateway {
                CasLogin::Redirect(url.to_owned())
            } else {
                CasLogin::SignIn
            });
        };
        if let Some(why) = self
            .external_refusal(&mut tx, &session.user, application.id, service.environment)
            .await?
        {
            return Ok(CasLogin::ErrorPage(why));
        }
        if request.renew && !request.fresh {
            return Ok(CasLogin::Reauthenticate);
        }
        if session.assurance < application.min_assurance {
            return Ok(if gateway {
                CasLogin::Redirect(url.to_owned())
            } else {
                CasLogin::StepUp(application.min_assurance)
            });
        }

        let ticket = service_ticket(&token_text(self.random_bytes()));
        tx.insert_cas_ticket(&CasTicket {
            ticket_digest: token_digest(&ticket),
            service_id: service.id,
            service_url: url.to_owned(),
            user_id: session.user.id,
            session_id: session.session_id,
            renewed: request.renew,
            created_at: now,
            expires_at: now + TICKET_LIFETIME,
            proxied_by: None,
        })
        .await?;
        tx.note_application_use(session.session_id, application.id, service.environment, now)
            .await?;
        self.note_cas_participant(&mut tx, session.session_id, service.id, url, &ticket)
            .await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "sso.signin", "application")
                .target(application.id)
                .level(session.user.level_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({
                    "protocol": "cas",
                    "application": application.code,
                    "environment": service.environment.as_str(),
                    "service": service.id,
                    "session": session.session_id,
                    "acr": session.assurance.as_str(),
                    "renew": request.renew,
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(CasLogin::Redirect(with_ticket(url, &ticket)))
    }

    /// Ticket validation: the ticket works once, for the service it was issued to, while its
    /// session lasts; attributes (names, e-mail, the environment's groups) on p3 and proxy.
    pub async fn cas_validate(
        &self,
        which: CasValidation,
        ticket: Option<&str>,
        service: Option<&str>,
        renew: bool,
    ) -> AppResult<ServiceResponse> {
        Ok(self
            .cas_validate_for_proxy(which, ticket, service, renew, None)
            .await?
            .response)
    }

    /// Ticket validation with a `pgtUrl`: as [`App::cas_validate`], and for a service that
    /// may proxy, a proxy-granting ticket to deliver to the callback (CAS 3.0 §2.5.4). The
    /// caller calls back, then keeps it with [`App::cas_grant_pgt`] (or answers
    /// [`PendingPgt::refused`] when the callback did not answer 200). A `pgtUrl` that may not
    /// have one fails the validation with `INVALID_PROXY_CALLBACK`; the ticket is used all the
    /// same. An empty `pgtUrl` is read as none.
    pub async fn cas_validate_for_proxy(
        &self,
        which: CasValidation,
        ticket: Option<&str>,
        service: Option<&str>,
        renew: bool,
        pgt_url: Option<&str>,
    ) -> AppResult<CasValidated> {
        let fail = |code, why: &str| {
            Ok(CasValidated {
                response: ServiceResponse::failure(code, why),
                pending: None,
            })
        };
        let pgt_url = pgt_url.filter(|u| !u.trim().is_empty());
        let (Some(ticket), Some(url)) = (ticket, service) else {
            return fail(
                FailureCode::InvalidRequest,
                "ticket and service are required",
            );
        };
        // A proxy ticket is validated at proxyValidate only (CAS 3.0 §2.5.1).
        let proxied = which == CasValidation::Proxy && is_proxy_ticket(ticket);
        if !is_service_ticket(ticket) && !proxied {
            return fail(FailureCode::InvalidTicket, "not a service ticket");
        }
        let mut tx = self.store().begin().await?;
        let services = tx.cas_services().await?;
        if which == CasValidation::Proxy
            && !proxied
            && !find_service(&services, url).is_some_and(|s| s.proxy_allowed)
        {
            return fail(
                FailureCode::UnauthorizedServiceProxy,
                "this service may not proxy",
            );
        }
        let now = self.now();
        // Burnt before it is judged, and committed: a ticket presented wrongly is gone too
        // (CAS 3.0 §2.5.1).
        let stored = tx.consume_cas_ticket(&token_digest(ticket), now).await?;
        tx.commit().await?;
        let Some(stored) = stored else {
            return fail(
                FailureCode::InvalidTicket,
                "the ticket is unknown, used or expired",
            );
        };
        if stored.proxied_by.is_some() != proxied {
            return fail(FailureCode::InvalidTicket, "not a ticket of this kind");
        }
        if stored.service_url != url {
            return fail(
                FailureCode::InvalidService,
                "the ticket was issued to another service",
            );
        }
        if renew && !stored.renewed {
            return fail(
                FailureCode::InvalidTicket,
                "the ticket did not come from a fresh sign-in",
            );
        }
        let mut tx = self.store().reads().await?;
        let Some(registration) = services.iter().find(|s| s.id == stored.service_id) else {
            return fail(
                FailureCode::InvalidService,
                "the service is no longer registered",
            );
        };
        match self.released(&mut tx, &stored, registration, which).await? {
            Some(response) => {
                let Some(pgt_url) = pgt_url else {
                    return Ok(CasValidated {
                        response,
                        pending: None,
                    });
                };
                let offer = self
                    .pgt_offer(&mut tx, &services, registration, &stored, pgt_url)
                    .await?;
                Ok(match offer {
                    Ok(pending) => CasValidated {
                        response,
                        pending: Some(pending),
                    },
                    Err(refused) => CasValidated {
                        response: refused,
                        pending: None,
                    },
                })
            }
            None => fail(
                FailureCode::InvalidTicket,
                "the sign-in behind the ticket has ended",
            ),
        }
    }

    /// The person behind a ticket as the service's environment sees them; `None` when the
    /// account or the session is no longer good.
    async fn released(
        &self,
        tx: &mut Tx,
        ticket: &CasTicket,
        service: &CasService,
        which: CasValidation,
    ) -> AppResult<Option<ServiceResponse>> {
        let Some(user) = tx.user(ticket.user_id).await? else {
            return Ok(None);
        };
        if user.effective_status(self.now()) != UserStatus::Active
            || !tx
                .open_sessions_of(user.id)
                .await?
                .iter()
                .any(|s| s.id == ticket.session_id)
        {
            return Ok(None);
        }
        let attributes = if which == CasValidation::Service {
            Vec::new()
        } else {
            let groups = tx
                .groups_held_in(
                    user.id,
                    service.application_id,
                    service.environment,
                    self.now(),
                )
                .await?
                .into_iter()
                .map(|g| g.technical_name)
                .collect();
            vec![
                ("given_name".to_owned(), vec![user.first_name.clone()]),
                ("family_name".to_owned(), vec![user.last_name.clone()]),
                ("email".to_owned(), vec![user.email.clone()]),
                ("groups".to_owned(), groups),
                (
                    "isFromNewLogin".to_owned(),
                    vec![ticket.renewed.to_string()],
                ),
            ]
        };
        Ok(Some(ServiceResponse::Success {
            user: user.id.0.to_string(),
            attributes,
            proxy_granting_ticket: None,
            proxies: ticket.proxied_by.iter().cloned().collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn service(url: &str, kind: &str, n: u8) -> CasService {
        CasService {
            id: Uuid::from_bytes([n; 16]),
            application_id: Uuid::nil(),
            environment: tessera_domain::application::Environment::Production,
            name: String::new(),
            service_url: url.into(),
            match_kind: kind.into(),
            proxy_allowed: false,
            single_logout_url: None,
            version: 1,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_most_specific_registration_wins() {
        let services = [
            service("https://a.example/", "prefix", 1),
            service("https://a.example/app/", "prefix", 2),
            service("https://a.example/app/login", "exact", 3),
        ];
        let id = |url| find_service(&services, url).map(|s| s.id.as_bytes()[0]);
        assert_eq!(id("https://a.example/app/login"), Some(3));
        assert_eq!(id("https://a.example/app/x"), Some(2));
        assert_eq!(id("https://a.example/x"), Some(1));
        assert_eq!(id("https://b.example/x"), None);
    }
}
