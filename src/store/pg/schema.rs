//! The PostgreSQL schema, versioned as the SQLite one is: the same tables, columns and text
//! timestamps (RFC 3339 UTC, sortable as text), so a query written for one archive reads the
//! other; plus what only a shared store needs (host leases, the feed's host).

use tokio_postgres::Client;

use super::super::StoreError;

/// The schema version this tindex writes; a newer one is refused as for SQLite.
pub const PG_SCHEMA_VERSION: i64 = 2;

/// Key of the advisory lock that serialises migrations: workers started together migrate once.
const MIGRATE_LOCK: i64 = 0x7469_6e64_6578; // "tindex"

const V1: &str = r#"
CREATE TABLE feeds (
    id              BIGSERIAL PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,
    host            TEXT NOT NULL,
    title           TEXT,
    source          TEXT NOT NULL CHECK (source IN ('config', 'cli', 'opml')),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    interval_secs   BIGINT,
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
    publish_interval_secs BIGINT,
    kind            TEXT NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'sitemap', 'listing'))
);
CREATE INDEX feeds_due ON feeds (next_poll_at) WHERE active;
CREATE INDEX feeds_host ON feeds (host);

-- One row per host with feeds: the worker holding it polls that host's feeds and fetches
-- its pages, so per-host politeness holds across the cluster. A lease past `lease_until` is
-- free (its worker died or stalled).
CREATE TABLE host_leases (
    host        TEXT PRIMARY KEY,
    owner       TEXT,
    lease_until TEXT NOT NULL DEFAULT '1970-01-01T00:00:00Z'
);

CREATE TABLE articles (
    id               BIGSERIAL PRIMARY KEY,
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
    authors          TEXT,
    published_at     TEXT,
    published_source TEXT,
    updated_at       TEXT,
    tags             TEXT NOT NULL DEFAULT '[]',
    category         TEXT,
    language         TEXT,
    method           TEXT,
    content_hash     TEXT,
    cluster_id       BIGINT,
    first_seen_at    TEXT NOT NULL,
    fetched_at       TEXT NOT NULL,
    -- Title, lead and body folded as for SQLite's index (marks dropped, đ -> d).
    search           TSVECTOR
);
CREATE INDEX articles_cluster ON articles (cluster_id);
CREATE INDEX articles_published_at ON articles (published_at);
CREATE INDEX articles_fetched_at ON articles (fetched_at);
CREATE INDEX articles_search ON articles USING GIN (search);

CREATE TABLE article_aliases (
    alias         TEXT PRIMARY KEY,
    article_id    BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    first_seen_at TEXT NOT NULL
);
CREATE INDEX article_aliases_article ON article_aliases (article_id);

CREATE TABLE article_feeds (
    article_id    BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    feed_id       BIGINT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    PRIMARY KEY (article_id, feed_id)
);
CREATE INDEX article_feeds_feed ON article_feeds (feed_id);

CREATE TABLE images (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    src        TEXT NOT NULL,
    alt        TEXT,
    caption    TEXT,
    position   INTEGER NOT NULL,
    credit     TEXT,
    PRIMARY KEY (article_id, seq)
);

CREATE TABLE article_revisions (
    article_id   BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revised_at   TEXT NOT NULL,
    content_hash TEXT,
    title        TEXT,
    lead         TEXT,
    body         TEXT,
    captions     TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, revised_at);

CREATE TABLE fingerprints (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    signature  BYTEA NOT NULL
);
CREATE TABLE fingerprint_bands (
    key        BIGINT NOT NULL,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (key, article_id)
);
CREATE INDEX fingerprint_bands_article ON fingerprint_bands (article_id);

CREATE TABLE fetches (
    id         BIGSERIAL PRIMARY KEY,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('feed', 'article', 'robots')),
    url        TEXT NOT NULL,
    final_url  TEXT,
    status     INTEGER,
    bytes      BIGINT NOT NULL,
    elapsed_ms BIGINT NOT NULL,
    result     TEXT NOT NULL,
    error      TEXT,
    failure    TEXT,
    -- Which worker made the request.
    worker     TEXT
);
CREATE INDEX fetches_at ON fetches (at);

CREATE TABLE cycles (
    id          BIGSERIAL PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    result      TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
    error       TEXT,
    feeds       BIGINT NOT NULL DEFAULT 0,
    feed_errors BIGINT NOT NULL DEFAULT 0,
    new         BIGINT NOT NULL DEFAULT 0,
    updated     BIGINT NOT NULL DEFAULT 0,
    failed      BIGINT NOT NULL DEFAULT 0,
    worker      TEXT
);

CREATE TABLE extractions (
    id          BIGSERIAL PRIMARY KEY,
    at          TEXT NOT NULL,
    host        TEXT NOT NULL,
    article_id  BIGINT NOT NULL,
    method      TEXT NOT NULL,
    body_chars  BIGINT NOT NULL,
    has_lead    BOOLEAN NOT NULL,
    captions    BIGINT NOT NULL,
    has_date    BOOLEAN NOT NULL
);
CREATE INDEX extractions_at ON extractions (at);

-- The reading surface, as in SQLite: one row per stored story, feeds and images as JSON text.
CREATE VIEW articles_v AS
SELECT a.id, a.url, a.title, a.lead, a.body, a.captions, a.author, a.authors, a.published_at,
       a.published_source, a.updated_at, a.tags, a.category, a.language, a.method,
       a.cluster_id, a.first_seen_at, a.fetched_at,
       (SELECT coalesce(json_agg(json_build_object('url', f.url, 'title', f.title)), '[]')::text
          FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
         WHERE af.article_id = a.id) AS feeds,
       (SELECT coalesce(json_agg(json_build_object('src', i.src, 'alt', i.alt,
                 'caption', i.caption, 'credit', i.credit, 'position', i.position)
                 ORDER BY i.seq), '[]')::text
          FROM images i WHERE i.article_id = a.id) AS images,
       (SELECT coalesce(json_agg(coalesce(f.title, f.url)), '[]')::text
          FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
         WHERE af.article_id = a.id) AS feed_titles
FROM articles a
WHERE a.status = 'ok';
"#;

/// Schema 2: what the read commands, sitemap sources and shared politeness need.
/// - `tindex_instant(text)`: a stored date (an instant with its offset, a wall-clock time, a
///   day) as an instant, as SQLite's `julianday` reads it (no offset: UTC); `NULL` for text
///   that is no date. `export --published-since` compares with it.
/// - `sitemap_docs`: the documents below a sitemap source, as in SQLite.
/// - `robots`: each origin's robots.txt rules as the last worker read them, so a host that
///   changes hands is not asked again, and an unreachable one stays avoided.
/// - `host_leases.paused_until`: a host's `Retry-After`, honoured by whoever holds it next.
/// - `feeds.polled_at`: the last poll's commit, precise, for `run --once`.
/// - `workers`: who asked for work lately, for each worker's share of the hosts.
/// - `tindex_copies`: the progress of `migrate-store`.
/// - `articles.search` weighted (title A, lead B, body D) for ranking; the stored rows are
///   indexed again in Rust ([`reindex`]).
const V2: &str = r#"
CREATE FUNCTION tindex_instant(t TEXT) RETURNS TIMESTAMPTZ
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF t ~ '[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$' THEN
        RETURN t::timestamptz;
    END IF;
    RETURN t::timestamp AT TIME ZONE 'UTC';
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;

CREATE TABLE sitemap_docs (
    id              BIGSERIAL PRIMARY KEY,
    source_id       BIGINT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    parent          TEXT NOT NULL,
    listed_lastmod  TEXT,
    wanted          BOOLEAN NOT NULL,
    listed_at       TEXT NOT NULL,
    read_lastmod    TEXT,
    read_at         TEXT,
    etag            TEXT,
    last_modified   TEXT,
    entries         BIGINT,
    last_status     INTEGER,
    last_error      TEXT,
    UNIQUE (source_id, url)
);

CREATE TABLE robots (
    origin     TEXT PRIMARY KEY,
    host       TEXT NOT NULL,
    -- The rules as JSON, or NULL: robots.txt could not be read (stay away until expires_at).
    rules      TEXT,
    fetched_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX robots_host ON robots (host);

ALTER TABLE host_leases ADD COLUMN paused_until TEXT;

-- When a worker committed the feed's last poll, to the microsecond by the server's clock:
-- `run --once` polls each feed not polled since it started, which whole seconds cannot tell
-- for a run started in the second of another's poll.
ALTER TABLE feeds ADD COLUMN polled_at TIMESTAMPTZ;

-- The feeds of a story and their titles, in one order (Datasette-style facets pair them).
CREATE OR REPLACE VIEW articles_v AS
SELECT a.id, a.url, a.title, a.lead, a.body, a.captions, a.author, a.authors, a.published_at,
       a.published_source, a.updated_at, a.tags, a.category, a.language, a.method,
       a.cluster_id, a.first_seen_at, a.fetched_at,
       (SELECT coalesce(json_agg(json_build_object('url', f.url, 'title', f.title)
                                 ORDER BY f.id), '[]')::text
          FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
         WHERE af.article_id = a.id) AS feeds,
       (SELECT coalesce(json_agg(json_build_object('src', i.src, 'alt', i.alt,
                 'caption', i.caption, 'credit', i.credit, 'position', i.position)
                 ORDER BY i.seq), '[]')::text
          FROM images i WHERE i.article_id = a.id) AS images,
       (SELECT coalesce(json_agg(coalesce(f.title, f.url) ORDER BY f.id), '[]')::text
          FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
         WHERE af.article_id = a.id) AS feed_titles
FROM articles a
WHERE a.status = 'ok';

-- Workers seen lately (each says so when it asks for work or renews its leases): a worker
-- takes its share of the due hosts, not all of them, while others are there to take the rest.
CREATE TABLE workers (
    name    TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
);

-- `tindex migrate-store`: how far the copy of a SQLite archive got, table by table, written
-- in the transaction of each chunk it copied, so a stopped copy resumes where it stopped.
CREATE TABLE tindex_copies (
    source     TEXT NOT NULL,
    table_name TEXT NOT NULL,
    last_key   TEXT,
    copied     BIGINT NOT NULL DEFAULT 0,
    done       BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (source, table_name)
);
"#;

/// Rows re-indexed per statement by [`reindex`].
const REINDEX_CHUNK: i64 = 500;

/// Indexes every stored story again from its text, in the weighted form of schema 2.
async fn reindex(tx: &tokio_postgres::Transaction<'_>) -> Result<(), StoreError> {
    let update = tx
        .prepare("UPDATE articles SET search = $2::text::tsvector WHERE id = $1")
        .await?;
    let mut after = 0i64;
    loop {
        let rows = tx
            .query(
                "SELECT id, coalesce(title, ''), lead, coalesce(body, '') FROM articles
                 WHERE id > $1 AND status = 'ok' ORDER BY id LIMIT $2",
                &[&after, &REINDEX_CHUNK],
            )
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.get(0);
        for r in &rows {
            let text = crate::textfold::SearchText::of(r.get(1), r.get(2), r.get(3));
            let search = super::search::tsvector(&text);
            tx.execute(&update, &[&r.get::<_, i64>(0), &search]).await?;
        }
    }
}

/// Brings the database to [`PG_SCHEMA_VERSION`], one transaction per step, under an advisory
/// lock so that workers started at once do not race.
pub async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS tindex_schema (version BIGINT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await?;
    let found: i64 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM tindex_schema", &[])
        .await?
        .get(0);
    if found > PG_SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: PG_SCHEMA_VERSION,
        });
    }
    let steps: [(i64, &str); 2] = [(1, V1), (2, V2)];
    for (version, sql) in steps.into_iter().filter(|(v, _)| *v > found) {
        tx.batch_execute(sql).await?;
        if version == 2 {
            reindex(&tx).await?;
        }
        tx.execute(
            "INSERT INTO tindex_schema (version, applied_at) VALUES ($1, $2)",
            &[&version, &super::super::ts(chrono::Utc::now())],
        )
        .await?;
        tracing::info!(version, "PostgreSQL schema migrated");
    }
    tx.commit().await?;
    Ok(())
}
