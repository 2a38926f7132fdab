//! Shared test support: the loopback server (`server.rs`) and a workspace running the real binary.
#![allow(dead_code)]

mod pg;
mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use pg::*;
pub use server::*;

/// A test workspace: temp dir with a config allowing fast loopback polling.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    /// The SQLite file, or the URL of [`Workspace::pg`].
    pub db: PathBuf,
    pub feeds_file: PathBuf,
    /// The PostgreSQL database it archives into instead of a SQLite file ([`Workspace::on`]).
    pub pg: Option<Db>,
}

impl Workspace {
    /// `feeds` are written to a feeds file; the config carries the PLVN rule from the shipped
    /// default config (so the test exercises the rule users get), with loopback as its host.
    pub fn new(feeds: &[String]) -> Workspace {
        Self::with_settings(
            feeds,
            "[daemon]\nmin_interval_secs = 1\npoll_interval_secs = 1\nmax_interval_secs = 2\n\n[fetch]\nper_host = 8\nper_host_gap_ms = 0\ntimeout_secs = 10\n",
        )
    }

    /// Like [`Workspace::new`] with the given `[daemon]`/`[fetch]` TOML instead of the defaults.
    /// The loopback test server is allowed explicitly, as the network policy demands (unless
    /// `settings` name the allowed addresses themselves).
    pub fn with_settings(feeds: &[String], settings: &str) -> Workspace {
        const ALLOW: &str = "allow_addresses = [\"127.0.0.1\"]\n";
        let settings = if settings.contains("allow_addresses") {
            settings.to_string()
        } else if settings.contains("[fetch]\n") {
            settings.replacen("[fetch]\n", &format!("[fetch]\n{ALLOW}"), 1)
        } else {
            format!("{settings}\n[fetch]\n{ALLOW}")
        };
        let dir = tempfile::tempdir().unwrap();
        let shipped = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("config/tindex.toml"),
        )
        .unwrap();
        let sites = &shipped[shipped
            .find("[[site]]")
            .expect("shipped config has a site rule")..];
        let sites = sites.replacen("hosts = [", "hosts = [\"127.0.0.1\", ", 1);
        let config = dir.path().join("tindex.toml");
        std::fs::write(&config, format!("{settings}\n{sites}")).unwrap();
        let feeds_file = dir.path().join("feeds.txt");
        std::fs::write(&feeds_file, feeds.join("\n")).unwrap();
        let db = dir.path().join("t.sqlite");
        Workspace {
            dir,
            config,
            db,
            feeds_file,
            pg: None,
        }
    }

    /// Runs the real binary with this workspace's config, db and feeds file.
    pub fn tindex(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// The real binary with this workspace's config, db and feeds file, not yet started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tindex"));
        cmd.arg("--config")
            .arg(&self.config)
            .arg("--db")
            .arg(&self.db)
            .arg("--feeds-file")
            .arg(&self.feeds_file)
            .args(args)
            .env("RUST_LOG", "info");
        cmd
    }

    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).unwrap()
    }
}

/// Reads the farm's truth file (one JSON object a line), base URL rewritten.
pub fn truth(server: &Server) -> Vec<serde_json::Value> {
    std::fs::read_to_string(farm_dir().join("truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(&server.rebase(l)).unwrap())
        .collect()
}

/// The farm's feed URLs on this server.
pub fn farm_feeds(server: &Server) -> Vec<String> {
    std::fs::read_to_string(farm_dir().join("feeds.txt"))
        .unwrap()
        .lines()
        .map(|l| server.rebase(l))
        .collect()
}

/// The farm polled once into a fresh archive: the server (keep it alive) and the workspace.
pub fn farm_archive() -> (Server, Workspace) {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server));
    run_once(&ws);
    (server, ws)
}

/// Polls `done` every 50 ms until it holds; panics naming `what` after `limit`.
pub fn wait_until(what: &str, limit: std::time::Duration, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The single integer that `sql` selects.
pub fn count(ws: &Workspace, sql: &str) -> i64 {
    ws.sql().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The single integer `sql` selects, or `None` while the daemon has not yet created the
/// archive or the table: a poll racing its first transaction must wait, not fail. The file is
/// never created here, so the daemon still finds no archive and makes its own.
pub fn try_count(ws: &Workspace, sql: &str) -> Option<i64> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = rusqlite::Connection::open_with_flags(&ws.db, flags).ok()?;
    db.query_row(sql, [], |r| r.get(0)).ok()
}

/// One `run --once` cycle, which must succeed; returns its log (stderr).
pub fn run_once(ws: &Workspace) -> String {
    let out = ws.tindex(&["run", "--once"]);
    let log = stderr_of(&out);
    assert!(out.status.success(), "run --once failed: {log}");
    log
}

/// Runs the binary with `args`, which must succeed; returns its stdout (which must be UTF-8).
pub fn stdout(ws: &Workspace, args: &[&str]) -> String {
    let out = ws.tindex(args);
    assert!(out.status.success(), "{}", stderr_of(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// A finished process's stdout, lossily decoded.
pub fn stdout_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A finished process's stderr, lossily decoded.
pub fn stderr_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An RSS 2.0 document around `items`, raw item markup.
pub fn rss_raw(items: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>F</title>{items}</channel></rss>"
    )
}

/// An RSS 2.0 document with one item per (link, non-permalink guid).
pub fn rss_items(items: &[(String, Option<&str>)]) -> Vec<u8> {
    let mut s = String::new();
    for (link, guid) in items {
        let link = link.replace('&', "&amp;");
        s.push_str(&format!("<item><title>x</title><link>{link}</link>"));
        if let Some(g) = guid {
            s.push_str(&format!("<guid isPermaLink=\"false\">{g}</guid>"));
        }
        s.push_str("</item>");
    }
    rss_raw(&s).into_bytes()
}

/// An Atom feed of one entry whose id and link are `url`, feed and entry updated at `updated`.
pub fn atom_entry(url: &str, updated: &str) -> Vec<u8> {
    format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>t</id>\
         <updated>{updated}</updated><entry><title>x</title><id>{url}</id>\
         <link href=\"{url}\"/><updated>{updated}</updated></entry></feed>"
    )
    .into_bytes()
}

/// A farm written by the shared generator (`../shared/bench/gen_farm.py --sitemap-only N`)
/// into a temporary directory, with its truth; `None` (after one "skipped" line) in a clone
/// without `../shared`.
pub struct GeneratedFarm {
    pub dir: tempfile::TempDir,
}

impl GeneratedFarm {
    pub fn new(feeds: usize, items: usize, sitemap_only: usize) -> Option<GeneratedFarm> {
        let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_farm.py");
        if !generator.exists() {
            println!("skipped: ../shared not present");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("python3")
            .arg(&generator)
            .arg("--out")
            .arg(dir.path().join("farm"))
            .args(["--feeds", &feeds.to_string(), "--items", &items.to_string()])
            .args(["--seed", "1", "--no-gz", "--base-url", FARM_BASE])
            .args(["--sitemap-only", &sitemap_only.to_string()])
            .output()
            .expect("python3 runs the farm generator");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(GeneratedFarm { dir })
    }

    pub fn www(&self) -> PathBuf {
        self.dir.path().join("farm/www")
    }

    pub fn truth(&self, server: &Server) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.path().join("farm/truth.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(&server.rebase(l)).unwrap())
            .collect()
    }

    pub fn feeds(&self, server: &Server) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("farm/feeds.txt"))
            .unwrap()
            .lines()
            .map(|l| server.rebase(l))
            .collect()
    }
}

impl GeneratedFarm {
    /// The dated shards its `sitemap.xml` lists: (path, lastmod).
    pub fn index_shards(&self) -> Vec<(String, chrono::DateTime<chrono::FixedOffset>)> {
        let index = std::fs::read_to_string(self.www().join("sitemap.xml")).unwrap();
        index
            .split("<sitemap>")
            .skip(1)
            .map(|s| {
                let field = |name: &str| {
                    let open = format!("<{name}>");
                    let start = s.find(&open).unwrap() + open.len();
                    let end = s.find(&format!("</{name}>")).unwrap();
                    s[start..end].to_string()
                };
                let path = field("loc").replace(FARM_BASE, "/");
                let lastmod = chrono::DateTime::parse_from_rfc3339(&field("lastmod")).unwrap();
                (path, lastmod)
            })
            .collect()
    }
}
