//! The world state: accounts, storage and code held in memory, and the per-block diffs that let older
//! states be read back (each diff records the value every changed key had *before* the block).
//!
//! A forked state ([`WorldState::forked`]) holds only what the chain installed or wrote; every other account
//! and slot is read from the remote chain at the fork block (see [`crate::fork`]). Its reads can fail (the
//! remote is unreachable), so every read that may reach the remote returns a `Result`.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
};

use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256, keccak256};
use revm::{bytecode::Bytecode, state::EvmState};

use crate::{error::StateError, fork::ForkedState};

/// Balance, nonce and code of an account, without its storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountInfo {
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Keccak of the account's code ([`KECCAK256_EMPTY`] when it has none).
    pub code_hash: B256,
}

impl Default for AccountInfo {
    fn default() -> Self {
        Self { balance: U256::ZERO, nonce: 0, code_hash: KECCAK256_EMPTY }
    }
}

impl AccountInfo {
    /// Empty in the sense of EIP-161: no balance, no nonce, no code.
    pub fn is_empty(&self) -> bool {
        self.balance.is_zero() && self.nonce == 0 && self.code_hash == KECCAK256_EMPTY
    }
}

/// One account of the world state with its storage slots.
///
/// An ordinary chain keeps only non-zero slots. A forked chain also keeps a zero written over a remote slot
/// (so the remote's value stays hidden); roots and proofs skip zero slots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// Balance, nonce and code hash.
    pub info: AccountInfo,
    /// Storage slots held in memory.
    pub storage: HashMap<U256, U256>,
    /// In a forked state: the account's storage is all here (installed on top of the remote, or created or
    /// cleared by the chain), so a slot missing here is zero and never asked of the remote.
    pub(crate) own_storage: bool,
}

impl Account {
    /// Whether the account has a non-zero storage slot in memory.
    pub fn has_storage(&self) -> bool {
        self.storage.values().any(|value| !value.is_zero())
    }

    /// The non-zero storage slots in memory (what the storage root commits to).
    pub fn nonzero_storage(&self) -> impl Iterator<Item = (&U256, &U256)> {
        self.storage.iter().filter(|(_, value)| !value.is_zero())
    }
}

/// The values a block (or a direct edit) overwrote, so the state before it can be restored or read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateDiff {
    /// Account info before the change; `None` when the account did not exist.
    pub accounts: HashMap<Address, Option<AccountInfo>>,
    /// Storage values before the change (zero when the slot was empty).
    pub storage: HashMap<(Address, U256), U256>,
}

impl StateDiff {
    /// Whether the diff records no change.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty() && self.storage.is_empty()
    }

    /// Merges a diff that happened *after* this one: values already recorded here are older and win.
    pub fn absorb_later(&mut self, later: StateDiff) {
        for (address, info) in later.accounts {
            self.accounts.entry(address).or_insert(info);
        }
        for (key, value) in later.storage {
            self.storage.entry(key).or_insert(value);
        }
    }

    /// Number of recorded keys (accounts plus storage slots).
    pub fn len(&self) -> usize {
        self.accounts.len() + self.storage.len()
    }

    /// Heap bytes held by the diff's tables: allocated buckets times (entry size + one control byte).
    pub fn heap_bytes(&self) -> usize {
        let account_entry = std::mem::size_of::<(Address, Option<AccountInfo>)>() + 1;
        let storage_entry = std::mem::size_of::<((Address, U256), U256)>() + 1;
        self.accounts.capacity() * account_entry + self.storage.capacity() * storage_entry
    }

    /// Every account the diff touches (account info or storage).
    pub fn touched_accounts(&self) -> HashSet<Address> {
        self.accounts.keys().copied().chain(self.storage.keys().map(|(address, _)| *address)).collect()
    }
}

/// The world state held in memory, plus the bookkeeping the state root needs (storage roots of accounts
/// and the set of accounts changed since the last root computation).
#[derive(Debug, Clone, Default)]
pub struct WorldState {
    accounts: HashMap<Address, Account>,
    codes: HashMap<B256, Bytecode>,
    /// Accounts sorted by the hash of their address, the order of the account trie.
    pub(crate) hashed_index: BTreeMap<B256, Address>,
    /// Storage root of every account whose storage root has been computed.
    pub(crate) storage_roots: HashMap<Address, B256>,
    /// Accounts whose storage changed since their storage root was computed.
    pub(crate) dirty_storage: HashSet<Address>,
    /// Hash of the account-trie node at each non-empty 3-nibble prefix, as of the last state root.
    pub(crate) bucket_hashes: BTreeMap<u16, B256>,
    /// Hash of the account-trie node at each non-empty 2-nibble prefix, as of the last state root.
    pub(crate) group_hashes: BTreeMap<u16, B256>,
    /// Hash of the account-trie node at each non-empty 1-nibble prefix, as of the last state root.
    pub(crate) top_hashes: BTreeMap<u16, B256>,
    /// 3-nibble prefixes with an account changed since the last state root.
    pub(crate) dirty_buckets: HashSet<u16>,
    /// The remote chain under this state (fork mode): what is not held here is read from it.
    fork: Option<Arc<ForkedState>>,
}

/// The 3-nibble prefix (0..4096) of a hashed address: the account-trie bucket it falls in.
pub(crate) fn bucket_of(hashed_address: &B256) -> u16 {
    (u16::from(hashed_address[0]) << 4) | (u16::from(hashed_address[1]) >> 4)
}

impl WorldState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty state over the remote state `fork`: every account and slot not written here is read from it.
    pub fn forked(fork: Arc<ForkedState>) -> Self {
        Self { fork: Some(fork), ..Self::default() }
    }

    /// The remote state under this one, in fork mode.
    pub fn fork(&self) -> Option<&Arc<ForkedState>> {
        self.fork.as_ref()
    }

    /// The account at `address` as held in memory (in fork mode: only if the chain installed or wrote it).
    pub fn account(&self, address: &Address) -> Option<&Account> {
        self.accounts.get(address)
    }

    /// Balance, nonce and code hash at `address`, if the account exists; in fork mode an account not held
    /// here is read from the remote (which can fail).
    pub fn info(&self, address: &Address) -> Result<Option<AccountInfo>, StateError> {
        match self.accounts.get(address) {
            Some(account) => Ok(Some(account.info)),
            None => self.base_info(address),
        }
    }

    /// The account as the state under the one held in memory has it: the remote's in fork mode, else none.
    pub(crate) fn base_info(&self, address: &Address) -> Result<Option<AccountInfo>, StateError> {
        match &self.fork {
            Some(fork) => fork.info(*address).map_err(StateError::Remote),
            None => Ok(None),
        }
    }

    /// Account info as far as known without asking the remote: memory, else a remote answer already cached.
    pub(crate) fn known_info(&self, address: &Address) -> Option<AccountInfo> {
        self.local_info(address)
            .or_else(|| self.fork.as_ref().and_then(|fork| fork.cached_info(*address)).flatten())
    }

    /// Account info held in memory, never asking the remote.
    pub(crate) fn local_info(&self, address: &Address) -> Option<AccountInfo> {
        self.accounts.get(address).map(|account| account.info)
    }

    /// Whether a slot missing from memory must be asked of the remote.
    fn reads_remote_slot(&self, address: &Address) -> bool {
        self.fork.is_some() && self.accounts.get(address).is_none_or(|account| !account.own_storage)
    }

    /// A storage slot (zero when unset or when the account does not exist); in fork mode a slot the chain
    /// never wrote is read from the remote (which can fail).
    pub fn storage(&self, address: &Address, slot: &U256) -> Result<U256, StateError> {
        if let Some(value) = self.accounts.get(address).and_then(|account| account.storage.get(slot)) {
            return Ok(*value);
        }
        match &self.fork {
            Some(fork) if self.reads_remote_slot(address) => {
                fork.storage(*address, *slot).map_err(StateError::Remote)
            }
            _ => Ok(U256::ZERO),
        }
    }

    /// The value a slot has now as far as known without asking the remote: memory, else a remote answer
    /// already cached, else zero. The EVM reads every slot before writing it, so writes always find it.
    fn known_storage(&self, address: &Address, slot: &U256) -> U256 {
        if let Some(value) = self.accounts.get(address).and_then(|account| account.storage.get(slot)) {
            return *value;
        }
        match &self.fork {
            Some(fork) if self.reads_remote_slot(address) => {
                fork.cached_storage(*address, *slot).unwrap_or_default()
            }
            _ => U256::ZERO,
        }
    }

    /// Code by its hash (in fork mode also the code of remote accounts read so far).
    pub fn code_by_hash(&self, hash: &B256) -> Option<Bytecode> {
        if *hash == KECCAK256_EMPTY {
            return None;
        }
        if let Some(code) = self.codes.get(hash) {
            return Some(code.clone());
        }
        self.fork.as_ref().and_then(|fork| fork.code_by_hash(hash))
    }

    /// The code of the account at `address` (empty when none).
    pub fn code(&self, address: &Address) -> Result<Bytes, StateError> {
        Ok(self
            .info(address)?
            .and_then(|info| self.code_by_hash(&info.code_hash))
            .map(|code| code.original_bytes())
            .unwrap_or_default())
    }

    /// Number of accounts held in memory.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether the state holds no account in memory.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// All accounts held in memory, in no particular order.
    pub fn accounts(&self) -> impl Iterator<Item = (&Address, &Account)> {
        self.accounts.iter()
    }

    /// Installs an account whose whole state is given (genesis allocations, or predeploys put on top of a
    /// forked chain): its storage is only what `storage` holds, never the remote's.
    pub fn install_account(
        &mut self,
        address: Address,
        info: AccountInfo,
        storage: impl IntoIterator<Item = (U256, U256)>,
        diff: &mut StateDiff,
    ) {
        self.clear_storage(address, diff);
        self.set_info(address, info, diff);
        if let Some(account) = self.accounts.get_mut(&address) {
            account.own_storage = true;
        }
        for (slot, value) in storage {
            self.set_storage(address, slot, value, diff);
        }
    }

    /// Every code the state holds, by hash, in no particular order (codes stay once stored: older states in
    /// the kept history may still name them).
    pub fn codes(&self) -> impl Iterator<Item = (&B256, &Bytecode)> {
        self.codes.iter()
    }

    /// Stores code and returns its hash.
    pub fn insert_code(&mut self, code: Bytes) -> B256 {
        if code.is_empty() {
            return KECCAK256_EMPTY;
        }
        let hash = keccak256(&code);
        self.codes.entry(hash).or_insert_with(|| Bytecode::new_raw(code));
        hash
    }

    /// Stores already-analysed bytecode under its hash.
    pub(crate) fn insert_bytecode(&mut self, hash: B256, code: Bytecode) {
        if hash != KECCAK256_EMPTY {
            self.codes.entry(hash).or_insert(code);
        }
    }

    /// Sets account info, creating the account if needed; records the old value in `diff`.
    ///
    /// In fork mode an account first written here is recorded as absent before: undoing the write makes it
    /// read from the remote again.
    pub fn set_info(&mut self, address: Address, info: AccountInfo, diff: &mut StateDiff) {
        let old = self.local_info(&address);
        diff.accounts.entry(address).or_insert(old);
        let hashed = keccak256(address);
        self.dirty_buckets.insert(bucket_of(&hashed));
        match self.accounts.get_mut(&address) {
            Some(account) => account.info = info,
            None => {
                self.hashed_index.insert(hashed, address);
                self.accounts.insert(address, Account { info, ..Account::default() });
                self.dirty_storage.insert(address);
            }
        }
    }

    /// Sets a storage slot, creating the account if needed; records the old value in `diff`.
    ///
    /// In fork mode an account first written here takes the remote's balance, nonce and code as already
    /// read (the EVM, and [`crate::Chain`]'s developer edits, read an account before writing it).
    pub fn set_storage(&mut self, address: Address, slot: U256, value: U256, diff: &mut StateDiff) {
        if !self.accounts.contains_key(&address) {
            let info = self.known_info(&address).unwrap_or_default();
            self.set_info(address, info, diff);
        }
        let old = self.known_storage(&address, &slot);
        if old == value {
            return;
        }
        diff.storage.entry((address, slot)).or_insert(old);
        let keep_zero = self.reads_remote_slot(&address);
        if let Some(account) = self.accounts.get_mut(&address) {
            if value.is_zero() && !keep_zero {
                account.storage.remove(&slot);
            } else {
                account.storage.insert(slot, value);
            }
        }
        self.dirty_storage.insert(address);
    }

    /// Removes every storage slot of an account; records the old values in `diff`. In fork mode the account's
    /// storage is then entirely local: the remote's slots are no longer read.
    pub fn clear_storage(&mut self, address: Address, diff: &mut StateDiff) {
        if let Some(account) = self.accounts.get_mut(&address) {
            for (slot, value) in account.storage.drain() {
                diff.storage.entry((address, slot)).or_insert(value);
            }
            account.own_storage = true;
            self.dirty_storage.insert(address);
        }
    }

    /// Deletes an account and its storage; records the old values in `diff`.
    ///
    /// In fork mode this forgets the chain's own copy, so the account reads as the remote has it again. The
    /// EVM removes only accounts that are empty (EIP-161) or created in the same transaction (EIP-6780), which
    /// the remote cannot hold with different contents, so the two agree.
    pub fn remove_account(&mut self, address: Address, diff: &mut StateDiff) {
        if !self.accounts.contains_key(&address) {
            return;
        }
        self.clear_storage(address, diff);
        let old = self.local_info(&address);
        diff.accounts.entry(address).or_insert(old);
        self.accounts.remove(&address);
        let hashed = keccak256(address);
        self.dirty_buckets.insert(bucket_of(&hashed));
        self.hashed_index.remove(&hashed);
        self.storage_roots.remove(&address);
        self.dirty_storage.remove(&address);
    }

    /// Applies the state changes of one executed transaction, recording overwritten values in `diff`
    /// (the chain's commit rules, [`commit_changes`]).
    pub fn commit_evm_state(&mut self, changes: EvmState, diff: &mut StateDiff) {
        commit_changes(&mut RecordingWriter { state: self, diff }, changes);
    }

    /// Undoes a diff: every recorded key gets its recorded value back.
    pub fn revert_diff(&mut self, diff: &StateDiff) {
        let mut scratch = StateDiff::default();
        for (address, old) in &diff.accounts {
            match old {
                Some(info) => self.set_info(*address, *info, &mut scratch),
                None => {
                    // The account did not exist before: its storage slots are restored to zero below
                    // through the storage entries, and the account itself goes away.
                    if let Some(account) = self.accounts.get(address) {
                        let slots: Vec<U256> = account.storage.keys().copied().collect();
                        for slot in slots {
                            self.set_storage(*address, slot, U256::ZERO, &mut scratch);
                        }
                    }
                    self.remove_account(*address, &mut scratch);
                }
            }
        }
        for ((address, slot), value) in &diff.storage {
            if diff.accounts.get(address) == Some(&None) {
                continue;
            }
            self.set_storage(*address, *slot, *value, &mut scratch);
        }
    }
}

/// A state the EVM's changes are committed to by [`commit_changes`]: the in-memory world state, or the partial
/// state a stateless re-execution builds from a witness. Both go through the same rules, so a block executes
/// to the same state either way.
pub trait StateWriter {
    /// Balance, nonce and code hash at `address`, if the account exists.
    fn account_info(&mut self, address: &Address) -> Option<AccountInfo>;
    /// Whether the account holds any non-zero storage slot before this transaction's changes.
    fn has_storage(&mut self, address: &Address) -> bool;
    /// Sets account info, creating the account if needed.
    fn write_info(&mut self, address: Address, info: AccountInfo);
    /// Sets a storage slot (zero deletes it), creating the account if needed.
    fn write_storage(&mut self, address: Address, slot: U256, value: U256);
    /// Removes every storage slot of an account.
    fn clear_account_storage(&mut self, address: Address);
    /// Deletes an account and its storage.
    fn delete_account(&mut self, address: Address);
    /// Keeps the code of an account under its hash.
    fn write_code(&mut self, hash: B256, code: Bytecode);
}

/// Applies the state changes of one executed transaction to `target`: touched accounts that end up empty
/// (EIP-161) and self-destructed accounts are deleted, a created account starts with empty storage, and only
/// changed slots are written.
pub fn commit_changes(target: &mut impl StateWriter, changes: EvmState) {
    for (address, account) in changes {
        if !account.is_touched() {
            continue;
        }
        if account.is_selfdestructed() {
            target.delete_account(address);
            continue;
        }
        if account.is_created() {
            target.clear_account_storage(address);
        }
        let info = AccountInfo {
            balance: account.info.balance,
            nonce: account.info.nonce,
            code_hash: account.info.code_hash,
        };
        if let Some(code) = &account.info.code {
            target.write_code(info.code_hash, code.clone());
        }
        if info.is_empty() {
            let has_storage = account.storage.values().any(|slot| !slot.present_value().is_zero())
                || target.has_storage(&address);
            if !has_storage {
                target.delete_account(address);
                continue;
            }
        }
        if target.account_info(&address) != Some(info) {
            target.write_info(address, info);
        }
        for (slot, value) in account.storage {
            if value.is_changed() {
                target.write_storage(address, slot, value.present_value());
            }
        }
    }
}

/// The world state as a [`StateWriter`] that records overwritten values in a diff.
struct RecordingWriter<'a> {
    state: &'a mut WorldState,
    diff: &'a mut StateDiff,
}

impl StateWriter for RecordingWriter<'_> {
    // Only what memory holds: in fork mode an account read from the remote and written by the transaction is
    // copied into memory whole, and the storage that decides whether an empty account is kept is the chain's
    // own (the remote's slots of an empty account stay readable through the remote).
    fn account_info(&mut self, address: &Address) -> Option<AccountInfo> {
        self.state.local_info(address)
    }

    fn has_storage(&mut self, address: &Address) -> bool {
        self.state.accounts.get(address).is_some_and(Account::has_storage)
    }

    fn write_info(&mut self, address: Address, info: AccountInfo) {
        self.state.set_info(address, info, self.diff);
    }

    fn write_storage(&mut self, address: Address, slot: U256, value: U256) {
        self.state.set_storage(address, slot, value, self.diff);
    }

    fn clear_account_storage(&mut self, address: Address) {
        self.state.clear_storage(address, self.diff);
    }

    fn delete_account(&mut self, address: Address) {
        self.state.remove_account(address, self.diff);
    }

    fn write_code(&mut self, hash: B256, code: Bytecode) {
        self.state.insert_bytecode(hash, code);
    }
}
