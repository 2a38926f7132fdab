//! One daemon per archive: `tindex run` holds an exclusive lock on a file beside the archive.
//! Two daemons on one archive would fetch every article twice and give each site twice its
//! politeness budget.
//!
//! The lock is `flock(2)` (std's `File::try_lock`), which the kernel drops when the process
//! ends however it ends, so a crash leaves no stale lock: the next `run` takes it over. The
//! file keeps the holder's pid for the message a second `run` prints. Read commands and
//! `backup` never take it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::StoreError;

/// Held for as long as the daemon runs; dropping it releases the archive.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// `tindex.sqlite` → `tindex.sqlite.lock`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    name.into()
}

impl RunLock {
    /// Takes the archive's run lock, or says which process holds it.
    pub fn acquire(db: &Path) -> Result<Self, StoreError> {
        let path = lock_path(db);
        let io = |e: std::io::Error| StoreError::Lock(format!("{}: {e}", path.display()));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {
                file.set_len(0).map_err(io)?;
                file.rewind().map_err(io)?;
                // The pid, and that this daemon takes SIGUSR1 as "look at the queue" (an older
                // one would die of it).
                writeln!(file, "{}\n{WAKES_ON_USR1}", std::process::id()).map_err(io)?;
                Ok(Self { _file: file })
            }
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let pid = text.lines().next().unwrap_or("").trim();
                Err(StoreError::InUse {
                    path: db.display().to_string(),
                    holder: if pid.is_empty() || pid.len() > 20 {
                        "another process".into()
                    } else {
                        format!("pid {pid}")
                    },
                })
            }
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }
}

/// The lock file's second line: the holder wakes on SIGUSR1 to look at queued work.
const WAKES_ON_USR1: &str = "wakes-on-usr1";

/// The running daemon's pid from the lock file beside `db`, when it says it takes SIGUSR1 and
/// that process is a tindex (a pid reused by another program is never signalled).
pub fn wakeable_holder(db: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(lock_path(db)).ok()?;
    let mut lines = text.lines();
    let pid: i32 = lines.next()?.trim().parse().ok()?;
    if pid <= 1 || lines.next().map(str::trim) != Some(WAKES_ON_USR1) {
        return None;
    }
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let program = cmdline.split(|b| *b == 0).next()?;
    let name = Path::new(std::str::from_utf8(program).ok()?).file_name()?;
    (name == "tindex").then_some(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_archive_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.sqlite");
        let first = RunLock::acquire(&db).unwrap();
        let err = RunLock::acquire(&db).unwrap_err().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        RunLock::acquire(&db).expect("released when the holder goes");
    }
}
