//! The only module that speaks SQL.
//!
//! One SQLite file in WAL mode, so readers (sqlite3, Datasette, pandas) never block the daemon
//! and never see a half-written story: everything one article is (row, aliases, feeds, images)
//! is written in the same transaction as the rest of its batch.

mod archive;
mod articles;
mod backfill;
mod backup;
mod cycles;
mod discovery;
mod feeds;
mod handle;
mod health;
mod hooks;
mod index;
pub mod lock;
pub mod migrations;
mod pages;
pub mod pg;
mod read;
mod sitemaps;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};

pub use archive::{Archive, ExtractionLog, Shared};
pub use articles::{
    ArticleRecord, Batch, Content, ImageRow, Known, Reextracted, Sighting, Story, Written,
};
pub use backfill::{Backfill, BackfillShard, BackfillState};
pub use backup::BackedUp;
pub use cycles::{CycleCounts, CycleRecord};
pub use discovery::DiscoveryDiff;
pub use feeds::{FeedPoll, FeedRow, FeedSource, FeedStates};
pub use handle::StoreHandle;
pub use health::ExtractionRow;
pub use hooks::{Attempt, Backlog, HookEvent, HookRoute, Hooks, PendingEvent, hook_key};
pub use lock::RunLock;
pub use pages::{PAGES_APPLICATION_ID, PageRef, PageStore, PagesPruned, RawHtml, StoredPage};
pub use read::{ExportFilter, ExportImage, ExportRow, Pruned, SearchHit, Shown};
pub use sitemaps::{DocRead, DocState, DocSummary, DocUpdate};

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
    #[error("no tindex archive at {0}: `tindex run --once` creates one, or name another with --db")]
    Missing(String),
    #[error("{path} is not a tindex archive ({why}); refusing to touch it")]
    Foreign { path: String, why: String },
    #[error(
        "{path} is at schema version {found}, this tindex reads {wanted}: \
         run the daemon (or `tindex run --once`) once to upgrade it"
    )]
    Old {
        path: String,
        found: i64,
        wanted: i64,
    },
    #[error("backup: {0}")]
    Backup(String),
    #[error(
        "{path} is in use by another `tindex run` ({holder}); stop it first (read commands and `backup` work meanwhile)"
    )]
    InUse { path: String, holder: String },
    #[error("cannot take the run lock {0}")]
    Lock(String),
    #[error("PostgreSQL: {}", pg_message(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("PostgreSQL connection: {0}")]
    Pool(String),
    /// `migrate-store` into a database that holds something other than this copy.
    #[error("cannot copy into that database: {0}")]
    CopyRefused(String),
    /// A feature only the SQLite store keeps, asked of the shared store.
    #[error("{0} needs the SQLite store: the PostgreSQL store does not keep it yet")]
    SqliteOnly(&'static str),
    /// The blocking task running store work panicked or was cancelled.
    #[error("store task failed: {0}")]
    Task(String),
}

impl StoreError {
    /// Another connection held the write lock past `busy_timeout`: nothing was written, and
    /// the same write may simply be tried again.
    /// On PostgreSQL: the write lost a race with another worker's and may be tried again.
    pub fn is_busy(&self) -> bool {
        match self {
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            Self::Postgres(e) => pg::is_retryable(e),
            _ => false,
        }
    }
}

/// The server's own message where there is one (tokio-postgres displays only "db error").
fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// An open database.
pub struct Store {
    conn: Connection,
    /// Where raw pages are kept, when they are (`[raw_pages]`).
    pages: Option<PageStore>,
    /// Where events go (`[[webhook]]`): queued in the outbox with the change they announce.
    hooks: Hooks,
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

    /// The `error` (for people) and `failure` (a stable word) columns: both `None` unless failed.
    fn error_parts(&self) -> (Option<&str>, Option<&'static str>) {
        match self {
            Self::Failed { kind, message } => (Some(message.as_str()), Some(*kind)),
            _ => (None, None),
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

impl FetchKind {
    /// The `kind` column.
    fn as_str(self) -> &'static str {
        match self {
            Self::Feed => "feed",
            Self::Article => "article",
            Self::Robots => "robots",
        }
    }
}

impl Store {
    /// Opens (creating if needed) and migrates the archive at `path`: for commands that write.
    /// A SQLite file that is not a tindex archive is refused untouched.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let conn = Connection::open(path)?;
        Self::writable(conn, path)
    }

    /// Opens and migrates an archive that must already exist: for commands that change an
    /// archive but make no sense on a new one (`prune`), so a mistyped path creates nothing.
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
        must_exist(path)?;
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        Self::writable(conn, path)
    }

    /// Opens an existing archive read-only: for commands that only read (`status`, `search`,
    /// `show`, `export`, `feeds list`). Nothing is created or changed, so a read-only file,
    /// or one in a directory the reader may not write, works; a missing path is an error.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        must_exist(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let mut identity = identify(&conn, path);
        if let Err(StoreError::Sqlite(e)) = &identity
            && matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
            )
            && !wal_path(path).exists()
        {
            // A WAL archive whose directory the reader may not write, with no daemon running
            // (which would have left its -wal and -shm files for readers to share): SQLite
            // cannot create the shared-memory file, so the file is read as immutable. That is
            // sound because no -wal file exists: every write is in the main file.
            tracing::debug!(db = %path.display(), "read-only directory: opening the archive as immutable");
            conn = Connection::open_with_flags(
                immutable_uri(path),
                flags | OpenFlags::SQLITE_OPEN_URI,
            )?;
            identity = identify(&conn, path);
        }
        match identity? {
            Identity::Empty => Err(StoreError::Missing(path.display().to_string())),
            Identity::Tindex(v) if v < migrations::SCHEMA_VERSION => Err(StoreError::Old {
                path: path.display().to_string(),
                found: v,
                wanted: migrations::SCHEMA_VERSION,
            }),
            Identity::Tindex(v) if v > migrations::SCHEMA_VERSION => Err(StoreError::TooNew {
                found: v,
                supported: migrations::SCHEMA_VERSION,
            }),
            Identity::Tindex(_) => {
                conn.pragma_update(None, "cache_size", -32 * 1024)?;
                Ok(Self {
                    conn,
                    pages: None,
                    hooks: Hooks::default(),
                })
            }
        }
    }

    fn writable(mut conn: Connection, path: &Path) -> Result<Self, StoreError> {
        conn.busy_timeout(Duration::from_secs(10))?;
        // Before any pragma below, which would already change another program's file.
        identify(&conn, path)?;
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
        // Every statement of the write path stays prepared (rusqlite keeps 16 by default,
        // fewer than the write path uses, and re-preparing costs more than running them).
        conn.set_prepared_statement_cache_capacity(64);
        migrations::migrate(&mut conn)?;
        Ok(Self {
            conn,
            pages: None,
            hooks: Hooks::default(),
        })
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
        incremental_vacuum(&self.conn)?;
        Ok(before - free(&self.conn)?)
    }

    /// Keeps the raw page of every story written from now on in the pages file at `path`.
    pub fn keep_pages(&mut self, path: &Path) -> Result<(), StoreError> {
        self.pages = Some(PageStore::open(path)?);
        Ok(())
    }

    /// The pages file, when pages are kept.
    pub fn pages_mut(&mut self) -> Option<&mut PageStore> {
        self.pages.as_mut()
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

/// Gives every free page of `conn`'s file back to the file system (incremental auto-vacuum).
fn incremental_vacuum(conn: &Connection) -> Result<(), StoreError> {
    // Each step of this pragma frees one page: run it to the end.
    let mut stmt = conn.prepare("PRAGMA incremental_vacuum")?;
    let mut rows = stmt.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}

/// What an opened SQLite file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity {
    /// No tables yet: a new file (or an empty one someone made with `touch`).
    Empty,
    /// A tindex archive at this schema version.
    Tindex(i64),
}

/// Tells a tindex archive from an empty file and from any other SQLite (or non-SQLite) file,
/// reading only the header and the schema table.
fn identify(conn: &Connection, path: &Path) -> Result<Identity, StoreError> {
    let foreign = |why: String| StoreError::Foreign {
        path: path.display().to_string(),
        why,
    };
    let header = conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id),
                (SELECT user_version FROM pragma_user_version),
                (SELECT count(*) FROM sqlite_schema)",
        [],
        |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        },
    );
    let (app, version, objects) = match header {
        Ok(h) => h,
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            return Err(foreign("not an SQLite database".into()));
        }
        Err(e) => return Err(e.into()),
    };
    match app {
        // Stamped as ours, but tables gone (dropped by hand, a bad restore): say so now,
        // not as "Query returned no rows" at the first write.
        migrations::APPLICATION_ID if !has_tindex_tables(conn)? => Err(foreign(
            "stamped as a tindex archive, but its tables are missing: restore a backup".into(),
        )),
        migrations::APPLICATION_ID => Ok(Identity::Tindex(version)),
        0 if objects == 0 && version == 0 => Ok(Identity::Empty),
        // Archives written before schema 4 carry no application id: known by their tables.
        0 if (1..4).contains(&version) && has_tindex_tables(conn)? => Ok(Identity::Tindex(version)),
        0 => Err(foreign(format!(
            "{objects} schema objects, user_version {version}, none of them tindex's"
        ))),
        other => Err(foreign(format!("application_id {other:#x}"))),
    }
}

fn has_tindex_tables(conn: &Connection) -> Result<bool, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'
           AND name IN ('feeds', 'articles', 'article_aliases', 'article_feeds', 'fetches')",
        [],
        |r| r.get(0),
    )?;
    Ok(n == 5)
}

fn wal_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

/// `file:` URI of `path` with `immutable=1`, every byte that URI syntax gives a meaning to
/// percent-encoded.
fn immutable_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

fn must_exist(path: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(StoreError::Foreign {
            path: path.display().to_string(),
            why: "not a regular file".into(),
        }),
        Err(_) => Err(StoreError::Missing(path.display().to_string())),
    }
}

fn insert_fetches(tx: &rusqlite::Transaction<'_>, rows: &[FetchLog]) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO fetches
             (at, kind, url, final_url, status, bytes, elapsed_ms, result, error, failure)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for r in rows {
        let (error, failure) = r.result.error_parts();
        stmt.execute(rusqlite::params![
            ts(r.at),
            r.kind.as_str(),
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
