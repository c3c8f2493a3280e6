//! What derivation reads and reports: L1 blocks with their batcher data, the caller's view of the L2 chain,
//! and the safe head.

use alloy_eips::BlockNumHash;
use alloy_primitives::{B256, Bytes};

/// An L1 block as derivation reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1BlockInput {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Hash of the previous L1 block.
    pub parent_hash: B256,
    /// Block timestamp.
    pub timestamp: u64,
    /// Data of the block's batcher transactions for this chain, in block order: transactions sent to the
    /// chain's batch inbox by the chain's batcher (the caller checks `to` and `from`).
    pub batcher_txs: Vec<Bytes>,
}

/// An L1 block derivation remembers: its id and its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1BlockRef {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Block timestamp.
    pub timestamp: u64,
}

impl L1BlockRef {
    /// Number and hash.
    pub fn id(&self) -> BlockNumHash {
        BlockNumHash { number: self.number, hash: self.hash }
    }
}

/// An L2 block as the caller's chain has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L2BlockInfo {
    /// Block hash.
    pub hash: B256,
    /// Hash of the previous block.
    pub parent_hash: B256,
    /// Block timestamp.
    pub timestamp: u64,
}

/// The caller's L2 chain, which derivation checks batches against and learns block hashes from.
pub trait L2View {
    /// The block at `number` on the chain, if the chain has one.
    fn block_at(&self, number: u64) -> Option<L2BlockInfo>;
}

/// The last local-safe L2 block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafeHead {
    /// Block number.
    pub number: u64,
    /// Block hash; `None` for a deposits-only block the caller has not built yet.
    pub hash: Option<B256>,
    /// Block timestamp.
    pub timestamp: u64,
    /// The block's L1 origin.
    pub l1_origin: BlockNumHash,
}

/// What a local-safe block holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafeBlockContent {
    /// The block a batch named, found on the caller's chain.
    Batch {
        /// The block's hash on the caller's chain.
        hash: B256,
        /// The batch's transactions (non-deposit, EIP-2718 encoded).
        transactions: Vec<Bytes>,
    },
    /// No batch came within the sequencing window: the block must be deposits-only, and the caller builds it
    /// (replacing whatever block the chain has at that height) before feeding the next L1 block.
    DepositsOnly,
}

/// An L2 block that became local-safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSafeBlock {
    /// Block number.
    pub number: u64,
    /// Block timestamp.
    pub timestamp: u64,
    /// The block's L1 origin.
    pub l1_origin: BlockNumHash,
    /// Batch content or deposits-only.
    pub content: SafeBlockContent,
}

impl LocalSafeBlock {
    /// The block's hash when it came from a batch.
    pub fn hash(&self) -> Option<B256> {
        match &self.content {
            SafeBlockContent::Batch { hash, .. } => Some(*hash),
            SafeBlockContent::DepositsOnly => None,
        }
    }
}

/// The record of one L1 block: the last L2 block derived from the L1 chain up to and including it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerivedFrom {
    /// The L1 block.
    pub l1: BlockNumHash,
    /// The safe head once that L1 block was read.
    pub l2: SafeHead,
}
