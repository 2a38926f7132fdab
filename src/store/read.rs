//! The read side: export, search, show and retention. Everything here only reads, except
//! `prune`, which deletes whole stories in one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError, ts};
use crate::textfold::{parse_query, word_line};

/// One article as `export` writes it. `cluster` is the near-duplicate group: the id of the
/// first stored story of the group (equal to `id` for a story with no earlier copy).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportRow {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
    pub lead: Option<String>,
    pub body: Option<String>,
    pub captions: Vec<String>,
    pub author: Option<String>,
    /// Each author named.
    pub authors: Vec<String>,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM:SS` (the page gave no offset) or `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Where the publication date came from: `json-ld`, `meta`, `time`, `rule`, `text`,
    /// `url` or `feed`, with ", offset unknown" / ", date only" when less than an instant.
    pub published_source: Option<String>,
    pub updated: Option<String>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub language: Option<String>,
    pub method: Option<String>,
    pub fetched: String,
    pub cluster: Option<i64>,
    pub feeds: Vec<String>,
    pub images: Vec<ExportImage>,
}

/// One image of an exported article.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ExportImage {
    pub src: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
    pub position: i64,
}

/// Which stored stories an export writes; the default is all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilter {
    /// Fetched (or checked unchanged) at or after this time.
    pub fetched_since: Option<DateTime<Utc>>,
    /// Published at or after / before this instant (stories without a date are left out).
    /// Compared as instants, whatever offset the page gave.
    pub published_since: Option<DateTime<Utc>>,
    pub published_until: Option<DateTime<Utc>>,
    /// Only stories listed by this feed (its URL or id).
    pub feed: Option<String>,
    /// At most this many (the oldest first).
    pub limit: Option<usize>,
}

impl Store {
    /// Streams the successfully extracted articles `filter` selects, oldest first, to `each`.
    pub fn export<E: From<StoreError>>(
        &self,
        filter: &ExportFilter,
        mut each: impl FnMut(ExportRow) -> Result<(), E>,
    ) -> Result<usize, E> {
        let sql = |e: rusqlite::Error| E::from(StoreError::from(e));
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.id, a.url, a.title, a.lead, a.body, a.captions, a.author, a.published_at,
                    a.updated_at, a.tags, a.category, a.language, a.method, a.fetched_at,
                    a.cluster_id, a.published_source,
                    (SELECT json_group_array(json_object('src', i.src, 'alt', i.alt,
                            'caption', i.caption, 'credit', i.credit, 'position', i.position))
                       FROM (SELECT * FROM images WHERE article_id = a.id ORDER BY seq) i),
                    (SELECT json_group_array(f.url) FROM article_feeds af
                       JOIN feeds f ON f.id = af.feed_id WHERE af.article_id = a.id),
                    a.authors
             FROM articles a
             WHERE a.status = 'ok' AND (?1 IS NULL OR a.fetched_at >= ?1)
               AND (?2 IS NULL OR julianday(a.published_at) >= julianday(?2))
               AND (?3 IS NULL OR julianday(a.published_at) < julianday(?3))
               AND (?4 IS NULL OR EXISTS (
                     SELECT 1 FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
                     WHERE af.article_id = a.id AND (f.url = ?4 OR f.id = CAST(?4 AS INTEGER))))
             ORDER BY a.id
             LIMIT ?5",
            )
            .map_err(sql)?;
        let limit = filter
            .limit
            .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut rows = stmt
            .query(params![
                filter.fetched_since.map(ts),
                filter.published_since.map(ts),
                filter.published_until.map(ts),
                filter.feed,
                limit
            ])
            .map_err(sql)?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(sql)? {
            let json_list = |i: usize| json_list(r, i);
            let row = (|| {
                Ok(ExportRow {
                    id: r.get(0)?,
                    url: r.get(1)?,
                    title: r.get(2)?,
                    lead: r.get(3)?,
                    body: r.get(4)?,
                    captions: json_list(5)?,
                    author: r.get(6)?,
                    published: r.get(7)?,
                    updated: r.get(8)?,
                    tags: json_list(9)?,
                    category: r.get(10)?,
                    language: r.get(11)?,
                    method: r.get(12)?,
                    fetched: r.get(13)?,
                    cluster: r.get(14)?,
                    published_source: r.get(15)?,
                    images: serde_json::from_str(&r.get::<_, String>(16)?).unwrap_or_default(),
                    feeds: json_list(17)?,
                    authors: json_list(18)?,
                })
            })()
            .map_err(sql)?;
            each(row)?;
            n += 1;
        }
        Ok(n)
    }

    /// Stories matching every word of `query`, typed with or without diacritics, best first.
    /// Words in double quotes must also appear together, in that order, in the title, the
    /// lead or the body (`"thi hành án"`): the index finds the words, the stored text is then
    /// checked for the phrase, as the index keeps no word positions.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let (words, phrases) = parse_query(query);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // Each folded word quoted: user input never reaches FTS5 query syntax.
        let expr: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.url, a.title, a.published_at, a.lead
             FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
             WHERE articles_fts MATCH ?1 AND a.status = 'ok'
             ORDER BY bm25(articles_fts, 5.0, 2.0, 1.0) LIMIT ?2",
        )?;
        // With phrases, candidates are read in rank order (bodies one at a time, by id) until
        // enough of them hold every phrase, looking at no more than PHRASE_CANDIDATES.
        let sql_limit = if phrases.is_empty() {
            limit
        } else {
            limit.saturating_mul(100).max(PHRASE_CANDIDATES)
        };
        let mut rows = stmt.query(params![expr.join(" "), sql_limit as i64])?;
        let mut body = self
            .conn
            .prepare("SELECT coalesce(body, '') FROM articles WHERE id = ?1")?;
        let mut hits = Vec::new();
        while hits.len() < limit
            && let Some(r) = rows.next()?
        {
            let hit = SearchHit {
                id: r.get(0)?,
                url: r.get(1)?,
                title: r.get(2)?,
                published: r.get(3)?,
                lead: r.get(4)?,
            };
            if !phrases.is_empty() {
                let body: String = body.query_row([hit.id], |r| r.get(0))?;
                if !holds_phrases(&hit, &body, &phrases) {
                    continue;
                }
            }
            hits.push(hit);
        }
        Ok(hits)
    }

    /// Rows in each of `tables` (names from the caller's own list, never user input).
    pub fn counts(&self, tables: &[&str]) -> Result<BTreeMap<String, i64>, StoreError> {
        tables
            .iter()
            .map(|t| {
                let n = self
                    .conn
                    .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?;
                Ok((t.to_string(), n))
            })
            .collect()
    }

    /// Stories stored (`ok`) and failed, each counted once however many feeds list it.
    pub fn story_counts(&self) -> Result<(i64, i64), StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FILTER (WHERE status = 'ok'), count(*) FILTER (WHERE status = 'failed')
             FROM articles",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// One story, found by id or by the first of `keys` it was stored or seen under (the CLI
    /// passes a link as typed and as the cycle normalises it).
    pub fn show(&self, keys: &[String]) -> Result<Option<Shown>, StoreError> {
        let mut id: Option<i64> = None;
        for key in keys {
            id = match key.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => self
                    .conn
                    .query_row(
                        "SELECT id FROM articles WHERE url = ?1
                         UNION ALL SELECT article_id FROM article_aliases WHERE alias = ?1
                         LIMIT 1",
                        [key],
                        |r| r.get(0),
                    )
                    .optional()?,
            };
            if id.is_some() {
                break;
            }
        }
        let Some(id) = id else { return Ok(None) };
        let row = self
            .conn
            .query_row(
                "SELECT id, url, status, error, title, lead, body, captions, author, published_at,
                        published_source, updated_at, tags, category, language, method,
                        cluster_id, first_seen_at, fetched_at,
                        (SELECT count(*) FROM article_revisions WHERE article_id = a.id)
                 FROM articles a WHERE id = ?1",
                [id],
                |r| {
                    let list = |i: usize| json_list(r, i);
                    Ok(Shown {
                        id: r.get(0)?,
                        url: r.get(1)?,
                        status: r.get(2)?,
                        error: r.get(3)?,
                        title: r.get(4)?,
                        lead: r.get(5)?,
                        body: r.get(6)?,
                        captions: list(7)?,
                        author: r.get(8)?,
                        published: r.get(9)?,
                        published_source: r.get(10)?,
                        updated: r.get(11)?,
                        tags: list(12)?,
                        category: r.get(13)?,
                        language: r.get(14)?,
                        method: r.get(15)?,
                        cluster: r.get(16)?,
                        first_seen: r.get(17)?,
                        fetched: r.get(18)?,
                        revisions: r.get(19)?,
                        feeds: Vec::new(),
                        aliases: Vec::new(),
                        cluster_members: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut shown) = row else {
            return Ok(None);
        };
        let strings = |sql: &str, arg: i64| -> Result<Vec<String>, StoreError> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([arg], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        shown.feeds = strings(
            "SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
             WHERE af.article_id = ?1 ORDER BY af.first_seen_at, f.id",
            id,
        )?;
        shown.aliases = strings(
            "SELECT alias FROM article_aliases WHERE article_id = ?1 ORDER BY alias",
            id,
        )?;
        if let Some(cluster) = shown.cluster {
            shown.cluster_members = strings(
                "SELECT url FROM articles WHERE cluster_id = ?1 ORDER BY id",
                cluster,
            )?
            .into_iter()
            .filter(|u| *u != shown.url)
            .collect();
        }
        Ok(Some(shown))
    }

    /// Deletes stories first seen before `cutoff`, except those the latest fetch of any of
    /// their feeds still lists (deleting them would only re-fetch them on the next poll), and
    /// audit rows older than `cutoff`. One transaction: all or nothing.
    pub fn prune(&mut self, cutoff: DateTime<Utc>) -> Result<Pruned, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS prune_ids (id INTEGER PRIMARY KEY);
             DELETE FROM prune_ids;",
        )?;
        tx.execute(
            "INSERT INTO prune_ids
             SELECT a.id FROM articles a
             WHERE a.first_seen_at < ?1
               AND NOT EXISTS (
                   SELECT 1 FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
                   WHERE af.article_id = a.id AND f.active = 1
                     AND f.last_listed_at IS NOT NULL AND af.last_seen_at >= f.last_listed_at)",
            [ts(cutoff)],
        )?;
        {
            let mut ids = tx.prepare("SELECT id FROM prune_ids")?;
            let ids: Vec<i64> = ids.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            for id in ids {
                super::index::unindex_text(&tx, id)?;
            }
        }
        // Not foreign keys (no index on article_id): one pass over each table.
        tx.execute(
            "DELETE FROM fingerprint_bands WHERE article_id IN (SELECT id FROM prune_ids)",
            [],
        )?;
        tx.execute(
            "DELETE FROM article_aliases WHERE article_id IN (SELECT id FROM prune_ids)",
            [],
        )?;
        let articles = tx.execute(
            "DELETE FROM articles WHERE id IN (SELECT id FROM prune_ids)",
            [],
        )?;
        let fetches = tx.execute("DELETE FROM fetches WHERE at < ?1", [ts(cutoff)])?;
        tx.execute("DELETE FROM prune_ids", [])?;
        tx.commit()?;
        // What was deleted goes back to the file system, not just to SQLite's free list. The
        // prune itself is committed: failing here only leaves the space to the next cycle.
        if let Err(e) = self.release_free_pages() {
            tracing::warn!(error = %e, "pruned, but the free pages stay in the file for now");
        }
        Ok(Pruned { articles, fetches })
    }
}

/// Most full-text candidates a phrase search checks against the stored text.
pub(super) const PHRASE_CANDIDATES: usize = 20_000;

/// Whether `hit`, whose body is `body`, holds every one of `phrases` (as `parse_query` gives
/// them): each within one title, lead or paragraph. Both stores check phrases here, on the
/// stored text, after their index found the words.
pub(super) fn holds_phrases(hit: &SearchHit, body: &str, phrases: &[String]) -> bool {
    let texts: Vec<String> = [hit.title.as_deref(), hit.lead.as_deref()]
        .into_iter()
        .flatten()
        .chain(body.split("\n\n"))
        .map(word_line)
        .collect();
    phrases
        .iter()
        .all(|p| texts.iter().any(|t| t.contains(p.as_str())))
}

/// A JSON array column (captions, tags, feeds); malformed JSON (a hand-edited row) reads as empty.
fn json_list(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Vec<String>> {
    Ok(serde_json::from_str(&r.get::<_, String>(i)?).unwrap_or_default())
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SearchHit {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub lead: Option<String>,
}

/// Everything stored about one story, for `tindex show`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Shown {
    pub id: i64,
    pub url: String,
    pub status: String,
    pub error: Option<String>,
    pub title: Option<String>,
    pub lead: Option<String>,
    pub body: Option<String>,
    pub captions: Vec<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub published_source: Option<String>,
    pub updated: Option<String>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub language: Option<String>,
    pub method: Option<String>,
    pub cluster: Option<i64>,
    pub first_seen: String,
    pub fetched: String,
    pub revisions: i64,
    pub feeds: Vec<String>,
    pub aliases: Vec<String>,
    pub cluster_members: Vec<String>,
}

/// What `prune` deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub articles: usize,
    pub fetches: usize,
}
