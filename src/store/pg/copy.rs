//! `tindex migrate-store`: a SQLite archive copied into the shared store, table by table in
//! key order, a chunk per transaction. Each chunk's transaction also records the last key it
//! copied (`tindex_copies`), so a copy stopped anywhere resumes after the last chunk that
//! committed and no row is copied twice. Ids are kept, so every reference stays true; the
//! sequences are moved past them at the end. Rows that point at no story or feed (left by a
//! hand-edited archive; the shared store's foreign keys refuse them) are left out and counted.

use std::collections::BTreeMap;

use rusqlite::types::Value;
use tokio_postgres::types::{ToSql, Type};

use super::super::{Store, StoreError};
use super::PgStore;
use super::feeds::host_of;
use crate::textfold::SearchText;

/// Rows copied per transaction.
const CHUNK: usize = 500;

/// One table to copy: its key (paging and resuming), columns as both stores name them, and
/// which rows of it the shared store can take.
struct Table {
    name: &'static str,
    key: &'static [&'static str],
    columns: &'static [&'static str],
    /// SQLite condition for rows whose references hold.
    valid: Option<&'static str>,
    /// Values the shared store adds, computed from the row.
    extra: Extra,
}

/// Columns only the shared store has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Extra {
    None,
    /// `feeds.host`, from the URL (column 1).
    Host,
    /// `articles.search`, from title, lead and body (columns 6, 7, 8).
    Search,
}

const TABLES: &[Table] = &[
    Table {
        name: "feeds",
        key: &["id"],
        columns: &[
            "id",
            "url",
            "title",
            "source",
            "active",
            "interval_secs",
            "etag",
            "last_modified",
            "added_at",
            "last_polled_at",
            "last_success_at",
            "last_status",
            "next_poll_at",
            "error_count",
            "last_error",
            "error_since",
            "last_listed_at",
            "publish_interval_secs",
            "kind",
        ],
        valid: None,
        extra: Extra::Host,
    },
    Table {
        name: "articles",
        key: &["id"],
        columns: &[
            "id",
            "url",
            "guid",
            "status",
            "error",
            "attempts",
            "title",
            "lead",
            "body",
            "captions",
            "author",
            "authors",
            "published_at",
            "published_source",
            "updated_at",
            "tags",
            "category",
            "language",
            "method",
            "content_hash",
            "cluster_id",
            "first_seen_at",
            "fetched_at",
        ],
        valid: None,
        extra: Extra::Search,
    },
    Table {
        name: "article_aliases",
        key: &["alias"],
        columns: &["alias", "article_id", "first_seen_at"],
        valid: Some("article_id IN (SELECT id FROM articles)"),
        extra: Extra::None,
    },
    Table {
        name: "article_feeds",
        key: &["article_id", "feed_id"],
        columns: &["article_id", "feed_id", "first_seen_at", "last_seen_at"],
        valid: Some(
            "article_id IN (SELECT id FROM articles) AND feed_id IN (SELECT id FROM feeds)",
        ),
        extra: Extra::None,
    },
    Table {
        name: "images",
        key: &["article_id", "seq"],
        columns: &[
            "article_id",
            "seq",
            "src",
            "alt",
            "caption",
            "position",
            "credit",
        ],
        valid: Some("article_id IN (SELECT id FROM articles)"),
        extra: Extra::None,
    },
    Table {
        name: "article_revisions",
        key: &["rowid"],
        columns: &[
            "article_id",
            "revised_at",
            "content_hash",
            "title",
            "lead",
            "body",
            "captions",
        ],
        valid: Some("article_id IN (SELECT id FROM articles)"),
        extra: Extra::None,
    },
    Table {
        name: "fingerprints",
        key: &["article_id"],
        columns: &["article_id", "signature"],
        valid: Some("article_id IN (SELECT id FROM articles)"),
        extra: Extra::None,
    },
    Table {
        name: "fingerprint_bands",
        key: &["key", "article_id"],
        columns: &["key", "article_id"],
        valid: Some("article_id IN (SELECT id FROM articles)"),
        extra: Extra::None,
    },
    Table {
        name: "sitemap_docs",
        key: &["id"],
        columns: &[
            "id",
            "source_id",
            "url",
            "parent",
            "listed_lastmod",
            "wanted",
            "listed_at",
            "read_lastmod",
            "read_at",
            "etag",
            "last_modified",
            "entries",
            "last_status",
            "last_error",
        ],
        valid: Some("source_id IN (SELECT id FROM feeds)"),
        extra: Extra::None,
    },
    Table {
        name: "fetches",
        key: &["id"],
        columns: &[
            "id",
            "at",
            "kind",
            "url",
            "final_url",
            "status",
            "bytes",
            "elapsed_ms",
            "result",
            "error",
            "failure",
        ],
        valid: None,
        extra: Extra::None,
    },
    Table {
        name: "cycles",
        key: &["id"],
        columns: &[
            "id",
            "started_at",
            "finished_at",
            "result",
            "error",
            "feeds",
            "feed_errors",
            "new",
            "updated",
            "failed",
        ],
        valid: None,
        extra: Extra::None,
    },
    Table {
        name: "extractions",
        key: &["id"],
        columns: &[
            "id",
            "at",
            "host",
            "article_id",
            "method",
            "body_chars",
            "has_lead",
            "captions",
            "has_date",
        ],
        valid: None,
        extra: Extra::None,
    },
];

/// Tables with an id sequence to move past the copied ids.
const SEQUENCES: &[&str] = &[
    "feeds",
    "articles",
    "sitemap_docs",
    "fetches",
    "cycles",
    "extractions",
];

/// What the SQLite archive keeps that the shared store does not: named in the report.
pub const NOT_COPIED: &[&str] = &[
    "webhook_outbox",
    "webhook_deliveries",
    "backfills",
    "backfill_shards",
    "discovered_feeds",
    "discovery_checks",
];

/// One table's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    /// Rows in the SQLite archive the shared store can take.
    pub source: i64,
    /// Rows of the SQLite archive left out: they point at no story or feed.
    pub left_out: i64,
    /// Rows in the shared store after the copy.
    pub target: i64,
    /// Rows this run copied (the rest were copied by an earlier, stopped run).
    pub copied_now: u64,
}

/// The whole copy's outcome.
#[derive(Debug, Clone)]
pub struct Copied {
    pub tables: Vec<TableCount>,
    /// Whether an earlier run of this copy had been stopped and this one went on from it.
    pub resumed: bool,
}

impl Copied {
    /// Every table holds in the shared store exactly what the archive holds.
    pub fn exact(&self) -> bool {
        self.tables.iter().all(|t| t.source == t.target)
    }
}

impl PgStore {
    /// Copies `sqlite` (the archive at `source`, its absolute path naming the copy for a
    /// resume) into this store. The store must be empty, or hold an unfinished copy of this
    /// same archive. `progress` hears each table's name and the rows copied so far.
    pub async fn copy_from(
        &self,
        sqlite: &Store,
        source: &str,
        mut progress: impl FnMut(&str, u64),
    ) -> Result<Copied, StoreError> {
        let resumed = self.check_target(sqlite, source).await?;
        let mut tables = Vec::new();
        for table in TABLES {
            let copied_now = self
                .copy_table(sqlite, source, table, &mut progress)
                .await?;
            let (source_n, left_out) = source_counts(sqlite, table)?;
            let target: i64 = self
                .client()
                .await?
                .query_one(&format!("SELECT count(*) FROM {}", table.name), &[])
                .await?
                .get(0);
            tables.push(TableCount {
                table: table.name,
                source: source_n,
                left_out,
                target,
                copied_now,
            });
        }
        let client = self.client().await?;
        for t in SEQUENCES {
            client
                .execute(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{t}', 'id'),
                                       coalesce((SELECT max(id) FROM {t}), 0) + 1, false)"
                    ),
                    &[],
                )
                .await?;
        }
        client
            .execute(
                "INSERT INTO host_leases (host) SELECT DISTINCT host FROM feeds
                 ON CONFLICT DO NOTHING",
                &[],
            )
            .await?;
        Ok(Copied { tables, resumed })
    }

    /// Refuses a target that holds anything but an unfinished copy of `source` as it is now;
    /// returns whether there is one to resume.
    async fn check_target(&self, sqlite: &Store, source: &str) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let other: Option<String> = client
            .query_opt(
                "SELECT source FROM tindex_copies WHERE source != $1 LIMIT 1",
                &[&source],
            )
            .await?
            .map(|r| r.get(0));
        if let Some(other) = other {
            return Err(StoreError::CopyRefused(format!(
                "it holds a copy of another archive ({other}); copy into an empty database"
            )));
        }
        let ours: i64 = client
            .query_one(
                "SELECT count(*) FROM tindex_copies WHERE source = $1",
                &[&source],
            )
            .await?
            .get(0);
        let mark = archive_mark(sqlite)?;
        if ours > 0 {
            let stored: Option<String> = client
                .query_opt(
                    "SELECT last_key FROM tindex_copies WHERE source = $1 AND table_name = $2",
                    &[&source, &MARK],
                )
                .await?
                .and_then(|r| r.get(0));
            if stored.as_deref() != Some(mark.as_str()) {
                return Err(StoreError::CopyRefused(format!(
                    "{source} was written to since this copy started (a daemon ran on it?): \
                     drop the database and copy again, with the daemon stopped"
                )));
            }
        }
        if ours == 0 {
            let r = client
                .query_one(
                    "SELECT (SELECT count(*) FROM feeds), (SELECT count(*) FROM articles)",
                    &[],
                )
                .await?;
            let (feeds, stories): (i64, i64) = (r.get(0), r.get(1));
            if feeds + stories > 0 {
                return Err(StoreError::CopyRefused(format!(
                    "it already holds {stories} stories and {feeds} feeds; copy into an empty database"
                )));
            }
            client
                .execute(
                    "INSERT INTO tindex_copies (source, table_name, last_key, done)
                     VALUES ($1, $2, $3, TRUE)",
                    &[&source, &MARK, &mark],
                )
                .await?;
        }
        Ok(ours > 0)
    }

    /// Copies what is left of one table, a chunk per transaction; returns the rows copied.
    async fn copy_table(
        &self,
        sqlite: &Store,
        source: &str,
        table: &Table,
        progress: &mut impl FnMut(&str, u64),
    ) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let state = client
            .query_opt(
                "SELECT last_key, done FROM tindex_copies WHERE source = $1 AND table_name = $2",
                &[&source, &table.name],
            )
            .await?;
        if state.as_ref().is_some_and(|r| r.get::<_, bool>(1)) {
            return Ok(0);
        }
        let mut last: Option<Vec<Value>> = state
            .and_then(|r| r.get::<_, Option<String>>(0))
            .map(|k| key_from_json(&k));
        let insert = client.prepare(&insert_sql(table)).await?;
        let types = insert.params().to_vec();
        let mut copied = 0u64;
        loop {
            let rows = read_chunk(sqlite, table, last.as_deref())?;
            let tx = client.transaction().await?;
            for row in &rows {
                let values = with_extra(table, &row[table.key.len()..]);
                let params = values
                    .into_iter()
                    .zip(&types)
                    .map(|(v, ty)| pg_value(v, ty))
                    .collect::<Vec<_>>();
                let refs: Vec<&(dyn ToSql + Sync)> = params
                    .iter()
                    .map(|p| p.as_ref() as &(dyn ToSql + Sync))
                    .collect();
                tx.execute(&insert, &refs).await?;
            }
            if let Some(row) = rows.last() {
                last = Some(row[..table.key.len()].to_vec());
            }
            let done = rows.len() < CHUNK;
            let key = last.as_deref().map(key_to_json);
            tx.execute(
                "INSERT INTO tindex_copies (source, table_name, last_key, copied, done)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (source, table_name) DO UPDATE SET last_key = excluded.last_key,
                     copied = tindex_copies.copied + excluded.copied, done = excluded.done",
                &[&source, &table.name, &key, &(rows.len() as i64), &done],
            )
            .await?;
            tx.commit().await?;
            copied += rows.len() as u64;
            progress(table.name, copied);
            if done {
                return Ok(copied);
            }
        }
    }
}

/// The `tindex_copies` row that says which state of the archive a copy is of.
const MARK: &str = "(archive)";

/// The archive's state as a copy relies on it: its last story, feed and audit row and how
/// many there are. A resumed copy of an archive written to meanwhile would mix two states
/// (and rows of stories it never copied would be refused by the foreign keys for ever).
fn archive_mark(sqlite: &Store) -> Result<String, StoreError> {
    let mut mark = Vec::new();
    for table in ["articles", "feeds", "fetches", "article_revisions"] {
        let (max, n): (Option<i64>, i64) = sqlite.conn.query_row(
            &format!("SELECT max(rowid), count(*) FROM {table}"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        mark.push(serde_json::json!([table, max, n]));
    }
    Ok(serde_json::Value::Array(mark).to_string())
}

/// The shared store's INSERT for `table`: its columns, the extra ones, no row twice.
fn insert_sql(table: &Table) -> String {
    let n = table.columns.len();
    let mut columns = table.columns.join(", ");
    let mut values: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    match table.extra {
        Extra::None => {}
        Extra::Host => {
            columns.push_str(", host");
            values.push(format!("${}", n + 1));
        }
        Extra::Search => {
            columns.push_str(", search");
            values.push(format!("${}::text::tsvector", n + 1));
        }
    }
    format!(
        "INSERT INTO {} ({columns}) VALUES ({}) ON CONFLICT DO NOTHING",
        table.name,
        values.join(", ")
    )
}

/// The next chunk of `table` after `last` (key columns first, then the columns).
fn read_chunk(
    sqlite: &Store,
    table: &Table,
    last: Option<&[Value]>,
) -> Result<Vec<Vec<Value>>, StoreError> {
    let key = table.key.join(", ");
    let mut conditions: Vec<String> = table.valid.iter().map(|v| v.to_string()).collect();
    if last.is_some() {
        let marks: Vec<String> = (1..=table.key.len()).map(|i| format!("?{i}")).collect();
        conditions.push(format!("({key}) > ({})", marks.join(", ")));
    }
    let sql = format!(
        "SELECT {key}, {} FROM {} {} ORDER BY {key} LIMIT {CHUNK}",
        table.columns.join(", "),
        table.name,
        if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        }
    );
    let mut stmt = sqlite.conn.prepare(&sql)?;
    let width = table.key.len() + table.columns.len();
    let params = last.unwrap_or_default();
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
        (0..width).map(|i| r.get::<_, Value>(i)).collect()
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The row's values with the shared store's extra columns appended.
fn with_extra(table: &Table, row: &[Value]) -> Vec<Value> {
    let mut values = row.to_vec();
    let text = |i: usize| match row.get(i) {
        Some(Value::Text(t)) => t.clone(),
        _ => String::new(),
    };
    match table.extra {
        Extra::None => {}
        Extra::Host => values.push(Value::Text(host_of(&text(1)))),
        Extra::Search => {
            let lead = text(7);
            let search = SearchText::of(&text(6), Some(lead.as_str()), &text(8));
            values.push(Value::Text(super::search::tsvector(&search)));
        }
    }
    values
}

/// A SQLite value as the shared store's column type takes it (integers 0/1 as booleans,
/// text without NUL, which PostgreSQL refuses).
fn pg_value(v: Value, ty: &Type) -> Box<dyn ToSql + Sync + Send> {
    match *ty {
        Type::INT8 => Box::new(match v {
            Value::Integer(i) => Some(i),
            Value::Real(f) => Some(f as i64),
            Value::Text(t) => t.trim().parse::<i64>().ok(),
            _ => None,
        }),
        Type::INT4 => Box::new(match v {
            Value::Integer(i) => i32::try_from(i).ok(),
            Value::Text(t) => t.trim().parse::<i32>().ok(),
            _ => None,
        }),
        Type::BOOL => Box::new(match v {
            Value::Integer(i) => Some(i != 0),
            Value::Text(t) => Some(matches!(t.trim(), "1" | "true" | "TRUE")),
            _ => None,
        }),
        Type::BYTEA => Box::new(match v {
            Value::Blob(b) => Some(b),
            Value::Text(t) => Some(t.into_bytes()),
            _ => None,
        }),
        _ => Box::new(match v {
            Value::Null => None,
            Value::Integer(i) => Some(i.to_string()),
            Value::Real(f) => Some(f.to_string()),
            Value::Text(t) if t.contains('\0') => Some(t.replace('\0', "")),
            Value::Text(t) => Some(t),
            Value::Blob(b) => Some(String::from_utf8_lossy(&b).replace('\0', "")),
        }),
    }
}

/// The SQLite archive's rows of `table`: those the shared store takes, and those left out.
fn source_counts(sqlite: &Store, table: &Table) -> Result<(i64, i64), StoreError> {
    let all: i64 =
        sqlite
            .conn
            .query_row(&format!("SELECT count(*) FROM {}", table.name), [], |r| {
                r.get(0)
            })?;
    let valid: i64 = match table.valid {
        None => all,
        Some(v) => sqlite.conn.query_row(
            &format!("SELECT count(*) FROM {} WHERE {v}", table.name),
            [],
            |r| r.get(0),
        )?,
    };
    Ok((valid, all - valid))
}

/// Rows of the tables the shared store does not keep, by table.
pub fn not_copied(sqlite: &Store) -> Result<BTreeMap<String, i64>, StoreError> {
    sqlite.counts(NOT_COPIED)
}

fn key_to_json(key: &[Value]) -> String {
    let values: Vec<serde_json::Value> = key
        .iter()
        .map(|v| match v {
            Value::Integer(i) => serde_json::Value::from(*i),
            Value::Real(f) => serde_json::Value::from(*f),
            Value::Text(t) => serde_json::Value::from(t.as_str()),
            Value::Blob(_) | Value::Null => serde_json::Value::Null,
        })
        .collect();
    serde_json::Value::Array(values).to_string()
}

fn key_from_json(text: &str) -> Vec<Value> {
    let values: Vec<serde_json::Value> = serde_json::from_str(text).unwrap_or_default();
    values
        .into_iter()
        .map(|v| match v {
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(Value::Integer)
                .unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or_default())),
            serde_json::Value::String(s) => Value::Text(s),
            _ => Value::Null,
        })
        .collect()
}
