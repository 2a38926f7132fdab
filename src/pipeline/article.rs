//! The article stage: each story to fetch is checked against robots.txt, fetched, passed
//! through the Content-Type gate and extracted on the blocking pool; finished stories go to
//! the writer as they come.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tracing::warn;
use url::Url;

use super::outcome::{ArticleOutcome, DeferReason, Failure, failed};
use super::record::{self, audit};
use super::writer::{self, Finished, Stored, WRITE_BATCH};
use super::{CycleError, Pipeline};
use crate::config::Config;
use crate::dedup::{self, Candidate};
use crate::extract::{self, ExtractError};
use crate::fetch::{FetchError, Outcome, Reservation, RobotsVerdict, Validators};
use crate::store::{Content, FetchKind, FetchLog, FetchResult, RawHtml, Story};

/// Longest an article waits for its host while another worker holds it (its cycle on that
/// host usually ends sooner) before it is deferred to a later poll.
const HOST_WAIT: Duration = Duration::from_secs(30);

/// How often a claim on a host another worker holds is tried again.
const CLAIM_POLL: Duration = Duration::from_millis(500);

/// How claiming a page's host for this cycle came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Claim {
    /// Held at once (this worker's already, or free).
    Held,
    /// Held once another worker let it go: what it stored meanwhile is not fetched again.
    AfterWaiting,
    /// Still another worker's after the wait, or the store did not answer.
    Refused,
}

impl Pipeline {
    /// Fetches and extracts `candidates` concurrently while the writer stores them in batches.
    pub(super) async fn fetch_articles(
        &self,
        candidates: Vec<Candidate>,
        max_in_flight: usize,
    ) -> Result<Stored, CycleError> {
        let (tx, rx) = mpsc::channel::<Finished>(WRITE_BATCH * 2);
        let writer = tokio::spawn(writer::run(self.store.clone(), rx));
        // Bound the tasks alive at once; the fetcher's own budget paces the requests.
        let in_flight = Arc::new(Semaphore::new(max_in_flight.max(1)));
        let mut tasks = JoinSet::new();
        let mut skipped = Vec::new();
        for c in candidates {
            if self.stop_requested() {
                skipped.extend(c.feeds.iter().copied());
                continue;
            }
            let permit = in_flight.clone().acquire_owned().await;
            // Reap finished tasks as we go: a JoinSet keeps every finished task until joined,
            // which at 36,000 articles is hundreds of megabytes.
            while let Some(done) = tasks.try_join_next() {
                done?;
            }
            let this = self.clone();
            let tx = tx.clone();
            tasks.spawn(async move {
                let _permit = permit;
                let metrics = crate::metrics::global();
                metrics.in_flight(1);
                let finished = this.fetch_article(c).await;
                metrics.in_flight(-1);
                // The writer only stops early on a store error, which the caller reports.
                let _ = tx.send(finished).await;
            });
        }
        drop(tx);
        while let Some(r) = tasks.join_next().await {
            r?;
        }
        let mut stored = writer.await??;
        stored.unfinished.extend(skipped.iter().copied());
        stored.interrupted.extend(skipped);
        Ok(stored)
    }

    /// Fetches and extracts one story; the audit rows are the robots.txt request (when this
    /// fetch made the host's first) and the page request.
    async fn fetch_article(&self, c: Candidate) -> Finished {
        let mut story = Story {
            url: c.url.to_string(),
            guid: c.guid,
            aliases: c.aliases,
            feeds: c.feeds,
            seen_at: Utc::now(),
            feed_title: c.feed_title,
        };
        // On a shared store the page's host must be this worker's (its feeds' host, or one
        // it claims now), so `per_host` holds across the cluster.
        if let Some(reason) = self.host_for(&c.fetch_url, &story).await {
            let outcome = ArticleOutcome::Deferred(reason);
            return skipped(&c.url, &c.fetch_url, story, Vec::new(), outcome);
        }
        let robots = self.fetcher.robots_allow(&c.fetch_url).await;
        let mut logs: Vec<FetchLog> = robots
            .fetched
            .iter()
            .map(|(url, report)| {
                audit(
                    FetchKind::Robots,
                    url.as_str(),
                    Some(report),
                    record::fetched(report),
                )
            })
            .collect();
        let refused = match robots.verdict {
            RobotsVerdict::Allowed => None,
            RobotsVerdict::Disallowed => Some(ArticleOutcome::Failed(Failure::RobotsDisallowed)),
            RobotsVerdict::Unreachable => {
                Some(ArticleOutcome::Deferred(DeferReason::RobotsUnreachable))
            }
        };
        if let Some(outcome) = refused {
            return skipped(&c.url, &c.fetch_url, story, logs, outcome);
        }
        let mut report = self.fetcher.get(&c.fetch_url, &Validators::default()).await;
        let mut memory = None;
        let mut raw = None;
        let outcome = match &mut report.result {
            Ok(Outcome::Fetched(page)) => {
                let html = std::mem::take(&mut page.text);
                memory = Some(std::mem::replace(
                    &mut page.memory,
                    Reservation::none(self.fetcher.budget()),
                ));
                let landed = page.url.clone();
                let extracted = match extract::accepts_content_type(page.content_type.as_deref()) {
                    Err(not_a_page) => Err(Failure::NotAPage(not_a_page)),
                    Ok(()) => {
                        let (kept, extracted) =
                            self.extract(html, landed.clone(), c.published).await;
                        raw = kept;
                        extracted
                    }
                };
                let canonical = extracted.as_ref().ok().and_then(|(c, _)| c.as_deref());
                let id = dedup::identify(&c.url, &c.fetch_url, &landed, canonical);
                story.url = id.key;
                story.aliases.extend(id.redirect_alias);
                match extracted {
                    Ok((_, content)) => {
                        // The HTML is gone: the budget now covers only the record and the
                        // page's compressed copy.
                        if let Some(m) = &mut memory {
                            m.settle(
                                record::bytes(&content) + raw.as_ref().map_or(0, RawHtml::stored),
                            );
                        }
                        ArticleOutcome::Fetched(Box::new(content))
                    }
                    Err(failure) => ArticleOutcome::Failed(failure),
                }
            }
            Ok(Outcome::NotModified) => ArticleOutcome::Failed(Failure::Unexpected304),
            Err(FetchError::HostPaused(left)) => {
                ArticleOutcome::Deferred(DeferReason::HostPaused(*left))
            }
            Err(e) => ArticleOutcome::Failed(Failure::Fetch(e.clone())),
        };
        let result = result_of(&outcome);
        if let FetchResult::Failed { message, .. } = &result {
            let elapsed_ms = report.elapsed.as_millis() as u64;
            warn!(url = %c.url, status = report.status, elapsed_ms, error = %message, "article failed");
        }
        logs.push(audit(
            FetchKind::Article,
            c.fetch_url.as_str(),
            Some(&report),
            result,
        ));
        Finished {
            story,
            outcome,
            logs,
            memory,
            raw,
        }
    }

    /// Makes `url`'s host this worker's, when the store is shared; `Some` why not. The
    /// first page of a host claims it, waiting (up to [`HOST_WAIT`], and no longer than one
    /// lease) while another worker holds it; the host's other pages wait for that answer,
    /// not each its own. After a wait, a story the other worker stored meanwhile is not
    /// fetched again.
    async fn host_for(&self, url: &Url, story: &Story) -> Option<DeferReason> {
        if !self.store.is_shared() {
            return None;
        }
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let cell = {
            let mut claims = self.claims.lock().unwrap_or_else(|p| p.into_inner());
            claims.entry(host).or_default().clone()
        };
        let claim = *cell.get_or_init(|| self.claim_host(url)).await;
        match claim {
            Claim::Held => None,
            Claim::Refused => Some(DeferReason::HostHeld),
            Claim::AfterWaiting => {
                let known = self.store.known_all(vec![story.aliases.clone()]).await;
                match known.as_deref() {
                    Ok([Some(k)]) if k.ok => Some(DeferReason::StoredElsewhere),
                    _ => None,
                }
            }
        }
    }

    /// Claims `url`'s host, trusting what other workers learnt of it.
    async fn claim_host(&self, url: &Url) -> Claim {
        let start = Instant::now();
        let wait = HOST_WAIT.min(Duration::from_secs(self.config.daemon.lease_secs));
        let mut waited = false;
        loop {
            match self.store.claim_host(url).await {
                Ok(Some(share)) => {
                    self.trust(share);
                    return if waited {
                        Claim::AfterWaiting
                    } else {
                        Claim::Held
                    };
                }
                Ok(None) => {}
                Err(e) => {
                    warn!(url = %url, error = %e, "host lease not claimed");
                    return Claim::Refused;
                }
            }
            if start.elapsed() >= wait || self.stop_requested() {
                return Claim::Refused;
            }
            tokio::time::sleep(CLAIM_POLL).await;
            waited = true;
        }
    }

    /// Extracts on a bounded pool of blocking threads: CPU work must not stall the reactor.
    /// Returns the page compressed for keeping (when raw pages are kept, whether or not
    /// extraction worked: a failed page is the one a rule fix most needs), and the page's own
    /// canonical link (untrusted yet) and its content.
    async fn extract(
        &self,
        html: String,
        url: Url,
        feed_published: Option<DateTime<Utc>>,
    ) -> (Option<RawHtml>, Result<(Option<String>, Content), Failure>) {
        // The parse share first (held while it runs), then a thread.
        let _parse = self.fetcher.budget().parse(html.len()).await;
        let _slot = match self.extract_slots.acquire().await {
            Ok(slot) => slot,
            Err(e) => return (None, Err(Failure::Crashed(e.to_string()))),
        };
        let config = self.config.clone();
        let job = tokio::task::spawn_blocking(move || {
            let raw = config.raw_pages.keep.then(|| RawHtml::compress(&html));
            (raw, extract_page(&config, &html, &url, feed_published))
        });
        match job.await {
            Ok((raw, Ok(done))) => (raw, Ok(done)),
            Ok((raw, Err(e))) => (raw, Err(Failure::Extract(e))),
            Err(e) => (None, Err(Failure::Crashed(e.to_string()))),
        }
    }
}

/// Everything CPU-bound about a page (parse, extract, hash, fold, fingerprint), with the site
/// rule the config gives for the page's host; also what `reextract` runs on a kept page.
/// A page without a date of its own takes the feed item's (`published_source` "feed").
pub fn extract_page(
    config: &Config,
    html: &str,
    url: &Url,
    feed_published: Option<DateTime<Utc>>,
) -> Result<(Option<String>, Content), ExtractError> {
    let rule = config.site_rule_for(url);
    let started = Instant::now();
    let mut extracted = extract::extract(html, url, rule)?;
    tracing::debug!(
        method = extracted.method.as_str(),
        extract_ms = started.elapsed().as_millis() as u64,
        "extracted"
    );
    for note in &extracted.date_notes {
        tracing::info!(url = %url, "{note}");
    }
    if extracted.published.is_none()
        && let Some(d) = feed_published
    {
        let stamp = extract::Stamp::At(d.fixed_offset());
        match stamp.implausible(Utc::now()) {
            Some(why) => tracing::info!(url = %url, "published date from feed dropped: {why}"),
            None => {
                extracted.published = Some(stamp);
                extracted.published_source = Some("feed".to_string());
            }
        }
    }
    let canonical = extracted.canonical_url.take();
    Ok((canonical, record::to_content(extracted)))
}

/// The article request's audit result for an outcome.
/// A story not requested (`outcome` says why): its log line and audit row after `logs`.
fn skipped(
    url: &Url,
    fetch_url: &Url,
    story: Story,
    mut logs: Vec<FetchLog>,
    outcome: ArticleOutcome,
) -> Finished {
    let result = result_of(&outcome);
    if let FetchResult::Failed { message, .. } = &result {
        warn!(url = %url, error = %message, "article skipped");
    }
    logs.push(audit(FetchKind::Article, fetch_url.as_str(), None, result));
    Finished {
        story,
        outcome,
        logs,
        memory: None,
        raw: None,
    }
}

fn result_of(outcome: &ArticleOutcome) -> FetchResult {
    match outcome {
        ArticleOutcome::Fetched(_) => FetchResult::Fetched,
        ArticleOutcome::Failed(f) => failed(f.kind(), f),
        ArticleOutcome::Deferred(d) => failed(d.kind(), d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Method;

    const PAGE: &str = r#"<html lang="vi"><head><title>T</title></head><body>
        <h1 class="headline">Tiêu đề bài viết</h1>
        <div class="story-body"><p>Đoạn văn thứ nhất của bài báo, đủ dài để là nội dung thật.</p>
        <p>Đoạn văn thứ hai của bài báo, cũng đủ dài để được giữ lại.</p></div>
        </body></html>"#;

    fn config(hosts: &str) -> Config {
        let text = format!(
            "[[site]]\nhosts = [{hosts}]\ntitle = \"h1.headline\"\nbody = \"div.story-body\"\n"
        );
        Config::parse(&text, std::path::Path::new("t.toml")).unwrap()
    }

    /// The cycle picks a page's rule here: a host configured in another case or fully
    /// qualified must still choose the rule (it never did: the rule silently never applied).
    #[test]
    fn a_configured_host_in_other_case_or_with_a_trailing_dot_chooses_the_rule() {
        let url = Url::parse("https://www.baophapluat.vn/a.html").unwrap();
        for hosts in [
            "\"BaoPhapLuat.vn\"",
            "\"baophapluat.vn.\"",
            "\"WWW.BAOPHAPLUAT.VN.\"",
        ] {
            let (_, content) = extract_page(&config(hosts), PAGE, &url, None).unwrap();
            assert_eq!(content.method, Method::SiteRule, "hosts = [{hosts}]");
            assert_eq!(content.title, "Tiêu đề bài viết");
        }
    }

    #[test]
    fn a_rule_for_another_site_is_not_chosen() {
        let url = Url::parse("https://notbaophapluat.vn/a.html").unwrap();
        let (_, content) = extract_page(&config("\"baophapluat.vn\""), PAGE, &url, None).unwrap();
        assert_eq!(content.method, Method::Generic);
    }

    #[test]
    fn a_page_without_a_date_takes_the_feed_items() {
        let url = Url::parse("https://example.org/a.html").unwrap();
        let item = DateTime::parse_from_rfc3339("2026-11-05T07:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let (_, content) =
            extract_page(&config("\"baophapluat.vn\""), PAGE, &url, Some(item)).unwrap();
        assert_eq!(
            content.published.as_deref(),
            Some("2026-11-05T07:30:00+00:00")
        );
        assert_eq!(content.published_source.as_deref(), Some("feed"));
        let dated = PAGE.replace(
            "</head>",
            r#"<meta property="article:published_time" content="2026-11-04T08:00:00+07:00"></head>"#,
        );
        let (_, content) =
            extract_page(&config("\"baophapluat.vn\""), &dated, &url, Some(item)).unwrap();
        assert_eq!(
            content.published.as_deref(),
            Some("2026-11-04T08:00:00+07:00")
        );
    }
}
