//! The recent L1 chain and the recent safe L2 chain, as derivation remembers them.

use crate::refs::L1BlockRef;
use alloy_primitives::{B256, Bytes, keccak256};
use std::collections::VecDeque;

/// Consecutive L1 blocks, from the oldest still needed to the head.
#[derive(Debug, Clone)]
pub(crate) struct L1Chain {
    blocks: VecDeque<L1BlockRef>,
}

impl L1Chain {
    pub(crate) fn new(start: L1BlockRef) -> Self {
        Self { blocks: VecDeque::from([start]) }
    }

    pub(crate) fn head(&self) -> L1BlockRef {
        // Never empty: pruning keeps the head.
        self.blocks.back().copied().unwrap_or(L1BlockRef { number: 0, hash: B256::ZERO, timestamp: 0 })
    }

    pub(crate) fn push(&mut self, block: L1BlockRef) {
        self.blocks.push_back(block);
    }

    pub(crate) fn get(&self, number: u64) -> Option<L1BlockRef> {
        let first = self.blocks.front()?.number;
        let index = usize::try_from(number.checked_sub(first)?).ok()?;
        self.blocks.get(index).copied()
    }

    /// Forgets blocks numbered below `number`, keeping at least the head.
    pub(crate) fn prune_below(&mut self, number: u64) {
        while self.blocks.len() > 1 && self.blocks.front().is_some_and(|b| b.number < number) {
            self.blocks.pop_front();
        }
    }
}

/// One safe L2 block, as span batches that overlap the safe chain are checked against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SafeRecord {
    pub(crate) number: u64,
    pub(crate) hash: Option<B256>,
    pub(crate) timestamp: u64,
    pub(crate) l1_origin_number: u64,
    pub(crate) transactions_digest: B256,
}

/// A digest of a block's batched transactions, to compare blocks without keeping their transactions.
pub(crate) fn transactions_digest(transactions: &[Bytes]) -> B256 {
    let mut out = Vec::new();
    alloy_rlp::encode_list::<Bytes, [u8]>(transactions, &mut out);
    keccak256(out)
}

/// The last safe L2 blocks, oldest first.
#[derive(Debug, Clone)]
pub(crate) struct SafeChain {
    records: VecDeque<SafeRecord>,
    capacity: usize,
}

impl SafeChain {
    pub(crate) fn new(genesis: SafeRecord, capacity: usize) -> Self {
        Self { records: VecDeque::from([genesis]), capacity: capacity.max(1) }
    }

    pub(crate) fn push(&mut self, record: SafeRecord) {
        self.records.push_back(record);
        while self.records.len() > self.capacity {
            self.records.pop_front();
        }
    }

    pub(crate) fn get(&self, number: u64) -> Option<&SafeRecord> {
        let first = self.records.front()?.number;
        let index = usize::try_from(number.checked_sub(first)?).ok()?;
        self.records.get(index)
    }

    pub(crate) fn get_mut(&mut self, number: u64) -> Option<&mut SafeRecord> {
        let first = self.records.front()?.number;
        let index = usize::try_from(number.checked_sub(first)?).ok()?;
        self.records.get_mut(index)
    }

    pub(crate) fn set_head_hash(&mut self, hash: B256) {
        if let Some(head) = self.records.back_mut() {
            head.hash = Some(hash);
        }
    }
}
