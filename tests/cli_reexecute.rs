//! Black-box tests of `superlink proof reexecute`: a `superlink node` takes transactions sent with cast
//! (transfers, a contract deployment, storage writes and a clear, a cross-chain message), and every block
//! re-executes statelessly, from its parent's state root and the node's `debug_executionWitness`, to the
//! roots the node serves (exit 0). A node started with the test-only fault `--fault-tamper-state-root N`
//! is caught: exit 1, naming block N with the served and the recomputed state root.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    process::{Child, Command, Output, Stdio},
    time::Duration,
};

use serde_json::Value;
use superlink_testkit::{Cast, free_port, wait_for_rpc};

/// anvil's first two dev accounts, which `superlink node` funds too.
const KEY0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const KEY1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ADDR1: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
/// Creation code of a contract that sets storage slot `word0` of its calldata to `word1`.
const KV_INIT: &str = "0x6008600c60003960086000f36020356000355500";
const MESSENGER: &str = "0x4200000000000000000000000000000000000023";

struct Node {
    child: Child,
    url: String,
}

impl Node {
    fn start(extra: &[&str]) -> Node {
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new(env!("CARGO_BIN_EXE_superlink"))
                .args(["node", "--port", &port.to_string()])
                .args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("superlink node starts");
            let mut node = Node { child, url: format!("http://127.0.0.1:{port}") };
            if wait_for_rpc(&node.url, Duration::from_secs(30)) {
                return node;
            }
            let _ = node.child.kill();
            let _ = node.child.wait();
        }
        panic!("superlink node never answered on a free port");
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cast_ok(cast: &Cast, args: &[&str]) -> String {
    cast.run(args).unwrap_or_else(|err| panic!("cast {args:?} failed: {err}"))
}

fn send(cast: &Cast, url: &str, key: &str, args: &[&str]) -> Value {
    let mut all = vec!["send", "--rpc-url", url, "--private-key", key, "--json"];
    all.extend_from_slice(args);
    let receipt: Value = serde_json::from_str(&cast_ok(cast, &all)).unwrap();
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    receipt
}

fn word_pair(slot: u64, value: u64) -> String {
    format!("0x{slot:064x}{value:064x}")
}

fn reexecute(url: &str, from: u64, to: u64) -> Output {
    Command::new(env!("CARGO_BIN_EXE_superlink"))
        .args(["proof", "reexecute", "--rpc", url, "--block", &from.to_string(), "--to", &to.to_string()])
        .output()
        .unwrap()
}

fn head(cast: &Cast, url: &str) -> u64 {
    cast_ok(cast, &["block-number", "--rpc-url", url]).parse().unwrap()
}

#[test]
fn every_block_of_an_honest_node_reexecutes_to_its_roots() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&[]);
    let url = node.url.as_str();
    send(&cast, url, KEY0, &["--value", "1ether", ADDR1]);
    send(&cast, url, KEY1, &["--value", "12345", "0x000000000000000000000000000000000000dEaD"]);
    let deployed = send(&cast, url, KEY0, &["--create", KV_INIT]);
    let kv = deployed["contractAddress"].as_str().unwrap().to_string();
    for slot in 1..=4 {
        send(&cast, url, KEY1, &[&kv, &word_pair(slot, slot * 10)]);
    }
    send(&cast, url, KEY1, &[&kv, &word_pair(2, 0)]);
    send(&cast, url, KEY0, &[MESSENGER, "sendMessage(uint256,address,bytes)", "902", ADDR1, "0xc0ffee"]);
    let last = head(&cast, url);
    assert!(last >= 9, "one block per transaction, got head {last}");

    // The witness has reth's shape: trie nodes, codes, key preimages and the parent's header.
    let witness: Value =
        serde_json::from_str(&cast_ok(&cast, &["rpc", "--rpc-url", url, "debug_executionWitness", "0x3"]))
            .unwrap();
    for field in ["state", "codes", "keys", "headers"] {
        assert!(witness[field].is_array(), "{field} in {witness}");
    }
    assert!(!witness["headers"].as_array().unwrap().is_empty());
    assert!(!witness["codes"].as_array().unwrap().is_empty(), "block 3 deploys nothing but runs no code?");
    let keys: Vec<String> =
        witness["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_lowercase()).collect();
    assert!(keys.contains(&"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266".to_string()), "{keys:?}");

    let out = reexecute(url, 1, last);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr));
    for number in 1..=last {
        assert!(stdout.contains(&format!("block {number} (")), "{stdout}");
    }
    assert!(!stdout.contains("MISMATCH"), "{stdout}");
    assert!(
        stdout.contains(&format!("all {last} blocks re-execute to the roots the node serves")),
        "{stdout}"
    );
}

#[test]
fn a_node_serving_a_tampered_state_root_is_caught_at_that_block() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&["--fault-tamper-state-root", "2"]);
    let url = node.url.as_str();
    for value in ["1", "2", "3"] {
        send(&cast, url, KEY0, &["--value", value, ADDR1]);
    }
    let served = cast_ok(&cast, &["block", "2", "--field", "stateRoot", "--rpc-url", url]).to_lowercase();

    let out = reexecute(url, 1, 3);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("block 1 ("), "{stdout}");
    assert!(!stdout.contains("block 3 ("), "the check stops at the first lie: {stdout}");
    assert!(stderr.contains("block 2: stateRoot"), "{stderr}");
    assert!(stderr.contains(&format!("state root served {served}")), "{stderr}");
    let recomputed = stderr.split("recomputed ").nth(1).unwrap().trim_end_matches([')', '\n']).to_string();
    assert_eq!(recomputed.len(), 66, "{stderr}");
    assert_ne!(recomputed, served);
    // The per-block report shows the same pair, flagged.
    assert!(stdout.contains(&format!("served {served}  recomputed {recomputed}  MISMATCH")), "{stdout}");

    // Block 1 alone is honest.
    assert!(reexecute(url, 1, 1).status.success());
}

#[test]
fn the_fault_flag_is_hidden_from_help() {
    let out = Command::new(env!("CARGO_BIN_EXE_superlink")).args(["node", "--help"]).output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("tamper"));
}
