//! Backfills: a site's dated sitemap shards walked newest first, with the progress stored
//! shard by shard so a crash, a stop or Ctrl-C resumes where it was.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::{Store, StoreError, ts};

/// Where a backfill is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackfillState {
    /// Its shards are not listed yet.
    Listing,
    /// Shards listed; walking them newest first.
    Walking,
    /// Every shard walked.
    Done,
    /// The site had nothing to walk (no sitemap source, or no dated shard in the range).
    Failed,
}

impl BackfillState {
    /// The word stored in `backfills.state` and shown by `status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Listing => "listing",
            Self::Walking => "walking",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "listing" => Self::Listing,
            "walking" => Self::Walking,
            "done" => Self::Done,
            _ => Self::Failed,
        }
    }

    /// Still to be worked on by a daemon.
    pub fn unfinished(self) -> bool {
        matches!(self, Self::Listing | Self::Walking)
    }
}

/// One backfill as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backfill {
    pub id: i64,
    /// The host as given (`baophapluat.vn`), matched with [`crate::host::same_site`].
    pub site: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub state: BackfillState,
    pub created_at: String,
    pub updated_at: String,
    pub shards: i64,
    pub shards_done: i64,
    pub stories_new: i64,
    pub error: Option<String>,
}

/// One shard a backfill walks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackfillShard {
    pub source_id: i64,
    /// The source's URL (read with the shard; not stored twice): its `[[sitemap]]` settings.
    pub source: String,
    pub url: String,
    /// The last day it covers (walked newest first).
    pub day: NaiveDate,
}

const COLUMNS: &str = "id, site, from_day, to_day, state, created_at, updated_at, shards,
    shards_done, stories_new, error";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

fn backfill_row(r: &Row<'_>) -> rusqlite::Result<Backfill> {
    Ok(Backfill {
        id: r.get(0)?,
        site: r.get(1)?,
        from: day(&r.get::<_, String>(2)?),
        to: day(&r.get::<_, String>(3)?),
        state: BackfillState::parse(&r.get::<_, String>(4)?),
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
        shards: r.get(7)?,
        shards_done: r.get(8)?,
        stories_new: r.get(9)?,
        error: r.get(10)?,
    })
}

impl Store {
    /// Queues a backfill; an unfinished one for the same site and days is resumed instead
    /// (`true` when a new one was queued).
    pub fn queue_backfill(
        &mut self,
        site: &str,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(Backfill, bool), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (from_s, to_s) = (from.to_string(), to.to_string());
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM backfills WHERE site = ?1 AND from_day = ?2 AND to_day = ?3
                   AND state IN ('listing', 'walking') ORDER BY id LIMIT 1",
                params![site, from_s, to_s],
                |r| r.get(0),
            )
            .optional()?;
        let (id, new) = match existing {
            Some(id) => (id, false),
            None => {
                tx.execute(
                    "INSERT INTO backfills (site, from_day, to_day, state, created_at, updated_at)
                     VALUES (?1, ?2, ?3, 'listing', ?4, ?4)",
                    params![site, from_s, to_s, ts(now)],
                )?;
                (tx.last_insert_rowid(), true)
            }
        };
        let row = tx.query_row(
            &format!("SELECT {COLUMNS} FROM backfills WHERE id = ?1"),
            [id],
            backfill_row,
        )?;
        tx.commit()?;
        Ok((row, new))
    }

    /// Backfills still to be walked, oldest request first.
    pub fn unfinished_backfills(&self) -> Result<Vec<Backfill>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM backfills WHERE state IN ('listing', 'walking') ORDER BY id"
        ))?;
        let rows = stmt.query_map([], backfill_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The unfinished backfills and the last `finished` finished ones, newest first.
    pub fn recent_backfills(&self, finished: usize) -> Result<Vec<Backfill>, StoreError> {
        let mut out = self.unfinished_backfills()?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM backfills WHERE state IN ('done', 'failed')
             ORDER BY id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([finished as i64], backfill_row)?;
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }

    /// The active sitemap sources on `site` (its robots.txt, indexes, shards), by id.
    pub fn sitemap_sources_of(&self, site: &str) -> Result<Vec<(i64, String)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, url FROM feeds WHERE kind = 'sitemap' AND active = 1 ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, url) = row?;
            if crate::host::same_site(&crate::host::site_of(&url), site) {
                out.push((id, url));
            }
        }
        Ok(out)
    }

    /// Records a backfill's shards (walked newest first) and starts walking them.
    pub fn list_backfill(
        &mut self,
        id: i64,
        shards: &[BackfillShard],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for s in shards {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO backfill_shards (backfill_id, source_id, url, day)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id, s.source_id, s.url, s.day.to_string()])?;
        }
        tx.execute(
            "UPDATE backfills SET state = 'walking', updated_at = ?2,
                 shards = (SELECT count(*) FROM backfill_shards WHERE backfill_id = ?1)
             WHERE id = ?1",
            params![id, ts(now)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The newest shard of a backfill not walked yet.
    pub fn next_backfill_shard(&self, id: i64) -> Result<Option<BackfillShard>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT s.source_id, f.url, s.url, s.day FROM backfill_shards s
                 JOIN feeds f ON f.id = s.source_id
                 WHERE s.backfill_id = ?1 AND s.done_at IS NULL ORDER BY s.day DESC, s.url LIMIT 1",
                [id],
                |r| {
                    Ok(BackfillShard {
                        source_id: r.get(0)?,
                        source: r.get(1)?,
                        url: r.get(2)?,
                        day: day(&r.get::<_, String>(3)?),
                    })
                },
            )
            .optional()?)
    }

    /// Marks a shard walked: every story it listed is stored (or failed, recorded).
    pub fn backfill_shard_done(
        &mut self,
        id: i64,
        url: &str,
        entries: usize,
        new: usize,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE backfill_shards SET done_at = ?3, entries = ?4
             WHERE backfill_id = ?1 AND url = ?2 AND done_at IS NULL",
            params![id, url, ts(now), entries as i64],
        )?;
        tx.execute(
            "UPDATE backfills SET shards_done = shards_done + ?2, stories_new = stories_new + ?3,
                 updated_at = ?4 WHERE id = ?1",
            params![id, n as i64, new as i64, ts(now)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Ends a backfill (`Done`, or `Failed` with why).
    pub fn finish_backfill(
        &mut self,
        id: i64,
        state: BackfillState,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE backfills SET state = ?2, error = ?3, updated_at = ?4, finished_at = ?4
             WHERE id = ?1",
            params![id, state.as_str(), error, ts(now)],
        )?;
        Ok(())
    }
}
