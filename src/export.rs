//! `tindex export`: the archive as JSON Lines (one article per line, for scripts and scorers)
//! or CSV (RFC 4180, one article per row, for spreadsheets and pandas).

use std::io::Write;

use crate::store::{Archive, ExportFilter, StoreError};

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes the stored articles `filter` selects as one JSON object a line:
/// `id, url, title, lead, body, captions, author, authors, published, published_source,
/// updated, tags, category, language, method, fetched, cluster, feeds, images`. Returns how many were written.
pub fn jsonl(
    store: &Archive,
    filter: &ExportFilter,
    out: &mut dyn Write,
) -> Result<usize, ExportError> {
    let n = store.export(filter, |row| -> Result<(), ExportError> {
        serde_json::to_writer(&mut *out, &row).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(n)
}

/// CSV columns, in order; lists (captions, authors, tags, feeds) are joined with " | ",
/// images are a JSON array of `{src, alt, caption, credit, position}`.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "url",
    "title",
    "lead",
    "body",
    "captions",
    "author",
    "authors",
    "published",
    "published_source",
    "updated",
    "tags",
    "category",
    "language",
    "method",
    "fetched",
    "cluster",
    "feeds",
    "images",
];

/// Writes the same rows as [`jsonl`] as CSV with a header line.
pub fn csv(
    store: &Archive,
    filter: &ExportFilter,
    out: &mut dyn Write,
) -> Result<usize, ExportError> {
    writeln!(out, "{}", CSV_COLUMNS.join(","))?;
    let n = store.export(filter, |r| -> Result<(), ExportError> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let fields = [
            r.id.to_string(),
            r.url,
            opt(&r.title),
            opt(&r.lead),
            opt(&r.body),
            r.captions.join(" | "),
            opt(&r.author),
            r.authors.join(" | "),
            opt(&r.published),
            opt(&r.published_source),
            opt(&r.updated),
            r.tags.join(" | "),
            opt(&r.category),
            opt(&r.language),
            opt(&r.method),
            r.fetched,
            r.cluster.map(|c| c.to_string()).unwrap_or_default(),
            r.feeds.join(" | "),
            serde_json::to_string(&r.images).unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        // CRLF as RFC 4180 says; bodies keep their own "\n\n" paragraph breaks inside quotes.
        write!(out, "{}\r\n", line.join(","))?;
        Ok(())
    })?;
    out.flush()?;
    Ok(n)
}

/// Quotes a field when it holds a comma, quote or line break; doubles inner quotes.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("p1\n\np2"), "\"p1\n\np2\"");
    }
}
