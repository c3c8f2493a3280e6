//! Load generator of `superlink devnet`, side by side with what supersim runs (one anvil per chain):
//!
//! - **ready**: time from launch until every RPC answers and the predeploys are callable. For superlink: the L1,
//!   every L2 (the example counter answers `count()`), and the verifier (`supervisor_dependencySetV1`). For the
//!   anvil trio: three anvil 1.7.1 processes (L1 900, L2s 901 and 902) started at once, the L2s with a genesis
//!   (`--init`) holding the same predeploy allocations as ours, until each answers and the counter is callable
//!   on both L2s.
//! - **memory**: resident memory of the superlink process, and the sum over the three anvil processes, once ready.
//! - **relay latency** (superlink only, autorelay on): messages of the example app 901 -> 902 one at a time;
//!   from the moment the send's receipt is visible until the counter on 902 shows the message delivered, and the
//!   same in L2 blocks (timestamp of the block holding the relay minus the send's block, over the block time).
//!
//! `devnet_load --superlink PATH [--l2-count N] [--l2-block-time S] [--messages N] [--runs R] [--no-anvil]`

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy_primitives::U256;
use jsonrpsee::{core::client::ClientT, http_client::HttpClientBuilder, rpc_params};
use serde_json::{Value, json};
use superlink_benches::counter::{count, increment_remote};
use superlink_contracts::genesis::predeploy_allocs;
use superlink_relayer::{ChainClient, RpcChain, Wallet, wait_for_receipt};
use superlink_testkit::{free_port, tool};

const USER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const READY_TIMEOUT: Duration = Duration::from_secs(60);

type Failure = Box<dyn std::error::Error>;

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

/// Kills its processes when the generator ends, however it ends.
struct Running(Vec<Child>);

impl Running {
    fn rss_kib(&self) -> u64 {
        self.0.iter().filter_map(|c| rss_kib(c.id())).sum()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn port_below_65000() -> u16 {
    loop {
        let port = free_port();
        if port != 0 && port < 65_000 {
            return port;
        }
    }
}

/// Waits until `url` answers its chain ID and, when `counter` is set, the example counter answers `count()`.
async fn wait_ready(url: &str, counter: bool) -> Result<(), Failure> {
    let chain = RpcChain::new(url)?;
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        let answered = chain.chain_id().await.is_ok() && (!counter || count(&chain).await.is_ok());
        if answered {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{url} did not become ready").into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// A started devnet: its processes, its `--json` description, and how long it took to become ready.
struct Started {
    running: Running,
    info: Value,
    ready: Duration,
}

async fn start_superlink(binary: &str, l2_count: u64, block_time: u64) -> Result<Started, Failure> {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(["devnet", "--json", "--l2-count", &l2_count.to_string()])
        .args([
            "--l2-block-time",
            &block_time.to_string(),
            "--l2-starting-port",
            &port_below_65000().to_string(),
        ])
        .args(["--l1-port", &free_port().to_string(), "--verifier-port", &free_port().to_string()])
        .args(["--rollup-starting-port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let running = Running(vec![child]);
    let mut text = String::new();
    let mut info = Value::Null;
    for line in BufReader::new(stdout).lines() {
        text.push_str(&line?);
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            info = value;
            break;
        }
    }
    let l1 = info["l1"]["rpcUrl"].as_str().ok_or("no L1 in the devnet's description")?;
    wait_ready(l1, false).await?;
    for chain in info["l2s"].as_array().ok_or("no L2s in the devnet's description")? {
        wait_ready(chain["rpcUrl"].as_str().ok_or("no L2 URL")?, true).await?;
    }
    let verifier = HttpClientBuilder::default()
        .build(info["verifier"]["rpcUrl"].as_str().ok_or("no verifier URL in the devnet's description")?)?;
    let _: Value = verifier.request("supervisor_dependencySetV1", rpc_params![]).await?;
    Ok(Started { running, info, ready: started.elapsed() })
}

/// Writes the anvil `--init` genesis of an L2: the same predeploy allocations as superlink's L2s.
fn write_l2_genesis(dir: &Path, chain_id: u64, timestamp: u64) -> Result<String, Failure> {
    let genesis = json!({
        "config": { "chainId": chain_id },
        "timestamp": format!("{timestamp:#x}"),
        "gasLimit": "0x1c9c380",
        "difficulty": "0x0",
        "alloc": predeploy_allocs(chain_id),
    });
    let path = dir.join(format!("genesis-{chain_id}.json"));
    std::fs::write(&path, serde_json::to_vec(&genesis)?)?;
    Ok(path.display().to_string())
}

async fn start_anvil_trio(anvil: &Path, dir: &Path) -> Result<Started, Failure> {
    let timestamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let genesis: Vec<String> =
        [901, 902].iter().map(|id| write_l2_genesis(dir, *id, timestamp)).collect::<Result<_, _>>()?;
    let started = Instant::now();
    let mut children = Vec::new();
    let mut urls = Vec::new();
    for (chain_id, init) in [(900u64, None), (901, genesis.first()), (902, genesis.get(1))] {
        let port = free_port();
        let mut command = Command::new(anvil);
        command.args(["--port", &port.to_string(), "--chain-id", &chain_id.to_string(), "--silent"]);
        command.args(["--hardfork", "prague"]);
        if let Some(init) = init {
            command.args(["--init", init]);
        }
        children.push(command.stdout(Stdio::null()).stderr(Stdio::null()).spawn()?);
        urls.push((format!("http://127.0.0.1:{port}"), init.is_some()));
    }
    let running = Running(children);
    for (url, l2) in &urls {
        wait_ready(url, *l2).await?;
    }
    Ok(Started { running, info: Value::Null, ready: started.elapsed() })
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

/// One message 901 -> 902 at a time; returns, per message, (send receipt -> delivery, delivery in L2 blocks).
async fn relay_latencies(
    info: &Value,
    messages: u64,
    block_time: u64,
) -> Result<Vec<(Duration, f64)>, Failure> {
    let l2s = info["l2s"].as_array().ok_or("no L2s")?;
    let url = |i: usize| l2s.get(i).and_then(|c| c["rpcUrl"].as_str()).ok_or("missing L2");
    let source = RpcChain::new(url(0)?)?;
    let dest = RpcChain::new(url(1)?)?;
    let user = Wallet::from_private_key(USER_KEY)?;
    let call = increment_remote(902);
    let mut latencies = Vec::new();
    let start_count = count(&dest).await?;
    for round in 1..=messages {
        let tx = user.send(&source, &call).await?;
        let receipt = wait_for_receipt(&source, tx, Duration::from_secs(60)).await?;
        let seen = Instant::now();
        let sent_block = source.block(receipt.block_number).await?.ok_or("send block unknown")?;
        let deadline = Instant::now() + Duration::from_secs(120);
        while count(&dest).await? < start_count + U256::from(round) {
            if Instant::now() > deadline {
                return Err(format!("message {round} was not delivered").into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let waited = seen.elapsed();
        let head = dest.latest_block_number().await?;
        let relay_block = dest.block(head).await?.ok_or("relay block unknown")?;
        let blocks =
            relay_block.timestamp.saturating_sub(sent_block.timestamp) as f64 / block_time.max(1) as f64;
        latencies.push((waited, blocks));
    }
    Ok(latencies)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Failure> {
    let binary = arg("--superlink").ok_or("give the superlink binary with --superlink PATH")?;
    let l2_count = number("--l2-count", 2)?;
    let block_time = number("--l2-block-time", 2)?;
    let messages = number("--messages", 10)?;
    let runs = number("--runs", 3)?.max(1);
    let with_anvil = !flag("--no-anvil");
    let anvil = if with_anvil { Some(tool("anvil")?) } else { None };
    let dir = tempfile::tempdir()?;

    println!("superlink devnet ({l2_count} L2s, {block_time} s L2 blocks) vs three anvil 1.7.1 processes");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let mut kept = None;
    for run in 1..=runs {
        let started = start_superlink(&binary, l2_count, block_time).await?;
        let rss = started.running.rss_kib();
        println!("run {run}: superlink ready in {:?}, {} KiB resident", started.ready, rss);
        ours.push(started.ready);
        if run == runs {
            kept = Some(started);
        } else {
            drop(started);
        }
        if let Some(anvil) = &anvil {
            let trio = start_anvil_trio(anvil, dir.path()).await?;
            let rss = trio.running.rss_kib();
            println!("run {run}: anvil trio ready in {:?}, {} KiB resident (sum of 3)", trio.ready, rss);
            theirs.push(trio.ready);
        }
    }
    println!("ready, median of {runs}: superlink {:?}", median(&mut ours));
    if with_anvil {
        println!("ready, median of {runs}: anvil trio {:?}", median(&mut theirs));
    }

    let Some(devnet) = kept else { return Ok(()) };
    if l2_count < 2 || messages == 0 {
        return Ok(());
    }
    let mut latencies = relay_latencies(&devnet.info, messages, block_time).await?;
    let rss_end = devnet.running.rss_kib();
    latencies.sort_by_key(|l| l.0);
    let waits: Vec<Duration> = latencies.iter().map(|l| l.0).collect();
    let mut blocks: Vec<f64> = latencies.iter().map(|l| l.1).collect();
    blocks.sort_by(f64::total_cmp);
    println!("message 901 -> 902 with autorelay, {messages} one at a time:");
    println!(
        "  send receipt -> delivery: median {:?}  p90 {:?}  max {:?}",
        waits.get(waits.len() / 2).copied().unwrap_or_default(),
        waits.get((waits.len() * 9) / 10).copied().unwrap_or_default(),
        waits.last().copied().unwrap_or_default()
    );
    println!("  in L2 blocks after the send's block: {:?}", blocks);
    println!("superlink resident memory after the messages: {rss_end} KiB");
    Ok(())
}
