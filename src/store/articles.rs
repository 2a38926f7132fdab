//! Article rows and everything attached to them: aliases, feed memberships, images.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::index::{fingerprint_story, index_text, unindex_text};
use super::{FeedPoll, FetchLog, HookEvent, Store, StoreError, insert_fetches, ts};
use crate::dedup::fingerprint::Signature;
use crate::extract::Method;
use crate::textfold::SearchText;

/// An article the store already has, found by one of its aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub id: i64,
    pub ok: bool,
    pub attempts: u32,
    pub fetched_at: DateTime<Utc>,
}

/// The extracted content of one article, ready to store.
#[derive(Debug, Clone)]
pub struct Content {
    pub title: String,
    pub lead: Option<String>,
    pub body: String,
    pub captions: Vec<String>,
    pub images: Vec<ImageRow>,
    /// The byline as the page prints it.
    pub author: Option<String>,
    /// Each author named.
    pub authors: Vec<String>,
    /// RFC 3339 with the page's own offset (e.g. `+07:00`); `YYYY-MM-DDTHH:MM:SS` when the
    /// page gave no offset, `YYYY-MM-DD` when it gave only a day.
    pub published: Option<String>,
    pub published_source: Option<String>,
    pub updated: Option<String>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub language: Option<String>,
    pub method: Method,
    pub content_hash: String,
    /// Near-duplicate fingerprint of the body (`None` for very short texts).
    pub signature: Option<Signature>,
    /// Title, lead and body folded for the full-text index, computed off the writer thread.
    pub search: SearchText,
}

/// One image of an article.
#[derive(Debug, Clone, Default)]
pub struct ImageRow {
    pub src: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    /// The photo credit cut from the caption ("Getty Images", "Ảnh: Bệnh viện cung cấp").
    pub credit: Option<String>,
    pub position: usize,
}

/// Who a story is and where it was seen: everything the store records of it but its content.
#[derive(Debug, Clone)]
pub struct Story {
    /// The canonical URL: the article row's unique key.
    pub url: String,
    pub guid: Option<String>,
    /// Every alias to point at this article (the canonical URL is added by the store).
    pub aliases: Vec<String>,
    pub feeds: Vec<i64>,
    pub seen_at: DateTime<Utc>,
    /// Title from the feed, kept for failed articles so the row still says what it was.
    pub feed_title: Option<String>,
}

/// The result of fetching one story: the story, and its content or the reason there is none
/// (stored as the article's `error`). Stories not attempted this time (deferred) never reach
/// the store as records: nothing about them is written but the audit.
#[derive(Debug, Clone)]
pub struct ArticleRecord {
    pub story: Story,
    pub content: Result<Content, String>,
    /// The page it was extracted from, kept for re-extraction when pages are kept.
    pub raw: Option<super::RawHtml>,
}

/// What writing one record came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A story the archive did not have (or had only as a failure).
    New(i64),
    /// The page's canonical URL belongs to a story already stored, with the same content:
    /// only aliases and feeds were added.
    Duplicate(i64),
    /// A stored story whose content changed: updated, the previous version kept as a revision.
    Updated(i64),
    /// No content: the failure is recorded on the article row.
    Failed(i64),
    /// A stored story was fetched again (its feed said it was edited) and that fetch failed:
    /// the stored version stays as it was; aliases and feeds were added.
    RefetchFailed(i64),
}

impl Written {
    /// The article row written to.
    pub fn id(self) -> i64 {
        match self {
            Written::New(id)
            | Written::Duplicate(id)
            | Written::Updated(id)
            | Written::Failed(id)
            | Written::RefetchFailed(id) => id,
        }
    }
}

/// A story already known before fetching, seen again in a feed.
#[derive(Debug, Clone)]
pub struct Sighting {
    pub article_id: i64,
    pub aliases: Vec<String>,
    pub feeds: Vec<i64>,
    pub seen_at: DateTime<Utc>,
}

/// Everything one write transaction carries.
#[derive(Debug, Default)]
pub struct Batch {
    pub polls: Vec<FeedPoll>,
    pub sightings: Vec<Sighting>,
    pub articles: Vec<ArticleRecord>,
    pub fetches: Vec<FetchLog>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.polls.is_empty()
            && self.sightings.is_empty()
            && self.articles.is_empty()
            && self.fetches.is_empty()
    }
}

impl Store {
    /// The stored article any of `aliases` points at.
    pub fn known(&self, aliases: &[String]) -> Result<Option<Known>, StoreError> {
        // A story's own URL is its key, not an alias row: looked up first, as the write
        // path does.
        let mut by_url = self.conn.prepare_cached(
            "SELECT id, status = 'ok', attempts, fetched_at FROM articles WHERE url = ?1",
        )?;
        let mut by_alias = self.conn.prepare_cached(
            "SELECT a.id, a.status = 'ok', a.attempts, a.fetched_at FROM article_aliases x
             JOIN articles a ON a.id = x.article_id WHERE x.alias = ?1",
        )?;
        let known = |r: &rusqlite::Row<'_>| {
            Ok(Known {
                id: r.get(0)?,
                ok: r.get(1)?,
                attempts: r.get::<_, i64>(2)?.max(0) as u32,
                fetched_at: super::parse_ts(&r.get::<_, String>(3)?),
            })
        };
        for alias in aliases {
            if let Some(hit) = by_url.query_row([alias], known).optional()? {
                return Ok(Some(hit));
            }
            if let Some(hit) = by_alias.query_row([alias], known).optional()? {
                return Ok(Some(hit));
            }
        }
        Ok(None)
    }

    /// Writes a batch in one transaction: either all of it is visible to readers or none.
    pub fn write(&mut self, batch: &Batch) -> Result<Vec<Written>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for poll in &batch.polls {
            if let Some(event) = Store::record_poll_tx(&tx, poll)? {
                super::hooks::enqueue_feed(&tx, &self.hooks, event, poll.feed_id, poll.at)?;
            }
        }
        for s in &batch.sightings {
            // A `tindex prune` may have deleted the story since the cycle looked it up.
            let exists: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM articles WHERE id = ?1)")?
                .query_row([s.article_id], |r| r.get(0))?;
            if exists {
                attach(&tx, s.article_id, &s.aliases, &s.feeds, s.seen_at)?;
            }
        }
        let mut written = Vec::with_capacity(batch.articles.len());
        for record in &batch.articles {
            let w = write_article(&tx, record)?;
            let event = match w {
                Written::New(_) => Some(HookEvent::StoryStored),
                Written::Updated(_) => Some(HookEvent::StoryRevised),
                Written::Failed(id) if !self.hooks.routes.is_empty() => {
                    let attempts: i64 = tx
                        .prepare_cached("SELECT attempts FROM articles WHERE id = ?1")?
                        .query_row([id], |r| r.get(0))?;
                    // Once, when the last allowed attempt failed.
                    (attempts == i64::from(self.hooks.failed_after))
                        .then_some(HookEvent::StoryFailed)
                }
                _ => None,
            };
            if let Some(event) = event {
                super::hooks::enqueue_story(&tx, &self.hooks, event, w.id(), record.story.seen_at)?;
            }
            written.push(w);
        }
        insert_fetches(&tx, &batch.fetches)?;
        tx.commit()?;
        self.keep_raw(batch, &written);
        Ok(written)
    }

    /// Keeps the pages of a committed batch (the archive first: a crash in between loses a
    /// raw copy, never a story). A pages file that cannot be written costs only the copies:
    /// the stories are stored, so it is a warning, not a failed cycle.
    fn keep_raw(&mut self, batch: &Batch, written: &[Written]) {
        let Some(pages) = self.pages.as_mut() else {
            return;
        };
        let rows: Vec<_> = batch
            .articles
            .iter()
            .zip(written)
            .filter(|(_, w)| !matches!(w, Written::Duplicate(_) | Written::RefetchFailed(_)))
            .filter_map(|(r, w)| {
                let raw = r.raw.as_ref()?;
                Some((w.id(), r.story.url.as_str(), r.story.seen_at, raw))
            })
            .collect();
        if rows.is_empty() {
            return;
        }
        if let Err(e) = pages.put(&rows) {
            tracing::warn!(error = %e, pages = rows.len(), "raw pages not kept; the stories are stored");
        }
    }
}

/// What re-extracting a story's kept page came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reextracted {
    /// The content changed: updated, the previous version kept as a revision.
    Revised(i64),
    /// Same content as stored.
    Unchanged(i64),
    /// A story stored as failed now has content.
    Recovered(i64),
    /// Extraction failed; a stored version stays as it was.
    Failed(i64),
    /// The story is no longer in the archive (pruned).
    Gone(i64),
}

impl Store {
    /// Stores what a new extraction of story `id`'s kept page gave, as a re-fetch would but
    /// without touching its fetch time: a revision when the content changed. A date the
    /// stored version took from its feed is kept when the page still gives none.
    pub fn reextracted(
        &mut self,
        id: i64,
        content: Result<Content, String>,
        at: DateTime<Utc>,
    ) -> Result<Reextracted, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        type Stored = (bool, Option<String>, Option<String>, Option<String>);
        let stored: Option<Stored> = tx
            .query_row(
                "SELECT status = 'ok', content_hash, published_at, published_source
                 FROM articles WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((ok, hash, published, source)) = stored else {
            return Ok(Reextracted::Gone(id));
        };
        let done = match content {
            Ok(mut c) => {
                if c.published.is_none() && source.as_deref() == Some("feed") {
                    c.published = published;
                    c.published_source = source;
                }
                if !ok {
                    tx.prepare_cached(
                        "UPDATE articles SET status = 'ok', error = NULL WHERE id = ?1",
                    )?
                    .execute([id])?;
                    set_content(&tx, id, &c)?;
                    super::hooks::enqueue_story(&tx, &self.hooks, HookEvent::StoryStored, id, at)?;
                    Reextracted::Recovered(id)
                } else if hash.as_deref() == Some(c.content_hash.as_str()) {
                    Reextracted::Unchanged(id)
                } else {
                    keep_revision(&tx, id, at)?;
                    unindex_text(&tx, id)?;
                    set_content(&tx, id, &c)?;
                    super::hooks::enqueue_story(&tx, &self.hooks, HookEvent::StoryRevised, id, at)?;
                    Reextracted::Revised(id)
                }
            }
            Err(error) => {
                if !ok {
                    tx.prepare_cached("UPDATE articles SET error = ?2 WHERE id = ?1")?
                        .execute(params![id, error])?;
                }
                Reextracted::Failed(id)
            }
        };
        tx.commit()?;
        Ok(done)
    }
}

/// Copies story `id`'s current content into `article_revisions` before it is replaced.
fn keep_revision(tx: &Transaction<'_>, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO article_revisions
             (article_id, revised_at, content_hash, title, lead, body, captions)
         SELECT id, ?2, content_hash, title, lead, body, captions
         FROM articles WHERE id = ?1",
    )?
    .execute(params![id, ts(at)])?;
    Ok(())
}

fn find_existing(
    tx: &Transaction<'_>,
    record: &ArticleRecord,
) -> Result<Option<(i64, bool)>, StoreError> {
    let mut by_url = tx.prepare_cached("SELECT id, status = 'ok' FROM articles WHERE url = ?1")?;
    let mut by_alias = tx.prepare_cached(
        "SELECT a.id, a.status = 'ok' FROM article_aliases x
         JOIN articles a ON a.id = x.article_id WHERE x.alias = ?1",
    )?;
    // The canonical URL itself may be a known alias of a story stored under another key, and
    // any alias may be another story's own URL.
    for key in std::iter::once(&record.story.url).chain(&record.story.aliases) {
        for stmt in [&mut by_url, &mut by_alias] {
            if let Some(hit) = stmt
                .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
            {
                return Ok(Some(hit));
            }
        }
    }
    Ok(None)
}

fn write_article(tx: &Transaction<'_>, record: &ArticleRecord) -> Result<Written, StoreError> {
    let now = ts(record.story.seen_at);
    let existing = find_existing(tx, record)?;
    let written = match (&record.content, existing) {
        (Ok(content), Some((id, true))) => {
            let stored: Option<String> = tx
                .prepare_cached("SELECT content_hash FROM articles WHERE id = ?1")?
                .query_row([id], |r| r.get(0))?;
            if stored.as_deref() == Some(content.content_hash.as_str()) {
                // Content untouched; only note that it was checked, so an `updated` time
                // the feed keeps advertising does not cause a fetch on every poll.
                tx.prepare_cached(
                    "UPDATE articles SET fetched_at = ?2 WHERE id = ?1 AND fetched_at < ?2",
                )?
                .execute(params![id, now])?;
                Written::Duplicate(id)
            } else {
                keep_revision(tx, id, record.story.seen_at)?;
                tx.prepare_cached("UPDATE articles SET fetched_at = ?2 WHERE id = ?1")?
                    .execute(params![id, now])?;
                unindex_text(tx, id)?;
                set_content(tx, id, content)?;
                Written::Updated(id)
            }
        }
        (Err(_), Some((id, true))) => Written::RefetchFailed(id),
        (Ok(content), Some((id, false))) => {
            // The failed row's URL stays a way to reach the story once it is re-keyed.
            tx.prepare_cached(
                "INSERT OR IGNORE INTO article_aliases (alias, article_id, first_seen_at)
                 SELECT url, id, first_seen_at FROM articles WHERE id = ?1 AND url != ?2",
            )?
            .execute(params![id, record.story.url])?;
            tx.prepare_cached(
                "UPDATE articles SET url = ?2, status = 'ok', error = NULL,
                     attempts = attempts + 1, fetched_at = ?3
                 WHERE id = ?1",
            )?
            .execute(params![id, record.story.url, now])?;
            set_content(tx, id, content)?;
            Written::New(id)
        }
        (Ok(content), None) => {
            tx.prepare_cached(
                "INSERT INTO articles (url, guid, status, first_seen_at, fetched_at)
                 VALUES (?1, ?2, 'ok', ?3, ?3)",
            )?
            .execute(params![record.story.url, record.story.guid, now])?;
            let id = tx.last_insert_rowid();
            set_content(tx, id, content)?;
            Written::New(id)
        }
        (Err(error), Some((id, false))) => {
            tx.prepare_cached(
                "UPDATE articles SET error = ?2, attempts = attempts + 1, fetched_at = ?3
                 WHERE id = ?1",
            )?
            .execute(params![id, error, now])?;
            Written::Failed(id)
        }
        (Err(error), None) => {
            tx.prepare_cached(
                "INSERT INTO articles
                     (url, guid, status, error, title, first_seen_at, fetched_at)
                 VALUES (?1, ?2, 'failed', ?3, ?4, ?5, ?5)",
            )?
            .execute(params![
                record.story.url,
                record.story.guid,
                error,
                record.story.feed_title,
                now
            ])?;
            Written::Failed(tx.last_insert_rowid())
        }
    };
    let id = written.id();
    if let Ok(c) = &record.content {
        note_extraction(tx, id, &record.story, c)?;
    }
    let mut aliases = record.story.aliases.clone();
    aliases.push(record.story.url.clone());
    attach(tx, id, &aliases, &record.story.feeds, record.story.seen_at)?;
    Ok(written)
}

/// One row of `extractions`: how the page of a stored story came out, for rule health.
fn note_extraction(
    tx: &Transaction<'_>,
    id: i64,
    story: &Story,
    c: &Content,
) -> Result<(), StoreError> {
    let host = crate::host::site_of(&story.url);
    tx.prepare_cached(
        "INSERT INTO extractions
             (at, host, article_id, method, body_chars, has_lead, captions, has_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        ts(story.seen_at),
        host,
        id,
        c.method.as_str(),
        c.body.chars().count() as i64,
        c.lead.is_some(),
        c.captions.len() as i64,
        c.published.is_some(),
    ])?;
    Ok(())
}

fn set_content(tx: &Transaction<'_>, id: i64, c: &Content) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE articles SET title = ?2, lead = ?3, body = ?4, captions = ?5, author = ?6,
             published_at = ?7, published_source = ?8, updated_at = ?9, tags = ?10,
             category = ?11, language = ?12, method = ?13, content_hash = ?14, authors = ?15
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        c.title,
        c.lead,
        c.body,
        json(&c.captions),
        c.author,
        c.published,
        c.published_source,
        c.updated,
        json(&c.tags),
        c.category,
        c.language,
        c.method.as_str(),
        c.content_hash,
        json(&c.authors),
    ])?;
    tx.prepare_cached("DELETE FROM images WHERE article_id = ?1")?
        .execute([id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO images (article_id, seq, src, alt, caption, position, credit)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (seq, img) in c.images.iter().enumerate() {
        stmt.execute(params![
            id,
            seq as i64,
            img.src,
            img.alt,
            img.caption,
            img.position as i64,
            img.credit
        ])?;
    }
    index_text(tx, id, &c.search)?;
    fingerprint_story(tx, id, c.signature.as_ref())?;
    Ok(())
}

fn attach(
    tx: &Transaction<'_>,
    id: i64,
    aliases: &[String],
    feeds: &[i64],
    seen_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = ts(seen_at);
    // A story's own URL is looked up in `articles` (its unique key): stored again as an
    // alias it would only double the largest index (schema 6 dropped those rows).
    let mut alias_stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO article_aliases (alias, article_id, first_seen_at)
         SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM articles WHERE url = ?1)",
    )?;
    for alias in aliases {
        alias_stmt.execute(params![alias, id, now])?;
    }
    let mut feed_stmt = tx.prepare_cached(
        "INSERT INTO article_feeds (article_id, feed_id, first_seen_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (article_id, feed_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
    )?;
    for feed in feeds {
        feed_stmt.execute(params![id, feed, now])?;
    }
    Ok(())
}

/// A list column's JSON text (`captions`, `tags`, `authors`), as both stores write it.
pub(super) fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}
