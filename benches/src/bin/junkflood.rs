//! `junkflood`: floods a chain's pool with transactions that declare many bogus `CrossL2Inbox` access-list entries,
//! and watches whether the chain keeps its block time.
//!
//! Two kinds of junk, signed beforehand from the dev accounts (each transaction distinct):
//! - **over the limit**: `MAX_INBOX_ENTRIES + 1` entries; the pool must refuse them after counting the keys,
//!   before checking any message;
//! - **at the limit**: `MAX_INBOX_ENTRIES` well-formed entries (lookups of chain 902's block 1 with made-up
//!   checksums); the pool judges them and refuses them as invalid.
//!
//! `--clients` connections send them with `eth_sendRawTransaction` for `--duration` seconds while a watcher polls
//! the chain's head every 50 ms and records when each new block appeared. The report gives the refusals per
//! second of each kind, anything not refused, and the intervals between blocks before and during the flood.
//!
//! Without `--url` it starts `superlink devnet --l2-block-time 1` (the binary next to this executable, or
//! `--superlink PATH`) and floods its chain 901 (the embedded verifier checks the messages); with `--url` it
//! floods that node (for example a `superlink node --interop-rpc`, whose checks go to a remote verifier).
//!
//! ```text
//! junkflood [--duration SECS] [--clients N] [--url http://127.0.0.1:9545 --chain-id 901] [--superlink PATH]
//! ```

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::{
    eip2718::Encodable2718,
    eip2930::{AccessList, AccessListItem},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::{MnemonicBuilder, PrivateKeySigner};
use jsonrpsee::{
    core::client::ClientT,
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
};
use serde_json::Value;
use superlink_protocol::predeploys::CROSS_L2_INBOX;
use superlink_testkit::free_port;
use superlink_verifier::MAX_INBOX_ENTRIES;

/// The mnemonic of the dev accounts.
const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";
/// Distinct transactions signed per kind (sent round and round).
const SIGNED_PER_KIND: usize = 400;

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Options {
    duration: Duration,
    clients: usize,
    url: Option<String>,
    chain_id: u64,
    superlink: Option<PathBuf>,
}

fn parse_options() -> Result<Options, String> {
    let mut options =
        Options { duration: Duration::from_secs(20), clients: 8, url: None, chain_id: 901, superlink: None };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--duration" => {
                options.duration =
                    Duration::from_secs(value()?.parse().map_err(|e| format!("--duration: {e}"))?)
            }
            "--clients" => options.clients = value()?.parse().map_err(|e| format!("--clients: {e}"))?,
            "--url" => options.url = Some(value()?),
            "--chain-id" => options.chain_id = value()?.parse().map_err(|e| format!("--chain-id: {e}"))?,
            "--superlink" => options.superlink = Some(value()?.into()),
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

/// A started devnet, killed on drop.
struct Devnet(Child);

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `superlink devnet --json --l2-block-time 1` on free ports; the devnet and chain 901's URL.
fn start_devnet(superlink: &PathBuf) -> Result<(Devnet, String), Error> {
    let port = |p: u16| p.to_string();
    let mut child = Command::new(superlink)
        .args(["devnet", "--json", "--l2-block-time", "1", "--l2-count", "2"])
        .args(["--l1-port", &port(free_port()), "--verifier-port", &port(free_port())])
        .args(["--l2-starting-port", &port(free_port()), "--rollup-starting-port", &port(free_port())])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", superlink.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let devnet = Devnet(child);
    let mut text = String::new();
    for line in BufReader::new(stdout).lines() {
        text.push_str(&line?);
        text.push('\n');
        if let Ok(info) = serde_json::from_str::<Value>(&text) {
            let url = info["l2s"][0]["rpcUrl"].as_str().ok_or("no L2 in the devnet's description")?;
            return Ok((devnet, url.to_string()));
        }
    }
    Err("the devnet printed no description".into())
}

/// `count` keys: pairs of a lookup of chain 902's block 1 (log `i`) and a made-up checksum, or (odd `count`)
/// made-up keys.
fn junk_keys(count: usize, seed: u64) -> Vec<B256> {
    (0..count)
        .map(|i| {
            if count.is_multiple_of(2) && i.is_multiple_of(2) {
                let mut lookup = [0u8; 32];
                lookup[0] = 1;
                lookup[4..12].copy_from_slice(&902u64.to_be_bytes());
                lookup[12..20].copy_from_slice(&1u64.to_be_bytes());
                lookup[20..28].copy_from_slice(&1u64.to_be_bytes());
                lookup[28..32].copy_from_slice(&u32::try_from(i / 2).unwrap_or(0).to_be_bytes());
                B256::from(lookup)
            } else {
                let mut checksum = keccak256([seed.to_be_bytes(), (i as u64).to_be_bytes()].concat());
                checksum.0[0] = 3;
                checksum
            }
        })
        .collect()
}

/// Signs `SIGNED_PER_KIND` distinct transactions declaring `entries` inbox keys each.
fn junk(signers: &[PrivateKeySigner], chain_id: u64, entries: usize) -> Result<Vec<Bytes>, Error> {
    (0..SIGNED_PER_KIND)
        .map(|i| {
            let signer = &signers[i % signers.len()];
            let tx = TxEip1559 {
                chain_id,
                nonce: 0,
                gas_limit: 1_000_000,
                max_fee_per_gas: 10_000_000_000,
                max_priority_fee_per_gas: 1_000_000,
                to: TxKind::Call(Address::repeat_byte(0xde)),
                value: U256::ZERO,
                access_list: AccessList(vec![AccessListItem {
                    address: CROSS_L2_INBOX,
                    storage_keys: junk_keys(entries, (entries * SIGNED_PER_KIND + i) as u64),
                }]),
                input: Bytes::new(),
            };
            let signature = signer.sign_hash_sync(&tx.signature_hash())?;
            Ok(TxEnvelope::from(tx.into_signed(signature)).encoded_2718().into())
        })
        .collect()
}

/// What the flood's answers were.
#[derive(Default)]
struct Outcomes {
    over_refused: AtomicU64,
    at_refused: AtomicU64,
    accepted: AtomicU64,
    other: AtomicU64,
    examples: Mutex<Vec<String>>,
}

async fn flood(
    client: HttpClient,
    txs: Arc<Vec<(Bytes, bool)>>,
    offset: usize,
    outcomes: Arc<Outcomes>,
    stop: Arc<AtomicBool>,
) {
    let mut i = offset;
    while !stop.load(Ordering::Relaxed) {
        let (raw, over) = &txs[i % txs.len()];
        i += 1;
        let answer: Result<B256, _> = client.request("eth_sendRawTransaction", rpc_params![raw]).await;
        let answer = answer.map_err(|e| match e {
            jsonrpsee::core::ClientError::Call(call) => call.message().to_string(),
            other => other.to_string(),
        });
        let counter = match &answer {
            Ok(_) => &outcomes.accepted,
            Err(e) if *over && e.contains("too many CrossL2Inbox access-list entries") => {
                &outcomes.over_refused
            }
            Err(e) if !*over && e.contains("invalid executing message") => &outcomes.at_refused,
            Err(_) => &outcomes.other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if let Err(text) = answer {
            let mut examples = outcomes.examples.lock().unwrap_or_else(|p| p.into_inner());
            let kind = if *over { "over the limit" } else { "at the limit" };
            if !examples.iter().any(|x| x.starts_with(kind)) {
                examples.push(format!("{kind}: {text}"));
            }
        }
    }
}

/// Polls the head every 50 ms until `stop`; the moments new blocks appeared.
async fn watch_blocks(client: HttpClient, stop: Arc<AtomicBool>) -> Vec<Instant> {
    let mut seen = Vec::new();
    let mut last = None;
    while !stop.load(Ordering::Relaxed) {
        if let Ok(number) = client.request::<U256, _>("eth_blockNumber", rpc_params![]).await
            && last != Some(number)
        {
            last = Some(number);
            seen.push(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

fn intervals(seen: &[Instant]) -> String {
    let gaps: Vec<f64> = seen.windows(2).map(|w| (w[1] - w[0]).as_secs_f64()).collect();
    if gaps.is_empty() {
        return "no blocks".into();
    }
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    let max = gaps.iter().cloned().fold(0.0, f64::max);
    let min = gaps.iter().cloned().fold(f64::MAX, f64::min);
    format!("{} blocks, interval mean {mean:.3} s, min {min:.3} s, max {max:.3} s", gaps.len())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    let options = parse_options()?;
    let superlink = options.superlink.clone().unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("superlink")))
            .unwrap_or_else(|| PathBuf::from("superlink"))
    });
    let (_devnet, url) = match &options.url {
        Some(url) => (None, url.clone()),
        None => {
            let (devnet, url) = start_devnet(&superlink)?;
            (Some(devnet), url)
        }
    };
    let client = HttpClientBuilder::default().request_timeout(Duration::from_secs(30)).build(&url)?;
    let signers: Vec<PrivateKeySigner> = (0..8)
        .map(|i| MnemonicBuilder::from_phrase(DEV_MNEMONIC).index(i)?.build())
        .collect::<Result<_, _>>()?;
    let over = junk(&signers, options.chain_id, MAX_INBOX_ENTRIES + 1)?;
    let at = junk(&signers, options.chain_id, MAX_INBOX_ENTRIES)?;
    let txs: Arc<Vec<(Bytes, bool)>> = Arc::new(
        over.into_iter()
            .map(|t| (t, true))
            .zip(at.into_iter().map(|t| (t, false)))
            .flat_map(|(a, b)| [a, b])
            .collect(),
    );
    println!(
        "flooding {url} with {} clients for {} s: transactions of {} entries (over the limit) and {} (at it), alternating",
        options.clients,
        options.duration.as_secs(),
        MAX_INBOX_ENTRIES + 1,
        MAX_INBOX_ENTRIES
    );

    // The block time without the flood.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch_blocks(client.clone(), stop.clone()));
    tokio::time::sleep(Duration::from_secs(6)).await;
    stop.store(true, Ordering::Relaxed);
    let quiet = watcher.await?;
    println!("before the flood: {}", intervals(&quiet));

    let stop = Arc::new(AtomicBool::new(false));
    let outcomes = Arc::new(Outcomes::default());
    let watcher = tokio::spawn(watch_blocks(client.clone(), stop.clone()));
    let started = Instant::now();
    let mut floods = Vec::new();
    for c in 0..options.clients {
        floods.push(tokio::spawn(flood(client.clone(), txs.clone(), c * 37, outcomes.clone(), stop.clone())));
    }
    tokio::time::sleep(options.duration).await;
    stop.store(true, Ordering::Relaxed);
    for f in floods {
        f.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let during = watcher.await?;
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let (over_refused, at_refused) = (load(&outcomes.over_refused), load(&outcomes.at_refused));
    println!(
        "refused over the limit: {over_refused} ({:.0}/s); refused at the limit (judged invalid): {at_refused} ({:.0}/s); \
         total {:.0} refusals/s; accepted: {}; other answers: {}",
        over_refused as f64 / elapsed,
        at_refused as f64 / elapsed,
        (over_refused + at_refused) as f64 / elapsed,
        load(&outcomes.accepted),
        load(&outcomes.other),
    );
    println!("answers seen: {:?}", outcomes.examples.lock().unwrap_or_else(|p| p.into_inner()));
    println!("during the flood: {}", intervals(&during));
    Ok(())
}
