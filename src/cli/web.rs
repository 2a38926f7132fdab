//! One-off page fetches for commands run by hand (`rules test URL`, `rules check`, `feeds
//! discover`): through the daemon's own fetcher, so the network policy, robots.txt, size
//! limits and per-host pacing are the same as in a cycle.

use url::Url;

use super::CliError;
use crate::config::{Config, parse_feed_url};
use crate::fetch::{Fetcher, Outcome, RobotsVerdict, Validators};

/// A fetched page: where it landed, its type and its decoded text.
pub struct Fetched {
    pub url: Url,
    pub content_type: Option<String>,
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

    /// GETs `raw` (an http(s) URL), honouring robots.txt when `pages` is set (article pages;
    /// feeds are not checked, as in a cycle). The error is one line for the user.
    pub fn get(&self, raw: &str, pages: bool) -> Result<Fetched, String> {
        let url = parse_feed_url(raw)?;
        self.runtime.block_on(async {
            if pages {
                let robots = self.fetcher.robots_allow(&url).await;
                match robots.verdict {
                    RobotsVerdict::Allowed => {}
                    RobotsVerdict::Disallowed => {
                        return Err(format!("{url}: robots.txt disallows it"));
                    }
                    RobotsVerdict::Unreachable => {
                        return Err(format!("{url}: robots.txt unreachable; not fetched"));
                    }
                }
            }
            let report = self.fetcher.get(&url, &Validators::default()).await;
            match report.result {
                Ok(Outcome::Fetched(page)) => Ok(Fetched {
                    url: page.url.clone(),
                    content_type: page.content_type.clone(),
                    text: page.text,
                }),
                Ok(Outcome::NotModified) => Err(format!("{url}: unexpected 304")),
                Err(e) => Err(format!("{url}: {e}")),
            }
        })
    }
}
