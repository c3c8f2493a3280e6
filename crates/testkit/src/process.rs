//! External processes for black-box tests: anvil nodes and cast invocations.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use crate::tools::{ToolError, tool};

/// A free TCP port on 127.0.0.1 (bound once and released, so another process can take it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// Waits until an HTTP JSON-RPC server at `url` answers `eth_chainId`, or `timeout` passes.
pub fn wait_for_rpc(url: &str, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;
    while Instant::now() < deadline {
        if let Ok(mut stream) = TcpStream::connect(&addr) {
            let request = format!(
                "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let mut response = String::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_string(&mut response).is_ok()
                && response.contains("\"result\"")
            {
                return true;
            }
        }
        thread::sleep(Duration::from_millis(50));
    }
    false
}

/// An anvil node on a free loopback port, killed when dropped.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    port: u16,
}

impl Anvil {
    /// Starts anvil with the given chain ID and any extra arguments, and waits until it answers.
    pub fn spawn(chain_id: u64, extra_args: &[&str]) -> Result<Self, ToolError> {
        let bin = tool("anvil")?;
        let mut last_err = String::new();
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
            if wait_for_rpc(&node.url(), Duration::from_secs(20)) {
                return Ok(node);
            }
            last_err = format!("anvil on port {port} did not answer");
            let _ = node.child.kill();
        }
        Err(ToolError::Missing { name: "anvil".into(), path: last_err })
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
