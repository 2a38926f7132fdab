//! The long-running loop: poll what is due, sleep until the next feed is due, stop cleanly.
//!
//! Stopping is safe at any point: a cycle interrupted by SIGTERM/SIGINT has committed whole
//! batches only, and the feeds it had not finished keep their old validators, so the next run
//! fetches them in full and the alias table skips what was already stored. SIGHUP reloads the
//! config between cycles (feeds added or removed without a restart); a bad new config is
//! logged and the old one kept.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tracing::{error, info, warn};

use crate::config::{Config, ConfigError};
use crate::fetch::{FetchError, Fetcher};
use crate::pipeline::{Backfiller, CycleError, CycleStats, Pipeline, Step};
use crate::store::{FeedRow, StoreError, StoreHandle};

/// Longest sleep between two looks at the schedule, so feeds added by `tindex feeds add`
/// while the daemon runs are picked up without a restart.
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Reads the config again for SIGHUP.
pub type Reload = Box<dyn Fn() -> Result<Config, ConfigError> + Send>;

/// Why the daemon could not start or go on. Everything a cycle meets on the network is
/// recorded instead; only these end `run`.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot install signal handler: {0}")]
    Signals(std::io::Error),
    #[error("cannot build HTTP client: {0}")]
    HttpClient(FetchError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cycle(#[from] CycleError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Listen(#[from] crate::http::ListenError),
}

/// The signals the daemon reacts to, registered once so none is lost between two waits.
pub(crate) struct Signals {
    term: Signal,
    int: Signal,
    hup: Signal,
    /// `tindex backfill` queued work: look at the queue now, not at the next wake.
    usr1: Signal,
}

impl Signals {
    pub(crate) fn new() -> Result<Self, DaemonError> {
        let reg = |kind| signal(kind).map_err(DaemonError::Signals);
        Ok(Self {
            term: reg(SignalKind::terminate())?,
            int: reg(SignalKind::interrupt())?,
            hup: reg(SignalKind::hangup())?,
            usr1: reg(SignalKind::user_defined1())?,
        })
    }

    pub(crate) async fn stop(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }

    /// Whether a SIGHUP came since the last look (a worker busy with cycle after cycle
    /// looks between them).
    pub(crate) fn reload_pending(&mut self) -> bool {
        use futures_util::FutureExt;
        self.hup.recv().now_or_never().is_some()
    }

    /// Waits for a stop or a reload signal.
    pub(crate) async fn stop_or_reload(&mut self) -> Wake {
        tokio::select! {
            _ = self.term.recv() => Wake::Stop,
            _ = self.int.recv() => Wake::Stop,
            _ = self.hup.recv() => Wake::Reload,
            _ = self.usr1.recv() => Wake::Timer,
        }
    }
}

/// What woke the idle loop.
pub(crate) enum Wake {
    Timer,
    Stop,
    Reload,
}

/// The cycle's machinery built from one config: the HTTP client (with its host pauses and
/// robots.txt cache) and the pipeline around it.
pub(crate) struct Machine {
    pub(crate) fetcher: Fetcher,
    pub(crate) pipeline: Pipeline,
}

impl Machine {
    pub(crate) fn build(config: Config, store: &StoreHandle) -> Result<Self, DaemonError> {
        let fetcher = Fetcher::new(&config.fetch).map_err(DaemonError::HttpClient)?;
        Ok(Self::with_fetcher(config, fetcher, store))
    }

    fn with_fetcher(config: Config, fetcher: Fetcher, store: &StoreHandle) -> Self {
        Self {
            pipeline: Pipeline::new(Arc::new(config), fetcher.clone(), store.clone()),
            fetcher,
        }
    }

    /// The machine for a reloaded config. Unchanged HTTP settings keep the same client, so
    /// hosts' Retry-After pauses and the robots.txt cache survive a reload.
    fn rebuild(&self, config: Config, store: &StoreHandle) -> Result<Self, DaemonError> {
        if config.fetch == self.pipeline.config().fetch {
            Ok(Self::with_fetcher(config, self.fetcher.clone(), store))
        } else {
            Self::build(config, store)
        }
    }
}

/// How `run` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One cycle over every active feed, then exit (`run --once`).
    Once,
    /// Until a signal: live polls, and queued backfills between them.
    Daemon,
    /// As a daemon until every queued backfill is walked, then exit (`tindex backfill`);
    /// `bar`: progress as a bar on the terminal.
    Backfill { bar: bool },
}

/// Runs one cycle over every active feed ([`Mode::Once`]), or polls due feeds until a signal
/// (walking queued backfills while nothing is due), or until the backfills are walked.
pub async fn run(
    config: Config,
    store: StoreHandle,
    mode: Mode,
    reload: Reload,
) -> Result<(), DaemonError> {
    let once = mode == Mode::Once;
    let mut signals = Signals::new()?;
    let mut machine = Machine::build(config, &store)?;
    let metrics = crate::metrics::global();
    start_listener(machine.pipeline.config(), &store).await?;
    if once {
        let (feeds, _) = due(&store, true).await?;
        if feeds.is_empty() {
            info!("no active feeds: add some with `tindex feeds add URL` or in the config");
            return Ok(());
        }
        let pipeline = &machine.pipeline;
        let cycle = pipeline.run_cycle(feeds);
        tokio::pin!(cycle);
        tokio::select! {
            r = &mut cycle => { r?; }
            _ = signals.stop() => {
                drain(pipeline, cycle).await;
                return Ok(());
            }
        }
        let after = async {
            crate::discover::recheck_due(&machine.fetcher, &store, &pipeline.config().discover)
                .await;
            // What this run stored is announced before it exits; the rest waits in the outbox.
            if !pipeline.config().webhooks.is_empty() {
                crate::webhooks::deliver_due(&machine.fetcher, &store, pipeline.shared_config())
                    .await;
            }
        };
        tokio::select! {
            _ = after => {}
            _ = signals.stop() => {}
        }
        return Ok(());
    }
    let (hooks_config, hooks_watch) =
        tokio::sync::watch::channel((machine.fetcher.clone(), machine.pipeline.shared_config()));
    crate::webhooks::spawn(store.clone(), hooks_watch);
    info!("daemon started");
    notify(&[sd_notify::NotifyState::Ready]);
    if let Some(period) = sd_notify::watchdog_enabled() {
        tokio::spawn(watchdog(store.clone(), period / 2));
    }
    // Consecutive failed cycles (a store error): waits grow from 10 s to 5 min.
    let mut failures = 0u32;
    let mut backfiller = match mode {
        Mode::Backfill { bar: true } => Backfiller::default().with_bar(),
        _ => Backfiller::default(),
    };
    loop {
        let (feeds, next) = due(&store, false).await?;
        if !feeds.is_empty() {
            let pipeline = &machine.pipeline;
            let started = std::time::Instant::now();
            let cycle = pipeline.run_cycle(feeds);
            tokio::pin!(cycle);
            tokio::select! {
                r = &mut cycle => match r {
                    Ok(stats) => {
                        failures = 0;
                        let headline = after_cycle(&store, metrics, started.elapsed(), true).await;
                        notify(&[sd_notify::NotifyState::Status(&status_line(&stats, &headline))]);
                        let recheck = crate::discover::recheck_due(&machine.fetcher, &store, &pipeline.config().discover);
                        tokio::select! {
                            _ = recheck => {}
                            _ = signals.stop() => return stopping(),
                        }
                    }
                    Err(e) => {
                        after_cycle(&store, metrics, started.elapsed(), false).await;
                        failures += 1;
                        let pause = failure_pause(failures);
                        error!(error = %e, pause_secs = pause.as_secs(), "cycle failed; retrying after a pause");
                        tokio::time::sleep(pause).await;
                    }
                },
                _ = signals.stop() => {
                    drain(pipeline, cycle).await;
                    return stopping();
                }
            }
            continue;
        }
        // Nothing live is due: one step of backfill work (a few stories), then look again.
        let (step, reload_asked) = {
            let pipeline = &machine.pipeline;
            let work = pipeline.backfill_step(&mut backfiller);
            tokio::pin!(work);
            // Signals stay heard for the whole step: a stop drains it; a reload waits for its
            // end; a wake-up (SIGUSR1) finds it already working.
            let mut reload_asked = false;
            loop {
                tokio::select! {
                    r = &mut work => break (r, reload_asked),
                    wake = signals.stop_or_reload() => match wake {
                        Wake::Reload => reload_asked = true,
                        Wake::Timer => {}
                        Wake::Stop => {
                            drain(pipeline, work).await;
                            return stopping();
                        }
                    }
                }
            }
        };
        if reload_asked {
            // A SIGHUP during a backfill step: the step finished first, the reload now.
            machine = reload_now(&reload, &store, machine, tell(&hooks_config)).await;
        }
        let resting = match step {
            Ok(Step::Worked) => {
                // Nothing live was due: the archive is as current as its schedule wants.
                metrics.up_to_date(Utc::now());
                continue;
            }
            Ok(Step::Resting(until)) => Some(until),
            Ok(Step::Idle) if matches!(mode, Mode::Backfill { .. }) => {
                backfiller.finish();
                info!("every queued backfill walked; exiting");
                return Ok(());
            }
            Ok(Step::Idle) => None,
            Err(e) => {
                error!(error = %e, "backfill step failed; trying again in a minute");
                Some(Utc::now() + chrono::Duration::seconds(60))
            }
        };
        metrics.up_to_date(Utc::now());
        // A due time already past (a slow step read `next` before it) is a short wait, not
        // the longest.
        let wait = next
            .into_iter()
            .chain(resting)
            .min()
            .map(|n| (n - Utc::now()).to_std().unwrap_or(Duration::from_secs(1)))
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
                machine = reload_now(&reload, &store, machine, tell(&hooks_config)).await
            }
        }
    }
}

/// The monitoring listener (`/metrics`, `/healthz`, `/readyz`), when the config asks for it.
pub(crate) async fn start_listener(
    config: &Config,
    store: &StoreHandle,
) -> Result<(), DaemonError> {
    let addr = config.http.addr().map_err(|m| {
        DaemonError::Config(crate::config::ConfigError::Invalid {
            path: "config".into(),
            place: "http".into(),
            message: m,
        })
    })?;
    if let Some(addr) = addr {
        crate::http::start(addr, store.clone(), config.daemon.ready_within())
            .await
            .map_err(DaemonError::Listen)?;
    }
    Ok(())
}

/// Tells webhook delivery the reloaded machine's fetcher and config.
fn tell(hooks: &tokio::sync::watch::Sender<(Fetcher, Arc<Config>)>) -> impl FnOnce(&Machine) + '_ {
    move |m| {
        let _ = hooks.send((m.fetcher.clone(), m.pipeline.shared_config()));
    }
}

/// SIGHUP: the config read again and the machine rebuilt from it (`reloaded` told, e.g.
/// webhook delivery), or the old one kept when the new config is bad.
pub(crate) async fn reload_now(
    reload: &Reload,
    store: &StoreHandle,
    machine: Machine,
    reloaded: impl FnOnce(&Machine),
) -> Machine {
    notify(&[sd_notify::NotifyState::Reloading]);
    let machine = match reload_config(reload, store, &machine).await {
        Ok(m) => {
            reloaded(&m);
            info!("config reloaded");
            m
        }
        Err(e) => {
            error!(error = %e, "config reload failed; keeping the old config");
            machine
        }
    };
    notify(&[sd_notify::NotifyState::Ready]);
    machine
}

async fn reload_config(
    reload: &Reload,
    store: &StoreHandle,
    current: &Machine,
) -> Result<Machine, DaemonError> {
    let config = reload()?;
    let feeds = config.sources();
    let hooks = config.hooks();
    let next = current.rebuild(config, store)?;
    store.sync_config(feeds, hooks).await?;
    Ok(next)
}

/// Active feeds due now (all of them with `all`) and when the next one is due.
async fn due(
    store: &StoreHandle,
    all: bool,
) -> Result<(Vec<FeedRow>, Option<chrono::DateTime<Utc>>), DaemonError> {
    Ok(store.due(all).await?)
}

/// The archive-wide figures the metrics and the `STATUS=` line share.
#[derive(Debug, Default)]
pub(crate) struct Headline {
    stories: i64,
    failing_feeds: i64,
    in_backoff: i64,
}

/// Cycle metrics and the feed gauges, after a cycle ended; returns the headline figures.
pub(crate) async fn after_cycle(
    store: &StoreHandle,
    metrics: &'static crate::metrics::Metrics,
    took: Duration,
    ok: bool,
) -> Headline {
    let now = Utc::now();
    metrics.cycle(took, ok, now);
    let read = store.feed_states(now).await;
    match read {
        Ok((states, (stories, _))) => {
            let backoff = states.in_backoff;
            metrics.feeds(&states.by_state, backoff);
            let failing = states
                .by_state
                .iter()
                .find(|(s, _)| *s == "failing")
                .map_or(0, |(_, n)| *n);
            Headline {
                stories,
                failing_feeds: failing,
                in_backoff: backoff,
            }
        }
        Err(e) => {
            warn!(error = %e, "feed states for the metrics could not be read");
            Headline::default()
        }
    }
}

pub(crate) fn status_line(stats: &CycleStats, h: &Headline) -> String {
    format!(
        "last cycle {}: {} feeds, {} not modified, {} feed errors, {} new, {} updated, {} duplicate, {} failed; \
         {} stories stored, {} feeds failing ({} in backoff)",
        crate::store::ts(Utc::now()),
        stats.feeds,
        stats.not_modified,
        stats.feed_errors,
        stats.new,
        stats.updated,
        stats.duplicates,
        stats.failed,
        h.stories,
        h.failing_feeds,
        h.in_backoff
    )
}

/// The pause after the `failures`-th failed cycle in a row (a store error): 10 s doubling to
/// 5 min, for the daemon and a shared-store worker alike.
pub(crate) fn failure_pause(failures: u32) -> Duration {
    Duration::from_secs(5 << failures.min(6)).min(Duration::from_secs(300))
}

/// How long a stop waits for fetches in flight to finish and be stored (under systemd's
/// default 60 s `TimeoutStopSec`, and above one request's `timeout_secs` default).
const DRAIN: Duration = Duration::from_secs(35);

/// Lets the running cycle finish what it has started, then returns; whatever is still not
/// done after [`DRAIN`] is dropped (whole transactions only, so nothing is half-written).
pub(crate) async fn drain<T>(
    pipeline: &Pipeline,
    cycle: impl std::future::Future<Output = Result<T, CycleError>>,
) {
    info!(
        "signal received; finishing fetches in flight (at most {} s)",
        DRAIN.as_secs()
    );
    notify(&[sd_notify::NotifyState::Stopping]);
    pipeline.request_stop();
    match tokio::time::timeout(DRAIN, cycle).await {
        Ok(Ok(_)) => info!("in-flight work stored"),
        Ok(Err(e)) => error!(error = %e, "cycle failed while stopping"),
        Err(_) => error!("in-flight work did not finish in time; stopping anyway"),
    }
}

fn stopping() -> Result<(), DaemonError> {
    info!("signal received, stopping");
    notify(&[sd_notify::NotifyState::Stopping]);
    Ok(())
}

/// Tells systemd about readiness and progress; a no-op when not run by systemd.
pub(crate) fn notify(states: &[sd_notify::NotifyState<'_>]) {
    let _ = sd_notify::notify(states);
}

/// Pings the systemd watchdog only while the database answers, so a wedged store gets the
/// service restarted instead of silently archiving nothing.
pub(crate) async fn watchdog(store: StoreHandle, every: Duration) {
    let mut tick = tokio::time::interval(every.max(Duration::from_millis(500)));
    loop {
        tick.tick().await;
        if store.schema_version().await.is_ok() {
            notify(&[sd_notify::NotifyState::Watchdog]);
        }
    }
}
