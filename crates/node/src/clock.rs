//! The clock of blocks mined on request (`evm_mine`, automine, a block loop that asks for "now"): a time
//! source, an offset that `evm_increaseTime` adds to, and a one-off timestamp from
//! `evm_setNextBlockTimestamp`.

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

/// Where the clock of future blocks counts from: the current time, in seconds since the Unix epoch.
pub type TimeSource = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The wall clock, the default [`TimeSource`].
pub fn wall_clock() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// The clock of future blocks: an offset over the time source, and a one-off fixed timestamp.
pub struct DevClock {
    now: TimeSource,
    offset: u64,
    next_timestamp: Option<u64>,
}

impl Default for DevClock {
    fn default() -> Self {
        Self::new(Arc::new(wall_clock))
    }
}

impl std::fmt::Debug for DevClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevClock")
            .field("offset", &self.offset)
            .field("next_timestamp", &self.next_timestamp)
            .finish_non_exhaustive()
    }
}

impl DevClock {
    /// A clock that counts from `now`, with no offset and no fixed timestamp.
    pub fn new(now: TimeSource) -> Self {
        Self { now, offset: 0, next_timestamp: None }
    }

    /// Counts from `now` from here on; the offset and a fixed timestamp stay.
    pub fn set_time_source(&mut self, now: TimeSource) {
        self.now = now;
    }

    /// Moves the clock forward by `seconds`; the total offset, or `None` (and no change) when the clock would
    /// pass `max`.
    pub fn increase(&mut self, seconds: u64, max: u64) -> Option<u64> {
        let offset = self.offset.checked_add(seconds)?;
        if (self.now)().checked_add(offset)? > max {
            return None;
        }
        self.offset = offset;
        Some(offset)
    }

    /// Fixes the timestamp of the next block (once).
    pub fn fix_next(&mut self, timestamp: u64) {
        self.next_timestamp = Some(timestamp);
    }

    /// The timestamp the clock would give a block mined now, before the rule that a block follows its
    /// parent, without using anything up: the fixed one if set (`Ok`), else the source's time plus the offset
    /// (`Err`).
    pub fn peek(&self) -> Result<u64, u64> {
        match self.next_timestamp {
            Some(fixed) => Ok(fixed),
            None => Err((self.now)().saturating_add(self.offset)),
        }
    }

    /// The timestamp of the next block: the fixed one if set (used up), else the source's time plus the
    /// offset, and always after the parent's.
    pub fn next(&mut self, parent: u64) -> u64 {
        if let Some(fixed) = self.next_timestamp.take() {
            return fixed;
        }
        (self.now)().saturating_add(self.offset).max(parent.saturating_add(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_timestamp_is_fixed_once_then_follows_the_source_plus_offset_after_the_parent() {
        let mut clock = DevClock::new(Arc::new(|| 1_000));
        assert_eq!(clock.next(10), 1_000);
        assert_eq!(clock.next(1_000), 1_001, "always after the parent");
        assert_eq!(clock.increase(50, u64::MAX), Some(50));
        assert_eq!(clock.increase(10, u64::MAX), Some(60));
        assert_eq!(clock.increase(u64::MAX, u64::MAX), None, "an overflow is refused");
        assert_eq!(clock.increase(1, 1_060), None, "past the largest timestamp is refused");
        assert_eq!(clock.increase(0, 1_060), Some(60));
        assert_eq!(clock.next(10), 1_060);
        assert_eq!(clock.peek(), Err(1_060));
        clock.fix_next(5_000);
        assert_eq!(clock.peek(), Ok(5_000), "peeking uses nothing up");
        assert_eq!(clock.next(10), 5_000);
        assert_eq!(clock.next(10), 1_060, "a fixed timestamp is used once");
        clock.set_time_source(Arc::new(|| 2_000));
        assert_eq!(clock.next(10), 2_060, "the offset stays with a new source");
    }
}
