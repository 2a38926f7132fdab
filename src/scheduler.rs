//! When each feed is polled next, and the loop that polls feeds when they are due.
//!
//! A feed is never given up on: errors back off exponentially up to `max_interval_secs` and
//! keep retrying there; the first success resets the count. The publisher's hints (`<ttl>`,
//! `Cache-Control: max-age`, `Expires`, `Retry-After`) only ever lengthen the wait, and every
//! interval gets a little jitter so feeds added together do not fire in lockstep forever.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::DaemonConfig;
use crate::fetch::CacheHints;

/// What a poll came to, as far as scheduling cares.
#[derive(Debug, Clone, Copy)]
pub struct PollFacts {
    pub ok: bool,
    /// Consecutive errors before this poll.
    pub previous_errors: u32,
    /// The feed's own configured interval: overrides the estimate.
    pub interval_secs: Option<u64>,
    /// How often the feed publishes (see [`publish_interval`]).
    pub publish_interval_secs: Option<u64>,
    pub ttl_minutes: Option<u32>,
    pub hints: CacheHints,
}

/// Estimates how often a feed publishes, at `now`: the median gap between its entries'
/// distinct dates (newest 20). Half of it becomes the polling interval, so a story waits on
/// average a quarter of the publishing gap.
///
/// Entries sharing one date say nothing about the gap (a feed stamping every item with its
/// build time, a batch import): only distinct dates count, and `None` (the default interval)
/// when fewer than three differ. A feed that has gone quiet backs off: the gap is at least a
/// quarter of the time since its newest entry once that is a day or more, so a feed whose
/// newest story is years old is polled at `max_interval_secs`.
pub fn publish_interval(
    dates: impl IntoIterator<Item = DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<u64> {
    let mut dates: Vec<DateTime<Utc>> = dates.into_iter().collect();
    dates.sort_unstable_by(|a, b| b.cmp(a));
    dates.dedup();
    dates.truncate(20);
    let quiet = dates
        .first()
        .map_or(0, |newest| (now - *newest).num_seconds().max(0));
    let quiet_floor = (quiet >= 86_400).then_some(quiet / 4);
    if dates.len() < 3 {
        return quiet_floor.map(|q| q as u64);
    }
    let mut gaps: Vec<i64> = dates
        .windows(2)
        .map(|w| (w[0] - w[1]).num_seconds())
        .collect();
    gaps.sort_unstable();
    let median = gaps[gaps.len() / 2].max(0);
    Some(median.max(quiet_floor.unwrap_or(0)) as u64)
}

/// The next time to poll a feed after a poll at `now`.
pub fn next_poll(
    now: DateTime<Utc>,
    feed_id: i64,
    facts: &PollFacts,
    cfg: &DaemonConfig,
) -> DateTime<Utc> {
    let base = facts
        .interval_secs
        .or(facts.publish_interval_secs.map(|gap| gap / 2))
        .unwrap_or(cfg.poll_interval_secs);
    let wait = if facts.ok {
        let ttl = facts.ttl_minutes.map_or(0, |m| u64::from(m) * 60);
        let max_age = facts.hints.max_age.map_or(0, |d| d.as_secs());
        base.max(ttl).max(max_age)
    } else {
        let exp = facts.previous_errors.min(16);
        let backoff = base.max(60).saturating_mul(1u64 << exp);
        let retry_after = facts.hints.retry_after.map_or(0, |d| d.as_secs());
        backoff.max(retry_after)
    };
    let wait = wait.clamp(cfg.min_interval_secs, cfg.max_interval_secs);
    now + chrono::Duration::from_std(jittered(wait, feed_id, now)).unwrap_or(chrono::Duration::MAX)
}

/// Adds up to 10% of `secs`, derived from the feed id and the clock: spread, not randomness.
fn jittered(secs: u64, feed_id: i64, now: DateTime<Utc>) -> Duration {
    let spread = secs / 10;
    if spread == 0 {
        return Duration::from_secs(secs);
    }
    let seed = (feed_id as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(u64::from(now.timestamp_subsec_nanos()));
    Duration::from_secs(secs + seed % spread)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> DaemonConfig {
        DaemonConfig {
            poll_interval_secs: 600,
            min_interval_secs: 300,
            max_interval_secs: 3600,
            article_retries: 3,
            ..DaemonConfig::default()
        }
    }

    fn wait(facts: PollFacts) -> i64 {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        (next_poll(now, 7, &facts, &cfg()) - now).num_seconds()
    }

    fn facts(ok: bool, errors: u32) -> PollFacts {
        PollFacts {
            ok,
            previous_errors: errors,
            interval_secs: None,
            publish_interval_secs: None,
            ttl_minutes: None,
            hints: CacheHints::default(),
        }
    }

    #[test]
    fn interval_adapts_to_publishing_rate_within_bounds() {
        let t = |m: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::minutes(m);
        let now = t(510);
        let gap = publish_interval([t(0), t(40), t(80), t(120), t(500)], now);
        assert_eq!(gap, Some(2400), "median gap, an outlier ignored");
        assert_eq!(
            publish_interval([t(0), t(5)], now),
            None,
            "too few dates to say"
        );
        let mut f = facts(true, 0);
        f.publish_interval_secs = gap;
        assert!((1200..1320).contains(&wait(f)), "half the gap");
        f.publish_interval_secs = Some(60);
        assert!((300..330).contains(&wait(f)), "never below the minimum");
        f.publish_interval_secs = Some(86400);
        assert!((3600..3960).contains(&wait(f)), "never above the maximum");
        f.interval_secs = Some(900);
        assert!((900..990).contains(&wait(f)), "an explicit interval wins");
    }

    /// Twenty items stamped with one date give no gap: not "publishes every 0 s".
    #[test]
    fn items_sharing_one_date_say_nothing_about_the_gap() {
        let t = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(20_000);
        assert_eq!(publish_interval(vec![t; 20], t), None);
        let mut f = facts(true, 0);
        f.publish_interval_secs = publish_interval(vec![t; 20], t);
        assert!((600..660).contains(&wait(f)), "the default interval");
    }

    /// A feed whose only date is two and a half years old is polled at the maximum, however
    /// many items share it.
    #[test]
    fn a_feed_quiet_for_years_backs_off_to_the_maximum() {
        let old = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(20_000);
        let now = old + chrono::Duration::days(900);
        let mut f = facts(true, 0);
        f.publish_interval_secs = publish_interval(vec![old; 20], now);
        assert!(
            (3600..3960).contains(&wait(f)),
            "{:?}",
            f.publish_interval_secs
        );
        let hourly: Vec<_> = (0..10).map(|h| old - chrono::Duration::hours(h)).collect();
        f.publish_interval_secs = publish_interval(hourly, now);
        assert!(
            (3600..3960).contains(&wait(f)),
            "an hourly feed that stopped, too"
        );
    }

    #[test]
    fn success_waits_the_interval_plus_at_most_ten_percent() {
        let w = wait(facts(true, 0));
        assert!((600..660).contains(&w), "{w}");
    }

    #[test]
    fn errors_back_off_exponentially_and_stay_at_the_cap() {
        assert!((1200..1320).contains(&wait(facts(false, 1))));
        assert!((2400..2640).contains(&wait(facts(false, 2))));
        assert!((3600..3960).contains(&wait(facts(false, 3))));
        assert!(
            (3600..3960).contains(&wait(facts(false, 40))),
            "never disabled"
        );
    }

    #[test]
    fn ttl_and_retry_after_lengthen_but_never_pass_the_cap() {
        let mut f = facts(true, 0);
        f.ttl_minutes = Some(20);
        assert!((1200..1320).contains(&wait(f)));
        let mut f = facts(false, 0);
        f.hints.retry_after = Some(Duration::from_secs(1800));
        assert!((1800..1980).contains(&wait(f)));
        f.hints.retry_after = Some(Duration::from_secs(86400));
        assert!((3600..3960).contains(&wait(f)));
    }
}
