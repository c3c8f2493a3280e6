//! The account state the pool reads (nonce and balance), behind a narrow trait the chain implements.

use std::collections::HashMap;

use alloy_primitives::{Address, U256};

use crate::transaction::PoolTransaction;

/// Read access to the latest account state. The chain passes its head state to the pool's calls.
pub trait AccountReader {
    /// The account's nonce (the next nonce it may use); 0 for an unknown account.
    fn nonce(&self, address: Address) -> u64;
    /// The account's balance in wei; 0 for an unknown account.
    fn balance(&self, address: Address) -> U256;
    /// The L1 data fee the transaction would pay at the head's L1 attributes (OP Stack), which the sender's
    /// balance must cover on top of `gas * fee cap + value`, as op-geth's pool checks. The pool stays free of
    /// the fee formula: the owner computes it (from [`PoolTransaction::encoded`]). Default: 0.
    fn l1_data_fee(&self, tx: &PoolTransaction) -> U256 {
        let _ = tx;
        U256::ZERO
    }
}

/// What the sender must be able to pay for `tx`: `gas * fee cap + value`, plus the L1 data fee.
pub(crate) fn total_cost(tx: &PoolTransaction, state: &impl AccountReader) -> U256 {
    tx.cost().saturating_add(state.l1_data_fee(tx))
}

impl<T: AccountReader + ?Sized> AccountReader for &T {
    fn nonce(&self, address: Address) -> u64 {
        (**self).nonce(address)
    }

    fn balance(&self, address: Address) -> U256 {
        (**self).balance(address)
    }

    fn l1_data_fee(&self, tx: &PoolTransaction) -> U256 {
        (**self).l1_data_fee(tx)
    }
}

/// One account's nonce and balance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountInfo {
    /// Next nonce.
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
}

/// An in-memory account table: for tests, benchmarks, and owners that keep a simple snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InMemoryAccounts {
    accounts: HashMap<Address, AccountInfo>,
}

impl InMemoryAccounts {
    /// An empty table (every account has nonce 0 and balance 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets an account's nonce and balance.
    pub fn set(&mut self, address: Address, nonce: u64, balance: U256) {
        self.accounts.insert(address, AccountInfo { nonce, balance });
    }

    /// Sets an account's nonce, keeping its balance.
    pub fn set_nonce(&mut self, address: Address, nonce: u64) {
        self.accounts.entry(address).or_default().nonce = nonce;
    }

    /// Sets an account's balance, keeping its nonce.
    pub fn set_balance(&mut self, address: Address, balance: U256) {
        self.accounts.entry(address).or_default().balance = balance;
    }
}

impl AccountReader for InMemoryAccounts {
    fn nonce(&self, address: Address) -> u64 {
        self.accounts.get(&address).map_or(0, |info| info.nonce)
    }

    fn balance(&self, address: Address) -> U256 {
        self.accounts.get(&address).map_or(U256::ZERO, |info| info.balance)
    }
}
