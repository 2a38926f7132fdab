//! `tindex export`: the archive as JSON Lines, one article per line, for scripts and scorers.

use std::io::Write;

use chrono::{DateTime, Utc};

use crate::store::{Store, StoreError};

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes every stored article (fetched at or after `since`) as one JSON object a line:
/// `id, url, title, lead, body, captions, author, published, updated, tags, category,
/// language, method, fetched, feeds`. Returns how many were written.
pub fn jsonl(
    store: &Store,
    since: Option<DateTime<Utc>>,
    out: &mut dyn Write,
) -> Result<usize, ExportError> {
    let n = store.export(since, |row| -> Result<(), ExportError> {
        serde_json::to_writer(&mut *out, &row).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(n)
}
