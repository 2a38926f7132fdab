//! Schema migrations, versioned by `PRAGMA user_version` so any reader can check which schema
//! it is looking at (`sqlite3 db 'PRAGMA user_version'`).
//!
//! Each migration runs in its own transaction together with the version bump: a crash leaves
//! the database at the previous version, never between two.

use rusqlite::Connection;

/// Migration `i` (0-based) brings the schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE feeds (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,
    title           TEXT,
    source          TEXT NOT NULL CHECK (source IN ('config', 'cli', 'opml')),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    interval_secs   INTEGER,
    etag            TEXT,
    last_modified   TEXT,
    added_at        TEXT NOT NULL,
    last_polled_at  TEXT,
    last_success_at TEXT,
    last_status     INTEGER,
    next_poll_at    TEXT NOT NULL DEFAULT '1970-01-01T00:00:00Z',
    error_count     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    error_since     TEXT,
    publish_interval_secs INTEGER
);

CREATE TABLE articles (
    id               INTEGER PRIMARY KEY,
    url              TEXT NOT NULL UNIQUE,
    guid             TEXT,
    status           TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error            TEXT,
    attempts         INTEGER NOT NULL DEFAULT 1,
    title            TEXT,
    lead             TEXT,
    body             TEXT,
    captions         TEXT NOT NULL DEFAULT '[]',
    author           TEXT,
    published_at     TEXT,
    published_source TEXT,
    updated_at       TEXT,
    tags             TEXT NOT NULL DEFAULT '[]',
    category         TEXT,
    language         TEXT,
    method           TEXT,
    content_hash     TEXT,
    first_seen_at    TEXT NOT NULL,
    fetched_at       TEXT NOT NULL
);
CREATE INDEX articles_published_at ON articles (published_at);
CREATE INDEX articles_fetched_at ON articles (fetched_at);

CREATE TABLE article_aliases (
    alias         TEXT PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    first_seen_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX article_aliases_article ON article_aliases (article_id);

CREATE TABLE article_feeds (
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    PRIMARY KEY (article_id, feed_id)
) WITHOUT ROWID;
CREATE INDEX article_feeds_feed ON article_feeds (feed_id);

CREATE TABLE images (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    src        TEXT NOT NULL,
    alt        TEXT,
    caption    TEXT,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, seq)
) WITHOUT ROWID;

CREATE TABLE fetches (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('feed', 'article')),
    url        TEXT NOT NULL,
    final_url  TEXT,
    status     INTEGER,
    bytes      INTEGER NOT NULL,
    elapsed_ms INTEGER NOT NULL,
    result     TEXT NOT NULL,
    error      TEXT
);
CREATE INDEX fetches_at ON fetches (at);
"#];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings `conn` up to [`SCHEMA_VERSION`]; refuses a database from a newer tindex.
pub fn migrate(conn: &mut Connection) -> Result<i64, super::StoreError> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(super::StoreError::TooNew {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(SCHEMA_VERSION)
}
