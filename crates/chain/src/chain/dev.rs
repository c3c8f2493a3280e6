//! Developer edits of the head state (`anvil_setBalance`, `anvil_setCode`, ...) and snapshots of the whole
//! chain (`evm_snapshot`, `evm_revert`).

use std::{collections::VecDeque, sync::Arc};

use alloy_primitives::{Address, Bytes, U256};
use op_alloy_consensus::TxDeposit;

use crate::{
    block::StoredBlock,
    error::ChainError,
    l1_info::L1Attributes,
    state::{AccountInfo, StateDiff, WorldState},
    store::BlockStore,
};

use super::Chain;

/// Everything [`Chain::snapshot`] saves and [`Chain::revert_to_snapshot`] restores.
#[derive(Debug, Clone)]
pub(super) struct Snapshot {
    pub(super) state: WorldState,
    pub(super) store: BlockStore,
    pub(super) diffs: VecDeque<StateDiff>,
    pub(super) edits: StateDiff,
    pub(super) deposits: Vec<TxDeposit>,
    pub(super) l1: L1Attributes,
    pub(super) safe: u64,
    pub(super) finalized: u64,
}

impl Chain {
    /// Edits an account's info. In fork mode an account not held yet keeps the remote's other fields as
    /// already read: read the account first ([`Chain::code`]) so the remote has been asked.
    pub(super) fn edit_info(&mut self, address: Address, edit: impl FnOnce(&mut AccountInfo)) {
        let mut info = self.state.known_info(&address).unwrap_or_default();
        edit(&mut info);
        self.state.set_info(address, info, &mut self.edits);
        self.revalidate_pool();
    }

    /// Sets an account's balance in the head state (`anvil_setBalance`).
    pub fn set_balance(&mut self, address: Address, balance: U256) {
        self.edit_info(address, |info| info.balance = balance);
    }

    /// Sets an account's nonce in the head state (`anvil_setNonce`).
    pub fn set_nonce(&mut self, address: Address, nonce: u64) {
        self.edit_info(address, |info| info.nonce = nonce);
    }

    /// Sets an account's code in the head state (`anvil_setCode`).
    pub fn set_code(&mut self, address: Address, code: Bytes) {
        let code_hash = self.state.insert_code(code);
        self.edit_info(address, |info| info.code_hash = code_hash);
    }

    /// Sets a storage slot in the head state (`anvil_setStorageAt`).
    pub fn set_storage(&mut self, address: Address, slot: U256, value: U256) {
        self.forget_pending();
        self.state.set_storage(address, slot, value, &mut self.edits);
    }

    /// A copy of everything a snapshot restores.
    pub(super) fn capture(&self) -> Snapshot {
        Snapshot {
            state: self.state.clone(),
            store: self.store.clone(),
            diffs: self.diffs.clone(),
            edits: self.edits.clone(),
            deposits: self.deposits.clone(),
            l1: self.l1,
            safe: self.safe,
            finalized: self.finalized,
        }
    }

    /// Puts a captured copy back.
    pub(super) fn restore(&mut self, snapshot: Snapshot) {
        self.forget_pending();
        self.state = snapshot.state;
        self.store = snapshot.store;
        self.diffs = snapshot.diffs;
        self.edits = snapshot.edits;
        self.deposits = snapshot.deposits;
        self.l1 = snapshot.l1;
        self.safe = snapshot.safe;
        self.finalized = snapshot.finalized;
    }

    /// Saves the whole chain (state, blocks, history, queued deposits, labels); returns the snapshot id.
    pub fn snapshot(&mut self) -> u64 {
        let id = self.next_snapshot;
        self.next_snapshot += 1;
        let snapshot = self.capture();
        self.snapshots.insert(id, snapshot);
        id
    }

    /// How many snapshots are kept (each holds a copy of the chain until it is reverted to or dropped).
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    /// Restores snapshot `id` and forgets it and every later snapshot (as `evm_revert`); the pool is
    /// revalidated against the restored head.
    pub fn revert_to_snapshot(&mut self, id: u64) -> Result<(), ChainError> {
        let snapshot = self.snapshots.remove(&id).ok_or(ChainError::UnknownSnapshot(id))?;
        self.snapshots.split_off(&id);
        let before: Vec<Arc<StoredBlock>> = (self.store.first_number()..=self.head_number())
            .rev()
            .take(usize::try_from(self.config.history_depth).unwrap_or(usize::MAX))
            .filter_map(|number| self.block_by_number(number))
            .collect();
        self.restore(snapshot);
        self.remember_orphans(before.into_iter().rev());
        self.revalidate_pool();
        Ok(())
    }
}
