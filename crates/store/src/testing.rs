//! Fresh databases for tests: an SQLite file in a temporary folder, or a newly created
//! PostgreSQL database that is dropped again when the test ends.
//!
//! PostgreSQL is found at `TESSERA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When none answers, [`TestDatabase::postgres`]
//! gives `None` so the test can skip, unless `TESSERA_TEST_REQUIRE_POSTGRES=1`, when it is an error.

use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::{Backend, Store, StoreError, StoreResult};

pub const DEFAULT_TEST_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database that exists for the life of one test.
pub struct TestDatabase {
    pub store: Store,
    /// The URL the store was opened with (pass it to a server under test).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A migrated database on the given backend, or `None` when PostgreSQL is wanted, does not
    /// answer and is not required.
    pub async fn new(backend: Backend) -> StoreResult<Option<Self>> {
        match backend {
            Backend::Sqlite => Self::sqlite().await.map(Some),
            Backend::Postgres => Self::postgres().await,
        }
    }

    pub async fn sqlite() -> StoreResult<Self> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::BadUrl(e.to_string()))?;
        let url = format!("sqlite://{}", dir.path().join("tessera.db").display());
        let store = Store::open(&url).await?;
        store.migrate().await?;
        Ok(Self {
            store,
            url,
            _dir: Some(dir),
            postgres: None,
        })
    }

    pub async fn postgres() -> StoreResult<Option<Self>> {
        let admin_url = admin_url();
        let mut admin =
            match tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(&admin_url))
                .await
            {
                Ok(Ok(conn)) => conn,
                Ok(Err(e)) if !postgres_required() => {
                    eprintln!("SKIPPED: PostgreSQL does not answer at {admin_url}: {e}");
                    return Ok(None);
                }
                Err(_) if !postgres_required() => {
                    eprintln!("SKIPPED: PostgreSQL does not answer at {admin_url} (timed out)");
                    return Ok(None);
                }
                Ok(Err(e)) => return Err(e.into()),
                Err(_) => return Err(StoreError::BadUrl(format!("{admin_url}: timed out"))),
            };
        let name = format!("tessera_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let url = database_url(&admin_url, &name);
        let store = Store::open(&url).await?;
        store.migrate().await?;
        Ok(Some(Self {
            store,
            url,
            _dir: None,
            postgres: Some((admin_url, name)),
        }))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be awaited here, and which drives
        // the pool's sockets; a thread with a runtime of its own drops the database, and FORCE
        // ends the pool's connections from the server's side.
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut admin)
                        .await;
                }
            });
        });
        let _ = dropper.join();
    }
}

/// The maintenance database URL of the test PostgreSQL server.
pub fn admin_url() -> String {
    std::env::var("TESSERA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| DEFAULT_TEST_POSTGRES_URL.to_owned())
}

/// Whether a missing PostgreSQL must fail the tests instead of skipping them.
pub fn postgres_required() -> bool {
    std::env::var("TESSERA_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// The same server URL with another database name.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let server = match base.rfind('/') {
        Some(slash) if slash > base.find("://").map_or(0, |i| i + 2) => &base[..slash],
        _ => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// Declares, for each named `async fn(&TestDatabase)`, one test on SQLite and one on
/// PostgreSQL (skipped with a message when PostgreSQL does not answer and is not required).
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::testing::TestDatabase::sqlite().await.unwrap();
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::testing::TestDatabase::postgres().await.unwrap() else {
                        return;
                    };
                    super::$name(&db).await;
                }
            )*
        }
    };
}

/// What the single sign-on contract tests (OIDC, CAS) start from: a root level, one active
/// person, one application (CASPER, medium assurance) and a live session of that person.
pub struct SsoFixture {
    pub application: uuid::Uuid,
    pub user: tessera_domain::UserId,
    pub session: uuid::Uuid,
}

/// Writes the [`SsoFixture`] rows at time `at`.
pub async fn sso_fixture(
    store: &Store,
    at: time::OffsetDateTime,
) -> Result<SsoFixture, Box<dyn std::error::Error>> {
    use crate::{Applications, Levels, Sessions, Users};
    use tessera_domain::application::Application;
    use tessera_domain::level::Level;
    use tessera_domain::session::Assurance;
    use tessera_domain::user::{NewUser, UserStatus};
    use tessera_domain::{LevelId, UserId};

    let root = Level::new_root(LevelId::new(at, [1; 10]), "Root", at).map_err(|e| e.message)?;
    let user = NewUser::parse("Erika", "Mustermann", "erika@bank.example", "en", &["en"])?
        .into_user(
            UserId::new(at, [2; 10]),
            root.id,
            UserStatus::Active,
            None,
            at,
        );
    let application = Application {
        id: uuid::Uuid::from_bytes([9; 16]),
        code: "CASPER".into(),
        name: "CASPER".into(),
        description: String::new(),
        min_assurance: Assurance::Medium,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let session = crate::sessions::SessionRecord {
        id: uuid::Uuid::from_bytes([3; 16]),
        token_digest: "session-digest".into(),
        user_id: user.id,
        assurance: Assurance::Medium,
        methods: vec!["password".into(), "sms".into()],
        created_at: at,
        last_seen_at: at,
        ended_at: None,
        user_agent: String::new(),
        address: String::new(),
    };
    let mut tx = store.begin().await?;
    tx.insert_level(&root).await?;
    tx.insert_user(&user).await?;
    if !tx.insert_application(&application).await? {
        return Err("the fixture's application exists already".into());
    }
    tx.insert_session(&session).await?;
    tx.commit().await?;
    Ok(SsoFixture {
        application: application.id,
        user: user.id,
        session: session.id,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_swapped_in_urls() {
        assert_eq!(
            super::database_url("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            super::database_url("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(
            super::database_url("postgres://h:5432", "t3"),
            "postgres://h:5432/t3"
        );
    }
}
