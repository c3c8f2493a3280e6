//! Transaction submission: the pool behind the chain, the accounts that may send unsigned transactions
//! (impersonation), and the pool's revalidation against the head.

use std::sync::Arc;

use alloy_primitives::{Address, U256};
use superlink_txpool::{
    AccountReader, AddedTransaction, AdmissionCheck, DroppedTransaction, PoolTransaction, TxPool,
    decode_raw_transaction,
};

use crate::{error::ChainError, state::WorldState};

use super::Chain;

/// The pool's view of the head state. In fork mode an account the chain has not read yet is read from the
/// remote; the submission paths read the sender first, so a remote failure is reported as such rather than as
/// an empty account (an account that still cannot be read counts as empty).
pub(super) struct HeadAccounts<'a>(pub(super) &'a WorldState);

impl AccountReader for HeadAccounts<'_> {
    fn nonce(&self, address: Address) -> u64 {
        self.0.info(&address).ok().flatten().map(|info| info.nonce).unwrap_or_default()
    }

    fn balance(&self, address: Address) -> U256 {
        self.0.info(&address).ok().flatten().map(|info| info.balance).unwrap_or_default()
    }
}

impl Chain {
    /// The transaction pool (read-only: contents, counts).
    pub fn pool(&self) -> &TxPool {
        &self.pool
    }

    /// Installs the owner's admission check, run on every submission and on every revalidation.
    pub fn set_admission_check(&mut self, check: Arc<dyn AdmissionCheck>) {
        self.forget_pending();
        self.pool.set_admission_check(check);
    }

    /// Submits a transaction to the pool. Unsigned (impersonated) transactions are accepted only from
    /// impersonated senders, or from anyone while auto-impersonation is on.
    pub fn submit_transaction(&mut self, tx: PoolTransaction) -> Result<AddedTransaction, ChainError> {
        if tx.is_impersonated() && !self.auto_impersonate && !self.impersonated.contains(&tx.sender()) {
            return Err(ChainError::NotImpersonated(tx.sender()));
        }
        self.forget_pending();
        self.state.info(&tx.sender())?;
        Ok(self.pool.add_transaction(tx, &HeadAccounts(&self.state))?)
    }

    /// The next nonce of `address` counting its consecutive pooled transactions (the `pending` nonce).
    /// In fork mode an account the remote cannot answer for counts as new: read it first
    /// ([`Chain::nonce`]) to see the error.
    pub fn pending_nonce(&self, address: Address) -> u64 {
        self.pool.next_nonce(address, &HeadAccounts(&self.state))
    }

    /// Submits raw `eth_sendRawTransaction` bytes.
    pub fn submit_raw_transaction(&mut self, raw: &[u8]) -> Result<AddedTransaction, ChainError> {
        self.forget_pending();
        let tx = decode_raw_transaction(raw).map_err(superlink_txpool::InsertError::from)?;
        self.state.info(&tx.sender())?;
        Ok(self.pool.add_transaction(tx, &HeadAccounts(&self.state))?)
    }

    /// Lets unsigned transactions from `address` in (`anvil_impersonateAccount`).
    pub fn impersonate(&mut self, address: Address) {
        self.impersonated.insert(address);
    }

    /// Stops impersonating `address`.
    pub fn stop_impersonating(&mut self, address: Address) {
        self.impersonated.remove(&address);
    }

    /// Accepts unsigned transactions from every address while on.
    pub fn set_auto_impersonate(&mut self, enabled: bool) {
        self.auto_impersonate = enabled;
    }

    /// Whether unsigned transactions from `address` are accepted.
    pub fn is_impersonated(&self, address: &Address) -> bool {
        self.auto_impersonate || self.impersonated.contains(address)
    }

    /// Revalidates the pool against the head state and the admission check; returns what was dropped.
    pub fn revalidate_pool(&mut self) -> Vec<DroppedTransaction> {
        self.forget_pending();
        let base_fee = self.next_base_fee();
        self.pool.on_new_block(&HeadAccounts(&self.state), base_fee)
    }
}
