//! Polling one feed: a conditional GET, the parse, the next poll time, and the one log line
//! that explains the poll.

use chrono::{DateTime, Utc};
use tracing::{info, warn};
use url::Url;

use super::Pipeline;
use super::outcome::{FeedFailure, failed};
use super::record::{self, audit};
use crate::config::SourceKind;
use crate::feed::{self, FeedItem, ParsedFeed};
use crate::fetch::{Outcome, Report, Reservation, Validators};
use crate::scheduler::{self, PollFacts};
use crate::sitemap::{self, Document};
use crate::store::{FeedPoll, FeedRow, FetchKind, FetchLog, FetchResult};

/// One feed's poll, ready for the commit: its row update, its audit rows, its entries.
#[derive(Debug)]
pub struct FeedResult {
    pub poll: FeedPoll,
    /// The source document's request, then any sitemap documents read below it.
    pub logs: Vec<FetchLog>,
    pub items: Vec<FeedItem>,
    pub not_modified: bool,
}

/// A source document as its kind reads it.
pub(super) enum Parsed {
    Feed(ParsedFeed),
    Sitemap(Document),
}

/// What a poll found: a new list, no change (304), or a failure.
type Polled = Result<Option<ParsedFeed>, FeedFailure>;

/// Parses a fetched source document the way its kind is read.
fn parse_source(
    kind: SourceKind,
    text: &str,
    (source, base): (&Url, &Url),
    links: Option<&str>,
) -> Result<Parsed, FeedFailure> {
    match kind {
        SourceKind::Feed => feed::parse(text, base)
            .map(Parsed::Feed)
            .map_err(FeedFailure::Parse),
        SourceKind::Sitemap => {
            let site = source.host_str().map(crate::host::site).unwrap_or_default();
            sitemap::parse_any(text, base, &site)
                .map(Parsed::Sitemap)
                .map_err(FeedFailure::Sitemap)
        }
        SourceKind::Listing => {
            let selector = links.unwrap_or("a[href]");
            let parsed = crate::listing::links(text, base, selector)
                .map_err(|e| FeedFailure::NoLinks(e.0))?;
            if parsed.items.is_empty() {
                return Err(FeedFailure::NoLinks(selector.to_owned()));
            }
            Ok(Parsed::Feed(parsed))
        }
    }
}

impl Pipeline {
    /// Polls a chunk's feeds concurrently (the fetcher paces them per host).
    pub(super) async fn poll_all(
        &self,
        feeds: Vec<FeedRow>,
    ) -> Result<Vec<FeedResult>, tokio::task::JoinError> {
        let mut polls = tokio::task::JoinSet::new();
        for row in feeds {
            let this = self.clone();
            polls.spawn(async move { this.poll_feed(row).await });
        }
        let mut results = Vec::new();
        while let Some(r) = polls.join_next().await {
            results.push(r?);
        }
        Ok(results)
    }

    /// Polls one feed; never fails: a bad feed is a recorded result.
    async fn poll_feed(&self, row: FeedRow) -> FeedResult {
        let now = Utc::now();
        let validators = Validators {
            etag: row.etag.clone(),
            last_modified: row.last_modified.clone(),
        };
        let mut facts = PollFacts {
            ok: false,
            previous_errors: row.error_count,
            interval_secs: row.interval_secs,
            publish_interval_secs: row.publish_interval_secs,
            ttl_minutes: None,
            hints: Default::default(),
        };
        let Ok(url) = Url::parse(&row.url) else {
            let failure = FeedFailure::BadUrl(row.url.clone());
            return self.feed_result(&row, now, None, facts, Err(failure));
        };
        // A feed behind a login: its credentials, from the config (never from the URL).
        let credentials = self
            .config
            .feeds
            .iter()
            .find(|f| {
                f.credentials.is_some()
                    && crate::config::parse_feed_url(&f.url).is_ok_and(|u| u == url)
            })
            .and_then(|f| f.credentials.as_ref());
        let mut report = self.fetcher.get_as(&url, &validators, credentials).await;
        facts.hints = report.hints;
        let links = (row.kind == SourceKind::Listing)
            .then(|| self.config.listing_for(&row.url).map(|l| l.links.clone()))
            .flatten();
        let kind = row.kind;
        let parsed = match &mut report.result {
            Ok(Outcome::NotModified) => Ok(None),
            Ok(Outcome::Fetched(page)) => {
                // The text is only needed by the parser: move it, a feed can be megabytes.
                let text = std::mem::take(&mut page.text);
                // Its memory budget goes back once it is parsed, not when the chunk commits:
                // the chunk's other feeds are waiting for it.
                let _memory =
                    std::mem::replace(&mut page.memory, Reservation::none(self.fetcher.budget()));
                let base = page.url.clone();
                let source = url.clone();
                match self
                    .parse_blocking(text, move |t| {
                        parse_source(kind, t, (&source, &base), links.as_deref())
                    })
                    .await
                {
                    Ok(Ok(parsed)) => Ok(Some(parsed)),
                    Ok(Err(e)) => Err(e),
                    Err(e) => Err(FeedFailure::ParserCrashed(e.to_string())),
                }
            }
            Err(e) => Err(FeedFailure::Fetch(e.clone())),
        };
        // A sitemap source reads the documents below its root: those its index lists now,
        // or, after a 304, those it listed before.
        let below = match (&parsed, kind) {
            (Ok(None), SourceKind::Sitemap) => Some(self.read_below(&row, None).await),
            (Ok(Some(Parsed::Sitemap(Document::Index(children)))), _) => {
                Some(self.read_below(&row, Some(children.clone())).await)
            }
            _ => None,
        };
        let polled: Polled = parsed.map(|p| {
            p.map(|p| match p {
                Parsed::Feed(feed) => feed,
                Parsed::Sitemap(Document::Urls { items, skipped }) => ParsedFeed {
                    title: None,
                    ttl_minutes: None,
                    items,
                    skipped,
                },
                Parsed::Sitemap(Document::Index(_)) => ParsedFeed {
                    title: None,
                    ttl_minutes: None,
                    items: Vec::new(),
                    skipped: 0,
                },
            })
        });
        if let Ok(Some(parsed)) = &polled {
            facts.ttl_minutes = parsed.ttl_minutes;
            facts.publish_interval_secs = scheduler::publish_interval(
                parsed.items.iter().filter_map(|i| i.published),
                Utc::now(),
            )
            .or(facts.publish_interval_secs);
        }
        facts.ok = polled.is_ok();
        let mut result = self.feed_result(&row, now, Some(&report), facts, polled);
        if let Some(below) = below {
            result.items.extend(below.items);
            result.poll.docs = below.docs;
            result.logs.extend(below.logs);
            if below.incomplete {
                result.poll.etag = None;
                result.poll.last_modified = None;
            }
        }
        if kind == SourceKind::Sitemap {
            // The root's own entries and those read below it.
            let config = &self.config;
            result
                .items
                .retain(|i| !config.sitemap_skips(&row.url, i.link.as_str()));
        }
        result
    }

    /// Runs a parser on the blocking pool under the parse share of the memory budget and a
    /// slot of the same pool as extraction (parsing is CPU and memory).
    pub(super) async fn parse_blocking<T: Send + 'static>(
        &self,
        text: String,
        parse: impl FnOnce(&str) -> T + Send + 'static,
    ) -> Result<T, tokio::task::JoinError> {
        let _parse = self.fetcher.budget().parse(text.len()).await;
        let _slot = self.extract_slots.acquire().await;
        tokio::task::spawn_blocking(move || parse(&text)).await
    }

    /// Decides the feed's next poll and logs the one line that explains this poll.
    fn feed_result(
        &self,
        row: &FeedRow,
        now: DateTime<Utc>,
        report: Option<&Report>,
        facts: PollFacts,
        polled: Polled,
    ) -> FeedResult {
        let next = scheduler::next_poll(now, row.id, &facts, &self.config.daemon);
        let next_poll = crate::store::ts(next);
        let status = report.and_then(|r| r.status);
        let elapsed_ms = report.map_or(0, |r| r.elapsed.as_millis() as u64);
        let validators = match report.map(|r| &r.result) {
            Some(Ok(Outcome::Fetched(page))) => page.validators.clone(),
            _ => Validators::default(),
        };
        let listed = matches!(polled, Ok(Some(_)));
        let (items, title, result) = match polled {
            Ok(None) => {
                info!(feed = %row.url, status = 304, elapsed_ms, %next_poll, "not modified");
                (Vec::new(), None, FetchResult::NotModified)
            }
            Ok(Some(parsed)) => {
                info!(
                    feed = %row.url, status = status.unwrap_or(200), elapsed_ms,
                    bytes = report.map_or(0, |r| r.bytes), entries = parsed.items.len(),
                    skipped = parsed.skipped, %next_poll, "fetched"
                );
                let result = report.map_or(FetchResult::Fetched, record::fetched);
                (parsed.items, parsed.title, result)
            }
            Err(failure) => {
                warn!(
                    feed = %row.url, status, elapsed_ms, error = %failure, errors = row.error_count + 1,
                    %next_poll, "feed failed; backing off"
                );
                (Vec::new(), None, failed(failure.kind(), &failure))
            }
        };
        let error = match &result {
            FetchResult::Failed { message, .. } => Some(message.clone()),
            _ => None,
        };
        FeedResult {
            logs: vec![audit(FetchKind::Feed, &row.url, report, result)],
            poll: FeedPoll {
                feed_id: row.id,
                at: now,
                status,
                error,
                etag: validators.etag,
                last_modified: validators.last_modified,
                title,
                next_poll_at: next,
                publish_interval_secs: facts.publish_interval_secs,
                listed,
                docs: Vec::new(),
            },
            not_modified: matches!(report.map(|r| &r.result), Some(Ok(Outcome::NotModified))),
            items,
        }
    }
}

/// Every entry of the chunk's feeds, with the feed that listed it, moved out of the results.
pub fn entries(results: &mut [FeedResult]) -> Vec<(i64, FeedItem)> {
    results
        .iter_mut()
        .flat_map(|r| {
            let id = r.poll.feed_id;
            std::mem::take(&mut r.items)
                .into_iter()
                .map(move |i| (id, i))
        })
        .collect()
}
