//! The archive a command opens: the SQLite file or the shared PostgreSQL store, behind the
//! calls the commands make (`status`, `export`, `search`, `show`, `feeds`, `prune`, `health`,
//! `rules health`). A command written against [`Archive`] works on both; what only the SQLite
//! file keeps (webhooks, backfills, discovered feeds) reads as empty on the shared store.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::pg::PgStore;
use super::{
    Backfill, Backlog, CycleRecord, DocSummary, ExportFilter, ExportRow, ExtractionRow, FeedRow,
    FeedSource, Pruned, SearchHit, Shown, Store, StoreError,
};
use crate::config::SourceKind;

/// An open archive of either kind.
pub enum Archive {
    /// The SQLite file.
    Sqlite(Store),
    /// The shared PostgreSQL store, with a runtime of its own to drive the async client from
    /// a command's plain code.
    Shared(Shared),
}

/// The shared store opened by a command.
pub struct Shared {
    pg: PgStore,
    runtime: tokio::runtime::Runtime,
}

impl Shared {
    /// Connects to the shared store at `url`: migrating it when the command writes
    /// (`migrate`), else refusing one that is missing or at another schema version.
    pub fn open(url: &str, migrate: bool) -> Result<Self, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Task(format!("cannot start async runtime: {e}")))?;
        let pg = runtime.block_on(async {
            if migrate {
                PgStore::open(url).await
            } else {
                PgStore::open_existing(url).await
            }
        })?;
        Ok(Self { pg, runtime })
    }

    /// The store itself and a runtime to drive it (`migrate-store` copies into it).
    pub fn parts(&self) -> (&PgStore, &tokio::runtime::Runtime) {
        (&self.pg, &self.runtime)
    }
}

impl Archive {
    /// Streams the stored stories `filter` selects, oldest first, to `each`.
    pub fn export<E: From<StoreError>>(
        &self,
        filter: &ExportFilter,
        each: impl FnMut(ExportRow) -> Result<(), E>,
    ) -> Result<usize, E> {
        match self {
            Self::Sqlite(s) => s.export(filter, each),
            Self::Shared(s) => s.runtime.block_on(s.pg.export(filter, each)),
        }
    }

    /// Stories matching every word of `query`, best first.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        match self {
            Self::Sqlite(s) => s.search(query, limit),
            Self::Shared(s) => s.runtime.block_on(s.pg.search(query, limit)),
        }
    }

    /// One story by id, stored URL or alias.
    pub fn show(&self, keys: &[String]) -> Result<Option<Shown>, StoreError> {
        match self {
            Self::Sqlite(s) => s.show(keys),
            Self::Shared(s) => s.runtime.block_on(s.pg.show(keys)),
        }
    }

    /// Stories stored and failed.
    pub fn story_counts(&self) -> Result<(i64, i64), StoreError> {
        match self {
            Self::Sqlite(s) => s.story_counts(),
            Self::Shared(s) => s.runtime.block_on(s.pg.story_counts()),
        }
    }

    /// Every feed, active first.
    pub fn list_feeds(&self) -> Result<Vec<FeedRow>, StoreError> {
        match self {
            Self::Sqlite(s) => s.list_feeds(),
            Self::Shared(s) => s.runtime.block_on(s.pg.list_feeds()),
        }
    }

    /// The newest finished cycle (of any worker, on the shared store).
    pub fn last_cycle(&self) -> Result<Option<CycleRecord>, StoreError> {
        match self {
            Self::Sqlite(s) => s.last_cycle(),
            Self::Shared(s) => s.runtime.block_on(s.pg.last_cycle()),
        }
    }

    /// When the earliest active feed is next due.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self {
            Self::Sqlite(s) => s.next_due(),
            Self::Shared(s) => s.runtime.block_on(s.pg.next_due()),
        }
    }

    /// Feeds found by discovery (SQLite only: none on the shared store).
    pub fn discovered_feeds(&self) -> Result<Vec<String>, StoreError> {
        match self {
            Self::Sqlite(s) => s.discovered_feeds(),
            Self::Shared(_) => Ok(Vec::new()),
        }
    }

    /// Webhook events waiting (SQLite only: the shared store keeps no outbox).
    pub fn webhook_backlog(&self) -> Result<Backlog, StoreError> {
        match self {
            Self::Sqlite(s) => s.webhook_backlog(),
            Self::Shared(_) => Ok(Backlog::default()),
        }
    }

    /// Per sitemap source: its documents, read, left to backfill, failing.
    pub fn sitemap_summary(&self) -> Result<Vec<DocSummary>, StoreError> {
        match self {
            Self::Sqlite(s) => s.sitemap_summary(),
            Self::Shared(s) => s.runtime.block_on(s.pg.sitemap_summary()),
        }
    }

    /// Backfills running or queued and the last `finished` ones (SQLite only).
    pub fn recent_backfills(&self, finished: usize) -> Result<Vec<Backfill>, StoreError> {
        match self {
            Self::Sqlite(s) => s.recent_backfills(finished),
            Self::Shared(_) => Ok(Vec::new()),
        }
    }

    /// Adds a feed or sitemap source; false when it was already there.
    pub fn add_feed(
        &mut self,
        url: &str,
        title: Option<&str>,
        source: FeedSource,
        kind: SourceKind,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        match self {
            Self::Sqlite(s) => s.add_feed(url, title, source, kind, now),
            Self::Shared(s) => s
                .runtime
                .block_on(s.pg.add_feed(url, title, source, kind, now)),
        }
    }

    /// Stops polling a feed; its stories are kept.
    pub fn remove_feed(&mut self, url: &str) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.remove_feed(url),
            Self::Shared(s) => s.runtime.block_on(s.pg.remove_feed(url)),
        }
    }

    /// Deletes old stories no feed lists any more, and old audit rows.
    pub fn prune(&mut self, cutoff: DateTime<Utc>) -> Result<Pruned, StoreError> {
        match self {
            Self::Sqlite(s) => s.prune(cutoff),
            Self::Shared(s) => s.runtime.block_on(s.pg.prune(cutoff)),
        }
    }

    /// Rows per table, for `migrate-store`'s check.
    pub fn counts(&self, tables: &[&str]) -> Result<BTreeMap<String, i64>, StoreError> {
        match self {
            Self::Sqlite(s) => s.counts(tables),
            Self::Shared(s) => s.runtime.block_on(s.pg.counts(tables)),
        }
    }
}

/// Where rule health reads the extraction log: the SQLite file (the daemon's check after a
/// cycle) or either store behind a command's [`Archive`].
pub trait ExtractionLog {
    /// Every extraction at or after `since`, oldest first.
    fn extractions_since(&self, since: DateTime<Utc>) -> Result<Vec<ExtractionRow>, StoreError>;
}

impl ExtractionLog for Store {
    fn extractions_since(&self, since: DateTime<Utc>) -> Result<Vec<ExtractionRow>, StoreError> {
        Store::extractions_since(self, since)
    }
}

impl ExtractionLog for Archive {
    fn extractions_since(&self, since: DateTime<Utc>) -> Result<Vec<ExtractionRow>, StoreError> {
        match self {
            Self::Sqlite(s) => s.extractions_since(since),
            Self::Shared(s) => s.runtime.block_on(s.pg.extractions_since(since)),
        }
    }
}
