//! The documents below a sitemap source (its index's shards, a robots.txt's sitemaps): what
//! each index last listed and what was last read of each, so a poll requests only the shards
//! that changed, with their own validators.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Store, StoreError, ts};

/// What the store knows of one document below a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocState {
    pub url: String,
    /// The document that listed it (the source itself, or a nested index).
    pub parent: String,
    /// The `<lastmod>` its index gave when last listed.
    pub listed_lastmod: Option<String>,
    /// False for shards left to `tindex backfill` (older than the first poll's window).
    pub wanted: bool,
    /// The listed `<lastmod>` when it was last read in full; `None`: never read.
    pub read_lastmod: Option<String>,
    /// Read in full at least once (its validators are that read's).
    pub read: bool,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A document as one poll listed it, and what reading it came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocUpdate {
    pub url: String,
    pub parent: String,
    pub listed_lastmod: Option<String>,
    pub wanted: bool,
    pub read: Option<DocRead>,
}

/// One request for a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRead {
    pub status: Option<u16>,
    /// `None` on success (200 or 304).
    pub error: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Entries or documents it listed (a 304: unchanged, `None`).
    pub entries: Option<usize>,
}

/// A sitemap source's documents as `status` shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocSummary {
    pub source: String,
    pub docs: i64,
    /// Documents read in full at least once.
    pub read: i64,
    /// Shards older than the first listing's window: `tindex backfill` reads them.
    pub left_to_backfill: i64,
    /// Documents whose last request failed (tried again next poll).
    pub failing: i64,
}

impl Store {
    /// Every document known below `source_id`, by URL.
    pub fn sitemap_docs(&self, source_id: i64) -> Result<HashMap<String, DocState>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, parent, listed_lastmod, wanted, read_lastmod, read_at IS NOT NULL,
                    etag, last_modified
             FROM sitemap_docs WHERE source_id = ?1",
        )?;
        let rows = stmt.query_map([source_id], |r| {
            Ok(DocState {
                url: r.get(0)?,
                parent: r.get(1)?,
                listed_lastmod: r.get(2)?,
                wanted: r.get(3)?,
                read_lastmod: r.get(4)?,
                read: r.get(5)?,
                etag: r.get(6)?,
                last_modified: r.get(7)?,
            })
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let row = row?;
            out.insert(row.url.clone(), row);
        }
        Ok(out)
    }

    /// Per sitemap source: documents known, read, left to backfill, failing.
    pub fn sitemap_summary(&self) -> Result<Vec<DocSummary>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT f.url, count(d.id), count(d.read_at), coalesce(sum(d.wanted = 0), 0),
                    count(d.last_error)
             FROM feeds f LEFT JOIN sitemap_docs d ON d.source_id = f.id
             WHERE f.kind = 'sitemap' AND f.active = 1 GROUP BY f.id ORDER BY f.url",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DocSummary {
                source: r.get(0)?,
                docs: r.get(1)?,
                read: r.get(2)?,
                left_to_backfill: r.get(3)?,
                failing: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Writes one poll's documents: listings always, reads only where the poll kept them (a
/// source with an unfinished story keeps its documents' old state, so they are read again).
pub(super) fn write_docs(
    tx: &rusqlite::Transaction<'_>,
    source_id: i64,
    docs: &[DocUpdate],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let at = ts(at);
    for d in docs {
        tx.prepare_cached(
            "INSERT INTO sitemap_docs (source_id, url, parent, listed_lastmod, wanted, listed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (source_id, url) DO UPDATE SET parent = excluded.parent,
                 listed_lastmod = excluded.listed_lastmod, listed_at = excluded.listed_at,
                 wanted = max(wanted, excluded.wanted)",
        )?
        .execute(params![
            source_id,
            d.url,
            d.parent,
            d.listed_lastmod,
            d.wanted,
            at
        ])?;
        let Some(read) = &d.read else { continue };
        match &read.error {
            None => tx
                .prepare_cached(
                    "UPDATE sitemap_docs SET read_lastmod = listed_lastmod, read_at = ?3,
                         etag = coalesce(?4, etag), last_modified = coalesce(?5, last_modified),
                         entries = coalesce(?6, entries), last_status = ?7, last_error = NULL
                     WHERE source_id = ?1 AND url = ?2",
                )?
                .execute(params![
                    source_id,
                    d.url,
                    at,
                    read.etag,
                    read.last_modified,
                    read.entries.map(|n| n as i64),
                    read.status
                ])?,
            Some(error) => tx
                .prepare_cached(
                    "UPDATE sitemap_docs SET last_status = ?3, last_error = ?4
                     WHERE source_id = ?1 AND url = ?2",
                )?
                .execute(params![source_id, d.url, read.status, error])?,
        };
    }
    Ok(())
}
