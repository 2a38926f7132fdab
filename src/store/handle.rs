//! Store access from async code: the store is one SQLite connection behind a mutex, and every
//! call runs on tokio's blocking pool so a slow write never stalls the reactor. No SQL here.

use std::sync::{Arc, Mutex};

use std::time::Duration;

use super::{Batch, Store, StoreError, Written};

/// A shared, cheaply cloned handle to the one open store of a process.
#[derive(Clone)]
pub struct StoreHandle(Arc<Mutex<Store>>);

impl StoreHandle {
    /// Shares `store` between the cycle, the daemon loop and the watchdog.
    pub fn new(store: Store) -> Self {
        Self(Arc::new(Mutex::new(store)))
    }

    /// Runs `f` with the store on the blocking pool and returns what it returned. A panic in
    /// an earlier call leaves the connection usable (SQLite rolls back an open transaction
    /// when it is dropped), so a poisoned lock is taken over rather than propagated.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Writes `batch`, waiting out another process that holds the archive's write lock past
    /// `busy_timeout` (a hand-run `sqlite3` transaction, a backup tool): the batch is kept and
    /// written again, one warning per attempt, instead of failing the cycle and repeating its
    /// fetches. A write is one transaction, so a refused attempt wrote nothing.
    pub async fn write(&self, batch: Batch) -> Result<(Batch, Vec<Written>), StoreError> {
        let mut batch = batch;
        let mut pause = Duration::from_millis(500);
        loop {
            let (back, result) = self
                .run(move |s| {
                    let r = s.write(&batch);
                    Ok((batch, r))
                })
                .await?;
            match result {
                Ok(written) => return Ok((back, written)),
                Err(e) if e.is_busy() => {
                    tracing::warn!(
                        error = %e,
                        retry_in_ms = pause.as_millis() as u64,
                        "archive locked by another writer; batch kept, retrying"
                    );
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(30));
                    batch = back;
                }
                Err(e) => return Err(e),
            }
        }
    }
}
