//! Raw pages kept for re-extraction: the HTML of each article fetch, compressed, in its own
//! SQLite file beside the archive (`tindex.sqlite` → `tindex.pages.sqlite`).
//!
//! A separate file keeps the archive users query small (a page is 5-20× its article's
//! text) and lets an operator delete every raw page at once without touching a story. The
//! archive is written first and the page after, each in its own transaction: a crash between
//! the two loses only the raw copy, never a story, and leaves no page without a story. A page
//! whose story was later pruned from the archive ages out with the rest: pruning is by age
//! and total size only, so nothing in this file outlives `keep_days`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::{StoreError, parse_ts, ts};

/// `PRAGMA application_id` of a pages file: "tidp".
pub const PAGES_APPLICATION_ID: i32 = 0x7469_6470;

/// Largest page decompressed from the file (as large as extraction accepts).
const MAX_INFLATED: u64 = crate::extract::MAX_HTML_BYTES as u64;

const SCHEMA: &str = "
CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    stored INTEGER NOT NULL,
    html BLOB NOT NULL
);
CREATE INDEX pages_article ON pages (article_id, id);
CREATE INDEX pages_fetched ON pages (fetched_at);
-- Covers the size check and the oldest-first walk, which then never read a page's blob.
CREATE INDEX pages_size ON pages (id, stored);
";

/// zstd level for kept pages: 4.3x on news HTML at ~460 MB/s a core; level 3 gives 5 % fewer
/// bytes for 1.5x the CPU, which a cold cycle feels (BENCHMARKS.md).
const ZSTD_LEVEL: i32 = 1;

/// One page's HTML, zstd-compressed: what the pipeline hands the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHtml {
    /// Size of the HTML before compression.
    pub bytes: usize,
    compressed: Vec<u8>,
}

impl RawHtml {
    /// Compresses `html`. Compressing into memory fails only when memory does; the copy is
    /// then empty, and reading it back says the page is damaged.
    pub fn compress(html: &str) -> Self {
        thread_local! {
            // One compression context per thread, reused: setting one up costs about as much
            // as compressing a page.
            static CONTEXT: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
                const { std::cell::RefCell::new(None) };
        }
        let compressed = CONTEXT
            .with(|cell| {
                let mut cell = cell.borrow_mut();
                if cell.is_none() {
                    *cell = zstd::bulk::Compressor::new(ZSTD_LEVEL).ok();
                }
                cell.as_mut().map(|c| c.compress(html.as_bytes()))
            })
            .and_then(Result::ok)
            .map(|mut v| {
                // Allocated at the input's worst-case bound: keep only what it holds, since
                // the copy waits in memory with its record until the batch is stored.
                v.shrink_to_fit();
                v
            })
            .unwrap_or_default();
        Self {
            bytes: html.len(),
            compressed,
        }
    }

    /// Bytes it takes in the file.
    pub fn stored(&self) -> usize {
        self.compressed.len()
    }
}

fn decompress(compressed: &[u8]) -> Result<String, StoreError> {
    let mut out = Vec::new();
    zstd::stream::read::Decoder::new(compressed)
        .and_then(|d| d.take(MAX_INFLATED + 1).read_to_end(&mut out))
        .map_err(|e| StoreError::NotFound(format!("stored page is damaged: {e}")))?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(StoreError::NotFound(
            "stored page decompresses past the page limit".into(),
        ));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// A kept page, decompressed.
#[derive(Debug, Clone)]
pub struct StoredPage {
    pub id: i64,
    pub article_id: i64,
    /// The story's URL when the page was fetched.
    pub url: String,
    pub fetched_at: DateTime<Utc>,
    pub html: String,
}

/// A page listed for re-extraction (not yet decompressed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRef {
    pub id: i64,
    pub article_id: i64,
    pub url: String,
    pub fetched_at: DateTime<Utc>,
}

/// What a prune of the pages file removed, and what is left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PagesPruned {
    pub removed: u64,
    pub kept: u64,
    /// Compressed bytes of the kept pages.
    pub kept_bytes: u64,
}

/// The pages file.
pub struct PageStore {
    conn: Connection,
}

impl PageStore {
    /// The pages file of the archive at `archive`.
    pub fn path_beside(archive: &Path) -> PathBuf {
        let stem = archive
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "tindex".into());
        archive.with_file_name(format!("{stem}.pages.sqlite"))
    }

    /// Opens (creating) the pages file for writing.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        check_ours(&conn, path)?;
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version == 0 {
            conn.execute_batch(SCHEMA)?;
            conn.pragma_update(None, "application_id", PAGES_APPLICATION_ID)?;
            conn.pragma_update(None, "user_version", 1)?;
        }
        Ok(Self { conn })
    }

    /// Opens an existing pages file read-only (`rules test --id`).
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::NotFound(format!(
                "no raw pages at {} (kept by `tindex run` when [raw_pages] is on)",
                path.display()
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        if check_ours(&conn, path).is_err() && !super::wal_path(path).exists() {
            // As for the archive: a reader who may not write the directory, with no daemon
            // running, cannot make the shared-memory file; with no -wal file every write is in
            // the main file, so it is read as immutable.
            conn = Connection::open_with_flags(
                super::immutable_uri(path),
                flags | OpenFlags::SQLITE_OPEN_URI,
            )?;
        }
        check_ours(&conn, path)?;
        Ok(Self { conn })
    }

    /// Keeps the page each story of a committed batch was extracted from.
    pub(super) fn put(
        &mut self,
        pages: &[(i64, &str, DateTime<Utc>, &RawHtml)],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO pages (article_id, url, fetched_at, bytes, stored, html)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (article_id, url, at, raw) in pages {
                stmt.execute(params![
                    article_id,
                    url,
                    ts(*at),
                    raw.bytes as i64,
                    raw.stored() as i64,
                    raw.compressed
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The latest page of every story, oldest first: fetched at or after `since`, and of
    /// story `article` only when given.
    pub fn latest(
        &self,
        since: Option<DateTime<Utc>>,
        article: Option<i64>,
    ) -> Result<Vec<PageRef>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, article_id, url, fetched_at FROM pages p
             WHERE id = (SELECT max(id) FROM pages q WHERE q.article_id = p.article_id)
               AND fetched_at >= ?1 AND (?2 IS NULL OR article_id = ?2)
             ORDER BY id",
        )?;
        let since = since.map(ts).unwrap_or_default();
        let rows = stmt.query_map(params![since, article], |r| {
            Ok(PageRef {
                id: r.get(0)?,
                article_id: r.get(1)?,
                url: r.get(2)?,
                fetched_at: parse_ts(&r.get::<_, String>(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One kept page, decompressed.
    pub fn load(&self, page: &PageRef) -> Result<StoredPage, StoreError> {
        let compressed: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT html FROM pages WHERE id = ?1", [page.id], |r| {
                r.get(0)
            })
            .optional()?;
        let compressed = compressed
            .ok_or_else(|| StoreError::NotFound(format!("raw page {} was pruned", page.id)))?;
        Ok(StoredPage {
            id: page.id,
            article_id: page.article_id,
            url: page.url.clone(),
            fetched_at: page.fetched_at,
            html: decompress(&compressed)?,
        })
    }

    /// Removes pages fetched before `cutoff`, then the oldest until the rest take at most
    /// `max_bytes`, and returns the freed space to the file system.
    pub fn prune(
        &mut self,
        cutoff: DateTime<Utc>,
        max_bytes: u64,
    ) -> Result<PagesPruned, StoreError> {
        let tx = self.conn.transaction()?;
        let mut removed =
            tx.execute("DELETE FROM pages WHERE fetched_at < ?1", [ts(cutoff)])? as u64;
        let total: i64 = tx.query_row("SELECT total(stored) FROM pages", [], |r| {
            r.get::<_, f64>(0).map(|t| t as i64)
        })?;
        if total as u64 > max_bytes {
            let mut excess = total as u64 - max_bytes;
            let mut last = None;
            {
                let mut stmt = tx.prepare("SELECT id, stored FROM pages ORDER BY id")?;
                let mut rows = stmt.query([])?;
                while excess > 0
                    && let Some(row) = rows.next()?
                {
                    last = Some(row.get::<_, i64>(0)?);
                    excess = excess.saturating_sub(row.get::<_, i64>(1)?.max(0) as u64);
                }
            }
            if let Some(last) = last {
                removed += tx.execute("DELETE FROM pages WHERE id <= ?1", [last])? as u64;
            }
        }
        let (kept, kept_bytes): (i64, f64) =
            tx.query_row("SELECT count(*), total(stored) FROM pages", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        tx.commit()?;
        if removed > 0 {
            super::incremental_vacuum(&self.conn)?;
        }
        Ok(PagesPruned {
            removed,
            kept: kept.max(0) as u64,
            kept_bytes: kept_bytes.max(0.0) as u64,
        })
    }
}

/// Refuses a file that is neither new nor a pages file (the path may be mistyped).
fn check_ours(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let (app, objects): (i32, i64) = conn
        .query_row(
            "SELECT (SELECT application_id FROM pragma_application_id),
                    (SELECT count(*) FROM sqlite_schema)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| StoreError::Foreign {
            path: path.display().to_string(),
            why: e.to_string(),
        })?;
    if app == PAGES_APPLICATION_ID || (app == 0 && objects == 0) {
        Ok(())
    } else {
        Err(StoreError::Foreign {
            path: path.display().to_string(),
            why: format!("not a tindex pages file (application_id {app:#x})"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize) -> RawHtml {
        RawHtml::compress(&format!(
            "<html><body><p>{}</p></body></html>",
            "chữ ".repeat(n)
        ))
    }

    #[test]
    fn a_page_comes_back_as_it_went_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = PageStore::open(&dir.path().join("p.sqlite")).unwrap();
        let html = "<p>Tiêu đề — bài viết</p>".repeat(50);
        let raw = RawHtml::compress(&html);
        assert!(
            raw.stored() * 5 < html.len(),
            "{} -> {}",
            html.len(),
            raw.stored()
        );
        s.put(&[(7, "https://a.vn/x", Utc::now(), &raw)]).unwrap();
        let refs = s.latest(None, Some(7)).unwrap();
        assert_eq!(refs.len(), 1);
        assert_eq!(s.load(&refs[0]).unwrap().html, html);
    }

    #[test]
    fn only_the_latest_page_of_a_story_is_listed() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = PageStore::open(&dir.path().join("p.sqlite")).unwrap();
        let (a, b) = (page(10), page(20));
        s.put(&[(1, "u", Utc::now(), &a), (2, "v", Utc::now(), &a)])
            .unwrap();
        s.put(&[(1, "u", Utc::now(), &b)]).unwrap();
        let refs = s.latest(None, None).unwrap();
        assert_eq!(
            refs.iter()
                .map(|r| (r.id, r.article_id))
                .collect::<Vec<_>>(),
            [(2, 2), (3, 1)]
        );
    }

    #[test]
    fn prune_removes_by_age_then_oldest_first_down_to_the_size_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = PageStore::open(&dir.path().join("p.sqlite")).unwrap();
        let now = Utc::now();
        let old = now - chrono::Duration::days(40);
        let raw = page(2000);
        s.put(&[(1, "a", old, &raw)]).unwrap();
        for id in 2..=5 {
            s.put(&[(id, "b", now, &raw)]).unwrap();
        }
        let cutoff = now - chrono::Duration::days(30);
        let one = raw.stored() as u64;
        let p = s.prune(cutoff, 2 * one).unwrap();
        assert_eq!((p.removed, p.kept, p.kept_bytes), (3, 2, 2 * one));
        let left: Vec<i64> = s
            .latest(None, None)
            .unwrap()
            .iter()
            .map(|r| r.article_id)
            .collect();
        assert_eq!(left, [4, 5]);
    }

    #[test]
    fn an_archive_is_not_taken_for_a_pages_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        drop(super::super::Store::open(&path).unwrap());
        assert!(matches!(
            PageStore::open(&path),
            Err(StoreError::Foreign { .. })
        ));
    }
}
