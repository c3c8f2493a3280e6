//! Black-box tests of `superlink devnet fault ...` and `superlink devnet status`: the binary is run as a user
//! runs it. With no devnet running it must say so in one line and fail; against a control port (the devnet's
//! `devnet_*` methods over a stand-in for the running devnet) it must send what the user typed and print what
//! came back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    process::{Command, Output},
    sync::{Arc, Mutex},
};

use alloy_primitives::B256;
use jsonrpsee::server::{Server, ServerHandle};
use serde_json::Value;
use superlink_devnet::{
    control_module,
    faults::{
        BatcherReport, ChainStatus, DerivedHead, DevnetControl, DevnetStatus, FaultError, InjectedMessage,
        L1Reorg, L1Status, L2Reorg,
    },
};
use superlink_testkit::free_port;
use superlink_verifier::BlockId;

fn superlink(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_superlink"));
    command.args(args).env_remove("SUPERLINK_CONTROL_URL");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the superlink binary runs")
}

/// Asserts a failure with exit status `code` whose one-line error starts with `starts`.
fn assert_fails(out: &Output, code: i32, starts: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "panicked: {stderr}");
    assert!(stderr.starts_with(&format!("error: {starts}")), "expected `error: {starts}...`, got {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line expected: {stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout: {}", String::from_utf8_lossy(&out.stdout));
}

fn stdout_of(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "failed: {stderr}");
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn status_without_a_running_devnet_fails_naming_the_control_url() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let out = superlink(&["devnet", "status", "--control-url", &url], &[]);
    assert_fails(&out, 1, &format!("no devnet control port at {url}: "));
}

#[test]
fn the_control_url_can_come_from_the_environment() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let out = superlink(&["devnet", "fault", "halt-batcher", "901"], &[("SUPERLINK_CONTROL_URL", &url)]);
    assert_fails(&out, 1, &format!("no devnet control port at {url}: "));
}

/// Stands in for the running devnet: records each call and answers fixed values for chains 901 and 902.
#[derive(Default)]
struct FakeDevnet {
    calls: Mutex<Vec<String>>,
}

fn id(number: u64, byte: u8) -> BlockId {
    BlockId::new(number, B256::repeat_byte(byte))
}

impl FakeDevnet {
    fn enter(&self, call: String, chain: Option<u64>) -> Result<(), FaultError> {
        self.calls.lock().unwrap().push(call);
        match chain {
            Some(c) if c != 901 && c != 902 => Err(FaultError::UnknownChain(c)),
            _ => Ok(()),
        }
    }

    fn report(halted: bool) -> BatcherReport {
        BatcherReport { halted, posted: Some(40), last_inclusion: Some(19), transactions: 7 }
    }
}

impl DevnetControl for FakeDevnet {
    fn halt_batcher(&self, chain_id: u64) -> Result<BatcherReport, FaultError> {
        self.enter(format!("halt_batcher({chain_id})"), Some(chain_id)).map(|()| Self::report(true))
    }

    fn resume_batcher(&self, chain_id: u64) -> Result<BatcherReport, FaultError> {
        self.enter(format!("resume_batcher({chain_id})"), Some(chain_id)).map(|()| Self::report(false))
    }

    fn inject_invalid_message(&self, chain_id: u64) -> Result<InjectedMessage, FaultError> {
        self.enter(format!("inject_invalid_message({chain_id})"), Some(chain_id))?;
        Ok(InjectedMessage {
            chain_id,
            block_number: 57,
            block_hash: B256::repeat_byte(0xab),
            transaction_hash: B256::repeat_byte(0xcd),
        })
    }

    fn reorg_l1(&self, depth: u64) -> Result<L1Reorg, FaultError> {
        self.enter(format!("reorg_l1({depth})"), None)?;
        Ok(L1Reorg { fork: id(17, 1), old_head: id(20, 2), new_head: id(20, 3) })
    }

    fn reorg_l2(&self, chain_id: u64, depth: u64) -> Result<L2Reorg, FaultError> {
        self.enter(format!("reorg_l2({chain_id}, {depth})"), Some(chain_id))?;
        Ok(L2Reorg {
            chain_id,
            fork: id(48, 1),
            replaced: vec![id(49, 2), id(50, 2)],
            replacements: vec![id(49, 3), id(50, 3)],
        })
    }

    fn status(&self) -> DevnetStatus {
        let _ = self.enter("status()".into(), None);
        let head = |n, l1: Option<u64>| DerivedHead { derived: id(n, 1), derived_from: l1.map(|l| id(l, 2)) };
        DevnetStatus {
            l1: L1Status { head: id(20, 0xaa), safe: id(18, 0xbb), finalized: id(16, 0xcc) },
            chains: vec![ChainStatus {
                chain_id: 901,
                unsafe_head: id(57, 1),
                cross_unsafe: id(56, 1),
                local_safe: head(40, Some(19)),
                cross_safe: head(38, Some(18)),
                finalized: head(0, None),
                batcher: Self::report(true),
            }],
            shared_batcher: false,
            batch_interval: 1,
            sequencing_window: 12,
            l1_finality_depth: 4,
        }
    }
}

/// The control methods over `fake` on a free port, on a runtime of their own.
struct ControlPort {
    url: String,
    handle: ServerHandle,
    _runtime: tokio::runtime::Runtime,
}

impl ControlPort {
    fn start(fake: Arc<FakeDevnet>) -> Self {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let (handle, url) = runtime.block_on(async {
            let server = Server::builder().build("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", server.local_addr().unwrap());
            (server.start(control_module(fake)), url)
        });
        Self { url, handle, _runtime: runtime }
    }
}

impl Drop for ControlPort {
    fn drop(&mut self) {
        let _ = self.handle.stop();
    }
}

#[test]
fn fault_commands_send_what_the_user_typed_and_print_what_the_devnet_did() {
    let fake = Arc::new(FakeDevnet::default());
    let port = ControlPort::start(fake.clone());
    let run = |args: &[&str]| {
        let mut all = vec!["devnet"];
        all.extend_from_slice(args);
        all.extend(["--control-url", port.url.as_str()]);
        superlink(&all, &[])
    };

    let out = stdout_of(&run(&["fault", "inject-invalid-message", "0x385"]));
    assert_eq!(
        out.trim(),
        format!(
            "injected an invalid message on chain 901 in block 57 ({}), transaction {}",
            B256::repeat_byte(0xab),
            B256::repeat_byte(0xcd)
        )
    );
    let out = stdout_of(&run(&["fault", "halt-batcher", "902"]));
    assert!(out.starts_with("halted the batcher of chain 902 (last posted L2 block 40"), "{out}");
    let out = stdout_of(&run(&["fault", "resume-batcher", "902"]));
    assert!(out.starts_with("resumed the batcher of chain 902"), "{out}");
    let out = stdout_of(&run(&["fault", "reorg-l1", "3"]));
    assert!(out.starts_with("reorganised the L1 after block 17"), "{out}");
    let out = stdout_of(&run(&["fault", "reorg-l2", "902", "2", "--json"]));
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["chainId"], 902);
    assert_eq!(json["replacements"][1]["hash"], B256::repeat_byte(3).to_string());

    // A chain the devnet does not run: the devnet's refusal, as a usage error.
    let out = run(&["fault", "halt-batcher", "999"]);
    assert_fails(&out, 2, "devnet_haltBatcher refused: the devnet runs no L2 with chain ID 999");

    assert_eq!(
        *fake.calls.lock().unwrap(),
        [
            "inject_invalid_message(901)",
            "halt_batcher(902)",
            "resume_batcher(902)",
            "reorg_l1(3)",
            "reorg_l2(902, 2)",
            "halt_batcher(999)"
        ]
    );
}

#[test]
fn status_prints_a_table_of_the_heads_or_the_raw_json() {
    let port = ControlPort::start(Arc::new(FakeDevnet::default()));
    let out = stdout_of(&superlink(&["devnet", "status", "--control-url", &port.url], &[]));
    assert!(out.starts_with(&format!("L1 head       20  {}", B256::repeat_byte(0xaa))), "{out}");
    let row = out.lines().find(|l| l.starts_with("901")).unwrap_or_else(|| panic!("no row for 901: {out}"));
    let cells: Vec<&str> = row.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(cells, ["901", "57", "56", "40 ← L1 19", "38 ← L1 18", "0", "halted", "40"]);

    let out = stdout_of(&superlink(&["devnet", "status", "--json", "--control-url", &port.url], &[]));
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["chains"][0]["localSafe"]["derivedFrom"]["number"], 19);
    assert_eq!(json["l1"]["finalized"]["number"], 16);
    assert_eq!(json["sequencingWindow"], 12);
}
