//! Who takes part in each single sign-on session, so that its end reaches them: the OpenID
//! Connect clients that got a code in it, and the CAS service tickets issued in it (sealed by
//! the app; the store never sees a ticket).

use tessera_domain::UserId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::ts::Ts;
use crate::tx::Tx;

/// An OpenID Connect client that took part in a session, with what a logout token needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcParticipant {
    pub session_id: Uuid,
    /// The client's row id.
    pub client: Uuid,
    /// The public `client_id`: the logout token's audience.
    pub client_id: String,
    pub backchannel_logout_uri: Option<String>,
    /// The algorithm of its ID tokens, which its logout tokens are signed with too.
    pub id_token_alg: String,
    pub first_used_at: OffsetDateTime,
}

/// A CAS service ticket issued in a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasParticipant {
    /// Also the associated data the ticket is sealed with.
    pub id: Uuid,
    pub session_id: Uuid,
    pub service_id: Uuid,
    /// The service URL exactly as the login request gave it.
    pub service_url: String,
    /// The ticket, sealed under the installation's secret key.
    pub ticket_sealed: Vec<u8>,
    pub issued_at: OffsetDateTime,
    /// The service's single logout URL, when it registered one (read, never written here).
    pub single_logout_url: Option<String>,
}

/// A session past its limits that someone must hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LapsedSession {
    pub id: Uuid,
    pub user_id: UserId,
}

/// The port for single logout participants.
pub trait SsoParticipants {
    /// Records that a client got a code in a session (again) at `at`.
    async fn note_oidc_participant(
        &mut self,
        session: Uuid,
        client: Uuid,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Records a CAS ticket issued in a session.
    async fn note_cas_participant(&mut self, participant: &CasParticipant) -> StoreResult<()>;
    /// The clients that took part in a session, first used first.
    async fn oidc_participants(&mut self, session: Uuid) -> StoreResult<Vec<OidcParticipant>>;
    /// The tickets issued in a session, oldest first.
    async fn cas_participants(&mut self, session: Uuid) -> StoreResult<Vec<CasParticipant>>;
    /// Forgets a session's participants (once their notices are queued); how many rows.
    async fn forget_participants(&mut self, session: Uuid) -> StoreResult<u64>;
    /// Sessions not ended yet that have participants and are past a limit: last used
    /// before `idle_before`, begun before `begun_before`, or of an account expired at `now`.
    /// At most `limit`, least recently used first.
    async fn lapsed_sessions_with_participants(
        &mut self,
        idle_before: OffsetDateTime,
        begun_before: OffsetDateTime,
        now: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<LapsedSession>>;
}

#[derive(sqlx::FromRow)]
struct OidcRow {
    session_id: Uuid,
    client: Uuid,
    client_id: String,
    backchannel_logout_uri: Option<String>,
    id_token_alg: String,
    first_used_at: Ts,
}

#[derive(sqlx::FromRow)]
struct CasRow {
    id: Uuid,
    session_id: Uuid,
    service_id: Uuid,
    service_url: String,
    ticket_sealed: Vec<u8>,
    issued_at: Ts,
    single_logout_url: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LapsedRow {
    id: Uuid,
    user_id: Uuid,
}

impl SsoParticipants for Tx {
    async fn note_oidc_participant(
        &mut self,
        session: Uuid,
        client: Uuid,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO session_oidc_clients (session_id, client, first_used_at,
                 last_used_at) VALUES ($1, $2, $3, $3)
                 ON CONFLICT (session_id, client)
                 DO UPDATE SET last_used_at = excluded.last_used_at"
            )
            .bind(session)
            .bind(client)
            .bind(Ts(at))
        )?;
        Ok(())
    }

    async fn note_cas_participant(&mut self, participant: &CasParticipant) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO session_cas_tickets (id, session_id, service_id, service_url,
                 ticket_sealed, issued_at) VALUES ($1, $2, $3, $4, $5, $6)"
            )
            .bind(participant.id)
            .bind(participant.session_id)
            .bind(participant.service_id)
            .bind(&participant.service_url)
            .bind(&participant.ticket_sealed)
            .bind(Ts(participant.issued_at))
        )?;
        Ok(())
    }

    async fn oidc_participants(&mut self, session: Uuid) -> StoreResult<Vec<OidcParticipant>> {
        let rows: Vec<OidcRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT p.session_id, p.client, c.client_id, c.backchannel_logout_uri,
                    c.id_token_alg, p.first_used_at
             FROM session_oidc_clients p JOIN oidc_clients c ON c.id = p.client
             WHERE p.session_id = $1 ORDER BY p.first_used_at, c.client_id")
            .bind(session).fetch_all(conn).await)?;
        Ok(rows
            .into_iter()
            .map(|row| OidcParticipant {
                session_id: row.session_id,
                client: row.client,
                client_id: row.client_id,
                backchannel_logout_uri: row.backchannel_logout_uri,
                id_token_alg: row.id_token_alg,
                first_used_at: row.first_used_at.0,
            })
            .collect())
    }

    async fn cas_participants(&mut self, session: Uuid) -> StoreResult<Vec<CasParticipant>> {
        let rows: Vec<CasRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT t.id, t.session_id, t.service_id, t.service_url, t.ticket_sealed,
                    t.issued_at, s.single_logout_url
             FROM session_cas_tickets t JOIN cas_services s ON s.id = t.service_id
             WHERE t.session_id = $1 ORDER BY t.issued_at, t.id")
            .bind(session).fetch_all(conn).await)?;
        Ok(rows
            .into_iter()
            .map(|row| CasParticipant {
                id: row.id,
                session_id: row.session_id,
                service_id: row.service_id,
                service_url: row.service_url,
                ticket_sealed: row.ticket_sealed,
                issued_at: row.issued_at.0,
                single_logout_url: row.single_logout_url,
            })
            .collect())
    }

    async fn forget_participants(&mut self, session: Uuid) -> StoreResult<u64> {
        let clients = exec!(
            self,
            sqlx::query("DELETE FROM session_oidc_clients WHERE session_id = $1").bind(session)
        )?;
        let tickets = exec!(
            self,
            sqlx::query("DELETE FROM session_cas_tickets WHERE session_id = $1").bind(session)
        )?;
        Ok(clients + tickets)
    }

    async fn lapsed_sessions_with_participants(
        &mut self,
        idle_before: OffsetDateTime,
        begun_before: OffsetDateTime,
        now: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<LapsedSession>> {
        let rows: Vec<LapsedRow> = with_conn!(self, conn => sqlx::query_as(
            "SELECT s.id, s.user_id FROM sessions s
             WHERE s.ended_at IS NULL
               AND (s.last_seen_at < $1 OR s.created_at < $2
                    OR s.user_id IN (SELECT u.id FROM users u
                                     WHERE u.expires_at IS NOT NULL AND u.expires_at <= $3))
               AND (EXISTS (SELECT 1 FROM session_oidc_clients o WHERE o.session_id = s.id)
                    OR EXISTS (SELECT 1 FROM session_cas_tickets t WHERE t.session_id = s.id))
             ORDER BY s.last_seen_at, s.id
             LIMIT $4")
            .bind(Ts(idle_before))
            .bind(Ts(begun_before))
            .bind(Ts(now))
            .bind(limit)
            .fetch_all(conn).await)?;
        Ok(rows
            .into_iter()
            .map(|row| LapsedSession {
                id: row.id,
                user_id: UserId(row.user_id),
            })
            .collect())
    }
}
