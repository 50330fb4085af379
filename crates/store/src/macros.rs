/// Runs one body of query code on the connection inside a [`crate::Tx`], whichever database it
/// is: the body is written once and compiled for each backend.
///
/// ```text
/// let n: i64 = with_conn!(tx, conn => sqlx::query_scalar("SELECT COUNT(*) FROM t").fetch_one(conn).await)?;
/// ```
macro_rules! with_conn {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx.conn() {
            $crate::tx::Conn::Sqlite($conn) => $body,
            $crate::tx::Conn::Postgres($conn) => $body,
        }
    };
}

/// Executes one statement on the connection inside a [`crate::Tx`] and gives the number of
/// rows it changed: `exec!(tx, sqlx::query("...").bind(x))`.
macro_rules! exec {
    ($tx:expr, $query:expr) => {
        with_conn!($tx, conn => $query.execute(conn).await.map(|done| done.rows_affected()))
    };
}

/// Binds a sealed audit event's values, in the column order of
/// [`crate::audit::insert_events_sql`].
macro_rules! bind_event {
    ($query:expr, $event:expr) => {
        $query
            .bind($event.seq)
            .bind($crate::ts::Ts($event.at))
            .bind($event.actor.kind())
            .bind($event.actor.user_id().map(|u| u.0))
            .bind(&$event.action)
            .bind(&$event.target_type)
            .bind(&$event.target_id)
            .bind($event.level_id.map(|l| l.0))
            .bind($event.outcome.as_str())
            .bind(&$event.request_id)
            .bind(&$event.details)
            .bind(&$event.prev_hash)
            .bind(&$event.hash)
    };
}

/// Binds a refresh token's values, in the column order of
/// [`crate::oidc_refresh::insert_tokens_sql`].
macro_rules! bind_refresh_token {
    ($query:expr, $token:expr) => {
        $query
            .bind(&$token.token_digest)
            .bind($token.family)
            .bind($token.client)
            .bind($token.user_id.0)
            .bind($token.session_id)
            .bind(&$token.scope)
            .bind(&$token.acr)
            .bind($token.amr.join("\n"))
            .bind($crate::ts::Ts($token.auth_time))
            .bind($crate::ts::Ts($token.created_at))
            .bind($crate::ts::Ts($token.expires_at))
            .bind($token.used)
            .bind($token.revoked)
    };
}
