//! The politeness budget: a global cap on requests in flight, a per-host cap, a minimum gap
//! between request starts to one host, and host-wide pauses after 429/503 `Retry-After`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Longest a request waits for a paused host within a cycle.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub(crate) struct HostLimits {
    global: Arc<Semaphore>,
    per_host: usize,
    gap: Duration,
    hosts: Arc<Mutex<HashMap<String, Arc<Host>>>>,
}

struct Host {
    in_flight: Arc<Semaphore>,
    /// Earliest instant the next request to this host may start.
    next_start: Mutex<Instant>,
    /// The end of the pause the host asked for (`Retry-After`), if it asked.
    paused_until: Mutex<Option<Instant>>,
}

/// Held for the duration of one request; dropping it frees both slots.
pub(crate) struct Permit {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl HostLimits {
    pub(crate) fn new(global: usize, per_host: usize, gap: Duration) -> Self {
        Self {
            global: Arc::new(Semaphore::new(global)),
            per_host,
            gap,
            hosts: Arc::default(),
        }
    }

    fn host(&self, name: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .entry(name.to_owned())
            .or_insert_with(|| {
                Arc::new(Host {
                    in_flight: Arc::new(Semaphore::new(self.per_host)),
                    next_start: Mutex::new(Instant::now()),
                    paused_until: Mutex::new(None),
                })
            })
            .clone()
    }

    /// Waits for a host slot, then for the host's gap, then for a global slot. A host paused
    /// (by `Retry-After`) for longer than [`MAX_WAIT`] is not waited for: the caller gets
    /// how long the pause still runs, records it, and tries again on a later poll, so one
    /// host asking for an hour's rest cannot hold a whole cycle for an hour.
    pub(crate) async fn acquire(&self, name: &str) -> Result<Permit, Duration> {
        let host = self.host(name);
        let host_permit = host
            .in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("host semaphores are never closed");
        loop {
            let wait_until = {
                let mut next = host.next_start.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                if *next <= now {
                    *next = now + self.gap;
                    None
                } else {
                    Some(*next)
                }
            };
            match wait_until {
                None => break,
                Some(at) if at - Instant::now() > MAX_WAIT => return Err(at - Instant::now()),
                Some(at) => tokio::time::sleep_until(at).await,
            }
        }
        let global_permit = self
            .global
            .clone()
            .acquire_owned()
            .await
            .expect("the global semaphore is never closed");
        Ok(Permit {
            _host: host_permit,
            _global: global_permit,
        })
    }

    /// Holds every later request to `name` back for `wait` (a server's `Retry-After`).
    pub(crate) fn pause(&self, name: &str, wait: Duration) {
        let host = self.host(name);
        let mut next = host.next_start.lock().unwrap_or_else(|p| p.into_inner());
        let Some(until) = Instant::now().checked_add(wait) else {
            return;
        };
        if *next < until {
            *next = until;
        }
        let mut paused = host.paused_until.lock().unwrap_or_else(|p| p.into_inner());
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }

    /// Hosts whose pause still runs, with how long it has left.
    pub(crate) fn paused(&self) -> Vec<(String, Duration)> {
        let hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        hosts
            .iter()
            .filter_map(|(name, host)| {
                let until = (*host.paused_until.lock().unwrap_or_else(|p| p.into_inner()))?;
                (until > now).then(|| (name.clone(), until - now))
            })
            .collect()
    }
}
