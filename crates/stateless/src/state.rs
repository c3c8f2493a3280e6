//! [`WitnessState`]: the parent's state as an execution witness reveals it, with the block's changes on top,
//! served to revm as a database and changed through the chain's own commit rules
//! (`superlink_chain::state::commit_changes`). [`WitnessState::finish`] writes the changes into the partial
//! tries and returns the post-state root.

use std::collections::{BTreeMap, HashMap};

use alloy_primitives::{Address, B256, KECCAK256_EMPTY, U256, keccak256};
use alloy_rlp::{Decodable, Encodable};
use alloy_trie::{EMPTY_ROOT_HASH, TrieAccount};
use revm::{
    DatabaseCommit,
    bytecode::Bytecode,
    database_interface::Database,
    primitives::AddressMap,
    state::{Account as EvmAccount, AccountInfo as EvmAccountInfo},
};
use superlink_chain::state::{AccountInfo, StateWriter, commit_changes};

use crate::{
    error::WitnessDbError,
    trie::{NodeStore, PartialTrie},
};

/// An account as the parent's state holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Original {
    info: AccountInfo,
    storage_root: B256,
}

/// One account's storage: its partial trie (from the parent's storage root) and the block's writes.
#[derive(Debug, Clone)]
struct Storage {
    trie: PartialTrie,
    /// Every slot was dropped (the account was deleted or created anew): reads below the writes see zero.
    cleared: bool,
    writes: BTreeMap<U256, U256>,
}

/// The parent's state revealed by a witness, and the block's changes.
#[derive(Debug)]
pub struct WitnessState {
    store: NodeStore,
    codes: HashMap<B256, Bytecode>,
    accounts: PartialTrie,
    original: HashMap<Address, Option<Original>>,
    changed: HashMap<Address, Option<AccountInfo>>,
    storage: HashMap<Address, Storage>,
    block_hashes: BTreeMap<u64, B256>,
    /// A failure inside a commit (which cannot return one), reported by [`WitnessState::finish`].
    deferred: Option<WitnessDbError>,
}

impl WitnessState {
    /// The state with root `state_root` over the witness's nodes and codes; `block_hashes` answers
    /// `BLOCKHASH` (verified ancestors only).
    pub fn new(
        state_root: B256,
        store: NodeStore,
        codes: impl IntoIterator<Item = alloy_primitives::Bytes>,
        block_hashes: BTreeMap<u64, B256>,
    ) -> Self {
        let codes = codes.into_iter().map(|code| (keccak256(&code), Bytecode::new_raw(code))).collect();
        Self {
            store,
            codes,
            accounts: PartialTrie::new(state_root),
            original: HashMap::new(),
            changed: HashMap::new(),
            storage: HashMap::new(),
            block_hashes,
            deferred: None,
        }
    }

    fn original(&mut self, address: &Address) -> Result<Option<Original>, WitnessDbError> {
        if let Some(known) = self.original.get(address) {
            return Ok(*known);
        }
        let leaf = self.accounts.get(&self.store, &keccak256(address))?;
        let account = match leaf {
            None => None,
            Some(bytes) => {
                let account = TrieAccount::decode(&mut bytes.as_slice())
                    .map_err(|e| WitnessDbError::BadAccount { address: *address, reason: e.to_string() })?;
                Some(Original {
                    info: AccountInfo {
                        balance: account.balance,
                        nonce: account.nonce,
                        code_hash: account.code_hash,
                    },
                    storage_root: account.storage_root,
                })
            }
        };
        self.original.insert(*address, account);
        Ok(account)
    }

    /// The account's info now (after the changes committed so far).
    fn current(&mut self, address: &Address) -> Result<Option<AccountInfo>, WitnessDbError> {
        if let Some(changed) = self.changed.get(address) {
            return Ok(*changed);
        }
        Ok(self.original(address)?.map(|original| original.info))
    }

    fn storage_of(&mut self, address: &Address) -> Result<&mut Storage, WitnessDbError> {
        if !self.storage.contains_key(address) {
            let root = self.original(address)?.map_or(EMPTY_ROOT_HASH, |original| original.storage_root);
            self.storage.insert(
                *address,
                Storage { trie: PartialTrie::new(root), cleared: false, writes: BTreeMap::new() },
            );
        }
        match self.storage.get_mut(address) {
            Some(storage) => Ok(storage),
            None => Err(WitnessDbError::BadAccount { address: *address, reason: "storage not kept".into() }),
        }
    }

    fn slot(&mut self, address: &Address, slot: U256) -> Result<U256, WitnessDbError> {
        let store = &self.store;
        let Some(storage) = self.storage.get_mut(address) else {
            return Err(WitnessDbError::BadAccount { address: *address, reason: "storage not kept".into() });
        };
        if let Some(value) = storage.writes.get(&slot) {
            return Ok(*value);
        }
        if storage.cleared {
            return Ok(U256::ZERO);
        }
        match storage.trie.get(store, &keccak256(slot.to_be_bytes::<32>()))? {
            None => Ok(U256::ZERO),
            Some(bytes) => U256::decode(&mut bytes.as_slice())
                .map_err(|e| WitnessDbError::BadSlot { address: *address, reason: e.to_string() }),
        }
    }

    /// The storage trie of `storage` with its writes applied.
    fn updated_trie(store: &NodeStore, storage: &Storage) -> Result<PartialTrie, WitnessDbError> {
        let mut trie = if storage.cleared { PartialTrie::new(EMPTY_ROOT_HASH) } else { storage.trie.clone() };
        // Inserts first, so that deletions collapse branches against the final set of children.
        for (slot, value) in storage.writes.iter().filter(|(_, value)| !value.is_zero()) {
            let mut encoded = Vec::with_capacity(33);
            value.encode(&mut encoded);
            trie.insert(store, &keccak256(slot.to_be_bytes::<32>()), encoded)?;
        }
        for (slot, _) in storage.writes.iter().filter(|(_, value)| value.is_zero()) {
            trie.remove(store, &keccak256(slot.to_be_bytes::<32>()))?;
        }
        Ok(trie)
    }

    /// Writes the block's changes into the tries: the post-state root, and the storage root of `watched` in the
    /// post-state (`None` when the account does not exist afterwards).
    pub fn finish(mut self, watched: Address) -> Result<(B256, Option<B256>), WitnessDbError> {
        if let Some(error) = self.deferred.take() {
            return Err(error);
        }
        let mut touched: Vec<Address> = self.changed.keys().copied().collect();
        touched
            .extend(self.storage.iter().filter(|(_, s)| s.cleared || !s.writes.is_empty()).map(|(a, _)| *a));
        touched.sort_unstable();
        touched.dedup();
        let mut inserts = Vec::new();
        let mut deletions = Vec::new();
        for address in touched {
            let key = keccak256(address);
            let Some(info) = self.current(&address)? else {
                deletions.push(key);
                continue;
            };
            let storage_root = match self.storage.get(&address) {
                Some(storage) => Self::updated_trie(&self.store, storage)?.root(),
                None => self.original(&address)?.map_or(EMPTY_ROOT_HASH, |original| original.storage_root),
            };
            let account = TrieAccount {
                nonce: info.nonce,
                balance: info.balance,
                storage_root,
                code_hash: info.code_hash,
            };
            let mut encoded = Vec::with_capacity(110);
            account.encode(&mut encoded);
            inserts.push((key, encoded));
        }
        for (key, encoded) in inserts {
            self.accounts.insert(&self.store, &key, encoded)?;
        }
        for key in deletions {
            self.accounts.remove(&self.store, &key)?;
        }
        let watched_root = match self.accounts.get(&self.store, &keccak256(watched))? {
            None => None,
            Some(bytes) => Some(
                TrieAccount::decode(&mut bytes.as_slice())
                    .map_err(|e| WitnessDbError::BadAccount { address: watched, reason: e.to_string() })?
                    .storage_root,
            ),
        };
        Ok((self.accounts.root(), watched_root))
    }

    fn defer(&mut self, error: WitnessDbError) {
        self.deferred.get_or_insert(error);
    }
}

impl Database for WitnessState {
    type Error = WitnessDbError;

    fn basic(&mut self, address: Address) -> Result<Option<EvmAccountInfo>, WitnessDbError> {
        Ok(self.current(&address)?.map(|info| {
            let code = self.codes.get(&info.code_hash).cloned();
            EvmAccountInfo {
                balance: info.balance,
                nonce: info.nonce,
                code_hash: info.code_hash,
                code,
                ..Default::default()
            }
        }))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, WitnessDbError> {
        if code_hash == KECCAK256_EMPTY {
            return Ok(Bytecode::default());
        }
        self.codes.get(&code_hash).cloned().ok_or(WitnessDbError::MissingCode(code_hash))
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, WitnessDbError> {
        self.storage_of(&address)?;
        self.slot(&address, index)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, WitnessDbError> {
        self.block_hashes.get(&number).copied().ok_or(WitnessDbError::MissingHeader(number))
    }
}

impl StateWriter for WitnessState {
    fn account_info(&mut self, address: &Address) -> Option<AccountInfo> {
        self.current(address).unwrap_or_else(|error| {
            self.defer(error);
            None
        })
    }

    fn has_storage(&mut self, address: &Address) -> bool {
        let result = self.storage_of(address).map(|storage| storage.clone()).and_then(|storage| {
            Ok(if storage.writes.values().any(|value| !value.is_zero()) {
                true
            } else {
                !Self::updated_trie(&self.store, &storage)?.is_empty()
            })
        });
        result.unwrap_or_else(|error| {
            self.defer(error);
            false
        })
    }

    fn write_info(&mut self, address: Address, info: AccountInfo) {
        self.changed.insert(address, Some(info));
    }

    fn write_storage(&mut self, address: Address, slot: U256, value: U256) {
        if self.account_info(&address).is_none() {
            self.write_info(address, AccountInfo::default());
        }
        match self.storage_of(&address) {
            Ok(storage) => {
                storage.writes.insert(slot, value);
            }
            Err(error) => self.defer(error),
        }
    }

    fn clear_account_storage(&mut self, address: Address) {
        if self.account_info(&address).is_none() {
            return;
        }
        match self.storage_of(&address) {
            Ok(storage) => {
                storage.cleared = true;
                storage.writes.clear();
            }
            Err(error) => self.defer(error),
        }
    }

    fn delete_account(&mut self, address: Address) {
        if self.account_info(&address).is_none() {
            return;
        }
        self.clear_account_storage(address);
        self.changed.insert(address, None);
    }

    fn write_code(&mut self, hash: B256, code: Bytecode) {
        if hash != KECCAK256_EMPTY {
            self.codes.entry(hash).or_insert(code);
        }
    }
}

impl DatabaseCommit for WitnessState {
    fn commit(&mut self, changes: AddressMap<EvmAccount>) {
        commit_changes(self, changes);
    }
}
