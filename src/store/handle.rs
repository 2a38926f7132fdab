//! Store access from async code, whichever store it is: the SQLite file (one connection behind
//! a mutex, every call on tokio's blocking pool so a slow write never stalls the reactor) or the
//! shared PostgreSQL database (a connection pool). The pipeline calls the methods here and does
//! not know which one it talks to. No SQL here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::pg::{HostShare, PgStore};
use super::{
    Batch, CycleRecord, DocState, FeedRow, FeedStates, Hooks, Known, Store, StoreError, Written,
};
use crate::config::SourceSpec;

/// A shared, cheaply cloned handle to the one open store of a process.
#[derive(Clone)]
pub struct StoreHandle(Backend);

#[derive(Clone)]
enum Backend {
    Sqlite(Arc<Mutex<Store>>),
    Postgres(PgStore),
}

impl StoreHandle {
    /// Shares `store` between the cycle, the daemon loop and the watchdog.
    pub fn new(store: Store) -> Self {
        Self(Backend::Sqlite(Arc::new(Mutex::new(store))))
    }

    /// A handle on the shared PostgreSQL store.
    pub fn shared(store: PgStore) -> Self {
        Self(Backend::Postgres(store))
    }

    /// Runs `f` with the SQLite store on the blocking pool and returns what it returned; on
    /// the shared store, a [`StoreError::SqliteOnly`] naming `what`. A panic in an earlier call
    /// leaves the connection usable (SQLite rolls back an open transaction when it is
    /// dropped), so a poisoned lock is taken over rather than propagated.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.sqlite("this feature", f).await
    }

    /// As [`StoreHandle::run`], with `what` naming the feature for the shared store's refusal.
    pub async fn sqlite<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let Backend::Sqlite(store) = &self.0 else {
            return Err(StoreError::SqliteOnly(what));
        };
        let store = store.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Upkeep only the SQLite file needs (free pages, the pages file, rule health): `None` on
    /// the shared store, where the server does its own.
    pub async fn upkeep<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Option<Result<T, StoreError>> {
        match &self.0 {
            Backend::Sqlite(_) => Some(self.sqlite("upkeep", f).await),
            Backend::Postgres(_) => None,
        }
    }

    /// The stored story each alias list points at, in order (triage's lookups).
    pub async fn known_all(
        &self,
        lists: Vec<Vec<String>>,
    ) -> Result<Vec<Option<Known>>, StoreError> {
        match &self.0 {
            Backend::Postgres(pg) => pg.known_all(&lists).await,
            Backend::Sqlite(_) => {
                self.sqlite("lookups", move |s| {
                    lists.iter().map(|l| s.known(l)).collect()
                })
                .await
            }
        }
    }

    /// Writes `batch`, waiting out another writer: on SQLite a process holding the archive's
    /// write lock past `busy_timeout` (a hand-run `sqlite3` transaction, a backup tool), on
    /// PostgreSQL another worker's transaction that stored the same new story first. The batch
    /// is kept and written again, one warning per attempt, instead of failing the cycle and
    /// repeating its fetches. A write is one transaction, so a refused attempt wrote nothing.
    pub async fn write(&self, batch: Batch) -> Result<(Batch, Vec<Written>), StoreError> {
        let mut batch = batch;
        let mut pause = Duration::from_millis(500);
        let mut attempts = 0u32;
        loop {
            let (back, result) = match &self.0 {
                Backend::Postgres(pg) => {
                    let r = pg.write(&batch).await;
                    (batch, r)
                }
                Backend::Sqlite(_) => {
                    self.sqlite("write", move |s| {
                        let r = s.write(&batch);
                        Ok((batch, r))
                    })
                    .await?
                }
            };
            match result {
                Ok(written) => return Ok((back, written)),
                Err(e) if e.is_busy() && self.may_retry(attempts) => {
                    attempts += 1;
                    tracing::warn!(
                        error = %e,
                        retry_in_ms = pause.as_millis() as u64,
                        "archive locked by another writer; batch kept, retrying"
                    );
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(30));
                    batch = back;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Whether a refused write is tried again after `attempts` retries: on SQLite always (a
    /// lock is held by someone, and ends); on the shared store ten times (a lost race is
    /// won the next time; one lost every time is a bug, better a failed cycle than a hang).
    fn may_retry(&self, attempts: u32) -> bool {
        match &self.0 {
            Backend::Sqlite(_) => true,
            Backend::Postgres(_) => attempts < 10,
        }
    }

    /// Records how a cycle ended.
    pub async fn record_cycle(&self, record: CycleRecord) -> Result<(), StoreError> {
        match &self.0 {
            Backend::Postgres(pg) => pg.record_cycle(&record).await,
            Backend::Sqlite(_) => {
                self.sqlite("cycles", move |s| s.record_cycle(&record))
                    .await
            }
        }
    }

    /// Makes the config's sources the active config sources (and, on SQLite, sets the
    /// webhook routes: the shared store keeps no outbox).
    pub async fn sync_config(
        &self,
        feeds: Vec<SourceSpec>,
        hooks: Hooks,
    ) -> Result<(), StoreError> {
        match &self.0 {
            Backend::Postgres(pg) => pg.sync_config_feeds(&feeds, Utc::now()).await,
            Backend::Sqlite(_) => {
                self.sqlite("config", move |s| {
                    s.set_hooks(hooks);
                    s.sync_config_feeds(&feeds, Utc::now())
                })
                .await
            }
        }
    }

    /// Active feeds due now (all of them with `all`) and when the next one is due (SQLite:
    /// the one process polls them all; workers on a shared store lease theirs instead).
    pub async fn due(
        &self,
        all: bool,
    ) -> Result<(Vec<FeedRow>, Option<DateTime<Utc>>), StoreError> {
        self.sqlite("due feeds", move |s| {
            Ok((s.due_feeds(Utc::now(), all)?, s.next_due()?))
        })
        .await
    }

    /// Feeds by state, the failing ones in backoff, and the stored and failed story counts.
    pub async fn feed_states(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(FeedStates, (i64, i64)), StoreError> {
        match &self.0 {
            Backend::Postgres(pg) => pg.feed_states(now).await,
            Backend::Sqlite(_) => {
                self.sqlite("feed states", move |s| {
                    Ok((s.feed_states(now)?, s.story_counts()?))
                })
                .await
            }
        }
    }

    /// Whether this is the shared store (where pages' hosts are claimed).
    pub fn is_shared(&self) -> bool {
        matches!(self.0, Backend::Postgres(_))
    }

    /// Whether this process may fetch from `url`'s host now. Always on SQLite (one process
    /// per archive); on the shared store, when this worker holds the host or could claim it
    /// (no other worker holds it), with what other workers learnt of it. `None`: another
    /// worker holds it.
    pub async fn claim_host(&self, url: &url::Url) -> Result<Option<HostShare>, StoreError> {
        match &self.0 {
            Backend::Sqlite(_) => Ok(Some(HostShare::default())),
            Backend::Postgres(pg) => {
                let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
                pg.claim(&host).await
            }
        }
    }

    /// Every document known below the sitemap source `source_id`, by URL.
    pub async fn sitemap_docs(
        &self,
        source_id: i64,
    ) -> Result<HashMap<String, DocState>, StoreError> {
        match &self.0 {
            Backend::Postgres(pg) => pg.sitemap_docs(source_id).await,
            Backend::Sqlite(_) => {
                self.sqlite("sitemaps", move |s| s.sitemap_docs(source_id))
                    .await
            }
        }
    }

    /// The schema version: a cheap round trip that says the store answers.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        match &self.0 {
            Backend::Postgres(pg) => pg.schema_version().await,
            Backend::Sqlite(_) => self.sqlite("schema", |s| s.schema_version()).await,
        }
    }
}
