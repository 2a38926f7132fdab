//! Which config and which archive a command uses, and how it opens the archive: the choices
//! a user must be able to see (the startup line says them) and never be surprised by.

use std::path::{Path, PathBuf};

use super::{Cli, CliError};
use crate::config::{self, Config, ConfigError};
use crate::store::{Archive, Shared, Store};

/// Where the places a config is looked for, in order, when none is named.
const SEARCHED: [&str; 2] = ["config/tindex.toml", "/etc/tindex/tindex.toml"];

/// Where the config came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// Named by `--config` or `$TINDEX_CONFIG`: it must exist.
    Named(PathBuf),
    /// Found in one of the [`SEARCHED`] places.
    Found(PathBuf),
    /// No config named and none found: the built-in defaults (no feeds, no site rules).
    BuiltIn,
}

impl ConfigSource {
    /// Resolves the config as the command line and environment say.
    pub fn of(cli: &Cli) -> Self {
        if let Some(p) = &cli.config {
            return Self::Named(p.clone());
        }
        if let Some(p) = std::env::var_os("TINDEX_CONFIG").filter(|p| !p.is_empty()) {
            return Self::Named(PathBuf::from(p));
        }
        SEARCHED
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .map_or(Self::BuiltIn, Self::Found)
    }

    /// The file, if there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Named(p) | Self::Found(p) => Some(p),
            Self::BuiltIn => None,
        }
    }

    /// For messages and the startup line.
    pub fn describe(&self) -> String {
        match self {
            Self::Named(p) | Self::Found(p) => p.display().to_string(),
            Self::BuiltIn => format!(
                "none (no --config, no $TINDEX_CONFIG, none of {}: built-in defaults)",
                SEARCHED.join(", ")
            ),
        }
    }

    /// Loads it (and the feeds file, which replaces the config's feed list).
    pub fn load(&self, feeds_file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = match self.path() {
            Some(p) => Config::load(p)?,
            None => Config::default(),
        };
        if let Some(file) = feeds_file {
            config.feeds = config::read_feeds_file(file)?;
        }
        Ok(config)
    }
}

/// How a command needs the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only: opened read-only, must exist.
    Read,
    /// Changes an archive that must exist (`prune`).
    Change,
    /// Creates the archive if missing (`run`, `feeds add`).
    Create,
}

/// The archive path: `--db`, else the config's `db` (relative to the config's directory),
/// else `$STATE_DIRECTORY/tindex.sqlite`, else next to the config (or in `.`).
/// A PostgreSQL URL (`postgres://…`) is returned as it is: [`postgres_url`] tells it apart.
pub fn db_path(cli: &Cli, config: &Config, source: &ConfigSource) -> PathBuf {
    if let Some(url) = config.db.as_ref().filter(|d| postgres_url(d).is_some()) {
        return cli.db.clone().unwrap_or_else(|| url.clone());
    }
    cli.db.clone().unwrap_or_else(|| {
        config.default_db_path(source.path().unwrap_or(Path::new("tindex.toml")))
    })
}

/// The PostgreSQL URL `db` is, when it names the shared store rather than a SQLite file.
pub fn postgres_url(db: &Path) -> Option<&str> {
    db.to_str().filter(|s| crate::store::pg::is_url(s))
}

/// Opens the archive `db` names as `access` allows: the SQLite file, or the shared store at
/// a PostgreSQL URL (migrated only by a command that changes it; a read finds it as it is).
pub fn open_archive(db: &Path, access: Access) -> Result<Archive, CliError> {
    Ok(match postgres_url(db) {
        Some(url) => Archive::Shared(Shared::open(url, access != Access::Read)?),
        None => Archive::Sqlite(open(db, access)?),
    })
}

/// Opens the SQLite archive at `path` as `access` allows.
pub fn open(path: &Path, access: Access) -> Result<Store, CliError> {
    Ok(match access {
        Access::Read => Store::open_read_only(path)?,
        Access::Change => Store::open_existing(path)?,
        Access::Create => Store::open(path)?,
    })
}
