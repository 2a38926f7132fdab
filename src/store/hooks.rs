//! The webhook outbox: events written in the same transaction as the story or feed change
//! they announce, so an event is never lost (a receiver down, tindex killed) and never
//! announces something the archive does not hold. Delivery (`crate::webhooks`) reads due rows,
//! posts them and records each attempt here.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};

use super::{Store, StoreError, parse_ts, ts};

/// Days delivered events and delivery attempts are kept as a record.
const KEEP_DAYS: i64 = 30;

/// What an event announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookEvent {
    /// A new story was stored.
    StoryStored,
    /// A stored story's content changed (a revision was kept).
    StoryRevised,
    /// A story could not be fetched or extracted in its last allowed attempt.
    StoryFailed,
    /// A feed's poll failed after succeeding.
    FeedFailing,
    /// A failing feed's poll succeeded again.
    FeedRecovered,
}

impl HookEvent {
    /// Every event, for a webhook that names none.
    pub const ALL: [HookEvent; 5] = [
        Self::StoryStored,
        Self::StoryRevised,
        Self::StoryFailed,
        Self::FeedFailing,
        Self::FeedRecovered,
    ];

    /// The event's name in the config and in the payload.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StoryStored => "story.stored",
            Self::StoryRevised => "story.revised",
            Self::StoryFailed => "story.failed",
            Self::FeedFailing => "feed.failing",
            Self::FeedRecovered => "feed.recovered",
        }
    }

    /// Parses a configured event name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// How a webhook is named in the outbox, the audit and the logs: its host and a hash of its
/// URL. Receiver URLs often carry their credential (a token in the path or query), and the
/// archive is read by people the receiver's owner never meant to give it to.
pub fn hook_key(url: &str) -> String {
    use sha2::Digest;
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let digest = sha2::Sha256::digest(url.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{host}#{hex}")
}

/// One webhook as the store routes events to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookRoute {
    pub url: String,
    pub events: Vec<HookEvent>,
    /// Only stories listed by (or feed events of) these feed URLs; all when empty.
    pub feeds: Vec<String>,
    /// Only stories and feeds of these sites; all when empty.
    pub sites: Vec<String>,
}

/// The configured webhooks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hooks {
    pub routes: Vec<HookRoute>,
    /// Attempts after which a failed story is failed for good (`article_retries` + 1).
    pub failed_after: u32,
}

impl HookRoute {
    fn wants(&self, event: HookEvent, url: &str, feed_urls: &[String]) -> bool {
        let site_ok = self.sites.is_empty()
            || url::Url::parse(url).ok().is_some_and(|u| {
                u.host_str()
                    .is_some_and(|h| self.sites.iter().any(|s| crate::host::covers(s, h)))
            });
        let feed_ok = self.feeds.is_empty() || feed_urls.iter().any(|f| self.feeds.contains(f));
        self.events.contains(&event) && site_ok && feed_ok
    }
}

/// A story's fields in the payload: the `articles_v` shape, JSON columns as JSON.
const STORY_JSON: &str = "json_object('id', v.id, 'url', v.url, 'title', v.title, 'lead', v.lead,
    'body', v.body, 'captions', json(v.captions), 'author', v.author, 'authors', json(v.authors),
    'published_at', v.published_at, 'published_source', v.published_source,
    'updated_at', v.updated_at, 'tags', json(v.tags), 'category', v.category,
    'language', v.language, 'method', v.method, 'cluster_id', v.cluster_id,
    'first_seen_at', v.first_seen_at, 'fetched_at', v.fetched_at, 'feeds', json(v.feeds),
    'images', json(v.images), 'feed_titles', json(v.feed_titles))";

/// Queues `event` about story `id` for every webhook that wants it.
pub(super) fn enqueue_story(
    tx: &Transaction<'_>,
    hooks: &Hooks,
    event: HookEvent,
    id: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if hooks.routes.is_empty() {
        return Ok(());
    }
    let url: String = tx.query_row("SELECT url FROM articles WHERE id = ?1", [id], |r| r.get(0))?;
    let feeds: Vec<String> = {
        let mut stmt = tx.prepare_cached(
            "SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id WHERE af.article_id = ?1",
        )?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let story = match event {
        HookEvent::StoryFailed => "(SELECT json_object('id', id, 'url', url, 'title', title,
            'error', error, 'attempts', attempts, 'first_seen_at', first_seen_at)
            FROM articles WHERE id = o.article_id)"
            .to_string(),
        _ => format!("(SELECT {STORY_JSON} FROM articles_v v WHERE v.id = o.article_id)"),
    };
    for route in hooks.routes.iter().filter(|r| r.wants(event, &url, &feeds)) {
        insert(tx, route, event, Some(id), None, at, "story", &story)?;
    }
    Ok(())
}

/// Queues `event` about feed `id` for every webhook that wants it.
pub(super) fn enqueue_feed(
    tx: &Transaction<'_>,
    hooks: &Hooks,
    event: HookEvent,
    id: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if hooks.routes.is_empty() {
        return Ok(());
    }
    let url: String = tx.query_row("SELECT url FROM feeds WHERE id = ?1", [id], |r| r.get(0))?;
    let feed =
        "(SELECT json_object('id', id, 'url', url, 'title', title, 'last_status', last_status,
        'error', last_error, 'error_count', error_count, 'error_since', error_since,
        'last_success_at', last_success_at) FROM feeds WHERE id = o.feed_id)";
    for route in hooks
        .routes
        .iter()
        .filter(|r| r.wants(event, &url, std::slice::from_ref(&url)))
    {
        insert(tx, route, event, None, Some(id), at, "feed", feed)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn insert(
    tx: &Transaction<'_>,
    route: &HookRoute,
    event: HookEvent,
    article: Option<i64>,
    feed: Option<i64>,
    at: DateTime<Utc>,
    key: &str,
    subject: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO webhook_outbox (event_id, hook, event, article_id, feed_id, created_at, next_attempt_at)
         VALUES (lower(hex(randomblob(16))), ?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![hook_key(&route.url), event.as_str(), article, feed, ts(at)])?;
    let id = tx.last_insert_rowid();
    tx.execute(
        &format!(
            "UPDATE webhook_outbox AS o SET payload = json_object('event_id', o.event_id,
                 'event', o.event, 'at', o.created_at, '{key}', json({subject}))
             WHERE o.id = ?1"
        ),
        [id],
    )?;
    Ok(())
}

/// An event waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEvent {
    pub id: i64,
    /// The webhook's [`hook_key`].
    pub hook: String,
    /// The event's name (`story.stored`, …).
    pub event: String,
    pub event_id: String,
    pub payload: String,
    pub attempts: u32,
}

/// How one delivery attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub status: Option<u16>,
    pub elapsed_ms: u64,
    /// `None` when the receiver took it (2xx).
    pub error: Option<String>,
    /// When to try again; `None` with an error: given up.
    pub retry_at: Option<DateTime<Utc>>,
}

/// Events not yet delivered.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Backlog {
    pub pending: i64,
    pub oldest: Option<String>,
    pub given_up: i64,
}

impl Store {
    /// Routes events from now on to `hooks`.
    pub fn set_hooks(&mut self, hooks: Hooks) {
        self.hooks = hooks;
    }

    /// Up to `limit` events due at `now`, oldest first.
    pub fn due_events(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<PendingEvent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, hook, event, event_id, payload, attempts FROM webhook_outbox
             WHERE delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?1
             ORDER BY next_attempt_at, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![ts(now), limit as i64], |r| {
            Ok(PendingEvent {
                id: r.get(0)?,
                hook: r.get(1)?,
                event: r.get(2)?,
                event_id: r.get(3)?,
                payload: r.get(4)?,
                attempts: r.get::<_, i64>(5)?.max(0) as u32,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records one delivery attempt of event `id`, with its audit row.
    pub fn record_attempt(&mut self, id: i64, a: &Attempt) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.prepare_cached(
            "INSERT INTO webhook_deliveries (outbox_id, at, status, elapsed_ms, error)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            id,
            ts(a.at),
            a.status,
            a.elapsed_ms as i64,
            a.error
        ])?;
        match (&a.error, a.retry_at) {
            // Delivered: the body (a story's whole text) goes; the row stays as the record.
            (None, _) => tx.execute(
                "UPDATE webhook_outbox SET attempts = attempts + 1, delivered_at = ?2,
                     last_status = ?3, last_error = NULL, payload = '{}' WHERE id = ?1",
                params![id, ts(a.at), a.status],
            )?,
            (Some(e), Some(retry)) => tx.execute(
                "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?2,
                     last_status = ?3, last_error = ?4 WHERE id = ?1",
                params![id, ts(retry), a.status, e],
            )?,
            (Some(e), None) => tx.execute(
                "UPDATE webhook_outbox SET attempts = attempts + 1, given_up_at = ?2,
                     last_status = ?3, last_error = ?4 WHERE id = ?1",
                params![id, ts(a.at), a.status, e],
            )?,
        };
        tx.commit()?;
        Ok(())
    }

    /// Drops delivered events and delivery attempts older than the audit window.
    pub(super) fn trim_webhooks(
        tx: &Transaction<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let cutoff = ts(now - chrono::Duration::days(KEEP_DAYS));
        tx.prepare_cached("DELETE FROM webhook_outbox WHERE delivered_at < ?1")?
            .execute([&cutoff])?;
        tx.prepare_cached("DELETE FROM webhook_deliveries WHERE at < ?1")?
            .execute([&cutoff])?;
        Ok(())
    }

    /// Events waiting, the oldest one's time, and events given up on.
    pub fn webhook_backlog(&self) -> Result<Backlog, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FILTER (WHERE delivered_at IS NULL AND given_up_at IS NULL),
                    min(created_at) FILTER (WHERE delivered_at IS NULL AND given_up_at IS NULL),
                    count(*) FILTER (WHERE given_up_at IS NOT NULL)
             FROM webhook_outbox",
            [],
            |r| {
                Ok(Backlog {
                    pending: r.get(0)?,
                    oldest: r.get::<_, Option<String>>(1)?.map(|t| ts(parse_ts(&t))),
                    given_up: r.get(2)?,
                })
            },
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Batch, FeedPoll, FeedSource};

    fn poll(feed_id: i64, error: Option<&str>) -> FeedPoll {
        FeedPoll {
            feed_id,
            at: Utc::now(),
            status: Some(if error.is_some() { 500 } else { 200 }),
            error: error.map(str::to_string),
            etag: None,
            last_modified: None,
            title: None,
            next_poll_at: Utc::now(),
            publish_interval_secs: None,
            listed: error.is_none(),
            docs: Vec::new(),
        }
    }

    fn events(store: &Store) -> Vec<String> {
        store
            .conn
            .prepare("SELECT event FROM webhook_outbox ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn a_feed_that_starts_failing_and_recovers_queues_one_event_each() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.sqlite")).unwrap();
        store
            .add_feed(
                "https://a.vn/rss",
                None,
                FeedSource::Cli,
                crate::config::SourceKind::Feed,
                Utc::now(),
            )
            .unwrap();
        let id = store.list_feeds().unwrap()[0].id;
        store.set_hooks(Hooks {
            routes: vec![HookRoute {
                url: "https://hooks.example/x".into(),
                events: HookEvent::ALL.to_vec(),
                feeds: Vec::new(),
                sites: vec!["a.vn".into()],
            }],
            failed_after: 4,
        });
        for p in [
            poll(id, None),
            poll(id, Some("HTTP 500")),
            poll(id, Some("HTTP 500")),
            poll(id, None),
            poll(id, None),
        ] {
            store
                .write(&Batch {
                    polls: vec![p],
                    ..Batch::default()
                })
                .unwrap();
        }
        assert_eq!(events(&store), ["feed.failing", "feed.recovered"]);
        let payload: String = store
            .conn
            .query_row("SELECT payload FROM webhook_outbox WHERE id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(v["feed"]["url"], "https://a.vn/rss");
        assert_eq!(v["feed"]["error"], "HTTP 500");
    }

    #[test]
    fn a_receivers_token_never_reaches_the_outbox() {
        let url = "https://hooks.slack.example/services/T000/B000/XXXXSECRET?token=abc";
        let key = hook_key(url);
        assert!(key.starts_with("hooks.slack.example#"), "{key}");
        assert!(!key.contains("SECRET") && !key.contains("abc"), "{key}");
        assert_ne!(
            key,
            hook_key("https://hooks.slack.example/services/T000/B000/OTHER")
        );
    }

    #[test]
    fn a_webhook_for_another_site_or_event_gets_nothing() {
        let route = HookRoute {
            url: "https://hooks.example/x".into(),
            events: vec![HookEvent::StoryStored],
            feeds: vec!["https://a.vn/rss/home.rss".into()],
            sites: vec!["a.vn".into()],
        };
        let feeds = ["https://a.vn/rss/home.rss".to_string()];
        assert!(route.wants(HookEvent::StoryStored, "https://www.a.vn/x.html", &feeds));
        assert!(!route.wants(HookEvent::StoryRevised, "https://a.vn/x.html", &feeds));
        assert!(!route.wants(HookEvent::StoryStored, "https://b.vn/x.html", &feeds));
        assert!(!route.wants(HookEvent::StoryStored, "https://a.vn/x.html", &[]));
    }
}
