//! A worker on a shared PostgreSQL store: the daemon's loop, with work leased host by host
//! instead of read from a file only this process writes.
//!
//! ```text
//! lease hosts with due feeds ─▶ cycle over their feeds (lease renewed meanwhile) ─▶ release
//!        │ none free: another worker has them ─▶ wait for the earliest lease to end
//!        │ none due: --once exits (every feed polled since it started, by it or another
//!        │           worker); the daemon sleeps until the next feed is due
//! ```
//!
//! A worker killed mid-cycle leaves its hosts leased until `lease_until`; the feeds it had
//! not finished keep their old validators and schedule (committed only after their stories),
//! so the next worker to take the host polls them in full and the alias table skips what was
//! already stored, exactly as a restart after a crash does on one machine.

use std::time::{Duration, Instant};

use tracing::{error, info, warn};

use crate::config::Config;
use crate::daemon::{
    DaemonError, Machine, Reload, Signals, Wake, after_cycle, drain, notify, reload_now,
    start_listener, status_line, watchdog,
};
use crate::pipeline::Pipeline;
use crate::store::StoreHandle;
use crate::store::pg::{Due, HostShare, Lease, PgStore};

/// Hosts one lease takes: enough for a cycle to keep connections busy, few enough that the
/// other workers find hosts left to take.
const HOSTS_PER_LEASE: i64 = 8;

/// Longest wait between two looks at the shared schedule.
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Shortest: a feed due already, or a lease ending now, is looked at again soon, not at once.
const MIN_WAIT: Duration = Duration::from_millis(200);

/// Runs until no feed is due (`once`) or until SIGTERM/SIGINT; SIGHUP reloads the config
/// between cycles.
pub async fn run(
    config: Config,
    pg: PgStore,
    once: bool,
    reload: Reload,
) -> Result<(), DaemonError> {
    let mut signals = Signals::new()?;
    let lease_for = Duration::from_secs(config.daemon.lease_secs);
    let pg = pg.leasing(lease_for);
    let store = StoreHandle::shared(pg.clone());
    pg.register().await?;
    sync_config(&store, &config).await?;
    start_listener(&config, &store).await?;
    say_what_stays_behind(&config);
    let mut machine = Machine::build(config, &store)?;
    let metrics = crate::metrics::global();
    info!(
        worker = pg.worker(),
        lease_secs = lease_for.as_secs(),
        "worker started"
    );
    if !once {
        notify(&[sd_notify::NotifyState::Ready]);
        if let Some(period) = sd_notify::watchdog_enabled() {
            tokio::spawn(watchdog(store.clone(), period / 2));
        }
    }
    // `run --once` polls every feed once, as on SQLite: each one not polled since it started
    // (by it or by another worker), then ends, even beside a daemon that keeps them polled.
    let due = if once {
        Due::NotPolledSince(pg.server_time().await?)
    } else {
        Due::Now
    };
    // Consecutive failures (a cycle's store error, or the store not answering): waits grow
    // from 10 s to 5 min.
    let mut failures = 0u32;
    loop {
        if !once && signals.reload_pending() {
            machine = reload_now(&reload, &store, machine, said).await;
        }
        let wait = match pg.lease_due(&due, HOSTS_PER_LEASE).await {
            Err(e) if once => return Err(e.into()),
            Err(e) => {
                failures += 1;
                let pause = crate::daemon::failure_pause(failures);
                error!(error = %e, pause_secs = pause.as_secs(), "shared store not answering; asking again after a pause");
                pause
            }
            Ok(Lease::Taken { hosts, feeds }) => {
                info!(hosts = ?hosts, feeds = feeds.len(), "hosts leased");
                let pipeline = &machine.pipeline;
                take_share(&pg, pipeline, &hosts).await;
                // This cycle's own stop, so that a lost lease ends this cycle and no other.
                let cycle_pipeline = pipeline.with_own_stop();
                let renewal = tokio::spawn(renew(pg.clone(), lease_for, cycle_pipeline.clone()));
                let started = Instant::now();
                let cycle = cycle_pipeline.run_cycle(feeds);
                tokio::pin!(cycle);
                let result = tokio::select! {
                    r = &mut cycle => Some(r),
                    _ = signals.stop() => None,
                };
                if result.is_none() {
                    drain(&cycle_pipeline, cycle).await;
                }
                // The renewal ends on its own only when the leases were lost.
                let lost = renewal.is_finished();
                renewal.abort();
                let fetcher = pipeline.fetcher();
                let share = HostShare {
                    robots: fetcher.robots_snapshot(),
                    pauses: fetcher.pauses(),
                };
                if let Err(e) = pg.save_host_share(&share).await {
                    warn!(error = %e, "robots.txt rules and host pauses not shared");
                }
                if let Err(e) = pg.release().await {
                    warn!(error = %e, "leases not released; they end on their own at lease_until");
                }
                let Some(result) = result else {
                    info!("worker stopped");
                    return Ok(());
                };
                let headline =
                    after_cycle(&store, metrics, started.elapsed(), result.is_ok()).await;
                match result {
                    Ok(stats) => {
                        failures = 0;
                        notify(&[sd_notify::NotifyState::Status(&status_line(
                            &stats, &headline,
                        ))]);
                        if lost {
                            warn!(hosts = ?hosts, "cycle ended early: its host leases were lost; feeds left unfinished are polled again by their new holder");
                        }
                        continue;
                    }
                    Err(e) if once => return Err(e.into()),
                    Err(e) => {
                        failures += 1;
                        let pause = crate::daemon::failure_pause(failures);
                        error!(error = %e, pause_secs = pause.as_secs(), "cycle failed; its hosts are released, retrying after a pause");
                        pause
                    }
                }
            }
            Ok(Lease::Busy(left)) => {
                failures = 0;
                // The store is being worked, by others: as current as it can be from here.
                metrics.up_to_date(chrono::Utc::now());
                info!(
                    wait_ms = left.as_millis() as u64,
                    "every host with due feeds is leased by another worker; waiting"
                );
                left.clamp(MIN_WAIT, Duration::from_secs(1))
            }
            Ok(Lease::Idle(_)) if once => {
                info!("no feed due on the shared store; exiting");
                return Ok(());
            }
            Ok(Lease::Idle(next)) => {
                failures = 0;
                metrics.up_to_date(chrono::Utc::now());
                next.unwrap_or(MAX_IDLE).clamp(MIN_WAIT, MAX_IDLE)
            }
        };
        let wake = tokio::select! {
            _ = tokio::time::sleep(wait) => Wake::Timer,
            w = signals.stop_or_reload() => w,
        };
        match wake {
            Wake::Timer => {}
            Wake::Stop => {
                info!("worker stopped");
                notify(&[sd_notify::NotifyState::Stopping]);
                return Ok(());
            }
            Wake::Reload => machine = reload_now(&reload, &store, machine, said).await,
        }
    }
}

/// Makes the config's sources the shared store's active config sources. Workers whose configs
/// list feeds in another order may still deadlock on the upserts (PostgreSQL then aborts
/// one): nothing was written, so that one tries again.
async fn sync_config(store: &StoreHandle, config: &Config) -> Result<(), DaemonError> {
    let mut attempt = 0;
    loop {
        match store.sync_config(config.sources(), config.hooks()).await {
            Err(e) if e.is_busy() && attempt < 5 => {
                attempt += 1;
                warn!(error = %e, "config feeds not synced (another worker at it); retrying");
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
            r => return Ok(r?),
        }
    }
}

/// After a reload: what the new config asks for that a worker does not do.
fn said(machine: &Machine) {
    say_what_stays_behind(machine.pipeline.config());
}

/// What the config asks for that a worker on the shared store does not do, one warning each,
/// so nobody waits for it.
fn say_what_stays_behind(config: &Config) {
    if !config.webhooks.is_empty() {
        warn!(
            "webhooks are delivered from a SQLite archive only; a worker on the shared store sends none"
        );
    }
    if config.raw_pages.keep {
        // On by default: said, not warned.
        info!(
            "raw pages are kept beside a SQLite archive only; a worker on the shared store keeps none"
        );
    }
    if !config.discover.pages.is_empty() {
        warn!("[discover] pages are re-checked by a daemon on a SQLite archive only");
    }
}

/// Seeds the fetcher with what other workers learnt of `hosts` (robots.txt rules, pauses).
async fn take_share(pg: &PgStore, pipeline: &Pipeline, hosts: &[String]) {
    match pg.host_share(hosts).await {
        Ok(share) => pipeline.trust(share),
        Err(e) => warn!(error = %e, "shared robots.txt rules and host pauses not read"),
    }
}

/// Renews the leases on every host this worker holds, every third of `lease_for`. Returns
/// (having stopped the cycle) once they are lost: another worker holds one of them (this
/// worker stalled past its lease), or no renewal went through for two thirds of a lease (a
/// store that does not answer), so they may end before this worker knows: work on a host
/// another worker holds would break the cluster's politeness and double its fetches.
async fn renew(pg: PgStore, lease_for: Duration, cycle: Pipeline) {
    let every = lease_for / 3;
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    let mut renewed = Instant::now();
    loop {
        tick.tick().await;
        let sent = Instant::now();
        match tokio::time::timeout(every, pg.renew()).await {
            Ok(Ok(lost)) if lost.is_empty() => renewed = sent,
            Ok(Ok(lost)) => {
                warn!(
                    hosts = ?lost,
                    "host leases lost to another worker; stopping this cycle"
                );
                cycle.request_stop();
                return;
            }
            Ok(Err(e)) => warn!(error = %e, "host leases not renewed; trying again"),
            Err(_) => warn!(
                wait_ms = every.as_millis() as u64,
                "host leases not renewed in time; trying again"
            ),
        }
        if renewed.elapsed() >= lease_for * 2 / 3 {
            warn!(
                "host leases not renewed for two thirds of a lease; stopping this cycle before they end"
            );
            cycle.request_stop();
            return;
        }
    }
}
