//! Reorganisations: rewinding the head to an earlier block, and replacing a block by a deposits-only block
//! with its descendants rebuilt on top.

use std::sync::Arc;

use alloy_primitives::B256;
use superlink_txpool::{InsertError, PoolTransaction};

use crate::{
    block::{BlockTransaction, StoredBlock},
    builder::{Exclusion, ListSource, NoTransactions},
    error::ChainError,
    tx::ExecutableTx,
};

use super::{Chain, submission::HeadAccounts};

/// What [`Chain::rewind_to`] did.
#[derive(Debug, Clone)]
pub struct RewindOutcome {
    /// The blocks taken off the chain, lowest first.
    pub removed: Vec<Arc<StoredBlock>>,
    /// User transactions of those blocks that went back to the pool.
    pub reinserted: Vec<B256>,
    /// User transactions of those blocks the pool refused, with why.
    pub refused: Vec<(B256, InsertError)>,
}

/// One height whose block changed in a deposits-only replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacedBlock {
    /// Block number.
    pub number: u64,
    /// Hash before.
    pub old_hash: B256,
    /// Hash after.
    pub new_hash: B256,
}

/// What [`Chain::replace_with_deposits_only`] did.
#[derive(Debug, Clone)]
pub struct ReplacementOutcome {
    /// Every height whose block was rebuilt (the replaced one first, then its descendants).
    pub replaced: Vec<ReplacedBlock>,
    /// User transactions of the replaced block, removed from the chain.
    pub removed: Vec<BlockTransaction>,
    /// User transactions of descendants that no longer executed and were left out, with why.
    pub dropped: Vec<(ExecutableTx, Exclusion)>,
}

impl Chain {
    /// Undoes developer edits and every block above `number`, leaving the state of block `number`.
    pub(super) fn unwind_state_to(&mut self, number: u64) -> Result<(), ChainError> {
        let head = self.head_number();
        let oldest = self.oldest_state();
        if number < oldest {
            return Err(ChainError::HistoryTooShort { target: number, oldest });
        }
        self.state.revert_diff(&std::mem::take(&mut self.edits));
        for _ in number..head {
            if let Some(diff) = self.diffs.pop_back() {
                self.state.revert_diff(&diff);
            }
        }
        Ok(())
    }

    /// Reorganises the head back to block `number`: later blocks are gone, their user transactions go back
    /// to the pool (validated against the new head), labels above `number` come down to it.
    pub fn rewind_to(&mut self, number: u64) -> Result<RewindOutcome, ChainError> {
        self.check_not_beyond_head(number)?;
        self.unwind_state_to(number)?;
        self.forget_pending();
        let removed = self.store.truncate(number);
        self.remember_orphans(removed.iter().cloned());
        self.safe = self.safe.min(number);
        self.finalized = self.finalized.min(number);
        let (reinserted, refused) = self.repool_user_transactions(&removed);
        Ok(RewindOutcome { removed, reinserted, refused })
    }

    /// Revalidates the pool against the head, then gives it back the user transactions of `removed` (blocks
    /// that left the chain), validated against the head: which went back, and which it refused with why.
    pub(super) fn repool_user_transactions(
        &mut self,
        removed: &[Arc<StoredBlock>],
    ) -> (Vec<B256>, Vec<(B256, InsertError)>) {
        let base_fee = self.next_base_fee();
        let _ = self.pool.on_new_block(&HeadAccounts(&self.state), base_fee);
        let txs: Vec<PoolTransaction> = removed
            .iter()
            .flat_map(|block| block.transactions.iter())
            .filter(|tx| !tx.is_deposit())
            .filter_map(|tx| {
                PoolTransaction::from_trusted_parts(tx.envelope.clone(), tx.sender, tx.impersonated).ok()
            })
            .collect();
        let mut reinserted = Vec::new();
        let mut refused = Vec::new();
        for (hash, result) in self.pool.reinsert(txs, &HeadAccounts(&self.state)) {
            match result {
                Ok(_) => reinserted.push(hash),
                Err(error) => refused.push((hash, error)),
            }
        }
        (reinserted, refused)
    }

    /// Replaces block `number` with a block of the same attributes (timestamp, L1 origin, deposits) and no
    /// user transactions, then rebuilds every later block on top with its own attributes and user
    /// transactions; transactions that no longer execute are left out. Labels are kept (the caller owns them).
    /// If any rebuilt block fails (a deposit the EVM refuses), the chain is left exactly as it was.
    pub fn replace_with_deposits_only(&mut self, number: u64) -> Result<ReplacementOutcome, ChainError> {
        if number <= self.store.first_number() {
            return Err(ChainError::GenesisImmutable);
        }
        self.check_not_beyond_head(number)?;
        let oldest = self.oldest_state();
        if number - 1 < oldest {
            return Err(ChainError::HistoryTooShort { target: number - 1, oldest });
        }
        let saved = self.capture();
        match self.rebuild_deposits_only(number) {
            Ok(outcome) => {
                let old =
                    (number..=saved.store.head_number()).filter_map(|n| saved.store.by_number(n).cloned());
                self.remember_orphans(old);
                self.revalidate_pool();
                Ok(outcome)
            }
            Err(error) => {
                self.restore(saved);
                Err(error)
            }
        }
    }

    pub(super) fn rebuild_deposits_only(&mut self, number: u64) -> Result<ReplacementOutcome, ChainError> {
        self.unwind_state_to(number - 1)?;
        let old_blocks = self.store.truncate(number - 1);
        let mut replaced = Vec::new();
        let mut removed = Vec::new();
        let mut dropped = Vec::new();
        for old in &old_blocks {
            let Some(attrs) = old.attributes.clone() else { continue };
            let new_block = if old.number() == number {
                removed.extend(old.transactions.iter().filter(|tx| !tx.is_deposit()).cloned());
                self.build_on_head(attrs, &mut NoTransactions)?
            } else {
                let user_txs = old.transactions.iter().filter(|tx| !tx.is_deposit()).map(|tx| ExecutableTx {
                    envelope: tx.envelope.clone(),
                    sender: tx.sender,
                    hash: tx.hash,
                    impersonated: tx.impersonated,
                });
                let mut source = ListSource::new(user_txs);
                let block = self.build_on_head(attrs, &mut source)?;
                dropped.extend(source.excluded);
                block
            };
            replaced.push(ReplacedBlock {
                number: old.number(),
                old_hash: old.hash(),
                new_hash: new_block.hash(),
            });
        }
        Ok(ReplacementOutcome { replaced, removed, dropped })
    }
}
