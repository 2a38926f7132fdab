//! End to end with the real binary: the committed PLVN-style farm (gen_farm.py --feeds 6
//! --items 10) served on 127.0.0.1, polled by `tindex run --once` into a real SQLite file
//! and, for what holds on both stores, into a PostgreSQL database.

mod support;

use std::collections::HashMap;

use serde_json::Value;
use support::{
    Backend, Fault, Server, Workspace, farm_dir, farm_feeds, lit, run_once, stdout, truth,
};

on_both_stores!(
    one_cycle_stores_every_article_once_with_exact_fields,
    a_second_cycle_over_unchanged_feeds_costs_only_304s_and_writes_nothing,
    feed_and_article_errors_are_recorded_and_good_feeds_still_land,
);

fn stored(ws: &Workspace) -> HashMap<String, Value> {
    stdout(ws, &["export", "--jsonl"])
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["url"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

fn one_cycle_stores_every_article_once_with_exact_fields(backend: Backend) {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server)).on(backend);
    let log = run_once(&ws);
    assert!(log.contains("new article"), "log explains decisions: {log}");

    let truth = truth(&server);
    assert_eq!(truth.len(), 58, "fixture farm has 58 unique articles");
    let stored = stored(&ws);
    assert_eq!(stored.len(), truth.len(), "one row per story, none missing");
    let mut memberships = 0;
    for t in &truth {
        let url = t["url"].as_str().unwrap();
        let a = stored.get(url).unwrap_or_else(|| panic!("missing {url}"));
        assert_eq!(a["title"], t["title"], "title of {url}");
        assert_eq!(a["lead"], t["lead"], "lead of {url}");
        assert_eq!(a["body"], t["body"], "body of {url}");
        assert_eq!(a["captions"], t["captions"], "captions of {url}");
        assert_eq!(
            a["published"].as_str().map(|p| &p[..19]),
            t["published"].as_str().map(|p| &p[..19]),
            "published of {url}"
        );
        let feeds = t["feeds"].as_array().unwrap().len();
        assert_eq!(
            a["feeds"].as_array().unwrap().len(),
            feeds,
            "feeds of {url}"
        );
        memberships += feeds;
    }
    let n = ws.number("SELECT count(*) FROM article_feeds");
    assert_eq!(n as usize, memberships);
    let fetches = ws.number("SELECT count(*) FROM fetches WHERE kind = 'article'");
    assert_eq!(
        fetches, 58,
        "each story fetched once, shared and utm_ entries folded"
    );
}

fn a_second_cycle_over_unchanged_feeds_costs_only_304s_and_writes_nothing(backend: Backend) {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server)).on(backend);
    run_once(&ws);
    // Second cycle: every feed answers 304, no page is requested, nothing is written.
    server.clear_hits();
    let log = run_once(&ws);
    let hits = server.hits();
    assert_eq!(hits.len(), 6, "only the six feeds are requested: {hits:?}");
    assert!(hits.iter().all(|(_, s)| *s == 304), "{hits:?}");
    assert!(log.contains("not modified"), "{log}");
    assert_eq!(ws.number("SELECT count(*) FROM articles"), 58);
}

fn feed_and_article_errors_are_recorded_and_good_feeds_still_land(backend: Backend) {
    let server = Server::start(&farm_dir().join("www"));
    let mut feeds = farm_feeds(&server);
    feeds.truncate(2);
    feeds.push(format!("{}rss/broken.rss", server.base));
    feeds.push(format!("{}rss/garbage.rss", server.base));
    feeds.push(format!("{}rss/bad-article.rss", server.base));
    server.fault(
        "/rss/broken.rss",
        Fault {
            status: 500,
            content_type: "text/plain",
            body: b"boom".to_vec(),
            headers: vec![],
        },
    );
    server.set_body(
        "/rss/garbage.rss",
        b"<html><body>not a feed</body></html>".to_vec(),
    );
    server.set_body(
        "/rss/bad-article.rss",
        format!(
            "<rss version=\"2.0\"><channel><title>t</title><item><title>Gone</title><link>{}gone-post1.html</link></item></channel></rss>",
            support::FARM_BASE
        )
        .into_bytes(),
    );
    let ws = Workspace::new(&feeds).on(backend);
    let log = run_once(&ws);
    assert!(log.contains("feed failed"), "{log}");

    // (error count, last error, last status); NULL reads as "".
    let feed_state = |suffix: &str| -> Vec<String> {
        ws.rows(&format!(
            "SELECT error_count, last_error, last_status FROM feeds WHERE url LIKE {}",
            lit(&format!("%{suffix}"))
        ))
        .swap_remove(0)
    };
    assert_eq!(feed_state("broken.rss"), ["1", "HTTP 500", "500"]);
    let garbage = feed_state("garbage.rss");
    assert_eq!((garbage[0].as_str(), garbage[2].as_str()), ("1", "200"));
    assert!(garbage[1].starts_with("not a feed"), "{garbage:?}");
    assert_eq!(feed_state("bad-article.rss"), ["0", "", "200"]);

    assert_eq!(
        ws.rows("SELECT status, error, title FROM articles WHERE url LIKE '%gone-post1.html'"),
        [["failed", "HTTP 404", "Gone"]]
    );

    let good = ws.number("SELECT count(*) FROM articles WHERE status = 'ok'");
    let expected = truth(&server)
        .iter()
        .filter(|t| {
            let listed = t["feeds"].as_array().unwrap();
            feeds[..2]
                .iter()
                .any(|f| listed.contains(&Value::from(f.as_str())))
        })
        .count();
    assert_eq!(
        good as usize, expected,
        "the two good feeds' articles all landed"
    );
}

#[test]
fn links_to_refused_addresses_are_recorded_never_requested() {
    let server = Server::start(&farm_dir().join("www"));
    let port = server
        .base
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    server.fault(
        "/to-metadata.html",
        Fault {
            status: 302,
            content_type: "text/plain",
            body: Vec::new(),
            headers: vec![(
                "Location".into(),
                "http://169.254.169.254/latest/meta-data/".into(),
            )],
        },
    );
    server.set_body(
        "/rss/hostile.rss",
        format!(
            "<rss version=\"2.0\"><channel><title>t</title>\
             <item><title>Other loopback</title><link>http://127.0.0.2:{port}/a.html</link></item>\
             <item><title>Redirect</title><link>{}to-metadata.html</link></item>\
             <item><title>Scheme</title><link>file:///etc/passwd</link></item>\
             </channel></rss>",
            server.base
        )
        .into_bytes(),
    );
    let ws = Workspace::new(&[format!("{}rss/hostile.rss", server.base)]);
    run_once(&ws);
    let db = ws.sql();
    let mut rows: Vec<(String, String)> = db
        .prepare("SELECT title, error FROM articles WHERE status = 'failed' ORDER BY title")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.sort();
    assert_eq!(
        rows.len(),
        2,
        "the file: link is dropped by the feed parser: {rows:?}"
    );
    assert_eq!(rows[0].0, "Other loopback");
    assert_eq!(
        rows[0].1,
        "refused by network policy: 127.0.0.2 is a loopback address (allow it with fetch.allow_addresses)"
    );
    assert_eq!(rows[1].0, "Redirect");
    assert!(
        rows[1]
            .1
            .contains("refused by network policy: 169.254.169.254 is a link-local"),
        "{}",
        rows[1].1
    );
    let paths: Vec<String> = server.hits().into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths.len(),
        3,
        "feed, robots.txt, the redirecting page: {paths:?}"
    );
}

#[test]
fn json_logs_carry_one_object_per_decision_with_fields() {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server)[..1]);
    let out = ws.tindex(&["--log-format", "json", "run", "--once"]);
    assert!(out.status.success());
    let events: Vec<Value> = String::from_utf8(out.stderr)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    let fetched = events.iter().find(|e| e["message"] == "fetched").unwrap();
    assert_eq!(fetched["status"], 200);
    assert!(fetched["feed"].as_str().unwrap().ends_with(".rss"));
    assert!(fetched["elapsed_ms"].is_u64() && fetched["next_poll"].is_string());
    let new: Vec<&Value> = events
        .iter()
        .filter(|e| e["message"] == "new article")
        .collect();
    assert_eq!(new.len(), 10);
    assert!(
        new.iter()
            .all(|e| e["url"].is_string() && e["method"] == "site_rule")
    );
    let done = events
        .iter()
        .find(|e| e["message"] == "cycle done")
        .unwrap();
    assert_eq!(
        (done["new"].as_u64(), done["duplicate"].as_u64()),
        (Some(10), Some(0))
    );
}

#[test]
fn a_rule_that_matches_nothing_falls_back_to_generic_and_says_so() {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server)[..1]);
    // The site "redesigned": the rule's body selector no longer matches anything.
    let config = std::fs::read_to_string(&ws.config).unwrap().replacen(
        "body = \"div.article__body.cms-body, [itemprop=articleBody], .article__body, .detail-content\"",
        "body = \".article-content-v2\"",
        1,
    );
    assert!(config.contains(".article-content-v2"));
    std::fs::write(&ws.config, config).unwrap();
    let log = run_once(&ws);
    assert_eq!(
        log.matches("site rule matched nothing; generic extractor used")
            .count(),
        10,
        "{log}"
    );
    let stored = stored(&ws);
    assert_eq!(stored.len(), 10);
    let truth = truth(&server);
    for a in stored.values() {
        assert_eq!(a["method"], "site_rule_fallback");
        let t = truth.iter().find(|t| t["url"] == a["url"]).unwrap();
        assert_eq!(
            a["body"], t["body"],
            "the generic extractor still gets the article right"
        );
        assert_eq!(a["title"], t["title"]);
        for img in a["images"].as_array().unwrap() {
            assert!(
                img["src"].as_str().unwrap().starts_with(&server.base),
                "{img}"
            );
        }
    }
}
