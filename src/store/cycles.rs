//! How each poll cycle ended, kept so monitoring (`status --check`) can see a daemon whose
//! cycles fail without reading its logs.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, parse_ts, ts};

/// Headline counts of a finished cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CycleCounts {
    pub feeds: usize,
    pub feed_errors: usize,
    pub new: usize,
    pub updated: usize,
    pub failed: usize,
}

/// One cycle as recorded: when it ran, and its counts or why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRecord {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: Result<CycleCounts, String>,
}

/// Cycle rows kept: a month of five-minute cycles, a few hundred kilobytes.
const KEEP_CYCLES: i64 = 10_000;

impl Store {
    /// Appends a finished cycle (and drops the oldest beyond [`KEEP_CYCLES`]).
    pub fn record_cycle(&mut self, c: &CycleRecord) -> Result<(), StoreError> {
        let (result, error, n) = match &c.outcome {
            Ok(n) => ("ok", None, *n),
            Err(e) => ("failed", Some(e.as_str()), CycleCounts::default()),
        };
        let tx = self.conn.transaction()?;
        tx.prepare_cached(
            "INSERT INTO cycles
                 (started_at, finished_at, result, error, feeds, feed_errors, new, updated, failed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            ts(c.started_at),
            ts(c.finished_at),
            result,
            error,
            n.feeds as i64,
            n.feed_errors as i64,
            n.new as i64,
            n.updated as i64,
            n.failed as i64,
        ])?;
        tx.prepare_cached("DELETE FROM cycles WHERE id <= last_insert_rowid() - ?1")?
            .execute([KEEP_CYCLES])?;
        Store::trim_extractions(&tx, c.finished_at)?;
        Store::trim_webhooks(&tx, c.finished_at)?;
        tx.commit()?;
        Ok(())
    }

    /// The latest recorded cycle, if any has finished.
    pub fn last_cycle(&self) -> Result<Option<CycleRecord>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT started_at, finished_at, result, error, feeds, feed_errors, new,
                        updated, failed
                 FROM cycles ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    let count = |i: usize| -> rusqlite::Result<usize> {
                        Ok(r.get::<_, i64>(i)?.max(0) as usize)
                    };
                    let outcome = if r.get::<_, String>(2)? == "ok" {
                        Ok(CycleCounts {
                            feeds: count(4)?,
                            feed_errors: count(5)?,
                            new: count(6)?,
                            updated: count(7)?,
                            failed: count(8)?,
                        })
                    } else {
                        Err(r.get::<_, Option<String>>(3)?.unwrap_or_default())
                    };
                    Ok(CycleRecord {
                        started_at: parse_ts(&r.get::<_, String>(0)?),
                        finished_at: parse_ts(&r.get::<_, String>(1)?),
                        outcome,
                    })
                },
            )
            .optional()?)
    }
}
