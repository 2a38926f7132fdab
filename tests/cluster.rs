//! Many workers on one shared PostgreSQL store: no double work, nothing missed, a killed
//! worker's hosts taken over. Needs a PostgreSQL server (`support::Db`); each test makes its
//! own database.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Stdio};
use std::time::Duration;

use support::{
    Db, Server, Workspace, farm_dir, farm_feeds, sql, stderr_of, truth, try_rows, wait_until,
};

/// A workspace on the fixture farm whose archive is `db`, with `lease_secs` and `per_host`.
fn workspace(server: &Server, db: &Db, lease_secs: u64, per_host: usize) -> Workspace {
    let mut ws = Workspace::with_settings(
        &farm_feeds(server),
        &format!(
            "[daemon]\nmin_interval_secs = 300\npoll_interval_secs = 900\nlease_secs = {lease_secs}\n\n\
             [fetch]\nper_host = {per_host}\nper_host_gap_ms = 0\ntimeout_secs = 20\n"
        ),
    );
    ws.db = db.url.clone().into();
    ws
}

fn start_worker(ws: &Workspace) -> Child {
    ws.command(&["run", "--once"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(worker: Child) -> String {
    let out = worker.wait_with_output().unwrap();
    let log = stderr_of(&out);
    assert!(out.status.success(), "worker failed: {log}");
    log
}

/// Story URL -> the feed URLs it is a member of, as stored.
fn memberships(db: &Db) -> BTreeMap<String, BTreeSet<String>> {
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in db.rows(
        "SELECT a.url, f.url FROM articles a
         JOIN article_feeds af ON af.article_id = a.id JOIN feeds f ON f.id = af.feed_id",
    ) {
        m.entry(r[0].clone()).or_default().insert(r[1].clone());
    }
    m
}

/// The truth's memberships on this server.
fn true_memberships(server: &Server) -> BTreeMap<String, BTreeSet<String>> {
    truth(server)
        .iter()
        .map(|t| {
            let feeds = t["feeds"].as_array().unwrap();
            (
                t["url"].as_str().unwrap().to_string(),
                feeds
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn three_workers_at_once_store_every_story_once_and_fetch_every_page_once() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    // Slow answers keep all three workers asking for work while the first one holds it.
    server.set_delay(Duration::from_millis(20));
    let ws = workspace(&server, &db, 30, 4);
    let workers: Vec<Child> = (0..3).map(|_| start_worker(&ws)).collect();
    let logs: Vec<String> = workers.into_iter().map(finish).collect();

    let truth = true_memberships(&server);
    assert_eq!(truth.len(), 58);
    assert_eq!(
        db.count("SELECT count(*) FROM articles WHERE status = 'ok'"),
        58,
        "every story stored once"
    );
    assert_eq!(memberships(&db), truth, "memberships exact");
    assert_eq!(
        db.count("SELECT count(*) FROM fetches WHERE kind = 'article'"),
        58,
        "every page fetched exactly once across the workers"
    );
    let feeds = farm_feeds(&server).len() as i64;
    assert_eq!(
        db.count("SELECT count(*) FROM fetches WHERE kind = 'feed'"),
        feeds,
        "every feed polled exactly once across the workers"
    );
    assert!(
        server.max_in_flight() <= 4,
        "per_host 4 held across workers: {} at once",
        server.max_in_flight()
    );
    let waited = logs
        .iter()
        .filter(|l| l.contains("leased by another worker"))
        .count();
    assert!(
        waited >= 1,
        "the others waited for the lease holder: {logs:?}"
    );
}

#[test]
fn a_worker_killed_mid_cycle_leaves_its_hosts_to_the_others_and_nothing_is_lost() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    // One page at a time, slowly: the cycle is long enough to be killed in the middle.
    server.set_delay(Duration::from_millis(150));
    let ws = workspace(&server, &db, 3, 1);
    let mut workers: Vec<Child> = (0..3).map(|_| start_worker(&ws)).collect();
    wait_until("the first stories stored", Duration::from_secs(120), || {
        // The workers create the tables: none may exist yet.
        try_rows(&db.url, "SELECT count(*) FROM articles").is_ok_and(|r| r[0][0] != "0")
    });
    let owner = db.rows("SELECT owner FROM host_leases WHERE owner IS NOT NULL");
    assert_eq!(
        owner.len(),
        1,
        "one worker holds the farm's host: {owner:?}"
    );
    // Worker names are host:pid:start.
    let pid: u32 = owner[0][0].split(':').nth(1).unwrap().parse().unwrap();
    let victim = workers.iter().position(|w| w.id() == pid).unwrap();
    let mut killed = workers.remove(victim);
    killed.kill().unwrap(); // SIGKILL
    killed.wait().unwrap();
    let stored_at_kill = db.count("SELECT count(*) FROM articles");
    assert!(
        stored_at_kill < 58,
        "killed mid-cycle ({stored_at_kill} stored)"
    );
    for w in workers {
        finish(w);
    }

    assert_eq!(
        db.count("SELECT count(*) FROM articles WHERE status = 'ok'"),
        58,
        "every story stored once"
    );
    assert_eq!(
        memberships(&db),
        true_memberships(&server),
        "memberships exact"
    );
    let takers = db.count(&format!(
        "SELECT count(DISTINCT worker) FROM fetches WHERE worker NOT LIKE '%:{pid}:%'"
    ));
    assert!(takers >= 1, "another worker took the host over");
    assert!(
        server.max_in_flight() <= 1,
        "per_host 1 held through the takeover"
    );
}

#[test]
fn an_edited_story_on_the_shared_store_is_updated_and_keeps_its_previous_version() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    let t = truth(&server).swap_remove(7);
    let url = t["url"].as_str().unwrap().to_string();
    let path = format!("/{}", url.trim_start_matches(&server.base));
    let body = t["body"].as_str().unwrap();
    server.set_body(
        "/rss/a.atom",
        support::atom_entry(&url, "2024-06-01T00:00:00Z"),
    );
    let mut ws = workspace(&server, &db, 30, 4);
    std::fs::write(&ws.feeds_file, format!("{}rss/a.atom", server.base)).unwrap();
    ws.db = db.url.clone().into();
    finish(start_worker(&ws));
    assert_eq!(db.rows("SELECT body FROM articles")[0][0], body);

    // Fetched long ago, the feed due again, and now the feed says the story changed after
    // that fetch: its page has a new first sentence.
    sql(
        &db.url,
        "UPDATE articles SET fetched_at = '2024-07-01T00:00:00Z';
         UPDATE feeds SET next_poll_at = '1970-01-01T00:00:00Z'",
    );
    server.set_body(
        "/rss/a.atom",
        support::atom_entry(&url, "2025-01-01T00:00:00Z"),
    );
    let first: String = body.chars().take(40).collect();
    let page = std::fs::read_to_string(farm_dir().join("www").join(&path[1..])).unwrap();
    let page = server.rebase(&page);
    assert!(
        page.contains(&first),
        "the page prints the body's first words as they are"
    );
    server.set_body(
        &path,
        page.replacen(&first, "Bản tin đã được sửa lại", 1)
            .into_bytes(),
    );
    finish(start_worker(&ws));

    let now = db.rows("SELECT body FROM articles");
    assert_eq!(now.len(), 1, "still one story");
    assert!(
        now[0][0].starts_with("Bản tin đã được sửa lại"),
        "{}",
        now[0][0]
    );
    let revisions = db.rows("SELECT body FROM article_revisions");
    assert_eq!(
        revisions,
        vec![vec![body.to_string()]],
        "the previous version kept"
    );
}

#[test]
fn a_story_on_the_shared_store_is_found_by_its_words_typed_without_diacritics() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    let ws = workspace(&server, &db, 30, 4);
    finish(start_worker(&ws));
    let t = truth(&server).swap_remove(3);
    let title = t["title"].as_str().unwrap();
    // The title's words as typed on a keyboard without Vietnamese input: marks dropped, đ -> d.
    let plain = tindex::textfold::fold_search(title);
    let hits = db.rows(&format!(
        "SELECT url FROM articles WHERE search @@ plainto_tsquery('simple', '{}')",
        plain.replace('\'', "''")
    ));
    assert!(
        hits.iter().any(|h| h[0] == t["url"].as_str().unwrap()),
        "{plain:?} finds {}: {hits:?}",
        t["url"]
    );
}

/// What only a SQLite archive has (raw pages, backups as a file, Datasette) is refused on the
/// shared store with what to use instead; nothing is created, the password is not echoed.
#[test]
fn a_sqlite_only_command_on_a_postgresql_url_says_what_to_use_instead() {
    let ws = Workspace::new(&[]);
    let out = support::Workspace {
        db: "postgresql://reader:secret@db.invalid/tindex".into(),
        ..ws
    }
    .tindex(&["backup", "copy.sqlite"]);
    let log = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert!(
        log.contains("is a PostgreSQL store: back it up with pg_dump"),
        "{log}"
    );
    assert!(!log.contains("secret"), "the password is not echoed: {log}");
    assert!(!std::path::Path::new("postgresql:").exists());
    assert!(!std::path::Path::new("copy.sqlite").exists());
}

/// PostgreSQL refuses text holding a NUL character, where SQLite takes it: one such story
/// would fail its host's every batch, for ever. A JSON-LD `\u0000` and a raw NUL byte in a
/// feed's title are dropped before they reach the store.
#[test]
fn a_nul_character_in_a_page_or_feed_never_blocks_the_shared_store() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    let page = format!(
        "<html><head><title>Tin mới</title><script type=\"application/ld+json\">\
         {{\"@type\":\"NewsArticle\",\"headline\":\"Tin\\u0000 mới\",\
         \"author\":{{\"@type\":\"Person\",\"name\":\"Nguyễn\\u0000 Văn An\"}},\
         \"datePublished\":\"2024-06-01T08:00:00+07:00\",\"keywords\":\"luật\\u0000,án\"}}\
         </script></head><body><article><h1>Tin mới</h1>{}</article></body></html>",
        "<p>Đoạn văn bản đủ dài của bài báo để được trích xuất như một bài viết thật sự.</p>"
            .repeat(6)
    );
    server.set_body("/nul.html", page.into_bytes());
    server.set_body(
        "/nul.rss",
        support::rss_raw(&format!(
            "<item><title>Tin\0 mới</title><link>{}nul.html</link></item>",
            server.base
        ))
        .into_bytes(),
    );
    let ws = workspace(&server, &db, 30, 4);
    std::fs::write(&ws.feeds_file, format!("{}nul.rss", server.base)).unwrap();
    let log = finish(start_worker(&ws));

    let stored = db.rows("SELECT status, title, author, tags FROM articles");
    assert_eq!(stored.len(), 1, "{log}");
    assert_eq!(stored[0][0], "ok", "{log}");
    assert!(
        stored[0].iter().all(|v| !v.contains('\0')),
        "{:?}",
        stored[0]
    );
    assert_eq!(
        db.count("SELECT count(*) FROM feeds WHERE error_count = 0 AND last_polled_at IS NOT NULL"),
        1,
        "the feed's poll committed"
    );
}

/// A daemon worker with its log in a file of the workspace, read with [`log_of`].
fn start_daemon_worker(ws: &Workspace, name: &str) -> Child {
    let log = std::fs::File::create(ws.dir.path().join(name)).unwrap();
    ws.command(&["run"])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn log_of(ws: &Workspace, name: &str) -> String {
    std::fs::read_to_string(ws.dir.path().join(name)).unwrap_or_default()
}

/// Stops a daemon worker with SIGTERM; it must exit cleanly.
fn stop(mut worker: Child) {
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(worker.id() as i32, libc::SIGTERM) };
    assert!(worker.wait().unwrap().success(), "SIGTERM is a clean stop");
}

/// Beside a daemon worker that keeps every feed polled, `run --once` ends once every feed was
/// polled since it started (by either), instead of waiting for ever for feeds that are due
/// again and again.
#[test]
fn run_once_beside_a_daemon_worker_ends_once_every_feed_was_polled_since_its_start() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    let mut ws = Workspace::new(&farm_feeds(&server));
    ws.db = db.url.clone().into();
    // Feeds due every second: there is always one due, or about to be.
    let daemon = start_daemon_worker(&ws, "daemon.log");
    wait_until("the daemon's first cycle", Duration::from_secs(120), || {
        log_of(&ws, "daemon.log").contains("cycle done")
    });
    let mut once = start_worker(&ws);
    let ended = {
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = once.try_wait().unwrap() {
                break Some(status);
            }
            if start.elapsed() > Duration::from_secs(120) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    if ended.is_none() {
        once.kill().unwrap();
    }
    let log = stderr_of(&once.wait_with_output().unwrap());
    stop(daemon);
    assert!(
        ended.is_some_and(|s| s.success()),
        "run --once ended: {log}"
    );
    assert!(log.contains("no feed due on the shared store"), "{log}");
}

/// The store not answering for a while (here: a table renamed away under it) is a pause for
/// a daemon worker, not its end: it asks again and goes on once the store is back.
#[test]
fn a_daemon_worker_outlives_a_store_that_stops_answering_for_a_while() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    let mut ws = Workspace::new(&farm_feeds(&server));
    ws.db = db.url.clone().into();
    let mut daemon = start_daemon_worker(&ws, "daemon.log");
    wait_until("the daemon's first cycle", Duration::from_secs(120), || {
        log_of(&ws, "daemon.log").contains("cycle done")
    });
    sql(
        &db.url,
        "ALTER TABLE host_leases RENAME TO host_leases_away",
    );
    wait_until("the failure logged", Duration::from_secs(120), || {
        log_of(&ws, "daemon.log").contains("shared store not answering")
    });
    assert!(
        daemon.try_wait().unwrap().is_none(),
        "still running: {}",
        log_of(&ws, "daemon.log")
    );
    sql(
        &db.url,
        "ALTER TABLE host_leases_away RENAME TO host_leases",
    );
    let cycles = |log: &str| log.matches("cycle done").count();
    let before = cycles(&log_of(&ws, "daemon.log"));
    wait_until(
        "a cycle after the store came back",
        Duration::from_secs(120),
        || cycles(&log_of(&ws, "daemon.log")) > before,
    );
    stop(daemon);
}

/// A worker whose lease is taken over (it stalled past `lease_until` and another worker took
/// the host) stops that cycle's work instead of fetching from a host another worker holds;
/// what it left is done by the next holder, nothing lost or stored twice.
#[test]
fn a_worker_that_loses_its_lease_stops_its_cycle_and_the_next_holder_finishes() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    // One page at a time, slowly: the cycle is still running when its lease is taken.
    server.set_delay(Duration::from_millis(150));
    let ws = workspace(&server, &db, 3, 1);
    let worker = start_worker(&ws);
    wait_until("the first stories stored", Duration::from_secs(120), || {
        try_rows(&db.url, "SELECT count(*) FROM articles").is_ok_and(|r| r[0][0] != "0")
    });
    // Another worker takes the host for a few seconds, as one would once a lease ran out.
    sql(
        &db.url,
        "UPDATE host_leases SET owner = 'elsewhere:1:1',
             lease_until = to_char((now() + interval '4 seconds') AT TIME ZONE 'UTC',
                                   'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
    );
    let log = finish(worker);
    assert!(log.contains("host leases lost to another worker"), "{log}");
    assert!(log.contains("cycle ended early"), "{log}");
    assert_eq!(
        db.count("SELECT count(*) FROM articles WHERE status = 'ok'"),
        58,
        "every story stored once: {log}"
    );
    assert_eq!(
        memberships(&db),
        true_memberships(&server),
        "memberships exact"
    );
}

/// A SQLite archive of the farm, and the shared store's schema (from a worker with nothing
/// to poll) with a trigger that refuses the audit rows: a copy into it stops midway, as a
/// crash there would. Returned: the farm's server (kept alive), the archive's workspace and
/// one on the shared store.
fn archive_and_a_store_refusing_audit_rows(db: &Db) -> (Server, Workspace, Workspace) {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server));
    support::run_once(&ws);
    let mut empty = Workspace::new(&[]);
    empty.db = db.url.clone().into();
    finish(start_worker(&empty));
    sql(
        &db.url,
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'stopped here'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON fetches FOR EACH ROW EXECUTE FUNCTION refuse();",
    );
    (server, ws, empty)
}

/// A SQLite archive copied into PostgreSQL stopped midway (here by a trigger that refuses the
/// audit rows, as a crash there would) resumes where it stopped without copying a story twice,
/// ends with every table's count equal, and reads back exactly as the archive does.
#[test]
fn migrate_store_resumes_a_stopped_copy_and_ends_with_the_archive_exactly() {
    let Some(db) = Db::new() else { return };
    let (_server, ws, empty) = archive_and_a_store_refusing_audit_rows(&db);
    let first = ws.tindex(&["migrate-store", "--to", &db.url]);
    assert!(!first.status.success());
    assert!(
        stderr_of(&first).contains("stopped here"),
        "{}",
        stderr_of(&first)
    );
    assert_eq!(
        db.count("SELECT count(*) FROM articles"),
        58,
        "copied before the stop"
    );
    assert_eq!(db.count("SELECT count(*) FROM fetches"), 0);

    sql(
        &db.url,
        "DROP TRIGGER refuse ON fetches;
         CREATE TABLE inserted (n INTEGER);
         CREATE FUNCTION tally() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN INSERT INTO inserted VALUES (1); RETURN NEW; END $$;
         CREATE TRIGGER tally AFTER INSERT ON articles FOR EACH ROW EXECUTE FUNCTION tally();",
    );
    let second = ws.tindex(&["migrate-store", "--to", &db.url]);
    let out = support::stdout_of(&second);
    assert!(second.status.success(), "{out}{}", stderr_of(&second));
    assert!(out.contains("resumed the copy"), "{out}");
    assert!(out.contains("every count matches"), "{out}");
    assert!(!out.contains("MISMATCH"), "{out}");
    assert_eq!(
        db.count("SELECT count(*) FROM inserted"),
        0,
        "no story copied twice"
    );
    assert_eq!(
        db.count("SELECT count(*) FROM fetches"),
        support::count(&ws, "SELECT count(*) FROM fetches")
    );

    // What users read of it: the same export, the same story shown.
    let export = |w: &Workspace| support::stdout(w, &["export", "--jsonl"]);
    assert_eq!(export(&empty), export(&ws));
    assert_eq!(
        support::stdout(&empty, &["show", "7"]),
        support::stdout(&ws, &["show", "7"])
    );
}

/// A database holding anything but this archive's unfinished copy is refused untouched.
#[test]
fn migrate_store_refuses_a_database_that_already_holds_stories() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    let ws = workspace(&server, &db, 30, 4);
    finish(start_worker(&ws));
    let archive = Workspace::new(&farm_feeds(&server));
    support::run_once(&archive);
    let o = archive.tindex(&["migrate-store", "--to", &db.url]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
    assert!(
        stderr_of(&o).contains("already holds 58 stories"),
        "{}",
        stderr_of(&o)
    );
    assert_eq!(db.count("SELECT count(*) FROM tindex_copies"), 0);
}

/// An article page on a host another worker holds is not fetched (that would break the
/// host's `per_host` across the cluster): it waits a lease, then is deferred, its feed keeping
/// its old validators; once the host is free it is fetched, one request at a time.
#[test]
fn an_article_on_a_host_another_worker_holds_waits_for_that_host() {
    let Some(db) = Db::new() else { return };
    let other = Server::start_on(&farm_dir().join("www"), "127.0.0.2:0");
    other.set_delay(Duration::from_millis(50));
    let server = Server::start(&farm_dir().join("www"));
    let pages: Vec<String> = truth(&other)
        .iter()
        .take(5)
        .map(|t| t["url"].as_str().unwrap().to_string())
        .collect();
    let items: Vec<(String, Option<&str>)> = pages.iter().map(|u| (u.clone(), None)).collect();
    server.set_body("/rss/elsewhere.rss", support::rss_items(&items));
    let mut ws = Workspace::with_settings(
        &[format!("{}rss/elsewhere.rss", server.base)],
        "[daemon]\nmin_interval_secs = 300\nlease_secs = 3\n\n\
         [fetch]\nallow_addresses = [\"127.0.0.1\", \"127.0.0.2\"]\nper_host = 1\nper_host_gap_ms = 0\n",
    );
    ws.db = db.url.clone().into();
    // Another worker holds the pages' host.
    let mut empty = Workspace::new(&[]);
    empty.db = db.url.clone().into();
    finish(start_worker(&empty));
    sql(
        &db.url,
        "INSERT INTO host_leases (host, owner, lease_until)
         VALUES ('127.0.0.2', 'elsewhere:1:1', '2999-01-01T00:00:00Z')",
    );
    let log = finish(start_worker(&ws));
    assert!(
        other.hits().is_empty(),
        "nothing asked of a host another worker holds"
    );
    assert_eq!(
        log.matches("host held by another worker").count(),
        5,
        "{log}"
    );
    assert_eq!(db.count("SELECT count(*) FROM articles"), 0);
    assert_eq!(
        db.count("SELECT count(*) FROM feeds WHERE etag IS NOT NULL OR last_modified IS NOT NULL"),
        0,
        "the feed keeps no validators: its next poll lists the pages again"
    );

    // The other worker is done with the host.
    sql(
        &db.url,
        "UPDATE host_leases SET owner = NULL, lease_until = '1970-01-01T00:00:00Z'
         WHERE host = '127.0.0.2'",
    );
    finish(start_worker(&ws));
    assert_eq!(
        db.count("SELECT count(*) FROM articles WHERE status = 'ok'"),
        5
    );
    assert!(other.max_in_flight() <= 1, "per_host 1 on the claimed host");
}

/// A host's robots.txt read by one worker is trusted by the next (until it expires): the
/// host is not asked again because its feed changed hands.
#[test]
fn a_robots_txt_read_by_one_worker_is_not_asked_again_by_the_next() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    server.set_body(
        "/robots.txt",
        b"User-agent: *\nDisallow: /private/\n".to_vec(),
    );
    let t = truth(&server);
    let url = |i: usize| t[i]["url"].as_str().unwrap().to_string();
    server.set_body("/rss/a.rss", support::rss_items(&[(url(0), None)]));
    let mut ws = Workspace::new(&[format!("{}rss/a.rss", server.base)]);
    ws.db = db.url.clone().into();
    finish(start_worker(&ws));
    // A new story, polled by another worker process.
    server.set_body(
        "/rss/a.rss",
        support::rss_items(&[(url(0), None), (url(1), None)]),
    );
    finish(start_worker(&ws));
    assert_eq!(
        db.count("SELECT count(*) FROM articles WHERE status = 'ok'"),
        2
    );
    let robots = server
        .hits()
        .iter()
        .filter(|(p, _)| p == "/robots.txt")
        .count();
    assert_eq!(robots, 1, "robots.txt asked once: {:?}", server.hits());
    assert_eq!(
        db.count("SELECT count(*) FROM robots WHERE rules IS NOT NULL"),
        1
    );
}

/// A host that asked for an hour's pause (`503` with `Retry-After`) is not asked anything by
/// the next worker to take it before the hour is over.
#[test]
fn a_pause_a_host_asked_of_one_worker_holds_for_the_next() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    let t = truth(&server).swap_remove(0);
    let url = t["url"].as_str().unwrap().to_string();
    let path = format!("/{}", url.trim_start_matches(&server.base));
    server.set_body("/rss/a.rss", support::rss_items(&[(url.clone(), None)]));
    server.fault(
        &path,
        support::Fault {
            status: 503,
            content_type: "text/plain",
            body: b"busy".to_vec(),
            headers: vec![("Retry-After".into(), "3600".into())],
        },
    );
    let mut ws = Workspace::new(&[format!("{}rss/a.rss", server.base)]);
    ws.db = db.url.clone().into();
    finish(start_worker(&ws));
    assert_eq!(
        db.count("SELECT count(*) FROM host_leases WHERE paused_until > '2000-01-01'"),
        1
    );
    server.clear_hits();
    let log = finish(start_worker(&ws));
    assert!(server.hits().is_empty(), "{:?}\n{log}", server.hits());
    assert!(log.contains("Retry-After"), "{log}");
}

/// A plain HTTP GET on loopback: (status, body).
fn http_get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string());
    (status, body.unwrap_or_default())
}

/// A worker run as a service is watched like the daemon: `/metrics`, `/healthz` and
/// `/readyz` answer from the shared store, and SIGHUP reloads the config (a feed added to
/// the feeds file is polled without a restart).
#[test]
fn a_daemon_worker_serves_metrics_and_reloads_its_config_on_sighup() {
    let Some(db) = Db::new() else { return };
    let server = Server::start(&farm_dir().join("www"));
    let feeds = farm_feeds(&server);
    let mut ws = Workspace::with_settings(
        &feeds[..1],
        "[daemon]\nmin_interval_secs = 300\npoll_interval_secs = 900\n\n\
         [fetch]\nper_host = 4\nper_host_gap_ms = 0\n\n[http]\nlisten = \"127.0.0.1:0\"\n",
    );
    ws.db = db.url.clone().into();
    let worker = start_daemon_worker(&ws, "worker.log");
    wait_until("the first cycle", Duration::from_secs(120), || {
        log_of(&ws, "worker.log").contains("cycle done")
    });
    let log = log_of(&ws, "worker.log");
    let line = log
        .lines()
        .find(|l| l.contains("monitoring listener started"))
        .unwrap();
    let addr = line
        .split("listen=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert_eq!(http_get(addr, "/healthz").0, 200);
    wait_until("readyz 200", Duration::from_secs(60), || {
        http_get(addr, "/readyz").0 == 200
    });
    let (status, metrics) = http_get(addr, "/metrics");
    assert_eq!(status, 200);
    let stored = db.count("SELECT count(*) FROM articles WHERE status = 'ok'");
    assert!(stored > 0);
    let counted = metrics
        .lines()
        .find(|l| l.starts_with("tindex_stories_total{outcome=\"new\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .map(|v| v.parse::<f64>().unwrap() as i64);
    assert_eq!(counted, Some(stored), "{metrics}");

    std::fs::write(&ws.feeds_file, feeds[..2].join("\n")).unwrap();
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(worker.id() as i32, libc::SIGHUP) };
    wait_until("the added feed polled", Duration::from_secs(120), || {
        db.count("SELECT count(*) FROM feeds WHERE last_polled_at IS NOT NULL") == 2
    });
    assert!(log_of(&ws, "worker.log").contains("config reloaded"));
    stop(worker);
}

/// A copy stopped midway is not resumed once the archive was written to meanwhile (a daemon
/// ran on it): that would mix two states of it.
#[test]
fn migrate_store_refuses_to_resume_from_an_archive_written_to_since() {
    let Some(db) = Db::new() else { return };
    let (_server, ws, _) = archive_and_a_store_refusing_audit_rows(&db);
    assert!(
        !ws.tindex(&["migrate-store", "--to", &db.url])
            .status
            .success()
    );
    sql(&db.url, "DROP TRIGGER refuse ON fetches");
    support::run_once(&ws);
    let o = ws.tindex(&["migrate-store", "--to", &db.url]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
    assert!(
        stderr_of(&o).contains("was written to since this copy started"),
        "{}",
        stderr_of(&o)
    );
}

/// A wire story printed on two sites, fetched by two workers at once (one per site), ends in
/// one near-duplicate cluster, as on SQLite, whichever of them is written first.
#[test]
fn copies_of_one_story_written_by_two_workers_at_once_share_a_cluster() {
    let Some(db) = Db::new() else { return };
    let one = Server::start(&farm_dir().join("www"));
    let two = Server::start_on(&farm_dir().join("www"), "127.0.0.2:0");
    let t = truth(&one);
    let story = |server: &Server, i: usize| {
        let url = t[i]["url"].as_str().unwrap();
        server.rebase(&url.replace(&one.base, support::FARM_BASE))
    };
    // The same three stories on both sites (same text, each its own URL and canonical link).
    for server in [&one, &two] {
        let items: Vec<(String, Option<&str>)> = (0..3).map(|i| (story(server, i), None)).collect();
        server.set_body("/rss/wire.rss", support::rss_items(&items));
        server.set_delay(Duration::from_millis(100));
    }
    let mut ws = Workspace::with_settings(
        &[
            format!("{}rss/wire.rss", one.base),
            format!("{}rss/wire.rss", two.base),
        ],
        "[daemon]\nmin_interval_secs = 300\nlease_secs = 30\n\n\
         [fetch]\nallow_addresses = [\"127.0.0.1\", \"127.0.0.2\"]\nper_host = 4\nper_host_gap_ms = 0\n",
    );
    ws.db = db.url.clone().into();
    let workers: Vec<Child> = (0..2).map(|_| start_worker(&ws)).collect();
    for w in workers {
        finish(w);
    }
    assert_eq!(
        db.count("SELECT count(*) FROM articles WHERE status = 'ok'"),
        6
    );
    assert_eq!(
        db.count("SELECT count(DISTINCT cluster_id) FROM articles"),
        3,
        "{:?}",
        db.rows("SELECT url, cluster_id FROM articles ORDER BY id")
    );
}
