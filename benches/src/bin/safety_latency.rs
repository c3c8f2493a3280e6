//! Safety from the L1 on `superlink devnet`, measured from outside as a user sees it:
//!
//! - **latency**: how long an L2 block takes to become cross-unsafe, local-safe, cross-safe and finalized, in
//!   seconds and in L1 blocks (how far the L1 head moved meanwhile). A devnet with two L2s runs with the given
//!   block times; its control port's `devnet_status` is polled every 50 ms, and each sampled L2 block's levels
//!   are timed from the poll that first shows it as the chain's head. The first L2's rollup node
//!   (`optimism_syncStatus`) is polled alongside, for its `safe_l2` and `finalized_l2`.
//! - **L1 cost**: the L1 bytes and gas the batchers spend per L2 block, for independent batchers and a shared
//!   one, with 2 and with 10 L2s. After the devnet ran for a while, every L1 block is read: the calldata bytes
//!   and the gas used (from the receipts) of every transaction to a batch inbox, over the L2 blocks that
//!   derivation got from those L1 blocks (`optimism_safeHeadAtL1Block` of the last L1 block read, summed over
//!   the chains). The L2 blocks are empty but for their L1 attributes deposit, so this is the fixed cost of
//!   posting a block.
//! - **a large devnet**: CPU time and resident memory of one devnet process with many L2s and a shared batcher
//!   over a minute after a 15 s warm-up (`/proc/<pid>/stat` and `/proc/<pid>/status`), whether every chain
//!   keeps up (head and local-safe lag at the end), and the same figures for one anvil with the same L2 block
//!   time as the peer (one anvil process per chain is what supersim runs).
//!
//! `safety_latency --superlink PATH [--l1-block-time 2] [--l2-block-time 1] [--samples 30] [--cost-seconds 60]
//! [--large-l2-count 100] [--large-seconds 60] [--only latency|cost|large] [--no-anvil]`

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use jsonrpsee::{
    core::client::ClientT,
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
};
use serde_json::Value;
use superlink_testkit::{free_port, tool};

type Failure = Box<dyn std::error::Error>;

/// How often the latency run polls the control port.
const POLL: Duration = Duration::from_millis(50);
/// How long a devnet may take to start, and a measurement to finish.
const PATIENCE: Duration = Duration::from_secs(300);
/// How long the large devnet runs before it is measured.
const WARM_UP: Duration = Duration::from_secs(15);
/// The safety levels the latency run times, in `devnet_status`'s order of safety.
const LEVELS: [&str; 5] = ["unsafe", "cross-unsafe", "local-safe", "cross-safe", "finalized"];

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

fn number(name: &str, default: u64) -> Result<u64, Failure> {
    Ok(arg(name).map(|v| v.parse()).transpose()?.unwrap_or(default))
}

fn client(url: &str) -> Result<HttpClient, Failure> {
    Ok(HttpClientBuilder::default().request_timeout(Duration::from_secs(60)).build(url)?)
}

/// A `0x` quantity (or a JSON number) as a number.
fn quantity(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => u64::from_str_radix(s.strip_prefix("0x")?, 16).ok(),
        _ => None,
    }
}

/// A started devnet, killed when dropped.
struct Devnet {
    child: Child,
    info: Value,
    started_in: Duration,
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Devnet {
    /// Starts `superlink devnet --json` with `args`, every port chosen by the system, and waits until the L1 and
    /// the control port answer.
    async fn start(binary: &str, args: &[String]) -> Result<Devnet, Failure> {
        let started = Instant::now();
        let mut child = Command::new(binary)
            .args(["devnet", "--json", "--l1-port", "0", "--l2-starting-port", "0"])
            .args(["--verifier-port", "0", "--rollup-starting-port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut devnet = Devnet { child, info: Value::Null, started_in: Duration::ZERO };
        let mut text = String::new();
        for line in BufReader::new(stdout).lines() {
            text.push_str(&line?);
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                devnet.info = value;
                break;
            }
        }
        let deadline = Instant::now() + PATIENCE;
        let l1 = client(devnet.l1_url()?)?;
        let control = client(devnet.control_url()?)?;
        loop {
            let l1_up = l1.request::<Value, _>("eth_blockNumber", rpc_params![]).await.is_ok();
            if l1_up && control.request::<Value, _>("devnet_status", rpc_params![]).await.is_ok() {
                break;
            }
            if Instant::now() > deadline {
                return Err("the devnet did not start".into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        devnet.started_in = started.elapsed();
        Ok(devnet)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn l1_url(&self) -> Result<&str, Failure> {
        Ok(self.info["l1"]["rpcUrl"].as_str().ok_or("no L1 URL in the devnet's description")?)
    }

    fn control_url(&self) -> Result<&str, Failure> {
        Ok(self.info["verifier"]["rpcUrl"].as_str().ok_or("no verifier URL in the devnet's description")?)
    }

    fn rollup_urls(&self) -> Result<Vec<String>, Failure> {
        let l2s = self.info["l2s"].as_array().ok_or("no L2s in the devnet's description")?;
        l2s.iter()
            .map(|c| c["rollupRpcUrl"].as_str().map(str::to_string).ok_or_else(|| "no rollup URL".into()))
            .collect()
    }
}

/// The block number of each of a chain's five heads in a `devnet_status` answer, in [`LEVELS`] order.
fn heads(chain: &Value) -> [Option<u64>; 5] {
    [
        chain["unsafeHead"]["number"].as_u64(),
        chain["crossUnsafe"]["number"].as_u64(),
        chain["localSafe"]["derived"]["number"].as_u64(),
        chain["crossSafe"]["derived"]["number"].as_u64(),
        chain["finalized"]["derived"]["number"].as_u64(),
    ]
}

/// When a sampled L2 block was first seen at a level: the time, and the L1 head then.
type Seen = (Instant, u64);

/// The median and the largest of `values`.
fn median_max(values: &mut [f64]) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    (values.get(values.len() / 2).copied().unwrap_or(f64::NAN), values.last().copied().unwrap_or(f64::NAN))
}

async fn latency(binary: &str, l1_time: u64, l2_time: u64, samples: u64) -> Result<(), Failure> {
    let args = ["--l1-block-time", &l1_time.to_string(), "--l2-block-time", &l2_time.to_string()];
    let devnet = Devnet::start(binary, &args.map(String::from)).await?;
    let control = client(devnet.control_url()?)?;
    let rollup = client(devnet.rollup_urls()?.first().ok_or("no L2")?)?;
    let status: Value = control.request("devnet_status", rpc_params![]).await?;
    let window = status["sequencingWindow"].as_u64().unwrap_or(0);
    let depth = status["l1FinalityDepth"].as_u64().unwrap_or(0);
    println!(
        "latency: L1 + 2 L2s, L1 blocks every {l1_time} s, L2 blocks every {l2_time} s, batch every L1 block, \
         sequencing window {window}, finality depth {depth}; {samples} L2 blocks per chain"
    );
    // Start a few blocks in, once the chains run at their pace; a sample counts from the poll that first shows
    // it as the chain's head.
    let first = 4 + {
        let chain = &status["chains"][0];
        chain["unsafeHead"]["number"].as_u64().unwrap_or(0)
    };
    let last = first + samples - 1;
    // (chain, block) -> when first seen at each level; and at the rollup node's safe_l2 and finalized_l2.
    let mut seen: BTreeMap<(u64, u64), [Option<Seen>; 5]> = BTreeMap::new();
    let mut rollup_seen: BTreeMap<u64, [Option<Seen>; 2]> = BTreeMap::new();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let status: Value = control.request("devnet_status", rpc_params![]).await?;
        let sync: Value = rollup.request("optimism_syncStatus", rpc_params![]).await?;
        let now = Instant::now();
        let l1_head = status["l1"]["head"]["number"].as_u64().ok_or("no L1 head in devnet_status")?;
        let chains = status["chains"].as_array().ok_or("no chains in devnet_status")?;
        let mut done = true;
        for chain in chains {
            let chain_id = chain["chainId"].as_u64().ok_or("no chain ID")?;
            let levels = heads(chain);
            for number in first..=last {
                let entry = seen.entry((chain_id, number)).or_default();
                for (level, head) in levels.iter().enumerate() {
                    // A level counts once the block was seen as the head: earlier blocks were built before the
                    // run started watching.
                    let watched = level == 0 || entry[0].is_some();
                    if watched && entry[level].is_none() && head.is_some_and(|h| h >= number) {
                        entry[level] = Some((now, l1_head));
                    }
                }
                done &= entry[4].is_some();
            }
        }
        let safe = [quantity(&sync["safe_l2"]["number"]), quantity(&sync["finalized_l2"]["number"])];
        let first_chain = chains.first().and_then(|c| c["chainId"].as_u64()).unwrap_or(0);
        for number in first..=last {
            let watched = seen.get(&(first_chain, number)).is_some_and(|e| e[0].is_some());
            let entry = rollup_seen.entry(number).or_default();
            for (i, head) in safe.iter().enumerate() {
                if watched && entry[i].is_none() && head.is_some_and(|h| h >= number) {
                    entry[i] = Some((now, l1_head));
                }
            }
        }
        if done {
            break;
        }
        if Instant::now() > deadline {
            return Err("the sampled blocks did not all finalize in time".into());
        }
        tokio::time::sleep(POLL).await;
    }
    println!("| level | after the block: median (max) | in L1 blocks: median (max) |");
    println!("|---|---|---|");
    for (level, name) in LEVELS.iter().enumerate().skip(1) {
        let (mut secs, mut blocks) = (Vec::new(), Vec::new());
        for entry in seen.values() {
            if let (Some(built), Some(reached)) = (entry[0], entry[level]) {
                secs.push(reached.0.duration_since(built.0).as_secs_f64());
                blocks.push(reached.1.saturating_sub(built.1) as f64);
            }
        }
        let ((s, s_max), (b, b_max)) = (median_max(&mut secs), median_max(&mut blocks));
        println!("| {name} | {s:.2} s ({s_max:.2} s) | {b} ({b_max}) |");
    }
    for (i, name) in ["safe_l2 (rollup RPC)", "finalized_l2 (rollup RPC)"].iter().enumerate() {
        let mut secs = Vec::new();
        for (number, entry) in &rollup_seen {
            let built = seen.get(&(901, *number)).and_then(|e| e[0]);
            if let (Some(built), Some(reached)) = (built, entry[i]) {
                secs.push(reached.0.duration_since(built.0).as_secs_f64());
            }
        }
        let (s, s_max) = median_max(&mut secs);
        println!("| {name}, chain 901 | {s:.2} s ({s_max:.2} s) | |");
    }
    Ok(())
}

/// Whether `to` is a batch inbox of the devnet: `0xff`, eleven zero bytes, then a chain ID (0 for the shared
/// batcher's).
fn is_batch_inbox(to: &str) -> bool {
    let to = to.to_ascii_lowercase();
    to.len() == 42 && to.starts_with("0xff0000000000000000000000")
}

/// What the batchers spent on the L1 over a run.
#[derive(Debug, Default)]
struct L1Cost {
    l1_blocks: u64,
    transactions: u64,
    bytes: u64,
    gas: u64,
    l2_blocks: u64,
}

async fn l1_cost(
    binary: &str,
    l2_count: u64,
    shared: bool,
    l1_time: u64,
    l2_time: u64,
    seconds: u64,
) -> Result<L1Cost, Failure> {
    let mut args = vec![
        "--l2-count".to_string(),
        l2_count.to_string(),
        "--l1-block-time".to_string(),
        l1_time.to_string(),
        "--l2-block-time".to_string(),
        l2_time.to_string(),
    ];
    if shared {
        args.push("--shared-batcher".into());
    }
    let devnet = Devnet::start(binary, &args).await?;
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let l1 = client(devnet.l1_url()?)?;
    let head: Value = l1.request("eth_blockNumber", rpc_params![]).await?;
    let head = quantity(&head).ok_or("eth_blockNumber answered no number")?;
    let mut cost = L1Cost { l1_blocks: head, ..L1Cost::default() };
    for number in 1..=head {
        let tag = format!("{number:#x}");
        let block: Value = l1.request("eth_getBlockByNumber", rpc_params![tag.clone(), true]).await?;
        let mut batches = Vec::new();
        for tx in block["transactions"].as_array().ok_or("a block without transactions")? {
            if tx["to"].as_str().is_some_and(is_batch_inbox) {
                let input = tx["input"].as_str().unwrap_or("0x");
                cost.bytes += (input.len().saturating_sub(2) / 2) as u64;
                cost.transactions += 1;
                batches.push(tx["hash"].as_str().unwrap_or_default().to_string());
            }
        }
        if batches.is_empty() {
            continue;
        }
        let receipts: Value = l1.request("eth_getBlockReceipts", rpc_params![tag]).await?;
        for receipt in receipts.as_array().ok_or("no receipts")? {
            if batches.iter().any(|h| Some(h.as_str()) == receipt["transactionHash"].as_str()) {
                cost.gas += quantity(&receipt["gasUsed"]).ok_or("a receipt without gasUsed")?;
            }
        }
    }
    // The L2 blocks derived from those L1 blocks, over every chain; derivation may still be reading the head.
    let at = format!("{head:#x}");
    for url in devnet.rollup_urls()? {
        let rollup = client(&url)?;
        let deadline = Instant::now() + PATIENCE;
        let answer: Value = loop {
            match rollup.request("optimism_safeHeadAtL1Block", rpc_params![at.clone()]).await {
                Ok(answer) => break answer,
                Err(e) if Instant::now() > deadline => return Err(e.into()),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        cost.l2_blocks += answer["safeHead"]["number"].as_u64().ok_or("no safe head")?;
    }
    Ok(cost)
}

/// Clock ticks per second of `/proc/<pid>/stat`'s CPU times.
fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// User plus system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: the fields after it start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, the 12th and 13th after the name.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// A `/proc/<pid>/status` figure in KiB (`VmRSS`, `VmHWM`).
fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What [`watch`] saw of a process.
struct Usage {
    /// CPU time (user and system), in seconds.
    cpu: f64,
    /// CPU time over wall time: cores used on average.
    cores: f64,
    /// Resident memory at the end, KiB.
    rss: u64,
    /// Peak resident memory, KiB.
    peak: u64,
    /// Resident memory every 10 s, KiB.
    samples: Vec<u64>,
}

/// CPU use and memory of a process over `seconds`.
async fn watch(pid: u32, seconds: u64) -> Result<Usage, Failure> {
    let ticks = clock_ticks() as f64;
    let start_cpu = cpu_ticks(pid).ok_or("the process is gone")?;
    let start = Instant::now();
    let mut samples = Vec::new();
    for _ in 0..seconds.div_ceil(10) {
        tokio::time::sleep(Duration::from_secs(10)).await;
        samples.push(status_kib(pid, "VmRSS:").ok_or("the process is gone")?);
    }
    let cpu = (cpu_ticks(pid).ok_or("the process is gone")? - start_cpu) as f64 / ticks;
    let cores = cpu / start.elapsed().as_secs_f64();
    let rss = status_kib(pid, "VmRSS:").ok_or("the process is gone")?;
    let peak = status_kib(pid, "VmHWM:").unwrap_or(rss);
    Ok(Usage { cpu, cores, rss, peak, samples })
}

async fn large(
    binary: &str,
    l2_count: u64,
    l1_time: u64,
    l2_time: u64,
    seconds: u64,
    with_anvil: bool,
) -> Result<(), Failure> {
    let args = [
        "--l2-count",
        &l2_count.to_string(),
        "--shared-batcher",
        "--l1-block-time",
        &l1_time.to_string(),
        "--l2-block-time",
        &l2_time.to_string(),
    ]
    .map(String::from);
    let devnet = Devnet::start(binary, &args).await?;
    println!(
        "large devnet: L1 + {l2_count} L2s, shared batcher, L1 blocks every {l1_time} s, L2 blocks every \
         {l2_time} s; ready (control port answering) in {:.2} s, {} KiB resident",
        devnet.started_in.as_secs_f64(),
        status_kib(devnet.pid(), "VmRSS:").unwrap_or(0)
    );
    // Measure the steady state: batches, derivation and finality all running, start-up done.
    tokio::time::sleep(WARM_UP).await;
    let control = client(devnet.control_url()?)?;
    let before: Value = control.request("devnet_status", rpc_params![]).await?;
    let usage = watch(devnet.pid(), seconds).await?;
    let after: Value = control.request("devnet_status", rpc_params![]).await?;
    let head_of = |status: &Value, level: usize| -> Vec<u64> {
        status["chains"]
            .as_array()
            .map_or_else(Vec::new, |chains| chains.iter().map(|c| heads(c)[level].unwrap_or(0)).collect())
    };
    let (heads_before, heads_after) = (head_of(&before, 0), head_of(&after, 0));
    let grown: Vec<u64> = heads_after.iter().zip(&heads_before).map(|(a, b)| a - b).collect();
    let local_safe = head_of(&after, 2);
    let lag: Vec<u64> = heads_after.iter().zip(&local_safe).map(|(h, s)| h.saturating_sub(*s)).collect();
    let finalized = head_of(&after, 4);
    println!(
        "over {seconds} s: {:.2} s of CPU, {:.3} cores on average; VmRSS {} KiB at the end, peak (VmHWM) {} \
         KiB; RSS every 10 s: {:?} KiB",
        usage.cpu, usage.cores, usage.rss, usage.peak, usage.samples
    );
    println!(
        "every chain's head grew by {}..={} blocks; local-safe lag at the end {}..={} blocks; finalized heads \
         {}..={}",
        grown.iter().min().unwrap_or(&0),
        grown.iter().max().unwrap_or(&0),
        lag.iter().min().unwrap_or(&0),
        lag.iter().max().unwrap_or(&0),
        finalized.iter().min().unwrap_or(&0),
        finalized.iter().max().unwrap_or(&0),
    );
    drop(devnet);
    if with_anvil {
        let anvil = tool("anvil")?;
        let port = free_port();
        let child = Command::new(anvil)
            .args(["--port", &port.to_string(), "--block-time", &l2_time.to_string(), "--silent"])
            .args(["--hardfork", "prague"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut anvil = AnvilProcess(child);
        let url = format!("http://127.0.0.1:{port}");
        let rpc = client(&url)?;
        let deadline = Instant::now() + PATIENCE;
        while rpc.request::<Value, _>("eth_blockNumber", rpc_params![]).await.is_err() {
            if Instant::now() > deadline {
                return Err("anvil did not start".into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let usage = watch(anvil.0.id(), seconds).await?;
        println!(
            "peer, one anvil 1.7.1 with {l2_time} s blocks over {seconds} s: {:.2} s of CPU, {:.3} cores; VmRSS {} \
             KiB, peak {} KiB; RSS every 10 s: {:?} KiB",
            usage.cpu, usage.cores, usage.rss, usage.peak, usage.samples
        );
        anvil.stop();
    }
    Ok(())
}

/// A peer process, killed when dropped.
struct AnvilProcess(Child);

impl AnvilProcess {
    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for AnvilProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Failure> {
    let binary = arg("--superlink").ok_or("give the superlink binary with --superlink PATH")?;
    let l1_time = number("--l1-block-time", 2)?;
    let l2_time = number("--l2-block-time", 1)?;
    let samples = number("--samples", 30)?.max(1);
    let cost_seconds = number("--cost-seconds", 60)?;
    let large_count = number("--large-l2-count", 100)?;
    let large_seconds = number("--large-seconds", 60)?;
    let only = arg("--only");
    let run = |part: &str| only.as_deref().is_none_or(|o| o == part);

    if run("latency") {
        latency(&binary, l1_time, l2_time, samples).await?;
        println!();
    }
    if run("cost") {
        println!(
            "L1 cost of batching: L1 blocks every {l1_time} s, L2 blocks every {l2_time} s (empty but for the L1 \
             attributes), a batch every L1 block, {cost_seconds} s per run"
        );
        println!(
            "| L2s | batcher | L1 blocks | batcher txs | L2 blocks derived | bytes per L2 block | gas per L2 block | \
             gas per L1 block |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for l2_count in [2, 10] {
            for shared in [false, true] {
                let cost = l1_cost(&binary, l2_count, shared, l1_time, l2_time, cost_seconds).await?;
                let per_block = |v: u64| v as f64 / cost.l2_blocks.max(1) as f64;
                println!(
                    "| {l2_count} | {} | {} | {} | {} | {:.1} | {:.0} | {:.0} |",
                    if shared { "shared (meta-batch)" } else { "one per chain" },
                    cost.l1_blocks,
                    cost.transactions,
                    cost.l2_blocks,
                    per_block(cost.bytes),
                    per_block(cost.gas),
                    cost.gas as f64 / cost.l1_blocks.max(1) as f64,
                );
            }
        }
        println!();
    }
    if run("large") {
        large(&binary, large_count, l1_time, l2_time, large_seconds, !flag("--no-anvil")).await?;
    }
    Ok(())
}
