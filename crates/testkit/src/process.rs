//! External processes for black-box tests: anvil nodes and cast invocations.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    thread,
    time::{Duration, Instant},
};

use crate::tools::{ToolError, tool};

/// A free TCP port on 127.0.0.1 (bound once and released, so another process can take it).
///
/// It is chosen below the kernel's ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`), from a random
/// start: a port the kernel hands out for binding port 0 is also one it hands out as the local port of outgoing
/// connections, so a process started on it could find it taken by a client's connection in the meantime (a
/// devnet's consecutive ports, started next to another devnet, met exactly that). Falls back to port 0's answer
/// when no port below the range is free.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    const LOWEST: u32 = 10_000;
    let ephemeral_start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next().and_then(|low| low.parse::<u32>().ok()))
        .unwrap_or(32_768);
    if ephemeral_start > LOWEST + 1_000 {
        let span = ephemeral_start - LOWEST;
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
            ^ std::process::id().wrapping_mul(2_654_435_761);
        // Each call steps well past the last one, so the consecutive ports a caller builds on one do not meet.
        let base = NEXT.fetch_add(1, Ordering::Relaxed).wrapping_mul(97).wrapping_add(seed);
        for attempt in 0..64u32 {
            let port = LOWEST + base.wrapping_add(attempt.wrapping_mul(7_919)) % span;
            if let Ok(port) = u16::try_from(port)
                && claim(port)
                && TcpListener::bind(("127.0.0.1", port)).is_ok()
            {
                return port;
            }
        }
    }
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0);
    claim(port);
    port
}

/// The ports this process has handed out. A port stays free until the process it was picked for binds it, so
/// two tests of one binary picking ports at the same moment could both get it, and the one whose node fails to
/// bind would talk to the other's node (same chain ID, other data). A port is never handed out twice.
static HANDED_OUT: std::sync::Mutex<Option<std::collections::HashSet<u16>>> = std::sync::Mutex::new(None);

/// Marks `port` as handed out; false if it already was.
fn claim(port: u16) -> bool {
    let mut guard = HANDED_OUT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    guard.get_or_insert_with(Default::default).insert(port)
}

/// How often readiness is polled.
const POLL: Duration = Duration::from_millis(50);

/// Why a started child did not become ready.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    /// The child exited before it answered.
    #[error("the process exited ({status}) before it answered at {url}")]
    Exited {
        /// Where it was to answer.
        url: String,
        /// How it exited.
        status: ExitStatus,
    },
    /// Something answered at the URL, but for another chain: another process holds the port.
    #[error("{url} answers for chain {answered}, not for chain {expected}: another process holds the port")]
    WrongChain {
        /// Where it answered.
        url: String,
        /// The chain ID the child was started with.
        expected: u64,
        /// The chain ID that answered.
        answered: u64,
    },
    /// Nothing answered in time.
    #[error("nothing answered eth_chainId at {url} within {waited:?}")]
    Timeout {
        /// Where it was to answer.
        url: String,
        /// How long we waited.
        waited: Duration,
    },
    /// The child's state could not be read.
    #[error("cannot tell whether the process still runs: {0}")]
    Wait(std::io::Error),
}

/// The chain ID the HTTP JSON-RPC server at `url` answers to `eth_chainId`, or `None` when nothing answers
/// (or the answer is not a chain ID).
pub fn chain_id_at(url: &str) -> Option<u64> {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    // The JSON document, whether the body is sent whole or in chunks.
    let json = body.get(body.find('{')?..=body.rfind('}')?)?;
    let answer: serde_json::Value = serde_json::from_str(json).ok()?;
    let hex = answer.get("result")?.as_str()?.strip_prefix("0x")?;
    u64::from_str_radix(hex, 16).ok()
}

/// Waits until some HTTP JSON-RPC server at `url` answers `eth_chainId`, or `timeout` passes. Any server will
/// do; to wait for a process you started, use [`wait_for_chain`], which also checks that it is that process
/// that answers.
pub fn wait_for_rpc(url: &str, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if chain_id_at(url).is_some() {
            return true;
        }
        thread::sleep(POLL);
    }
    false
}

/// Waits until the `child` just started answers `eth_chainId` at `url` with `chain_id`. Fails as soon as the
/// child exits or another chain answers there (a process that held the port before), and after `timeout`.
pub fn wait_for_chain(
    child: &mut Child,
    url: &str,
    chain_id: u64,
    timeout: Duration,
) -> Result<(), NotReady> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().map_err(NotReady::Wait)? {
            return Err(NotReady::Exited { url: url.to_string(), status });
        }
        match chain_id_at(url) {
            Some(answered) if answered == chain_id => {
                // Answering is not enough if the child died just after another process answered for it.
                return match child.try_wait().map_err(NotReady::Wait)? {
                    None => Ok(()),
                    Some(status) => Err(NotReady::Exited { url: url.to_string(), status }),
                };
            }
            Some(answered) => {
                return Err(NotReady::WrongChain { url: url.to_string(), expected: chain_id, answered });
            }
            None => {}
        }
        if Instant::now() >= deadline {
            return Err(NotReady::Timeout { url: url.to_string(), waited: timeout });
        }
        thread::sleep(POLL);
    }
}

/// An anvil node on a free loopback port, killed when dropped.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    port: u16,
}

impl Anvil {
    /// Starts anvil with the given chain ID and any extra arguments, and waits until it answers with that
    /// chain ID.
    pub fn spawn(chain_id: u64, extra_args: &[&str]) -> Result<Self, ToolError> {
        let bin = tool("anvil")?;
        let mut failures = Vec::new();
        // A port picked as free may be taken by another test before anvil binds it: try a few.
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new(&bin)
                .args(["--port", &port.to_string(), "--chain-id", &chain_id.to_string(), "--silent"])
                .args(extra_args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|source| ToolError::Io { context: "starting anvil".into(), source })?;
            let mut node = Anvil { child, port };
            let url = node.url();
            match wait_for_chain(&mut node.child, &url, chain_id, Duration::from_secs(20)) {
                Ok(()) => return Ok(node),
                Err(e) => failures.push(e.to_string()),
            }
        }
        Err(ToolError::NotReady { name: "anvil".into(), reason: failures.join("; ") })
    }

    /// The node's HTTP URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The node's WebSocket URL.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// The node's port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the pinned `cast`.
#[derive(Debug, Clone)]
pub struct Cast {
    bin: PathBuf,
}

impl Cast {
    /// Locates (installing if needed) the pinned cast.
    pub fn new() -> Result<Self, ToolError> {
        Ok(Cast { bin: tool("cast")? })
    }

    /// Runs `cast ARGS...`; `Ok(stdout)` (trimmed) when it exits 0, `Err(stderr)` otherwise.
    pub fn run<I, S>(&self, args: I) -> Result<String, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out = Command::new(&self.bin).args(args).output().map_err(|e| format!("running cast: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JSON-RPC server on a free port that answers every request with chain ID `chain_id`.
    fn chain_server(chain_id: u64) -> Result<String, std::io::Error> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut buffer = [0u8; 1024];
                let _ = stream.read(&mut buffer);
                let body = format!(r#"{{"jsonrpc":"2.0","id":1,"result":"{chain_id:#x}"}}"#);
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        Ok(url)
    }

    /// A child that runs until killed.
    struct Sleeper(Child);

    impl Sleeper {
        fn start() -> Result<Self, std::io::Error> {
            Command::new("sleep").arg("60").spawn().map(Sleeper)
        }
    }

    impl Drop for Sleeper {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn a_live_child_answering_with_its_chain_id_is_ready() -> Result<(), Box<dyn std::error::Error>> {
        let url = chain_server(901)?;
        let mut child = Sleeper::start()?;
        assert_eq!(chain_id_at(&url), Some(901));
        wait_for_chain(&mut child.0, &url, 901, Duration::from_secs(5))?;
        Ok(())
    }

    #[test]
    fn another_chain_on_the_port_is_not_the_child() -> Result<(), Box<dyn std::error::Error>> {
        let url = chain_server(901)?;
        let mut child = Sleeper::start()?;
        // `wait_for_rpc` is satisfied by any server; `wait_for_chain` is not.
        assert!(wait_for_rpc(&url, Duration::from_secs(5)));
        match wait_for_chain(&mut child.0, &url, 902, Duration::from_secs(5)) {
            Err(NotReady::WrongChain { expected: 902, answered: 901, .. }) => Ok(()),
            other => panic!("expected a wrong-chain refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_child_that_exits_is_reported_at_once() -> Result<(), Box<dyn std::error::Error>> {
        let url = format!("http://127.0.0.1:{}", free_port());
        let mut child = Command::new("false").spawn()?;
        let started = Instant::now();
        match wait_for_chain(&mut child, &url, 901, Duration::from_secs(30)) {
            Err(NotReady::Exited { status, .. }) => assert!(!status.success()),
            other => panic!("expected the exit to be reported, got {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(10), "did not wait out the timeout");
        Ok(())
    }

    #[test]
    fn a_silent_child_times_out() -> Result<(), Box<dyn std::error::Error>> {
        let url = format!("http://127.0.0.1:{}", free_port());
        let mut child = Sleeper::start()?;
        match wait_for_chain(&mut child.0, &url, 901, Duration::from_millis(300)) {
            Err(NotReady::Timeout { .. }) => Ok(()),
            other => panic!("expected a timeout, got {other:?}"),
        }
    }

    #[test]
    fn ports_picked_at_the_same_moment_by_many_threads_are_all_different() {
        let picks: Vec<u16> = (0..8)
            .map(|_| thread::spawn(|| (0..50).map(|_| free_port()).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
            .into_iter()
            .flat_map(|handle| handle.join().unwrap())
            .collect();
        let distinct: std::collections::HashSet<u16> = picks.iter().copied().collect();
        assert_eq!(distinct.len(), picks.len(), "a port was handed out twice");
        assert!(!distinct.contains(&0));
    }
}
