//! Sources beyond feeds, end to end with the real binary: sitemaps (robots.txt, an index of
//! dated shards, a Google News sitemap, gzip), listing pages, and backfills that survive
//! SIGKILL. The farms come from the shared generator (`gen_farm.py --sitemap-only N`: stories
//! that no feed lists).

mod support;

use std::collections::{HashMap, HashSet};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{
    Fault, GeneratedFarm, Server, Workspace, count, run_once, stderr_of, stdout, wait_until,
};

const FAST: &str = "[daemon]\nmin_interval_secs = 1\npoll_interval_secs = 600\nmax_interval_secs = 900\n\n\
                    [fetch]\nper_host = 8\nper_host_gap_ms = 0\ntimeout_secs = 10\n\n\
                    [raw_pages]\nkeep = false\n";

/// The workspace polling the farm's feeds and its robots.txt as a sitemap source.
fn workspace(farm: &GeneratedFarm, server: &Server, sitemap: &str, extra: &str) -> Workspace {
    let settings = format!(
        "{FAST}{extra}\n[[sitemap]]\nurl = \"{}robots.txt\"\n{sitemap}\n",
        server.rebase(support::FARM_BASE)
    );
    Workspace::with_settings(&farm.feeds(server), &settings)
}

/// url → the kinds of the sources that list it (one entry per membership).
fn memberships(ws: &Workspace) -> HashMap<String, Vec<String>> {
    let db = ws.sql();
    let mut stmt = db
        .prepare(
            "SELECT a.url, f.kind FROM articles a JOIN article_feeds af ON af.article_id = a.id
             JOIN feeds f ON f.id = af.feed_id ORDER BY a.url, f.kind",
        )
        .unwrap();
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for row in stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
    {
        let (url, kind) = row.unwrap();
        out.entry(url).or_default().push(kind);
    }
    out
}

/// The URLs `tindex export` gives: what a user gets out of the archive.
fn exported_urls(ws: &Workspace) -> HashSet<String> {
    stdout(ws, &["export", "--jsonl"])
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["url"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn truth_urls(truth: &[Value]) -> HashSet<String> {
    truth
        .iter()
        .map(|t| t["url"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn feeds_and_sitemaps_store_every_story_once_with_both_memberships() {
    let Some(farm) = GeneratedFarm::new(6, 10, 300) else {
        return;
    };
    let server = Server::start(&farm.www());
    let ws = workspace(&farm, &server, "window_days = 30", "");
    run_once(&ws);

    let truth = farm.truth(&server);
    assert_eq!(
        truth.len(),
        358,
        "58 feed stories and 300 only in the sitemaps"
    );
    let stored: HashSet<String> = exported_urls(&ws);
    assert_eq!(stored, truth_urls(&truth), "every story, nothing else");
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles"),
        358,
        "no duplicates"
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM fetches WHERE kind = 'article'"),
        358,
        "each story fetched once, whichever sources list it"
    );
    let members = memberships(&ws);
    for t in &truth {
        let url = t["url"].as_str().unwrap();
        let feeds = t["feeds"].as_array().unwrap().len();
        let mut want = vec!["feed".to_string(); feeds];
        want.push("sitemap".into());
        assert_eq!(members[url], want, "memberships of {url}");
    }
}

#[test]
fn a_second_cycle_rereads_only_the_shard_whose_lastmod_changed() {
    let Some(farm) = GeneratedFarm::new(2, 5, 30) else {
        return;
    };
    let server = Server::start(&farm.www());
    let ws = workspace(&farm, &server, "window_days = 30", "");
    run_once(&ws);
    let stories = count(&ws, "SELECT count(*) FROM articles");

    server.clear_hits();
    run_once(&ws);
    let hits = server.hits();
    assert!(
        hits.iter().all(|(p, s)| *s == 304 && !p.ends_with(".html")),
        "an unchanged site costs 304s only: {hits:?}"
    );
    assert!(
        !hits.iter().any(|(p, _)| p.starts_with("/sitemaps/2")),
        "unchanged shards are not even asked for: {hits:?}"
    );

    // The site edits a story of 2024-05-30: the index gives that shard a new lastmod.
    let index = std::fs::read_to_string(farm.www().join("sitemap.xml")).unwrap();
    let line = index
        .lines()
        .find(|l| l.contains("2024-05-30.xml"))
        .expect("the farm has a 2024-05-30 shard")
        .to_string();
    let start = line.find("<lastmod>").unwrap() + "<lastmod>".len();
    let end = line.find("</lastmod>").unwrap();
    let edited = format!(
        "{}2024-06-02T10:00:00+07:00{}",
        &line[..start],
        &line[end..]
    );
    server.set_body("/sitemap.xml", index.replace(&line, &edited).into_bytes());
    server.clear_hits();
    run_once(&ws);
    let shards: Vec<_> = server
        .hits()
        .into_iter()
        .filter(|(p, _)| p.starts_with("/sitemaps/2"))
        .collect();
    assert_eq!(
        shards,
        [("/sitemaps/2024-05-30.xml".to_string(), 304)],
        "only the changed shard is asked for (with its validators)"
    );
    assert_eq!(count(&ws, "SELECT count(*) FROM articles"), stories);
}

#[test]
fn a_shard_that_failed_is_read_on_the_next_poll_though_its_index_is_unchanged() {
    let Some(farm) = GeneratedFarm::new(2, 5, 30) else {
        return;
    };
    let server = Server::start(&farm.www());
    let ws = workspace(&farm, &server, "window_days = 30", "");
    server.fault(
        "/sitemaps/2024-05-25.xml",
        Fault {
            status: 503,
            content_type: "text/plain",
            body: b"busy".to_vec(),
            headers: Vec::new(),
        },
    );
    let log = run_once(&ws);
    assert!(log.contains("sitemap document failed"), "{log}");
    let before = count(&ws, "SELECT count(*) FROM articles");
    let shard = server
        .rebase(&std::fs::read_to_string(farm.www().join("sitemaps/2024-05-25.xml")).unwrap());
    // The shard's stories that no feed listed (those the feeds list are stored already).
    let missing: i64 = shard
        .split("<loc>")
        .skip(1)
        .map(|s| &s[..s.find("</loc>").unwrap()])
        .map(|url| {
            let sql = format!("SELECT count(*) = 0 FROM articles WHERE url = '{url}'");
            count(&ws, &sql)
        })
        .sum();
    assert!(missing > 0, "the farm has sitemap-only stories that day");

    server.heal("/sitemaps/2024-05-25.xml");
    server.clear_hits();
    run_once(&ws);
    let hits = server.hits();
    assert!(
        hits.contains(&("/sitemaps/2024-05-25.xml".to_string(), 200)),
        "{hits:?}"
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles"),
        before + missing,
        "the shard's stories are stored once it answers"
    );
}

#[test]
fn the_first_poll_leaves_shards_older_than_the_window_to_backfill() {
    let Some(farm) = GeneratedFarm::new(2, 5, 60) else {
        return;
    };
    let server = Server::start(&farm.www());
    let ws = workspace(&farm, &server, "window_days = 3", "");
    run_once(&ws);
    let hits = server.hits();
    let read: HashSet<&str> = hits
        .iter()
        .filter(|(p, _)| p.starts_with("/sitemaps/2"))
        .map(|(p, _)| p.as_str())
        .collect();
    // The shards dated at most three days before the index's newest are read; the rest wait.
    let shards = farm.index_shards();
    let newest = shards.iter().map(|(_, t)| *t).max().unwrap();
    let want: HashSet<&str> = shards
        .iter()
        .filter(|(_, t)| *t >= newest - chrono::Duration::days(3))
        .map(|(p, _)| p.as_str())
        .collect();
    assert!(
        want.len() < shards.len(),
        "the farm spans more than the window"
    );
    assert_eq!(read, want);
    let status = stdout(&ws, &["status"]);
    let line = format!(
        "{} documents, {} read, {} left to backfill, 0 failing",
        shards.len() + 2,
        want.len() + 2,
        shards.len() - want.len()
    );
    assert!(status.contains(&line), "{line}: {status}");
}

/// Starts `tindex run` with its log in `daemon.log`, once its first cycle is done.
fn start_daemon(ws: &Workspace) -> Child {
    let log = std::fs::File::create(ws.dir.path().join("daemon.log")).unwrap();
    let daemon = ws.command(&["run"]).stderr(log).spawn().unwrap();
    wait_until("the daemon's first cycle", Duration::from_secs(120), || {
        daemon_log(ws).contains("cycle done")
    });
    daemon
}

/// What the daemon started by [`start_daemon`] has logged so far.
fn daemon_log(ws: &Workspace) -> String {
    std::fs::read_to_string(ws.dir.path().join("daemon.log")).unwrap_or_default()
}

/// Spawns `tindex backfill` with its log to a file (a pipe nobody reads would block it).
fn spawn_backfill(ws: &Workspace, from: &str) -> Child {
    let log = std::fs::File::create(ws.dir.path().join("backfill.log")).unwrap();
    ws.command(&["backfill", "--site", "127.0.0.1", "--from", from])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

#[test]
fn a_backfill_killed_twice_resumes_and_ends_with_the_exact_truth_count() {
    let Some(farm) = GeneratedFarm::new(2, 5, 120) else {
        return;
    };
    let server = Server::start(&farm.www());
    // Slow answers, so the kills land mid-walk on any machine.
    server.set_delay(Duration::from_millis(20));
    let ws = workspace(&farm, &server, "window_days = 1", "[backfill]\nbatch = 4\n");
    let truth = farm.truth(&server);
    // 0 until the backfill has created the archive.
    let stored = |ws: &Workspace| -> i64 {
        ws.sql()
            .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
            .unwrap_or(0)
    };

    for kill_after in [25, 60] {
        let mut child = spawn_backfill(&ws, "2024-05-01");
        wait_until(
            "stories stored by the backfill",
            Duration::from_secs(300),
            || stored(&ws) >= kill_after,
        );
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    assert!(stored(&ws) < truth.len() as i64, "killed before the end");
    let status = stdout(&ws, &["status"]);
    assert!(
        status.contains("backfill #1 of 127.0.0.1 (2024-05-01 to ")
            && (status.contains("): walking, ") || status.contains("): listing, ")),
        "status shows the unfinished backfill: {status}"
    );
    let progress = count(
        &ws,
        "SELECT count(*) FROM backfill_shards WHERE done_at IS NOT NULL",
    );
    assert!(progress > 0, "progress was stored shard by shard");

    let out = ws
        .command(&["backfill", "--site", "127.0.0.1", "--from", "2024-05-01"])
        .output()
        .unwrap();
    let log = stderr_of(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("(resumed)"),
        "the same backfill goes on: {log}"
    );
    assert!(log.contains("backfill done"), "{log}");
    let urls: HashSet<String> = exported_urls(&ws);
    assert_eq!(urls, truth_urls(&truth), "every story of the truth");
    assert_eq!(stored(&ws), truth.len() as i64, "and each once");
    assert_eq!(
        count(&ws, "SELECT count(*) FROM backfills"),
        1,
        "resumed, not queued again"
    );
    let status = stdout(&ws, &["status"]);
    let shards = farm.index_shards().len();
    assert!(
        status.contains(&format!("done, {shards}/{shards} shards")),
        "{status}"
    );
}

#[test]
fn live_polls_of_the_same_host_go_before_backfill_work() {
    let Some(farm) = GeneratedFarm::new(2, 5, 120) else {
        return;
    };
    let server = Server::start(&farm.www());
    // Each answer takes 50 ms: the walk, one request at a time, outlasts several polls.
    server.set_delay(Duration::from_millis(50));
    // One feed polled every 2 s; the backfill fetches 4 stories between looks at the schedule.
    let settings = "[daemon]\nmin_interval_secs = 1\npoll_interval_secs = 2\nmax_interval_secs = 2\n\n\
                    [fetch]\nper_host = 8\nper_host_gap_ms = 0\ntimeout_secs = 10\n\n\
                    [raw_pages]\nkeep = false\n[backfill]\nbatch = 4\nper_host = 1\n";
    let feeds = farm.feeds(&server);
    let settings = format!(
        "{settings}\n[[sitemap]]\nurl = \"{}robots.txt\"\nwindow_days = 1\n",
        server.rebase(support::FARM_BASE)
    );
    let ws = Workspace::with_settings(&feeds[..1], &settings);
    let feed_path = feeds[0]
        .trim_start_matches(&server.rebase(support::FARM_BASE))
        .to_string();
    let feed_path = format!("/{feed_path}");
    let out = ws
        .command(&["backfill", "--site", "127.0.0.1", "--from", "2024-05-01"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));

    let hits = server.timed_hits();
    let polls: Vec<Instant> = hits
        .iter()
        .filter(|h| h.path == feed_path)
        .map(|h| h.start)
        .collect();
    let articles: Vec<Instant> = hits
        .iter()
        .filter(|h| h.path.ends_with(".html"))
        .map(|h| h.start)
        .collect();
    assert!(
        polls.len() >= 3,
        "the feed was polled during the backfill: {} polls",
        polls.len()
    );
    // However fast or slow the machine: once the feed is due again (2 s after its last poll,
    // jitter aside), at most one batch of backfill fetches starts before it is polled.
    for pair in polls.windows(2) {
        let due = pair[0] + Duration::from_millis(2300);
        let before = articles
            .iter()
            .filter(|t| **t > due && **t < pair[1])
            .count();
        assert!(
            before <= 4 + 1,
            "{before} backfill fetches started while the feed was due"
        );
    }
}

/// A small farm on a test server, with the text of its Google News sitemap (rebased onto the
/// server); the farm is returned to keep its directory alive.
fn news_sitemap_farm() -> Option<(GeneratedFarm, Server, String, String)> {
    let farm = GeneratedFarm::new(2, 5, 10)?;
    let server = Server::start(&farm.www());
    let base = server.rebase(support::FARM_BASE);
    let news =
        server.rebase(&std::fs::read_to_string(farm.www().join("sitemaps/news.xml")).unwrap());
    Some((farm, server, base, news))
}

/// As many stories stored as the sitemap text lists (one at least).
fn assert_every_listed_story_stored(ws: &Workspace, news: &str) {
    let listed = news.matches("<url>").count() as i64;
    assert!(listed > 0);
    assert_eq!(
        count(ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        listed
    );
}

#[test]
fn a_gzip_sitemap_is_read() {
    let Some((_farm, server, base, news)) = news_sitemap_farm() else {
        return;
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, news.as_bytes()).unwrap();
    server.fault(
        "/sitemaps/news.xml.gz",
        Fault {
            status: 200,
            content_type: "application/gzip",
            body: gz.finish().unwrap(),
            headers: Vec::new(),
        },
    );
    let settings = format!("{FAST}\n[[sitemap]]\nurl = \"{base}sitemaps/news.xml.gz\"\n");
    let ws = Workspace::with_settings(&[], &settings);
    run_once(&ws);
    assert_every_listed_story_stored(&ws, &news);
}

#[test]
fn a_sitemap_added_on_the_command_line_is_read_as_a_sitemap() {
    let Some((_farm, _server, base, news)) = news_sitemap_farm() else {
        return;
    };
    let ws = Workspace::with_settings(&[], FAST);
    let url = format!("{base}sitemaps/news.xml");
    // Added first as a feed by mistake, then again as what it is.
    assert!(stdout(&ws, &["feeds", "add", &url]).starts_with("added"));
    assert!(stdout(&ws, &["feeds", "add", "--sitemap", &url]).starts_with("added"));
    assert!(stdout(&ws, &["feeds", "add", "--sitemap", &url]).starts_with("already present"));
    run_once(&ws);
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM feeds WHERE kind = 'sitemap' AND active = 1"
        ),
        1
    );
    assert_every_listed_story_stored(&ws, &news);
}

#[test]
fn a_listing_page_stores_the_stories_its_selector_picks() {
    let Some(farm) = GeneratedFarm::new(2, 5, 0) else {
        return;
    };
    let server = Server::start(&farm.www());
    let base = server.rebase(support::FARM_BASE);
    let truth = farm.truth(&server);
    let picked: Vec<&str> = truth
        .iter()
        .take(3)
        .map(|t| t["url"].as_str().unwrap())
        .collect();
    let listing = format!(
        "<html><head><title>Pháp luật</title></head><body><nav><a href=\"{base}\">Home</a></nav>\
         {}<aside><a href=\"{}\">Đọc nhiều</a></aside></body></html>",
        picked
            .iter()
            .map(|u| format!("<h3 class=\"story__title\"><a href=\"{u}\">x</a></h3>"))
            .collect::<String>(),
        truth[4]["url"].as_str().unwrap()
    );
    server.set_body("/phap-luat", listing.into_bytes());
    let settings =
        format!("{FAST}\n[[listing]]\nurl = \"{base}phap-luat\"\nlinks = \"h3.story__title a\"\n");
    let ws = Workspace::with_settings(&[], &settings);
    run_once(&ws);
    let stored: HashSet<String> = exported_urls(&ws);
    let want: HashSet<String> = picked.iter().map(|s| s.to_string()).collect();
    assert_eq!(stored, want, "the picked links, not the sidebar's");
    let kinds = memberships(&ws);
    assert!(kinds.values().all(|k| k == &["listing".to_string()]));
}

#[test]
fn a_backfill_on_a_terminal_draws_a_progress_bar_and_keeps_the_log_lines() {
    let Some(farm) = GeneratedFarm::new(2, 5, 20) else {
        return;
    };
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("skipped: no `script` (util-linux) to give the backfill a terminal");
        return;
    }
    let server = Server::start(&farm.www());
    let ws = workspace(&farm, &server, "window_days = 1", "");
    let command = format!(
        "RUST_LOG=info '{}' --config '{}' --db '{}' --feeds-file '{}' backfill --site 127.0.0.1 --from 2024-05-01",
        env!("CARGO_BIN_EXE_tindex"),
        ws.config.display(),
        ws.db.display(),
        ws.feeds_file.display()
    );
    // `script` runs the command on a pseudo-terminal and copies what it drew to stdout.
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    let shards = farm.index_shards().len();
    assert!(
        screen.contains(&format!("{shards}/{shards} shards")),
        "the bar ends full: {screen}"
    );
    assert!(screen.contains("backfill 127.0.0.1 ["), "{screen}");
    assert!(
        screen.contains("backfill shard walked") && screen.contains("backfill done"),
        "log lines are written above the bar, not lost: {screen}"
    );
}

#[test]
fn a_sighup_during_a_backfill_reloads_the_config_without_waiting_for_its_end() {
    let Some(farm) = GeneratedFarm::new(2, 5, 60) else {
        return;
    };
    let server = Server::start(&farm.www());
    server.set_delay(Duration::from_millis(30));
    let ws = workspace(&farm, &server, "window_days = 1", "[backfill]\nbatch = 2\n");
    let mut child = spawn_backfill(&ws, "2024-05-01");
    let log_path = ws.dir.path().join("backfill.log");
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    wait_until("the backfill walking", Duration::from_secs(120), || {
        log().contains("backfill shard walked")
    });
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGHUP) }, 0);
    assert!(child.wait().unwrap().success(), "{}", log());
    let log = log();
    let reloaded = log.find("config reloaded").expect("the reload happened");
    let done = log.find("backfill done").expect("and the backfill ended");
    assert!(reloaded < done, "reloaded mid-walk, not after it: {log}");
}

#[test]
fn a_backfill_asked_for_while_the_daemon_runs_is_walked_by_that_daemon() {
    let Some(farm) = GeneratedFarm::new(2, 5, 40) else {
        return;
    };
    let server = Server::start(&farm.www());
    let ws = workspace(&farm, &server, "window_days = 1", "");
    let mut daemon = start_daemon(&ws);
    let daemon_log = || daemon_log(&ws);

    let out = ws
        .command(&["backfill", "--site", "127.0.0.1", "--from", "2024-05-01"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        said.contains("queued: the daemon running on this archive walks it between its polls;"),
        "the daemon was woken (SIGUSR1), not left to its next look: {said}"
    );
    wait_until(
        "the daemon walking the backfill",
        Duration::from_secs(300),
        || daemon_log().contains("backfill done"),
    );
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(daemon.id() as i32, libc::SIGTERM) };
    assert!(daemon.wait().unwrap().success());
    let truth = farm.truth(&server);
    assert_eq!(exported_urls(&ws), truth_urls(&truth));
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles"),
        truth.len() as i64
    );
}

#[test]
fn a_second_backfill_queued_mid_walk_neither_stops_the_daemon_nor_the_first_walk() {
    let Some(farm) = GeneratedFarm::new(2, 5, 60) else {
        return;
    };
    let server = Server::start(&farm.www());
    server.set_delay(Duration::from_millis(30));
    let ws = workspace(&farm, &server, "window_days = 1", "[backfill]\nbatch = 2\n");
    let mut daemon = start_daemon(&ws);
    let daemon_log = || daemon_log(&ws);
    let queue = |from: &str| {
        let out = ws
            .command(&["backfill", "--site", "127.0.0.1", "--from", from])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    };
    queue("2024-05-01");
    wait_until("the first walk under way", Duration::from_secs(120), || {
        daemon_log().contains("backfill shard walked")
    });
    // Its SIGUSR1 lands while the daemon is inside a backfill step.
    queue("2024-05-25");
    wait_until("both walks done", Duration::from_secs(300), || {
        daemon_log().matches("backfill done").count() == 2
    });
    assert!(
        daemon.try_wait().unwrap().is_none(),
        "the daemon still runs"
    );
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(daemon.id() as i32, libc::SIGTERM) };
    assert!(daemon.wait().unwrap().success());
    assert_eq!(
        count(&ws, "SELECT count(*) FROM backfills WHERE state = 'done'"),
        2
    );
    let truth = farm.truth(&server);
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles"),
        truth.len() as i64
    );
}
