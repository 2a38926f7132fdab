//! Store access from async code: the store is one SQLite connection behind a mutex, and every
//! call runs on tokio's blocking pool so a slow write never stalls the reactor. No SQL here.

use std::sync::{Arc, Mutex};

use super::{Store, StoreError};

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
}
