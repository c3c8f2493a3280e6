//! The in-memory view of every chain's indexed blocks that the safety engine and the access-list checks read.
//!
//! Each chain holds a contiguous run of blocks (`first..=last`), each with the logHash of every log and the
//! executing messages among them. The durable copy lives in the store; this view is rebuilt from it on start.

use std::collections::{BTreeMap, VecDeque};

use alloy_primitives::B256;

use crate::chain_data::{BlockRef, ChainId};

/// An executing message as the index keeps it: the index of its log in its block, the msgHash it executes
/// and the full-width identifier of the initiating log (out-of-range fields make the message invalid).
pub type ExecRef = superlink_logdb::IndexedExecMessage;

/// One indexed block: its reference, every log's logHash, and its executing messages (in log order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedBlock {
    /// The block.
    pub block: BlockRef,
    /// The logHash of every log of the block, by log index.
    pub log_hashes: Vec<B256>,
    /// The executing messages of the block, ordered by their log index.
    pub executing: Vec<ExecRef>,
}

/// Lookups the safety engine and the checks need; implemented by [`IndexView`] and by test fixtures.
pub trait ChainLookup {
    /// The indexed range `(first, last)` of a chain; `None` when the chain has no block indexed.
    fn range(&self, chain: ChainId) -> Option<(u64, u64)>;
    /// The indexed block `number` of `chain`.
    fn block(&self, chain: ChainId, number: u64) -> Option<&IndexedBlock>;
}

/// One chain's contiguous run of indexed blocks.
#[derive(Debug, Clone, Default)]
pub struct ChainIndex {
    blocks: VecDeque<IndexedBlock>,
}

/// A block that does not extend a chain's indexed run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("block {number} does not extend the indexed run ending at {last:?}")]
pub struct NotContiguous {
    /// The offered block number.
    pub number: u64,
    /// The last indexed block number.
    pub last: Option<u64>,
}

impl ChainIndex {
    /// The first and last indexed block numbers.
    pub fn range(&self) -> Option<(u64, u64)> {
        Some((self.blocks.front()?.block.number, self.blocks.back()?.block.number))
    }

    /// The last indexed block.
    pub fn last(&self) -> Option<&IndexedBlock> {
        self.blocks.back()
    }

    /// The block at `number`, when indexed.
    pub fn get(&self, number: u64) -> Option<&IndexedBlock> {
        let first = self.blocks.front()?.block.number;
        let offset = usize::try_from(number.checked_sub(first)?).ok()?;
        self.blocks.get(offset)
    }

    /// Appends the next block; it must follow the last block by number and parent hash (the first block
    /// appended to an empty chain may be any block).
    pub fn push(&mut self, block: IndexedBlock) -> Result<(), NotContiguous> {
        if let Some(last) = self.blocks.back()
            && (block.block.number != last.block.number + 1 || block.block.parent_hash != last.block.hash)
        {
            return Err(NotContiguous { number: block.block.number, last: Some(last.block.number) });
        }
        self.blocks.push_back(block);
        Ok(())
    }

    /// Drops every block after `number` (all blocks when `number` is before the first).
    pub fn truncate_after(&mut self, number: u64) {
        while self.blocks.back().is_some_and(|b| b.block.number > number) {
            self.blocks.pop_back();
        }
    }

    /// Drops blocks from the front while `drop` says so; returns how many were dropped. The last block is
    /// always kept.
    pub fn prune_front_while(&mut self, mut drop: impl FnMut(&IndexedBlock) -> bool) -> usize {
        let mut dropped = 0;
        while self.blocks.len() > 1 && self.blocks.front().is_some_and(&mut drop) {
            self.blocks.pop_front();
            dropped += 1;
        }
        dropped
    }

    /// The number of indexed blocks.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Whether no block is indexed.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// The indexed blocks, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &IndexedBlock> {
        self.blocks.iter()
    }
}

/// The indexed blocks of every chain.
#[derive(Debug, Clone, Default)]
pub struct IndexView {
    chains: BTreeMap<ChainId, ChainIndex>,
}

impl IndexView {
    /// A view with an empty run for each chain.
    pub fn new(chains: impl IntoIterator<Item = ChainId>) -> Self {
        Self { chains: chains.into_iter().map(|c| (c, ChainIndex::default())).collect() }
    }

    /// One chain's run.
    pub fn chain(&self, chain: ChainId) -> Option<&ChainIndex> {
        self.chains.get(&chain)
    }

    /// One chain's run, mutable (created empty when absent).
    pub fn chain_mut(&mut self, chain: ChainId) -> &mut ChainIndex {
        self.chains.entry(chain).or_default()
    }

    /// The chains of the view, ascending.
    pub fn chain_ids(&self) -> impl Iterator<Item = ChainId> + '_ {
        self.chains.keys().copied()
    }
}

impl ChainLookup for IndexView {
    fn range(&self, chain: ChainId) -> Option<(u64, u64)> {
        self.chains.get(&chain)?.range()
    }

    fn block(&self, chain: ChainId, number: u64) -> Option<&IndexedBlock> {
        self.chains.get(&chain)?.get(number)
    }
}
