//! The user's configuration: daemon settings, the feeds to poll and per-site extraction rules.
//!
//! The file is untrusted input: unknown keys are rejected (a typo must not silently fall back
//! to a default), every URL and selector is checked up front, and every error names its place.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

pub use crate::fetch::Credentials;

use crate::extract::SiteRule;
use crate::fetch::FetchConfig;

/// Why a configuration could not be used; each message names the file and the offending key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config {path}: {place}: {message}")]
    Invalid {
        path: PathBuf,
        place: String,
        message: String,
    },
}

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Database path; relative paths are taken from the config file's directory.
    pub db: Option<PathBuf>,
    #[serde(default)]
    pub daemon: DaemonConfig,
    #[serde(default)]
    pub fetch: FetchConfig,
    #[serde(default, rename = "feed")]
    pub feeds: Vec<FeedConfig>,
    #[serde(default, rename = "site")]
    pub sites: Vec<SiteRule>,
    #[serde(default, rename = "sitemap")]
    pub sitemaps: Vec<SitemapConfig>,
    #[serde(default, rename = "listing")]
    pub listings: Vec<ListingConfig>,
    #[serde(default)]
    pub backfill: BackfillConfig,
    #[serde(default)]
    pub raw_pages: RawPagesConfig,
    #[serde(default)]
    pub discover: DiscoverConfig,
    #[serde(default)]
    pub http: HttpConfig,
    #[serde(default, rename = "webhook")]
    pub webhooks: Vec<WebhookConfig>,
    #[serde(default)]
    pub webhook_delivery: DeliveryConfig,
}

/// One webhook: where events are posted, signed with its secret, and which it wants.
#[derive(Debug, Clone, Deserialize, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// The HMAC-SHA256 secret, from an environment variable or a file (never in the config).
    pub secret_env: Option<String>,
    pub secret_file: Option<PathBuf>,
    /// Events wanted (`story.stored`, `story.revised`, `story.failed`, `feed.failing`,
    /// `feed.recovered`); all when empty.
    #[serde(default)]
    pub events: Vec<String>,
    /// Only stories listed by, and events of, these feed URLs; all when empty.
    #[serde(default)]
    pub feeds: Vec<String>,
    /// Only stories and feeds of these sites (hosts); all when empty.
    #[serde(default)]
    pub sites: Vec<String>,
    /// Resolved from the above when the config is loaded.
    #[serde(skip)]
    pub secret: Option<String>,
}

/// How events are retried while a receiver is down.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// Wait after the first failed attempt; doubled after each further one.
    pub retry_secs: u64,
    /// Longest wait between two attempts.
    pub max_retry_secs: u64,
    /// Attempts after which an event is given up (kept in the outbox, marked).
    pub max_attempts: u32,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            retry_secs: 30,
            max_retry_secs: 3600,
            max_attempts: 50,
        }
    }
}

impl Config {
    /// The webhooks as the store routes events to them.
    pub fn hooks(&self) -> crate::store::Hooks {
        use crate::store::{HookEvent, HookRoute};
        crate::store::Hooks {
            routes: self
                .webhooks
                .iter()
                .map(|w| HookRoute {
                    url: w.url.clone(),
                    events: if w.events.is_empty() {
                        HookEvent::ALL.to_vec()
                    } else {
                        w.events
                            .iter()
                            .filter_map(|e| HookEvent::parse(e))
                            .collect()
                    },
                    feeds: w.feeds.clone(),
                    sites: w.sites.clone(),
                })
                .collect(),
            failed_after: self.daemon.article_retries + 1,
        }
    }
}

impl Config {
    /// Reads each webhook's secret from its environment variable or file: done by the
    /// commands that deliver (`run`) and check (`check-config`), so reading commands run from
    /// a shell without the service's environment still work.
    pub fn resolve_webhook_secrets(&mut self, path: &Path) -> Result<(), ConfigError> {
        for (i, hook) in self.webhooks.iter_mut().enumerate() {
            hook.secret = hook
                .resolve_secret()
                .map_err(|message| ConfigError::Invalid {
                    path: path.to_path_buf(),
                    place: format!("webhook[{i}]"),
                    message,
                })?;
        }
        Ok(())
    }
}

impl WebhookConfig {
    fn resolve_secret(&self) -> Result<Option<String>, String> {
        match (&self.secret_env, &self.secret_file) {
            (None, None) => Ok(None),
            (Some(var), None) => std::env::var(var)
                .map(Some)
                .map_err(|_| format!("secret_env: ${var} is not set (or not UTF-8)")),
            (None, Some(file)) => std::fs::read_to_string(file)
                .map(|s| Some(s.trim_end_matches(['\r', '\n']).to_string()))
                .map_err(|e| format!("secret_file {}: {e}", file.display())),
            (Some(_), Some(_)) => Err("give secret_env or secret_file, not both".into()),
        }
    }
}

/// The opt-in monitoring listener (`/metrics`, `/healthz`, `/readyz`); off by default.
#[derive(Debug, Clone, Deserialize, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Address to listen on, e.g. `127.0.0.1:9464`.
    pub listen: Option<String>,
    /// Allow a non-loopback `listen` address (the metrics name every feed and site).
    pub allow_remote: bool,
}

impl HttpConfig {
    /// The address to listen on, checked: a loopback one, or any with `allow_remote`.
    pub fn addr(&self) -> Result<Option<std::net::SocketAddr>, String> {
        let Some(listen) = &self.listen else {
            return Ok(None);
        };
        let addr: std::net::SocketAddr = listen
            .trim()
            .parse()
            .map_err(|e| format!("listen {listen:?}: {e} (write it as 127.0.0.1:9464)"))?;
        if !addr.ip().is_loopback() && !self.allow_remote {
            return Err(format!(
                "listen {addr} is not a loopback address: the metrics name every feed and \
                 site, so serving them beyond this machine needs allow_remote = true"
            ));
        }
        Ok(Some(addr))
    }
}

/// Site pages re-checked for feeds (`crate::discover`): feeds appearing or vanishing are
/// logged, and a feed gone for good is shown in `status` with its replacement.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct DiscoverConfig {
    /// Pages to find feeds on (a site's home page or RSS page).
    pub pages: Vec<String>,
    /// Hours between two checks of a page (a failed check is tried again after an hour).
    pub every_hours: u32,
}

impl Default for DiscoverConfig {
    fn default() -> Self {
        Self {
            pages: Vec::new(),
            every_hours: 24,
        }
    }
}

/// A sitemap polled like a feed: a Google News sitemap, a plain sitemap, a sitemap index of
/// dated shards, or a site's robots.txt (its `Sitemap:` lines), so stories no feed lists are
/// archived too.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SitemapConfig {
    pub url: String,
    pub title: Option<String>,
    pub interval_secs: Option<u64>,
    /// Documents and story links not to read, as `*` wildcards over the whole URL (a site's
    /// sitemap of category pages, say).
    #[serde(default)]
    pub skip: Vec<String>,
    /// On the first poll of an index, shards dated more than this many days before its newest
    /// one are left to `tindex backfill` (a site's whole history is not one cycle's work).
    #[serde(default = "default_window_days")]
    pub window_days: u32,
}

impl SitemapConfig {
    /// Whether `url` (a document or a story link) is one of those `skip` names.
    pub fn skips(&self, url: &str) -> bool {
        self.skip.iter().any(|p| wildcard(p, url))
    }
}

fn default_window_days() -> u32 {
    7
}

/// A section page polled like a feed: its story links, picked by a CSS selector, for sites
/// whose feeds do not list every story.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ListingConfig {
    pub url: String,
    pub title: Option<String>,
    pub interval_secs: Option<u64>,
    /// Selects the story links (`a` elements, or elements holding one).
    pub links: String,
}

/// How a backfill shares a host with live polling.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct BackfillConfig {
    /// Requests in flight a backfill may have to one host (of `fetch.per_host`).
    pub per_host: usize,
    /// Stories fetched between two looks at the live schedule: live polls due meanwhile run
    /// first.
    pub batch: usize,
}

impl Default for BackfillConfig {
    fn default() -> Self {
        Self {
            per_host: 1,
            batch: 16,
        }
    }
}

/// What kind of document a source is: the poll reads each its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// RSS, Atom or JSON Feed.
    Feed,
    /// A sitemap, sitemap index or robots.txt: stories no feed lists.
    Sitemap,
    /// A section page whose story links a selector picks.
    Listing,
}

impl SourceKind {
    /// The word stored in `feeds.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feed => "feed",
            Self::Sitemap => "sitemap",
            Self::Listing => "listing",
        }
    }

    /// The kind a stored word names (an unknown word is a feed: the oldest kind).
    pub fn parse(s: &str) -> Self {
        match s {
            "sitemap" => Self::Sitemap,
            "listing" => Self::Listing,
            _ => Self::Feed,
        }
    }
}

/// One configured source, whatever its kind, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    pub url: String,
    pub title: Option<String>,
    pub interval_secs: Option<u64>,
    pub kind: SourceKind,
}

/// Whether `url` matches a `*` wildcard `pattern` (the whole URL, case-sensitive).
pub fn wildcard(pattern: &str, url: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = url.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for p in middle {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Raw pages kept for re-extraction after a rule fix (`tindex reextract`), in a file beside
/// the archive, bounded by age and size.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RawPagesConfig {
    /// Keep the HTML of every article fetch.
    pub keep: bool,
    /// Drop pages fetched longer ago than this.
    pub keep_days: u32,
    /// Drop the oldest pages once the kept ones take more than this (compressed).
    pub max_mib: u64,
}

impl Default for RawPagesConfig {
    fn default() -> Self {
        Self {
            keep: true,
            keep_days: 30,
            max_mib: 2048,
        }
    }
}

impl RawPagesConfig {
    /// The size limit in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_mib.saturating_mul(1024 * 1024)
    }
}

/// How often feeds are polled.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonConfig {
    /// Default interval between two polls of one feed.
    pub poll_interval_secs: u64,
    /// Never poll a feed more often than this, whatever it asks for.
    pub min_interval_secs: u64,
    /// Never wait longer than this between polls, even while backing off after errors.
    pub max_interval_secs: u64,
    /// How many times a failed article page is retried on later polls before it is left alone.
    pub article_retries: u32,
    /// On a shared PostgreSQL store: how long a worker's lease on a host lasts without
    /// renewal (renewed every third of it while the worker works), so how long the hosts of a
    /// worker that died wait before another takes them.
    pub lease_secs: u64,
}

impl DaemonConfig {
    /// How recent the last completed cycle must be for the daemon to count as ready
    /// (`/readyz`, `tindex health`): twice the poll interval.
    pub fn ready_within(&self) -> std::time::Duration {
        std::time::Duration::from_secs(2 * self.poll_interval_secs.max(1))
    }
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            poll_interval_secs: 900,
            min_interval_secs: 300,
            max_interval_secs: 6 * 3600,
            article_retries: 3,
            lease_secs: 60,
        }
    }
}

/// One feed to poll.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    pub url: String,
    pub title: Option<String>,
    /// Overrides `daemon.poll_interval_secs` for this feed.
    pub interval_secs: Option<u64>,
    /// HTTP Basic credentials for a feed behind a login: the user name here, the password
    /// from an environment variable or a file (never in the config or the URL), sent with
    /// this feed's polls only, never printed.
    pub username: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    /// Resolved from the above when the config is loaded.
    #[serde(skip)]
    pub credentials: Option<Credentials>,
}

impl FeedConfig {
    /// The feed's credentials, read from their environment variable or file; an error names
    /// what is missing, never the password.
    fn resolve_credentials(&self) -> Result<Option<Credentials>, String> {
        let password = match (&self.password_env, &self.password_file) {
            (None, None) => None,
            (Some(var), None) => Some(
                std::env::var(var)
                    .map_err(|_| format!("password_env: ${var} is not set (or not UTF-8)"))?,
            ),
            (None, Some(file)) => Some(
                std::fs::read_to_string(file)
                    .map_err(|e| format!("password_file {}: {e}", file.display()))?
                    .trim_end_matches(['\r', '\n'])
                    .to_string(),
            ),
            (Some(_), Some(_)) => {
                return Err("give password_env or password_file, not both".into());
            }
        };
        match (&self.username, password) {
            (None, None) => Ok(None),
            (Some(user), Some(password)) if !user.is_empty() && !user.contains(':') => {
                Ok(Some(Credentials::new(user.clone(), password)))
            }
            (Some(_), Some(_)) => Err("username must be non-empty, without ':'".into()),
            (Some(_), None) => Err("username needs password_env or password_file".into()),
            (None, Some(_)) => Err("a password needs a username".into()),
        }
    }
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        config.validate(path)?;
        for (i, feed) in config.feeds.iter_mut().enumerate() {
            feed.credentials =
                feed.resolve_credentials()
                    .map_err(|message| ConfigError::Invalid {
                        path: path.to_path_buf(),
                        place: format!("feed[{i}]"),
                        message,
                    })?;
        }
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |place: String, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            place,
            // One line per error: selector parsers like to spread theirs over several.
            message: message.split_whitespace().collect::<Vec<_>>().join(" "),
        };
        for (i, feed) in self.feeds.iter().enumerate() {
            parse_feed_url(&feed.url).map_err(|m| invalid(format!("feed[{i}].url"), m))?;
        }
        for (i, site) in self.sites.iter().enumerate() {
            if site.hosts.is_empty() {
                return Err(invalid(
                    format!("site[{i}].hosts"),
                    "must name at least one host".into(),
                ));
            }
            // A host is a bare name ("baophapluat.vn"): a scheme, port or path never matches.
            if let Some(bad) = site.hosts.iter().find(|h| !crate::host::is_bare(h)) {
                return Err(invalid(
                    format!("site[{i}].hosts"),
                    format!("{bad:?} is not a host name (write it bare, like \"baophapluat.vn\")"),
                ));
            }
            site.validate()
                .map_err(|m| invalid(format!("site[{i}] ({})", site.hosts.join(",")), m))?;
        }
        let d = &self.daemon;
        if d.min_interval_secs == 0 || d.min_interval_secs > d.max_interval_secs {
            return Err(invalid(
                "daemon".into(),
                "need 0 < min_interval_secs <= max_interval_secs".into(),
            ));
        }
        if !(3..=3600).contains(&d.lease_secs) {
            return Err(invalid(
                "daemon.lease_secs".into(),
                format!("{} s: need 3 to 3600", d.lease_secs),
            ));
        }
        const MONTH: u64 = 31 * 24 * 3600;
        if d.max_interval_secs > MONTH || d.poll_interval_secs > MONTH {
            return Err(invalid(
                "daemon".into(),
                format!("intervals above {MONTH} s (31 days) are not supported"),
            ));
        }
        if self
            .feeds
            .iter()
            .any(|f| f.interval_secs.is_some_and(|i| i == 0 || i > MONTH))
        {
            return Err(invalid(
                "feed".into(),
                format!("interval_secs must be between 1 and {MONTH}"),
            ));
        }
        for (i, m) in self.sitemaps.iter().enumerate() {
            parse_feed_url(&m.url).map_err(|e| invalid(format!("sitemap[{i}].url"), e))?;
            if m.window_days == 0 {
                return Err(invalid(
                    format!("sitemap[{i}].window_days"),
                    "must be at least 1".into(),
                ));
            }
        }
        for (i, l) in self.listings.iter().enumerate() {
            parse_feed_url(&l.url).map_err(|e| invalid(format!("listing[{i}].url"), e))?;
            scraper::Selector::parse(&l.links)
                .map_err(|e| invalid(format!("listing[{i}].links"), e.to_string()))?;
        }
        let intervals = self.sitemaps.iter().map(|m| m.interval_secs);
        if intervals
            .chain(self.listings.iter().map(|l| l.interval_secs))
            .any(|i| i.is_some_and(|i| i == 0 || i > MONTH))
        {
            return Err(invalid(
                "sitemap/listing".into(),
                format!("interval_secs must be between 1 and {MONTH}"),
            ));
        }
        let mut urls = std::collections::HashSet::new();
        let all = self.feeds.iter().map(|f| f.url.as_str());
        let all = all.chain(self.sitemaps.iter().map(|m| m.url.as_str()));
        if let Some(dup) = all
            .chain(self.listings.iter().map(|l| l.url.as_str()))
            .find(|u| !urls.insert(*u))
        {
            return Err(invalid(
                "feed/sitemap/listing".into(),
                format!("{dup} is listed twice"),
            ));
        }
        let b = &self.backfill;
        if !(1..=256).contains(&b.per_host) || !(1..=10_000).contains(&b.batch) {
            return Err(invalid(
                "backfill".into(),
                "need 1 <= per_host <= 256 and 1 <= batch <= 10000".into(),
            ));
        }
        for (i, page) in self.discover.pages.iter().enumerate() {
            parse_feed_url(page).map_err(|m| invalid(format!("discover.pages[{i}]"), m))?;
        }
        for (i, hook) in self.webhooks.iter().enumerate() {
            let place = || format!("webhook[{i}]");
            parse_feed_url(&hook.url).map_err(|m| invalid(format!("{}.url", place()), m))?;
            if let Some(bad) = hook
                .events
                .iter()
                .find(|e| crate::store::HookEvent::parse(e).is_none())
            {
                return Err(invalid(
                    format!("{}.events", place()),
                    format!(
                        "{bad:?} is not an event (story.stored, story.revised, story.failed, feed.failing, feed.recovered)"
                    ),
                ));
            }
        }
        let d = &self.webhook_delivery;
        if d.retry_secs == 0 || d.max_retry_secs < d.retry_secs || d.max_attempts == 0 {
            return Err(invalid(
                "webhook_delivery".into(),
                "need 0 < retry_secs <= max_retry_secs and max_attempts >= 1".into(),
            ));
        }
        self.http.addr().map_err(|m| invalid("http".into(), m))?;
        if self.discover.every_hours == 0 {
            return Err(invalid(
                "discover.every_hours".into(),
                "must be at least 1".into(),
            ));
        }
        if self.raw_pages.keep_days == 0 || self.raw_pages.max_mib == 0 {
            return Err(invalid(
                "raw_pages".into(),
                "keep_days and max_mib must be at least 1 (set keep = false to keep no pages)"
                    .into(),
            ));
        }
        self.fetch
            .validate()
            .map_err(|(place, message)| invalid(place.into(), message))?;
        Ok(())
    }

    /// Every configured source (feeds, sitemaps, listing pages) as the store keeps them.
    pub fn sources(&self) -> Vec<SourceSpec> {
        let feeds = self.feeds.iter().map(|f| SourceSpec {
            url: f.url.clone(),
            title: f.title.clone(),
            interval_secs: f.interval_secs,
            kind: SourceKind::Feed,
        });
        let sitemaps = self.sitemaps.iter().map(|m| SourceSpec {
            url: m.url.clone(),
            title: m.title.clone(),
            interval_secs: m.interval_secs,
            kind: SourceKind::Sitemap,
        });
        let listings = self.listings.iter().map(|l| SourceSpec {
            url: l.url.clone(),
            title: l.title.clone(),
            interval_secs: l.interval_secs,
            kind: SourceKind::Listing,
        });
        feeds.chain(sitemaps).chain(listings).collect()
    }

    /// The `[[sitemap]]` entry for a source URL.
    pub fn sitemap_for(&self, url: &str) -> Option<&SitemapConfig> {
        self.sitemaps.iter().find(|m| m.url == url)
    }

    /// Whether the `[[sitemap]]` at `source` skips `url` (none does for an unknown source).
    pub fn sitemap_skips(&self, source: &str, url: &str) -> bool {
        self.sitemap_for(source).is_some_and(|c| c.skips(url))
    }

    /// The `[[listing]]` entry for a source URL.
    pub fn listing_for(&self, url: &str) -> Option<&ListingConfig> {
        self.listings.iter().find(|l| l.url == url)
    }

    /// The site rule whose host list covers `url`'s host (the one host matcher,
    /// [`SiteRule::matches_host`]: case, trailing dot and `www.` aside, or a subdomain).
    pub fn site_rule_for(&self, url: &Url) -> Option<&SiteRule> {
        let host = url.host_str()?;
        self.sites.iter().find(|s| s.matches_host(host))
    }

    /// Where the database lives when `--db` is not given: the config's `db` key (relative to the
    /// config file), else `$STATE_DIRECTORY` (systemd), else next to the config file.
    pub fn default_db_path(&self, config_path: &Path) -> PathBuf {
        let dir = config_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        match &self.db {
            Some(p) if p.is_absolute() => p.clone(),
            Some(p) => dir.join(p),
            None => match std::env::var_os("STATE_DIRECTORY") {
                Some(state) => PathBuf::from(state).join("tindex.sqlite"),
                None => dir.join("tindex.sqlite"),
            },
        }
    }
}

/// Longest URL tindex takes from a config, the CLI, OPML or a feed (browsers and servers
/// commonly stop near 2-8 KB; a news link is under 300 bytes): a longer one is refused, not
/// echoed whole into logs and the database.
pub const MAX_URL_BYTES: usize = 2048;

/// Accepts only absolute http(s) URLs: anything else (file:, data:, relative) is refused here,
/// once, so later stages can trust a feed URL. A URL with a user name or password is refused
/// too: it would be sent as Basic auth to whatever host it names and the password would land
/// in logs, `status` and the archive. Messages show the URL [`redact`]ed.
pub fn parse_feed_url(raw: &str) -> Result<Url, String> {
    let shown = redact(raw);
    if raw.trim().len() > MAX_URL_BYTES {
        return Err(format!(
            "URL {shown:?} is {} bytes, over the {MAX_URL_BYTES}-byte limit",
            raw.trim().len()
        ));
    }
    let mut url = Url::parse(raw.trim()).map_err(|e| format!("bad URL {shown:?}: {e}"))?;
    // The fragment never reaches the server: `rss#a` and `rss#b` are one feed.
    url.set_fragment(None);
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "URL {shown:?} carries credentials; tindex does not send them (remove the user:password@ part)"
        ));
    }
    match url.scheme() {
        "http" | "https" if url.host_str().is_some() => Ok(url),
        "http" | "https" => Err(format!("URL {shown:?} has no host")),
        other => Err(format!(
            "URL {shown:?}: scheme {other:?} is not http or https"
        )),
    }
}

/// A URL as it may be shown: any `user:password@` replaced by `***@` (and a `password=`
/// parameter's value by `***`), and cut to 200
/// characters (with the full length said) so a hostile one cannot flood a log line.
pub fn redact(raw: &str) -> String {
    let raw = raw.trim();
    let mut shown = match (raw.find("://"), raw.find('@')) {
        (Some(scheme_end), Some(at))
            if at > scheme_end && !raw[scheme_end + 3..at].contains(['/', '?', '#']) =>
        {
            format!("{}***{}", &raw[..scheme_end + 3], &raw[at..])
        }
        _ => raw.to_string(),
    };
    // A database URL may carry its password as a parameter (`?password=…`) instead.
    let mut from = 0;
    while let Some(i) = shown[from..].find("password=") {
        let start = from + i + "password=".len();
        let end = shown[start..].find('&').map_or(shown.len(), |e| start + e);
        shown.replace_range(start..end, "***");
        from = start + 3;
    }
    if shown.chars().count() > 200 {
        let cut: String = shown.chars().take(200).collect();
        shown = format!("{cut}… ({} bytes)", raw.len());
    }
    shown
}

/// Reads a feeds file: one URL a line, blank lines and `#` comments ignored.
pub fn read_feeds_file(path: &Path) -> Result<Vec<FeedConfig>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut feeds = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let url = parse_feed_url(line).map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            place: format!("line {}", n + 1),
            message,
        })?;
        feeds.push(FeedConfig {
            url: url.to_string(),
            title: None,
            interval_secs: None,
            username: None,
            password_env: None,
            password_file: None,
            credentials: None,
        });
    }
    Ok(feeds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("t.toml"))
    }

    #[test]
    fn unknown_key_is_an_error_naming_it() {
        let err = parse("[daemon]\npoll_intervall_secs = 5\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("poll_intervall_secs"), "{err}");
    }

    #[test]
    fn non_http_feed_is_refused_with_its_place() {
        let err = parse("[[feed]]\nurl = \"file:///etc/passwd\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "config t.toml: feed[0].url: URL \"file:///etc/passwd\": scheme \"file\" is not http or https"
        );
    }

    #[test]
    fn site_rule_matches_subdomains_only_on_label_boundaries() {
        let c = parse("[[site]]\nhosts = [\"baophapluat.vn\"]\ntitle = \"h1\"\n").unwrap();
        let rule = |u: &str| c.site_rule_for(&Url::parse(u).unwrap()).is_some();
        assert!(rule("https://baophapluat.vn/a.html"));
        assert!(rule("https://www.baophapluat.vn/a.html"));
        assert!(rule("https://m.baophapluat.vn/a.html"));
        assert!(!rule("https://notbaophapluat.vn/a.html"));
    }

    #[test]
    fn relative_db_is_next_to_the_config() {
        let c = parse("db = \"data/t.sqlite\"\n").unwrap();
        assert_eq!(
            c.default_db_path(Path::new("/etc/tindex/tindex.toml")),
            PathBuf::from("/etc/tindex/data/t.sqlite")
        );
    }

    /// A password in a feed URL never leaves: refused, and the message does not show it.
    #[test]
    fn a_feed_url_with_credentials_is_refused_without_echoing_them() {
        let err = parse_feed_url("https://alice:s3cret@news.example/rss").unwrap_err();
        assert!(
            err.contains("credentials") && !err.contains("s3cret"),
            "{err}"
        );
        assert!(!err.contains("alice"), "{err}");
    }

    /// A database URL's password, in the user part or as a parameter, is never shown.
    #[test]
    fn a_database_password_given_as_a_parameter_is_hidden() {
        let shown = redact("postgresql:///tindex?host=/run/pg&password=s3cret&user=w");
        assert_eq!(
            shown,
            "postgresql:///tindex?host=/run/pg&password=***&user=w"
        );
        assert_eq!(
            redact("postgresql://w:s3cret@db/tindex"),
            "postgresql://***@db/tindex"
        );
    }

    #[test]
    fn a_huge_url_is_refused_and_shown_cut() {
        let raw = format!("https://a.vn/{}", "x".repeat(100_000));
        let err = parse_feed_url(&raw).unwrap_err();
        assert!(err.len() < 400, "{} bytes of message", err.len());
        assert!(err.contains("100013 bytes"), "{err}");
    }
}
