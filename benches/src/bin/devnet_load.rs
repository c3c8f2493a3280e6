//! Load generator of `superlink devnet`: starts the real binary with N L2 chains and measures the time until
//! every chain answers, the memory of the process, and the latency of the example counter app's messages
//! 901 -> 902 from submission to delivery by the embedded autorelayer.
//!
//! `cargo run -p superlink-benches --bin devnet_load -- --superlink PATH [--l2-count N] [--l2-block-time S]
//! [--messages N]`

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy_primitives::{Bytes, U256};
use alloy_sol_types::SolCall;
use serde_json::Value;
use superlink_contracts::{
    addresses::CROSS_CHAIN_COUNTER,
    bindings::CrossChainCounter::{countCall, incrementRemoteCall},
};
use superlink_relayer::{CallRequest, ChainClient, RpcChain, Wallet, wait_for_receipt};
use superlink_testkit::free_port;

const USER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

type Failure = Box<dyn std::error::Error>;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn number(name: &str, default: u64) -> Result<u64, Failure> {
    Ok(arg(name).map(|v| v.parse()).transpose()?.unwrap_or(default))
}

/// Kills the devnet when the generator ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn count(chain: &RpcChain) -> Result<U256, Failure> {
    let call = CallRequest {
        to: CROSS_CHAIN_COUNTER,
        input: countCall {}.abi_encode().into(),
        ..Default::default()
    };
    Ok(countCall::abi_decode_returns(&chain.call(&call).await?)?)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Failure> {
    let binary = arg("--superlink").ok_or("give the superlink binary with --superlink PATH")?;
    let l2_count = number("--l2-count", 2)?;
    let block_time = number("--l2-block-time", 2)?;
    let messages = number("--messages", 10)?;
    let l2_port = loop {
        let port = free_port();
        if port != 0 && port < 65_000 {
            break port;
        }
    };
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .args(["devnet", "--json", "--l2-count", &l2_count.to_string()])
        .args(["--l2-block-time", &block_time.to_string(), "--l2-starting-port", &l2_port.to_string()])
        .args(["--l1-port", &free_port().to_string(), "--verifier-port", &free_port().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let devnet = Running(child);
    let mut text = String::new();
    let mut info = Value::Null;
    for line in BufReader::new(stdout).lines() {
        text.push_str(&line?);
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            info = value;
            break;
        }
    }
    let l2s = info["l2s"].as_array().ok_or("no JSON description from the devnet")?;
    let url = |i: usize| l2s.get(i).and_then(|c| c["rpcUrl"].as_str()).map(str::to_string);
    for chain in l2s {
        let rpc = RpcChain::new(chain["rpcUrl"].as_str().ok_or("no URL")?)?;
        rpc.chain_id().await?;
    }
    let startup = started.elapsed();
    let rss_start = rss_kib(devnet.0.id());

    let source = RpcChain::new(&url(0).ok_or("no chain 901")?)?;
    let dest = RpcChain::new(&url(1).ok_or("no chain 902")?)?;
    let user = Wallet::from_private_key(USER_KEY)?;
    let call = CallRequest {
        to: CROSS_CHAIN_COUNTER,
        input: Bytes::from(incrementRemoteCall { _destination: U256::from(902) }.abi_encode()),
        ..Default::default()
    };
    let mut latencies = Vec::new();
    for round in 1..=messages {
        let sent = Instant::now();
        let tx = user.send(&source, &call).await?;
        wait_for_receipt(&source, tx, Duration::from_secs(60)).await?;
        let included = sent.elapsed();
        let deadline = Instant::now() + Duration::from_secs(120);
        while count(&dest).await? < U256::from(round) {
            if Instant::now() > deadline {
                return Err(format!("message {round} was not delivered").into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        latencies.push((included, sent.elapsed()));
    }
    let rss_end = rss_kib(devnet.0.id());
    latencies.sort_by_key(|(_, total)| *total);
    let pick = |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q).round() as usize).map(|l| l.1);
    let mean_inclusion =
        latencies.iter().map(|l| l.0).sum::<Duration>() / u32::try_from(latencies.len().max(1)).unwrap_or(1);
    println!("superlink devnet, {l2_count} L2 chains, {block_time} s L2 blocks");
    println!("startup (spawn to every L2 answering): {startup:?}");
    println!("resident memory: {:?} KiB after start, {:?} KiB after {messages} messages", rss_start, rss_end);
    println!("message 901 -> 902, submission to delivery ({messages} one at a time):");
    println!(
        "  median {:?}  p90 {:?}  max {:?}  (source inclusion {:?} on average)",
        pick(0.5).unwrap_or_default(),
        pick(0.9).unwrap_or_default(),
        pick(1.0).unwrap_or_default(),
        mean_inclusion
    );
    Ok(())
}
