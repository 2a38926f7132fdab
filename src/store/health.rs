//! The extraction log read back for rule health (`crate::health` judges it).

use chrono::{DateTime, Utc};

use super::{Store, StoreError, parse_ts, ts};

/// How long extraction rows are kept: rule health looks a week back, with room to spare.
pub(super) const KEEP_DAYS: i64 = 90;

/// How one page of a stored story came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionRow {
    /// The story's host, `www.` and case aside.
    pub host: String,
    pub at: DateTime<Utc>,
    /// `site_rule`, `generic` or `site_rule_fallback`.
    pub method: String,
    pub body_chars: i64,
    pub has_lead: bool,
    pub captions: i64,
    pub has_date: bool,
}

impl Store {
    /// Every extraction at or after `since`, oldest first.
    pub fn extractions_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<ExtractionRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT host, at, method, body_chars, has_lead, captions, has_date
             FROM extractions WHERE at >= ?1 ORDER BY at, id",
        )?;
        let rows = stmt.query_map([ts(since)], |r| {
            Ok(ExtractionRow {
                host: r.get(0)?,
                at: parse_ts(&r.get::<_, String>(1)?),
                method: r.get(2)?,
                body_chars: r.get(3)?,
                has_lead: r.get(4)?,
                captions: r.get(5)?,
                has_date: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Drops extraction rows older than the health window needs.
    pub(super) fn trim_extractions(
        tx: &rusqlite::Transaction<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let cutoff = now - chrono::Duration::days(KEEP_DAYS);
        tx.prepare_cached("DELETE FROM extractions WHERE at < ?1")?
            .execute([ts(cutoff)])?;
        Ok(())
    }
}
