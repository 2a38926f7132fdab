//! Feed rows, polls, cycles and the daemon's figures on PostgreSQL, as `store::feeds` and
//! `store::cycles` keep them in SQLite.

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

use super::super::{CycleRecord, FeedPoll, FeedRow, FeedStates, StoreError, parse_ts, ts};
use super::PgStore;
use crate::config::{SourceKind, SourceSpec};

/// The columns [`feed_row`] reads, in its order.
pub(super) const FEED_COLUMNS: &str = "f.id, f.url, f.title, f.source, f.active, f.interval_secs,
    f.etag, f.last_modified, f.last_polled_at, f.last_success_at, f.last_status, f.next_poll_at,
    f.error_count, f.last_error, f.error_since, f.publish_interval_secs,
    (SELECT count(*) FROM article_feeds af JOIN articles a ON a.id = af.article_id
      WHERE af.feed_id = f.id AND a.status = 'ok'),
    (SELECT count(*) FROM article_feeds af JOIN articles a ON a.id = af.article_id
      WHERE af.feed_id = f.id AND a.status = 'failed'), f.kind";

/// The same columns without the story counts (zero), for a poll, which does not read them:
/// counting a feed's stories costs as much as the feed has, every lease.
pub(super) const FEED_COLUMNS_TO_POLL: &str = "f.id, f.url, f.title, f.source, f.active,
    f.interval_secs, f.etag, f.last_modified, f.last_polled_at, f.last_success_at,
    f.last_status, f.next_poll_at, f.error_count, f.last_error, f.error_since,
    f.publish_interval_secs, 0::bigint, 0::bigint, f.kind";

pub(super) fn feed_row(r: &tokio_postgres::Row) -> FeedRow {
    FeedRow {
        id: r.get(0),
        url: r.get(1),
        title: r.get(2),
        source: r.get(3),
        active: r.get(4),
        interval_secs: r.get::<_, Option<i64>>(5).map(|v| v.max(0) as u64),
        etag: r.get(6),
        last_modified: r.get(7),
        last_polled_at: r.get(8),
        last_success_at: r.get(9),
        last_status: r.get::<_, Option<i32>>(10).map(|v| v as u16),
        next_poll_at: parse_ts(r.get(11)),
        error_count: r.get::<_, i32>(12).max(0) as u32,
        last_error: r.get(13),
        error_since: r.get(14),
        publish_interval_secs: r.get::<_, Option<i64>>(15).map(|v| v.max(0) as u64),
        articles: r.get(16),
        failed_articles: r.get(17),
        kind: SourceKind::parse(r.get(18)),
    }
}

/// How long the story counts of the daemon's figures are reused.
const COUNTS_KEPT: std::time::Duration = std::time::Duration::from_secs(60);

/// The host a feed's lease is taken on: its URL's host, lower-cased (ports aside, so two
/// ports of one machine are one host to be polite to).
pub(super) fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

impl PgStore {
    /// As `Store::sync_config_feeds`: the config's sources become the active config sources,
    /// each host gets its lease row. Every worker runs it at start; the upserts make that safe.
    pub async fn sync_config_feeds(
        &self,
        feeds: &[SourceSpec],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let upsert = tx
            .prepare_cached(
                "INSERT INTO feeds (url, host, title, source, interval_secs, added_at, kind)
                 VALUES ($1, $2, $3, 'config', $4, $5, $6)
                 ON CONFLICT (url) DO UPDATE SET active = TRUE,
                     title = coalesce(excluded.title, feeds.title),
                     interval_secs = excluded.interval_secs,
                     kind = excluded.kind
                 WHERE NOT feeds.active
                    OR feeds.title IS DISTINCT FROM coalesce(excluded.title, feeds.title)
                    OR feeds.interval_secs IS DISTINCT FROM excluded.interval_secs
                    OR feeds.kind IS DISTINCT FROM excluded.kind",
            )
            .await?;
        let now = ts(now);
        // In URL order: workers starting together upsert the same rows in the same order, so
        // they wait for each other instead of deadlocking.
        let mut sorted: Vec<&SourceSpec> = feeds.iter().collect();
        sorted.sort_by(|a, b| a.url.cmp(&b.url));
        for f in sorted {
            let interval = f.interval_secs.map(|v| v as i64);
            let params: [&(dyn ToSql + Sync); 6] = [
                &f.url,
                &host_of(&f.url),
                &f.title,
                &interval,
                &now,
                &f.kind.as_str(),
            ];
            tx.execute(&upsert, &params).await?;
        }
        let listed: Vec<&str> = feeds.iter().map(|f| f.url.as_str()).collect();
        tx.execute(
            "UPDATE feeds SET active = FALSE
             WHERE source = 'config' AND active AND NOT (url = ANY($1))",
            &[&listed],
        )
        .await?;
        tx.execute(
            "INSERT INTO host_leases (host) SELECT DISTINCT host FROM feeds
             ON CONFLICT DO NOTHING",
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// When the earliest active feed is next due.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let client = self.client().await?;
        let next: Option<String> = client
            .query_one("SELECT min(next_poll_at) FROM feeds WHERE active", &[])
            .await?
            .get(0);
        Ok(next.as_deref().map(parse_ts))
    }

    /// Feeds by state and how many failing ones wait out a backoff, with the story counts
    /// (as of at most [`COUNTS_KEPT`] ago).
    pub async fn feed_states(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(FeedStates, (i64, i64)), StoreError> {
        let client = self.client().await?;
        let r = client
            .query_one(
                "SELECT count(*) FILTER (WHERE active AND error_count = 0 AND last_polled_at IS NOT NULL),
                        count(*) FILTER (WHERE active AND error_count > 0),
                        count(*) FILTER (WHERE active AND error_count = 0 AND last_polled_at IS NULL),
                        count(*) FILTER (WHERE NOT active),
                        count(*) FILTER (WHERE active AND error_count > 0 AND next_poll_at > $1)
                 FROM feeds",
                &[&ts(now)],
            )
            .await?;
        // Counting every story is a scan of the whole archive: once a minute at most, not
        // after each of many workers' many cycles.
        let cached = *self.counted.lock().unwrap_or_else(|p| p.into_inner());
        let stories = match cached {
            Some((at, counts)) if at.elapsed() < COUNTS_KEPT => counts,
            _ => {
                let counts = self.story_counts().await?;
                *self.counted.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some((std::time::Instant::now(), counts));
                counts
            }
        };
        let states = FeedStates {
            by_state: vec![
                ("ok", r.get(0)),
                ("failing", r.get(1)),
                ("new", r.get(2)),
                ("inactive", r.get(3)),
            ],
            in_backoff: r.get(4),
        };
        Ok((states, stories))
    }

    /// Appends a finished cycle of this worker (the newest 10,000 are kept).
    pub async fn record_cycle(&self, c: &CycleRecord) -> Result<(), StoreError> {
        let (result, error, n) = match &c.outcome {
            Ok(n) => ("ok", None, *n),
            Err(e) => ("failed", Some(super::text(e)), Default::default()),
        };
        let client = self.client().await?;
        let params: [&(dyn ToSql + Sync); 10] = [
            &ts(c.started_at),
            &ts(c.finished_at),
            &result,
            &error,
            &(n.feeds as i64),
            &(n.feed_errors as i64),
            &(n.new as i64),
            &(n.updated as i64),
            &(n.failed as i64),
            &&*self.worker,
        ];
        client
            .execute(
                "INSERT INTO cycles
                     (started_at, finished_at, result, error, feeds, feed_errors, new, updated,
                      failed, worker)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &params,
            )
            .await?;
        client
            .execute(
                "DELETE FROM cycles WHERE id <= (SELECT max(id) FROM cycles) - 10000",
                &[],
            )
            .await?;
        // As on SQLite: rule health reads a week back; older extraction rows are dropped.
        let cutoff = c.finished_at - chrono::Duration::days(super::super::health::KEEP_DAYS);
        client
            .execute("DELETE FROM extractions WHERE at < $1", &[&ts(cutoff)])
            .await?;
        Ok(())
    }
}

/// Records one poll, as `Store::record_poll_tx`, with its sitemap documents: only while
/// `worker` holds the feed's host, so a worker that lost its lease (it stalled past it)
/// does not overwrite what the host's new holder committed.
pub(super) async fn record_poll(
    tx: &Transaction<'_>,
    p: &FeedPoll,
    worker: &str,
) -> Result<(), StoreError> {
    let holds: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM feeds f JOIN host_leases h ON h.host = f.host
                            WHERE f.id = $1 AND h.owner = $2)",
            &[&p.feed_id, &worker],
        )
        .await?
        .get(0);
    if !holds {
        tracing::warn!(
            feed_id = p.feed_id,
            "poll not recorded: the feed's host is held by another worker now"
        );
        return Ok(());
    }
    let at = ts(p.at);
    let next = ts(p.next_poll_at);
    let status = p.status.map(i32::from);
    match &p.error {
        None => {
            let interval = p.publish_interval_secs.map(|v| v as i64);
            let params: [&(dyn ToSql + Sync); 9] = [
                &p.feed_id,
                &at,
                &status,
                &p.etag,
                &p.last_modified,
                &p.title,
                &next,
                &interval,
                &p.listed,
            ];
            tx.execute(
                "UPDATE feeds SET last_polled_at = $2, last_success_at = $2, last_status = $3,
                     etag = coalesce($4, etag), last_modified = coalesce($5, last_modified),
                     title = coalesce(title, $6), next_poll_at = $7,
                     publish_interval_secs = coalesce($8, publish_interval_secs),
                     last_listed_at = CASE WHEN $9 THEN $2 ELSE last_listed_at END,
                     error_count = 0, last_error = NULL, error_since = NULL,
                     polled_at = clock_timestamp()
                 WHERE id = $1",
                &params,
            )
            .await?
        }
        Some(err) => {
            let err = super::text(err);
            tx.execute(
                "UPDATE feeds SET last_polled_at = $2, last_status = $3, next_poll_at = $4,
                     error_count = error_count + 1, last_error = $5,
                     error_since = coalesce(error_since, $2), polled_at = clock_timestamp()
                 WHERE id = $1",
                &[&p.feed_id, &at, &status, &next, &err],
            )
            .await?
        }
    };
    super::sitemaps::write_docs(tx, p.feed_id, &p.docs, &at).await
}
