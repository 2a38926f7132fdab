//! The command line as a user meets it: the real binary, real files, exact output and exit codes.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{stderr_of, stdout_of};

fn tindex(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tindex"))
        .current_dir(dir)
        .args(args)
        .env_remove("TINDEX_CONFIG")
        .output()
        .unwrap()
}

#[test]
fn shipped_config_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = tindex(root, &["--config", "config/tindex.toml", "check-config"]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    assert_eq!(
        stdout_of(&o),
        "config/tindex.toml: ok: 3 feeds, 1 sitemaps, 0 listing pages, 1 site rules; archive config/tindex.sqlite\n"
    );
}

#[test]
fn bad_config_gives_one_line_naming_the_place_exit_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[daemon]\npoll_every = 5\n", "poll_every"),
        ("[[feed]]\nurl = \"ftp://x/rss\"\n", "feed[0].url"),
        (
            "[[site]]\nhosts = [\"a.vn\"]\nbody = \"div[[\"\n",
            "site[0] (a.vn)",
        ),
        ("[[feed]\n", "config"),
    ];
    for (text, place) in cases {
        let cfg = dir.path().join("bad.toml");
        std::fs::write(&cfg, text).unwrap();
        let o = tindex(
            dir.path(),
            &["--config", "bad.toml", "--db", "t.sqlite", "run", "--once"],
        );
        let err = stderr_of(&o);
        assert_eq!(o.status.code(), Some(2), "{text}: {err}");
        assert!(
            err.contains(place),
            "{text}: error should name {place}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(
            !dir.path().join("t.sqlite").exists(),
            "nothing written for {text}"
        );
    }
}

#[test]
fn a_missing_config_file_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let o = tindex(dir.path(), &["--config", "missing.toml", "check-config"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("missing.toml"));
}

/// A temp dir holding an empty config, `c.toml`.
fn empty_config() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), "").unwrap();
    dir
}

/// Runs the binary in `dir` on its `c.toml` and the archive `t.sqlite`.
fn run(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--config", "c.toml", "--db", "t.sqlite"];
    all.extend_from_slice(args);
    tindex(dir, &all)
}

const HOME: &str = "https://baophapluat.vn/rss/home.rss";

/// Adds the PLVN home feed from the command line, titled, then imports an OPML file listing
/// it again and one new feed; returns the dir and the import's output.
fn home_feed_then_opml_import() -> (tempfile::TempDir, Output) {
    let dir = empty_config();
    let o = run(dir.path(), &["feeds", "add", HOME, "--title", "PLVN"]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    std::fs::write(
        dir.path().join("in.opml"),
        r#"<?xml version="1.0"?><opml version="2.0"><body><outline text="VN">
        <outline text="Thời sự" xmlUrl="https://baophapluat.vn/rss/thoi-su.rss"/>
        <outline text="PLVN" xmlUrl="https://baophapluat.vn/rss/home.rss"/></outline></body></opml>"#,
    )
    .unwrap();
    let o = run(dir.path(), &["feeds", "import-opml", "in.opml"]);
    (dir, o)
}

#[test]
fn adding_a_present_feed_again_says_already_present() {
    let dir = empty_config();
    let o = run(dir.path(), &["feeds", "add", HOME, "--title", "PLVN"]);
    assert_eq!(stdout_of(&o), "added https://baophapluat.vn/rss/home.rss\n");
    let o = run(dir.path(), &["feeds", "add", HOME]);
    assert_eq!(
        stdout_of(&o),
        "already present: https://baophapluat.vn/rss/home.rss\n"
    );
}

#[test]
fn adding_a_non_http_feed_exits_2() {
    let dir = empty_config();
    let o = run(dir.path(), &["feeds", "add", "javascript:alert(1)"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
}

#[test]
fn opml_import_adds_only_the_new_feeds_with_their_titles() {
    let (dir, o) = home_feed_then_opml_import();
    assert_eq!(
        stdout_of(&o),
        "imported 1 new feeds of 2\n",
        "{}",
        stderr_of(&o)
    );
    let o = run(dir.path(), &["feeds", "list"]);
    assert_eq!(
        stdout_of(&o),
        "active\tcli\t0\thttps://baophapluat.vn/rss/home.rss\tPLVN\n\
         active\topml\t0\thttps://baophapluat.vn/rss/thoi-su.rss\tThời sự\n"
    );
}

#[test]
fn opml_export_carries_each_feeds_url_and_title() {
    let (dir, _) = home_feed_then_opml_import();
    let o = run(dir.path(), &["feeds", "export-opml"]);
    let exported = stdout_of(&o);
    assert!(
        exported.contains(r#"xmlUrl="https://baophapluat.vn/rss/thoi-su.rss""#),
        "{exported}"
    );
    assert!(exported.contains(r#"title="Thời sự""#), "{exported}");
}

#[test]
fn a_removed_feed_stays_listed_as_inactive() {
    let (dir, _) = home_feed_then_opml_import();
    let o = run(dir.path(), &["feeds", "remove", HOME]);
    assert!(o.status.success());
    let o = run(dir.path(), &["feeds", "list"]);
    assert!(stdout_of(&o).starts_with("active\topml\t0\thttps://baophapluat.vn/rss/thoi-su.rss"));
    assert!(stdout_of(&o).contains("inactive\tcli\t0\thttps://baophapluat.vn/rss/home.rss"));
}

#[test]
fn removing_a_feed_twice_exits_2() {
    let (dir, _) = home_feed_then_opml_import();
    let o = run(dir.path(), &["feeds", "remove", HOME]);
    assert!(o.status.success());
    let o = run(dir.path(), &["feeds", "remove", HOME]);
    assert_eq!(o.status.code(), Some(2), "removing twice is a user error");
}

#[test]
fn database_is_wal_with_incremental_vacuum_and_a_schema_version() {
    let dir = empty_config();
    let o = run(dir.path(), &["feeds", "add", HOME]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    let db = rusqlite::Connection::open(dir.path().join("t.sqlite")).unwrap();
    let mode: String = db
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let page: i64 = db.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let vacuum: i64 = db
        .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
        .unwrap();
    let app: i64 = db
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!((mode.as_str(), page, version, vacuum), ("wal", 4096, 7, 2));
    assert_eq!(app, 0x7469_6478, "stamped as a tindex archive");
}

#[test]
fn missing_files_and_bad_input_exit_2_with_one_line_naming_the_culprit() {
    let dir = empty_config();
    assert!(run(dir.path(), &["feeds", "add", HOME]).status.success());
    std::fs::write(
        dir.path().join("bad-feeds.txt"),
        "https://ok.vn/rss\n\nnot a url\n",
    )
    .unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--feeds-file", "nope.txt", "run", "--once"], "nope.txt"),
        (
            &["--feeds-file", "bad-feeds.txt", "run", "--once"],
            "bad-feeds.txt: line 3",
        ),
        (&["feeds", "import-opml", "missing.opml"], "missing.opml"),
        (
            &["export", "--jsonl", "--since", "yesterday"],
            "--fetched-since \"yesterday\"",
        ),
        (&["show", "https://nowhere.vn/x"], "no stored story"),
    ];
    for (args, place) in cases {
        let o = run(dir.path(), args);
        let err = stderr_of(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(place), "{args:?} should name {place}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

#[test]
fn an_unknown_subcommand_exits_2() {
    let dir = empty_config();
    let o = tindex(dir.path(), &["--config", "c.toml", "frobnicate"]);
    assert_eq!(o.status.code(), Some(2), "clap usage errors exit 2 too");
}

/// The config's feed list is the active set of config feeds at every start: a feed taken out
/// of the file is deactivated (its row and articles stay), put back it is active again, and a
/// changed title is picked up. Feeds point at a refused address, so no request leaves.
#[test]
fn config_feeds_follow_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let feed = |n: u8, title: &str| {
        format!("[[feed]]\nurl = \"http://127.0.0.1:9/{n}.rss\"\ntitle = \"{title}\"\n")
    };
    let cycle = |config: String| {
        std::fs::write(dir.path().join("c.toml"), config).unwrap();
        let o = tindex(
            dir.path(),
            &[
                "--config", "c.toml", "--db", "t.sqlite", "--quiet", "run", "--once",
            ],
        );
        assert!(o.status.success(), "{}", stderr_of(&o));
        let o = tindex(
            dir.path(),
            &["--config", "c.toml", "--db", "t.sqlite", "feeds", "list"],
        );
        stdout_of(&o)
    };
    let both = format!("{}{}", feed(1, "Một"), feed(2, "Hai"));
    assert_eq!(
        cycle(both.clone()),
        "active\tconfig\t0\thttp://127.0.0.1:9/1.rss\tMột\n\
         active\tconfig\t0\thttp://127.0.0.1:9/2.rss\tHai\n"
    );
    assert_eq!(
        cycle(feed(1, "Một")),
        "active\tconfig\t0\thttp://127.0.0.1:9/1.rss\tMột\n\
         inactive\tconfig\t0\thttp://127.0.0.1:9/2.rss\tHai\n"
    );
    assert_eq!(
        cycle(format!("{}{}", feed(1, "Một mới"), feed(2, "Hai"))),
        "active\tconfig\t0\thttp://127.0.0.1:9/1.rss\tMột mới\n\
         active\tconfig\t0\thttp://127.0.0.1:9/2.rss\tHai\n"
    );
}

#[test]
fn check_config_refuses_a_user_agent_that_run_could_not_send() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        "[fetch]\nuser_agent = \"tindex\\r\\nX-Injected: 1\"\n",
    )
    .unwrap();
    let o = tindex(dir.path(), &["--config", "c.toml", "check-config"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
    assert!(
        stderr_of(&o).contains("fetch.user_agent"),
        "{}",
        stderr_of(&o)
    );
}

#[test]
fn a_site_host_written_as_a_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        "[[site]]\nhosts = [\"https://baophapluat.vn\"]\ntitle = \"h1\"\n",
    )
    .unwrap();
    let o = tindex(dir.path(), &["--config", "c.toml", "check-config"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("site[0].hosts"), "{}", stderr_of(&o));
}

#[test]
fn fragment_variants_of_a_feed_url_are_one_feed() {
    let dir = empty_config();
    assert!(
        run(dir.path(), &["feeds", "add", &format!("{HOME}#a")])
            .status
            .success()
    );
    let o = run(dir.path(), &["feeds", "add", &format!("{HOME}#b")]);
    assert_eq!(stdout_of(&o), format!("already present: {HOME}\n"));
}

#[test]
fn an_opml_file_without_feeds_is_refused() {
    let dir = empty_config();
    std::fs::write(dir.path().join("empty.opml"), "").unwrap();
    let o = run(dir.path(), &["feeds", "import-opml", "empty.opml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("empty.opml"), "{}", stderr_of(&o));
    assert!(
        !dir.path().join("t.sqlite").exists() || {
            let db = rusqlite::Connection::open(dir.path().join("t.sqlite")).unwrap();
            db.query_row("SELECT count(*) FROM feeds", [], |r| r.get::<_, i64>(0))
                .unwrap()
                == 0
        }
    );
}

#[test]
fn an_opml_file_of_too_many_feeds_is_refused_whole() {
    let dir = empty_config();
    let outlines: String = (0..10_001)
        .map(|i| format!("<outline xmlUrl=\"https://a.vn/{i}.rss\"/>"))
        .collect();
    std::fs::write(
        dir.path().join("big.opml"),
        format!("<opml version=\"2.0\"><body>{outlines}</body></opml>"),
    )
    .unwrap();
    let o = run(dir.path(), &["feeds", "import-opml", "big.opml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("10001 feeds"), "{}", stderr_of(&o));
}

#[test]
fn an_opml_title_of_megabytes_is_cut() {
    let dir = empty_config();
    std::fs::write(
        dir.path().join("t.opml"),
        format!(
            "<opml version=\"2.0\"><body><outline title=\"{}\" xmlUrl=\"https://a.vn/rss\"/></body></opml>",
            "T".repeat(5_000_000)
        ),
    )
    .unwrap();
    assert!(
        run(dir.path(), &["feeds", "import-opml", "t.opml"])
            .status
            .success()
    );
    let list = stdout_of(&run(dir.path(), &["feeds", "list"]));
    assert!(list.len() < 1000, "{} bytes", list.len());
}

#[test]
fn an_archive_whose_tables_were_dropped_is_refused_at_open() {
    let dir = empty_config();
    assert!(run(dir.path(), &["feeds", "add", HOME]).status.success());
    rusqlite::Connection::open(dir.path().join("t.sqlite"))
        .unwrap()
        .execute_batch("DROP VIEW articles_v; DROP TABLE article_feeds;")
        .unwrap();
    let o = run(dir.path(), &["feeds", "add", "https://a.vn/rss"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
    assert!(
        stderr_of(&o).contains("tables are missing"),
        "{}",
        stderr_of(&o)
    );
}

#[test]
fn a_usage_error_is_one_line() {
    let dir = empty_config();
    let o = tindex(
        dir.path(),
        &["--config", "c.toml", "search", "--limit", "many", "x"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr_of(&o).trim().lines().count(), 1, "{}", stderr_of(&o));
}

#[test]
fn a_feed_url_with_a_password_is_refused_and_the_password_never_printed() {
    let dir = empty_config();
    let o = run(
        dir.path(),
        &[
            "feeds",
            "add",
            "https://alice:s3cret@baophapluat.vn/rss/home.rss",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let all = format!("{}{}", stdout_of(&o), stderr_of(&o));
    assert!(!all.contains("s3cret"), "{all}");
}
