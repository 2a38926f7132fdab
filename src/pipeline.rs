//! One poll cycle: due feeds → fetch → parse → dedup → fetch articles → extract → store.
//!
//! Crash safety rests on one ordering rule: a feed's new validators (ETag, Last-Modified) are
//! committed only after every article it listed is stored. A crash mid-cycle therefore makes
//! the next cycle fetch the feed in full again, and the alias table skips what was stored.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tracing::{info, warn};
use url::Url;

use crate::config::Config;
use crate::dedup::{self, Candidate};
use crate::extract::{self, Extracted};
use crate::feed::{self, FeedItem};
use crate::fetch::{FetchError, Fetcher, Outcome, Report, RobotsVerdict, Validators};
use crate::scheduler::{self, PollFacts};
use crate::store::{
    ArticleRecord, Batch, Content, FeedPoll, FeedRow, FetchKind, FetchLog, ImageRow, Sighting,
    Store, StoreError, Written,
};

/// Feeds polled together in one chunk of a cycle: enough to keep every connection busy,
/// few enough that a cycle over thousands of feeds holds one chunk's entries in memory.
pub const CHUNK_FEEDS: usize = 250;

/// Most records written per transaction: enough to amortise commits when pages arrive fast,
/// few enough that readers see steady progress.
const WRITE_BATCH: usize = 64;
/// Longest a fetched article waits for others to share its commit.
const WRITE_WINDOW: Duration = Duration::from_millis(250);

/// What a cycle did, for logs, `STATUS=` and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CycleStats {
    pub feeds: usize,
    pub not_modified: usize,
    pub feed_errors: usize,
    pub entries: usize,
    pub new: usize,
    pub duplicates: usize,
    pub updated: usize,
    pub failed: usize,
    /// Articles not fetched this time for a passing reason (host pause, robots.txt
    /// unreachable); their feeds keep old validators so the next poll tries again.
    pub deferred: usize,
}

impl std::ops::AddAssign for CycleStats {
    fn add_assign(&mut self, o: Self) {
        self.feeds += o.feeds;
        self.not_modified += o.not_modified;
        self.feed_errors += o.feed_errors;
        self.entries += o.entries;
        self.new += o.new;
        self.duplicates += o.duplicates;
        self.updated += o.updated;
        self.failed += o.failed;
        self.deferred += o.deferred;
    }
}

/// Everything a cycle needs, shared across cycles.
#[derive(Clone)]
pub struct Pipeline {
    config: Arc<Config>,
    fetcher: Fetcher,
    store: Arc<Mutex<Store>>,
    extract_slots: Arc<Semaphore>,
    /// Set on SIGTERM: start nothing new, let what is in flight finish and be stored.
    stopping: Arc<AtomicBool>,
}

/// Why a cycle stopped early. Feed and article problems are not errors: they are recorded.
#[derive(Debug, thiserror::Error)]
pub enum CycleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("store task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

struct FeedResult {
    poll: FeedPoll,
    log: FetchLog,
    items: Vec<FeedItem>,
    not_modified: bool,
}

impl Pipeline {
    pub fn new(config: Arc<Config>, fetcher: Fetcher, store: Arc<Mutex<Store>>) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            config,
            fetcher,
            store,
            extract_slots: Arc::new(Semaphore::new(cores)),
            stopping: Arc::default(),
        }
    }

    /// Drains the running cycle: no new feed chunk or article fetch starts; fetches in flight
    /// finish and are stored; feeds whose articles were not all fetched keep their old
    /// validators, so the next run fetches them in full.
    pub fn request_stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// This pipeline's HTTP client, if `fetch` is the configuration it was built with.
    pub fn fetcher_for(&self, fetch: &crate::config::FetchConfig) -> Option<Fetcher> {
        (self.config.fetch == *fetch).then(|| self.fetcher.clone())
    }

    fn stop_requested(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Runs blocking store work off the async reactor.
    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, CycleError> {
        let store = self.store.clone();
        let out = tokio::task::spawn_blocking(move || {
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await??;
        Ok(out)
    }

    /// Polls `feeds` once and stores what they list, [`CHUNK_FEEDS`] feeds at a time so a
    /// cycle's memory does not grow with the number of feeds (stories shared between chunks
    /// are recognised through the alias table, as between cycles).
    pub async fn run_cycle(&self, mut feeds: Vec<FeedRow>) -> Result<CycleStats, CycleError> {
        let started = Instant::now();
        let mut stats = CycleStats::default();
        while !feeds.is_empty() && !self.stop_requested() {
            let rest = feeds.split_off(feeds.len().min(CHUNK_FEEDS));
            stats += self.run_chunk(std::mem::replace(&mut feeds, rest)).await?;
        }
        if stats.new + stats.updated > 0 {
            // Full-text merges free pages; give them back so the file is as small as its data.
            match self.with_store(|s| s.release_free_pages()).await {
                Ok(0) => {}
                Ok(pages) => tracing::debug!(pages, "free pages released"),
                Err(e) => warn!(error = %e, "could not release free pages"),
            }
        }
        info!(
            feeds = stats.feeds,
            not_modified = stats.not_modified,
            feed_errors = stats.feed_errors,
            entries = stats.entries,
            new = stats.new,
            duplicate = stats.duplicates,
            updated = stats.updated,
            failed = stats.failed,
            deferred = stats.deferred,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "cycle done"
        );
        Ok(stats)
    }

    /// One chunk of a cycle: its feeds, then their articles, then their validators.
    async fn run_chunk(&self, feeds: Vec<FeedRow>) -> Result<CycleStats, CycleError> {
        let mut stats = CycleStats {
            feeds: feeds.len(),
            ..CycleStats::default()
        };
        let mut polls = JoinSet::new();
        for row in feeds {
            let this = self.clone();
            polls.spawn(async move { this.poll_feed(row).await });
        }
        let mut results = Vec::new();
        while let Some(r) = polls.join_next().await {
            let r = r?;
            stats.not_modified += usize::from(r.not_modified);
            stats.feed_errors += usize::from(r.poll.error.is_some());
            results.push(r);
        }
        let entries: Vec<(i64, FeedItem)> = results
            .iter_mut()
            .flat_map(|r| {
                let id = r.poll.feed_id;
                std::mem::take(&mut r.items)
                    .into_iter()
                    .map(move |i| (id, i))
            })
            .collect();
        stats.entries = entries.len();
        let candidates = dedup::fold(entries);

        let retries = self.config.daemon.article_retries;
        let (to_fetch, sightings) = self
            .with_store(move |s| {
                let now = Utc::now();
                let mut to_fetch = Vec::new();
                let mut sightings = Vec::new();
                for c in candidates {
                    let known = s.known(&c.aliases)?;
                    let edited =
                        |k: &crate::store::Known| c.updated.is_some_and(|u| u > k.fetched_at);
                    match known {
                        Some(k) if (k.ok && !edited(&k)) || (!k.ok && k.attempts > retries) => {
                            sightings.push(Sighting {
                                article_id: k.id,
                                aliases: c.aliases,
                                feeds: c.feeds,
                                seen_at: now,
                            })
                        }
                        _ => to_fetch.push(c),
                    }
                }
                Ok((to_fetch, sightings))
            })
            .await?;
        stats.duplicates += sightings.len();
        for s in &sightings {
            tracing::debug!(article = s.article_id, "already stored, skipped");
        }

        let (written, failed_feeds) = self.fetch_articles(to_fetch).await?;
        stats += written;

        // Last: validators and schedules, now that every listed article is stored. A feed
        // that listed an article we failed to get keeps its old validators, so its next poll
        // reads the full list again and retries the article (up to `article_retries`).
        let batch = Batch {
            polls: results
                .iter()
                .map(|r| {
                    let mut poll = r.poll.clone();
                    if failed_feeds.contains(&poll.feed_id) {
                        poll.etag = None;
                        poll.last_modified = None;
                    }
                    poll
                })
                .collect(),
            sightings,
            articles: Vec::new(),
            fetches: results.into_iter().map(|r| r.log).collect(),
        };
        self.with_store(move |s| s.write(&batch).map(|_| ()))
            .await?;
        Ok(stats)
    }

    async fn poll_feed(&self, row: FeedRow) -> FeedResult {
        let now = Utc::now();
        let validators = Validators {
            etag: row.etag.clone(),
            last_modified: row.last_modified.clone(),
        };
        let mut facts = PollFacts {
            ok: false,
            previous_errors: row.error_count,
            interval_secs: row.interval_secs,
            publish_interval_secs: row.publish_interval_secs,
            ttl_minutes: None,
            hints: Default::default(),
        };
        let Ok(url) = Url::parse(&row.url) else {
            let error = format!("bad feed URL {:?}", row.url);
            return self.feed_result(&row, now, None, facts, Err(error), None);
        };
        let mut report = self.fetcher.get(&url, &validators).await;
        facts.hints = report.hints;
        let outcome = match &mut report.result {
            Ok(Outcome::NotModified) => Ok(None),
            Ok(Outcome::Fetched(page)) => {
                // The text is only needed by the parser: move it, a feed can be megabytes.
                let text = std::mem::take(&mut page.text);
                let base = page.url.clone();
                // Parsing is CPU and memory: it takes a slot of the same pool as extraction.
                let _slot = self.extract_slots.acquire().await;
                match tokio::task::spawn_blocking(move || feed::parse(&text, &base)).await {
                    Ok(Ok(parsed)) => {
                        facts.ttl_minutes = parsed.ttl_minutes;
                        facts.publish_interval_secs = scheduler::publish_interval(
                            parsed.items.iter().filter_map(|i| i.published),
                        )
                        .or(facts.publish_interval_secs);
                        Ok(Some(parsed))
                    }
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(e) => Err(format!("feed parser crashed: {e}")),
                }
            }
            Err(e) => Err(e.to_string()),
        };
        facts.ok = outcome.is_ok();
        let validators = match &report.result {
            Ok(Outcome::Fetched(page)) => Some(page.validators.clone()),
            _ => None,
        };
        self.feed_result(&row, now, Some(&report), facts, outcome, validators)
    }

    /// Decides the feed's next poll and logs the one line that explains this poll.
    fn feed_result(
        &self,
        row: &FeedRow,
        now: DateTime<Utc>,
        report: Option<&Report>,
        facts: PollFacts,
        outcome: Result<Option<feed::ParsedFeed>, String>,
        validators: Option<Validators>,
    ) -> FeedResult {
        let next = scheduler::next_poll(now, row.id, &facts, &self.config.daemon);
        let next_poll = crate::store::ts(next);
        let status = report.and_then(|r| r.status);
        let elapsed_ms = report.map_or(0, ms);
        let listed = matches!(outcome, Ok(Some(_)));
        let (items, title, error) = match outcome {
            Ok(None) => {
                info!(feed = %row.url, status = 304, elapsed_ms, %next_poll, "not modified");
                (Vec::new(), None, None)
            }
            Ok(Some(parsed)) => {
                info!(
                    feed = %row.url, status = status.unwrap_or(200), elapsed_ms,
                    bytes = report.map_or(0, |r| r.bytes), entries = parsed.items.len(),
                    skipped = parsed.skipped, %next_poll, "fetched"
                );
                (parsed.items, parsed.title, None)
            }
            Err(error) => {
                warn!(
                    feed = %row.url, status, elapsed_ms, %error, errors = row.error_count + 1,
                    %next_poll, "feed failed; backing off"
                );
                (Vec::new(), None, Some(error))
            }
        };
        let validators = validators.unwrap_or_default();
        FeedResult {
            log: fetch_log(FetchKind::Feed, &row.url, report, error.clone()),
            poll: FeedPoll {
                feed_id: row.id,
                at: now,
                status,
                error,
                etag: validators.etag,
                last_modified: validators.last_modified,
                title,
                next_poll_at: next,
                publish_interval_secs: facts.publish_interval_secs,
                listed,
            },
            not_modified: matches!(report.map(|r| &r.result), Some(Ok(Outcome::NotModified))),
            items,
        }
    }

    /// Fetches and extracts candidates concurrently; a writer task stores them in batches.
    async fn fetch_articles(
        &self,
        candidates: Vec<Candidate>,
    ) -> Result<(CycleStats, HashSet<i64>), CycleError> {
        let (tx, mut rx) = mpsc::channel::<(ArticleRecord, Vec<FetchLog>)>(WRITE_BATCH * 2);
        let writer = {
            let this = self.clone();
            tokio::spawn(async move {
                let mut counts = CycleStats::default();
                let mut failed_feeds = HashSet::new();
                let mut batch = Batch::default();
                loop {
                    // Batching: wait for one record, then gather more for at most
                    // WRITE_WINDOW. A slow site still commits each article within the window
                    // of its arrival; a fast one fills batches, and every commit rewrites far
                    // fewer shared index pages per article stored.
                    let received = rx.recv().await;
                    let mut done = received.is_none();
                    if let Some((record, logs)) = received {
                        batch.articles.push(record);
                        batch.fetches.extend(logs);
                    }
                    let deadline = tokio::time::Instant::now() + WRITE_WINDOW;
                    while !done && batch.articles.len() < WRITE_BATCH {
                        match tokio::time::timeout_at(deadline, rx.recv()).await {
                            Ok(Some((record, logs))) => {
                                batch.articles.push(record);
                                batch.fetches.extend(logs);
                            }
                            Ok(None) => done = true,
                            Err(_) => break,
                        }
                    }
                    if !batch.is_empty() {
                        let full = std::mem::take(&mut batch);
                        let (full, written) = this
                            .with_store(move |s| s.write(&full).map(|w| (full, w)))
                            .await?;
                        for (record, w) in full.articles.iter().zip(written) {
                            log_written(record, w);
                            match w {
                                Written::New(_) => counts.new += 1,
                                Written::Duplicate(_) => counts.duplicates += 1,
                                Written::Updated(_) => counts.updated += 1,
                                Written::Failed(_) => {
                                    counts.failed += 1;
                                    failed_feeds.extend(record.feeds.iter().copied());
                                }
                                Written::Deferred => {
                                    counts.deferred += 1;
                                    failed_feeds.extend(record.feeds.iter().copied());
                                }
                            }
                        }
                    }
                    if done {
                        return Ok::<_, CycleError>((counts, failed_feeds));
                    }
                }
            })
        };
        // Bound the tasks alive at once; the fetcher's own budget paces the requests.
        let in_flight = Arc::new(Semaphore::new(self.config.fetch.concurrency * 2));
        let mut tasks = JoinSet::new();
        let mut skipped_feeds = HashSet::new();
        for c in candidates {
            if self.stop_requested() {
                skipped_feeds.extend(c.feeds.iter().copied());
                continue;
            }
            let permit = in_flight.clone().acquire_owned().await;
            // Reap finished tasks as we go: a JoinSet keeps every finished task until joined,
            // which at 36,000 articles is hundreds of megabytes.
            while let Some(done) = tasks.try_join_next() {
                done?;
            }
            let this = self.clone();
            let tx = tx.clone();
            tasks.spawn(async move {
                let _permit = permit;
                let pair = this.fetch_article(c).await;
                // The writer only stops early on a store error, which the caller reports.
                let _ = tx.send(pair).await;
            });
        }
        drop(tx);
        while let Some(r) = tasks.join_next().await {
            r?;
        }
        let (stats, mut failed_feeds) = writer.await??;
        failed_feeds.extend(skipped_feeds);
        Ok((stats, failed_feeds))
    }

    /// Fetches and extracts one story; the audit rows are the robots.txt request (when this
    /// fetch made the host's first) and the page request.
    async fn fetch_article(&self, c: Candidate) -> (ArticleRecord, Vec<FetchLog>) {
        let mut record = ArticleRecord {
            url: c.url.to_string(),
            guid: c.guid,
            aliases: c.aliases,
            feeds: c.feeds,
            seen_at: Utc::now(),
            feed_title: c.feed_title,
            content: Err(String::new()),
            deferred: false,
        };
        let robots = self.fetcher.robots_allow(&c.fetch_url).await;
        let mut logs: Vec<FetchLog> = robots
            .fetched
            .iter()
            .map(|(url, report)| {
                let error = report.result.as_ref().err().map(ToString::to_string);
                fetch_log(FetchKind::Robots, url.as_str(), Some(report), error)
            })
            .collect();
        let verdict = robots.verdict;
        if verdict != RobotsVerdict::Allowed {
            let error = match verdict {
                RobotsVerdict::Disallowed => "disallowed by robots.txt",
                _ => "robots.txt unreachable; deferred to a later poll",
            }
            .to_string();
            warn!(url = %c.url, %error, "article skipped");
            record.deferred = verdict == RobotsVerdict::Unreachable;
            record.content = Err(error.clone());
            logs.push(fetch_log(
                FetchKind::Article,
                c.fetch_url.as_str(),
                None,
                Some(error),
            ));
            return (record, logs);
        }
        let mut report = self.fetcher.get(&c.fetch_url, &Validators::default()).await;
        record.deferred = matches!(report.result, Err(FetchError::HostPaused(_)));
        let content = match &mut report.result {
            Ok(Outcome::Fetched(page)) => {
                if page.url != c.fetch_url {
                    record
                        .aliases
                        .push(dedup::canonical_url(&page.url).to_string());
                }
                self.extract(
                    std::mem::take(&mut page.text),
                    page.url.clone(),
                    page.content_type.clone(),
                )
                .await
            }
            Ok(Outcome::NotModified) => Err("unexpected 304 for an unconditional request".into()),
            Err(e) => Err(e.to_string()),
        };
        let error = content.as_ref().err().cloned();
        record.content = content.map(|(canonical, content)| {
            if let Some(canonical) = canonical {
                record.url = canonical;
            }
            content
        });
        if let Err(error) = &record.content {
            warn!(url = %c.url, status = report.status, elapsed_ms = ms(&report), %error, "article failed");
        }
        logs.push(fetch_log(
            FetchKind::Article,
            c.fetch_url.as_str(),
            Some(&report),
            error,
        ));
        (record, logs)
    }

    /// Extracts on a bounded pool of blocking threads: CPU work must not stall the reactor.
    async fn extract(
        &self,
        html: String,
        url: Url,
        content_type: Option<String>,
    ) -> Result<(Option<String>, Content), String> {
        if let Some(ct) = &content_type {
            let ct = ct.to_ascii_lowercase();
            if !(ct.contains("html") || ct.contains("xml") || ct.starts_with("text/")) {
                return Err(format!("not an HTML page: Content-Type {ct}"));
            }
        }
        let _slot = self
            .extract_slots
            .acquire()
            .await
            .map_err(|e| e.to_string())?;
        let config = self.config.clone();
        // Everything CPU-bound about a page (parse, extract, hash, fold, fingerprint) runs here.
        let job = tokio::task::spawn_blocking(move || {
            let rule = config.site_rule_for(&url);
            let started = Instant::now();
            let extracted = extract::extract(&html, &url, rule)?;
            drop(html);
            tracing::debug!(
                method = extracted.method.as_str(),
                extract_ms = started.elapsed().as_millis() as u64,
                "extracted"
            );
            let canonical = extracted
                .canonical_url
                .as_deref()
                .and_then(|u| Url::parse(u).ok())
                .filter(|u| dedup::trustworthy_canonical(u, &url))
                .map(|u| dedup::canonical_url(&u).to_string());
            Ok::<_, extract::ExtractError>((canonical, to_content(extracted)))
        });
        match job.await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(e)) => Err(format!("extraction failed: {e}")),
            Err(e) => Err(format!("extractor crashed: {e}")),
        }
    }
}

fn log_written(record: &ArticleRecord, w: Written) {
    match (w, &record.content) {
        (Written::New(id), Ok(c)) => {
            if c.method == "site_rule_fallback" {
                warn!(url = %record.url, id, "site rule matched nothing; generic extractor used");
            }
            info!(url = %record.url, id, method = c.method, feeds = record.feeds.len(), "new article");
        }
        (Written::Duplicate(id), _) => {
            info!(url = %record.url, id, "duplicate skipped (same canonical URL, same content)")
        }
        (Written::Updated(id), _) => {
            info!(url = %record.url, id, "article updated; previous version kept as a revision")
        }
        _ => {}
    }
}

fn ms(report: &Report) -> u64 {
    report.elapsed.as_millis() as u64
}

fn fetch_log(
    kind: FetchKind,
    url: &str,
    report: Option<&Report>,
    error: Option<String>,
) -> FetchLog {
    let result = match (report.map(|r| &r.result), &error) {
        (Some(Ok(Outcome::NotModified)), None) => "not_modified",
        (Some(Ok(_)), None) => "fetched",
        _ => "error",
    };
    FetchLog {
        at: Utc::now(),
        kind,
        url: url.to_owned(),
        final_url: report.map(|r| r.url.to_string()).filter(|f| f != url),
        status: report.and_then(|r| r.status),
        bytes: report.map_or(0, |r| r.bytes),
        elapsed_ms: report.map_or(0, ms),
        result,
        error,
    }
}

fn to_content(x: Extracted) -> Content {
    let body = x.body_text();
    let mut hasher = Sha256::new();
    for part in [
        x.title.as_str(),
        x.lead.as_deref().unwrap_or(""),
        body.as_str(),
    ]
    .into_iter()
    .chain(x.captions.iter().map(String::as_str))
    {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let hash: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let search_body = crate::textfold::fold_search(&body);
    Content {
        signature: crate::dedup::fingerprint::Signature::of(&search_body),
        search_body,
        method: x.method.as_str(),
        images: x
            .images
            .into_iter()
            .map(|i| ImageRow {
                src: i.src,
                alt: i.alt,
                caption: i.caption,
                position: i.position,
            })
            .collect(),
        title: x.title,
        lead: x.lead,
        body,
        captions: x.captions,
        author: x.author,
        published: x.published.map(|d| d.to_rfc3339()),
        published_source: x.published_source,
        updated: x.updated.map(|d| d.to_rfc3339()),
        tags: x.tags,
        category: x.category,
        language: x.language,
        content_hash: hash,
    }
}
