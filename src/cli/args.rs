//! The command line as clap sees it: every command, option and help text, and nothing else
//! (completions and the man page are generated from these definitions).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::logging::LogFormat;

/// `--version`: the program and the archive schema it writes, the two things a bug report
/// needs (a unit test keeps the number true).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (archive schema 7)");

const GLOBAL: &str = "Global options";

/// A polite news archiver: polls RSS/Atom feeds, extracts clean articles, stores them in SQLite.
#[derive(Debug, Parser)]
#[command(name = "tindex", version = VERSION, about, propagate_version = true)]
pub struct Cli {
    /// Config file [default: $TINDEX_CONFIG, ./config/tindex.toml, /etc/tindex/tindex.toml]
    #[arg(short, long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub config: Option<PathBuf>,
    /// SQLite archive, or a PostgreSQL URL (postgresql://…) for the shared store [default:
    /// config `db`, $STATE_DIRECTORY/tindex.sqlite, or next to the config]
    #[arg(short, long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub db: Option<PathBuf>,
    /// Poll the feeds listed in this file (one URL a line) instead of the config's [[feed]]s
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub feeds_file: Option<PathBuf>,
    /// Log format on stderr
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Plain, help_heading = GLOBAL)]
    pub log_format: LogFormat,
    /// Only log warnings and errors
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Poll feeds: forever as a daemon, or one full cycle with --once
    Run {
        /// Poll every active feed once, store what they list, then exit (on a shared store:
        /// every feed no worker polled since this run started)
        #[arg(long)]
        once: bool,
    },
    /// Walk a site's dated sitemap shards newest first, archiving what no feed lists any more,
    /// under a share of the site's politeness budget (live polls go first); resumable. Runs
    /// here as the daemon until done, or is left to the daemon already running
    Backfill {
        /// The site (host) whose [[sitemap]] sources are walked, e.g. baophapluat.vn
        #[arg(long, value_name = "HOST")]
        site: String,
        /// First day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Last day (YYYY-MM-DD); today (UTC) when left out
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
    },
    /// Manage the feeds kept in the archive
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// See what a site rule extracts, check its expectations, watch its health
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Extract the kept raw pages again (after a rule fix); a story whose content changed gets
    /// a revision
    Reextract {
        /// Only pages of this site (its host; subdomains included)
        #[arg(long, value_name = "HOST")]
        site: Option<String>,
        /// Only pages fetched at or after this time (RFC 3339 or YYYY-MM-DD, UTC)
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Only the page of this story
        #[arg(long, value_name = "N")]
        id: Option<i64>,
    },
    /// Check the config file and print a summary; exit 2 if it is invalid
    CheckConfig,
    /// Every feed's health: last success, last error, next poll, stories ok and failed
    Status {
        /// One JSON object: the feeds, the totals and the last cycle
        #[arg(short, long)]
        json: bool,
        /// Exit 1 if a feed has been failing longer than --failing-hours or the last cycle
        /// failed (for monitoring); prints only the problems
        #[arg(long)]
        check: bool,
        /// With --check: how long a feed may fail before it counts as a problem
        #[arg(long, value_name = "HOURS", default_value_t = 24)]
        failing_hours: u32,
    },
    /// The daemon's health as /healthz and /readyz judge it: the archive answers and a cycle
    /// completed within twice the poll interval; exit 1 if not (for probes and timers)
    Health,
    /// Write stored stories to stdout, oldest first
    #[command(group(clap::ArgGroup::new("format").required(true).args(["jsonl", "csv"])))]
    Export {
        /// One JSON object a line
        #[arg(long)]
        jsonl: bool,
        /// CSV with a header row (lists joined with " | ")
        #[arg(long)]
        csv: bool,
        /// Only stories published at or after this time (RFC 3339 or YYYY-MM-DD, UTC)
        #[arg(long, value_name = "TIME")]
        published_since: Option<String>,
        /// Only stories published before this time (RFC 3339 or YYYY-MM-DD, UTC)
        #[arg(long, value_name = "TIME")]
        published_until: Option<String>,
        /// Only stories fetched (or checked unchanged) at or after this time
        #[arg(long, value_name = "TIME", visible_alias = "since")]
        fetched_since: Option<String>,
        /// Only stories listed by this feed (its URL or id)
        #[arg(short, long, value_name = "FEED")]
        feed: Option<String>,
        /// At most this many stories
        #[arg(short = 'n', long, value_name = "N")]
        limit: Option<usize>,
    },
    /// Find stories by words in title, lead or body, typed with or without diacritics;
    /// exit 1 if none match
    Search {
        /// Words that must all appear (e.g. thi hành án, or thi hanh an); words in double
        /// quotes must also stand together, in order ('"thi hành án"')
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Most results to print
        #[arg(short = 'n', long, value_name = "N", default_value_t = 20)]
        limit: usize,
        /// One JSON array of {id, url, title, published, lead}
        #[arg(short, long)]
        json: bool,
    },
    /// Print one story: by id, URL or any alias it was seen under
    Show {
        /// A story id, its URL, or any link it was listed under (tracking parameters and
        /// all: the link is normalised as the poll cycle does)
        key: String,
        /// As one JSON object instead of text
        #[arg(short, long)]
        json: bool,
    },
    /// Delete stories first seen more than DAYS ago (never ones their feeds still list)
    Prune {
        /// Age in days of the stories to delete
        #[arg(long, value_name = "DAYS")]
        older_than: u32,
    },
    /// Write a consistent copy of the archive to FILE while the daemon keeps running
    Backup {
        /// Where to write the copy (must not exist yet)
        file: PathBuf,
    },
    /// Copy this SQLite archive into a PostgreSQL database for workers to share: resumable
    /// (run it again after a stop), every table's rows counted on both sides at the end
    MigrateStore {
        /// The PostgreSQL database (postgresql://…): empty, or a copy of this archive left
        /// unfinished
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Print Datasette metadata for this archive (descriptions, full-text search, facets)
    DatasetteMetadata,
    /// Print a shell completion script
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Extract one page and show the record, the rule chosen, every selector's matches and
    /// what fell back to the generic extractor; exit 1 if no article came out
    Test {
        /// An http(s) URL (fetched as the daemon would) or a saved HTML file
        #[arg(required_unless_present = "id", conflicts_with = "id")]
        target: Option<String>,
        /// For a file: the address it was served at (chooses the rule, resolves links)
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// The kept raw page of this stored story instead
        #[arg(long, value_name = "N")]
        id: Option<i64>,
        /// One JSON object instead of text
        #[arg(short, long)]
        json: bool,
    },
    /// Run every rule's [[site.test]] expectations; exit 1 if one fails
    Check {
        /// Skip expectations on live URLs (saved files only)
        #[arg(long)]
        offline: bool,
    },
    /// Per site and day: pages extracted, rule hits, fallbacks, missing fields, body length;
    /// exit 1 if a rule is suspect
    Health {
        /// Days back to show
        #[arg(long, value_name = "DAYS", default_value_t = 7)]
        days: u32,
        /// One JSON object instead of text
        #[arg(short, long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// Add a feed, or with --sitemap a sitemap source
    Add {
        /// The feed's URL (http or https)
        url: String,
        /// A title to show until the feed gives its own
        #[arg(long)]
        title: Option<String>,
        /// The URL is a sitemap, a sitemap index, a Google News sitemap or a site's
        /// robots.txt (polled as a `[[sitemap]]` source with its defaults)
        #[arg(long)]
        sitemap: bool,
    },
    /// List feeds: state, source, stories, URL, title (tab-separated)
    List,
    /// Stop polling a feed (its stories stay)
    Remove {
        /// The feed's URL, as `feeds list` shows it
        url: String,
    },
    /// Add every feed of an OPML file
    ImportOpml {
        /// The OPML file
        file: PathBuf,
    },
    /// Write the active feeds as OPML to stdout
    ExportOpml,
    /// Find the feeds a site publishes from one of its pages (<link rel=alternate>, feed
    /// links, its RSS index page, common paths); each is fetched and parsed before it is
    /// listed. Exit 1 if none is found
    Discover {
        /// A page of the site (its home page, an article, its RSS page)
        url: String,
        /// Also add every feed found
        #[arg(long)]
        add: bool,
        /// One JSON array instead of tab-separated lines
        #[arg(short, long)]
        json: bool,
    },
}
