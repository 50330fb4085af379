//! The `directory` scenario: a database filled with many levels and users (bulk inserts, not
//! the use cases, so a million users take a minute rather than hours), then the Users page's
//! searches through the real use case (`App::search_users`): by e-mail prefix, by last-name
//! prefix, and by an organisation with its sub-levels, as an operator and as a user
//! administrator. The peer is the cheapest query there is, an account by its exact address,
//! measured in the same run.

use std::time::Instant;

use tessera_app::{App, AppConfig, Ctx, UserQuery};
use tessera_domain::audit::Actor;
use tessera_domain::level::Level;
use tessera_domain::role::Role;
use tessera_domain::{LevelId, UserId};
use tessera_store::roles::RoleGrant;
use tessera_store::{Conn, Levels, Roles, Store, Ts, Users};

use crate::report::{Samples, table};

type BenchError = Box<dyn std::error::Error + Send + Sync>;

const FIRST: &[&str] = &[
    "anna",
    "ben",
    "clara",
    "david",
    "elena",
    "felix",
    "greta",
    "hugo",
    "ines",
    "jonas",
    "karin",
    "luca",
    "maria",
    "nils",
    "olga",
    "paul",
    "rosa",
    "sven",
    "tina",
    "uwe",
    "vera",
    "walter",
    "xenia",
    "yusuf",
    "zoe",
    "ζωή",
    "андрей",
    "李",
    "marie",
    "pierre",
];
const LAST: &[&str] = &[
    "müller",
    "schmidt",
    "schneider",
    "fischer",
    "weber",
    "meyer",
    "wagner",
    "becker",
    "schulz",
    "hoffmann",
    "dupont",
    "martin",
    "bernard",
    "dubois",
    "durand",
    "leroy",
    "moreau",
    "rossi",
    "russo",
    "ferrari",
    "esposito",
    "garcía",
    "fernández",
    "lópez",
    "martínez",
    "murphy",
    "kelly",
    "walsh",
    "papadopoulos",
    "nowak",
    "kowalski",
    "jansen",
    "de vries",
    "smith",
    "jones",
    "novak",
    "horvat",
    "kovač",
    "nielsen",
    "hansen",
];

/// A small deterministic generator: the same data set every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub fn run(
    users: usize,
    levels: usize,
    postgres: Option<String>,
    queries: usize,
    keep: bool,
) -> Result<String, BenchError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let data = tempfile::tempdir()?;
        let mut kept = String::new();
        let (store, label, cleanup) = match &postgres {
            Some(admin) => {
                let name = format!("tessera_bench_{}", uuid::Uuid::new_v4().simple());
                let admin_store = Store::open(admin).await?;
                exec_admin(&admin_store, &format!("CREATE DATABASE {name}")).await?;
                let url = match admin.rsplit_once('/') {
                    Some((base, _)) => format!("{base}/{name}"),
                    None => return Err::<String, BenchError>("bad PostgreSQL address".into()),
                };
                (Store::open(&url).await?, "PostgreSQL", Some((admin_store, name)))
            }
            None => (
                Store::open_sqlite(&data.path().join("bench.db")).await?,
                "SQLite",
                None,
            ),
        };
        store.migrate().await?;
        let key = tessera_app::generate_secret_key()?;
        let app = App::new(store.clone(), AppConfig::new("http://localhost:8080"), &key)?;
        app.bootstrap().await?;

        let seeding = Instant::now();
        let mut rng = Rng(0x5eed_1234_abcd_0042);
        let (tree, organisations) = seed_levels(&store, &app, levels, &mut rng).await?;
        let (operator, admin, emails) = seed_users(&store, &tree, &organisations, users, &mut rng).await?;
        analyse(&store).await?;
        let seeded = seeding.elapsed().as_secs_f64();

        let as_operator = Ctx { actor: Actor::User(operator), request_id: None };
        let as_admin = Ctx { actor: Actor::User(admin.0), request_id: None };
        let mut by_email = Vec::new();
        let mut by_last = Vec::new();
        let mut by_level = Vec::new();
        let mut by_last_admin = Vec::new();
        let mut peer = Vec::new();
        for _ in 0..queries {
            let email = &emails[rng.below(emails.len())];
            let prefix: String = email.chars().take(4).collect();
            by_email.push(time(&app, &as_operator, UserQuery { email: prefix, include_sub_levels: true, ..UserQuery::default() }).await?);
            let last: String = LAST[rng.below(LAST.len())].chars().take(3).collect();
            by_last.push(time(&app, &as_operator, UserQuery { last_name: last.clone(), include_sub_levels: true, ..UserQuery::default() }).await?);
            let org = organisations[rng.below(organisations.len())];
            by_level.push(time(&app, &as_operator, UserQuery { level_id: Some(org), include_sub_levels: true, ..UserQuery::default() }).await?);
            by_last_admin.push(time(&app, &as_admin, UserQuery { level_id: Some(admin.1), last_name: last, include_sub_levels: true, ..UserQuery::default() }).await?);
            let started = Instant::now();
            let mut tx = store.reads().await?;
            tx.user_by_email_key(email).await?;
            drop(tx);
            peer.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let peer = Samples::new("peer: one account by its exact address", "ms", peer);
        let rows = [
            Samples::new("e-mail prefix, whole tree", "ms", by_email),
            Samples::new("last-name prefix, whole tree", "ms", by_last),
            Samples::new("organisation with sub-levels", "ms", by_level),
            Samples::new("last-name prefix, user admin", "ms", by_last_admin),
        ];
        let mut listed: Vec<(&Samples, Option<&Samples>)> = rows.iter().map(|r| (r, Some(&peer))).collect();
        listed.push((&peer, None));
        let mut out = format!(
            "directory: {users} users in {levels} levels on {label}, seeded in {seeded:.0} s; {queries} searches of each kind (first page of 50, through App::search_users)\n\n"
        );
        out.push_str(&table("latency of the Users page's searches", &listed));
        store.close().await;
        match cleanup {
            Some((_, name)) if keep => kept = format!("kept: PostgreSQL database {name}\n"),
            Some((admin_store, name)) => {
                exec_admin(&admin_store, &format!("DROP DATABASE {name} WITH (FORCE)")).await?;
            }
            None if keep => kept = format!("kept: {}\n", data.keep().join("bench.db").display()),
            None => {}
        }
        Ok(out + &kept)
    })
}

pub(crate) async fn exec_admin(store: &Store, sql: &str) -> Result<(), BenchError> {
    let mut tx = store.reads().await?;
    if let Conn::Postgres(conn) = tx.conn() {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(conn)
            .await?;
    }
    Ok(())
}

async fn time(app: &App, ctx: &Ctx, query: UserQuery) -> Result<f64, BenchError> {
    let started = Instant::now();
    let page = app.search_users(ctx, &query).await?;
    std::hint::black_box(page.hits.len());
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// A tree of `count` levels: 100 organisations under the root, the rest below a random
/// earlier level (so depths vary). Returns every level and the organisations.
async fn seed_levels(
    store: &Store,
    app: &App,
    count: usize,
    rng: &mut Rng,
) -> Result<(Vec<Level>, Vec<LevelId>), BenchError> {
    let mut tx = store.begin().await?;
    let root = tx.root_level().await?.ok_or("no root level")?;
    let now = time::OffsetDateTime::now_utc();
    let mut tree = vec![root.clone()];
    let mut organisations = Vec::new();
    for i in 0..count.max(1) {
        let parent = if i < 100 {
            root.clone()
        } else {
            tree[1 + rng.below(tree.len() - 1)].clone()
        };
        let id = LevelId(uuid::Uuid::now_v7());
        let level =
            Level::new_child(id, &parent, &format!("Level {i}"), now).map_err(|e| e.message)?;
        tx.insert_level(&level).await?;
        if i < 100 {
            organisations.push(level.id);
        }
        tree.push(level);
    }
    tx.commit().await?;
    let _ = app;
    Ok((tree, organisations))
}

/// `count` users spread over the levels, inserted 1,000 rows per statement. Returns an
/// operator, a user administrator of an organisation (with its level), and the addresses.
async fn seed_users(
    store: &Store,
    tree: &[Level],
    organisations: &[LevelId],
    count: usize,
    rng: &mut Rng,
) -> Result<(UserId, (UserId, LevelId), Vec<String>), BenchError> {
    const BATCH: usize = 1000;
    let now = Ts(time::OffsetDateTime::now_utc());
    let mut emails = Vec::with_capacity(count);
    let mut first_ids = Vec::new();
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut sql = String::from(
            "INSERT INTO users (id, level_id, first_name, last_name, email, email_key, company_id,
             expires_at, language, status, created_by, created_at, updated_at, version,
             first_name_key, last_name_key) VALUES ",
        );
        let mut rows = Vec::with_capacity(n);
        for i in 0..n {
            let p = i * 10;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, NULL, NULL, 'en', 'active', NULL, ${}, ${}, 1, ${}, ${})",
                p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8, p + 9, p + 10
            ));
            let first = FIRST[rng.below(FIRST.len())];
            let last = LAST[rng.below(LAST.len())];
            let n_global = done + i;
            let email = format!(
                "{}.{}.{n_global}@org{}.example",
                first,
                last.replace(' ', ""),
                n_global % 997
            )
            .to_lowercase();
            let level = tree[rng.below(tree.len())].id;
            rows.push((
                uuid::Uuid::now_v7(),
                level,
                capitalised(first),
                capitalised(last),
                email,
            ));
        }
        let mut tx = store.begin().await?;
        match tx.conn() {
            Conn::Sqlite(conn) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for (id, level, first, last, email) in &rows {
                    q = q
                        .bind(*id)
                        .bind(level.0)
                        .bind(first)
                        .bind(last)
                        .bind(email)
                        .bind(email)
                        .bind(now)
                        .bind(now)
                        .bind(tessera_domain::user::search_key(first))
                        .bind(tessera_domain::user::search_key(last));
                }
                q.execute(conn).await?;
            }
            Conn::Postgres(conn) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for (id, level, first, last, email) in &rows {
                    q = q
                        .bind(*id)
                        .bind(level.0)
                        .bind(first)
                        .bind(last)
                        .bind(email)
                        .bind(email)
                        .bind(now)
                        .bind(now)
                        .bind(tessera_domain::user::search_key(first))
                        .bind(tessera_domain::user::search_key(last));
                }
                q.execute(conn).await?;
            }
        }
        tx.commit().await?;
        if first_ids.len() < 2 {
            first_ids.extend(rows.iter().take(2).map(|r| UserId(r.0)));
        }
        emails.extend(rows.into_iter().map(|r| r.4));
        done += n;
    }
    let operator = *first_ids.first().ok_or("no users")?;
    let admin = *first_ids.get(1).ok_or("no users")?;
    let org = organisations[0];
    let mut tx = store.begin().await?;
    let at = time::OffsetDateTime::now_utc();
    let root = tree[0].id;
    tx.grant_role(&RoleGrant {
        user_id: operator,
        role: Role::Operator,
        level_id: root,
        granted_by: None,
        granted_at: at,
    })
    .await?;
    tx.grant_role(&RoleGrant {
        user_id: admin,
        role: Role::UserAdmin,
        level_id: org,
        granted_by: None,
        granted_at: at,
    })
    .await?;
    tx.commit().await?;
    Ok((operator, (admin, org), emails))
}

async fn analyse(store: &Store) -> Result<(), BenchError> {
    let mut tx = store.begin().await?;
    match tx.conn() {
        Conn::Sqlite(conn) => {
            sqlx::query("ANALYZE").execute(conn).await?;
        }
        Conn::Postgres(conn) => {
            sqlx::query("ANALYZE").execute(conn).await?;
        }
    }
    tx.commit().await?;
    // What autovacuum does to a freshly filled table: without the visibility map, every
    // index-only scan still visits the table.
    let mut reads = store.reads().await?;
    if let Conn::Postgres(conn) = reads.conn() {
        sqlx::query("VACUUM (ANALYZE) users").execute(conn).await?;
    }
    Ok(())
}
