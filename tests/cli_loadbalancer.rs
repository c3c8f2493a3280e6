//! Black-box test of the check service scaled out, as `docs/deploy.md` deploys it: two `superlink node`s
//! (chains 901 and 902), `superlink verify` replicas each following both, and HAProxy in front of them, started
//! with the configuration the document shows (only its ports changed). Checks of access lists whose verdicts
//! are known (valid messages, forged checksums, missing logs, a chain outside the dependency set) are driven
//! through HAProxy by several clients at once while:
//!
//! 1. a replica is killed (SIGKILL) under load: HAProxy routes around it, no answer is wrong, and the only
//!    failures are requests in flight at the kill (counted and reported);
//! 2. a replica is started late and kept behind (its view of chain 902 goes through a gate the test holds
//!    closed): while its `/ready` answers `503` HAProxy sends it nothing; once the gate opens it catches up,
//!    answers `200`, and only then is sent checks.
//!
//! The test needs HAProxy (Debian's `haproxy` package, which CI installs); without it on the `PATH` it says so
//! and does nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use alloy_primitives::{Address, B256, U256, keccak256};
use serde_json::{Value, json};
use superlink_protocol::{Identifier, access_list_keys};
use superlink_testkit::{free_port, wait_for_chain};

#[path = "support/devnet.rs"]
mod devnet;
#[path = "support/messages.rs"]
mod messages;
#[path = "support/process.rs"]
mod process;

use devnet::PATIENCE;
use messages::{MESSENGER, increment_remote, sent_log};
use process::Process;

/// Clients sending checks at once: also the most requests in flight when a replica dies.
const CLIENTS: usize = 6;

/// The code of a message the verifier knows to be invalid (`CONFLICTING_DATA`).
const CONFLICTING_DATA: i64 = -320600;
/// The code of a chain outside the dependency set (`UNKNOWN_CHAIN`).
const UNKNOWN_CHAIN: i64 = -320501;
/// The code a replica that has not caught up answers with (`UNINITIALIZED_CHAIN_DATABASE`).
const NOT_READY: i64 = -320400;

/// What a check must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Valid,
    Error(i64),
}

/// One check: the JSON-RPC body sent, and the verdict it must get.
#[derive(Debug, Clone)]
struct Check {
    body: String,
    expected: Verdict,
}

fn check_body(entries: &[B256], timestamp: u64) -> String {
    json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "interop_checkAccessList",
        "params": [entries, "cross-unsafe", {"chainID": "0x386", "timestamp": format!("{timestamp:#x}")}],
    })
    .to_string()
}

/// The verdict a JSON-RPC answer gives.
fn verdict_of(answer: &Value) -> Option<Verdict> {
    if let Some(code) = answer["error"]["code"].as_i64() {
        return Some(Verdict::Error(code));
    }
    (answer.get("result") == Some(&Value::Null)).then_some(Verdict::Valid)
}

/// One HTTP/1.1 keep-alive connection; reconnects after a failure.
struct Connection {
    addr: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Connection {
    fn new(addr: &str) -> Self {
        Self { addr: addr.to_string(), stream: None }
    }

    /// Sends `body` (POST `/`) or nothing (GET `path`); the status and body of the answer.
    fn request(&mut self, method: &str, path: &str, body: &str) -> Result<(u16, String), String> {
        let result = self.try_request(method, path, body);
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    fn try_request(&mut self, method: &str, path: &str, body: &str) -> Result<(u16, String), String> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(&self.addr).map_err(|e| format!("connect: {e}"))?;
            stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            stream.set_nodelay(true).unwrap();
            self.stream = Some(BufReader::new(stream));
        }
        let reader = self.stream.as_mut().unwrap();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        reader.get_mut().write_all(request.as_bytes()).map_err(|e| format!("write: {e}"))?;
        let mut line = String::new();
        reader.read_line(&mut line).map_err(|e| format!("read: {e}"))?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("no status line: {line:?}"))?;
        let mut length = None;
        let mut close = false;
        loop {
            line.clear();
            reader.read_line(&mut line).map_err(|e| format!("read: {e}"))?;
            let header = line.trim_end().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("content-length:") {
                length = value.trim().parse::<usize>().ok();
            }
            if header.starts_with("connection:") && header.contains("close") {
                close = true;
            }
        }
        let length = length.ok_or("no content-length")?;
        let mut body = vec![0; length];
        reader.read_exact(&mut body).map_err(|e| format!("read body: {e}"))?;
        if close {
            self.stream = None;
        }
        Ok((status, String::from_utf8_lossy(&body).to_string()))
    }
}

/// What the clients saw.
#[derive(Debug, Default)]
struct Tally {
    /// Answers with the expected verdict.
    right: AtomicU64,
    /// Answers with another verdict (a wrong check result), with examples.
    wrong: AtomicU64,
    /// Answers "not ready": a replica that had not caught up was sent a check.
    not_ready: AtomicU64,
    /// Requests that got no JSON-RPC answer (the connection failed, or HAProxy answered an HTTP error).
    failed: AtomicU64,
    examples: Mutex<Vec<String>>,
}

impl Tally {
    fn answered(&self) -> u64 {
        self.right.load(Ordering::SeqCst)
            + self.wrong.load(Ordering::SeqCst)
            + self.not_ready.load(Ordering::SeqCst)
    }

    fn note(&self, example: String) {
        let mut examples = self.examples.lock().unwrap();
        if examples.len() < 10 {
            examples.push(example);
        }
    }
}

/// `CLIENTS` threads sending the checks round and round through `addr` until `stop`.
fn drive_load(
    addr: &str,
    checks: Arc<Vec<Check>>,
    tally: Arc<Tally>,
    stop: Arc<AtomicBool>,
) -> Vec<JoinHandle<()>> {
    (0..CLIENTS)
        .map(|client| {
            let (addr, checks, tally, stop) = (addr.to_string(), checks.clone(), tally.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut connection = Connection::new(&addr);
                let mut i = client * 7;
                while !stop.load(Ordering::SeqCst) {
                    let check = &checks[i % checks.len()];
                    i += 1;
                    match connection.request("POST", "/", &check.body) {
                        Ok((200, body)) => {
                            let answer: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                            match verdict_of(&answer) {
                                Some(v) if v == check.expected => {
                                    tally.right.fetch_add(1, Ordering::SeqCst);
                                }
                                Some(Verdict::Error(NOT_READY)) => {
                                    tally.not_ready.fetch_add(1, Ordering::SeqCst);
                                    tally.note(format!("not ready: {body}"));
                                }
                                _ => {
                                    tally.wrong.fetch_add(1, Ordering::SeqCst);
                                    tally.note(format!("expected {:?}, got {body}", check.expected));
                                }
                            }
                        }
                        Ok((status, body)) => {
                            tally.failed.fetch_add(1, Ordering::SeqCst);
                            tally.note(format!("HTTP {status}: {}", body.lines().next().unwrap_or_default()));
                        }
                        Err(e) => {
                            tally.failed.fetch_add(1, Ordering::SeqCst);
                            tally.note(format!("no answer: {e}"));
                        }
                    }
                }
            })
        })
        .collect()
}

/// A TCP forwarder to a node that refuses every connection until it is opened: a replica behind it cannot see
/// that chain, so it cannot catch up.
struct Gate {
    addr: String,
    open: Arc<AtomicBool>,
}

impl Gate {
    fn to(target: &str) -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let open = Arc::new(AtomicBool::new(false));
        let (target, is_open) = (target.to_string(), open.clone());
        std::thread::spawn(move || {
            for incoming in listener.incoming() {
                let Ok(client) = incoming else { continue };
                if !is_open.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&target) else { continue };
                let (mut client_in, mut server_out) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut client_in, &mut server_out);
                    let _ = server_out.shutdown(std::net::Shutdown::Write);
                });
                let (mut server_in, mut client_out) = (server, client);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut server_in, &mut client_out);
                    let _ = client_out.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        Gate { addr, open }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn open(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

/// HAProxy started with `docs/deploy.md`'s configuration, killed on drop.
struct Haproxy {
    child: Child,
    frontend: String,
    stats: String,
}

impl Haproxy {
    /// The configuration block of `docs/deploy.md`, with its ports replaced: the frontend, the stats page and
    /// the three replicas.
    fn start(dir: &std::path::Path, replicas: [u16; 3]) -> Haproxy {
        let doc =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/deploy.md")).unwrap();
        let block = doc.split("```haproxy\n").nth(1).expect("docs/deploy.md shows an HAProxy configuration");
        let config = block.split("```").next().unwrap();
        let (frontend, stats) = (free_port(), free_port());
        let mut config = config
            .replace("127.0.0.1:8420", &format!("127.0.0.1:{frontend}"))
            .replace("127.0.0.1:8404", &format!("127.0.0.1:{stats}"));
        for (documented, port) in ["8421", "8422", "8423"].iter().zip(replicas) {
            let documented = format!("127.0.0.1:{documented}");
            assert!(config.contains(&documented), "the documented configuration names {documented}");
            config = config.replace(&documented, &format!("127.0.0.1:{port}"));
        }
        let path = dir.join("haproxy.cfg");
        std::fs::write(&path, config).unwrap();
        let check = Command::new("haproxy").arg("-c").arg("-f").arg(&path).output().unwrap();
        assert!(check.status.success(), "haproxy -c: {}", String::from_utf8_lossy(&check.stderr));
        let child = Command::new("haproxy")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Haproxy { child, frontend: format!("127.0.0.1:{frontend}"), stats: format!("127.0.0.1:{stats}") }
    }

    /// Each replica's state (`UP`, `DOWN`, ...) and the requests HAProxy sent it, from the stats CSV.
    fn servers(&self) -> Option<Vec<(String, String, u64)>> {
        // HTTP/1.0: the connection is closed after the page (which still comes in chunks).
        let mut stream = TcpStream::connect(&self.stats).ok()?;
        stream.write_all(b"GET /stats;csv HTTP/1.0\r\n\r\n").ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        let (head, body) = answer.split_once("\r\n\r\n")?;
        if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
            return None;
        }
        let csv = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            dechunk(body)?
        } else {
            body.to_string()
        };
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next()?.trim_start_matches("# ").split(',').collect();
        let column = |name: &str| header.iter().position(|h| *h == name);
        let (px, sv, stot, state) =
            (column("pxname")?, column("svname")?, column("stot")?, column("status")?);
        Some(
            lines
                .map(|l| l.split(',').collect::<Vec<_>>())
                .filter(|f| f.len() > state && f[px] == "verifiers" && f[sv].starts_with("replica"))
                .map(|f| (f[sv].to_string(), f[state].to_string(), f[stot].parse().unwrap_or(0)))
                .collect(),
        )
    }

    /// The state and request count of one replica.
    fn server(&self, name: &str) -> Option<(String, u64)> {
        self.servers()?.into_iter().find(|(n, _, _)| n == name).map(|(_, state, sent)| (state, sent))
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The body of a chunked HTTP answer.
fn dechunk(mut body: &str) -> Option<String> {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n")?;
        let size = usize::from_str_radix(size.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        out.push_str(rest.get(..size)?);
        body = rest.get(size..)?.strip_prefix("\r\n")?;
    }
}

/// A number cast printed, in decimal or `0x` hex.
fn quantity(text: &str) -> u64 {
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
        None => text.parse().unwrap(),
    }
}

fn haproxy_installed() -> bool {
    Command::new("haproxy").arg("-v").output().is_ok_and(|o| o.status.success())
}

/// Polls `done` until it returns `Some`, failing with `what` and `logs()` after the deadline.
fn wait_for<T>(what: &str, logs: impl Fn() -> String, mut done: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = done() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}\n{}", logs());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `superlink verify` on `port`, following 901 at `u901` and 902 at `u902`.
fn replica(name: &str, dir: &std::path::Path, port: u16, u901: &str, u902: &str) -> Process {
    let (deps, datadir) = (dir.join("deps.json"), dir.join(name));
    let (rpc901, rpc902, port) = (format!("901={u901}"), format!("902={u902}"), port.to_string());
    Process::start(
        name,
        &[
            "verify",
            "--deps",
            deps.to_str().unwrap(),
            "--rpc",
            &rpc901,
            "--rpc",
            &rpc902,
            "--datadir",
            datadir.to_str().unwrap(),
            "--port",
            &port,
            "--poll-interval-ms",
            "100",
        ],
    )
}

#[test]
fn checks_through_haproxy_survive_a_killed_replica_and_skip_a_replica_until_it_is_ready() {
    if !haproxy_installed() {
        eprintln!("SKIPPED: haproxy is not installed (apt-get install haproxy); CI installs it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deps.json"), r#"{"dependencies": {"901": {}, "902": {}}}"#).unwrap();

    // The chains.
    let mut nodes = Vec::new();
    for chain_id in [901u64, 902] {
        let port = free_port().to_string();
        let chain = chain_id.to_string();
        let mut node = Process::start(
            &format!("node {chain_id}"),
            &["node", "--chain-id", &chain, "--port", &port, "--block-time", "1"],
        );
        let url = format!("http://127.0.0.1:{port}");
        if let Err(e) = wait_for_chain(node.child.as_mut().unwrap(), &url, chain_id, PATIENCE) {
            panic!("node {chain_id} is not ready: {e}\n{}", node.log());
        }
        nodes.push((url, node));
    }
    let (u901, u902) = (nodes[0].0.clone(), nodes[1].0.clone());

    // Messages on 901, and access lists with known verdicts about them, executed on 902 later on.
    let mut checks = Vec::new();
    let mut latest = 0;
    for _ in 0..3 {
        let log = sent_log(&increment_remote(&u901), &u901);
        let payload = alloy_primitives::hex::decode(&log.payload).unwrap();
        let id = Identifier {
            origin: MESSENGER.parse::<Address>().unwrap(),
            block_number: quantity(&log.block),
            log_index: u32::try_from(quantity(&log.log_index)).unwrap(),
            timestamp: quantity(&log.timestamp),
            chain_id: U256::from(901),
        };
        latest = latest.max(id.timestamp);
        checks.push((access_list_keys(&id, keccak256(&payload)), Verdict::Valid));
        let mut forged = access_list_keys(&id, keccak256(&payload));
        let last = forged.len() - 1;
        forged[last].0[31] ^= 1;
        checks.push((forged, Verdict::Error(CONFLICTING_DATA)));
        let missing = Identifier { log_index: 999, ..id };
        checks.push((access_list_keys(&missing, keccak256(&payload)), Verdict::Error(CONFLICTING_DATA)));
        let elsewhere = Identifier { chain_id: U256::from(903), ..id };
        checks.push((access_list_keys(&elsewhere, keccak256(&payload)), Verdict::Error(UNKNOWN_CHAIN)));
    }
    let timestamp = latest + 60;
    let checks: Arc<Vec<Check>> = Arc::new(
        checks
            .into_iter()
            .map(|(entries, expected)| Check { body: check_body(&entries, timestamp), expected })
            .collect(),
    );

    // Two replicas, HAProxy in front of them and of a third one started later.
    let ports = [free_port(), free_port(), free_port()];
    let mut replicas = vec![
        replica("replica1", dir.path(), ports[0], &u901, &u902),
        replica("replica2", dir.path(), ports[1], &u901, &u902),
    ];
    let logs = || String::new();
    // Each replica answers every check right when asked directly, once it is ready: the verdicts are known.
    for port in &ports[..2] {
        let addr = format!("127.0.0.1:{port}");
        wait_for(&format!("the replica on {port} is ready and judges every check as expected"), logs, || {
            let mut connection = Connection::new(&addr);
            let (status, _) = connection.request("GET", "/ready", "").ok()?;
            (status == 200).then_some(())?;
            checks
                .iter()
                .all(|c| {
                    connection
                        .request("POST", "/", &c.body)
                        .ok()
                        .and_then(|(_, body)| verdict_of(&serde_json::from_str(&body).ok()?))
                        == Some(c.expected)
                })
                .then_some(())
        });
    }
    let haproxy = Haproxy::start(dir.path(), ports);
    wait_for("HAProxy sees replica1 and replica2 up", logs, || {
        let servers = haproxy.servers()?;
        let up = |name: &str| servers.iter().any(|(n, state, _)| n == name && state == "UP");
        (up("replica1") && up("replica2")).then_some(())
    });

    // Load through HAProxy.
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let clients = drive_load(&haproxy.frontend, checks.clone(), tally.clone(), stop.clone());
    let report = |tally: &Tally| {
        format!(
            "right {}, wrong {}, not ready {}, failed {}; examples: {:?}",
            tally.right.load(Ordering::SeqCst),
            tally.wrong.load(Ordering::SeqCst),
            tally.not_ready.load(Ordering::SeqCst),
            tally.failed.load(Ordering::SeqCst),
            tally.examples.lock().unwrap()
        )
    };
    let after = |more: u64| {
        let target = tally.answered() + more;
        wait_for(
            &format!("{more} more answers through HAProxy"),
            || report(&tally),
            || (tally.answered() >= target).then_some(()),
        );
    };
    after(500);
    let (_, before_kill) = haproxy.server("replica1").unwrap();
    assert!(before_kill > 0, "HAProxy shares the checks: replica1 got some");

    // 1. A replica dies under load.
    replicas[0].kill();
    let failed_before = tally.failed.load(Ordering::SeqCst);
    after(1_000);
    wait_for(
        "HAProxy marks the killed replica down",
        || report(&tally),
        || (haproxy.server("replica1")?.0.starts_with("DOWN")).then_some(()),
    );
    after(500);
    let failed_at_kill = tally.failed.load(Ordering::SeqCst) - failed_before;

    // 2. A replica started late, held behind: it says it is not ready, and HAProxy sends it nothing.
    // HAProxy takes every server for up when it starts, until its checks fail: the checks it sent to replica3's
    // port then were refused and sent elsewhere. What counts is what it sends from now on.
    let (state, sent_before) = haproxy.server("replica3").unwrap();
    assert!(state.starts_with("DOWN"), "nothing listens on replica3's port yet: {state}");
    let gate = Gate::to(u902.trim_start_matches("http://"));
    replicas.push(replica("replica3", dir.path(), ports[2], &u901, &gate.url()));
    let late = format!("127.0.0.1:{}", ports[2]);
    let reason = wait_for(
        "the late replica answers /ready",
        || report(&tally),
        || {
            let (status, body) = Connection::new(&late).request("GET", "/ready", "").ok()?;
            Some((status, body))
        },
    );
    assert_eq!(reason.0, 503, "a replica that cannot see chain 902 is not ready: {reason:?}");
    assert!(reason.1.contains("chain 902"), "{reason:?}");
    after(1_000);
    let (state, sent) = haproxy.server("replica3").unwrap();
    assert!(state.starts_with("DOWN"), "HAProxy keeps the late replica out: {state}");
    assert_eq!(sent, sent_before, "nothing is sent to a replica that is not ready");

    // Once it can see the chain it catches up, says so, and only then gets checks.
    gate.open();
    wait_for(
        "the late replica is ready",
        || report(&tally),
        || {
            let (status, _) = Connection::new(&late).request("GET", "/ready", "").ok()?;
            (status == 200).then_some(())
        },
    );
    wait_for(
        "HAProxy sends checks to the late replica",
        || report(&tally),
        || {
            let (state, sent) = haproxy.server("replica3")?;
            (state == "UP" && sent > sent_before).then_some(())
        },
    );
    after(500);

    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.join().unwrap();
    }
    let servers = haproxy.servers().unwrap();
    eprintln!(
        "{}; failed while replica1 died: {failed_at_kill}; requests per replica: {servers:?}",
        report(&tally)
    );
    assert_eq!(tally.wrong.load(Ordering::SeqCst), 0, "no check is answered wrong: {}", report(&tally));
    assert_eq!(
        tally.not_ready.load(Ordering::SeqCst),
        0,
        "no check reaches an unready replica: {}",
        report(&tally)
    );
    assert!(
        tally.failed.load(Ordering::SeqCst) <= CLIENTS as u64,
        "only the checks in flight when the replica died may fail: {}",
        report(&tally)
    );
    drop(nodes);
}
