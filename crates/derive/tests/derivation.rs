//! Derivation scenarios: batchers posting to the L1 on a schedule, channels split across L1 blocks, a halted
//! batcher past the sequencing window, L1 reorgs, and a meta-batch shared by three chains.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::BlockNumHash;
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{B256, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use std::collections::BTreeMap;
use superlink_derive::batch::Batch;
use superlink_derive::batch_queue::BatchDropReason;
use superlink_derive::channel::{Compression, write_channel};
use superlink_derive::encoder::{BatcherConfig, pack_frames, split_into_frames};
use superlink_derive::meta::{ChannelFilter, chain_channel_id, encode_meta_batch};
use superlink_derive::singular::SingularBatch;
use superlink_derive::{
    BatchedHead, ChainBatcher, ChannelId, Derivation, DerivationConfig, DerivationEvent, DeriveError,
    L1BlockInput, L1BlockRef, L1Derivation, L2BlockData, L2BlockInfo, L2Genesis, L2View, SafeBlockContent,
};

const GENESIS_TIME: u64 = 1_000;
const L1_BLOCK_TIME: u64 = 12;
const L2_BLOCK_TIME: u64 = 2;
/// L2 blocks per L1 block: L2 block k has L1 origin k / 6.
const PER_EPOCH: u64 = L1_BLOCK_TIME / L2_BLOCK_TIME;

fn l1_hash(number: u64, fork: u8) -> B256 {
    let mut hash = [0x10 | fork; 32];
    hash[24..].copy_from_slice(&number.to_be_bytes());
    B256::from(hash)
}

fn l1_time(number: u64) -> u64 {
    GENESIS_TIME + L1_BLOCK_TIME * number
}

/// L1 block `number` of fork `fork`, whose parent is of fork `parent_fork`.
fn l1_block(number: u64, fork: u8, parent_fork: u8, batcher_txs: Vec<Bytes>) -> L1BlockInput {
    L1BlockInput {
        number,
        hash: l1_hash(number, fork),
        parent_hash: l1_hash(number - 1, parent_fork),
        timestamp: l1_time(number),
        batcher_txs,
    }
}

fn signer() -> PrivateKeySigner {
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d".parse().unwrap()
}

fn transfer(chain_id: u64, nonce: u64) -> Bytes {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 1_000_000_000,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(signer().address()),
        value: U256::from(nonce),
        access_list: Default::default(),
        input: Bytes::new(),
    };
    let sig = signer().sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
}

/// One chain as its node has it: blocks by number, rebuilt on demand after a deposits-only block.
struct TestChain {
    chain_id: u64,
    blocks: BTreeMap<u64, L2BlockData>,
    /// Bumped whenever the sequencer rebuilds blocks, so rebuilt blocks get new hashes.
    generation: u8,
}

impl TestChain {
    fn genesis_hash(chain_id: u64) -> B256 {
        B256::repeat_byte(chain_id as u8)
    }

    fn new(chain_id: u64) -> Self {
        let genesis = L2BlockData {
            number: 0,
            hash: Self::genesis_hash(chain_id),
            parent_hash: B256::ZERO,
            timestamp: GENESIS_TIME,
            l1_origin: BlockNumHash { number: 0, hash: l1_hash(0, 0) },
            transactions: vec![],
        };
        Self { chain_id, blocks: BTreeMap::from([(0, genesis)]), generation: 0 }
    }

    /// The sequencer builds blocks up to `number`; block k has origin k / 6 and k % 3 transactions.
    fn build_to(&mut self, number: u64) {
        while self.head().number < number {
            let parent = self.head().clone();
            let k = parent.number + 1;
            let origin = k / PER_EPOCH;
            let mut hash = [self.generation; 32];
            hash[..8].copy_from_slice(&self.chain_id.to_be_bytes());
            hash[24..].copy_from_slice(&k.to_be_bytes());
            let transactions = (0..k % 3)
                .map(|i| transfer(self.chain_id, k * 10 + i + u64::from(self.generation) * 1000))
                .collect();
            self.blocks.insert(
                k,
                L2BlockData {
                    number: k,
                    hash: B256::from(hash),
                    parent_hash: parent.hash,
                    timestamp: GENESIS_TIME + L2_BLOCK_TIME * k,
                    l1_origin: BlockNumHash { number: origin, hash: l1_hash(origin, 0) },
                    transactions,
                },
            );
        }
    }

    fn head(&self) -> &L2BlockData {
        self.blocks.values().next_back().unwrap()
    }

    /// Replaces the block at `number` with a deposits-only one and drops the blocks after it.
    fn build_deposits_only(&mut self, number: u64, timestamp: u64, l1_origin: BlockNumHash) {
        self.generation += 1;
        self.blocks.split_off(&number);
        let parent = self.head().hash;
        let mut hash = [0xd0 | self.generation; 32];
        hash[24..].copy_from_slice(&number.to_be_bytes());
        self.blocks.insert(
            number,
            L2BlockData {
                number,
                hash: B256::from(hash),
                parent_hash: parent,
                timestamp,
                l1_origin,
                transactions: vec![],
            },
        );
    }

    fn batched_head(&self, number: u64) -> BatchedHead {
        let block = &self.blocks[&number];
        BatchedHead { number, hash: block.hash, l1_origin_number: block.l1_origin.number }
    }
}

impl L2View for TestChain {
    fn block_at(&self, number: u64) -> Option<L2BlockInfo> {
        self.blocks.get(&number).map(|b| L2BlockInfo {
            hash: b.hash,
            parent_hash: b.parent_hash,
            timestamp: b.timestamp,
        })
    }
}

fn batcher_config(chain_id: u64, max_frame_size: usize) -> BatcherConfig {
    BatcherConfig {
        chain_id,
        genesis_timestamp: GENESIS_TIME,
        block_time: L2_BLOCK_TIME,
        compression: Compression::Brotli,
        max_frame_size,
    }
}

fn derivation_config(chain_id: u64, sequencing_window: u64) -> DerivationConfig {
    let genesis = L2Genesis {
        number: 0,
        hash: TestChain::genesis_hash(chain_id),
        timestamp: GENESIS_TIME,
        l1_origin: L1BlockRef { number: 0, hash: l1_hash(0, 0), timestamp: l1_time(0) },
    };
    DerivationConfig::new(chain_id, genesis, L2_BLOCK_TIME, sequencing_window, 50)
}

/// The batcher posts every block up to `to` in one channel, as one batcher transaction per frame group.
fn post(batcher: &mut ChainBatcher, chain: &TestChain, to: u64, channel: u64) -> Vec<Bytes> {
    for number in batcher.head().number + 1..=to {
        batcher.add_block(chain.blocks[&number].clone()).unwrap();
    }
    let frames = batcher.flush(chain_channel_id(chain.chain_id, channel)).unwrap();
    pack_frames(&frames, 120_000)
}

fn safe_numbers(step: &L1Derivation) -> Vec<u64> {
    step.safe_blocks.iter().map(|b| b.number).collect()
}

#[test]
fn batches_posted_every_three_l1_blocks_make_their_blocks_safe_then() {
    let mut chain = TestChain::new(901);
    let mut batcher = ChainBatcher::new(batcher_config(901, 10_000), chain.batched_head(0));
    let mut derivation = Derivation::new(derivation_config(901, 10)).unwrap();
    let mut records = Vec::new();
    for n in 1..=9u64 {
        // The sequencer keeps up with the L1: blocks whose origin is at most n exist.
        chain.build_to(PER_EPOCH * (n + 1) - 1);
        // Every third L1 block carries the blocks whose origin is before it.
        let txs = if n % 3 == 0 { post(&mut batcher, &chain, PER_EPOCH * n - 1, n) } else { vec![] };
        let step = derivation.add_l1_block(&l1_block(n, 0, 0, txs), &chain).unwrap();
        assert!(step.events.is_empty(), "{:?}", step.events);
        if n % 3 == 0 {
            let first = PER_EPOCH * (n - 3);
            assert_eq!(safe_numbers(&step), ((first.max(1))..PER_EPOCH * n).collect::<Vec<_>>());
            for block in &step.safe_blocks {
                let on_chain = &chain.blocks[&block.number];
                assert_eq!(block.l1_origin, on_chain.l1_origin);
                assert_eq!(
                    block.content,
                    SafeBlockContent::Batch {
                        hash: on_chain.hash,
                        transactions: on_chain.transactions.clone()
                    }
                );
            }
        } else {
            assert!(step.safe_blocks.is_empty());
        }
        records.push((step.derived_from().l1.number, step.derived_from().l2.number));
    }
    assert_eq!(records, vec![(1, 0), (2, 0), (3, 17), (4, 17), (5, 17), (6, 35), (7, 35), (8, 35), (9, 53)]);
    assert_eq!(derivation.safe_head().hash, Some(chain.blocks[&53].hash));
}

#[test]
fn a_channel_split_across_l1_blocks_is_derived_when_its_last_frame_lands() {
    let mut chain = TestChain::new(901);
    chain.build_to(20);
    let mut batcher = ChainBatcher::new(batcher_config(901, 180), chain.batched_head(0));
    for number in 1..=11 {
        batcher.add_block(chain.blocks[&number].clone()).unwrap();
    }
    let frames = batcher.flush(ChannelId::repeat_byte(7)).unwrap();
    assert!(frames.len() >= 3, "{} frames", frames.len());
    let mut derivation = Derivation::new(derivation_config(901, 10)).unwrap();
    derivation.add_l1_block(&l1_block(1, 0, 0, vec![]), &chain).unwrap();
    // Frames arrive over several L1 blocks, the last frame first.
    let mut order: Vec<usize> = (0..frames.len()).collect();
    order.rotate_right(1);
    let last = order.len() - 1;
    for (i, index) in order.into_iter().enumerate() {
        let n = 2 + i as u64;
        let step = derivation
            .add_l1_block(&l1_block(n, 0, 0, pack_frames(&frames[index..=index], 1_000)), &chain)
            .unwrap();
        if i < last {
            assert!(step.safe_blocks.is_empty(), "nothing is safe before the channel is complete");
        } else {
            assert_eq!(safe_numbers(&step), (1..=11).collect::<Vec<_>>());
        }
    }
}

#[test]
fn singular_batches_are_derived_too() {
    let mut chain = TestChain::new(901);
    chain.build_to(8);
    let batches: Vec<Bytes> =
        (1..=5).map(|n| Batch::Singular(singular_of(&chain.blocks[&n])).encode()).collect();
    let channel = write_channel(&batches, Compression::Zlib);
    let frames = split_into_frames(ChannelId::repeat_byte(1), &channel, 1_000).unwrap();
    let mut derivation = Derivation::new(derivation_config(901, 10)).unwrap();
    let step = derivation.add_l1_block(&l1_block(1, 0, 0, pack_frames(&frames, 10_000)), &chain).unwrap();
    assert_eq!(safe_numbers(&step), vec![1, 2, 3, 4, 5]);
}

fn singular_of(block: &L2BlockData) -> SingularBatch {
    block.clone().to_singular_batch()
}

#[test]
fn invalid_batches_are_dropped_and_valid_ones_after_them_still_apply() {
    let mut chain = TestChain::new(901);
    chain.build_to(8);
    let mut bad_parent = singular_of(&chain.blocks[&1]);
    bad_parent.parent_hash = B256::repeat_byte(0xee);
    let mut deposit = singular_of(&chain.blocks[&1]);
    deposit.transactions.push(Bytes::from_static(&[0x7e, 0xc0]));
    let mut wrong_origin = singular_of(&chain.blocks[&1]);
    wrong_origin.epoch_hash = B256::repeat_byte(0x99);
    let batches: Vec<Bytes> = [bad_parent, deposit, wrong_origin, singular_of(&chain.blocks[&1])]
        .into_iter()
        .map(|b| Batch::Singular(b).encode())
        .collect();
    let frames =
        split_into_frames(ChannelId::repeat_byte(2), &write_channel(&batches, Compression::Brotli), 10_000)
            .unwrap();
    let mut derivation = Derivation::new(derivation_config(901, 10)).unwrap();
    let step = derivation.add_l1_block(&l1_block(1, 0, 0, pack_frames(&frames, 20_000)), &chain).unwrap();
    let reasons: Vec<BatchDropReason> = step
        .events
        .iter()
        .filter_map(|e| match e {
            DerivationEvent::BatchDropped { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            BatchDropReason::ParentMismatch,
            BatchDropReason::InvalidTransaction,
            BatchDropReason::OriginNotCanonical
        ]
    );
    assert_eq!(safe_numbers(&step), vec![1]);
}

#[test]
fn a_batch_the_l2_chain_contradicts_is_dropped_and_a_missing_block_is_waited_for() {
    let mut chain = TestChain::new(901);
    chain.build_to(3);
    let mut batcher = ChainBatcher::new(batcher_config(901, 10_000), chain.batched_head(0));
    let txs = post(&mut batcher, &chain, 3, 0);
    // The node has not got block 3 yet: blocks 1 and 2 become safe, block 3 waits.
    let block3 = chain.blocks.remove(&3).unwrap();
    let mut derivation = Derivation::new(derivation_config(901, 10)).unwrap();
    let step = derivation.add_l1_block(&l1_block(1, 0, 0, txs), &chain).unwrap();
    assert_eq!(safe_numbers(&step), vec![1, 2]);
    chain.blocks.insert(3, block3);
    let step = derivation.add_l1_block(&l1_block(2, 0, 0, vec![]), &chain).unwrap();
    assert_eq!(safe_numbers(&step), vec![3]);

    // A batch for block 4 whose timestamp the node's block 4 does not have.
    chain.build_to(4);
    let mut other = chain.blocks[&4].clone();
    other.hash = B256::repeat_byte(0x44);
    chain.blocks.get_mut(&4).unwrap().timestamp += 1;
    let mut batcher = ChainBatcher::new(batcher_config(901, 10_000), chain.batched_head(3));
    batcher.add_block(other).unwrap();
    let frames = batcher.flush(ChannelId::repeat_byte(9)).unwrap();
    let step = derivation.add_l1_block(&l1_block(3, 0, 0, pack_frames(&frames, 10_000)), &chain).unwrap();
    assert!(step.safe_blocks.is_empty());
    assert!(step.events.contains(&DerivationEvent::BatchDropped {
        timestamp: GENESIS_TIME + 8,
        reason: BatchDropReason::ConflictsWithL2Chain { number: 4 },
    }));
}

#[test]
fn a_halted_batcher_past_the_sequencing_window_yields_deposits_only_blocks_until_it_resumes() {
    let window = 4;
    let mut chain = TestChain::new(901);
    let mut batcher = ChainBatcher::new(batcher_config(901, 10_000), chain.batched_head(0));
    let mut derivation = Derivation::new(derivation_config(901, window)).unwrap();
    chain.build_to(17);
    // L1 block 2 carries blocks 1..=11 (origins 0 and 1); then the batcher halts.
    derivation.add_l1_block(&l1_block(1, 0, 0, vec![]), &chain).unwrap();
    let step =
        derivation.add_l1_block(&l1_block(2, 0, 0, post(&mut batcher, &chain, 11, 0)), &chain).unwrap();
    assert_eq!(derivation.safe_head().number, 11);
    assert_eq!(step.safe_head.l1_origin.number, 1);
    for n in 3..5 {
        chain.build_to(PER_EPOCH * (n + 1) - 1);
        let step = derivation.add_l1_block(&l1_block(n, 0, 0, vec![]), &chain).unwrap();
        assert!(step.safe_blocks.is_empty(), "epoch 1's window is still open at L1 block {n}");
    }
    // At L1 block 5 = origin 1 + window, block 12 has had no batch: it must be deposits-only. Its timestamp
    // reaches L1 block 2's, so it takes origin 2, whose window is still open.
    chain.build_to(35);
    let step = derivation.add_l1_block(&l1_block(5, 0, 0, vec![]), &chain).unwrap();
    assert_eq!(safe_numbers(&step), vec![12]);
    let forced = &step.safe_blocks[0];
    assert_eq!(forced.content, SafeBlockContent::DepositsOnly);
    assert_eq!(
        (forced.timestamp, forced.l1_origin),
        (GENESIS_TIME + 24, BlockNumHash { number: 2, hash: l1_hash(2, 0) })
    );
    assert_eq!(step.deposits_only().count(), 1);
    assert_eq!(step.safe_head.hash, None);
    // The node builds it; the sequencer rebuilds on top of it.
    chain.build_deposits_only(forced.number, forced.timestamp, forced.l1_origin);
    chain.build_to(41);
    // Next L1 block: epoch 2 expires, blocks 13..=18 are deposits-only (18 moves to origin 3).
    let step = derivation.add_l1_block(&l1_block(6, 0, 0, vec![]), &chain).unwrap();
    assert_eq!(safe_numbers(&step), (13..=18).collect::<Vec<_>>());
    assert_eq!(step.deposits_only().count(), 6);
    assert_eq!(step.safe_blocks.last().unwrap().l1_origin.number, 3);
    // Derivation learned block 12's hash from the chain.
    assert_eq!(derivation.safe_head().number, 18);
    for block in &step.safe_blocks {
        chain.build_deposits_only(block.number, block.timestamp, block.l1_origin);
    }
    chain.build_to(47);
    // The batcher resumes from the safe head and posts the rebuilt blocks: they become safe.
    batcher.reset(chain.batched_head(18));
    let txs = post(&mut batcher, &chain, 29, 1);
    let step = derivation.add_l1_block(&l1_block(7, 0, 0, txs), &chain).unwrap();
    assert_eq!(safe_numbers(&step), (19..=29).collect::<Vec<_>>());
    assert!(step.safe_blocks.iter().all(|b| b.hash() == Some(chain.blocks[&b.number].hash)));
    assert!(step.events.is_empty(), "{:?}", step.events);
}

#[test]
fn a_batch_arriving_after_the_sequencing_window_is_dropped() {
    let mut chain = TestChain::new(901);
    chain.build_to(5);
    let mut batcher = ChainBatcher::new(batcher_config(901, 10_000), chain.batched_head(0));
    let late = post(&mut batcher, &chain, 5, 0);
    // Window 3: at L1 block 3 epoch 0 expires without a batch, so blocks 1..=6 become deposits-only.
    let mut derivation = Derivation::new(derivation_config(901, 3)).unwrap();
    for n in 1..=3 {
        let step = derivation.add_l1_block(&l1_block(n, 0, 0, vec![]), &chain).unwrap();
        for block in &step.safe_blocks {
            assert_eq!(block.content, SafeBlockContent::DepositsOnly);
            chain.build_deposits_only(block.number, block.timestamp, block.l1_origin);
        }
    }
    assert_eq!(derivation.safe_head().number, 6);
    // The batch for blocks 1..=5 lands in L1 block 4: too late, it is dropped.
    let step = derivation.add_l1_block(&l1_block(4, 0, 0, late), &chain).unwrap();
    assert!(step.events.contains(&DerivationEvent::BatchDropped {
        timestamp: GENESIS_TIME + 2,
        reason: BatchDropReason::TooOld
    }));
    assert!(step.safe_blocks.iter().all(|b| b.content == SafeBlockContent::DepositsOnly));
    assert_eq!(derivation.safe_head().hash, None);
}

#[test]
fn an_l1_reorg_is_undone_and_redone() {
    let mut chain = TestChain::new(901);
    chain.build_to(47);
    let mut batcher = ChainBatcher::new(batcher_config(901, 10_000), chain.batched_head(0));
    let first = post(&mut batcher, &chain, 17, 0);
    let second = post(&mut batcher, &chain, 29, 1);
    let canonical = [
        l1_block(1, 0, 0, vec![]),
        l1_block(2, 0, 0, vec![]),
        l1_block(3, 0, 0, first),
        l1_block(4, 0, 0, vec![]),
        l1_block(5, 0, 0, second.clone()),
        l1_block(6, 0, 0, vec![]),
    ];
    let mut derivation = Derivation::new(derivation_config(901, 10)).unwrap();
    let original: Vec<L1Derivation> =
        canonical.iter().map(|b| derivation.add_l1_block(b, &chain).unwrap()).collect();
    assert_eq!(derivation.safe_head().number, 29);

    // A reorg replaces L1 blocks 5 and 6; the new block 5 has no batch, the new block 6 carries it.
    let reorged = [l1_block(5, 1, 0, vec![]), l1_block(6, 1, 1, second)];
    assert!(matches!(
        derivation.add_l1_block(&reorged[0], &chain),
        Err(DeriveError::NotNextL1 { number: 5, .. })
    ));
    derivation.rewind_to(4).unwrap();
    assert_eq!(derivation.safe_head().number, 17);
    assert_eq!(derivation.l1_head().hash, l1_hash(4, 0));
    let step = derivation.add_l1_block(&reorged[0], &chain).unwrap();
    assert!(step.safe_blocks.is_empty());
    assert_eq!(step.derived_from().l2.number, 17);
    let step = derivation.add_l1_block(&reorged[1], &chain).unwrap();
    assert_eq!(safe_numbers(&step), (18..=29).collect::<Vec<_>>());
    assert_eq!(step.derived_from().l1, BlockNumHash { number: 6, hash: l1_hash(6, 1) });

    // The reorg is undone: the original blocks 5 and 6 return, with the original results.
    derivation.rewind_to(4).unwrap();
    let again: Vec<L1Derivation> =
        canonical[4..].iter().map(|b| derivation.add_l1_block(b, &chain).unwrap()).collect();
    assert_eq!(again, original[4..].to_vec());

    assert!(matches!(derivation.rewind_to(7), Err(DeriveError::RewindOutOfRange { target: 7, .. })));
}

#[test]
fn a_rewind_deeper_than_retained_is_refused() {
    let chain = TestChain::new(901);
    let mut config = derivation_config(901, 100);
    config.max_rewind_depth = 2;
    let mut derivation = Derivation::new(config).unwrap();
    for n in 1..=4 {
        derivation.add_l1_block(&l1_block(n, 0, 0, vec![]), &chain).unwrap();
    }
    assert_eq!(derivation.rewind_to(1), Err(DeriveError::RewindOutOfRange { target: 1, oldest: 2, head: 4 }));
    derivation.rewind_to(2).unwrap();
    assert_eq!(derivation.l1_head().number, 2);
}

#[test]
fn a_meta_batch_of_three_chains_is_derived_by_each_chain() {
    let chain_ids = [901u64, 902, 903];
    let mut chains: Vec<TestChain> = chain_ids.iter().map(|id| TestChain::new(*id)).collect();
    let mut per_chain = Vec::new();
    for (i, chain) in chains.iter_mut().enumerate() {
        let count = 4 + 3 * i as u64;
        chain.build_to(count);
        let mut batcher = ChainBatcher::new(batcher_config(chain.chain_id, 300), chain.batched_head(0));
        for number in 1..=count {
            batcher.add_block(chain.blocks[&number].clone()).unwrap();
        }
        per_chain.push((chain.chain_id, batcher.flush(chain_channel_id(chain.chain_id, 0)).unwrap()));
    }
    let data = encode_meta_batch(&per_chain).unwrap();
    for (i, chain) in chains.iter().enumerate() {
        let mut config = derivation_config(chain.chain_id, 10);
        config.channel_filter = ChannelFilter::Chain(chain.chain_id);
        let mut derivation = Derivation::new(config).unwrap();
        let step = derivation.add_l1_block(&l1_block(1, 0, 0, vec![data.clone()]), chain).unwrap();
        assert!(step.events.is_empty(), "chain {}: {:?}", chain.chain_id, step.events);
        assert_eq!(
            safe_numbers(&step),
            (1..=4 + 3 * i as u64).collect::<Vec<_>>(),
            "chain {}",
            chain.chain_id
        );
        assert_eq!(derivation.safe_head().hash, Some(chain.head().hash));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
    /// Whatever the posting schedule and frame size, every posted block is safe right after the L1 block
    /// that carries its channel's last frame, with the chain's hash, and the records never go back.
    #[test]
    fn posted_blocks_are_safe_in_the_l1_block_that_completes_them(
        schedule in proptest::collection::vec(proptest::prelude::any::<bool>(), 1..10),
        frame_size in 60usize..2_000,
    ) {
        let mut chain = TestChain::new(901);
        let mut batcher = ChainBatcher::new(batcher_config(901, frame_size), chain.batched_head(0));
        let mut derivation = Derivation::new(derivation_config(901, 100)).unwrap();
        let mut posted = 0;
        let mut last_record = 0;
        for (i, post_now) in schedule.iter().enumerate() {
            let n = i as u64 + 1;
            chain.build_to(PER_EPOCH * (n + 1) - 1);
            let txs = if *post_now {
                posted = PER_EPOCH * n - 1;
                post(&mut batcher, &chain, posted, n)
            } else {
                vec![]
            };
            let step = derivation.add_l1_block(&l1_block(n, 0, 0, txs), &chain).unwrap();
            proptest::prop_assert!(step.events.is_empty());
            let record = step.derived_from().l2;
            proptest::prop_assert_eq!(record.number, posted);
            proptest::prop_assert_eq!(record.hash, Some(chain.blocks[&posted].hash));
            proptest::prop_assert!(record.number >= last_record);
            last_record = record.number;
        }
    }
}

#[test]
fn malformed_data_on_the_inbox_is_set_aside() {
    let mut chain = TestChain::new(901);
    chain.build_to(3);
    let mut derivation = Derivation::new(derivation_config(901, 10)).unwrap();
    let good = Batch::Singular(singular_of(&chain.blocks[&1])).encode();
    // A channel whose first item has an unknown batch type: the rest of the channel goes with it.
    let poisoned = write_channel(&[Bytes::from_static(&[0x09, 0x01]), good.clone()], Compression::Brotli);
    let poisoned = split_into_frames(ChannelId::repeat_byte(1), &poisoned, 1_000).unwrap();
    let txs = vec![
        Bytes::from_static(&[0x01, 0xaa]),       // alt-DA version: ignored
        Bytes::from_static(&[0x00, 0x01, 0x02]), // a cut frame: the transaction is rejected
        pack_frames(&poisoned, 10_000).remove(0),
    ];
    let step = derivation.add_l1_block(&l1_block(1, 0, 0, txs), &chain).unwrap();
    assert!(step.safe_blocks.is_empty());
    assert!(matches!(step.events[0], DerivationEvent::BatcherTxIgnored { index: 0, .. }));
    assert!(matches!(step.events[1], DerivationEvent::BatcherTxIgnored { index: 1, .. }));
    assert!(matches!(step.events[2], DerivationEvent::BatchUndecodable { .. }));
    assert_eq!(step.events.len(), 3);
    // The same batch in a clean channel is derived.
    let clean =
        split_into_frames(ChannelId::repeat_byte(2), &write_channel(&[good], Compression::Zlib), 1_000);
    let step =
        derivation.add_l1_block(&l1_block(2, 0, 0, pack_frames(&clean.unwrap(), 10_000)), &chain).unwrap();
    assert_eq!(safe_numbers(&step), vec![1]);
}

#[test]
fn a_zero_block_time_or_sequencing_window_is_refused() {
    let mut config = derivation_config(901, 0);
    assert!(matches!(Derivation::new(config), Err(DeriveError::InvalidConfig(_))));
    config.sequencing_window = 10;
    config.block_time = 0;
    assert!(matches!(Derivation::new(config), Err(DeriveError::InvalidConfig(_))));
}

#[test]
fn a_replaced_safe_block_is_taken_as_local_safe_and_derivation_goes_on_from_it() {
    let mut chain = TestChain::new(901);
    chain.build_to(11);
    let mut batcher = ChainBatcher::new(batcher_config(901, 10_000), chain.batched_head(0));
    let mut derivation = Derivation::new(derivation_config(901, 10)).unwrap();
    derivation.add_l1_block(&l1_block(1, 0, 0, vec![]), &chain).unwrap();
    let txs = post(&mut batcher, &chain, 11, 1);
    let step = derivation.add_l1_block(&l1_block(2, 0, 0, txs), &chain).unwrap();
    assert_eq!(derivation.safe_head().number, 11, "{:?}", step.events);

    // Block 9 turns out invalid: the node replaces it by a deposits-only block and rebuilds 10 and 11 on it.
    let (old9, old11) = (chain.blocks[&9].hash, chain.blocks[&11].hash);
    let (timestamp, origin) = (chain.blocks[&9].timestamp, chain.blocks[&9].l1_origin);
    chain.build_deposits_only(9, timestamp, origin);
    chain.build_to(11);
    assert_eq!(derivation.adopt_replacement(9, &chain), 3);
    assert_eq!(derivation.safe_head().hash, Some(chain.blocks[&11].hash));
    assert_ne!(Some(old11), derivation.safe_head().hash);
    assert_ne!(chain.blocks[&9].hash, old9);
    assert_eq!(derivation.adopt_replacement(9, &chain), 0, "taken once");

    // The next batch names the new block 11 as its parent and is accepted.
    chain.build_to(17);
    batcher.reset(chain.batched_head(11));
    let txs = post(&mut batcher, &chain, 17, 2);
    let step = derivation.add_l1_block(&l1_block(3, 0, 0, txs), &chain).unwrap();
    assert_eq!(safe_numbers(&step), (12..=17).collect::<Vec<_>>(), "{:?}", step.events);
}
