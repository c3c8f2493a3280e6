//! The sequencer policy of every devnet L2: the interop admission check
//! ([`superlink_verifier::InteropAdmission`]) over the embedded verifier, checking executing messages at the
//! timestamp of the next block the sequencer builds, which [`NextBlockTime`] shares between them.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use superlink_node::TimeSource;
use superlink_verifier::Verifier;

pub use superlink_verifier::{ADMISSION_SAFETY, inbox_entries};

/// The admission check of a devnet L2: the embedded verifier answers from its index.
pub type InteropAdmission = superlink_verifier::InteropAdmission<Verifier>;

/// The timestamp of a chain's next block, shared between the sequencer (which sets it) and the pool's
/// admission check (which checks executing messages at it).
#[derive(Debug, Clone, Default)]
pub struct NextBlockTime(Arc<AtomicU64>);

impl NextBlockTime {
    /// Starts at `timestamp`.
    pub fn new(timestamp: u64) -> Self {
        Self(Arc::new(AtomicU64::new(timestamp)))
    }

    /// The timestamp of the next block.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// This time as the time source of blocks mined by hand (they take the timestamp of the next round) and
    /// of the admission check.
    pub fn time_source(&self) -> TimeSource {
        let next = self.clone();
        Arc::new(move || next.get())
    }

    /// Sets the timestamp of the next block.
    pub fn set(&self, timestamp: u64) {
        self.0.store(timestamp, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_block_time_is_shared_between_clones() {
        let time = NextBlockTime::new(10);
        let seen_by_pool = time.clone();
        let source = time.time_source();
        time.set(12);
        assert_eq!(seen_by_pool.get(), 12);
        assert_eq!(source(), 12);
    }
}
