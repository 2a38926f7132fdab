//! A PostgreSQL database of a test's own, and the SQL a test asks either store: tests that
//! hold for both stores run twice, once on a SQLite file and once on the shared store.
//!
//! `TINDEX_TEST_POSTGRES` is the URL of a database on a server whose user may create databases
//! (`.ci/run` starts a throwaway cluster with `.ci/postgres.sh` and sets it). Without it, a
//! PostgreSQL test prints one "skipped" line, unless `TINDEX_REQUIRE_TOOLS=1` makes that a
//! failure (as in CI).

use std::sync::atomic::{AtomicUsize, Ordering};

use super::Workspace;

/// A database of its own on the test server, dropped with it.
pub struct Db {
    admin: String,
    name: String,
    pub url: String,
}

impl Db {
    /// A new empty database, or `None` (after one "skipped" line) without a server.
    pub fn new() -> Option<Db> {
        let Some(admin) = std::env::var("TINDEX_TEST_POSTGRES").ok() else {
            assert!(
                std::env::var_os("TINDEX_REQUIRE_TOOLS").is_none(),
                "PostgreSQL is required (TINDEX_REQUIRE_TOOLS) but TINDEX_TEST_POSTGRES is unset"
            );
            println!("skipped: no PostgreSQL (.ci/run starts one and sets TINDEX_TEST_POSTGRES)");
            return None;
        };
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "tindex_test_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        sql(&admin, &format!("CREATE DATABASE {name}"));
        let (base, _) = admin.rsplit_once('/').expect("URL ends in /database");
        let url = format!("{base}/{name}");
        Some(Db { admin, name, url })
    }

    pub fn count(&self, query: &str) -> i64 {
        rows(&self.url, query)[0][0].parse().unwrap()
    }

    pub fn rows(&self, query: &str) -> Vec<Vec<String>> {
        rows(&self.url, query)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        sql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `statement` (one or more, no results) on the database at `url`.
pub fn sql(url: &str, statement: &str) {
    runtime().block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client.batch_execute(statement).await.unwrap();
    })
}

/// Every row of `query`, each column read as text (`simple_query`).
pub fn rows(url: &str, query: &str) -> Vec<Vec<String>> {
    try_rows(url, query).unwrap()
}

pub fn try_rows(url: &str, query: &str) -> Result<Vec<Vec<String>>, tokio_postgres::Error> {
    runtime().block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        Ok(client
            .simple_query(query)
            .await?
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                    (0..r.len())
                        .map(|i| r.get(i).unwrap_or("").to_string())
                        .collect(),
                ),
                _ => None,
            })
            .collect())
    })
}

/// Which store a test archives into.
pub enum Backend {
    /// The workspace's SQLite file.
    Sqlite,
    /// A database of the test's own on the test PostgreSQL server.
    Postgres(Db),
}

impl Backend {
    /// The shared store, or `None` (after one "skipped" line) without a server.
    pub fn postgres() -> Option<Backend> {
        Db::new().map(Backend::Postgres)
    }
}

impl Workspace {
    /// Makes this workspace archive into `backend`.
    pub fn on(mut self, backend: Backend) -> Workspace {
        if let Backend::Postgres(db) = backend {
            self.db = db.url.clone().into();
            self.pg = Some(db);
        }
        self
    }

    /// Whether it archives into PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Every row of `query` (SQL both stores read alike), each column as text: integers
    /// in decimal, NULL as the empty string, booleans as `1`/`0`.
    pub fn rows(&self, query: &str) -> Vec<Vec<String>> {
        match &self.pg {
            Some(db) => db
                .rows(query)
                .into_iter()
                .map(|r| {
                    r.into_iter()
                        .map(|v| match v.as_str() {
                            "t" => "1".to_string(),
                            "f" => "0".to_string(),
                            _ => v,
                        })
                        .collect()
                })
                .collect(),
            None => {
                let db = self.sql();
                let mut stmt = db.prepare(query).unwrap();
                let width = stmt.column_count();
                stmt.query_map([], |r| {
                    (0..width)
                        .map(|i| {
                            Ok(match r.get::<_, rusqlite::types::Value>(i)? {
                                rusqlite::types::Value::Null => String::new(),
                                rusqlite::types::Value::Integer(n) => n.to_string(),
                                rusqlite::types::Value::Real(f) => f.to_string(),
                                rusqlite::types::Value::Text(t) => t,
                                rusqlite::types::Value::Blob(b) => {
                                    b.iter().map(|x| format!("{x:02x}")).collect()
                                }
                            })
                        })
                        .collect()
                })
                .unwrap()
                .map(Result::unwrap)
                .collect()
            }
        }
    }

    /// The one value `query` selects.
    pub fn value(&self, query: &str) -> String {
        let rows = self.rows(query);
        assert_eq!(rows.len(), 1, "{query}: {rows:?}");
        rows[0][0].clone()
    }

    /// The one number `query` selects.
    pub fn number(&self, query: &str) -> i64 {
        self.value(query).parse().unwrap()
    }

    /// Runs statements that change the store (SQL both stores take).
    pub fn execute(&self, statements: &str) {
        match &self.pg {
            Some(db) => sql(&db.url, statements),
            None => self.sql().execute_batch(statements).unwrap(),
        }
    }

    /// A column of bytes (`signature`) as lower-case hex, in this store's dialect.
    pub fn hex(&self, column: &str) -> String {
        if self.is_postgres() {
            format!("encode({column}, 'hex')")
        } else {
            format!("lower(hex({column}))")
        }
    }
}

/// A SQL string literal of `s`.
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Defines each named test, a `fn(Backend)`, twice: `sqlite::NAME` on a SQLite file and
/// `postgres::NAME` on the shared store.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(super::support::Backend::Sqlite)
                }
            )+
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(backend) = super::support::Backend::postgres() {
                        super::$name(backend)
                    }
                }
            )+
        }
    };
}
