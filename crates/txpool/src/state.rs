//! The account state the pool reads (nonce and balance), behind a narrow trait the chain implements.

use std::collections::HashMap;

use alloy_primitives::{Address, U256};

/// Read access to the latest account state. The chain passes its head state to the pool's calls.
pub trait AccountReader {
    /// The account's nonce (the next nonce it may use); 0 for an unknown account.
    fn nonce(&self, address: Address) -> u64;
    /// The account's balance in wei; 0 for an unknown account.
    fn balance(&self, address: Address) -> U256;
}

impl<T: AccountReader + ?Sized> AccountReader for &T {
    fn nonce(&self, address: Address) -> u64 {
        (**self).nonce(address)
    }

    fn balance(&self, address: Address) -> U256 {
        (**self).balance(address)
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
