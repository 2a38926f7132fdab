//! Article events that are never lost: a loopback webhook receiver gets exactly one event id
//! per stored story, signed, while it fails for a while and when tindex is killed with
//! SIGKILL between storing and delivering.

mod support;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use support::*;

const SECRET: &str = "s3cret-for-tests";

/// One POST the receiver got, and what it answered.
#[derive(Debug, Clone)]
struct Received {
    headers: HashMap<String, String>,
    body: String,
    answered: u16,
}

/// A webhook receiver on loopback that answers `status` (changeable) and keeps every request.
struct Receiver {
    url: String,
    status: Arc<AtomicU16>,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start(status: u16) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let status = Arc::new(AtomicU16::new(status));
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let (s, g) = (status.clone(), got.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (s, g) = (s.clone(), g.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    let mut headers = HashMap::new();
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = l.split_once(':') {
                            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                        }
                    }
                    let len: usize = headers
                        .get("content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0; len];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let answered = s.load(Ordering::SeqCst);
                    g.lock().unwrap().push(Received {
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                        answered,
                    });
                    let mut out = reader.into_inner();
                    let _ = write!(
                        out,
                        "HTTP/1.1 {answered} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                });
            }
        });
        Receiver { url, status, got }
    }

    fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

fn settings(receiver: &Receiver) -> String {
    format!(
        "[daemon]\nmin_interval_secs = 3600\npoll_interval_secs = 3600\n\n\
         [fetch]\nper_host = 8\nper_host_gap_ms = 0\n\n\
         [[webhook]]\nurl = \"{}\"\nsecret_env = \"TINDEX_TEST_HOOK_SECRET\"\nevents = [\"story.stored\"]\n\n\
         [webhook_delivery]\nretry_secs = 1\nmax_retry_secs = 1\n",
        receiver.url
    )
}

fn daemon(ws: &Workspace) -> Child {
    ws.command(&["run"])
        .env("TINDEX_TEST_HOOK_SECRET", SECRET)
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn kill(mut child: Child) {
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

fn verify(r: &Received) {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(r.body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        r.headers.get("x-tindex-signature").map(String::as_str),
        Some(format!("sha256={hex}").as_str()),
        "signature of {}",
        r.body
    );
}

/// Every story in the archive has exactly one event id among the deliveries the receiver
/// took, and every delivery taken is signed and names a stored story.
fn exactly_one_event_per_story(ws: &Workspace, receiver: &Receiver) {
    let stories: HashMap<i64, (String, String)> = ws
        .sql()
        .prepare("SELECT id, url, title FROM articles WHERE status = 'ok'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(stories.len(), 58);
    let mut ids_per_story: HashMap<i64, HashSet<String>> = HashMap::new();
    for r in receiver.got().iter().filter(|r| r.answered == 200) {
        verify(r);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["event"], "story.stored");
        let event_id = v["event_id"].as_str().unwrap().to_string();
        assert_eq!(r.headers.get("x-tindex-event-id"), Some(&event_id));
        let id = v["story"]["id"].as_i64().unwrap();
        let (url, title) = stories.get(&id).expect("the event names a stored story");
        assert_eq!(v["story"]["url"].as_str(), Some(url.as_str()));
        assert_eq!(v["story"]["title"].as_str(), Some(title.as_str()));
        assert!(
            v["story"]["feeds"]
                .as_array()
                .is_some_and(|f| !f.is_empty())
        );
        ids_per_story.entry(id).or_default().insert(event_id);
    }
    assert_eq!(
        ids_per_story.len(),
        stories.len(),
        "a story without a delivered event"
    );
    for (id, ids) in &ids_per_story {
        assert_eq!(ids.len(), 1, "story {id} announced under {ids:?}");
    }
}

fn all_delivered(ws: &Workspace) -> bool {
    count(ws, "SELECT count(*) FROM articles WHERE status = 'ok'") == 58
        && count(
            ws,
            "SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL",
        ) == 0
        && count(ws, "SELECT count(*) FROM webhook_outbox") == 58
}

#[test]
fn every_story_is_delivered_once_after_the_receiver_failed_for_a_while() {
    let server = Server::start(&farm_dir().join("www"));
    let receiver = Receiver::start(500);
    let ws = Workspace::with_settings(&farm_feeds(&server), &settings(&receiver));
    let child = daemon(&ws);
    wait_until("events refused", Duration::from_secs(60), || {
        receiver.got().len() >= 58
            && try_count(&ws, "SELECT count(*) FROM webhook_outbox") == Some(58)
    });
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NOT NULL"
        ),
        0
    );
    receiver.answer(200);
    wait_until("every event delivered", Duration::from_secs(90), || {
        ws.db.exists() && all_delivered(&ws)
    });
    kill(child);
    exactly_one_event_per_story(&ws, &receiver);
    // Each attempt is audited: the refused ones and the one that was taken.
    assert!(
        count(
            &ws,
            "SELECT count(*) FROM webhook_deliveries WHERE status = 500"
        ) >= 58
    );
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM webhook_deliveries WHERE status = 200"
        ),
        58
    );
}

#[test]
fn a_sigkill_between_storing_and_delivering_loses_no_event() {
    let server = Server::start(&farm_dir().join("www"));
    server.set_delay(Duration::from_millis(30));
    let receiver = Receiver::start(503);
    let ws = Workspace::with_settings(&farm_feeds(&server), &settings(&receiver));
    let child = daemon(&ws);
    // Stories stored, their events queued and refused: then killed.
    wait_until("some events queued", Duration::from_secs(60), || {
        try_count(&ws, "SELECT count(*) FROM webhook_outbox").is_some_and(|n| n >= 10)
    });
    kill(child);
    let queued = count(&ws, "SELECT count(*) FROM webhook_outbox");
    assert_eq!(
        queued,
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        "one event per stored story, in the story's own transaction"
    );
    receiver.answer(200);
    let child = daemon(&ws);
    wait_until("every event delivered", Duration::from_secs(90), || {
        all_delivered(&ws)
    });
    kill(child);
    exactly_one_event_per_story(&ws, &receiver);
    let status = stdout(&ws, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(v["webhooks"]["pending"], 0);
}
