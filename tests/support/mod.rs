//! Shared test support: the loopback server (`server.rs`) and a workspace running the real binary.
#![allow(dead_code)]

mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use server::*;

/// A test workspace: temp dir with a config allowing fast loopback polling.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub db: PathBuf,
    pub feeds_file: PathBuf,
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
    /// The loopback test server is allowed explicitly, as the network policy demands.
    pub fn with_settings(feeds: &[String], settings: &str) -> Workspace {
        const ALLOW: &str = "allow_addresses = [\"127.0.0.1\"]\n";
        let settings = if settings.contains("[fetch]\n") {
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
