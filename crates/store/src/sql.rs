//! Pieces of SQL text written out for statements whose length depends on their input.

use std::fmt::Write;

/// Writes placeholders in the order their values are bound, for statements whose length
/// depends on their input: `?` on SQLite, which binds those by position, and `$1, $2, ...` on
/// PostgreSQL. (SQLite finds a numbered placeholder's value by its name, and the driver asks
/// that name of each one in turn, a scan over all of them: a multi-row INSERT of a thousand
/// values would cost a million steps to bind.) A statement that follows others in one query
/// text goes on from where they stopped.
pub(crate) struct Marks {
    /// The next number on PostgreSQL; `None` on SQLite.
    next: Option<usize>,
}

impl Marks {
    pub(crate) fn new(sqlite: bool) -> Self {
        Self {
            next: if sqlite { None } else { Some(1) },
        }
    }

    pub(crate) fn push(&mut self, sql: &mut String) {
        match &mut self.next {
            None => sql.push('?'),
            Some(n) => {
                // Writing to a String cannot fail.
                let _ = write!(sql, "${n}");
                *n += 1;
            }
        }
    }

    /// `count` placeholders separated by commas, for `IN (...)` lists.
    pub(crate) fn list(&mut self, sql: &mut String, count: usize) {
        for n in 0..count {
            if n > 0 {
                sql.push_str(", ");
            }
            self.push(sql);
        }
    }

    /// `rows` parenthesised groups of `columns`, for a multi-row INSERT.
    pub(crate) fn rows(&mut self, sql: &mut String, rows: usize, columns: usize) {
        for row in 0..rows {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            self.list(sql, columns);
            sql.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_numbers_on_across_statements() {
        let mut marks = Marks::new(false);
        let mut sql = String::from("VALUES ");
        marks.rows(&mut sql, 2, 3);
        sql.push_str("; IN (");
        marks.list(&mut sql, 2);
        sql.push_str(") AND x = ");
        marks.push(&mut sql);
        assert_eq!(
            sql,
            "VALUES ($1, $2, $3), ($4, $5, $6); IN ($7, $8) AND x = $9"
        );
    }

    #[test]
    fn sqlite_binds_by_position() {
        let mut marks = Marks::new(true);
        let mut sql = String::new();
        marks.rows(&mut sql, 2, 2);
        sql.push(' ');
        marks.list(&mut sql, 1);
        assert_eq!(sql, "(?, ?), (?, ?) ?");
    }
}
