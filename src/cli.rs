//! The command line: parses arguments, loads config and store, and runs one command.
//!
//! Every failure becomes one line on stderr and an exit code: 2 for bad input (config, CLI,
//! files), 1 for runtime failures (database, I/O).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::config::{self, Config, ConfigError};
use crate::daemon::{self, DaemonError};
use crate::logging::LogFormat;
use crate::opml;
use crate::store::{FeedSource, Store, StoreError, StoreHandle};

/// A polite news archiver: polls RSS/Atom feeds, extracts clean articles, stores them in SQLite.
#[derive(Debug, Parser)]
#[command(name = "tindex", version, about, propagate_version = true)]
pub struct Cli {
    /// Config file [default: $TINDEX_CONFIG, ./config/tindex.toml, /etc/tindex/tindex.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// SQLite database [default: config `db`, $STATE_DIRECTORY/tindex.sqlite, or next to the config]
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Poll the feeds listed in this file (one URL a line) instead of the config's [[feed]]s
    #[arg(long, global = true, value_name = "FILE")]
    pub feeds_file: Option<PathBuf>,
    /// Log format on stderr
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Plain)]
    pub log_format: LogFormat,
    /// Only log warnings and errors
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Poll feeds: forever as a daemon, or one full cycle with --once
    Run {
        /// Poll every active feed once, store what they list, then exit
        #[arg(long)]
        once: bool,
    },
    /// Manage the feeds kept in the database
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// Check the config file and print a summary; exit 2 if it is invalid
    CheckConfig,
    /// Print every feed's health: last success, last error, next poll, articles
    Status,
    /// Write stored articles to stdout
    #[command(group(clap::ArgGroup::new("format").required(true).args(["jsonl", "csv"])))]
    Export {
        /// One JSON object a line
        #[arg(long)]
        jsonl: bool,
        /// CSV with a header row (lists joined with " | ")
        #[arg(long)]
        csv: bool,
        /// Only articles fetched at or after this time (RFC 3339 or YYYY-MM-DD)
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
    },
    /// Find stories by words in title, lead or body, with or without diacritics
    Search {
        /// Words that must all appear (e.g. thi hành án, or thi hanh an); words in double
        /// quotes must also stand together, in order ('"thi hành án"')
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Most results to print
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Print one story: by id, URL or any alias it was seen under
    Show {
        key: String,
        /// As one JSON object instead of text
        #[arg(long)]
        json: bool,
    },
    /// Delete stories first seen more than DAYS ago (never ones their feeds still list)
    Prune {
        #[arg(long, value_name = "DAYS")]
        older_than: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// Add a feed
    Add {
        url: String,
        #[arg(long)]
        title: Option<String>,
    },
    /// List feeds
    List,
    /// Stop polling a feed (its articles stay)
    Remove { url: String },
    /// Add every feed of an OPML file
    ImportOpml { file: PathBuf },
    /// Write the active feeds as OPML to stdout
    ExportOpml,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error(transparent)]
    Daemon(#[from] DaemonError),
    #[error("{0}")]
    Runtime(String),
}

impl CliError {
    /// 2 for input the user must fix, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) | Self::Usage(_) | Self::Daemon(DaemonError::Config(_)) => 2,
            Self::Store(StoreError::NotFound(_)) => 2,
            _ => 1,
        }
    }
}

/// The config file to use, and whether the user named it.
fn config_path(cli: &Cli) -> Option<PathBuf> {
    if let Some(p) = &cli.config {
        return Some(p.clone());
    }
    if let Some(p) = std::env::var_os("TINDEX_CONFIG") {
        return Some(PathBuf::from(p));
    }
    ["config/tindex.toml", "/etc/tindex/tindex.toml"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Loads the config (and the feeds file, which replaces the config's feed list).
fn load_config(cli: &Cli) -> Result<(Config, PathBuf), CliError> {
    let path = config_path(cli);
    let config = load_from(path.as_deref(), cli.feeds_file.as_deref())?;
    Ok((config, path.unwrap_or_else(|| PathBuf::from("tindex.toml"))))
}

fn load_from(path: Option<&Path>, feeds_file: Option<&Path>) -> Result<Config, ConfigError> {
    let mut config = match path {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    if let Some(file) = feeds_file {
        config.feeds = config::read_feeds_file(file)?;
    }
    Ok(config)
}

fn open_store(cli: &Cli, config: &Config, config_path: &Path) -> Result<Store, CliError> {
    let db = cli
        .db
        .clone()
        .unwrap_or_else(|| config.default_db_path(config_path));
    Ok(Store::open(&db)?)
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    crate::logging::init(cli.log_format, cli.quiet);
    let (config, config_path) = load_config(&cli)?;
    match &cli.command {
        Command::CheckConfig => {
            println!(
                "{}: ok: {} feeds, {} site rules",
                config_path.display(),
                config.feeds.len(),
                config.sites.len()
            );
            Ok(())
        }
        Command::Run { once } => {
            let mut store = open_store(&cli, &config, &config_path)?;
            store.sync_config_feeds(&config.feeds, Utc::now())?;
            let path = self::config_path(&cli);
            let feeds_file = cli.feeds_file.clone();
            let reload: daemon::Reload =
                Box::new(move || load_from(path.as_deref(), feeds_file.as_deref()));
            run_daemon(config, store, *once, reload)
        }
        Command::Feeds(cmd) => {
            let mut store = open_store(&cli, &config, &config_path)?;
            feeds(cmd, &mut store)
        }
        Command::Status => {
            let store = open_store(&cli, &config, &config_path)?;
            print_status(&store)
        }
        Command::Export { csv, since, .. } => {
            let since = since.as_deref().map(parse_since).transpose()?;
            let store = open_store(&cli, &config, &config_path)?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let written = if *csv {
                crate::export::csv(&store, since, &mut out)
            } else {
                crate::export::jsonl(&store, since, &mut out)
            };
            match written {
                // `tindex export --jsonl | head` is normal use, not an error.
                Err(crate::export::ExportError::Io(e))
                    if e.kind() == std::io::ErrorKind::BrokenPipe =>
                {
                    Ok(())
                }
                other => other.map(|_| ()).map_err(CliError::from),
            }
        }
        Command::Search { query, limit } => {
            let store = open_store(&cli, &config, &config_path)?;
            let mut out = std::io::stdout().lock();
            for hit in store.search(&query.join(" "), *limit)? {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    hit.id,
                    hit.published.unwrap_or_default(),
                    hit.title.unwrap_or_default(),
                    hit.url
                );
            }
            Ok(())
        }
        Command::Show { key, json } => {
            let store = open_store(&cli, &config, &config_path)?;
            let shown = store
                .show(key)?
                .ok_or_else(|| CliError::Usage(format!("no stored article {key:?}")))?;
            print_shown(&shown, *json);
            Ok(())
        }
        Command::Prune { older_than } => {
            let mut store = open_store(&cli, &config, &config_path)?;
            let cutoff = Utc::now()
                .checked_sub_signed(chrono::Duration::days(i64::from(*older_than)))
                .ok_or_else(|| {
                    CliError::Usage(format!("--older-than {older_than}: too far back"))
                })?;
            let pruned = store.prune(cutoff)?;
            println!(
                "pruned {} articles and {} fetch log rows first seen before {}",
                pruned.articles,
                pruned.fetches,
                crate::store::ts(cutoff)
            );
            Ok(())
        }
    }
}

fn run_daemon(
    config: Config,
    store: Store,
    once: bool,
    reload: daemon::Reload,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start async runtime: {e}")))?;
    Ok(runtime.block_on(daemon::run(config, StoreHandle::new(store), once, reload))?)
}

fn feeds(cmd: &FeedsCommand, store: &mut Store) -> Result<(), CliError> {
    let now = Utc::now();
    match cmd {
        FeedsCommand::Add { url, title } => {
            let url = config::parse_feed_url(url).map_err(CliError::Usage)?;
            let added = store.add_feed(url.as_str(), title.as_deref(), FeedSource::Cli, now)?;
            println!("{} {url}", if added { "added" } else { "already present:" });
        }
        FeedsCommand::Remove { url } => {
            // The same spelling `feeds add` stored (e.g. a trailing slash added).
            let url = config::parse_feed_url(url)
                .map(|u| u.to_string())
                .unwrap_or_else(|_| url.clone());
            store.remove_feed(&url)?;
            println!("removed {url}");
        }
        FeedsCommand::List => {
            let mut out = std::io::stdout().lock();
            for f in store.list_feeds()? {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    if f.active { "active" } else { "inactive" },
                    f.source,
                    f.articles,
                    f.url,
                    f.title.unwrap_or_default()
                );
            }
        }
        FeedsCommand::ImportOpml { file } => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
            let outlines = opml::parse(&text)
                .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
            // Check every URL before writing any, so a bad file changes nothing.
            let mut valid = Vec::new();
            for o in &outlines {
                let url = config::parse_feed_url(&o.url)
                    .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
                valid.push((url, o.title.clone()));
            }
            let mut added = 0;
            for (url, title) in valid {
                added += usize::from(store.add_feed(
                    url.as_str(),
                    title.as_deref(),
                    FeedSource::Opml,
                    now,
                )?);
            }
            println!("imported {added} new feeds of {}", outlines.len());
        }
        FeedsCommand::ExportOpml => {
            let outlines: Vec<_> = store
                .list_feeds()?
                .into_iter()
                .filter(|f| f.active)
                .map(|f| opml::Outline {
                    url: f.url,
                    title: f.title,
                })
                .collect();
            print!("{}", opml::render(&outlines));
        }
    }
    Ok(())
}

fn print_status(store: &Store) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<8} {:>8} {:>6} {:<20} {:<20} {:<20} URL / last error",
        "STATE", "ARTICLES", "ERRORS", "LAST SUCCESS", "NEXT POLL", "LAST POLL"
    );
    for f in store.list_feeds()? {
        let state = match (f.active, f.error_count) {
            (false, _) => "inactive",
            (true, 0) => "ok",
            (true, _) => "failing",
        };
        let _ = writeln!(
            out,
            "{:<8} {:>8} {:>6} {:<20} {:<20} {:<20} {}{}",
            state,
            f.articles,
            f.error_count,
            f.last_success_at.as_deref().unwrap_or("never"),
            crate::store::ts(f.next_poll_at),
            f.last_polled_at.as_deref().unwrap_or("never"),
            f.url,
            f.last_error
                .map(|e| format!("  ({e}, since {})", f.error_since.unwrap_or_default()))
                .unwrap_or_default()
        );
    }
    Ok(())
}

fn print_shown(a: &crate::store::Shown, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(a).unwrap_or_default());
        return;
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    println!("id:         {}", a.id);
    println!("url:        {}", a.url);
    println!(
        "status:     {}{}",
        a.status,
        a.error
            .as_ref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    );
    println!("title:      {}", opt(&a.title));
    println!(
        "published:  {} (from {})",
        opt(&a.published),
        opt(&a.published_source)
    );
    println!("updated:    {}", opt(&a.updated));
    println!("author:     {}", opt(&a.author));
    println!(
        "category:   {}   tags: {}",
        opt(&a.category),
        a.tags.join(", ")
    );
    println!(
        "method:     {}   language: {}",
        opt(&a.method),
        opt(&a.language)
    );
    println!(
        "fetched:    {} (first seen {}), revisions: {}",
        a.fetched, a.first_seen, a.revisions
    );
    println!(
        "cluster:    {} {}",
        a.cluster
            .map(|c| c.to_string())
            .unwrap_or_else(|| "-".into()),
        a.cluster_members.join(" ")
    );
    println!("feeds:      {}", a.feeds.join(" "));
    println!("aliases:    {}", a.aliases.join(" "));
    println!("captions:   {}", a.captions.join(" | "));
    println!("\n{}\n\n{}", opt(&a.lead), opt(&a.body));
}

fn parse_since(s: &str) -> Result<DateTime<Utc>, CliError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| CliError::Usage(format!("--since {s:?}: expected RFC 3339 or YYYY-MM-DD")))
}
