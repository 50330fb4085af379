//! Refresh token rotations written as one batch in two round trips to the database. Under
//! load, every round trip costs a hand-off to the connection's thread (SQLite) or the
//! server (PostgreSQL) and back, and the batch holds the write lock all along; so the
//! statements are put together. First the presented tokens that are still unused are
//! claimed (marked used, and read back whole) and the audit chain's head is read (and
//! locked); the caller judges each claimed token; then the successors, their events and the
//! new head are written, and the claims the caller refused are put back.
//!
//! The token is read in the writer's own transaction rather than before it on a reader:
//! the claim finds it by the same index lookup, and a request spares a hand-off.

use sqlx::Row;
use tessera_domain::audit::NewAuditEvent;

use crate::audit::{insert_events_sql, seal};
use crate::error::{StoreError, StoreResult};
use crate::oidc_refresh::{RefreshRow, RefreshToken, insert_tokens_sql, token_select};
use crate::sql::Marks;
use crate::tx::{Conn, Tx};
use crate::writer::Writer;

/// A rotation the caller judged good: the claimed token's successor and the event that says
/// so.
pub struct Rotation {
    /// The successor, digest included.
    pub next: RefreshToken,
    /// `oidc.refresh_token.rotate`, for the trail.
    pub event: NewAuditEvent,
}

/// The first half of a batch: what was claimed, and the audit head to chain on.
pub struct Claimed {
    /// For each presented digest, in order: the token as stored (now marked used) when this
    /// batch claimed it; `None` when it is unknown, used or revoked already, or was claimed
    /// by an earlier digest of the same batch.
    pub tokens: Vec<Option<RefreshToken>>,
    head: (i64, String),
}

impl Writer {
    /// Begins a transaction and claims the presented tokens in it
    /// ([`Tx::claim_refresh_tokens`]); on SQLite the `BEGIN` goes in the claim's trip.
    pub async fn begin_claiming_refresh_tokens(
        self,
        digests: &[String],
    ) -> StoreResult<(Tx, Claimed)> {
        let (mut tx, begin) = if self.is_sqlite() {
            (self.begin_in_first_statement(), "BEGIN IMMEDIATE; ")
        } else {
            (self.begin().await?, "")
        };
        let claimed = tx.claim(digests, begin).await?;
        Ok((tx, claimed))
    }
}

impl Tx {
    /// Marks used every presented token that is still unused and unrevoked, and reads them
    /// back; nothing is committed. Finish with [`Tx::finish_rotations`].
    pub async fn claim_refresh_tokens(&mut self, digests: &[String]) -> StoreResult<Claimed> {
        self.claim(digests, "").await
    }

    /// The claim, after `begin` (a `BEGIN` statement and its `;`, or nothing) in the same text
    /// on SQLite.
    async fn claim(&mut self, digests: &[String], begin: &str) -> StoreResult<Claimed> {
        let mut marks = Marks::new(self.is_sqlite());
        let mut claim = String::from(
            "UPDATE oidc_refresh_tokens SET used = TRUE
             WHERE used = FALSE AND revoked = FALSE AND token_digest IN (",
        );
        marks.list(&mut claim, digests.len().max(1));
        claim.push_str(concat!(") RETURNING ", token_select!()));
        // Only placeholders are written into the texts; every value is bound.
        macro_rules! bind_claim {
            ($sql:expr) => {{
                let mut query = sqlx::query(sqlx::AssertSqlSafe($sql));
                // `IN ()` is no SQL: an empty batch binds one digest that no token has.
                if digests.is_empty() {
                    query = query.bind("");
                }
                for digest in digests {
                    query = query.bind(digest);
                }
                query
            }};
        }
        let mut rows: Vec<RefreshRow> = Vec::with_capacity(digests.len());
        let mut head = None;
        match self.conn() {
            // The two statements of one text run in turn: the first takes the write lock,
            // so the head read after it cannot change before the commit. The head's row is
            // told apart by its two columns.
            Conn::Sqlite(conn) => {
                let found = bind_claim!(format!(
                    "{begin}{claim}; SELECT seq, hash FROM audit_head WHERE id = 1"
                ))
                .fetch_all(conn)
                .await?;
                for row in &found {
                    if row.len() == 2 {
                        head = Some((row.try_get(0)?, row.try_get(1)?));
                    } else {
                        rows.push(sqlx::FromRow::from_row(row)?);
                    }
                }
            }
            // One statement per prepared query. The tokens are locked before the head, in
            // the order of every other audited change to them, so no deadlock can form.
            Conn::Postgres(conn) => {
                for row in bind_claim!(claim).fetch_all(&mut *conn).await? {
                    rows.push(sqlx::FromRow::from_row(&row)?);
                }
                head = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
                    .fetch_optional(&mut *conn)
                    .await?;
            }
        }
        let Some(head) = head else {
            return Err(StoreError::Corrupt("the audit chain has no head".into()));
        };
        let mut claimed: Vec<RefreshToken> = rows.into_iter().map(RefreshToken::from).collect();
        // Each claimed token goes to the first of its digests: the same token again in this
        // batch finds it gone.
        let tokens = digests
            .iter()
            .map(|digest| {
                let at = claimed.iter().position(|t| t.token_digest == *digest)?;
                Some(claimed.swap_remove(at))
            })
            .collect();
        Ok(Claimed { tokens, head })
    }

    /// The second half: stores the successors of the good claims and appends their events,
    /// and puts back the claims refused (`released`: their digests), as if they had never
    /// been presented. Nothing is committed.
    pub async fn finish_rotations(
        &mut self,
        claimed: Claimed,
        rotations: Vec<Rotation>,
        released: &[String],
    ) -> StoreResult<()> {
        self.finish(claimed, rotations, released, "")
            .await
            .map(|_| ())
    }

    /// [`Tx::finish_rotations`], then the commit; the connection is kept when the
    /// transaction was begun by a [`Writer`]. On SQLite the `COMMIT` goes in the trip of the
    /// last statement.
    pub async fn finish_rotations_and_commit(
        mut self,
        claimed: Claimed,
        rotations: Vec<Rotation>,
        released: &[String],
    ) -> StoreResult<Option<Writer>> {
        let commit = if self.may_commit_in_last_statement() {
            "; COMMIT"
        } else {
            ""
        };
        if self.finish(claimed, rotations, released, commit).await? {
            Ok(self.committed_in_last_statement())
        } else {
            self.commit_keeping().await
        }
    }

    /// Writes the rotations, with `commit` (`; COMMIT`, or nothing) at the tail of the last
    /// statement's text; whether that tail ran.
    async fn finish(
        &mut self,
        claimed: Claimed,
        rotations: Vec<Rotation>,
        released: &[String],
        commit: &str,
    ) -> StoreResult<bool> {
        if !released.is_empty() {
            let mut marks = Marks::new(self.is_sqlite());
            let mut sql =
                String::from("UPDATE oidc_refresh_tokens SET used = FALSE WHERE token_digest IN (");
            marks.list(&mut sql, released.len());
            sql.push(')');
            with_conn!(self, conn => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for digest in released {
                    query = query.bind(digest);
                }
                query.execute(conn).await.map(|done| done.rows_affected())
            })?;
        }
        if rotations.is_empty() {
            return Ok(false);
        }
        let (head_seq, head_hash) = claimed.head;
        let (successors, events): (Vec<RefreshToken>, Vec<NewAuditEvent>) =
            rotations.into_iter().map(|r| (r.next, r.event)).unzip();
        let sealed = seal(head_seq, &head_hash, events);
        let Some(last) = sealed.last() else {
            return Ok(false);
        };
        let Ok(new_seq) = i64::try_from(sealed.len()).map(|n| head_seq + n) else {
            return Err(StoreError::Corrupt("too many audit events at once".into()));
        };
        let mut marks = Marks::new(self.is_sqlite());
        let insert_tokens = insert_tokens_sql(successors.len(), &mut marks);
        let insert_events = insert_events_sql(sealed.len(), &mut marks);
        let mut set_head = String::from("UPDATE audit_head SET seq = ");
        marks.push(&mut set_head);
        set_head.push_str(", hash = ");
        marks.push(&mut set_head);
        set_head.push_str(" WHERE id = 1");
        let sql = match self.conn() {
            Conn::Sqlite(_) => format!("{insert_tokens}; {insert_events}; {set_head}{commit}"),
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
        Ok(!commit.is_empty())
    }
}
