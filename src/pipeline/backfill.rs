//! Backfill: a site's dated sitemap shards walked newest first, a few stories at a time, so
//! the daemon's loop can run every live poll that falls due in between (live polling always
//! goes first) and the walk uses only `[backfill] per_host` of the host's requests.
//!
//! Progress is stored shard by shard (`backfill_shards.done_at`), after every story the shard
//! lists is stored: a crash, a stop or Ctrl-C mid-shard walks that shard again, and the alias
//! table makes its stored stories sightings, so nothing is fetched twice that was stored and
//! nothing is missed.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use tracing::{info, warn};
use url::Url;

use super::sitemaps::Got;
use super::{CycleError, Pipeline, commit, triage, writer};
use crate::dedup;
use crate::feed::FeedItem;
use crate::fetch::Validators;
use crate::sitemap::{self, Document};
use crate::store::{Backfill, BackfillShard, BackfillState, Batch, FetchLog};

/// A shard that cannot be read this many times in a row is given up (logged, and named in
/// the backfill's error) so one dead shard does not stop the walk.
const SHARD_ATTEMPTS: u32 = 3;

/// How long the walk rests after a shard whose stories could not all be fetched (a host
/// pause, a stop), before it tries that shard again.
const REST: chrono::Duration = chrono::Duration::seconds(60);

/// The walk's state between two steps; the stored progress is the truth, this only saves
/// reading a shard again between two steps.
#[derive(Default)]
pub struct Backfiller {
    walk: Option<Walk>,
    resting_until: Option<DateTime<Utc>>,
    failures: u32,
    bar: Option<indicatif::ProgressBar>,
}

struct Walk {
    backfill: Backfill,
    shard: BackfillShard,
    entries: Vec<FeedItem>,
    listed: usize,
    new: usize,
    unfinished: bool,
}

/// What one step did.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Some work was done; more may follow.
    Worked,
    /// Work remains but rests until then (a host pause).
    Resting(DateTime<Utc>),
    /// No unfinished backfill.
    Idle,
}

impl Backfiller {
    /// Shows progress as a bar (a terminal) rather than only log lines.
    pub fn with_bar(mut self) -> Self {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} shards, {msg} ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        crate::logging::above_bar(Some(bar.clone()));
        self.bar = Some(bar);
        self
    }

    fn show(&self, b: &Backfill, new: i64) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(format!("backfill {}", b.site));
            bar.set_length(b.shards.max(0) as u64);
            bar.set_position(b.shards_done.max(0) as u64);
            bar.set_message(format!("{new} new stories"));
        }
    }

    /// Ends the bar (the walk is over or the process stops).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
            crate::logging::above_bar(None);
        }
    }
}

impl Pipeline {
    /// One step of the oldest unfinished backfill: list its shards, or read the next shard,
    /// or fetch up to `[backfill] batch` of the shard's stories.
    pub async fn backfill_step(&self, b: &mut Backfiller) -> Result<Step, CycleError> {
        if let Some(until) = b.resting_until {
            if Utc::now() < until {
                return Ok(Step::Resting(until));
            }
            b.resting_until = None;
        }
        if b.walk.is_none() {
            let Some(backfill) = self
                .store
                .run(|s| s.unfinished_backfills())
                .await?
                .into_iter()
                .next()
            else {
                return Ok(Step::Idle);
            };
            if backfill.state == BackfillState::Listing {
                if !self.list_backfill(&backfill).await? {
                    // No sitemap document answered (the site or the network is down): listed
                    // again later, not failed.
                    b.resting_until = Some(Utc::now() + REST);
                }
                return Ok(Step::Worked);
            }
            let id = backfill.id;
            let Some(shard) = self.store.run(move |s| s.next_backfill_shard(id)).await? else {
                let now = Utc::now();
                self.store
                    .run(move |s| s.finish_backfill(id, BackfillState::Done, None, now))
                    .await?;
                info!(
                    site = %backfill.site, shards = backfill.shards,
                    new = backfill.stories_new, "backfill done"
                );
                b.show(&backfill, backfill.stories_new);
                return Ok(Step::Worked);
            };
            match self.read_shard(&backfill, &shard).await {
                Ok(Shard::Index(children)) => {
                    // A dated index (a month of daily shards): its shards join the walk.
                    let (url, now) = (shard.url.clone(), Utc::now());
                    self.store
                        .run(move |s| {
                            s.list_backfill(id, &children, now)?;
                            s.backfill_shard_done(id, &url, 0, 0, now)
                        })
                        .await?;
                }
                Ok(Shard::Stories(entries)) => {
                    b.failures = 0;
                    b.walk = Some(Walk {
                        backfill,
                        listed: entries.len(),
                        entries,
                        shard,
                        new: 0,
                        unfinished: false,
                    });
                }
                Err(e) => {
                    b.failures += 1;
                    warn!(site = %backfill.site, sitemap = %shard.url, error = %e, attempt = b.failures, "backfill shard could not be read");
                    if b.failures >= SHARD_ATTEMPTS {
                        b.failures = 0;
                        let (url, now) = (shard.url.clone(), Utc::now());
                        warn!(site = %backfill.site, sitemap = %shard.url, "backfill shard given up after {SHARD_ATTEMPTS} attempts");
                        self.store
                            .run(move |s| s.backfill_shard_done(id, &url, 0, 0, now))
                            .await?;
                    } else {
                        b.resting_until = Some(Utc::now() + REST);
                    }
                }
            }
            return Ok(Step::Worked);
        }
        let step = self.walk_batch(b).await;
        if step.is_err() {
            // The batch's stories were taken from the walk: read the shard again (its stored
            // stories are sightings then) rather than mark it walked without them.
            b.walk = None;
        }
        step
    }

    /// Fetches the next `[backfill] batch` stories of the shard being walked; marks the shard
    /// walked after its last batch when every story was stored.
    async fn walk_batch(&self, b: &mut Backfiller) -> Result<Step, CycleError> {
        let Some(walk) = b.walk.as_mut() else {
            return Ok(Step::Idle);
        };
        let take = walk.entries.len().min(self.config.backfill.batch);
        let batch: Vec<(i64, FeedItem)> = walk
            .entries
            .drain(..take)
            .map(|i| (walk.shard.source_id, i))
            .collect();
        let stories = dedup::fold(batch);
        let retries = self.config.daemon.article_retries;
        let sorted = triage::sort(&self.store, stories, retries, Utc::now()).await?;
        let stored = self
            .fetch_articles(sorted.to_fetch, self.config.backfill.per_host)
            .await?;
        walk.new += stored.stats.new;
        walk.unfinished |= !stored.unfinished.is_empty();
        let none = HashSet::new();
        let last = commit::batch(Vec::new(), &none, &none, sorted.sightings, Vec::new());
        writer::write_counted(&self.store, last).await?;
        if !walk.entries.is_empty() {
            return Ok(Step::Worked);
        }
        let Some(walk) = b.walk.take() else {
            return Ok(Step::Worked);
        };
        if walk.unfinished {
            // A host pause or a stop: the shard is walked again later (its stored stories
            // are sightings then).
            b.resting_until = Some(Utc::now() + REST);
            info!(site = %walk.backfill.site, sitemap = %walk.shard.url, "backfill shard not finished; walked again later");
            return Ok(Step::Worked);
        }
        let (id, url, listed, new, now) = (
            walk.backfill.id,
            walk.shard.url.clone(),
            walk.listed,
            walk.new,
            Utc::now(),
        );
        self.store
            .run(move |s| s.backfill_shard_done(id, &url, listed, new, now))
            .await?;
        let done = walk.backfill.shards_done + 1;
        let total_new = walk.backfill.stories_new + new as i64;
        info!(
            site = %walk.backfill.site, sitemap = %walk.shard.url, day = %walk.shard.day,
            entries = listed, new, shards_done = done, shards = walk.backfill.shards,
            "backfill shard walked"
        );
        b.show(
            &Backfill {
                shards_done: done,
                ..walk.backfill.clone()
            },
            total_new,
        );
        Ok(Step::Worked)
    }

    /// Lists a backfill's shards: every dated document below the site's sitemap sources
    /// whose days meet the backfill's, newest first.
    /// False when no document answered (nothing is recorded: listed again later).
    async fn list_backfill(&self, bf: &Backfill) -> Result<bool, CycleError> {
        let site = bf.site.clone();
        let sources = self.store.run(move |s| s.sitemap_sources_of(&site)).await?;
        let mut shards: Vec<BackfillShard> = Vec::new();
        let mut logs = Vec::new();
        let mut answered = false;
        for (source_id, url) in &sources {
            let Ok(root) = Url::parse(url) else { continue };
            let mut queue = vec![(root, 0usize)];
            let mut seen = HashSet::new();
            while let Some((doc, depth)) = queue.pop() {
                if !seen.insert(doc.clone()) {
                    continue;
                }
                let (found, log) = self.fetch_doc(&doc, &bf.site).await;
                logs.push(log);
                answered |= found.is_ok();
                let Ok(Document::Index(children)) = found else {
                    continue;
                };
                for child in children {
                    if self.config.sitemap_skips(url, child.url.as_str()) {
                        continue;
                    }
                    match shard_days(&child, bf) {
                        Some(Some(day)) if !shards.iter().any(|s| s.url == child.url.as_str()) => {
                            shards.push(BackfillShard {
                                source_id: *source_id,
                                source: url.clone(),
                                url: child.url.to_string(),
                                day,
                            });
                        }
                        Some(_) => {}
                        None if depth + 1 < super::sitemaps::MAX_DEPTH => {
                            queue.push((child.url, depth + 1))
                        }
                        None => {}
                    }
                }
            }
        }
        self.store
            .write(Batch {
                fetches: logs,
                ..Batch::default()
            })
            .await?;
        let (id, now) = (bf.id, Utc::now());
        if !answered && !sources.is_empty() {
            warn!(site = %bf.site, "backfill: no sitemap document answered; listing again later");
            return Ok(false);
        }
        if shards.is_empty() {
            let why = if sources.is_empty() {
                format!(
                    "no [[sitemap]] source on {} (add its sitemap or robots.txt to the config)",
                    bf.site
                )
            } else {
                format!(
                    "the sitemaps of {} list no dated shard between {} and {}",
                    bf.site, bf.from, bf.to
                )
            };
            warn!(site = %bf.site, "backfill failed: {why}");
            self.store
                .run(move |s| s.finish_backfill(id, BackfillState::Failed, Some(&why), now))
                .await?;
            return Ok(true);
        }
        shards.sort_by(|a, b| b.day.cmp(&a.day).then(a.url.cmp(&b.url)));
        info!(site = %bf.site, from = %bf.from, to = %bf.to, shards = shards.len(), "backfill listed");
        self.store
            .run(move |s| s.list_backfill(id, &shards, now))
            .await?;
        Ok(true)
    }

    /// A shard's story entries (without those the source's `skip` names), or, for a dated
    /// index, its shards in the backfill's days.
    async fn read_shard(&self, bf: &Backfill, shard: &BackfillShard) -> Result<Shard, String> {
        let url = Url::parse(&shard.url).map_err(|e| e.to_string())?;
        let (found, log) = self.fetch_doc(&url, &bf.site).await;
        let _ = self
            .store
            .write(Batch {
                fetches: vec![log],
                ..Batch::default()
            })
            .await;
        let skipped = |u: &Url| self.config.sitemap_skips(&shard.source, u.as_str());
        match found? {
            Document::Urls { mut items, .. } => {
                items.retain(|i| !skipped(&i.link));
                Ok(Shard::Stories(items))
            }
            Document::Index(children) => Ok(Shard::Index(
                children
                    .into_iter()
                    .filter(|c| !skipped(&c.url))
                    .filter_map(|c| {
                        // An undated shard in a dated index takes the index's day.
                        let day = match shard_days(&c, bf) {
                            Some(Some(day)) => day,
                            Some(None) => return None,
                            None => shard.day,
                        };
                        Some(BackfillShard {
                            source_id: shard.source_id,
                            source: shard.source.clone(),
                            url: c.url.to_string(),
                            day,
                        })
                    })
                    .collect(),
            )),
        }
    }

    /// One sitemap document, in full (no validators: a backfill reads what is there).
    async fn fetch_doc(&self, url: &Url, site: &str) -> (Result<Document, String>, FetchLog) {
        let f = self.fetch_sitemap(url, &Validators::default(), site).await;
        let found = match f.got {
            Got::Read { doc, .. } => Ok(doc),
            Got::NotModified => Err("304 without validators".into()),
            Got::Failed(message) => Err(message),
        };
        (found, f.log)
    }
}

/// What a backfill shard turned out to be.
enum Shard {
    Stories(Vec<FeedItem>),
    /// A dated index: the shards it lists in the backfill's days.
    Index(Vec<BackfillShard>),
}

/// Whether a listed document is a dated shard, and its last day in the backfill's days:
/// `None` undated; `Some(None)` dated outside them. Days come from the URL, else the
/// `lastmod` (the newest change in the shard: it may hold older stories, so only its lower
/// bound counts).
fn shard_days(child: &sitemap::Child, bf: &Backfill) -> Option<Option<chrono::NaiveDate>> {
    if let Some((first, last)) = sitemap::shard_days(&child.url) {
        return Some((last >= bf.from && first <= bf.to).then(|| last.min(bf.to)));
    }
    let day = child.lastmod?.date_naive();
    Some((day >= bf.from).then(|| day.min(bf.to)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn backfill(from: &str, to: &str) -> Backfill {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Backfill {
            id: 1,
            site: "x.test".into(),
            from: day(from),
            to: day(to),
            state: BackfillState::Walking,
            created_at: String::new(),
            updated_at: String::new(),
            shards: 0,
            shards_done: 0,
            stories_new: 0,
            error: None,
        }
    }

    fn child(path: &str, lastmod: Option<(i32, u32, u32)>) -> sitemap::Child {
        sitemap::Child {
            url: Url::parse(&format!("https://x.test/{path}")).unwrap(),
            lastmod: lastmod.map(|(y, m, d)| Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()),
        }
    }

    #[test]
    fn shards_dated_by_url_are_walked_when_their_days_meet_the_backfills() {
        let bf = backfill("2024-05-10", "2024-05-20");
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            shard_days(&child("s/2024-05-12.xml", None), &bf),
            Some(day("2024-05-12"))
        );
        assert_eq!(
            shard_days(&child("s/2024-05-21.xml", None), &bf),
            Some(None)
        );
        // A month meeting the days is walked, as of its last day in them.
        assert_eq!(
            shard_days(&child("news-2024-5.xml", None), &bf),
            Some(day("2024-05-20"))
        );
        assert_eq!(shard_days(&child("categories.xml", None), &bf), None);
    }

    #[test]
    fn a_shard_dated_only_by_lastmod_is_walked_when_it_changed_after_the_first_day() {
        let bf = backfill("2024-05-10", "2024-05-20");
        // Its newest change is after the last day: it may still hold stories of the days.
        assert!(matches!(
            shard_days(&child("post-sitemap3.xml", Some((2024, 6, 1))), &bf),
            Some(Some(_))
        ));
        assert_eq!(
            shard_days(&child("post-sitemap9.xml", Some((2024, 5, 1))), &bf),
            Some(None),
            "nothing in it changed since before the first day"
        );
    }
}
