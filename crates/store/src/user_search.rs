//! The Users page's search: filters by level (with or without the levels below), names,
//! e-mail and phone prefixes, limited to the subtrees the asker may see, sorted by a column
//! and paged by keyset (the last row's sort value and id), never by counting or skipping.

use tessera_domain::user::{User, search_key};
use uuid::Uuid;

use crate::error::StoreResult;
use crate::tx::Tx;

/// The column a search is sorted by (ascending; ties broken by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    LastName,
    FirstName,
    Email,
}

impl UserSort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "last_name" => Some(UserSort::LastName),
            "first_name" => Some(UserSort::FirstName),
            "email" => Some(UserSort::Email),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UserSort::LastName => "last_name",
            UserSort::FirstName => "first_name",
            UserSort::Email => "email",
        }
    }

    fn column(self) -> &'static str {
        match self {
            UserSort::LastName => "u.last_name_key",
            UserSort::FirstName => "u.first_name_key",
            UserSort::Email => "u.email_key",
        }
    }

    /// The value of the sort column for a user, as a cursor carries it.
    pub fn key_of(self, user: &User) -> String {
        match self {
            UserSort::LastName => search_key(&user.last_name),
            UserSort::FirstName => search_key(&user.first_name),
            UserSort::Email => user.email_key.clone(),
        }
    }
}

/// What to look for. Prefixes are compared in the form searches use (see
/// [`search_key`]); empty ones are ignored.
#[derive(Debug, Clone)]
pub struct UserSearch {
    /// The subtree (path range) to look in, or with `exact_level`, only that level; empty
    /// for the whole tree.
    pub level_path: String,
    pub exact_level: Option<Uuid>,
    /// The subtrees the asker may see (path prefixes); `None` for everything (operators).
    pub visible: Option<Vec<String>>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// A prefix of the E.164 number (`+4915`).
    pub phone: String,
    /// Only holders of this group (a membership counting at `now`).
    pub group: Option<(Uuid, time::OffsetDateTime)>,
    pub sort: UserSort,
    /// Walk users in sort order and check each one's level (best when the levels searched
    /// hold a large share of everyone), rather than gather the levels' users and sort them.
    pub walk_sorted: bool,
    /// Rows after this (sort value, id).
    pub after: Option<(String, Uuid)>,
    pub limit: i64,
}

/// One row of the result: the account and its level's name.
#[derive(Debug, Clone)]
pub struct UserHit {
    pub user: User,
    pub level_name: String,
}

/// The end of a prefix range: every string starting with `prefix` sorts below it (byte order).
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

enum Bind {
    Text(String),
    Id(Uuid),
    Int(i64),
    Time(time::OffsetDateTime),
}

/// The port for searching accounts.
pub trait UserSearches {
    async fn search_users(&mut self, search: &UserSearch) -> StoreResult<Vec<UserHit>>;
}

#[derive(sqlx::FromRow)]
struct HitRow {
    #[sqlx(flatten)]
    user: crate::users::UserRow,
    level_name: String,
}

impl UserSearches for Tx {
    async fn search_users(&mut self, search: &UserSearch) -> StoreResult<Vec<UserHit>> {
        let mut binds: Vec<Bind> = Vec::new();
        let mut bind = |value: Bind| {
            binds.push(value);
            format!("${}", binds.len())
        };
        let whole_tree = search.exact_level.is_none()
            && search.level_path.is_empty()
            && search.visible.is_none();
        // Walking users in the order of the sort's index, each one's level is looked up: on
        // PostgreSQL by a scalar subquery, which no planner turns into a join (it reorders
        // joins freely, and would gather and sort instead); on SQLite by CROSS JOIN, which its
        // planner keeps in the written order and runs faster than the subquery.
        let sqlite = self.is_sqlite();
        // A group's holders are gathered from its memberships (a group is small beside
        // everyone), never found by walking everyone in sort order.
        let walk = (whole_tree || search.walk_sorted) && search.group.is_none();
        let cross = walk && sqlite;
        let walk = walk && !sqlite;
        let level_path = if walk {
            "(SELECT lp.path FROM levels lp WHERE lp.id = u.level_id)"
        } else {
            "l.path"
        };
        let mut conditions: Vec<String> = vec!["1 = 1".into()];
        match search.exact_level {
            Some(level) => conditions.push(format!("u.level_id = {}", bind(Bind::Id(level)))),
            // The whole tree: no condition (a range over every path only misleads planners).
            None if search.level_path.is_empty() => {}
            None => {
                let (low, high) = tessera_domain::level::subtree_range(&search.level_path);
                let low = bind(Bind::Text(low));
                let high = bind(Bind::Text(high));
                conditions.push(format!("{level_path} >= {low} AND {level_path} < {high}"));
            }
        }
        if let Some(visible) = &search.visible {
            let mut any = Vec::new();
            for path in visible {
                let (low, high) = tessera_domain::level::subtree_range(path);
                let low = bind(Bind::Text(low));
                let high = bind(Bind::Text(high));
                any.push(format!("({level_path} >= {low} AND {level_path} < {high})"));
            }
            if any.is_empty() {
                return Ok(Vec::new());
            }
            conditions.push(format!("({})", any.join(" OR ")));
        }
        for (column, typed) in [
            ("u.first_name_key", search_key(&search.first_name)),
            ("u.last_name_key", search_key(&search.last_name)),
            ("u.email_key", search.email.trim().to_lowercase()),
        ] {
            if !typed.is_empty() {
                let low = bind(Bind::Text(prefix_end(&typed)));
                let start = bind(Bind::Text(typed));
                conditions.push(format!("{column} >= {start} AND {column} < {low}"));
            }
        }
        let phone: String = search
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        if !phone.is_empty() {
            let phone = if phone.starts_with('+') {
                phone
            } else {
                format!("+{phone}")
            };
            let end = bind(Bind::Text(prefix_end(&phone)));
            let start = bind(Bind::Text(phone));
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM phone_numbers p WHERE p.user_id = u.id \
                 AND p.number >= {start} AND p.number < {end})"
            ));
        }
        if let Some((group, now)) = search.group {
            let group = bind(Bind::Id(group));
            let now = bind(Bind::Time(now));
            conditions.push(format!(
                "u.id IN (SELECT m.user_id FROM memberships m WHERE m.group_id = {group} \
                 AND (m.expires_at IS NULL OR m.expires_at > {now}))"
            ));
        }
        let column = search.sort.column();
        if let Some((key, id)) = &search.after {
            let key = bind(Bind::Text(key.clone()));
            let id = bind(Bind::Id(*id));
            conditions.push(format!(
                "({column} > {key} OR ({column} = {key} AND u.id > {id}))"
            ));
        }
        let limit = bind(Bind::Int(search.limit.clamp(1, 500)));
        // Every value above is a bound parameter; only fixed column names are spliced in.
        let (level_name, from) = if walk {
            (
                "(SELECT ln.name FROM levels ln WHERE ln.id = u.level_id)",
                "users u",
            )
        } else if cross {
            conditions.push("l.id = u.level_id".into());
            ("l.name", "users u CROSS JOIN levels l")
        } else {
            ("l.name", "users u JOIN levels l ON l.id = u.level_id")
        };
        const COLUMNS: &str = "u.id, u.level_id, u.first_name, u.last_name, u.email, u.email_key,
                    u.company_id, u.expires_at, u.language, u.status, u.created_by,
                    u.created_at, u.updated_at, u.version";
        let sql = if walk || cross {
            format!(
                "SELECT {COLUMNS}, {level_name} AS level_name
                 FROM {from}
                 WHERE {}
                 ORDER BY {column}, u.id
                 LIMIT {limit}",
                conditions.join(" AND ")
            )
        } else {
            // Gathering a subtree's people: first the page's ids and sort keys, read from
            // the (level, sort key, id) index alone, then the page's rows. Reading whole
            // rows only for the page, not for everyone sorted, is what makes this fast.
            format!(
                "WITH page AS MATERIALIZED (
                     SELECT u.id AS page_id, {column} AS page_key
                     FROM {from}
                     WHERE {}
                     ORDER BY {column}, u.id
                     LIMIT {limit})
                 SELECT {COLUMNS}, l.name AS level_name
                 FROM page p
                 JOIN users u ON u.id = p.page_id
                 JOIN levels l ON l.id = u.level_id
                 ORDER BY p.page_key, p.page_id",
                conditions.join(" AND ")
            )
        };
        let rows: Vec<HitRow> = with_conn!(self, conn => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for value in &binds {
                query = match value {
                    Bind::Text(text) => query.bind(text.clone()),
                    Bind::Id(id) => query.bind(*id),
                    Bind::Int(n) => query.bind(*n),
                    Bind::Time(t) => query.bind(crate::ts::Ts(*t)),
                };
            }
            query.fetch_all(conn).await
        })?;
        rows.into_iter()
            .map(|row| {
                Ok(UserHit {
                    user: User::try_from(row.user)?,
                    level_name: row.level_name,
                })
            })
            .collect()
    }
}
