//! Faults a user can inject into a running devnet, and the devnet's status: what the `devnet_*` methods of
//! the control port (the verifier's port) and `superlink devnet fault ...` call. [`DevnetControl`] is the
//! interface; the running devnet implements it.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use superlink_verifier::BlockId;

use crate::rollup_log::BatcherStatus;

/// Why a fault could not be injected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// The devnet runs no L2 with this chain ID.
    #[error("the devnet runs no L2 with chain ID {0}")]
    UnknownChain(u64),
    /// The depth is out of range.
    #[error("reorg depth {depth} is out of range: {reason}")]
    Depth {
        /// The depth asked for.
        depth: u64,
        /// Why it cannot be done.
        reason: String,
    },
    /// The fault makes no sense now (e.g. an invalid message with no other chain to forge it from).
    #[error("{0}")]
    Refused(String),
    /// The chain refused the change.
    #[error("chain {chain_id}: {reason}")]
    Chain {
        /// The chain.
        chain_id: u64,
        /// What it said.
        reason: String,
    },
    /// The devnet is shutting down.
    #[error("the devnet is shutting down")]
    ShuttingDown,
}

/// A block a fault produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InjectedMessage {
    /// The chain.
    pub chain_id: u64,
    /// The block that holds the forged executing message.
    pub block_number: u64,
    /// Its hash.
    pub block_hash: B256,
    /// The forged transaction.
    pub transaction_hash: B256,
}

/// What an L1 reorg did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L1Reorg {
    /// The last L1 block both branches share.
    pub fork: BlockId,
    /// The head before.
    pub old_head: BlockId,
    /// The head of the new branch.
    pub new_head: BlockId,
}

/// What an L2 unsafe reorg (sequencer equivocation) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L2Reorg {
    /// The chain.
    pub chain_id: u64,
    /// The last block both branches share.
    pub fork: BlockId,
    /// The blocks replaced, lowest first.
    pub replaced: Vec<BlockId>,
    /// The blocks now at those heights.
    pub replacements: Vec<BlockId>,
}

/// A safety head with the L1 block it was derived from (none for unsafe levels, or before any L1 block).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DerivedHead {
    /// The L2 block.
    pub derived: BlockId,
    /// The L1 block it was derived from.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub derived_from: Option<BlockId>,
}

/// The batcher of a chain as `devnet_status` reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatcherReport {
    /// Halted by `devnet_haltBatcher`.
    pub halted: bool,
    /// The last L2 block posted to the L1.
    pub posted: Option<u64>,
    /// The L1 block that included its last transaction.
    pub last_inclusion: Option<u64>,
    /// Batcher transactions sent.
    pub transactions: u64,
}

impl From<BatcherStatus> for BatcherReport {
    fn from(s: BatcherStatus) -> Self {
        Self {
            halted: s.halted,
            posted: s.posted,
            last_inclusion: s.last_inclusion,
            transactions: s.transactions,
        }
    }
}

/// One L2 in `devnet_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainStatus {
    /// The chain.
    pub chain_id: u64,
    /// The chain's head.
    pub unsafe_head: BlockId,
    /// The verifier's cross-unsafe head.
    pub cross_unsafe: BlockId,
    /// The local-safe head (derived from the L1).
    pub local_safe: DerivedHead,
    /// The cross-safe head.
    pub cross_safe: DerivedHead,
    /// The finalized head.
    pub finalized: DerivedHead,
    /// The batcher.
    pub batcher: BatcherReport,
}

/// The L1 in `devnet_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L1Status {
    /// The head.
    pub head: BlockId,
    /// The safe block.
    pub safe: BlockId,
    /// The finalized block.
    pub finalized: BlockId,
}

/// `devnet_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevnetStatus {
    /// The L1.
    pub l1: L1Status,
    /// Every L2, by chain ID.
    pub chains: Vec<ChainStatus>,
    /// Whether one batcher posts every chain's batches (meta-batches).
    pub shared_batcher: bool,
    /// L1 blocks between batches.
    pub batch_interval: u64,
    /// The sequencing window, in L1 blocks.
    pub sequencing_window: u64,
    /// How far behind the L1 head L1 blocks are finalized.
    pub l1_finality_depth: u64,
}

/// The faults of a running devnet. Each call is blocking (it may build blocks): async callers run it on the
/// blocking pool. Every fault is logged when injected.
pub trait DevnetControl: Send + Sync + 'static {
    /// Stops the chain's batcher: its blocks stay unsafe until it is resumed (or the sequencing window ends).
    /// With a shared batcher, that one batcher stops: every chain's blocks stay unsafe.
    fn halt_batcher(&self, chain_id: u64) -> Result<BatcherReport, FaultError>;
    /// Starts the chain's batcher again (with a shared batcher, the one batcher of every chain); it posts
    /// everything not yet safe.
    fn resume_batcher(&self, chain_id: u64) -> Result<BatcherReport, FaultError>;
    /// Makes the chain's sequencer include, in a new block, an executing message for an initiating message
    /// that does not exist, bypassing its own pool check.
    fn inject_invalid_message(&self, chain_id: u64) -> Result<InjectedMessage, FaultError>;
    /// Replaces the L1's last `depth` blocks with a branch of as many empty blocks.
    fn reorg_l1(&self, depth: u64) -> Result<L1Reorg, FaultError>;
    /// Makes the chain's sequencer equivocate: its last `depth` unsafe blocks are rebuilt differently.
    fn reorg_l2(&self, chain_id: u64, depth: u64) -> Result<L2Reorg, FaultError>;
    /// Every chain's safety heads with what they were derived from, the batchers, the L1's heads.
    fn status(&self) -> DevnetStatus;
}
