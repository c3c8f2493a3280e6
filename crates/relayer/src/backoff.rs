//! Exponential backoff between attempts: the delay doubles from `initial` up to `max`, and a message is given
//! up after `max_attempts` failed attempts.

use std::time::Duration;

/// How long to wait between failed attempts, and when to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay after the first failure.
    pub initial: Duration,
    /// Longest delay.
    pub max: Duration,
    /// Attempts after which a failing message is given up.
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { initial: Duration::from_millis(250), max: Duration::from_secs(30), max_attempts: 20 }
    }
}

impl Backoff {
    /// The delay before the next attempt after `failures` failed attempts (`failures >= 1`).
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.initial.saturating_mul(1u32 << doublings).min(self.max)
    }

    /// Whether `failures` failed attempts are enough to give up.
    pub fn exhausted(&self, failures: u32) -> bool {
        failures >= self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_up_to_the_cap() {
        let b = Backoff { initial: Duration::from_millis(100), max: Duration::from_secs(1), max_attempts: 5 };
        let delays: Vec<u128> = (1..=6).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.delay(u32::MAX), b.max);
        assert!(!b.exhausted(4));
        assert!(b.exhausted(5));
    }
}
