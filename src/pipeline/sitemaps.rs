//! Reading below a sitemap source's root: which of the documents an index lists are read on
//! this poll, and what reading them gives.
//!
//! A document is read when it is new, or its index's `<lastmod>` changed since we last read
//! it in full, or the index gives no date (then a conditional GET, usually a 304). On the
//! first listing of an index, shards dated more than `window_days` before its newest are
//! left to `tindex backfill`: a site's whole history is not one poll's work. Nested indexes
//! are followed [`MAX_DEPTH`] levels down.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use tracing::{info, warn};
use url::Url;

use super::Pipeline;
use super::outcome::failed;
use super::record::{self, audit};
use crate::config::SitemapConfig;
use crate::feed::FeedItem;
use crate::fetch::{Outcome, Validators};
use crate::sitemap::{self, Child, Document};
use crate::store::{DocRead, DocState, DocUpdate, FeedRow, FetchKind, FetchLog, FetchResult};

/// Index levels followed below a source (robots.txt → index → shards is two).
pub const MAX_DEPTH: usize = 3;

/// What a poll read below a source's root.
#[derive(Debug, Default)]
pub struct Below {
    /// The story entries of the documents read.
    pub items: Vec<FeedItem>,
    /// Every document listed (read or not), for `sitemap_docs`.
    pub docs: Vec<DocUpdate>,
    /// One audit row per document requested.
    pub logs: Vec<FetchLog>,
    /// The store could not say what was read before: the root's validators must not advance
    /// (a 304 next time would hide this listing's documents).
    pub incomplete: bool,
}

/// One document chosen to be read.
struct ToRead {
    doc: usize,
    url: Url,
    validators: Validators,
}

/// What reading one document came to.
struct Read {
    doc: usize,
    read: DocRead,
    found: Option<Document>,
    log: FetchLog,
}

/// Documents read below one source in one poll at most; the rest wait for the next poll (they
/// are not marked read), so a hostile index of indexes cannot make one poll unbounded.
pub const MAX_READS: usize = 1000;

/// When a listed document last changed, as far as its index or its URL tells: its `lastmod`,
/// else the end of the last day its URL names (`news-2019-4.xml`: the end of April 2019).
fn dated(child: &Child) -> Option<DateTime<Utc>> {
    child.lastmod.or_else(|| {
        let (_, last) = sitemap::shard_days(&child.url)?;
        Some(last.and_hms_opt(23, 59, 59)?.and_utc())
    })
}

/// Whether a document listed under `parent` is wanted (live polling reads it) and whether this
/// poll reads it. `newest` is the newest date among its siblings.
fn decide(
    child: &Child,
    state: Option<&DocState>,
    first_listing: bool,
    newest: Option<DateTime<Utc>>,
    window_days: u32,
) -> (bool, bool) {
    let lastmod = child.lastmod.map(crate::store::ts);
    let old = match (dated(child), newest) {
        (Some(m), Some(n)) => m < n - Duration::days(i64::from(window_days)),
        _ => false,
    };
    match state {
        Some(s) => {
            let changed = match &lastmod {
                Some(_) => !s.read || s.read_lastmod != lastmod,
                // No lastmod: a conditional GET each poll, except for a shard whose URL dates
                // it before the window, once read (a past month does not change).
                None => !(s.read && old),
            };
            (s.wanted, s.wanted && changed)
        }
        None => {
            let wanted = !(first_listing && old);
            (wanted, wanted)
        }
    }
}

impl Pipeline {
    /// Reads the documents below `row`'s root: `listed` is what the root lists now, `None`
    /// after a 304 (what it listed before, from the store).
    pub(super) async fn read_below(&self, row: &FeedRow, listed: Option<Vec<Child>>) -> Below {
        let cfg = self
            .config
            .sitemap_for(&row.url)
            .cloned()
            .unwrap_or_else(|| SitemapConfig {
                url: row.url.clone(),
                title: None,
                interval_secs: None,
                skip: Vec::new(),
                window_days: 7,
            });
        let id = row.id;
        let known = match self.store.sitemap_docs(id).await {
            Ok(k) => k,
            Err(e) => {
                warn!(feed = %row.url, error = %e, "sitemap documents could not be read from the store; skipping them this poll");
                return Below {
                    incomplete: true,
                    ..Below::default()
                };
            }
        };
        let mut below = Below::default();
        let site = crate::host::site_of(&row.url);
        let mut level: Vec<(String, Vec<Child>)> = vec![(
            row.url.clone(),
            listed.unwrap_or_else(|| stored_children(&known, &row.url)),
        )];
        let mut reads_left = MAX_READS;
        for _ in 0..MAX_DEPTH {
            let mut reads = Vec::new();
            let mut next = Vec::new();
            for (parent, children) in level.drain(..) {
                let first_listing = !known.values().any(|d| d.parent == parent);
                let newest = children.iter().filter_map(dated).max();
                for child in children {
                    if cfg.skips(child.url.as_str()) {
                        continue;
                    }
                    let state = known.get(child.url.as_str());
                    let (wanted, mut read) =
                        decide(&child, state, first_listing, newest, cfg.window_days);
                    read &= reads_left > 0;
                    if read {
                        reads_left -= 1;
                        reads.push(ToRead {
                            doc: below.docs.len(),
                            url: child.url.clone(),
                            validators: state
                                .filter(|s| s.read)
                                .map(|s| Validators {
                                    etag: s.etag.clone(),
                                    last_modified: s.last_modified.clone(),
                                })
                                .unwrap_or_default(),
                        });
                    } else if wanted {
                        // An unchanged index is not requested, but what it listed is still
                        // looked at: a shard below it whose read failed is tried again.
                        let below_it = stored_children(&known, child.url.as_str());
                        if !below_it.is_empty() {
                            next.push((child.url.to_string(), below_it));
                        }
                    }
                    below.docs.push(DocUpdate {
                        url: child.url.to_string(),
                        parent: parent.clone(),
                        listed_lastmod: child.lastmod.map(crate::store::ts),
                        wanted,
                        read: None,
                    });
                }
            }
            level = next;
            let mut tasks = tokio::task::JoinSet::new();
            for r in reads {
                let this = self.clone();
                let (source, site) = (row.url.clone(), site.clone());
                tasks.spawn(async move { this.read_doc(&source, &site, r).await });
            }
            while let Some(done) = tasks.join_next().await {
                let Ok(done) = done else { continue };
                below.logs.push(done.log);
                let url = below.docs[done.doc].url.clone();
                match done.found {
                    Some(Document::Urls { items, .. }) => below.items.extend(items),
                    Some(Document::Index(children)) => level.push((url.clone(), children)),
                    // A 304 of an index: what it listed before.
                    None if done.read.error.is_none() => {
                        let children = stored_children(&known, &url);
                        if !children.is_empty() {
                            level.push((url.clone(), children));
                        }
                    }
                    None => {}
                }
                below.docs[done.doc].read = Some(done.read);
            }
            if level.is_empty() {
                break;
            }
        }
        below
    }

    /// One sitemap document's (conditional) GET and parse, with its audit row: shared by the
    /// live poll and the backfill.
    pub(super) async fn fetch_sitemap(
        &self,
        url: &Url,
        validators: &Validators,
        site: &str,
    ) -> SitemapFetch {
        let mut report = self.fetcher.get(url, validators).await;
        let (got, result) = match &mut report.result {
            Ok(Outcome::NotModified) => (Got::NotModified, FetchResult::NotModified),
            Ok(Outcome::Fetched(page)) => {
                let text = std::mem::take(&mut page.text);
                let base = page.url.clone();
                let validators = page.validators.clone();
                let site = site.to_owned();
                let parsed = self
                    .parse_blocking(text, move |t| sitemap::parse_any(t, &base, &site))
                    .await;
                match parsed {
                    Ok(Ok(doc)) => (Got::Read { doc, validators }, record::fetched(&report)),
                    Ok(Err(e)) => (Got::Failed(e.to_string()), failed("sitemap_parse", &e)),
                    Err(e) => (Got::Failed(e.to_string()), failed("parser_crashed", &e)),
                }
            }
            Err(e) => (Got::Failed(e.to_string()), failed(e.kind(), e)),
        };
        SitemapFetch {
            got,
            status: report.status,
            elapsed_ms: report.elapsed.as_millis() as u64,
            bytes: report.bytes,
            log: audit(FetchKind::Feed, url.as_str(), Some(&report), result),
        }
    }

    /// One document's conditional GET and parse, and the line that explains it.
    async fn read_doc(&self, source: &str, site: &str, r: ToRead) -> Read {
        let f = self.fetch_sitemap(&r.url, &r.validators, site).await;
        let (status, elapsed_ms) = (f.status, f.elapsed_ms);
        let (read, found) = match f.got {
            Got::NotModified => {
                info!(feed = %source, sitemap = %r.url, status = 304, elapsed_ms, "sitemap not modified");
                (
                    DocRead {
                        status,
                        error: None,
                        etag: None,
                        last_modified: None,
                        entries: None,
                    },
                    None,
                )
            }
            Got::Read { doc, validators } => {
                let (entries, kind) = match &doc {
                    Document::Urls { items, .. } => (items.len(), "entries"),
                    Document::Index(c) => (c.len(), "documents"),
                };
                info!(
                    feed = %source, sitemap = %r.url, status = status.unwrap_or(200),
                    elapsed_ms, bytes = f.bytes, listed = entries, kind, "sitemap read"
                );
                (
                    DocRead {
                        status,
                        error: None,
                        etag: validators.etag,
                        last_modified: validators.last_modified,
                        entries: Some(entries),
                    },
                    Some(doc),
                )
            }
            Got::Failed(message) => {
                warn!(feed = %source, sitemap = %r.url, status, error = %message, "sitemap document failed; read again next poll");
                (
                    DocRead {
                        status,
                        error: Some(message),
                        etag: None,
                        last_modified: None,
                        entries: None,
                    },
                    None,
                )
            }
        };
        Read {
            doc: r.doc,
            read,
            found,
            log: f.log,
        }
    }
}

/// What one request for a sitemap document came to.
pub(super) enum Got {
    NotModified,
    Read {
        doc: Document,
        validators: Validators,
    },
    /// Why it could not be used (the audit row has its kind).
    Failed(String),
}

/// A sitemap document's request: what it came to, the figures its log line names, its audit
/// row.
pub(super) struct SitemapFetch {
    pub got: Got,
    pub status: Option<u16>,
    pub elapsed_ms: u64,
    pub bytes: usize,
    pub log: FetchLog,
}

/// What `parent` listed at its last listing, from the store.
fn stored_children(known: &HashMap<String, DocState>, parent: &str) -> Vec<Child> {
    let mut children: Vec<Child> = known
        .values()
        .filter(|d| d.parent == parent)
        .filter_map(|d| {
            Some(Child {
                url: Url::parse(&d.url).ok()?,
                lastmod: d.listed_lastmod.as_deref().map(crate::store::parse_ts),
            })
        })
        .collect();
    children.sort_by(|a, b| a.url.as_str().cmp(b.url.as_str()));
    children
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn child(day: u32) -> Child {
        Child {
            url: Url::parse(&format!("https://x.test/sitemaps/2024-05-{day:02}.xml")).unwrap(),
            lastmod: Some(Utc.with_ymd_and_hms(2024, 5, day, 12, 0, 0).unwrap()),
        }
    }

    fn read_state(c: &Child) -> DocState {
        DocState {
            url: c.url.to_string(),
            parent: "https://x.test/sitemap.xml".into(),
            listed_lastmod: c.lastmod.map(crate::store::ts),
            wanted: true,
            read_lastmod: c.lastmod.map(crate::store::ts),
            read: true,
            etag: None,
            last_modified: None,
        }
    }

    #[test]
    fn the_first_listing_leaves_shards_older_than_the_window_to_backfill() {
        let newest = child(31).lastmod;
        assert_eq!(decide(&child(31), None, true, newest, 7), (true, true));
        assert_eq!(decide(&child(25), None, true, newest, 7), (true, true));
        assert_eq!(decide(&child(23), None, true, newest, 7), (false, false));
        // A shard that appears on a later listing is new: read, whatever its date.
        assert_eq!(decide(&child(23), None, false, newest, 7), (true, true));
    }

    #[test]
    fn an_unchanged_shard_is_not_read_again_and_a_changed_one_is() {
        let c = child(30);
        let state = read_state(&c);
        assert_eq!(decide(&c, Some(&state), false, None, 7), (true, false));
        let mut later = c.clone();
        later.lastmod = Some(Utc.with_ymd_and_hms(2024, 5, 30, 23, 0, 0).unwrap());
        assert_eq!(decide(&later, Some(&state), false, None, 7), (true, true));
        // An index without dates: every poll asks (a conditional GET).
        let undated = Child { lastmod: None, ..c };
        assert_eq!(decide(&undated, Some(&state), false, None, 7), (true, true));
    }

    #[test]
    fn an_undated_index_entry_is_dated_by_its_url_for_the_window() {
        let month = |m: u32| Child {
            url: Url::parse(&format!("https://x.test/sitemaps/news-2024-{m}.xml")).unwrap(),
            lastmod: None,
        };
        let newest = dated(&month(5));
        assert_eq!(decide(&month(5), None, true, newest, 7), (true, true));
        assert_eq!(
            decide(&month(3), None, true, newest, 7),
            (false, false),
            "a past month on the first listing is left to backfill"
        );
        let read = DocState {
            listed_lastmod: None,
            read_lastmod: None,
            ..read_state(&month(3))
        };
        assert_eq!(
            decide(&month(3), Some(&read), false, newest, 7),
            (true, false),
            "once read, a past month is not asked again"
        );
        assert_eq!(
            decide(&month(5), Some(&read), false, newest, 7),
            (true, true),
            "the current month is (a conditional GET)"
        );
    }

    #[test]
    fn a_shard_left_to_backfill_stays_unread_when_it_changes() {
        let c = child(1);
        let state = DocState {
            wanted: false,
            read: false,
            read_lastmod: None,
            ..read_state(&c)
        };
        assert_eq!(decide(&c, Some(&state), false, None, 7), (false, false));
    }
}
