//! The long-running loop: poll what is due, sleep until the next feed is due, stop cleanly.
//!
//! Stopping is safe at any point: a cycle interrupted by SIGTERM/SIGINT has committed whole
//! batches only, and the feeds it had not finished keep their old validators, so the next run
//! fetches them in full and the alias table skips what was already stored. SIGHUP reloads the
//! config between cycles (feeds added or removed without a restart); a bad new config is
//! logged and the old one kept.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tracing::{error, info};

use crate::cli::CliError;
use crate::config::Config;
use crate::pipeline::{CycleStats, Pipeline};
use crate::store::{FeedRow, Store, StoreError};

/// Longest sleep between two looks at the schedule, so feeds added by `tindex feeds add`
/// while the daemon runs are picked up without a restart.
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Reads the config again for SIGHUP.
pub type Reload = Box<dyn Fn() -> Result<Config, CliError> + Send>;

/// The signals the daemon reacts to, registered once so none is lost between two waits.
struct Signals {
    term: Signal,
    int: Signal,
    hup: Signal,
}

impl Signals {
    fn new() -> Result<Self, CliError> {
        let reg = |kind| {
            signal(kind)
                .map_err(|e| CliError::Runtime(format!("cannot install signal handler: {e}")))
        };
        Ok(Self {
            term: reg(SignalKind::terminate())?,
            int: reg(SignalKind::interrupt())?,
            hup: reg(SignalKind::hangup())?,
        })
    }

    async fn stop(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }

    /// Waits for a stop or a reload signal.
    async fn stop_or_reload(&mut self) -> Wake {
        tokio::select! {
            _ = self.term.recv() => Wake::Stop,
            _ = self.int.recv() => Wake::Stop,
            _ = self.hup.recv() => Wake::Reload,
        }
    }
}

/// What woke the idle loop.
enum Wake {
    Timer,
    Stop,
    Reload,
}

/// Runs one cycle over every active feed (`once`), or polls due feeds until a signal.
pub async fn run(
    mut pipeline: Pipeline,
    store: Arc<Mutex<Store>>,
    once: bool,
    reload: Reload,
) -> Result<(), CliError> {
    let mut signals = Signals::new()?;
    if once {
        let (feeds, _) = due(&store, true).await?;
        if feeds.is_empty() {
            info!("no active feeds: add some with `tindex feeds add URL` or in the config");
            return Ok(());
        }
        let cycle = pipeline.run_cycle(feeds);
        tokio::pin!(cycle);
        tokio::select! {
            r = &mut cycle => { r.map_err(|e| CliError::Runtime(e.to_string()))?; }
            _ = signals.stop() => drain(&pipeline, cycle).await,
        }
        return Ok(());
    }
    info!("daemon started");
    notify(&[sd_notify::NotifyState::Ready]);
    if let Some(period) = sd_notify::watchdog_enabled() {
        tokio::spawn(watchdog(store.clone(), period / 2));
    }
    // Consecutive failed cycles (a store error): waits grow from 10 s to 5 min.
    let mut failures = 0u32;
    loop {
        let (feeds, next) = due(&store, false).await?;
        if !feeds.is_empty() {
            let cycle = pipeline.run_cycle(feeds);
            tokio::pin!(cycle);
            tokio::select! {
                r = &mut cycle => match r {
                    Ok(stats) => {
                        failures = 0;
                        notify(&[sd_notify::NotifyState::Status(&status_line(&stats))]);
                    }
                    Err(e) => {
                        failures += 1;
                        let pause = Duration::from_secs(5 << failures.min(6)).min(Duration::from_secs(300));
                        error!(error = %e, pause_secs = pause.as_secs(), "cycle failed; retrying after a pause");
                        tokio::time::sleep(pause).await;
                    }
                },
                _ = signals.stop() => {
                    drain(&pipeline, cycle).await;
                    return stopping();
                }
            }
            continue;
        }
        let wait = next
            .and_then(|n| (n - Utc::now()).to_std().ok())
            .unwrap_or(MAX_IDLE)
            .min(MAX_IDLE);
        let wake = tokio::select! {
            _ = tokio::time::sleep(wait) => Wake::Timer,
            w = signals.stop_or_reload() => w,
        };
        match wake {
            Wake::Timer => {}
            Wake::Stop => return stopping(),
            Wake::Reload => {
                notify(&[sd_notify::NotifyState::Reloading]);
                match reload_config(&reload, &store, &pipeline).await {
                    Ok(p) => {
                        pipeline = p;
                        info!("config reloaded");
                    }
                    Err(e) => error!(error = %e, "config reload failed; keeping the old config"),
                }
                notify(&[sd_notify::NotifyState::Ready]);
            }
        }
    }
}

async fn reload_config(
    reload: &Reload,
    store: &Arc<Mutex<Store>>,
    current: &Pipeline,
) -> Result<Pipeline, CliError> {
    let config = reload()?;
    // Unchanged HTTP settings keep the same client, so hosts' Retry-After pauses and the
    // robots.txt cache survive a reload.
    let fetcher = match current.fetcher_for(&config.fetch) {
        Some(same) => same,
        None => crate::fetch::Fetcher::new(&config.fetch)
            .map_err(|e| CliError::Runtime(format!("cannot build HTTP client: {e}")))?,
    };
    let feeds = config.feeds.clone();
    let s = store.clone();
    tokio::task::spawn_blocking(move || {
        s.lock()
            .unwrap_or_else(|p| p.into_inner())
            .sync_config_feeds(&feeds, Utc::now())
    })
    .await
    .map_err(|e| CliError::Runtime(e.to_string()))??;
    Ok(Pipeline::new(Arc::new(config), fetcher, store.clone()))
}

/// Active feeds due now (all of them with `all`) and when the next one is due.
async fn due(
    store: &Arc<Mutex<Store>>,
    all: bool,
) -> Result<(Vec<FeedRow>, Option<chrono::DateTime<Utc>>), CliError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let s = store.lock().unwrap_or_else(|p| p.into_inner());
        Ok::<_, StoreError>((s.due_feeds(Utc::now(), all)?, s.next_due()?))
    })
    .await
    .map_err(|e| CliError::Runtime(e.to_string()))?
    .map_err(CliError::from)
}

fn status_line(stats: &CycleStats) -> String {
    format!(
        "last cycle {}: {} feeds, {} not modified, {} feed errors, {} new, {} updated, {} duplicate, {} failed",
        crate::store::ts(Utc::now()),
        stats.feeds,
        stats.not_modified,
        stats.feed_errors,
        stats.new,
        stats.updated,
        stats.duplicates,
        stats.failed
    )
}

/// How long a stop waits for fetches in flight to finish and be stored (under systemd's
/// default 60 s `TimeoutStopSec`, and above one request's `timeout_secs` default).
const DRAIN: Duration = Duration::from_secs(35);

/// Lets the running cycle finish what it has started, then returns; whatever is still not
/// done after [`DRAIN`] is dropped (whole transactions only, so nothing is half-written).
async fn drain(
    pipeline: &Pipeline,
    cycle: impl std::future::Future<Output = Result<CycleStats, crate::pipeline::CycleError>>,
) {
    info!(
        "signal received; finishing fetches in flight (at most {} s)",
        DRAIN.as_secs()
    );
    notify(&[sd_notify::NotifyState::Stopping]);
    pipeline.request_stop();
    match tokio::time::timeout(DRAIN, cycle).await {
        Ok(Ok(stats)) => info!(new = stats.new, "in-flight work stored"),
        Ok(Err(e)) => error!(error = %e, "cycle failed while stopping"),
        Err(_) => error!("in-flight work did not finish in time; stopping anyway"),
    }
}

fn stopping() -> Result<(), CliError> {
    info!("signal received, stopping");
    notify(&[sd_notify::NotifyState::Stopping]);
    Ok(())
}

/// Tells systemd about readiness and progress; a no-op when not run by systemd.
fn notify(states: &[sd_notify::NotifyState<'_>]) {
    let _ = sd_notify::notify(states);
}

/// Pings the systemd watchdog only while the database answers, so a wedged store gets the
/// service restarted instead of silently archiving nothing.
async fn watchdog(store: Arc<Mutex<Store>>, every: Duration) {
    let mut tick = tokio::time::interval(every.max(Duration::from_millis(500)));
    loop {
        tick.tick().await;
        let store = store.clone();
        let alive = tokio::task::spawn_blocking(move || {
            let s = store.lock().unwrap_or_else(|p| p.into_inner());
            s.schema_version().is_ok()
        })
        .await
        .unwrap_or(false);
        if alive {
            notify(&[sd_notify::NotifyState::Watchdog]);
        }
    }
}
