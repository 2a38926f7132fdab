//! Prometheus metrics: what an operator watches without reading logs.
//!
//! One process-wide set (`global()`), counted where the pipeline hands its results to the
//! store, after the write succeeded, so the counters agree with the archive: a request counted
//! here is a `fetches` row, a story counted `new` is an article row. Gauges (feeds by state,
//! database size, last cycle) are set after each cycle or read at scrape time. Served by
//! [`crate::http`] in the Prometheus text exposition format.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::extract::Method;
use crate::store::{FetchKind, FetchLog, FetchResult};

/// A request's labels: which stage made it, what came of it, its status class.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub kind: &'static str,
    pub result: &'static str,
    /// `2xx`, `3xx`, `4xx`, `5xx`, or `none` (no answer).
    pub status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ExtractionLabels {
    pub host: String,
    pub method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabel {
    pub state: &'static str,
}

/// Every metric tindex exports.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Family<KindLabel, Histogram>,
    response_bytes: Family<KindLabel, Counter>,
    stories: Family<OutcomeLabel, Counter>,
    extractions: Family<ExtractionLabels, Counter>,
    feeds: Family<StateLabel, Gauge>,
    feeds_in_backoff: Gauge,
    cycle_seconds: Histogram,
    last_cycle_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
    last_success: Gauge,
    store_write_seconds: Histogram,
    database_bytes: Gauge,
    wal_bytes: Gauge,
    in_flight: Gauge,
    /// Unix time of the last completed cycle, for `/readyz` (0: none yet).
    last_cycle_at: AtomicI64,
    /// The archive whose size is reported.
    db: Mutex<Option<PathBuf>>,
}

fn seconds_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 14))
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("tindex");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "HTTP requests made, by stage (feed, article, robots), result and status class",
            requests.clone(),
        );
        let request_seconds =
            Family::<KindLabel, Histogram>::new_with_constructor(seconds_buckets as fn() -> _);
        registry.register(
            "request_duration_seconds",
            "Duration of HTTP requests, by stage",
            request_seconds.clone(),
        );
        let response_bytes = Family::<KindLabel, Counter>::default();
        registry.register(
            "response_bytes",
            "Response body bytes read, by stage",
            response_bytes.clone(),
        );
        let stories = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "stories",
            "Stories by outcome: new, duplicate, updated, failed, refetch_failed, deferred",
            stories.clone(),
        );
        let extractions = Family::<ExtractionLabels, Counter>::default();
        registry.register(
            "extractions",
            "Pages extracted into stored stories, by site and method (site_rule, generic, site_rule_fallback)",
            extractions.clone(),
        );
        let feeds = Family::<StateLabel, Gauge>::default();
        registry.register(
            "feeds",
            "Feeds by state (ok, failing, new, inactive), after the last cycle",
            feeds.clone(),
        );
        let feeds_in_backoff = Gauge::default();
        registry.register(
            "feeds_in_backoff",
            "Failing feeds waiting out their backoff",
            feeds_in_backoff.clone(),
        );
        let cycle_seconds = seconds_buckets();
        registry.register(
            "cycle_duration_seconds",
            "Duration of poll cycles",
            cycle_seconds.clone(),
        );
        let last_cycle_seconds = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "last_cycle_duration_seconds",
            "Duration of the last cycle",
            last_cycle_seconds.clone(),
        );
        let last_success = Gauge::default();
        registry.register(
            "last_successful_cycle_timestamp_seconds",
            "Unix time the last cycle completed without a store error",
            last_success.clone(),
        );
        let store_write_seconds = seconds_buckets();
        registry.register(
            "store_write_duration_seconds",
            "Duration of archive write transactions",
            store_write_seconds.clone(),
        );
        let database_bytes = Gauge::default();
        registry.register(
            "database_bytes",
            "Size of the archive file",
            database_bytes.clone(),
        );
        let wal_bytes = Gauge::default();
        registry.register(
            "wal_bytes",
            "Size of the archive's write-ahead log",
            wal_bytes.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "articles_in_flight",
            "Article pages being fetched or extracted now",
            in_flight.clone(),
        );
        Self {
            registry,
            requests,
            request_seconds,
            response_bytes,
            stories,
            extractions,
            feeds,
            feeds_in_backoff,
            cycle_seconds,
            last_cycle_seconds,
            last_success,
            store_write_seconds,
            database_bytes,
            wal_bytes,
            in_flight,
            last_cycle_at: AtomicI64::new(0),
            db: Mutex::new(None),
        }
    }

    /// Counts the audit rows of a stored batch: one per request.
    pub fn record_fetches(&self, logs: &[FetchLog]) {
        for log in logs {
            let kind = match log.kind {
                FetchKind::Feed => "feed",
                FetchKind::Article => "article",
                FetchKind::Robots => "robots",
            };
            let result = match log.result {
                FetchResult::Fetched => "fetched",
                FetchResult::NotModified => "not_modified",
                FetchResult::Failed { .. } => "error",
            };
            let status = match log.status {
                Some(200..=299) => "2xx",
                Some(300..=399) => "3xx",
                Some(400..=499) => "4xx",
                Some(500..=599) => "5xx",
                Some(_) => "other",
                None => "none",
            };
            self.requests
                .get_or_create(&RequestLabels {
                    kind,
                    result,
                    status,
                })
                .inc();
            self.request_seconds
                .get_or_create(&KindLabel { kind })
                .observe(log.elapsed_ms as f64 / 1000.0);
            self.response_bytes
                .get_or_create(&KindLabel { kind })
                .inc_by(log.bytes as u64);
        }
    }

    /// Counts `n` stories of one outcome.
    pub fn stories(&self, outcome: &'static str, n: u64) {
        if n > 0 {
            self.stories
                .get_or_create(&OutcomeLabel { outcome })
                .inc_by(n);
        }
    }

    /// Counts one stored extraction of a page of `url`.
    pub fn extraction(&self, url: &str, method: Method) {
        let host = crate::host::site_of(url);
        self.extractions
            .get_or_create(&ExtractionLabels {
                host,
                method: method.as_str(),
            })
            .inc();
    }

    /// Times one archive write.
    pub fn store_write(&self, took: Duration) {
        self.store_write_seconds.observe(took.as_secs_f64());
    }

    /// An article fetch starts (`+1`) or ends (`-1`).
    pub fn in_flight(&self, delta: i64) {
        self.in_flight.inc_by(delta);
    }

    /// Sets the feed gauges after a cycle.
    pub fn feeds(&self, by_state: &[(&'static str, i64)], in_backoff: i64) {
        for (state, n) in by_state {
            self.feeds.get_or_create(&StateLabel { state }).set(*n);
        }
        self.feeds_in_backoff.set(in_backoff);
    }

    /// A cycle ended; `ok` when it completed without a store error.
    pub fn cycle(&self, took: Duration, ok: bool, now: chrono::DateTime<chrono::Utc>) {
        self.cycle_seconds.observe(took.as_secs_f64());
        self.last_cycle_seconds.set(took.as_secs_f64());
        if ok {
            self.last_success.set(now.timestamp());
            self.last_cycle_at.store(now.timestamp(), Ordering::SeqCst);
        }
    }

    /// The loop looked and found no feed due: the archive is as current as the schedule
    /// asks, which counts as ready as much as a completed cycle does.
    pub fn up_to_date(&self, now: chrono::DateTime<chrono::Utc>) {
        self.last_cycle_at
            .fetch_max(now.timestamp(), Ordering::SeqCst);
    }

    /// When the archive was last known current (Unix seconds): the last completed cycle, or
    /// the last time the loop found nothing due.
    pub fn last_cycle_at(&self) -> Option<i64> {
        Some(self.last_cycle_at.load(Ordering::SeqCst)).filter(|t| *t > 0)
    }

    /// Names the archive whose file sizes are reported.
    pub fn watch_database(&self, path: PathBuf) {
        *self.db.lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
    }

    /// The exposition text, file sizes read now.
    pub fn encode(&self) -> String {
        if let Some(db) = self.db.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len() as i64);
            let mut wal = db.as_os_str().to_owned();
            wal.push("-wal");
            self.database_bytes.set(size(db));
            self.wal_bytes.set(size(std::path::Path::new(&wal)));
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The process's metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_requests_appear_in_the_exposition_with_their_labels() {
        let m = Metrics::new();
        m.record_fetches(&[FetchLog {
            at: chrono::Utc::now(),
            kind: FetchKind::Article,
            url: "https://a.vn/x".into(),
            final_url: None,
            status: Some(503),
            bytes: 10,
            elapsed_ms: 20,
            result: FetchResult::Failed {
                kind: "http_status",
                message: "HTTP 503".into(),
            },
        }]);
        m.stories("new", 3);
        let text = m.encode();
        assert!(
            text.contains(r#"tindex_requests_total{kind="article",result="error",status="5xx"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"tindex_stories_total{outcome="new"} 3"#),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
