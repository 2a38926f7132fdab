//! The write path on PostgreSQL: triage lookups and one transaction per batch, with the rules
//! of `store::articles` (a story's own URL is its key, aliases point at it, a changed story
//! keeps its previous version as a revision, near-duplicates join a cluster).

use deadpool_postgres::Transaction;
use std::collections::HashMap;

use tokio_postgres::types::ToSql;

use super::super::articles::json;
use super::super::{
    ArticleRecord, Batch, Content, FetchLog, Known, StoreError, Written, parse_ts, ts,
};
use super::PgStore;
use crate::dedup::fingerprint::{self, MIN_SHARED_BANDS, Signature};
use crate::textfold::SearchText;

impl PgStore {
    /// The stored article each alias list points at, in order, with the precedence of
    /// `Store::known` (for each alias in turn: a story's own URL, then an alias row), read
    /// for a whole chunk of candidates in two queries instead of two per alias.
    pub async fn known_all(&self, lists: &[Vec<String>]) -> Result<Vec<Option<Known>>, StoreError> {
        let client = self.client().await?;
        let keys: Vec<&str> = lists.iter().flatten().map(String::as_str).collect();
        let read = |r: &tokio_postgres::Row| {
            (
                r.get::<_, String>(0),
                Known {
                    id: r.get(1),
                    ok: r.get(2),
                    attempts: r.get::<_, i32>(3).max(0) as u32,
                    fetched_at: parse_ts(r.get(4)),
                },
            )
        };
        let by_url: HashMap<String, Known> = client
            .query(
                "SELECT url, id, status = 'ok', attempts, fetched_at FROM articles
                 WHERE url = ANY($1)",
                &[&keys],
            )
            .await?
            .iter()
            .map(read)
            .collect();
        let by_alias: HashMap<String, Known> = client
            .query(
                "SELECT x.alias, a.id, a.status = 'ok', a.attempts, a.fetched_at
                 FROM article_aliases x JOIN articles a ON a.id = x.article_id
                 WHERE x.alias = ANY($1)",
                &[&keys],
            )
            .await?
            .iter()
            .map(read)
            .collect();
        Ok(lists
            .iter()
            .map(|aliases| {
                aliases
                    .iter()
                    .find_map(|a| by_url.get(a).or_else(|| by_alias.get(a)).copied())
            })
            .collect())
    }

    /// Writes a batch in one transaction, as `Store::write` does.
    pub async fn write(&self, batch: &Batch) -> Result<Vec<Written>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for poll in &batch.polls {
            super::feeds::record_poll(&tx, poll).await?;
        }
        for s in &batch.sightings {
            let exists = tx
                .query_opt("SELECT 1 FROM articles WHERE id = $1", &[&s.article_id])
                .await?
                .is_some();
            if exists {
                attach(&tx, s.article_id, &s.aliases, &s.feeds, &ts(s.seen_at)).await?;
            }
        }
        let mut written = Vec::with_capacity(batch.articles.len());
        for record in &batch.articles {
            written.push(write_article(&tx, record).await?);
        }
        insert_fetches(&tx, &batch.fetches, &self.worker).await?;
        tx.commit().await?;
        Ok(written)
    }
}

/// The stored story `record` is, locked until the batch commits: two workers that fetched
/// one story (listed by feeds on two hosts) write it one after the other, the second seeing
/// the first's row, so an edit makes one revision, not two.
async fn find_existing(
    tx: &Transaction<'_>,
    record: &ArticleRecord,
) -> Result<Option<(i64, bool)>, StoreError> {
    let by_url = tx
        .prepare_cached("SELECT id, status = 'ok' FROM articles WHERE url = $1 FOR UPDATE")
        .await?;
    let by_alias = tx
        .prepare_cached(
            "SELECT a.id, a.status = 'ok' FROM article_aliases x
             JOIN articles a ON a.id = x.article_id WHERE x.alias = $1 FOR UPDATE OF a",
        )
        .await?;
    for key in std::iter::once(&record.story.url).chain(&record.story.aliases) {
        for stmt in [&by_url, &by_alias] {
            if let Some(r) = tx.query_opt(stmt, &[key]).await? {
                return Ok(Some((r.get(0), r.get(1))));
            }
        }
    }
    Ok(None)
}

async fn write_article(
    tx: &Transaction<'_>,
    record: &ArticleRecord,
) -> Result<Written, StoreError> {
    let now = ts(record.story.seen_at);
    let story = &record.story;
    let written = match (&record.content, find_existing(tx, record).await?) {
        (Ok(content), Some((id, true))) => {
            let stored: Option<String> = tx
                .query_one("SELECT content_hash FROM articles WHERE id = $1", &[&id])
                .await?
                .get(0);
            if stored.as_deref() == Some(content.content_hash.as_str()) {
                tx.execute(
                    "UPDATE articles SET fetched_at = $2 WHERE id = $1 AND fetched_at < $2",
                    &[&id, &now],
                )
                .await?;
                Written::Duplicate(id)
            } else {
                keep_revision(tx, id, &now).await?;
                tx.execute(
                    "UPDATE articles SET fetched_at = $2 WHERE id = $1",
                    &[&id, &now],
                )
                .await?;
                set_content(tx, id, content).await?;
                Written::Updated(id)
            }
        }
        (Err(_), Some((id, true))) => Written::RefetchFailed(id),
        (Ok(content), Some((id, false))) => {
            tx.execute(
                "INSERT INTO article_aliases (alias, article_id, first_seen_at)
                 SELECT url, id, first_seen_at FROM articles WHERE id = $1 AND url != $2
                 ON CONFLICT DO NOTHING",
                &[&id, &story.url],
            )
            .await?;
            tx.execute(
                "UPDATE articles SET url = $2, status = 'ok', error = NULL,
                     attempts = attempts + 1, fetched_at = $3
                 WHERE id = $1",
                &[&id, &story.url, &now],
            )
            .await?;
            set_content(tx, id, content).await?;
            Written::New(id)
        }
        (Ok(content), None) => {
            let id: i64 = tx
                .query_one(
                    "INSERT INTO articles (url, guid, status, first_seen_at, fetched_at)
                     VALUES ($1, $2, 'ok', $3, $3) RETURNING id",
                    &[&story.url, &story.guid, &now],
                )
                .await?
                .get(0);
            set_content(tx, id, content).await?;
            Written::New(id)
        }
        (Err(error), Some((id, false))) => {
            let error = super::text(error);
            tx.execute(
                "UPDATE articles SET error = $2, attempts = attempts + 1, fetched_at = $3
                 WHERE id = $1",
                &[&id, &error, &now],
            )
            .await?;
            Written::Failed(id)
        }
        (Err(error), None) => {
            let error = super::text(error);
            let id: i64 = tx
                .query_one(
                    "INSERT INTO articles (url, guid, status, error, title, first_seen_at, fetched_at)
                     VALUES ($1, $2, 'failed', $3, $4, $5, $5) RETURNING id",
                    &[&story.url, &story.guid, &error, &story.feed_title, &now],
                )
                .await?
                .get(0);
            Written::Failed(id)
        }
    };
    let id = written.id();
    if let Ok(c) = &record.content {
        tx.execute(
            "INSERT INTO extractions
                 (at, host, article_id, method, body_chars, has_lead, captions, has_date)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &now,
                &crate::host::site_of(&story.url),
                &id,
                &c.method.as_str(),
                &(c.body.chars().count() as i64),
                &c.lead.is_some(),
                &(c.captions.len() as i64),
                &c.published.is_some(),
            ],
        )
        .await?;
    }
    let mut aliases = story.aliases.clone();
    aliases.push(story.url.clone());
    attach(tx, id, &aliases, &story.feeds, &now).await?;
    Ok(written)
}

async fn keep_revision(tx: &Transaction<'_>, id: i64, at: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO article_revisions
             (article_id, revised_at, content_hash, title, lead, body, captions)
         SELECT id, $2::text, content_hash, title, lead, body, captions FROM articles WHERE id = $1",
        &[&id, &at],
    )
    .await?;
    Ok(())
}

/// Most bytes of a story's index text PostgreSQL indexes: a `tsvector` must stay under 1 MB
/// (its words and their positions), and a hostile page's megabytes of distinct words would
/// otherwise fail its batch for ever. Far above any article (a long one is 50 KB).
const MAX_INDEXED_BYTES: usize = 256 * 1024;

/// The weighted search vector of title, lead and body given as parameters `$first`,
/// `$first + 1` and `$first + 2` (ranked title over lead over body, as SQLite's bm25 weights).
pub(super) fn search_vector(first: usize) -> String {
    format!(
        "setweight(to_tsvector('simple', ${first}), 'A')
         || setweight(to_tsvector('simple', ${}), 'B')
         || setweight(to_tsvector('simple', ${}), 'D')",
        first + 1,
        first + 2
    )
}

/// The three parts of a story's index text, cut to [`MAX_INDEXED_BYTES`] in all.
pub(super) fn search_parts(s: &SearchText) -> (&str, &str, &str) {
    let mut left = MAX_INDEXED_BYTES;
    let mut cut = |t: &'_ str| -> usize {
        let mut end = t.len().min(left);
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        left -= end;
        end
    };
    let (a, b, c) = (cut(&s.title), cut(&s.lead), cut(&s.body));
    (&s.title[..a], &s.lead[..b], &s.body[..c])
}

async fn set_content(tx: &Transaction<'_>, id: i64, c: &Content) -> Result<(), StoreError> {
    let (title, lead, body) = search_parts(&c.search);
    let stmt = tx
        .prepare_cached(&format!(
            "UPDATE articles SET title = $2, lead = $3, body = $4, captions = $5, author = $6,
                 published_at = $7, published_source = $8, updated_at = $9, tags = $10,
                 category = $11, language = $12, method = $13, content_hash = $14,
                 authors = $15, search = {}
             WHERE id = $1",
            search_vector(16)
        ))
        .await?;
    let params: [&(dyn ToSql + Sync); 18] = [
        &id,
        &c.title,
        &c.lead,
        &c.body,
        &json(&c.captions),
        &c.author,
        &c.published,
        &c.published_source,
        &c.updated,
        &json(&c.tags),
        &c.category,
        &c.language,
        &c.method.as_str(),
        &c.content_hash,
        &json(&c.authors),
        &title,
        &lead,
        &body,
    ];
    tx.execute(&stmt, &params).await?;
    tx.execute("DELETE FROM images WHERE article_id = $1", &[&id])
        .await?;
    let insert = tx
        .prepare_cached(
            "INSERT INTO images (article_id, seq, src, alt, caption, position, credit)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    for (seq, img) in c.images.iter().enumerate() {
        tx.execute(
            &insert,
            &[
                &id,
                &(seq as i32),
                &img.src,
                &img.alt,
                &img.caption,
                &(img.position as i32),
                &img.credit,
            ],
        )
        .await?;
    }
    fingerprint_story(tx, id, c.signature.as_ref()).await
}

/// As `store::index::fingerprint_story`: the story's bands replaced, and a story without a
/// cluster joins the cluster of the most similar stored one (or starts its own).
async fn fingerprint_story(
    tx: &Transaction<'_>,
    id: i64,
    signature: Option<&Signature>,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM fingerprint_bands WHERE article_id = $1",
        &[&id],
    )
    .await?;
    tx.execute("DELETE FROM fingerprints WHERE article_id = $1", &[&id])
        .await?;
    let mut cluster = id;
    if let Some(sig) = signature {
        let bands: Vec<i64> = sig.bands().to_vec();
        let rows = tx
            .query(
                &format!(
                    "SELECT b.article_id, f.signature FROM fingerprint_bands b
                     JOIN fingerprints f ON f.article_id = b.article_id
                     WHERE b.key = ANY($1) AND b.article_id != $2
                     GROUP BY b.article_id, f.signature HAVING count(*) >= {MIN_SHARED_BANDS}"
                ),
                &[&bands, &id],
            )
            .await?;
        let candidates = rows.iter().filter_map(|r| {
            let blob: &[u8] = r.get(1);
            Some((r.get::<_, i64>(0), Signature::from_bytes(blob)?))
        });
        if let Some((other, _)) = fingerprint::most_similar(sig, candidates) {
            cluster = tx
                .query_one(
                    "SELECT coalesce(cluster_id, id) FROM articles WHERE id = $1",
                    &[&other],
                )
                .await?
                .get(0);
        }
        tx.execute(
            "INSERT INTO fingerprints (article_id, signature) VALUES ($1, $2)",
            &[&id, &sig.to_bytes()],
        )
        .await?;
        tx.execute(
            "INSERT INTO fingerprint_bands (key, article_id)
             SELECT DISTINCT k, $2::bigint FROM unnest($1::bigint[]) AS k",
            &[&bands, &id],
        )
        .await?;
    }
    tx.execute(
        "UPDATE articles SET cluster_id = coalesce(cluster_id, $2) WHERE id = $1",
        &[&id, &cluster],
    )
    .await?;
    Ok(())
}

async fn attach(
    tx: &Transaction<'_>,
    id: i64,
    aliases: &[String],
    feeds: &[i64],
    now: &str,
) -> Result<(), StoreError> {
    let alias = tx
        .prepare_cached(
            "INSERT INTO article_aliases (alias, article_id, first_seen_at)
             SELECT $1::text, $2::bigint, $3::text
             WHERE NOT EXISTS (SELECT 1 FROM articles WHERE url = $1)
             ON CONFLICT DO NOTHING",
        )
        .await?;
    for a in aliases {
        tx.execute(&alias, &[a, &id, &now]).await?;
    }
    let feed = tx
        .prepare_cached(
            "INSERT INTO article_feeds (article_id, feed_id, first_seen_at, last_seen_at)
             VALUES ($1, $2, $3, $3)
             ON CONFLICT (article_id, feed_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        )
        .await?;
    for f in feeds {
        tx.execute(&feed, &[&id, f, &now]).await?;
    }
    Ok(())
}

async fn insert_fetches(
    tx: &Transaction<'_>,
    rows: &[FetchLog],
    worker: &str,
) -> Result<(), StoreError> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO fetches
                 (at, kind, url, final_url, status, bytes, elapsed_ms, result, error, failure, worker)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .await?;
    for r in rows {
        let (error, failure) = r.result.error_parts();
        let error = error.map(super::text);
        let kind = r.kind.as_str();
        let params: [&(dyn ToSql + Sync); 11] = [
            &ts(r.at),
            &kind,
            &r.url,
            &r.final_url,
            &r.status.map(i32::from),
            &(r.bytes as i64),
            &(r.elapsed_ms as i64),
            &r.result.as_str(),
            &error,
            &failure,
            &worker,
        ];
        tx.execute(&stmt, &params).await?;
    }
    Ok(())
}
