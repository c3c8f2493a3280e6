//! Block production: the inputs of the next block (queued deposits, the L1 origin), the pool as the builder's
//! source, and mining a block on the head.

use std::sync::Arc;

use alloy_primitives::B256;
use op_alloy_consensus::TxDeposit;
use superlink_txpool::{AdmissionCheck, BestTransactions, DroppedTransaction, PoolTransaction, TxPool};

use crate::{
    block::{BlockAttributes, StoredBlock},
    builder::{self, BuildParams, BuiltBlock, Exclusion, TxSource},
    error::ChainError,
    l1_info::L1Attributes,
    tx::ExecutableTx,
};

use super::Chain;

/// The largest block timestamp the chain accepts: 2^53 - 1, the largest integer a JavaScript client reads
/// exactly (years past 285,000,000), so no time arithmetic near `u64::MAX` can overflow.
pub const MAX_BLOCK_TIMESTAMP: u64 = (1 << 53) - 1;

/// A block the chain just mined, and what happened to the pool.
#[derive(Debug, Clone)]
pub struct MinedBlock {
    /// The new head.
    pub block: Arc<StoredBlock>,
    /// Pool transactions tried and left out, with why.
    pub excluded: Vec<(B256, Exclusion)>,
    /// Pool transactions dropped by the revalidation after the block.
    pub dropped: Vec<DroppedTransaction>,
}

/// The pool's best transactions as a builder source; remembers what must leave the pool. Every candidate
/// passes the owner's admission hook once more for the block's timestamp before the builder sees it (for a
/// preview, the `pending` block, with [`AdmissionCheck::check_preview`]).
pub(super) struct PoolSource {
    pub(super) best: BestTransactions,
    pub(super) check: Arc<dyn AdmissionCheck>,
    pub(super) timestamp: u64,
    pub(super) preview: bool,
    pub(super) current: Option<Arc<PoolTransaction>>,
    pub(super) invalid: Vec<B256>,
    pub(super) excluded: Vec<(B256, Exclusion)>,
}

impl PoolSource {
    /// The best transactions of `pool` for a block at `timestamp` with `base_fee`.
    pub(super) fn new(pool: &TxPool, base_fee: u64, timestamp: u64) -> Self {
        Self {
            best: pool.best_transactions(base_fee),
            check: pool.admission_check(),
            timestamp,
            preview: false,
            current: None,
            invalid: Vec::new(),
            excluded: Vec::new(),
        }
    }

    /// The same for a preview of the next block, built while a reader waits.
    pub(super) fn preview(pool: &TxPool, base_fee: u64, timestamp: u64) -> Self {
        Self { preview: true, ..Self::new(pool, base_fee, timestamp) }
    }

    /// The owner's verdict on including `tx` in this block.
    fn admit(&self, tx: &PoolTransaction) -> Result<(), superlink_txpool::AdmissionRejection> {
        if self.preview {
            self.check.check_preview(tx, self.timestamp)
        } else {
            self.check.check_inclusion(tx, self.timestamp)
        }
    }
}

/// A pooled transaction as the builder executes it.
pub(super) fn executable(tx: &PoolTransaction) -> ExecutableTx {
    ExecutableTx {
        envelope: tx.tx().clone(),
        sender: tx.sender(),
        hash: tx.hash(),
        impersonated: tx.is_impersonated(),
    }
}

impl TxSource for PoolSource {
    fn next_transaction(&mut self) -> Option<ExecutableTx> {
        let mut tx = self.best.next()?;
        // Left out of this block (with the sender's later nonces); the revalidation after it decides its fate.
        while let Err(refused) = self.admit(&tx) {
            self.best.mark_invalid(&tx);
            let why = format!("refused for a block at timestamp {}: {}", self.timestamp, refused.reason);
            self.excluded.push((tx.hash(), Exclusion::NotYet(why)));
            tx = self.best.next()?;
        }
        let executable = executable(&tx);
        self.current = Some(tx);
        Some(executable)
    }

    fn exclude(&mut self, tx: &ExecutableTx, why: &Exclusion) {
        if let Some(current) = self.current.as_ref().filter(|current| current.hash() == tx.hash) {
            self.best.mark_invalid(current);
        }
        if matches!(why, Exclusion::Invalid(_)) {
            self.invalid.push(tx.hash);
        }
        self.excluded.push((tx.hash, why.clone()));
    }
}

impl Chain {
    /// Queues a deposit (e.g. an L1 → L2 deposit) for the next block, after its L1 attributes deposit.
    pub fn queue_deposit(&mut self, deposit: TxDeposit) {
        self.forget_pending();
        self.deposits.push(deposit);
    }

    /// Deposits waiting for the next block.
    pub fn queued_deposits(&self) -> &[TxDeposit] {
        &self.deposits
    }

    /// Sets the L1 origin for the next blocks.
    pub fn set_l1_origin(&mut self, l1: L1Attributes) {
        self.forget_pending();
        self.l1 = l1;
    }

    /// The L1 origin the next block will reference.
    pub fn l1_origin(&self) -> &L1Attributes {
        &self.l1
    }

    pub(super) fn next_attributes(&mut self, timestamp: u64) -> BlockAttributes {
        let deposits = std::mem::take(&mut self.deposits);
        self.forget_pending();
        self.attributes_for(timestamp, deposits)
    }

    /// The attributes of the head's child at `timestamp` with `deposits`.
    pub(super) fn attributes_for(&self, timestamp: u64, deposits: Vec<TxDeposit>) -> BlockAttributes {
        let head = self.store.head();
        let sequence_number = match &head.attributes {
            Some(parent) if parent.l1.number == self.l1.number && parent.l1.hash == self.l1.hash => {
                parent.sequence_number + 1
            }
            None if self.l1.number == 0 => 1,
            _ => 0,
        };
        BlockAttributes {
            timestamp,
            l1: self.l1,
            sequence_number,
            deposits,
            prev_randao: self.l1.hash,
            parent_beacon_root: B256::ZERO,
            fee_recipient: self.config.fee_recipient,
        }
    }

    /// Builds the next block at `timestamp` (after the head's): the L1 attributes deposit, the queued
    /// deposits, then pool transactions by fee and nonce until the gas limit. Then revalidates the pool.
    pub fn mine(&mut self, timestamp: u64) -> Result<MinedBlock, ChainError> {
        self.check_child_timestamp(timestamp)?;
        let attrs = self.next_attributes(timestamp);
        let mut source = PoolSource::new(&self.pool, self.next_base_fee(), timestamp);
        let deposits = attrs.deposits.clone();
        let block = match self.build_on_head(attrs, &mut source) {
            Ok(block) => block,
            Err(error) => {
                self.deposits.splice(0..0, deposits);
                return Err(error);
            }
        };
        let mined: Vec<B256> = block.transactions.iter().map(|tx| tx.hash).collect();
        self.pool.remove_mined(mined);
        for hash in &source.invalid {
            self.pool.remove_transaction(hash);
        }
        let dropped = self.revalidate_pool();
        Ok(MinedBlock { block, excluded: source.excluded, dropped })
    }

    /// Refuses a timestamp for the head's child that is not after the head's or past the largest one.
    pub(super) fn check_child_timestamp(&self, timestamp: u64) -> Result<(), ChainError> {
        let parent_timestamp = self.store.head().timestamp();
        if timestamp <= parent_timestamp {
            return Err(ChainError::TimestampNotIncreasing { timestamp, parent: parent_timestamp });
        }
        if timestamp > MAX_BLOCK_TIMESTAMP {
            return Err(ChainError::TimestampTooLarge { timestamp, max: MAX_BLOCK_TIMESTAMP });
        }
        Ok(())
    }

    /// The chain-wide parameters of the head's child.
    pub(super) fn build_params(&self) -> BuildParams<'_> {
        BuildParams {
            chain_id: self.chain_id,
            spec: self.config.spec,
            gas_limit: self.gas_limit,
            eip1559: self.eip1559,
            hashes: self.store.hashes(),
        }
    }

    /// Builds a block on the head with `attrs` and appends it; on failure the state is left unchanged.
    pub(super) fn build_on_head(
        &mut self,
        attrs: BlockAttributes,
        source: &mut dyn TxSource,
    ) -> Result<Arc<StoredBlock>, ChainError> {
        let built = self.build_detached(attrs, source)?;
        Ok(self.append_built(built))
    }

    /// Builds a block on the head with `attrs` without appending it: the state is advanced to the block's
    /// post-state, and the caller either appends the block ([`Chain::append_built`]) or reverts the state
    /// with the block's diff. On failure the state is left unchanged.
    pub(super) fn build_detached(
        &mut self,
        attrs: BlockAttributes,
        source: &mut dyn TxSource,
    ) -> Result<BuiltBlock, ChainError> {
        let parent = self.store.head().header.clone();
        self.forget_pending();
        let params = BuildParams {
            chain_id: self.chain_id,
            spec: self.config.spec,
            gas_limit: self.gas_limit,
            eip1559: self.eip1559,
            hashes: self.store.hashes(),
        };
        builder::build_block(&mut self.state, &params, &parent, attrs, source).map_err(|failure| {
            self.state.revert_diff(&failure.diff);
            failure.error
        })
    }

    /// Appends a block built by [`Chain::build_detached`] as the new head, keeping its diff (with the
    /// developer edits made before it) in the history.
    pub(super) fn append_built(&mut self, built: BuiltBlock) -> Arc<StoredBlock> {
        let mut diff = std::mem::take(&mut self.edits);
        diff.absorb_later(built.diff);
        self.diffs.push_back(diff);
        while self.diffs.len() as u64 > self.config.history_depth {
            self.diffs.pop_front();
        }
        self.store.push(built.block);
        self.head()
    }
}
