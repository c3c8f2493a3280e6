//! The message and chain tracker: pure, fed with what the verifier ingests (every log of every block), its
//! rewinds and its heads, and by relayers with relays that failed without a log. It keeps each message's life
//! (send, relay attempts, the source block's safety over time), each chain's lane (heads, latest blocks), fault
//! markers and samples, within fixed bounds, and hands out a full snapshot or what changed since the last
//! delta.
//!
//! Bounds ([`TrackerConfig`]): at most `max_messages` messages (the oldest are dropped first, with their log
//! places), `blocks_per_chain` blocks per lane, `max_faults` markers, `max_samples` latency samples and
//! throughput points, `max_orphans` executing messages whose source log has not been seen yet, and
//! [`MAX_ENTRIES_PER_MESSAGE`] entries in each list of one message (the first and the latest).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use alloy_primitives::{B256, U256};
use superlink_protocol::{
    ExecutingMessage, SafetyLevel, SentMessage, messenger::RELAYED_MESSAGE_TOPIC, payload_hash,
    predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER,
};
use superlink_verifier::{ChainHeads, ChainId, HeadEvent, SafetyEvent, SourceBlock, SourceLog};

use crate::model::{
    AttemptOutcome, BlockSummary, DeltaView, Fault, FaultKind, HeadsView, HistoryEntry, LaneView,
    LatencySample, Limits, LogPlace, Message, MessageState, MessageSummary, RelayAttempt, SafetyStep,
    StateView, ThroughputPoint,
};

/// How much the tracker keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackerConfig {
    /// Messages kept; the oldest are dropped first.
    pub max_messages: usize,
    /// Blocks kept per chain lane.
    pub blocks_per_chain: usize,
    /// Blocks of each lane in a snapshot.
    pub blocks_shown: usize,
    /// Messages listed in a snapshot (newest first).
    pub listed_messages: usize,
    /// Fault markers kept.
    pub max_faults: usize,
    /// Latency samples and throughput points kept.
    pub max_samples: usize,
    /// Executing messages waiting for their source log.
    pub max_orphans: usize,
}

impl Default for TrackerConfig {
    /// 10,000 messages, 64 blocks per chain (16 shown), 200 listed messages, 200 faults, 600 samples, 1,000
    /// orphans.
    fn default() -> Self {
        Self {
            max_messages: 10_000,
            blocks_per_chain: 64,
            blocks_shown: 16,
            listed_messages: 200,
            max_faults: 200,
            max_samples: 600,
            max_orphans: 1_000,
        }
    }
}

/// A relay that failed without leaving a log, as a relayer reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRelay {
    /// The message hash.
    pub message: B256,
    /// The relay transaction, if one was sent.
    pub transaction: Option<B256>,
    /// Why it failed.
    pub reason: String,
}

#[derive(Debug, Default)]
struct Lane {
    heads: ChainHeads,
    blocks: VecDeque<BlockSummary>,
    sent: u64,
    received: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct LogKey {
    chain: ChainId,
    block: u64,
    log_index: u32,
}

#[derive(Debug, Clone)]
struct PendingExecution {
    place: LogPlace,
    payload_hash: B256,
}

#[derive(Debug, Default)]
struct Changes {
    chains: BTreeSet<ChainId>,
    messages: BTreeSet<B256>,
    faults_from: u64,
    latency: usize,
    throughput: BTreeSet<u64>,
}

/// The tracker. See the module documentation.
#[derive(Debug)]
pub struct Tracker {
    config: TrackerConfig,
    lanes: BTreeMap<ChainId, Lane>,
    messages: HashMap<B256, Message>,
    order: VecDeque<B256>,
    by_log: HashMap<LogKey, B256>,
    orphans: HashMap<LogKey, Vec<PendingExecution>>,
    orphan_order: VecDeque<LogKey>,
    /// Failed relays reported before the verifier indexed the message's send (a relayer reads the chain on its
    /// own and can be ahead), applied when the message appears; the oldest are dropped past `max_orphans`.
    early_failures: VecDeque<(FailedRelay, u64)>,
    faults: VecDeque<Fault>,
    next_fault: u64,
    latency: VecDeque<LatencySample>,
    throughput: BTreeMap<u64, ThroughputPoint>,
    missed: u64,
    seq: u64,
    changes: Changes,
}

/// Entries kept in each list of one message (history, relay attempts, safety steps).
pub const MAX_ENTRIES_PER_MESSAGE: usize = 64;

/// Drops the oldest entries but the first beyond [`MAX_ENTRIES_PER_MESSAGE`].
fn keep_first_and_latest<T>(entries: &mut Vec<T>) {
    if entries.len() > MAX_ENTRIES_PER_MESSAGE {
        entries.drain(1..=entries.len() - MAX_ENTRIES_PER_MESSAGE);
    }
}

fn level_of(heads: &ChainHeads, number: u64) -> SafetyLevel {
    let at_or_below = |head: Option<superlink_verifier::BlockRef>| head.is_some_and(|h| number <= h.number);
    if at_or_below(heads.finalized) {
        SafetyLevel::Finalized
    } else if at_or_below(heads.cross_safe) {
        SafetyLevel::Safe
    } else if at_or_below(heads.local_safe) {
        SafetyLevel::LocalSafe
    } else if at_or_below(heads.cross_unsafe) {
        SafetyLevel::CrossUnsafe
    } else {
        SafetyLevel::Unsafe
    }
}

impl Tracker {
    /// A tracker of `chains` (more lanes appear as their blocks arrive).
    pub fn new(config: TrackerConfig, chains: impl IntoIterator<Item = ChainId>) -> Self {
        let lanes: BTreeMap<ChainId, Lane> = chains.into_iter().map(|c| (c, Lane::default())).collect();
        let changes = Changes { chains: lanes.keys().copied().collect(), ..Changes::default() };
        Self {
            config,
            lanes,
            messages: HashMap::new(),
            order: VecDeque::new(),
            by_log: HashMap::new(),
            orphans: HashMap::new(),
            orphan_order: VecDeque::new(),
            early_failures: VecDeque::new(),
            faults: VecDeque::new(),
            next_fault: 0,
            latency: VecDeque::new(),
            throughput: BTreeMap::new(),
            missed: 0,
            seq: 0,
            changes,
        }
    }

    /// The bounds in force.
    pub fn config(&self) -> TrackerConfig {
        self.config
    }

    /// A message by its hash.
    pub fn message(&self, hash: &B256) -> Option<&Message> {
        self.messages.get(hash)
    }

    /// The message a `SentMessage`, `ExecutingMessage` or `RelayedMessage` log names, given the log's chain,
    /// block number and index (used to resolve transaction hashes).
    pub fn message_at(&self, chain: ChainId, block: u64, log_index: u32) -> Option<&Message> {
        if let Some(hash) = self.by_log.get(&LogKey { chain, block, log_index }) {
            return self.messages.get(hash);
        }
        self.messages.values().find(|m| {
            m.attempts.iter().any(|a| {
                a.place.is_some_and(|p| p.chain == chain && p.block == block && p.log_index == log_index)
            })
        })
    }

    /// Records the hash of the transaction that sent a message, or of a relay attempt at `place`.
    pub fn set_transaction(&mut self, message: &B256, place: Option<LogPlace>, transaction: B256) {
        let Some(m) = self.messages.get_mut(message) else { return };
        match place {
            Some(p) if p != m.sent => {
                for attempt in m.attempts.iter_mut().filter(|a| a.place == Some(p)) {
                    attempt.transaction = Some(transaction);
                }
            }
            _ => m.sent_transaction = Some(transaction),
        }
        self.touch_message(*message);
    }

    fn touch_message(&mut self, hash: B256) {
        self.seq += 1;
        self.changes.messages.insert(hash);
    }

    fn touch_chain(&mut self, chain: ChainId) {
        self.seq += 1;
        self.changes.chains.insert(chain);
    }

    /// Notes that the feed lost `count` events (the page says so).
    pub fn missed(&mut self, count: u64) {
        self.missed += count;
        self.seq += 1;
    }

    /// Takes in one indexed block of `chain` with every log.
    pub fn ingest(&mut self, chain: ChainId, block: &SourceBlock, now_ms: u64) {
        let mut summary = BlockSummary {
            number: block.block.number,
            hash: block.block.hash,
            timestamp: block.block.timestamp,
            sent: 0,
            executed: 0,
            relayed: 0,
            invalid: false,
        };
        for (log_index, log) in (0u32..).zip(&block.logs) {
            let place = LogPlace {
                chain,
                block: block.block.number,
                block_hash: block.block.hash,
                timestamp: block.block.timestamp,
                log_index,
            };
            if self.take_sent(place, log, now_ms) {
                summary.sent += 1;
            } else if self.take_executing(place, log, now_ms) {
                summary.executed += 1;
            } else if self.take_relayed(place, log, now_ms) {
                summary.relayed += 1;
            }
        }
        let point = self
            .throughput
            .entry(block.block.timestamp)
            .or_insert(ThroughputPoint { timestamp: block.block.timestamp, ..ThroughputPoint::default() });
        point.blocks += 1;
        point.sent += summary.sent;
        point.relayed += summary.relayed;
        self.changes.throughput.insert(block.block.timestamp);
        while self.throughput.len() > self.config.max_samples {
            self.throughput.pop_first();
        }
        let lane = self.lanes.entry(chain).or_default();
        // A block at a height already held (a replacement arriving without a rewind) takes its place.
        while lane.blocks.back().is_some_and(|b| b.number >= summary.number) {
            lane.blocks.pop_back();
        }
        lane.blocks.push_back(summary);
        while lane.blocks.len() > self.config.blocks_per_chain {
            lane.blocks.pop_front();
        }
        self.touch_chain(chain);
    }

    fn take_sent(&mut self, place: LogPlace, log: &SourceLog, now_ms: u64) -> bool {
        let Ok(Some(sent)) = SentMessage::decode_log(log.address, &log.topics, &log.data) else {
            return false;
        };
        let hash = sent.message_hash(U256::from(place.chain));
        let key = LogKey { chain: place.chain, block: place.block, log_index: place.log_index };
        let payload = payload_hash(&log.topics, &log.data);
        let level =
            self.lanes.get(&place.chain).map_or(SafetyLevel::Unsafe, |l| level_of(&l.heads, place.block));
        let what =
            format!("sent on chain {} in block #{} (log {})", place.chain, place.block, place.log_index);
        match self.messages.get_mut(&hash) {
            Some(existing) => {
                // The same message again: its source block came back after a rewind.
                existing.sent = place;
                existing.source_rewound = false;
                existing.history.push(HistoryEntry { at_ms: now_ms, what: format!("{what} again") });
            }
            None => {
                self.messages.insert(
                    hash,
                    Message {
                        hash,
                        source: place.chain,
                        destination: sent.destination,
                        nonce: sent.nonce,
                        sender: sent.sender,
                        target: sent.target,
                        payload_hash: payload,
                        sent: place,
                        sent_transaction: None,
                        state: MessageState::Sent,
                        source_rewound: false,
                        attempts: Vec::new(),
                        safety: vec![SafetyStep { level: level.as_str(), at_ms: now_ms }],
                        history: vec![HistoryEntry { at_ms: now_ms, what }],
                    },
                );
                self.order.push_back(hash);
                self.lanes.entry(place.chain).or_default().sent += 1;
                self.evict();
            }
        }
        self.by_log.insert(key, hash);
        self.settle(hash);
        if let Some(waiting) = self.orphans.remove(&key) {
            for pending in waiting {
                self.attach_execution(hash, pending, now_ms);
            }
        }
        let (early, rest): (VecDeque<_>, VecDeque<_>) =
            std::mem::take(&mut self.early_failures).into_iter().partition(|(f, _)| f.message == hash);
        self.early_failures = rest;
        for (failed, at_ms) in early {
            self.failed_relay(failed, at_ms);
        }
        true
    }

    fn take_executing(&mut self, place: LogPlace, log: &SourceLog, now_ms: u64) -> bool {
        let Ok(Some(exec)) = ExecutingMessage::decode_log(log.address, &log.topics, &log.data) else {
            return false;
        };
        let Ok(source) = ChainId::try_from(exec.identifier.chain_id) else { return true };
        let key = LogKey {
            chain: source,
            block: exec.identifier.block_number,
            log_index: exec.identifier.log_index,
        };
        let pending = PendingExecution { place, payload_hash: exec.msg_hash };
        match self.by_log.get(&key).copied() {
            Some(hash) => self.attach_execution(hash, pending, now_ms),
            None => {
                self.orphans.entry(key).or_default().push(pending);
                self.orphan_order.push_back(key);
                while self.orphan_order.len() > self.config.max_orphans {
                    if let Some(old) = self.orphan_order.pop_front() {
                        self.orphans.remove(&old);
                    }
                }
            }
        }
        true
    }

    fn attach_execution(&mut self, hash: B256, pending: PendingExecution, now_ms: u64) {
        let Some(message) = self.messages.get_mut(&hash) else { return };
        let forged = pending.payload_hash != message.payload_hash;
        let place = pending.place;
        message.attempts.push(RelayAttempt {
            place: Some(place),
            transaction: None,
            forged,
            outcome: AttemptOutcome::Executed,
            seen_ms: now_ms,
        });
        message.history.push(HistoryEntry {
            at_ms: now_ms,
            what: format!(
                "{}executed on chain {} in block #{} (log {})",
                if forged { "forged payload " } else { "" },
                place.chain,
                place.block,
                place.log_index
            ),
        });
        self.settle(hash);
    }

    fn take_relayed(&mut self, place: LogPlace, log: &SourceLog, now_ms: u64) -> bool {
        if log.address != L2_TO_L2_CROSS_DOMAIN_MESSENGER
            || log.topics.first() != Some(&RELAYED_MESSAGE_TOPIC)
        {
            return false;
        }
        let Some(hash) = log.topics.get(3).copied() else { return true };
        let Some(message) = self.messages.get_mut(&hash) else { return true };
        // The executing message of the same relay is earlier in the same block.
        let attempt = message.attempts.iter_mut().rev().find(|a| {
            a.outcome == AttemptOutcome::Executed
                && a.place.is_some_and(|p| p.chain == place.chain && p.block_hash == place.block_hash)
        });
        match attempt {
            Some(attempt) => attempt.outcome = AttemptOutcome::Relayed,
            None => message.attempts.push(RelayAttempt {
                place: Some(place),
                transaction: None,
                forged: false,
                outcome: AttemptOutcome::Relayed,
                seen_ms: now_ms,
            }),
        }
        let latency = place.timestamp.saturating_sub(message.sent.timestamp);
        message.history.push(HistoryEntry {
            at_ms: now_ms,
            what: format!("relayed on chain {} in block #{} after {latency} s", place.chain, place.block),
        });
        self.latency.push_back(LatencySample { timestamp: place.timestamp, latency_secs: latency });
        self.changes.latency += 1;
        while self.latency.len() > self.config.max_samples {
            self.latency.pop_front();
        }
        self.lanes.entry(place.chain).or_default().received += 1;
        self.settle(hash);
        true
    }

    /// Records a relay that failed without a log.
    pub fn failed_relay(&mut self, failed: FailedRelay, now_ms: u64) {
        let Some(message) = self.messages.get_mut(&failed.message) else {
            if self.early_failures.len() >= self.config.max_orphans {
                self.early_failures.pop_front();
            }
            self.early_failures.push_back((failed, now_ms));
            return;
        };
        message
            .history
            .push(HistoryEntry { at_ms: now_ms, what: format!("relay attempt failed: {}", failed.reason) });
        message.attempts.push(RelayAttempt {
            place: None,
            transaction: failed.transaction,
            forged: false,
            outcome: AttemptOutcome::Failed { reason: failed.reason },
            seen_ms: now_ms,
        });
        self.settle(failed.message);
    }

    /// Drops `chain`'s blocks after `to`: messages sent there lose their source, relays there are undone.
    pub fn rewind(&mut self, chain: ChainId, to: u64, now_ms: u64) {
        let lane = self.lanes.entry(chain).or_default();
        let dropped: Vec<u64> = lane.blocks.iter().filter(|b| b.number > to).map(|b| b.number).collect();
        lane.blocks.retain(|b| b.number <= to);
        self.touch_chain(chain);
        self.add_fault(
            FaultKind::Rewound,
            chain,
            to + 1,
            format!("rewound to #{to} ({} tracked block(s) dropped)", dropped.len()),
            now_ms,
        );
        self.by_log.retain(|key, _| key.chain != chain || key.block <= to);
        self.orphans.retain(|key, pending| {
            pending.retain(|p| p.place.chain != chain || p.place.block <= to);
            !pending.is_empty() && (key.chain != chain || key.block <= to)
        });
        let mut touched = Vec::new();
        for message in self.messages.values_mut() {
            let mut changed = false;
            if message.source == chain && message.sent.block > to && !message.source_rewound {
                message.source_rewound = true;
                message.history.push(HistoryEntry {
                    at_ms: now_ms,
                    what: format!("source block #{} rewound", message.sent.block),
                });
                changed = true;
            }
            for attempt in &mut message.attempts {
                let Some(place) = attempt.place else { continue };
                if place.chain == chain
                    && place.block > to
                    && matches!(attempt.outcome, AttemptOutcome::Executed | AttemptOutcome::Relayed)
                {
                    attempt.outcome = AttemptOutcome::Reorged;
                    message.history.push(HistoryEntry {
                        at_ms: now_ms,
                        what: format!("relay block #{} on chain {chain} rewound", place.block),
                    });
                    changed = true;
                }
            }
            if changed {
                touched.push(message.hash);
            }
        }
        for hash in touched {
            self.settle(hash);
        }
    }

    /// Takes in every chain's heads and what changed with them (blocks found invalid mark their executions).
    pub fn heads(&mut self, heads: &[(ChainId, ChainHeads)], events: &[HeadEvent], now_ms: u64) {
        let mut moved = BTreeSet::new();
        for (chain, new) in heads {
            let lane = self.lanes.entry(*chain).or_default();
            if lane.heads != *new {
                lane.heads = *new;
                moved.insert(*chain);
            }
        }
        for chain in &moved {
            self.touch_chain(*chain);
        }
        for event in events {
            if let SafetyEvent::Invalid { chain, number, reason } = &event.event {
                self.invalid_block(*chain, *number, event.level, reason, now_ms);
            }
        }
        if moved.is_empty() {
            return;
        }
        let mut touched = Vec::new();
        for message in self.messages.values_mut() {
            if !moved.contains(&message.source) || message.source_rewound {
                continue;
            }
            let Some(lane) = self.lanes.get(&message.source) else { continue };
            let level = level_of(&lane.heads, message.sent.block).as_str();
            if message.safety.last().map(|s| s.level) != Some(level) {
                message.safety.push(SafetyStep { level, at_ms: now_ms });
                touched.push(message.hash);
            }
        }
        for hash in touched {
            self.settle(hash);
        }
    }

    fn invalid_block(&mut self, chain: ChainId, number: u64, level: SafetyLevel, reason: &str, now_ms: u64) {
        let already =
            self.faults.iter().any(|f| f.kind == FaultKind::Invalid && f.chain == chain && f.block == number);
        if let Some(lane) = self.lanes.get_mut(&chain) {
            for block in lane.blocks.iter_mut().filter(|b| b.number == number) {
                block.invalid = true;
            }
        }
        self.touch_chain(chain);
        if !already {
            self.add_fault(
                FaultKind::Invalid,
                chain,
                number,
                format!("invalid at {}: {reason}", level.as_str()),
                now_ms,
            );
        }
        let mut touched = Vec::new();
        for message in self.messages.values_mut() {
            let mut changed = false;
            for attempt in &mut message.attempts {
                let Some(place) = attempt.place else { continue };
                if place.chain == chain
                    && place.block == number
                    && matches!(attempt.outcome, AttemptOutcome::Executed | AttemptOutcome::Relayed)
                {
                    attempt.outcome = AttemptOutcome::Invalid { reason: reason.to_string() };
                    changed = true;
                }
            }
            if changed {
                message.history.push(HistoryEntry {
                    at_ms: now_ms,
                    what: format!("executing block #{number} on chain {chain} found invalid: {reason}"),
                });
                touched.push(message.hash);
            }
        }
        for hash in touched {
            self.settle(hash);
        }
    }

    fn add_fault(&mut self, kind: FaultKind, chain: ChainId, block: u64, detail: String, at_ms: u64) {
        self.faults.push_back(Fault { id: self.next_fault, kind, chain, block, detail, at_ms });
        self.next_fault += 1;
        while self.faults.len() > self.config.max_faults {
            self.faults.pop_front();
        }
        self.seq += 1;
    }

    /// Recomputes a message's state, bounds its lists and marks it changed.
    fn settle(&mut self, hash: B256) {
        if let Some(message) = self.messages.get_mut(&hash) {
            message.state = message.derive_state();
            keep_first_and_latest(&mut message.history);
            keep_first_and_latest(&mut message.attempts);
            keep_first_and_latest(&mut message.safety);
        }
        self.touch_message(hash);
    }

    fn evict(&mut self) {
        while self.order.len() > self.config.max_messages {
            let Some(old) = self.order.pop_front() else { break };
            if let Some(message) = self.messages.remove(&old) {
                let key = LogKey {
                    chain: message.sent.chain,
                    block: message.sent.block,
                    log_index: message.sent.log_index,
                };
                if self.by_log.get(&key) == Some(&old) {
                    self.by_log.remove(&key);
                }
            }
            self.changes.messages.remove(&old);
        }
    }

    fn counts(&self) -> BTreeMap<&'static str, u64> {
        let mut counts: BTreeMap<&'static str, u64> =
            MessageState::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for message in self.messages.values() {
            *counts.entry(message.state.as_str()).or_default() += 1;
        }
        counts
    }

    fn lane_view(&self, chain: ChainId, lane: &Lane) -> LaneView {
        let skip = lane.blocks.len().saturating_sub(self.config.blocks_shown);
        LaneView {
            chain,
            heads: HeadsView::from(lane.heads),
            blocks: lane.blocks.iter().skip(skip).cloned().collect(),
            sent: lane.sent,
            received: lane.received,
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            max_messages: self.config.max_messages,
            blocks_per_chain: self.config.blocks_per_chain,
            listed_messages: self.config.listed_messages,
        }
    }

    /// The whole state as the page starts from it.
    pub fn snapshot(&self) -> StateView {
        let messages: Vec<MessageSummary> = self
            .order
            .iter()
            .rev()
            .filter_map(|h| self.messages.get(h))
            .take(self.config.listed_messages)
            .map(Message::summary)
            .collect();
        StateView {
            seq: self.seq,
            chains: self.lanes.iter().map(|(c, l)| self.lane_view(*c, l)).collect(),
            messages,
            counts: self.counts(),
            faults: self.faults.iter().cloned().collect(),
            latency: self.latency.iter().copied().collect(),
            throughput: self.throughput.values().copied().collect(),
            missed_events: self.missed,
            limits: self.limits(),
        }
    }

    /// What changed since the previous delta (or since the tracker began), or `None` when nothing did.
    pub fn take_delta(&mut self) -> Option<DeltaView> {
        let changes = std::mem::take(&mut self.changes);
        let faults: Vec<Fault> =
            self.faults.iter().filter(|f| f.id >= changes.faults_from).cloned().collect();
        self.changes.faults_from = self.next_fault;
        if changes.chains.is_empty()
            && changes.messages.is_empty()
            && faults.is_empty()
            && changes.latency == 0
            && changes.throughput.is_empty()
        {
            return None;
        }
        let latency_skip = self.latency.len().saturating_sub(changes.latency);
        Some(DeltaView {
            seq: self.seq,
            chains: changes
                .chains
                .iter()
                .filter_map(|c| self.lanes.get(c).map(|l| self.lane_view(*c, l)))
                .collect(),
            messages: changes
                .messages
                .iter()
                .filter_map(|h| self.messages.get(h))
                .map(Message::summary)
                .collect(),
            counts: self.counts(),
            faults,
            latency: self.latency.iter().skip(latency_skip).copied().collect(),
            throughput: changes.throughput.iter().filter_map(|t| self.throughput.get(t)).copied().collect(),
            missed_events: self.missed,
        })
    }
}

#[cfg(test)]
#[path = "tracker_tests.rs"]
mod tests;
