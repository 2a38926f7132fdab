//! The commit rule, last in a chunk: feeds' validators and schedules, once every story they
//! listed is stored.
//!
//! A feed that listed a story which failed, was deferred, or was not attempted (a stop) keeps
//! its old validators: its next poll is a full fetch that lists the story again, so it is
//! retried (up to `article_retries` for failures) instead of hidden behind a 304. A feed with
//! a story not attempted because the cycle stopped (SIGTERM, a worker's lease lost) is also
//! due again at once: the process that polls next (this one restarted, or the host's new
//! holder) fetches what was left instead of waiting for the feed's next scheduled poll.

use std::collections::HashSet;

use super::Pipeline;
use crate::store::{Batch, FeedPoll, FetchLog, Sighting};

/// The chunk's last write: polls (validators dropped for `unfinished` feeds, `interrupted`
/// ones due at once), sightings and the feeds' audit rows.
pub fn batch(
    polls: Vec<FeedPoll>,
    unfinished: &HashSet<i64>,
    interrupted: &HashSet<i64>,
    sightings: Vec<Sighting>,
    fetches: Vec<FetchLog>,
) -> Batch {
    Batch {
        polls: polls
            .into_iter()
            .map(|mut poll| {
                if unfinished.contains(&poll.feed_id) {
                    poll.etag = None;
                    poll.last_modified = None;
                    // Its sitemap documents are read again too (a failed read still shows).
                    for doc in &mut poll.docs {
                        doc.read = doc.read.take().filter(|r| r.error.is_some());
                    }
                }
                if interrupted.contains(&poll.feed_id) {
                    // As a feed never polled: due before anything else.
                    poll.next_poll_at = chrono::DateTime::UNIX_EPOCH;
                }
                poll
            })
            .collect(),
        sightings,
        articles: Vec::new(),
        fetches,
    }
}

impl Pipeline {
    /// After a cycle that wrote: full-text merges free pages; give them back so the file is
    /// as small as its data. A failure only leaves the space to the next cycle.
    pub(super) async fn release_free_pages(&self) {
        match self.store.upkeep(|s| s.release_free_pages()).await {
            None | Some(Ok(0)) => {}
            Some(Ok(pages)) => tracing::debug!(pages, "free pages released"),
            Some(Err(e)) => tracing::warn!(error = %e, "could not release free pages"),
        }
    }

    /// One WARN line per site rule that no longer seems to fit its site ([`crate::health`]),
    /// after a cycle that stored pages.
    pub(super) async fn warn_suspect_rules(&self) {
        let config = self.config.clone();
        match self
            .store
            .upkeep(move |s| crate::health::suspects(s, &config, chrono::Utc::now()))
            .await
        {
            None => {}
            Some(Ok(suspects)) => {
                for s in suspects {
                    tracing::warn!(host = %s.host, "{}", s.message);
                }
            }
            Some(Err(e)) => tracing::warn!(error = %e, "rule health could not be read"),
        }
    }

    /// Holds the kept raw pages to their age and size limits (`[raw_pages]`), once a cycle.
    pub(super) async fn prune_raw_pages(&self) {
        let cfg = self.config.raw_pages.clone();
        if !cfg.keep {
            return;
        }
        let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(cfg.keep_days));
        let max = cfg.max_bytes();
        match self
            .store
            .upkeep(move |s| s.pages_mut().map(|p| p.prune(cutoff, max)).transpose())
            .await
        {
            Some(Ok(Some(p))) if p.removed > 0 => tracing::info!(
                removed = p.removed,
                kept = p.kept,
                kept_mib = p.kept_bytes / (1024 * 1024),
                "raw pages pruned"
            ),
            None | Some(Ok(_)) => {}
            Some(Err(e)) => tracing::warn!(error = %e, "could not prune raw pages"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn poll(feed_id: i64) -> FeedPoll {
        FeedPoll {
            feed_id,
            at: Utc::now(),
            status: Some(200),
            error: None,
            etag: Some(format!("\"e{feed_id}\"")),
            last_modified: Some("Tue, 01 Dec 2026 10:00:00 GMT".into()),
            title: None,
            next_poll_at: Utc::now(),
            publish_interval_secs: None,
            listed: true,
            docs: Vec::new(),
        }
    }

    #[test]
    fn a_feed_with_an_unfinished_story_keeps_its_old_validators() {
        let b = batch(
            vec![poll(1), poll(2)],
            &HashSet::from([2]),
            &HashSet::new(),
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(b.polls[0].etag.as_deref(), Some("\"e1\""));
        assert!(b.polls[0].last_modified.is_some());
        assert_eq!(
            (b.polls[1].etag.as_ref(), b.polls[1].last_modified.as_ref()),
            (None, None)
        );
    }

    /// Dropping validators must not drop the rest of the poll: its schedule and health.
    #[test]
    fn an_unfinished_feed_still_gets_its_schedule_and_status() {
        let b = batch(
            vec![poll(7)],
            &HashSet::from([7]),
            &HashSet::new(),
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(b.polls.len(), 1);
        assert_eq!((b.polls[0].feed_id, b.polls[0].status), (7, Some(200)));
        assert!(b.polls[0].listed);
    }

    /// A feed left unfinished by a stop is polled again as soon as anything polls, not at
    /// its next scheduled time; one left unfinished by a failure keeps its schedule (no
    /// retry storm).
    #[test]
    fn a_feed_interrupted_by_a_stop_is_due_at_once_and_a_failed_one_is_not() {
        let mut later = poll(1);
        later.next_poll_at = later.at + chrono::Duration::minutes(15);
        let mut failed = later.clone();
        failed.feed_id = 2;
        let b = batch(
            vec![later.clone(), failed.clone()],
            &HashSet::from([1, 2]),
            &HashSet::from([1]),
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(b.polls[0].next_poll_at, chrono::DateTime::UNIX_EPOCH);
        assert_eq!(b.polls[1].next_poll_at, failed.next_poll_at);
    }
}
