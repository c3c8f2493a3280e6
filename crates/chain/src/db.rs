//! The world state seen through revm's database traits: a writable view that records a diff while blocks
//! are built, and a read-only view of the state at an older block (current state with newer diffs undone).

use alloy_primitives::{Address, B256, U256};
use revm::{
    DatabaseCommit,
    bytecode::Bytecode,
    database_interface::{Database, DatabaseRef},
    primitives::AddressMap,
    state::{Account as EvmAccount, AccountInfo as EvmAccountInfo},
};

use crate::{
    error::StateError,
    state::{AccountInfo, StateDiff, WorldState},
    store::BlockHashes,
};

fn to_evm_info(state: &WorldState, info: AccountInfo) -> EvmAccountInfo {
    let code = state.code_by_hash(&info.code_hash).unwrap_or_default();
    EvmAccountInfo::new(info.balance, info.nonce, info.code_hash, code)
}

fn code_of(state: &WorldState, hash: B256) -> Result<Bytecode, StateError> {
    if hash == alloy_primitives::KECCAK256_EMPTY {
        return Ok(Bytecode::default());
    }
    state.code_by_hash(&hash).ok_or(StateError::UnknownCode(hash))
}

/// The mutable state used while a block is executed: reads see every earlier transaction of the block,
/// commits record overwritten values in the block's diff.
#[derive(Debug)]
pub struct BuildDb<'a> {
    /// The state being changed.
    pub state: &'a mut WorldState,
    /// The diff collecting values this block overwrites.
    pub diff: &'a mut StateDiff,
    /// Hashes of the blocks before this one (for `BLOCKHASH`).
    pub hashes: BlockHashes<'a>,
}

impl Database for BuildDb<'_> {
    type Error = StateError;

    fn basic(&mut self, address: Address) -> Result<Option<EvmAccountInfo>, StateError> {
        Ok(self.state.info(&address)?.map(|info| to_evm_info(self.state, info)))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, StateError> {
        code_of(self.state, code_hash)
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, StateError> {
        self.state.storage(&address, &index)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, StateError> {
        Ok(self.hashes.get(number))
    }
}

impl DatabaseCommit for BuildDb<'_> {
    fn commit(&mut self, changes: AddressMap<EvmAccount>) {
        self.state.commit_evm_state(changes, self.diff);
    }
}

/// The state as of some block: the current state with the diffs of every later block undone on read.
#[derive(Debug, Clone)]
pub struct StateView<'a> {
    state: &'a WorldState,
    /// Diffs of the blocks after the viewed one, oldest first.
    newer: Vec<&'a StateDiff>,
    hashes: BlockHashes<'a>,
}

impl<'a> StateView<'a> {
    /// A view of `state` with the diffs in `newer` (oldest first) undone.
    pub fn new(state: &'a WorldState, newer: Vec<&'a StateDiff>, hashes: BlockHashes<'a>) -> Self {
        Self { state, newer, hashes }
    }

    /// Account info as of the viewed block. An account a later block created reads as the state under the
    /// one in memory has it: absent, or in fork mode the remote's account.
    pub fn info(&self, address: &Address) -> Result<Option<AccountInfo>, StateError> {
        for diff in &self.newer {
            if let Some(old) = diff.accounts.get(address) {
                return match old {
                    Some(info) => Ok(Some(*info)),
                    None => self.state.base_info(address),
                };
            }
        }
        self.state.info(address)
    }

    /// A storage slot as of the viewed block.
    pub fn storage(&self, address: &Address, slot: &U256) -> Result<U256, StateError> {
        for diff in &self.newer {
            if let Some(old) = diff.storage.get(&(*address, *slot)) {
                return Ok(*old);
            }
        }
        self.state.storage(address, slot)
    }

    /// Code of an account as of the viewed block.
    pub fn code(&self, address: &Address) -> Result<alloy_primitives::Bytes, StateError> {
        Ok(self
            .info(address)?
            .and_then(|info| self.state.code_by_hash(&info.code_hash))
            .map(|code| code.original_bytes())
            .unwrap_or_default())
    }

    /// A full copy of the state as of the viewed block (used for proofs of old blocks).
    pub fn materialize(&self) -> WorldState {
        let mut copy = self.state.clone();
        for diff in self.newer.iter().rev() {
            copy.revert_diff(diff);
        }
        copy
    }
}

impl DatabaseRef for StateView<'_> {
    type Error = StateError;

    fn basic_ref(&self, address: Address) -> Result<Option<EvmAccountInfo>, StateError> {
        Ok(self.info(&address)?.map(|info| to_evm_info(self.state, info)))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, StateError> {
        code_of(self.state, code_hash)
    }

    fn storage_ref(&self, address: Address, index: U256) -> Result<U256, StateError> {
        self.storage(&address, &index)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, StateError> {
        Ok(self.hashes.get(number))
    }
}
