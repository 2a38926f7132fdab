//! Host leases: how many workers share one database without double work. A worker takes the
//! hosts that have due feeds and whose lease is free (`FOR UPDATE SKIP LOCKED`: two workers
//! asking at once get different hosts, neither waits), polls those hosts' due feeds and
//! fetches their pages, renewing the lease while it works. One host is worked by one worker at
//! a time, so `per_host` and the pause between requests hold across the cluster as on one
//! machine. A worker that dies stops renewing: its hosts are free once `lease_until` passes.

use chrono::{DateTime, Utc};

use super::super::{FeedRow, StoreError, parse_ts, ts};
use super::PgStore;
use super::feeds::{FEED_COLUMNS, feed_row};

/// What asking for work came to.
#[derive(Debug)]
pub enum Lease {
    /// These hosts are this worker's until renewed or released; these are their due feeds.
    Taken {
        hosts: Vec<String>,
        feeds: Vec<FeedRow>,
    },
    /// Feeds are due, but every host with due feeds is leased by another worker, the
    /// earliest lease running until then.
    Busy(DateTime<Utc>),
    /// No feed is due.
    Idle,
}

impl PgStore {
    /// Leases up to `max_hosts` hosts with feeds due at `now` until `until`.
    pub async fn lease_due(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        max_hosts: i64,
    ) -> Result<Lease, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let now_s = ts(now);
        let worker: &str = &self.worker;
        let hosts: Vec<String> = tx
            .query(
                "SELECT h.host FROM host_leases h
                 WHERE (h.lease_until <= $1 OR h.owner = $2)
                   AND EXISTS (SELECT 1 FROM feeds f
                               WHERE f.host = h.host AND f.active AND f.next_poll_at <= $1)
                 ORDER BY h.host
                 LIMIT $3
                 FOR UPDATE SKIP LOCKED",
                &[&now_s, &worker, &max_hosts],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if hosts.is_empty() {
            let busy: Option<String> = tx
                .query_one(
                    "SELECT min(h.lease_until) FROM host_leases h
                     WHERE EXISTS (SELECT 1 FROM feeds f
                                   WHERE f.host = h.host AND f.active AND f.next_poll_at <= $1)",
                    &[&now_s],
                )
                .await?
                .get(0);
            tx.commit().await?;
            return Ok(busy.map_or(Lease::Idle, |b| Lease::Busy(parse_ts(&b))));
        }
        tx.execute(
            "UPDATE host_leases SET owner = $2, lease_until = $3 WHERE host = ANY($1)",
            &[&hosts, &worker, &ts(until)],
        )
        .await?;
        let feeds = tx
            .query(
                &format!(
                    "SELECT {FEED_COLUMNS} FROM feeds f
                     WHERE f.host = ANY($1) AND f.active AND f.next_poll_at <= $2
                     ORDER BY f.next_poll_at, f.id"
                ),
                &[&hosts, &now_s],
            )
            .await?
            .iter()
            .map(feed_row)
            .collect();
        tx.commit().await?;
        Ok(Lease::Taken { hosts, feeds })
    }

    /// Extends this worker's leases on `hosts` to `until`; returns how many it still held
    /// (fewer: a lease ran out and another worker took the host).
    pub async fn renew(&self, hosts: &[String], until: DateTime<Utc>) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let worker: &str = &self.worker;
        Ok(client
            .execute(
                "UPDATE host_leases SET lease_until = $3 WHERE host = ANY($1) AND owner = $2",
                &[&hosts, &worker, &ts(until)],
            )
            .await?)
    }

    /// Gives `hosts` back: their feeds' next polls are committed, so any worker may take them
    /// when they are due again.
    pub async fn release(&self, hosts: &[String]) -> Result<(), StoreError> {
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
