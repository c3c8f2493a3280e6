//! Execution witnesses (`debug_executionWitness`, in reth's shape): everything a block's re-execution needs
//! from its parent's state, so that someone holding only the parent's state root can execute the block and
//! compute its post-state root.
//!
//! The block is replayed on a copy of its parent's state through a database that records every account,
//! slot, code and block hash the execution reads; the block's own diff adds what it writes. The witness then
//! holds the proof paths of all those accounts and slots in the parent's tries and, for every account or slot
//! the block deletes, the nodes next to each node along the deleted key's path, which a branch that loses
//! its second-to-last child needs to collapse into its remaining child.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_rlp::Encodable;
use alloy_trie::Nibbles;
use revm::{
    DatabaseCommit,
    bytecode::Bytecode,
    database_interface::Database,
    primitives::AddressMap,
    state::{Account as EvmAccount, AccountInfo as EvmAccountInfo},
};
use serde::{Deserialize, Serialize};

/// The most ancestors a witness carries headers of: `BLOCKHASH` reaches 256 blocks back.
pub const MAX_WITNESS_HEADERS: u64 = 256;

/// What a stateless re-execution of one block needs, as `debug_executionWitness` returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionWitness {
    /// RLP of every trie node needed (account trie and storage tries), in no particular order.
    pub state: Vec<Bytes>,
    /// Bytecode of every contract the block executes or reads the code of.
    pub codes: Vec<Bytes>,
    /// Preimages of the hashed trie keys touched: 20-byte addresses and 32-byte storage slots.
    pub keys: Vec<Bytes>,
    /// RLP headers of the ancestors the block needs, oldest first, ending with its parent.
    pub headers: Vec<Bytes>,
}

/// What an execution read, collected by [`RecordingDb`].
#[derive(Debug, Clone, Default)]
pub struct AccessLog {
    /// Accounts whose info was read.
    pub accounts: BTreeSet<Address>,
    /// Storage slots read, by account.
    pub storage: BTreeMap<Address, BTreeSet<U256>>,
    /// Code hashes whose code was read (directly, or with an account's info).
    pub codes: BTreeSet<B256>,
    /// Block numbers whose hash was read (`BLOCKHASH`).
    pub block_hashes: BTreeSet<u64>,
}

/// A database that passes every request to `inner` and notes what was asked in `log`.
#[derive(Debug)]
pub struct RecordingDb<'a, D> {
    /// The database answering.
    pub inner: D,
    /// Where the reads are noted.
    pub log: &'a mut AccessLog,
}

impl<D: Database> Database for RecordingDb<'_, D> {
    type Error = D::Error;

    fn basic(&mut self, address: Address) -> Result<Option<EvmAccountInfo>, Self::Error> {
        self.log.accounts.insert(address);
        let info = self.inner.basic(address)?;
        if let Some(info) = &info
            && info.code_hash != alloy_primitives::KECCAK256_EMPTY
        {
            self.log.codes.insert(info.code_hash);
        }
        Ok(info)
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, Self::Error> {
        self.log.codes.insert(code_hash);
        self.inner.code_by_hash(code_hash)
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, Self::Error> {
        self.log.storage.entry(address).or_default().insert(index);
        self.inner.storage(address, index)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        self.log.block_hashes.insert(number);
        self.inner.block_hash(number)
    }
}

impl<D: DatabaseCommit> DatabaseCommit for RecordingDb<'_, D> {
    fn commit(&mut self, changes: AddressMap<EvmAccount>) {
        self.inner.commit(changes);
    }
}

/// The trie paths whose nodes a deletion of `key` may need: every child slot of every node along the key's
/// path (a branch left with one child merges with that child, whose node must then be known).
pub fn deletion_targets(key: &Nibbles) -> impl Iterator<Item = Nibbles> + '_ {
    (0..key.len()).flat_map(move |depth| {
        let prefix = key.slice(..depth);
        (0u8..16).map(move |nibble| {
            let mut path = prefix;
            path.push(nibble);
            path
        })
    })
}

/// The preimages of the keys a witness touches: addresses, then slots.
pub fn key_preimages(
    addresses: impl IntoIterator<Item = Address>,
    slots: impl IntoIterator<Item = U256>,
) -> Vec<Bytes> {
    let mut keys: Vec<Bytes> =
        addresses.into_iter().map(|address| Bytes::copy_from_slice(address.as_slice())).collect();
    let slots: BTreeSet<U256> = slots.into_iter().collect();
    keys.extend(slots.into_iter().map(|slot| Bytes::copy_from_slice(&slot.to_be_bytes::<32>())));
    keys
}

/// The RLP encoding of a header.
pub fn header_rlp(header: &alloy_consensus::Header) -> Bytes {
    let mut out = Vec::with_capacity(header.length());
    header.encode(&mut out);
    out.into()
}

/// Deduplicates trie nodes by their hash, keeping the first of each.
pub fn dedup_nodes(nodes: impl IntoIterator<Item = Bytes>) -> Vec<Bytes> {
    let mut seen = BTreeSet::new();
    nodes.into_iter().filter(|node| seen.insert(keccak256(node))).collect()
}
