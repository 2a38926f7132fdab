//! Host leases: how many workers share one database without double work. A worker takes the
//! hosts that have due feeds and whose lease is free (`FOR UPDATE SKIP LOCKED`: two workers
//! asking at once get different hosts, neither waits), polls those hosts' due feeds and
//! fetches their pages, renewing the lease while it works. One host is worked by one worker at
//! a time, so `per_host` and the pause between requests hold across the cluster as on one
//! machine. A worker that dies stops renewing: its hosts are free once `lease_until` passes.
//!
//! Every lease time is the database server's clock (`now()`), never a worker's: two workers
//! whose clocks disagree still agree on whose lease has ended.

use std::collections::HashSet;
use std::time::Duration;

use super::super::{FeedRow, StoreError, parse_ts};
use super::PgStore;
use super::feeds::{FEED_COLUMNS_TO_POLL, feed_row};

/// The server's clock as a stored timestamp (RFC 3339 UTC, whole seconds, as `store::ts`).
pub(super) const SERVER_NOW: &str =
    "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

/// `SERVER_NOW` plus `$n` seconds, for a lease's end.
pub(super) fn server_now_plus(param: usize) -> String {
    server_now_shifted('+', param)
}

/// `SERVER_NOW` minus `$n` seconds, for "seen within a lease".
fn server_now_minus(param: usize) -> String {
    server_now_shifted('-', param)
}

fn server_now_shifted(sign: char, param: usize) -> String {
    format!(
        "to_char((now() {sign} make_interval(secs => ${param})) AT TIME ZONE 'UTC', \
         'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    )
}

/// What asking for work came to.
#[derive(Debug)]
pub enum Lease {
    /// These hosts are this worker's until renewed or released; these are their due feeds.
    Taken {
        hosts: Vec<String>,
        feeds: Vec<FeedRow>,
    },
    /// Feeds are due, but every host with due feeds is leased by another worker; the earliest
    /// of those leases ends after this long (by the server's clock).
    Busy(Duration),
    /// No feed is due; the next one is due after this long (`None`: no active feed at all).
    Idle(Option<Duration>),
}

/// Which feeds a worker polls.
#[derive(Debug, Clone)]
pub enum Due {
    /// Those whose next poll is due now (the daemon).
    Now,
    /// Every active feed not polled since this server time ([`PgStore::server_time`]), or
    /// left unfinished by a stopped cycle (`run --once`, as on SQLite: each feed once; a feed
    /// another worker polled meanwhile counts as done, so a run beside a daemon ends).
    NotPolledSince(String),
}

impl Due {
    /// The condition on feeds `f`, its time given as parameter `$n`.
    fn condition(&self, n: usize) -> String {
        match self {
            Self::Now => format!("f.active AND f.next_poll_at <= ${n}"),
            Self::NotPolledSince(_) => format!(
                "f.active AND (f.polled_at IS NULL OR f.polled_at < (${n}::text)::timestamptz
                               OR f.next_poll_at = '{UNFINISHED}')"
            ),
        }
    }

    /// The condition's time: the server's `now`, or the run's start.
    fn time(&self, now: &str) -> String {
        match self {
            Self::Now => now.to_string(),
            Self::NotPolledSince(t) => t.clone(),
        }
    }
}

/// The next poll of a feed left unfinished by a stopped cycle (as of a feed never polled):
/// due before anything else.
const UNFINISHED: &str = "1970-01-01T00:00:00Z";

impl PgStore {
    /// Says this worker is there, before it asks for work: workers started together then
    /// count each other when they take their share.
    pub async fn register(&self) -> Result<(), StoreError> {
        let worker: &str = &self.worker;
        self.client()
            .await?
            .execute(
                &format!(
                    "INSERT INTO workers (name, seen_at) VALUES ($1, {SERVER_NOW})
                     ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at"
                ),
                &[&worker],
            )
            .await?;
        Ok(())
    }

    /// The server's clock, to the microsecond (a `run --once`'s start).
    pub async fn server_time(&self) -> Result<String, StoreError> {
        Ok(self
            .client()
            .await?
            .query_one("SELECT clock_timestamp()::text", &[])
            .await?
            .get(0))
    }

    /// Leases up to `max_hosts` hosts with `due` feeds (for [`PgStore::leasing`]'s time), and
    /// no more than this worker's share: the hosts with due feeds divided among the workers
    /// seen within a lease, so workers started together split the work instead of the first
    /// taking it all.
    pub async fn lease_due(&self, due: &Due, max_hosts: i64) -> Result<Lease, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let now: String = tx
            .query_one(&format!("SELECT {SERVER_NOW}"), &[])
            .await?
            .get(0);
        let worker: &str = &self.worker;
        let time = due.time(&now);
        // Seen: the others count this worker when they take their share, and it counts them.
        let secs = self.lease_for.as_secs_f64();
        tx.execute(
            "INSERT INTO workers (name, seen_at) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at",
            &[&worker, &now],
        )
        .await?;
        // Workers gone for a day are forgotten (each start is a new name).
        tx.execute(
            &format!(
                "DELETE FROM workers WHERE seen_at < {}",
                server_now_minus(1)
            ),
            &[&86_400f64],
        )
        .await?;
        let share: i64 = tx
            .query_one(
                &format!(
                    "SELECT ceil((SELECT count(*) FROM host_leases h WHERE EXISTS
                                  (SELECT 1 FROM feeds f WHERE f.host = h.host AND {}))::float8
                          / greatest(1, (SELECT count(*) FROM workers WHERE seen_at >= {})))::bigint",
                    due.condition(1),
                    server_now_minus(2)
                ),
                &[&time, &secs],
            )
            .await?
            .get(0);
        let max_hosts = max_hosts.min(share.max(1));
        let hosts: Vec<String> = tx
            .query(
                &format!(
                    "SELECT h.host FROM host_leases h
                     WHERE (h.lease_until <= $1 OR h.owner = $2)
                       AND EXISTS (SELECT 1 FROM feeds f WHERE f.host = h.host AND {})
                     ORDER BY h.host
                     LIMIT $4
                     FOR UPDATE SKIP LOCKED",
                    due.condition(3)
                ),
                &[&now, &worker, &time, &max_hosts],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if hosts.is_empty() {
            let busy: Option<String> = tx
                .query_one(
                    &format!(
                        "SELECT min(h.lease_until) FROM host_leases h
                         WHERE EXISTS (SELECT 1 FROM feeds f WHERE f.host = h.host AND {})",
                        due.condition(1)
                    ),
                    &[&time],
                )
                .await?
                .get(0);
            let lease = match busy {
                Some(until) => Lease::Busy(between(&now, &until)),
                None => {
                    let next: Option<String> = tx
                        .query_one("SELECT min(next_poll_at) FROM feeds WHERE active", &[])
                        .await?
                        .get(0);
                    Lease::Idle(next.map(|n| between(&now, &n)))
                }
            };
            tx.commit().await?;
            return Ok(lease);
        }
        let secs = self.lease_for.as_secs_f64();
        tx.execute(
            &format!(
                "UPDATE host_leases SET owner = $2, lease_until = {} WHERE host = ANY($1)",
                server_now_plus(3)
            ),
            &[&hosts, &worker, &secs],
        )
        .await?;
        let feeds = tx
            .query(
                &format!(
                    "SELECT {FEED_COLUMNS_TO_POLL} FROM feeds f
                     WHERE f.host = ANY($1) AND {}
                     ORDER BY f.next_poll_at, f.id",
                    due.condition(2)
                ),
                &[&hosts, &time],
            )
            .await?
            .iter()
            .map(feed_row)
            .collect();
        tx.commit().await?;
        self.hold(hosts.iter().cloned());
        Ok(Lease::Taken { hosts, feeds })
    }

    /// Extends this worker's leases on every host it holds by its lease time from now;
    /// returns the hosts whose lease it no longer held (it ran out and another worker took
    /// the host), which it then holds no more.
    pub async fn renew(&self) -> Result<Vec<String>, StoreError> {
        let hosts: Vec<String> = self.held_hosts().into_iter().collect();
        let client = self.client().await?;
        let worker: &str = &self.worker;
        let secs = self.lease_for.as_secs_f64();
        client
            .execute(
                &format!("UPDATE workers SET seen_at = {SERVER_NOW} WHERE name = $1"),
                &[&worker],
            )
            .await?;
        let renewed: HashSet<String> = client
            .query(
                &format!(
                    "UPDATE host_leases SET lease_until = {}
                     WHERE host = ANY($1) AND owner = $2 RETURNING host",
                    server_now_plus(3)
                ),
                &[&hosts, &worker, &secs],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let lost: Vec<String> = hosts.into_iter().filter(|h| !renewed.contains(h)).collect();
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        for h in &lost {
            held.remove(h);
        }
        Ok(lost)
    }

    /// Gives back every host this worker holds: their feeds' next polls are committed, so
    /// any worker may take them when they are due again.
    pub async fn release(&self) -> Result<(), StoreError> {
        let hosts: Vec<String> = self
            .held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .collect();
        let client = self.client().await?;
        let worker: &str = &self.worker;
        client
            .execute(
                "UPDATE host_leases SET owner = NULL, lease_until = '1970-01-01T00:00:00Z'
                 WHERE host = ANY($1) AND owner = $2",
                &[&hosts, &worker],
            )
            .await?;
        Ok(())
    }
}

/// From one stored timestamp to a later one; zero when `to` is not later.
fn between(from: &str, to: &str) -> Duration {
    (parse_ts(to) - parse_ts(from)).to_std().unwrap_or_default()
}
