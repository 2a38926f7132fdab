//! Log output: one line per decision, with fields, in the form the reader needs.
//!
//! Plain with colours on a terminal; plain without colours or timestamps under systemd
//! (journald stamps every line itself); JSON lines for machines with `--log-format json`.
//! `RUST_LOG` overrides the level (default `info`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Output format chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines; journald-friendly when run by systemd.
    #[default]
    Plain,
    /// One JSON object per line.
    Json,
}

/// Installs the global subscriber; writes to stderr so stdout stays clean for `export`.
pub fn init(format: LogFormat, quiet: bool) {
    let default = if quiet { "warn" } else { "info" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let under_systemd = std::env::var_os("JOURNAL_STREAM").is_some();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    // A second init (tests calling into the library) is harmless: keep the first subscriber.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Plain if under_systemd => builder.with_ansi(false).without_time().try_init(),
        LogFormat::Plain => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
    };
}
