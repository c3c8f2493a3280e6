//! The autorelayer: follows every chain's `SentMessage` logs and relays each message to its destination.
//!
//! Each round it (1) scans every chain from its cursor with `eth_getLogs` in bounded block ranges, turning
//! `SentMessage` logs into [`RelayableMessage`]s, then (2) works through the pending messages: a message with a
//! relay transaction in flight is confirmed from its receipt and `successfulMessages`; any other is checked
//! (`successfulMessages`, then a simulation) and sent. A message is never sent while a relay of it is in flight
//! or once it is known relayed. Failures that can pass (a node unreachable, a transaction pool that does not
//! know the source block yet, a nonce race, a transaction not mined in time) are retried with exponential
//! backoff; failures that cannot (the target reverts, a message for a chain we do not serve) give the message
//! up with a logged reason. Each scan remembers the hash of the last block it read; when a later round finds
//! that block replaced (a reorganisation, a rewind, a deposits-only replacement), the relayer forgets what it
//! learnt from the replaced blocks and scans again from the newest block it read that is still canonical; the
//! messages it had seen delivered to that chain are checked again, and relayed again if their relay left with
//! the replaced blocks.
//! [`Autorelayer::checkpoint`] gives, per chain, the block from which a restarted
//! relayer must scan so that no unfinished message is missed. Counters are exported through `metrics`
//! (`superlink_relayer_{messages_found,transactions_sent,relayed,retries,given_up}_total`).

use std::{
    collections::{BTreeMap, HashMap, HashSet, VecDeque},
    io::Write,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use alloy_primitives::{B256, U256};
use serde::Serialize;
use superlink_protocol::{messenger::SENT_MESSAGE_TOPIC, predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::{
    backoff::Backoff,
    chain::{ChainClient, LogFilter, LogInfo},
    error::{ChainError, RelayError},
    message::RelayableMessage,
    relay::{check_relay, confirm_relay, send_relay},
    wallet::Wallet,
};

/// Where the relayer starts scanning a chain it has no checkpoint for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartFrom {
    /// From block 0: every message ever sent.
    Genesis,
    /// From the block after the latest one when the relayer starts: only new messages.
    Latest,
}

/// How the autorelayer behaves.
#[derive(Debug, Clone)]
pub struct AutorelayerConfig {
    /// Pause between rounds.
    pub poll_interval: Duration,
    /// Most blocks asked for in one `eth_getLogs`.
    pub max_block_range: u64,
    /// Delays between failed attempts at one message, and when to give it up.
    pub backoff: Backoff,
    /// How long a relay transaction may stay unmined before it is considered dropped and the message retried.
    pub inflight_timeout: Duration,
    /// Where to start on chains without a checkpoint.
    pub start: StartFrom,
    /// A JSON file that keeps the checkpoint across restarts (read at start, written after every round).
    pub checkpoint_file: Option<PathBuf>,
    /// Where every message given up is also sent, for an observer such as the dashboard (dropped when the
    /// observer falls behind: the relayer never waits for it).
    pub given_up_sink: Option<tokio::sync::mpsc::Sender<GivenUp>>,
}

impl Default for AutorelayerConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(250),
            max_block_range: 1000,
            backoff: Backoff::default(),
            inflight_timeout: Duration::from_secs(60),
            start: StartFrom::Latest,
            checkpoint_file: None,
            given_up_sink: None,
        }
    }
}

/// A message the relayer stopped trying to relay, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GivenUp {
    /// The message.
    pub message: RelayableMessage,
    /// Why it was given up.
    pub reason: String,
}

/// Counters of what the relayer did since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelayerStats {
    /// Distinct messages found on the source chains.
    pub messages_found: u64,
    /// Relay transactions sent.
    pub transactions_sent: u64,
    /// Messages relayed by our transactions.
    pub relayed: u64,
    /// Messages found relayed by someone else.
    pub relayed_by_others: u64,
    /// Failed attempts that were scheduled again.
    pub retries: u64,
    /// Messages given up.
    pub given_up: u64,
    /// Gas used by our successful relay transactions.
    pub gas_used: u64,
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// New messages found.
    pub found: usize,
    /// Relay transactions sent.
    pub sent: usize,
    /// Messages confirmed relayed (by us or others).
    pub finished: usize,
    /// Messages still pending after the round.
    pub pending: usize,
}

/// Scan ends remembered per chain to find where a reorganisation forked (one per round that read new blocks).
const ANCHORS_KEPT: usize = 64;
/// Given-up messages kept for [`Autorelayer::given_up`]; older ones are only in the logs.
const GIVEN_UP_KEPT: usize = 1024;

#[derive(Debug)]
struct Pending {
    message: RelayableMessage,
    failures: u32,
    next_attempt: Instant,
    in_flight: Option<(B256, Instant)>,
    /// Delivered before, and checked again because its destination reorganised: found still relayed, it is not
    /// counted a second time.
    recheck: bool,
}

impl Pending {
    fn new(message: RelayableMessage, recheck: bool) -> Self {
        Self { message, failures: 0, next_attempt: Instant::now(), in_flight: None, recheck }
    }
}

/// A message the relayer is done with, remembered while its source block can still be scanned again.
#[derive(Debug)]
struct Finished {
    /// The source chain and the block the message was found in.
    source: (U256, u64),
    /// The message, when it was delivered (by us or by someone else): a reorganisation of its destination can
    /// take the relay away with the replaced blocks, and then the message is relayed again.
    delivered: Option<RelayableMessage>,
}

/// Relays every message sent between a set of chains.
#[derive(Debug)]
pub struct Autorelayer<C: ChainClient> {
    chains: BTreeMap<U256, C>,
    wallet: Wallet,
    config: AutorelayerConfig,
    cursors: BTreeMap<U256, u64>,
    /// Where each chain's scan began (what a reorganisation deeper than every anchor rescans from).
    origins: BTreeMap<U256, u64>,
    /// Per chain, (number, hash) of the last block of recent scans, oldest first.
    anchors: BTreeMap<U256, VecDeque<(u64, B256)>>,
    pending: BTreeMap<B256, Pending>,
    /// Messages finished (relayed or given up), with the source chain and block they were found in. Kept while
    /// that block can still be scanned again; older ones are protected by the messenger's replay check.
    finished: HashMap<B256, Finished>,
    given_up: Vec<GivenUp>,
    stats: RelayerStats,
    published: watch::Sender<RelayerStats>,
    /// The checkpoint as last read from or written to the checkpoint file (rewritten only when it changes).
    saved_checkpoint: Option<BTreeMap<U256, u64>>,
}

/// Why the autorelayer could not start.
#[derive(Debug, thiserror::Error)]
pub enum AutorelayerError {
    /// A chain did not answer its chain ID or latest block.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Two endpoints serve the same chain.
    #[error("two endpoints serve chain {0}")]
    DuplicateChain(U256),
    /// The checkpoint file cannot be read or written.
    #[error("checkpoint file {path}: {reason}")]
    Checkpoint {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

impl<C: ChainClient> Autorelayer<C> {
    /// A relayer between `chains` that sends relays from `wallet`. Asks each chain its ID (and, for
    /// [`StartFrom::Latest`], its latest block) and reads the checkpoint file if one is configured.
    pub async fn new(
        chains: Vec<C>,
        wallet: Wallet,
        config: AutorelayerConfig,
    ) -> Result<Self, AutorelayerError> {
        let saved = match &config.checkpoint_file {
            Some(path) => {
                let path = path.clone();
                blocking_io(&path.clone(), move || read_checkpoint(&path)).await?
            }
            None => BTreeMap::new(),
        };
        let mut by_id = BTreeMap::new();
        let mut cursors = BTreeMap::new();
        for chain in chains {
            let id = chain.chain_id().await?;
            let start = match (saved.get(&id), config.start) {
                (Some(block), _) => *block,
                (None, StartFrom::Genesis) => 0,
                (None, StartFrom::Latest) => chain.latest_block_number().await?.saturating_add(1),
            };
            if by_id.insert(id, chain).is_some() {
                return Err(AutorelayerError::DuplicateChain(id));
            }
            cursors.insert(id, start);
        }
        info!(chains = ?cursors.keys().collect::<Vec<_>>(), relayer = %wallet.address(), "autorelayer ready");
        Ok(Self {
            chains: by_id,
            wallet,
            config,
            origins: cursors.clone(),
            anchors: BTreeMap::new(),
            cursors,
            pending: BTreeMap::new(),
            finished: HashMap::new(),
            given_up: Vec::new(),
            stats: RelayerStats::default(),
            published: watch::Sender::new(RelayerStats::default()),
            saved_checkpoint: Some(saved),
        })
    }

    /// Writes the checkpoint file (when one is configured and the checkpoint changed), on the blocking thread
    /// pool: the write is flushed to disk before it replaces the previous file.
    async fn save_checkpoint(&mut self) {
        let Some(path) = self.config.checkpoint_file.clone() else { return };
        let points = self.checkpoint();
        if self.saved_checkpoint.as_ref() == Some(&points) {
            return;
        }
        let written = points.clone();
        match blocking_io(&path.clone(), move || write_checkpoint(&path, &written)).await {
            Ok(()) => self.saved_checkpoint = Some(points),
            Err(e) => warn!(error = %e, "could not write the relayer checkpoint"),
        }
    }

    /// Scans `chain_id` from `block` on (for a resume point kept elsewhere).
    pub fn start_at(&mut self, chain_id: U256, block: u64) {
        if self.chains.contains_key(&chain_id) {
            self.cursors.insert(chain_id, block);
            self.origins.insert(chain_id, block);
            self.anchors.remove(&chain_id);
        }
    }

    /// Per chain, the block from which a restarted relayer must scan: the next unscanned block, or the block of
    /// the oldest unfinished message from that chain if earlier.
    pub fn checkpoint(&self) -> BTreeMap<U256, u64> {
        let mut points = self.cursors.clone();
        for pending in self.pending.values() {
            let id = &pending.message.identifier;
            if let Some(point) = points.get_mut(&id.chain_id) {
                *point = (*point).min(id.block_number);
            }
        }
        points
    }

    /// What the relayer did so far.
    pub fn stats(&self) -> RelayerStats {
        self.stats
    }

    /// A receiver of the counters, updated after every round: lets others watch a relayer that [`Self::run`]
    /// owns.
    pub fn subscribe(&self) -> watch::Receiver<RelayerStats> {
        self.published.subscribe()
    }

    /// The messages given up, with their reasons.
    pub fn given_up(&self) -> &[GivenUp] {
        &self.given_up
    }

    /// Number of messages not finished yet.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// Whether the message `message_hash` was recently relayed (by us or found relayed) or given up.
    pub fn is_finished(&self, message_hash: &B256) -> bool {
        self.finished.contains_key(message_hash)
    }

    /// Runs rounds every `poll_interval` until `shutdown` turns `true` (or its sender is dropped); returns the
    /// relayer so that its counters can be read.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> Self {
        loop {
            if *shutdown.borrow() {
                break;
            }
            let report = self.poll_once().await;
            if report.found + report.sent + report.finished > 0 {
                debug!(?report, "autorelayer round");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.poll_interval) => {}
                changed = shutdown.changed() => if changed.is_err() { break },
            }
        }
        info!(stats = ?self.stats, "autorelayer stopped");
        self
    }

    /// One round: scan every chain for new messages, then advance every pending message.
    pub async fn poll_once(&mut self) -> RoundReport {
        let mut report = RoundReport::default();
        let ids: Vec<U256> = self.chains.keys().copied().collect();
        for id in &ids {
            report.found += self.scan(*id).await;
        }
        let (sent, finished) = self.advance(true).await;
        report.sent += sent;
        report.finished += finished;
        if sent > 0 {
            // Chains that mine at once have the receipts already: confirm them in the same round.
            let (_, finished) = self.advance(false).await;
            report.finished += finished;
        }
        report.pending = self.pending.len();
        self.published.send_if_modified(|published| {
            let changed = *published != self.stats;
            *published = self.stats;
            changed
        });
        self.save_checkpoint().await;
        report
    }

    /// Scans one chain from its cursor; returns the number of new messages.
    async fn scan(&mut self, chain_id: U256) -> usize {
        let Some(chain) = self.chains.get(&chain_id) else { return 0 };
        let latest = match chain.latest_block_number().await {
            Ok(n) => n,
            Err(e) => {
                warn!(chain = %chain_id, error = %e, "cannot read the latest block");
                return 0;
            }
        };
        let anchors = self.anchors.get(&chain_id).cloned().unwrap_or_default();
        match canonical_anchor(chain, &anchors).await {
            Ok(Anchor::Unchanged) => {}
            Ok(Anchor::ForkedAfter(fork)) => {
                self.forget_after(chain_id, fork);
                let origin = self.origins.get(&chain_id).copied().unwrap_or(0);
                self.cursors.insert(chain_id, fork.map_or(origin, |n| n + 1));
            }
            Err(e) => {
                warn!(chain = %chain_id, error = %e, "cannot check the last scanned block");
                return 0;
            }
        }
        let Some(chain) = self.chains.get(&chain_id) else { return 0 };
        let Some(&from) = self.cursors.get(&chain_id) else { return 0 };
        if from > latest {
            return 0;
        }
        let to = latest.min(from.saturating_add(self.config.max_block_range.max(1) - 1));
        // Read the end block before the logs: a reorganisation during the log query then shows next round as
        // a changed anchor, never as a missed log.
        let end = match chain.block(to).await {
            Ok(end) => end,
            Err(e) => {
                warn!(chain = %chain_id, block = to, error = %e, "cannot read the scanned range's last block");
                return 0;
            }
        };
        let filter = LogFilter {
            from_block: from,
            to_block: to,
            address: L2_TO_L2_CROSS_DOMAIN_MESSENGER,
            topic0: SENT_MESSAGE_TOPIC,
            topic3: None,
        };
        let messages = match collect_messages(chain, chain_id, &filter).await {
            Ok(m) => m,
            Err(e) => {
                warn!(chain = %chain_id, from, to, error = %e, "cannot read SentMessage logs; will retry");
                return 0;
            }
        };
        self.cursors.insert(chain_id, to + 1);
        if let Some(end) = end {
            self.remember_anchor(chain_id, end.number, end.hash);
        }
        let mut found = 0;
        for message in messages {
            let hash = message.message_hash;
            if self.finished.contains_key(&hash) || self.pending.contains_key(&hash) {
                continue;
            }
            found += 1;
            self.stats.messages_found += 1;
            metrics::counter!("superlink_relayer_messages_found_total").increment(1);
            info!(
                message = %hash, source = %chain_id, destination = %message.destination(),
                block = message.identifier.block_number, log_index = message.identifier.log_index,
                "message found"
            );
            if !self.chains.contains_key(&message.destination()) {
                let reason = format!("no endpoint for destination chain {}", message.destination());
                self.give_up(message, reason);
                continue;
            }
            self.pending.insert(hash, Pending::new(message, false));
        }
        found
    }

    /// Advances every due pending message; with `send_new` false only in-flight relays are confirmed. Returns
    /// (transactions sent, messages finished).
    async fn advance(&mut self, send_new: bool) -> (usize, usize) {
        let now = Instant::now();
        let due: Vec<B256> = self
            .pending
            .iter()
            .filter(|(_, p)| p.next_attempt <= now && (send_new || p.in_flight.is_some()))
            .map(|(h, _)| *h)
            .collect();
        let (mut sent, mut finished) = (0, 0);
        // A destination that did not answer is not asked again in this round: one timeout, not one per message.
        let mut unreachable: HashSet<U256> = HashSet::new();
        for hash in due {
            let Some(pending) = self.pending.get(&hash) else { continue };
            let message = pending.message.clone();
            let in_flight = pending.in_flight;
            if unreachable.contains(&message.destination()) {
                continue;
            }
            let Some(chain) = self.chains.get(&message.destination()) else { continue };
            let outcome = match in_flight {
                Some((tx, sent_at)) => {
                    confirm(chain, &message, tx, sent_at, self.config.inflight_timeout).await
                }
                None => match check_relay(chain, self.wallet.address(), &message).await {
                    Ok(()) => match send_relay(chain, &self.wallet, &message).await {
                        Ok(tx) => Step::Sent(tx),
                        Err(e) => Step::Failed(e),
                    },
                    Err(e) => Step::Failed(e),
                },
            };
            match outcome {
                Step::Sent(tx) => {
                    sent += 1;
                    self.stats.transactions_sent += 1;
                    metrics::counter!("superlink_relayer_transactions_sent_total").increment(1);
                    info!(message = %hash, destination = %message.destination(), tx = %tx, "relay sent");
                    if let Some(p) = self.pending.get_mut(&hash) {
                        p.in_flight = Some((tx, Instant::now()));
                    }
                }
                Step::Waiting => {}
                Step::Relayed { tx, gas_used } => {
                    finished += 1;
                    self.stats.relayed += 1;
                    metrics::counter!("superlink_relayer_relayed_total").increment(1);
                    self.stats.gas_used += gas_used;
                    info!(message = %hash, tx = %tx, gas_used, "message relayed");
                    self.finish(hash);
                }
                Step::Failed(RelayError::AlreadyRelayed { .. }) => {
                    finished += 1;
                    if self.pending.get(&hash).is_some_and(|p| p.recheck) {
                        debug!(message = %hash, "message still relayed after its destination reorganised");
                    } else {
                        self.stats.relayed_by_others += 1;
                        info!(message = %hash, "message already relayed");
                    }
                    self.finish(hash);
                }
                Step::Failed(error) => {
                    if let RelayError::Chain(ChainError::Unreachable { .. }) = error {
                        unreachable.insert(message.destination());
                    }
                    self.fail(hash, error)
                }
            }
        }
        (sent, finished)
    }

    fn finish(&mut self, hash: B256) {
        if let Some(p) = self.pending.remove(&hash) {
            let id = &p.message.identifier;
            let source = (id.chain_id, id.block_number);
            self.finished.insert(hash, Finished { source, delivered: Some(p.message) });
        }
    }

    /// Records that a scan of `chain_id` ended at block `number` with `hash`, and forgets the finished messages
    /// of blocks older than every kept anchor (no rescan reaches them any more).
    fn remember_anchor(&mut self, chain_id: U256, number: u64, hash: B256) {
        let anchors = self.anchors.entry(chain_id).or_default();
        anchors.push_back((number, hash));
        while anchors.len() > ANCHORS_KEPT {
            anchors.pop_front();
        }
        if let Some(&(oldest, _)) = anchors.front() {
            self.finished.retain(|_, f| f.source.0 != chain_id || f.source.1 >= oldest);
        }
    }

    /// After `chain_id` reorganised above block `fork` (`None`: above every block we remember), forgets the
    /// anchors, the pending messages and the finished messages of the replaced blocks, so that a rescan finds
    /// whatever the new blocks hold. As a destination, `chain_id` may have lost relays with the replaced blocks
    /// (a relay found invalid and replaced, an equivocating sequencer): the messages delivered there are checked
    /// again and relayed again when their relay is gone, and the wallet's next nonce there is asked from the
    /// chain again (a cached one would leave the next relay waiting behind a gap until it times out).
    fn forget_after(&mut self, chain_id: U256, fork: Option<u64>) {
        self.wallet.reset_nonce(chain_id);
        let replaced = |block: u64| fork.is_none_or(|f| block > f);
        if let Some(anchors) = self.anchors.get_mut(&chain_id) {
            anchors.retain(|(number, _)| !replaced(*number));
        }
        let dropped: Vec<B256> = self
            .pending
            .iter()
            .filter(|(_, p)| {
                p.message.identifier.chain_id == chain_id && replaced(p.message.identifier.block_number)
            })
            .map(|(hash, _)| *hash)
            .collect();
        for hash in &dropped {
            if let Some(p) = self.pending.remove(hash)
                && p.in_flight.is_some()
            {
                // The relay in flight cites a replaced block: the pool will drop it, so reuse its nonce.
                self.wallet.reset_nonce(p.message.destination());
            }
        }
        self.finished.retain(|_, f| f.source.0 != chain_id || !replaced(f.source.1));
        let delivered_here: Vec<B256> = self
            .finished
            .iter()
            .filter(|(_, f)| f.delivered.as_ref().is_some_and(|m| m.destination() == chain_id))
            .map(|(hash, _)| *hash)
            .collect();
        for hash in &delivered_here {
            if let Some(Finished { delivered: Some(message), .. }) = self.finished.remove(hash) {
                self.pending.insert(*hash, Pending::new(message, true));
            }
        }
        warn!(chain = %chain_id, fork = ?fork, forgotten = dropped.len(), rechecked = delivered_here.len(),
            "chain reorganised; rescanning the replaced blocks and checking the deliveries to it again");
    }

    fn fail(&mut self, hash: B256, error: RelayError) {
        if let RelayError::ReceiptTimeout { .. } = error
            && let Some(p) = self.pending.get(&hash)
        {
            self.wallet.reset_nonce(p.message.destination());
        }
        let Some(pending) = self.pending.get_mut(&hash) else { return };
        pending.in_flight = None;
        pending.failures += 1;
        let failures = pending.failures;
        if !error.is_retryable() || self.config.backoff.exhausted(failures) {
            if let Some(p) = self.pending.remove(&hash) {
                let reason = if error.is_retryable() {
                    format!("{error} (after {failures} attempts)")
                } else {
                    error.to_string()
                };
                self.give_up(p.message, reason);
            }
            return;
        }
        let delay = self.config.backoff.delay(failures);
        pending.next_attempt = Instant::now() + delay;
        self.stats.retries += 1;
        metrics::counter!("superlink_relayer_retries_total").increment(1);
        info!(message = %hash, attempt = failures, retry_in_ms = delay.as_millis() as u64, error = %error,
            "relay failed; will retry");
    }

    fn give_up(&mut self, message: RelayableMessage, reason: String) {
        warn!(message = %message.message_hash, destination = %message.destination(), %reason, "giving up message");
        self.stats.given_up += 1;
        metrics::counter!("superlink_relayer_given_up_total").increment(1);
        let id = &message.identifier;
        let source = (id.chain_id, id.block_number);
        self.finished.insert(message.message_hash, Finished { source, delivered: None });
        let given_up = GivenUp { message, reason };
        if let Some(sink) = &self.config.given_up_sink {
            let _ = sink.try_send(given_up.clone());
        }
        self.given_up.push(given_up);
        if self.given_up.len() > 2 * GIVEN_UP_KEPT {
            self.given_up.drain(..GIVEN_UP_KEPT);
        }
    }
}

/// What the blocks a chain's last scans ended at say about a reorganisation.
#[derive(Debug, PartialEq, Eq)]
enum Anchor {
    /// The newest scanned block is still canonical (or nothing was scanned yet).
    Unchanged,
    /// The chain changed above this block (`None`: above every block remembered).
    ForkedAfter(Option<u64>),
}

/// Compares the remembered scan ends of a chain, newest first, with its blocks now.
async fn canonical_anchor<C: ChainClient>(
    chain: &C,
    anchors: &VecDeque<(u64, B256)>,
) -> Result<Anchor, ChainError> {
    for (depth, (number, hash)) in anchors.iter().rev().enumerate() {
        let canonical = chain.block(*number).await?.is_some_and(|block| block.hash == *hash);
        if canonical {
            return Ok(if depth == 0 { Anchor::Unchanged } else { Anchor::ForkedAfter(Some(*number)) });
        }
    }
    Ok(if anchors.is_empty() { Anchor::Unchanged } else { Anchor::ForkedAfter(None) })
}

enum Step {
    Sent(B256),
    Waiting,
    Relayed { tx: B256, gas_used: u64 },
    Failed(RelayError),
}

async fn confirm<C: ChainClient>(
    chain: &C,
    message: &RelayableMessage,
    tx: B256,
    sent_at: Instant,
    timeout: Duration,
) -> Step {
    match chain.receipt(tx).await {
        Ok(Some(r)) => match confirm_relay(chain, message, tx, r.success, r.gas_used, r.block_number).await {
            Ok(receipt) => Step::Relayed { tx, gas_used: receipt.gas_used },
            Err(e) => Step::Failed(e),
        },
        Ok(None) | Err(ChainError::Unreachable { .. }) if sent_at.elapsed() > timeout => {
            Step::Failed(RelayError::ReceiptTimeout { tx, waited_ms: sent_at.elapsed().as_millis() })
        }
        Ok(None) => Step::Waiting,
        Err(e) if e.is_transient() => Step::Waiting,
        Err(e) => Step::Failed(e.into()),
    }
}

/// The messages of the `SentMessage` logs matching `filter`, each block's timestamp taken from the log or
/// asked once per block.
async fn collect_messages<C: ChainClient>(
    chain: &C,
    chain_id: U256,
    filter: &LogFilter,
) -> Result<Vec<RelayableMessage>, RelayError> {
    let logs = chain.logs(filter).await?;
    let mut timestamps: HashMap<u64, u64> = HashMap::new();
    let mut messages = Vec::new();
    for log in &logs {
        let timestamp = match (log.block_timestamp, timestamps.get(&log.block_number)) {
            (Some(t), _) => t,
            (None, Some(t)) => *t,
            (None, None) => block_timestamp(chain, log).await?,
        };
        timestamps.insert(log.block_number, timestamp);
        match RelayableMessage::from_log(log, timestamp, chain_id) {
            Ok(Some(m)) => messages.push(m),
            Ok(None) => {}
            // A malformed log can never be relayed: skip it, loudly.
            Err(e) => {
                warn!(chain = %chain_id, block = log.block_number, log_index = log.log_index, error = %e,
                "skipping a SentMessage log")
            }
        }
    }
    Ok(messages)
}

async fn block_timestamp<C: ChainClient>(chain: &C, log: &LogInfo) -> Result<u64, RelayError> {
    let block = chain.block(log.block_number).await?.ok_or_else(|| {
        RelayError::InconsistentSource(format!("block {} of a log is unknown", log.block_number))
    })?;
    if block.hash != log.block_hash {
        return Err(RelayError::Chain(ChainError::Rpc {
            endpoint: chain.endpoint().to_string(),
            method: "eth_getBlockByNumber",
            code: 0,
            message: format!("block {} changed while scanning (reorganisation)", log.block_number),
        }));
    }
    Ok(block.timestamp)
}

fn read_checkpoint(path: &Path) -> Result<BTreeMap<U256, u64>, AutorelayerError> {
    let err = |reason: String| AutorelayerError::Checkpoint { path: path.display().to_string(), reason };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let raw: BTreeMap<String, u64> = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
            raw.into_iter()
                .map(|(k, v)| {
                    k.parse::<U256>().map(|id| (id, v)).map_err(|e| err(format!("chain `{k}`: {e}")))
                })
                .collect()
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(err(e.to_string())),
    }
}

/// Replaces the checkpoint file atomically and durably: the new text is written to a temporary file and
/// flushed to disk, then renamed over the old file, and the rename is flushed with the folder.
fn write_checkpoint(path: &Path, points: &BTreeMap<U256, u64>) -> Result<(), AutorelayerError> {
    let err = |reason: String| AutorelayerError::Checkpoint { path: path.display().to_string(), reason };
    let raw: BTreeMap<String, u64> = points.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let text = serde_json::to_string_pretty(&raw).map_err(|e| err(e.to_string()))?;
    let tmp = path.with_extension("tmp");
    let mut file =
        std::fs::File::create(&tmp).map_err(|e| err(format!("creating {}: {e}", tmp.display())))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| err(format!("writing {}: {e}", tmp.display())))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| err(format!("renaming {}: {e}", tmp.display())))?;
    // The rename is durable once the folder holding the file is flushed (a no-op where folders cannot be).
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Runs checkpoint file I/O on the blocking thread pool. A panic in `work` is passed on.
async fn blocking_io<T: Send + 'static>(
    path: &Path,
    work: impl FnOnce() -> Result<T, AutorelayerError> + Send + 'static,
) -> Result<T, AutorelayerError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(AutorelayerError::Checkpoint {
            path: path.display().to_string(),
            reason: format!("the file task did not run: {e}"),
        }),
    }
}
