//! CAS services and service tickets. Tickets arrive here as SHA-256 digests; the store never
//! sees the tickets themselves.

use tessera_domain::UserId;
use tessera_domain::application::Environment;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

/// A service allowed to ask Tessera for CAS tickets, in one application environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasService {
    pub id: Uuid,
    pub application_id: Uuid,
    pub environment: Environment,
    pub name: String,
    pub service_url: String,
    /// `exact` or `prefix`.
    pub match_kind: String,
    pub proxy_allowed: bool,
    pub single_logout_url: Option<String>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A service ticket as issued: what validation needs to check and answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasTicket {
    pub ticket_digest: String,
    pub service_id: Uuid,
    pub service_url: String,
    pub user_id: UserId,
    pub session_id: Uuid,
    /// Issued right after a fresh sign-in asked for with `renew=true`.
    pub renewed: bool,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// For a proxy ticket: the proxying service (its proxy-granting ticket's callback URL).
    pub proxied_by: Option<String>,
}

/// A proxy-granting ticket (CAS 3.0 §2.5.4), kept as a digest and bound to its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasProxyGrantingTicket {
    pub pgt_digest: String,
    pub service_id: Uuid,
    /// The callback URL it was delivered to: the proxying service.
    pub pgt_url: String,
    pub user_id: UserId,
    pub session_id: Uuid,
    pub created_at: OffsetDateTime,
    /// The session's own expiry.
    pub expires_at: OffsetDateTime,
}

/// The port for CAS services and tickets.
pub trait CasStore {
    async fn insert_cas_service(&mut self, service: &CasService) -> StoreResult<()>;
    async fn cas_service(&mut self, id: Uuid) -> StoreResult<Option<CasService>>;
    /// Every registered service; there are few, and matching a URL needs them all.
    async fn cas_services(&mut self) -> StoreResult<Vec<CasService>>;
    async fn cas_services_of(&mut self, application: Uuid) -> StoreResult<Vec<CasService>>;
    /// Stores a service's new settings (name, URL, match, proxying, single logout, version,
    /// updated_at; its application and environment stay) if it still has
    /// `expected_version`; false when another change came first or it is gone.
    async fn update_cas_service(
        &mut self,
        service: &CasService,
        expected_version: i64,
    ) -> StoreResult<bool>;
    /// Deletes a service with its tickets; false when it was gone already.
    async fn delete_cas_service(&mut self, id: Uuid) -> StoreResult<bool>;
    async fn insert_cas_ticket(&mut self, ticket: &CasTicket) -> StoreResult<()>;
    /// Marks a live, unused ticket used and gives it back; `None` when it is unknown, expired
    /// or used already. One conditional UPDATE, so a ticket works once even across nodes.
    async fn consume_cas_ticket(
        &mut self,
        digest: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<CasTicket>>;
    /// Deletes tickets that expired before `before`; how many.
    /// Deletes tickets (and proxy-granting tickets) that expired before `before`; how many.
    async fn delete_expired_cas_tickets(&mut self, before: OffsetDateTime) -> StoreResult<u64>;
    async fn insert_cas_proxy_granting_ticket(
        &mut self,
        pgt: &CasProxyGrantingTicket,
    ) -> StoreResult<()>;
    /// A live proxy-granting ticket by digest; `None` when unknown or expired.
    async fn cas_proxy_granting_ticket(
        &mut self,
        digest: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<CasProxyGrantingTicket>>;
}

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: Uuid,
    application_id: Uuid,
    environment: String,
    name: String,
    service_url: String,
    match_kind: String,
    proxy_allowed: bool,
    single_logout_url: Option<String>,
    version: i64,
    created_at: Ts,
    updated_at: Ts,
}

impl TryFrom<ServiceRow> for CasService {
    type Error = StoreError;

    fn try_from(row: ServiceRow) -> Result<Self, Self::Error> {
        Ok(CasService {
            environment: Environment::parse(&row.environment).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown environment '{}'", row.environment))
            })?,
            id: row.id,
            application_id: row.application_id,
            name: row.name,
            service_url: row.service_url,
            match_kind: row.match_kind,
            proxy_allowed: row.proxy_allowed,
            single_logout_url: row.single_logout_url,
            version: row.version,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TicketRow {
    ticket_digest: String,
    service_id: Uuid,
    service_url: String,
    user_id: Uuid,
    session_id: Uuid,
    renewed: bool,
    created_at: Ts,
    expires_at: Ts,
    proxied_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PgtRow {
    pgt_digest: String,
    service_id: Uuid,
    pgt_url: String,
    user_id: Uuid,
    session_id: Uuid,
    created_at: Ts,
    expires_at: Ts,
}

impl From<PgtRow> for CasProxyGrantingTicket {
    fn from(row: PgtRow) -> Self {
        CasProxyGrantingTicket {
            pgt_digest: row.pgt_digest,
            service_id: row.service_id,
            pgt_url: row.pgt_url,
            user_id: UserId(row.user_id),
            session_id: row.session_id,
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
        }
    }
}

impl From<TicketRow> for CasTicket {
    fn from(row: TicketRow) -> Self {
        CasTicket {
            ticket_digest: row.ticket_digest,
            service_id: row.service_id,
            service_url: row.service_url,
            user_id: UserId(row.user_id),
            session_id: row.session_id,
            renewed: row.renewed,
            proxied_by: row.proxied_by,
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
        }
    }
}

macro_rules! select_services {
    ($rest:literal) => {
        concat!(
            "SELECT id, application_id, environment, name, service_url, match_kind, \
             proxy_allowed, single_logout_url, version, created_at, updated_at \
             FROM cas_services ",
            $rest
        )
    };
}

impl CasStore for Tx {
    async fn insert_cas_service(&mut self, s: &CasService) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO cas_services (id, application_id, environment, name, service_url,
                 match_kind, proxy_allowed, single_logout_url, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            )
            .bind(s.id)
            .bind(s.application_id)
            .bind(s.environment.as_str())
            .bind(&s.name)
            .bind(&s.service_url)
            .bind(&s.match_kind)
            .bind(s.proxy_allowed)
            .bind(&s.single_logout_url)
            .bind(s.version)
            .bind(Ts(s.created_at))
            .bind(Ts(s.updated_at))
        )?;
        Ok(())
    }

    async fn cas_service(&mut self, id: Uuid) -> StoreResult<Option<CasService>> {
        let row: Option<ServiceRow> = with_conn!(self, conn =>
            sqlx::query_as(select_services!("WHERE id = $1"))
                .bind(id).fetch_optional(conn).await)?;
        row.map(CasService::try_from).transpose()
    }

    async fn cas_services(&mut self) -> StoreResult<Vec<CasService>> {
        let rows: Vec<ServiceRow> = with_conn!(self, conn =>
            sqlx::query_as(select_services!("ORDER BY id")).fetch_all(conn).await)?;
        rows.into_iter().map(CasService::try_from).collect()
    }

    async fn cas_services_of(&mut self, application: Uuid) -> StoreResult<Vec<CasService>> {
        let rows: Vec<ServiceRow> = with_conn!(self, conn =>
            sqlx::query_as(select_services!("WHERE application_id = $1 ORDER BY environment DESC, name"))
                .bind(application).fetch_all(conn).await)?;
        rows.into_iter().map(CasService::try_from).collect()
    }

    async fn update_cas_service(
        &mut self,
        s: &CasService,
        expected_version: i64,
    ) -> StoreResult<bool> {
        let changed = exec!(
            self,
            sqlx::query(
                "UPDATE cas_services SET name = $2, service_url = $3, match_kind = $4,
                 proxy_allowed = $5, single_logout_url = $6, version = $7, updated_at = $8
                 WHERE id = $1 AND version = $9"
            )
            .bind(s.id)
            .bind(&s.name)
            .bind(&s.service_url)
            .bind(&s.match_kind)
            .bind(s.proxy_allowed)
            .bind(&s.single_logout_url)
            .bind(s.version)
            .bind(Ts(s.updated_at))
            .bind(expected_version)
        )?;
        Ok(changed == 1)
    }

    async fn delete_cas_service(&mut self, id: Uuid) -> StoreResult<bool> {
        // Its tickets go by the foreign key's ON DELETE CASCADE.
        let deleted = exec!(
            self,
            sqlx::query("DELETE FROM cas_services WHERE id = $1").bind(id)
        )?;
        Ok(deleted == 1)
    }

    async fn insert_cas_ticket(&mut self, t: &CasTicket) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO cas_tickets (ticket_digest, service_id, service_url, user_id,
                 session_id, renewed, created_at, expires_at, used, proxied_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE, $9)"
            )
            .bind(&t.ticket_digest)
            .bind(t.service_id)
            .bind(&t.service_url)
            .bind(t.user_id.0)
            .bind(t.session_id)
            .bind(t.renewed)
            .bind(Ts(t.created_at))
            .bind(Ts(t.expires_at))
            .bind(&t.proxied_by)
        )?;
        Ok(())
    }

    async fn consume_cas_ticket(
        &mut self,
        digest: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<CasTicket>> {
        let row: Option<TicketRow> = with_conn!(self, conn => sqlx::query_as(
            "UPDATE cas_tickets SET used = TRUE
             WHERE ticket_digest = $1 AND used = FALSE AND expires_at > $2
             RETURNING ticket_digest, service_id, service_url, user_id, session_id, renewed,
                       created_at, expires_at, proxied_by")
            .bind(digest).bind(Ts(now)).fetch_optional(conn).await)?;
        Ok(row.map(CasTicket::from))
    }

    async fn delete_expired_cas_tickets(&mut self, before: OffsetDateTime) -> StoreResult<u64> {
        let tickets = exec!(
            self,
            sqlx::query("DELETE FROM cas_tickets WHERE expires_at < $1").bind(Ts(before))
        )?;
        let granting = exec!(
            self,
            sqlx::query("DELETE FROM cas_proxy_granting_tickets WHERE expires_at < $1")
                .bind(Ts(before))
        )?;
        Ok(tickets + granting)
    }

    async fn insert_cas_proxy_granting_ticket(
        &mut self,
        p: &CasProxyGrantingTicket,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO cas_proxy_granting_tickets (pgt_digest, service_id, pgt_url,
                 user_id, session_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            )
            .bind(&p.pgt_digest)
            .bind(p.service_id)
            .bind(&p.pgt_url)
            .bind(p.user_id.0)
            .bind(p.session_id)
            .bind(Ts(p.created_at))
            .bind(Ts(p.expires_at))
        )?;
        Ok(())
    }

    async fn cas_proxy_granting_ticket(
        &mut self,
        digest: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<CasProxyGrantingTicket>> {
        let row: Option<PgtRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT pgt_digest, service_id, pgt_url, user_id, session_id, created_at, expires_at
             FROM cas_proxy_granting_tickets WHERE pgt_digest = $1 AND expires_at > $2")
            .bind(digest).bind(Ts(now)).fetch_optional(conn).await)?;
        Ok(row.map(CasProxyGrantingTicket::from))
    }
}
