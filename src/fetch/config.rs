//! HTTP settings: politeness, limits and identity, as the `[fetch]` table of the config
//! gives them. They live with the client they configure, so `fetch` needs nothing from
//! `config` and the config file only embeds this table.

use std::time::Duration;

use serde::Deserialize;

use super::AddressPolicy;

/// HTTP behaviour: politeness, limits and identity.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct FetchConfig {
    pub user_agent: String,
    pub connect_timeout_secs: u64,
    /// Whole-request limit, body included, so a trickling server cannot hold a slot forever.
    pub timeout_secs: u64,
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    /// Requests in flight across all hosts.
    pub concurrency: usize,
    /// Requests in flight to one host, feeds and articles together.
    pub per_host: usize,
    /// Minimum gap between two request starts to one host.
    pub per_host_gap_ms: u64,
    /// Check article pages against the site's robots.txt (feeds are never checked).
    pub robots_txt: bool,
    /// Loopback/private/link-local addresses or ranges tindex may connect to (default: none).
    pub allow_addresses: Vec<String>,
    /// Memory for pages, MiB: a third for bodies being read and the records they become until
    /// stored, two thirds for pages being parsed (`fetch::budget`). Bounds the daemon's memory
    /// whatever sites send; work waits for it.
    pub memory_budget_mib: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            user_agent: format!(
                "tindex/{} (news archiver; +https://github.com/tindex/tindex)",
                env!("CARGO_PKG_VERSION")
            ),
            connect_timeout_secs: 10,
            timeout_secs: 30,
            max_body_bytes: 20 * 1024 * 1024,
            max_redirects: 5,
            concurrency: 16,
            per_host: 2,
            per_host_gap_ms: 250,
            robots_txt: true,
            allow_addresses: Vec::new(),
            memory_budget_mib: 192,
        }
    }
}

impl FetchConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }
}

impl FetchConfig {
    /// Checks every number against what the client can honour; the error names the key.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(1..=1024).contains(&self.concurrency) || !(1..=256).contains(&self.per_host) {
            return Err((
                "fetch",
                "need 1 <= concurrency <= 1024 and 1 <= per_host <= 256".into(),
            ));
        }
        if self.per_host_gap_ms > 30_000 {
            return Err(("fetch.per_host_gap_ms", "at most 30000 (30 s)".into()));
        }
        if self.timeout_secs > 600 || self.connect_timeout_secs > 600 || self.max_redirects > 20 {
            return Err((
                "fetch",
                "need timeouts <= 600 s and max_redirects <= 20".into(),
            ));
        }
        if !(1024..=256 * 1024 * 1024).contains(&self.max_body_bytes) {
            return Err((
                "fetch.max_body_bytes",
                "between 1024 and 268435456 (256 MiB)".into(),
            ));
        }
        AddressPolicy::new(&self.allow_addresses).map_err(|m| ("fetch.allow_addresses", m))?;
        if self.timeout_secs == 0 || self.connect_timeout_secs == 0 {
            return Err(("fetch", "timeouts must be at least 1 second".into()));
        }
        if !(16..=65_536).contains(&self.memory_budget_mib)
            || self.memory_budget_mib.saturating_mul(1024 * 1024) / 3 < self.max_body_bytes * 2
        {
            return Err((
                "fetch.memory_budget_mib",
                format!(
                    "between 16 and 65536, and at least 6 x max_body_bytes ({} MiB here)",
                    (self.max_body_bytes * 6).div_ceil(1024 * 1024)
                ),
            ));
        }
        // What `run` would fail on when building the client: checked here, so `check-config`
        // says it first.
        if self.user_agent.trim().is_empty()
            || self.user_agent.len() > 512
            || self
                .user_agent
                .chars()
                .any(|c| c.is_control() || !c.is_ascii())
        {
            return Err((
                "fetch.user_agent",
                "must be 1-512 printable ASCII characters (no line breaks)".into(),
            ));
        }
        Ok(())
    }
}
