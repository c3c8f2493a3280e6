//! Block production for fault injection and for an L1 that reorganises: a sequencer that forces transactions
//! past its own admission policy, blocks rebuilt without their user transactions (a batch that missed its
//! sequencing window, an equivocating sequencer), and blocks built without the pool (the empty blocks of an L1
//! branch that won a reorg).

use std::{
    collections::{HashSet, VecDeque},
    sync::Arc,
};

use alloy_primitives::{Address, B256};
use superlink_txpool::{InsertError, PoolTransaction};

use crate::{
    block::StoredBlock,
    builder::{Exclusion, NoTransactions, TxSource},
    error::ChainError,
    tx::ExecutableTx,
};

use super::{
    Chain,
    production::{MinedBlock, PoolSource, executable},
    reorg::ReplacedBlock,
};

#[cfg(test)]
mod tests;

/// What [`Chain::rebuild_without_user_transactions`] did.
#[derive(Debug, Clone)]
pub struct RebuildOutcome {
    /// Every block that left the canonical chain (the old blocks of the rebuilt heights and every block
    /// above them), lowest first.
    pub removed: Vec<Arc<StoredBlock>>,
    /// The rebuilt heights with their old and new block hashes, lowest first.
    pub rebuilt: Vec<ReplacedBlock>,
    /// User transactions of the removed blocks that went back to the pool.
    pub reinserted: Vec<B256>,
    /// User transactions of the removed blocks the pool refused, with why.
    pub refused: Vec<(B256, InsertError)>,
}

/// The builder's source for [`Chain::mine_including`]: the forced transactions in their order, then the
/// pool's best. Remembers the first forced transaction the builder left out; after that it offers nothing
/// more, since the block is going to be thrown away.
struct ForcedFirst {
    forced: VecDeque<ExecutableTx>,
    forced_hashes: HashSet<B256>,
    last_was_forced: bool,
    failed: Option<(B256, String)>,
    pool: PoolSource,
}

impl TxSource for ForcedFirst {
    fn next_transaction(&mut self) -> Option<ExecutableTx> {
        if self.failed.is_some() {
            return None;
        }
        if let Some(tx) = self.forced.pop_front() {
            self.last_was_forced = true;
            return Some(tx);
        }
        self.last_was_forced = false;
        loop {
            let tx = self.pool.next_transaction()?;
            // A pooled copy of a forced transaction is already in the block; the sender's later nonces follow.
            if !self.forced_hashes.contains(&tx.hash) {
                return Some(tx);
            }
        }
    }

    fn exclude(&mut self, tx: &ExecutableTx, why: &Exclusion) {
        if !self.last_was_forced {
            self.pool.exclude(tx, why);
        } else if self.failed.is_none() {
            let reason = match why {
                Exclusion::NotYet(reason) | Exclusion::Invalid(reason) => reason.clone(),
            };
            self.failed = Some((tx.hash, reason));
        }
    }
}

impl Chain {
    /// Builds the next block at `timestamp` as [`Chain::mine`] does, but with `forced` right after the
    /// deposits, in their order, then pool transactions as usual. The forced transactions skip the pool and
    /// its admission check (the owner's policy, e.g. an interop sequencer's check of executing messages): this
    /// is a sequencer that includes what its own policy refuses, on purpose. They must still execute (nonce,
    /// balance, gas); if one of them cannot be included, no block is built, the chain is left as it was
    /// (queued deposits included) and the error names that transaction. Unsigned forced transactions are
    /// accepted only from impersonated senders, as at submission.
    pub fn mine_including(
        &mut self,
        timestamp: u64,
        forced: Vec<PoolTransaction>,
    ) -> Result<MinedBlock, ChainError> {
        self.check_child_timestamp(timestamp)?;
        if let Some(tx) = forced.iter().find(|tx| tx.is_impersonated() && !self.is_impersonated(&tx.sender()))
        {
            return Err(ChainError::NotImpersonated(tx.sender()));
        }
        let attrs = self.next_attributes(timestamp);
        let deposits = attrs.deposits.clone();
        let forced: VecDeque<ExecutableTx> = forced.iter().map(executable).collect();
        let forced_hashes: HashSet<B256> = forced.iter().map(|tx| tx.hash).collect();
        let mut source = ForcedFirst {
            forced,
            forced_hashes,
            last_was_forced: false,
            failed: None,
            pool: PoolSource::new(&self.pool, self.next_base_fee(), timestamp),
        };
        let built = match self.build_detached(attrs, &mut source) {
            Ok(built) => built,
            Err(error) => {
                self.deposits.splice(0..0, deposits);
                return Err(error);
            }
        };
        // A forced transaction the builder never reached (the block's gas ran out before it) fails too.
        let failure = source.failed.take().or_else(|| {
            source.forced.front().map(|tx| (tx.hash, "the block's gas ran out before it".to_string()))
        });
        if let Some((hash, reason)) = failure {
            self.state.revert_diff(&built.diff);
            self.deposits.splice(0..0, deposits);
            return Err(ChainError::ForcedTransactionFailed { hash, reason });
        }
        let block = self.append_built(built);
        let mined: Vec<B256> = block.transactions.iter().map(|tx| tx.hash).collect();
        self.pool.remove_mined(mined);
        let ForcedFirst { pool: mut pool_source, forced_hashes, .. } = source;
        for hash in &pool_source.invalid {
            self.pool.remove_transaction(hash);
        }
        // A pooled copy of a forced transaction may have been refused by the admission check; it is mined.
        pool_source.excluded.retain(|(hash, _)| !forced_hashes.contains(hash));
        let dropped = self.revalidate_pool();
        Ok(MinedBlock { block, excluded: pool_source.excluded, dropped })
    }

    /// Builds the next block at `timestamp` with the L1 attributes deposit and the queued deposits (if any)
    /// but no pool transactions; the pool keeps its transactions and is revalidated against the new head. An
    /// L1 whose new branch after a reorg is made of empty blocks mines these.
    pub fn mine_without_pool(&mut self, timestamp: u64) -> Result<MinedBlock, ChainError> {
        self.check_child_timestamp(timestamp)?;
        let attrs = self.next_attributes(timestamp);
        let deposits = attrs.deposits.clone();
        let block = match self.build_on_head(attrs, &mut NoTransactions) {
            Ok(block) => block,
            Err(error) => {
                self.deposits.splice(0..0, deposits);
                return Err(error);
            }
        };
        let dropped = self.revalidate_pool();
        Ok(MinedBlock { block, excluded: Vec::new(), dropped })
    }

    /// Takes every block from `from` on off the chain and rebuilds blocks `from..=through` with their old
    /// attributes (timestamp, L1 origin and sequence number, deposits) and no user transactions; blocks above
    /// `through` are gone. With `fee_recipient`, the rebuilt blocks name it instead of their old fee recipient,
    /// so each rebuilt block differs from the old one even when that had no user transactions.
    ///
    /// The user transactions of every removed block go back to the pool, validated against the new head (as
    /// [`Chain::rewind_to`] does), and the safe and finalized labels above `from - 1` come down to it. Two
    /// faults use it: a batch that missed its sequencing window (`from == through`: the block becomes
    /// deposits-only and the unsafe blocks after it are dropped) and an equivocating sequencer (the last
    /// blocks rebuilt with another fee recipient). If any block fails to rebuild (a deposit the EVM refuses),
    /// the chain is left exactly as it was.
    pub fn rebuild_without_user_transactions(
        &mut self,
        from: u64,
        through: u64,
        fee_recipient: Option<Address>,
    ) -> Result<RebuildOutcome, ChainError> {
        if from <= self.store.first_number() {
            return Err(ChainError::GenesisImmutable);
        }
        if through < from {
            return Err(ChainError::EmptyRange { from, through });
        }
        self.check_not_beyond_head(through)?;
        let oldest = self.oldest_state();
        if from - 1 < oldest {
            return Err(ChainError::HistoryTooShort { target: from - 1, oldest });
        }
        let saved = self.capture();
        let (removed, rebuilt) = match self.rebuild_range(from, through, fee_recipient) {
            Ok(done) => done,
            Err(error) => {
                self.restore(saved);
                return Err(error);
            }
        };
        self.remember_orphans(removed.iter().cloned());
        self.safe = self.safe.min(from - 1);
        self.finalized = self.finalized.min(from - 1);
        let (reinserted, refused) = self.repool_user_transactions(&removed);
        Ok(RebuildOutcome { removed, rebuilt, reinserted, refused })
    }

    /// The work of [`Chain::rebuild_without_user_transactions`], which restores the chain if this fails.
    fn rebuild_range(
        &mut self,
        from: u64,
        through: u64,
        fee_recipient: Option<Address>,
    ) -> Result<(Vec<Arc<StoredBlock>>, Vec<ReplacedBlock>), ChainError> {
        self.unwind_state_to(from - 1)?;
        let removed = self.store.truncate(from - 1);
        let mut rebuilt = Vec::new();
        for old in removed.iter().take_while(|old| old.number() <= through) {
            // Only the genesis block has no attributes, and it is never rebuilt.
            let Some(mut attrs) = old.attributes.clone() else { return Err(ChainError::GenesisImmutable) };
            if let Some(recipient) = fee_recipient {
                attrs.fee_recipient = recipient;
            }
            let new_block = self.build_on_head(attrs, &mut NoTransactions)?;
            rebuilt.push(ReplacedBlock {
                number: old.number(),
                old_hash: old.hash(),
                new_hash: new_block.hash(),
            });
        }
        Ok((removed, rebuilt))
    }
}
