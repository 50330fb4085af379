//! Pieces of SQL text written out for statements whose length depends on their input.

use std::fmt::Write;

/// Appends `rows` groups of `columns` numbered placeholders from `$first`, `($1, $2), ($3,
/// $4)`, for a multi-row INSERT (both databases number placeholders the same way). A
/// statement that follows others in one query text numbers on after their values.
pub(crate) fn push_placeholders_from(sql: &mut String, rows: usize, columns: usize, first: usize) {
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            // Writing to a String cannot fail.
            let _ = write!(sql, "${}", first + row * columns + column);
        }
        sql.push(')');
    }
}

/// `$1, $2, ... $n`, for `IN (...)` lists.
pub(crate) fn placeholder_list(count: usize) -> String {
    let mut list = String::new();
    for n in 1..=count {
        if n > 1 {
            list.push_str(", ");
        }
        let _ = write!(list, "${n}");
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_one_after_another() {
        let mut sql = String::from("VALUES ");
        push_placeholders_from(&mut sql, 2, 3, 1);
        assert_eq!(sql, "VALUES ($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholder_list(3), "$1, $2, $3");
        assert_eq!(placeholder_list(1), "$1");
        let mut sql = String::new();
        push_placeholders_from(&mut sql, 2, 2, 5);
        assert_eq!(sql, "($5, $6), ($7, $8)");
    }
}
