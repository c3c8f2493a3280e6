//! The portal's Merkle-Patricia proof verifier (`MerkleTrie.get`, through `MerkleTrieProbe`) against tries and
//! proofs built by alloy-trie: every present key is found with its value, through hashed and embedded (shorter than
//! 32 bytes) nodes alike, and a tampered proof, a wrong root or an absent key finds nothing.

use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_trie::Nibbles;
use proptest::prelude::*;
use superlink_contracts::{Contract, bindings::MerkleTrieProbe};

use crate::{
    bridge_fixture::{storage_proof, trie_proof},
    harness::Chain,
};

const PROBE: Address = address!("0x6000000000000000000000000000000000000006");

fn probe() -> Chain {
    let mut chain = Chain::new(901);
    chain.set_code(PROBE, Contract::MerkleTrieProbe.deployed_bytecode());
    chain
}

fn get(chain: &mut Chain, key: &[u8], proof: &[Bytes], root: B256) -> Option<Bytes> {
    let call =
        MerkleTrieProbe::getCall { _key: Bytes::copy_from_slice(key), _proof: proof.to_vec(), _root: root };
    let result = chain.view(PROBE, &call);
    result.found_.then_some(result.value_)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_storage_slot_is_proven_with_its_value(
        words in prop::collection::btree_map(any::<[u8; 32]>(), 1u64..u64::MAX, 1..80),
        pick in any::<prop::sample::Index>(),
    ) {
        let mut chain = probe();
        let entries: Vec<(U256, U256)> =
            words.iter().map(|(k, v)| (U256::from_be_bytes(*k), U256::from(*v))).collect();
        let (slot, value) = entries[pick.index(entries.len())];
        let slot = B256::from(slot);
        let (root, proof) = storage_proof(&entries, slot);
        let key = keccak256(slot);
        let found = get(&mut chain, key.as_slice(), &proof, root);
        prop_assert_eq!(found, Some(Bytes::from(alloy_rlp::encode(value))));

        // Any changed byte of any node breaks the proof.
        for (i, node) in proof.iter().enumerate() {
            let mut tampered = proof.clone();
            let mut bytes = node.to_vec();
            let at = bytes.len() / 2;
            bytes[at] ^= 0x01;
            tampered[i] = bytes.into();
            prop_assert_eq!(get(&mut chain, key.as_slice(), &tampered, root), None);
        }
        // A wrong root, a missing node, and a key that is not in the trie find nothing.
        prop_assert_eq!(get(&mut chain, key.as_slice(), &proof, keccak256(root)), None);
        prop_assert_eq!(get(&mut chain, key.as_slice(), &proof[..proof.len() - 1], root), None);
        let absent = keccak256(B256::repeat_byte(0xab));
        let (_, absent_proof) = storage_proof(&entries, B256::repeat_byte(0xab));
        prop_assert_eq!(get(&mut chain, absent.as_slice(), &absent_proof, root), None);
    }
}

/// Keys that differ only in their last byte, with one-byte values: the leaves are embedded in their branch.
#[test]
fn embedded_nodes_are_read_in_place_whether_or_not_the_proof_repeats_them() {
    let mut chain = probe();
    let mut leaves: Vec<(Nibbles, Vec<u8>)> = (0u8..6)
        .map(|last| {
            let mut key = [0x5a; 32];
            key[31] = last.wrapping_mul(0x21);
            (Nibbles::unpack(key), vec![last + 1])
        })
        .collect();
    leaves.sort_by_key(|leaf| leaf.0);
    for (key, value) in &leaves {
        let (root, proof) = trie_proof(&leaves, key);
        let last = proof.last().expect("a proof");
        let raw_key: Vec<u8> = key.pack().to_vec();
        assert_eq!(get(&mut chain, &raw_key, &proof, root), Some(Bytes::from(value.clone())));
        if last.len() < 32 {
            // alloy-trie (like viem) lists the embedded leaf after its branch; without it the proof holds too.
            let trimmed = &proof[..proof.len() - 1];
            assert_eq!(get(&mut chain, &raw_key, trimmed, root), Some(Bytes::from(value.clone())));
        }
    }
    let (root, proof) = trie_proof(&leaves, &leaves[0].0);
    assert!(proof.iter().any(|node| node.len() < 32), "the trie has embedded nodes: {proof:?}");
    let mut other = leaves[0].0.pack().to_vec();
    other[31] = 0xff;
    assert_eq!(get(&mut chain, &other, &proof, root), None);
}
