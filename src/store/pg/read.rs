//! The read side on PostgreSQL, as `store::read` is on SQLite: export, search, show, feeds,
//! cycles, the extraction log, and the two changes a command makes (feeds, prune). The
//! commands reach it through [`crate::store::Archive`] and do not know which store they read.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use tokio_postgres::types::ToSql;

use super::super::read::{PHRASE_CANDIDATES, holds_phrases};
use super::super::{
    CycleCounts, CycleRecord, ExportFilter, ExportRow, ExtractionRow, FeedRow, FeedSource, Pruned,
    SearchHit, Shown, StoreError, parse_ts, ts,
};
use super::PgStore;
use super::feeds::{FEED_COLUMNS, feed_row, host_of};
use crate::config::SourceKind;
use crate::textfold::parse_query;

/// A JSON list column; malformed JSON (a hand-edited row) reads as empty.
fn list(r: &tokio_postgres::Row, i: usize) -> Vec<String> {
    serde_json::from_str(r.get::<_, &str>(i)).unwrap_or_default()
}

impl PgStore {
    /// Streams the stored stories `filter` selects, oldest first, to `each` (rows are read
    /// from the server as they are written out, never all at once).
    pub async fn export<E: From<StoreError>>(
        &self,
        filter: &ExportFilter,
        mut each: impl FnMut(ExportRow) -> Result<(), E>,
    ) -> Result<usize, E> {
        let client = self.client().await?;
        let limit = filter.limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        let params: [&(dyn ToSql + Sync); 5] = [
            &filter.fetched_since.map(ts),
            &filter.published_since.map(ts),
            &filter.published_until.map(ts),
            &filter.feed,
            &limit,
        ];
        let rows = client
            .query_raw(
                "SELECT a.id, a.url, a.title, a.lead, a.body, a.captions, a.author, a.published_at,
                    a.updated_at, a.tags, a.category, a.language, a.method, a.fetched_at,
                    a.cluster_id, a.published_source,
                    (SELECT coalesce(json_agg(json_build_object('src', i.src, 'alt', i.alt,
                            'caption', i.caption, 'credit', i.credit, 'position', i.position)
                            ORDER BY i.seq), '[]')::text
                       FROM images i WHERE i.article_id = a.id),
                    (SELECT coalesce(json_agg(f.url ORDER BY f.id), '[]')::text
                       FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
                      WHERE af.article_id = a.id),
                    coalesce(a.authors, '[]')
                 FROM articles a
                 WHERE a.status = 'ok' AND ($1::text IS NULL OR a.fetched_at >= $1)
                   AND ($2::text IS NULL OR tindex_instant(a.published_at) >= tindex_instant($2))
                   AND ($3::text IS NULL OR tindex_instant(a.published_at) < tindex_instant($3))
                   AND ($4::text IS NULL OR EXISTS (
                         SELECT 1 FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
                         WHERE af.article_id = a.id
                           AND (f.url = $4 OR f.id::text = $4)))
                 ORDER BY a.id
                 LIMIT $5",
                params,
            )
            .await
            .map_err(StoreError::from)?;
        let mut rows = std::pin::pin!(rows);
        let mut n = 0;
        while let Some(r) = rows.try_next().await.map_err(StoreError::from)? {
            each(ExportRow {
                id: r.get(0),
                url: r.get(1),
                title: r.get(2),
                lead: r.get(3),
                body: r.get(4),
                captions: list(&r, 5),
                author: r.get(6),
                published: r.get(7),
                updated: r.get(8),
                tags: list(&r, 9),
                category: r.get(10),
                language: r.get(11),
                method: r.get(12),
                fetched: r.get(13),
                cluster: r.get(14),
                published_source: r.get(15),
                images: serde_json::from_str(r.get::<_, &str>(16)).unwrap_or_default(),
                feeds: list(&r, 17),
                authors: list(&r, 18),
            })?;
            n += 1;
        }
        Ok(n)
    }

    /// As `Store::search`: every word, with or without diacritics, best first (title over
    /// lead over body); quoted phrases checked on the stored text.
    pub async fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let (words, phrases) = parse_query(query);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let sql_limit = if phrases.is_empty() {
            limit
        } else {
            limit.saturating_mul(100).max(PHRASE_CANDIDATES)
        };
        let client = self.client().await?;
        // Each folded word a quoted lexeme: user input never reaches tsquery syntax. Read
        // as a stream: with phrases, candidates (with their bodies) are checked one at a
        // time until enough hold them.
        let query = super::search::all_of(&words);
        let limit_rows = sql_limit as i64;
        let params: [&(dyn ToSql + Sync); 2] = [&query, &limit_rows];
        let rows = client
            .query_raw(
                "SELECT a.id, a.url, a.title, a.published_at, a.lead, coalesce(a.body, '')
                 FROM articles a, CAST($1::text AS tsquery) q
                 WHERE a.search @@ q AND a.status = 'ok'
                 ORDER BY ts_rank('{0.2, 0, 0.4, 1.0}', a.search, q) DESC, a.id
                 LIMIT $2",
                params,
            )
            .await?;
        let mut rows = std::pin::pin!(rows);
        let mut hits = Vec::new();
        while hits.len() < limit
            && let Some(r) = rows.try_next().await?
        {
            let hit = SearchHit {
                id: r.get(0),
                url: r.get(1),
                title: r.get(2),
                published: r.get(3),
                lead: r.get(4),
            };
            if phrases.is_empty() || holds_phrases(&hit, r.get(5), &phrases) {
                hits.push(hit);
            }
        }
        Ok(hits)
    }

    /// As `Store::show`: one story by id, stored URL or alias, with its feeds, aliases and
    /// near-duplicates.
    pub async fn show(&self, keys: &[String]) -> Result<Option<Shown>, StoreError> {
        let client = self.client().await?;
        let mut id: Option<i64> = None;
        for key in keys {
            id = match key.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => client
                    .query_opt(
                        "SELECT id FROM articles WHERE url = $1
                         UNION ALL SELECT article_id FROM article_aliases WHERE alias = $1
                         LIMIT 1",
                        &[key],
                    )
                    .await?
                    .map(|r| r.get(0)),
            };
            if id.is_some() {
                break;
            }
        }
        let Some(id) = id else { return Ok(None) };
        let Some(r) = client
            .query_opt(
                "SELECT id, url, status, error, title, lead, body, captions, author, published_at,
                        published_source, updated_at, tags, category, language, method,
                        cluster_id, first_seen_at, fetched_at,
                        (SELECT count(*) FROM article_revisions WHERE article_id = a.id)
                 FROM articles a WHERE id = $1",
                &[&id],
            )
            .await?
        else {
            return Ok(None);
        };
        let strings = |rows: Vec<tokio_postgres::Row>| -> Vec<String> {
            rows.iter().map(|r| r.get(0)).collect()
        };
        let mut shown = Shown {
            id: r.get(0),
            url: r.get(1),
            status: r.get(2),
            error: r.get(3),
            title: r.get(4),
            lead: r.get(5),
            body: r.get(6),
            captions: list(&r, 7),
            author: r.get(8),
            published: r.get(9),
            published_source: r.get(10),
            updated: r.get(11),
            tags: list(&r, 12),
            category: r.get(13),
            language: r.get(14),
            method: r.get(15),
            cluster: r.get(16),
            first_seen: r.get(17),
            fetched: r.get(18),
            revisions: r.get(19),
            feeds: Vec::new(),
            aliases: Vec::new(),
            cluster_members: Vec::new(),
        };
        shown.feeds = strings(
            client
                .query(
                    "SELECT f.url FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
                     WHERE af.article_id = $1 ORDER BY af.first_seen_at, f.id",
                    &[&id],
                )
                .await?,
        );
        shown.aliases = strings(
            client
                .query(
                    "SELECT alias FROM article_aliases WHERE article_id = $1 ORDER BY alias",
                    &[&id],
                )
                .await?,
        );
        if let Some(cluster) = shown.cluster {
            shown.cluster_members = strings(
                client
                    .query(
                        "SELECT url FROM articles WHERE cluster_id = $1 AND id != $2 ORDER BY id",
                        &[&cluster, &id],
                    )
                    .await?,
            );
        }
        Ok(Some(shown))
    }

    /// Rows in each of `tables` (names from the caller's own list, never user input).
    pub async fn counts(&self, tables: &[&str]) -> Result<BTreeMap<String, i64>, StoreError> {
        let client = self.client().await?;
        let mut out = BTreeMap::new();
        for t in tables {
            let n: i64 = client
                .query_one(&format!("SELECT count(*) FROM {t}"), &[])
                .await?
                .get(0);
            out.insert(t.to_string(), n);
        }
        Ok(out)
    }

    /// Stories stored (`ok`) and failed, each counted once.
    pub async fn story_counts(&self) -> Result<(i64, i64), StoreError> {
        let r = self
            .client()
            .await?
            .query_one(
                "SELECT count(*) FILTER (WHERE status = 'ok'),
                        count(*) FILTER (WHERE status = 'failed')
                 FROM articles",
                &[],
            )
            .await?;
        Ok((r.get(0), r.get(1)))
    }

    /// Every feed, active first, with its story counts.
    pub async fn list_feeds(&self) -> Result<Vec<FeedRow>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                &format!("SELECT {FEED_COLUMNS} FROM feeds f ORDER BY f.active DESC, f.id"),
                &[],
            )
            .await?;
        Ok(rows.iter().map(feed_row).collect())
    }

    /// The newest finished cycle of any worker.
    pub async fn last_cycle(&self) -> Result<Option<CycleRecord>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT started_at, finished_at, result, error, feeds, feed_errors, new,
                        updated, failed
                 FROM cycles ORDER BY finished_at DESC, id DESC LIMIT 1",
                &[],
            )
            .await?;
        Ok(row.map(|r| {
            let count = |i: usize| r.get::<_, i64>(i).max(0) as usize;
            let outcome = if r.get::<_, &str>(2) == "ok" {
                Ok(CycleCounts {
                    feeds: count(4),
                    feed_errors: count(5),
                    new: count(6),
                    updated: count(7),
                    failed: count(8),
                })
            } else {
                Err(r.get::<_, Option<String>>(3).unwrap_or_default())
            };
            CycleRecord {
                started_at: parse_ts(r.get(0)),
                finished_at: parse_ts(r.get(1)),
                outcome,
            }
        }))
    }

    /// Every extraction at or after `since`, oldest first (rule health).
    pub async fn extractions_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<ExtractionRow>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT host, at, method, body_chars, has_lead, captions, has_date
                 FROM extractions WHERE at >= $1 ORDER BY at, id",
                &[&ts(since)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| ExtractionRow {
                host: r.get(0),
                at: parse_ts(r.get(1)),
                method: r.get(2),
                body_chars: r.get(3),
                has_lead: r.get(4),
                captions: r.get(5),
                has_date: r.get(6),
            })
            .collect())
    }

    /// As `Store::add_feed`: false when it was already there, active and of that kind. Its
    /// host gets a lease row, so workers can take it.
    pub async fn add_feed(
        &self,
        url: &str,
        title: Option<&str>,
        source: FeedSource,
        kind: SourceKind,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let existing = tx
            .query_opt(
                "SELECT active, kind FROM feeds WHERE url = $1 FOR UPDATE",
                &[&url],
            )
            .await?
            .map(|r| (r.get::<_, bool>(0), r.get::<_, &str>(1) == kind.as_str()));
        let added = match existing {
            Some((true, true)) => false,
            Some(_) => {
                tx.execute(
                    "UPDATE feeds SET active = TRUE, source = $2, kind = $3 WHERE url = $1",
                    &[&url, &source.as_str(), &kind.as_str()],
                )
                .await?;
                true
            }
            None => {
                let host = host_of(url);
                tx.execute(
                    "INSERT INTO feeds (url, host, title, source, added_at, kind)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &url,
                        &host,
                        &title,
                        &source.as_str(),
                        &ts(now),
                        &kind.as_str(),
                    ],
                )
                .await?;
                tx.execute(
                    "INSERT INTO host_leases (host) VALUES ($1) ON CONFLICT DO NOTHING",
                    &[&host],
                )
                .await?;
                true
            }
        };
        tx.commit().await?;
        Ok(added)
    }

    /// As `Store::remove_feed`: stops polling it, keeps its stories.
    pub async fn remove_feed(&self, url: &str) -> Result<(), StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE feeds SET active = FALSE WHERE url = $1 AND active",
                &[&url],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("no active feed {url}")));
        }
        Ok(())
    }

    /// As `Store::prune`: stories first seen before `cutoff` that no feed's latest fetch still
    /// lists, and audit rows older than it; one transaction (aliases, memberships, images,
    /// revisions and fingerprints go with their story).
    pub async fn prune(&self, cutoff: DateTime<Utc>) -> Result<Pruned, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let cutoff = ts(cutoff);
        let articles = tx
            .execute(
                "DELETE FROM articles a
                 WHERE a.first_seen_at < $1
                   AND NOT EXISTS (
                       SELECT 1 FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
                       WHERE af.article_id = a.id AND f.active
                         AND f.last_listed_at IS NOT NULL AND af.last_seen_at >= f.last_listed_at)",
                &[&cutoff],
            )
            .await?;
        let fetches = tx
            .execute("DELETE FROM fetches WHERE at < $1", &[&cutoff])
            .await?;
        tx.commit().await?;
        Ok(Pruned {
            articles: articles as usize,
            fetches: fetches as usize,
        })
    }
}
