//! The long-running loop: poll what is due, sleep until the next feed is due, stop cleanly.
//!
//! Stopping is safe at any point: a cycle interrupted by SIGTERM/SIGINT has committed whole
//! batches only, and the feeds it had not finished keep their old validators, so the next run
//! fetches them in full and the alias table skips what was already stored.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tracing::{error, info};

use crate::cli::CliError;
use crate::pipeline::Pipeline;
use crate::store::Store;

/// Longest sleep between two looks at the schedule, so feeds added by `tindex feeds add`
/// while the daemon runs are picked up without a restart.
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Runs one cycle over every active feed (`once`), or polls due feeds until a signal.
pub async fn run(pipeline: Pipeline, store: Arc<Mutex<Store>>, once: bool) -> Result<(), CliError> {
    let due = |all: bool| {
        let store = store.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let s = store.lock().unwrap_or_else(|p| p.into_inner());
                let feeds = s.due_feeds(Utc::now(), all)?;
                let next = s.next_due()?;
                Ok::<_, crate::store::StoreError>((feeds, next))
            })
            .await
            .map_err(|e| CliError::Runtime(e.to_string()))?
            .map_err(CliError::from)
        }
    };
    if once {
        let (feeds, _) = due(true).await?;
        if feeds.is_empty() {
            info!("no active feeds: add some with `tindex feeds add URL` or in the config");
            return Ok(());
        }
        tokio::select! {
            r = pipeline.run_cycle(feeds) => { r.map_err(|e| CliError::Runtime(e.to_string()))?; }
            _ = shutdown_signal() => info!("signal received, stopping"),
        }
        return Ok(());
    }
    info!("daemon started");
    notify(&[sd_notify::NotifyState::Ready]);
    if let Some(period) = sd_notify::watchdog_enabled() {
        tokio::spawn(watchdog(store.clone(), period / 2));
    }
    loop {
        let (feeds, next) = due(false).await?;
        if !feeds.is_empty() {
            tokio::select! {
                r = pipeline.run_cycle(feeds) => match r {
                    Ok(stats) => notify(&[sd_notify::NotifyState::Status(&format!(
                        "last cycle {}: {} feeds, {} not modified, {} feed errors, {} new, {} duplicate, {} failed",
                        crate::store::ts(Utc::now()), stats.feeds, stats.not_modified,
                        stats.feed_errors, stats.new, stats.duplicates, stats.failed
                    ))]),
                    Err(e) => {
                        error!(error = %e, "cycle failed; retrying after a pause");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                },
                _ = shutdown_signal() => { return stopping(); }
            }
            continue;
        }
        let wait = next
            .and_then(|n| (n - Utc::now()).to_std().ok())
            .unwrap_or(MAX_IDLE)
            .min(MAX_IDLE);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown_signal() => { return stopping(); }
        }
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

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
