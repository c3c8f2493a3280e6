//! The original blocks of replaced heights. When a block is found invalid, its chain replaces it with a
//! deposits-only block at the same height and timestamp. `superroot_atTimestamp` must still answer the
//! original block's output as the chain's optimistic output at that timestamp (specs/interop/superroot.md,
//! "Optimistic Data"), so the verifier keeps, per replaced height, the block it had indexed there and, when it
//! could read it while the block was still canonical, that block's output.
//!
//! Fed from two sides: the RPC server reads the output of every block found invalid while the node still
//! serves it ([`ReplacedBlocks::wanted`], [`ReplacedBlocks::remember_output`]), and the verifier's rewind records
//! the invalid blocks it drops ([`ReplacedBlocks::record_rewind`]). Kept in memory only, bounded.

use std::collections::BTreeMap;

use alloy_primitives::B256;
use superlink_protocol::OutputV0;

use crate::{
    chain_data::{BlockRef, ChainId},
    state::VerifierState,
};

/// How many replaced heights (and pending outputs) are kept; the oldest are dropped first.
const CAPACITY: usize = 4_096;

/// The block a replaced height held before its replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OriginalBlock {
    /// The original block.
    pub block: BlockRef,
    /// Its output, when it was read before the block left the chain.
    pub output: Option<OutputV0>,
}

/// Replaced heights and the outputs of blocks awaiting replacement.
#[derive(Debug, Clone, Default)]
pub struct ReplacedBlocks {
    /// Outputs of blocks found invalid, by block hash, until a rewind drops the block.
    pending: BTreeMap<B256, OutputV0>,
    /// The original block of each replaced height.
    originals: BTreeMap<(ChainId, u64), OriginalBlock>,
}

impl ReplacedBlocks {
    /// The blocks found invalid whose output is not known yet: the server reads them from their chains.
    pub fn wanted(&self, state: &VerifierState) -> Vec<(ChainId, BlockRef)> {
        let mut wanted: Vec<(ChainId, BlockRef)> = state
            .invalid_blocks()
            .into_iter()
            .filter(|b| !self.pending.contains_key(&b.block.hash))
            .map(|b| (b.chain, b.block))
            .collect();
        wanted.sort_by_key(|(chain, block)| (*chain, block.number, block.hash));
        wanted.dedup();
        wanted
    }

    /// Remembers the output of a block found invalid, read while it was canonical.
    pub fn remember_output(&mut self, output: OutputV0) {
        self.pending.insert(output.block_hash, output);
        while self.pending.len() > CAPACITY {
            self.pending.pop_first();
        }
    }

    /// Before `chain` is rewound to `number`: every block found invalid above `number` that was derived
    /// (local-safe) is being replaced; its height keeps the block (and its output, when known). An invalid
    /// block that was never derived is only reorged out, not replaced. A height replaced twice keeps the first
    /// original.
    pub fn record_rewind(&mut self, state: &VerifierState, chain: ChainId, number: u64) {
        let local_safe = state.heads(chain).and_then(|h| h.local_safe).map(|b| b.number);
        for invalid in state.invalid_blocks() {
            let derived = local_safe.is_some_and(|safe| invalid.block.number <= safe);
            if invalid.chain != chain || invalid.block.number <= number || !derived {
                continue;
            }
            let output = self.pending.remove(&invalid.block.hash);
            self.originals
                .entry((chain, invalid.block.number))
                .or_insert(OriginalBlock { block: invalid.block, output });
        }
        while self.originals.len() > CAPACITY {
            self.originals.pop_first();
        }
    }

    /// The original block of `chain`'s height `number`, when the block there now replaces one that had
    /// `timestamp` too.
    pub fn original(&self, chain: ChainId, number: u64, timestamp: u64) -> Option<OriginalBlock> {
        self.originals.get(&(chain, number)).filter(|o| o.block.timestamp == timestamp).copied()
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, Bytes, U256, keccak256};
    use superlink_protocol::{DependencySet, ExecutingMessage, Identifier, predeploys::CROSS_L2_INBOX};

    use super::*;
    use crate::{
        chain_data::{SourceBlock, SourceLog},
        indexing::index_block,
    };

    /// Block `n` of chain 1 (timestamp 100 + 2n): a plain log, or a log executing a forged message.
    fn block(n: u64, forged: bool) -> SourceBlock {
        let hash = |n: u64| keccak256(n.to_be_bytes());
        let log = if forged {
            let identifier = Identifier {
                origin: Address::repeat_byte(1),
                block_number: 0,
                log_index: 0,
                timestamp: 100,
                chain_id: U256::from(1),
            };
            let (topics, data) = ExecutingMessage { identifier, msg_hash: keccak256(b"forged") }.encode_log();
            SourceLog { address: CROSS_L2_INBOX, topics, data }
        } else {
            SourceLog { address: Address::repeat_byte(1), topics: vec![], data: Bytes::from(vec![n as u8]) }
        };
        let block = BlockRef {
            hash: hash(n),
            number: n,
            parent_hash: if n == 0 { B256::ZERO } else { hash(n - 1) },
            timestamp: 100 + 2 * n,
        };
        SourceBlock { block, logs: vec![log] }
    }

    /// Chain 1 with blocks 0..=2, block 2 invalid; local-safe up to `safe`.
    fn state(safe: Option<u64>) -> VerifierState {
        let mut state = VerifierState::new(DependencySet::new([U256::from(1)]).unwrap()).unwrap();
        for n in 0..=2 {
            state.append(1, index_block(&block(n, n == 2)).0).unwrap();
        }
        state.set_local_safe(1, safe);
        state.resolve();
        state
    }

    fn output(hash: B256) -> OutputV0 {
        OutputV0 { state_root: keccak256(hash), message_passer_storage_root: B256::ZERO, block_hash: hash }
    }

    #[test]
    fn a_derived_invalid_block_dropped_by_a_rewind_is_the_heights_original() {
        let state = state(Some(2));
        let invalid = block(2, true).block;
        let mut replaced = ReplacedBlocks::default();
        assert_eq!(replaced.wanted(&state), vec![(1, invalid)]);
        replaced.remember_output(output(invalid.hash));
        assert_eq!(replaced.wanted(&state), vec![]);
        replaced.record_rewind(&state, 1, 1);
        let original = OriginalBlock { block: invalid, output: Some(output(invalid.hash)) };
        assert_eq!(replaced.original(1, 2, invalid.timestamp), Some(original));
        // A block at that height with another timestamp does not replace it.
        assert_eq!(replaced.original(1, 2, invalid.timestamp + 1), None);
        assert_eq!(replaced.original(1, 1, 102), None);
    }

    #[test]
    fn an_invalid_block_never_derived_is_reorged_out_not_replaced() {
        let state = state(Some(1));
        let mut replaced = ReplacedBlocks::default();
        replaced.record_rewind(&state, 1, 1);
        assert_eq!(replaced.original(1, 2, 104), None);
    }
}
