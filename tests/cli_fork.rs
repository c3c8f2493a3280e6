//! Black-box tests of `superlink devnet fork`: anvil nodes stand for an existing L1 and two existing L2s (chain 901
//! holding a contract with storage and funded accounts, chain 902 forked below its head); the devnet forks all
//! three, reads their state at the fork blocks through its own JSON-RPC, changes it without touching the
//! originals, and relays messages between the two forked L2s.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use superlink_testkit::{Anvil, free_port};

#[path = "support/devnet.rs"]
mod devnet;

use devnet::{Devnet, KEY_0, KEY_1, address_of, cast, json, ok};

/// `CrossChainCounter`, at the same address on every L2 of the devnet (installed on top of a forked L2).
const COUNTER: &str = "0x5111000000000000000000000000000000000001";
/// An account funded on the remote L2 only.
const HOLDER: &str = "0x000000000000000000000000000000000000d00d";
/// Runtime that stores its first calldata word in slot 0, or returns slot 0 when called without data.
const STORE_RUNTIME: &str = "3615600c57600035600055005b60005460005260206000f3";

/// Init code that deploys `STORE_RUNTIME`.
fn store_init_code() -> String {
    let len = STORE_RUNTIME.len() / 2;
    format!("0x60{len:02x}600c60003960{len:02x}6000f3{STORE_RUNTIME}")
}

fn word(value: u64) -> String {
    format!("0x{value:064x}")
}

/// `cast send` from `key`, failing the test unless the transaction succeeded; returns the receipt.
fn send(url: &str, key: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["send", "--json", "--private-key", key, "--rpc-url", url];
    all.extend_from_slice(args);
    let receipt = json(&all);
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    receipt
}

/// The remote L2 (chain 901): a store contract holding 42, and `HOLDER` holding 3 ether. Returns the node and
/// the contract's address.
fn remote_l2() -> (Anvil, String) {
    let anvil = Anvil::spawn(901, &[]).unwrap();
    let url = anvil.url();
    let receipt = send(&url, KEY_0, &["--create", &store_init_code()]);
    let store = receipt["contractAddress"].as_str().unwrap().to_string();
    send(&url, KEY_0, &[&store, &word(42)]);
    send(&url, KEY_0, &["--value", "3ether", HOLDER]);
    (anvil, store)
}

/// A second remote L2 (chain 902) where `HOLDER` received 1 ether in block 1 and 1 more in block 2; it is forked
/// at block 1, below its head.
fn remote_l2_902() -> Anvil {
    let anvil = Anvil::spawn(902, &[]).unwrap();
    send(&anvil.url(), KEY_0, &["--value", "1ether", HOLDER]);
    send(&anvil.url(), KEY_0, &["--value", "1ether", HOLDER]);
    anvil
}

fn u64_of(text: &str) -> u64 {
    text.trim().parse().unwrap()
}

fn number_of(value: &serde_json::Value) -> u64 {
    u64::from_str_radix(value.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// Slot 0 of `store` on the chain at `url` at block `block` (a number or a tag).
fn slot0(store: &str, block: &str, url: &str) -> u64 {
    u64_of(&ok(&["to-dec", &ok(&["storage", store, "0", "--block", block, "--rpc-url", url])]))
}

#[test]
fn forked_l2s_serve_the_remote_state_change_their_own_copy_and_relay_messages() {
    let (l2_remote, store) = remote_l2();
    let l2_remote_902 = remote_l2_902();
    let l1_remote = Anvil::spawn(1337, &[]).unwrap();
    send(&l1_remote.url(), KEY_0, &["--value", "2ether", HOLDER]);
    let fork_block = u64_of(&ok(&["block-number", "--rpc-url", &l2_remote.url()]));
    let remote_hash =
        json(&["block", &fork_block.to_string(), "--json", "--rpc-url", &l2_remote.url()])["hash"]
            .as_str()
            .unwrap()
            .to_string();

    let l2_fork = format!("901={}", l2_remote.url());
    let l2_fork_902 = format!("902={}@1", l2_remote_902.url());
    let devnet = Devnet::start_fork(&[
        "--l1-block-time",
        "1",
        "--l1-fork-url",
        &l1_remote.url(),
        "--l2-fork",
        &l2_fork,
        "--l2-fork",
        &l2_fork_902,
    ]);
    let (l1, forked, forked_902) = (devnet.l1(), devnet.l2(901), devnet.l2(902));
    assert_eq!(devnet.l2_entry(901)["forkedFrom"]["block"], fork_block, "{}", devnet.info);
    assert_eq!(devnet.l2_entry(902)["forkedFrom"]["block"], 1, "{}", devnet.info);

    // The forked L2 keeps the remote's chain ID and goes on from its block.
    assert_eq!(ok(&["chain-id", "--rpc-url", &forked]), "901");
    let fork_header = json(&["block", &fork_block.to_string(), "--json", "--rpc-url", &forked]);
    assert_eq!(fork_header["hash"].as_str().unwrap(), remote_hash, "the fork block is the remote's");
    devnet.wait_for("the forked L2 builds on the fork block", || {
        let next = cast(&["block", &(fork_block + 1).to_string(), "--json", "--rpc-url", &forked]).ok()?;
        let next: serde_json::Value = serde_json::from_str(&next).unwrap();
        next["parentHash"].as_str().map(|parent| assert_eq!(parent, remote_hash))
    });

    // The remote's state at the fork block, read lazily through the devnet's RPC.
    let at_fork = fork_block.to_string();
    assert_eq!(ok(&["balance", HOLDER, "--block", &at_fork, "--rpc-url", &forked]), "3000000000000000000");
    assert_eq!(
        ok(&["code", &store, "--block", &at_fork, "--rpc-url", &forked]),
        format!("0x{STORE_RUNTIME}")
    );
    assert_eq!(slot0(&store, &at_fork, &forked), 42);
    assert_eq!(ok(&["balance", HOLDER, "--rpc-url", &forked]), "3000000000000000000");
    // Chain 902 is forked at block 1, before the remote's second transfer.
    assert_eq!(ok(&["balance", HOLDER, "--block", "1", "--rpc-url", &forked_902]), "1000000000000000000");
    assert_eq!(ok(&["balance", HOLDER, "--rpc-url", &forked_902]), "1000000000000000000");
    // The devnet's accounts are funded on top, keeping the nonces they have on the remote.
    let deployer = address_of(KEY_0);
    assert_eq!(ok(&["nonce", &deployer, "--rpc-url", &forked]), "3");
    assert_eq!(ok(&["balance", &deployer, "--rpc-url", &forked]), "10000000000000000000000");

    // A transaction on the fork changes the fork only: the devnet's fork block and the remote keep 42.
    let receipt = send(&forked, KEY_0, &[&store, &word(7)]);
    let tx_block = number_of(&receipt["blockNumber"]);
    assert!(tx_block > fork_block);
    assert_eq!(slot0(&store, "latest", &forked), 7);
    assert_eq!(slot0(&store, &at_fork, &forked), 42);
    assert_eq!(slot0(&store, "latest", &l2_remote.url()), 42);
    assert_eq!(ok(&["block-number", "--rpc-url", &l2_remote.url()]), at_fork, "the remote built no block");

    // Its blocks are batched to the (forked) L1 and derived back: they become safe as they are.
    devnet.wait_for("the forked L2's block with the transaction is safe", || {
        let safe = json(&["block", "safe", "--json", "--rpc-url", &forked]);
        let number = u64::from_str_radix(safe["number"].as_str()?.trim_start_matches("0x"), 16).ok()?;
        (number >= tx_block).then_some(())
    });
    let hash = receipt["transactionHash"].as_str().unwrap();
    let kept = json(&["rpc", "eth_getTransactionReceipt", hash, "--rpc-url", &forked]);
    assert_eq!(kept["status"], "0x1", "the transaction is still in the safe chain: {kept}");

    // The L1 is forked too: the remote's chain ID and balances, the devnet's deposit portals on top, and the
    // admin interface reports the forked L1's chain ID to every L2 and where each chain was forked from.
    assert_eq!(ok(&["chain-id", "--rpc-url", &l1]), "1337");
    assert_eq!(ok(&["balance", HOLDER, "--rpc-url", &l1]), "2000000000000000000");
    assert_ne!(ok(&["code", &devnet.portal(901), "--rpc-url", &l1]), "0x");
    let config = json(&["rpc", "admin_getConfig", "--rpc-url", &devnet.verifier()]);
    assert_eq!(config["L1Config"]["ChainID"], 1337, "{config}");
    assert_eq!(config["L1Config"]["ForkConfig"]["RPCUrl"], l1_remote.url(), "{config}");
    for l2 in config["L2Configs"].as_array().unwrap() {
        assert_eq!(l2["L2Config"]["L1ChainID"], 1337, "{config}");
    }
    assert_eq!(config["L2Configs"][1]["ForkConfig"]["BlockNumber"], 1, "{config}");

    // The interop predeploys and the example app are installed on both forked L2s: messages go both ways.
    send(&forked, KEY_1, &[COUNTER, "incrementRemote(uint256)", "902"]);
    devnet.wait_for("the message from 901 to 902 is relayed", || {
        (ok(&["call", COUNTER, "count()(uint256)", "--rpc-url", &forked_902]) == "1").then_some(())
    });
    send(&forked_902, KEY_1, &[COUNTER, "incrementRemote(uint256)", "901"]);
    devnet.wait_for("the message from 902 to 901 is relayed", || {
        (ok(&["call", COUNTER, "count()(uint256)", "--rpc-url", &forked]) == "1").then_some(())
    });
    assert_eq!(
        ok(&["code", COUNTER, "--rpc-url", &l2_remote.url()]),
        "0x",
        "nothing was installed on the remote"
    );
}

/// Runs `superlink devnet fork` with `args` (on free ports) and returns its exit status and stderr.
fn fork_refused(args: &[&str]) -> (std::process::ExitStatus, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_superlink"))
        .args(["devnet", "fork", "--l1-port", "0", "--l2-starting-port", "0", "--verifier-port", "0"])
        .args(["--rollup-starting-port", "0"])
        .args(args)
        .output()
        .unwrap();
    (output.status, String::from_utf8_lossy(&output.stderr).to_string())
}

#[test]
fn an_unreachable_fork_url_is_refused_at_start() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let (status, stderr) = fork_refused(&["--l2-fork", &format!("901={url}")]);
    assert!(!status.success());
    assert!(stderr.contains(&format!("cannot fork {url}")), "{stderr}");
    assert!(stderr.contains("not reachable"), "{stderr}");
}

#[test]
fn a_node_of_another_chain_is_refused_at_start() {
    let anvil = Anvil::spawn(901, &[]).unwrap();
    let (status, stderr) = fork_refused(&["--l2-fork", &format!("902={}", anvil.url())]);
    assert!(!status.success());
    assert!(stderr.contains("it serves chain 901, not chain 902"), "{stderr}");
}

#[test]
fn fork_mode_refuses_state_files() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("devnet.json");
    let file = file.to_str().unwrap();
    for flag in ["--load-state", "--dump-state", "--state"] {
        let (status, stderr) = fork_refused(&["--l2-fork", &format!("901={url}"), flag, file]);
        assert!(!status.success(), "{flag}");
        assert!(stderr.contains("fork mode cannot load or save a state file"), "{flag}: {stderr}");
    }
    assert!(!dir.path().join("devnet.json").exists());
}

#[test]
fn fork_needs_a_chain_to_fork() {
    let (status, stderr) = fork_refused(&[]);
    assert!(!status.success());
    assert!(stderr.contains("--l2-fork"), "{stderr}");
}
