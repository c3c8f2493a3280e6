//! What the dashboard knows and shows: messages with their life, chain lanes, faults and samples, and the JSON
//! shapes the page reads (`/api/state`, `/api/message/{hash}`, the deltas of `/events`).

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, U256};
use serde::Serialize;
use superlink_protocol::SafetyLevel;
use superlink_verifier::{BlockRef, ChainHeads, ChainId};

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageState {
    /// Its `SentMessage` log is indexed; the source block is not cross-unsafe yet.
    Sent,
    /// The source block is cross-unsafe or better: a relay may go in now.
    Waiting,
    /// A `RelayedMessage` log of it is in a destination block still on its chain.
    Relayed,
    /// A relay attempt failed (reported by a relayer); not relayed since.
    Failed,
    /// A block executing it was found invalid by the verifier (and is being or was replaced).
    Invalid,
    /// Its source block was rewound: the message no longer exists unless that block comes back.
    Replaced,
}

impl MessageState {
    /// Every state, in display order.
    pub const ALL: [MessageState; 6] = [
        MessageState::Sent,
        MessageState::Waiting,
        MessageState::Relayed,
        MessageState::Failed,
        MessageState::Invalid,
        MessageState::Replaced,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Sent => "sent",
            MessageState::Waiting => "waiting",
            MessageState::Relayed => "relayed",
            MessageState::Failed => "failed",
            MessageState::Invalid => "invalid",
            MessageState::Replaced => "replaced",
        }
    }
}

/// A block and a log index in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogPlace {
    /// The chain.
    pub chain: ChainId,
    /// Block number.
    pub block: u64,
    /// Block hash.
    pub block_hash: B256,
    /// Block timestamp (seconds).
    pub timestamp: u64,
    /// Block-wide log index.
    pub log_index: u32,
}

/// How one execution of a message on its destination ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum AttemptOutcome {
    /// An `ExecutingMessage` log of it is in a block, without a `RelayedMessage` of the messenger (yet).
    Executed,
    /// The messenger relayed it in that block.
    Relayed,
    /// A relay transaction reverted or was refused (reported by a relayer; such a relay leaves no log).
    Failed {
        /// Why.
        reason: String,
    },
    /// The verifier found the executing block invalid.
    Invalid {
        /// Why.
        reason: String,
    },
    /// The executing block was rewound (reorg or replacement).
    Reorged,
}

/// One relay attempt of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelayAttempt {
    /// Where its executing (or relayed) log is; `None` for a failed relay that left no log.
    pub place: Option<LogPlace>,
    /// The relay transaction, when known.
    pub transaction: Option<B256>,
    /// The executing message's payload hash differs from the sent log's: a forged relay.
    pub forged: bool,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// When the dashboard saw it (Unix milliseconds).
    pub seen_ms: u64,
}

/// The safety level of a message's source block at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SafetyStep {
    /// The level (`unsafe` … `finalized`).
    pub level: &'static str,
    /// When it reached it (Unix milliseconds).
    pub at_ms: u64,
}

/// One line of a message's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// When (Unix milliseconds).
    pub at_ms: u64,
    /// What happened.
    pub what: String,
}

/// Everything known about one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The message hash.
    pub hash: B256,
    /// The source chain.
    pub source: ChainId,
    /// The destination chain.
    pub destination: U256,
    /// The versioned nonce.
    pub nonce: U256,
    /// Who sent it.
    pub sender: Address,
    /// Whom it calls.
    pub target: Address,
    /// keccak256 of the `SentMessage` log's topics and data (what an executing message must name).
    pub payload_hash: B256,
    /// Its `SentMessage` log.
    pub sent: LogPlace,
    /// The send transaction, when known.
    pub sent_transaction: Option<B256>,
    /// Its state now.
    pub state: MessageState,
    /// The source block was rewound.
    pub source_rewound: bool,
    /// Every relay attempt.
    pub attempts: Vec<RelayAttempt>,
    /// The source block's safety over time.
    pub safety: Vec<SafetyStep>,
    /// What happened to it.
    pub history: Vec<HistoryEntry>,
}

impl Message {
    /// The attempt that relayed it, if one still stands.
    pub fn relay(&self) -> Option<&RelayAttempt> {
        self.attempts.iter().find(|a| a.outcome == AttemptOutcome::Relayed)
    }

    /// The state from the facts: a rewound source wins, then a standing relay, an invalid executing block,
    /// a failed relay, and the source block's safety.
    pub fn derive_state(&self) -> MessageState {
        if self.source_rewound {
            return MessageState::Replaced;
        }
        if self.relay().is_some() {
            return MessageState::Relayed;
        }
        let last = self.attempts.last().map(|a| &a.outcome);
        if self.attempts.iter().any(|a| matches!(a.outcome, AttemptOutcome::Invalid { .. }))
            && !matches!(last, Some(AttemptOutcome::Executed))
        {
            return MessageState::Invalid;
        }
        if matches!(last, Some(AttemptOutcome::Failed { .. })) {
            return MessageState::Failed;
        }
        match self.safety.last().map(|s| s.level) {
            Some(level) if level != SafetyLevel::Unsafe.as_str() => MessageState::Waiting,
            _ => MessageState::Sent,
        }
    }

    /// The short form the page lists.
    pub fn summary(&self) -> MessageSummary {
        let relay = self.relay().and_then(|a| a.place);
        MessageSummary {
            hash: self.hash,
            source: self.source,
            destination: self.destination,
            state: self.state,
            sent_block: self.sent.block,
            sent_timestamp: self.sent.timestamp,
            relay_block: relay.map(|p| p.block),
            latency_secs: relay.map(|p| p.timestamp.saturating_sub(self.sent.timestamp)),
            attempts: self.attempts.len(),
            forged_attempts: self.attempts.iter().filter(|a| a.forged).count(),
        }
    }
}

/// A message as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSummary {
    /// The message hash.
    pub hash: B256,
    /// The source chain.
    pub source: ChainId,
    /// The destination chain.
    pub destination: U256,
    /// Its state.
    pub state: MessageState,
    /// The source block number.
    pub sent_block: u64,
    /// The source block timestamp.
    pub sent_timestamp: u64,
    /// The block that relayed it.
    pub relay_block: Option<u64>,
    /// Relay block timestamp minus source block timestamp.
    pub latency_secs: Option<u64>,
    /// Relay attempts seen.
    pub attempts: usize,
    /// Attempts whose payload hash did not match.
    pub forged_attempts: usize,
}

/// A block as its lane shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockSummary {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Timestamp.
    pub timestamp: u64,
    /// `SentMessage` logs in it.
    pub sent: u32,
    /// `ExecutingMessage` logs in it.
    pub executed: u32,
    /// `RelayedMessage` logs in it.
    pub relayed: u32,
    /// The verifier found it invalid.
    pub invalid: bool,
}

/// One head, as the page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HeadView {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
}

impl From<BlockRef> for HeadView {
    fn from(block: BlockRef) -> Self {
        Self { number: block.number, hash: block.hash }
    }
}

/// A chain's five heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeadsView {
    /// Local-unsafe (the latest indexed block).
    pub unsafe_head: Option<HeadView>,
    /// Cross-unsafe.
    pub cross_unsafe: Option<HeadView>,
    /// Local-safe.
    pub local_safe: Option<HeadView>,
    /// Safe (cross-safe).
    pub safe: Option<HeadView>,
    /// Finalized.
    pub finalized: Option<HeadView>,
}

impl From<ChainHeads> for HeadsView {
    fn from(heads: ChainHeads) -> Self {
        Self {
            unsafe_head: heads.local_unsafe.map(Into::into),
            cross_unsafe: heads.cross_unsafe.map(Into::into),
            local_safe: heads.local_safe.map(Into::into),
            safe: heads.cross_safe.map(Into::into),
            finalized: heads.finalized.map(Into::into),
        }
    }
}

/// One chain's lane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneView {
    /// The chain.
    pub chain: ChainId,
    /// Its heads.
    pub heads: HeadsView,
    /// Its latest blocks, oldest first.
    pub blocks: Vec<BlockSummary>,
    /// Messages sent from it (tracked ones).
    pub sent: u64,
    /// Messages relayed into it.
    pub received: u64,
}

/// What kind of fault a marker shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// The verifier found a block invalid.
    Invalid,
    /// A chain was rewound (a reorg, or an invalid block replaced).
    Rewound,
}

/// A fault marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Order of appearance.
    pub id: u64,
    /// What.
    pub kind: FaultKind,
    /// The chain.
    pub chain: ChainId,
    /// The block (for a rewind: the first block dropped).
    pub block: u64,
    /// Details.
    pub detail: String,
    /// When (Unix milliseconds).
    pub at_ms: u64,
}

/// One relay latency sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencySample {
    /// The relay block's timestamp.
    pub timestamp: u64,
    /// Seconds from the send block to the relay block.
    pub latency_secs: u64,
}

/// Messages per block time (all chains), one point per second of block time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThroughputPoint {
    /// Block timestamp.
    pub timestamp: u64,
    /// Blocks with that timestamp.
    pub blocks: u32,
    /// Messages sent in them.
    pub sent: u32,
    /// Messages relayed in them.
    pub relayed: u32,
}

/// The bounds the tracker keeps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Messages kept (oldest dropped first).
    pub max_messages: usize,
    /// Blocks kept per chain.
    pub blocks_per_chain: usize,
    /// Messages listed in a snapshot.
    pub listed_messages: usize,
}

/// The whole state: the answer of `/api/state` and the first event of `/events`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateView {
    /// The sequence number of the last change included.
    pub seq: u64,
    /// Every chain's lane, by ascending chain ID.
    pub chains: Vec<LaneView>,
    /// The latest messages, newest first.
    pub messages: Vec<MessageSummary>,
    /// Messages kept, per state.
    pub counts: BTreeMap<&'static str, u64>,
    /// Fault markers, oldest first.
    pub faults: Vec<Fault>,
    /// Relay latency samples, oldest first.
    pub latency: Vec<LatencySample>,
    /// Messages per block time, oldest first.
    pub throughput: Vec<ThroughputPoint>,
    /// Verifier events the dashboard missed by falling behind.
    pub missed_events: u64,
    /// The bounds kept.
    pub limits: Limits,
}

/// What changed since the previous delta: one event of `/events` after the snapshot.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeltaView {
    /// The sequence number of the last change included.
    pub seq: u64,
    /// Lanes that changed.
    pub chains: Vec<LaneView>,
    /// Messages that changed.
    pub messages: Vec<MessageSummary>,
    /// Messages kept, per state.
    pub counts: BTreeMap<&'static str, u64>,
    /// New fault markers.
    pub faults: Vec<Fault>,
    /// New latency samples.
    pub latency: Vec<LatencySample>,
    /// Throughput points that changed.
    pub throughput: Vec<ThroughputPoint>,
    /// Verifier events missed so far.
    pub missed_events: u64,
}
