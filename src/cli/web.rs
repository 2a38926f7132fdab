//! One-off page fetches for commands run by hand (`rules test URL`, `rules check`, `feeds
//! discover`): through the daemon's own fetcher, so the network policy, robots.txt, size
//! limits and per-host pacing are the same as in a cycle.

use url::Url;

use super::CliError;
use crate::config::{Config, parse_feed_url};
use crate::fetch::Fetcher;

/// A fetched page: where it landed and its decoded text.
pub struct Fetched {
    pub url: Url,
    pub text: String,
}

/// A fetcher and the runtime it runs on.
pub struct Web {
    runtime: tokio::runtime::Runtime,
    fetcher: Fetcher,
}

impl Web {
    /// Builds the fetcher from the config's `[fetch]` settings.
    pub fn new(config: &Config) -> Result<Self, CliError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::Runtime(format!("cannot start async runtime: {e}")))?;
        let fetcher =
            Fetcher::new(&config.fetch).map_err(|e| CliError::Runtime(format!("fetcher: {e}")))?;
        Ok(Self { runtime, fetcher })
    }

    /// The working feeds the page at `raw` leads to ([`crate::discover`]).
    pub fn discover(&self, raw: &str) -> Result<Vec<crate::discover::Discovered>, String> {
        let url = parse_feed_url(raw)?;
        self.runtime
            .block_on(crate::discover::discover(&self.fetcher, &url))
            .map_err(|e| e.to_string())
    }

    /// The article page at `raw` (an http(s) URL), fetched as a cycle fetches one: robots.txt
    /// honoured, and only an HTML (or text) answer taken. The error is one line for the user.
    pub fn page(&self, raw: &str) -> Result<Fetched, String> {
        let url = parse_feed_url(raw)?;
        let page = self
            .runtime
            .block_on(self.fetcher.get_once(&url, true))
            .map_err(|e| format!("{url}: {e}"))?;
        crate::extract::accepts_content_type(page.content_type.as_deref())
            .map_err(|e| format!("{url}: {e}"))?;
        Ok(Fetched {
            url: page.url.clone(),
            text: page.text,
        })
    }
}
