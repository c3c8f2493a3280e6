//! The data a chain source delivers: block references, blocks with their logs, and output-root inputs.

use alloy_primitives::{Address, B256, Bytes};
use serde::{Deserialize, Serialize};

/// A chain ID as the verifier keys its chains (every chain of a dependency set fits in 64 bits here).
pub type ChainId = u64;

/// A block's identity and place in its chain, as the supervisor API's `BlockRef`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockRef {
    /// Block hash.
    pub hash: B256,
    /// Block number.
    pub number: u64,
    /// Parent block hash.
    pub parent_hash: B256,
    /// Block timestamp (seconds).
    pub timestamp: u64,
}

impl BlockRef {
    /// The `{hash, number}` pair of this block.
    pub fn id(&self) -> BlockId {
        BlockId { hash: self.hash, number: self.number }
    }
}

/// A block's `{hash, number}` pair, as the supervisor API's `BlockID`: the one block reference the index, the
/// verifier and its RPC share.
pub use superlink_logdb::BlockId;

/// One log of a block, in block order (its position is its block-wide log index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLog {
    /// The emitting contract.
    pub address: Address,
    /// The log's topics.
    pub topics: Vec<B256>,
    /// The log's data.
    pub data: Bytes,
}

/// A block as a source delivers it: its header fields the verifier needs and every log of its receipts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceBlock {
    /// The block's identity.
    pub block: BlockRef,
    /// All logs of the block, in receipt order.
    pub logs: Vec<SourceLog>,
}

/// The three inputs of a block's output root (v0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputInputs {
    /// The block's state root.
    pub state_root: B256,
    /// The storage root of the L2ToL1MessagePasser predeploy in that state.
    pub message_passer_storage_root: B256,
    /// The block hash.
    pub block_hash: B256,
}
