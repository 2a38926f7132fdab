//! `tindex reextract` and `rules test --id`: extraction run again on kept raw pages, so a
//! rule fix repairs the stories already stored instead of only the ones fetched after it.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use tracing::{info, warn};
use url::Url;

use super::CliError;
use super::rules::Page;
use crate::config::Config;
use crate::store::{PageStore, Reextracted, Store};

/// The kept page of story `id`, for `rules test --id`.
pub fn kept_page(db: &Path, id: i64) -> Result<Page, CliError> {
    let pages = PageStore::open_read_only(&PageStore::path_beside(db))?;
    let latest = pages.latest(None, Some(id))?;
    let r = latest
        .last()
        .ok_or_else(|| CliError::Usage(format!("no kept page for story {id}")))?;
    let page = pages.load(r)?;
    let url = Url::parse(&page.url)
        .map_err(|e| CliError::Runtime(format!("kept page {}: bad URL: {e}", page.id)))?;
    Ok(Page {
        from: format!(
            "kept page of story {id}, fetched {}",
            crate::store::ts(page.fetched_at)
        ),
        url,
        html: page.html,
    })
}

/// What a `reextract` run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    pub pages: usize,
    pub revised: usize,
    pub unchanged: usize,
    pub recovered: usize,
    pub failed: usize,
    pub gone: usize,
}

impl fmt::Display for Done {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "re-extracted {} kept pages: {} revised, {} unchanged, {} failed stories now stored, \
             {} failed, {} stories no longer in the archive",
            self.pages, self.revised, self.unchanged, self.recovered, self.failed, self.gone
        )
    }
}

/// Extracts the latest kept page of every story that matches, with the current config, and
/// stores what changed.
pub fn run(
    config: &Config,
    db: &Path,
    store: &mut Store,
    site: Option<&str>,
    since: Option<DateTime<Utc>>,
    id: Option<i64>,
) -> Result<Done, CliError> {
    let pages = PageStore::open_read_only(&PageStore::path_beside(db))?;
    let refs = pages.latest(since, id)?;
    if let Some(id) = id
        && refs.is_empty()
    {
        return Err(CliError::Usage(format!("no kept page for story {id}")));
    }
    let mut done = Done::default();
    for r in refs {
        let Ok(url) = Url::parse(&r.url) else {
            warn!(page = r.id, url = %r.url, "kept page has a bad URL; skipped");
            continue;
        };
        if let Some(site) = site
            && !url.host_str().is_some_and(|h| crate::host::covers(site, h))
        {
            continue;
        }
        done.pages += 1;
        let content = pages.load(&r).map_err(|e| e.to_string()).and_then(|page| {
            crate::pipeline::extract_page(config, &page.html, &url, None)
                .map(|(_, content)| content)
                .map_err(|e| e.to_string())
        });
        let error = content.as_ref().err().cloned();
        match store.reextracted(r.article_id, content, Utc::now())? {
            Reextracted::Revised(id) => {
                done.revised += 1;
                info!(url = %url, id, "re-extracted: content changed; previous version kept as a revision");
            }
            Reextracted::Recovered(id) => {
                done.recovered += 1;
                info!(url = %url, id, "re-extracted: failed story now stored");
            }
            Reextracted::Unchanged(_) => done.unchanged += 1,
            Reextracted::Failed(id) => {
                done.failed += 1;
                let error = error.unwrap_or_default();
                warn!(url = %url, id, %error, "re-extraction failed; stored version kept");
            }
            Reextracted::Gone(_) => done.gone += 1,
        }
    }
    Ok(done)
}
