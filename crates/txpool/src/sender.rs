//! One sender's transactions, by nonce: the pending run (consecutive nonces from the account nonce) and the
//! queued rest.

use std::{collections::BTreeMap, sync::Arc};

use crate::transaction::PoolTransaction;

/// Which subpool a transaction is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubPool {
    /// Executable now: its nonce continues the sender's run from the account nonce without a gap.
    Pending,
    /// Waiting for a lower nonce to arrive (or be mined).
    Queued,
}

/// A pooled transaction with its arrival number (ties in ordering go to the earlier arrival).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The transaction.
    pub(crate) tx: Arc<PoolTransaction>,
    /// Arrival number, unique within the pool.
    pub(crate) seq: u64,
}

/// One sender's transactions and the account nonce last read for it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SenderTxs {
    /// The account's next nonce, as last read from state.
    pub(crate) state_nonce: u64,
    /// Transactions by nonce; none below `state_nonce`.
    pub(crate) txs: BTreeMap<u64, Entry>,
}

impl SenderTxs {
    /// The first nonce at or after the account nonce that has no transaction: the pending run ends before it.
    pub(crate) fn pending_end(&self) -> u64 {
        consecutive_end(self.state_nonce, self.txs.range(self.state_nonce..).map(|(nonce, _)| *nonce))
    }

    /// The pending run, in nonce order.
    pub(crate) fn pending(&self) -> impl Iterator<Item = &Entry> {
        let end = self.pending_end();
        self.txs.range(self.state_nonce..end).map(|(_, entry)| entry)
    }

    /// The queued transactions, in nonce order.
    pub(crate) fn queued(&self) -> impl Iterator<Item = &Entry> {
        let end = self.pending_end();
        self.txs.range(end..).map(|(_, entry)| entry)
    }

    /// The subpool a nonce would be in.
    pub(crate) fn subpool_of(&self, nonce: u64) -> SubPool {
        if nonce >= self.state_nonce && nonce < self.pending_end() {
            SubPool::Pending
        } else {
            SubPool::Queued
        }
    }

    /// Removes and returns every transaction below `state_nonce` after updating it.
    pub(crate) fn advance_to(&mut self, state_nonce: u64) -> Vec<Entry> {
        self.state_nonce = state_nonce;
        let kept = self.txs.split_off(&state_nonce);
        let stale = std::mem::replace(&mut self.txs, kept);
        stale.into_values().collect()
    }
}

/// The first nonce from `start` missing in `nonces` (ascending, all at least `start`).
pub(crate) fn consecutive_end(start: u64, nonces: impl Iterator<Item = u64>) -> u64 {
    let mut next = start;
    for nonce in nonces {
        if nonce != next {
            break;
        }
        // The pool refuses nonce u64::MAX, so a run never needs to step past it.
        match next.checked_add(1) {
            Some(after) => next = after,
            None => break,
        }
    }
    next
}
