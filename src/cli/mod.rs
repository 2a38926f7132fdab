//! The command line: parses arguments, loads config and store, and runs one command.
//!
//! Every failure becomes one line on stderr and an exit code: 2 for bad input (config, CLI,
//! files, an archive that is missing or not tindex's), 1 for runtime failures (database,
//! I/O). A command whose answer is "no" (`search` with no match, `status --check` with a
//! problem) exits 1 without an error line, as grep does.

mod args;
mod feeds;
mod migrate;
mod print;
mod reextract;
mod rules;
mod setup;
mod status;
mod web;

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use clap::CommandFactory;
use tracing::info;
use url::Url;

pub use args::{Cli, Command, FeedsCommand, RulesCommand, VERSION};
pub use setup::ConfigSource;

use crate::config::{Config, ConfigError};
use crate::daemon::{self, DaemonError};
use crate::store::{Archive, ExportFilter, PageStore, RunLock, Store, StoreError, StoreHandle};
use setup::Access;

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
            Self::Store(
                StoreError::NotFound(_)
                | StoreError::Missing(_)
                | StoreError::Foreign { .. }
                | StoreError::Old { .. }
                | StoreError::InUse { .. }
                | StoreError::CopyRefused(_),
            ) => 2,
            _ => 1,
        }
    }
}

/// How a command that ran to its end came out: the process's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Done, or "yes".
    Yes,
    /// The command's answer is "no": nothing matched, a check found a problem (exit 1).
    No,
}

impl Answer {
    /// The exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Yes => 0,
            Self::No => 1,
        }
    }
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<Answer, CliError> {
    crate::logging::init(cli.log_format, cli.quiet);
    // Commands that need neither config nor archive.
    match &cli.command {
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "tindex",
                &mut std::io::stdout(),
            );
            return Ok(Answer::Yes);
        }
        Command::Man => {
            ignore_broken_pipe(
                clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()),
            )?;
            return Ok(Answer::Yes);
        }
        _ => {}
    }
    let source = ConfigSource::of(&cli);
    let mut config = source.load(cli.feeds_file.as_deref())?;
    if matches!(
        cli.command,
        Command::Run { .. } | Command::Backfill { .. } | Command::CheckConfig
    ) {
        config.resolve_webhook_secrets(source.path().unwrap_or(Path::new("(built-in)")))?;
    }
    if source == ConfigSource::BuiltIn && !matches!(cli.command, Command::CheckConfig) {
        info!(config = %source.describe(), "no config file; using the built-in defaults");
    }
    let db = setup::db_path(&cli, &config, &source);
    if matches!(cli.command, Command::CheckConfig) {
        let archive = match setup::postgres_url(&db) {
            Some(url) => format!("shared store {}", crate::config::redact(url)),
            None => format!("archive {}", db.display()),
        };
        println!(
            "{}: ok: {} feeds, {} sitemaps, {} listing pages, {} site rules; {archive}",
            source.describe(),
            config.feeds.len(),
            config.sitemaps.len(),
            config.listings.len(),
            config.sites.len(),
        );
        return Ok(Answer::Yes);
    }
    if let Some(url) = setup::postgres_url(&db) {
        if let Some(why) = sqlite_only(&cli.command) {
            return Err(CliError::Usage(format!(
                "{} is a PostgreSQL store: {why}",
                crate::config::redact(url)
            )));
        }
        if let Command::Run { once } = &cli.command {
            let reload = reloader(source, cli.feeds_file.clone());
            run_worker(config, url, *once, reload)?;
            return Ok(Answer::Yes);
        }
    }
    match &cli.command {
        Command::Completions { .. } | Command::Man | Command::CheckConfig => Ok(Answer::Yes),
        Command::Run { once } => {
            let store = setup::open(&db, Access::Create)?;
            // After the archive is known to be tindex's (nothing is made beside another
            // program's file), before anything is written.
            let lock = RunLock::acquire(&db)?;
            let mode = if *once {
                daemon::Mode::Once
            } else {
                daemon::Mode::Daemon
            };
            start_daemon(&cli, config, source, &db, store, lock, mode)?;
            Ok(Answer::Yes)
        }
        Command::Backfill { site, from, to } => {
            let from = parse_day("--from", from)?;
            let to = match to {
                Some(t) => parse_day("--to", t)?,
                None => Utc::now().date_naive(),
            };
            if from > to {
                return Err(CliError::Usage(format!("--from {from} is after --to {to}")));
            }
            if !crate::host::is_bare(site) {
                return Err(CliError::Usage(format!(
                    "--site {site:?}: give the host bare, like baophapluat.vn"
                )));
            }
            let site = crate::host::site(site);
            let mut store = setup::open(&db, Access::Create)?;
            // Only the holder of the run lock changes the sources: with a daemon running, its
            // config (reloaded with SIGHUP) says which sitemaps there are.
            let lock = match RunLock::acquire(&db) {
                Ok(lock) => {
                    store.sync_config_feeds(&config.sources(), Utc::now())?;
                    Some(lock)
                }
                Err(StoreError::InUse { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            if store.sitemap_sources_of(&site)?.is_empty() {
                return Err(CliError::Usage(format!(
                    "no [[sitemap]] source on {site} in {}: add the site's sitemap index or its robots.txt, e.g.\n  [[sitemap]]\n  url = \"https://{site}/robots.txt\"",
                    source.describe()
                )));
            }
            let (backfill, new) = store.queue_backfill(&site, from, to, Utc::now())?;
            let what = format!(
                "backfill #{} of {site}, {from} to {to}{}",
                backfill.id,
                if new { "" } else { " (resumed)" }
            );
            match lock {
                None => {
                    // SIGUSR1 wakes the daemon to look at the queue (it holds the lock, so the
                    // pid in the lock file is its own).
                    let told = crate::store::lock::wakeable_holder(&db)
                        // SAFETY: kill(2) with a pid and a signal number; no memory involved.
                        .is_some_and(|pid| unsafe { libc::kill(pid, libc::SIGUSR1) } == 0);
                    println!(
                        "{what} queued: the daemon running on this archive walks it between its polls{}; `tindex status` shows how far it is",
                        if told { "" } else { " (within a minute)" }
                    );
                    Ok(Answer::Yes)
                }
                Some(lock) => {
                    info!("{what}: walking it here, with live polling, until done");
                    let bar = std::io::IsTerminal::is_terminal(&std::io::stderr());
                    start_daemon(
                        &cli,
                        config,
                        source,
                        &db,
                        store,
                        lock,
                        daemon::Mode::Backfill { bar },
                    )?;
                    Ok(Answer::Yes)
                }
            }
        }
        Command::Feeds(FeedsCommand::Discover { url, add, json }) => {
            let found = web::Web::new(&config)?
                .discover(url)
                .map_err(CliError::Runtime)?;
            let mut out = std::io::stdout().lock();
            ignore_broken_pipe(feeds::print_discovered(&found, *json, &mut out))?;
            if *add && !found.is_empty() {
                let mut store = setup::open_archive(&db, Access::Create)?;
                feeds::add_discovered(&found, &mut store)?;
            }
            Ok(if found.is_empty() {
                Answer::No
            } else {
                Answer::Yes
            })
        }
        Command::Feeds(cmd) => {
            let access = match cmd {
                FeedsCommand::List | FeedsCommand::ExportOpml => Access::Read,
                FeedsCommand::Remove { .. } => Access::Change,
                FeedsCommand::Add { .. }
                | FeedsCommand::ImportOpml { .. }
                | FeedsCommand::Discover { .. } => Access::Create,
            };
            let mut store = setup::open_archive(&db, access)?;
            feeds::run(cmd, &mut store)?;
            Ok(Answer::Yes)
        }
        Command::Rules(RulesCommand::Test {
            target,
            base_url,
            id,
            json,
        }) => {
            let page = match (target, id) {
                (Some(t), _) => rules::load_target(&config, t, base_url.as_deref())?,
                (None, Some(id)) => reextract::kept_page(&db, *id)?,
                (None, None) => return Err(CliError::Usage("give a URL, a file or --id".into())),
            };
            let mut out = std::io::stdout().lock();
            rules::test(&config, &page, *json, &mut out).map_err(output_failed)
        }
        Command::Rules(RulesCommand::Check { offline }) => {
            let dir = source
                .path()
                .and_then(Path::parent)
                .unwrap_or(Path::new("."))
                .to_path_buf();
            rules::check(&config, &dir, *offline, &mut std::io::stdout().lock())
                .map_err(output_failed)
        }
        Command::Rules(RulesCommand::Health { days, json }) => {
            let store = setup::open_archive(&db, Access::Read)?;
            let report = crate::health::report(&store, &config, Utc::now(), *days)?;
            let mut out = std::io::stdout().lock();
            ignore_broken_pipe(if *json {
                serde_json::to_writer_pretty(&mut out, &report)
                    .map_err(std::io::Error::from)
                    .and_then(|()| writeln!(out))
            } else {
                crate::health::print(&report, &mut out)
            })?;
            Ok(if report.suspect.is_empty() {
                Answer::Yes
            } else {
                Answer::No
            })
        }
        Command::Reextract { site, since, id } => {
            let since = parse_time("--since", since.as_deref())?;
            let mut store = setup::open(&db, Access::Change)?;
            // Changed stories are announced like re-fetched ones; the daemon delivers them.
            store.set_hooks(config.hooks());
            let done = reextract::run(&config, &db, &mut store, site.as_deref(), since, *id)?;
            println!("{done}");
            Ok(Answer::Yes)
        }
        Command::Status {
            json,
            check,
            failing_hours,
        } => {
            let store = setup::open_archive(&db, Access::Read)?;
            let failing_for = chrono::Duration::hours(i64::from(*failing_hours));
            let mut report = status::report(&store, Utc::now(), failing_for)?;
            report.add_suspect_rules(crate::health::suspects(&store, &config, Utc::now())?);
            let mut out = std::io::stdout().lock();
            let written = if *json {
                serde_json::to_writer_pretty(&mut out, &report)
                    .map_err(std::io::Error::from)
                    .and_then(|()| writeln!(out))
            } else if *check {
                status::print_check(&report, &mut out)
            } else {
                status::print_table(&report, &mut out)
            };
            ignore_broken_pipe(written)?;
            Ok(if *check && !report.problems.is_empty() {
                Answer::No
            } else {
                Answer::Yes
            })
        }
        Command::Health => {
            let store = setup::open_archive(&db, Access::Read)?;
            let within = chrono::Duration::from_std(config.daemon.ready_within())
                .unwrap_or(chrono::Duration::MAX);
            let now = Utc::now();
            // A quiet archive is not a stuck one: stale only while a feed is overdue.
            let overdue = store.next_due()?.is_some_and(|n| n < now - within);
            let verdict = match store.last_cycle()? {
                None => Err("no cycle recorded yet".to_string()),
                Some(c) => match c.outcome {
                    Err(e) => Err(format!(
                        "the last cycle (finished {}) failed: {e}",
                        crate::store::ts(c.finished_at)
                    )),
                    Ok(_) if now - c.finished_at > within && overdue => Err(format!(
                        "the last cycle finished {}, more than {} s ago, and feeds are overdue",
                        crate::store::ts(c.finished_at),
                        within.num_seconds()
                    )),
                    Ok(_) => Ok(format!(
                        "ok: archive answers, last cycle finished {} ({} s ago)",
                        crate::store::ts(c.finished_at),
                        (now - c.finished_at).num_seconds()
                    )),
                },
            };
            match verdict {
                Ok(line) => {
                    println!("{line}");
                    Ok(Answer::Yes)
                }
                Err(line) => {
                    println!("unhealthy: {line}");
                    Ok(Answer::No)
                }
            }
        }
        Command::Export {
            csv,
            published_since,
            published_until,
            fetched_since,
            feed,
            limit,
            ..
        } => {
            let filter = ExportFilter {
                fetched_since: parse_time("--fetched-since", fetched_since.as_deref())?,
                published_since: parse_time("--published-since", published_since.as_deref())?,
                published_until: parse_time("--published-until", published_until.as_deref())?,
                feed: feed.clone(),
                limit: *limit,
            };
            let store = setup::open_archive(&db, Access::Read)?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let written = if *csv {
                crate::export::csv(&store, &filter, &mut out)
            } else {
                crate::export::jsonl(&store, &filter, &mut out)
            };
            match written {
                // `tindex export --jsonl | head` is normal use, not an error.
                Err(crate::export::ExportError::Io(e))
                    if e.kind() == std::io::ErrorKind::BrokenPipe =>
                {
                    Ok(Answer::Yes)
                }
                other => other.map(|_| Answer::Yes).map_err(CliError::from),
            }
        }
        Command::Search { query, limit, json } => {
            let store = setup::open_archive(&db, Access::Read)?;
            let hits = store.search(&query.join(" "), *limit)?;
            ignore_broken_pipe(print::hits(&hits, *json, &mut std::io::stdout().lock()))?;
            Ok(if hits.is_empty() {
                Answer::No
            } else {
                Answer::Yes
            })
        }
        Command::Show { key, json } => {
            let store = setup::open_archive(&db, Access::Read)?;
            let shown = store
                .show(&lookup_keys(key))?
                .ok_or_else(|| CliError::Usage(format!("no stored story {key:?}")))?;
            ignore_broken_pipe(print::shown(&shown, *json, &mut std::io::stdout().lock()))?;
            Ok(Answer::Yes)
        }
        Command::Prune { older_than } => {
            let mut store = setup::open_archive(&db, Access::Change)?;
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
            // Pages fetched before the cutoff go too; a kept story's older copies with them.
            let pages = PageStore::path_beside(&db);
            if matches!(store, Archive::Sqlite(_)) && pages.is_file() {
                let done = PageStore::open(&pages)?.prune(cutoff, config.raw_pages.max_bytes())?;
                println!(
                    "pruned {} raw pages; {} kept ({:.1} MB)",
                    done.removed,
                    done.kept,
                    done.kept_bytes as f64 / 1e6
                );
            }
            Ok(Answer::Yes)
        }
        Command::Backup { file } => {
            let store = setup::open(&db, Access::Read)?;
            let done = store.backup_to(file)?;
            println!(
                "backed up {} stories ({:.1} MB) from {} to {}",
                done.stories,
                done.bytes as f64 / 1e6,
                db.display(),
                file.display()
            );
            Ok(Answer::Yes)
        }
        Command::MigrateStore { to } => {
            let store = setup::open(&db, Access::Read)?;
            migrate::run(&store, &db, to)
        }
        Command::DatasetteMetadata => {
            let name = db
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "tindex".into());
            println!("{}", crate::datasette::metadata(&name));
            Ok(Answer::Yes)
        }
    }
}

/// Why a command cannot work on the shared PostgreSQL store, if it cannot.
fn sqlite_only(command: &Command) -> Option<&'static str> {
    Some(match command {
        Command::Backfill { .. } => {
            "backfill walks sitemaps into a SQLite archive; workers on the shared store poll \
             live sources (sitemaps included)"
        }
        Command::Reextract { .. } | Command::Rules(RulesCommand::Test { id: Some(_), .. }) => {
            "raw pages are kept beside a SQLite archive only"
        }
        Command::Backup { .. } => "back it up with pg_dump",
        Command::DatasetteMetadata => "Datasette reads SQLite files; read it with psql",
        Command::MigrateStore { .. } => {
            "migrate-store copies a SQLite archive (--db FILE) into the store given with --to"
        }
        _ => return None,
    })
}

/// The keys a typed story link may be stored under: as typed, and normalised as the cycle
/// normalises links (tracking parameters dropped, host lower-cased, …).
fn lookup_keys(key: &str) -> Vec<String> {
    let mut keys = vec![key.to_string()];
    if let Ok(url) = Url::parse(key.trim()) {
        for k in [
            url.to_string(),
            crate::dedup::canonical_url(&url).to_string(),
        ] {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

fn ignore_broken_pipe(r: std::io::Result<()>) -> Result<(), CliError> {
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(output_failed(e)),
        _ => Ok(()),
    }
}

/// A failed write to stdout, as the command's one-line error.
fn output_failed(e: std::io::Error) -> CliError {
    CliError::Runtime(format!("cannot write output: {e}"))
}

/// The daemon's start, shared by `run` and `backfill`: raw pages, hooks, the config's sources,
/// the starting line, the reload closure; holds `_lock` until it returns.
fn start_daemon(
    cli: &Cli,
    config: Config,
    source: ConfigSource,
    db: &Path,
    mut store: Store,
    _lock: RunLock,
    mode: daemon::Mode,
) -> Result<(), CliError> {
    if config.raw_pages.keep {
        let pages = PageStore::path_beside(db);
        // The stories matter more than their raw copies: archive without them.
        if let Err(e) = store.keep_pages(&pages) {
            tracing::warn!(pages = %pages.display(), error = %e, "raw pages not kept");
        }
    }
    store.set_hooks(config.hooks());
    store.sync_config_feeds(&config.sources(), Utc::now())?;
    let active = store.list_feeds()?.iter().filter(|f| f.active).count();
    info!(
        version = VERSION,
        config = %source.describe(),
        db = %db.display(),
        schema = store.schema_version()?,
        feeds = active,
        site_rules = config.sites.len(),
        "tindex starting"
    );
    crate::metrics::global().watch_database(db.to_path_buf());
    run_daemon(
        config,
        store,
        mode,
        reloader(source, cli.feeds_file.clone()),
    )
}

/// SIGHUP's config read: the same file (and feeds file) as at the start, secrets resolved.
fn reloader(source: ConfigSource, feeds_file: Option<std::path::PathBuf>) -> daemon::Reload {
    Box::new(move || {
        let mut config = source.load(feeds_file.as_deref())?;
        config.resolve_webhook_secrets(source.path().unwrap_or(Path::new("(built-in)")))?;
        Ok(config)
    })
}

/// A day given as YYYY-MM-DD.
fn parse_day(flag: &str, s: &str) -> Result<chrono::NaiveDate, CliError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| CliError::Usage(format!("{flag} {s:?}: expected YYYY-MM-DD")))
}

fn run_daemon(
    config: Config,
    store: Store,
    mode: daemon::Mode,
    reload: daemon::Reload,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start async runtime: {e}")))?;
    Ok(runtime.block_on(daemon::run(config, StoreHandle::new(store), mode, reload))?)
}

/// `run` on the shared store: one worker among any number on the same database.
fn run_worker(
    config: Config,
    url: &str,
    once: bool,
    reload: daemon::Reload,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start async runtime: {e}")))?;
    runtime.block_on(async {
        let pg = crate::store::pg::PgStore::open(url).await?;
        info!(
            version = VERSION,
            db = %crate::config::redact(url),
            worker = pg.worker(),
            feeds = config.sources().len(),
            "tindex starting on the shared store"
        );
        Ok(crate::worker::run(config, pg, once, reload).await?)
    })
}

/// An RFC 3339 time or a UTC date (midnight).
fn parse_time(flag: &str, s: Option<&str>) -> Result<Option<DateTime<Utc>>, CliError> {
    let Some(s) = s else { return Ok(None) };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Some(t.and_utc()))
        .ok_or_else(|| CliError::Usage(format!("{flag} {s:?}: expected RFC 3339 or YYYY-MM-DD")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names_the_schema_this_build_writes() {
        let schema = crate::store::migrations::SCHEMA_VERSION;
        assert!(
            VERSION.ends_with(&format!("(archive schema {schema})")),
            "{VERSION}"
        );
    }

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    /// Every argument and command says what it is for (they become the man page).
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                assert!(arg.get_help().is_some(), "{path} {id} has no help text");
            }
            for sub in cmd.get_subcommands() {
                assert!(
                    sub.get_about().is_some(),
                    "{path} {} has no help",
                    sub.get_name()
                );
                walk(sub, &format!("{path} {}", sub.get_name()));
            }
        }
        walk(&Cli::command(), "tindex");
    }

    #[test]
    fn a_tracking_variant_of_a_link_is_looked_up_normalised() {
        let keys = lookup_keys("https://Example.vn/a.html?utm_source=x");
        assert!(
            keys.contains(&"https://example.vn/a.html".to_string()),
            "{keys:?}"
        );
    }
}
