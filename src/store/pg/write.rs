//! The write path on PostgreSQL: triage lookups and one transaction per batch, with the rules
//! of `store::articles` (a story's own URL is its key, aliases point at it, a changed story
//! keeps its previous version as a revision, near-duplicates join a cluster).

use deadpool_postgres::Transaction;
use std::collections::HashMap;

use tokio_postgres::types::ToSql;

use super::super::articles::json;
use super::super::{
    ArticleRecord, Batch, Content, FetchLog, ImageRow, Known, StoreError, Story, Written, parse_ts,
    ts,
};
use super::PgStore;
use super::search::tsvector;
use crate::dedup::fingerprint::{self, MIN_SHARED_BANDS, Signature};

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
            super::feeds::record_poll(&tx, poll, &self.worker).await?;
        }
        for s in &batch.sightings {
            // Kept from a prune until the batch commits.
            let exists = tx
                .query_opt(
                    "SELECT 1 FROM articles WHERE id = $1 FOR KEY SHARE",
                    &[&s.article_id],
                )
                .await?
                .is_some();
            if exists {
                attach(&tx, s.article_id, &s.aliases, &s.feeds, &ts(s.seen_at)).await?;
            }
        }
        let mut written = Vec::with_capacity(batch.articles.len());
        let mut alone = Vec::new();
        for record in &batch.articles {
            written.push(write_article(&tx, record, &mut alone).await?);
        }
        insert_fetches(&tx, &batch.fetches, &self.worker).await?;
        tx.commit().await?;
        if !alone.is_empty() {
            // The batch is stored; a failed repair only leaves a copy in a cluster of its own.
            if let Err(e) = join_copies_written_meanwhile(&mut client, &alone).await {
                tracing::warn!(error = %e, "near-duplicate clusters not checked again");
            }
        }
        Ok(written)
    }
}

/// Copies of one story written at once by two workers (a wire story on two sites, fetched
/// from two hosts) cannot see each other's uncommitted rows, so each may start a cluster of
/// its own, where SQLite, writing one story at a time, makes one. Once its batch is
/// committed, each new story that started its own cluster looks again: it joins the cluster
/// of its most similar copy when that cluster is older (a lower id), or takes that copy into
/// its own when the copy is alone and newer; either way the two meet in the older cluster,
/// whichever of them looked first.
async fn join_copies_written_meanwhile(
    client: &mut deadpool_postgres::Object,
    alone: &[(i64, &Signature)],
) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    let join = tx
        .prepare_cached("UPDATE articles SET cluster_id = $2 WHERE id = $1 AND cluster_id = id")
        .await?;
    for (id, sig) in alone {
        let Some((other, cluster)) = nearest_cluster(&tx, sig, Some(*id)).await? else {
            continue;
        };
        if cluster < *id {
            tx.execute(&join, &[id, &cluster]).await?;
        } else if cluster == other {
            // The other copy is alone too and newer: it joins this one (it may have looked
            // before this batch was committed).
            tx.execute(&join, &[&other, id]).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A stored story as the write path needs it, locked until the batch commits.
struct Existing {
    id: i64,
    ok: bool,
    content_hash: Option<String>,
}

/// The stored story `record` is (for each of its keys in turn: a story stored under that URL,
/// else one with that alias, as `Store::known`), locked until the batch commits: two workers
/// that fetched one story (listed by feeds on two hosts) write it one after the other, the
/// second seeing the first's row, so an edit makes one revision, not two.
async fn find_existing(
    tx: &Transaction<'_>,
    record: &ArticleRecord,
) -> Result<Option<Existing>, StoreError> {
    let keys: Vec<&str> = std::iter::once(&record.story.url)
        .chain(&record.story.aliases)
        .map(String::as_str)
        .collect();
    let find = tx
        .prepare_cached(
            "SELECT m.id FROM unnest($1::text[]) WITH ORDINALITY AS k(key, ord)
             CROSS JOIN LATERAL (
                 (SELECT a.id, 0 AS via FROM articles a WHERE a.url = k.key OFFSET 0)
                 UNION ALL
                 (SELECT x.article_id, 1 FROM article_aliases x WHERE x.alias = k.key OFFSET 0)
             ) m ORDER BY k.ord, m.via LIMIT 1",
        )
        .await?;
    let Some(found) = tx.query_opt(&find, &[&keys]).await? else {
        return Ok(None);
    };
    let id: i64 = found.get(0);
    let lock = tx
        .prepare_cached("SELECT status = 'ok', content_hash FROM articles WHERE id = $1 FOR UPDATE")
        .await?;
    Ok(tx.query_opt(&lock, &[&id]).await?.map(|r| Existing {
        id,
        ok: r.get(0),
        content_hash: r.get(1),
    }))
}

/// Writes one record; a new story that started a cluster of its own is added to `alone`.
async fn write_article<'r>(
    tx: &Transaction<'_>,
    record: &'r ArticleRecord,
    alone: &mut Vec<(i64, &'r Signature)>,
) -> Result<Written, StoreError> {
    let now = ts(record.story.seen_at);
    let story = &record.story;
    // A new story's images and fingerprint, written with the statements that follow.
    let mut new_parts: Option<&Content> = None;
    let written = match (&record.content, find_existing(tx, record).await?) {
        (Ok(content), Some(e)) if e.ok => {
            if e.content_hash.as_deref() == Some(content.content_hash.as_str()) {
                tx.execute(
                    "UPDATE articles SET fetched_at = $2 WHERE id = $1 AND fetched_at < $2",
                    &[&e.id, &now],
                )
                .await?;
                Written::Duplicate(e.id)
            } else {
                keep_revision(tx, e.id, &now).await?;
                set_content(tx, e.id, content, &now).await?;
                Written::Updated(e.id)
            }
        }
        (Err(_), Some(e)) if e.ok => Written::RefetchFailed(e.id),
        (Ok(content), Some(e)) => {
            // A story that had failed: its first content, under the URL it now has.
            tx.execute(
                "INSERT INTO article_aliases (alias, article_id, first_seen_at)
                 SELECT url, id, first_seen_at FROM articles WHERE id = $1 AND url != $2
                 ON CONFLICT DO NOTHING",
                &[&e.id, &story.url],
            )
            .await?;
            tx.execute(
                "UPDATE articles SET url = $2, status = 'ok', error = NULL,
                     attempts = attempts + 1
                 WHERE id = $1",
                &[&e.id, &story.url],
            )
            .await?;
            set_content(tx, e.id, content, &now).await?;
            Written::New(e.id)
        }
        (Ok(content), None) => {
            let (id, joined) = insert_new(tx, story, content, &now).await?;
            if let (false, Some(sig)) = (joined, &content.signature) {
                alone.push((id, sig));
            }
            new_parts = Some(content);
            Written::New(id)
        }
        (Err(error), Some(e)) => {
            let error = super::text(error);
            tx.execute(
                "UPDATE articles SET error = $2, attempts = attempts + 1, fetched_at = $3
                 WHERE id = $1",
                &[&e.id, &error, &now],
            )
            .await?;
            Written::Failed(e.id)
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
    // Statements that need only the row's id go out together (pipelined on the connection):
    // a story's write waits for a few round trips, not one per table.
    let extraction = async {
        let Ok(c) = &record.content else {
            return Ok(());
        };
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
        .await
        .map(drop)
    };
    let parts = async {
        match new_parts {
            Some(c) => tokio::try_join!(insert_images(tx, id, c), async {
                match &c.signature {
                    Some(sig) => insert_fingerprint(tx, id, sig).await,
                    None => Ok(()),
                }
            })
            .map(drop),
            None => Ok(()),
        }
    };
    let mut aliases = story.aliases.clone();
    aliases.push(story.url.clone());
    tokio::try_join!(
        parts,
        async { extraction.await.map_err(StoreError::from) },
        attach(tx, id, &aliases, &story.feeds, &now)
    )?;
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

/// A story the store did not have, written whole in one row version: its content, its
/// cluster (found before the row exists) and its search vector; with whether it joined a
/// cluster. Its images and fingerprint follow with the statements after it. Writing it in steps (a
/// bare row, then content, then cluster) made three versions of the row and indexed its
/// text in the GIN index three times.
async fn insert_new(
    tx: &Transaction<'_>,
    story: &Story,
    c: &Content,
    now: &str,
) -> Result<(i64, bool), StoreError> {
    let cluster = match &c.signature {
        Some(sig) => nearest_cluster(tx, sig, None).await?.map(|(_, c)| c),
        None => None,
    };
    let search = tsvector(&c.search);
    let stmt = tx
        .prepare_cached(&format!(
            "WITH new AS (SELECT nextval(pg_get_serial_sequence('articles', 'id')) AS id)
             INSERT INTO articles (id, url, guid, status, first_seen_at, fetched_at,
                 {CONTENT_COLUMNS}, cluster_id, search)
             SELECT new.id, $1, $2, 'ok', $3, $3, {}, coalesce($18::bigint, new.id),
                 $19::text::tsvector
             FROM new RETURNING id",
            content_values(4)
        ))
        .await?;
    let lists = Lists::of(c);
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&story.url, &story.guid, &now];
    params.extend(content_params(c, &lists));
    params.extend([&cluster as &(dyn ToSql + Sync), &search]);
    let id: i64 = tx.query_one(&stmt, &params).await?.get(0);
    Ok((id, cluster.is_some()))
}

/// A stored story's content replaced (an edit, or a failed story's first content), with
/// its images and fingerprint.
async fn set_content(
    tx: &Transaction<'_>,
    id: i64,
    c: &Content,
    now: &str,
) -> Result<(), StoreError> {
    let search = tsvector(&c.search);
    let stmt = tx
        .prepare_cached(&format!(
            "UPDATE articles SET ({CONTENT_COLUMNS}) = ({}),
                 fetched_at = $16, search = $17::text::tsvector
             WHERE id = $1",
            content_values(2)
        ))
        .await?;
    let lists = Lists::of(c);
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&id];
    params.extend(content_params(c, &lists));
    params.extend([&now as &(dyn ToSql + Sync), &search]);
    tx.execute(&stmt, &params).await?;
    tx.execute("DELETE FROM images WHERE article_id = $1", &[&id])
        .await?;
    insert_images(tx, id, c).await?;
    fingerprint_story(tx, id, c.signature.as_ref()).await
}

/// The content columns both writes of a story's content set, in [`content_params`]' order.
const CONTENT_COLUMNS: &str = "title, lead, body, captions, author, published_at,
    published_source, updated_at, tags, category, language, method, content_hash, authors";

/// The placeholders of [`CONTENT_COLUMNS`], from `$first`.
fn content_values(first: usize) -> String {
    (first..first + 14)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A story's columns stored as other than they are held: the lists as JSON text, the method
/// as its word.
struct Lists {
    captions: String,
    tags: String,
    authors: String,
    method: &'static str,
}

impl Lists {
    fn of(c: &Content) -> Self {
        Self {
            captions: json(&c.captions),
            tags: json(&c.tags),
            authors: json(&c.authors),
            method: c.method.as_str(),
        }
    }
}

/// The values of [`CONTENT_COLUMNS`].
fn content_params<'a>(c: &'a Content, lists: &'a Lists) -> [&'a (dyn ToSql + Sync); 14] {
    [
        &c.title,
        &c.lead,
        &c.body,
        &lists.captions,
        &c.author,
        &c.published,
        &c.published_source,
        &c.updated,
        &lists.tags,
        &c.category,
        &c.language,
        &lists.method,
        &c.content_hash,
        &lists.authors,
    ]
}

/// The story's images, in one statement.
async fn insert_images(tx: &Transaction<'_>, id: i64, c: &Content) -> Result<(), StoreError> {
    if c.images.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&ImageRow) -> Option<&str>| -> Vec<Option<&str>> {
        c.images.iter().map(f).collect()
    };
    let seq: Vec<i32> = (0..c.images.len() as i32).collect();
    let src: Vec<&str> = c.images.iter().map(|i| i.src.as_str()).collect();
    let position: Vec<i32> = c.images.iter().map(|i| i.position as i32).collect();
    let stmt = tx
        .prepare_cached(
            "INSERT INTO images (article_id, seq, src, alt, caption, position, credit)
             SELECT $1, s.seq, s.src, s.alt, s.caption, s.position, s.credit
             FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[])
                  AS s(seq, src, alt, caption, position, credit)",
        )
        .await?;
    let params: [&(dyn ToSql + Sync); 7] = [
        &id,
        &seq,
        &src,
        &column(|i| i.alt.as_deref()),
        &column(|i| i.caption.as_deref()),
        &position,
        &column(|i| i.credit.as_deref()),
    ];
    tx.execute(&stmt, &params).await?;
    Ok(())
}

/// The stored story most like `sig` (other than `this`) and its cluster, as
/// `store::index::fingerprint_story` finds it: sharing enough bands, similar enough.
async fn nearest_cluster(
    tx: &Transaction<'_>,
    sig: &Signature,
    this: Option<i64>,
) -> Result<Option<(i64, i64)>, StoreError> {
    let bands: Vec<i64> = sig.bands().to_vec();
    let stmt = tx
        .prepare_cached(&format!(
            "SELECT c.id, f.signature, a.cluster
             FROM (SELECT article_id AS id FROM fingerprint_bands
                   WHERE key = ANY($1) AND article_id IS DISTINCT FROM $2
                   GROUP BY article_id HAVING count(*) >= {MIN_SHARED_BANDS}) c
             CROSS JOIN LATERAL
                 (SELECT signature FROM fingerprints WHERE article_id = c.id OFFSET 0) f
             CROSS JOIN LATERAL
                 (SELECT coalesce(cluster_id, id) AS cluster FROM articles
                  WHERE id = c.id OFFSET 0) a"
        ))
        .await?;
    let rows = tx.query(&stmt, &[&bands, &this]).await?;
    let clusters: HashMap<i64, i64> = rows.iter().map(|r| (r.get(0), r.get(2))).collect();
    let candidates = rows.iter().filter_map(|r| {
        let blob: &[u8] = r.get(1);
        Some((r.get::<_, i64>(0), Signature::from_bytes(blob)?))
    });
    Ok(fingerprint::most_similar(sig, candidates)
        .and_then(|(other, _)| Some((other, *clusters.get(&other)?))))
}

/// The story's signature and its bands, in one statement.
async fn insert_fingerprint(
    tx: &Transaction<'_>,
    id: i64,
    sig: &Signature,
) -> Result<(), StoreError> {
    let bands: Vec<i64> = sig.bands().to_vec();
    let stmt = tx
        .prepare_cached(
            "WITH f AS (INSERT INTO fingerprints (article_id, signature) VALUES ($2, $3))
             INSERT INTO fingerprint_bands (key, article_id)
             SELECT DISTINCT k, $2::bigint FROM unnest($1::bigint[]) AS k",
        )
        .await?;
    tx.execute(&stmt, &[&bands, &id, &sig.to_bytes()]).await?;
    Ok(())
}

/// As `store::index::fingerprint_story`: the story's bands replaced, and a story without a
/// cluster joins the cluster of the most similar stored one (or starts its own).
async fn fingerprint_story(
    tx: &Transaction<'_>,
    id: i64,
    signature: Option<&Signature>,
) -> Result<(), StoreError> {
    tx.execute(
        "WITH b AS (DELETE FROM fingerprint_bands WHERE article_id = $1)
         DELETE FROM fingerprints WHERE article_id = $1",
        &[&id],
    )
    .await?;
    let mut cluster = id;
    if let Some(sig) = signature {
        if let Some((_, c)) = nearest_cluster(tx, sig, Some(id)).await? {
            cluster = c;
        }
        insert_fingerprint(tx, id, sig).await?;
    }
    tx.execute(
        "UPDATE articles SET cluster_id = $2 WHERE id = $1 AND cluster_id IS NULL",
        &[&id, &cluster],
    )
    .await?;
    Ok(())
}

/// Points `aliases` at the story and records it as listed by `feeds`, a statement each.
///
/// The lookups in these statements (here and above) are per key, fenced with `OFFSET 0`:
/// a generic plan made while the tables were small would otherwise join them whole (a
/// hash join over every story), a cost that grows with the archive.
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
             SELECT DISTINCT k, $2::bigint, $3::text FROM unnest($1::text[]) AS k
             WHERE NOT EXISTS (SELECT 1 FROM articles WHERE url = k OFFSET 0)
             ON CONFLICT DO NOTHING",
        )
        .await?;
    let feed = tx
        .prepare_cached(
            "INSERT INTO article_feeds (article_id, feed_id, first_seen_at, last_seen_at)
             SELECT DISTINCT $1::bigint, f, $3::text, $3::text FROM unnest($2::bigint[]) AS f
             ON CONFLICT (article_id, feed_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        )
        .await?;
    let alias_params: [&(dyn ToSql + Sync); 3] = [&aliases, &id, &now];
    let feed_params: [&(dyn ToSql + Sync); 3] = [&id, &feeds, &now];
    tokio::try_join!(
        tx.execute(&alias, &alias_params),
        tx.execute(&feed, &feed_params)
    )?;
    Ok(())
}

/// The batch's audit rows, in one statement.
async fn insert_fetches(
    tx: &Transaction<'_>,
    rows: &[FetchLog],
    worker: &str,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let at: Vec<String> = rows.iter().map(|r| ts(r.at)).collect();
    let kind: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    let url: Vec<&str> = rows.iter().map(|r| r.url.as_str()).collect();
    let final_url: Vec<Option<&str>> = rows.iter().map(|r| r.final_url.as_deref()).collect();
    let status: Vec<Option<i32>> = rows.iter().map(|r| r.status.map(i32::from)).collect();
    let bytes: Vec<i64> = rows.iter().map(|r| r.bytes as i64).collect();
    let elapsed: Vec<i64> = rows.iter().map(|r| r.elapsed_ms as i64).collect();
    let result: Vec<&str> = rows.iter().map(|r| r.result.as_str()).collect();
    let (error, failure): (Vec<Option<String>>, Vec<Option<&str>>) = rows
        .iter()
        .map(|r| {
            let (error, failure) = r.result.error_parts();
            (error.map(|e| super::text(e).into_owned()), failure)
        })
        .unzip();
    let stmt = tx
        .prepare_cached(
            "INSERT INTO fetches
                 (at, kind, url, final_url, status, bytes, elapsed_ms, result, error, failure, worker)
             SELECT r.*, $11 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
                 $5::int[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[]) AS r",
        )
        .await?;
    let params: [&(dyn ToSql + Sync); 11] = [
        &at, &kind, &url, &final_url, &status, &bytes, &elapsed, &result, &error, &failure, &worker,
    ];
    tx.execute(&stmt, &params).await?;
    Ok(())
}
