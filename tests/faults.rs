//! Fault injection: one cycle over a good feed and every kind of broken server, page and feed
//! we know of. tindex must stay up, record each failure with a clear reason, bound its time and
//! memory, and store the good feed's articles as if nothing happened. The test prints the table
//! of cases and outcomes (`cargo test --test faults -- --nocapture`).

mod support;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use support::{Fault, Misbehave, Server, Workspace, farm_dir, farm_feeds, rss_raw, truth};

fn status(code: u16, headers: Vec<(String, String)>) -> Fault {
    Fault {
        status: code,
        content_type: "text/plain",
        body: b"error page".to_vec(),
        headers,
    }
}

/// A raw response; the test server closes every connection after it, so the head says so
/// (without it the client pools the connection and the next request may meet the close).
fn raw(head: &str, body: &[u8]) -> Misbehave {
    let mut head = head.to_string();
    if !head.contains("Connection: close") {
        head.push_str("Connection: close\n");
    }
    let mut bytes = head.replace('\n', "\r\n").into_bytes();
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(body);
    Misbehave::Raw(bytes)
}

/// Runs the binary and returns its exit status, wall time and peak RSS (KiB) via wait4.
// The child is reaped by wait4 itself (std's `wait` cannot report its peak RSS).
#[allow(clippy::zombie_processes)]
fn run_measured(ws: &Workspace) -> (std::process::ExitStatus, Duration, i64, String) {
    let started = Instant::now();
    let child = ws
        .command(&["run", "--once"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let stderr = child.stderr.unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let mut raw_status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child with valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut raw_status, 0, &mut usage) };
    assert_eq!(r, pid);
    let log = reader.join().unwrap();
    (
        std::process::ExitStatus::from_raw(raw_status),
        started.elapsed(),
        usage.ru_maxrss,
        log,
    )
}

#[test]
fn every_bad_server_page_and_feed_is_recorded_and_the_good_feed_is_untouched() {
    let server = Server::start(&farm_dir().join("www"));
    let farm = farm_feeds(&server);
    let good = farm[0].clone();
    let base = server.base.clone();
    let feed_xml = std::fs::read(farm_dir().join("www/rss/phap-luat-tin-tuc.rss")).unwrap();
    let feed_xml = server
        .rebase(&String::from_utf8(feed_xml).unwrap())
        .into_bytes();
    let bomb = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/faults/zeros-300mb.gz"),
    )
    .unwrap();

    // case name -> (path, expected fragment of the recorded error; "" = no error)
    let mut cases: BTreeMap<&str, (String, &str)> = BTreeMap::new();
    let mut add = |name: &'static str, path: &str, expect: &'static str| {
        cases.insert(name, (path.to_string(), expect));
    };
    for code in [500u16, 502, 503, 404, 410] {
        let path = format!("/f/http-{code}.rss");
        server.fault(&path, status(code, vec![]));
        let name: &'static str = Box::leak(format!("HTTP {code}").into_boxed_str());
        let expect: &'static str = Box::leak(format!("HTTP {code}").into_boxed_str());
        add(name, &path, expect);
    }
    // Retry-After pauses the whole host, and every case here shares one: keep it short.
    server.fault(
        "/f/429.rss",
        status(429, vec![("Retry-After".into(), "1".into())]),
    );
    add("429 with Retry-After", "/f/429.rss", "HTTP 429");
    server.fault(
        "/f/r1.rss",
        status(301, vec![("Location".into(), "/f/r2.rss".into())]),
    );
    server.fault(
        "/f/r2.rss",
        status(302, vec![("Location".into(), format!("{base}f/r3.rss"))]),
    );
    server.set_body("/f/r3.rss", feed_xml.clone());
    add("301 -> 302 -> feed", "/f/r1.rss", "");
    server.fault(
        "/f/loop.rss",
        status(302, vec![("Location".into(), "/f/loop.rss".into())]),
    );
    add("redirect loop", "/f/loop.rss", "more than 5 redirects");
    server.fault(
        "/f/to-file.rss",
        status(302, vec![("Location".into(), "file:///etc/passwd".into())]),
    );
    add(
        "redirect to file:",
        "/f/to-file.rss",
        "HTTP 302 to a file: URL, which is never followed",
    );
    server.misbehave("/f/hang.rss", Misbehave::Hang(Duration::from_secs(20)));
    add("hangs, no bytes", "/f/hang.rss", "timed out after 2s");
    server.misbehave(
        "/f/trickle.rss",
        Misbehave::Trickle {
            body: feed_xml.clone(),
            every: Duration::from_millis(50),
        },
    );
    add("trickles bytes", "/f/trickle.rss", "timed out after 2s");
    server.misbehave(
        "/f/cut.rss",
        raw(
            "HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nContent-Length: 100000\nConnection: close\n",
            &feed_xml[..500],
        ),
    );
    add("connection cut mid-body", "/f/cut.rss", "request failed");
    server.misbehave(
        "/f/short-length.rss",
        raw(
            "HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nContent-Length: 300\nConnection: close\n",
            &feed_xml,
        ),
    );
    add(
        "Content-Length too short",
        "/f/short-length.rss",
        "not a feed",
    );
    server.misbehave(
        "/f/png.rss",
        raw(
            &format!(
                "HTTP/1.1 200 OK\nContent-Type: image/png\nContent-Length: {}\n",
                feed_xml.len()
            ),
            &feed_xml,
        ),
    );
    add("wrong Content-Type (feed still read)", "/f/png.rss", "");
    server.misbehave(
        "/f/no-type.rss",
        raw(
            &format!("HTTP/1.1 200 OK\nContent-Length: {}\n", feed_xml.len()),
            &feed_xml,
        ),
    );
    add("no Content-Type (feed still read)", "/f/no-type.rss", "");
    server.set_body(
        "/f/invalid.rss",
        b"<rss version=\"2.0\"><channel><item><title>a</b></rss>".to_vec(),
    );
    add("invalid XML", "/f/invalid.rss", "not a feed");
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
        <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\
        <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\
        <!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]>\
        <rss version=\"2.0\"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>";
    server.set_body("/f/laughs.rss", laughs.as_bytes().to_vec());
    add(
        "billion laughs (entities not expanded)",
        "/f/laughs.rss",
        "",
    );
    let mut bad_utf8 = rss_raw("<item><title>Tin \u{1ea}</title><link>LINK</link></item>")
        .replace("LINK", truth(&server)[0]["url"].as_str().unwrap())
        .into_bytes();
    let at = bad_utf8
        .windows(3)
        .position(|w| w == "Tin".as_bytes())
        .unwrap();
    bad_utf8.splice(at..at, [0xff, 0xfe]);
    server.set_body("/f/bad-utf8.rss", bad_utf8);
    add("invalid UTF-8 (replaced, read)", "/f/bad-utf8.rss", "");
    server.misbehave(
        "/f/huge.rss",
        Misbehave::Huge {
            total: 500 << 20,
            length_header: true,
        },
    );
    add(
        "500 MB body, Content-Length",
        "/f/huge.rss",
        "body larger than 20971520 bytes",
    );
    server.misbehave(
        "/f/huge-stream.rss",
        Misbehave::Huge {
            total: 500 << 20,
            length_header: false,
        },
    );
    add(
        "500 MB body, streamed",
        "/f/huge-stream.rss",
        "body larger than 20971520 bytes",
    );
    server.misbehave(
        "/f/bomb.rss",
        raw(
            &format!(
                "HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nContent-Encoding: gzip\nContent-Length: {}\n",
                bomb.len()
            ),
            &bomb,
        ),
    );
    add(
        "gzip bomb (300 MB of zeros)",
        "/f/bomb.rss",
        "body larger than 20971520 bytes",
    );
    server.set_body("/f/empty.rss", Vec::new());
    add("empty body", "/f/empty.rss", "not a feed");
    server.set_body("/f/no-items.rss", rss_raw("").into_bytes());
    add("feed without items", "/f/no-items.rss", "");
    let article = truth(&server)[1]["url"].as_str().unwrap().to_string();
    let many: String = (0..50_000)
        .map(|i| format!("<item><title>n{i}</title><link>{article}#{i}</link></item>"))
        .collect();
    server.set_body("/f/50k.rss", rss_raw(&many).into_bytes());
    add("50,000 items", "/f/50k.rss", "");

    // Article pages that fail, listed by one feed.
    let page = |p: &str| format!("{base}a/{p}.html");
    server.misbehave("/a/hang.html", Misbehave::Hang(Duration::from_secs(20)));
    server.fault("/a/gone.html", status(410, vec![]));
    server.misbehave(
        "/a/png.html",
        raw(
            "HTTP/1.1 200 OK\nContent-Type: image/png\nContent-Length: 4\n",
            b"\x89PNG",
        ),
    );
    server.misbehave(
        "/a/bomb.html",
        raw(
            &format!(
                "HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Encoding: gzip\nContent-Length: {}\n",
                bomb.len()
            ),
            &bomb,
        ),
    );
    server.set_body("/a/deep.html", "<div>".repeat(50_000).into_bytes());
    server.set_body("/a/empty.html", b"<html><body></body></html>".to_vec());
    let article_cases = [
        ("article hangs", "hang", "timed out after 2s"),
        ("article 410", "gone", "HTTP 410"),
        ("article is an image", "png", "not an HTML page"),
        (
            "article gzip bomb",
            "bomb",
            "body larger than 20971520 bytes",
        ),
        (
            "article nested 50,000 deep",
            "deep",
            "extraction failed: markup too complex",
        ),
        ("article with no content", "empty", "extraction failed"),
    ];
    let items: String = article_cases
        .iter()
        .map(|(_, p, _)| format!("<item><title>{p}</title><link>{}</link></item>", page(p)))
        .collect();
    server.set_body("/f/articles.rss", rss_raw(&items).into_bytes());
    add("feed of failing article pages", "/f/articles.rss", "");

    let mut feeds: Vec<String> = cases
        .values()
        .map(|(p, _)| format!("{base}{}", &p[1..]))
        .collect();
    feeds.push(good.clone());
    let ws = Workspace::with_settings(
        &feeds,
        "[daemon]\nmin_interval_secs = 1\n[fetch]\ntimeout_secs = 2\nconnect_timeout_secs = 2\nper_host = 16\nper_host_gap_ms = 0\n",
    );
    let (exit, elapsed, rss_kib, log) = run_measured(&ws);
    if let Some(path) = std::env::var_os("TINDEX_FAULTS_LOG") {
        std::fs::write(path, &log).unwrap();
    }
    assert!(exit.success(), "tindex stays up: {exit:?}\n{log}");

    let db = ws.sql();
    let feed_error = |path: &str| -> (Option<i64>, Option<String>) {
        db.query_row(
            "SELECT last_status, last_error FROM feeds WHERE url = ?1",
            [format!("{base}{}", &path[1..])],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let article_error = |p: &str| -> Option<String> {
        db.query_row(
            "SELECT error FROM articles WHERE url = ?1 AND status = 'failed'",
            [page(p)],
            |r| r.get(0),
        )
        .unwrap_or(None)
    };

    let mut table = vec![format!(
        "{:<40} {:>6}  {}",
        "case", "status", "recorded outcome"
    )];
    let mut failures = Vec::new();
    for (name, (path, expect)) in &cases {
        let (status, error) = feed_error(path);
        let outcome = error.clone().unwrap_or_else(|| "ok".into());
        table.push(format!(
            "{name:<40} {:>6}  {outcome}",
            status.map(|s| s.to_string()).unwrap_or_else(|| "-".into())
        ));
        let good = match (*expect, &error) {
            ("", None) => true,
            (e, Some(err)) if !e.is_empty() => err.contains(e),
            _ => false,
        };
        if !good {
            failures.push(format!("{name}: expected {expect:?}, got {error:?}"));
        }
    }
    for (name, p, expect) in article_cases {
        let error = article_error(p);
        table.push(format!(
            "{name:<40} {:>6}  {}",
            "",
            error.clone().unwrap_or_else(|| "MISSING".into())
        ));
        if !error.as_deref().is_some_and(|e| e.contains(expect)) {
            failures.push(format!("{name}: expected {expect:?}, got {error:?}"));
        }
    }
    table.push(format!(
        "whole cycle: {:.1} s, peak RSS {} MiB, exit {:?}",
        elapsed.as_secs_f64(),
        rss_kib / 1024,
        exit.code()
    ));
    println!("{}", table.join("\n"));
    assert!(
        failures.is_empty(),
        "{}\n{}",
        failures.join("\n"),
        table.join("\n")
    );

    // The good feed is unaffected: every one of its stories stored, exactly.
    let expected: Vec<String> = truth(&server)
        .iter()
        .filter(|t| {
            t["feeds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == good.as_str())
        })
        .map(|t| t["url"].as_str().unwrap().to_string())
        .collect();
    for url in &expected {
        let ok: i64 = db
            .query_row(
                "SELECT count(*) FROM articles WHERE url = ?1 AND status = 'ok'",
                [url],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ok, 1, "{url}");
    }
    // The 50,000-item feed is cut at 5,000 entries that all fold into one story.
    let fifty: i64 = db
        .query_row(
            "SELECT count(*) FROM article_feeds af JOIN feeds f ON f.id = af.feed_id
             WHERE f.url LIKE '%/f/50k.rss'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(fifty, 1);
    assert!(
        elapsed < Duration::from_secs(20),
        "bounded time: {elapsed:?}"
    );
    // Several 20 MiB-limited bodies (stream, bomb, article bomb) and the 50,000-item feed are
    // in flight at once here; each body is capped at max_body_bytes, never more.
    assert!(rss_kib < 200 * 1024, "bounded memory: {rss_kib} KiB");
}
