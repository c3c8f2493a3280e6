//! The devnet's sequencer: on the node's block loop, every L2 block time it builds the next block of every L2
//! at the round's shared timestamp (so same-timestamp blocks really are simultaneous), and every L1 block time
//! an L1 block.
//!
//! Each L2 block takes its L1 origin as op-node's sequencer does, so its batches derive: the parent's origin, or
//! the next L1 block once the L2 timestamp reaches that block's time (one L1 block at a time). The first block
//! of a new origin opens with the deposits the portal logs of that L1 block hold, right after the L1
//! attributes. A chain that falls behind its schedule (its blocks were replaced, or a round came late) builds
//! the missing blocks one block time apart to catch up, so every L2 block sits on its chain's time grid. When an
//! L1 reorg takes an L2's origin off the L1, the L2's unsafe blocks from that origin on are rewound (their
//! transactions go back to the pool) and built again on the new L1 branch.

use std::sync::Arc;

use alloy_eips::BlockNumHash;
use superlink_chain::{Chain, ChainError, L1Attributes, StoredBlock};
use superlink_node::{BlockSchedule, ChainService, run_block_loop};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::{
    accounts::batcher_hash,
    admission::NextBlockTime,
    deposits::{DepositPortals, scan_l1_block},
    pipeline::l1_origin_of,
};

/// The most blocks a chain builds in one round to catch up with its schedule.
const MAX_CATCH_UP: usize = 64;

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

/// The timestamp of a chain's next block in the sequencer's round at `scheduled` (the round's slot runs until
/// `block_time` later): one block time after the head while that is not past the round, so a chain behind
/// its schedule catches up on its grid; none when the head already fills the round's slot (a block mined by hand
/// with `evm_mine`), so the chain keeps in step with the others; one block time after the head when the head is
/// past the slot (its time was moved ahead with `evm_increaseTime` or a timestamp).
pub fn block_timestamp(scheduled: u64, block_time: u64, head_timestamp: u64) -> Option<u64> {
    let next = head_timestamp.saturating_add(block_time);
    if next <= scheduled || head_timestamp >= scheduled.saturating_add(block_time) {
        Some(next)
    } else {
        None
    }
}

/// Where the L2s take their L1 origins from: the L1, its genesis, the deposit portals, and the batcher each L2's
/// L1 attributes name.
#[derive(Debug, Clone)]
pub struct L1Origins {
    /// The L1.
    pub l1: Arc<ChainService>,
    /// The L1 genesis block: the origin of every L2 genesis.
    pub genesis: BlockNumHash,
    /// The L2s' deposit portals.
    pub portals: DepositPortals,
    /// The batcher named in the L1 attributes: `None` for each chain's own, or the shared batcher.
    pub shared_batcher: Option<alloy_primitives::Address>,
}

impl L1Origins {
    fn batcher_of(&self, chain_id: u64) -> alloy_primitives::Address {
        self.shared_batcher.unwrap_or_else(|| crate::accounts::batcher(chain_id).address())
    }

    /// Whether `origin` is still on the L1.
    fn is_canonical(&self, origin: BlockNumHash) -> bool {
        self.l1.read().block_by_number(origin.number).is_some_and(|b| b.hash() == origin.hash)
    }

    /// Rewinds `chain` when an L1 reorg took its head's origin off the L1: back to its last block whose origin is
    /// still there. The blocks' transactions go back to the pool.
    pub fn follow_l1_reorg(&self, chain: &SequencedChain) -> Result<(), ChainError> {
        let (head, origin) = {
            let guard = chain.service.read();
            let head = guard.head();
            (head.number(), l1_origin_of(&head, self.genesis))
        };
        if self.is_canonical(origin) {
            return Ok(());
        }
        let target = {
            let guard = chain.service.read();
            (0..head)
                .rev()
                .find(|n| {
                    guard
                        .block_by_number(*n)
                        .is_some_and(|b| self.is_canonical(l1_origin_of(&b, self.genesis)))
                })
                .unwrap_or(0)
        };
        let outcome = chain.service.rewind_to(target)?;
        warn!(
            chain_id = chain.chain_id,
            from = target + 1,
            removed = outcome.removed.len(),
            repooled = outcome.reinserted.len(),
            "L1 reorg took the L1 origin of unsafe blocks: rewound them to build them again on the new L1 branch"
        );
        Ok(())
    }

    /// Sets the L1 origin of `chain`'s next block at `timestamp` and queues its deposits when it is a new origin.
    pub fn prepare(&self, chain: &mut Chain, chain_id: u64, timestamp: u64) {
        let head = chain.head();
        let parent_origin = l1_origin_of(&head, self.genesis);
        let (parent_block, next_block) = {
            let l1 = self.l1.read();
            (l1.block_by_number(parent_origin.number), l1.block_by_number(parent_origin.number + 1))
        };
        let Some(parent_block) = parent_block else { return };
        let origin = match next_block {
            Some(next) if next.timestamp() <= timestamp && next.header.parent_hash == parent_origin.hash => {
                // A failed build left this origin prepared with its deposits queued: not twice.
                if chain.l1_origin().hash != next.hash() {
                    queue_deposits(&next, chain, chain_id, &self.portals);
                }
                next
            }
            _ => parent_block,
        };
        let batcher_hash = batcher_hash(self.batcher_of(chain_id));
        if chain.l1_origin().hash != origin.hash() || chain.l1_origin().batcher_hash != batcher_hash {
            chain.set_l1_origin(L1Attributes {
                number: origin.number(),
                timestamp: origin.timestamp(),
                hash: origin.hash(),
                batcher_hash,
                ..L1Attributes::default()
            });
        }
    }
}

/// Builds the blocks of `chain` for the round at `scheduled` (see [`block_timestamp`]) and publishes each; none
/// when the chain already has a block in this round's slot. While the chain is locked, the next block time moves
/// one `block_time` ahead first, so the revalidation that follows the block checks the pooled transactions at
/// the timestamp they can next be included at. `origins` is `None` for the L1 itself.
pub fn build_blocks(
    chain: &SequencedChain,
    origins: Option<&L1Origins>,
    scheduled: u64,
    block_time: u64,
) -> Result<Vec<Arc<StoredBlock>>, ChainError> {
    let mut built = Vec::new();
    while built.len() < MAX_CATCH_UP {
        if let Some(origins) = origins {
            origins.follow_l1_reorg(chain)?;
        }
        let (block, excluded, dropped) = {
            let mut guard = chain.service.write();
            let head = guard.head();
            let Some(timestamp) = block_timestamp(scheduled, block_time, head.timestamp()) else {
                if built.is_empty() {
                    chain.next_block.set(scheduled.saturating_add(block_time));
                    debug!(
                        chain_id = chain.chain_id,
                        number = head.number(),
                        timestamp = head.timestamp(),
                        "the head mined by hand already fills this round's slot"
                    );
                }
                break;
            };
            // A chain ahead of its schedule builds one block a round.
            if timestamp > scheduled && !built.is_empty() {
                break;
            }
            if let Some(origins) = origins {
                origins.prepare(&mut guard, chain.chain_id, timestamp);
            }
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
        built.push(block);
    }
    Ok(built)
}

/// Queues on `chain` the deposits that the portal logs of L1 `block` ask for; logs and skips portal logs that
/// are not deposits.
pub fn queue_deposits(block: &StoredBlock, chain: &mut Chain, chain_id: u64, portals: &DepositPortals) {
    let scan = scan_l1_block(block, portals);
    for skipped in scan.skipped.iter().filter(|s| s.l2_chain_id == chain_id) {
        warn!(l2_chain_id = skipped.l2_chain_id, l1_block = block.number(), l1_log_index = skipped.l1_log_index,
            error = %skipped.error, "portal log skipped: not a deposit");
    }
    for deposit in scan.deposits.iter().filter(|d| d.l2_chain_id == chain_id) {
        let tx = &deposit.tx;
        let to = tx.to.to().map_or_else(|| "creation".to_string(), ToString::to_string);
        info!(chain_id, l1_block = block.number(), l1_log_index = deposit.l1_log_index,
            from = %tx.from, to, mint = tx.mint, value = %tx.value, gas_limit = tx.gas_limit,
            source_hash = %tx.source_hash, tx = %tx.tx_hash(), "deposit queued");
        chain.queue_deposit(tx.clone());
    }
}

/// The block times and the first timestamp of the sequencer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The timestamp the rounds count from: the genesis timestamp shared by every chain, or for a devnet
    /// loaded from a state file, its newest L2 head's.
    pub genesis_timestamp: u64,
    /// Seconds between L1 blocks.
    pub l1_block_time: u64,
    /// Seconds between L2 blocks.
    pub l2_block_time: u64,
}

/// Runs the sequencer until `shutdown` turns true: on one block loop, L2 blocks every `l2_block_time` at one
/// shared timestamp; on another, L1 blocks every `l1_block_time`.
pub async fn run_sequencer(
    l1: SequencedChain,
    l2s: Vec<SequencedChain>,
    origins: L1Origins,
    schedule: Schedule,
    shutdown: watch::Receiver<bool>,
) {
    let l2_block_time = schedule.l2_block_time;
    let l2_rounds = run_block_loop(
        BlockSchedule { start: schedule.genesis_timestamp, block_time: l2_block_time },
        shutdown.clone(),
        move |scheduled| {
            for chain in &l2s {
                report(chain, build_blocks(chain, Some(&origins), scheduled, l2_block_time));
            }
        },
    );
    let l1_block_time = schedule.l1_block_time;
    let l1_rounds = run_block_loop(
        BlockSchedule { start: schedule.genesis_timestamp, block_time: l1_block_time },
        shutdown,
        move |scheduled| report(&l1, build_blocks(&l1, None, scheduled, l1_block_time)),
    );
    tokio::join!(l2_rounds, l1_rounds);
}

fn report(chain: &SequencedChain, result: Result<Vec<Arc<StoredBlock>>, ChainError>) {
    match result {
        Ok(blocks) => {
            if blocks.len() > 1 {
                info!(chain_id = chain.chain_id, blocks = blocks.len(), "caught up with the schedule");
            }
            for block in blocks {
                // Blocks with user transactions are news; the L1-attributes-only blocks of an idle chain are not.
                if block.transactions.iter().any(|tx| !tx.envelope.is_deposit()) {
                    info!(
                        chain_id = chain.chain_id,
                        number = block.number(),
                        timestamp = block.timestamp(),
                        txs = block.transactions.len(),
                        "block built"
                    );
                } else {
                    debug!(
                        chain_id = chain.chain_id,
                        number = block.number(),
                        timestamp = block.timestamp(),
                        "empty block built"
                    );
                }
            }
        }
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

    fn origins(l1: &SequencedChain, l2s: &[u64]) -> L1Origins {
        let genesis = l1.service.read().block_by_number(0).unwrap();
        L1Origins {
            l1: l1.service.clone(),
            genesis: BlockNumHash { number: 0, hash: genesis.hash() },
            portals: DepositPortals::new(l2s.iter().copied()),
            shared_batcher: None,
        }
    }

    /// The last block the sequencer builds on `chain` in the round at `scheduled`, which must build one.
    fn built_with(
        chain: &SequencedChain,
        origins: Option<&L1Origins>,
        scheduled: u64,
        block_time: u64,
    ) -> Arc<StoredBlock> {
        build_blocks(chain, origins, scheduled, block_time).unwrap().pop().expect("a block in this round")
    }

    /// The block the sequencer builds on `chain` (an L1, or an L2 whose origin stays its genesis L1 block).
    fn built(chain: &SequencedChain, scheduled: u64, block_time: u64) -> Arc<StoredBlock> {
        built_with(chain, None, scheduled, block_time)
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
        let l1 = sequenced(&l1_genesis(900, GENESIS_TIME, &[901, 902], &[ALICE], 10, &Default::default()));
        let l2s = [901, 902].map(|id| sequenced(&l2_genesis(id, GENESIS_TIME, &[ALICE], 10))).to_vec();
        let origins = origins(&l1, &[901, 902]);
        send_eth(&l1, deposit_portal(901), 1_234);
        let l1_block = built(&l1, GENESIS_TIME + 2, 2);

        let balance =
            |chain: &SequencedChain| chain.service.read().balance(ALICE, BlockId::latest()).unwrap();
        let before: Vec<U256> = l2s.iter().map(balance).collect();
        let blocks: Vec<_> =
            l2s.iter().map(|chain| built_with(chain, Some(&origins), GENESIS_TIME + 2, 2)).collect();
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
        let next = built_with(&l2s[0], Some(&origins), GENESIS_TIME + 4, 2);
        assert_eq!(next.transactions.len(), 1);
        assert_eq!(next.attributes.as_ref().unwrap().l1.hash, l1_block.hash(), "the same origin");
    }

    #[test]
    fn blocks_follow_the_head_one_block_time_apart_unless_the_head_fills_the_slot() {
        assert_eq!(block_timestamp(102, 2, 100), Some(102));
        assert_eq!(block_timestamp(102, 2, 96), Some(98), "behind: the next slot after the head");
        assert_eq!(block_timestamp(102, 2, 101), None, "off the grid: wait for the next round");
        assert_eq!(block_timestamp(102, 2, 102), None);
        assert_eq!(block_timestamp(102, 2, 103), None);
        assert_eq!(block_timestamp(102, 2, 104), Some(106));
        assert_eq!(block_timestamp(102, 2, 110), Some(112));
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
            l2s.iter().map(|chain| build_blocks(chain, None, GENESIS_TIME + 2, 1).unwrap().pop()).collect();
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

        let l1 = sequenced(&l1_genesis(900, GENESIS_TIME, &[901], &[ALICE], 10, &Default::default()));
        let l2 = [sequenced(&l2_genesis(901, GENESIS_TIME, &[ALICE], 10))];
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
        let origins = origins(&l1, &[901]);

        let before = l2[0].service.read().balance(ALICE, BlockId::latest()).unwrap();
        let block = built_with(&l2[0], Some(&origins), GENESIS_TIME + 2, 2);
        assert!(block.transactions[1].is_deposit());
        assert!(!block.receipts[1].is_success(), "the L2 call reverted");
        let after = l2[0].service.read().balance(ALICE, BlockId::latest()).unwrap();
        assert_eq!(after, before + U256::from(99), "the mint stands even though the call failed");
    }

    #[test]
    fn the_origin_moves_one_l1_block_at_a_time_once_the_l2_reaches_its_time() {
        let l1 = sequenced(&l1_genesis(900, GENESIS_TIME, &[901], &[ALICE], 10, &Default::default()));
        let l2 = sequenced(&l2_genesis(901, GENESIS_TIME, &[ALICE], 10));
        let origins = origins(&l1, &[901]);
        let first = built(&l1, GENESIS_TIME + 2, 2);
        let second = built(&l1, GENESIS_TIME + 4, 2);
        // The L2 is behind its schedule: the round at +6 builds its blocks at +1 .. +6.
        let blocks = build_blocks(&l2, Some(&origins), GENESIS_TIME + 6, 1).unwrap();
        let timestamps: Vec<u64> = blocks.iter().map(|b| b.timestamp()).collect();
        assert_eq!(timestamps, (1..=6).map(|i| GENESIS_TIME + i).collect::<Vec<_>>());
        let origin_numbers: Vec<u64> =
            blocks.iter().map(|b| b.attributes.as_ref().unwrap().l1.number).collect();
        assert_eq!(origin_numbers, [0, 1, 1, 2, 2, 2], "an L1 block is taken once the L2 reaches its time");
        assert_eq!(blocks[1].attributes.as_ref().unwrap().l1.hash, first.hash());
        assert_eq!(blocks[3].attributes.as_ref().unwrap().l1.hash, second.hash());
        let sequence: Vec<u64> =
            blocks.iter().map(|b| b.attributes.as_ref().unwrap().sequence_number).collect();
        assert_eq!(sequence, [1, 0, 1, 0, 1, 2]);
    }

    #[test]
    fn an_l1_reorg_under_an_l2_origin_rewinds_the_l2_onto_the_new_branch() {
        let l1 = sequenced(&l1_genesis(900, GENESIS_TIME, &[901], &[ALICE], 10, &Default::default()));
        let l2 = sequenced(&l2_genesis(901, GENESIS_TIME, &[ALICE], 10));
        let origins = origins(&l1, &[901]);
        let snapshot = l1.service.snapshot().unwrap();
        let old = built(&l1, GENESIS_TIME + 2, 2);
        build_blocks(&l2, Some(&origins), GENESIS_TIME + 3, 1).unwrap();
        let before = l2.service.read().head();
        assert_eq!(before.attributes.as_ref().unwrap().l1.hash, old.hash());

        // The L1 goes back and builds another block 1 (with a deposit, so it differs).
        assert!(l1.service.revert_to_snapshot(snapshot).unwrap());
        send_eth(&l1, deposit_portal(901), 5);
        let new = built(&l1, GENESIS_TIME + 2, 2);
        assert_ne!(new.hash(), old.hash());
        let blocks = build_blocks(&l2, Some(&origins), GENESIS_TIME + 4, 1).unwrap();
        let head = l2.service.read().head();
        assert_eq!(head.number(), 4);
        assert_eq!(
            blocks.first().unwrap().number(),
            2,
            "blocks 2 and 3 (origin: the old block 1) were rebuilt"
        );
        assert_eq!(head.attributes.as_ref().unwrap().l1.hash, new.hash());
        assert!(
            blocks[0]
                .transactions
                .iter()
                .any(|tx| tx.is_deposit() && tx.envelope.as_deposit().is_some_and(|d| d.mint == 5))
        );
    }
}
