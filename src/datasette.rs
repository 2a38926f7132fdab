//! Datasette metadata for an archive (`tindex datasette-metadata > metadata.json`), so
//! `datasette tindex.sqlite -m metadata.json` opens with every table and column described,
//! `?_search=` wired to the full-text index on `articles` and `articles_v`, useful facets,
//! and the newest stories first.
//!
//! The descriptions say what docs/SCHEMA.md says (a test checks every column of the schema
//! has one, and every one names a real column).

use serde_json::{Map, Value, json};

/// A table or view: its name, its description, and each column's description.
pub type Described = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Each table and view readers query, with its description and its columns' descriptions.
pub const TABLES: &[Described] = &[
    (
        "articles",
        "One row per story, keyed by its canonical URL; status 'failed' rows are stories whose page could not be fetched or extracted. Search: words with or without diacritics.",
        &[
            ("id", "Story id (rowid of articles_fts)"),
            ("url", "Canonical URL (unique)"),
            ("guid", "The feed item's GUID, when it had one"),
            ("status", "ok | failed"),
            ("error", "Why the story failed (status failed)"),
            ("attempts", "Fetch attempts so far"),
            ("title", "Headline"),
            ("lead", "Lead (sapo, standfirst)"),
            (
                "body",
                "Body text: paragraphs and subheads joined by a blank line",
            ),
            ("captions", "Image captions, JSON array"),
            (
                "author",
                "The byline as the page prints it (without By and dates)",
            ),
            ("authors", "Each author named, JSON array"),
            (
                "published_at",
                "Publication date as precise as the page: RFC 3339 with the page's offset, a time without offset, or a day",
            ),
            (
                "published_source",
                "Where the date came from: json-ld | meta | time | rule | text | url | feed, with ', offset unknown' / ', date only' when less than an instant",
            ),
            ("updated_at", "Last update time the page gives"),
            ("tags", "Tags, JSON array"),
            ("category", "Section or category"),
            ("language", "Language code of the page"),
            (
                "method",
                "Extraction: site_rule | generic | site_rule_fallback",
            ),
            ("content_hash", "SHA-256 of title, lead, body and captions"),
            (
                "cluster_id",
                "Near-duplicate group: the id of its first story",
            ),
            ("first_seen_at", "When a feed first listed the story (UTC)"),
            (
                "fetched_at",
                "Last fetch, or last check that found it unchanged (UTC)",
            ),
        ],
    ),
    (
        "articles_v",
        "The stable reading surface: every stored story (status ok) with its feeds and images joined; columns may be added, never removed or renamed. Search: words with or without diacritics.",
        // Besides these, its columns are those of `articles`, described there.
        &[
            (
                "feeds",
                "Feeds that listed the story, JSON array of {url, title}",
            ),
            (
                "feed_titles",
                "Titles of the feeds that listed the story (URL when untitled), JSON array",
            ),
            (
                "images",
                "Images, JSON array of {src, alt, caption, credit, position}",
            ),
        ],
    ),
    (
        "feeds",
        "One row per source (feed, sitemap, listing page): where it came from, its validators, schedule and health.",
        &[
            ("id", "Feed id"),
            ("url", "Feed URL (unique)"),
            ("title", "Feed title"),
            ("source", "config | cli | opml"),
            (
                "active",
                "1 while polled; 0 once removed (its stories stay)",
            ),
            (
                "interval_secs",
                "Poll interval the config sets for this feed",
            ),
            ("etag", "ETag of the last 200, for conditional GET"),
            (
                "last_modified",
                "Last-Modified of the last 200, for conditional GET",
            ),
            ("added_at", "When the feed was added (UTC)"),
            ("last_polled_at", "Last poll (UTC)"),
            ("last_success_at", "Last successful poll, 200 or 304 (UTC)"),
            ("last_status", "HTTP status of the last poll"),
            ("next_poll_at", "When the feed is next due (UTC)"),
            ("error_count", "Consecutive failed polls"),
            ("last_error", "Why the last poll failed"),
            (
                "error_since",
                "First failure of the current run of failures (UTC)",
            ),
            ("last_listed_at", "Last 200 whose entries were read (UTC)"),
            (
                "publish_interval_secs",
                "Estimated gap between the feed's stories",
            ),
            (
                "kind",
                "feed | sitemap | listing: what kind of source it is",
            ),
        ],
    ),
    (
        "article_feeds",
        "Which feeds listed which story, and when.",
        &[
            ("article_id", "Story id"),
            ("feed_id", "Feed id"),
            ("first_seen_at", "First listing (UTC)"),
            ("last_seen_at", "Latest listing (UTC)"),
        ],
    ),
    (
        "article_aliases",
        "Every other link a story was seen under (its own URL is articles.url): normalised link, raw link, or guid:<host>:<guid>.",
        &[
            ("alias", "The link or GUID key"),
            ("article_id", "Story id"),
            ("first_seen_at", "First seen (UTC)"),
        ],
    ),
    (
        "images",
        "Images of a story, in order.",
        &[
            ("article_id", "Story id"),
            ("seq", "Order in the story"),
            ("src", "Absolute image URL"),
            ("alt", "Alt text"),
            ("caption", "Caption, without the photo credit"),
            ("credit", "Photo credit cut from the caption (AP, Ảnh: …)"),
            ("position", "Index of the body block the image follows"),
        ],
    ),
    (
        "article_revisions",
        "Earlier versions of stories, written when a re-fetch finds changed content.",
        &[
            ("article_id", "Story id"),
            ("revised_at", "When the change was found (UTC)"),
            ("content_hash", "Hash of the earlier version"),
            ("title", "Earlier headline"),
            ("lead", "Earlier lead"),
            ("body", "Earlier body"),
            ("captions", "Earlier captions, JSON array"),
        ],
    ),
    (
        "fetches",
        "Audit of every HTTP request tindex made and what came of it.",
        &[
            ("id", "Request number"),
            ("at", "When (UTC)"),
            ("kind", "feed | article | robots"),
            ("url", "Requested URL"),
            ("final_url", "Where redirects led, when they did"),
            ("status", "HTTP status"),
            ("bytes", "Body bytes read"),
            ("elapsed_ms", "Duration in milliseconds"),
            ("result", "fetched | not_modified | error"),
            ("error", "Why it failed, for people"),
            (
                "failure",
                "Why it failed, one word to group by (http_status, timeout, ...)",
            ),
        ],
    ),
    (
        "cycles",
        "How each poll cycle ended.",
        &[
            ("id", "Cycle number"),
            ("started_at", "Start (UTC)"),
            ("finished_at", "End (UTC)"),
            ("result", "ok | failed"),
            ("error", "Why the cycle failed"),
            ("feeds", "Feeds polled"),
            ("feed_errors", "Feeds whose poll failed"),
            ("new", "Stories stored"),
            ("updated", "Stories revised"),
            ("failed", "Stories that failed"),
        ],
    ),
    (
        "extractions",
        "How each stored page was extracted, for rule health (tindex rules health).",
        &[
            ("id", "Row number"),
            ("at", "When the page was fetched (UTC)"),
            ("host", "The story's site (www. and case aside)"),
            ("article_id", "Story id"),
            ("method", "site_rule | generic | site_rule_fallback"),
            ("body_chars", "Characters of body text"),
            ("has_lead", "1 if a lead was found"),
            ("captions", "Captions found"),
            ("has_date", "1 if a publication date was found"),
        ],
    ),
    (
        "discovered_feeds",
        "Feeds found on the [discover] pages, and when they vanished.",
        &[
            ("page", "The page they were found from"),
            ("url", "Feed URL"),
            ("title", "Feed title"),
            ("first_seen_at", "First check that found it (UTC)"),
            ("last_seen_at", "Last check that found it (UTC)"),
            ("gone_at", "First check that no longer found it"),
        ],
    ),
    (
        "discovery_checks",
        "The last discovery check of each [discover] page.",
        &[
            ("page", "The page"),
            ("checked_at", "When (UTC)"),
            ("error", "Why it failed, if it did"),
        ],
    ),
    (
        "sitemap_docs",
        "Documents below each sitemap source (an index's shards, a robots.txt's sitemaps) and what was last read of each.",
        &[
            ("id", "Row number"),
            ("source_id", "The sitemap source (feeds.id)"),
            ("url", "Document URL"),
            ("parent", "The document that lists it"),
            (
                "listed_lastmod",
                "The lastmod its index gave at the last listing (UTC)",
            ),
            (
                "wanted",
                "0: older than the first listing's window, left to tindex backfill",
            ),
            ("listed_at", "Last listing (UTC)"),
            (
                "read_lastmod",
                "The listed lastmod when it was last read in full: read again when they differ",
            ),
            ("read_at", "Last full read (UTC)"),
            ("etag", "ETag of the last full read"),
            ("last_modified", "Last-Modified of the last full read"),
            ("entries", "Entries or documents it listed"),
            ("last_status", "HTTP status of the last request"),
            ("last_error", "Why the last request failed"),
        ],
    ),
    (
        "backfills",
        "tindex backfill requests and how far each is.",
        &[
            ("id", "Backfill number"),
            ("site", "The site walked"),
            ("from_day", "First day"),
            ("to_day", "Last day"),
            ("state", "listing | walking | done | failed"),
            ("created_at", "When it was asked for (UTC)"),
            ("updated_at", "Last progress (UTC)"),
            ("finished_at", "When it ended (UTC)"),
            ("shards", "Dated shards to walk"),
            ("shards_done", "Shards walked"),
            ("stories_new", "Stories it stored"),
            ("error", "Why it failed"),
        ],
    ),
    (
        "backfill_shards",
        "The shards each backfill walks, newest first, and which are done.",
        &[
            ("backfill_id", "The backfill (backfills.id)"),
            ("source_id", "The sitemap source (feeds.id)"),
            ("url", "Shard URL"),
            ("day", "The last day it covers"),
            ("done_at", "When every story it lists was stored (UTC)"),
            ("entries", "Entries it listed"),
        ],
    ),
    (
        "webhook_outbox",
        "Webhook events, queued in the same transaction as the change they announce.",
        &[
            ("id", "Row number"),
            (
                "event_id",
                "The event's id (X-Tindex-Event-Id), for receivers to deduplicate by",
            ),
            (
                "hook",
                "The receiver: its host and a hash of its URL (never the URL, which may carry a token)",
            ),
            (
                "event",
                "story.stored | story.revised | story.failed | feed.failing | feed.recovered",
            ),
            ("article_id", "Story id, for story events"),
            ("feed_id", "Feed id, for feed events"),
            ("created_at", "When the change was stored (UTC)"),
            ("payload", "The JSON body posted"),
            ("attempts", "Delivery attempts so far"),
            ("next_attempt_at", "When delivery is tried next"),
            ("delivered_at", "When the receiver took it (2xx)"),
            (
                "given_up_at",
                "When delivery was given up after max_attempts",
            ),
            ("last_status", "HTTP status of the last attempt"),
            ("last_error", "Why the last attempt failed"),
        ],
    ),
    (
        "webhook_deliveries",
        "Every webhook delivery attempt (audit).",
        &[
            ("id", "Attempt number"),
            ("outbox_id", "The event (webhook_outbox.id)"),
            ("at", "When (UTC)"),
            ("status", "HTTP status, if the receiver answered"),
            ("elapsed_ms", "Duration in milliseconds"),
            ("error", "Why it failed"),
        ],
    ),
    (
        "fingerprints",
        "MinHash signature of each story's body (64 x u32, little-endian), for near-duplicate clusters.",
        &[("article_id", "Story id"), ("signature", "The signature")],
    ),
    (
        "fingerprint_bands",
        "Band keys of the signatures: stories sharing bands are near-duplicate candidates.",
        &[("key", "Band key"), ("article_id", "Story id")],
    ),
];

/// Internal tables Datasette need not list.
const HIDDEN: &[&str] = &["fingerprints", "fingerprint_bands", "articles_fts"];

/// The metadata JSON for an archive Datasette names `db_name` (the file name without
/// `.sqlite`/`.db`).
pub fn metadata(db_name: &str) -> String {
    let mut tables = Map::new();
    let articles = TABLES
        .iter()
        .find(|t| t.0 == "articles")
        .map_or(&[][..], |t| t.2);
    for (name, description, columns) in TABLES {
        let mut t = Map::new();
        t.insert("description".into(), json!(description));
        let inherited = if *name == "articles_v" { articles } else { &[] };
        let cols: Map<String, Value> = inherited
            .iter()
            .chain(columns.iter())
            .map(|(c, d)| ((*c).to_string(), json!(d)))
            .collect();
        t.insert("columns".into(), Value::Object(cols));
        if HIDDEN.contains(name) {
            t.insert("hidden".into(), json!(true));
        }
        tables.insert((*name).to_string(), Value::Object(t));
    }
    for name in ["articles", "articles_v"] {
        if let Some(Value::Object(t)) = tables.get_mut(name) {
            t.insert("fts_table".into(), json!("articles_fts"));
            t.insert("fts_pk".into(), json!("id"));
            t.insert("sort_desc".into(), json!("published_at"));
            let mut facets = vec![
                json!("category"),
                json!({"array": "tags"}),
                json!("language"),
            ];
            // Only the view has the feeds as plain strings, which Datasette can facet on.
            if name == "articles_v" {
                facets.push(json!({"array": "feed_titles"}));
            }
            t.insert("facets".into(), Value::Array(facets));
        }
    }
    tables.insert("articles_fts".into(), json!({"hidden": true}));
    let ranked = "SELECT a.id, a.published_at, a.title, a.url FROM articles_fts \
        JOIN articles_v a ON a.id = articles_fts.rowid \
        WHERE articles_fts MATCH escape_fts(:q) \
        ORDER BY bm25(articles_fts, 5.0, 2.0, 1.0) LIMIT 100";
    let doc = json!({
        "title": "tindex archive",
        "description": "News stories archived by tindex. Search finds words typed with or without diacritics (đất, dat). Schema: docs/SCHEMA.md.",
        "databases": { db_name: {
            "tables": tables,
            "queries": { "search_ranked": {
                "title": "Stories by relevance",
                "description": "The 100 stories that best match the words q (title counts most, then lead, then body)",
                "sql": ranked,
            }},
        }},
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
