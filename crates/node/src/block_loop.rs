//! The one block loop: every block time, a round of block building runs on the blocking thread pool (off the
//! async workers), handed the timestamp its round is scheduled at. `superlink node --block-time` mines one
//! chain per round; the devnet's sequencer builds every L2 at the round's shared timestamp, and its L1 on a
//! loop of its own.

use std::{sync::Arc, time::Duration};

use tokio::{
    sync::watch,
    time::{Instant, MissedTickBehavior},
};
use tracing::warn;

/// When the rounds of a block loop fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockSchedule {
    /// The timestamp the schedule counts from (the genesis timestamp); the first round is one block time
    /// after it.
    pub start: u64,
    /// Seconds between rounds (at least 1).
    pub block_time: u64,
}

impl BlockSchedule {
    /// The timestamp of round `n` (the first round is 1).
    pub fn round_timestamp(&self, n: u64) -> u64 {
        self.start.saturating_add(n.saturating_mul(self.block_time))
    }

    fn period(&self) -> Duration {
        Duration::from_secs(self.block_time.max(1))
    }
}

/// Runs `round` every block time of `schedule` until `shutdown` changes (or its sender is dropped), with the
/// timestamp the round is scheduled at. Each round runs on the blocking thread pool and the next waits for it;
/// a round that overruns delays the later ones rather than bunching them up.
pub async fn run_block_loop<F>(schedule: BlockSchedule, mut shutdown: watch::Receiver<bool>, round: F)
where
    F: Fn(u64) + Send + Sync + 'static,
{
    let round = Arc::new(round);
    let period = schedule.period();
    let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut n = 0u64;
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = ticks.tick() => {
                n = n.saturating_add(1);
                let scheduled = schedule.round_timestamp(n);
                let round = round.clone();
                if let Err(e) = tokio::task::spawn_blocking(move || round(scheduled)).await {
                    warn!(error = %e, scheduled, "a round of block building failed");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn rounds_fall_one_block_time_apart_after_the_start() {
        let schedule = BlockSchedule { start: 1_000, block_time: 2 };
        assert_eq!(schedule.round_timestamp(1), 1_002);
        assert_eq!(schedule.round_timestamp(3), 1_006);
    }

    #[tokio::test]
    async fn each_round_gets_its_scheduled_timestamp_until_shutdown() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (stop, shutdown) = watch::channel(false);
        let record = seen.clone();
        let looping = tokio::spawn(run_block_loop(
            BlockSchedule { start: 100, block_time: 1 },
            shutdown,
            move |scheduled| record.lock().unwrap().push(scheduled),
        ));
        while seen.lock().unwrap().len() < 3 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        stop.send(true).unwrap();
        looping.await.unwrap();
        let rounds = seen.lock().unwrap().clone();
        assert_eq!(rounds[..3], [101, 102, 103]);
        let after = rounds.len();
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(seen.lock().unwrap().len(), after, "no round after shutdown");
    }
}
