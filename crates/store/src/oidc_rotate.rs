//! Refresh token rotations written as one batch in two round trips to the database. Under
//! load, every round trip costs a hand-off to the connection's thread (SQLite) or the
//! server (PostgreSQL) and back, and the batch holds the write lock all along; so the
//! statements are put together: first the presented tokens are marked used and the audit
//! chain's head is read (and locked), then the successors, their events and the new head are
//! written.
//!
//! Each rotation still stands on its own: a token marked used by another rotation of the
//! same batch, or by anything before, makes that rotation lose without touching the others.

use tessera_domain::audit::NewAuditEvent;

use crate::audit::{EVENT_COLUMNS, insert_events_sql, seal};
use crate::error::{StoreError, StoreResult};
use crate::oidc_refresh::{RefreshToken, TOKEN_COLUMNS, insert_tokens_sql};
use crate::sql::placeholder_list;
use crate::tx::{Conn, Tx};

/// One rotation: the presented token to mark used, its successor, and the event that says so.
pub struct Rotation {
    /// The digest of the presented token.
    pub used: String,
    /// Its successor, digest included.
    pub next: RefreshToken,
    /// `oidc.refresh_token.rotate`, for the trail.
    pub event: NewAuditEvent,
}

/// A row of the first round trip: a marked token's digest, or the audit head.
type MarkedOrHead = (Option<String>, Option<i64>, Option<String>);

impl Tx {
    /// Commits nothing itself: marks the presented tokens used, and for those that were still
    /// unused stores the successor and appends the event; which rotations won, in order. The
    /// same token twice in one batch: the first rotation wins, the second loses.
    pub async fn rotate_refresh_tokens(&mut self, batch: Vec<Rotation>) -> StoreResult<Vec<bool>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let count = batch.len();
        let list = placeholder_list(count);
        let (used, unused) = (count + 1, count + 2);
        let mark = format!(
            "UPDATE oidc_refresh_tokens SET used = ${used}
             WHERE used = ${unused} AND revoked = ${unused} AND token_digest IN ({list})"
        );
        // Only placeholders are written into the texts; every value is bound.
        macro_rules! bind_mark {
            ($sql:expr) => {{
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe($sql));
                for rotation in &batch {
                    query = query.bind(&rotation.used);
                }
                query.bind(true).bind(false)
            }};
        }
        let (mut marked, head): (Vec<String>, Option<(i64, String)>) = match self.conn() {
            // The two statements of one text run in turn: the first takes the write lock,
            // so the head read after it cannot change before the commit.
            Conn::Sqlite(conn) => {
                let rows: Vec<MarkedOrHead> = bind_mark!(format!(
                    "{mark} RETURNING token_digest, NULL, NULL;
                     SELECT NULL, seq, hash FROM audit_head WHERE id = 1"
                ))
                .fetch_all(conn)
                .await?;
                let head = rows.iter().find_map(|r| r.1.zip(r.2.clone()));
                (rows.into_iter().filter_map(|r| r.0).collect(), head)
            }
            // One statement per prepared query. The tokens are locked before the head, in
            // the order of every other audited change to them, so no deadlock can form.
            Conn::Postgres(conn) => {
                let rows: Vec<(String,)> = bind_mark!(format!("{mark} RETURNING token_digest"))
                    .fetch_all(&mut *conn)
                    .await?;
                let head: Option<(i64, String)> =
                    sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
                        .fetch_optional(&mut *conn)
                        .await?;
                (rows.into_iter().map(|r| r.0).collect(), head)
            }
        };
        let Some((head_seq, head_hash)) = head else {
            return Err(StoreError::Corrupt("the audit chain has no head".into()));
        };

        let mut won = Vec::with_capacity(count);
        let mut successors = Vec::new();
        let mut events = Vec::new();
        for rotation in batch {
            // Each marked token wins once: the same token again in this batch finds it gone.
            let at = marked.iter().position(|m| *m == rotation.used);
            won.push(at.is_some());
            if let Some(at) = at {
                marked.swap_remove(at);
                successors.push(rotation.next);
                events.push(rotation.event);
            }
        }
        if successors.is_empty() {
            return Ok(won);
        }
        let sealed = seal(head_seq, &head_hash, events);
        let Some(last) = sealed.last() else {
            return Ok(won);
        };
        let Ok(new_seq) = i64::try_from(sealed.len()).map(|n| head_seq + n) else {
            return Err(StoreError::Corrupt("too many audit events at once".into()));
        };
        let insert_tokens = insert_tokens_sql(successors.len(), 1);
        let insert_events = insert_events_sql(sealed.len(), successors.len() * TOKEN_COLUMNS + 1);
        let next = successors.len() * TOKEN_COLUMNS + sealed.len() * EVENT_COLUMNS + 1;
        let set_head = format!(
            "UPDATE audit_head SET seq = ${next}, hash = ${} WHERE id = 1",
            next + 1
        );
        let sql = match self.conn() {
            Conn::Sqlite(_) => format!("{insert_tokens}; {insert_events}; {set_head}"),
            Conn::Postgres(_) => {
                format!("WITH tokens AS ({insert_tokens}), events AS ({insert_events}) {set_head}")
            }
        };
        with_conn!(self, conn => {
            // Only placeholders are written into the text; every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for token in &successors {
                query = bind_refresh_token!(query, token);
            }
            for event in &sealed {
                query = bind_event!(query, event);
            }
            query
                .bind(new_seq)
                .bind(&last.hash)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(won)
    }
}
