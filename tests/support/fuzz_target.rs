//! A `superlink` process to fuzz: started with its arguments, ready once it answers a probe method, stopped with
//! what it logged. Shared by the fuzz test and the campaign runner.

#![allow(dead_code)]

use std::{
    io::Read,
    net::SocketAddr,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::json;
use superlink_testkit::rpc_fuzz::call;

/// A started superlink process, its stderr kept for the end.
pub struct Process {
    child: Child,
    /// Where it serves JSON-RPC.
    pub addr: SocketAddr,
}

impl Process {
    /// Starts `binary ARGS`, serving on `port`, and waits until it answers `probe` with a result.
    pub fn start(binary: &Path, args: &[String], port: u16, probe: &str) -> Result<Self, String> {
        let child = Command::new(binary)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let addr: SocketAddr =
            format!("127.0.0.1:{port}").parse().map_err(|e| format!("bad address: {e}"))?;
        let mut process = Process { child, addr };
        let request = json!({"jsonrpc": "2.0", "id": 1, "method": probe, "params": []});
        let deadline = Instant::now() + Duration::from_secs(60);
        while call(addr, &request, Duration::from_secs(5)).map_or(true, |a| a.get("result").is_none()) {
            if process.child.try_wait().ok().flatten().is_some() {
                return Err(format!("{args:?} exited at start"));
            }
            if Instant::now() > deadline {
                return Err(format!("{args:?} never answered {probe}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(process)
    }

    /// Stops it; whether it was still running, and what it logged.
    pub fn stop(mut self) -> (bool, String) {
        let alive = matches!(self.child.try_wait(), Ok(None));
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut log = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut log);
        }
        (alive, log)
    }
}
