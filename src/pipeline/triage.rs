//! Triage: which of a chunk's stories need a fetch, and which are only seen again.
//!
//! A story the archive has, unchanged, costs no request: its new aliases and feeds are
//! attached (a sighting). A story whose feed says it was edited since it was fetched is
//! fetched again; a failed one is retried until `article_retries`, then only seen.

use chrono::{DateTime, Utc};

use crate::dedup::Candidate;
use crate::store::{Known, Sighting, StoreError, StoreHandle};

/// What the archive's copy of a listed story calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not in the archive: fetch.
    New,
    /// Stored, and not edited since it was fetched: a sighting.
    Unchanged,
    /// Stored, but the feed gives an `updated` time after the last fetch: fetch again.
    Edited,
    /// Stored as failed, with retries left: fetch again.
    Retry,
    /// Stored as failed, retries used up: a sighting.
    GaveUp,
}

impl Verdict {
    /// Whether the story's page is requested this cycle.
    pub fn fetches(self) -> bool {
        matches!(self, Self::New | Self::Edited | Self::Retry)
    }
}

/// The rule, for one story: `known` is the archive's row for any of its aliases, `updated`
/// the latest `updated` time its feed entries gave.
pub fn verdict(known: Option<&Known>, updated: Option<DateTime<Utc>>, retries: u32) -> Verdict {
    match known {
        None => Verdict::New,
        Some(k) if k.ok && updated.is_some_and(|u| u > k.fetched_at) => Verdict::Edited,
        Some(k) if k.ok => Verdict::Unchanged,
        Some(k) if k.attempts > retries => Verdict::GaveUp,
        Some(_) => Verdict::Retry,
    }
}

/// A chunk's stories, sorted.
#[derive(Debug, Default)]
pub struct Sorted {
    pub to_fetch: Vec<Candidate>,
    pub sightings: Vec<Sighting>,
}

/// Looks every candidate up in the store (one call for the chunk) and sorts it by [`verdict`].
pub async fn sort(
    store: &StoreHandle,
    candidates: Vec<Candidate>,
    retries: u32,
    now: DateTime<Utc>,
) -> Result<Sorted, StoreError> {
    let lists = candidates.iter().map(|c| c.aliases.clone()).collect();
    let known = store.known_all(lists).await?;
    let mut sorted = Sorted::default();
    for (c, known) in candidates.into_iter().zip(known) {
        let v = verdict(known.as_ref(), c.updated, retries);
        match known {
            Some(k) if !v.fetches() => {
                tracing::debug!(article = k.id, verdict = ?v, "already stored, skipped");
                sorted.sightings.push(Sighting {
                    article_id: k.id,
                    aliases: c.aliases,
                    feeds: c.feeds,
                    seen_at: now,
                })
            }
            _ => sorted.to_fetch.push(c),
        }
    }
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(ok: bool, attempts: u32) -> Known {
        Known {
            id: 1,
            ok,
            attempts,
            fetched_at: DateTime::parse_from_rfc3339("2026-01-02T00:00:00Z")
                .unwrap()
                .to_utc(),
        }
    }

    fn at(s: &str) -> Option<DateTime<Utc>> {
        Some(DateTime::parse_from_rfc3339(s).unwrap().to_utc())
    }

    #[test]
    fn an_unknown_story_is_fetched() {
        assert_eq!(verdict(None, None, 3), Verdict::New);
    }

    #[test]
    fn a_stored_story_without_a_later_update_is_only_seen() {
        let k = known(true, 1);
        assert_eq!(verdict(Some(&k), None, 3), Verdict::Unchanged);
        assert_eq!(
            verdict(Some(&k), at("2026-01-01T00:00:00Z"), 3),
            Verdict::Unchanged
        );
        // Equal is not later: a feed that repeats the time it was fetched at is not an edit.
        assert_eq!(
            verdict(Some(&k), at("2026-01-02T00:00:00Z"), 3),
            Verdict::Unchanged
        );
    }

    #[test]
    fn a_story_updated_after_its_fetch_is_fetched_again() {
        let k = known(true, 1);
        let v = verdict(Some(&k), at("2026-01-02T00:00:01Z"), 3);
        assert_eq!(v, Verdict::Edited);
        assert!(v.fetches());
    }

    #[test]
    fn a_failed_story_is_retried_up_to_the_limit_then_left_alone() {
        assert_eq!(verdict(Some(&known(false, 3)), None, 3), Verdict::Retry);
        assert_eq!(verdict(Some(&known(false, 4)), None, 3), Verdict::GaveUp);
        assert!(!Verdict::GaveUp.fetches());
        // An update does not revive a story that failed for good.
        let late = at("2030-01-01T00:00:00Z");
        assert_eq!(verdict(Some(&known(false, 4)), late, 3), Verdict::GaveUp);
    }
}
