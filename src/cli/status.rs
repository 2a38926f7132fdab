//! `tindex status`: every feed's health for people (a table), scripts (`--json`) and
//! monitoring (`--check`, exit 1 on a problem).

use std::io::Write;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::store::{Archive, CycleCounts, CycleRecord, FeedRow, StoreError, parse_ts, ts};

/// One feed as `status` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct FeedStatus {
    pub url: String,
    pub title: Option<String>,
    pub source: String,
    /// `feed`, `sitemap` or `listing`: what kind of document the source is.
    pub kind: &'static str,
    /// `ok`, `partial` (polls fine, some of its stories failed), `failing`, `gone` (404 or
    /// 410 for [`GONE_AFTER_DAYS`] days), `new` (never polled) or `inactive`.
    pub state: &'static str,
    /// For a gone feed: the discovered feed of the same site and section that replaces it.
    pub replacement: Option<String>,
    pub articles: i64,
    pub failed_articles: i64,
    pub error_count: u32,
    pub last_error: Option<String>,
    pub error_since: Option<String>,
    pub last_success_at: Option<String>,
    pub last_polled_at: Option<String>,
    pub next_poll_at: String,
}

/// The whole report: `status --json` prints it as one object.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub feeds: Vec<FeedStatus>,
    pub totals: Totals,
    pub last_cycle: Option<LastCycle>,
    /// What `--check` counts as a problem, one sentence each.
    pub problems: Vec<String>,
    /// Site rules that no longer seem to fit their sites (also in `problems`).
    pub suspect_rules: Vec<String>,
    /// Webhook events waiting to be delivered, and given up on.
    pub webhooks: crate::store::Backlog,
    /// Per sitemap source: its documents, how many were read, left to backfill, failing.
    pub sitemaps: Vec<crate::store::DocSummary>,
    /// Backfills running or queued, and the last few finished.
    pub backfills: Vec<BackfillStatus>,
}

/// One backfill as `status` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct BackfillStatus {
    pub id: i64,
    pub site: String,
    pub from: String,
    pub to: String,
    /// `listing`, `walking`, `done` or `failed`.
    pub state: &'static str,
    pub shards: i64,
    pub shards_done: i64,
    pub stories_new: i64,
    pub updated_at: String,
    pub error: Option<String>,
}

impl Report {
    /// Adds the rules [`crate::health`] finds suspect, as problems.
    pub fn add_suspect_rules(&mut self, suspects: Vec<crate::health::Suspect>) {
        for s in suspects {
            self.problems.push(s.message.clone());
            self.suspect_rules.push(s.message);
        }
    }
}

/// Feed counts, and stories counted once each (a story several feeds list is one story).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Totals {
    pub feeds: usize,
    pub active: usize,
    pub failing: usize,
    pub articles: i64,
    pub failed_articles: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LastCycle {
    pub started_at: String,
    pub finished_at: String,
    pub result: &'static str,
    pub error: Option<String>,
    #[serde(flatten)]
    pub counts: CycleCounts,
}

/// Days of 404/410 answers after which a feed counts as gone rather than failing.
pub const GONE_AFTER_DAYS: i64 = 2;

fn state(f: &FeedRow) -> &'static str {
    match (f.active, f.error_count, f.last_polled_at.is_some()) {
        (false, _, _) => "inactive",
        (true, 0, false) => "new",
        (true, 0, true) if f.failed_articles > 0 => "partial",
        (true, 0, true) => "ok",
        (true, _, _) => "failing",
    }
}

/// Reads the report; a feed failing since before `now - failing_for` is a problem, as is a
/// last cycle that failed.
pub fn report(
    store: &Archive,
    now: DateTime<Utc>,
    failing_for: Duration,
) -> Result<Report, StoreError> {
    let (articles, failed_articles) = store.story_counts()?;
    let mut totals = Totals {
        articles,
        failed_articles,
        ..Totals::default()
    };
    let mut problems = Vec::new();
    let mut feeds = Vec::new();
    let all = store.list_feeds()?;
    let subscribed: Vec<&str> = all.iter().map(|f| f.url.as_str()).collect();
    let discovered: Vec<String> = store
        .discovered_feeds()?
        .into_iter()
        .filter(|d| !subscribed.contains(&d.as_str()))
        .collect();
    for f in all {
        let mut state = state(&f);
        let gone = state == "failing"
            && matches!(f.last_status, Some(404 | 410))
            && f.error_since
                .as_deref()
                .is_some_and(|s| parse_ts(s) <= now - Duration::days(GONE_AFTER_DAYS));
        let replacement = if gone {
            state = "gone";
            crate::discover::replacement(&f.url, &discovered).cloned()
        } else {
            None
        };
        if let Some(r) = &replacement {
            problems.push(format!(
                "feed {} gone (HTTP {} since {}); the site now lists {r}: tindex feeds add {r}",
                f.url,
                f.last_status.unwrap_or_default(),
                f.error_since.as_deref().unwrap_or("?")
            ));
        }
        totals.feeds += 1;
        totals.active += usize::from(f.active);
        totals.failing += usize::from(matches!(state, "failing" | "gone"));
        if replacement.is_none()
            && matches!(state, "failing" | "gone")
            && let Some(since) = f.error_since.as_deref()
            && parse_ts(since) <= now - failing_for
        {
            problems.push(format!(
                "feed {} failing since {since} ({} errors): {}",
                f.url,
                f.error_count,
                f.last_error.as_deref().unwrap_or("unknown error")
            ));
        }
        feeds.push(FeedStatus {
            state,
            replacement,
            articles: f.articles,
            failed_articles: f.failed_articles,
            error_count: f.error_count,
            next_poll_at: ts(f.next_poll_at),
            url: f.url,
            title: f.title,
            source: f.source,
            kind: f.kind.as_str(),
            last_error: f.last_error,
            error_since: f.error_since,
            last_success_at: f.last_success_at,
            last_polled_at: f.last_polled_at,
        });
    }
    let last_cycle = store.last_cycle()?.map(|c: CycleRecord| {
        let (result, error, counts) = match c.outcome {
            Ok(n) => ("ok", None, n),
            Err(e) => ("failed", Some(e), CycleCounts::default()),
        };
        LastCycle {
            started_at: ts(c.started_at),
            finished_at: ts(c.finished_at),
            result,
            error,
            counts,
        }
    });
    if let Some(c) = &last_cycle
        && c.result == "failed"
    {
        problems.push(format!(
            "the last cycle (finished {}) failed: {}",
            c.finished_at,
            c.error.as_deref().unwrap_or("unknown error")
        ));
    }
    Ok(Report {
        feeds,
        totals,
        last_cycle,
        webhooks: {
            let backlog = store.webhook_backlog()?;
            if backlog.given_up > 0 {
                problems.push(format!(
                    "{} webhook events given up after every retry (webhook_outbox.given_up_at)",
                    backlog.given_up
                ));
            }
            backlog
        },
        sitemaps: store.sitemap_summary()?,
        backfills: store
            .recent_backfills(3)?
            .into_iter()
            .map(|b| BackfillStatus {
                id: b.id,
                site: b.site,
                from: b.from.to_string(),
                to: b.to.to_string(),
                state: b.state.as_str(),
                shards: b.shards,
                shards_done: b.shards_done,
                stories_new: b.stories_new,
                updated_at: b.updated_at,
                error: b.error,
            })
            .collect(),
        problems,
        suspect_rules: Vec::new(),
    })
}

/// The table `status` prints.
pub fn print_table(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<8} {:>8} {:>6} {:>6} {:<20} {:<20} {:<20} URL / last error",
        "STATE", "ARTICLES", "FAILED", "ERRORS", "LAST SUCCESS", "NEXT POLL", "LAST POLL"
    )?;
    for f in &r.feeds {
        writeln!(
            out,
            "{:<8} {:>8} {:>6} {:>6} {:<20} {:<20} {:<20} {}{}{}",
            f.state,
            f.articles,
            f.failed_articles,
            f.error_count,
            f.last_success_at.as_deref().unwrap_or("never"),
            f.next_poll_at,
            f.last_polled_at.as_deref().unwrap_or("never"),
            if f.kind == "feed" {
                f.url.clone()
            } else {
                format!("[{}] {}", f.kind, f.url)
            },
            f.last_error
                .as_ref()
                .map(|e| format!("  ({e}, since {})", f.error_since.as_deref().unwrap_or("?")))
                .unwrap_or_default(),
            f.replacement
                .as_ref()
                .map(|r| format!("  replaced by {r}"))
                .unwrap_or_default()
        )?;
    }
    let t = &r.totals;
    writeln!(
        out,
        "{} feeds ({} active, {} failing); {} stories stored, {} failed",
        t.feeds, t.active, t.failing, t.articles, t.failed_articles
    )?;
    match &r.last_cycle {
        Some(c) => writeln!(
            out,
            "last cycle: {} at {}{}",
            c.result,
            c.finished_at,
            c.error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_else(|| format!(
                    ": {} feeds, {} new, {} updated, {} failed",
                    c.counts.feeds, c.counts.new, c.counts.updated, c.counts.failed
                ))
        ),
        None => writeln!(out, "last cycle: none recorded yet"),
    }?;
    let w = &r.webhooks;
    if w.pending > 0 || w.given_up > 0 {
        writeln!(
            out,
            "webhooks: {} events waiting{}, {} given up",
            w.pending,
            w.oldest
                .as_ref()
                .map(|o| format!(" (oldest {o})"))
                .unwrap_or_default(),
            w.given_up
        )?;
    }
    for m in &r.sitemaps {
        writeln!(
            out,
            "sitemap {}: {} documents, {} read, {} left to backfill, {} failing",
            m.source, m.docs, m.read, m.left_to_backfill, m.failing
        )?;
    }
    for b in &r.backfills {
        writeln!(
            out,
            "backfill #{} of {} ({} to {}): {}, {}/{} shards, {} new stories, updated {}{}",
            b.id,
            b.site,
            b.from,
            b.to,
            b.state,
            b.shards_done,
            b.shards,
            b.stories_new,
            b.updated_at,
            b.error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        )?;
    }
    for s in &r.suspect_rules {
        writeln!(out, "{s}")?;
    }
    Ok(())
}

/// What `status --check` prints: `ok: …` or one `problem: …` line each.
pub fn print_check(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    if r.problems.is_empty() {
        return writeln!(
            out,
            "ok: {} active feeds, {} failing (none for long), {} stories",
            r.totals.active, r.totals.failing, r.totals.articles
        );
    }
    for p in &r.problems {
        writeln!(out, "problem: {p}")?;
    }
    Ok(())
}
