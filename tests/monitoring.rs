//! Operating it as a service: `/metrics` agrees with the archive, `/healthz` and `/readyz`
//! answer in the right states, a malformed request disturbs nothing, and the listener stays
//! on loopback unless allowed. The real binary as a daemon against the farm on loopback.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use support::*;

/// Polls once an hour: one cycle, then quiet, so the archive and the metrics can be read
/// together.
const SETTINGS: &str = "[daemon]\nmin_interval_secs = 3600\npoll_interval_secs = 3600\n\n\
    [fetch]\nper_host = 8\nper_host_gap_ms = 0\n\n[http]\nlisten = \"127.0.0.1:0\"\n";

/// The daemon and its log lines as they come.
struct Daemon {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Daemon {
    fn start(ws: &Workspace) -> Daemon {
        let mut child = ws.command(&["run"]).stderr(Stdio::piped()).spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Daemon {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first log line containing `what` (waiting for it up to a minute).
    fn wait_for(&mut self, what: &str) -> String {
        if let Some(l) = self.seen.iter().find(|l| l.contains(what)) {
            return l.clone();
        }
        loop {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(what) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no log line with {what:?}; so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// The listener's address, from its start line.
    fn listen(&mut self) -> String {
        let line = self.wait_for("monitoring listener started");
        let at = line.find("listen=").unwrap() + "listen=".len();
        line[at..].split_whitespace().next().unwrap().to_string()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request written raw; the status code and the body.
fn request(addr: &str, raw: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(raw).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

fn get(addr: &str, path: &str) -> (u16, String) {
    request(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// The value of every sample of `name` whose labels contain all of `labels`, summed.
fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter(|(key, _)| {
            let (n, rest) = key.split_once('{').unwrap_or((key, ""));
            n == name && labels.iter().all(|want| rest.contains(want))
        })
        .map(|(_, v)| v.parse::<f64>().unwrap())
        .sum()
}

/// `/readyz` until it answers 200 (the cycle's end is recorded just after its log line).
fn until_ready(addr: &str) {
    wait_until("readyz 200", Duration::from_secs(60), || {
        get(addr, "/readyz").0 == 200
    });
}

#[test]
fn metrics_after_a_farm_cycle_equal_the_archive_counts() {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::with_settings(&farm_feeds(&server), SETTINGS);
    let mut daemon = Daemon::start(&ws);
    let addr = daemon.listen();
    daemon.wait_for("cycle done");
    until_ready(&addr);
    let db = |sql: &str| count(&ws, sql) as f64;
    // The feed gauges are set just after the cycle is recorded (which /readyz reads).
    wait_until("feed gauges set", Duration::from_secs(60), || {
        sample(&get(&addr, "/metrics").1, "tindex_feeds", &["state=\"ok\""])
            == db("SELECT count(*) FROM feeds WHERE active AND error_count = 0")
    });
    let (status, text) = get(&addr, "/metrics");
    assert_eq!(status, 200);
    assert!(text.ends_with("# EOF\n"), "{text}");
    for kind in ["feed", "article", "robots"] {
        let label = format!("kind=\"{kind}\"");
        assert_eq!(
            sample(&text, "tindex_requests_total", &[&label]),
            db(&format!(
                "SELECT count(*) FROM fetches WHERE kind = '{kind}'"
            )),
            "{kind} requests"
        );
        assert_eq!(
            sample(
                &text,
                "tindex_requests_total",
                &[&label, "result=\"error\""]
            ),
            db(&format!(
                "SELECT count(*) FROM fetches WHERE kind = '{kind}' AND result = 'error'"
            )),
            "{kind} failed requests"
        );
        assert_eq!(
            sample(&text, "tindex_response_bytes_total", &[&label]),
            db(&format!(
                "SELECT coalesce(sum(bytes), 0) FROM fetches WHERE kind = '{kind}'"
            )),
            "{kind} bytes"
        );
    }
    let stored = db("SELECT count(*) FROM articles WHERE status = 'ok'");
    assert_eq!(stored, 58.0);
    assert_eq!(
        sample(&text, "tindex_stories_total", &["outcome=\"new\""]),
        stored
    );
    assert_eq!(
        sample(
            &text,
            "tindex_extractions_total",
            &["host=\"127.0.0.1\"", "method=\"site_rule\""]
        ),
        db("SELECT count(*) FROM extractions WHERE host = '127.0.0.1' AND method = 'site_rule'")
    );
    assert_eq!(
        sample(&text, "tindex_feeds", &["state=\"ok\""]),
        db("SELECT count(*) FROM feeds WHERE active AND error_count = 0")
    );
    assert!(sample(&text, "tindex_database_bytes", &[]) > 0.0);
    assert!(sample(&text, "tindex_last_successful_cycle_timestamp_seconds", &[]) > 1.7e9);
    assert_eq!(sample(&text, "tindex_articles_in_flight", &[]), 0.0);
}

#[test]
fn readyz_is_503_until_a_cycle_completes_and_healthz_is_200_throughout() {
    let server = Server::start(&farm_dir().join("www"));
    // Every answer waits: the first cycle is still running when the listener is asked.
    server.set_delay(Duration::from_millis(300));
    let ws = Workspace::with_settings(&farm_feeds(&server), SETTINGS);
    let mut daemon = Daemon::start(&ws);
    let addr = daemon.listen();
    let (status, body) = get(&addr, "/readyz");
    assert_eq!((status, body.as_str()), (503, "no cycle completed yet\n"));
    assert_eq!(get(&addr, "/healthz"), (200, "ok\n".to_string()));
    daemon.wait_for("cycle done");
    until_ready(&addr);
    assert_eq!(get(&addr, "/healthz").0, 200);
    assert_eq!(get(&addr, "/nope").0, 404);
}

#[test]
fn malformed_requests_do_not_disturb_the_cycle() {
    let server = Server::start(&farm_dir().join("www"));
    server.set_delay(Duration::from_millis(100));
    let ws = Workspace::with_settings(&farm_feeds(&server), SETTINGS);
    let mut daemon = Daemon::start(&ws);
    let addr = daemon.listen();
    let (status, _) = request(&addr, b"\x00\x01garbage\r\n\r\n");
    assert_eq!(status, 400);
    let (status, _) = request(
        &addr,
        b"POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(status, 405);
    // A client that connects and says nothing holds only its own connection.
    let _idle = TcpStream::connect(&addr).unwrap();
    daemon.wait_for("cycle done");
    until_ready(&addr);
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        58
    );
}

#[test]
fn a_non_loopback_listen_address_needs_allow_remote() {
    let ws = Workspace::with_settings(&[], "[http]\nlisten = \"0.0.0.0:9464\"\n");
    let o = ws.tindex(&["check-config"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr_of(&o).contains("0.0.0.0:9464 is not a loopback address"),
        "{}",
        stderr_of(&o)
    );
    let ws = Workspace::with_settings(
        &[],
        "[http]\nlisten = \"0.0.0.0:9464\"\nallow_remote = true\n",
    );
    assert!(ws.tindex(&["check-config"]).status.success());
}

#[test]
fn health_exits_1_before_any_cycle_and_0_after_one() {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server));
    let o = ws.tindex(&["feeds", "add", "http://127.0.0.1:1/none.rss"]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    let o = ws.tindex(&["health"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout_of(&o), "unhealthy: no cycle recorded yet\n");
    run_once(&ws);
    let o = ws.tindex(&["health"]);
    assert!(o.status.success(), "{}", stdout_of(&o));
    assert!(stdout_of(&o).starts_with("ok: archive answers, last cycle finished"));
}

#[test]
fn the_status_line_systemd_shows_carries_the_headline_figures() {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::with_settings(&farm_feeds(&server), SETTINGS);
    let socket_path = ws.dir.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut child = ws
        .command(&["run"])
        .env("NOTIFY_SOCKET", &socket_path)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut got = Vec::new();
    let status = loop {
        let mut buf = [0u8; 4096];
        let n = socket
            .recv(&mut buf)
            .unwrap_or_else(|e| panic!("{e}: {got:?}"));
        let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
        got.push(msg.clone());
        if let Some(line) = msg.lines().find(|l| l.starts_with("STATUS=last cycle")) {
            break line.to_string();
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(got.iter().any(|m| m.contains("READY=1")), "{got:?}");
    assert!(
        status.contains("58 new")
            && status.ends_with("58 stories stored, 0 feeds failing (0 in backoff)"),
        "{status}"
    );
}
