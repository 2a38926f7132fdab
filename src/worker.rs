//! A worker on a shared PostgreSQL store: the daemon's loop, with work leased host by host
//! instead of read from a file only this process writes.
//!
//! ```text
//! lease hosts with due feeds ─▶ cycle over their feeds (lease renewed meanwhile) ─▶ release
//!        │ none free: another worker has them ─▶ wait for the earliest lease to end
//!        │ none due: --once exits; the daemon sleeps until the next feed is due
//! ```
//!
//! A worker killed mid-cycle leaves its hosts leased until `lease_until`; the feeds it had
//! not finished keep their old validators and schedule (committed only after their stories),
//! so the next worker to take the host polls them in full and the alias table skips what was
//! already stored, exactly as a restart after a crash does on one machine.

use std::time::Duration;

use chrono::Utc;
use tracing::{error, info, warn};

use crate::config::Config;
use crate::daemon::DaemonError;
use crate::fetch::Fetcher;
use crate::pipeline::Pipeline;
use crate::store::StoreHandle;
use crate::store::pg::{Lease, PgStore};

/// Hosts one lease takes: enough for a cycle to keep connections busy, few enough that the
/// other workers find hosts left to take.
const HOSTS_PER_LEASE: i64 = 8;

/// Longest wait between two looks at the shared schedule.
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Runs until no feed is due (`once`) or until SIGTERM/SIGINT.
pub async fn run(config: Config, pg: PgStore, once: bool) -> Result<(), DaemonError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;
    let store = StoreHandle::shared(pg.clone());
    // Workers whose configs list feeds in another order may still deadlock on the upserts
    // (PostgreSQL then aborts one): nothing was written, so that one tries again.
    let mut attempt = 0;
    loop {
        match store.sync_config(config.sources(), config.hooks()).await {
            Err(e) if e.is_busy() && attempt < 5 => {
                attempt += 1;
                warn!(error = %e, "config feeds not synced (another worker at it); retrying");
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
            r => break r?,
        }
    }
    let lease_for = Duration::from_secs(config.daemon.lease_secs);
    let fetcher = Fetcher::new(&config.fetch).map_err(DaemonError::HttpClient)?;
    let pipeline = Pipeline::new(std::sync::Arc::new(config), fetcher, store.clone());
    info!(
        worker = pg.worker(),
        lease_secs = lease_for.as_secs(),
        "worker started"
    );
    // Consecutive failed cycles (a store error): waits grow from 10 s to 5 min.
    let mut failures = 0u32;
    loop {
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(lease_for).unwrap_or_default();
        let wait = match pg.lease_due(now, until, HOSTS_PER_LEASE).await? {
            Lease::Taken { hosts, feeds } => {
                info!(hosts = ?hosts, feeds = feeds.len(), "hosts leased");
                let renewal = tokio::spawn(renew(pg.clone(), hosts.clone(), lease_for));
                let cycle = pipeline.run_cycle(feeds);
                tokio::pin!(cycle);
                let (stopped, failed) = tokio::select! {
                    r = &mut cycle => (false, r.err()),
                    _ = term.recv() => (true, None),
                    _ = int.recv() => (true, None),
                };
                if stopped {
                    info!("signal received; finishing fetches in flight");
                    pipeline.request_stop();
                    if let Err(e) = cycle.await {
                        error!(error = %e, "cycle failed while stopping");
                    }
                }
                renewal.abort();
                if let Err(e) = pg.release(&hosts).await {
                    warn!(error = %e, "leases not released; they end on their own at lease_until");
                }
                if stopped {
                    info!("worker stopped");
                    return Ok(());
                }
                match failed {
                    None => {
                        failures = 0;
                        continue;
                    }
                    Some(e) if once => return Err(e.into()),
                    Some(e) => {
                        failures += 1;
                        let pause = crate::daemon::failure_pause(failures);
                        error!(error = %e, pause_secs = pause.as_secs(), "cycle failed; its hosts are released, retrying after a pause");
                        pause
                    }
                }
            }
            Lease::Busy(until) => {
                let wait = (until - Utc::now()).to_std().unwrap_or_default();
                info!(until = %crate::store::ts(until), "every host with due feeds is leased by another worker; waiting");
                wait.clamp(Duration::from_millis(200), Duration::from_secs(5))
            }
            Lease::Idle if once => {
                info!("no feed due on the shared store; exiting");
                return Ok(());
            }
            Lease::Idle => pg
                .next_due()
                .await?
                .and_then(|n| (n - Utc::now()).to_std().ok())
                .unwrap_or(MAX_IDLE)
                .clamp(Duration::from_millis(200), MAX_IDLE),
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = term.recv() => { info!("worker stopped"); return Ok(()); }
            _ = int.recv() => { info!("worker stopped"); return Ok(()); }
        }
    }
}

/// Renews the leases on `hosts` every third of `lease_for` until aborted; a lease found taken
/// over (this worker stalled past it) is said once per renewal.
async fn renew(pg: PgStore, hosts: Vec<String>, lease_for: Duration) {
    let mut tick = tokio::time::interval(lease_for / 3);
    tick.tick().await;
    loop {
        tick.tick().await;
        let until = Utc::now() + chrono::Duration::from_std(lease_for).unwrap_or_default();
        match pg.renew(&hosts, until).await {
            Ok(n) if n as usize == hosts.len() => {}
            Ok(n) => warn!(
                held = n,
                leased = hosts.len(),
                "host leases lost to another worker"
            ),
            Err(e) => warn!(error = %e, "host leases not renewed"),
        }
    }
}
