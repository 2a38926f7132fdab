//! The writer: one task that stores the chunk's fetched stories in batches while fetches go on.
//!
//! Batching rule: wait for one story, then gather more for at most [`WRITE_WINDOW`] or until
//! [`WRITE_BATCH`] are waiting. A slow site still commits each story within the window of its
//! arrival; a fast one fills batches, and every commit rewrites far fewer shared index pages
//! per story stored.

use std::collections::HashSet;
use std::time::Duration;

use tokio::sync::mpsc;
use tracing::{info, warn};

use super::outcome::ArticleOutcome;
use super::record;
use super::stats::CycleStats;
use crate::extract::Method;
use crate::fetch::Reservation;
use crate::store::{
    ArticleRecord, Batch, FetchLog, RawHtml, StoreError, StoreHandle, Story, Written,
};

/// Most records written per transaction: enough to amortise commits when pages arrive fast,
/// few enough that readers see steady progress.
pub const WRITE_BATCH: usize = 64;
/// Longest a fetched article waits for others to share its commit.
pub const WRITE_WINDOW: Duration = Duration::from_millis(250);

/// One story's fetch, done: who it is, what came of it, and its requests' audit rows.
#[derive(Debug)]
pub struct Finished {
    pub story: Story,
    pub outcome: ArticleOutcome,
    pub logs: Vec<FetchLog>,
    /// The memory budget the page's text held, kept for the record it became until the
    /// record is stored (`fetch::budget`).
    pub memory: Option<Reservation>,
    /// The page, compressed, when raw pages are kept.
    pub raw: Option<RawHtml>,
}

/// What the writer stored, and which feeds listed a story that did not make it.
#[derive(Debug, Default)]
pub struct Stored {
    pub stats: CycleStats,
    pub unfinished: HashSet<i64>,
    /// Feeds with a story not attempted because the cycle was stopped (a subset of
    /// `unfinished`): due again at once, not at their next scheduled poll.
    pub interrupted: HashSet<i64>,
}

/// Waits for the next batch: at least one item, or none when the channel is closed. The
/// flag says whether the channel closed (no batch follows).
pub async fn gather<T>(rx: &mut mpsc::Receiver<T>, max: usize, window: Duration) -> (Vec<T>, bool) {
    let Some(first) = rx.recv().await else {
        return (Vec::new(), true);
    };
    let mut items = vec![first];
    let deadline = tokio::time::Instant::now() + window;
    while items.len() < max {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(item)) => items.push(item),
            Ok(None) => return (items, true),
            Err(_) => break,
        }
    }
    (items, false)
}

/// Stores what arrives on `rx` until it closes. Only a store error stops it early, and that
/// error ends the cycle.
pub async fn run(
    store: StoreHandle,
    mut rx: mpsc::Receiver<Finished>,
) -> Result<Stored, StoreError> {
    let mut out = Stored::default();
    loop {
        let (items, closed) = gather(&mut rx, WRITE_BATCH, WRITE_WINDOW).await;
        let mut batch = Batch::default();
        // Released once the batch is stored (dropped at the end of this iteration).
        let mut memory = Vec::with_capacity(items.len());
        for Finished {
            story,
            outcome,
            logs,
            memory: held,
            raw,
        } in items
        {
            memory.extend(held);
            batch.fetches.extend(logs);
            match record::stored_content(outcome) {
                Some(content) => batch.articles.push(ArticleRecord {
                    story,
                    content,
                    raw,
                }),
                None => {
                    out.stats.deferred += 1;
                    out.unfinished.extend(story.feeds);
                }
            }
        }
        if !batch.is_empty() {
            let (batch, written) = write_counted(&store, batch).await?;
            let metrics = crate::metrics::global();
            for (record, w) in batch.articles.iter().zip(written) {
                log_written(record, w);
                tally(&mut out, record, w);
                if let Ok(c) = &record.content {
                    metrics.extraction(&record.story.url, c.method);
                }
            }
        }
        drop(memory);
        if closed {
            return Ok(out);
        }
    }
}

/// Writes `batch` and counts it in the metrics once it is stored (its time, its requests), so
/// the counters follow the archive.
pub async fn write_counted(
    store: &StoreHandle,
    batch: Batch,
) -> Result<(Batch, Vec<Written>), StoreError> {
    let started = std::time::Instant::now();
    let (batch, written) = store.write(batch).await?;
    let metrics = crate::metrics::global();
    metrics.store_write(started.elapsed());
    metrics.record_fetches(&batch.fetches);
    Ok((batch, written))
}

/// Counts one write; a failed story keeps its feeds' validators from being committed.
fn tally(out: &mut Stored, record: &ArticleRecord, w: Written) {
    match w {
        Written::New(_) => out.stats.new += 1,
        Written::Duplicate(_) => out.stats.duplicates += 1,
        Written::Updated(_) => out.stats.updated += 1,
        Written::RefetchFailed(_) => out.stats.refetch_failed += 1,
        Written::Failed(_) => {
            out.stats.failed += 1;
            out.unfinished.extend(record.story.feeds.iter().copied());
        }
    }
}

/// The one line that explains what became of a stored story (failures were logged when
/// they happened, with the request's figures).
fn log_written(record: &ArticleRecord, w: Written) {
    match (w, &record.content) {
        (Written::New(id), Ok(c)) => {
            if c.method == Method::SiteRuleFellBack {
                warn!(url = %record.story.url, id, "site rule matched nothing; generic extractor used");
            }
            info!(url = %record.story.url, id, method = c.method.as_str(), feeds = record.story.feeds.len(), "new article");
        }
        (Written::Duplicate(id), _) => {
            info!(url = %record.story.url, id, "duplicate skipped (same canonical URL, same content)")
        }
        (Written::Updated(id), _) => {
            info!(url = %record.story.url, id, "article updated; previous version kept as a revision")
        }
        (Written::RefetchFailed(id), Err(error)) => {
            warn!(url = %record.story.url, id, %error, "edited article could not be fetched again; stored version kept")
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_millis(250);

    /// Paused time: the window is measured on tokio's clock, which only moves when every
    /// task waits, so these tests do not depend on the machine's speed.
    #[tokio::test(start_paused = true)]
    async fn what_arrives_within_the_window_shares_one_batch() {
        let (tx, mut rx) = mpsc::channel(16);
        for i in 0..3 {
            tx.send(i).await.unwrap();
        }
        let later = tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            later.send(3).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            later.send(4).await.unwrap();
        });
        assert_eq!(gather(&mut rx, 64, WINDOW).await, (vec![0, 1, 2, 3], false));
        assert_eq!(gather(&mut rx, 64, WINDOW).await, (vec![4], false));
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_batch_is_written_without_waiting_for_the_window() {
        let (tx, mut rx) = mpsc::channel(16);
        for i in 0..5 {
            tx.send(i).await.unwrap();
        }
        let started = tokio::time::Instant::now();
        assert_eq!(gather(&mut rx, 2, WINDOW).await, (vec![0, 1], false));
        assert_eq!(started.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_closed_channel_ends_with_what_was_left() {
        let (tx, mut rx) = mpsc::channel(16);
        tx.send(1).await.unwrap();
        drop(tx);
        assert_eq!(gather(&mut rx, 64, WINDOW).await, (vec![1], true));
        assert_eq!(gather(&mut rx, 64, WINDOW).await, (Vec::<i32>::new(), true));
    }

    /// The first story waits as long as it takes: an idle writer is not a closed one.
    #[tokio::test(start_paused = true)]
    async fn the_first_story_is_awaited_past_the_window() {
        let (tx, mut rx) = mpsc::channel(16);
        let sender = tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            sender.send(9).await.unwrap();
        });
        assert_eq!(gather(&mut rx, 64, WINDOW).await, (vec![9], false));
        drop(tx);
    }

    fn record(feeds: Vec<i64>) -> ArticleRecord {
        ArticleRecord {
            story: Story {
                url: "https://h.vn/a.html".into(),
                guid: None,
                aliases: Vec::new(),
                feeds,
                seen_at: chrono::Utc::now(),
                feed_title: None,
            },
            content: Err("HTTP 500".into()),
            raw: None,
        }
    }

    /// A failed story holds its feeds' validators back (so it is listed, and retried, next
    /// poll); a failed re-fetch of a stored story has its own count and holds nothing back.
    #[test]
    fn failures_hold_back_their_feeds_and_refetch_failures_are_counted_apart() {
        let mut out = Stored::default();
        tally(&mut out, &record(vec![1, 2]), Written::Failed(10));
        tally(&mut out, &record(vec![3]), Written::RefetchFailed(11));
        tally(&mut out, &record(vec![4]), Written::New(12));
        assert_eq!(
            (out.stats.failed, out.stats.refetch_failed, out.stats.new),
            (1, 1, 1)
        );
        assert_eq!(out.unfinished, HashSet::from([1, 2]));
    }
}
