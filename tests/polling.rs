//! Polling as a good citizen, measured by a loopback server that counts and times requests:
//! per-host concurrency and gap, Retry-After, backoff and recovery, SIGTERM mid-cycle, and a
//! new item picked up by the running daemon.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{
    Fault, Server, Workspace, count, farm_dir, farm_feeds, run_once, stdout, truth, try_count,
    wait_until,
};

fn sigterm(pid: u32) {
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -TERM {pid}");
}

#[test]
fn never_more_than_per_host_in_flight_nor_closer_than_the_gap() {
    let server = Server::start(&farm_dir().join("www"));
    server.set_delay(Duration::from_millis(150));
    let mut feeds = farm_feeds(&server);
    feeds.truncate(2);
    let ws = Workspace::with_settings(
        &feeds,
        "[daemon]\nmin_interval_secs = 1\n[fetch]\nconcurrency = 16\nper_host = 2\nper_host_gap_ms = 100\n",
    );
    run_once(&ws);
    let hits = server.timed_hits();
    assert!(
        hits.len() > 20,
        "feeds, robots.txt and articles: {}",
        hits.len()
    );
    assert_eq!(
        server.max_in_flight(),
        2,
        "per_host = 2 is used and never exceeded"
    );
    let min_gap = hits
        .windows(2)
        .map(|w| w[1].start - w[0].start)
        .min()
        .unwrap();
    // The gap is enforced at request start on the client; allow the loopback's jitter.
    assert!(
        min_gap >= Duration::from_millis(35),
        "closest starts {min_gap:?} apart"
    );
}

#[test]
fn retry_after_pauses_the_host_and_schedules_the_feed_after_it() {
    let server = Server::start(&farm_dir().join("www"));
    let feeds = farm_feeds(&server);
    let limited = feeds[0].clone();
    let path = limited.trim_start_matches(&server.base).to_string();
    server.fault(
        &format!("/{path}"),
        Fault {
            status: 429,
            content_type: "text/plain",
            body: b"slow down".to_vec(),
            headers: vec![("Retry-After".into(), "2".into())],
        },
    );
    let ws = Workspace::with_settings(
        &feeds[..2],
        "[daemon]\nmin_interval_secs = 1\npoll_interval_secs = 1\n[fetch]\nper_host = 1\nper_host_gap_ms = 0\n",
    );
    run_once(&ws);
    let hits = server.timed_hits();
    let at = hits
        .iter()
        .position(|h| h.status == 429)
        .expect("the 429 was served");
    if let Some(next) = hits.get(at + 1) {
        let pause = next.start - hits[at].end;
        assert!(
            pause >= Duration::from_millis(1900),
            "next request to the host after {pause:?}"
        );
    }
    let (errors, error, wait): (i64, String, i64) = ws
        .sql()
        .query_row(
            "SELECT error_count, last_error,
                    unixepoch(next_poll_at) - unixepoch(last_polled_at)
             FROM feeds WHERE last_status = 429",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((errors, error.as_str()), (1, "HTTP 429"));
    assert!(wait >= 2, "next poll waits for Retry-After: {wait}s");
}

/// One farm feed answering 503, polled four times (60 s base interval, 400 s cap). Returns
/// the server, the workspace, the feed's path and the wait after each poll.
fn a_feed_failing_four_times() -> (Server, Workspace, String, Vec<i64>) {
    let server = Server::start(&farm_dir().join("www"));
    let feed = farm_feeds(&server)[0].clone();
    let path = format!("/{}", feed.trim_start_matches(&server.base));
    server.fault(
        &path,
        Fault {
            status: 503,
            content_type: "text/plain",
            body: b"down".to_vec(),
            headers: vec![],
        },
    );
    let ws = Workspace::with_settings(
        std::slice::from_ref(&feed),
        "[daemon]\nmin_interval_secs = 60\npoll_interval_secs = 60\nmax_interval_secs = 400\n",
    );
    let mut waits = Vec::new();
    for _ in 0..4 {
        run_once(&ws);
        waits.push(count(
            &ws,
            "SELECT unixepoch(next_poll_at) - unixepoch(last_polled_at) FROM feeds",
        ));
    }
    (server, ws, path, waits)
}

#[test]
fn errors_back_off_exponentially_up_to_the_cap() {
    let (_server, _ws, _, waits) = a_feed_failing_four_times();
    // 60 s doubled per further error (60, 120, 240, 480 capped at 400), plus at most 10% jitter.
    for (w, base) in waits.iter().zip([60, 120, 240, 400]) {
        assert!((base..=base + base / 10).contains(w), "waits {waits:?}");
    }
}

#[test]
fn a_failing_feed_is_never_given_up() {
    let (_server, ws, _, _) = a_feed_failing_four_times();
    assert_eq!(
        count(&ws, "SELECT error_count FROM feeds"),
        4,
        "still polled at the cap"
    );
    assert_eq!(count(&ws, "SELECT active FROM feeds"), 1, "never disabled");
}

#[test]
fn a_failing_feed_recovers_on_its_first_success() {
    let (server, ws, path, _) = a_feed_failing_four_times();
    server.heal(&path);
    run_once(&ws);
    let (errors, error, success): (i64, Option<String>, Option<String>) = ws
        .sql()
        .query_row(
            "SELECT error_count, last_error, last_success_at FROM feeds",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (errors, error),
        (0, None),
        "the first success resets the errors"
    );
    assert!(success.is_some());
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        10
    );
}

#[test]
fn sigterm_mid_cycle_loses_nothing_and_the_next_run_completes_it() {
    let server = Server::start(&farm_dir().join("www"));
    server.set_delay(Duration::from_millis(60));
    let ws = Workspace::with_settings(
        &farm_feeds(&server),
        "[daemon]\nmin_interval_secs = 1\n[fetch]\nper_host = 2\nper_host_gap_ms = 0\n",
    );
    let mut child = ws
        .command(&["run", "--once"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some articles are committed, then stop it mid-cycle.
    wait_until("first articles", Duration::from_secs(30), || {
        try_count(&ws, "SELECT count(*) FROM articles").is_some_and(|n| n > 0)
    });
    let before = count(&ws, "SELECT count(*) FROM articles");
    sigterm(child.id());
    let status = child.wait().unwrap();
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
    let partial = count(&ws, "SELECT count(*) FROM articles");
    assert!(
        partial >= before,
        "fetches in flight were drained and stored"
    );
    assert!(
        partial > 0 && partial < 58,
        "stopped mid-cycle: {partial} articles"
    );
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM articles WHERE status != 'ok' OR body IS NULL OR title IS NULL"
        ),
        0,
        "no half-written article"
    );
    // A feed keeps new validators only if every story it lists is stored.
    let db = ws.sql();
    let validated: Vec<String> = db
        .prepare("SELECT url FROM feeds WHERE etag IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for feed in &validated {
        for t in truth(&server) {
            if t["feeds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == feed.as_str())
            {
                let stored: i64 = db
                    .query_row(
                        "SELECT count(*) FROM articles WHERE url = ?1 AND status = 'ok'",
                        [t["url"].as_str().unwrap()],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(stored, 1, "{feed} has validators but misses {}", t["url"]);
            }
        }
    }
    assert!(validated.len() < 6, "the stop left some feeds to finish");
    let integrity: String = ws
        .sql()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");

    server.set_delay(Duration::ZERO);
    run_once(&ws);
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        58
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM fetches WHERE kind = 'article'"),
        58,
        "stored articles are not fetched again"
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM feeds WHERE etag IS NULL"),
        0
    );
}

/// Waits until the daemon's first cycle has committed the one feed's validators.
fn wait_for_first_cycle(ws: &Workspace) {
    wait_until("first cycle", Duration::from_secs(30), || {
        try_count(ws, "SELECT count(*) FROM feeds WHERE etag IS NOT NULL") == Some(1)
    });
}

#[test]
fn the_daemon_picks_up_a_new_item_on_its_next_poll() {
    let server = Server::start(&farm_dir().join("www"));
    let feed = farm_feeds(&server)[0].clone();
    let path = format!("/{}", feed.trim_start_matches(&server.base));
    let ws = Workspace::new(std::slice::from_ref(&feed));
    let child = ws.command(&["run"]).stderr(Stdio::piped()).spawn().unwrap();
    wait_for_first_cycle(&ws);
    assert_eq!(count(&ws, "SELECT count(*) FROM articles"), 10);
    wait_until("a poll answered 304", Duration::from_secs(30), || {
        server.hits().iter().any(|(p, s)| *p == path && *s == 304)
    });

    // Publish: the feed gains an item pointing at a farm page no feed listed before.
    let unlisted = truth(&server)
        .into_iter()
        .find(|t| {
            !t["feeds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == feed.as_str())
        })
        .unwrap();
    let url = unlisted["url"].as_str().unwrap().to_string();
    let original =
        std::fs::read_to_string(farm_dir().join("www").join(path.trim_start_matches('/'))).unwrap();
    let item = format!("<item><title>Tin mới</title><link>{url}</link><guid>{url}</guid></item>");
    let with_new = server
        .rebase(&original)
        .replacen("<item>", &format!("{item}<item>"), 1);
    server.set_body(&path, with_new.into_bytes());
    wait_until("the new item", Duration::from_secs(30), || {
        ws.sql()
            .query_row(
                "SELECT count(*) FROM articles WHERE url = ?1",
                [&url],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_or(0)
            == 1
    });
    let title: String = ws
        .sql()
        .query_row("SELECT title FROM articles WHERE url = ?1", [&url], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(title, unlisted["title"].as_str().unwrap());

    sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("not modified"),
        "polls in between cost a 304: {log}"
    );
}

#[test]
fn the_daemon_stops_cleanly_on_sigterm() {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server)[..1]);
    let child = ws.command(&["run"]).stderr(Stdio::piped()).spawn().unwrap();
    wait_for_first_cycle(&ws);
    sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("daemon started") && log.contains("signal received, stopping"),
        "{log}"
    );
}

#[test]
fn sighup_reloads_the_feed_list_without_a_restart() {
    let server = Server::start(&farm_dir().join("www"));
    let feeds = farm_feeds(&server);
    let ws = Workspace::new(&feeds[..1]);
    let child = ws.command(&["run"]).stderr(Stdio::piped()).spawn().unwrap();
    let polled = |n: i64| {
        move |ws: &Workspace| {
            ws.db.exists()
                && ws
                    .sql()
                    .query_row(
                        "SELECT count(*) FROM feeds WHERE active = 1 AND last_success_at IS NOT NULL",
                        [],
                        |r| r.get::<_, i64>(0),
                    )
                    .unwrap_or(0)
                    == n
        }
    };
    wait_until("first feed polled", Duration::from_secs(30), || {
        polled(1)(&ws)
    });
    std::fs::write(&ws.feeds_file, feeds[1..3].join("\n")).unwrap();
    let ok = std::process::Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    wait_until("new feeds polled", Duration::from_secs(30), || {
        polled(2)(&ws)
    });
    assert_eq!(
        count(&ws, "SELECT count(*) FROM feeds WHERE active = 0"),
        1,
        "the feed no longer listed is deactivated, its articles kept"
    );
    sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && log.contains("config reloaded"),
        "{log}"
    );
}

/// One farm feed polled once while robots.txt disallows its first article. Returns the
/// server, the workspace, the feed, the URLs it lists and the disallowed path.
fn one_feed_with_a_disallowed_article() -> (Server, Workspace, String, Vec<String>, String) {
    let server = Server::start(&farm_dir().join("www"));
    let feed = farm_feeds(&server)[0].clone();
    let listed: Vec<String> = truth(&server)
        .into_iter()
        .filter(|t| {
            t["feeds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == feed.as_str())
        })
        .map(|t| t["url"].as_str().unwrap().to_string())
        .collect();
    let blocked = listed[0].trim_start_matches(&server.base).to_string();
    server.set_body(
        "/robots.txt",
        format!("User-agent: *\nDisallow: /{blocked}\n").into_bytes(),
    );
    let ws = Workspace::new(std::slice::from_ref(&feed));
    run_once(&ws);
    (server, ws, feed, listed, blocked)
}

#[test]
fn robots_txt_disallowed_articles_are_recorded_not_fetched() {
    let (server, ws, _, listed, blocked) = one_feed_with_a_disallowed_article();
    let error: String = ws
        .sql()
        .query_row(
            "SELECT error FROM articles WHERE status = 'failed' AND url = ?1",
            [&listed[0]],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(error, "disallowed by robots.txt");
    let requested: Vec<String> = server.hits().into_iter().map(|(p, _)| p).collect();
    assert!(!requested.contains(&format!("/{blocked}")), "{requested:?}");
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        listed.len() as i64 - 1
    );
}

#[test]
fn robots_txt_is_fetched_once_per_host_and_cached() {
    let (server, _ws, _, _, _) = one_feed_with_a_disallowed_article();
    let requested: Vec<String> = server.hits().into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        requested.iter().filter(|p| *p == "/robots.txt").count(),
        1,
        "robots.txt is fetched once per host and cached"
    );
}

#[test]
fn the_robots_txt_fetch_is_audited_like_every_other_request() {
    let (server, ws, _, _, _) = one_feed_with_a_disallowed_article();
    let (url, status, result): (String, i64, String) = ws
        .sql()
        .query_row(
            "SELECT url, status, result FROM fetches WHERE kind = 'robots'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (url, status, result.as_str()),
        (format!("{}robots.txt", server.base), 200, "fetched")
    );
}

#[test]
fn status_shows_each_feeds_health() {
    let (_server, ws, feed, listed, _) = one_feed_with_a_disallowed_article();
    let table = stdout(&ws, &["status"]);
    let mut lines = table.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("STATE    ARTICLES FAILED ERRORS LAST SUCCESS")
    );
    let row = lines.next().unwrap();
    // The robots-disallowed story is counted as failed, not as stored, and the feed, which
    // polls fine, says some of its stories failed.
    assert!(
        row.starts_with(&format!(
            "partial  {:>8}      1      0 20",
            listed.len() - 1
        )),
        "{row}"
    );
    assert!(row.ends_with(&feed), "{row}");
}

#[test]
fn a_long_retry_after_does_not_hold_the_cycle() {
    let server = Server::start(&farm_dir().join("www"));
    let feeds = farm_feeds(&server);
    let path = format!("/{}", feeds[0].trim_start_matches(&server.base));
    server.fault(
        &path,
        Fault {
            status: 503,
            content_type: "text/plain",
            body: b"maintenance".to_vec(),
            headers: vec![("Retry-After".into(), "3600".into())],
        },
    );
    let ws = Workspace::with_settings(
        &feeds[..3],
        "[daemon]\nmin_interval_secs = 1\nmax_interval_secs = 86400\n[fetch]\nper_host = 1\nper_host_gap_ms = 0\n",
    );
    let started = Instant::now();
    run_once(&ws);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let wait = count(
        &ws,
        "SELECT unixepoch(next_poll_at) - unixepoch(last_polled_at) FROM feeds WHERE last_status = 503",
    );
    assert!(
        wait >= 3600,
        "the paused feed waits for its Retry-After: {wait}"
    );
    // Whatever came after the 503 was not sent, and says why (it is retried on a later poll).
    let hits = server.hits();
    let at = hits.iter().position(|(_, s)| *s == 503).unwrap();
    assert_eq!(
        hits.len(),
        at + 1,
        "nothing sent to the host after the 503: {hits:?}"
    );
    let deferred = count(
        &ws,
        "SELECT (SELECT count(*) FROM feeds WHERE last_error LIKE 'host asked for a pause%')
              + (SELECT count(*) FROM articles WHERE error LIKE 'host asked for a pause%')",
    );
    let feeds_after = 3
        - 1
        - hits[..at]
            .iter()
            .filter(|(p, _)| p.ends_with(".rss"))
            .count() as i64;
    assert!(
        deferred >= feeds_after,
        "deferred {deferred}, feeds after the 503 {feeds_after}"
    );
}

#[test]
fn a_failed_article_is_retried_on_the_next_poll_even_if_the_feed_is_unchanged() {
    let server = Server::start(&farm_dir().join("www"));
    let feed = farm_feeds(&server)[0].clone();
    let listed = truth(&server)
        .into_iter()
        .find(|t| {
            t["feeds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == feed.as_str())
        })
        .unwrap();
    let url = listed["url"].as_str().unwrap().to_string();
    let path = format!("/{}", url.trim_start_matches(&server.base));
    server.fault(
        &path,
        Fault {
            status: 500,
            content_type: "text/plain",
            body: b"oops".to_vec(),
            headers: vec![],
        },
    );
    let ws = Workspace::new(std::slice::from_ref(&feed));
    run_once(&ws);
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'failed'"),
        1
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM feeds WHERE etag IS NULL"),
        1,
        "validators are held back while a listed article is missing"
    );
    server.heal(&path);
    server.clear_hits();
    run_once(&ws);
    let title: String = ws
        .sql()
        .query_row(
            "SELECT title FROM articles WHERE url = ?1 AND status = 'ok'",
            [&url],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(title, listed["title"].as_str().unwrap());
    assert!(
        server.hits().contains(&(path.clone(), 200)),
        "{:?}",
        server.hits()
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM feeds WHERE etag IS NOT NULL"),
        1
    );
}
