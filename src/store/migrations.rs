//! Schema migrations, versioned by `PRAGMA user_version` so any reader can check which schema
//! it is looking at (`sqlite3 db 'PRAGMA user_version'`).
//!
//! Each migration runs in its own transaction together with the version bump: a crash leaves
//! the database at the previous version, never between two.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::index;
use crate::dedup::fingerprint::Signature;
use crate::textfold::{SearchText, fold_search};

/// One schema step: plain SQL, or Rust where data must be recomputed (folded text).
enum Migration {
    Sql(&'static str),
    Code(fn(&Transaction<'_>) -> Result<(), super::StoreError>),
}

/// Migration `i` (0-based) brings the schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(V1),
    Migration::Code(v2_compact_indexes),
    Migration::Sql(V3),
    Migration::Code(v4_portable_index),
    Migration::Sql(V5),
    Migration::Sql(V6),
    Migration::Sql(V7),
];

/// `PRAGMA application_id` of a tindex archive ("tidx"): tells a tindex archive from any
/// other SQLite file (`file(1)` and `sqlite3 db 'PRAGMA application_id'` show it too), so
/// tindex never adds its tables to another program's database.
pub const APPLICATION_ID: i32 = 0x7469_6478;

/// Version 3: each failed request's audit row says what kind of failure it was (`timeout`,
/// `http_status`, `robots_disallowed`, `no_content`, …), a stable word to group by, beside
/// the human-readable `error`. Rows written before it have none.
const V3: &str = "ALTER TABLE fetches ADD COLUMN failure TEXT;";

const V1: &str = r#"
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
"#;

/// Version 2: the full-text index keeps which column each word is in, not its positions
/// (`detail = column`). That is a third of the size (a cold farm cycle: 12.3 MB -> 3.7 MB,
/// with 30.8 MB of stored text) and cheaper to write; what it gives up is FTS5 phrase and
/// NEAR queries in raw SQL. Word queries, prefix queries, column filters and bm25 ranking
/// work as before, and `tindex search` never used phrases. The index is rebuilt from the
/// stored text.
///
/// Also, for size: `fingerprint_bands` and `article_aliases` lose their indexes on
/// `article_id` (1 MB each at 3600 stories; the alias index repeats every alias), so they are
/// no longer cascading foreign keys: a story's bands are found from its stored signature, and
/// `prune` deletes the bands and aliases of the stories it removes, one pass each.
/// Fingerprints keep 32 bits per minimum instead of 64 and are recomputed from the stored
/// text (their band keys change with them). The fetch audit also records robots.txt requests
/// (`kind = 'robots'`).
fn v2_compact_indexes(tx: &Transaction<'_>) -> Result<(), super::StoreError> {
    tx.execute_batch(
        "CREATE TABLE fingerprint_bands_v2 (
             key        INTEGER NOT NULL,
             article_id INTEGER NOT NULL,
             PRIMARY KEY (key, article_id)
         ) WITHOUT ROWID;
         DROP TABLE fingerprint_bands;
         ALTER TABLE fingerprint_bands_v2 RENAME TO fingerprint_bands;
         DELETE FROM fingerprints;
         CREATE TABLE article_aliases_v2 (
             alias         TEXT PRIMARY KEY,
             article_id    INTEGER NOT NULL,
             first_seen_at TEXT NOT NULL
         ) WITHOUT ROWID;
         INSERT INTO article_aliases_v2 SELECT alias, article_id, first_seen_at FROM article_aliases;
         DROP TABLE article_aliases;
         ALTER TABLE article_aliases_v2 RENAME TO article_aliases;
         CREATE TABLE fetches_v2 (
             id         INTEGER PRIMARY KEY,
             at         TEXT NOT NULL,
             kind       TEXT NOT NULL CHECK (kind IN ('feed', 'article', 'robots')),
             url        TEXT NOT NULL,
             final_url  TEXT,
             status     INTEGER,
             bytes      INTEGER NOT NULL,
             elapsed_ms INTEGER NOT NULL,
             result     TEXT NOT NULL,
             error      TEXT
         );
         INSERT INTO fetches_v2 SELECT * FROM fetches;
         DROP TABLE fetches;
         ALTER TABLE fetches_v2 RENAME TO fetches;
         CREATE INDEX fetches_at ON fetches (at);
         DROP TABLE articles_fts;
         CREATE VIRTUAL TABLE articles_fts USING fts5 (
             title, lead, body,
             content = '', contentless_delete = 1, detail = column,
             tokenize = 'unicode61 remove_diacritics 2'
         );",
    )?;
    // Written as the write path writes them (clusters are kept as they are).
    each_stored_story(tx, |id, title, lead, body| {
        let folded = fold_search(body);
        let text = SearchText::of_folded(&fold_search(title), &fold_search(lead), &folded);
        index::index_text(tx, id, &text)?;
        if let Some(sig) = Signature::of(&folded) {
            index::insert_signature(tx, id, &sig)?;
        }
        Ok(())
    })
}

/// Calls `f` with the id, title, lead and body (empty when missing) of every stored story:
/// the migrations that rebuild derived indexes from the stored text.
fn each_stored_story(
    tx: &Transaction<'_>,
    mut f: impl FnMut(i64, &str, &str, &str) -> Result<(), super::StoreError>,
) -> Result<(), super::StoreError> {
    let mut read = tx.prepare(
        "SELECT id, coalesce(title, ''), coalesce(lead, ''), coalesce(body, '')
         FROM articles WHERE status = 'ok'",
    )?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let (id, title, lead, body): (i64, String, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        f(id, &title, &lead, &body)?;
    }
    Ok(())
}

/// Version 4: a full-text index every SQLite since 3.31 can read. The previous one was
/// declared `contentless_delete = 1`, an option of SQLite 3.43 (2023): the `sqlite3` shell,
/// Python and Datasette on Debian 12, Ubuntu 22.04 or RHEL 9 refused the whole table, and
/// Datasette the whole file. Entries are now removed with FTS5's portable `'delete'` command
/// and the indexed text (see `index::unindex_text`). The index also stores a second spelling
/// of every d-word with đ (`textfold::index_form`), so queries that SQLite's tokenizer folds
/// (it keeps đ) find what `tindex search` finds. Rebuilt from the stored text; the file is
/// stamped with [`APPLICATION_ID`]. A `cycles` table records how each poll cycle ended, so
/// `status --check` can tell a daemon whose cycles fail. `articles_v` gains `feed_titles`, a
/// JSON array of plain strings (title, else URL) that Datasette can facet on (its `feeds`
/// objects it can only show as raw JSON).
fn v4_portable_index(tx: &Transaction<'_>) -> Result<(), super::StoreError> {
    tx.execute_batch(&format!(
        "DROP TABLE articles_fts;
         CREATE VIRTUAL TABLE articles_fts USING fts5 (
             title, lead, body,
             content = '', detail = column,
             tokenize = 'unicode61 remove_diacritics 2'
         );
         CREATE TABLE cycles (
             id             INTEGER PRIMARY KEY,
             started_at     TEXT NOT NULL,
             finished_at    TEXT NOT NULL,
             result         TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
             error          TEXT,
             feeds          INTEGER NOT NULL DEFAULT 0,
             feed_errors    INTEGER NOT NULL DEFAULT 0,
             new            INTEGER NOT NULL DEFAULT 0,
             updated        INTEGER NOT NULL DEFAULT 0,
             failed         INTEGER NOT NULL DEFAULT 0
         );
         DROP VIEW articles_v;
         CREATE VIEW articles_v AS
         SELECT a.id, a.url, a.title, a.lead, a.body, a.captions, a.author, a.published_at,
                a.updated_at, a.tags, a.category, a.language, a.method, a.cluster_id,
                a.first_seen_at, a.fetched_at,
                (SELECT json_group_array(json_object('url', f.url, 'title', f.title))
                   FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
                  WHERE af.article_id = a.id) AS feeds,
                (SELECT json_group_array(json_object('src', i.src, 'alt', i.alt,
                                                     'caption', i.caption, 'position', i.position))
                   FROM images i WHERE i.article_id = a.id) AS images,
                (SELECT json_group_array(coalesce(f.title, f.url))
                   FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
                  WHERE af.article_id = a.id) AS feed_titles
         FROM articles a
         WHERE a.status = 'ok';
         PRAGMA application_id = {APPLICATION_ID};"
    ))?;
    each_stored_story(tx, |id, title, lead, body| {
        index::index_text(tx, id, &SearchText::of(title, Some(lead), body))
    })
}

/// Schema 5: each author apart (`articles.authors`, a JSON array; `author` stays the byline
/// as printed), the photo credit apart from the caption (`images.credit`), and both plus
/// `published_source` in `articles_v`.
const V5: &str = "
ALTER TABLE articles ADD COLUMN authors TEXT;
UPDATE articles SET authors = json_array(author) WHERE author IS NOT NULL;
ALTER TABLE images ADD COLUMN credit TEXT;
DROP VIEW articles_v;
CREATE VIEW articles_v AS
SELECT a.id, a.url, a.title, a.lead, a.body, a.captions, a.author, a.authors, a.published_at,
       a.published_source, a.updated_at, a.tags, a.category, a.language, a.method,
       a.cluster_id, a.first_seen_at, a.fetched_at,
       (SELECT json_group_array(json_object('url', f.url, 'title', f.title))
          FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
         WHERE af.article_id = a.id) AS feeds,
       (SELECT json_group_array(json_object('src', i.src, 'alt', i.alt, 'caption', i.caption,
                                            'credit', i.credit, 'position', i.position))
          FROM images i WHERE i.article_id = a.id) AS images,
       (SELECT json_group_array(coalesce(f.title, f.url))
          FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
         WHERE af.article_id = a.id) AS feed_titles
FROM articles a
WHERE a.status = 'ok';
";

/// Schema 6: one row per page extracted (`extractions`): the site, how the body was found
/// and which fields were missing, so a site rule broken by a redesign shows in the data
/// (`tindex rules health`) instead of only in quietly worse records; and the feeds that
/// discovery found on the configured pages (`discovered_feeds`, `discovery_checks`); the
/// webhook outbox, written in the story's own transaction, and its delivery audit. A
/// story's own URL is no longer repeated in `article_aliases` (it is `articles.url`, looked up
/// first): a tenth of the archive, the room the two new tables take and more.
const V6: &str = "
CREATE TABLE extractions (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    host        TEXT NOT NULL,
    article_id  INTEGER NOT NULL,
    method      TEXT NOT NULL,
    body_chars  INTEGER NOT NULL,
    has_lead    INTEGER NOT NULL,
    captions    INTEGER NOT NULL,
    has_date    INTEGER NOT NULL
);
CREATE INDEX extractions_at ON extractions (at);
CREATE TABLE discovered_feeds (
    page           TEXT NOT NULL,
    url            TEXT NOT NULL,
    title          TEXT,
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    gone_at        TEXT,
    PRIMARY KEY (page, url)
);
CREATE TABLE discovery_checks (
    page        TEXT PRIMARY KEY,
    checked_at  TEXT NOT NULL,
    error       TEXT
);
CREATE TABLE webhook_outbox (
    id               INTEGER PRIMARY KEY,
    event_id         TEXT NOT NULL UNIQUE,
    hook             TEXT NOT NULL,
    event            TEXT NOT NULL,
    article_id       INTEGER,
    feed_id          INTEGER,
    created_at       TEXT NOT NULL,
    payload          TEXT NOT NULL DEFAULT '{}',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    delivered_at     TEXT,
    given_up_at      TEXT,
    last_status      INTEGER,
    last_error       TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND given_up_at IS NULL;
CREATE INDEX webhook_outbox_delivered ON webhook_outbox (delivered_at)
    WHERE delivered_at IS NOT NULL;
CREATE TABLE webhook_deliveries (
    id          INTEGER PRIMARY KEY,
    outbox_id   INTEGER NOT NULL,
    at          TEXT NOT NULL,
    status      INTEGER,
    elapsed_ms  INTEGER NOT NULL,
    error       TEXT
);
DELETE FROM article_aliases WHERE EXISTS
    (SELECT 1 FROM articles a WHERE a.id = article_aliases.article_id AND a.url = article_aliases.alias);
";

/// Schema 7: sources beyond feeds (sitemaps, listing pages) in `feeds` with their kind; the
/// documents below a sitemap source and what was last read of each; backfills and their
/// progress, shard by shard.
const V7: &str = "
ALTER TABLE feeds ADD COLUMN kind TEXT NOT NULL DEFAULT 'feed'
    CHECK (kind IN ('feed', 'sitemap', 'listing'));
CREATE TABLE sitemap_docs (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES feeds (id),
    url             TEXT NOT NULL,
    parent          TEXT NOT NULL,
    listed_lastmod  TEXT,
    wanted          INTEGER NOT NULL CHECK (wanted IN (0, 1)),
    listed_at       TEXT NOT NULL,
    read_lastmod    TEXT,
    read_at         TEXT,
    etag            TEXT,
    last_modified   TEXT,
    entries         INTEGER,
    last_status     INTEGER,
    last_error      TEXT,
    UNIQUE (source_id, url)
);
CREATE TABLE backfills (
    id           INTEGER PRIMARY KEY,
    site         TEXT NOT NULL,
    from_day     TEXT NOT NULL,
    to_day       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('listing', 'walking', 'done', 'failed')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    finished_at  TEXT,
    shards       INTEGER NOT NULL DEFAULT 0,
    shards_done  INTEGER NOT NULL DEFAULT 0,
    stories_new  INTEGER NOT NULL DEFAULT 0,
    error        TEXT
);
CREATE TABLE backfill_shards (
    backfill_id  INTEGER NOT NULL REFERENCES backfills (id),
    source_id    INTEGER NOT NULL REFERENCES feeds (id),
    url          TEXT NOT NULL,
    day          TEXT NOT NULL,
    done_at      TEXT,
    entries      INTEGER,
    PRIMARY KEY (backfill_id, url)
);
";

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
    for (i, step) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have run this step while we waited for the write lock.
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        let started = std::time::Instant::now();
        // A new file goes through every step silently; an existing one is being upgraded.
        let upgrade = current > 0;
        if upgrade {
            tracing::info!(
                from = i,
                to = i + 1,
                "upgrading the database schema (rebuilds derived indexes; large archives take minutes)"
            );
        }
        match step {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Code(run) => run(&tx)?,
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
        if upgrade {
            tracing::info!(
                version = i + 1,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "database schema upgraded"
            );
        }
    }
    Ok(SCHEMA_VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "Đặng Thủy nói. Tòa án nhân dân tỉnh Kiên Giang vừa mở phiên tòa xét xử \
        sơ thẩm vụ án tham ô tài sản xảy ra tại Công ty cổ phần cấp thoát nước, các bị cáo bị \
        truy tố về tội vi phạm quy định về quản lý, sử dụng tài sản nhà nước.";

    /// A database written by schema 1 (positional full-text index) is upgraded in place: the
    /// index is rebuilt with column detail from the stored text, so search still finds every
    /// story, folded, and phrase syntax is now refused rather than silently misread.
    #[test]
    fn v1_database_gets_a_rebuilt_column_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO articles (id, url, status, title, lead, body, first_seen_at, fetched_at)
             VALUES (7, 'https://a.vn/1', 'ok', 'Thi hành án', NULL, NULL, 't', 't'),
                    (8, 'https://a.vn/2', 'failed', 'Thi hành án', NULL, NULL, 't', 't');
             INSERT INTO articles_fts (rowid, title, lead, body)
             VALUES (7, 'thi hanh an', '', 'dang thuy noi.');
             INSERT INTO fingerprints VALUES (7, zeroblob(512));
             INSERT INTO fingerprint_bands VALUES (1, 7), (2, 7);
             INSERT INTO article_aliases VALUES ('https://a.vn/1?utm_source=x', 7, 't');
             INSERT INTO fetches (at, kind, url, status, bytes, elapsed_ms, result)
             VALUES ('t', 'article', 'https://a.vn/1', 200, 9000, 12, 'fetched');",
        )
        .unwrap();
        conn.execute("UPDATE articles SET body = ?1 WHERE id = 7", [BODY])
            .unwrap();

        assert_eq!(migrate(&mut conn).unwrap(), SCHEMA_VERSION);

        // Fingerprints are recomputed from the text (32-bit minimums), with their bands.
        let sig: Vec<u8> = conn
            .query_row(
                "SELECT signature FROM fingerprints WHERE article_id = 7",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let expected = Signature::of(&fold_search(BODY)).unwrap();
        assert_eq!(sig, expected.to_bytes());
        assert_eq!(sig.len(), 256);
        let mut bands: Vec<i64> = conn
            .prepare("SELECT key FROM fingerprint_bands WHERE article_id = 7")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut want = expected.bands().to_vec();
        bands.sort_unstable();
        want.sort_unstable();
        want.dedup();
        assert_eq!(bands, want);
        // Aliases survive the table rebuild.
        let alias: i64 = conn
            .query_row(
                "SELECT article_id FROM article_aliases WHERE alias = 'https://a.vn/1?utm_source=x'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(alias, 7);
        // The fetch audit keeps its rows and now takes robots.txt requests.
        conn.execute_batch(
            "INSERT INTO fetches (at, kind, url, status, bytes, elapsed_ms, result)
             VALUES ('t', 'robots', 'https://a.vn/robots.txt', 404, 0, 3, 'error')",
        )
        .unwrap();
        let kinds: String = conn
            .query_row(
                "SELECT group_concat(kind, ',') FROM fetches ORDER BY id",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kinds, "article,robots");

        let sql: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'articles_fts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.contains("detail = column"), "{sql}");
        let hits = |q: &str| -> Vec<i64> {
            let mut st = conn
                .prepare("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1")
                .unwrap();
            st.query_map([q], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(hits("\"thi\" \"hanh\" \"an\""), vec![7]);
        assert_eq!(hits("dang thuy"), vec![7]);
        assert_eq!(hits("kien giang"), vec![7]);
        assert_eq!(hits("body:hanh"), Vec::<i64>::new());
        let phrase = conn.query_row(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '\"thi hanh\"'",
            [],
            |r| r.get::<_, i64>(0),
        );
        assert!(phrase.is_err(), "phrase queries need detail=full");
    }

    /// Schema 3 only adds the audit rows' failure kind: rows written before it keep their
    /// result and error and have none.
    #[test]
    fn v2_audit_rows_survive_with_no_failure_kind() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO fetches (at, kind, url, status, bytes, elapsed_ms, result, error)
             VALUES ('t', 'article', 'https://a.vn/1', 500, 0, 3, 'error', 'HTTP 500');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let row: (String, String, Option<String>) = conn
            .query_row("SELECT result, error, failure FROM fetches", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(row, ("error".into(), "HTTP 500".into(), None));
    }

    /// A schema 3 archive (index declared `contentless_delete`, which SQLite before 3.43
    /// cannot read) is rebuilt portable: no option newer than SQLite 3.31 is left, the file is
    /// stamped as tindex's, and an unfolded query (as the sqlite3 shell or Datasette sends
    /// it) finds the stories `tindex search` finds.
    #[test]
    fn v3_archive_gets_a_portable_index_that_unfolded_queries_reach() {
        let mut conn = archive_at(3);
        conn.execute(
            "INSERT INTO articles (id, url, status, title, lead, body, first_seen_at, fetched_at)
             VALUES (9, 'https://a.vn/9', 'ok', 'Đất đai ở Đà Nẵng', NULL, ?1, 't', 't')",
            [BODY],
        )
        .unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), SCHEMA_VERSION);

        let sql: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'articles_fts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!sql.contains("contentless_delete"), "{sql}");
        let app: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .unwrap();
        assert_eq!(app, APPLICATION_ID);
        let hits = |q: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?1",
                [q],
                |r| r.get(0),
            )
            .unwrap()
        };
        for q in ["đất", "dat", "\"Đà\" \"Nẵng\"", "da nang", "đất đai"] {
            assert_eq!(hits(q), 1, "{q}");
        }
    }

    /// A schema-4 archive keeps every story and byline: each author becomes a one-name list,
    /// images get an empty credit, and the view shows both.
    #[test]
    fn v4_archive_gets_author_lists_and_image_credits() {
        let mut conn = archive_at(4);
        conn.execute_batch(
            "INSERT INTO articles (id, url, status, title, body, author, first_seen_at, fetched_at)
             VALUES (1, 'https://a.vn/1', 'ok', 'T', 'B', 'Lê Phương', 't', 't'),
                    (2, 'https://a.vn/2', 'ok', 'T', 'B', NULL, 't', 't');
             INSERT INTO images (article_id, seq, src, caption, position)
             VALUES (1, 0, 'https://a.vn/a.jpg', 'Phiên tòa. (Ảnh: Văn Huy)', 0);",
        )
        .unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), SCHEMA_VERSION);
        let authors: Vec<Option<String>> = conn
            .prepare("SELECT authors FROM articles_v ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(authors, vec![Some(r#"["Lê Phương"]"#.to_string()), None]);
        let images: String = conn
            .query_row("SELECT images FROM articles_v WHERE id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(images.contains(r#""credit":null"#), "{images}");
    }

    /// A schema-5 archive loses only the alias rows that repeat a story's own URL; the other
    /// ways a story was seen stay, and the new tables are there, empty.
    #[test]
    fn v5_archive_drops_aliases_repeating_the_story_url_and_keeps_the_others() {
        let mut conn = archive_at(5);
        conn.execute_batch(
            "INSERT INTO articles (id, url, status, title, body, first_seen_at, fetched_at)
             VALUES (1, 'https://a.vn/1', 'ok', 'T', 'B', 't', 't');
             INSERT INTO article_aliases VALUES ('https://a.vn/1', 1, 't'),
                 ('https://a.vn/1?utm_source=x', 1, 't'), ('guid:a.vn:1', 1, 't');",
        )
        .unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), SCHEMA_VERSION);
        let aliases: Vec<String> = conn
            .prepare("SELECT alias FROM article_aliases ORDER BY alias")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(aliases, ["guid:a.vn:1", "https://a.vn/1?utm_source=x"]);
        let empty: i64 = conn
            .query_row(
                "SELECT (SELECT count(*) FROM extractions) + (SELECT count(*) FROM discovered_feeds)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(empty, 0);
    }

    /// An in-memory archive at schema `version` (as an older tindex wrote it).
    fn archive_at(version: usize) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        migrate_to(&mut conn, version);
        conn
    }

    /// Runs the migrations up to `version` only (an archive an older tindex wrote).
    fn migrate_to(conn: &mut Connection, version: usize) {
        for (i, step) in MIGRATIONS.iter().enumerate().take(version).skip(1) {
            let tx = conn.transaction().unwrap();
            match step {
                Migration::Sql(sql) => tx.execute_batch(sql).unwrap(),
                Migration::Code(run) => run(&tx).unwrap(),
            }
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .unwrap();
            tx.commit().unwrap();
        }
    }
}
