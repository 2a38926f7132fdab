//! Feed rows: what to poll, its validators, its schedule and its health.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::{Store, StoreError, parse_ts, ts};

/// Where a feed came from; config feeds follow the config file, the others follow the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedSource {
    Config,
    Cli,
    Opml,
}

impl FeedSource {
    /// The `source` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Cli => "cli",
            Self::Opml => "opml",
        }
    }
}

/// A feed as stored.
#[derive(Debug, Clone)]
pub struct FeedRow {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
    pub source: String,
    pub active: bool,
    pub interval_secs: Option<u64>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_polled_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_status: Option<u16>,
    pub next_poll_at: DateTime<Utc>,
    pub error_count: u32,
    pub last_error: Option<String>,
    pub error_since: Option<String>,
    /// How often the feed publishes, estimated from its entries' dates at the last 200.
    pub publish_interval_secs: Option<u64>,
    /// Stories of this feed stored (`ok`).
    pub articles: i64,
    /// Stories of this feed whose page could not be fetched or extracted (`failed`): a feed
    /// can poll fine while many of its items fail.
    pub failed_articles: i64,
    /// Feed, sitemap or listing page: how a poll reads it.
    pub kind: crate::config::SourceKind,
}

/// Feeds counted by state (`ok`, `failing`, `new`, `inactive`), and the failing ones in backoff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedStates {
    pub by_state: Vec<(&'static str, i64)>,
    pub in_backoff: i64,
}

/// What one poll of a feed came to, as the scheduler decided it.
#[derive(Debug, Clone)]
pub struct FeedPoll {
    pub feed_id: i64,
    pub at: DateTime<Utc>,
    pub status: Option<u16>,
    /// `None` on success (200 or 304).
    pub error: Option<String>,
    /// New validators after a 200; `None` keeps the stored ones.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub title: Option<String>,
    pub next_poll_at: DateTime<Utc>,
    /// A fresh publishing-interval estimate; `None` keeps the stored one.
    pub publish_interval_secs: Option<u64>,
    /// The feed document was fetched and parsed (not a 304): its entries are the current list.
    pub listed: bool,
    /// A sitemap source's documents: what was listed and read below it.
    pub docs: Vec<super::DocUpdate>,
}

const FEED_COLUMNS: &str = "f.id, f.url, f.title, f.source, f.active, f.interval_secs, f.etag,
    f.last_modified, f.last_polled_at, f.last_success_at, f.last_status, f.next_poll_at,
    f.error_count, f.last_error, f.error_since, f.publish_interval_secs,
    (SELECT count(*) FROM article_feeds af JOIN articles a ON a.id = af.article_id
      WHERE af.feed_id = f.id AND a.status = 'ok'),
    (SELECT count(*) FROM article_feeds af JOIN articles a ON a.id = af.article_id
      WHERE af.feed_id = f.id AND a.status = 'failed'), f.kind";

fn feed_row(r: &Row<'_>) -> rusqlite::Result<FeedRow> {
    Ok(FeedRow {
        id: r.get(0)?,
        url: r.get(1)?,
        title: r.get(2)?,
        source: r.get(3)?,
        active: r.get(4)?,
        interval_secs: r.get::<_, Option<i64>>(5)?.map(|v| v.max(0) as u64),
        etag: r.get(6)?,
        last_modified: r.get(7)?,
        last_polled_at: r.get(8)?,
        last_success_at: r.get(9)?,
        last_status: r.get::<_, Option<i64>>(10)?.map(|v| v as u16),
        next_poll_at: parse_ts(&r.get::<_, String>(11)?),
        error_count: r.get::<_, i64>(12)?.max(0) as u32,
        last_error: r.get(13)?,
        error_since: r.get(14)?,
        publish_interval_secs: r.get::<_, Option<i64>>(15)?.map(|v| v.max(0) as u64),
        articles: r.get(16)?,
        failed_articles: r.get(17)?,
        kind: crate::config::SourceKind::parse(&r.get::<_, String>(18)?),
    })
}

impl Store {
    /// Makes the config's sources (feeds, sitemaps, listing pages) the active set of config
    /// sources: new ones are added, ones no longer listed are deactivated (their articles
    /// stay), CLI/OPML feeds are untouched.
    pub fn sync_config_feeds(
        &mut self,
        feeds: &[crate::config::SourceSpec],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Only rows that change are written: a daemon start or reload with thousands of
        // unchanged feeds costs a read per feed, not a write.
        for f in feeds {
            tx.prepare_cached(
                "INSERT INTO feeds (url, title, source, interval_secs, added_at, kind)
                 VALUES (?1, ?2, 'config', ?3, ?4, ?5)
                 ON CONFLICT (url) DO UPDATE SET active = 1,
                     title = coalesce(excluded.title, feeds.title),
                     interval_secs = excluded.interval_secs,
                     kind = excluded.kind
                 WHERE feeds.active = 0
                    OR feeds.title IS NOT coalesce(excluded.title, feeds.title)
                    OR feeds.interval_secs IS NOT excluded.interval_secs
                    OR feeds.kind IS NOT excluded.kind",
            )?
            .execute(params![
                f.url,
                f.title,
                f.interval_secs.map(|v| v as i64),
                ts(now),
                f.kind.as_str()
            ])?;
        }
        let listed: std::collections::HashSet<&str> =
            feeds.iter().map(|f| f.url.as_str()).collect();
        let active: Vec<(i64, String)> = tx
            .prepare("SELECT id, url FROM feeds WHERE source = 'config' AND active = 1")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (id, url) in active {
            if !listed.contains(url.as_str()) {
                tx.execute("UPDATE feeds SET active = 0 WHERE id = ?1", [id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Adds a feed or sitemap source from the CLI or OPML; returns false when it was already
    /// there, active and of that kind.
    pub fn add_feed(
        &mut self,
        url: &str,
        title: Option<&str>,
        source: FeedSource,
        kind: crate::config::SourceKind,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let existing: Option<(bool, String)> = self
            .conn
            .query_row(
                "SELECT active, kind FROM feeds WHERE url = ?1",
                [url],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match existing.map(|(active, k)| (active, k == kind.as_str())) {
            Some((true, true)) => Ok(false),
            // Added again as the other kind ("--sitemap" forgotten the first time).
            Some(_) => {
                self.conn.execute(
                    "UPDATE feeds SET active = 1, source = ?2, kind = ?3 WHERE url = ?1",
                    params![url, source.as_str(), kind.as_str()],
                )?;
                Ok(true)
            }
            None => {
                self.conn.execute(
                    "INSERT INTO feeds (url, title, source, added_at, kind)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![url, title, source.as_str(), ts(now), kind.as_str()],
                )?;
                Ok(true)
            }
        }
    }

    /// Stops polling a feed. Its articles and their memberships are kept: the archive is the
    /// point, and a feed removed by mistake can be added back without loss.
    pub fn remove_feed(&mut self, url: &str) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE feeds SET active = 0 WHERE url = ?1 AND active = 1",
            [url],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("no active feed {url}")));
        }
        Ok(())
    }

    /// Feeds by state and how many failing ones wait out a backoff at `now`, for the metrics.
    pub fn feed_states(&self, now: DateTime<Utc>) -> Result<FeedStates, StoreError> {
        let row = self.conn.query_row(
            "SELECT coalesce(sum(active AND error_count = 0 AND last_polled_at IS NOT NULL), 0),
                    coalesce(sum(active AND error_count > 0), 0),
                    coalesce(sum(active AND error_count = 0 AND last_polled_at IS NULL), 0),
                    coalesce(sum(NOT active), 0),
                    coalesce(sum(active AND error_count > 0 AND next_poll_at > ?1), 0)
             FROM feeds",
            [super::ts(now)],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            },
        )?;
        let (ok, failing, new, inactive, backoff) = row;
        Ok(FeedStates {
            by_state: vec![
                ("ok", ok),
                ("failing", failing),
                ("new", new),
                ("inactive", inactive),
            ],
            in_backoff: backoff,
        })
    }

    /// Every feed, active first, with its article count.
    pub fn list_feeds(&self) -> Result<Vec<FeedRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {FEED_COLUMNS} FROM feeds f ORDER BY f.active DESC, f.id"
        ))?;
        let rows = stmt.query_map([], feed_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Active feeds whose next poll is due at `now` (all active feeds with `all`).
    pub fn due_feeds(&self, now: DateTime<Utc>, all: bool) -> Result<Vec<FeedRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {FEED_COLUMNS} FROM feeds f
             WHERE f.active = 1 AND (?1 OR f.next_poll_at <= ?2)
             ORDER BY f.next_poll_at, f.id"
        ))?;
        let rows = stmt.query_map(params![all, ts(now)], feed_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When the earliest active feed is next due.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let next: Option<String> = self.conn.query_row(
            "SELECT min(next_poll_at) FROM feeds WHERE active = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(next.as_deref().map(parse_ts))
    }

    /// Records one poll; returns the feed's change of state, if it changed (for events).
    pub(super) fn record_poll_tx(
        tx: &rusqlite::Transaction<'_>,
        p: &FeedPoll,
    ) -> Result<Option<super::HookEvent>, StoreError> {
        let before: i64 = tx
            .prepare_cached("SELECT error_count FROM feeds WHERE id = ?1")?
            .query_row([p.feed_id], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let change = match (&p.error, before) {
            (None, n) if n > 0 => Some(super::HookEvent::FeedRecovered),
            (Some(_), 0) => Some(super::HookEvent::FeedFailing),
            _ => None,
        };
        let at = ts(p.at);
        match &p.error {
            None => tx
                .prepare_cached(
                    "UPDATE feeds SET last_polled_at = ?2, last_success_at = ?2, last_status = ?3,
                     etag = coalesce(?4, etag), last_modified = coalesce(?5, last_modified),
                     title = coalesce(title, ?6), next_poll_at = ?7,
                     publish_interval_secs = coalesce(?8, publish_interval_secs),
                     last_listed_at = CASE WHEN ?9 THEN ?2 ELSE last_listed_at END,
                     error_count = 0, last_error = NULL, error_since = NULL
                 WHERE id = ?1",
                )?
                .execute(params![
                    p.feed_id,
                    at,
                    p.status,
                    p.etag,
                    p.last_modified,
                    p.title,
                    ts(p.next_poll_at),
                    p.publish_interval_secs.map(|v| v as i64),
                    p.listed,
                ])?,
            Some(err) => tx
                .prepare_cached(
                    "UPDATE feeds SET last_polled_at = ?2, last_status = ?3, next_poll_at = ?4,
                     error_count = error_count + 1, last_error = ?5,
                     error_since = coalesce(error_since, ?2)
                 WHERE id = ?1",
                )?
                .execute(params![p.feed_id, at, p.status, ts(p.next_poll_at), err])?,
        };
        super::sitemaps::write_docs(tx, p.feed_id, &p.docs, p.at)?;
        Ok(change)
    }
}
