//! What workers share of a host besides its lease: its robots.txt as one of them read it, and
//! a pause it asked for (`Retry-After`), so a host that changes hands is neither asked for its
//! robots.txt again nor hit before its pause ends. And the hosts of article pages a worker
//! fetches off its feeds' hosts: claimed like a lease for the rest of its cycle, so
//! `per_host` holds across the cluster for them too.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use tokio_postgres::types::ToSql;

use super::super::{StoreError, parse_ts, ts};
use super::PgStore;
use super::feeds::host_of;
use super::lease::{SERVER_NOW, server_now_plus};
use crate::fetch::SharedRobots;

/// A host's shared state, as a worker that takes it trusts it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostShare {
    pub robots: Vec<SharedRobots>,
    /// Hosts whose pause still runs, and until when.
    pub pauses: Vec<(String, DateTime<Utc>)>,
}

/// Seconds from the server's now to a stored time (negative when it is past).
const SECONDS_LEFT: &str = "extract(epoch FROM ({col}::timestamptz - now()))::float8";

impl PgStore {
    /// The shared state of `hosts`: their robots.txt rules not yet expired, their pauses.
    /// Expiries are kept by the server's clock and handed over as time left on this one.
    pub async fn host_share(&self, hosts: &[String]) -> Result<HostShare, StoreError> {
        let client = self.client().await?;
        let left = |col: &str| SECONDS_LEFT.replace("{col}", col);
        let robots = client
            .query(
                &format!(
                    "SELECT origin, rules, fetched_at, {} FROM robots
                     WHERE host = ANY($1) AND expires_at > {SERVER_NOW}",
                    left("expires_at")
                ),
                &[&hosts],
            )
            .await?
            .iter()
            .map(|r| SharedRobots {
                origin: r.get(0),
                rules: r.get(1),
                fetched_at: parse_ts(r.get(2)),
                expires_at: from_now(r.get(3)),
            })
            .collect();
        let pauses = client
            .query(
                &format!(
                    "SELECT host, {} FROM host_leases
                     WHERE host = ANY($1) AND paused_until > {SERVER_NOW}",
                    left("paused_until")
                ),
                &[&hosts],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), from_now(r.get(1))))
            .collect();
        Ok(HostShare { robots, pauses })
    }

    /// Keeps what this worker learnt of its hosts for the others: robots.txt rules that
    /// last longer than the stored ones, pauses longer than the stored ones (each written as
    /// the server's now plus the time left, so no worker's clock decides).
    pub async fn save_host_share(&self, share: &HostShare) -> Result<(), StoreError> {
        let held = self.held_hosts();
        let client = self.client().await?;
        let upsert = client
            .prepare_cached(&format!(
                "INSERT INTO robots (origin, host, rules, fetched_at, expires_at)
                 VALUES ($1, $2, $3, $4, {})
                 ON CONFLICT (origin) DO UPDATE SET rules = excluded.rules,
                     fetched_at = excluded.fetched_at, expires_at = excluded.expires_at
                 WHERE robots.expires_at < excluded.expires_at",
                server_now_plus(5)
            ))
            .await?;
        for r in &share.robots {
            let host = host_of(&r.origin);
            if !held.contains(&host) {
                continue;
            }
            let params: [&(dyn ToSql + Sync); 5] = [
                &r.origin,
                &host,
                &r.rules,
                &ts(r.fetched_at),
                &seconds_until(r.expires_at),
            ];
            client.execute(&upsert, &params).await?;
        }
        let pause = client
            .prepare_cached(&format!(
                "UPDATE host_leases SET paused_until = {until}
                 WHERE host = $1 AND (paused_until IS NULL OR paused_until < {until})",
                until = server_now_plus(2)
            ))
            .await?;
        for (host, until) in &share.pauses {
            client
                .execute(&pause, &[host, &seconds_until(*until)])
                .await?;
        }
        Ok(())
    }

    /// Takes `host` for the rest of this worker's cycle, when no other worker holds it:
    /// `None` when another does, else what is shared of it (nothing new when this worker
    /// held it already).
    pub async fn claim(&self, host: &str) -> Result<Option<HostShare>, StoreError> {
        if self.held_hosts().contains(host) {
            return Ok(Some(HostShare::default()));
        }
        let _one_at_a_time = self.claiming.lock().await;
        if self.held_hosts().contains(host) {
            return Ok(Some(HostShare::default()));
        }
        let client = self.client().await?;
        let worker: &str = &self.worker;
        let secs = self.lease_for.as_secs_f64();
        let won = client
            .query_opt(
                &format!(
                    "INSERT INTO host_leases (host, owner, lease_until) VALUES ($1, $2, {until})
                     ON CONFLICT (host) DO UPDATE SET owner = excluded.owner,
                         lease_until = excluded.lease_until
                     WHERE host_leases.lease_until <= {SERVER_NOW}
                        OR host_leases.owner = excluded.owner
                     RETURNING host",
                    until = server_now_plus(3)
                ),
                &[&host, &worker, &secs],
            )
            .await?
            .is_some();
        // Back to the pool before the next call takes one.
        drop(client);
        if !won {
            return Ok(None);
        }
        self.hold([host.to_string()]);
        Ok(Some(self.host_share(&[host.to_string()]).await?))
    }

    /// The hosts this worker holds now.
    pub fn held_hosts(&self) -> HashSet<String> {
        self.held.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(super) fn hold(&self, hosts: impl IntoIterator<Item = String>) {
        self.held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(hosts);
    }
}

/// This clock's time `seconds` from now.
fn from_now(seconds: f64) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::milliseconds((seconds * 1000.0) as i64)
}

/// Seconds from this clock's now to `t` (0 when past).
fn seconds_until(t: DateTime<Utc>) -> f64 {
    ((t - Utc::now()).num_milliseconds().max(0)) as f64 / 1000.0
}
