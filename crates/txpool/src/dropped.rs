//! Transactions the pool removed on its own (revalidation, eviction), and why.

use std::sync::Arc;

use alloy_primitives::{B256, U256};

use crate::{admission::AdmissionRejection, transaction::PoolTransaction};

/// Why the pool removed a transaction it held.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DropReason {
    /// The account's nonce moved past it (mined, or replaced by another transaction in a block).
    #[error("nonce too low: state nonce {state_nonce}")]
    NonceTooLow {
        /// The account's next nonce.
        state_nonce: u64,
    },
    /// The balance no longer covers it, together with the sender's earlier pending transactions.
    #[error("insufficient funds: have {balance} want {cumulative_cost}")]
    InsufficientFunds {
        /// The sender's balance.
        balance: U256,
        /// Cost of this and the sender's earlier pending transactions.
        cumulative_cost: U256,
    },
    /// The owner's admission hook now refuses it.
    #[error("rejected: {0}")]
    Rejected(AdmissionRejection),
    /// Removed to make room for a better-paying transaction.
    #[error("evicted to make room for {by}")]
    Evicted {
        /// The transaction that took its place.
        by: B256,
    },
    /// Removed by an explicit request (mined in a block, or dropped by the owner).
    #[error("removed")]
    Removed,
}

/// A transaction the pool removed, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedTransaction {
    /// The removed transaction.
    pub tx: Arc<PoolTransaction>,
    /// Why it was removed.
    pub reason: DropReason,
}
