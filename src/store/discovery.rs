//! Feeds found by discovery (`crate::discover`), kept so that feeds appearing or vanishing
//! between two checks can be told, and a feed that went away can be shown with the one that
//! replaced it.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, parse_ts, ts};

/// What one discovery check changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoveryDiff {
    /// Found now, not found by the check before (every feed, at a page's first check).
    pub appeared: Vec<String>,
    /// Found before, not now.
    pub vanished: Vec<String>,
    /// Whether this was the page's first check.
    pub first: bool,
}

impl Store {
    /// When `page` was last checked, and whether that check failed.
    pub fn discovery_checked(
        &self,
        page: &str,
    ) -> Result<Option<(DateTime<Utc>, bool)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT checked_at, error IS NOT NULL FROM discovery_checks WHERE page = ?1",
                [page],
                |r| Ok((parse_ts(&r.get::<_, String>(0)?), r.get(1)?)),
            )
            .optional()?)
    }

    /// Records a check of `page`: the feeds it found (URL, title), or why it failed (then
    /// the feeds known stay as they were).
    pub fn record_discovery(
        &mut self,
        page: &str,
        at: DateTime<Utc>,
        found: Result<&[(String, Option<String>)], &str>,
    ) -> Result<DiscoveryDiff, StoreError> {
        let tx = self.conn.transaction()?;
        let first: bool = tx.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM discovered_feeds WHERE page = ?1)",
            [page],
            |r| r.get(0),
        )?;
        let mut diff = DiscoveryDiff {
            first,
            ..DiscoveryDiff::default()
        };
        let now = ts(at);
        match found {
            Err(error) => {
                tx.execute(
                    "INSERT INTO discovery_checks (page, checked_at, error) VALUES (?1, ?2, ?3)
                     ON CONFLICT (page) DO UPDATE SET checked_at = ?2, error = ?3",
                    params![page, now, error],
                )?;
            }
            Ok(feeds) => {
                // By set, not by time: two checks may fall in the same second.
                let present: Vec<String> = {
                    let mut stmt = tx.prepare(
                        "SELECT url FROM discovered_feeds WHERE page = ?1 AND gone_at IS NULL",
                    )?;
                    let rows = stmt.query_map([page], |r| r.get::<_, String>(0))?;
                    rows.collect::<Result<_, _>>()?
                };
                for (url, title) in feeds {
                    if !present.contains(url) {
                        diff.appeared.push(url.clone());
                    }
                    tx.execute(
                        "INSERT INTO discovered_feeds (page, url, title, first_seen_at, last_seen_at)
                         VALUES (?1, ?2, ?3, ?4, ?4)
                         ON CONFLICT (page, url) DO UPDATE
                             SET title = coalesce(?3, title), last_seen_at = ?4, gone_at = NULL",
                        params![page, url, title, now],
                    )?;
                }
                for url in present {
                    if !feeds.iter().any(|(u, _)| *u == url) {
                        tx.execute(
                            "UPDATE discovered_feeds SET gone_at = ?3 WHERE page = ?1 AND url = ?2",
                            params![page, url, now],
                        )?;
                        diff.vanished.push(url);
                    }
                }
                tx.execute(
                    "INSERT INTO discovery_checks (page, checked_at, error) VALUES (?1, ?2, NULL)
                     ON CONFLICT (page) DO UPDATE SET checked_at = ?2, error = NULL",
                    params![page, now],
                )?;
            }
        }
        tx.commit()?;
        Ok(diff)
    }

    /// Every feed the last checks found (not vanished since).
    pub fn discovered_feeds(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT url FROM discovered_feeds WHERE gone_at IS NULL ORDER BY url",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
