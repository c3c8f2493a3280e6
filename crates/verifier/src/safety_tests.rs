//! Tests of the cross-safety engine on synthetic chains, against an independent whole-graph oracle.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use alloy_primitives::{Address, B256, U256, keccak256};
use proptest::prelude::*;
use superlink_logdb::{ExecMessage, IndexedExecMessage, MessageIdentifier};
use superlink_protocol::{DependencySet, log_hash};

use super::*;
use crate::{
    chain_data::BlockRef,
    message_rules::{MessageVerdict, judge_message},
    view::{IndexView, IndexedBlock},
};

/// A log of a synthetic block: plain, or executing `(chain, number, log index)`, possibly with a forged hash.
#[derive(Debug, Clone)]
enum Log {
    Plain,
    Exec { chain: u64, number: u64, index: u32, forged: bool, wrong_ts: bool },
}

/// A synthetic chain: each block is its timestamp and logs.
type Chain = Vec<(u64, Vec<Log>)>;

/// The payload hash of log `index` of block `number` of `chain`.
fn msg_hash(chain: u64, number: u64, index: usize) -> B256 {
    keccak256([chain.to_be_bytes(), number.to_be_bytes(), (index as u64).to_be_bytes()].concat())
}

/// The emitter of every synthetic log.
fn origin() -> Address {
    Address::repeat_byte(0x42)
}

fn plain_hash(chain: u64, number: u64, index: usize) -> B256 {
    log_hash(origin(), msg_hash(chain, number, index))
}

fn block_hash(chain: u64, number: u64) -> B256 {
    keccak256([b"block".as_slice(), &chain.to_be_bytes(), &number.to_be_bytes()].concat())
}

/// Builds the index view of synthetic chains (blocks numbered from 0).
fn build(chains: &BTreeMap<u64, Chain>) -> IndexView {
    let mut view = IndexView::new(chains.keys().copied());
    for (&c, blocks) in chains {
        for (n, (ts, logs)) in blocks.iter().enumerate() {
            let n = n as u64;
            let mut executing = Vec::new();
            let log_hashes = logs.iter().enumerate().map(|(i, _)| plain_hash(c, n, i)).collect();
            for (i, log) in logs.iter().enumerate() {
                if let Log::Exec { chain, number, index, forged, wrong_ts } = log {
                    let target_ts =
                        chains.get(chain).and_then(|b| b.get(*number as usize)).map_or(*ts, |(t, _)| *t);
                    let hash = msg_hash(*chain, *number, *index as usize);
                    executing.push(IndexedExecMessage {
                        log_index: i as u32,
                        exec: ExecMessage {
                            msg_hash: if *forged { keccak256(hash) } else { hash },
                            identifier: MessageIdentifier {
                                origin: origin(),
                                chain_id: U256::from(*chain),
                                block_number: U256::from(*number),
                                log_index: U256::from(*index),
                                timestamp: U256::from(if *wrong_ts { target_ts + 1 } else { target_ts }),
                            },
                        },
                    });
                }
            }
            let block = BlockRef {
                hash: block_hash(c, n),
                number: n,
                parent_hash: n.checked_sub(1).map_or(B256::ZERO, |p| block_hash(c, p)),
                timestamp: *ts,
            };
            view.chain_mut(c).push(IndexedBlock { block, log_hashes, executing }).unwrap();
        }
    }
    view
}

fn rules(chains: impl IntoIterator<Item = u64>) -> DependencySet {
    DependencySet::new(chains.into_iter().map(U256::from)).unwrap().with_message_expiry_window(100).unwrap()
}

fn states_all_local(view: &IndexView) -> BTreeMap<u64, LevelState> {
    view.chain_ids()
        .map(|c| (c, LevelState { local: view.range(c).map(|(_, l)| l), ..Default::default() }))
        .collect()
}

/// Every chain's cross head.
type Heads = BTreeMap<u64, Option<u64>>;

/// The oracle: which blocks are good (promotable), computed over the whole log graph at once. A block is bad
/// when a message of it fails the static rules or points at a missing block, when a log of it lies on a cycle
/// of the graph (logs in order, blocks in order, initiating -> executing), or when it depends on a bad block
/// (its parent, or the block of a log it executes). Returns, per chain, the last block of the good prefix.
fn oracle(view: &IndexView, rules: &DependencySet) -> Heads {
    judge(view, rules).0
}

/// The oracle's whole judgement: the good prefix of every chain, and the blocks that are bad by themselves (a
/// message of theirs fails the static rules or a log of theirs lies on a cycle) rather than through a
/// dependency.
fn judge(view: &IndexView, rules: &DependencySet) -> (Heads, BTreeSet<(u64, u64)>) {
    // Nodes: every log and one seal per block (after its logs).
    let mut id: HashMap<(u64, u64, usize), usize> = HashMap::new();
    let mut blocks: Vec<(u64, u64)> = Vec::new();
    let mut node_block: Vec<usize> = Vec::new();
    for c in view.chain_ids() {
        for b in view.chain(c).unwrap().iter() {
            let bi = blocks.len();
            blocks.push((c, b.block.number));
            for i in 0..=b.log_hashes.len() {
                id.insert((c, b.block.number, i), node_block.len());
                node_block.push(bi);
            }
        }
    }
    let n = node_block.len();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut bad: BTreeSet<usize> = BTreeSet::new();
    // block index -> blocks it depends on
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); blocks.len()];
    for (bi, &(c, num)) in blocks.iter().enumerate() {
        let b = view.block(c, num).unwrap();
        let len = b.log_hashes.len();
        for i in 0..len {
            edges[id[&(c, num, i)]].push(id[&(c, num, i + 1)]);
        }
        if let Some(next) = id.get(&(c, num + 1, 0)) {
            edges[id[&(c, num, len)]].push(*next);
        }
        if num > 0
            && let Some(&p) = id.get(&(c, num - 1, 0))
        {
            deps[bi].push(node_block[p]);
        }
        for e in &b.executing {
            let parent_ts = num.checked_sub(1).and_then(|p| view.block(c, p)).map(|p| p.block.timestamp);
            match judge_message(view, rules, c, b.block.timestamp, parent_ts, e) {
                MessageVerdict::Found(src) => {
                    let from = id[&(src.chain, src.number, src.log_index as usize)];
                    edges[from].push(id[&(c, num, e.log_index as usize)]);
                    deps[bi].push(node_block[from]);
                }
                _ => {
                    bad.insert(bi);
                }
            }
        }
    }
    // Nodes on a cycle: v such that v reaches itself.
    for v in 0..n {
        let mut seen = vec![false; n];
        let mut stack = edges[v].clone();
        while let Some(w) = stack.pop() {
            if w == v {
                bad.insert(node_block[v]);
                break;
            }
            if !seen[w] {
                seen[w] = true;
                stack.extend(edges[w].iter().copied());
            }
        }
    }
    let roots: BTreeSet<(u64, u64)> = bad.iter().map(|&bi| blocks[bi]).collect();
    loop {
        let before = bad.len();
        for (bi, block_deps) in deps.iter().enumerate() {
            if block_deps.iter().any(|d| bad.contains(d)) {
                bad.insert(bi);
            }
        }
        if bad.len() == before {
            break;
        }
    }
    let heads = view
        .chain_ids()
        .map(|c| {
            let mut head = None;
            for b in view.chain(c).unwrap().iter() {
                let bi = blocks.iter().position(|x| *x == (c, b.block.number)).unwrap();
                if bad.contains(&bi) {
                    break;
                }
                head = Some(b.block.number);
            }
            (c, head)
        })
        .collect();
    (heads, roots)
}

fn heads(states: &BTreeMap<u64, LevelState>) -> BTreeMap<u64, Option<u64>> {
    states.iter().map(|(c, s)| (*c, s.cross)).collect()
}

fn exec(chain: u64, number: u64, index: u32) -> Log {
    Log::Exec { chain, number, index, forged: false, wrong_ts: false }
}

fn two_chains(a: Chain, b: Chain) -> BTreeMap<u64, Chain> {
    BTreeMap::from([(1, a), (2, b)])
}

#[test]
fn a_valid_message_from_an_older_block_is_promoted() {
    let chains =
        two_chains(vec![(10, vec![Log::Plain]), (12, vec![])], vec![(10, vec![]), (12, vec![exec(1, 0, 0)])]);
    let view = build(&chains);
    let mut states = states_all_local(&view);
    advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(heads(&states), BTreeMap::from([(1, Some(1)), (2, Some(1))]));
}

#[test]
fn a_forged_payload_makes_the_block_invalid_and_stops_its_chain() {
    let forged = Log::Exec { chain: 1, number: 0, index: 0, forged: true, wrong_ts: false };
    let chains =
        two_chains(vec![(10, vec![Log::Plain])], vec![(10, vec![]), (12, vec![forged]), (14, vec![])]);
    let view = build(&chains);
    let mut states = states_all_local(&view);
    let events = advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(states[&2].cross, Some(0));
    assert!(matches!(states[&2].blocked, Some(Blocked::Invalid { number: 1, .. })));
    assert!(events.iter().any(|e| matches!(e, SafetyEvent::Invalid { chain: 2, number: 1, .. })));
}

/// Chain 1 block 1 (timestamp 14) executes log `index` of chain 2 block 1 (timestamp 12), which holds a plain
/// log (a deposit's, say) and then a forged executing message.
fn dependent_of_an_invalid_block(index: u32) -> BTreeMap<u64, Chain> {
    let forged = Log::Exec { chain: 1, number: 0, index: 0, forged: true, wrong_ts: false };
    two_chains(
        vec![(10, vec![Log::Plain]), (14, vec![exec(2, 1, index)])],
        vec![(10, vec![]), (12, vec![Log::Plain, forged])],
    )
}

/// Chain 2 block 1 replaced by a deposits-only block that keeps only its first log.
fn replaced(mut chains: BTreeMap<u64, Chain>) -> BTreeMap<u64, Chain> {
    if let Some(block) = chains.get_mut(&2).and_then(|c| c.get_mut(1)) {
        block.1.truncate(1);
    }
    chains
}

#[test]
fn a_block_executing_a_log_of_an_invalid_block_waits_for_its_replacement() {
    let view = build(&dependent_of_an_invalid_block(0));
    let mut states = states_all_local(&view);
    let events = advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(heads(&states), BTreeMap::from([(1, Some(0)), (2, Some(0))]));
    assert!(matches!(states[&2].blocked, Some(Blocked::Invalid { number: 1, .. })));
    assert!(
        matches!(&states[&1].blocked, Some(Blocked::Waiting { number: 1, reason }) if reason.contains("replacement")),
        "{:?}",
        states[&1].blocked
    );
    let invalid: Vec<_> = events.iter().filter(|e| matches!(e, SafetyEvent::Invalid { .. })).collect();
    assert_eq!(invalid.len(), 1, "only the block with the forged message is invalid: {events:?}");
}

#[test]
fn a_log_that_survives_the_replacement_keeps_its_dependent_valid() {
    let mut states = states_all_local(&build(&dependent_of_an_invalid_block(0)));
    advance(&build(&dependent_of_an_invalid_block(0)), &rules([1, 2]), &mut states);
    // The sequencer replaces chain 2 block 1: the index drops it and takes the deposits-only block.
    let view = build(&replaced(dependent_of_an_invalid_block(0)));
    demote_from(&view, &mut states, 2, 1);
    states.get_mut(&2).unwrap().local = Some(1);
    let events = advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(heads(&states), BTreeMap::from([(1, Some(1)), (2, Some(1))]));
    assert!(!events.iter().any(|e| matches!(e, SafetyEvent::Invalid { .. })), "{events:?}");
}

#[test]
fn a_log_the_replacement_removes_makes_its_dependent_invalid_then() {
    let chains = dependent_of_an_invalid_block(1);
    let mut states = states_all_local(&build(&chains));
    advance(&build(&chains), &rules([1, 2]), &mut states);
    assert!(matches!(states[&1].blocked, Some(Blocked::Waiting { number: 1, .. })));
    let view = build(&replaced(chains));
    demote_from(&view, &mut states, 2, 1);
    states.get_mut(&2).unwrap().local = Some(1);
    let events = advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(heads(&states), BTreeMap::from([(1, Some(0)), (2, Some(1))]));
    assert!(matches!(states[&1].blocked, Some(Blocked::Invalid { number: 1, .. })));
    assert!(events.iter().any(|e| matches!(e, SafetyEvent::Invalid { chain: 1, number: 1, .. })));
}

#[test]
fn a_block_that_breaks_a_rule_is_invalid_even_while_it_waits_for_another_source() {
    let forged = Log::Exec { chain: 1, number: 0, index: 0, forged: true, wrong_ts: false };
    // Chain 2 block 1 executes chain 1 block 1 (not yet at the level) and a forged message.
    let chains = two_chains(
        vec![(10, vec![Log::Plain]), (12, vec![Log::Plain])],
        vec![(10, vec![]), (14, vec![exec(1, 1, 0), forged])],
    );
    let view = build(&chains);
    let mut states = states_all_local(&view);
    states.get_mut(&1).unwrap().local = Some(0);
    advance(&view, &rules([1, 2]), &mut states);
    assert!(
        matches!(states[&2].blocked, Some(Blocked::Invalid { number: 1, .. })),
        "{:?}",
        states[&2].blocked
    );
}

#[test]
fn mutual_same_timestamp_messages_without_a_cycle_are_promoted_together() {
    // Chain 1 block 0: log0 plain, log1 executes chain 2 log0. Chain 2 block 0: log0 plain, log1 executes chain 1 log0.
    let chains =
        two_chains(vec![(10, vec![Log::Plain, exec(2, 0, 0)])], vec![(10, vec![Log::Plain, exec(1, 0, 0)])]);
    let view = build(&chains);
    let mut states = states_all_local(&view);
    advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(heads(&states), BTreeMap::from([(1, Some(0)), (2, Some(0))]));
}

#[test]
fn a_same_timestamp_cycle_invalidates_both_blocks() {
    // Chain 1 log0 executes chain 2 log1; chain 2 log0 executes chain 1 log1: 1.0 <- 2.1 <- 2.0 <- 1.1 <- 1.0.
    let chains =
        two_chains(vec![(10, vec![exec(2, 0, 1), Log::Plain])], vec![(10, vec![exec(1, 0, 1), Log::Plain])]);
    let view = build(&chains);
    let mut states = states_all_local(&view);
    advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(heads(&states), BTreeMap::from([(1, None), (2, None)]));
    assert!(matches!(states[&1].blocked, Some(Blocked::Invalid { .. })), "{:?}", states[&1].blocked);
    assert!(matches!(states[&2].blocked, Some(Blocked::Invalid { .. })));
}

#[test]
fn a_block_reached_from_a_cycle_waits_while_the_blocks_on_it_are_invalid() {
    // Chains 1 and 2 form a cycle at timestamp 10 (as above); chain 3 block 0 executes chain 1 log 1, which lies
    // on the cycle, but nothing leads back from chain 3 to the cycle.
    let chains = BTreeMap::from([
        (1, vec![(10, vec![exec(2, 0, 1), Log::Plain])]),
        (2, vec![(10, vec![exec(1, 0, 1), Log::Plain])]),
        (3, vec![(10, vec![exec(1, 0, 1)])]),
    ]);
    let view = build(&chains);
    let mut states = states_all_local(&view);
    advance(&view, &rules([1, 2, 3]), &mut states);
    assert_eq!(heads(&states), BTreeMap::from([(1, None), (2, None), (3, None)]));
    assert!(matches!(states[&1].blocked, Some(Blocked::Invalid { .. })));
    assert!(matches!(states[&2].blocked, Some(Blocked::Invalid { .. })));
    assert!(matches!(states[&3].blocked, Some(Blocked::Waiting { .. })), "{:?}", states[&3].blocked);
}

#[test]
fn executing_a_later_log_of_the_same_block_is_a_cycle() {
    let chains = two_chains(vec![(10, vec![exec(1, 0, 1), Log::Plain])], vec![(10, vec![])]);
    let view = build(&chains);
    let mut states = states_all_local(&view);
    advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(states[&1].cross, None);
    assert_eq!(states[&2].cross, Some(0));
}

#[test]
fn executing_an_earlier_log_of_the_same_block_is_valid() {
    let chains = two_chains(vec![(10, vec![Log::Plain, exec(1, 0, 0)])], vec![(10, vec![])]);
    let view = build(&chains);
    let mut states = states_all_local(&view);
    advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(states[&1].cross, Some(0));
}

#[test]
fn a_message_from_a_chain_outside_the_dependency_set_is_invalid() {
    let chains = two_chains(vec![(10, vec![Log::Plain])], vec![(12, vec![exec(1, 0, 0)])]);
    let view = build(&chains);
    let mut states: BTreeMap<u64, LevelState> = states_all_local(&view);
    advance(&view, &rules([2]), &mut states.split_off(&2));
    let mut only_two = BTreeMap::from([(2, states_all_local(&view)[&2].clone())]);
    advance(&view, &rules([2]), &mut only_two);
    assert!(matches!(only_two[&2].blocked, Some(Blocked::Invalid { number: 0, .. })));
}

#[test]
fn an_expired_message_is_invalid() {
    let chains = two_chains(vec![(10, vec![Log::Plain])], vec![(10, vec![]), (200, vec![exec(1, 0, 0)])]);
    let view = build(&chains);
    let mut states = states_all_local(&view);
    advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(states[&2].cross, Some(0));
    assert!(matches!(states[&2].blocked, Some(Blocked::Invalid { number: 1, .. })));
}

#[test]
fn a_block_waits_for_its_source_block_to_reach_the_level() {
    let chains = two_chains(vec![(10, vec![Log::Plain])], vec![(12, vec![exec(1, 0, 0)])]);
    let view = build(&chains);
    let mut states = states_all_local(&view);
    states.get_mut(&1).unwrap().local = None;
    advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(states[&2].cross, None);
    assert!(matches!(states[&2].blocked, Some(Blocked::Waiting { .. })));
    states.get_mut(&1).unwrap().local = Some(0);
    advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(heads(&states), BTreeMap::from([(1, Some(0)), (2, Some(0))]));
}

#[test]
fn a_rewind_of_the_source_chain_demotes_the_dependent_block() {
    let chains = two_chains(
        vec![(10, vec![]), (12, vec![Log::Plain])],
        vec![(10, vec![]), (14, vec![exec(1, 1, 0)]), (16, vec![])],
    );
    let mut view = build(&chains);
    let mut states = states_all_local(&view);
    advance(&view, &rules([1, 2]), &mut states);
    assert_eq!(heads(&states), BTreeMap::from([(1, Some(1)), (2, Some(2))]));
    view.chain_mut(1).truncate_after(0);
    let events = demote_from(&view, &mut states, 1, 1);
    assert_eq!(heads(&states), BTreeMap::from([(1, Some(0)), (2, Some(0))]));
    assert!(events.contains(&SafetyEvent::Demoted { chain: 2, from: 2, to: Some(0) }));
}

/// A random set of chains: per chain a block time, per block a few logs, some executing random targets
/// (possibly missing, forged, with a wrong timestamp, or forming cycles).
fn arb_chains() -> impl Strategy<Value = BTreeMap<u64, Chain>> {
    let log = prop_oneof![
        3 => Just(None),
        2 => (1u64..=3, 0u64..6, 0u32..3, prop::bool::weighted(0.05), prop::bool::weighted(0.05))
            .prop_map(Some),
    ];
    let block = prop::collection::vec(log, 0..4);
    let chain = (1u64..=2, prop::collection::vec(block, 1..6));
    prop::collection::vec(chain, 3).prop_map(|chains| {
        chains
            .into_iter()
            .enumerate()
            .map(|(i, (step, blocks))| {
                let blocks = blocks
                    .into_iter()
                    .enumerate()
                    .map(|(n, logs)| {
                        let logs = logs
                            .into_iter()
                            .map(|l| match l {
                                None => Log::Plain,
                                Some((chain, number, index, forged, wrong_ts)) => {
                                    Log::Exec { chain, number, index, forged, wrong_ts }
                                }
                            })
                            .collect();
                        (100 + n as u64 * step, logs)
                    })
                    .collect();
                (i as u64 + 1, blocks)
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Every chain's cross head is exactly the end of the oracle's good prefix: no block with an invalid
    /// dependency (direct or transitive, cycles included) is promoted, and every valid block is.
    #[test]
    fn the_engine_promotes_exactly_the_valid_prefix(chains in arb_chains()) {
        let view = build(&chains);
        let rules = rules([1, 2, 3]);
        let mut states = states_all_local(&view);
        advance(&view, &rules, &mut states);
        prop_assert_eq!(heads(&states), oracle(&view, &rules));
    }

    /// Only a block that breaks a rule itself is declared invalid; a block that is bad only through a
    /// dependency waits for that dependency's replacement.
    #[test]
    fn only_blocks_that_break_a_rule_themselves_are_invalid(chains in arb_chains()) {
        let view = build(&chains);
        let rules = rules([1, 2, 3]);
        let mut states = states_all_local(&view);
        let events = advance(&view, &rules, &mut states);
        let (_, roots) = judge(&view, &rules);
        for (chain, state) in &states {
            if let Some(number) = state.invalid_from() {
                prop_assert!(roots.contains(&(*chain, number)), "chain {chain} block {number} declared invalid");
            }
        }
        for event in events {
            if let SafetyEvent::Invalid { chain, number, .. } = event {
                prop_assert!(roots.contains(&(chain, number)), "chain {chain} block {number} reported invalid");
            }
        }
    }

    /// Promoting block by block as the local heads grow ends where promoting everything at once does.
    #[test]
    fn incremental_local_heads_reach_the_same_heads(chains in arb_chains(), order in prop::collection::vec(1u64..=3, 0..20)) {
        let view = build(&chains);
        let rules = rules([1, 2, 3]);
        let mut states: BTreeMap<u64, LevelState> =
            view.chain_ids().map(|c| (c, LevelState::default())).collect();
        for c in order {
            let last = view.range(c).map(|(_, l)| l);
            let s = states.get_mut(&c).unwrap();
            s.local = match s.local { None => Some(0), Some(l) => Some((l + 1).min(last.unwrap_or(0))) };
            advance(&view, &rules, &mut states);
            for (chain, head) in oracle(&view, &rules) {
                prop_assert!(states[&chain].cross <= head, "chain {chain} promoted past the valid prefix");
            }
        }
        for s in states.values_mut() { s.local = Some(u64::MAX); }
        advance(&view, &rules, &mut states);
        prop_assert_eq!(heads(&states), oracle(&view, &rules));
    }

    /// After a rewind of one chain, no cross head keeps a block that depends on a removed block, and
    /// advancing again reaches the oracle's heads for the shortened chain.
    #[test]
    fn a_rewind_demotes_every_dependent_block(chains in arb_chains(), chain in 1u64..=3, keep in 0u64..6) {
        let mut view = build(&chains);
        let rules = rules([1, 2, 3]);
        let mut states = states_all_local(&view);
        advance(&view, &rules, &mut states);
        let keep = keep.min(view.range(chain).map_or(0, |(_, last)| last));
        let first_removed = view.block(chain, keep).map_or(0, |b| b.block.number + 1);
        view.chain_mut(chain).truncate_after(keep);
        demote_from(&view, &mut states, chain, first_removed);
        let expected = oracle(&view, &rules);
        for (c, head) in &expected {
            prop_assert!(states[c].cross <= *head, "chain {c} kept a block depending on a removed block");
        }
        advance(&view, &rules, &mut states);
        prop_assert_eq!(heads(&states), expected);
    }
}

#[test]
fn a_message_read_from_a_source_block_not_yet_at_the_level_waits_before_it_is_invalid() {
    // Chain 2 block 1 executes log 5 of chain 1 block 1, which has one log only.
    let missing = Log::Exec { chain: 1, number: 1, index: 5, forged: false, wrong_ts: false };
    let chains = two_chains(
        vec![(10, vec![Log::Plain]), (12, vec![Log::Plain])],
        vec![(10, vec![]), (14, vec![missing])],
    );
    let view = build(&chains);
    let mut states = states_all_local(&view);
    // Chain 1 block 1 is indexed but not local at this level (unsafe, at the safe level): it may still change.
    states.get_mut(&1).unwrap().local = Some(0);
    advance(&view, &rules([1, 2]), &mut states);
    assert!(
        matches!(states[&2].blocked, Some(Blocked::Waiting { number: 1, .. })),
        "{:?}",
        states[&2].blocked
    );
    // Once it is, the missing log is final: the executing block is invalid.
    states.get_mut(&1).unwrap().local = Some(1);
    advance(&view, &rules([1, 2]), &mut states);
    assert!(
        matches!(states[&2].blocked, Some(Blocked::Invalid { number: 1, .. })),
        "{:?}",
        states[&2].blocked
    );
}
