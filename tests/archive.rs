//! The archive as users and their tools meet it outside the daemon: read commands that never
//! create or change anything, files that are not tindex's refused untouched, configs that
//! must exist when named, journald priorities, monitoring exit codes, and online backups.

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use support::{
    Backend, Server, Workspace, count, farm_archive, farm_dir, farm_feeds, run_once, stderr_of,
    stdout_of, try_count, wait_until,
};

on_both_stores!(
    status_check_exits_1_only_once_a_feed_has_failed_past_the_threshold,
    status_check_exits_1_when_the_last_cycle_failed,
    status_json_splits_stored_and_failed_stories_per_feed,
    search_with_no_match_exits_1_and_prints_nothing,
    search_json_is_one_array_of_hits,
    show_finds_a_story_by_a_tracking_variant_of_its_link,
);

/// The fixture farm archived in one cycle into `backend`.
fn farm_archive_on(backend: Backend) -> (Server, Workspace) {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server)).on(backend);
    run_once(&ws);
    (server, ws)
}

fn tindex_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tindex"))
        .current_dir(dir)
        .args(args)
        .env_remove("TINDEX_CONFIG")
        .env_remove("JOURNAL_STREAM")
        .output()
        .unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn read_commands_on_a_mistyped_archive_exit_2_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), "").unwrap();
    let reads: [&[&str]; 7] = [
        &["status"],
        &["status", "--check"],
        &["search", "dat"],
        &["show", "1"],
        &["export", "--jsonl"],
        &["feeds", "list"],
        &["prune", "--older-than", "30"],
    ];
    for args in reads {
        let mut all = vec!["-c", "c.toml", "--db", "typo/tindx.sqlite"];
        all.extend_from_slice(args);
        let o = tindex_in(dir.path(), &all);
        let err = stderr_of(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: one line: {err}");
        assert!(
            err.contains("typo/tindx.sqlite") && err.contains("tindex run --once"),
            "{args:?} names the path and how to create it: {err}"
        );
    }
    assert_eq!(
        files_in(dir.path()),
        ["c.toml"],
        "no directory, no file made"
    );
}

#[test]
fn a_foreign_sqlite_file_is_refused_byte_for_byte_untouched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), "").unwrap();
    let other = dir.path().join("other.db");
    {
        let db = rusqlite::Connection::open(&other).unwrap();
        db.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine');")
            .unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    for args in [
        &["run", "--once"][..],
        &["feeds", "add", "https://a.vn/rss"],
        &["status"],
    ] {
        let mut all = vec!["-c", "c.toml", "--db", "other.db"];
        all.extend_from_slice(args);
        let o = tindex_in(dir.path(), &all);
        let err = stderr_of(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("not a tindex archive"), "{args:?}: {err}");
    }
    assert_eq!(
        std::fs::read(&other).unwrap(),
        before,
        "not one byte changed"
    );
    assert_eq!(
        files_in(dir.path()),
        ["c.toml", "other.db"],
        "no -wal, no -shm"
    );
}

#[test]
fn a_text_file_named_as_the_archive_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), "").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a database\n").unwrap();
    let o = tindex_in(
        dir.path(),
        &[
            "-c",
            "c.toml",
            "--db",
            "notes.txt",
            "feeds",
            "add",
            "https://a.vn/rss",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
    assert!(
        stderr_of(&o).contains("not an SQLite database"),
        "{}",
        stderr_of(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "not a database\n"
    );
}

/// Runs the binary as `nobody` (when the tests run as root, who may write anything).
fn as_reader(args: &[&str]) -> Output {
    let bin = env!("CARGO_BIN_EXE_tindex");
    let mut cmd = if unsafe { libc::geteuid() } == 0 {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid",
            "65534",
            "--regid",
            "65534",
            "--clear-groups",
            bin,
        ]);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .env_remove("TINDEX_CONFIG")
        .current_dir("/")
        .output()
        .unwrap()
}

#[test]
fn an_archive_in_a_read_only_directory_is_readable_and_left_as_it_was() {
    let (_server, ws) = farm_archive();
    let stored = count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'");
    let ro = tempfile::tempdir().unwrap();
    let db = ro.path().join("archive.sqlite");
    std::fs::copy(&ws.db, &db).unwrap();
    std::fs::write(ro.path().join("c.toml"), "").unwrap();
    let perms = |p: &Path, mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    perms(&db, 0o444);
    perms(ro.path(), 0o555);
    let (cfg, dbs) = (
        ro.path().join("c.toml").display().to_string(),
        db.display().to_string(),
    );
    let base = ["-c", cfg.as_str(), "--db", dbs.as_str()];
    let run = |args: &[&str]| {
        let mut all = base.to_vec();
        all.extend_from_slice(args);
        let o = as_reader(&all);
        assert!(o.status.success(), "{args:?}: {}", stderr_of(&o));
        stdout_of(&o)
    };
    run(&["status"]);
    assert_eq!(run(&["export", "--jsonl"]).lines().count() as i64, stored);
    assert!(!run(&["search", "thi", "hanh", "an"]).is_empty());
    assert!(run(&["show", "1"]).contains("status:     ok"));
    perms(ro.path(), 0o755);
    assert_eq!(
        files_in(ro.path()),
        ["archive.sqlite", "c.toml"],
        "nothing created"
    );
}

#[test]
fn a_named_config_that_does_not_exist_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tindex"))
        .current_dir(dir.path())
        .env("TINDEX_CONFIG", "/nowhere/tindex.toml")
        .args(["check-config"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
    assert!(
        stderr_of(&o).contains("/nowhere/tindex.toml"),
        "{}",
        stderr_of(&o)
    );
}

#[test]
fn with_no_config_anywhere_check_config_says_the_defaults_are_used() {
    if Path::new("/etc/tindex/tindex.toml").exists() {
        println!("skipped: /etc/tindex/tindex.toml exists on this machine");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let o = tindex_in(dir.path(), &["check-config"]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    let out = stdout_of(&o);
    assert!(
        out.contains("built-in defaults") && !out.contains("tindex.toml: ok"),
        "{out}"
    );
}

/// A farm workspace whose feeds file also lists a feed that answers 404 (a warning).
fn farm_with_a_missing_feed() -> (Server, Workspace) {
    farm_with_a_missing_feed_on(Backend::Sqlite)
}

fn farm_with_a_missing_feed_on(backend: Backend) -> (Server, Workspace) {
    let server = Server::start(&farm_dir().join("www"));
    let mut feeds = farm_feeds(&server);
    feeds.push(format!("{}no-such-feed.rss", server.base));
    let ws = Workspace::new(&feeds).on(backend);
    (server, ws)
}

#[test]
fn under_journald_every_line_is_led_by_its_syslog_priority() {
    let (_server, ws) = farm_with_a_missing_feed();
    let log = ws.dir.path().join("journal.log");
    let file = std::fs::File::create(&log).unwrap();
    let meta = file.metadata().unwrap();
    let status = ws
        .command(&["run", "--once"])
        .env("JOURNAL_STREAM", format!("{}:{}", meta.dev(), meta.ino()))
        .stderr(file)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with('<')), "{text}");
    let warning = lines.iter().find(|l| l.contains("no-such-feed")).unwrap();
    assert!(
        warning.starts_with("<4>"),
        "a failed feed is a warning: {warning}"
    );
    let done = lines.iter().find(|l| l.contains("cycle done")).unwrap();
    assert!(done.starts_with("<6>"), "{done}");
}

#[test]
fn a_journal_stream_that_is_not_stderr_gets_no_priority_prefix() {
    let (_server, ws) = farm_with_a_missing_feed();
    // Inherited from a service, but stderr now goes elsewhere: not the journal.
    let o = ws
        .command(&["run", "--once"])
        .env("JOURNAL_STREAM", "1:1")
        .output()
        .unwrap();
    let log = stderr_of(&o);
    assert!(log.lines().all(|l| !l.starts_with('<')), "{log}");
}

fn status_check_exits_1_only_once_a_feed_has_failed_past_the_threshold(backend: Backend) {
    let (_server, ws) = farm_with_a_missing_feed_on(backend);
    run_once(&ws);
    let o = ws.tindex(&["status", "--check"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "failing for minutes, not a day: {}",
        stdout_of(&o)
    );
    let o = ws.tindex(&["status", "--check", "--failing-hours", "0"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout_of(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("problem: feed ") && out.contains("no-such-feed.rss"),
        "{out}"
    );
}

fn status_check_exits_1_when_the_last_cycle_failed(backend: Backend) {
    let (_server, ws) = farm_archive_on(backend);
    assert_eq!(ws.tindex(&["status", "--check"]).status.code(), Some(0));
    // Finished after the farm's cycle: the newest.
    ws.execute(
        "INSERT INTO cycles (started_at, finished_at, result, error)
         VALUES ('2999-01-01T00:00:00Z', '2999-01-01T00:01:00Z', 'failed', 'database: disk I/O error')",
    );
    let o = ws.tindex(&["status", "--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout_of(&o).contains("disk I/O error"),
        "{}",
        stdout_of(&o)
    );
}

fn status_json_splits_stored_and_failed_stories_per_feed(backend: Backend) {
    let (_server, ws) = farm_with_a_missing_feed_on(backend);
    run_once(&ws);
    let o = ws.tindex(&["status", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ok = ws.number("SELECT count(*) FROM articles WHERE status = 'ok'");
    assert_eq!(v["totals"]["failing"], 1);
    assert_eq!(v["last_cycle"]["result"], "ok");
    let feeds = v["feeds"].as_array().unwrap();
    let failing: Vec<_> = feeds.iter().filter(|f| f["state"] == "failing").collect();
    assert_eq!(failing.len(), 1);
    assert!(failing[0]["last_error"].as_str().unwrap().contains("404"));
    // Totals count each story once, however many feeds list it.
    assert_eq!(v["totals"]["articles"].as_i64().unwrap(), ok);
    let failed = ws.number("SELECT count(*) FROM articles WHERE status = 'failed'");
    assert_eq!(v["totals"]["failed_articles"].as_i64().unwrap(), failed);
}

fn search_with_no_match_exits_1_and_prints_nothing(backend: Backend) {
    let (_server, ws) = farm_archive_on(backend);
    let o = ws.tindex(&["search", "xylophonequartz"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout_of(&o), "");
    assert_eq!(
        stderr_of(&o).matches("error").count(),
        0,
        "{}",
        stderr_of(&o)
    );
}

fn search_json_is_one_array_of_hits(backend: Backend) {
    let (_server, ws) = farm_archive_on(backend);
    let o = ws.tindex(&["search", "--json", "thi", "hành", "án"]);
    assert!(o.status.success());
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h["id"].is_i64() && h["url"].is_string())
    );
}

fn show_finds_a_story_by_a_tracking_variant_of_its_link(backend: Backend) {
    let (_server, ws) = farm_archive_on(backend);
    let url = ws.value("SELECT url FROM articles WHERE status = 'ok' ORDER BY id LIMIT 1");
    let variant = format!("{url}?utm_source=newsletter&utm_medium=email");
    let o = ws.tindex(&["show", &variant]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    assert!(stdout_of(&o).contains(&format!("url:        {url}")));
}

/// Counts that must agree inside any consistent copy of an archive.
fn consistent(db: &Path) -> (i64, i64) {
    let c = rusqlite::Connection::open(db).unwrap();
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    c.execute_batch("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        .unwrap();
    let one = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    let ok = one("SELECT count(*) FROM articles WHERE status = 'ok'");
    assert_eq!(
        one("SELECT count(*) FROM articles_fts"),
        ok,
        "one index entry per story"
    );
    assert_eq!(
        one(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_aliases x WHERE x.article_id = a.id)"
        ),
        0,
        "every story has its aliases"
    );
    assert_eq!(
        one(
            "SELECT count(*) FROM article_feeds af WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = af.article_id)"
        ),
        0
    );
    (ok, one("SELECT count(*) FROM fetches"))
}

#[test]
fn a_backup_taken_while_a_cycle_writes_is_a_consistent_archive() {
    let server = Server::start(&farm_dir().join("www"));
    server.set_delay(Duration::from_millis(150));
    let ws = Workspace::with_settings(
        &farm_feeds(&server),
        "[daemon]\nmin_interval_secs = 1\n[fetch]\nper_host = 1\nper_host_gap_ms = 0\n",
    );
    assert!(
        ws.tindex(&["feeds", "add", "http://127.0.0.1:9/unused.rss"])
            .status
            .success()
    );
    let mut child = ws
        .command(&["run", "--once"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut during = Vec::new();
    for i in 0.. {
        let dest = ws.dir.path().join(format!("backup-{i}.sqlite"));
        let o = ws.tindex(&["backup", dest.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr_of(&o));
        let running = child.try_wait().unwrap().is_none();
        if !running {
            break;
        }
        during.push(consistent(&dest));
        std::thread::sleep(Duration::from_millis(300));
    }
    assert!(child.wait().unwrap().success());
    assert!(
        !during.is_empty(),
        "at least one backup ran while the cycle wrote"
    );
    let fin = ws.dir.path().join("final.sqlite");
    assert!(
        ws.tindex(&["backup", fin.to_str().unwrap()])
            .status
            .success()
    );
    let live = (
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        count(&ws, "SELECT count(*) FROM fetches"),
    );
    assert_eq!(
        consistent(&fin),
        live,
        "a quiet archive's copy has every row"
    );
    assert!(during.iter().all(|c| c.0 <= live.0));
    // Refuses to overwrite.
    let o = ws.tindex(&["backup", fin.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr_of(&o).contains("exists"), "{}", stderr_of(&o));
}

#[test]
fn the_first_line_of_a_run_names_version_config_archive_schema_feeds_and_rules() {
    let (_server, ws) = farm_archive();
    let log = run_once(&ws);
    let first = log.lines().next().unwrap();
    assert!(first.contains("tindex starting"), "{first}");
    for field in [
        "version=\"0.1.0 (archive schema 7)\"".to_string(),
        format!("config={}", ws.config.display()),
        format!("db={}", ws.db.display()),
        "schema=7".to_string(),
        format!("feeds={}", farm_feeds(&_server).len()),
        "site_rules=1".to_string(),
    ] {
        assert!(first.contains(&field), "{field} in {first}");
    }
}

/// Published times compared as instants: pages give their own offsets.
fn instant(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn export_published_bounds_select_by_publication_instant() {
    let (_server, ws) = farm_archive();
    let all: Vec<serde_json::Value> = support::stdout(&ws, &["export", "--jsonl"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut times: Vec<_> = all
        .iter()
        .filter_map(|r| r["published"].as_str().map(instant))
        .collect();
    times.sort();
    let (lo, hi) = (times[times.len() / 4], times[3 * times.len() / 4]);
    let (los, his) = (lo.to_rfc3339(), hi.to_rfc3339());
    let got: Vec<serde_json::Value> = support::stdout(
        &ws,
        &[
            "export",
            "--jsonl",
            "--published-since",
            &los,
            "--published-until",
            &his,
        ],
    )
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect();
    let want = times.iter().filter(|t| **t >= lo && **t < hi).count();
    assert!(want > 0 && want < all.len());
    assert_eq!(got.len(), want);
    assert!(got.iter().all(|r| {
        let t = instant(r["published"].as_str().unwrap());
        t >= lo && t < hi
    }));
}

#[test]
fn export_feed_and_limit_narrow_the_rows() {
    let (server, ws) = farm_archive();
    let feed = farm_feeds(&server)[0].clone();
    let listed = count(
        &ws,
        &format!(
            "SELECT count(*) FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
             JOIN articles a ON a.id = af.article_id WHERE f.url = '{feed}' AND a.status = 'ok'"
        ),
    );
    let rows = support::stdout(&ws, &["export", "--jsonl", "--feed", &feed]);
    assert_eq!(rows.lines().count() as i64, listed);
    assert!(rows.lines().all(|l| l.contains(&feed)));
    let three = support::stdout(&ws, &["export", "--jsonl", "-n", "3"]);
    assert_eq!(three.lines().count(), 3);
}

#[test]
fn completions_name_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let o = tindex_in(dir.path(), &["completions", "bash"]);
    assert!(o.status.success());
    let script = stdout_of(&o);
    for sub in ["run", "status", "search", "backup", "datasette-metadata"] {
        assert!(script.contains(sub), "{sub}");
    }
    assert_eq!(
        files_in(dir.path()),
        Vec::<String>::new(),
        "needs no config or archive"
    );
}

/// A daemon on the farm archive, once it holds the run lock and has finished a cycle (the
/// archive already has one, from `run --once`).
fn daemon_past_its_first_cycle(ws: &Workspace) -> std::process::Child {
    let child = ws.command(&["run"]).stderr(Stdio::null()).spawn().unwrap();
    wait_until("the daemon's first cycle", Duration::from_secs(60), || {
        try_count(ws, "SELECT count(*) FROM cycles").is_some_and(|n| n >= 2)
    });
    child
}

#[test]
fn a_second_run_on_one_archive_is_refused_naming_the_first() {
    let (_server, ws) = farm_archive();
    let mut first = daemon_past_its_first_cycle(&ws);
    let second = ws.tindex(&["run", "--once"]);
    let err = stderr_of(&second);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("pid {}", first.id())), "{err}");
    // Read commands and backups go on meanwhile.
    assert!(ws.tindex(&["status"]).status.success());
    unsafe { libc::kill(first.id() as i32, libc::SIGTERM) };
    assert!(first.wait().unwrap().success());
    assert!(
        ws.tindex(&["run", "--once"]).status.success(),
        "released at exit"
    );
}

#[test]
fn a_lock_left_by_a_killed_run_does_not_block_the_next() {
    let (_server, ws) = farm_archive();
    let mut first = daemon_past_its_first_cycle(&ws);
    first.kill().unwrap();
    first.wait().unwrap();
    let lock = ws.db.with_extension("sqlite.lock");
    assert!(lock.exists(), "the killed run left its lock file");
    let o = ws.tindex(&["run", "--once"]);
    assert!(o.status.success(), "{}", stderr_of(&o));
}

#[test]
fn an_outside_writer_holding_the_lock_past_busy_timeout_delays_the_cycle_loses_nothing() {
    let server = Server::start(&farm_dir().join("www"));
    server.set_delay(Duration::from_millis(50));
    let ws = Workspace::with_settings(
        &farm_feeds(&server),
        "[daemon]\nmin_interval_secs = 1\n[fetch]\nper_host = 2\nper_host_gap_ms = 0\n",
    );
    assert!(
        ws.tindex(&["feeds", "add", "http://127.0.0.1:9/unused.rss"])
            .status
            .success()
    );
    let child = ws
        .command(&["run", "--once"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once article pages are being fetched, take the write lock for twice busy_timeout (10 s).
    wait_until("article fetches", Duration::from_secs(60), || {
        server.hits().iter().any(|(p, _)| p.ends_with(".html"))
    });
    let outside = ws.sql();
    outside.execute_batch("BEGIN IMMEDIATE").unwrap();
    std::thread::sleep(Duration::from_secs(21));
    outside.execute_batch("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    let log = stderr_of(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("archive locked by another writer"),
        "the wait is said"
    );
    assert!(!log.contains("cycle failed"), "{log}");
    let truth = support::truth(&server).len() as i64;
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        truth
    );
    // Every request once in the audit, none repeated.
    assert_eq!(
        count(&ws, "SELECT count(*) FROM fetches WHERE kind = 'article'"),
        truth
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM fetches WHERE kind = 'feed'"),
        farm_feeds(&server).len() as i64 + 1
    );
}

#[test]
fn a_feed_behind_a_login_is_polled_with_its_configured_credentials_never_shown() {
    const PASSWORD: &str = "s3cret-Passw0rd";
    let server = Server::start(&farm_dir().join("www"));
    let feed = farm_feeds(&server)[0].clone();
    let path = format!("/{}", feed.trim_start_matches(&server.base));
    server.require_auth(&path, "Basic YWxpY2U6czNjcmV0LVBhc3N3MHJk");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        format!(
            "[fetch]\nallow_addresses = [\"127.0.0.1\"]\nper_host_gap_ms = 0\n\n\
             [[feed]]\nurl = \"{feed}\"\nusername = \"alice\"\npassword_env = \"TINDEX_TEST_PW\"\n"
        ),
    )
    .unwrap();
    let run = |args: &[&str], with_password: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tindex"));
        cmd.current_dir(dir.path())
            .args(["-c", "c.toml", "--db", "t.sqlite"])
            .args(args)
            .env("RUST_LOG", "debug")
            .env_remove("TINDEX_TEST_PW");
        if with_password {
            cmd.env("TINDEX_TEST_PW", PASSWORD);
        }
        cmd.output().unwrap()
    };
    let missing = run(&["check-config"], false);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr_of(&missing).contains("TINDEX_TEST_PW"),
        "{}",
        stderr_of(&missing)
    );

    let polled = run(&["run", "--once"], true);
    assert!(polled.status.success(), "{}", stderr_of(&polled));
    assert!(
        server.hits().iter().any(|(p, s)| *p == path && *s == 200),
        "authorised"
    );
    assert!(!server.hits().iter().any(|(_, s)| *s == 401));
    let stored: i64 = rusqlite::Connection::open(dir.path().join("t.sqlite"))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM articles WHERE status = 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(stored > 0);
    let status = run(&["status", "--json"], true);
    let mut everything = format!("{}{}", stderr_of(&polled), stdout_of(&status));
    for f in files_in(dir.path()) {
        everything.push_str(&String::from_utf8_lossy(
            &std::fs::read(dir.path().join(f)).unwrap(),
        ));
    }
    assert!(!everything.contains(PASSWORD), "the password leaked");
}
