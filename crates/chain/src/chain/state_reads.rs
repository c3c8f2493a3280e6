//! State at a block: balances, nonces, code, storage, proofs and state roots, read from the head state and
//! the kept per-block diffs.

use alloy_eips::BlockId;
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_rpc_types_eth::EIP1186AccountProofResponse;

use crate::{
    db::StateView,
    error::ChainError,
    state::{StateDiff, WorldState},
    trie,
};

use super::{Chain, pending::is_pending};

impl Chain {
    /// Runs `read` on the state as of block `id`: `latest` includes developer edits since the head, and
    /// `pending` is the state after the pending block (the head state while nothing is waiting).
    pub fn read_state<T>(
        &self,
        id: BlockId,
        read: impl FnOnce(&StateView<'_>) -> T,
    ) -> Result<T, ChainError> {
        if is_pending(id)
            && let Some(pending) = self.pending_if_any()?
        {
            return Ok(read(&StateView::new(&pending.state, Vec::new(), self.store.hashes())));
        }
        let number = self.resolve(id)?;
        Ok(read(&self.view_at(number)?))
    }

    pub(super) fn view_at(&self, number: u64) -> Result<StateView<'_>, ChainError> {
        let head = self.head_number();
        if number == head {
            return Ok(StateView::new(&self.state, Vec::new(), self.store.hashes()));
        }
        let oldest = self.oldest_state();
        if number < oldest {
            return Err(ChainError::StateUnavailable { number, oldest });
        }
        let skip = (number - oldest) as usize;
        let mut newer: Vec<&StateDiff> = self.diffs.iter().skip(skip).collect();
        newer.push(&self.edits);
        Ok(StateView::new(&self.state, newer, self.store.hashes()))
    }

    /// Balance at a block.
    pub fn balance(&self, address: Address, id: BlockId) -> Result<U256, ChainError> {
        let info = self.read_state(id, |view| view.info(&address))??;
        Ok(info.map(|info| info.balance).unwrap_or_default())
    }

    /// Nonce at a block.
    pub fn nonce(&self, address: Address, id: BlockId) -> Result<u64, ChainError> {
        let info = self.read_state(id, |view| view.info(&address))??;
        Ok(info.map(|info| info.nonce).unwrap_or_default())
    }

    /// Code at a block.
    pub fn code(&self, address: Address, id: BlockId) -> Result<Bytes, ChainError> {
        Ok(self.read_state(id, |view| view.code(&address))??)
    }

    /// A storage slot at a block.
    pub fn storage(&self, address: Address, slot: U256, id: BlockId) -> Result<U256, ChainError> {
        Ok(self.read_state(id, |view| view.storage(&address, &slot))??)
    }

    /// An EIP-1186 proof of an account and some of its slots at a block.
    ///
    /// On a forked chain the proof nodes are those of the chain's own trie (the accounts and slots it holds,
    /// see [`crate::fork`]), while balance, nonce, code hash and slot values are the account's as the chain
    /// reads it (from the remote where it never wrote them).
    pub fn proof(
        &self,
        address: Address,
        slots: &[B256],
        id: BlockId,
    ) -> Result<EIP1186AccountProofResponse, ChainError> {
        let mut proof = self.own_proof(address, slots, id)?;
        if self.is_forked() {
            let info = self.read_state(id, |view| view.info(&address))??.unwrap_or_default();
            proof.balance = info.balance;
            proof.nonce = info.nonce;
            proof.code_hash = info.code_hash;
            for entry in &mut proof.storage_proof {
                let slot = U256::from_be_bytes(entry.key.as_b256().0);
                entry.value = self.read_state(id, |view| view.storage(&address, &slot))??;
            }
        }
        Ok(proof)
    }

    fn own_proof(
        &self,
        address: Address,
        slots: &[B256],
        id: BlockId,
    ) -> Result<EIP1186AccountProofResponse, ChainError> {
        if is_pending(id)
            && let Some(pending) = self.pending_if_any()?
        {
            let mut state = pending.state.clone();
            return Ok(trie::account_proof(&mut state, address, slots));
        }
        let number = self.resolve(id)?;
        let mut state = if number == self.head_number() {
            self.state.clone()
        } else {
            self.view_at(number)?.materialize()
        };
        Ok(trie::account_proof(&mut state, address, slots))
    }

    /// The state root of block `id`'s state, recomputed from the kept history (it equals the header's
    /// `stateRoot`; at `latest` it includes developer edits since the head).
    pub fn state_root_at(&self, id: BlockId) -> Result<B256, ChainError> {
        let number = self.resolve(id)?;
        Ok(trie::full_state_root(&self.view_at(number)?.materialize()))
    }

    /// The head state (read-only).
    pub fn latest_state(&self) -> &WorldState {
        &self.state
    }

    /// Recomputes the state root of the head state from scratch (for checks; the header carries it).
    pub fn recompute_state_root(&self) -> B256 {
        trie::full_state_root(&self.state)
    }
}
