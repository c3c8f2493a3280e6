//! A `superlink devnet` process for black-box tests: started on free ports with one-second L2 blocks and
//! `--json`, its description parsed, its log kept, killed on drop; plus the cast calls the tests share.

#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, Weak},
    time::{Duration, Instant},
};

use serde_json::Value;
use superlink_testkit::{Cast, free_port, wait_for_chain};

/// Anvil's first development key (the devnet funds the same accounts).
pub const KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// The second development key.
pub const KEY_1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
/// The third development key.
pub const KEY_2: &str = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
/// How long any wait may take on a loaded machine.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// A running `superlink devnet`, killed on drop.
pub struct Devnet {
    child: Option<Child>,
    /// The JSON document it printed.
    pub info: Value,
    stderr: tempfile::NamedTempFile,
}

/// `count` consecutive free ports, the first chosen by `free_port`.
pub fn free_ports(count: u16) -> u16 {
    loop {
        let first = free_port();
        if first == 0 || first.checked_add(count).is_none() {
            continue;
        }
        let listeners: Vec<_> =
            (first..first + count).filter_map(|p| TcpListener::bind(("127.0.0.1", p)).ok()).collect();
        if listeners.len() == usize::from(count) {
            return first;
        }
    }
}

/// The names the devnet's ports are given with on its command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortFlags {
    /// superlink's own: `--l1-port`, `--l2-starting-port`, `--verifier-port`.
    Superlink,
    /// supersim's: `--l1.port`, `--l2.starting.port`, `--admin.port`.
    Supersim,
}

impl Devnet {
    /// Starts `superlink devnet --json --l2-block-time 1` with `extra` arguments on free ports.
    pub fn start(extra: &[&str]) -> Devnet {
        Self::start_with(PortFlags::Superlink, extra)
    }

    /// A `superlink devnet` with the default arguments, shared by the test functions of one test binary that run
    /// at the same time: the first caller starts it, the others get the same one, and it stops when the last
    /// holder drops it. (A devnet kept in a plain static would never be dropped, and so never stopped.)
    pub fn shared() -> Arc<Devnet> {
        static SHARED: Mutex<Weak<Devnet>> = Mutex::new(Weak::new());
        let mut slot = SHARED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(devnet) = slot.upgrade() {
            return devnet;
        }
        let devnet = Arc::new(Devnet::start(&[]));
        *slot = Arc::downgrade(&devnet);
        devnet
    }

    /// [`Devnet::start`], naming the ports with `flags`.
    pub fn start_with(flags: PortFlags, extra: &[&str]) -> Devnet {
        Self::spawn(&["devnet"], flags, extra)
    }

    /// Starts `superlink devnet fork --json --l2-block-time 1` with `extra` arguments (the fork flags) on free
    /// ports.
    pub fn start_fork(extra: &[&str]) -> Devnet {
        Self::spawn(&["devnet", "fork"], PortFlags::Superlink, extra)
    }

    fn spawn(command: &[&str], flags: PortFlags, extra: &[&str]) -> Devnet {
        let l2_count: u16 = extra
            .iter()
            .position(|a| *a == "--l2-count" || *a == "--l2.count")
            .map(|i| extra[i + 1].parse().unwrap())
            .unwrap_or(2);
        let (l1, l2, verifier) = (free_port(), free_ports(l2_count), free_port());
        let rollup = free_ports(l2_count);
        let [l1_flag, l2_flag, verifier_flag] = match flags {
            PortFlags::Superlink => ["--l1-port", "--l2-starting-port", "--verifier-port"],
            PortFlags::Supersim => ["--l1.port", "--l2.starting.port", "--admin.port"],
        };
        let stderr = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_superlink"))
            .args(command)
            .args(["--json", "--l2-block-time", "1"])
            .args([l1_flag, &l1.to_string(), l2_flag, &l2.to_string()])
            .args([verifier_flag, &verifier.to_string()])
            .args(["--rollup-starting-port", &rollup.to_string()])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(stderr.reopen().unwrap())
            .spawn()
            .expect("superlink devnet starts");
        let stdout = child.stdout.take().unwrap();
        let mut devnet = Devnet { child: Some(child), info: Value::Null, stderr };
        let mut text = String::new();
        for line in BufReader::new(stdout).lines() {
            text.push_str(&line.unwrap());
            text.push('\n');
            if let Ok(info) = serde_json::from_str::<Value>(&text) {
                devnet.info = info;
                break;
            }
        }
        assert!(!devnet.info.is_null(), "no JSON description; stderr: {}", devnet.log());
        assert_eq!(devnet.info["l1"]["rpcUrl"], format!("http://127.0.0.1:{l1}"));
        assert_eq!(devnet.info["l2s"][0]["rpcUrl"], format!("http://127.0.0.1:{l2}"));
        assert_eq!(devnet.info["verifier"]["rpcUrl"], format!("http://127.0.0.1:{verifier}"));
        // What answers on those ports is this devnet: it still runs, and each chain answers with its own ID.
        let chains: Vec<(String, u64)> = std::iter::once(&devnet.info["l1"])
            .chain(devnet.info["l2s"].as_array().unwrap())
            .map(|c| (c["rpcUrl"].as_str().unwrap().to_string(), c["chainId"].as_u64().unwrap()))
            .collect();
        for (url, chain_id) in chains {
            let child = devnet.child.as_mut().unwrap();
            if let Err(e) = wait_for_chain(child, &url, chain_id, PATIENCE) {
                panic!("the devnet is not ready: {e}; log:\n{}", devnet.log());
            }
        }
        devnet
    }

    /// Has a watchdog stop the devnet (and remove its log) once this test process exits: for a devnet kept in a
    /// `static` and shared by a file's tests, which is never dropped.
    // The watchdog outlives this process by design; it is never waited for.
    #[allow(clippy::zombie_processes)]
    pub fn stop_when_tests_exit(&self) {
        let child = self.child.as_ref().unwrap().id();
        let script = format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; kill {child} 2>/dev/null; rm -f '{}'",
            std::process::id(),
            self.stderr.path().display()
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the watchdog starts");
    }

    /// What the devnet logged so far (stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).unwrap_or_default()
    }

    /// The L1's RPC URL.
    pub fn l1(&self) -> String {
        self.info["l1"]["rpcUrl"].as_str().unwrap().to_string()
    }

    /// The JSON description of L2 `chain_id`.
    pub fn l2_entry(&self, chain_id: u64) -> &Value {
        self.info["l2s"].as_array().unwrap().iter().find(|c| c["chainId"] == chain_id).unwrap()
    }

    /// The RPC URL of L2 `chain_id`.
    pub fn l2(&self, chain_id: u64) -> String {
        self.l2_entry(chain_id)["rpcUrl"].as_str().unwrap().to_string()
    }

    /// The L1 deposit portal of L2 `chain_id`, as the JSON description lists it.
    pub fn portal(&self, chain_id: u64) -> String {
        self.l2_entry(chain_id)["l1Portal"].as_str().expect("every L2 lists its L1 portal").to_string()
    }

    /// The rollup-node RPC URL of L2 `chain_id`.
    pub fn rollup(&self, chain_id: u64) -> String {
        self.l2_entry(chain_id)["rollupRpcUrl"].as_str().expect("every L2 lists its rollup RPC").to_string()
    }

    /// The verifier's RPC URL (the devnet's control port).
    pub fn verifier(&self) -> String {
        self.info["verifier"]["rpcUrl"].as_str().unwrap().to_string()
    }

    /// Polls `done` until it returns `Some`, failing with `what` and the log after the deadline.
    pub fn wait_for<T>(&self, what: &str, mut done: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(value) = done() {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting until {what}; log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Sends SIGTERM and returns the exit status and the log.
    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let mut child = self.child.take().unwrap();
        Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return (status, self.log());
            }
            assert!(Instant::now() < deadline, "the devnet did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs the pinned cast.
pub fn cast(args: &[&str]) -> Result<String, String> {
    Cast::new().unwrap().run(args)
}

/// Runs the pinned cast; fails the test if it fails.
pub fn ok(args: &[&str]) -> String {
    cast(args).unwrap_or_else(|e| panic!("cast {args:?} failed: {e}"))
}

/// Runs the pinned cast and parses what it printed as JSON.
pub fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

/// The address of a private key.
pub fn address_of(key: &str) -> String {
    ok(&["wallet", "address", "--private-key", key])
}
