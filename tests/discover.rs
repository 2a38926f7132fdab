//! Feeds found, not guessed: `feeds discover` and the daemon's discovery checks, against a
//! site on a loopback server.

mod support;

use support::*;

fn feed(title: &str) -> Vec<u8> {
    rss_raw(&format!(
        "<title>{title}</title><item><title>x</title><link>http://127.0.0.1:18080/a.html</link></item>"
    ))
    .replacen("<title>F</title>", "", 1)
    .into_bytes()
}

const HOME: &str = r#"<html><head><title>Báo</title>
<link rel="alternate" type="application/rss+xml" title="Trang chủ" href="/rss/home.rss">
<link rel="stylesheet" href="/a.css"></head>
<body><a href="/">Trang chủ</a> <a href="/tin-tuc.html">Tin tức</a> <a href="/rss.html">RSS</a></body></html>"#;

fn rss_index(sections: &[&str]) -> Vec<u8> {
    let links: String = sections
        .iter()
        .map(|s| format!("<li><a href=\"/rss/{s}.rss\">{s}</a></li>"))
        .collect();
    format!("<html><body><h1>RSS</h1><ul>{links}</ul></body></html>").into_bytes()
}

/// A site with a home page declaring its home feed and linking its RSS index page, which
/// lists two section feeds and one that answers 404.
fn site() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    server.set_body("/", HOME.as_bytes().to_vec());
    server.set_body(
        "/rss.html",
        rss_index(&["thoi-su-c2", "kinh-te-c3", "bi-xoa"]),
    );
    server.set_body("/rss/home.rss", feed("Trang chủ"));
    server.set_body("/rss/thoi-su-c2.rss", feed("Thời sự"));
    server.set_body("/rss/kinh-te-c3.rss", feed("Kinh tế"));
    (dir, server)
}

#[test]
fn discover_lists_the_alternate_feed_and_the_working_feeds_of_the_rss_index_page() {
    let (_dir, server) = site();
    let ws = Workspace::new(&[]);
    let out = stdout(&ws, &["feeds", "discover", &server.base]);
    let b = &server.base;
    assert_eq!(
        out,
        format!(
            "{b}rss/home.rss\t1\talternate\tTrang chủ\n\
             {b}rss/thoi-su-c2.rss\t1\tindex\tThời sự\n\
             {b}rss/kinh-te-c3.rss\t1\tindex\tKinh tế\n"
        )
    );
}

#[test]
fn discover_add_subscribes_every_feed_found() {
    let (_dir, server) = site();
    let ws = Workspace::new(&[]);
    let o = ws.tindex(&["feeds", "discover", "--add", &server.base]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    assert!(
        stderr_of(&o).contains("added 3 of 3 feeds found"),
        "{}",
        stderr_of(&o)
    );
    let listed = count(
        &ws,
        "SELECT count(*) FROM feeds WHERE active AND source = 'cli'",
    );
    assert_eq!(listed, 3);
}

/// A site whose home page names no feed at all.
fn bare_site() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let home = "<html><body><p>Trang chủ</p></body></html>";
    server.set_body("/", home.as_bytes().to_vec());
    (dir, server)
}

#[test]
fn a_page_naming_no_feed_is_tried_at_the_common_paths() {
    let (_dir, server) = bare_site();
    server.set_body("/feed", feed("Tin mới"));
    let ws = Workspace::new(&[]);
    let out = stdout(&ws, &["feeds", "discover", &server.base]);
    assert_eq!(
        out,
        format!("{}feed\t1\tcommon_path\tTin mới\n", server.base)
    );
}

#[test]
fn a_site_with_no_feed_at_all_exits_1() {
    let (_dir, server) = bare_site();
    let ws = Workspace::new(&[]);
    let o = ws.tindex(&["feeds", "discover", &server.base]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr_of(&o));
    assert_eq!(stdout_of(&o), "");
}

#[test]
fn a_feed_gone_for_days_shows_as_gone_with_its_discovered_replacement() {
    let (_dir, server) = site();
    let gone = format!("{}rss/thoi-su.rss", server.base);
    let settings = format!(
        "[daemon]\nmin_interval_secs = 1\npoll_interval_secs = 1\nmax_interval_secs = 2\n\n\
         [discover]\npages = [\"{}\"]\n\n[fetch]\nper_host_gap_ms = 0\n",
        server.base
    );
    let ws = Workspace::with_settings(std::slice::from_ref(&gone), &settings);
    let log = run_once(&ws);
    assert!(log.contains("feeds discovered"), "{log}");
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM discovered_feeds WHERE gone_at IS NULL"
        ),
        3
    );

    // Answering 404 for days: gone, with the section's new feed as its replacement.
    ws.sql()
        .execute("UPDATE feeds SET error_since = '2000-01-01T00:00:00Z'", [])
        .unwrap();
    let status: serde_json::Value =
        serde_json::from_str(&stdout(&ws, &["status", "--json"])).unwrap();
    let f = &status["feeds"][0];
    assert_eq!(f["state"], "gone");
    let new = format!("{}rss/thoi-su-c2.rss", server.base);
    assert_eq!(f["replacement"], new.as_str());
    let check = ws.tindex(&["status", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stdout_of(&check).contains(&format!("tindex feeds add {new}")),
        "{}",
        stdout_of(&check)
    );
}

#[test]
fn a_feed_that_vanishes_from_the_site_is_logged_at_the_next_check() {
    let (_dir, server) = site();
    let settings = format!(
        "[discover]\npages = [\"{}\"]\n\n[fetch]\nper_host_gap_ms = 0\n",
        server.base
    );
    let home = format!("{}rss/home.rss", server.base);
    let ws = Workspace::with_settings(std::slice::from_ref(&home), &settings);
    run_once(&ws);
    // The next check is a day away: a second run does not check again.
    let log = run_once(&ws);
    assert!(!log.contains("feeds discovered"), "{log}");

    server.set_body("/rss.html", rss_index(&["thoi-su-c2"]));
    ws.sql()
        .execute(
            "UPDATE discovery_checks SET checked_at = '2000-01-01T00:00:00Z'",
            [],
        )
        .unwrap();
    let log = run_once(&ws);
    let vanished = format!("{}rss/kinh-te-c3.rss", server.base);
    let line = log
        .lines()
        .find(|l| l.contains("feed vanished"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains(&vanished) && line.contains("WARN"), "{line}");
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM discovered_feeds WHERE gone_at IS NOT NULL"
        ),
        1
    );
}
