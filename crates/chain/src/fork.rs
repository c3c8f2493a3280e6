//! Fork mode: a chain whose state starts as another chain's state at one block, read lazily.
//!
//! A forked chain holds in memory only what it installed on top of the remote state (predeploys, funded
//! accounts) and what its own blocks wrote. Everything else is asked of a [`ForkSource`] the first time it is
//! read, at the fork block, and kept in a cache shared by every copy of the state (the remote state at a fixed
//! block never changes, so one answer serves the head, the pending block, snapshots and older states alike).
//!
//! Reads never change the chain's own state: an account that is only read stays in the cache, not in the
//! state. The state root of a forked chain's blocks is therefore computed over the accounts and slots the chain
//! holds itself (installed, written by its blocks or by developer edits), as anvil does in fork mode; it is not
//! the root the remote chain would compute, and it does not depend on what happened to be read.

use std::{
    collections::HashMap,
    fmt,
    sync::{Mutex, PoisonError},
};

use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256, keccak256};
use revm::bytecode::Bytecode;

use crate::state::AccountInfo;

/// Why the remote state of a forked chain could not be read. The message names the remote and what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("reading {what} from the forked chain failed: {reason}")]
pub struct ForkError {
    /// What was asked (an account, a storage slot), for the message.
    pub what: String,
    /// What went wrong (unreachable, timed out, a malformed answer), naming the remote.
    pub reason: String,
}

/// An account of the remote chain at the fork block, as its JSON-RPC reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteAccount {
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Runtime code (empty for none).
    pub code: Bytes,
}

/// Where a forked chain reads the state it has not written itself: the remote chain at the fork block.
///
/// Implementations block until the answer arrives or a timeout passes; they must never wait forever. The chain
/// calls them from whatever thread reads its state, so callers keep forked chains' reads off async workers.
pub trait ForkSource: Send + Sync + fmt::Debug {
    /// The account at `address` (a missing account is all zeros).
    fn account(&self, address: Address) -> Result<RemoteAccount, ForkError>;
    /// The storage slot `slot` of `address` (zero when unset).
    fn storage(&self, address: Address, slot: U256) -> Result<U256, ForkError>;
}

/// The block a chain was forked at: the remote's header, which becomes the forked chain's first block, so the
/// chain's next block has the remote block's hash as its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkPoint {
    /// The remote block's header, exactly as the remote has it.
    pub header: alloy_consensus::Header,
    /// The remote block's hash (as the remote reports it).
    pub hash: B256,
}

/// What has been read from the remote so far. Answers are kept for the life of the chain: the remote state at
/// the fork block cannot change.
#[derive(Debug, Default)]
struct Cache {
    accounts: HashMap<Address, Option<AccountInfo>>,
    storage: HashMap<(Address, U256), U256>,
    codes: HashMap<B256, Bytecode>,
}

/// A [`ForkSource`] with the cache in front of it. Shared (behind an `Arc`) by every copy of a forked state.
#[derive(Debug)]
pub struct ForkedState {
    source: Box<dyn ForkSource>,
    cache: Mutex<Cache>,
}

impl ForkedState {
    /// The remote state read through `source`, with an empty cache.
    pub fn new(source: Box<dyn ForkSource>) -> Self {
        Self { source, cache: Mutex::new(Cache::default()) }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The remote account at `address`, `None` when it is empty (no balance, nonce or code: EIP-161's
    /// non-existent account). The first read asks the source (outside the cache's lock), later ones do not.
    pub fn info(&self, address: Address) -> Result<Option<AccountInfo>, ForkError> {
        if let Some(known) = self.cache().accounts.get(&address) {
            return Ok(*known);
        }
        let remote = self.source.account(address)?;
        let code_hash = if remote.code.is_empty() { KECCAK256_EMPTY } else { keccak256(&remote.code) };
        let info = AccountInfo { balance: remote.balance, nonce: remote.nonce, code_hash };
        let info = (!info.is_empty()).then_some(info);
        let mut cache = self.cache();
        if code_hash != KECCAK256_EMPTY {
            cache.codes.entry(code_hash).or_insert_with(|| Bytecode::new_raw(remote.code));
        }
        cache.accounts.insert(address, info);
        Ok(info)
    }

    /// The remote storage slot `slot` of `address`.
    pub fn storage(&self, address: Address, slot: U256) -> Result<U256, ForkError> {
        if let Some(known) = self.cache().storage.get(&(address, slot)) {
            return Ok(*known);
        }
        let value = self.source.storage(address, slot)?;
        self.cache().storage.insert((address, slot), value);
        Ok(value)
    }

    /// The remote account at `address` if it has been read already (never asks the source): `None` when not
    /// read yet, `Some(None)` when the remote has no such account.
    pub fn cached_info(&self, address: Address) -> Option<Option<AccountInfo>> {
        self.cache().accounts.get(&address).copied()
    }

    /// A storage slot if it has been read already (never asks the source).
    pub fn cached_storage(&self, address: Address, slot: U256) -> Option<U256> {
        self.cache().storage.get(&(address, slot)).copied()
    }

    /// Code read from the remote, by hash (the code of every remote account read so far).
    pub fn code_by_hash(&self, hash: &B256) -> Option<Bytecode> {
        self.cache().codes.get(hash).cloned()
    }

    /// How many accounts and storage slots have been read from the remote (for status and tests).
    pub fn cached_entries(&self) -> (usize, usize) {
        let cache = self.cache();
        (cache.accounts.len(), cache.storage.len())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A remote with one contract (code and a slot) that counts the requests it answers.
    #[derive(Debug, Default)]
    pub(crate) struct CountingRemote {
        pub(crate) requests: AtomicUsize,
        pub(crate) down: std::sync::atomic::AtomicBool,
    }

    impl ForkSource for CountingRemote {
        fn account(&self, address: Address) -> Result<RemoteAccount, ForkError> {
            self.requests.fetch_add(1, Ordering::SeqCst);
            if self.down.load(Ordering::SeqCst) {
                return Err(ForkError { what: format!("account {address}"), reason: "remote down".into() });
            }
            Ok(match address.0[19] {
                1 => RemoteAccount { balance: U256::from(7), nonce: 3, code: Bytes::new() },
                2 => RemoteAccount { balance: U256::ZERO, nonce: 1, code: Bytes::from_static(&[0x60, 0x00]) },
                _ => RemoteAccount::default(),
            })
        }

        fn storage(&self, address: Address, slot: U256) -> Result<U256, ForkError> {
            self.requests.fetch_add(1, Ordering::SeqCst);
            if self.down.load(Ordering::SeqCst) {
                return Err(ForkError {
                    what: format!("slot {slot} of {address}"),
                    reason: "remote down".into(),
                });
            }
            Ok(if address.0[19] == 2 { slot + U256::from(100) } else { U256::ZERO })
        }
    }

    #[test]
    fn each_account_and_slot_is_asked_once() {
        let forked = ForkedState::new(Box::new(CountingRemote::default()));
        let eoa = Address::with_last_byte(1);
        for _ in 0..3 {
            let info = forked.info(eoa).unwrap().unwrap();
            assert_eq!((info.balance, info.nonce), (U256::from(7), 3));
            assert_eq!(forked.storage(Address::with_last_byte(2), U256::from(1)).unwrap(), U256::from(101));
        }
        assert_eq!(forked.cached_entries(), (1, 1));
    }

    #[test]
    fn an_empty_remote_account_does_not_exist_and_code_is_kept_by_hash() {
        let forked = ForkedState::new(Box::new(CountingRemote::default()));
        assert_eq!(forked.info(Address::with_last_byte(9)).unwrap(), None);
        let contract = forked.info(Address::with_last_byte(2)).unwrap().unwrap();
        let code = forked.code_by_hash(&contract.code_hash).unwrap();
        assert_eq!(code.original_bytes(), Bytes::from_static(&[0x60, 0x00]));
    }

    #[test]
    fn a_failed_read_is_an_error_and_is_not_cached() {
        let remote = CountingRemote::default();
        remote.down.store(true, Ordering::SeqCst);
        let forked = ForkedState::new(Box::new(remote));
        let error = forked.info(Address::with_last_byte(1)).unwrap_err();
        assert!(error.to_string().contains("remote down"), "{error}");
        assert_eq!(forked.cached_entries(), (0, 0));
    }
}
