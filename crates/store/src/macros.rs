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
