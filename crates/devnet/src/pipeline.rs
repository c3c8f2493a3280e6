//! Safety from the L1: the devnet's batchers post every L2's blocks to the L1 in the OP Stack batch format, and
//! each L2's derivation reads them back from the canonical L1 blocks.
//!
//! One [`L1Pipeline`] runs on the devnet's blocking pool, a step at a time ([`L1Pipeline::step`]):
//! 1. **Follow the L1.** The L1 blocks read so far are compared with the L1's canonical chain; after an L1
//!    reorg every chain's derivation goes back to the last shared block (local-safe rolls back), and the new
//!    branch is read like any other blocks.
//! 2. **Derive.** For each new L1 block, each chain's derivation ([`superlink_derive::Derivation`]) takes the
//!    batcher transactions addressed to the chain's batch inbox by the chain's batcher (or the shared batcher's,
//!    whose meta-batches carry every chain's channels). The L2 blocks their batches name become local-safe,
//!    derived from that L1 block: the chain's [`RollupLog`] records it, for the chain's rollup-node RPC and the
//!    verifier. Where the sequencing window has passed without a batch, the chain's blocks are replaced by
//!    deposits-only blocks (the later unsafe blocks leave the chain and their transactions go back to the pool).
//! 3. **Finalize.** L1 blocks `l1_finality_depth` behind the head are finalized; each chain's finalized L2
//!    head is what was derived from them.
//! 4. **Batch.** Every `batch_interval` L1 blocks, each running batcher posts its chain's blocks from the
//!    local-safe head up as one span batch in a brotli channel, in batcher transactions to the L1 pool (the next
//!    L1 block includes them). A batcher starts again from the local-safe head whenever what it posted left
//!    the chain (an L2 reorg, a replacement).

use std::{collections::VecDeque, sync::Arc};

use alloy_consensus::{SignableTransaction, Transaction, TxEip1559};
use alloy_eips::{BlockNumHash, Encodable2718};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use op_alloy_consensus::OpTxEnvelope;
use superlink_chain::StoredBlock;
use superlink_derive::{
    BatchedHead, BatcherConfig, ChainBatcher, Derivation, DerivationConfig, L1BlockInput, L1BlockRef,
    L2BlockData, L2BlockInfo, L2Genesis, L2View,
    channel::Compression,
    encoder::pack_frames,
    meta::{ChannelFilter, chain_channel_id, encode_meta_batch},
    params::{FRAME_OVERHEAD, GRANITE_CHANNEL_TIMEOUT, MAX_SEQUENCER_DRIFT},
};
use superlink_node::ChainService;
use superlink_txpool::PoolTransaction;
use superlink_verifier::{BlockId, BlockRef};
use tracing::{debug, info, warn};

use crate::{
    accounts::{batch_inbox, batcher, shared_batch_inbox, shared_batcher},
    error::DevnetError,
    rollup_log::{RollupLog, RollupParams, RollupState},
    source::block_ref,
};

/// The largest batcher transaction's data: under the L1 pool's 128 KiB transaction limit.
const MAX_TX_DATA: usize = 120_000;
/// The largest frame the batchers cut.
const MAX_FRAME_SIZE: usize = 100_000 + FRAME_OVERHEAD;
/// The most L2 blocks one chain's batch takes at a time (the rest go in the next batch).
const MAX_BLOCKS_PER_BATCH: u64 = 2_000;
/// How many L1 blocks back an L1 reorg can reach (derivation keeps this many states).
pub const MAX_L1_REORG_DEPTH: usize = 64;

/// How the pipeline batches and derives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineConfig {
    /// The L1's chain ID (batcher transactions are signed for it).
    pub l1_chain_id: u64,
    /// Seconds between L2 blocks.
    pub l2_block_time: u64,
    /// L1 blocks between two batches.
    pub batch_interval: u64,
    /// One batcher posts every chain's channels in one transaction.
    pub shared_batcher: bool,
    /// The sequencing window, in L1 blocks.
    pub sequencing_window: u64,
    /// How far behind the L1 head L1 blocks are finalized.
    pub l1_finality_depth: u64,
}

/// One L2's derivation and batcher.
#[derive(Debug)]
struct Lane {
    chain_id: u64,
    service: Arc<ChainService>,
    derivation: Derivation,
    batcher: ChainBatcher,
    channels: u64,
    log: RollupLog,
    /// Faults waiting to be resolved: a message to log once the local-safe head reaches a height.
    resolutions: Vec<(u64, String)>,
}

/// An L2 chain as derivation reads it: straight from the running chain.
struct ServiceView<'a>(&'a ChainService);

impl L2View for ServiceView<'_> {
    fn block_at(&self, number: u64) -> Option<L2BlockInfo> {
        self.0.read().block_by_number(number).map(|b| L2BlockInfo {
            hash: b.hash(),
            parent_hash: b.header.parent_hash,
            timestamp: b.timestamp(),
        })
    }
}

/// The L1 origin of an L2 block: its attributes' L1 block, or for the genesis block the L1 genesis.
pub fn l1_origin_of(block: &StoredBlock, l1_genesis: BlockNumHash) -> BlockNumHash {
    block.attributes.as_ref().map_or(l1_genesis, |a| BlockNumHash { number: a.l1.number, hash: a.l1.hash })
}

/// The batches, derivation and finality of every L2 of a devnet.
#[derive(Debug)]
pub struct L1Pipeline {
    config: PipelineConfig,
    l1: Arc<ChainService>,
    l1_genesis: BlockRef,
    lanes: Vec<Lane>,
    /// The L1 blocks read, oldest first (the genesis always first).
    read: VecDeque<BlockRef>,
    /// The L1 head when the batchers last posted.
    last_batch: Option<u64>,
}

impl L1Pipeline {
    /// A pipeline over the L1 and the L2s, from their genesis blocks.
    pub fn new(
        config: PipelineConfig,
        l1: Arc<ChainService>,
        l2s: &[(u64, Arc<ChainService>)],
    ) -> Result<Self, DevnetError> {
        // A chain's first block is its genesis, or the remote block a forked chain starts from.
        let first_block = |service: &ChainService| {
            let chain = service.read();
            chain.block_by_number(chain.first_number())
        };
        let l1_genesis = first_block(&l1)
            .map(|b| block_ref(&b))
            .ok_or_else(|| DevnetError::Config("the L1 has no genesis block".into()))?;
        let genesis_l1 =
            L1BlockRef { number: l1_genesis.number, hash: l1_genesis.hash, timestamp: l1_genesis.timestamp };
        let mut lanes = Vec::new();
        for (chain_id, service) in l2s {
            let genesis = first_block(service)
                .ok_or_else(|| DevnetError::Config(format!("L2 {chain_id} has no genesis block")))?;
            let genesis_time = genesis.timestamp();
            let l2_genesis = L2Genesis {
                number: genesis.number(),
                hash: genesis.hash(),
                timestamp: genesis_time,
                l1_origin: genesis_l1,
            };
            let mut derivation_config = DerivationConfig::new(
                *chain_id,
                l2_genesis,
                config.l2_block_time,
                config.sequencing_window,
                GRANITE_CHANNEL_TIMEOUT,
            );
            derivation_config.max_rewind_depth = MAX_L1_REORG_DEPTH;
            if config.shared_batcher {
                derivation_config.channel_filter = ChannelFilter::Chain(*chain_id);
            }
            let derivation = Derivation::new(derivation_config)
                .map_err(|e| DevnetError::Config(format!("derivation of L2 {chain_id}: {e}")))?;
            let batcher_config = BatcherConfig {
                chain_id: *chain_id,
                genesis_timestamp: genesis_time,
                block_time: config.l2_block_time,
                compression: Compression::Brotli,
                max_frame_size: MAX_FRAME_SIZE,
            };
            let chain_batcher = ChainBatcher::new(
                batcher_config,
                BatchedHead {
                    number: genesis.number(),
                    hash: genesis.hash(),
                    l1_origin_number: genesis_l1.number,
                },
            );
            let (inbox, batcher_address) = if config.shared_batcher {
                (shared_batch_inbox(), shared_batcher().address())
            } else {
                (batch_inbox(*chain_id), batcher(*chain_id).address())
            };
            let params = RollupParams {
                l2_chain_id: *chain_id,
                l1_chain_id: config.l1_chain_id,
                genesis_l1: l1_genesis.id(),
                genesis_l2: BlockId::new(genesis.number(), genesis.hash()),
                genesis_time,
                block_time: config.l2_block_time,
                sequencing_window: config.sequencing_window,
                channel_timeout: GRANITE_CHANNEL_TIMEOUT,
                max_sequencer_drift: MAX_SEQUENCER_DRIFT,
                batch_inbox: inbox,
                batcher: batcher_address,
                // The OP Stack's deposit contract is the standard bridge's portal (the devnet's `DepositPortal`
                // takes deposits as well).
                deposit_contract: superlink_contracts::bridge_addresses::l1_bridge(*chain_id).portal,
            };
            lanes.push(Lane {
                chain_id: *chain_id,
                service: service.clone(),
                derivation,
                batcher: chain_batcher,
                channels: 0,
                log: RollupLog::new(RollupState::new(params, l1_genesis)),
                resolutions: Vec::new(),
            });
        }
        Ok(Self { config, l1, l1_genesis, lanes, read: VecDeque::from([l1_genesis]), last_batch: None })
    }

    /// The configuration.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Each L2's rollup log, by chain ID.
    pub fn logs(&self) -> Vec<(u64, RollupLog)> {
        self.lanes.iter().map(|l| (l.chain_id, l.log.clone())).collect()
    }

    /// The rollup log of `chain_id`.
    pub fn log(&self, chain_id: u64) -> Option<RollupLog> {
        self.lane(chain_id).map(|l| l.log.clone())
    }

    /// The L1 genesis block.
    pub fn l1_genesis(&self) -> BlockRef {
        self.l1_genesis
    }

    fn lane(&self, chain_id: u64) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.chain_id == chain_id)
    }

    fn lane_mut(&mut self, chain_id: u64) -> Option<&mut Lane> {
        self.lanes.iter_mut().find(|l| l.chain_id == chain_id)
    }

    /// Halts or resumes the batcher of `chain_id`; `None` when the devnet has no such L2. Resuming posts at the
    /// next batch. With a shared batcher there is one batcher for every chain: halting it through any chain
    /// halts every chain's batches (they all stall together), and resuming it resumes them all.
    pub fn set_batcher_halted(
        &mut self,
        chain_id: u64,
        halted: bool,
    ) -> Option<crate::rollup_log::BatcherStatus> {
        self.lane(chain_id)?;
        let shared = self.config.shared_batcher;
        for lane in self.lanes.iter_mut().filter(|l| shared || l.chain_id == chain_id) {
            lane.set_batcher_halted(halted, shared);
        }
        self.lane(chain_id).map(|l| l.log.read().batcher)
    }

    /// Logs, once the local-safe head of `chain_id` reaches `number`, that a fault is resolved.
    pub fn watch_resolution(&mut self, chain_id: u64, number: u64, message: String) {
        if let Some(lane) = self.lane_mut(chain_id) {
            lane.resolutions.push((number, message));
        }
    }

    /// One step: follows the L1 (reorgs included), derives every new L1 block, finalizes, and posts batches when
    /// due. Blocking: run it on the blocking pool.
    pub fn step(&mut self) {
        let new_blocks = self.follow_l1();
        for block in &new_blocks {
            self.derive(block);
        }
        self.finalize();
        self.post_batches_if_due();
        self.resolve();
    }

    /// Rewinds after an L1 reorg and returns the canonical L1 blocks not read yet, oldest first.
    fn follow_l1(&mut self) -> Vec<Arc<StoredBlock>> {
        let l1 = self.l1.read();
        let mut rewound = false;
        while self.read.len() > 1
            && self
                .read
                .back()
                .is_some_and(|b| l1.block_by_number(b.number).is_none_or(|c| c.hash() != b.hash))
        {
            self.read.pop_back();
            rewound = true;
        }
        let fork = self.read.back().copied().unwrap_or(self.l1_genesis);
        let head = l1.head_number();
        let blocks: Vec<Arc<StoredBlock>> =
            (fork.number + 1..=head).filter_map(|n| l1.block_by_number(n)).collect();
        drop(l1);
        if rewound {
            self.rewind_to(fork);
        }
        blocks
    }

    fn rewind_to(&mut self, fork: BlockRef) {
        for lane in &mut self.lanes {
            let before = lane.log.read().local_safe;
            if let Err(e) = lane.derivation.rewind_to(fork.number) {
                warn!(chain_id = lane.chain_id, error = %e, "derivation cannot rewind that far; it keeps its state");
                continue;
            }
            let mut log = lane.log.write();
            log.rewind_l1(fork.number);
            if log.finalized_l1.number > fork.number {
                log.finalized_l1 = fork;
                log.safe_l1 = fork;
            }
            warn!(
                chain_id = lane.chain_id,
                l1_fork = fork.number,
                local_safe_before = before.number,
                local_safe_now = log.local_safe.number,
                "L1 reorg: local-safe rolled back, derivation reads the new branch"
            );
            if before.number > log.local_safe.number {
                lane.resolutions.push((
                    before.number,
                    format!(
                        "L1 reorg below block {}: chain {} derived again up to block {}",
                        fork.number + 1,
                        lane.chain_id,
                        before.number
                    ),
                ));
            }
        }
    }

    /// Reads one L1 block into every chain's derivation.
    fn derive(&mut self, block: &StoredBlock) {
        let l1 = block_ref(block);
        // (to, from, data) of every transaction that could be a batcher transaction.
        let candidates: Vec<(Address, Address, Bytes)> = block
            .transactions
            .iter()
            .filter(|tx| !tx.is_deposit())
            .filter_map(|tx| tx.envelope.to().map(|to| (to, tx.sender, tx.envelope.input().clone())))
            .collect();
        let shared = self.config.shared_batcher;
        for lane in &mut self.lanes {
            let (inbox, sender) = {
                let log = lane.log.read();
                (log.params.batch_inbox, log.params.batcher)
            };
            let batcher_txs: Vec<Bytes> = candidates
                .iter()
                .filter(|(to, from, _)| *to == inbox && *from == sender)
                .map(|(_, _, data)| data.clone())
                .collect();
            if !batcher_txs.is_empty() {
                lane.log.write().batcher.last_inclusion = Some(l1.number);
            }
            let input = L1BlockInput {
                number: l1.number,
                hash: l1.hash,
                parent_hash: l1.parent_hash,
                timestamp: l1.timestamp,
                batcher_txs,
            };
            let derived = match lane.derivation.add_l1_block(&input, &ServiceView(&lane.service)) {
                Ok(derived) => derived,
                Err(e) => {
                    warn!(chain_id = lane.chain_id, l1 = l1.number, error = %e, "derivation refused the L1 block");
                    continue;
                }
            };
            for event in &derived.events {
                debug!(chain_id = lane.chain_id, l1 = l1.number, ?event, "derivation set something aside");
            }
            let deposits_only: Vec<u64> = derived.deposits_only().map(|b| b.number).collect();
            if let (Some(&from), Some(&through)) = (deposits_only.first(), deposits_only.last()) {
                replace_expired(lane, from, through, l1.number, self.config.sequencing_window);
            }
            let safe_number = derived.safe_head.number;
            let safe_hash = derived
                .safe_head
                .hash
                .or_else(|| lane.service.read().block_by_number(safe_number).map(|b| b.hash()))
                .unwrap_or_default();
            if !derived.safe_blocks.is_empty() {
                debug!(
                    chain_id = lane.chain_id,
                    l1 = l1.number,
                    blocks = derived.safe_blocks.len(),
                    local_safe = safe_number,
                    shared,
                    "L2 blocks derived: local-safe"
                );
            }
            let mut log = lane.log.write();
            log.push(l1, BlockId::new(safe_number, safe_hash));
            log.head_l1 = l1;
        }
        self.read.push_back(l1);
        while self.read.len() > MAX_L1_REORG_DEPTH + 1 {
            // Keep the genesis first: a reorg never goes below what derivation can rewind to anyway.
            self.read.remove(1);
        }
    }

    /// Finalizes the L1 blocks `l1_finality_depth` behind the head.
    fn finalize(&mut self) {
        let Some(head) = self.read.back().copied() else { return };
        let number = head.number.saturating_sub(self.config.l1_finality_depth);
        let Some(finalized) = self.read.iter().find(|b| b.number == number).copied() else { return };
        let changed = self.lanes.first().is_none_or(|l| l.log.read().finalized_l1 != finalized);
        if !changed {
            return;
        }
        {
            let mut l1 = self.l1.write();
            if let Err(e) = l1.set_safe(number).and_then(|()| l1.set_finalized(number)) {
                debug!(l1 = number, error = %e, "labelling the finalized L1 block failed");
            }
        }
        for lane in &self.lanes {
            lane.log.write().finalize_l1(finalized);
        }
    }

    fn post_batches_if_due(&mut self) {
        let Some(head) = self.read.back().map(|b| b.number) else { return };
        if self.last_batch.is_some_and(|last| head < last + self.config.batch_interval) {
            return;
        }
        self.last_batch = Some(head);
        let mut frames_by_chain = Vec::new();
        for lane in &mut self.lanes {
            if lane.log.read().batcher.halted {
                continue;
            }
            match lane.next_frames() {
                Ok(Some((frames, posted))) => frames_by_chain.push((lane.chain_id, frames, posted)),
                Ok(None) => {}
                Err(e) => warn!(chain_id = lane.chain_id, error = %e, "batching failed"),
            }
        }
        if frames_by_chain.is_empty() {
            return;
        }
        if self.config.shared_batcher {
            let per_chain: Vec<(u64, Vec<superlink_derive::Frame>)> =
                frames_by_chain.iter().map(|(id, frames, _)| (*id, frames.clone())).collect();
            // One transaction when it fits; otherwise the same frames over several (all in the next L1 block).
            let datas = match encode_meta_batch(&per_chain) {
                Ok(data) if data.len() <= MAX_TX_DATA => vec![data],
                Ok(_) => {
                    pack_frames(&per_chain.into_iter().flat_map(|(_, f)| f).collect::<Vec<_>>(), MAX_TX_DATA)
                }
                Err(e) => {
                    warn!(error = %e, "meta-batch refused");
                    return;
                }
            };
            let signer = shared_batcher();
            let sent = self.send(&signer, shared_batch_inbox(), &datas);
            for (chain_id, _, posted) in &frames_by_chain {
                if let Some(lane) = self.lane_mut(*chain_id) {
                    lane.record_posted(*posted, sent);
                }
            }
            debug!(chains = frames_by_chain.len(), transactions = sent, "shared batcher posted a meta-batch");
        } else {
            for (chain_id, frames, posted) in frames_by_chain {
                let datas = pack_frames(&frames, MAX_TX_DATA);
                let sent = self.send(&batcher(chain_id), batch_inbox(chain_id), &datas);
                if let Some(lane) = self.lane_mut(chain_id) {
                    lane.record_posted(posted, sent);
                }
            }
        }
    }

    /// Signs and submits batcher transactions to the L1 pool; how many went in.
    fn send(&self, signer: &PrivateKeySigner, inbox: Address, datas: &[Bytes]) -> u64 {
        let mut sent = 0;
        for data in datas {
            match self.submit_batcher_tx(signer, inbox, data.clone()) {
                Ok(hash) => {
                    sent += 1;
                    debug!(tx = %hash, bytes = data.len(), %inbox, "batcher transaction sent");
                }
                Err(e) => warn!(batcher = %signer.address(), error = %e, "batcher transaction refused"),
            }
        }
        sent
    }

    fn submit_batcher_tx(
        &self,
        signer: &PrivateKeySigner,
        inbox: Address,
        data: Bytes,
    ) -> Result<B256, String> {
        let (nonce, base_fee) = {
            let l1 = self.l1.read();
            (l1.pending_nonce(signer.address()), l1.next_base_fee())
        };
        let tx = batcher_transaction(self.config.l1_chain_id, signer, nonce, base_fee, inbox, data)?;
        self.l1.submit(tx).map_err(|e| e.to_string())
    }

    /// Logs the faults whose chains' local-safe heads have caught up.
    fn resolve(&mut self) {
        for lane in &mut self.lanes {
            let safe = lane.log.read().local_safe.number;
            lane.resolutions.retain(|(number, message)| {
                if safe >= *number {
                    info!(chain_id = lane.chain_id, local_safe = safe, "resolved: {message}");
                    false
                } else {
                    true
                }
            });
        }
    }

    /// Takes a replacement of the chain's safe blocks from `from` up (an invalid block replaced by a
    /// deposits-only block, its descendants rebuilt): derivation goes on from the new blocks.
    pub fn adopt_replacement(&mut self, chain_id: u64, from: u64) {
        let Some(lane) = self.lane_mut(chain_id) else { return };
        let changed = lane.derivation.adopt_replacement(from, &ServiceView(&lane.service));
        if changed > 0 {
            let safe = lane.derivation.safe_head();
            let mut log = lane.log.write();
            if let Some(hash) = safe.hash {
                let local_safe = BlockId::new(safe.number, hash);
                log.local_safe = local_safe;
                if let Some(last) = log.records.back_mut() {
                    last.safe = local_safe;
                }
            }
            info!(chain_id, from, changed, "derivation takes the replacement as local-safe");
        }
    }

    /// The local-safe head of `chain_id` per derivation.
    pub fn local_safe(&self, chain_id: u64) -> Option<BlockId> {
        self.lane(chain_id).map(|l| l.log.read().local_safe)
    }
}

/// Replaces the blocks `from..=through` of a chain whose sequencing window passed by deposits-only blocks: their
/// user transactions are lost, and the later unsafe blocks are rebuilt on the replacements (with the transactions
/// that still execute), for the batcher to post again.
fn replace_expired(lane: &Lane, from: u64, through: u64, l1: u64, window: u64) {
    let head = lane.service.read().head_number();
    if from > head {
        warn!(
            chain_id = lane.chain_id,
            from, head, "sequencing window passed for blocks the chain does not have yet"
        );
        return;
    }
    let through = through.min(head);
    warn!(
        chain_id = lane.chain_id,
        from,
        through,
        unsafe_head = head,
        l1,
        window,
        "sequencing window passed without a batch: the chain's unsafe blocks are replaced by deposits-only blocks"
    );
    let (mut lost, mut rebuilt, mut dropped) = (0, 0, 0);
    for number in from..=through {
        match lane.service.replace_with_deposits_only(number) {
            Ok(outcome) => {
                lost += outcome.removed.len();
                rebuilt = outcome.replaced.len().saturating_sub(1);
                dropped += outcome.dropped.len();
            }
            Err(e) => {
                warn!(chain_id = lane.chain_id, number, error = %e, "replacing an expired block failed");
                return;
            }
        }
    }
    info!(
        chain_id = lane.chain_id,
        from,
        through,
        lost_transactions = lost,
        rebuilt_after = rebuilt,
        dropped_after = dropped,
        "unsafe reorg: deposits-only blocks in place of the expired ones"
    );
}

impl Lane {
    /// Halts or resumes this chain's batcher (`shared`: the shared batcher, as seen from this chain).
    fn set_batcher_halted(&mut self, halted: bool, shared: bool) {
        let chain_id = self.chain_id;
        let mut log = self.log.write();
        if log.batcher.halted == halted {
            return;
        }
        log.batcher.halted = halted;
        let head = self.service.read().head_number();
        if halted {
            warn!(
                chain_id,
                shared,
                unsafe_head = head,
                local_safe = log.local_safe.number,
                "fault: batcher halted; the chain's blocks stay unsafe until it resumes"
            );
        } else {
            info!(
                chain_id,
                shared,
                unsafe_head = head,
                local_safe = log.local_safe.number,
                "batcher resumed"
            );
            self.resolutions
                .push((head, format!("batcher of chain {chain_id} resumed: safe again up to block {head}")));
        }
    }

    /// The frames of the chain's blocks not posted yet, and the last block they hold; `None` when there is none.
    fn next_frames(&mut self) -> Result<Option<(Vec<superlink_derive::Frame>, u64)>, String> {
        let safe = self.derivation.safe_head();
        let chain = self.service.read();
        let l1_genesis = self.log.read().params.genesis_l1;
        let genesis_origin = BlockNumHash { number: l1_genesis.number, hash: l1_genesis.hash };
        let posted = self.batcher.head();
        let still_there = chain.block_by_number(posted.number).is_some_and(|b| b.hash() == posted.hash);
        // The chain's block at the local-safe head, where the batcher starts again when it must.
        let Some(safe_block) = chain.block_by_number(safe.number) else { return Ok(None) };
        let restart = BatchedHead {
            number: safe.number,
            hash: safe_block.hash(),
            l1_origin_number: l1_origin_of(&safe_block, genesis_origin).number,
        };
        if !still_there || posted.number < safe.number {
            // What was posted left the chain, or derivation moved past it: start again from the safe head.
            debug!(
                chain_id = self.chain_id,
                from = safe.number,
                "batcher starts again from the local-safe head"
            );
            self.batcher.reset(restart);
        }
        let first = self.batcher.head().number + 1;
        let last = chain.head_number().min(first.saturating_add(MAX_BLOCKS_PER_BATCH - 1));
        for number in first..=last {
            let Some(block) = chain.block_by_number(number) else { break };
            let data = L2BlockData {
                number,
                hash: block.hash(),
                parent_hash: block.header.parent_hash,
                timestamp: block.timestamp(),
                l1_origin: l1_origin_of(&block, genesis_origin),
                transactions: block
                    .transactions
                    .iter()
                    .filter(|tx| !tx.is_deposit())
                    .map(|tx| Bytes::from(tx.envelope.encoded_2718()))
                    .collect(),
            };
            if let Err(e) = self.batcher.add_block(data) {
                self.batcher.reset(restart);
                return Err(format!("block {number}: {e}"));
            }
        }
        drop(chain);
        let Some(posted) = self.batcher.pending().last().map(|b| b.number) else { return Ok(None) };
        let channel = chain_channel_id(self.chain_id, self.channels);
        self.channels += 1;
        let frames = self.batcher.flush(channel).map_err(|e| e.to_string())?;
        Ok(Some((frames, posted)))
    }

    fn record_posted(&mut self, posted: u64, transactions: u64) {
        let mut log = self.log.write();
        if transactions > 0 {
            log.batcher.posted = Some(posted);
            log.batcher.transactions += transactions;
        }
    }
}

/// A signed EIP-1559 batcher transaction: `data` to `inbox`, paying twice the base fee at most.
pub fn batcher_transaction(
    chain_id: u64,
    signer: &PrivateKeySigner,
    nonce: u64,
    base_fee: u64,
    inbox: Address,
    data: Bytes,
) -> Result<PoolTransaction, String> {
    // Intrinsic gas with every byte counted as non-zero, at the EIP-7623 floor price (40 per byte).
    let gas_limit = 21_000 + 40 * data.len() as u64;
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit,
        max_fee_per_gas: u128::from(base_fee) * 2 + 1_000_000_000,
        max_priority_fee_per_gas: 1_000_000_000,
        to: TxKind::Call(inbox),
        value: U256::ZERO,
        input: data,
        ..TxEip1559::default()
    };
    let signature = signer.sign_hash_sync(&tx.signature_hash()).map_err(|e| format!("signing: {e}"))?;
    let envelope = OpTxEnvelope::Eip1559(tx.into_signed(signature));
    PoolTransaction::from_envelope(envelope).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use superlink_chain::{Chain, ChainConfig, Genesis};

    use crate::genesis::{l1_genesis, l2_genesis};

    fn service(genesis: &Genesis) -> Arc<ChainService> {
        Arc::new(ChainService::new(Chain::new(genesis, ChainConfig::default())).with_automine(false))
    }

    fn pipeline(shared_batcher: bool) -> L1Pipeline {
        let config = PipelineConfig {
            l1_chain_id: 900,
            l2_block_time: 1,
            batch_interval: 1,
            shared_batcher,
            sequencing_window: 10,
            l1_finality_depth: 2,
        };
        let l1 = service(&l1_genesis(900, 1_000, &[901, 902], &[], 0, &Default::default()));
        let l2s: Vec<(u64, Arc<ChainService>)> =
            [901, 902].map(|id| (id, service(&l2_genesis(id, 1_000, &[], 0)))).to_vec();
        L1Pipeline::new(config, l1, &l2s).unwrap()
    }

    fn halted(pipeline: &L1Pipeline, chain_id: u64) -> bool {
        pipeline.log(chain_id).unwrap().read().batcher.halted
    }

    #[test]
    fn halting_one_chains_batcher_leaves_the_other_chains_batcher_running() {
        let mut pipeline = pipeline(false);
        assert!(pipeline.set_batcher_halted(901, true).unwrap().halted);
        assert!(halted(&pipeline, 901));
        assert!(!halted(&pipeline, 902));
        assert!(!pipeline.set_batcher_halted(901, false).unwrap().halted);
        assert!(!halted(&pipeline, 901));
        assert!(pipeline.set_batcher_halted(999, true).is_none());
    }

    #[test]
    fn the_shared_batcher_halted_through_any_chain_halts_and_resumes_every_chain() {
        let mut pipeline = pipeline(true);
        assert!(pipeline.set_batcher_halted(901, true).unwrap().halted);
        assert!(halted(&pipeline, 901));
        assert!(halted(&pipeline, 902), "one batcher posts both chains' batches: both stall");
        // Resumed through the other chain: the one batcher runs again for both.
        assert!(!pipeline.set_batcher_halted(902, false).unwrap().halted);
        assert!(!halted(&pipeline, 901));
        assert!(!halted(&pipeline, 902));
        assert!(pipeline.set_batcher_halted(999, true).is_none());
        assert!(!halted(&pipeline, 901), "an unknown chain changes nothing");
    }
}
