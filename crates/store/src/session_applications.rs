//! The applications signed into during each single sign-on session.

use tessera_domain::UserId;
use tessera_domain::application::Environment;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ts::Ts;
use crate::tx::Tx;

/// One application environment used in one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionApplication {
    pub session_id: Uuid,
    pub application_id: Uuid,
    pub environment: Environment,
    /// The tile's label, or the application's name when the environment has no tile.
    pub label: String,
    pub first_used_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
}

/// The port for the applications used in sessions.
pub trait SessionApplications {
    /// Records that a session signed into an application environment (again) at `at`.
    async fn note_application_use(
        &mut self,
        session: Uuid,
        application: Uuid,
        environment: Environment,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The applications used in the open sessions of a person, by session and first use.
    async fn applications_used(&mut self, user: UserId) -> StoreResult<Vec<SessionApplication>>;
}

#[derive(sqlx::FromRow)]
struct Row {
    session_id: Uuid,
    application_id: Uuid,
    environment: String,
    label: String,
    first_used_at: Ts,
    last_used_at: Ts,
}

impl SessionApplications for Tx {
    async fn note_application_use(
        &mut self,
        session: Uuid,
        application: Uuid,
        environment: Environment,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "INSERT INTO session_applications (session_id, application_id, environment,
                 first_used_at, last_used_at) VALUES ($1, $2, $3, $4, $4)
                 ON CONFLICT (session_id, application_id, environment)
                 DO UPDATE SET last_used_at = excluded.last_used_at"
            )
            .bind(session)
            .bind(application)
            .bind(environment.as_str())
            .bind(Ts(at))
        )?;
        Ok(())
    }

    async fn applications_used(&mut self, user: UserId) -> StoreResult<Vec<SessionApplication>> {
        let rows: Vec<Row> = with_conn!(self, conn => sqlx::query_as(
            "SELECT sa.session_id, sa.application_id, sa.environment,
                    COALESCE(t.label, a.name) AS label, sa.first_used_at, sa.last_used_at
             FROM session_applications sa
             JOIN sessions s ON s.id = sa.session_id
             JOIN applications a ON a.id = sa.application_id
             LEFT JOIN application_tiles t
               ON t.application_id = sa.application_id AND t.environment = sa.environment
             WHERE s.user_id = $1 AND s.ended_at IS NULL
             ORDER BY sa.session_id, sa.first_used_at")
            .bind(user.0).fetch_all(conn).await)?;
        rows.into_iter()
            .map(|row| {
                Ok(SessionApplication {
                    session_id: row.session_id,
                    application_id: row.application_id,
                    environment: Environment::parse(&row.environment).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown environment '{}'", row.environment))
                    })?,
                    label: row.label,
                    first_used_at: row.first_used_at.0,
                    last_used_at: row.last_used_at.0,
                })
            })
            .collect()
    }
}
