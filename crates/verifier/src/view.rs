//! The in-memory view of every chain's indexed blocks that the safety engine and the access-list checks read.
//!
//! Each chain holds a contiguous run of blocks (`first..=last`), each with the logHash of every log and the
//! executing messages among them. The durable copy lives in the store; this view is rebuilt from it on start.
//!
//! With a memory window shorter than the message expiry window, the run holds only the recent part of the
//! window; a message initiated in an older block is then looked up in the durable index ([`OlderBlocks`]).
//! Such blocks lie below every head of their chain, so only their logs and timestamps are ever needed.

use std::{
    collections::{BTreeMap, VecDeque},
    sync::Arc,
};

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

/// What the durable index holds of one log of a block older than the in-memory run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredLog {
    /// The block's timestamp.
    pub timestamp: u64,
    /// The parent block's timestamp, when stored.
    pub parent_timestamp: Option<u64>,
    /// The logHash at the asked index; `None` when the block has fewer logs.
    pub log_hash: Option<B256>,
    /// How many logs the block has.
    pub log_count: u32,
}

/// Reads of blocks that left memory but not the durable index (see the module documentation).
pub trait OlderBlocks: Send + Sync + std::fmt::Debug {
    /// The log `log_index` of stored block `number` of `chain`; `None` when the block is not stored, or when
    /// reading it failed (the failure is logged; the message then counts as not yet known, never as invalid).
    fn stored_log(&self, chain: ChainId, number: u64, log_index: u32) -> Option<StoredLog>;
}

/// Lookups the safety engine and the checks need; implemented by [`IndexView`] and by test fixtures.
pub trait ChainLookup {
    /// The indexed range `(first, last)` of a chain; `None` when the chain has no block indexed.
    fn range(&self, chain: ChainId) -> Option<(u64, u64)>;
    /// The indexed block `number` of `chain`.
    fn block(&self, chain: ChainId, number: u64) -> Option<&IndexedBlock>;
    /// A log of a block before the in-memory range, from the durable index; `None` without one.
    fn stored_log(&self, _chain: ChainId, _number: u64, _log_index: u32) -> Option<StoredLog> {
        None
    }
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
    older: Option<Arc<dyn OlderBlocks>>,
}

impl IndexView {
    /// A view with an empty run for each chain.
    pub fn new(chains: impl IntoIterator<Item = ChainId>) -> Self {
        Self { chains: chains.into_iter().map(|c| (c, ChainIndex::default())).collect(), older: None }
    }

    /// Answers lookups of blocks before each chain's in-memory run from `older`.
    pub fn set_older_blocks(&mut self, older: Arc<dyn OlderBlocks>) {
        self.older = Some(older);
    }

    /// Whether blocks before the in-memory run can be read from the durable index.
    pub fn reads_older_blocks(&self) -> bool {
        self.older.is_some()
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

    fn stored_log(&self, chain: ChainId, number: u64, log_index: u32) -> Option<StoredLog> {
        let (first, _) = self.range(chain)?;
        if number >= first {
            return None;
        }
        self.older.as_ref()?.stored_log(chain, number, log_index)
    }
}
