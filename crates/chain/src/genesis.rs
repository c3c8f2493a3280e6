//! Genesis: the chain's starting allocations and the parameters its first block carries.

use std::collections::BTreeMap;

use alloy_primitives::{Address, Bytes, U256};

use crate::{
    base_fee::Eip1559Params,
    state::{AccountInfo, StateDiff, WorldState},
};

/// One account of the genesis allocations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenesisAccount {
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Runtime code (empty for none).
    pub code: Bytes,
    /// Storage slots.
    pub storage: BTreeMap<U256, U256>,
}

impl From<alloy_genesis::GenesisAccount> for GenesisAccount {
    /// Takes alloy's genesis account (the shape of `genesis.json` and of the predeploy allocations);
    /// storage words become slots and values.
    fn from(account: alloy_genesis::GenesisAccount) -> Self {
        Self {
            balance: account.balance,
            nonce: account.nonce.unwrap_or_default(),
            code: account.code.unwrap_or_default(),
            storage: account
                .storage
                .unwrap_or_default()
                .into_iter()
                .map(|(slot, value)| (U256::from_be_bytes(slot.0), U256::from_be_bytes(value.0)))
                .collect(),
        }
    }
}

/// Everything needed to create a chain's genesis block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Genesis {
    /// Chain ID.
    pub chain_id: u64,
    /// Timestamp of the genesis block.
    pub timestamp: u64,
    /// Block gas limit (kept for all blocks).
    pub gas_limit: u64,
    /// Base fee of the genesis block.
    pub base_fee: u64,
    /// EIP-1559 parameters, written into every header's `extraData` (Holocene format).
    pub eip1559: Eip1559Params,
    /// Initial accounts.
    pub alloc: BTreeMap<Address, GenesisAccount>,
}

impl Genesis {
    /// A genesis with OP Stack defaults: 30M gas, 1 gwei base fee, no accounts.
    pub fn new(chain_id: u64, timestamp: u64) -> Self {
        Self {
            chain_id,
            timestamp,
            gas_limit: 30_000_000,
            base_fee: 1_000_000_000,
            eip1559: Eip1559Params::default(),
            alloc: BTreeMap::new(),
        }
    }

    /// Adds (or replaces) an allocation; returns `self` for chaining.
    pub fn with_account(mut self, address: Address, account: GenesisAccount) -> Self {
        self.alloc.insert(address, account);
        self
    }

    /// Adds allocations, e.g. the predeploys (alloy's genesis accounts convert); returns `self` for chaining.
    pub fn with_alloc<A: Into<GenesisAccount>>(
        mut self,
        alloc: impl IntoIterator<Item = (Address, A)>,
    ) -> Self {
        self.alloc.extend(alloc.into_iter().map(|(address, account)| (address, account.into())));
        self
    }

    /// The world state the allocations describe.
    pub fn state(&self) -> WorldState {
        let mut state = WorldState::new();
        let mut scratch = StateDiff::default();
        for (address, account) in &self.alloc {
            let code_hash = state.insert_code(account.code.clone());
            let info = AccountInfo { balance: account.balance, nonce: account.nonce, code_hash };
            state.set_info(*address, info, &mut scratch);
            for (slot, value) in &account.storage {
                state.set_storage(*address, *slot, *value, &mut scratch);
            }
        }
        state
    }
}
