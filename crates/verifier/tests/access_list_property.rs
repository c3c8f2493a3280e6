//! The tx-pool's check and the safety engine agree: whatever `check_access_list` accepts at cross-unsafe for
//! the next block of a chain, the safety engine accepts once a transaction executing those messages is
//! included in that block. Checked over random message graphs with random interop activation times, expiry
//! windows and timeouts.

#![allow(clippy::unwrap_used)]

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use proptest::prelude::*;
use superlink_protocol::{
    ChainDependency, DependencySet, ExecutingMessage, Identifier, SafetyLevel, access_list_keys,
    payload_hash, predeploys::CROSS_L2_INBOX,
};
use superlink_verifier::{
    BlockRef, ExecutingDescriptor, SourceBlock, SourceLog, VerifierState, check_access_list, index_block,
};

const CHAINS: [u64; 3] = [1, 2, 3];

/// A log of a generated block: a plain log of an emitter, or an executing message pointing at
/// `(chain, block, log)` (possibly missing), with a forged payload hash when `forged`.
#[derive(Debug, Clone)]
enum GenLog {
    Plain(u8),
    Exec { chain: usize, number: usize, index: usize, forged: bool },
}

/// One chain: its activation time, the seconds between its blocks, and its blocks' logs.
#[derive(Debug, Clone)]
struct GenChain {
    activation_time: u64,
    block_time: u64,
    blocks: Vec<Vec<GenLog>>,
}

/// One claim of the access list under test: a log of the generated chains (block and log picked modulo what
/// the chain has), possibly misdeclared.
#[derive(Debug, Clone)]
struct GenClaim {
    chain: usize,
    number: usize,
    index: usize,
    forged: bool,
    wrong_timestamp: bool,
}

fn emitter(tag: u8) -> Address {
    Address::repeat_byte(0x40 | (tag & 0x0f))
}

fn block_hash(chain: u64, number: u64) -> B256 {
    keccak256([chain.to_be_bytes(), number.to_be_bytes()].concat())
}

fn timestamp(chain: &GenChain, number: usize) -> u64 {
    100 + number as u64 * chain.block_time
}

/// The identifier and msgHash of log `index` of block `number` of chain `chain`, from the built blocks.
fn message_of(
    built: &[Vec<SourceBlock>],
    chain: usize,
    number: usize,
    index: usize,
) -> Option<(Identifier, B256)> {
    let block = built.get(chain)?.get(number)?;
    let log = block.logs.get(index)?;
    let id = Identifier {
        origin: log.address,
        block_number: number as u64,
        log_index: index as u32,
        timestamp: block.block.timestamp,
        chain_id: U256::from(CHAINS[chain]),
    };
    Some((id, payload_hash(&log.topics, &log.data)))
}

/// The log executing `message`.
fn executing_log((identifier, msg_hash): (Identifier, B256)) -> SourceLog {
    let (topics, data) = ExecutingMessage { identifier, msg_hash }.encode_log();
    SourceLog { address: CROSS_L2_INBOX, topics, data }
}

/// Builds every chain's blocks; an executing log points at an earlier built log when it can, else at a made-up
/// position (a missing or future log).
fn build(chains: &[GenChain]) -> Vec<Vec<SourceBlock>> {
    let mut built: Vec<Vec<SourceBlock>> = vec![Vec::new(); chains.len()];
    let longest = chains.iter().map(|c| c.blocks.len()).max().unwrap_or(0);
    // Blocks are built in rounds so that a log may point at blocks of other chains built before it.
    for number in 0..longest {
        for (c, chain) in chains.iter().enumerate() {
            let Some(logs) = chain.blocks.get(number) else { continue };
            let ts = timestamp(chain, number);
            let logs = logs
                .iter()
                .enumerate()
                .map(|(i, log)| match log {
                    GenLog::Plain(tag) => SourceLog {
                        address: emitter(*tag),
                        topics: vec![],
                        data: Bytes::from(vec![c as u8, number as u8, i as u8, *tag]),
                    },
                    GenLog::Exec { chain, number: target, index, forged } => {
                        let (id, hash) = message_of(&built, *chain, *target, *index).unwrap_or_else(|| {
                            let id = Identifier {
                                origin: emitter(0),
                                block_number: *target as u64,
                                log_index: *index as u32,
                                timestamp: ts,
                                chain_id: U256::from(CHAINS[*chain]),
                            };
                            (id, keccak256(b"missing"))
                        });
                        executing_log((id, if *forged { keccak256(hash) } else { hash }))
                    }
                })
                .collect();
            let chain_id = CHAINS[c];
            let n = number as u64;
            let block = BlockRef {
                hash: block_hash(chain_id, n),
                number: n,
                parent_hash: n.checked_sub(1).map_or(B256::ZERO, |p| block_hash(chain_id, p)),
                timestamp: ts,
            };
            built[c].push(SourceBlock { block, logs });
        }
    }
    built
}

fn state_of(chains: &[GenChain], built: &[Vec<SourceBlock>], window: u64) -> VerifierState {
    let mut deps = DependencySet::default();
    for (c, chain) in chains.iter().enumerate() {
        let dependency = ChainDependency { activation_time: chain.activation_time, ..Default::default() };
        deps.insert(U256::from(CHAINS[c]), dependency).unwrap();
    }
    let deps = deps.with_message_expiry_window(window).unwrap();
    let mut state = VerifierState::new(deps).unwrap();
    for (c, blocks) in built.iter().enumerate() {
        for block in blocks {
            state.append(CHAINS[c], index_block(block).0).unwrap();
        }
    }
    state.resolve();
    state
}

fn arb_chain() -> impl Strategy<Value = GenChain> {
    let log = prop_oneof![
        5 => any::<u8>().prop_map(GenLog::Plain),
        1 => (0usize..3, 0usize..6, 0usize..3, prop::bool::weighted(0.05))
            .prop_map(|(chain, number, index, forged)| GenLog::Exec { chain, number, index, forged }),
    ];
    let activation = prop_oneof![3 => Just(0u64), 2 => 95u64..112];
    (activation, 1u64..=2, prop::collection::vec(prop::collection::vec(log, 0..4), 1..7))
        .prop_map(|(activation_time, block_time, blocks)| GenChain { activation_time, block_time, blocks })
}

fn arb_claim() -> impl Strategy<Value = GenClaim> {
    (0usize..3, any::<usize>(), any::<usize>(), prop::bool::weighted(0.1), prop::bool::weighted(0.1))
        .prop_map(|(chain, number, index, forged, wrong_timestamp)| GenClaim {
            chain,
            number,
            index,
            forged,
            wrong_timestamp,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn what_the_pool_accepts_for_the_next_block_the_engine_accepts_in_it(
        chains in prop::collection::vec(arb_chain(), 3),
        executing in 0usize..3,
        claims in prop::collection::vec(arb_claim(), 1..4),
        gap in 1u64..=3,
        timeout in prop::option::of(0u64..8),
        window in 4u64..30,
    ) {
        let built = build(&chains);
        let state = state_of(&chains, &built, window);
        let d = CHAINS[executing];
        let heads = state.heads(d).unwrap();
        let latest = heads.local_unsafe.unwrap();
        // Only a chain whose every block is cross-unsafe can promote its next block at all.
        if heads.cross_unsafe != Some(latest) {
            return Ok(());
        }

        let mut messages = Vec::new();
        for claim in &claims {
            let blocks = &built[claim.chain];
            let number = claim.number % blocks.len();
            let logs = blocks[number].logs.len();
            if logs == 0 {
                continue;
            }
            let Some((mut id, mut msg_hash)) = message_of(&built, claim.chain, number, claim.index % logs) else {
                continue;
            };
            if claim.forged {
                msg_hash = keccak256(msg_hash);
            }
            if claim.wrong_timestamp {
                id.timestamp += 1;
            }
            messages.push((id, msg_hash));
        }
        if messages.is_empty() {
            return Ok(());
        }
        let keys: Vec<B256> = messages.iter().flat_map(|(id, hash)| access_list_keys(id, *hash)).collect();
        let next_timestamp = latest.timestamp + gap;
        let descriptor = ExecutingDescriptor { timestamp: next_timestamp, timeout, chain_id: U256::from(d) };
        let verdict = check_access_list(&state, &keys, SafetyLevel::CrossUnsafe, descriptor);
        if verdict.is_err() {
            return Ok(());
        }

        // The transaction lands in the next block of D at that timestamp.
        let next = BlockRef {
            hash: block_hash(d, latest.number + 1),
            number: latest.number + 1,
            parent_hash: latest.hash,
            timestamp: next_timestamp,
        };
        let logs = messages.iter().map(|m| executing_log(*m)).collect();
        let mut after = state.clone();
        after.append(d, index_block(&SourceBlock { block: next, logs }).0).unwrap();
        after.resolve();
        prop_assert_eq!(
            after.heads(d).unwrap().cross_unsafe,
            Some(next),
            "accepted {:?} for chain {} at {}, but the block was not promoted: {:?}",
            messages, d, next_timestamp, after.invalid_blocks()
        );
    }
}
