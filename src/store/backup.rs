//! Online backups: a consistent copy of the archive while the daemon keeps writing.

use std::path::Path;

use super::{Store, StoreError};

/// What a backup wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackedUp {
    pub stories: i64,
    pub bytes: u64,
}

impl Store {
    /// Writes a consistent copy of the archive to `dest` with `VACUUM INTO`: one read
    /// transaction, so the copy is the archive as of one instant, the daemon's writes go on
    /// meanwhile (WAL), and the copy is compact (free pages left out). The copy is written
    /// beside `dest` under a temporary name and renamed into place once checked, so `dest`
    /// is never a half-written file; an existing `dest` is refused.
    pub fn backup_to(&self, dest: &Path) -> Result<BackedUp, StoreError> {
        let io = |what: &str, e: std::io::Error| StoreError::Backup(format!("{what}: {e}"));
        if dest.exists() {
            return Err(StoreError::Backup(format!(
                "{} exists; choose a new file (a backup never overwrites)",
                dest.display()
            )));
        }
        let name = dest
            .file_name()
            .ok_or_else(|| StoreError::Backup(format!("{}: not a file name", dest.display())))?;
        let mut partial = dest.to_path_buf();
        partial.set_file_name(format!(".{}.partial", name.to_string_lossy()));
        let _ = std::fs::remove_file(&partial);
        let target = partial
            .to_str()
            .ok_or_else(|| StoreError::Backup(format!("{}: not UTF-8", dest.display())))?;
        if let Err(e) = self.conn.execute("VACUUM INTO ?1", [target]) {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
        let checked = check_copy(&partial);
        let stories = match checked {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        std::fs::rename(&partial, dest).map_err(|e| io("cannot move the copy into place", e))?;
        let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
        Ok(BackedUp { stories, bytes })
    }
}

/// Opens the fresh copy on its own and checks it before it takes the backup's name.
fn check_copy(path: &Path) -> Result<i64, StoreError> {
    let conn = rusqlite::Connection::open(path)?;
    let verdict: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(StoreError::Backup(format!(
            "the copy failed its check: {verdict}"
        )));
    }
    Ok(conn.query_row(
        "SELECT count(*) FROM articles WHERE status = 'ok'",
        [],
        |r| r.get(0),
    )?)
}
