//! Merkle-Patricia roots of the world state: storage roots (recomputed only for accounts whose storage
//! changed), the account-trie state root, and EIP-1186 account and storage proofs.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_rlp::Encodable;
use alloy_rpc_types_eth::{EIP1186AccountProofResponse, EIP1186StorageProof};
use alloy_trie::{
    EMPTY_ROOT_HASH, HashBuilder, Nibbles, TrieAccount,
    proof::{ProofNodes, ProofRetainer},
};

use crate::state::{Account, WorldState};

/// Storage root of one account's slots, computed from scratch.
pub fn storage_root(account: &Account) -> B256 {
    storage_trie(account, None).0
}

/// Builds the storage trie of an account, retaining proofs for `targets` (hashed slots) when given.
fn storage_trie(account: &Account, targets: Option<Vec<Nibbles>>) -> (B256, ProofNodes) {
    if account.storage.is_empty() && targets.is_none() {
        return (EMPTY_ROOT_HASH, ProofNodes::default());
    }
    let mut leaves: Vec<(B256, U256)> =
        account.storage.iter().map(|(slot, value)| (keccak256(slot.to_be_bytes::<32>()), *value)).collect();
    leaves.sort_unstable_by_key(|(key, _)| *key);
    let mut builder = match targets {
        Some(targets) => HashBuilder::default().with_proof_retainer(ProofRetainer::new(targets)),
        None => HashBuilder::default(),
    };
    let mut encoded = Vec::with_capacity(33);
    for (key, value) in leaves {
        encoded.clear();
        value.encode(&mut encoded);
        builder.add_leaf(Nibbles::unpack(key), &encoded);
    }
    let root = builder.root();
    (root, builder.take_proof_nodes())
}

/// Brings every cached storage root up to date (only accounts changed since the last call are hashed).
pub fn refresh_storage_roots(state: &mut WorldState) {
    let dirty: Vec<Address> = state.dirty_storage.drain().collect();
    for address in dirty {
        let root = state.account(&address).map(storage_root);
        match root {
            Some(root) => {
                state.storage_roots.insert(address, root);
            }
            None => {
                state.storage_roots.remove(&address);
            }
        }
    }
}

/// The storage root of an account as of the last [`refresh_storage_roots`].
pub fn cached_storage_root(state: &WorldState, address: &Address) -> B256 {
    state.storage_roots.get(address).copied().unwrap_or(EMPTY_ROOT_HASH)
}

fn trie_account(state: &WorldState, address: &Address, account: &Account) -> TrieAccount {
    TrieAccount {
        nonce: account.info.nonce,
        balance: account.info.balance,
        storage_root: cached_storage_root(state, address),
        code_hash: account.info.code_hash,
    }
}

/// The state root: refreshes stale storage roots, then hashes the account trie in key order.
pub fn state_root(state: &mut WorldState) -> B256 {
    refresh_storage_roots(state);
    account_trie(state, None).0
}

fn account_trie(state: &WorldState, target: Option<Nibbles>) -> (B256, ProofNodes) {
    let mut builder = match target {
        Some(target) => HashBuilder::default().with_proof_retainer(ProofRetainer::new(vec![target])),
        None => HashBuilder::default(),
    };
    let mut encoded = Vec::with_capacity(110);
    for (hashed, address) in &state.hashed_index {
        let Some(account) = state.account(address) else { continue };
        encoded.clear();
        trie_account(state, address, account).encode(&mut encoded);
        builder.add_leaf(Nibbles::unpack(*hashed), &encoded);
    }
    let root = builder.root();
    (root, builder.take_proof_nodes())
}

/// The state root computed from scratch: every storage root rehashed, cached ones ignored.
pub fn full_state_root(state: &WorldState) -> B256 {
    let mut builder = HashBuilder::default();
    let mut encoded = Vec::with_capacity(110);
    for (hashed, address) in &state.hashed_index {
        let Some(account) = state.account(address) else { continue };
        let trie_account = TrieAccount {
            nonce: account.info.nonce,
            balance: account.info.balance,
            storage_root: storage_root(account),
            code_hash: account.info.code_hash,
        };
        encoded.clear();
        trie_account.encode(&mut encoded);
        builder.add_leaf(Nibbles::unpack(*hashed), &encoded);
    }
    builder.root()
}

/// An EIP-1186 proof of an account and some of its storage slots against the state's root.
pub fn account_proof(
    state: &mut WorldState,
    address: Address,
    slots: &[B256],
) -> EIP1186AccountProofResponse {
    refresh_storage_roots(state);
    let hashed_address = Nibbles::unpack(keccak256(address));
    let (_, account_nodes) = account_trie(state, Some(hashed_address));
    let account_proof =
        account_nodes.matching_nodes_sorted(&hashed_address).into_iter().map(|(_, node)| node);
    let empty = Account::default();
    let account = state.account(&address).unwrap_or(&empty);
    let slot_targets: Vec<Nibbles> = slots.iter().map(|slot| Nibbles::unpack(keccak256(slot))).collect();
    let (storage_hash, storage_nodes) = storage_trie(account, Some(slot_targets.clone()));
    let storage_proof = slots
        .iter()
        .zip(slot_targets)
        .map(|(slot, target)| {
            let proof: Vec<Bytes> =
                storage_nodes.matching_nodes_sorted(&target).into_iter().map(|(_, node)| node).collect();
            let value = account.storage.get(&U256::from_be_bytes(slot.0)).copied().unwrap_or_default();
            EIP1186StorageProof { key: (*slot).into(), value, proof }
        })
        .collect();
    EIP1186AccountProofResponse {
        address,
        balance: account.info.balance,
        code_hash: account.info.code_hash,
        nonce: account.info.nonce,
        storage_hash: if account.storage.is_empty() { EMPTY_ROOT_HASH } else { storage_hash },
        account_proof: account_proof.collect(),
        storage_proof,
    }
}
