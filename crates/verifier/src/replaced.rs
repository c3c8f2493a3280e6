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

    /// Before `chain` is rewound to `number`: every block found invalid above `number` is being replaced;
    /// its height keeps the block (and its output, when known). A height replaced twice keeps the first
    /// original.
    pub fn record_rewind(&mut self, state: &VerifierState, chain: ChainId, number: u64) {
        for invalid in state.invalid_blocks() {
            if invalid.chain != chain || invalid.block.number <= number {
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
