//! One poll cycle, as a chain of stages, each in its own file:
//!
//! ```text
//! due feeds ─ poll ─▶ entries ─ fold ─▶ stories ─ triage ─┬─▶ sightings ────────────┐
//!                                                         └─▶ to fetch ─ article ─▶ writer ─▶ commit
//! ```
//!
//! `poll` fetches and parses each feed; `dedup::fold` makes one story of entries that share an
//! alias; `triage` sorts known stories from those to fetch; `article` fetches and extracts,
//! handing finished stories to the `writer`, which stores them in batches; `commit` writes
//! the feeds' validators and schedules last.
//!
//! Crash safety rests on that order: a feed's new validators (ETag, Last-Modified) are
//! committed only after every story it listed is stored. A crash mid-cycle therefore makes
//! the next cycle fetch the feed in full again, and the alias table skips what was stored.

mod article;
mod backfill;
mod commit;
mod outcome;
mod poll;
mod record;
mod sitemaps;
mod stats;
mod triage;
mod writer;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::Utc;
use tokio::sync::{OnceCell, Semaphore};
use tracing::{info, warn};

pub use article::extract_page;
pub use backfill::{Backfiller, Step};
pub use outcome::{ArticleOutcome, DeferReason, Failure, FeedFailure};
pub use stats::CycleStats;

use crate::config::Config;
use crate::dedup;
use crate::fetch::Fetcher;
use crate::store::pg::HostShare;
use crate::store::{CycleCounts, CycleRecord, FeedRow, StoreError, StoreHandle};

/// Feeds polled together in one chunk of a cycle: enough to keep every connection busy,
/// few enough that a cycle over thousands of feeds holds one chunk's entries in memory.
pub const CHUNK_FEEDS: usize = 250;

/// Everything a cycle needs, shared across cycles; cheap to clone.
#[derive(Clone)]
pub struct Pipeline {
    config: Arc<Config>,
    fetcher: Fetcher,
    store: StoreHandle,
    extract_slots: Arc<Semaphore>,
    /// Set on SIGTERM: start nothing new, let what is in flight finish and be stored.
    stopping: Arc<AtomicBool>,
    /// This cycle's claims on pages' hosts (shared store): one per host.
    claims: Arc<Mutex<HashMap<String, Arc<OnceCell<article::Claim>>>>>,
}

/// Why a cycle stopped early. Feed and article problems are not errors: they are recorded.
#[derive(Debug, thiserror::Error)]
pub enum CycleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cycle task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl Pipeline {
    /// Parsing and extraction take one slot per core; the fetcher paces the requests.
    pub fn new(config: Arc<Config>, fetcher: Fetcher, store: StoreHandle) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            config,
            fetcher,
            store,
            extract_slots: Arc::new(Semaphore::new(cores)),
            stopping: Arc::default(),
            claims: Arc::default(),
        }
    }

    /// Drains the running cycle: no new feed chunk or article fetch starts; fetches in flight
    /// finish and are stored; feeds whose articles were not all fetched keep their old
    /// validators, so the next run fetches them in full.
    pub fn request_stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// The same pipeline with a stop and host claims of its own: a worker stops one cycle
    /// (its host leases lost) without stopping the next, and claims hosts anew each cycle.
    pub fn with_own_stop(&self) -> Self {
        Self {
            stopping: Arc::default(),
            claims: Arc::default(),
            ..self.clone()
        }
    }

    /// The fetcher, whose robots.txt rules and host pauses a worker shares.
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// Trusts what other workers of a shared store learnt of some hosts: their robots.txt
    /// rules (not asked again before they expire) and their pauses (`Retry-After`).
    pub fn trust(&self, share: HostShare) {
        self.fetcher.seed_robots(share.robots);
        for (host, until) in share.pauses {
            self.fetcher.pause_until(&host, until);
        }
    }

    /// The configuration this pipeline runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The same configuration, shared (for tasks that outlive a borrow: webhook delivery).
    pub fn shared_config(&self) -> Arc<Config> {
        self.config.clone()
    }

    fn stop_requested(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Polls `feeds` once and stores what they list, [`CHUNK_FEEDS`] feeds at a time so a
    /// cycle's memory does not grow with the number of feeds (stories shared between chunks
    /// are recognised through the alias table, as between cycles).
    ///
    /// How the cycle ended is recorded in the store (`cycles`), failure included, for
    /// `status --check`.
    pub async fn run_cycle(&self, feeds: Vec<FeedRow>) -> Result<CycleStats, CycleError> {
        let started_at = Utc::now();
        let result = self.cycle(feeds).await;
        let record = CycleRecord {
            started_at,
            finished_at: Utc::now(),
            outcome: match &result {
                Ok(s) => Ok(CycleCounts {
                    feeds: s.feeds,
                    feed_errors: s.feed_errors,
                    new: s.new,
                    updated: s.updated,
                    failed: s.failed,
                }),
                Err(e) => Err(e.to_string()),
            },
        };
        if let Err(e) = self.store.record_cycle(record).await {
            warn!(error = %e, "how the cycle ended could not be recorded");
        }
        result
    }

    async fn cycle(&self, mut feeds: Vec<FeedRow>) -> Result<CycleStats, CycleError> {
        let started = Instant::now();
        let mut stats = CycleStats::default();
        while !feeds.is_empty() && !self.stop_requested() {
            let rest = feeds.split_off(feeds.len().min(CHUNK_FEEDS));
            stats += self.run_chunk(std::mem::replace(&mut feeds, rest)).await?;
        }
        if stats.new + stats.updated > 0 {
            self.release_free_pages().await;
        }
        if stats.new + stats.updated + stats.duplicates > 0 {
            self.warn_suspect_rules().await;
        }
        self.prune_raw_pages().await;
        info!(
            feeds = stats.feeds,
            not_modified = stats.not_modified,
            feed_errors = stats.feed_errors,
            entries = stats.entries,
            new = stats.new,
            duplicate = stats.duplicates,
            updated = stats.updated,
            failed = stats.failed,
            refetch_failed = stats.refetch_failed,
            deferred = stats.deferred,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "cycle done"
        );
        Ok(stats)
    }

    /// One chunk: poll → fold → triage → fetch articles → commit.
    async fn run_chunk(&self, feeds: Vec<FeedRow>) -> Result<CycleStats, CycleError> {
        let mut stats = CycleStats {
            feeds: feeds.len(),
            ..CycleStats::default()
        };

        let mut results = self.poll_all(feeds).await?;
        for r in &results {
            stats.not_modified += usize::from(r.not_modified);
            stats.feed_errors += usize::from(r.poll.error.is_some());
        }

        let entries = poll::entries(&mut results);
        stats.entries = entries.len();
        let stories = dedup::fold(entries);

        let retries = self.config.daemon.article_retries;
        let sorted = triage::sort(&self.store, stories, retries, Utc::now()).await?;
        stats.duplicates += sorted.sightings.len();

        let stored = self
            .fetch_articles(sorted.to_fetch, self.config.fetch.concurrency * 2)
            .await?;
        stats += stored.stats;

        let (polls, fetches): (Vec<_>, Vec<_>) =
            results.into_iter().map(|r| (r.poll, r.logs)).unzip();
        let fetches = fetches.into_iter().flatten().collect();
        let last = commit::batch(
            polls,
            &stored.unfinished,
            &stored.interrupted,
            sorted.sightings,
            fetches,
        );
        writer::write_counted(&self.store, last).await?;
        let metrics = crate::metrics::global();
        for (outcome, n) in [
            ("new", stats.new),
            ("duplicate", stats.duplicates),
            ("updated", stats.updated),
            ("failed", stats.failed),
            ("refetch_failed", stats.refetch_failed),
            ("deferred", stats.deferred),
        ] {
            metrics.stories(outcome, n as u64);
        }
        Ok(stats)
    }
}
