//! Merkle-Patricia roots of the world state: storage roots (recomputed only for accounts whose storage
//! changed), the account-trie state root, and EIP-1186 account and storage proofs.
//!
//! The account trie is kept incrementally at its top three levels: the hash of the trie node at every
//! non-empty 1-, 2- and 3-nibble prefix of the hashed address is cached, and recomputed only when an account
//! under it changed. Where a prefix has two or more non-empty children, each child is a node hanging off a
//! branch, so its cached hash is fed to the hash builder as a branch child; a lone child is fed one level
//! further down, and a 3-nibble bucket's leaves in full.

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

/// The state root: refreshes stale storage roots, then the cached node hashes of the prefixes an account
/// changed under (3-nibble buckets first, then their 2- and 1-nibble parents), then assembles the root from
/// the 1-nibble nodes. A block that touches a handful of accounts rehashes a handful of small nodes per level,
/// whatever the size of the state.
pub fn state_root(state: &mut WorldState) -> B256 {
    refresh_storage_roots(state);
    let dirty: Vec<u16> = state.dirty_buckets.drain().collect();
    let mut dirty_groups = Vec::with_capacity(dirty.len());
    for bucket in dirty {
        dirty_groups.push(bucket >> 4);
        match bucket_node_hash(state, bucket) {
            Some(hash) => {
                state.bucket_hashes.insert(bucket, hash);
            }
            None => {
                state.bucket_hashes.remove(&bucket);
            }
        }
    }
    // Parents after their children: every 2-nibble node, then every 1-nibble node an account changed under.
    dirty_groups.sort_unstable();
    dirty_groups.dedup();
    let mut dirty_tops: Vec<u16> = dirty_groups.iter().map(|group| group >> 4).collect();
    dirty_tops.dedup();
    for (level, dirty) in [(2, dirty_groups), (1, dirty_tops)] {
        for prefix in dirty {
            let mut builder = HashBuilder::default();
            let any = feed_prefix(state, &mut builder, level, prefix, level);
            let cache = if level == 2 { &mut state.group_hashes } else { &mut state.top_hashes };
            if any {
                cache.insert(prefix, builder.root());
            } else {
                cache.remove(&prefix);
            }
        }
    }
    let mut builder = HashBuilder::default();
    feed_prefix(state, &mut builder, 0, 0, 0);
    builder.root()
}

/// The non-empty children (one nibble longer) of the `level`-nibble `prefix`, with their cached node
/// hashes, in key order.
fn children(state: &WorldState, level: usize, prefix: u16) -> Vec<(u16, B256)> {
    let cache = match level {
        0 => &state.top_hashes,
        1 => &state.group_hashes,
        _ => &state.bucket_hashes,
    };
    let first = prefix << 4;
    cache.range(first..=first | 0xf).map(|(child, hash)| (*child, *hash)).collect()
}

/// The nibble path of a `level`-nibble prefix.
fn prefix_path(level: usize, prefix: u16) -> Nibbles {
    let nibbles: Vec<u8> = (0..level).map(|i| ((prefix >> (4 * (level - 1 - i))) & 0xf) as u8).collect();
    Nibbles::from_nibbles(nibbles)
}

/// Feeds the account-trie entries under the `level`-nibble `prefix` to `builder`, with the first `strip`
/// nibbles of every path removed (so the builder's root is the node at that depth). A child prefix is a node
/// of its own when the prefix has two or more non-empty children (they hang off a branch): its cached hash is
/// fed as a branch child. A single child shares the nodes above it with nothing else, so it is fed the same
/// way one level down, and the leaves of a 3-nibble bucket are fed in full. Whether anything was fed.
fn feed_prefix(
    state: &WorldState,
    builder: &mut HashBuilder,
    level: usize,
    prefix: u16,
    strip: usize,
) -> bool {
    if level == 3 {
        let mut encoded = Vec::with_capacity(110);
        let mut any = false;
        for (hashed, address) in bucket_accounts(state, prefix) {
            let Some(account) = state.account(address) else { continue };
            encoded.clear();
            trie_account(state, address, account).encode(&mut encoded);
            builder.add_leaf(Nibbles::unpack(*hashed).slice(strip..), &encoded);
            any = true;
        }
        return any;
    }
    match children(state, level, prefix).as_slice() {
        [] => false,
        [(child, _)] => feed_prefix(state, builder, level + 1, *child, strip),
        several => {
            for (child, hash) in several {
                builder.add_branch(prefix_path(level + 1, *child).slice(strip..), *hash, false);
            }
            true
        }
    }
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
    feed_prefix(state, &mut builder, 3, bucket, 3).then(|| builder.root())
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
            accounts in prop_oneof![Just(3u64), Just(40), Just(300), Just(3000)],
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
