//! Schema migrations, versioned by `PRAGMA user_version` so any reader can check which schema
//! it is looking at (`sqlite3 db 'PRAGMA user_version'`).
//!
//! Each migration runs in its own transaction together with the version bump: a crash leaves
//! the database at the previous version, never between two.

use rusqlite::{Connection, TransactionBehavior};

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
    last_listed_at  TEXT,
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
    cluster_id       INTEGER,
    first_seen_at    TEXT NOT NULL,
    fetched_at       TEXT NOT NULL
);
CREATE INDEX articles_cluster ON articles (cluster_id);
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

CREATE TABLE article_revisions (
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revised_at   TEXT NOT NULL,
    content_hash TEXT,
    title        TEXT,
    lead         TEXT,
    body         TEXT,
    captions     TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, revised_at);

CREATE TABLE fingerprints (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    signature  BLOB NOT NULL
);
CREATE TABLE fingerprint_bands (
    key        INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
CREATE INDEX fingerprint_bands_article ON fingerprint_bands (article_id);

-- Full-text index over title, lead and body folded to plain letters (no marks, đ -> d), so
-- a search finds Vietnamese words typed with or without diacritics. Contentless: the text
-- lives in `articles`; rowid = articles.id. Query it through `tindex search` or fold your
-- query the same way.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, lead, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The stable reading surface: one row per stored story with its feeds and images joined.
CREATE VIEW articles_v AS
SELECT a.id, a.url, a.title, a.lead, a.body, a.captions, a.author, a.published_at,
       a.updated_at, a.tags, a.category, a.language, a.method, a.cluster_id,
       a.first_seen_at, a.fetched_at,
       (SELECT json_group_array(json_object('url', f.url, 'title', f.title))
          FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
         WHERE af.article_id = a.id) AS feeds,
       (SELECT json_group_array(json_object('src', i.src, 'alt', i.alt,
                                            'caption', i.caption, 'position', i.position))
          FROM images i WHERE i.article_id = a.id) AS images
FROM articles a
WHERE a.status = 'ok';

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
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(SCHEMA_VERSION)
}
