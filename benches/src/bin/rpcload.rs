//! `rpcload`: a JSON-RPC load generator for dev nodes (superlink node, anvil, any `eth_` endpoint on loopback).
//!
//! Against each node, one after the other, it measures:
//! 1. **transfers**: N EIP-1559 transfers, signed beforehand from several dev accounts, sent concurrently with
//!    `eth_sendRawTransaction`; transactions per second from the first send until every sender's nonce shows
//!    all of them mined (a node whose automine stops with transfers still pending is nudged with `evm_mine`
//!    after two idle seconds, and the report shows how many it had mined by itself and when);
//! 2. **calls**: M `eth_call`s of a small contract (one storage read) sent concurrently; calls per second and
//!    the p50/p99 latency;
//! 3. **memory**: the resident set (VmRSS, and the peak VmHWM) of the node process after the run, from
//!    `/proc/<pid>/status`, when the process is known;
//! 4. with `--viem N`, **one viem sender**: `tools/viem/inflight.mjs` sends N transfers from one account with
//!    explicit nonces, `--viem-in-flight` (32) at a time, each waiting for its receipt, as an app written with
//!    viem does; transfers per second and the send-to-receipt latency. Once signing as it sends
//!    (`sendTransaction`), once pre-signed (`sendRawTransaction`), or as `--viem-mode` says;
//! 5. with `--viem-reads N`, **concurrent small reads**: `tools/viem/reads.mjs` keeps `--viem-reads-concurrency`
//!    (32) `eth_blockNumber` requests in flight on viem's HTTP transport (fetch with keep-alive connections)
//!    until N are answered; requests per second, the latency, and the CPU time per request of the node and of
//!    the client (from `/proc`), which tells a busy node from a busy client from a node that makes the client
//!    wait (both mostly idle). After the other phases of every node, these runs alternate between the nodes,
//!    `--viem-reads-rounds` (2) times each, so a change in the machine's load hits both alike.
//!
//! `--spawn-both` starts `superlink node` (the binary given with `--superlink`, or the one next to this
//! executable) and the pinned anvil on free loopback ports, runs both, and stops them. Every loop is bounded
//! by a count and by `--timeout-secs`, and only loopback URLs are accepted.
//!
//! ```text
//! cargo build --release -p superlink-cli && cargo build --release -p superlink-benches --bin rpcload
//! target/release/rpcload --spawn-both --txs 5000 --calls 50000 --concurrency 64
//! ```

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, TxKind, U64, U256, hex};
use alloy_signer::SignerSync;
use alloy_signer_local::{MnemonicBuilder, PrivateKeySigner};
use clap::Parser;
use jsonrpsee::{
    core::client::ClientT,
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
};
use serde_json::{Value, json};
use superlink_testkit::{free_port, repo_root, tool, wait_for_rpc};

/// The mnemonic of the dev accounts both nodes fund.
const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// Creation code of a contract whose runtime returns storage slot 0, which the constructor sets to 42:
/// `SSTORE(0, 42)`, copy the 11-byte runtime `SLOAD(0) MSTORE(0) RETURN(0, 32)` to memory and return it.
const READER_INIT_CODE: &str = "602a600055600b6011600039600b6000f360005460005260206000f3";

/// Development accounts a spawned node funds at least: the viem client sends from the twentieth.
const MIN_FUNDED_ACCOUNTS: u32 = 20;

/// Seconds without a newly mined transfer, while some are pending, after which automine counts as stalled.
const STALL_SECS: u64 = 2;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "JSON-RPC load generator: transfers/s, eth_call/s with latency, and node memory")]
struct Options {
    /// A node to measure (repeatable), e.g. `http://127.0.0.1:8545`. Loopback only.
    #[arg(long = "url")]
    urls: Vec<String>,
    /// The process ID of the node at the same position in `--url`, to report its memory.
    #[arg(long = "pid")]
    pids: Vec<u32>,
    /// Start `superlink node` and anvil on free loopback ports and measure both.
    #[arg(long)]
    spawn_both: bool,
    /// The `superlink` binary for `--spawn-both` (default: next to this executable).
    #[arg(long)]
    superlink: Option<PathBuf>,
    /// Signed transfers to send.
    #[arg(long, default_value_t = 2_000)]
    txs: usize,
    /// Dev accounts the transfers come from; each sends its transfers in nonce order, one in flight, so this
    /// is also the transfer concurrency. Spawned nodes fund this many accounts.
    #[arg(long, default_value_t = 16)]
    senders: u32,
    /// `eth_call`s to send.
    #[arg(long, default_value_t = 20_000)]
    calls: usize,
    /// `eth_call`s in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Transfers the viem client (`tools/viem/inflight.mjs`, run with `node`) sends from one account after
    /// the other phases; 0 skips it.
    #[arg(long, default_value_t = 0)]
    viem: usize,
    /// Transfers the viem client keeps in flight at once.
    #[arg(long, default_value_t = 32)]
    viem_in_flight: usize,
    /// How the viem client sends (repeatable): `send` signs each transfer as it goes (`sendTransaction`),
    /// `raw` signs them all first (`sendRawTransaction`).
    #[arg(long = "viem-mode", default_values_t = ["send".to_string(), "raw".to_string()])]
    viem_modes: Vec<String>,
    /// `eth_blockNumber` requests the viem reads client (`tools/viem/reads.mjs`) sends to each node; 0 skips it.
    #[arg(long, default_value_t = 0)]
    viem_reads: usize,
    /// `eth_blockNumber` requests the viem reads client keeps in flight at once.
    #[arg(long, default_value_t = 32)]
    viem_reads_concurrency: usize,
    /// How many times the reads run against each node, alternating between the nodes.
    #[arg(long, default_value_t = 2)]
    viem_reads_rounds: usize,
    /// Give up on a phase after this many seconds.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
}

/// What can stop a run.
#[derive(Debug, thiserror::Error)]
enum LoadError {
    /// A URL that is not on the loopback interface.
    #[error("only loopback URLs (http://127.0.0.1:PORT or http://localhost:PORT) are allowed, got {0}")]
    NotLoopback(String),
    /// Nothing to measure.
    #[error("give at least one --url, or --spawn-both")]
    NoTarget,
    /// A node process could not be started or did not answer.
    #[error("starting {what}: {reason}")]
    Spawn {
        /// Which node.
        what: String,
        /// Why.
        reason: String,
    },
    /// A JSON-RPC request failed.
    #[error("{method} on {url}: {reason}")]
    Rpc {
        /// The method.
        method: &'static str,
        /// The node.
        url: String,
        /// The client's error.
        reason: String,
    },
    /// A dev account could not be derived.
    #[error("deriving dev account {index}: {reason}")]
    Key {
        /// The account index.
        index: u32,
        /// Why.
        reason: String,
    },
    /// A phase did not finish in time.
    #[error("{phase} on {url} did not finish within {secs} s")]
    Timeout {
        /// The phase.
        phase: &'static str,
        /// The node.
        url: String,
        /// The limit.
        secs: u64,
    },
    /// The node answered something unexpected.
    #[error("unexpected answer from {url}: {what}")]
    Unexpected {
        /// The node.
        url: String,
        /// What was wrong.
        what: String,
    },
}

/// A node under test.
struct Target {
    name: String,
    url: String,
    pid: Option<u32>,
}

/// A node process started by this tool, killed when dropped.
struct Spawned {
    child: Child,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `program args... --port <free>` and waits until it answers; the process and its URL.
fn spawn_node(what: &str, program: &Path, args: &[&str]) -> Result<(Spawned, String), LoadError> {
    let mut last = String::new();
    for _ in 0..5 {
        let port = free_port();
        let child = Command::new(program)
            .args(args)
            .args(["--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| LoadError::Spawn {
                what: what.into(),
                reason: format!("{}: {e}", program.display()),
            })?;
        let node = Spawned { child };
        let url = format!("http://127.0.0.1:{port}");
        if wait_for_rpc(&url, Duration::from_secs(30)) {
            return Ok((node, url));
        }
        last = format!("no answer on port {port}");
    }
    Err(LoadError::Spawn { what: what.into(), reason: last })
}

fn check_loopback(url: &str) -> Result<(), LoadError> {
    let rest = url.strip_prefix("http://").ok_or_else(|| LoadError::NotLoopback(url.into()))?;
    let host = rest.split([':', '/']).next().unwrap_or_default();
    if host == "127.0.0.1" || host == "localhost" || host == "[::1]" {
        Ok(())
    } else {
        Err(LoadError::NotLoopback(url.into()))
    }
}

/// The dev accounts that send transfers.
fn dev_signers(count: u32) -> Result<Vec<PrivateKeySigner>, LoadError> {
    (0..count)
        .map(|index| {
            MnemonicBuilder::from_phrase(DEV_MNEMONIC)
                .index(index)
                .and_then(|b| b.build())
                .map_err(|e| LoadError::Key { index, reason: e.to_string() })
        })
        .collect()
}

async fn rpc<T: serde::de::DeserializeOwned>(
    client: &HttpClient,
    url: &str,
    method: &'static str,
    params: jsonrpsee::core::params::ArrayParams,
) -> Result<T, LoadError> {
    client.request(method, params).await.map_err(|e| LoadError::Rpc {
        method,
        url: url.into(),
        reason: e.to_string(),
    })
}

/// Signs an EIP-1559 transaction and returns its raw bytes.
fn sign(signer: &PrivateKeySigner, tx: TxEip1559) -> Result<Bytes, LoadError> {
    let signature = signer
        .sign_hash_sync(&tx.signature_hash())
        .map_err(|e| LoadError::Key { index: 0, reason: format!("signing: {e}") })?;
    Ok(TxEnvelope::from(tx.into_signed(signature)).encoded_2718().into())
}

/// Fee fields that every node of the run accepts for the next few thousand blocks.
async fn fees(client: &HttpClient, url: &str) -> Result<(u128, u128), LoadError> {
    let price: U256 = rpc(client, url, "eth_gasPrice", rpc_params![]).await?;
    let price = u128::try_from(price).unwrap_or(u128::MAX / 4);
    Ok((price.saturating_mul(4).max(10_000_000_000), 1_000_000))
}

/// Deploys the storage-reading contract and waits for it; its address.
async fn deploy_reader(
    client: &HttpClient,
    url: &str,
    chain_id: u64,
    signer: &PrivateKeySigner,
    limit: Duration,
) -> Result<Address, LoadError> {
    let deadline = Instant::now() + limit;
    let nonce: U64 =
        rpc(client, url, "eth_getTransactionCount", rpc_params![signer.address(), "latest"]).await?;
    let (max_fee, tip) = fees(client, url).await?;
    let code = hex::decode(READER_INIT_CODE)
        .map_err(|e| LoadError::Unexpected { url: url.into(), what: format!("init code: {e}") })?;
    let tx = TxEip1559 {
        chain_id,
        nonce: nonce.to(),
        gas_limit: 200_000,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tip,
        to: TxKind::Create,
        value: U256::ZERO,
        access_list: Default::default(),
        input: code.into(),
    };
    let hash: B256 = rpc(client, url, "eth_sendRawTransaction", rpc_params![sign(signer, tx)?]).await?;
    loop {
        let receipt: Option<Value> = rpc(client, url, "eth_getTransactionReceipt", rpc_params![hash]).await?;
        if let Some(receipt) = receipt {
            return receipt["contractAddress"].as_str().and_then(|a| a.parse().ok()).ok_or_else(|| {
                LoadError::Unexpected { url: url.into(), what: format!("deployment receipt {receipt}") }
            });
        }
        if Instant::now() > deadline {
            return Err(LoadError::Timeout { phase: "deployment", url: url.into(), secs: limit.as_secs() });
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Figures of one node.
#[derive(Debug, Default)]
struct Report {
    txs: usize,
    tx_failures: usize,
    first_tx_error: Option<String>,
    submit_secs: f64,
    mined_secs: f64,
    /// Transfers mined by the node's own automine, and when, before it stopped with transfers pending.
    stall: Option<(u64, f64)>,
    /// `evm_mine` calls needed to get the stalled transfers mined.
    nudges: usize,
    /// Transfers still not mined when `--timeout-secs` ran out.
    unmined: u64,
    calls: usize,
    call_failures: usize,
    calls_secs: f64,
    p50_us: u128,
    p99_us: u128,
    max_us: u128,
    rss_kib: Option<u64>,
    hwm_kib: Option<u64>,
    /// What the viem client printed (its one JSON line), once per mode it ran in.
    viem: Vec<Value>,
}

/// Runs `count` jobs on `concurrency` workers; job `i` is `job(i)`; the error count and first error.
async fn run_concurrently<F, Fut>(count: usize, concurrency: usize, job: F) -> (usize, Option<String>)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let job = Arc::new(job);
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (next, job) = (next.clone(), job.clone());
        workers.push(tokio::spawn(async move {
            let mut failures = 0;
            let mut first = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                if let Err(e) = job(i).await {
                    failures += 1;
                    first.get_or_insert(e);
                }
            }
            (failures, first)
        }));
    }
    let mut failures = 0;
    let mut first = None;
    for worker in workers {
        match worker.await {
            Ok((f, e)) => {
                failures += f;
                if first.is_none() {
                    first = e;
                }
            }
            Err(e) => {
                failures += 1;
                first.get_or_insert(e.to_string());
            }
        }
    }
    (failures, first)
}

async fn measure(target: &Target, options: &Options) -> Result<Report, LoadError> {
    let url = target.url.as_str();
    let limit = Duration::from_secs(options.timeout_secs);
    let client = HttpClientBuilder::default()
        .max_concurrent_requests(options.concurrency.max(1) * 2)
        .request_timeout(limit)
        .build(url)
        .map_err(|e| LoadError::Rpc { method: "connect", url: url.into(), reason: e.to_string() })?;
    let chain_id: U64 = rpc(&client, url, "eth_chainId", rpc_params![]).await?;
    let chain_id = chain_id.to::<u64>();
    let signers = dev_signers(options.senders.max(1))?;

    // The contract the calls read, deployed by the first sender before its transfers are signed.
    let reader = deploy_reader(&client, url, chain_id, &signers[0], limit).await?;

    // (a) Transfers: pre-signed, spread evenly over the senders; each sender's go out in nonce order (a node may
    // hold a transaction whose predecessor has not arrived until its next block, which would measure waiting).
    let (max_fee, tip) = fees(&client, url).await?;
    let mut start_nonces = Vec::new();
    for signer in &signers {
        let nonce: U64 =
            rpc(&client, url, "eth_getTransactionCount", rpc_params![signer.address(), "latest"]).await?;
        start_nonces.push(nonce.to::<u64>());
    }
    let mut raw: Vec<Vec<Bytes>> = vec![Vec::new(); signers.len()];
    let mut sent_by = vec![0u64; signers.len()];
    for i in 0..options.txs {
        let s = i % signers.len();
        let recipient = Address::with_last_byte(0x10 + (i % 200) as u8);
        let tx = TxEip1559 {
            chain_id,
            nonce: start_nonces[s] + sent_by[s],
            gas_limit: 21_000,
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: tip,
            to: TxKind::Call(recipient),
            value: U256::from(1),
            access_list: Default::default(),
            input: Bytes::new(),
        };
        raw[s].push(sign(&signers[s], tx)?);
        sent_by[s] += 1;
    }
    let raw = Arc::new(raw);
    let started = Instant::now();
    let (tx_failures, first_tx_error) = {
        let (client, raw) = (client.clone(), raw.clone());
        run_concurrently(raw.len(), raw.len(), move |s| {
            let (client, raw) = (client.clone(), raw.clone());
            async move {
                for tx in &raw[s] {
                    client
                        .request::<B256, _>("eth_sendRawTransaction", rpc_params![tx])
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Ok(())
            }
        })
        .await
    };
    let submit_secs = started.elapsed().as_secs_f64();
    // Mined when every sender's nonce counts all its transfers. A node whose automine stops while transfers
    // are still pending (no progress for `STALL`) gets one `evm_mine` per stall, and the report says so.
    const STALL: Duration = Duration::from_secs(STALL_SECS);
    let wanted: u64 = sent_by.iter().sum();
    let mut last_progress = (0u64, Instant::now());
    let mut stall = None;
    let mut nudges = 0usize;
    let mut unmined = 0u64;
    loop {
        let mut mined = 0u64;
        for (s, signer) in signers.iter().enumerate() {
            let nonce: U64 =
                rpc(&client, url, "eth_getTransactionCount", rpc_params![signer.address(), "latest"]).await?;
            mined += nonce.to::<u64>().saturating_sub(start_nonces[s]).min(sent_by[s]);
        }
        if mined == wanted || tx_failures > 0 {
            break;
        }
        if mined != last_progress.0 {
            last_progress = (mined, Instant::now());
        } else if last_progress.1.elapsed() > STALL {
            stall.get_or_insert((mined, (last_progress.1 - started).as_secs_f64()));
            let _: Value = rpc(&client, url, "evm_mine", rpc_params![]).await?;
            nudges += 1;
            last_progress = (mined, Instant::now());
        }
        if started.elapsed() > limit {
            unmined = wanted - mined;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mined_secs = started.elapsed().as_secs_f64();

    // (b) Calls: every answer must be the stored 42.
    let expected: Bytes = U256::from(42).to_be_bytes::<32>().to_vec().into();
    let request = json!({"to": reader, "data": "0x"});
    let first: Bytes = rpc(&client, url, "eth_call", rpc_params![request.clone(), "latest"]).await?;
    if first != expected {
        return Err(LoadError::Unexpected { url: url.into(), what: format!("eth_call answered {first}") });
    }
    let latencies = Arc::new(std::sync::Mutex::new(Vec::with_capacity(options.calls)));
    let started = Instant::now();
    let (call_failures, _) = {
        let (client, latencies, expected) = (client.clone(), latencies.clone(), expected.clone());
        run_concurrently(options.calls, options.concurrency, move |_| {
            let (client, latencies, expected, request) =
                (client.clone(), latencies.clone(), expected.clone(), request.clone());
            async move {
                let sent = Instant::now();
                let answer: Bytes = client
                    .request("eth_call", rpc_params![request, "latest"])
                    .await
                    .map_err(|e| e.to_string())?;
                let took = sent.elapsed();
                if answer != expected {
                    return Err(format!("eth_call answered {answer}"));
                }
                if let Ok(mut all) = latencies.lock() {
                    all.push(took);
                }
                Ok(())
            }
        })
        .await
    };
    let calls_secs = started.elapsed().as_secs_f64();
    let mut latencies = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    latencies.sort();
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map(|d| d.as_micros())
            .unwrap_or(0)
    };
    let mut viem = Vec::new();
    if options.viem > 0 {
        for mode in &options.viem_modes {
            // A client that gives up (a node that stops mining with transfers pending) is reported, not fatal.
            let report = run_viem(url, options.viem, options.viem_in_flight, mode).await;
            viem.push(report.unwrap_or_else(|e| json!({"mode": mode, "error": e.to_string()})));
        }
    }
    let (rss_kib, hwm_kib) = target.pid.map(memory_kib).unwrap_or((None, None));
    Ok(Report {
        txs: options.txs,
        tx_failures,
        first_tx_error,
        submit_secs,
        mined_secs,
        stall,
        nudges,
        unmined,
        calls: options.calls,
        call_failures,
        calls_secs,
        p50_us: percentile(0.50),
        p99_us: percentile(0.99),
        max_us: latencies.last().map(|d| d.as_micros()).unwrap_or(0),
        rss_kib,
        hwm_kib,
        viem,
    })
}

/// Runs `tools/viem/inflight.mjs` against `url` and returns the JSON line it prints.
async fn run_viem(url: &str, txs: usize, in_flight: usize, mode: &str) -> Result<Value, LoadError> {
    let args = [url.to_string(), txs.to_string(), in_flight.max(1).to_string(), mode.to_string()];
    run_viem_script("inflight.mjs", "viem client", url, &args).await
}

/// Runs the node script `tools/viem/SCRIPT` with `args` and returns the last JSON line it prints; `label` names
/// the client in errors about `url`.
async fn run_viem_script(script: &str, label: &str, url: &str, args: &[String]) -> Result<Value, LoadError> {
    let script = repo_root().join("tools").join("viem").join(script);
    let failed = |what: String| LoadError::Unexpected { url: url.into(), what: format!("{label}: {what}") };
    let output = tokio::process::Command::new("node")
        .arg(&script)
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| failed(format!("running node {}: {e}", script.display())))?;
    if !output.status.success() {
        return Err(failed(String::from_utf8_lossy(&output.stderr).trim().to_string()));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().rev().find(|line| line.starts_with('{')).unwrap_or_default();
    serde_json::from_str(line).map_err(|e| failed(format!("unreadable report {line:?}: {e}")))
}

/// One run of `tools/viem/reads.mjs` against a node.
struct ReadsRun {
    /// Which node (index into the targets).
    target: usize,
    /// What the client printed (its one JSON line), or why it failed.
    report: Result<Value, String>,
    /// CPU seconds the node process used during the run, when its process is known.
    node_cpu_secs: Option<f64>,
    /// CPU seconds the client (the `node` process running the script) used.
    client_cpu_secs: Option<f64>,
}

/// Runs `tools/viem/reads.mjs` against `url` and returns the JSON line it prints.
async fn run_viem_reads(url: &str, requests: usize, concurrency: usize) -> Result<Value, LoadError> {
    let args = [url.to_string(), requests.to_string(), concurrency.max(1).to_string()];
    run_viem_script("reads.mjs", "viem reads client", url, &args).await
}

/// User plus system CPU time from `/proc/<process>/stat`, in seconds (clock ticks of 1/100 s): the process's
/// own, or with `children` that of its children that have ended and been waited for.
fn cpu_secs_of(process: &str, children: bool) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{process}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are space-separated, the state first.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let first = if children { 13 } else { 11 };
    let user: f64 = fields.get(first)?.parse().ok()?;
    let system: f64 = fields.get(first + 1)?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// CPU seconds process `pid` has used so far.
fn cpu_secs(pid: u32) -> Option<f64> {
    cpu_secs_of(&pid.to_string(), false)
}

/// CPU seconds this process's ended children have used so far (the clients it ran and waited for; the nodes it
/// spawned count only once they are stopped).
fn children_cpu_secs() -> Option<f64> {
    cpu_secs_of("self", true)
}

/// The system's 1-minute load average.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "n/a".into())
}

/// The reads phase: `--viem-reads-rounds` runs per node, alternating between the nodes.
async fn measure_reads(targets: &[Target], options: &Options) -> Vec<ReadsRun> {
    let mut runs = Vec::new();
    for _ in 0..options.viem_reads_rounds.max(1) {
        for (index, target) in targets.iter().enumerate() {
            let (before, client_before) = (target.pid.and_then(cpu_secs), children_cpu_secs());
            let report =
                run_viem_reads(&target.url, options.viem_reads, options.viem_reads_concurrency).await;
            let (after, client_after) = (target.pid.and_then(cpu_secs), children_cpu_secs());
            let used = |before: Option<f64>, after: Option<f64>| before.zip(after).map(|(b, a)| a - b);
            runs.push(ReadsRun {
                target: index,
                report: report.map_err(|e| e.to_string()),
                node_cpu_secs: used(before, after),
                client_cpu_secs: used(client_before, client_after),
            });
        }
    }
    runs
}

fn print_reads(targets: &[Target], runs: &[ReadsRun], options: &Options) {
    println!(
        "## viem eth_blockNumber, {} requests, {} in flight (tools/viem/reads.mjs; load average {})",
        options.viem_reads,
        options.viem_reads_concurrency,
        load_average()
    );
    for run in runs {
        let name = &targets[run.target].name;
        match &run.report {
            Err(error) => println!("{name}: FAILED: {error}"),
            Ok(report) => {
                let per_request = |who: &str, secs: Option<f64>| {
                    secs.map(|secs| {
                        format!(
                            "; {who} CPU {secs:.2} s ({:.0} us a request)",
                            secs * 1e6 / options.viem_reads.max(1) as f64
                        )
                    })
                    .unwrap_or_default()
                };
                println!(
                    "{name}: {} requests/s in {} s; latency p50 {} ms, p99 {} ms{}{}",
                    report["perSec"],
                    report["secs"],
                    report["p50Ms"],
                    report["p99Ms"],
                    per_request("node", run.node_cpu_secs),
                    per_request("client", run.client_cpu_secs),
                );
            }
        }
    }
    println!();
}

/// VmRSS and VmHWM of a process, in KiB.
fn memory_kib(pid: u32) -> (Option<u64>, Option<u64>) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn print_report(name: &str, url: &str, r: &Report) {
    let mib = |kib: Option<u64>| {
        kib.map(|k| format!("{:.1} MiB", k as f64 / 1024.0)).unwrap_or_else(|| "n/a".into())
    };
    println!("## {name} ({url})");
    if r.unmined > 0 {
        println!(
            "transfers: {} sent, {} refused; {} still NOT mined after {:.1} s (gave up)",
            r.txs, r.tx_failures, r.unmined, r.mined_secs
        );
    } else {
        println!(
            "transfers: {} sent, {} refused; submitted in {:.3} s, all mined after {:.3} s => {:.0} tx/s",
            r.txs,
            r.tx_failures,
            r.submit_secs,
            r.mined_secs,
            r.txs as f64 / r.mined_secs.max(1e-9)
        );
    }
    if let Some((mined, secs)) = r.stall {
        println!(
            "  automine stalled: {mined} mined by {secs:.3} s ({:.0} tx/s), then nothing for {} s with transfers \
             pending; {} evm_mine call(s) sent",
            mined as f64 / secs.max(1e-9),
            STALL_SECS,
            r.nudges
        );
    }
    if let Some(error) = &r.first_tx_error {
        println!("  first refusal: {error}");
    }
    println!(
        "eth_call: {} calls, {} failed, {:.3} s => {:.0} calls/s; latency p50 {} us, p99 {} us, max {} us",
        r.calls,
        r.call_failures,
        r.calls_secs,
        r.calls as f64 / r.calls_secs.max(1e-9),
        r.p50_us,
        r.p99_us,
        r.max_us
    );
    for viem in &r.viem {
        if let Some(error) = viem.get("error") {
            println!("viem ({}), one sender: FAILED: {error}", viem["mode"]);
            continue;
        }
        println!(
            "viem ({}), one sender: {} transfers, {} in flight, {} s => {} tx/s; send to receipt p50 {} ms, \
             p99 {} ms; {} blocks; requests {}",
            viem["mode"],
            viem["txs"],
            viem["inFlight"],
            viem["secs"],
            viem["txPerSec"],
            viem["p50Ms"],
            viem["p99Ms"],
            viem["blocks"],
            viem["requests"]
        );
    }
    println!("memory after the run: VmRSS {}, peak VmHWM {}", mib(r.rss_kib), mib(r.hwm_kib));
    println!();
}

fn superlink_binary(options: &Options) -> PathBuf {
    options.superlink.clone().unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("superlink")))
            .unwrap_or_else(|| PathBuf::from("superlink"))
    })
}

fn main() -> std::process::ExitCode {
    let options = Options::parse();
    match run(&options) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<(), LoadError> {
    let mut targets = Vec::new();
    let mut processes = Vec::new();
    for (i, url) in options.urls.iter().enumerate() {
        check_loopback(url)?;
        targets.push(Target {
            name: format!("node {}", i + 1),
            url: url.clone(),
            pid: options.pids.get(i).copied(),
        });
    }
    if options.spawn_both {
        let superlink = superlink_binary(options);
        let accounts = options.senders.max(MIN_FUNDED_ACCOUNTS).to_string();
        let (node, url) = spawn_node(
            "superlink node",
            &superlink,
            &["node", "--chain-id", "901", "--accounts", &accounts],
        )?;
        targets.push(Target { name: "superlink node".into(), url, pid: Some(node.child.id()) });
        processes.push(node);
        let anvil =
            tool("anvil").map_err(|e| LoadError::Spawn { what: "anvil".into(), reason: e.to_string() })?;
        let (node, url) = spawn_node(
            "anvil",
            &anvil,
            &["--chain-id", "901", "--silent", "--hardfork", "prague", "--accounts", &accounts],
        )?;
        let version = Command::new(&anvil).arg("--version").output().ok();
        let version = version
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|v| v.lines().next().map(str::to_string))
            .unwrap_or_else(|| "anvil".into());
        targets.push(Target { name: version, url, pid: Some(node.child.id()) });
        processes.push(node);
    }
    if targets.is_empty() {
        return Err(LoadError::NoTarget);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| LoadError::Spawn { what: "the async runtime".into(), reason: e.to_string() })?;
    println!(
        "rpcload: {} transfers from {} senders (one in flight each), {} eth_calls ({} in flight); load average {}\n",
        options.txs,
        options.senders,
        options.calls,
        options.concurrency,
        load_average()
    );
    for target in &targets {
        let report = runtime.block_on(measure(target, options))?;
        print_report(&target.name, &target.url, &report);
    }
    if options.viem_reads > 0 {
        let runs = runtime.block_on(measure_reads(&targets, options));
        print_reads(&targets, &runs, options);
    }
    drop(processes);
    Ok(())
}
