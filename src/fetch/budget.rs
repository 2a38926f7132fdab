//! One memory budget for everything a cycle holds, so memory is bounded by configuration, not
//! by what sites send: response bodies being read, bodies waiting to be parsed, the records
//! they become until the writer has stored them (the *body* share), and the DOMs being
//! parsed (the *parse* share). Work waits for budget; it never fails for want of it.
//!
//! Counted in KiB permits of two tokio semaphores. Why it cannot deadlock:
//! - every request reserves a small amount before it is sent ([`MemoryBudget::reserve`]),
//!   after it holds one of the fetcher's `concurrency` slots, so at most `concurrency` small
//!   reservations belong to reads in progress;
//! - a read that outgrows its small reservation first takes the one *large* token, so at most
//!   one read at a time waits for more body budget, and it never asks for more than the body
//!   share minus every small reservation: whatever else holds body budget is a finished body
//!   or record, released by parsing and writing, which wait on nothing a reader holds;
//! - parsing takes its share only while it runs, and holds nothing else it waits on.
//!
//! A read that waits for budget does not time out meanwhile: the fetcher adds the wait to the
//! request's deadline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How much more than its HTML a page costs while parsed: the html5ever DOM, the element
/// figures and the walk's strings (measured: one 19 MiB page raised the peak by 180 MiB,
/// BENCHMARKS.md "Memory under huge pages").
pub const PARSE_FACTOR: usize = 10;

/// How much a response's text is reserved for while it is read and until it is extracted:
/// the text, then the record made of it (body and its index form) before the HTML is freed.
/// After extraction the pipeline shrinks the reservation to the record's own size.
pub const RECORD_FACTOR: usize = 3;

/// Small reservation per request, at most: a news page's HTML is rarely over 1 MiB.
const SMALL_KIB: u32 = 1024;

struct Inner {
    bodies: Arc<Semaphore>,
    large: Arc<Semaphore>,
    parse: Arc<Semaphore>,
    small_kib: u32,
    /// Most body budget one reservation may hold.
    cap_kib: u32,
    parse_kib: u32,
}

/// The budget shared by every request and parse of one fetcher.
#[derive(Clone)]
pub struct MemoryBudget(Arc<Inner>);

impl std::fmt::Debug for MemoryBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryBudget")
            .field("body_kib_free", &self.0.bodies.available_permits())
            .field("parse_kib_free", &self.0.parse.available_permits())
            .finish()
    }
}

fn kib(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}

impl MemoryBudget {
    /// `total_mib` split a third for bodies and records, two thirds for parsing; `readers` is
    /// the most requests in flight at once (the fetcher's `concurrency`).
    pub fn new(total_mib: usize, readers: usize) -> Self {
        let total_kib = u32::try_from(total_mib.saturating_mul(1024)).unwrap_or(u32::MAX / 2);
        let body_kib = (total_kib / 3).max(2);
        let parse_kib = (total_kib - body_kib).max(1);
        let readers = u32::try_from(readers.max(1)).unwrap_or(u32::MAX);
        let small_kib = SMALL_KIB.min(body_kib / (2 * readers)).max(1);
        let cap_kib = body_kib
            .saturating_sub(readers.saturating_mul(small_kib))
            .max(small_kib);
        Self(Arc::new(Inner {
            bodies: Arc::new(Semaphore::new(body_kib as usize)),
            large: Arc::new(Semaphore::new(1)),
            parse: Arc::new(Semaphore::new(parse_kib as usize)),
            small_kib,
            cap_kib,
            parse_kib,
        }))
    }

    /// The small reservation a request takes before it is sent.
    pub async fn reserve(&self) -> Reservation {
        let permit = self
            .0
            .bodies
            .clone()
            .acquire_many_owned(self.0.small_kib)
            .await;
        Reservation {
            permit: permit.ok(),
            large: None,
            budget: self.clone(),
        }
    }

    /// The parse share for a page of `bytes`, held while it is parsed.
    pub async fn parse(&self, bytes: usize) -> Option<OwnedSemaphorePermit> {
        let want = kib(bytes.saturating_mul(PARSE_FACTOR)).min(self.0.parse_kib);
        self.0.parse.clone().acquire_many_owned(want).await.ok()
    }

    /// Body budget not held (for tests and the debug log).
    pub fn free_body_kib(&self) -> usize {
        self.0.bodies.available_permits()
    }
}

/// Body budget held for one response: while it is read, then for its text until the record
/// it becomes is stored. Dropping it gives the budget back.
pub struct Reservation {
    permit: Option<OwnedSemaphorePermit>,
    large: Option<OwnedSemaphorePermit>,
    budget: MemoryBudget,
}

impl std::fmt::Debug for Reservation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reservation({} KiB)", self.held_kib())
    }
}

impl Reservation {
    /// Nothing held: for pages that never needed budget (tests, robots defaults).
    pub fn none(budget: &MemoryBudget) -> Self {
        Self {
            permit: None,
            large: None,
            budget: budget.clone(),
        }
    }

    fn held_kib(&self) -> u32 {
        self.permit.as_ref().map_or(0, |p| p.num_permits() as u32)
    }

    /// Covers `bytes` (up to the per-reservation cap), waiting for budget if need be;
    /// returns how long it waited.
    pub async fn grow_to(&mut self, bytes: usize) -> Duration {
        let inner = &self.budget.0;
        let want = kib(bytes).min(inner.cap_kib);
        let held = self.held_kib();
        if want <= held {
            return Duration::ZERO;
        }
        let started = Instant::now();
        if want > inner.small_kib && self.large.is_none() {
            self.large = inner.large.clone().acquire_owned().await.ok();
        }
        if let Ok(more) = inner.bodies.clone().acquire_many_owned(want - held).await {
            match &mut self.permit {
                Some(p) => p.merge(more),
                None => self.permit = Some(more),
            }
        }
        started.elapsed()
    }

    /// The read is over: keep only what `bytes` of text need, and let the next large read
    /// grow.
    pub fn settle(&mut self, bytes: usize) {
        self.large = None;
        let want = kib(bytes).min(self.budget.0.cap_kib);
        let held = self.held_kib();
        if held > want
            && let Some(p) = &mut self.permit
        {
            drop(p.split((held - want) as usize));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A read may outgrow its small share only while it holds the large token: the second
    /// large read waits until the first has settled.
    #[tokio::test]
    async fn one_read_at_a_time_grows_past_its_small_share() {
        let b = MemoryBudget::new(96, 4);
        let mut first = b.reserve().await;
        let mut second = b.reserve().await;
        first.grow_to(10 << 20).await;
        let waiting = tokio::time::timeout(Duration::from_millis(50), second.grow_to(10 << 20));
        assert!(waiting.await.is_err(), "the large token is taken");
        first.settle(10 << 20);
        tokio::time::timeout(Duration::from_secs(5), second.grow_to(10 << 20))
            .await
            .expect("granted once the first read is done");
    }

    /// Budget comes back when a reservation is settled smaller or dropped.
    #[tokio::test]
    async fn settled_and_dropped_reservations_give_budget_back() {
        let b = MemoryBudget::new(96, 4);
        let all = b.free_body_kib();
        let mut r = b.reserve().await;
        r.grow_to(8 << 20).await;
        assert_eq!(b.free_body_kib(), all - 8 * 1024);
        r.settle(1 << 20);
        assert_eq!(b.free_body_kib(), all - 1024);
        drop(r);
        assert_eq!(b.free_body_kib(), all);
    }

    /// Finished bodies hold the whole body share: a new read waits for one to be stored,
    /// then goes on.
    #[tokio::test]
    async fn a_read_waits_for_stored_bodies_to_free_budget() {
        let b = MemoryBudget::new(30, 2);
        let mut held = Vec::new();
        while b.free_body_kib() >= 1024 {
            let mut r = b.reserve().await;
            r.settle(1 << 20);
            held.push(r);
        }
        let next = b.reserve();
        tokio::pin!(next);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut next)
                .await
                .is_err()
        );
        held.pop();
        tokio::time::timeout(Duration::from_secs(5), next)
            .await
            .expect("granted");
    }
}
