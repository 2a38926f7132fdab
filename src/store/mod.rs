//! The only module that speaks SQL.
//!
//! One SQLite file in WAL mode, so readers (sqlite3, Datasette, pandas) never block the daemon
//! and never see a half-written story: everything one article is (row, aliases, feeds, images)
//! is written in the same transaction as the rest of its batch.

mod articles;
mod feeds;
mod handle;
mod index;
pub mod migrations;
mod read;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;

pub use articles::{ArticleRecord, Batch, Content, ImageRow, Known, Sighting, Story, Written};
pub use feeds::{FeedPoll, FeedRow, FeedSource};
pub use handle::StoreHandle;
pub use read::{ExportImage, ExportRow, Pruned, SearchHit, Shown};

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database schema version {found} is newer than this tindex supports ({supported})")]
    TooNew { found: i64, supported: i64 },
    #[error("cannot create database directory {path}: {source}")]
    Dir {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    NotFound(String),
    /// The blocking task running store work panicked or was cancelled.
    #[error("store task failed: {0}")]
    Task(String),
}

/// An open database.
pub struct Store {
    conn: Connection,
}

/// One line of the audit log: every HTTP request tindex made, and what came of it.
#[derive(Debug, Clone)]
pub struct FetchLog {
    pub at: DateTime<Utc>,
    pub kind: FetchKind,
    pub url: String,
    pub final_url: Option<String>,
    pub status: Option<u16>,
    pub bytes: usize,
    pub elapsed_ms: u64,
    pub result: FetchResult,
}

/// What one request came to, as the audit row records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchResult {
    Fetched,
    NotModified,
    /// The request failed or was never sent: `kind` is a stable word to group by
    /// (`timeout`, `http_status`, `robots_disallowed`, …), `message` is for people.
    Failed {
        kind: &'static str,
        message: String,
    },
}

impl FetchResult {
    /// The `result` column: `fetched`, `not_modified` or `error`.
    fn as_str(&self) -> &'static str {
        match self {
            Self::Fetched => "fetched",
            Self::NotModified => "not_modified",
            Self::Failed { .. } => "error",
        }
    }
}

/// Which pipeline stage made a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchKind {
    Feed,
    Article,
    /// A robots.txt request, made before a host's first article page.
    Robots,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        // page_size only takes effect before the first table is written (or after VACUUM).
        conn.pragma_update(None, "page_size", 4096)?;
        // Also only for a new file: lets `release_free_pages` shrink it after a cycle.
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        // Checkpoint every 32 MiB of WAL instead of SQLite's 4 MiB: index and FTS pages that
        // every batch touches are then copied into the database once per checkpoint, not
        // once per few batches (a cold cycle wrote 2.2x the database size in checkpoints).
        conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
        // 32 MiB of page cache instead of 2: index pages (aliases, URLs, full-text segments)
        // stay in memory instead of being read again with a system call each (a cold cycle
        // over 36,000 stories spent a quarter of its time in the kernel).
        conn.pragma_update(None, "cache_size", -32 * 1024)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // Every statement of the write path stays prepared (rusqlite keeps 16 by default,
        // fewer than the write path uses, and re-preparing costs more than running them).
        conn.set_prepared_statement_cache_capacity(64);
        migrations::migrate(&mut conn)?;
        Ok(Self { conn })
    }

    /// Returns free pages (left by full-text index merges) to the file system and says how
    /// many there were. A no-op on databases created before incremental vacuum was enabled.
    pub fn release_free_pages(&mut self) -> Result<i64, StoreError> {
        let mode: i64 = self
            .conn
            .pragma_query_value(None, "auto_vacuum", |r| r.get(0))?;
        let free = |conn: &Connection| -> Result<i64, StoreError> {
            Ok(conn.pragma_query_value(None, "freelist_count", |r| r.get(0))?)
        };
        let before = free(&self.conn)?;
        // 2 = incremental; files made before it was enabled keep their free list.
        if mode != 2 || before == 0 {
            return Ok(0);
        }
        {
            // Each step of this pragma frees one page: run it to the end.
            let mut stmt = self.conn.prepare("PRAGMA incremental_vacuum")?;
            let mut rows = stmt.query([])?;
            while rows.next()?.is_some() {}
        }
        Ok(before - free(&self.conn)?)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

fn insert_fetches(tx: &rusqlite::Transaction<'_>, rows: &[FetchLog]) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO fetches
             (at, kind, url, final_url, status, bytes, elapsed_ms, result, error, failure)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for r in rows {
        let (error, failure) = match &r.result {
            FetchResult::Failed { kind, message } => (Some(message.as_str()), Some(*kind)),
            _ => (None, None),
        };
        stmt.execute(rusqlite::params![
            ts(r.at),
            match r.kind {
                FetchKind::Feed => "feed",
                FetchKind::Article => "article",
                FetchKind::Robots => "robots",
            },
            r.url,
            r.final_url,
            r.status,
            r.bytes as i64,
            r.elapsed_ms as i64,
            r.result.as_str(),
            error,
            failure,
        ])?;
    }
    Ok(())
}

/// Timestamps are stored as RFC 3339 UTC text with a `Z`: readable in sqlite3, sortable as text,
/// understood by SQLite's date functions and by pandas.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses a stored timestamp; a malformed one (hand-edited database) reads as "long ago".
pub fn parse_ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Space freed inside the file (as full-text merges do) goes back to the file system.
    #[test]
    fn free_pages_are_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let mut store = Store::open(&path).unwrap();
        store
            .conn
            .execute_batch(
                "CREATE TABLE junk (x BLOB);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                 INSERT INTO junk SELECT zeroblob(2000) FROM n;
                 DROP TABLE junk;
                 PRAGMA wal_checkpoint(TRUNCATE);",
            )
            .unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        let freed = store.release_free_pages().unwrap();
        assert!(freed > 900, "{freed} free pages");
        store
            .conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        let free: i64 = store
            .conn
            .pragma_query_value(None, "freelist_count", |r| r.get(0))
            .unwrap();
        assert_eq!(free, 0);
        assert!(size() < before / 2, "{} -> {}", before, size());
        assert_eq!(store.release_free_pages().unwrap(), 0);
    }
}
