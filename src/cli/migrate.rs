//! `tindex migrate-store --to URL`: the SQLite archive copied into a PostgreSQL database for
//! workers to share, with every table counted on both sides at the end.

use std::path::Path;

use tracing::info;

use super::{Answer, CliError};
use crate::store::pg::copy;
use crate::store::{Shared, Store};

/// Copies `store` (the archive at `db`) into the shared store at `url`; exit 1 when a count
/// differs.
pub fn run(store: &Store, db: &Path, url: &str) -> Result<Answer, CliError> {
    if !crate::store::pg::is_url(url) {
        return Err(CliError::Usage(format!(
            "--to {}: expected a PostgreSQL URL (postgresql://…)",
            crate::config::redact(url)
        )));
    }
    let shown = crate::config::redact(url);
    // The copy is named by the archive's absolute path: run again with the same file, it
    // resumes.
    let source = std::fs::canonicalize(db)
        .unwrap_or_else(|_| db.to_path_buf())
        .display()
        .to_string();
    // No daemon writes to the archive while it is copied (nor starts meanwhile).
    let _lock = crate::store::RunLock::acquire(db)?;
    let shared = Shared::open(url, true)?;
    let (pg, runtime) = shared.parts();
    info!(from = %source, to = %shown, "copying the archive into the shared store");
    let copied = runtime.block_on(pg.copy_from(store, &source, |table, rows| {
        info!(table, rows, "copied");
    }))?;
    if copied.resumed {
        println!("resumed the copy of {source} into {shown}");
    }
    println!(
        "{:<20} {:>10} {:>10} {:>10}",
        "TABLE", "ARCHIVE", "SHARED", "LEFT OUT"
    );
    for t in &copied.tables {
        println!(
            "{:<20} {:>10} {:>10} {:>10}{}",
            t.table,
            t.source,
            t.target,
            t.left_out,
            if t.source == t.target {
                ""
            } else {
                "  MISMATCH"
            }
        );
    }
    let kept_here: Vec<String> = copy::not_copied(store)?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| format!("{t} ({n})"))
        .collect();
    if !kept_here.is_empty() {
        println!(
            "not copied (the shared store does not keep them): {}",
            kept_here.join(", ")
        );
    }
    if copied.exact() {
        println!("copied {source} into {shown}: every count matches");
        Ok(Answer::Yes)
    } else {
        eprintln!(
            "tindex: the counts differ (MISMATCH above): the shared store is not an exact copy"
        );
        Ok(Answer::No)
    }
}
