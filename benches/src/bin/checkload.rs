//! Load generator for `interop_checkAccessList`: keeps many HTTP/1.1 keep-alive connections busy with
//! access-list checks and reports requests per second and latency percentiles.
//!
//! Without `--url` it starts a verifier in this process over a synthetic two-chain index (in a temporary
//! directory) and targets it; with `--url` it targets a running verifier, checking the claims given with
//! `--entries` (comma-separated 32-byte keys of one access list) at `--timestamp` on chain `--chain-id`
//! (default 902).
//!
//! ```text
//! checkload [--duration SECS] [--connections N] [--url http://HOST:PORT --entries K1,K2 --timestamp T --chain-id C]
//! ```

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_primitives::{B256, U256};
use superlink_benches::synthetic;
use superlink_protocol::{DependencySet, access_list_keys};
use superlink_verifier::{RpcChainSource, Verifier, serve};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Command-line options.
struct Options {
    duration: Duration,
    connections: usize,
    url: Option<String>,
    entries: Vec<B256>,
    timestamp: u64,
    chain_id: u64,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        duration: Duration::from_secs(10),
        connections: 32,
        url: None,
        entries: Vec::new(),
        timestamp: 0,
        chain_id: 902,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--duration" => {
                options.duration =
                    Duration::from_secs(value()?.parse().map_err(|e| format!("--duration: {e}"))?)
            }
            "--connections" => {
                options.connections = value()?.parse().map_err(|e| format!("--connections: {e}"))?
            }
            "--url" => options.url = Some(value()?),
            "--entries" => {
                options.entries = value()?
                    .split(',')
                    .map(|k| k.parse::<B256>().map_err(|e| format!("--entries: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "--timestamp" => options.timestamp = value()?.parse().map_err(|e| format!("--timestamp: {e}"))?,
            "--chain-id" => options.chain_id = value()?.parse().map_err(|e| format!("--chain-id: {e}"))?,
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn request_body(entries: &[B256], chain_id: u64, timestamp: u64) -> String {
    let keys: Vec<String> = entries.iter().map(|k| format!("\"{k}\"")).collect();
    format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"interop_checkAccessList","params":[[{}],"cross-unsafe",{{"chainID":"{chain_id:#x}","timestamp":"{timestamp:#x}"}}]}}"#,
        keys.join(",")
    )
}

/// One keep-alive connection sending requests until `until`; returns latencies in microseconds and errors.
async fn drive(
    addr: SocketAddr,
    host: String,
    bodies: Arc<Vec<String>>,
    offset: usize,
    until: Instant,
) -> (Vec<u32>, u64) {
    let mut latencies = Vec::new();
    let mut failures = 0u64;
    let Ok(mut stream) = TcpStream::connect(addr).await else { return (latencies, 1) };
    let _ = stream.set_nodelay(true);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut i = offset;
    while Instant::now() < until {
        let body = &bodies[i % bodies.len()];
        i += 1;
        let request = format!(
            "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let started = Instant::now();
        if stream.write_all(request.as_bytes()).await.is_err() {
            return (latencies, failures + 1);
        }
        // Read one response: headers, then Content-Length bytes of body.
        let mut filled = 0;
        let complete = loop {
            let Ok(n) = stream.read(&mut buffer[filled..]).await else { break None };
            if n == 0 {
                break None;
            }
            filled += n;
            let text = &buffer[..filled];
            if let Some(end) = text.windows(4).position(|w| w == b"\r\n\r\n") {
                let headers = String::from_utf8_lossy(&text[..end]).to_ascii_lowercase();
                let length = headers
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if filled >= end + 4 + length {
                    break Some(String::from_utf8_lossy(&text[end + 4..end + 4 + length]).to_string());
                }
            }
        };
        let Some(response) = complete else { return (latencies, failures + 1) };
        latencies.push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
        if !response.contains("\"result\":null") {
            failures += 1;
        }
    }
    (latencies, failures)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[rank]) / 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = parse_options()?;
    let _datadir;
    let _server;
    let (addr, host, bodies) = match &options.url {
        Some(url) => {
            let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
            let addr: SocketAddr =
                tokio::net::lookup_host(&host).await?.next().ok_or("cannot resolve --url")?;
            if options.entries.is_empty() {
                return Err("--url needs --entries".into());
            }
            (addr, host, vec![request_body(&options.entries, options.chain_id, options.timestamp)])
        }
        None => {
            let dir = tempfile::tempdir()?;
            let dependencies = DependencySet::new([U256::from(901), U256::from(902)])?;
            let verifier = Verifier::open(dependencies, dir.path(), &BTreeMap::new())?;
            let blocks = 2_000;
            for chain in [901u64, 902] {
                for chunk in synthetic::chain(chain, blocks, 8, 8).chunks(500) {
                    verifier.ingest(chain, chunk)?;
                }
            }
            let heads = verifier.heads(902).and_then(|h| h.cross_unsafe).map(|b| b.number);
            eprintln!(
                "synthetic index: 2 chains x {blocks} blocks x 8 logs; chain 902 cross-unsafe head {heads:?}"
            );
            let sources: BTreeMap<u64, Arc<RpcChainSource>> = BTreeMap::new();
            let (handle, bound) = serve(verifier, sources, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
            _server = handle;
            _datadir = dir;
            let timestamp = 1_000 + 2 * blocks;
            let bodies = (0..256u64)
                .map(|i| {
                    let (id, msg_hash) = synthetic::initiating((i * 7) % (blocks - 1), (i % 8) as usize);
                    request_body(&access_list_keys(&id, msg_hash), options.chain_id, timestamp)
                })
                .collect();
            (bound, bound.to_string(), bodies)
        }
    };
    let bodies = Arc::new(bodies);
    // Warm up the connections and the server.
    let warm_until = Instant::now() + Duration::from_millis(500);
    let _ = drive(addr, host.clone(), bodies.clone(), 0, warm_until).await;

    let started = Instant::now();
    let until = started + options.duration;
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..options.connections {
        tasks.spawn(drive(addr, host.clone(), bodies.clone(), c * 31, until));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    while let Some(joined) = tasks.join_next().await {
        let (mut l, f) = joined?;
        latencies.append(&mut l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    println!(
        "interop_checkAccessList: {} requests in {elapsed:.1} s over {} connections = {:.0} checks/s; \
         latency p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; {failures} failed",
        latencies.len(),
        options.connections,
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    Ok(())
}
