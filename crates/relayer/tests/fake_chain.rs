//! The autorelayer's decisions against in-memory chains that implement [`ChainClient`] directly (no sockets):
//! a destination that does not answer is retried until it does, a message for a chain nobody serves is
//! given up without a transaction, and a source chain that rewinds is scanned again from where it forked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use alloy_consensus::{Transaction, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolCall;
use superlink_protocol::{
    SentMessage,
    messenger::abi::{relayMessageCall, successfulMessagesCall},
    predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER as MESSENGER,
};
use superlink_relayer::{
    Autorelayer, AutorelayerConfig, Backoff, BlockInfo, CallRequest, ChainClient, ChainError, FeeEstimate,
    LogFilter, LogInfo, ReceiptInfo, StartFrom, Wallet,
};

const RELAYER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

#[derive(Default)]
struct State {
    latest: u64,
    blocks: HashMap<u64, BlockInfo>,
    logs: Vec<LogInfo>,
    relayed: HashSet<B256>,
    receipts: HashMap<B256, ReceiptInfo>,
    unreachable: bool,
    refused_requests: usize,
    nonce: u64,
    transactions: usize,
    /// Bumped by every rewind, so that blocks mined again at the same height get new hashes.
    generation: u64,
}

impl State {
    /// Mines an empty block and returns it.
    fn mine(&mut self) -> BlockInfo {
        self.latest += 1;
        let number = self.latest;
        let hash = keccak256([self.generation.to_be_bytes(), number.to_be_bytes()].concat());
        let block = BlockInfo { number, hash, timestamp: 1_000 + number, base_fee_per_gas: Some(1) };
        self.blocks.insert(number, block);
        block
    }
}

/// An in-memory chain whose messenger relays every well-formed message once.
#[derive(Clone)]
struct FakeChain {
    name: String,
    id: U256,
    state: Arc<Mutex<State>>,
}

impl FakeChain {
    fn new(id: u64) -> Self {
        Self { name: format!("fake-{id}"), id: U256::from(id), state: Arc::default() }
    }

    fn set_unreachable(&self, down: bool) {
        self.state.lock().unwrap().unreachable = down;
    }

    fn refused_requests(&self) -> usize {
        self.state.lock().unwrap().refused_requests
    }

    fn transactions(&self) -> usize {
        self.state.lock().unwrap().transactions
    }

    /// Mines a block holding one `SentMessage` to `destination`.
    fn send_message(&self, destination: u64, nonce: u64) {
        let (topics, data) = sent_message(destination, nonce).encode_log();
        let mut s = self.state.lock().unwrap();
        let block = s.mine();
        let number = block.number;
        s.logs.push(LogInfo {
            address: MESSENGER,
            topics,
            data,
            block_number: number,
            block_hash: block.hash,
            log_index: 0,
            transaction_hash: keccak256(block.hash),
            block_timestamp: None,
        });
    }

    /// Drops every block above `number` (and their logs), as a reorganisation or `evm_revert` does.
    fn rewind_to(&self, number: u64) {
        let mut s = self.state.lock().unwrap();
        s.latest = number;
        s.generation += 1;
        s.blocks.retain(|n, _| *n <= number);
        s.logs.retain(|l| l.block_number <= number);
    }

    /// Drops every block above `number` with the relays they held, as the replacement of an invalid block
    /// does: the messages count as not relayed and the senders' nonces go back.
    fn drop_relays_above(&self, number: u64) {
        let mut s = self.state.lock().unwrap();
        let dropped: Vec<B256> =
            s.receipts.iter().filter(|(_, r)| r.block_number > number).map(|(tx, _)| *tx).collect();
        for tx in &dropped {
            s.receipts.remove(tx);
        }
        s.relayed.clear();
        s.nonce -= dropped.len() as u64;
        s.transactions -= dropped.len();
        drop(s);
        self.rewind_to(number);
    }

    /// The hashes of the messages relayed on this chain.
    fn relayed(&self) -> HashSet<B256> {
        self.state.lock().unwrap().relayed.clone()
    }

    fn down(&self) -> Result<(), ChainError> {
        let mut s = self.state.lock().unwrap();
        if s.unreachable {
            s.refused_requests += 1;
            return Err(ChainError::Unreachable {
                endpoint: self.name.clone(),
                reason: "connection refused".into(),
            });
        }
        Ok(())
    }
}

/// The message every fake chain sends: "hello" from 0x10.. to 0x51.. on `destination`.
fn sent_message(destination: u64, nonce: u64) -> SentMessage {
    SentMessage {
        destination: U256::from(destination),
        target: Address::repeat_byte(0x51),
        nonce: U256::from(nonce),
        sender: Address::repeat_byte(0x10),
        message: Bytes::from_static(b"hello"),
    }
}

fn message_hash_of_relay(input: &[u8]) -> B256 {
    let call = relayMessageCall::abi_decode(input).unwrap();
    let payload = &call._sentMessage;
    let topics: Vec<B256> = payload[..128].chunks(32).map(B256::from_slice).collect();
    let sent = SentMessage::decode_log(MESSENGER, &topics, &payload[128..]).unwrap().unwrap();
    sent.message_hash(call._id.4)
}

impl ChainClient for FakeChain {
    fn endpoint(&self) -> &str {
        &self.name
    }

    async fn chain_id(&self) -> Result<U256, ChainError> {
        Ok(self.id)
    }

    async fn latest_block_number(&self) -> Result<u64, ChainError> {
        self.down()?;
        Ok(self.state.lock().unwrap().latest)
    }

    async fn block(&self, number: u64) -> Result<Option<BlockInfo>, ChainError> {
        self.down()?;
        Ok(self.state.lock().unwrap().blocks.get(&number).copied())
    }

    async fn receipt(&self, tx: B256) -> Result<Option<ReceiptInfo>, ChainError> {
        self.down()?;
        Ok(self.state.lock().unwrap().receipts.get(&tx).cloned())
    }

    async fn logs(&self, f: &LogFilter) -> Result<Vec<LogInfo>, ChainError> {
        self.down()?;
        let s = self.state.lock().unwrap();
        Ok(s.logs
            .iter()
            .filter(|l| (f.from_block..=f.to_block).contains(&l.block_number))
            .filter(|l| l.address == f.address && l.topics.first() == Some(&f.topic0))
            .filter(|l| f.topic3.is_none() || l.topics.get(3) == f.topic3.as_ref())
            .cloned()
            .collect())
    }

    async fn call(&self, call: &CallRequest) -> Result<Bytes, ChainError> {
        self.down()?;
        if let Ok(q) = successfulMessagesCall::abi_decode(&call.input) {
            let relayed = self.state.lock().unwrap().relayed.contains(&q._msgHash);
            return Ok(successfulMessagesCall::abi_encode_returns(&relayed).into());
        }
        let _ = message_hash_of_relay(&call.input);
        Ok(Bytes::new())
    }

    async fn estimate_gas(&self, call: &CallRequest) -> Result<u64, ChainError> {
        self.call(call).await.map(|_| 100_000)
    }

    async fn pending_nonce(&self, _account: Address) -> Result<u64, ChainError> {
        self.down()?;
        Ok(self.state.lock().unwrap().nonce)
    }

    async fn fees(&self) -> Result<FeeEstimate, ChainError> {
        self.down()?;
        Ok(FeeEstimate { max_fee_per_gas: 2, max_priority_fee_per_gas: 1 })
    }

    async fn send_raw_transaction(&self, raw: Bytes) -> Result<B256, ChainError> {
        self.down()?;
        let tx = TxEnvelope::decode_2718(&mut raw.as_ref()).unwrap();
        let mut s = self.state.lock().unwrap();
        assert_eq!(tx.nonce(), s.nonce, "the relayer uses the chain's next nonce");
        assert_eq!(tx.chain_id(), Some(self.id.to::<u64>()));
        let hash = message_hash_of_relay(tx.input());
        let first = s.relayed.insert(hash);
        let tx_hash = keccak256(&raw);
        s.nonce += 1;
        s.transactions += 1;
        let block = s.mine();
        let receipt = ReceiptInfo {
            transaction_hash: tx_hash,
            block_number: block.number,
            block_hash: block.hash,
            success: first,
            gas_used: 50_000,
            logs: Vec::new(),
        };
        s.receipts.insert(tx_hash, receipt);
        Ok(tx_hash)
    }
}

fn config() -> AutorelayerConfig {
    AutorelayerConfig {
        backoff: Backoff {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(2),
            max_attempts: 1000,
        },
        start: StartFrom::Genesis,
        ..AutorelayerConfig::default()
    }
}

/// Chains 901 and 902 and a relayer between them that scans from genesis.
async fn chains_901_902() -> (FakeChain, FakeChain, Autorelayer<FakeChain>) {
    let (a, b) = (FakeChain::new(901), FakeChain::new(902));
    let wallet = Wallet::from_private_key(RELAYER_KEY).unwrap();
    let relayer = Autorelayer::new(vec![a.clone(), b.clone()], wallet, config()).await.unwrap();
    (a, b, relayer)
}

async fn rounds(relayer: &mut Autorelayer<FakeChain>, n: usize) {
    for _ in 0..n {
        relayer.poll_once().await;
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

#[tokio::test]
async fn an_unreachable_destination_is_retried_until_it_answers() {
    let (a, b, mut relayer) = chains_901_902().await;
    a.send_message(902, 0);
    b.set_unreachable(true);
    rounds(&mut relayer, 10).await;
    assert!(relayer.stats().retries >= 3, "{:?}", relayer.stats());
    assert_eq!(relayer.pending_count(), 1);
    assert!(relayer.given_up().is_empty());
    assert_eq!(b.transactions(), 0);

    b.set_unreachable(false);
    rounds(&mut relayer, 3).await;
    assert_eq!(relayer.stats().relayed, 1, "{:?}", relayer.stats());
    assert_eq!(relayer.pending_count(), 0);
    rounds(&mut relayer, 3).await;
    assert_eq!(b.transactions(), 1, "delivered with a single transaction");
}

#[tokio::test]
async fn an_unreachable_destination_is_asked_once_per_round_whatever_the_number_of_messages() {
    let (a, b, mut relayer) = chains_901_902().await;
    for nonce in 0..5 {
        a.send_message(902, nonce);
    }
    b.set_unreachable(true);
    relayer.poll_once().await;
    // One refusal when scanning 902 for its own messages, one for the first relay check.
    assert_eq!(b.refused_requests(), 2);
    assert_eq!(relayer.pending_count(), 5);
    b.set_unreachable(false);
    tokio::time::sleep(Duration::from_millis(5)).await;
    rounds(&mut relayer, 3).await;
    assert_eq!(relayer.stats().relayed, 5);
    assert_eq!(b.transactions(), 5);
}

#[tokio::test]
async fn a_message_for_a_chain_nobody_serves_is_given_up_without_a_transaction() {
    let (a, b, mut relayer) = chains_901_902().await;
    a.send_message(999, 0);
    a.send_message(902, 1);
    rounds(&mut relayer, 3).await;
    assert_eq!(relayer.given_up().len(), 1);
    assert!(
        relayer.given_up()[0].reason.contains("destination chain 999"),
        "{}",
        relayer.given_up()[0].reason
    );
    assert_eq!(relayer.stats().relayed, 1);
    assert_eq!(b.transactions(), 1);
    assert_eq!(a.transactions(), 0);
    // The checkpoint moved past both messages: nothing is left to rescan.
    assert_eq!(relayer.checkpoint().get(&U256::from(901)), Some(&3));
}

fn message_hash(source: u64, destination: u64, nonce: u64) -> B256 {
    sent_message(destination, nonce).message_hash(U256::from(source))
}

#[tokio::test]
async fn messages_mined_again_after_the_source_rewinds_below_the_scanned_head_are_relayed() {
    let (a, b, mut relayer) = chains_901_902().await;
    a.send_message(902, 0);
    a.send_message(902, 1);
    rounds(&mut relayer, 3).await;
    assert_eq!(relayer.stats().relayed, 2);

    // The source goes back to genesis and mines other messages at the heights already scanned: one below the
    // old head, one at it.
    a.rewind_to(0);
    a.send_message(902, 7);
    a.send_message(902, 8);
    rounds(&mut relayer, 3).await;
    assert_eq!(relayer.stats().relayed, 4, "{:?}", relayer.stats());
    let relayed = b.relayed();
    assert!(relayed.contains(&message_hash(901, 902, 7)));
    assert!(relayed.contains(&message_hash(901, 902, 8)));
    assert_eq!(b.transactions(), 4);
    assert_eq!(relayer.pending_count(), 0);
}

#[tokio::test]
async fn a_pending_message_whose_source_block_was_replaced_is_dropped_not_relayed() {
    let (a, b, mut relayer) = chains_901_902().await;
    a.send_message(902, 0);
    a.send_message(902, 1);
    b.set_unreachable(true);
    rounds(&mut relayer, 2).await;
    assert_eq!(relayer.pending_count(), 2);

    // Block 2 is replaced by one without the message; block 1 stays.
    a.rewind_to(1);
    a.state.lock().unwrap().mine();
    b.set_unreachable(false);
    rounds(&mut relayer, 4).await;
    assert_eq!(relayer.pending_count(), 0, "{:?}", relayer.stats());
    assert_eq!(b.relayed(), HashSet::from([message_hash(901, 902, 0)]));
    assert_eq!(b.transactions(), 1);
    assert!(relayer.given_up().is_empty());
}

#[tokio::test]
async fn after_the_destination_drops_a_relay_the_next_relay_takes_the_nonce_the_chain_reports() {
    let (a, b, mut relayer) = chains_901_902().await;
    a.send_message(902, 0);
    rounds(&mut relayer, 3).await;
    assert_eq!(relayer.stats().relayed, 1);

    // The source equivocates: the message leaves block 1 and comes back in block 2. The destination's block
    // with the relay is replaced (the relay cited a block that is gone), taking the relayer's transaction with
    // it. The relay of the message sent again must use nonce 0 again, not the one after the dropped relay
    // (the fake chain refuses any nonce but the next).
    a.rewind_to(0);
    a.state.lock().unwrap().mine();
    a.send_message(902, 0);
    b.drop_relays_above(0);
    b.state.lock().unwrap().mine();
    rounds(&mut relayer, 4).await;
    assert_eq!(relayer.stats().relayed, 2, "{:?}", relayer.stats());
    assert_eq!(b.relayed(), HashSet::from([message_hash(901, 902, 0)]));
    assert_eq!(b.transactions(), 1);
}

#[tokio::test]
async fn a_message_found_relayed_is_relayed_again_when_its_destination_drops_the_relay() {
    let (a, b, mut relayer) = chains_901_902().await;
    a.send_message(902, 0);
    rounds(&mut relayer, 3).await;
    assert_eq!(relayer.stats().relayed, 1);

    // The source equivocates and sends the message again in another block, while the destination still holds
    // the first relay: the message counts as relayed.
    a.rewind_to(0);
    a.state.lock().unwrap().mine();
    a.send_message(902, 0);
    rounds(&mut relayer, 2).await;
    assert_eq!(relayer.pending_count(), 0);
    assert!(relayer.is_finished(&message_hash(901, 902, 0)));

    // Then the destination replaces the block with the first relay (its message is gone): the message sent
    // again is relayed again.
    b.drop_relays_above(0);
    b.state.lock().unwrap().mine();
    rounds(&mut relayer, 4).await;
    assert_eq!(b.relayed(), HashSet::from([message_hash(901, 902, 0)]), "{:?}", relayer.stats());
    assert_eq!(b.transactions(), 1);
    assert_eq!(relayer.stats().relayed, 2);
    assert_eq!(relayer.stats().relayed_by_others, 1, "the message found relayed, once");

    // A destination reorganisation above the relay's block checks the message again and changes nothing.
    let kept = b.state.lock().unwrap().latest;
    b.state.lock().unwrap().mine();
    rounds(&mut relayer, 2).await;
    b.rewind_to(kept);
    b.state.lock().unwrap().mine();
    rounds(&mut relayer, 3).await;
    assert_eq!(b.relayed(), HashSet::from([message_hash(901, 902, 0)]));
    assert_eq!(b.transactions(), 1);
    assert_eq!(relayer.stats().relayed_by_others, 1);
}
