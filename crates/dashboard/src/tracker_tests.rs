//! Tests of the tracker: each message state through send, relay, failed relay, a rewound source, an invalid
//! executing block and its replacement; bounds; and a 100-chain state that stays small.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolEvent;
use superlink_protocol::{
    ExecutingMessage, Identifier, SafetyLevel, SentMessage,
    messenger::abi::RelayedMessage,
    payload_hash,
    predeploys::{CROSS_L2_INBOX, L2_TO_L2_CROSS_DOMAIN_MESSENGER},
};
use superlink_verifier::{BlockRef, ChainHeads, ChainId, HeadEvent, SafetyEvent, SourceBlock, SourceLog};

use super::*;

const A: ChainId = 901;
const B: ChainId = 902;

fn block(chain: ChainId, number: u64, variant: u8, logs: Vec<SourceLog>) -> SourceBlock {
    let hash = keccak256([chain.to_be_bytes().as_slice(), &number.to_be_bytes(), &[variant]].concat());
    SourceBlock {
        block: BlockRef { hash, number, parent_hash: B256::ZERO, timestamp: 1_000 + number * 2 },
        logs,
    }
}

fn sent(destination: ChainId, nonce: u64) -> (SentMessage, SourceLog) {
    let message = SentMessage {
        destination: U256::from(destination),
        target: Address::repeat_byte(0x77),
        nonce: U256::from(nonce),
        sender: Address::repeat_byte(0x55),
        message: Bytes::from_static(b"increment()"),
    };
    let (topics, data) = message.encode_log();
    (message, SourceLog { address: L2_TO_L2_CROSS_DOMAIN_MESSENGER, topics, data })
}

fn executing(source: &SourceBlock, log_index: u32, source_chain: ChainId, forge: bool) -> SourceLog {
    let log = &source.logs[log_index as usize];
    let mut msg_hash = payload_hash(&log.topics, &log.data);
    if forge {
        msg_hash = keccak256(msg_hash);
    }
    let exec = ExecutingMessage {
        identifier: Identifier {
            origin: L2_TO_L2_CROSS_DOMAIN_MESSENGER,
            block_number: source.block.number,
            log_index,
            timestamp: source.block.timestamp,
            chain_id: U256::from(source_chain),
        },
        msg_hash,
    };
    let (topics, data) = exec.encode_log();
    SourceLog { address: CROSS_L2_INBOX, topics, data }
}

fn relayed(source_chain: ChainId, message: &SentMessage) -> SourceLog {
    let event = RelayedMessage {
        source: U256::from(source_chain),
        messageNonce: message.nonce,
        messageHash: message.message_hash(U256::from(source_chain)),
        returnDataHash: B256::ZERO,
    };
    let (topics, data) = event.encode_log_data().split();
    SourceLog { address: L2_TO_L2_CROSS_DOMAIN_MESSENGER, topics, data }
}

fn heads_at(number: u64, cross_unsafe: u64) -> ChainHeads {
    let at =
        |n: u64| Some(BlockRef { hash: B256::with_last_byte(n as u8), number: n, ..BlockRef::default() });
    ChainHeads { local_unsafe: at(number), cross_unsafe: at(cross_unsafe), ..ChainHeads::default() }
}

fn tracker() -> Tracker {
    Tracker::new(TrackerConfig::default(), [A, B])
}

/// Sends one message A -> B in A's block 5; returns it and the source block.
fn send_one(tracker: &mut Tracker) -> (SentMessage, SourceBlock, B256) {
    let (message, log) = sent(B, 0);
    let source =
        block(A, 5, 0, vec![SourceLog { address: Address::ZERO, topics: vec![], data: Bytes::new() }, log]);
    tracker.ingest(A, &source, 10);
    let hash = message.message_hash(U256::from(A));
    (message, source, hash)
}

#[test]
fn a_message_goes_from_sent_to_waiting_to_relayed_with_its_latency_and_history() {
    let mut tracker = tracker();
    let (message, source, hash) = send_one(&mut tracker);
    assert_eq!(tracker.message(&hash).map(|m| m.state), Some(MessageState::Sent));

    tracker.heads(&[(A, heads_at(5, 5)), (B, heads_at(3, 3))], &[], 20);
    let m = tracker.message(&hash).unwrap();
    assert_eq!(m.state, MessageState::Waiting);
    assert_eq!(m.safety.iter().map(|s| s.level).collect::<Vec<_>>(), ["unsafe", "cross-unsafe"]);

    let relay = block(B, 7, 0, vec![executing(&source, 1, A, false), relayed(A, &message)]);
    tracker.ingest(B, &relay, 30);
    let m = tracker.message(&hash).unwrap();
    assert_eq!(m.state, MessageState::Relayed);
    assert_eq!(m.attempts.len(), 1, "the executing and relayed logs of one relay are one attempt");
    assert!(!m.attempts[0].forged);
    let summary = m.summary();
    assert_eq!(summary.relay_block, Some(7));
    assert_eq!(summary.latency_secs, Some(4));
    assert_eq!(summary.latency_secs, Some(relay.block.timestamp - source.block.timestamp));
    assert_eq!(m.history.len(), 3, "{:?}", m.history);

    let state = tracker.snapshot();
    assert_eq!(state.counts["relayed"], 1);
    assert_eq!(state.latency.len(), 1);
    let lane_b = state.chains.iter().find(|l| l.chain == B).unwrap();
    assert_eq!((lane_b.received, lane_b.blocks[0].executed, lane_b.blocks[0].relayed), (1, 1, 1));
}

#[test]
fn a_failed_relay_shows_failed_until_a_later_relay_succeeds() {
    let mut tracker = tracker();
    let (message, source, hash) = send_one(&mut tracker);
    tracker.heads(&[(A, heads_at(5, 5))], &[], 20);
    let reverted = B256::repeat_byte(0xee);
    tracker.failed_relay(
        FailedRelay { message: hash, transaction: Some(reverted), reason: "target reverted".into() },
        25,
    );
    let m = tracker.message(&hash).unwrap();
    assert_eq!(m.state, MessageState::Failed);
    assert_eq!(m.attempts[0].transaction, Some(reverted));

    tracker.ingest(B, &block(B, 4, 0, vec![executing(&source, 1, A, false), relayed(A, &message)]), 30);
    assert_eq!(tracker.message(&hash).map(|m| m.state), Some(MessageState::Relayed));
}

#[test]
fn a_failed_relay_reported_before_the_send_is_indexed_shows_once_the_send_arrives() {
    let mut tracker = tracker();
    let (message, log) = sent(B, 0);
    let hash = message.message_hash(U256::from(A));
    tracker
        .failed_relay(FailedRelay { message: hash, transaction: None, reason: "target reverted".into() }, 5);
    assert!(tracker.message(&hash).is_none());
    let source =
        block(A, 5, 0, vec![SourceLog { address: Address::ZERO, topics: vec![], data: Bytes::new() }, log]);
    tracker.ingest(A, &source, 10);
    let m = tracker.message(&hash).unwrap();
    assert_eq!(m.state, MessageState::Failed);
    assert_eq!(m.attempts.len(), 1);
}

#[test]
fn a_rewound_source_block_replaces_the_message_and_its_return_restores_it() {
    let mut tracker = tracker();
    let (_, source, hash) = send_one(&mut tracker);
    tracker.rewind(A, 4, 20);
    let m = tracker.message(&hash).unwrap();
    assert_eq!(m.state, MessageState::Replaced);
    let state = tracker.snapshot();
    assert!(state.faults.iter().any(|f| f.kind == FaultKind::Rewound && f.chain == A && f.block == 5));
    assert!(state.chains.iter().find(|l| l.chain == A).unwrap().blocks.is_empty());

    // The same block comes back: the message exists again.
    tracker.ingest(A, &source, 30);
    assert_eq!(tracker.message(&hash).map(|m| m.state), Some(MessageState::Sent));
}

#[test]
fn an_invalid_executing_block_marks_the_message_invalid_through_its_replacement_until_relayed_again() {
    let mut tracker = tracker();
    let (message, source, hash) = send_one(&mut tracker);
    tracker.heads(&[(A, heads_at(5, 5))], &[], 15);
    tracker.ingest(B, &block(B, 4, 0, vec![executing(&source, 1, A, false), relayed(A, &message)]), 20);
    assert_eq!(tracker.message(&hash).map(|m| m.state), Some(MessageState::Relayed));

    let invalid = HeadEvent {
        level: SafetyLevel::CrossUnsafe,
        event: SafetyEvent::Invalid { chain: B, number: 4, reason: "source log changed".into() },
    };
    tracker.heads(&[(A, heads_at(5, 5)), (B, heads_at(4, 3))], &[invalid], 30);
    let m = tracker.message(&hash).unwrap();
    assert_eq!(m.state, MessageState::Invalid);
    assert!(
        matches!(&m.attempts[0].outcome, AttemptOutcome::Invalid { reason } if reason == "source log changed")
    );
    let state = tracker.snapshot();
    assert!(state.faults.iter().any(|f| f.kind == FaultKind::Invalid && f.chain == B && f.block == 4));
    assert!(
        state.chains.iter().find(|l| l.chain == B).unwrap().blocks.iter().any(|b| b.number == 4 && b.invalid)
    );

    // The devnet replaces block 4 with a deposits-only block: the message stays invalid, the block is gone.
    tracker.rewind(B, 3, 40);
    tracker.ingest(B, &block(B, 4, 1, vec![]), 41);
    assert_eq!(tracker.message(&hash).map(|m| m.state), Some(MessageState::Invalid));
    let lane = tracker.snapshot().chains.into_iter().find(|l| l.chain == B).unwrap();
    assert!(lane.blocks.iter().all(|b| !b.invalid), "the replacement block is not invalid");

    // A new relay in block 5 delivers it.
    tracker.ingest(B, &block(B, 5, 0, vec![executing(&source, 1, A, false), relayed(A, &message)]), 50);
    let m = tracker.message(&hash).unwrap();
    assert_eq!(m.state, MessageState::Relayed);
    assert_eq!(m.attempts.len(), 2);
}

#[test]
fn a_rewound_relay_block_sends_the_message_back_to_waiting() {
    let mut tracker = tracker();
    let (message, source, hash) = send_one(&mut tracker);
    tracker.heads(&[(A, heads_at(5, 5))], &[], 15);
    tracker.ingest(B, &block(B, 4, 0, vec![executing(&source, 1, A, false), relayed(A, &message)]), 20);
    tracker.rewind(B, 3, 30);
    let m = tracker.message(&hash).unwrap();
    assert_eq!(m.state, MessageState::Waiting);
    assert_eq!(m.attempts[0].outcome, AttemptOutcome::Reorged);
}

#[test]
fn a_forged_execution_is_flagged_and_does_not_relay() {
    let mut tracker = tracker();
    let (_, source, hash) = send_one(&mut tracker);
    tracker.ingest(B, &block(B, 4, 0, vec![executing(&source, 1, A, true)]), 20);
    let m = tracker.message(&hash).unwrap();
    assert!(m.attempts[0].forged);
    assert_ne!(m.state, MessageState::Relayed);
    assert_eq!(m.summary().forged_attempts, 1);
}

#[test]
fn an_execution_seen_before_its_source_attaches_when_the_source_arrives() {
    let mut tracker = tracker();
    let (message, log) = sent(B, 0);
    let source = block(A, 5, 0, vec![log]);
    tracker.ingest(B, &block(B, 4, 0, vec![executing(&source, 0, A, false), relayed(A, &message)]), 10);
    tracker.ingest(A, &source, 11);
    let hash = message.message_hash(U256::from(A));
    let m = tracker.message(&hash).unwrap();
    assert_eq!(m.attempts.len(), 1);
    assert_eq!(m.attempts[0].outcome, AttemptOutcome::Executed, "the relayed log came before the message");
}

#[test]
fn memory_stays_bounded_oldest_messages_and_blocks_go_first() {
    let config = TrackerConfig { max_messages: 5, blocks_per_chain: 3, ..TrackerConfig::default() };
    let mut tracker = Tracker::new(config, [A, B]);
    let mut hashes = Vec::new();
    for n in 0..10u64 {
        let (message, log) = sent(B, n);
        tracker.ingest(A, &block(A, n, 0, vec![log]), n);
        hashes.push(message.message_hash(U256::from(A)));
    }
    assert!(tracker.message(&hashes[4]).is_none());
    assert!(tracker.message(&hashes[5]).is_some());
    let state = tracker.snapshot();
    assert_eq!(state.messages.len(), 5);
    assert_eq!(state.messages[0].hash, hashes[9], "newest first");
    assert_eq!(state.chains.iter().find(|l| l.chain == A).unwrap().blocks.len(), 3);
}

#[test]
fn deltas_carry_only_what_changed_and_nothing_when_nothing_did() {
    let mut tracker = tracker();
    assert!(tracker.take_delta().is_some(), "the first delta names the lanes");
    assert!(tracker.take_delta().is_none());
    let (_, _, hash) = send_one(&mut tracker);
    let delta = tracker.take_delta().unwrap();
    assert_eq!(delta.chains.iter().map(|l| l.chain).collect::<Vec<_>>(), [A]);
    assert_eq!(delta.messages.iter().map(|m| m.hash).collect::<Vec<_>>(), [hash]);
    tracker.rewind(B, 0, 20);
    let delta = tracker.take_delta().unwrap();
    assert_eq!(delta.faults.len(), 1);
    assert!(delta.messages.is_empty());
}

#[test]
fn a_hundred_chains_with_many_messages_give_a_state_of_bounded_size() {
    let chains: Vec<ChainId> = (1..=100).map(|i| 900 + i).collect();
    let mut tracker = Tracker::new(TrackerConfig::default(), chains.iter().copied());
    for round in 0..40u64 {
        for (i, chain) in chains.iter().enumerate() {
            let destination = chains[(i + 1) % chains.len()];
            let logs = (0..5).map(|k| sent(destination, round * 5 + k).1).collect();
            tracker.ingest(*chain, &block(*chain, round, 0, logs), round);
        }
        let heads: Vec<_> = chains.iter().map(|c| (*c, heads_at(round, round.saturating_sub(1)))).collect();
        tracker.heads(&heads, &[], round);
    }
    let state = tracker.snapshot();
    assert_eq!(state.chains.len(), 100);
    assert_eq!(state.counts.values().sum::<u64>(), 10_000, "20,000 sent, the newest 10,000 kept");
    let json = serde_json::to_string(&state).unwrap();
    // 100 lanes of 16 blocks and 200 listed messages, whatever the number kept.
    assert!(json.len() < 1_500_000, "state is {} bytes", json.len());
    assert_eq!(state.messages.len(), 200);
}

#[test]
fn a_message_keeps_its_first_and_latest_entries_whatever_the_number_of_attempts() {
    let mut tracker = tracker();
    let (_, source, hash) = send_one(&mut tracker);
    for n in 0..200u64 {
        tracker.ingest(B, &block(B, 10 + n, 0, vec![executing(&source, 1, A, true)]), 20 + n);
    }
    let m = tracker.message(&hash).unwrap();
    assert_eq!(m.attempts.len(), MAX_ENTRIES_PER_MESSAGE);
    assert_eq!(m.history.len(), MAX_ENTRIES_PER_MESSAGE);
    assert!(m.history[0].what.starts_with("sent on chain 901"), "{:?}", m.history[0]);
    assert_eq!(m.attempts.last().and_then(|a| a.place).map(|p| p.block), Some(209));
}
