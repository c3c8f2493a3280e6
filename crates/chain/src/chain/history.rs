//! The chain's history: canonical blocks by number, hash and tag, their transactions, receipts and logs, and
//! the blocks that left the canonical chain, still served by hash.

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
};

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::B256;
use alloy_rpc_types_eth::Log as RpcLog;

use crate::{
    block::StoredBlock,
    error::ChainError,
    store::{BlockStore, LogFilter},
};

use super::{Chain, pending::is_pending};

/// Blocks that left the canonical chain, by hash, with an index of their transactions; the oldest are
/// forgotten first once more than `limit` are kept.
#[derive(Debug, Default)]
pub(super) struct OrphanBlocks {
    pub(super) blocks: HashMap<B256, Arc<StoredBlock>>,
    pub(super) order: VecDeque<B256>,
    pub(super) transactions: HashMap<B256, (B256, usize)>,
}

impl OrphanBlocks {
    pub(super) fn remember(&mut self, block: Arc<StoredBlock>, limit: usize) {
        let hash = block.hash();
        if self.blocks.contains_key(&hash) {
            return;
        }
        for (index, tx) in block.transactions.iter().enumerate() {
            self.transactions.insert(tx.hash, (hash, index));
        }
        self.blocks.insert(hash, block);
        self.order.push_back(hash);
        while self.order.len() > limit {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(gone) = self.blocks.remove(&oldest) {
                for tx in &gone.transactions {
                    if self.transactions.get(&tx.hash).is_some_and(|(block, _)| *block == oldest) {
                        self.transactions.remove(&tx.hash);
                    }
                }
            }
        }
    }
}

impl Chain {
    /// The number a block id refers to, if that block exists.
    pub fn resolve(&self, id: BlockId) -> Result<u64, ChainError> {
        let head = self.head_number();
        match id {
            BlockId::Hash(hash) => self
                .store
                .number_of(&hash.block_hash)
                .ok_or_else(|| ChainError::BlockNotFound(hash.block_hash.to_string())),
            BlockId::Number(tag) => match tag {
                BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => Ok(head),
                BlockNumberOrTag::Safe => Ok(self.safe),
                BlockNumberOrTag::Finalized => Ok(self.finalized),
                BlockNumberOrTag::Earliest => Ok(self.store.first_number()),
                BlockNumberOrTag::Number(number) if number <= head && number >= self.store.first_number() => {
                    Ok(number)
                }
                BlockNumberOrTag::Number(number) => Err(ChainError::BlockNotFound(number.to_string())),
            },
        }
    }

    /// A canonical block by id.
    /// `pending` is the block the chain would build next ([`Chain::pending_block`]).
    pub fn block(&self, id: BlockId) -> Option<Arc<StoredBlock>> {
        if is_pending(id) {
            return self.pending_block().ok().map(|pending| Arc::clone(&pending.block));
        }
        if let BlockId::Hash(hash) = id
            && hash.require_canonical != Some(true)
            && self.store.number_of(&hash.block_hash).is_none()
        {
            return self.orphan_block(&hash.block_hash);
        }
        let number = self.resolve(id).ok()?;
        self.store.by_number(number).cloned()
    }

    /// A canonical block by number.
    pub fn block_by_number(&self, number: u64) -> Option<Arc<StoredBlock>> {
        self.store.by_number(number).cloned()
    }

    /// A canonical block by hash.
    pub fn block_by_hash(&self, hash: &B256) -> Option<Arc<StoredBlock>> {
        self.store.by_hash(hash).cloned()
    }

    /// A block that left the canonical chain (rewind, deposits-only replacement, snapshot revert), by hash;
    /// the most recent `history_depth` such blocks are kept.
    pub fn orphan_block(&self, hash: &B256) -> Option<Arc<StoredBlock>> {
        self.orphans.blocks.get(hash).cloned()
    }

    /// A transaction of a block that left the canonical chain: that block and its index there.
    pub fn orphan_transaction(&self, hash: &B256) -> Option<(Arc<StoredBlock>, usize)> {
        let (block, index) = self.orphans.transactions.get(hash)?;
        Some((self.orphans.blocks.get(block).cloned()?, *index))
    }

    pub(super) fn remember_orphans(&mut self, blocks: impl IntoIterator<Item = Arc<StoredBlock>>) {
        let limit = usize::try_from(self.config.history_depth).unwrap_or(usize::MAX);
        for block in blocks {
            if self.store.number_of(&block.hash()).is_none() {
                self.orphans.remember(block, limit);
            }
        }
    }

    /// A mined transaction: its block and its index there (the receipt is `block.receipts[index]`).
    pub fn transaction(&self, hash: &B256) -> Option<(Arc<StoredBlock>, usize)> {
        self.store.transaction(hash).map(|(block, index)| (Arc::clone(block), index))
    }

    /// Logs matching `filter` (the range is clamped to the head).
    pub fn logs(&self, filter: &LogFilter) -> Vec<RpcLog> {
        self.store.logs(filter)
    }

    /// The block store (read-only).
    pub fn store(&self) -> &BlockStore {
        &self.store
    }
}
