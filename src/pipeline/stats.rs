//! What a cycle did, summed over its chunks: for the `cycle done` line, `STATUS=` and tests.

/// Counts of one cycle (or one chunk of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CycleStats {
    pub feeds: usize,
    pub not_modified: usize,
    pub feed_errors: usize,
    pub entries: usize,
    pub new: usize,
    pub duplicates: usize,
    pub updated: usize,
    pub failed: usize,
    /// Stored stories fetched again because their feed said they changed, whose fetch failed:
    /// the stored version stays.
    pub refetch_failed: usize,
    /// Articles not fetched this time for a passing reason (host pause, robots.txt
    /// unreachable); their feeds keep old validators so the next poll tries again.
    pub deferred: usize,
}

impl std::ops::AddAssign for CycleStats {
    fn add_assign(&mut self, o: Self) {
        self.feeds += o.feeds;
        self.not_modified += o.not_modified;
        self.feed_errors += o.feed_errors;
        self.entries += o.entries;
        self.new += o.new;
        self.duplicates += o.duplicates;
        self.updated += o.updated;
        self.failed += o.failed;
        self.refetch_failed += o.refetch_failed;
        self.deferred += o.deferred;
    }
}
