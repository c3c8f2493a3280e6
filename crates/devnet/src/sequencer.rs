//! The devnet's sequencer: on the node's block loop, every L2 block time it builds the next block of every L2
//! at the round's shared timestamp (so same-timestamp blocks really are simultaneous), and every L1 block time
//! an L1 block. Before each round of L2 blocks, the L1 blocks built since (by the sequencer or by hand) become
//! the L1 origin of the L2s, and the deposits their portal logs hold are queued on their L2s (they open the L2's
//! next block, right after the L1 attributes).

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex, PoisonError},
};

use alloy_primitives::B256;

use superlink_chain::{ChainError, L1Attributes, StoredBlock};
use superlink_node::{BlockSchedule, ChainService, run_block_loop};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::{
    accounts::{batcher, batcher_hash},
    admission::NextBlockTime,
    deposits::{DepositPortals, scan_l1_block},
};

/// One chain the sequencer builds blocks on.
#[derive(Debug, Clone)]
pub struct SequencedChain {
    /// The chain's ID (for logs).
    pub chain_id: u64,
    /// The running chain.
    pub service: Arc<ChainService>,
    /// The timestamp of its next block, as the pool's admission check sees it.
    pub next_block: NextBlockTime,
}

/// The timestamp of a chain's block in the sequencer's round at `scheduled`, whose slot runs until the next round
/// (`block_time` later): `scheduled` while the chain's head is older; none when the head is already in the slot
/// (a block mined by hand with `evm_mine`), so the chain keeps in step with the others; one second after the
/// head when the head is past the slot (its time was moved ahead with `evm_increaseTime` or a timestamp).
pub fn block_timestamp(scheduled: u64, block_time: u64, head_timestamp: u64) -> Option<u64> {
    if head_timestamp < scheduled {
        Some(scheduled)
    } else if head_timestamp < scheduled.saturating_add(block_time) {
        None
    } else {
        Some(head_timestamp.saturating_add(1))
    }
}

/// Builds the block of `chain` for the round at `scheduled` (see [`block_timestamp`]) and publishes it; `None`
/// when the chain already has a block in this round's slot. While the chain is locked, the next block time moves
/// one `block_time` ahead first, so the revalidation that follows the block checks the pooled transactions at
/// the timestamp they can next be included at.
pub fn build_block(
    chain: &SequencedChain,
    scheduled: u64,
    block_time: u64,
) -> Result<Option<Arc<StoredBlock>>, ChainError> {
    let (block, excluded, dropped) = {
        let mut guard = chain.service.write();
        let head = guard.head();
        let Some(timestamp) = block_timestamp(scheduled, block_time, head.timestamp()) else {
            chain.next_block.set(scheduled.saturating_add(block_time));
            debug!(
                chain_id = chain.chain_id,
                number = head.number(),
                timestamp = head.timestamp(),
                "the head mined by hand already fills this round's slot"
            );
            return Ok(None);
        };
        let previous = chain.next_block.get();
        chain.next_block.set(timestamp.saturating_add(block_time));
        match guard.mine(timestamp) {
            Ok(mined) => (mined.block, mined.excluded, mined.dropped),
            Err(e) => {
                chain.next_block.set(previous);
                return Err(e);
            }
        }
    };
    for (tx, why) in &excluded {
        debug!(chain_id = chain.chain_id, tx = %tx, number = block.number(), reason = ?why,
            "pooled transaction left out of the block");
    }
    for dropped in &dropped {
        info!(chain_id = chain.chain_id, tx = %dropped.tx.hash(), reason = %dropped.reason,
            "pooled transaction dropped");
    }
    chain.service.publish_block(&block);
    Ok(Some(block))
}

/// The `safe` and `finalized` labels of an L2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    /// The block labelled safe.
    pub safe: u64,
    /// The block labelled finalized.
    pub finalized: u64,
}

/// The labels of an L2 after an L1 block, in the devnet's simplified derivation: every L1 block carries the
/// batch of all L2 blocks built so far, so the L2's head becomes safe, and the blocks that were safe at the
/// previous L1 block become finalized (the devnet does not wait for L1 finality).
pub fn advance_labels(head: u64, safe: u64) -> Labels {
    Labels { safe: head, finalized: safe.min(head) }
}

/// The block times and the first timestamp of the sequencer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The genesis timestamp shared by every chain.
    pub genesis_timestamp: u64,
    /// Seconds between L1 blocks.
    pub l1_block_time: u64,
    /// Seconds between L2 blocks.
    pub l2_block_time: u64,
}

/// Makes the L1 block `block` the L1 origin of `l2s`, queues on each L2 the deposits its portal emitted in that
/// block (logging each, and each portal log that is not a deposit), and labels the L2s' safe and finalized
/// blocks.
pub fn adopt_l1_block(block: &StoredBlock, l2s: &[SequencedChain], portals: &DepositPortals) {
    let origin = L1Attributes {
        number: block.number(),
        timestamp: block.timestamp(),
        hash: block.hash(),
        ..L1Attributes::default()
    };
    queue_deposits(block, l2s, portals);
    for chain in l2s {
        let batcher_hash = batcher_hash(batcher(chain.chain_id).address());
        let mut guard = chain.service.write();
        guard.set_l1_origin(L1Attributes { batcher_hash, ..origin });
        let labels = advance_labels(guard.head_number(), guard.safe_number());
        if let Err(e) = guard.set_safe(labels.safe).and_then(|()| guard.set_finalized(labels.finalized)) {
            warn!(chain_id = chain.chain_id, error = %e, "labelling safe and finalized blocks failed");
        }
    }
}

/// Queues on their L2s the deposits that the portals' logs in L1 `block` ask for; logs and skips portal logs that
/// are not deposits.
pub fn queue_deposits(block: &StoredBlock, l2s: &[SequencedChain], portals: &DepositPortals) {
    let scan = scan_l1_block(block, portals);
    for skipped in &scan.skipped {
        warn!(l2_chain_id = skipped.l2_chain_id, l1_block = block.number(), l1_log_index = skipped.l1_log_index,
            error = %skipped.error, "portal log skipped: not a deposit");
    }
    for chain in l2s {
        let mut deposits = scan.deposits.iter().filter(|d| d.l2_chain_id == chain.chain_id).peekable();
        if deposits.peek().is_none() {
            continue;
        }
        let mut guard = chain.service.write();
        for deposit in deposits {
            let tx = &deposit.tx;
            let to = tx.to.to().map_or_else(|| "creation".to_string(), ToString::to_string);
            info!(chain_id = chain.chain_id, l1_block = block.number(), l1_log_index = deposit.l1_log_index,
                from = %tx.from, to, mint = tx.mint, value = %tx.value, gas_limit = tx.gas_limit,
                source_hash = %tx.source_hash, tx = %tx.tx_hash(), "deposit queued");
            guard.queue_deposit(tx.clone());
        }
    }
}

/// Which L1 blocks the L2s have adopted, to find the ones they have not: the sequencer's own blocks and any mined by
/// hand (`evm_mine`) since, and after the L1 was rewound (`evm_revert`) the blocks of its new branch.
#[derive(Debug, Default)]
pub struct L1Adoption {
    /// (number, hash) of the recently adopted L1 blocks, oldest first.
    recent: VecDeque<(u64, B256)>,
}

/// Adopted L1 blocks remembered to find where a rewound L1 forked.
const ADOPTED_KEPT: usize = 256;

impl L1Adoption {
    /// The L1 blocks not adopted yet, oldest first, now counted as adopted. Deposits of L1 blocks that a rewind
    /// removed stay on the L2s (an L2 cannot take them back); the new branch's blocks are adopted like any other.
    pub fn new_blocks(&mut self, l1: &SequencedChain) -> Vec<Arc<StoredBlock>> {
        let guard = l1.service.read();
        let head = guard.head_number();
        // The newest adopted block still on the L1 (genesis holds no deposits and counts as adopted).
        while let Some(&(number, hash)) = self.recent.back() {
            if guard.block_by_number(number).is_some_and(|b| b.hash() == hash) {
                break;
            }
            self.recent.pop_back();
        }
        let first = self.recent.back().map_or(1, |(number, _)| number + 1);
        let blocks: Vec<Arc<StoredBlock>> = (first..=head).filter_map(|n| guard.block_by_number(n)).collect();
        for block in &blocks {
            self.recent.push_back((block.number(), block.hash()));
        }
        while self.recent.len() > ADOPTED_KEPT {
            self.recent.pop_front();
        }
        blocks
    }
}

/// Runs the sequencer until `shutdown` turns true: on one block loop, L2 blocks every `l2_block_time` at one
/// shared timestamp; on another, L1 blocks every `l1_block_time`. Before each round of L2 blocks, the L1 blocks
/// built since the last round are adopted ([`queue_deposits`] for each, [`adopt_l1_block`] for the newest), so
/// a deposit reaches its L2 in the first L2 block after the L1 block that holds it, whoever mined that L1 block.
pub async fn run_sequencer(
    l1: SequencedChain,
    l2s: Vec<SequencedChain>,
    schedule: Schedule,
    shutdown: watch::Receiver<bool>,
) {
    let portals = DepositPortals::new(l2s.iter().map(|c| c.chain_id));
    let adoption = Mutex::new(L1Adoption::default());
    let l2_block_time = schedule.l2_block_time;
    let l1_origin = l1.clone();
    let l2_rounds = run_block_loop(
        BlockSchedule { start: schedule.genesis_timestamp, block_time: l2_block_time },
        shutdown.clone(),
        move |scheduled| {
            // The L1 blocks since the last L2 block, the sequencer's and any mined by hand (`evm_mine`), become
            // the L2s' origin and bring their deposits: none is left behind.
            let blocks = adoption.lock().unwrap_or_else(PoisonError::into_inner).new_blocks(&l1_origin);
            if let Some((newest, older)) = blocks.split_last() {
                for block in older {
                    queue_deposits(block, &l2s, &portals);
                }
                adopt_l1_block(newest, &l2s, &portals);
            }
            for chain in &l2s {
                report(chain, build_block(chain, scheduled, l2_block_time));
            }
        },
    );
    let l1_block_time = schedule.l1_block_time;
    let l1_rounds = run_block_loop(
        BlockSchedule { start: schedule.genesis_timestamp, block_time: l1_block_time },
        shutdown,
        move |scheduled| report(&l1, build_block(&l1, scheduled, l1_block_time)),
    );
    tokio::join!(l2_rounds, l1_rounds);
}

fn report(chain: &SequencedChain, result: Result<Option<Arc<StoredBlock>>, ChainError>) {
    match result {
        Ok(None) => {}
        // Blocks with user transactions are news; the L1-attributes-only blocks of an idle chain are not.
        Ok(Some(block)) if block.transactions.iter().any(|tx| !tx.envelope.is_deposit()) => info!(
            chain_id = chain.chain_id,
            number = block.number(),
            timestamp = block.timestamp(),
            txs = block.transactions.len(),
            "block built"
        ),
        Ok(Some(block)) => debug!(
            chain_id = chain.chain_id,
            number = block.number(),
            timestamp = block.timestamp(),
            "empty block built"
        ),
        Err(e) => warn!(chain_id = chain.chain_id, error = %e, "building a block failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_consensus::TxEip1559;
    use alloy_eips::BlockId;
    use alloy_primitives::{Address, Bytes, TxKind, U256};
    use op_alloy_consensus::OpTypedTransaction;
    use superlink_chain::{Chain, ChainConfig, Genesis};
    use superlink_contracts::addresses::deposit_portal;
    use superlink_txpool::PoolTransaction;

    use crate::{
        deposits::user_deposit_source_hash,
        genesis::{l1_genesis, l2_genesis},
    };

    const ALICE: Address = Address::repeat_byte(0xa1);
    const GENESIS_TIME: u64 = 1_000;

    fn sequenced(genesis: &Genesis) -> SequencedChain {
        let chain = Chain::new(genesis, ChainConfig::default());
        let next_block = NextBlockTime::new(GENESIS_TIME + 1);
        SequencedChain {
            chain_id: genesis.chain_id,
            service: Arc::new(
                ChainService::new(chain).with_automine(false).with_time_source(next_block.time_source()),
            ),
            next_block,
        }
    }

    /// The block the sequencer builds on `chain` in the round at `scheduled`, which must build one.
    fn built(chain: &SequencedChain, scheduled: u64, block_time: u64) -> Arc<StoredBlock> {
        build_block(chain, scheduled, block_time).unwrap().expect("a block in this round")
    }

    /// Alice sends `value` wei without calldata to `to` on the L1.
    fn send_eth(l1: &SequencedChain, to: Address, value: u64) {
        send(l1, to, value, Bytes::new());
    }

    /// Alice calls `to` with `value` wei and `input` on the L1.
    fn send(l1: &SequencedChain, to: Address, value: u64, input: Bytes) {
        let mut guard = l1.service.write();
        guard.impersonate(ALICE);
        let tx = TxEip1559 {
            chain_id: l1.chain_id,
            nonce: guard.pending_nonce(ALICE),
            gas_limit: 200_000,
            max_fee_per_gas: 10_000_000_000,
            max_priority_fee_per_gas: 1,
            to: TxKind::Call(to),
            value: U256::from(value),
            input,
            ..TxEip1559::default()
        };
        let pooled = PoolTransaction::impersonated(OpTypedTransaction::Eip1559(tx), ALICE).unwrap();
        guard.submit_transaction(pooled).unwrap();
    }

    #[test]
    fn a_portal_deposit_of_an_l1_block_opens_the_next_block_of_its_l2_only() {
        let l1 = sequenced(&l1_genesis(900, GENESIS_TIME, &[901, 902], &[ALICE], 10));
        let l2s = [901, 902].map(|id| sequenced(&l2_genesis(id, GENESIS_TIME, &[ALICE], 10))).to_vec();
        let portals = DepositPortals::new([901, 902]);
        send_eth(&l1, deposit_portal(901), 1_234);
        let l1_block = built(&l1, GENESIS_TIME + 2, 2);
        adopt_l1_block(&l1_block, &l2s, &portals);

        let balance =
            |chain: &SequencedChain| chain.service.read().balance(ALICE, BlockId::latest()).unwrap();
        let before: Vec<U256> = l2s.iter().map(balance).collect();
        let blocks: Vec<_> = l2s.iter().map(|chain| built(chain, GENESIS_TIME + 2, 2)).collect();
        assert_eq!(balance(&l2s[0]), before[0] + U256::from(1_234));
        assert_eq!(balance(&l2s[1]), before[1]);
        assert_eq!(blocks[1].transactions.len(), 1, "902 gets only its L1 attributes");

        let deposit = &blocks[0].transactions[1];
        let Some(tx) = deposit.envelope.as_deposit() else { panic!("the second transaction is a deposit") };
        let (log_index, _, log) = l1_block.logs().next().unwrap();
        assert_eq!(log.address, deposit_portal(901));
        assert_eq!(tx.source_hash, user_deposit_source_hash(l1_block.hash(), log_index));
        assert_eq!(
            (tx.from, tx.to, tx.mint, tx.value),
            (ALICE, TxKind::Call(ALICE), 1_234, U256::from(1_234))
        );
        assert!(blocks[0].receipts[1].is_success());
        assert_eq!(blocks[0].attributes.as_ref().unwrap().l1.hash, l1_block.hash());
        // The ETH stays in the portal on the L1.
        assert_eq!(
            l1.service.read().balance(deposit_portal(901), BlockId::latest()).unwrap(),
            U256::from(1_234)
        );
        // Queued once: the next L2 block has no deposit left.
        let next = built(&l2s[0], GENESIS_TIME + 3, 1);
        assert_eq!(next.transactions.len(), 1);
    }

    #[test]
    fn an_l1_block_makes_the_head_safe_and_the_previous_safe_finalized() {
        assert_eq!(advance_labels(10, 4), Labels { safe: 10, finalized: 4 });
        let next = advance_labels(16, 10);
        assert_eq!(next, Labels { safe: 16, finalized: 10 });
        assert!(next.finalized <= next.safe);
    }

    #[test]
    fn the_schedule_wins_unless_the_head_already_fills_the_slot_or_is_past_it() {
        assert_eq!(block_timestamp(102, 2, 100), Some(102));
        assert_eq!(block_timestamp(102, 2, 101), Some(102));
        assert_eq!(block_timestamp(102, 2, 102), None);
        assert_eq!(block_timestamp(102, 2, 103), None);
        assert_eq!(block_timestamp(102, 2, 104), Some(105));
        assert_eq!(block_timestamp(102, 2, 110), Some(111));
    }

    #[test]
    fn a_chain_mined_by_hand_skips_the_round_its_block_fills_and_stays_in_step() {
        let l2s = [901, 902].map(|id| sequenced(&l2_genesis(id, GENESIS_TIME, &[ALICE], 10))).to_vec();
        for chain in &l2s {
            built(chain, GENESIS_TIME + 1, 1);
        }
        // `evm_mine` on 901 between two rounds: the block takes the time of the next round.
        let by_hand = l2s[0].service.mine_block().unwrap();
        assert_eq!(by_hand.timestamp(), GENESIS_TIME + 2);
        let round: Vec<_> =
            l2s.iter().map(|chain| build_block(chain, GENESIS_TIME + 2, 1).unwrap()).collect();
        assert!(round[0].is_none(), "901's hand-mined block fills the round at {}", by_hand.timestamp());
        assert_eq!(round[1].as_ref().map(|b| b.timestamp()), Some(by_hand.timestamp()));
        assert_eq!(
            l2s[0].next_block.get(),
            GENESIS_TIME + 3,
            "pooled transactions are checked for the next round"
        );
        // The next rounds build both chains at the same timestamps again.
        for scheduled in [GENESIS_TIME + 3, GENESIS_TIME + 4] {
            let timestamps: Vec<u64> =
                l2s.iter().map(|chain| built(chain, scheduled, 1).timestamp()).collect();
            assert_eq!(timestamps, [scheduled, scheduled]);
        }
        // A chain moved ahead in time keeps its own time: one second after its head.
        l2s[1].service.write().mine(GENESIS_TIME + 100).unwrap();
        assert_eq!(built(&l2s[1], GENESIS_TIME + 5, 1).timestamp(), GENESIS_TIME + 101);
        assert_eq!(built(&l2s[0], GENESIS_TIME + 5, 1).timestamp(), GENESIS_TIME + 5);
    }

    #[test]
    fn a_deposit_whose_l2_call_reverts_is_included_failed_and_still_mints() {
        use alloy_sol_types::SolCall;
        use superlink_contracts::{
            addresses::CROSS_CHAIN_COUNTER,
            bindings::{CrossChainCounter, DepositPortal},
        };

        let l1 = sequenced(&l1_genesis(900, GENESIS_TIME, &[901], &[ALICE], 10));
        let l2 = vec![sequenced(&l2_genesis(901, GENESIS_TIME, &[ALICE], 10))];
        // The counter only takes increments relayed by the messenger: called directly, it reverts.
        let call = DepositPortal::depositTransactionCall {
            _to: CROSS_CHAIN_COUNTER,
            _value: U256::ZERO,
            _gasLimit: 100_000,
            _isCreation: false,
            _data: CrossChainCounter::incrementCall { _requester: ALICE }.abi_encode().into(),
        };
        send(&l1, deposit_portal(901), 99, call.abi_encode().into());
        let l1_block = built(&l1, GENESIS_TIME + 2, 2);
        assert!(l1_block.receipts.iter().all(|r| r.is_success()), "the L1 side succeeds");
        adopt_l1_block(&l1_block, &l2, &DepositPortals::new([901]));

        let before = l2[0].service.read().balance(ALICE, BlockId::latest()).unwrap();
        let block = built(&l2[0], GENESIS_TIME + 2, 2);
        assert!(block.transactions[1].is_deposit());
        assert!(!block.receipts[1].is_success(), "the L2 call reverted");
        let after = l2[0].service.read().balance(ALICE, BlockId::latest()).unwrap();
        assert_eq!(after, before + U256::from(99), "the mint stands even though the call failed");
    }

    #[test]
    fn every_l1_block_is_adopted_once_including_hand_mined_ones_and_a_rewound_branch() {
        let l1 = sequenced(&l1_genesis(900, GENESIS_TIME, &[901], &[ALICE], 10));
        let numbers = |blocks: Vec<Arc<StoredBlock>>| blocks.iter().map(|b| b.number()).collect::<Vec<_>>();
        let mut adoption = L1Adoption::default();
        assert!(adoption.new_blocks(&l1).is_empty(), "genesis holds no deposits");
        built(&l1, GENESIS_TIME + 2, 2);
        built(&l1, GENESIS_TIME + 3, 2);
        assert_eq!(numbers(adoption.new_blocks(&l1)), [1, 2]);
        assert!(adoption.new_blocks(&l1).is_empty());

        let snapshot = l1.service.snapshot().unwrap();
        let replaced = built(&l1, GENESIS_TIME + 4, 2);
        assert_eq!(numbers(adoption.new_blocks(&l1)), [3]);
        assert!(l1.service.revert_to_snapshot(snapshot).unwrap());
        send_eth(&l1, deposit_portal(901), 5);
        built(&l1, GENESIS_TIME + 5, 2);
        built(&l1, GENESIS_TIME + 6, 2);
        let branch = adoption.new_blocks(&l1);
        assert_eq!(numbers(branch.clone()), [3, 4], "the new branch from the fork on");
        assert_ne!(branch[0].hash(), replaced.hash());
    }
}
