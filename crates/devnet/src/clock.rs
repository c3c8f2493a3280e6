//! The devnet's one clock: a single task that, every L2 block time, builds the next block of every L2 at the
//! same timestamp (so same-timestamp blocks really are simultaneous), and every L1 block time builds an L1
//! block and makes it the L1 origin of the L2s.

use std::{sync::Arc, time::Duration};

use superlink_chain::{ChainError, L1Attributes, StoredBlock};
use superlink_rpc::ChainBackend;
use tokio::{
    sync::watch,
    time::{Instant, MissedTickBehavior},
};
use tracing::{debug, info, warn};

use crate::admission::NextBlockTime;

/// One chain the clock builds blocks on.
#[derive(Debug, Clone)]
pub struct ClockedChain {
    /// The chain's ID (for logs).
    pub chain_id: u64,
    /// The served chain.
    pub backend: Arc<ChainBackend>,
    /// The timestamp of its next block, as the pool's admission check sees it.
    pub next_block: NextBlockTime,
}

/// The timestamp a chain's next block gets: the clock's `scheduled` time, unless the chain's head already
/// reached it (someone mined by hand), in which case one second after the head.
pub fn block_timestamp(scheduled: u64, head_timestamp: u64) -> u64 {
    scheduled.max(head_timestamp.saturating_add(1))
}

/// Builds the next block of `chain` at `scheduled` (see [`block_timestamp`]) and publishes it. While the chain
/// is locked, the next block time moves one `block_time` ahead first, so the revalidation that follows the
/// block checks the pooled transactions at the timestamp they can next be included at.
pub fn build_block(
    chain: &ClockedChain,
    scheduled: u64,
    block_time: u64,
) -> Result<Arc<StoredBlock>, ChainError> {
    let (block, dropped) = {
        let mut guard = chain.backend.lock();
        let timestamp = block_timestamp(scheduled, guard.head().timestamp());
        let previous = chain.next_block.get();
        chain.next_block.set(timestamp.saturating_add(block_time));
        match guard.mine(timestamp) {
            Ok(mined) => (mined.block, mined.dropped),
            Err(e) => {
                chain.next_block.set(previous);
                return Err(e);
            }
        }
    };
    for dropped in &dropped {
        info!(chain_id = chain.chain_id, tx = %dropped.tx.hash(), reason = %dropped.reason,
            "pooled transaction dropped");
    }
    chain.backend.publish_block(&block);
    Ok(block)
}

/// The `safe` and `finalized` labels of an L2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    /// The block labelled safe.
    pub safe: u64,
    /// The block labelled finalized.
    pub finalized: u64,
}

/// The labels of an L2 after an L1 block, in the devnet's simplified derivation: every L1 block carries the
/// batch of all L2 blocks built so far, so the L2's head becomes safe, and the blocks that were safe at the
/// previous L1 block become finalized (the devnet does not wait for L1 finality).
pub fn advance_labels(head: u64, safe: u64) -> Labels {
    Labels { safe: head, finalized: safe.min(head) }
}

/// The block times and the first timestamps of the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The genesis timestamp shared by every chain.
    pub genesis_timestamp: u64,
    /// Seconds between L1 blocks.
    pub l1_block_time: u64,
    /// Seconds between L2 blocks.
    pub l2_block_time: u64,
}

/// Runs the clock until `shutdown` turns true: L2 blocks every `l2_block_time` at one shared timestamp, L1
/// blocks every `l1_block_time`.
pub async fn run_clock(
    l1: ClockedChain,
    l2s: Vec<ClockedChain>,
    schedule: Schedule,
    mut shutdown: watch::Receiver<bool>,
) {
    let l2s = Arc::new(l2s);
    let l2_period = Duration::from_secs(schedule.l2_block_time);
    let l1_period = Duration::from_secs(schedule.l1_block_time);
    let mut l2_ticks = tokio::time::interval_at(Instant::now() + l2_period, l2_period);
    let mut l1_ticks = tokio::time::interval_at(Instant::now() + l1_period, l1_period);
    l2_ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    l1_ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut l2_time = schedule.genesis_timestamp;
    let mut l1_time = schedule.genesis_timestamp;
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = l2_ticks.tick() => {
                l2_time = l2_time.saturating_add(schedule.l2_block_time);
                let chains = l2s.clone();
                let block_time = schedule.l2_block_time;
                let scheduled = l2_time;
                let built = tokio::task::spawn_blocking(move || {
                    for chain in chains.iter() {
                        report(chain, build_block(chain, scheduled, block_time));
                    }
                })
                .await;
                if let Err(e) = built {
                    warn!(error = %e, "building L2 blocks failed");
                }
            }
            _ = l1_ticks.tick() => {
                l1_time = l1_time.saturating_add(schedule.l1_block_time);
                let l1 = l1.clone();
                let chains = l2s.clone();
                let block_time = schedule.l1_block_time;
                let scheduled = l1_time;
                let built = tokio::task::spawn_blocking(move || {
                    let result = build_block(&l1, scheduled, block_time);
                    if let Ok(block) = &result {
                        let origin = L1Attributes {
                            number: block.number(),
                            timestamp: block.timestamp(),
                            hash: block.hash(),
                            ..L1Attributes::default()
                        };
                        for chain in chains.iter() {
                            let mut guard = chain.backend.lock();
                            guard.set_l1_origin(origin);
                            let labels = advance_labels(guard.head_number(), guard.safe_number());
                            if let Err(e) = guard.set_safe(labels.safe).and_then(|()| guard.set_finalized(labels.finalized)) {
                                warn!(chain_id = chain.chain_id, error = %e, "labelling safe and finalized blocks failed");
                            }
                        }
                    }
                    report(&l1, result);
                })
                .await;
                if let Err(e) = built {
                    warn!(error = %e, "building the L1 block failed");
                }
            }
        }
    }
}

fn report(chain: &ClockedChain, result: Result<Arc<StoredBlock>, ChainError>) {
    match result {
        // Blocks with user transactions are news; the L1-attributes-only blocks of an idle chain are not.
        Ok(block) if block.transactions.iter().any(|tx| !tx.envelope.is_deposit()) => info!(
            chain_id = chain.chain_id,
            number = block.number(),
            timestamp = block.timestamp(),
            txs = block.transactions.len(),
            "block built"
        ),
        Ok(block) => debug!(
            chain_id = chain.chain_id,
            number = block.number(),
            timestamp = block.timestamp(),
            "empty block built"
        ),
        Err(e) => warn!(chain_id = chain.chain_id, error = %e, "building a block failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_l1_block_makes_the_head_safe_and_the_previous_safe_finalized() {
        assert_eq!(advance_labels(10, 4), Labels { safe: 10, finalized: 4 });
        let next = advance_labels(16, 10);
        assert_eq!(next, Labels { safe: 16, finalized: 10 });
        assert!(next.finalized <= next.safe);
    }

    #[test]
    fn the_schedule_wins_unless_the_head_is_ahead() {
        assert_eq!(block_timestamp(102, 100), 102);
        assert_eq!(block_timestamp(102, 102), 103);
        assert_eq!(block_timestamp(102, 110), 111);
    }
}
