//! A memory window shorter than the message expiry window: only the recent blocks stay in memory, and a message
//! initiated in a block that left memory is judged from the durable index, by the checks and by the safety
//! engine alike, before and after a restart.

#![allow(clippy::unwrap_used)]

use std::{collections::BTreeMap, sync::Arc};

use alloy_primitives::{B256, U256, keccak256};
use superlink_protocol::{DependencySet, Identifier, SafetyLevel, access_list_keys};
use superlink_verifier::{CheckError, ExecutingDescriptor, MemoryOptions, Verifier};

mod memory_chain;

use memory_chain::MemoryChain;

/// The chains make a block every 2 seconds from timestamp 100.
const INTERVAL: u64 = 2;
/// The expiry window of the test's dependency set: every message of the test is within it.
const EXPIRY: u64 = 1_000;
/// The memory window: about ten blocks of each chain.
const WINDOW: u64 = 20;
/// Blocks of plain history on each chain before the executing blocks.
const HISTORY: u64 = 100;

fn timestamp(n: u64) -> u64 {
    100 + INTERVAL * n
}

/// Appends a block to `chain` (one plain log, or the given executing message) and indexes it.
fn push(verifier: &Verifier, chain: &MemoryChain, id: u64, exec: Option<(Identifier, B256)>) {
    chain.push(0, exec);
    verifier.ingest(id, &[chain.last().unwrap()]).unwrap();
}

fn dependencies() -> DependencySet {
    DependencySet::new([U256::from(1), U256::from(2)]).unwrap().with_message_expiry_window(EXPIRY).unwrap()
}

fn open(datadir: &std::path::Path) -> Verifier {
    Verifier::open_with(dependencies(), datadir, &BTreeMap::new(), MemoryOptions { window: Some(WINDOW) })
        .unwrap()
}

/// Two chains with `until` plain blocks each, indexed, every tag at the last one.
fn history(verifier: &Verifier, until: u64) -> (Arc<MemoryChain>, Arc<MemoryChain>) {
    let chains = (MemoryChain::new(1), MemoryChain::new(2));
    for (id, chain) in [(1, &chains.0), (2, &chains.1)] {
        for _ in 0..until {
            push(verifier, chain, id, None);
        }
        verifier.set_local_tags(id, Some(until - 1), Some(until - 1)).unwrap();
    }
    chains
}

fn check(
    verifier: &Verifier,
    (id, msg_hash): (Identifier, B256),
    executing_at: u64,
) -> Result<(), CheckError> {
    let descriptor = ExecutingDescriptor { timestamp: executing_at, timeout: None, chain_id: U256::from(2) };
    verifier.check_access_list_now(&access_list_keys(&id, msg_hash), SafetyLevel::Finalized, descriptor)
}

fn first_in_memory(verifier: &Verifier, chain: u64) -> u64 {
    verifier.read().view().chain(chain).and_then(|c| c.range()).map(|(first, _)| first).unwrap()
}

#[test]
fn messages_from_blocks_that_left_memory_are_judged_from_the_durable_index() {
    let datadir = tempfile::tempdir().unwrap();
    let verifier = open(datadir.path());
    let (a, b) = history(&verifier, HISTORY);
    // Memory holds the window below the heads, not the expiry window (which covers all of the history).
    let first = first_in_memory(&verifier, 1);
    assert!(first > 1 && timestamp(first) + WINDOW + INTERVAL >= timestamp(HISTORY - 1), "first {first}");
    assert!(timestamp(HISTORY - 1) - timestamp(1) < EXPIRY);
    let next = timestamp(HISTORY);

    // The checks: an old message is valid, a forged one, a wrong timestamp and a missing log are refused.
    check(&verifier, a.message(1), next).unwrap();
    let (id, msg_hash) = a.message(1);
    let forged = check(&verifier, (id, keccak256(b"forged")), next).unwrap_err();
    assert!(matches!(forged, CheckError::ChecksumMismatch { number: 1, .. }), "{forged:?}");
    let shifted = Identifier { timestamp: id.timestamp + 1, ..id };
    let err = check(&verifier, (shifted, msg_hash), next).unwrap_err();
    assert!(matches!(err, CheckError::TimestampMismatch { .. }), "{err:?}");
    let missing = Identifier { log_index: 5, ..id };
    let err = check(&verifier, (missing, msg_hash), next).unwrap_err();
    assert!(matches!(err, CheckError::NoSuchLog { log_index: 5, .. }), "{err:?}");
    // The expiry window still applies to what the durable index holds.
    let err = check(&verifier, a.message(1), timestamp(1) + EXPIRY + 1).unwrap_err();
    assert!(matches!(err, CheckError::Expired { .. }), "{err:?}");

    // The safety engine: a block executing the old message becomes cross-unsafe; one executing a forged
    // message of an old block is invalid.
    push(&verifier, &b, 2, Some(a.message(1)));
    let heads = verifier.heads(2).unwrap();
    assert_eq!(heads.cross_unsafe.map(|b| b.number), Some(HISTORY));
    let (old, _) = a.message(2);
    push(&verifier, &b, 2, Some((old, keccak256(b"forged"))));
    assert_eq!(verifier.heads(2).unwrap().cross_unsafe.map(|b| b.number), Some(HISTORY));
    let invalid = verifier.read().invalid_blocks();
    assert!(
        invalid.iter().any(|b| b.chain == 2 && b.block.number == HISTORY + 1 && b.reason.contains("log 0")),
        "{invalid:?}"
    );
    verifier.flush().unwrap();
    drop(verifier);

    // After a restart only the window is loaded again, with the same heads and the same answers.
    let verifier = open(datadir.path());
    assert!(first_in_memory(&verifier, 1) > 1);
    assert_eq!(verifier.heads(2).unwrap().cross_unsafe.map(|b| b.number), Some(HISTORY));
    assert!(verifier.read().invalid_blocks().iter().any(|b| b.chain == 2 && b.block.number == HISTORY + 1));
    check(&verifier, (id, msg_hash), next).unwrap();
    let err = check(&verifier, (id, keccak256(b"forged")), next).unwrap_err();
    assert!(matches!(err, CheckError::ChecksumMismatch { .. }), "{err:?}");
}

#[test]
fn without_a_memory_window_the_whole_expiry_window_stays_in_memory() {
    let datadir = tempfile::tempdir().unwrap();
    let verifier = Verifier::open(dependencies(), datadir.path(), &BTreeMap::new()).unwrap();
    let (a, _) = history(&verifier, HISTORY);
    assert_eq!(first_in_memory(&verifier, 1), 0);
    check(&verifier, a.message(1), timestamp(HISTORY)).unwrap();
}
