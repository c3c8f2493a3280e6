//! Load generator of `superlink devnet` with many chains: it starts the devnet (release binary, autorelay on)
//! with `--l2-count N`, then sends cross-chain messages between random pairs of chains at a fixed rate (the
//! example counter's `incrementRemote(destination)`, which sends an `L2ToL2CrossDomainMessenger` message to
//! the counter on the destination) and follows every destination's `RelayedMessage` events.
//!
//! It reports:
//! - **relay latency**: from the moment the send's receipt is visible until the relay's `RelayedMessage` event
//!   is visible on the destination (p50/p90/p99/max), and the same in seconds of block timestamps;
//! - **CPU and memory** of the devnet process (from `/proc/PID/stat` and `/proc/PID/status`), sampled;
//! - **delivery**: every sent message must be relayed within `--timeout` seconds of the end of sending (none
//!   lost), exactly once: a final scan of every chain counts `RelayedMessage` events per message hash (none
//!   twice), and the relayer account's transactions across all chains (its nonces) must equal the relays
//!   (no relay transaction that failed or relayed nothing).
//!
//! ```text
//! devnet_pairs [--superlink PATH] [--l2-count 100] [--rate 10] [--duration 60] [--l2-block-time 2]
//!              [--timeout 120] [--seed 1] [--sample 5]
//! ```

use std::{
    collections::{BTreeMap, HashMap},
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use alloy_primitives::{Address, B256, U256};
use clap::Parser;
use serde_json::Value;
use superlink_benches::counter::{count, increment_remote};
use superlink_protocol::{
    SentMessage, messenger::RELAYED_MESSAGE_TOPIC, predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER,
};
use superlink_relayer::{ChainClient, LogFilter, RpcChain, Wallet, wait_for_receipt};
use superlink_testkit::free_port;

/// The first development account (funded on every chain of the devnet).
const USER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Command-line options.
#[derive(Debug, Parser)]
struct Options {
    /// The superlink binary (default: `superlink` next to this executable).
    #[arg(long)]
    superlink: Option<PathBuf>,
    /// L2 chains of the devnet.
    #[arg(long, default_value_t = 100)]
    l2_count: u64,
    /// Messages sent per second, each between a random pair of distinct chains.
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Seconds between L2 blocks.
    #[arg(long, default_value_t = 2)]
    l2_block_time: u64,
    /// Seconds after the last send within which every message must be relayed.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Seed of the pair choice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seconds between CPU and memory samples of the devnet.
    #[arg(long, default_value_t = 5)]
    sample: u64,
    /// Ignored (`cargo bench` passes it).
    #[arg(long, hide = true)]
    bench: bool,
}

/// Random pairs of distinct chains (xorshift64*: deterministic for a seed, no dependency).
#[derive(Debug, Clone)]
struct Pairs {
    state: u64,
    count: u64,
}

impl Pairs {
    fn new(seed: u64, count: u64) -> Self {
        Self { state: seed.max(1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1, count }
    }

    fn next_u64(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// The next pair of positions `(source, destination)`, distinct, in `0..count` (count must be 2 or more).
    fn next_pair(&mut self) -> (usize, usize) {
        let source = self.next_u64() % self.count;
        let offset = 1 + self.next_u64() % (self.count - 1);
        (source as usize, ((source + offset) % self.count) as usize)
    }
}

/// Kills the devnet when the generator ends, however it ends.
struct Devnet(Child);

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// CPU seconds (user + system, ticks of 1/100 s) and resident MiB of a process.
fn cpu_and_rss(pid: u32) -> (f64, f64) {
    let cpu = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_string();
            let fields: Vec<u64> = rest.split_whitespace().map(|f| f.parse().unwrap_or(0)).collect();
            Some((fields.get(11)? + fields.get(12)?) as f64 / 100.0)
        })
        .unwrap_or(0.0);
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kib| kib / 1024.0);
    (cpu, rss)
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

async fn start_devnet(options: &Options) -> Result<(Devnet, Value), Failure> {
    let binary = match &options.superlink {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("superlink"),
    };
    // The L2s take consecutive ports from the first one.
    let first_port = loop {
        let port = free_port();
        let range = port..port.saturating_add(options.l2_count as u16);
        if port > 1024
            && u64::from(port) + options.l2_count < 65_000
            && range.clone().all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok())
        {
            break port;
        }
    };
    let log_path = std::env::temp_dir().join(format!("devnet_pairs-{}.log", std::process::id()));
    let log = std::fs::File::create(&log_path)?;
    let mut child = Command::new(&binary)
        .args(["devnet", "--json", "--l2-count", &options.l2_count.to_string()])
        .args(["--l2-block-time", &options.l2_block_time.to_string()])
        .args(["--l2-starting-port", &first_port.to_string()])
        .args(["--l1-port", &free_port().to_string(), "--verifier-port", &free_port().to_string()])
        .args(["--rollup-starting-port", "0"])
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let devnet = Devnet(child);
    // The description is one JSON document; the devnet prints nothing else on stdout.
    let info = tokio::task::spawn_blocking(move || -> Result<Value, String> {
        let mut text = String::new();
        for line in BufReader::new(stdout).lines() {
            text.push_str(&line.map_err(|e| e.to_string())?);
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                return Ok(value);
            }
        }
        Err("the devnet ended before describing itself".into())
    })
    .await?
    .map_err(|e| {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(5).collect();
        format!("{e}; its log ends with: {}", tail.into_iter().rev().collect::<Vec<_>>().join(" | "))
    })?;
    Ok((devnet, info))
}

/// A sent message, from the moment its send receipt was seen.
#[derive(Debug, Clone, Copy)]
struct Sent {
    destination: usize,
    receipt_seen: Instant,
    send_timestamp: u64,
}

/// What the generator knows of the messages.
#[derive(Debug, Default)]
struct Ledger {
    /// Sent and not yet seen relayed, by message hash.
    pending: HashMap<B256, Sent>,
    /// Relays seen before their send's receipt was (the sender's receipt poll is slower than the relay).
    early: HashMap<B256, (Instant, u64)>,
    /// Per relayed message: (receipt -> relay seen, relay block timestamp - send block timestamp).
    delivered: Vec<(Duration, u64)>,
    sent: u64,
    send_failures: u64,
    /// Per destination position, messages not yet relayed.
    waiting: BTreeMap<usize, u64>,
}

impl Ledger {
    fn relayed(&mut self, hash: B256, seen: Instant, timestamp: u64) {
        match self.pending.remove(&hash) {
            Some(sent) => {
                self.delivered.push((
                    seen.saturating_duration_since(sent.receipt_seen),
                    timestamp.saturating_sub(sent.send_timestamp),
                ));
                if let Some(w) = self.waiting.get_mut(&sent.destination) {
                    *w = w.saturating_sub(1);
                }
            }
            None => {
                self.early.insert(hash, (seen, timestamp));
            }
        }
    }

    fn sent(&mut self, hash: B256, sent: Sent) {
        self.sent += 1;
        if let Some((seen, timestamp)) = self.early.remove(&hash) {
            self.delivered.push((
                seen.saturating_duration_since(sent.receipt_seen),
                timestamp.saturating_sub(sent.send_timestamp),
            ));
        } else {
            *self.waiting.entry(sent.destination).or_default() += 1;
            self.pending.insert(hash, sent);
        }
    }
}

/// Sends the messages of one source chain, one after the other (its nonce), each receipt awaited apart.
async fn sender(
    chain: Arc<RpcChain>,
    source_id: U256,
    chain_ids: Arc<Vec<u64>>,
    mut jobs: tokio::sync::mpsc::Receiver<usize>,
    ledger: Arc<Mutex<Ledger>>,
) {
    let wallet = match Wallet::from_private_key(USER_KEY) {
        Ok(w) => w,
        Err(_) => return,
    };
    while let Some(destination) = jobs.recv().await {
        let call = increment_remote(chain_ids[destination]);
        let tx = match wallet.send(chain.as_ref(), &call).await {
            Ok(tx) => tx,
            Err(e) => {
                eprintln!("send on {source_id} failed: {e}");
                if let Ok(mut l) = ledger.lock() {
                    l.send_failures += 1;
                }
                continue;
            }
        };
        let (chain, ledger) = (chain.clone(), ledger.clone());
        tokio::spawn(async move {
            let recorded = async {
                let receipt = wait_for_receipt(chain.as_ref(), tx, Duration::from_secs(60)).await?;
                let seen = Instant::now();
                let block = chain.block(receipt.block_number).await?.ok_or("the send's block is unknown")?;
                let hash = receipt
                    .logs
                    .iter()
                    .find_map(|l| SentMessage::decode_log(l.address, &l.topics, &l.data).ok().flatten())
                    .map(|m| m.message_hash(source_id))
                    .ok_or("the send's receipt holds no SentMessage")?;
                let sent = Sent { destination, receipt_seen: seen, send_timestamp: block.timestamp };
                if let Ok(mut l) = ledger.lock() {
                    l.sent(hash, sent);
                }
                Ok::<(), Failure>(())
            };
            if let Err(e) = recorded.await {
                eprintln!("message from {source_id}: {e}");
                if let Ok(mut l) = ledger.lock() {
                    l.send_failures += 1;
                }
            }
        });
    }
}

fn relayed_filter(from_block: u64, to_block: u64) -> LogFilter {
    LogFilter {
        from_block,
        to_block,
        address: L2_TO_L2_CROSS_DOMAIN_MESSENGER,
        topic0: RELAYED_MESSAGE_TOPIC,
        topic3: None,
    }
}

/// Follows the `RelayedMessage` events of the chains that await relays, every 250 ms, until `stop`.
async fn watch_relays(
    chains: Arc<Vec<Arc<RpcChain>>>,
    starts: Vec<u64>,
    ledger: Arc<Mutex<Ledger>>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut next = starts;
    loop {
        let waiting: Vec<usize> = ledger
            .lock()
            .map(|l| l.waiting.iter().filter(|(_, n)| **n > 0).map(|(c, _)| *c).collect())
            .unwrap_or_default();
        let polls = waiting.iter().map(|&position| {
            let chain = chains[position].clone();
            let from = next[position];
            async move {
                let head = chain.latest_block_number().await.ok()?;
                if head < from {
                    return Some((position, from, Vec::new()));
                }
                let logs = chain.logs(&relayed_filter(from, head)).await.ok()?;
                let mut out = Vec::new();
                for log in logs {
                    let Some(hash) = log.topics.get(3).copied() else { continue };
                    let timestamp = match log.block_timestamp {
                        Some(t) => t,
                        None => chain.block(log.block_number).await.ok()??.timestamp,
                    };
                    out.push((hash, timestamp));
                }
                Some((position, head + 1, out))
            }
        });
        let results = futures_join(polls).await;
        let seen = Instant::now();
        if let Ok(mut l) = ledger.lock() {
            for (position, after, relays) in results.into_iter().flatten() {
                next[position] = after;
                for (hash, timestamp) in relays {
                    l.relayed(hash, seen, timestamp);
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Runs futures concurrently and collects their outputs in order.
async fn futures_join<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        if let Ok(v) = handle.await {
            out.push(v);
        }
    }
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Failure> {
    let options = Options::parse();
    if options.l2_count < 2 {
        return Err("--l2-count must be at least 2 (messages go between distinct chains)".into());
    }
    let launched = Instant::now();
    let (devnet, info) = start_devnet(&options).await?;
    let pid = devnet.0.id();
    let l2s = info["l2s"].as_array().ok_or("no L2s in the devnet's description")?;
    let mut chains = Vec::new();
    let mut chain_ids = Vec::new();
    for l2 in l2s {
        let url = l2["rpcUrl"].as_str().ok_or("an L2 without rpcUrl")?;
        chains.push(Arc::new(RpcChain::with_timeout(url, Duration::from_secs(30))?));
        chain_ids.push(l2["chainId"].as_u64().ok_or("an L2 without chainId")?);
    }
    let relayer: Address =
        info["autorelay"]["account"].as_str().ok_or("the devnet runs no autorelayer")?.parse()?;
    // Ready: every L2's example counter answers.
    let deadline = Instant::now() + Duration::from_secs(300);
    for chain in &chains {
        while count(chain).await.is_err() {
            if Instant::now() > deadline {
                return Err(format!("{} did not become ready", chain.endpoint()).into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let ready = launched.elapsed();
    let (cpu_ready, rss_ready) = cpu_and_rss(pid);
    println!(
        "devnet_pairs: superlink devnet --l2-count {} ({} s L2 blocks, autorelay on) ready in {:.1} s, RSS {:.0} \
         MiB, {:.1} CPU s so far",
        options.l2_count,
        options.l2_block_time,
        ready.as_secs_f64(),
        rss_ready,
        cpu_ready
    );
    let mut starts = Vec::new();
    let mut relayer_nonces = Vec::new();
    for chain in &chains {
        starts.push(chain.latest_block_number().await?);
        relayer_nonces.push(chain.pending_nonce(relayer).await?);
    }

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let chains = Arc::new(chains);
    let chain_ids = Arc::new(chain_ids);
    let mut queues = Vec::new();
    let mut senders = Vec::new();
    for (position, chain) in chains.iter().enumerate() {
        let (queue, jobs) = tokio::sync::mpsc::channel(1024);
        queues.push(queue);
        senders.push(tokio::spawn(sender(
            chain.clone(),
            U256::from(chain_ids[position]),
            chain_ids.clone(),
            jobs,
            ledger.clone(),
        )));
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let watcher = tokio::spawn(watch_relays(chains.clone(), starts.clone(), ledger.clone(), stopped));

    // Send at the rate for the duration, sampling the devnet's CPU and memory.
    let total = (options.rate * options.duration as f64).round() as u64;
    let mut pairs = Pairs::new(options.seed, options.l2_count);
    let sending = Instant::now();
    let mut samples: Vec<(f64, f64, f64)> = Vec::new();
    let (mut last_cpu, mut last_at) = (cpu_and_rss(pid).0, Instant::now());
    let started_cpu = last_cpu;
    let interval = Duration::from_secs_f64(1.0 / options.rate.max(0.001));
    let mut dispatched = 0u64;
    while dispatched < total {
        let due = sending + interval.mul_f64(dispatched as f64);
        tokio::time::sleep_until(due.into()).await;
        let (source, destination) = pairs.next_pair();
        // A full queue means the source chain cannot take messages at this rate: the message is dropped and
        // counted as a send failure rather than delaying every other chain.
        if queues[source].try_send(destination).is_err()
            && let Ok(mut l) = ledger.lock()
        {
            l.send_failures += 1;
        }
        dispatched += 1;
        if last_at.elapsed() >= Duration::from_secs(options.sample) {
            let (cpu, rss) = cpu_and_rss(pid);
            let share = (cpu - last_cpu) / last_at.elapsed().as_secs_f64();
            samples.push((sending.elapsed().as_secs_f64(), rss, share));
            let (sent, delivered, pending) =
                ledger.lock().map(|l| (l.sent, l.delivered.len(), l.pending.len())).unwrap_or_default();
            println!(
                "t={:>5.0}s dispatched {dispatched:>6} sent {sent:>6} relayed {delivered:>6} pending {pending:>5}  \
                 devnet RSS {rss:>7.0} MiB CPU {:>4.0}%",
                sending.elapsed().as_secs_f64(),
                share * 100.0
            );
            (last_cpu, last_at) = (cpu, Instant::now());
        }
    }
    drop(queues);
    for s in senders {
        s.await?;
    }
    let sent_in = sending.elapsed();
    // Wait for the receipts being polled, then for every relay.
    let deadline = Instant::now() + Duration::from_secs(options.timeout);
    loop {
        let (recorded, failures, pending) =
            ledger.lock().map(|l| (l.sent, l.send_failures, l.pending.len())).unwrap_or_default();
        if (recorded + failures >= total && pending == 0) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let drained = sending.elapsed();
    let (cpu_end, rss_end) = cpu_and_rss(pid);
    stop.send(true)?;
    watcher.await?;

    // Final scan: every RelayedMessage on every chain since the start, counted per message hash, and the
    // relayer's transactions per chain.
    let mut relays_per_hash: HashMap<B256, u32> = HashMap::new();
    let mut relayer_transactions = 0u64;
    for (position, chain) in chains.iter().enumerate() {
        let head = chain.latest_block_number().await?;
        let mut from = starts[position];
        while from <= head {
            let to = head.min(from + 999);
            for log in chain.logs(&relayed_filter(from, to)).await? {
                if let Some(hash) = log.topics.get(3) {
                    *relays_per_hash.entry(*hash).or_default() += 1;
                }
            }
            from = to + 1;
        }
        relayer_transactions += chain.pending_nonce(relayer).await?.saturating_sub(relayer_nonces[position]);
    }
    let ledger = ledger.lock().map_err(|_| "ledger poisoned")?;
    let mut latencies: Vec<Duration> = ledger.delivered.iter().map(|d| d.0).collect();
    latencies.sort();
    let mut block_seconds: Vec<u64> = ledger.delivered.iter().map(|d| d.1).collect();
    block_seconds.sort_unstable();
    let twice = relays_per_hash.values().filter(|n| **n > 1).count();
    let relays: u64 = relays_per_hash.values().map(|n| u64::from(*n)).sum();
    println!("--");
    println!(
        "sent {} messages in {:.1} s ({:.1}/s asked, {:.2}/s achieved) between random pairs of {} chains; {} \
         send failures",
        ledger.sent,
        sent_in.as_secs_f64(),
        options.rate,
        ledger.sent as f64 / sent_in.as_secs_f64(),
        options.l2_count,
        ledger.send_failures
    );
    println!(
        "relayed {} of them ({} lost after waiting {:.1} s past the last send); RelayedMessage events: {relays} \
         for {} message hashes, {twice} relayed more than once; relayer transactions: {relayer_transactions}",
        ledger.delivered.len(),
        ledger.pending.len(),
        drained.saturating_sub(sent_in).as_secs_f64(),
        relays_per_hash.len(),
    );
    println!(
        "relay latency, send receipt seen -> RelayedMessage seen: p50 {:?}  p90 {:?}  p99 {:?}  max {:?}",
        quantile(&latencies, 0.5),
        quantile(&latencies, 0.9),
        quantile(&latencies, 0.99),
        quantile(&latencies, 1.0)
    );
    let pick = |q: f64| {
        if block_seconds.is_empty() {
            0
        } else {
            block_seconds[((block_seconds.len() as f64 - 1.0) * q).round() as usize]
        }
    };
    println!(
        "  in block time (relay block timestamp - send block timestamp): p50 {} s  p90 {} s  p99 {} s  max {} s",
        pick(0.5),
        pick(0.9),
        pick(0.99),
        pick(1.0)
    );
    println!(
        "devnet process: {:.1} CPU s over {:.1} s of load = {:.0}% of one core; RSS ready {:.0} MiB, end {:.0} \
         MiB, peak sampled {:.0} MiB",
        cpu_end - started_cpu,
        drained.as_secs_f64(),
        100.0 * (cpu_end - started_cpu) / drained.as_secs_f64(),
        rss_ready,
        rss_end,
        samples.iter().map(|s| s.1).fold(rss_end, f64::max)
    );
    let exactly_once = ledger.pending.is_empty()
        && twice == 0
        && relays == ledger.delivered.len() as u64
        && relayer_transactions == relays;
    println!(
        "every message relayed exactly once, no failed relay: {}",
        if exactly_once { "yes" } else { "NO" }
    );
    drop(devnet);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Pairs;

    #[test]
    fn pairs_are_distinct_chains_within_the_set_and_cover_it() {
        let mut pairs = Pairs::new(7, 5);
        let mut seen = [[false; 5]; 5];
        for _ in 0..2_000 {
            let (s, d) = pairs.next_pair();
            assert!(s < 5 && d < 5 && s != d);
            seen[s][d] = true;
        }
        let covered = seen.iter().flatten().filter(|x| **x).count();
        assert_eq!(covered, 20, "every ordered pair of distinct chains comes up");
    }
}
