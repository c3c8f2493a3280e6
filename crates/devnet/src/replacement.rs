//! Invalid blocks are replaced: when the verifier finds that a local-safe L2 block executes a message that is
//! not valid (a forged message, or one whose source block was reorged out after the relay was built), the
//! devnet, as that chain's derivation, replaces the block with a deposits-only block and rebuilds its
//! descendants, as the protocol requires; derivation takes the replacement as the local-safe block. An invalid
//! block that is still unsafe waits until it is derived: only then is it known for certain.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use alloy_primitives::B256;
use superlink_node::ChainService;
use superlink_protocol::SafetyLevel;
use superlink_verifier::{ChainId, InvalidBlock, Verifier};
use tokio::sync::watch;
use tracing::{info, warn};

use crate::pipeline::L1Pipeline;

/// How often the verifier's invalid blocks are looked at.
const CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// The block to replace on each chain: the lowest block found invalid at cross-safe (so derived: local-safe)
/// that is still the chain's block at that height (`canonical` gives a chain's block hash at a height). Descendants of an invalid
/// block are rebuilt by its replacement, so only the lowest one counts.
pub fn blocks_to_replace(
    invalid: &[InvalidBlock],
    canonical: impl Fn(ChainId, u64) -> Option<B256>,
) -> BTreeMap<ChainId, u64> {
    let mut lowest = BTreeMap::new();
    for block in invalid {
        if block.level != SafetyLevel::Safe
            || canonical(block.chain, block.block.number) != Some(block.block.hash)
        {
            continue;
        }
        lowest
            .entry(block.chain)
            .and_modify(|n: &mut u64| *n = (*n).min(block.block.number))
            .or_insert(block.block.number);
    }
    lowest
}

/// Replaces, until `shutdown` turns true, every block of `chains` that the verifier finds invalid once derived,
/// and hands the replacement to derivation.
pub async fn run_replacements(
    verifier: Verifier,
    chains: BTreeMap<ChainId, Arc<ChainService>>,
    pipeline: Arc<Mutex<L1Pipeline>>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(CHECK_INTERVAL) => {}
        }
        let invalid = verifier.read().invalid_blocks();
        if invalid.is_empty() {
            continue;
        }
        let canonical = |chain: ChainId, number: u64| {
            chains.get(&chain).and_then(|s| s.read().block_by_number(number)).map(|b| b.hash())
        };
        for (chain, number) in blocks_to_replace(&invalid, canonical) {
            let Some(service) = chains.get(&chain) else { continue };
            let reason = invalid
                .iter()
                .find(|b| b.chain == chain && b.block.number == number)
                .map(|b| b.reason.clone())
                .unwrap_or_default();
            let service = service.clone();
            let pipeline = pipeline.clone();
            let replace = move || {
                // Derivation must not read the chain between the replacement and taking it.
                let mut pipeline = pipeline.lock().unwrap_or_else(PoisonError::into_inner);
                let outcome = service.replace_with_deposits_only(number)?;
                pipeline.adopt_replacement(chain, number);
                Ok::<_, superlink_chain::ChainError>(outcome)
            };
            match tokio::task::spawn_blocking(replace).await {
                Ok(Ok(outcome)) => info!(
                    chain_id = chain,
                    number,
                    removed = outcome.removed.len(),
                    rebuilt = outcome.replaced.len(),
                    reason,
                    "invalid block replaced by a deposits-only block"
                ),
                Ok(Err(e)) => {
                    warn!(chain_id = chain, number, error = %e, "replacing an invalid block failed")
                }
                Err(e) => warn!(chain_id = chain, number, error = %e, "the replacement task failed"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use superlink_verifier::BlockRef;

    fn invalid(chain: ChainId, number: u64, level: SafetyLevel) -> InvalidBlock {
        InvalidBlock {
            chain,
            block: BlockRef {
                hash: B256::with_last_byte(number as u8),
                number,
                parent_hash: B256::ZERO,
                timestamp: number,
            },
            level,
            reason: "test".into(),
        }
    }

    #[test]
    fn the_lowest_canonical_invalid_block_found_at_cross_safe_of_each_chain_is_replaced() {
        let found = [
            invalid(902, 7, SafetyLevel::Safe),
            invalid(902, 5, SafetyLevel::Safe),
            invalid(903, 4, SafetyLevel::CrossUnsafe),
            invalid(901, 3, SafetyLevel::Safe),
        ];
        // 901 already replaced block 3 (another hash there now).
        let canonical =
            |chain: ChainId, number: u64| (chain != 901).then(|| B256::with_last_byte(number as u8));
        let chosen = blocks_to_replace(&found, canonical);
        assert_eq!(chosen, BTreeMap::from([(902, 5)]));
    }
}
