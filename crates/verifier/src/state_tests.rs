//! Tests of the verifier's state: every chain's heads at every level, with messages across chains.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use superlink_protocol::{
    DependencySet, ExecutingMessage, Identifier, SafetyLevel, access_list_keys, predeploys::CROSS_L2_INBOX,
};

use super::*;
use crate::{
    access_check::{ExecutingDescriptor, check_access_list},
    chain_data::{BlockRef, SourceBlock, SourceLog},
    error::CheckError,
    indexing::index_block,
};

/// Chain A and chain B: blocks of the same number share a timestamp.
const A: u64 = 901;
const B: u64 = 902;

const EMITTER: Address = Address::new([0x10; 20]);

fn timestamp(n: u64) -> u64 {
    100 + 2 * n
}

fn hash(chain: u64, n: u64) -> B256 {
    keccak256([chain.to_be_bytes(), n.to_be_bytes()].concat())
}

/// The plain log every block opens with, as an identifier and msgHash.
fn message_of(chain: u64, n: u64) -> (Identifier, B256) {
    let id = Identifier {
        origin: EMITTER,
        block_number: n,
        log_index: 0,
        timestamp: timestamp(n),
        chain_id: U256::from(chain),
    };
    (id, keccak256([chain as u8, n as u8]))
}

/// Block `n` of `chain`: its plain log, then the executing message of `executes` if given.
fn block(chain: u64, n: u64, executes: Option<(Identifier, B256)>) -> SourceBlock {
    let mut logs =
        vec![SourceLog { address: EMITTER, topics: vec![], data: Bytes::from(vec![chain as u8, n as u8]) }];
    if let Some((identifier, msg_hash)) = executes {
        let (topics, data) = ExecutingMessage { identifier, msg_hash }.encode_log();
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

/// A with blocks `0..=a_last`; B with blocks `0..=b_last`, whose block `b_exec` executes A's block `a_source`.
fn state(a_last: u64, b_last: u64, (b_exec, a_source): (u64, u64)) -> VerifierState {
    let deps = DependencySet::new([U256::from(A), U256::from(B)]).unwrap();
    let mut state = VerifierState::new(deps).unwrap();
    for n in 0..=a_last {
        state.append(A, index_block(&block(A, n, None)).0).unwrap();
    }
    for n in 0..=b_last {
        let executes = (n == b_exec).then(|| message_of(A, a_source));
        state.append(B, index_block(&block(B, n, executes)).0).unwrap();
    }
    state.resolve();
    state
}

fn number(head: Option<BlockRef>) -> Option<u64> {
    head.map(|b| b.number)
}

/// `checkAccessList` for the plain log of block `n` of `chain`, executed well after it.
fn check(state: &VerifierState, chain: u64, n: u64, min: SafetyLevel) -> Result<(), CheckError> {
    let (id, msg_hash) = message_of(chain, n);
    let descriptor = ExecutingDescriptor { timestamp: 1_000, timeout: None, chain_id: U256::from(B) };
    check_access_list(state, &access_list_keys(&id, msg_hash), min, descriptor)
}

#[test]
fn finalized_waits_until_every_dependency_is_finalized() {
    // B's block 2 executes a log of A's block 2 (same timestamp).
    let mut state = state(2, 2, (2, 2));
    state.set_local_safe(A, Some(2));
    state.set_local_safe(B, Some(2));
    state.set_local_finalized(A, Some(1));
    state.set_local_finalized(B, Some(2));
    state.resolve();
    assert_eq!(number(state.heads(B).unwrap().cross_safe), Some(2));
    assert_eq!(number(state.heads(A).unwrap().finalized), Some(1));
    assert_eq!(
        number(state.heads(B).unwrap().finalized),
        Some(1),
        "B's block 2 rests on A's unfinalized block 2"
    );
    assert_eq!(state.block_safety(B, 2), Some(SafetyLevel::Safe));
    assert!(matches!(check(&state, B, 2, SafetyLevel::Finalized), Err(CheckError::BelowSafety { .. })));
    check(&state, B, 1, SafetyLevel::Finalized).unwrap();

    state.set_local_finalized(A, Some(2));
    let events = state.resolve();
    assert_eq!(number(state.heads(B).unwrap().finalized), Some(2));
    assert!(events.contains(&HeadEvent {
        level: SafetyLevel::Finalized,
        event: SafetyEvent::Promoted { chain: B, number: 2 }
    }));
    check(&state, B, 2, SafetyLevel::Finalized).unwrap();
}

#[test]
fn finalized_waits_for_an_older_dependency_too() {
    // B's block 3 executes a log of A's block 2 (an earlier timestamp).
    let mut state = state(3, 3, (3, 2));
    for chain in [A, B] {
        state.set_local_safe(chain, Some(3));
    }
    state.set_local_finalized(A, Some(1));
    state.set_local_finalized(B, Some(3));
    state.resolve();
    assert_eq!(number(state.heads(B).unwrap().finalized), Some(2));
}

#[test]
fn a_lowered_safe_label_demotes_the_cross_safe_blocks_that_depend_on_it() {
    // B's block 3 executes a log of A's block 2; both are cross-safe.
    let mut state = state(2, 3, (3, 2));
    state.set_local_safe(A, Some(2));
    state.set_local_safe(B, Some(3));
    state.resolve();
    assert_eq!(number(state.heads(B).unwrap().cross_safe), Some(3));
    check(&state, B, 3, SafetyLevel::Safe).unwrap();

    // An L1 reorg takes A's block 2 out of the safe chain.
    let events = state.set_local_safe(A, Some(1));
    assert_eq!(number(state.heads(A).unwrap().cross_safe), Some(1));
    assert_eq!(number(state.heads(B).unwrap().cross_safe), Some(2), "B's block 3 rests on A's block 2");
    assert!(
        events.contains(&HeadEvent {
            level: SafetyLevel::Safe,
            event: SafetyEvent::Demoted { chain: B, from: 3, to: Some(2) }
        }),
        "{events:?}"
    );
    // The check and the heads agree at once, and after resolving again.
    assert!(matches!(check(&state, B, 3, SafetyLevel::Safe), Err(CheckError::BelowSafety { .. })));
    state.resolve();
    assert_eq!(number(state.heads(B).unwrap().cross_safe), Some(2));
    assert!(matches!(check(&state, B, 3, SafetyLevel::Safe), Err(CheckError::BelowSafety { .. })));
    check(&state, B, 3, SafetyLevel::CrossUnsafe).unwrap();

    // Derived again, everything comes back.
    state.set_local_safe(A, Some(2));
    state.resolve();
    assert_eq!(number(state.heads(B).unwrap().cross_safe), Some(3));
}

#[test]
fn a_lowered_safe_label_takes_finalized_down_with_the_blocks_it_rests_on() {
    let mut state = state(2, 3, (3, 2));
    for (chain, safe) in [(A, 2), (B, 3)] {
        state.set_local_safe(chain, Some(safe));
        state.set_local_finalized(chain, Some(safe));
    }
    state.resolve();
    assert_eq!(number(state.heads(B).unwrap().finalized), Some(3));
    let events = state.set_local_safe(A, Some(1));
    assert_eq!(number(state.heads(A).unwrap().finalized), Some(1));
    assert_eq!(number(state.heads(B).unwrap().finalized), Some(2));
    assert!(events.iter().any(
        |e| e.level == SafetyLevel::Finalized && matches!(e.event, SafetyEvent::Demoted { chain: B, .. })
    ));
}

#[test]
fn a_dependent_of_a_replaced_block_stays_valid_when_the_log_it_executes_survives() {
    // A's block 2 holds a deposit's log and then a forged executing message; B's block 3 executes the deposit's
    // log.
    let deps = DependencySet::new([U256::from(A), U256::from(B)]).unwrap();
    let mut state = VerifierState::new(deps).unwrap();
    let (forged_id, _) = message_of(B, 0);
    for n in 0..=2 {
        let executes = (n == 2).then_some((forged_id, keccak256(b"never emitted")));
        state.append(A, index_block(&block(A, n, executes)).0).unwrap();
    }
    for n in 0..=3 {
        let executes = (n == 3).then(|| message_of(A, 2));
        state.append(B, index_block(&block(B, n, executes)).0).unwrap();
    }
    let events = state.resolve();
    assert_eq!(number(state.heads(A).unwrap().cross_unsafe), Some(1));
    assert_eq!(number(state.heads(B).unwrap().cross_unsafe), Some(2));
    let invalid: Vec<(u64, u64)> = state.invalid_blocks().iter().map(|b| (b.chain, b.block.number)).collect();
    assert_eq!(invalid, vec![(A, 2)], "only the block with the forged message is invalid: {events:?}");
    assert_eq!(state.block_safety(B, 3), Some(SafetyLevel::Unsafe));

    // The sequencer replaces A's block 2 by a deposits-only block: the deposit's log stays at index 0.
    state.rewind(A, 1);
    let replacement = SourceBlock {
        block: BlockRef { hash: keccak256(b"replacement"), ..block(A, 2, None).block },
        ..block(A, 2, None)
    };
    state.append(A, index_block(&replacement).0).unwrap();
    let events = state.resolve();
    assert!(state.invalid_blocks().is_empty(), "{events:?}");
    assert_eq!(number(state.heads(A).unwrap().cross_unsafe), Some(2));
    assert_eq!(number(state.heads(B).unwrap().cross_unsafe), Some(3));
}

/// L1 block `n` (its hash differs per branch).
fn l1(n: u64, branch: &str) -> BlockRef {
    let hash = |n: u64| keccak256([branch.as_bytes(), &n.to_be_bytes()].concat());
    BlockRef { hash: hash(n), number: n, parent_hash: hash(n.wrapping_sub(1)), timestamp: 1_000 + 12 * n }
}

#[test]
fn derivation_records_drive_local_safe_and_name_each_safe_block_s_l1_source() {
    // B's block 3 executes a log of A's block 2.
    let mut state = state(3, 3, (3, 2));
    state.record_derived(A, l1(10, "main"), Some(1)).unwrap();
    state.record_derived(B, l1(10, "main"), Some(3)).unwrap();
    state.resolve();
    assert_eq!(number(state.heads(A).unwrap().local_safe), Some(1));
    assert_eq!(number(state.heads(B).unwrap().cross_safe), Some(2), "B's block 3 waits for A's block 2");
    state.record_derived(A, l1(11, "main"), Some(3)).unwrap();
    state.resolve();
    assert_eq!(number(state.heads(B).unwrap().cross_safe), Some(3));
    assert_eq!(state.derived_from(A, 2), Some(l1(11, "main")));
    assert_eq!(state.derived_from(B, 3), Some(l1(10, "main")));
    // B's block 3 is cross-safe only from L1 block 11, where the block it depends on was derived.
    assert_eq!(state.cross_derived_from(B, 3), Some(l1(11, "main")));
    assert_eq!(state.cross_derived_from(B, 2), Some(l1(10, "main")));
    assert_eq!(state.l1_scope(), Some(l1(10, "main")));
    let at_10 = state.all_safe_derived_at(10);
    assert_eq!((number(at_10[&A]), number(at_10[&B])), (Some(1), Some(2)));
}

#[test]
fn an_l1_reorg_takes_back_what_was_derived_from_the_lost_l1_blocks() {
    let mut state = state(3, 3, (3, 2));
    state.record_derived(A, l1(10, "main"), Some(1)).unwrap();
    state.record_derived(A, l1(11, "main"), Some(3)).unwrap();
    state.record_derived(B, l1(11, "main"), Some(3)).unwrap();
    state.resolve();
    assert_eq!(number(state.heads(B).unwrap().cross_safe), Some(3));
    let err = state.record_derived(A, l1(11, "fork"), Some(2)).unwrap_err();
    assert!(matches!(err, DerivationError::L1Conflict { .. }), "{err}");

    let events = state.rewind_l1(10);
    assert_eq!(number(state.heads(A).unwrap().local_safe), Some(1));
    assert_eq!(number(state.heads(B).unwrap().cross_safe), None, "B derived nothing from L1 block 10");
    assert!(events.iter().any(|e| matches!(e.event, SafetyEvent::Demoted { chain: B, .. })), "{events:?}");
    assert_eq!(state.cross_derived_from(B, 3), None);
    // The new branch holds A's batch only up to block 1.
    state.record_derived(A, l1(11, "fork"), Some(1)).unwrap();
    state.record_derived(B, l1(11, "fork"), Some(3)).unwrap();
    state.resolve();
    assert_eq!(number(state.heads(B).unwrap().cross_safe), Some(2));
    assert_eq!(state.cross_derived_from(B, 2), Some(l1(11, "fork")));
}

#[test]
fn the_finalized_l1_block_finalizes_what_was_derived_from_it_and_its_dependencies() {
    let mut state = state(3, 3, (3, 2));
    state.record_derived(B, l1(10, "main"), Some(3)).unwrap();
    state.record_derived(A, l1(10, "main"), Some(1)).unwrap();
    state.record_derived(A, l1(12, "main"), Some(3)).unwrap();
    state.record_derived(B, l1(12, "main"), Some(3)).unwrap();
    state.set_finalized_l1(l1(11, "main"));
    state.resolve();
    assert_eq!(state.finalized_l1(), Some(l1(11, "main")));
    assert_eq!(number(state.heads(A).unwrap().finalized), Some(1));
    assert_eq!(
        number(state.heads(B).unwrap().finalized),
        Some(2),
        "B's block 3 rests on A's block 2 (L1 12)"
    );
    state.set_finalized_l1(l1(12, "main"));
    state.resolve();
    assert_eq!(number(state.heads(B).unwrap().finalized), Some(3));
}
