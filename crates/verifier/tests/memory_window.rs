//! A memory window shorter than the message expiry window: only the recent blocks stay in memory, and a message
//! initiated in a block that left memory is judged from the durable index, by the checks and by the safety
//! engine alike, before and after a restart.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use superlink_protocol::{
    DependencySet, ExecutingMessage, Identifier, SafetyLevel, access_list_keys, predeploys::CROSS_L2_INBOX,
};
use superlink_verifier::{
    BlockRef, CheckError, ExecutingDescriptor, MemoryOptions, SourceBlock, SourceLog, Verifier,
};

const EMITTER: Address = address!("0x00000000000000000000000000000000000e1117");
/// Chains 1 and 2 make a block every 2 seconds from timestamp 100.
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

fn hash(chain: u64, n: u64) -> B256 {
    keccak256([chain.to_be_bytes(), n.to_be_bytes()].concat())
}

fn payload(chain: u64, n: u64) -> Bytes {
    Bytes::from([b"log of ".as_slice(), &chain.to_be_bytes(), &n.to_be_bytes()].concat())
}

/// Block `n` of `chain`: a plain log (its payload is the data, no topics), then the given executing messages.
fn block(chain: u64, n: u64, executes: &[(Identifier, B256)]) -> SourceBlock {
    let mut logs = vec![SourceLog { address: EMITTER, topics: vec![], data: payload(chain, n) }];
    for (identifier, msg_hash) in executes {
        let (topics, data) = ExecutingMessage { identifier: *identifier, msg_hash: *msg_hash }.encode_log();
        logs.push(SourceLog { address: CROSS_L2_INBOX, topics, data });
    }
    let block = BlockRef {
        hash: hash(chain, n),
        number: n,
        parent_hash: if n == 0 { B256::ZERO } else { hash(chain, n - 1) },
        timestamp: timestamp(n),
    };
    SourceBlock { block, logs }
}

/// The plain log of block `n` of `chain`, as an executing message would name it.
fn message(chain: u64, n: u64) -> (Identifier, B256) {
    let id = Identifier {
        origin: EMITTER,
        block_number: n,
        log_index: 0,
        timestamp: timestamp(n),
        chain_id: U256::from(chain),
    };
    (id, keccak256(payload(chain, n)))
}

fn dependencies() -> DependencySet {
    DependencySet::new([U256::from(1), U256::from(2)]).unwrap().with_message_expiry_window(EXPIRY).unwrap()
}

fn open(datadir: &std::path::Path) -> Verifier {
    Verifier::open_with(dependencies(), datadir, &BTreeMap::new(), MemoryOptions { window: Some(WINDOW) })
        .unwrap()
}

/// Indexes blocks `0..until` of both chains with every tag at the last one.
fn history(verifier: &Verifier, until: u64) {
    for chain in [1, 2] {
        let blocks: Vec<SourceBlock> = (0..until).map(|n| block(chain, n, &[])).collect();
        verifier.ingest(chain, &blocks).unwrap();
        verifier.set_local_tags(chain, Some(until - 1), Some(until - 1)).unwrap();
    }
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
    history(&verifier, HISTORY);
    // Memory holds the window below the heads, not the expiry window (which covers all of the history).
    let first = first_in_memory(&verifier, 1);
    assert!(first > 1 && timestamp(first) + WINDOW + INTERVAL >= timestamp(HISTORY - 1), "first {first}");
    assert!(timestamp(HISTORY - 1) - timestamp(1) < EXPIRY);
    let next = timestamp(HISTORY);

    // The checks: an old message is valid, a forged one, a wrong timestamp and a missing log are refused.
    check(&verifier, message(1, 1), next).unwrap();
    let (id, _) = message(1, 1);
    let forged = check(&verifier, (id, keccak256(b"forged")), next).unwrap_err();
    assert!(matches!(forged, CheckError::ChecksumMismatch { number: 1, .. }), "{forged:?}");
    let shifted = Identifier { timestamp: id.timestamp + 1, ..id };
    let err = check(&verifier, (shifted, message(1, 1).1), next).unwrap_err();
    assert!(matches!(err, CheckError::TimestampMismatch { .. }), "{err:?}");
    let missing = Identifier { log_index: 5, ..id };
    let err = check(&verifier, (missing, message(1, 1).1), next).unwrap_err();
    assert!(matches!(err, CheckError::NoSuchLog { log_index: 5, .. }), "{err:?}");
    // The expiry window still applies to what the durable index holds.
    let err = check(&verifier, message(1, 1), timestamp(1) + EXPIRY + 1).unwrap_err();
    assert!(matches!(err, CheckError::Expired { .. }), "{err:?}");

    // The safety engine: a block executing the old message becomes cross-unsafe; one executing a forged
    // message of an old block is invalid.
    verifier.ingest(2, &[block(2, HISTORY, &[message(1, 1)])]).unwrap();
    let heads = verifier.heads(2).unwrap();
    assert_eq!(heads.cross_unsafe.map(|b| b.number), Some(HISTORY));
    let (old, _) = message(1, 2);
    verifier.ingest(2, &[block(2, HISTORY + 1, &[(old, keccak256(b"forged"))])]).unwrap();
    assert_eq!(verifier.heads(2).unwrap().cross_unsafe.map(|b| b.number), Some(HISTORY));
    let invalid = verifier.read().invalid_blocks();
    assert!(
        invalid.iter().any(|b| b.chain == 2 && b.block.number == HISTORY + 1 && b.reason.contains("log 1")),
        "{invalid:?}"
    );
    verifier.flush().unwrap();
    drop(verifier);

    // After a restart only the window is loaded again, with the same heads and the same answers.
    let verifier = open(datadir.path());
    assert!(first_in_memory(&verifier, 1) > 1);
    assert_eq!(verifier.heads(2).unwrap().cross_unsafe.map(|b| b.number), Some(HISTORY));
    assert!(verifier.read().invalid_blocks().iter().any(|b| b.chain == 2 && b.block.number == HISTORY + 1));
    check(&verifier, message(1, 1), next).unwrap();
    let err = check(&verifier, (id, keccak256(b"forged")), next).unwrap_err();
    assert!(matches!(err, CheckError::ChecksumMismatch { .. }), "{err:?}");
}

#[test]
fn without_a_memory_window_the_whole_expiry_window_stays_in_memory() {
    let datadir = tempfile::tempdir().unwrap();
    let verifier = Verifier::open(dependencies(), datadir.path(), &BTreeMap::new()).unwrap();
    history(&verifier, HISTORY);
    assert_eq!(first_in_memory(&verifier, 1), 0);
    check(&verifier, message(1, 1), timestamp(HISTORY)).unwrap();
}
