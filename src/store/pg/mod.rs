//! The shared store: one PostgreSQL database for many tindex workers, with the semantics of
//! the SQLite store (same tables, same write rules) plus host leases, so that two workers
//! never poll the same feeds or fetch from the same host at once.
//!
//! Here: feeds and their sitemap documents, leases, triage lookups, batch writes (stories,
//! aliases, memberships, revisions, near-duplicate clusters, audit), cycles, the figures the
//! daemon reports, and the read side the commands use (`read.rs`). Everything SQLite-only
//! (raw pages, webhooks, backfills, discovery) is refused with [`StoreError::SqliteOnly`].

pub mod copy;
mod feeds;
mod hosts;
mod lease;
mod read;
pub mod schema;
mod search;
mod sitemaps;
mod write;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

pub use hosts::HostShare;
pub use lease::{Due, Lease};

use super::StoreError;

/// Connections a worker keeps open: the writer, triage lookups, lease renewal and reports.
const POOL_SIZE: usize = 6;

/// Longest a call waits for a connection of the pool, or for a new one to open.
const POOL_WAIT: Duration = Duration::from_secs(20);

/// Stories stored and failed, as read at that instant.
type Counted = (std::time::Instant, (i64, i64));

/// An open shared store; cheap to clone (the pool and the held hosts are shared).
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// This worker's name in leases and audit rows: `host:pid:start`.
    worker: Arc<str>,
    /// How long a lease runs unless renewed ([`PgStore::leasing`]).
    lease_for: Duration,
    /// The hosts this worker holds now: leased with their feeds, or claimed for an article.
    held: Arc<Mutex<HashSet<String>>>,
    /// One claim at a time: a cycle's many pages on one host claim it once.
    claiming: Arc<tokio::sync::Mutex<()>>,
    /// The story counts last read for the daemon's figures, and when.
    counted: Arc<Mutex<Option<Counted>>>,
}

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

impl PgStore {
    /// Connects to the database at `url` and migrates it to this tindex's schema (workers,
    /// and the commands that write: `feeds add`, `prune`, `migrate-store`).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url)?;
        let mut client = store.client().await?;
        schema::migrate(&mut client).await?;
        Ok(store)
    }

    /// Connects to a shared store that must exist at this tindex's schema, changing nothing
    /// (the read commands): a database without one, or at another version, is refused.
    pub async fn open_existing(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url)?;
        let client = store.client().await?;
        let found: Option<i64> = client
            .query_one(
                "SELECT CASE WHEN to_regclass('tindex_schema') IS NOT NULL
                        THEN (SELECT max(version) FROM tindex_schema) END",
                &[],
            )
            .await?
            .get(0);
        let shown = crate::config::redact(url);
        match found {
            None => Err(StoreError::Missing(shown)),
            Some(v) if v < schema::PG_SCHEMA_VERSION => Err(StoreError::Old {
                path: shown,
                found: v,
                wanted: schema::PG_SCHEMA_VERSION,
            }),
            Some(v) if v > schema::PG_SCHEMA_VERSION => Err(StoreError::TooNew {
                found: v,
                supported: schema::PG_SCHEMA_VERSION,
            }),
            Some(_) => {
                drop(client);
                Ok(store)
            }
        }
    }

    /// A pool on `url`; nothing is sent until the first call.
    fn connect(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| {
            StoreError::Pool(format!("{}: {e}", crate::config::redact(url)))
        })?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        // A connection not had within the wait is an error, never a hang (a cycle's tasks,
        // the lease renewal and the monitoring probe share the pool).
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        Ok(Self {
            pool,
            worker: worker_name().into(),
            lease_for: Duration::from_secs(60),
            held: Arc::default(),
            claiming: Arc::default(),
            counted: Arc::default(),
        })
    }

    /// This store as a worker leasing for `lease_for` sees it.
    pub fn leasing(mut self, lease_for: Duration) -> Self {
        self.lease_for = lease_for;
        self
    }

    /// This worker's name, as leases and audit rows carry it.
    pub fn worker(&self) -> &str {
        &self.worker
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Pool(e.to_string()))
    }

    /// The schema version of the database (a cheap round trip: the readiness probe).
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let client = self.client().await?;
        Ok(client
            .query_one("SELECT coalesce(max(version), 0) FROM tindex_schema", &[])
            .await?
            .get(0))
    }
}

/// `s` as PostgreSQL takes text: without NUL, which it refuses (extracted text is cleaned of
/// it already; error messages may quote what a server sent).
pub(super) fn text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        s.replace('\0', "").into()
    } else {
        s.into()
    }
}

/// A worker name unique across machines and restarts: host name, process id, start time.
fn worker_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    format!(
        "{host}:{}:{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    )
}

/// The write lost a race with another worker's or a command's (the same new story stored
/// twice at once, a serialisation failure, a deadlock, a story pruned meanwhile): nothing
/// was written, and trying again finds the other's rows.
pub(super) fn is_retryable(e: &tokio_postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::UNIQUE_VIOLATION
            || *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            // A story pruned (`tindex prune`) between its lookup and its write.
            || *c == SqlState::FOREIGN_KEY_VIOLATION
    )
}
