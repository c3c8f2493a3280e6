//! Load generator for `interop_checkAccessList`: keeps many HTTP/1.1 keep-alive connections busy with
//! access-list checks and reports requests per second and latency percentiles.
//!
//! Without `--url` it starts a verifier in this process over a synthetic two-chain index (in a temporary
//! directory) and targets it; with `--url` it targets a running verifier, checking the claims given with
//! `--entries` (comma-separated 32-byte keys of one access list) at `--timestamp` on chain `--chain-id`
//! (default 902).
//!
//! With `--spawn-lb 1,2,3` it measures the check service as `docs/deploy.md` deploys it: it starts two
//! `superlink node`s (chains 901 and 902; the binary next to this executable, or `--superlink PATH`), sends 64
//! messages on 901, and for each replica count starts that many `superlink verify` replicas and HAProxy with
//! the document's configuration, then drives checks through HAProxy: half of them valid messages, half forged
//! checksums, each answer compared with its known verdict. It reports checks/s, latency, wrong answers and the
//! CPU time every process used (from `/proc/PID/stat`), so that the cost of a check can be split between the
//! replicas, HAProxy and the load generator.
//!
//! ```text
//! checkload [--duration SECS] [--connections N] [--url http://HOST:PORT --entries K1,K2 --timestamp T --chain-id C]
//! checkload --spawn-lb 1,2,3 [--duration SECS] [--connections N] [--superlink PATH]
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
    spawn_lb: Vec<usize>,
    superlink: Option<std::path::PathBuf>,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        duration: Duration::from_secs(10),
        connections: 32,
        url: None,
        entries: Vec::new(),
        timestamp: 0,
        chain_id: 902,
        spawn_lb: Vec::new(),
        superlink: None,
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
            "--spawn-lb" => {
                options.spawn_lb = value()?
                    .split(',')
                    .map(|n| n.parse::<usize>().map_err(|e| format!("--spawn-lb: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "--superlink" => options.superlink = Some(value()?.into()),
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

/// One request body and the text its answer must contain (`"result":null` for a valid access list, the error
/// code for an invalid one).
type Body = (String, &'static str);

/// One keep-alive connection sending requests until `until`; returns latencies in microseconds and the requests
/// that failed or were answered otherwise than expected.
async fn drive(
    addr: SocketAddr,
    host: String,
    bodies: Arc<Vec<Body>>,
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
        let (body, expected) = &bodies[i % bodies.len()];
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
        if !response.contains(expected) {
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

/// What the answer to a valid access list contains.
const VALID: &str = "\"result\":null";
/// What the answer to a forged one contains (`CONFLICTING_DATA`).
const FORGED: &str = "-320600";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = parse_options()?;
    if !options.spawn_lb.is_empty() {
        return lb::run(&options).await;
    }
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
            let body = request_body(&options.entries, options.chain_id, options.timestamp);
            (addr, host, vec![(body, VALID)])
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
                    (request_body(&access_list_keys(&id, msg_hash), options.chain_id, timestamp), VALID)
                })
                .collect();
            (bound, bound.to_string(), bodies)
        }
    };
    let result = measure(addr, &host, Arc::new(bodies), options.connections, options.duration).await?;
    println!("interop_checkAccessList: {result}");
    Ok(())
}

/// What one measurement gave.
struct Measured {
    requests: usize,
    elapsed: f64,
    connections: usize,
    p50: f64,
    p99: f64,
    max: f64,
    failures: u64,
}

impl Measured {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed
    }
}

impl std::fmt::Display for Measured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests in {:.1} s over {} connections = {:.0} checks/s; latency p50 {:.3} ms, p99 {:.3} ms, \
             max {:.3} ms; {} failed or answered wrong",
            self.requests,
            self.elapsed,
            self.connections,
            self.rate(),
            self.p50,
            self.p99,
            self.max,
            self.failures
        )
    }
}

/// Warms up, then keeps `connections` connections busy for `duration`.
async fn measure(
    addr: SocketAddr,
    host: &str,
    bodies: Arc<Vec<Body>>,
    connections: usize,
    duration: Duration,
) -> Result<Measured, Box<dyn std::error::Error>> {
    let warm_until = Instant::now() + Duration::from_millis(500);
    let _ = drive(addr, host.to_string(), bodies.clone(), 0, warm_until).await;
    let started = Instant::now();
    let until = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..connections {
        tasks.spawn(drive(addr, host.to_string(), bodies.clone(), c * 31, until));
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
    Ok(Measured {
        requests: latencies.len(),
        elapsed,
        connections,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        max: percentile(&latencies, 1.0),
        failures,
    })
}

/// `--spawn-lb`: nodes, replicas and HAProxy as `docs/deploy.md` deploys them.
mod lb {
    use std::{
        path::{Path, PathBuf},
        process::{Child, Command, Stdio},
        sync::Arc,
        time::{Duration, Instant},
    };

    use alloy_primitives::{Address, B256, U256, hex, keccak256};
    use jsonrpsee::{
        core::client::ClientT,
        http_client::{HttpClient, HttpClientBuilder},
        rpc_params,
    };
    use serde_json::{Value, json};
    use superlink_protocol::{Identifier, access_list_keys};
    use superlink_testkit::{free_port, repo_root};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::{Body, FORGED, Options, VALID, measure, request_body};

    /// The messenger predeploy.
    const MESSENGER: &str = "0x4200000000000000000000000000000000000023";
    /// The first dev account, which `eth_sendTransaction` signs for.
    const DEV_0: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    /// Messages sent on chain 901 before measuring.
    const MESSAGES: usize = 64;

    type Error = Box<dyn std::error::Error>;

    /// A started process, killed on drop.
    struct Running {
        child: Child,
    }

    impl Running {
        fn pid(&self) -> u32 {
            self.child.id()
        }
    }

    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn start(program: &Path, args: &[&str], log: &Path) -> Result<Running, Error> {
        let log = std::fs::File::create(log)?;
        let child = Command::new(program)
            .args(args)
            .stdout(log.try_clone()?)
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", program.display()))?;
        Ok(Running { child })
    }

    /// CPU seconds (user + system) a process has used so far.
    fn cpu_seconds(pid: u32) -> f64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return 0.0 };
        // The fields after the command name (which is in parentheses and may hold spaces).
        let Some((_, after)) = stat.rsplit_once(") ") else { return 0.0 };
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; 100 ticks a second.
        (ticks(11) + ticks(12)) / 100.0
    }

    async fn call(client: &HttpClient, method: &str, params: Vec<Value>) -> Result<Value, Error> {
        let mut builder = jsonrpsee::core::params::ArrayParams::new();
        for p in params {
            builder.insert(p)?;
        }
        Ok(client.request(method, builder).await?)
    }

    fn number(v: &Value) -> u64 {
        v.as_str().and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok()).unwrap_or(0)
    }

    /// GET `path` on `addr`; the status.
    async fn get_status(addr: &str, path: &str) -> Option<u16> {
        let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        stream.write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes()).await.ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.ok()?;
        String::from_utf8_lossy(&answer).split_whitespace().nth(1)?.parse().ok()
    }

    async fn wait_until(what: &str, mut done: impl AsyncFnMut() -> bool) -> Result<(), Error> {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !done().await {
            if Instant::now() > deadline {
                return Err(format!("timed out waiting until {what}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Sends `MESSAGES` messages on 901; the check bodies (valid and forged, alternating) about them.
    async fn messages(url: &str) -> Result<Vec<Body>, Error> {
        let client = HttpClientBuilder::default().build(url)?;
        let selector = &keccak256("sendMessage(uint256,address,bytes)")[..4];
        let mut data = selector.to_vec();
        data.extend_from_slice(&U256::from(902).to_be_bytes::<32>());
        data.extend_from_slice(&B256::left_padding_from(Address::repeat_byte(0xde).as_slice()).0);
        data.extend_from_slice(&U256::from(0x60).to_be_bytes::<32>());
        data.extend_from_slice(&U256::ZERO.to_be_bytes::<32>());
        let mut ids = Vec::new();
        for _ in 0..MESSAGES {
            let tx = json!({"from": DEV_0, "to": MESSENGER, "data": format!("0x{}", hex::encode(&data)), "gas": "0x30d40"});
            let hash = call(&client, "eth_sendTransaction", vec![tx]).await?;
            let receipt = call(&client, "eth_getTransactionReceipt", vec![hash]).await?;
            let log = receipt["logs"]
                .as_array()
                .and_then(|logs| {
                    logs.iter()
                        .find(|l| l["address"].as_str().is_some_and(|a| a.eq_ignore_ascii_case(MESSENGER)))
                })
                .ok_or("no SentMessage log")?
                .clone();
            let block =
                call(&client, "eth_getBlockByNumber", vec![log["blockNumber"].clone(), json!(false)]).await?;
            let mut payload = Vec::new();
            for topic in log["topics"].as_array().ok_or("no topics")? {
                payload.extend(hex::decode(topic.as_str().unwrap_or_default())?);
            }
            payload.extend(hex::decode(log["data"].as_str().unwrap_or_default())?);
            let id = Identifier {
                origin: MESSENGER.parse()?,
                block_number: number(&log["blockNumber"]),
                log_index: u32::try_from(number(&log["logIndex"]))?,
                timestamp: number(&block["timestamp"]),
                chain_id: U256::from(901),
            };
            ids.push((id, keccak256(&payload)));
        }
        let timestamp = ids.iter().map(|(id, _)| id.timestamp).max().unwrap_or(0) + 60;
        let mut bodies = Vec::new();
        for (id, msg_hash) in ids {
            let keys = access_list_keys(&id, msg_hash);
            bodies.push((request_body(&keys, 902, timestamp), VALID));
            let mut forged = keys;
            if let Some(last) = forged.last_mut() {
                last.0[31] ^= 1;
            }
            bodies.push((request_body(&forged, 902, timestamp), FORGED));
        }
        Ok(bodies)
    }

    /// The HAProxy configuration of `docs/deploy.md` for `replicas`, on `frontend` and `stats`.
    fn haproxy_config(replicas: &[u16], frontend: u16, stats: u16) -> Result<String, Error> {
        let doc = std::fs::read_to_string(repo_root().join("docs/deploy.md"))?;
        let block = doc.split("```haproxy\n").nth(1).ok_or("no HAProxy configuration in docs/deploy.md")?;
        let block = block.split("```").next().unwrap_or_default();
        let mut out = String::new();
        let mut servers_written = false;
        for line in block.lines() {
            if line.trim_start().starts_with("server replica") {
                if !servers_written {
                    for (i, port) in replicas.iter().enumerate() {
                        out.push_str(&format!("    server replica{} 127.0.0.1:{port} check\n", i + 1));
                    }
                    servers_written = true;
                }
                continue;
            }
            let line = line
                .replace("127.0.0.1:8420", &format!("127.0.0.1:{frontend}"))
                .replace("127.0.0.1:8404", &format!("127.0.0.1:{stats}"));
            out.push_str(&line);
            out.push('\n');
        }
        Ok(out)
    }

    pub(super) async fn run(options: &Options) -> Result<(), Error> {
        let superlink = options.superlink.clone().unwrap_or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join("superlink")))
                .unwrap_or_else(|| PathBuf::from("superlink"))
        });
        let dir = tempfile::tempdir()?;
        let mut nodes = Vec::new();
        let mut urls = Vec::new();
        for chain in [901u64, 902] {
            let port = free_port();
            let args =
                ["node", "--chain-id", &chain.to_string(), "--port", &port.to_string()].map(String::from);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            nodes.push(start(&superlink, &args, &dir.path().join(format!("node{chain}.log")))?);
            let url = format!("http://127.0.0.1:{port}");
            let client = HttpClientBuilder::default().build(&url)?;
            wait_until("the node answers", async || {
                client.request::<Value, _>("eth_chainId", rpc_params![]).await.is_ok()
            })
            .await?;
            urls.push(url);
        }
        let bodies = Arc::new(messages(&urls[0]).await?);
        std::fs::write(dir.path().join("deps.json"), r#"{"dependencies": {"901": {}, "902": {}}}"#)?;
        println!(
            "{} checks ({} valid, {} forged) of {MESSAGES} messages; {} connections; {} s per run",
            bodies.len(),
            bodies.len() / 2,
            bodies.len() / 2,
            options.connections,
            options.duration.as_secs()
        );
        for &count in &options.spawn_lb {
            let mut replicas = Vec::new();
            let mut ports = Vec::new();
            for i in 0..count {
                let port = free_port();
                let datadir = dir.path().join(format!("run{count}-replica{i}"));
                let args = [
                    "verify".to_string(),
                    "--deps".into(),
                    dir.path().join("deps.json").display().to_string(),
                    "--rpc".into(),
                    format!("901={}", urls[0]),
                    "--rpc".into(),
                    format!("902={}", urls[1]),
                    "--datadir".into(),
                    datadir.display().to_string(),
                    "--port".into(),
                    port.to_string(),
                ];
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                replicas.push(start(&superlink, &args, &dir.path().join(format!("replica{count}-{i}.log")))?);
                let addr = format!("127.0.0.1:{port}");
                wait_until("the replica is ready", async || get_status(&addr, "/ready").await == Some(200))
                    .await?;
                ports.push(port);
            }
            let (frontend, stats) = (free_port(), free_port());
            let config = dir.path().join(format!("haproxy{count}.cfg"));
            std::fs::write(&config, haproxy_config(&ports, frontend, stats)?)?;
            let config_arg = config.display().to_string();
            let haproxy = start(Path::new("haproxy"), &["-f", &config_arg], &dir.path().join("haproxy.log"))?;
            let stats_addr = format!("127.0.0.1:{stats}");
            wait_until("HAProxy serves its stats", async || {
                get_status(&stats_addr, "/stats").await == Some(200)
            })
            .await?;
            // Every replica must have passed its health checks (rise 2 at 500 ms) before the load starts.
            tokio::time::sleep(Duration::from_secs(2)).await;

            if count == 1 {
                let addr = format!("127.0.0.1:{}", ports[0]).parse()?;
                let direct =
                    measure(addr, &addr.to_string(), bodies.clone(), options.connections, options.duration)
                        .await?;
                println!("1 replica, direct (no load balancer): {direct}");
            }
            let pids: Vec<u32> = replicas.iter().map(Running::pid).collect();
            let cpu = |pid: u32| cpu_seconds(pid);
            let before: Vec<f64> = pids.iter().map(|p| cpu(*p)).collect();
            let (haproxy_before, self_before) = (cpu(haproxy.pid()), cpu(std::process::id()));
            let addr = format!("127.0.0.1:{frontend}").parse()?;
            let result =
                measure(addr, &addr.to_string(), bodies.clone(), options.connections, options.duration)
                    .await?;
            let elapsed = result.elapsed + 0.5;
            let replica_cpu: f64 = pids.iter().zip(&before).map(|(p, b)| cpu(*p) - b).sum();
            let haproxy_cpu = cpu(haproxy.pid()) - haproxy_before;
            let self_cpu = cpu(std::process::id()) - self_before;
            let total = replica_cpu + haproxy_cpu + self_cpu;
            println!("{count} replica(s) through HAProxy: {result}");
            println!(
                "  CPU (cores busy over the run and warm-up): replicas {:.2}, HAProxy {:.2}, load generator {:.2}, \
                 total {:.2}; {:.0} checks per replica-core-second, {:.0} checks per core-second overall",
                replica_cpu / elapsed,
                haproxy_cpu / elapsed,
                self_cpu / elapsed,
                total / elapsed,
                result.requests as f64 / replica_cpu.max(1e-9),
                result.requests as f64 / total.max(1e-9),
            );
            drop(haproxy);
            drop(replicas);
        }
        drop(nodes);
        Ok(())
    }
}
