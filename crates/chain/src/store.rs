//! The block store: canonical blocks by number and by hash, transactions by hash, receipts, and log queries
//! that skip blocks whose bloom rules the filter out.

use std::{collections::HashMap, sync::Arc};

use alloy_primitives::{Address, B256, BloomInput, keccak256};
use alloy_rpc_types_eth::Log as RpcLog;

use crate::block::StoredBlock;

/// A log query over a range of canonical blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// First block (inclusive).
    pub from_block: u64,
    /// Last block (inclusive).
    pub to_block: u64,
    /// Emitting contracts to match; empty matches any.
    pub addresses: Vec<Address>,
    /// Per topic position, the values to match; an empty set (or a missing position) matches any.
    pub topics: Vec<Vec<B256>>,
}

impl LogFilter {
    /// A filter over `from..=to` matching every log.
    pub fn range(from_block: u64, to_block: u64) -> Self {
        Self { from_block, to_block, ..Self::default() }
    }

    /// Restricts to logs emitted by `address` (adds to the set).
    pub fn address(mut self, address: Address) -> Self {
        self.addresses.push(address);
        self
    }

    /// Restricts topic `position` to `values`.
    pub fn topic(mut self, position: usize, values: Vec<B256>) -> Self {
        if self.topics.len() <= position {
            self.topics.resize(position + 1, Vec::new());
        }
        self.topics[position] = values;
        self
    }

    /// Whether a log matches the address and topic sets.
    pub fn matches(&self, log: &alloy_primitives::Log) -> bool {
        if !self.addresses.is_empty() && !self.addresses.contains(&log.address) {
            return false;
        }
        let topics = log.topics();
        self.topics.iter().enumerate().all(|(position, wanted)| {
            wanted.is_empty() || topics.get(position).is_some_and(|topic| wanted.contains(topic))
        })
    }

    /// Whether a block with this bloom may contain a matching log.
    pub fn may_match(&self, bloom: &alloy_primitives::Bloom) -> bool {
        BloomQuery::new(self).may_match(bloom)
    }
}

/// A filter's address and topic sets, hashed once for bloom checks over many blocks.
#[derive(Debug, Clone)]
struct BloomQuery {
    addresses: Vec<B256>,
    topics: Vec<Vec<B256>>,
}

impl BloomQuery {
    fn new(filter: &LogFilter) -> Self {
        Self {
            addresses: filter.addresses.iter().map(keccak256).collect(),
            topics: filter.topics.iter().map(|wanted| wanted.iter().map(keccak256).collect()).collect(),
        }
    }

    fn may_match(&self, bloom: &alloy_primitives::Bloom) -> bool {
        let address_ok = self.addresses.is_empty()
            || self.addresses.iter().any(|hash| bloom.contains_input(BloomInput::Hash(*hash)));
        address_ok
            && self.topics.iter().all(|wanted| {
                wanted.is_empty() || wanted.iter().any(|hash| bloom.contains_input(BloomInput::Hash(*hash)))
            })
    }
}

/// Where a transaction sits in the canonical chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxLocation {
    /// Block number.
    pub block: u64,
    /// Index within the block.
    pub index: usize,
}

/// The hashes of a store's canonical blocks, by number (what `BLOCKHASH` reads).
#[derive(Debug, Clone, Copy)]
pub struct BlockHashes<'a> {
    /// The number of the first block.
    pub first: u64,
    /// Hashes from the first block on.
    pub hashes: &'a [B256],
}

impl BlockHashes<'_> {
    /// The hash of block `number`; zero for a block the store does not hold (a forked chain holds no block
    /// before the one it was forked at).
    pub fn get(&self, number: u64) -> B256 {
        number
            .checked_sub(self.first)
            .and_then(|offset| usize::try_from(offset).ok())
            .and_then(|index| self.hashes.get(index))
            .copied()
            .unwrap_or_default()
    }
}

/// Canonical blocks and indexes over them. The first block is the genesis, or for a forked chain the
/// remote block it was forked at; blocks are numbered on from it.
#[derive(Debug, Clone, Default)]
pub struct BlockStore {
    first: u64,
    blocks: Vec<Arc<StoredBlock>>,
    hashes: Vec<B256>,
    by_hash: HashMap<B256, u64>,
    txs: HashMap<B256, TxLocation>,
}

impl BlockStore {
    /// A store holding only `genesis` (block 0, or the block a forked chain starts from).
    pub fn new(genesis: StoredBlock) -> Self {
        let mut store = Self { first: genesis.number(), ..Self::default() };
        store.push(genesis);
        store
    }

    /// The number of the first block held (0 unless the chain was forked).
    pub fn first_number(&self) -> u64 {
        self.first
    }

    fn index_of(&self, number: u64) -> Option<usize> {
        number.checked_sub(self.first).and_then(|offset| usize::try_from(offset).ok())
    }

    /// Appends the next canonical block.
    pub fn push(&mut self, block: StoredBlock) {
        let number = block.number();
        for (index, tx) in block.transactions.iter().enumerate() {
            self.txs.insert(tx.hash, TxLocation { block: number, index });
        }
        self.by_hash.insert(block.hash(), number);
        self.hashes.push(block.hash());
        self.blocks.push(Arc::new(block));
    }

    /// Removes every block above `number` and returns them, lowest first.
    pub fn truncate(&mut self, number: u64) -> Vec<Arc<StoredBlock>> {
        let keep = match number.checked_sub(self.first) {
            Some(offset) => {
                usize::try_from(offset.saturating_add(1)).unwrap_or(usize::MAX).min(self.blocks.len())
            }
            // The first block is never removed.
            None => 1,
        };
        let removed: Vec<Arc<StoredBlock>> = self.blocks.drain(keep..).collect();
        self.hashes.truncate(keep);
        for block in &removed {
            self.by_hash.remove(&block.hash());
            for tx in &block.transactions {
                self.txs.remove(&tx.hash);
            }
        }
        removed
    }

    /// The head block.
    pub fn head(&self) -> &Arc<StoredBlock> {
        // The store always holds at least the genesis block.
        &self.blocks[self.blocks.len() - 1]
    }

    /// The head block's number.
    pub fn head_number(&self) -> u64 {
        self.head().number()
    }

    /// Canonical block hashes by number.
    pub fn hashes(&self) -> BlockHashes<'_> {
        BlockHashes { first: self.first, hashes: &self.hashes }
    }

    /// A canonical block by number.
    pub fn by_number(&self, number: u64) -> Option<&Arc<StoredBlock>> {
        self.index_of(number).and_then(|index| self.blocks.get(index))
    }

    /// A canonical block by hash.
    pub fn by_hash(&self, hash: &B256) -> Option<&Arc<StoredBlock>> {
        self.by_hash.get(hash).and_then(|number| self.by_number(*number))
    }

    /// The number of the canonical block with this hash.
    pub fn number_of(&self, hash: &B256) -> Option<u64> {
        self.by_hash.get(hash).copied()
    }

    /// Where a canonical transaction is.
    pub fn locate(&self, hash: &B256) -> Option<TxLocation> {
        self.txs.get(hash).copied()
    }

    /// A canonical transaction's block and index.
    pub fn transaction(&self, hash: &B256) -> Option<(&Arc<StoredBlock>, usize)> {
        let location = self.locate(hash)?;
        Some((self.by_number(location.block)?, location.index))
    }

    /// Logs of canonical blocks matching `filter`, in chain order, with their block and transaction context.
    pub fn logs(&self, filter: &LogFilter) -> Vec<RpcLog> {
        let head = self.head_number();
        let mut out = Vec::new();
        if filter.from_block > filter.to_block {
            return out;
        }
        let query = BloomQuery::new(filter);
        for number in filter.from_block.max(self.first)..=filter.to_block.min(head) {
            let Some(block) = self.by_number(number) else { break };
            if !query.may_match(&block.header.logs_bloom) {
                continue;
            }
            out.extend(block_logs(block, filter));
        }
        out
    }
}

/// The logs of one block matching `filter`, in RPC form.
pub fn block_logs(block: &StoredBlock, filter: &LogFilter) -> Vec<RpcLog> {
    block
        .logs()
        .filter(|(_, _, log)| filter.matches(log))
        .map(|(log_index, tx_index, log)| RpcLog {
            inner: log.clone(),
            block_hash: Some(block.hash()),
            block_number: Some(block.number()),
            block_timestamp: Some(block.timestamp()),
            transaction_hash: block.transactions.get(tx_index).map(|tx| tx.hash),
            transaction_index: Some(tx_index as u64),
            log_index: Some(log_index),
            removed: false,
        })
        .collect()
}
