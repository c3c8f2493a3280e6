//! Derivation of one chain's local-safe L2 blocks from L1 blocks, as a state machine.
//!
//! Feed L1 blocks in order with [`Derivation::add_l1_block`]; each returns the L2 blocks that became
//! local-safe in it and the safe head after it (the `derived_from` record). Inside a block, every batcher
//! transaction is split into frames (those of other chains' channels are left out by the
//! [`ChannelFilter`]), frames go to the [`ChannelBank`], each complete channel is decompressed into batches,
//! and batches wait in the batch queue until the rules accept or drop them ([`crate::batch_queue`]).
//!
//! An accepted batch names the next L2 block; derivation then asks the caller's chain ([`L2View`]) for the
//! block at that height. The chain must have it, with the safe head as parent and the batch's timestamp:
//! then it becomes local-safe with the chain's hash. If the chain does not have it yet, derivation waits
//! for it (and tries again with the next L1 block); if the chain has a different block there, the batch is
//! dropped. Derivation compares parent hash and timestamp only; the transactions are reported with the
//! block, for a caller that compares them.
//!
//! The sequencing window: once the L1 chain is `sequencing_window` blocks past the safe head's L1 origin
//! and no batch for the next L2 timestamp was accepted, the next L2 block must be deposits-only. Derivation
//! reports it ([`SafeBlockContent::DepositsOnly`]) with its timestamp and origin (the safe head's, or the next
//! L1 block once the L2 timestamp reaches that block's time), and goes on with the next height while the rule
//! holds. The caller builds those blocks before it feeds the next L1 block; derivation reads their hashes
//! from the [`L2View`] then, and accepts no batch in the L1 block that produced them.
//!
//! [`Derivation::rewind_to`] undoes an L1 reorg: the state goes back to what it was after the given L1 block.

use crate::batch::{Batch, BatchError};
use crate::batch_queue::{BatchDropReason, Context, PendingBlock, Rules, Validity};
use crate::channel::{ChannelError, decode_content, decompress};
use crate::channel_bank::{ChannelBank, FrameDropReason};
use crate::frame::{BatcherTxError, ChannelId, parse_batcher_tx};
use crate::history::{L1Chain, SafeChain, SafeRecord, transactions_digest};
use crate::meta::ChannelFilter;
use crate::params::MAX_SEQUENCER_DRIFT;
use crate::refs::{
    DerivedFrom, L1BlockInput, L1BlockRef, L2View, LocalSafeBlock, SafeBlockContent, SafeHead,
};
use alloy_eips::BlockNumHash;
use alloy_primitives::B256;
use std::collections::VecDeque;

/// One chain's derivation parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerivationConfig {
    /// The L2 chain id.
    pub chain_id: u64,
    /// The L2 genesis block: number, hash, timestamp and L1 origin.
    pub genesis: L2Genesis,
    /// Seconds between L2 blocks.
    pub block_time: u64,
    /// Sequencing window in L1 blocks.
    pub sequencing_window: u64,
    /// Channel timeout in L1 blocks.
    pub channel_timeout: u64,
    /// Maximum sequencer drift in seconds ([`MAX_SEQUENCER_DRIFT`] since Fjord).
    pub max_sequencer_drift: u64,
    /// Which frames of the batcher transactions are this chain's.
    pub channel_filter: ChannelFilter,
    /// How many past L1 blocks [`Derivation::rewind_to`] can go back to.
    pub max_rewind_depth: usize,
}

/// The L2 genesis block and its L1 origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L2Genesis {
    /// Block number (0 on a new chain).
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Block timestamp.
    pub timestamp: u64,
    /// The L1 block the chain starts from: the genesis block's origin. The first L1 block fed is its child.
    pub l1_origin: L1BlockRef,
}

impl DerivationConfig {
    /// A configuration with the Fjord drift, 64 blocks of rewind, and frames of every channel.
    pub fn new(
        chain_id: u64,
        genesis: L2Genesis,
        block_time: u64,
        sequencing_window: u64,
        channel_timeout: u64,
    ) -> Self {
        Self {
            chain_id,
            genesis,
            block_time,
            sequencing_window,
            channel_timeout,
            max_sequencer_drift: MAX_SEQUENCER_DRIFT,
            channel_filter: ChannelFilter::All,
            max_rewind_depth: 64,
        }
    }
}

/// Something derivation met and set aside while reading an L1 block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DerivationEvent {
    /// A batcher transaction yielded no frames.
    BatcherTxIgnored {
        /// Index of the transaction among the block's batcher transactions.
        index: usize,
        /// Why.
        error: BatcherTxError,
    },
    /// The channel bank did not keep a frame.
    FrameDropped {
        /// The frame's channel.
        channel_id: ChannelId,
        /// The frame's number.
        number: u16,
        /// Why.
        reason: FrameDropReason,
    },
    /// A complete channel could not be decompressed.
    ChannelUnreadable {
        /// The channel.
        channel_id: ChannelId,
        /// Why.
        error: ChannelError,
    },
    /// An item of a channel is not a batch; the rest of the channel is dropped with it.
    BatchUndecodable {
        /// The channel.
        channel_id: ChannelId,
        /// Why.
        error: BatchError,
    },
    /// The batch queue dropped a batch.
    BatchDropped {
        /// Timestamp of the batch's first block.
        timestamp: u64,
        /// Why.
        reason: BatchDropReason,
    },
}

/// What one L1 block did to the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1Derivation {
    /// The L1 block.
    pub l1_block: BlockNumHash,
    /// L2 blocks that became local-safe in it, in order.
    pub safe_blocks: Vec<LocalSafeBlock>,
    /// Frames, channels and batches set aside.
    pub events: Vec<DerivationEvent>,
    /// The safe head after it.
    pub safe_head: SafeHead,
}

impl L1Derivation {
    /// The `derived_from` record of the L1 block.
    pub fn derived_from(&self) -> DerivedFrom {
        DerivedFrom { l1: self.l1_block, l2: self.safe_head }
    }

    /// The heights that must become deposits-only blocks.
    pub fn deposits_only(&self) -> impl Iterator<Item = &LocalSafeBlock> {
        self.safe_blocks.iter().filter(|b| b.content == SafeBlockContent::DepositsOnly)
    }
}

/// Why derivation refused an input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeriveError {
    /// The L1 block does not extend the L1 head: rewind first.
    #[error("L1 block {number} ({hash}) does not extend the L1 head {head_number} ({head_hash})")]
    NotNextL1 {
        /// The offered block's number.
        number: u64,
        /// The offered block's hash.
        hash: B256,
        /// The head's number.
        head_number: u64,
        /// The head's hash.
        head_hash: B256,
    },
    /// The configuration cannot be derived with.
    #[error("invalid derivation config: {0}")]
    InvalidConfig(&'static str),
    /// The L1 block to rewind to is not among the retained ones.
    #[error("cannot rewind to L1 block {target}: retained are {oldest}..={head}")]
    RewindOutOfRange {
        /// The requested L1 block.
        target: u64,
        /// Oldest L1 block that can be rewound to.
        oldest: u64,
        /// The L1 head.
        head: u64,
    },
}

/// Safe L2 blocks remembered for span batches that overlap the safe chain: a batcher posts from the safe head
/// on, so only a batch posted twice (re-included after an L1 reorg, or sent again) overlaps, by the blocks
/// derived in between. Every retained L1 state holds its own copy, so the bound is kept small: 512 records, some
/// 45 KiB per state.
const SAFE_CHAIN_CAPACITY: usize = 512;

#[derive(Debug, Clone)]
struct QueuedBatch {
    batch: Batch,
    inclusion: u64,
}

#[derive(Debug, Clone)]
struct State {
    l1: L1Chain,
    bank: ChannelBank,
    queue: Vec<QueuedBatch>,
    pending: VecDeque<PendingBlock>,
    safe: SafeHead,
    safe_chain: SafeChain,
}

/// One chain's derivation.
#[derive(Debug, Clone)]
pub struct Derivation {
    config: DerivationConfig,
    state: State,
    /// States after each retained L1 block, oldest first; the last is the current state.
    snapshots: VecDeque<State>,
}

/// Sets the hashes of `state`'s safe blocks from `from` up to the chain's; how many changed.
fn adopt_hashes(state: &mut State, from: u64, chain: &impl L2View) -> usize {
    let mut changed = 0;
    for number in from..=state.safe.number {
        let Some(block) = chain.block_at(number) else { break };
        if let Some(record) = state.safe_chain.get_mut(number)
            && record.hash.is_some_and(|h| h != block.hash)
        {
            record.hash = Some(block.hash);
            changed += 1;
        }
        if number == state.safe.number && state.safe.hash.is_some_and(|h| h != block.hash) {
            state.safe.hash = Some(block.hash);
        }
    }
    changed
}

enum Step {
    Applied(LocalSafeBlock),
    Wait,
    Conflict(u64),
}

impl Derivation {
    /// Derivation from the L2 genesis, before any L1 block after the genesis origin. The block time and the
    /// sequencing window must be at least 1.
    pub fn new(config: DerivationConfig) -> Result<Self, DeriveError> {
        if config.block_time == 0 {
            return Err(DeriveError::InvalidConfig("block time is zero"));
        }
        if config.sequencing_window == 0 {
            return Err(DeriveError::InvalidConfig("sequencing window is zero"));
        }
        let genesis = config.genesis;
        let safe = SafeHead {
            number: genesis.number,
            hash: Some(genesis.hash),
            timestamp: genesis.timestamp,
            l1_origin: genesis.l1_origin.id(),
        };
        let record = SafeRecord {
            number: genesis.number,
            hash: Some(genesis.hash),
            timestamp: genesis.timestamp,
            l1_origin_number: genesis.l1_origin.number,
            transactions_digest: transactions_digest(&[]),
        };
        let state = State {
            l1: L1Chain::new(genesis.l1_origin),
            bank: ChannelBank::new(config.channel_timeout),
            queue: Vec::new(),
            pending: VecDeque::new(),
            safe,
            safe_chain: SafeChain::new(record, SAFE_CHAIN_CAPACITY),
        };
        Ok(Self { config, snapshots: VecDeque::from([state.clone()]), state })
    }

    /// The configuration.
    pub fn config(&self) -> &DerivationConfig {
        &self.config
    }

    /// The last L1 block read.
    pub fn l1_head(&self) -> L1BlockRef {
        self.state.l1.head()
    }

    /// The local-safe head.
    pub fn safe_head(&self) -> SafeHead {
        self.state.safe
    }

    /// Reads the next L1 block.
    pub fn add_l1_block(
        &mut self,
        block: &L1BlockInput,
        chain: &impl L2View,
    ) -> Result<L1Derivation, DeriveError> {
        let head = self.state.l1.head();
        if block.number != head.number + 1 || block.parent_hash != head.hash {
            return Err(DeriveError::NotNextL1 {
                number: block.number,
                hash: block.hash,
                head_number: head.number,
                head_hash: head.hash,
            });
        }
        let l1 = L1BlockRef { number: block.number, hash: block.hash, timestamp: block.timestamp };
        self.state.l1.push(l1);
        let mut events = Vec::new();
        self.read_batcher_txs(block, &mut events);
        let safe_blocks = self.derive_blocks(chain, &mut events);
        let keep_from = self.state.safe.l1_origin.number;
        self.state.l1.prune_below(keep_from);

        self.snapshots.push_back(self.state.clone());
        while self.snapshots.len() > self.config.max_rewind_depth + 1 {
            self.snapshots.pop_front();
        }
        Ok(L1Derivation { l1_block: l1.id(), safe_blocks, events, safe_head: self.state.safe })
    }

    /// Takes the caller's replacement of safe blocks: block `from` was found invalid and replaced by a
    /// deposits-only block, its descendants rebuilt on it. The safe blocks from `from` up take the chain's new
    /// hashes (`chain` is read for them), so the replacement is the local-safe block in the invalid one's place
    /// and derivation goes on from it. Heights above the safe head are not touched. Returns how many safe
    /// blocks changed hash.
    pub fn adopt_replacement(&mut self, from: u64, chain: &impl L2View) -> usize {
        let changed = adopt_hashes(&mut self.state, from, chain);
        // The retained states take it too, so a later L1 rewind does not bring the invalid blocks back.
        for snapshot in &mut self.snapshots {
            adopt_hashes(snapshot, from, chain);
        }
        changed
    }

    /// Goes back to the state after L1 block `l1_number` (an L1 reorg replaced the blocks after it).
    pub fn rewind_to(&mut self, l1_number: u64) -> Result<(), DeriveError> {
        let oldest = self.snapshots.front().map_or(0, |s| s.l1.head().number);
        let head = self.state.l1.head().number;
        if l1_number < oldest || l1_number > head {
            return Err(DeriveError::RewindOutOfRange { target: l1_number, oldest, head });
        }
        while self.snapshots.back().is_some_and(|s| s.l1.head().number > l1_number) {
            self.snapshots.pop_back();
        }
        if let Some(state) = self.snapshots.back() {
            self.state = state.clone();
        }
        Ok(())
    }

    fn read_batcher_txs(&mut self, block: &L1BlockInput, events: &mut Vec<DerivationEvent>) {
        let current = block.number;
        for (index, data) in block.batcher_txs.iter().enumerate() {
            let frames = match parse_batcher_tx(data) {
                Ok(frames) => frames,
                Err(error) => {
                    events.push(DerivationEvent::BatcherTxIgnored { index, error });
                    continue;
                }
            };
            for frame in frames.into_iter().filter(|f| self.config.channel_filter.accepts(&f.channel_id)) {
                let (channel_id, number) = (frame.channel_id, frame.number);
                if let Err(reason) = self.state.bank.add_frame(frame, current) {
                    events.push(DerivationEvent::FrameDropped { channel_id, number, reason });
                }
            }
            while let Some(channel) = self.state.bank.read(current) {
                let content = match decompress(&channel.data) {
                    Ok(content) => content,
                    Err(error) => {
                        events.push(DerivationEvent::ChannelUnreadable { channel_id: channel.id, error });
                        continue;
                    }
                };
                for item in decode_content(&content) {
                    match Batch::decode(&item) {
                        Ok(batch) => self.state.queue.push(QueuedBatch { batch, inclusion: current }),
                        Err(error) => {
                            events.push(DerivationEvent::BatchUndecodable { channel_id: channel.id, error });
                            break;
                        }
                    }
                }
            }
        }
    }

    fn rules(&self) -> Rules {
        Rules {
            genesis_timestamp: self.config.genesis.timestamp,
            block_time: self.config.block_time,
            sequencing_window: self.config.sequencing_window,
            max_sequencer_drift: self.config.max_sequencer_drift,
            chain_id: self.config.chain_id,
        }
    }

    /// Learns the hash of a deposits-only safe head from the caller's chain.
    fn resolve_safe_hash(&mut self, chain: &impl L2View) -> Option<B256> {
        if let Some(hash) = self.state.safe.hash {
            return Some(hash);
        }
        let block = chain.block_at(self.state.safe.number)?;
        if block.timestamp != self.state.safe.timestamp {
            return None;
        }
        self.state.safe.hash = Some(block.hash);
        self.state.safe_chain.set_head_hash(block.hash);
        Some(block.hash)
    }

    fn derive_blocks(
        &mut self,
        chain: &impl L2View,
        events: &mut Vec<DerivationEvent>,
    ) -> Vec<LocalSafeBlock> {
        let mut derived = Vec::new();
        // Once a deposits-only block is reported, its hash is unknown until the caller builds it.
        let mut built_deposits_only = false;
        loop {
            let safe_hash = if built_deposits_only { None } else { self.resolve_safe_hash(chain) };
            if let Some(safe_hash) = safe_hash {
                if let Some(block) = self.state.pending.front().cloned() {
                    match self.apply(&block, safe_hash, chain) {
                        Step::Applied(safe) => {
                            self.state.pending.pop_front();
                            derived.push(safe);
                            continue;
                        }
                        Step::Wait => break,
                        Step::Conflict(number) => {
                            self.state.pending.clear();
                            events.push(DerivationEvent::BatchDropped {
                                timestamp: block.timestamp,
                                reason: BatchDropReason::ConflictsWithL2Chain { number },
                            });
                            continue;
                        }
                    }
                }
                if let Some(blocks) = self.next_batch(safe_hash, events) {
                    self.state.pending.extend(blocks);
                    continue;
                }
            } else if !self.state.pending.is_empty() {
                break;
            }
            let expiry = self.state.safe.l1_origin.number.saturating_add(self.config.sequencing_window);
            if self.state.l1.head().number < expiry {
                break;
            }
            derived.push(self.deposits_only_block());
            built_deposits_only = true;
        }
        derived
    }

    /// Judges queued batches in inclusion order: drops the invalid, returns the blocks of the first valid.
    fn next_batch(
        &mut self,
        safe_hash: B256,
        events: &mut Vec<DerivationEvent>,
    ) -> Option<Vec<PendingBlock>> {
        let rules = self.rules();
        let genesis_timestamp = self.config.genesis.timestamp;
        let mut i = 0;
        while i < self.state.queue.len() {
            let queued = &self.state.queue[i];
            let context = Context {
                rules,
                safe: self.state.safe,
                safe_hash,
                l1: &self.state.l1,
                safe_chain: &self.state.safe_chain,
                inclusion: queued.inclusion,
            };
            let (verdict, timestamp) = match &queued.batch {
                Batch::Singular(batch) => (context.check_singular(batch), batch.timestamp),
                Batch::Span(batch) => {
                    (context.check_span(batch), batch.start_timestamp(genesis_timestamp).unwrap_or(u64::MAX))
                }
            };
            match verdict {
                Validity::Accept(blocks) => {
                    self.state.queue.remove(i);
                    return Some(blocks);
                }
                Validity::Drop(reason) => {
                    self.state.queue.remove(i);
                    events.push(DerivationEvent::BatchDropped { timestamp, reason });
                }
                Validity::Future | Validity::Undecided => i += 1,
            }
        }
        None
    }

    fn apply(&mut self, block: &PendingBlock, safe_hash: B256, chain: &impl L2View) -> Step {
        let number = self.state.safe.number + 1;
        let Some(info) = chain.block_at(number) else {
            return Step::Wait;
        };
        if info.parent_hash != safe_hash || info.timestamp != block.timestamp {
            return Step::Conflict(number);
        }
        self.advance(number, Some(info.hash), block.timestamp, block.l1_origin, &block.transactions);
        Step::Applied(LocalSafeBlock {
            number,
            timestamp: block.timestamp,
            l1_origin: block.l1_origin,
            content: SafeBlockContent::Batch { hash: info.hash, transactions: block.transactions.clone() },
        })
    }

    fn deposits_only_block(&mut self) -> LocalSafeBlock {
        let safe = self.state.safe;
        let timestamp = safe.timestamp + self.config.block_time;
        let next_origin = self.state.l1.get(safe.l1_origin.number + 1);
        let l1_origin = match next_origin {
            Some(next) if timestamp >= next.timestamp => next.id(),
            _ => safe.l1_origin,
        };
        let number = safe.number + 1;
        self.advance(number, None, timestamp, l1_origin, &[]);
        LocalSafeBlock { number, timestamp, l1_origin, content: SafeBlockContent::DepositsOnly }
    }

    fn advance(
        &mut self,
        number: u64,
        hash: Option<B256>,
        timestamp: u64,
        l1_origin: BlockNumHash,
        transactions: &[alloy_primitives::Bytes],
    ) {
        self.state.safe = SafeHead { number, hash, timestamp, l1_origin };
        self.state.safe_chain.push(SafeRecord {
            number,
            hash,
            timestamp,
            l1_origin_number: l1_origin.number,
            transactions_digest: transactions_digest(transactions),
        });
    }
}
