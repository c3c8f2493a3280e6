//! What each L2's derivation has found, as its rollup node reports it: the L1 blocks read (with the local-safe
//! head after each), the L1 head, safe and finalized blocks, and the batcher's state. The devnet's L1 pipeline
//! writes it; the chain's rollup-node RPC (`optimism_*`) and the embedded verifier's derivation source read it.

use std::{
    collections::VecDeque,
    sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard},
};

use alloy_primitives::Address;
use superlink_verifier::{BlockId, BlockRef};

/// How many per-L1-block safe-head records a chain keeps (`optimism_safeHeadAtL1Block` answers for these).
pub const RECORDS_KEPT: usize = 8_192;

/// The fixed parameters of one L2's derivation, as `optimism_rollupConfig` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollupParams {
    /// The L2's chain ID.
    pub l2_chain_id: u64,
    /// The L1's chain ID.
    pub l1_chain_id: u64,
    /// The L1 block the L2 starts from.
    pub genesis_l1: BlockId,
    /// The L2 genesis block.
    pub genesis_l2: BlockId,
    /// The L2 genesis timestamp.
    pub genesis_time: u64,
    /// Seconds between L2 blocks.
    pub block_time: u64,
    /// The sequencing window, in L1 blocks.
    pub sequencing_window: u64,
    /// The channel timeout, in L1 blocks.
    pub channel_timeout: u64,
    /// The maximum sequencer drift, in seconds.
    pub max_sequencer_drift: u64,
    /// Where batcher transactions go on the L1.
    pub batch_inbox: Address,
    /// Who may send them.
    pub batcher: Address,
    /// The L1 deposit contract the rollup config names (the standard bridge's `OptimismPortal`).
    pub deposit_contract: Address,
}

/// One L1 block read by derivation and the local-safe L2 head after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafeHeadRecord {
    /// The L1 block.
    pub l1: BlockRef,
    /// The local-safe L2 head once that L1 block was read.
    pub safe: BlockId,
}

/// What the batcher of a chain is doing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatcherStatus {
    /// Halted by a fault (`devnet_haltBatcher`): it posts nothing until resumed.
    pub halted: bool,
    /// The last L2 block it has posted (in a transaction sent to the L1, included or not).
    pub posted: Option<u64>,
    /// The L1 block that included its last batcher transaction.
    pub last_inclusion: Option<u64>,
    /// Batcher transactions sent so far.
    pub transactions: u64,
}

/// One chain's derivation as its rollup node knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupState {
    /// The fixed parameters.
    pub params: RollupParams,
    /// The last L1 block derivation read.
    pub current_l1: BlockRef,
    /// The L1 head.
    pub head_l1: BlockRef,
    /// The L1 block considered safe (the devnet's L1 has no attestations: the same as the finalized block).
    pub safe_l1: BlockRef,
    /// The finalized L1 block.
    pub finalized_l1: BlockRef,
    /// The local-safe L2 head (derived from the L1 up to `current_l1`).
    pub local_safe: BlockId,
    /// The L2 head derived from finalized L1 blocks.
    pub finalized_l2: BlockId,
    /// Per L1 block read, oldest first: the local-safe head after it.
    pub records: VecDeque<SafeHeadRecord>,
    /// The batcher.
    pub batcher: BatcherStatus,
}

impl RollupState {
    /// The state before any L1 block after the genesis origin was read.
    pub fn new(params: RollupParams, genesis_l1: BlockRef) -> Self {
        Self {
            params,
            current_l1: genesis_l1,
            head_l1: genesis_l1,
            safe_l1: genesis_l1,
            finalized_l1: genesis_l1,
            local_safe: params.genesis_l2,
            finalized_l2: params.genesis_l2,
            records: VecDeque::from([SafeHeadRecord { l1: genesis_l1, safe: params.genesis_l2 }]),
            batcher: BatcherStatus::default(),
        }
    }

    /// The record of the highest L1 block at or below `l1_number`.
    pub fn safe_head_at(&self, l1_number: u64) -> Option<SafeHeadRecord> {
        let index = self.records.partition_point(|r| r.l1.number <= l1_number);
        index.checked_sub(1).and_then(|i| self.records.get(i)).copied()
    }

    /// The record the chain's rollup node reports for `l1_number` (`optimism_safeHeadAtL1Block`): that of
    /// [`Self::safe_head_at`], none for an L1 block above the last one read (derivation has not got there yet).
    pub fn reported_safe_head(&self, l1_number: u64) -> Option<SafeHeadRecord> {
        if l1_number > self.current_l1.number {
            return None;
        }
        self.safe_head_at(l1_number)
    }

    /// Records that `l1` was read with local-safe head `safe` after it.
    pub fn push(&mut self, l1: BlockRef, safe: BlockId) {
        self.current_l1 = l1;
        self.local_safe = safe;
        self.records.push_back(SafeHeadRecord { l1, safe });
        while self.records.len() > RECORDS_KEPT {
            self.records.pop_front();
        }
    }

    /// Forgets what was read from L1 blocks above `l1_number` (an L1 reorg replaced them).
    pub fn rewind_l1(&mut self, l1_number: u64) {
        while self.records.len() > 1 && self.records.back().is_some_and(|r| r.l1.number > l1_number) {
            self.records.pop_back();
        }
        if let Some(last) = self.records.back() {
            self.current_l1 = last.l1;
            self.local_safe = last.safe;
        }
        if self.finalized_l2.number > self.local_safe.number {
            self.finalized_l2 = self.local_safe;
        }
    }

    /// Sets the finalized L1 block; the finalized L2 head becomes the safe head recorded at it.
    pub fn finalize_l1(&mut self, finalized: BlockRef) {
        self.finalized_l1 = finalized;
        self.safe_l1 = finalized;
        if let Some(record) = self.safe_head_at(finalized.number)
            && record.safe.number >= self.finalized_l2.number
        {
            self.finalized_l2 = record.safe;
        }
    }
}

/// A shared handle on one chain's [`RollupState`].
#[derive(Debug, Clone)]
pub struct RollupLog {
    inner: Arc<RwLock<RollupState>>,
}

impl RollupLog {
    /// A log starting from `state`.
    pub fn new(state: RollupState) -> Self {
        Self { inner: Arc::new(RwLock::new(state)) }
    }

    /// The chain's ID.
    pub fn chain_id(&self) -> u64 {
        self.read().params.l2_chain_id
    }

    /// Reads the state (short critical sections only: the pipeline writes it after every L1 block).
    pub fn read(&self) -> RwLockReadGuard<'_, RollupState> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the state.
    pub fn write(&self) -> RwLockWriteGuard<'_, RollupState> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::B256;

    fn l1(number: u64) -> BlockRef {
        BlockRef {
            hash: B256::with_last_byte(number as u8),
            number,
            parent_hash: B256::with_last_byte(number.saturating_sub(1) as u8),
            timestamp: 100 + number * 12,
        }
    }

    fn l2(number: u64) -> BlockId {
        BlockId::new(number, B256::repeat_byte(0x20 + number as u8))
    }

    fn state() -> RollupState {
        let params = RollupParams {
            l2_chain_id: 901,
            l1_chain_id: 900,
            genesis_l1: l1(0).id(),
            genesis_l2: l2(0),
            genesis_time: 100,
            block_time: 2,
            sequencing_window: 8,
            channel_timeout: 50,
            max_sequencer_drift: 1800,
            batch_inbox: Address::repeat_byte(0xff),
            batcher: Address::repeat_byte(0xba),
            deposit_contract: Address::repeat_byte(0xde),
        };
        RollupState::new(params, l1(0))
    }

    #[test]
    fn the_safe_head_at_an_l1_block_is_that_of_the_highest_record_at_or_below_it() {
        let mut state = state();
        state.push(l1(1), l2(3));
        state.push(l1(3), l2(7));
        assert_eq!(state.safe_head_at(2).map(|r| r.safe), Some(l2(3)));
        assert_eq!(state.safe_head_at(3).map(|r| r.safe), Some(l2(7)));
        assert_eq!(state.safe_head_at(99).map(|r| r.l1.number), Some(3));
        assert_eq!(state.safe_head_at(0).map(|r| r.safe), Some(l2(0)));
        assert_eq!(state.reported_safe_head(3).map(|r| r.safe), Some(l2(7)));
        assert_eq!(state.reported_safe_head(4), None, "L1 block 4 has not been read");
    }

    #[test]
    fn an_l1_rewind_takes_the_safe_and_finalized_heads_back_with_it() {
        let mut state = state();
        state.push(l1(1), l2(3));
        state.push(l1(2), l2(5));
        state.finalize_l1(l1(2));
        assert_eq!(state.finalized_l2, l2(5));
        state.rewind_l1(1);
        assert_eq!((state.current_l1, state.local_safe, state.finalized_l2), (l1(1), l2(3), l2(3)));
    }
}
