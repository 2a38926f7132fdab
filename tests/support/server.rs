//! A real HTTP/1.1 server on 127.0.0.1 for integration tests: serves a directory (the farm,
//! with its base URL rewritten to the server's own), honours conditional GET, can be told to
//! fail chosen paths, and counts every request it answers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The base URL the committed farm was generated for; rewritten to the server's address.
pub const FARM_BASE: &str = "http://127.0.0.1:18080/";

/// A canned answer for one path, replacing the file.
#[derive(Clone, Debug)]
pub struct Fault {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

/// One answered request with its timing, for politeness assertions.
#[derive(Clone, Debug)]
pub struct Hit {
    pub path: String,
    pub status: u16,
    pub start: Instant,
    pub end: Instant,
}

/// Answers that break HTTP itself, for fault-injection tests.
#[derive(Clone, Debug)]
pub enum Misbehave {
    /// Reads the request and never answers (holds the connection this long).
    Hang(Duration),
    /// Sends the headers, then one byte of `body` every `every`.
    Trickle { body: Vec<u8>, every: Duration },
    /// Streams `total` bytes, with a Content-Length header or (chunk-less) until close.
    Huge { total: u64, length_header: bool },
    /// Sends these bytes as the whole response and closes: status line, headers and body
    /// are the test's (wrong lengths, cut bodies, compression bombs).
    Raw(Vec<u8>),
}

#[derive(Default)]
struct State {
    misbehave: HashMap<String, Misbehave>,
    hits: Vec<(String, u16)>,
    timed: Vec<Hit>,
    delay: Duration,
    in_flight: usize,
    max_in_flight: usize,
    faults: HashMap<String, Fault>,
    overrides: HashMap<String, Vec<u8>>,
    /// path -> the `Authorization` header it demands (401 otherwise).
    auth: HashMap<String, String>,
}

/// A running server; it stops when the test process ends.
#[derive(Clone)]
pub struct Server {
    pub base: String,
    root: PathBuf,
    state: Arc<Mutex<State>>,
}

impl Server {
    /// Serves `root` on a free loopback port.
    pub fn start(root: &Path) -> Server {
        Self::start_on(root, "127.0.0.1:0")
    }

    /// Serves `root` on `addr` (the offline try-out uses the farm's own 127.0.0.1:18080).
    pub fn start_on(root: &Path, addr: &str) -> Server {
        let listener =
            TcpListener::bind(addr).unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let server = Server {
            base,
            root: root.to_path_buf(),
            state: Arc::default(),
        };
        let s = server.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                // Timed at accept: one connection per request, so this is when the client
                // started it, before any handler-thread scheduling jitter.
                let accepted = Instant::now();
                let s = s.clone();
                thread::spawn(move || s.handle(stream, accepted));
            }
        });
        server
    }

    /// Answers `path` only to requests carrying `authorization`, 401 to the others.
    pub fn require_auth(&self, path: &str, authorization: &str) {
        self.state
            .lock()
            .unwrap()
            .auth
            .insert(path.into(), authorization.into());
    }

    /// Answers `path` with `fault` from now on.
    pub fn fault(&self, path: &str, fault: Fault) {
        self.state.lock().unwrap().faults.insert(path.into(), fault);
    }

    /// Serves `body` for `path` instead of the file (base URL rewriting still applies).
    pub fn set_body(&self, path: &str, body: Vec<u8>) {
        self.state
            .lock()
            .unwrap()
            .overrides
            .insert(path.into(), body);
    }

    /// Every request so far: (path, status).
    pub fn hits(&self) -> Vec<(String, u16)> {
        self.state.lock().unwrap().hits.clone()
    }

    pub fn clear_hits(&self) {
        let mut st = self.state.lock().unwrap();
        st.hits.clear();
        st.timed.clear();
        st.max_in_flight = 0;
    }

    /// Every answer waits this long before it is sent (makes concurrency observable).
    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    /// Requests with their start and end times, in order of arrival.
    pub fn timed_hits(&self) -> Vec<Hit> {
        let mut hits = self.state.lock().unwrap().timed.clone();
        hits.sort_by_key(|h| h.start);
        hits
    }

    /// The most requests this server was answering at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }

    /// Answers `path` by breaking the protocol as told.
    pub fn misbehave(&self, path: &str, how: Misbehave) {
        self.state
            .lock()
            .unwrap()
            .misbehave
            .insert(path.into(), how);
    }

    /// Stops answering `path` with a fault.
    pub fn heal(&self, path: &str) {
        self.state.lock().unwrap().faults.remove(path);
    }

    /// Rewrites the farm's base URL to this server's.
    pub fn rebase(&self, text: &str) -> String {
        text.replace(FARM_BASE, &self.base)
    }

    fn handle(&self, stream: TcpStream, start: Instant) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let how = self.state.lock().unwrap().misbehave.get(&path).cloned();
        if let Some(how) = how {
            self.state.lock().unwrap().hits.push((path, 0));
            misbehave(stream, how);
            return;
        }
        let delay = {
            let mut st = self.state.lock().unwrap();
            st.in_flight += 1;
            st.max_in_flight = st.max_in_flight.max(st.in_flight);
            st.delay
        };
        thread::sleep(delay);
        let (status, content_type, body, extra) = self.respond(&path, &headers);
        {
            let mut st = self.state.lock().unwrap();
            st.in_flight -= 1;
            st.hits.push((path.clone(), status));
            st.timed.push(Hit {
                path,
                status,
                start,
                end: Instant::now(),
            });
        }
        let mut out = stream;
        let mut head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = out.write_all(head.as_bytes());
        let _ = out.write_all(&body);
        let _ = out.flush();
        // Drain whatever the client still sends so the close is clean.
        let _ = reader.get_mut().set_nonblocking(true);
        let _ = reader.read(&mut [0u8; 64]);
    }

    fn respond(
        &self,
        path: &str,
        headers: &HashMap<String, String>,
    ) -> (u16, &'static str, Vec<u8>, Vec<(String, String)>) {
        let (fault, over, auth) = {
            let st = self.state.lock().unwrap();
            (
                st.faults.get(path).cloned(),
                // A body set for a path serves every query of it, as the file would.
                st.overrides
                    .get(path)
                    .or_else(|| st.overrides.get(path.split('?').next().unwrap_or(path)))
                    .cloned(),
                st.auth.get(path).cloned(),
            )
        };
        if auth.is_some_and(|want| headers.get("authorization") != Some(&want)) {
            return (401, "text/plain", b"login required".to_vec(), Vec::new());
        }
        if let Some(f) = fault {
            return (f.status, f.content_type, f.body, f.headers);
        }
        let clean = path
            .split('?')
            .next()
            .unwrap_or("/")
            .trim_start_matches('/');
        let bytes = match over {
            Some(b) => b,
            None => match std::fs::read(self.root.join(clean)) {
                Ok(b) if !clean.contains("..") => b,
                _ => return (404, "text/plain", b"not found".to_vec(), vec![]),
            },
        };
        let body = self.rebase(&String::from_utf8_lossy(&bytes)).into_bytes();
        let etag = format!("\"{:x}\"", fnv(&body));
        let last_modified = "Sat, 01 Jun 2024 02:00:00 GMT".to_string();
        let content_type = if clean.ends_with(".rss") {
            "application/rss+xml; charset=utf-8"
        } else if clean.ends_with(".atom") {
            "application/atom+xml; charset=utf-8"
        } else if clean.ends_with(".xml") {
            "application/xml; charset=utf-8"
        } else if clean.ends_with(".txt") {
            "text/plain; charset=utf-8"
        } else {
            "text/html; charset=utf-8"
        };
        let validators = vec![
            ("ETag".to_string(), etag.clone()),
            ("Last-Modified".to_string(), last_modified.clone()),
        ];
        if headers.get("if-none-match") == Some(&etag)
            || (!headers.contains_key("if-none-match")
                && headers.get("if-modified-since") == Some(&last_modified))
        {
            return (304, content_type, Vec::new(), validators);
        }
        (200, content_type, body, validators)
    }
}

fn misbehave(mut out: TcpStream, how: Misbehave) {
    match how {
        Misbehave::Hang(d) => thread::sleep(d),
        Misbehave::Trickle { body, every } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            if out.write_all(head.as_bytes()).is_err() {
                return;
            }
            for b in body {
                if out.write_all(&[b]).is_err() {
                    return;
                }
                thread::sleep(every);
            }
        }
        Misbehave::Huge {
            total,
            length_header,
        } => {
            let length = if length_header {
                format!("Content-Length: {total}\r\nConnection: close\r\n")
            } else {
                "Connection: close\r\n".to_string()
            };
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{length}\r\n");
            if out.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b'a'; 64 * 1024];
            let mut sent = 0u64;
            while sent < total {
                if out.write_all(&chunk).is_err() {
                    return;
                }
                sent += chunk.len() as u64;
            }
        }
        Misbehave::Raw(bytes) => {
            let _ = out.write_all(&bytes);
        }
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// The committed farm fixture.
pub fn farm_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/farm")
}
