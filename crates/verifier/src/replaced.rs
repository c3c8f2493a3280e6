//! The original blocks of replaced heights. When a block is found invalid, its chain replaces it with a
//! deposits-only block at the same height and timestamp. `superroot_atTimestamp` must still answer the
//! original block's output as the chain's optimistic output at that timestamp (specs/interop/superroot.md,
//! "Optimistic Data"), so the verifier keeps, per replaced height, the block it had indexed there and, when it
//! could read it while the block was still canonical, that block's output.
//!
//! Fed from two sides: the RPC server reads the output of every block found invalid while the node still
//! serves it ([`ReplacedBlocks::wanted`], [`ReplacedBlocks::remember_output`]), and the verifier's rewind records
//! the invalid blocks it drops ([`ReplacedBlocks::record_rewind`]). Kept in memory only, bounded.
//!
//! With each original it keeps why the block was invalid ([`ReplacementCause`]): the fault-proof trace names
//! the invalid executing message at the consolidation step that replaced the block, long after the block itself
//! left the index.

use std::collections::BTreeMap;

use alloy_primitives::B256;
use superlink_protocol::{Identifier, OutputV0, SafetyLevel};

use crate::{
    chain_data::{BlockRef, ChainId},
    message_rules::{MessageVerdict, judge_message, narrow_identifier},
    state::{InvalidBlock, VerifierState},
    view::ChainLookup,
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

/// One executing message of a replaced block that made it invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidMessage {
    /// The index of the executing log in its block.
    pub log_index: u32,
    /// The identifier of the initiating message it claims (`None` when a field does not fit the protocol's
    /// identifier, which alone makes it invalid).
    pub identifier: Option<Identifier>,
    /// The msgHash it executes.
    pub msg_hash: B256,
    /// Why it is invalid.
    pub reason: String,
}

/// Why a replaced block was invalid, as judged when it was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacementCause {
    /// The verifier's reason for the block (`log N: ...`, or the same-timestamp cycle it lies on).
    pub reason: String,
    /// The executing messages that broke a rule; on a cycle, the block's messages of that same timestamp.
    pub messages: Vec<InvalidMessage>,
}

/// Replaced heights and the outputs of blocks awaiting replacement.
#[derive(Debug, Clone, Default)]
pub struct ReplacedBlocks {
    /// Outputs of blocks found invalid, by block hash, until a rewind drops the block.
    pending: BTreeMap<B256, OutputV0>,
    /// The original block of each replaced height.
    originals: BTreeMap<(ChainId, u64), OriginalBlock>,
    /// Why each replaced height's original was invalid, with the original's hash.
    causes: BTreeMap<(ChainId, u64), (B256, ReplacementCause)>,
    /// Why each block found invalid at the safe level was, by block hash, as first judged: blocks on a
    /// same-timestamp cycle are replaced one chain after the other, and once the first is replaced the others
    /// break a plainer rule (their source log is gone); the cause that replaced them is the cycle.
    first_causes: BTreeMap<B256, ReplacementCause>,
}

/// Why `invalid` is invalid: its reason at the safe level (the one that replaced it) when the state has one, and
/// its executing messages judged against the index.
fn cause_of(state: &VerifierState, invalid: &InvalidBlock) -> ReplacementCause {
    let invalid_blocks = state.invalid_blocks();
    let reason = invalid_blocks
        .iter()
        .filter(|b| b.chain == invalid.chain && b.block.hash == invalid.block.hash)
        .max_by_key(|b| b.level == SafetyLevel::Safe)
        .map_or_else(|| invalid.reason.clone(), |b| b.reason.clone());
    let Some(block) = state.view().block(invalid.chain, invalid.block.number) else {
        return ReplacementCause { reason, messages: Vec::new() };
    };
    let parent_timestamp = block
        .block
        .number
        .checked_sub(1)
        .and_then(|p| state.view().block(invalid.chain, p))
        .map(|p| p.block.timestamp);
    let judged: Vec<(InvalidMessage, bool)> = block
        .executing
        .iter()
        .map(|exec| {
            let verdict = judge_message(
                state.view(),
                state.dependencies(),
                invalid.chain,
                block.block.timestamp,
                parent_timestamp,
                exec,
            );
            let (broken, why) = match verdict {
                MessageVerdict::Invalid(why) => (true, why),
                MessageVerdict::Found(source) if source.timestamp == block.block.timestamp => (
                    false,
                    format!("same-timestamp message of chain {} block {}", source.chain, source.number),
                ),
                MessageVerdict::Found(_) => (false, String::new()),
                MessageVerdict::Unknown(why) => (false, why),
            };
            let message = InvalidMessage {
                log_index: exec.log_index,
                identifier: narrow_identifier(&exec.exec.identifier),
                msg_hash: exec.exec.msg_hash,
                reason: why,
            };
            (message, broken)
        })
        .collect();
    let any_broken = judged.iter().any(|(_, broken)| *broken);
    let messages = judged
        .into_iter()
        .filter(|(message, broken)| *broken || (!any_broken && message.reason.starts_with("same-timestamp")))
        .map(|(message, _)| message)
        .collect();
    ReplacementCause { reason, messages }
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
        for invalid in state.invalid_blocks() {
            if invalid.level == SafetyLevel::Safe && !self.first_causes.contains_key(&invalid.block.hash) {
                self.first_causes.insert(invalid.block.hash, cause_of(state, &invalid));
            }
        }
        while self.first_causes.len() > CAPACITY {
            self.first_causes.pop_first();
        }
        let local_safe = state.heads(chain).and_then(|h| h.local_safe).map(|b| b.number);
        for invalid in state.invalid_blocks() {
            let derived = local_safe.is_some_and(|safe| invalid.block.number <= safe);
            if invalid.chain != chain || invalid.block.number <= number || !derived {
                continue;
            }
            let output = self.pending.remove(&invalid.block.hash);
            let key = (chain, invalid.block.number);
            if self.originals.contains_key(&key) {
                continue;
            }
            self.originals.insert(key, OriginalBlock { block: invalid.block, output });
            let cause =
                self.first_causes.remove(&invalid.block.hash).unwrap_or_else(|| cause_of(state, &invalid));
            self.causes.insert(key, (invalid.block.hash, cause));
        }
        while self.originals.len() > CAPACITY {
            self.originals.pop_first();
        }
        while self.causes.len() > CAPACITY {
            self.causes.pop_first();
        }
    }

    /// Why the original block `hash` of `chain`'s height `number` was invalid, when it was replaced.
    pub fn cause(&self, chain: ChainId, number: u64, hash: B256) -> Option<ReplacementCause> {
        self.causes.get(&(chain, number)).filter(|(original, _)| *original == hash).map(|(_, c)| c.clone())
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
        // Why it was invalid stays known with it: the forged message, by its log.
        let cause = replaced.cause(1, 2, invalid.hash).unwrap();
        assert!(cause.reason.starts_with("log 0:"), "{cause:?}");
        assert_eq!(cause.messages.len(), 1, "{cause:?}");
        assert_eq!((cause.messages[0].log_index, cause.messages[0].msg_hash), (0, keccak256(b"forged")));
        assert_eq!(cause.messages[0].identifier.map(|id| id.block_number), Some(0));
        assert_eq!(replaced.cause(1, 2, B256::ZERO), None);
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
