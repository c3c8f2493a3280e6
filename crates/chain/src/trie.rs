//! Merkle-Patricia roots of the world state: storage roots (recomputed only for accounts whose storage
//! changed), the account-trie state root, and EIP-1186 account and storage proofs.
//!
//! The account trie is kept incrementally in 4096 buckets, one per 3-nibble prefix of the hashed address:
//! the hash of the trie node at each prefix is cached and recomputed only when an account under it
//! changed. Where two or more buckets share their 2-nibble prefix, the node at each 3-nibble prefix is a
//! child of a branch node, so its cached hash is fed to the hash builder as a branch child; elsewhere (a
//! sparse trie) the bucket's leaves are fed in full.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_rlp::Encodable;
use alloy_rpc_types_eth::{EIP1186AccountProofResponse, EIP1186StorageProof};
use alloy_trie::{
    EMPTY_ROOT_HASH, HashBuilder, Nibbles, TrieAccount,
    proof::{ProofNodes, ProofRetainer},
};

use crate::state::{Account, WorldState, bucket_of};

/// Storage root of one account's slots, computed from scratch.
pub fn storage_root(account: &Account) -> B256 {
    storage_trie(account, None).0
}

/// Builds the storage trie of an account, retaining proofs for `targets` (hashed slots) when given.
fn storage_trie(account: &Account, targets: Option<Vec<Nibbles>>) -> (B256, ProofNodes) {
    if !account.has_storage() && targets.is_none() {
        return (EMPTY_ROOT_HASH, ProofNodes::default());
    }
    let mut leaves: Vec<(B256, U256)> = account
        .nonzero_storage()
        .map(|(slot, value)| (keccak256(slot.to_be_bytes::<32>()), *value))
        .collect();
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
        state.dirty_buckets.insert(bucket_of(&keccak256(address)));
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

/// The state root: refreshes stale storage roots and stale bucket hashes, then assembles the account
/// trie from the cached bucket hashes.
pub fn state_root(state: &mut WorldState) -> B256 {
    refresh_storage_roots(state);
    let dirty: Vec<u16> = state.dirty_buckets.drain().collect();
    for bucket in dirty {
        match bucket_node_hash(state, bucket) {
            Some(hash) => {
                state.bucket_hashes.insert(bucket, hash);
            }
            None => {
                state.bucket_hashes.remove(&bucket);
            }
        }
    }
    let mut builder = HashBuilder::default();
    let mut encoded = Vec::with_capacity(110);
    let buckets: Vec<(u16, B256)> =
        state.bucket_hashes.iter().map(|(bucket, hash)| (*bucket, *hash)).collect();
    let mut index = 0;
    while index < buckets.len() {
        let group = buckets[index].0 >> 4;
        let end = buckets[index..]
            .iter()
            .position(|(bucket, _)| bucket >> 4 != group)
            .map_or(buckets.len(), |n| index + n);
        let shared_branch = end - index >= 2;
        for (bucket, hash) in &buckets[index..end] {
            if shared_branch {
                builder.add_branch(bucket_path(*bucket), *hash, false);
            } else {
                for (hashed, address) in bucket_accounts(state, *bucket) {
                    let Some(account) = state.account(address) else { continue };
                    encoded.clear();
                    trie_account(state, address, account).encode(&mut encoded);
                    builder.add_leaf(Nibbles::unpack(*hashed), &encoded);
                }
            }
        }
        index = end;
    }
    builder.root()
}

/// The nibble path of a bucket.
fn bucket_path(bucket: u16) -> Nibbles {
    Nibbles::from_nibbles([(bucket >> 8) as u8, ((bucket >> 4) & 0xf) as u8, (bucket & 0xf) as u8])
}

/// The accounts whose hashed address falls in `bucket`, in key order.
fn bucket_accounts(state: &WorldState, bucket: u16) -> impl Iterator<Item = (&B256, &Address)> {
    let mut start = B256::ZERO;
    start[0] = (bucket >> 4) as u8;
    start[1] = ((bucket & 0xf) as u8) << 4;
    state.hashed_index.range(start..).take_while(move |(hashed, _)| bucket_of(hashed) == bucket)
}

/// Hash of the account-trie node at the bucket's 3-nibble path (`None` for an empty bucket): the root of
/// the trie of the bucket's keys with their first three nibbles removed.
fn bucket_node_hash(state: &WorldState, bucket: u16) -> Option<B256> {
    let mut builder = HashBuilder::default();
    let mut encoded = Vec::with_capacity(110);
    let mut any = false;
    for (hashed, address) in bucket_accounts(state, bucket) {
        let Some(account) = state.account(address) else { continue };
        encoded.clear();
        trie_account(state, address, account).encode(&mut encoded);
        builder.add_leaf(Nibbles::unpack(*hashed).slice(3..), &encoded);
        any = true;
    }
    any.then(|| builder.root())
}

fn account_trie(state: &WorldState, targets: Option<Vec<Nibbles>>) -> (B256, ProofNodes) {
    let mut builder = match targets {
        Some(targets) => HashBuilder::default().with_proof_retainer(ProofRetainer::new(targets)),
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

/// The account-trie nodes on the paths to `targets` (hashed addresses, or shorter nibble paths), root first
/// and otherwise in path order.
pub fn account_trie_nodes(state: &mut WorldState, targets: Vec<Nibbles>) -> Vec<Bytes> {
    refresh_storage_roots(state);
    let (_, nodes) = account_trie(state, Some(targets));
    nodes.into_nodes_sorted().into_iter().map(|(_, node)| node).collect()
}

/// The nodes of an account's storage trie on the paths to `targets` (hashed slots, or shorter nibble paths);
/// none when the account does not exist or has no storage.
pub fn storage_trie_nodes(state: &WorldState, address: &Address, targets: Vec<Nibbles>) -> Vec<Bytes> {
    let Some(account) = state.account(address).filter(|account| !account.storage.is_empty()) else {
        return Vec::new();
    };
    let (_, nodes) = storage_trie(account, Some(targets));
    nodes.into_nodes_sorted().into_iter().map(|(_, node)| node).collect()
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
    let (_, account_nodes) = account_trie(state, Some(vec![hashed_address]));
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
        storage_hash: if account.has_storage() { storage_hash } else { EMPTY_ROOT_HASH },
        account_proof: account_proof.collect(),
        storage_proof,
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, U256, keccak256};
    use proptest::prelude::*;

    use super::*;
    use crate::state::{AccountInfo, StateDiff};

    fn address(i: u64) -> Address {
        Address::from_word(keccak256(i.to_be_bytes()))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        /// Dense and sparse tries alike: the bucketed root equals a full recomputation after every round
        /// of creations, balance changes, storage writes and deletions.
        #[test]
        fn bucketed_root_equals_full_recomputation(
            accounts in prop_oneof![Just(3u64), Just(40), Just(3000)],
            rounds in proptest::collection::vec(proptest::collection::vec((0u64..4000, 0u8..4), 1..60), 1..4),
        ) {
            let mut state = WorldState::new();
            let mut diff = StateDiff::default();
            for i in 0..accounts {
                let info = AccountInfo { balance: U256::from(i + 1), ..AccountInfo::default() };
                state.set_info(address(i), info, &mut diff);
            }
            prop_assert_eq!(state_root(&mut state), full_state_root(&state));
            for round in rounds {
                for (i, action) in round {
                    let target = address(i % (accounts * 2));
                    match action {
                        0 => state.set_info(target, AccountInfo { nonce: i, ..AccountInfo::default() }, &mut diff),
                        1 => state.set_storage(target, U256::from(i % 3), U256::from(i), &mut diff),
                        2 => state.remove_account(target, &mut diff),
                        _ => state.set_storage(target, U256::from(i % 3), U256::ZERO, &mut diff),
                    }
                }
                prop_assert_eq!(state_root(&mut state), full_state_root(&state));
            }
        }
    }
}
