//! Black-box tests of `superlink node`: the binary is started on a free port and driven with `cast` as a user
//! drives a dev node. The same scenario runs against anvil, and the answers must agree wherever both are
//! deterministic (status, gas used, logs, balances, nonces, call results, revert data). Block hashes,
//! transaction and receipt roots and state proofs served by the node are recomputed with alloy's own code.
//! Malformed requests must get geth's JSON-RPC errors without stopping the node, and the node must exit 0 on
//! SIGINT and SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::{Child, Command, ExitStatus, Stdio},
    sync::OnceLock,
    thread,
    time::{Duration, Instant},
};

use alloy_consensus::{Block, BlockBody, Header, ReceiptWithBloom, TxReceipt};
use alloy_eips::eip2718::Encodable2718;
use alloy_eips::eip4895::Withdrawals;
use alloy_primitives::{Address, B256, KECCAK256_EMPTY as KECCAK_EMPTY, U256, keccak256};
use alloy_rpc_types_eth::EIP1186AccountProofResponse;
use alloy_trie::{Nibbles, TrieAccount, proof::verify_proof, root::ordered_trie_root_with_encoder};
use jsonrpsee::{
    core::client::{Subscription, SubscriptionClientT},
    rpc_params,
    ws_client::WsClientBuilder,
};
use op_alloy_consensus::OpReceiptEnvelope;
use serde_json::{Value, json};
use superlink_testkit::{Anvil, Cast, free_port, tool, wait_for_rpc};

/// anvil's first three dev accounts (mnemonic `test test ... junk`), which `superlink node` funds too.
const KEY0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ADDR0: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const KEY1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ADDR1: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const KEY2: &str = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const ADDR2: &str = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
/// Plain recipients of value transfers (no code, no balance at genesis).
const SINK_A: &str = "0x000000000000000000000000000000000000dEaD";
const SINK_B: &str = "0x00000000000000000000000000000000000Beef1";

/// A small contract with storage, a mapping, an event with indexed fields, a custom error and a string revert.
const COUNTER_SOURCE: &str = r#"// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

contract Counter {
    uint256 public count;
    mapping(address => uint256) public credits;

    event Bumped(address indexed by, uint256 indexed amount, uint256 count);

    error TooBig(uint256 amount);

    function bump(uint256 amount) external {
        if (amount > 100) revert TooBig(amount);
        count += amount;
        credits[msg.sender] += amount;
        emit Bumped(msg.sender, amount, count);
    }

    function fail() external pure {
        revert("counter says no");
    }
}
"#;

/// The Counter's creation code, compiled once per test process with the pinned solcjs.
fn counter_bytecode() -> &'static str {
    static CODE: OnceLock<String> = OnceLock::new();
    CODE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Counter.sol"), COUNTER_SOURCE).unwrap();
        let out = Command::new(tool("solcjs").unwrap())
            .current_dir(dir.path())
            .args(["--bin", "--optimize", "-o", "out", "Counter.sol"])
            .output()
            .unwrap();
        assert!(out.status.success(), "solcjs failed: {}", String::from_utf8_lossy(&out.stderr));
        let bin = std::fs::read_to_string(dir.path().join("out/Counter_sol_Counter.bin")).unwrap();
        format!("0x{}", bin.trim())
    })
}

/// A running `superlink node`, killed when dropped.
struct Node {
    child: Option<Child>,
    port: u16,
}

impl Node {
    fn start(extra: &[&str]) -> Node {
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new(env!("CARGO_BIN_EXE_superlink"))
                .args(["node", "--port", &port.to_string()])
                .args(extra)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("superlink node starts");
            let mut node = Node { child: Some(child), port };
            if wait_for_rpc(&node.url(), Duration::from_secs(30)) {
                return node;
            }
            node.kill();
        }
        panic!("superlink node never answered on a free port");
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| c.try_wait().unwrap().is_none())
    }

    /// Sends `signal` (`INT` or `TERM`), waits up to 30 s for the exit; the status and what it printed.
    fn stop_with(mut self, signal: &str) -> (ExitStatus, String, String) {
        let mut child = self.child.take().unwrap();
        let status = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
        assert!(status.unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("superlink node did not stop within 30 s of SIG{signal}");
            }
            thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status,
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts anvil with the EVM rules the node follows (Isthmus is Prague on L2).
fn spawn_anvil() -> Anvil {
    Anvil::spawn(901, &["--hardfork", "prague"]).unwrap()
}

fn cast_ok(cast: &Cast, args: &[&str]) -> String {
    cast.run(args).unwrap_or_else(|err| panic!("cast {args:?} failed: {err}"))
}

fn cast_json(cast: &Cast, args: &[&str]) -> Value {
    let out = cast_ok(cast, args);
    serde_json::from_str(&out).unwrap_or_else(|err| panic!("cast {args:?} printed no JSON ({err}): {out}"))
}

/// `cast send ... --json` from `key`: the receipt.
fn send(cast: &Cast, url: &str, key: &str, args: &[&str]) -> Value {
    let mut all = vec!["send", "--rpc-url", url, "--private-key", key, "--json"];
    all.extend_from_slice(args);
    cast_json(cast, &all)
}

fn hex_u64(value: &Value) -> u64 {
    let text = value.as_str().unwrap_or_else(|| panic!("not a hex quantity: {value}"));
    u64::from_str_radix(text.trim_start_matches("0x"), 16).unwrap()
}

/// The parts of a receipt that do not depend on block position, fees or clocks.
fn receipt_facts(receipt: &Value) -> Value {
    let logs: Vec<Value> = receipt["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|log| json!({"address": log["address"], "topics": log["topics"], "data": log["data"]}))
        .collect();
    json!({
        "type": receipt["type"],
        "status": receipt["status"],
        "gasUsed": receipt["gasUsed"],
        "from": receipt["from"],
        "to": receipt["to"],
        "contractAddress": receipt["contractAddress"],
        "logs": logs,
    })
}

/// The parts of a transaction that do not depend on fees chosen from the node's prices.
fn tx_facts(cast: &Cast, url: &str, hash: &str) -> Value {
    let tx = cast_json(cast, &["tx", "--rpc-url", url, hash, "--json"]);
    assert_eq!(tx["hash"], hash, "cast tx returns the transaction asked for");
    json!({
        "type": tx["type"],
        "from": tx["from"],
        "to": tx["to"],
        "nonce": tx["nonce"],
        "value": tx["value"],
        "input": tx["input"],
        "chainId": tx["chainId"],
        "accessList": tx["accessList"],
        "authorizationList": tx["authorizationList"],
    })
}

/// The JSON-RPC error of a failed cast call: `(code, message)` from cast's `error code N: message` wording.
fn rpc_error_of(stderr: &str) -> (i64, String) {
    let start = stderr.find("error code ").unwrap_or_else(|| panic!("no JSON-RPC error in: {stderr}"));
    let rest = &stderr[start + "error code ".len()..];
    let (code, message) = rest.split_once(": ").unwrap();
    let message = message.split(", data:").next().unwrap().trim().to_string();
    (code.parse().unwrap(), message)
}

/// Runs the same user session against one node and returns every deterministic answer, keyed by step.
fn user_session(cast: &Cast, url: &str) -> Vec<(String, Value)> {
    let mut seen = Vec::new();
    let mut record = |step: &str, value: Value| seen.push((step.to_string(), value));

    // Transfers of every transaction type.
    let legacy = send(cast, url, KEY0, &["--legacy", SINK_A, "--value", "1ether"]);
    assert_eq!(legacy["type"], "0x0", "--legacy sends a type-0 transaction");
    record("legacy transfer", receipt_facts(&legacy));
    let access_list = format!(r#"[{{"address":"{SINK_B}","storageKeys":["0x{}"]}}]"#, "00".repeat(31) + "01");
    let eip2930 =
        send(cast, url, KEY0, &["--legacy", "--access-list", &access_list, SINK_A, "--value", "2ether"]);
    assert_eq!(eip2930["type"], "0x1", "an access list with a gas price is an EIP-2930 transaction");
    record("eip-2930 transfer", receipt_facts(&eip2930));
    let eip1559 = send(cast, url, KEY1, &[SINK_B, "--value", "3ether"]);
    assert_eq!(eip1559["type"], "0x2");
    record("eip-1559 transfer", receipt_facts(&eip1559));
    for receipt in [&legacy, &eip2930, &eip1559] {
        let hash = receipt["transactionHash"].as_str().unwrap();
        let fetched = cast_json(cast, &["receipt", "--rpc-url", url, hash, "--json"]);
        for field in ["transactionHash", "blockHash", "blockNumber", "transactionIndex", "cumulativeGasUsed"]
        {
            assert_eq!(fetched[field], receipt[field], "cast receipt agrees with cast send on {field}");
        }
        assert_eq!(receipt_facts(&fetched), receipt_facts(receipt));
        record(&format!("tx of {}", receipt["type"]), tx_facts(cast, url, hash));
    }

    // Contract deployment, then calls and state-changing sends.
    let deploy = send(cast, url, KEY0, &["--create", counter_bytecode()]);
    assert_eq!(deploy["status"], "0x1", "deployment succeeds: {deploy}");
    record("deploy", receipt_facts(&deploy));
    let counter = deploy["contractAddress"].as_str().unwrap().to_string();
    let code = cast_ok(cast, &["code", "--rpc-url", url, &counter]);
    assert!(code.len() > 100, "runtime code is stored at {counter}");
    record("runtime code", json!(code));

    let bump = send(cast, url, KEY0, &[&counter, "bump(uint256)", "5"]);
    assert_eq!(bump["logs"].as_array().unwrap().len(), 1, "bump emits one event");
    record("bump 5", receipt_facts(&bump));
    let bump = send(cast, url, KEY1, &[&counter, "bump(uint256)", "7"]);
    record("bump 7", receipt_facts(&bump));
    let count = cast_ok(cast, &["call", "--rpc-url", url, &counter, "count()(uint256)"]);
    assert_eq!(count, "12");
    record("count", json!(count));
    let credits = cast_ok(cast, &["call", "--rpc-url", url, &counter, "credits(address)(uint256)", ADDR1]);
    assert_eq!(credits, "7");
    record("credits", json!(credits));

    // Reverting calls: a custom error and an Error(string); code 3 with the revert data.
    let err = cast.run(["call", "--rpc-url", url, &counter, "bump(uint256)", "500"]).unwrap_err();
    let (code, _) = rpc_error_of(&err);
    assert_eq!(code, 3, "a revert is JSON-RPC error 3: {err}");
    let data = err.rsplit("data: ").next().unwrap().trim().trim_matches('"').to_string();
    let selector = cast_ok(cast, &["sig", "TooBig(uint256)"]);
    assert!(data.starts_with(&selector), "revert data {data} starts with TooBig's selector {selector}");
    record("custom error revert data", json!(data));
    let err = cast.run(["call", "--rpc-url", url, &counter, "fail()"]).unwrap_err();
    let (code, message) = rpc_error_of(&err);
    assert_eq!((code, message.as_str()), (3, "execution reverted: counter says no"), "{err}");
    record("string revert", json!([code, message]));

    // A transaction that reverts on chain is mined with status 0.
    let reverted = send(cast, url, KEY1, &["--gas-limit", "100000", &counter, "bump(uint256)", "101"]);
    assert_eq!(reverted["status"], "0x0", "a reverting transaction is mined with status 0: {reverted}");
    record("reverted send", receipt_facts(&reverted));

    // EIP-7702: account 2 delegates to the Counter and calls itself; storage lands in the account.
    let delegated = send(cast, url, KEY2, &["--auth", &counter, ADDR2, "bump(uint256)", "9"]);
    assert_eq!(delegated["type"], "0x4");
    assert_eq!(delegated["status"], "0x1", "the delegated call succeeds: {delegated}");
    record("eip-7702 delegated call", receipt_facts(&delegated));
    let tx = tx_facts(cast, url, delegated["transactionHash"].as_str().unwrap());
    assert_eq!(tx["authorizationList"][0]["address"].as_str().unwrap(), counter.to_lowercase());
    record("eip-7702 transaction", tx);
    let designator = cast_ok(cast, &["code", "--rpc-url", url, ADDR2]);
    assert_eq!(designator, format!("0xef0100{}", counter.trim_start_matches("0x")).to_lowercase());
    let slot = cast_ok(cast, &["storage", "--rpc-url", url, ADDR2, "0"]);
    assert_eq!(U256::from_str_radix(slot.trim_start_matches("0x"), 16).unwrap(), U256::from(9));
    record("delegated storage", json!(slot));

    // Reads: storage, nonces, balances, logs.
    record("storage slot 0", json!(cast_ok(cast, &["storage", "--rpc-url", url, &counter, "0"])));
    let credit_slot = cast_ok(cast, &["index", "address", ADDR0, "1"]);
    let credit = cast_ok(cast, &["storage", "--rpc-url", url, &counter, &credit_slot]);
    assert_eq!(U256::from_str_radix(credit.trim_start_matches("0x"), 16).unwrap(), U256::from(5));
    record("storage credits[0]", json!(credit));
    for (name, address) in [("addr0", ADDR0), ("addr1", ADDR1), ("addr2", ADDR2)] {
        record(&format!("nonce {name}"), json!(cast_ok(cast, &["nonce", "--rpc-url", url, address])));
    }
    for address in [SINK_A, SINK_B, counter.as_str()] {
        record(&format!("balance {address}"), json!(cast_ok(cast, &["balance", "--rpc-url", url, address])));
    }
    let logs =
        cast_json(cast, &["logs", "--rpc-url", url, "--json", "--from-block", "0", "--address", &counter]);
    let logs: Vec<Value> = logs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| json!([l["topics"], l["data"], l["logIndex"], l["removed"]]))
        .collect();
    assert_eq!(logs.len(), 2, "two bumps of the Counter itself");
    record("cast logs", json!(logs));
    let sender_topic = format!("0x{:0>64}", ADDR1.trim_start_matches("0x").to_lowercase());
    let filter = json!({"fromBlock": "0x0", "toBlock": "latest", "topics": [null, sender_topic]}).to_string();
    let by_topic = cast_json(cast, &["rpc", "--rpc-url", url, "eth_getLogs", &filter]);
    let by_topic = by_topic.as_array().unwrap();
    assert_eq!(by_topic.len(), 1, "one bump by account 1: {by_topic:?}");
    assert_eq!(by_topic[0]["topics"][1], sender_topic.as_str());

    // Gas estimate of a storage-writing call.
    let estimate =
        cast_ok(cast, &["estimate", "--rpc-url", url, "--from", ADDR0, &counter, "bump(uint256)", "1"]);
    record("cast estimate", json!(estimate));
    seen
}

#[test]
fn a_user_session_gives_the_same_answers_as_anvil() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&[]);
    let anvil = spawn_anvil();
    let ours = user_session(&cast, &node.url());
    let theirs = user_session(&cast, &anvil.url());
    assert_eq!(ours.len(), theirs.len());
    let mut differences = Vec::new();
    for ((step, a), (_, b)) in ours.iter().zip(&theirs) {
        if a != b {
            differences.push(format!("{step}:\n  superlink: {a}\n  anvil:     {b}"));
        }
    }
    assert!(differences.is_empty(), "superlink node and anvil disagree on:\n{}", differences.join("\n"));
}

/// `cast access-list` and `cast estimate --access-list` for a call that writes two storage slots.
fn access_list_session(cast: &Cast, url: &str) -> (Value, Value, String) {
    let deploy = send(cast, url, KEY0, &["--create", counter_bytecode()]);
    let counter = deploy["contractAddress"].as_str().unwrap().to_string();
    let call = [counter.as_str(), "bump(uint256)", "1"];
    let mut args = vec!["access-list", "--rpc-url", url, "--from", ADDR0, "--json"];
    args.extend(call);
    let generated = cast_json(cast, &args);
    let mut args = vec!["estimate", "--rpc-url", url, "--from", ADDR0];
    args.extend(call);
    args.push("--access-list");
    let estimate = cast_ok(cast, &args);
    let mut args = vec!["--legacy"];
    args.extend(call);
    args.push("--access-list");
    let sent = send(cast, url, KEY0, &args);
    assert_eq!(sent["type"], "0x1", "cast sends the generated list as an EIP-2930 transaction");
    (generated, receipt_facts(&sent), estimate)
}

#[test]
fn created_access_list_names_the_storage_the_call_touches() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&[]);
    let (generated, sent, estimate) = access_list_session(&cast, &node.url());
    // geth lists every storage key the call touches, the called contract's included (only the sender, a
    // recipient without keys and precompiles are left out): `count` is slot 0, credits[sender] is
    // keccak(sender . 1).
    let counter = sent["to"].as_str().unwrap().to_string();
    let credit_slot = cast_ok(&cast, &["index", "address", ADDR0, "1"]);
    let mut expected = vec![format!("0x{}", "00".repeat(32)), credit_slot];
    expected.sort();
    let entry = generated["accessList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["address"].as_str().unwrap().eq_ignore_ascii_case(&counter))
        .unwrap_or_else(|| panic!("eth_createAccessList leaves out the called contract: {generated}"));
    let mut keys: Vec<String> =
        entry["storageKeys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect();
    keys.sort();
    assert_eq!(keys, expected);
    let anvil = spawn_anvil();
    let theirs = access_list_session(&cast, &anvil.url());
    assert_eq!(
        (generated, sent, estimate),
        theirs,
        "superlink and anvil agree on access lists and their gas"
    );
}

/// Recomputes a block's hash, transactions root and receipts root from what the node serves.
fn check_block_commitments(cast: &Cast, url: &str, number: u64) {
    let number = number.to_string();
    let block = cast_json(cast, &["block", "--rpc-url", url, &number, "--full", "--json"]);
    let header: Header = serde_json::from_value(block.clone()).unwrap();
    let served_hash: B256 = serde_json::from_value(block["hash"].clone()).unwrap();
    assert_eq!(header.hash_slow(), served_hash, "block {number}: the header fields hash to the served hash");

    let txs: Vec<op_alloy_rpc_types::Transaction> =
        serde_json::from_value(block["transactions"].clone()).unwrap();
    let envelopes: Vec<_> = txs.into_iter().map(|tx| tx.inner.inner.into_inner()).collect();
    let tx_root = ordered_trie_root_with_encoder(&envelopes, |tx, buf| tx.encode_2718(buf));
    assert_eq!(tx_root, header.transactions_root, "block {number}: transactions root");

    let tag = format!("{:#x}", number.parse::<u64>().unwrap());
    let receipts = cast_json(cast, &["rpc", "--rpc-url", url, "eth_getBlockReceipts", &tag]);
    let receipts: Vec<op_alloy_rpc_types::OpTransactionReceipt> = serde_json::from_value(receipts).unwrap();
    assert_eq!(receipts.len(), envelopes.len(), "block {number}: one receipt per transaction");
    let envelopes: Vec<OpReceiptEnvelope> = receipts
        .into_iter()
        .map(|receipt| {
            let served = receipt.inner.inner;
            let consensus = served.receipt.map_logs(|log| log.inner);
            // The bloom is recomputed from the logs, not taken from the answer.
            let bloom = consensus.bloom();
            assert_eq!(bloom, served.logs_bloom, "block {number}: a receipt's bloom matches its logs");
            OpReceiptEnvelope::from(ReceiptWithBloom::new(consensus, bloom))
        })
        .collect();
    let receipts_root = ordered_trie_root_with_encoder(&envelopes, |receipt, buf| receipt.encode_2718(buf));
    assert_eq!(receipts_root, header.receipts_root, "block {number}: receipts root");
}

/// Checks an `eth_getProof` answer against the block's state root with alloy's trie proof verifier.
fn check_proof(proof: &EIP1186AccountProofResponse, state_root: B256) {
    let absent = proof.nonce == 0
        && proof.balance.is_zero()
        && (proof.code_hash == KECCAK_EMPTY || proof.code_hash.is_zero());
    let account = TrieAccount {
        nonce: proof.nonce,
        balance: proof.balance,
        storage_root: proof.storage_hash,
        code_hash: proof.code_hash,
    };
    verify_proof(
        state_root,
        Nibbles::unpack(keccak256(proof.address)),
        (!absent).then(|| alloy_rlp::encode(account)),
        &proof.account_proof,
    )
    .unwrap_or_else(|err| panic!("account proof of {} does not verify: {err}", proof.address));
    for slot in &proof.storage_proof {
        let key = keccak256(slot.key.as_b256());
        let value = (!slot.value.is_zero()).then(|| alloy_rlp::encode(slot.value));
        verify_proof(proof.storage_hash, Nibbles::unpack(key), value, &slot.proof)
            .unwrap_or_else(|err| panic!("storage proof of slot {:?} does not verify: {err}", slot.key));
    }
}

/// The served `size` of a block against the length of its RLP encoding as geth counts it (header,
/// transactions, uncles, and the withdrawals list once the header commits to one), rebuilt from the served
/// fields.
fn check_block_size(cast: &Cast, url: &str, number: u64) {
    let block = cast_json(cast, &["block", "--rpc-url", url, &number.to_string(), "--full", "--json"]);
    let header: Header = serde_json::from_value(block.clone()).unwrap();
    let txs: Vec<op_alloy_rpc_types::Transaction> =
        serde_json::from_value(block["transactions"].clone()).unwrap();
    let body = BlockBody {
        transactions: txs.into_iter().map(|tx| tx.inner.inner.into_inner()).collect::<Vec<_>>(),
        ommers: Vec::new(),
        withdrawals: header.withdrawals_root.map(|_| Withdrawals::default()),
    };
    let length = alloy_rlp::Encodable::length(&Block { header, body });
    let served = block.get("size").unwrap_or_else(|| panic!("{url}: block {number} has no `size`: {block}"));
    assert_eq!(hex_u64(served), length as u64, "{url}: block {number}'s size is its RLP length");
}

#[test]
fn blocks_report_their_size_like_geth() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&[]);
    let url = node.url();
    let deploy = send(&cast, &url, KEY0, &["--create", counter_bytecode()]);
    let transfer = send(&cast, &url, KEY1, &[SINK_A, "--value", "1"]);
    check_block_size(&cast, &url, hex_u64(&deploy["blockNumber"]));
    check_block_size(&cast, &url, hex_u64(&transfer["blockNumber"]));
}

#[test]
fn served_hashes_roots_and_proofs_are_recomputed_independently() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&[]);
    let anvil = spawn_anvil();
    for url in [node.url(), anvil.url()] {
        let url = url.as_str();
        let deploy = send(&cast, url, KEY0, &["--create", counter_bytecode()]);
        let counter = deploy["contractAddress"].as_str().unwrap().to_string();
        let bump = send(&cast, url, KEY1, &[&counter, "bump(uint256)", "3"]);
        let transfer = send(&cast, url, KEY2, &["--legacy", SINK_A, "--value", "1ether"]);
        let head = hex_u64(&transfer["blockNumber"]);
        for number in 0..=head {
            check_block_commitments(&cast, url, number);
        }

        let block = cast_json(&cast, &["block", "--rpc-url", url, "latest", "--json"]);
        let state_root: B256 = serde_json::from_value(block["stateRoot"].clone()).unwrap();
        let credit_slot = cast_ok(&cast, &["index", "address", ADDR1, "1"]);
        for (address, slots) in [
            (counter.as_str(), vec!["0", credit_slot.as_str(), "7"]),
            (ADDR1, vec![]),
            (SINK_A, vec![]),
            ("0x00000000000000000000000000000000000c0de5", vec!["1"]),
        ] {
            let mut args = vec!["proof", "--rpc-url", url, "--block", "latest", address];
            args.extend(slots);
            let proof: EIP1186AccountProofResponse = serde_json::from_value(cast_json(&cast, &args)).unwrap();
            check_proof(&proof, state_root);
        }
        let proof: EIP1186AccountProofResponse =
            serde_json::from_value(cast_json(&cast, &["proof", "--rpc-url", url, &counter, "0"])).unwrap();
        assert_eq!(proof.storage_proof[0].value, U256::from(3), "the proof carries count = 3");
        let sender: Address = ADDR1.parse().unwrap();
        assert_eq!(bump["from"].as_str().unwrap().parse::<Address>().unwrap(), sender);
    }
}

/// Subscribes to the Counter's logs and to new heads over WebSocket, sends two bumps, and returns what arrived.
fn subscription_session(cast: &Cast, http: &str, ws: &str) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let deploy = send(cast, http, KEY0, &["--create", counter_bytecode()]);
    let counter = deploy["contractAddress"].as_str().unwrap().to_string();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let client = WsClientBuilder::default().build(ws).await.unwrap();
        let mut logs: Subscription<Value> = client
            .subscribe("eth_subscribe", rpc_params!["logs", json!({"address": counter})], "eth_unsubscribe")
            .await
            .unwrap();
        let mut heads: Subscription<Value> =
            client.subscribe("eth_subscribe", rpc_params!["newHeads"], "eth_unsubscribe").await.unwrap();
        let (cast, http, counter) = (cast.clone(), http.to_string(), counter.clone());
        let receipts = tokio::task::spawn_blocking(move || {
            [("11", KEY1), ("13", KEY2)]
                .into_iter()
                .map(|(amount, key)| send(&cast, &http, key, &[&counter, "bump(uint256)", amount]))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();
        let mut got_logs = Vec::new();
        let mut got_heads = Vec::new();
        tokio::time::timeout(Duration::from_secs(30), async {
            while got_logs.len() < 2 {
                got_logs.push(logs.next().await.unwrap().unwrap());
            }
            while got_heads.len() < 2 {
                got_heads.push(heads.next().await.unwrap().unwrap());
            }
        })
        .await
        .unwrap_or_else(|_| {
            panic!("subscriptions delivered {} logs, {} heads", got_logs.len(), got_heads.len())
        });
        (got_logs, got_heads, receipts)
    })
}

#[test]
fn websocket_subscriptions_stream_logs_and_heads() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&[]);
    let anvil = spawn_anvil();
    let mut facts = Vec::new();
    for (http, ws) in [(node.url(), node.ws_url()), (anvil.url(), anvil.ws_url())] {
        let (logs, heads, receipts) = subscription_session(&cast, &http, &ws);
        for (log, receipt) in logs.iter().zip(&receipts) {
            assert_eq!(log["transactionHash"], receipt["transactionHash"], "{http}: logs arrive in order");
            assert_eq!(log["blockHash"], receipt["blockHash"]);
            assert_eq!(log, &receipt["logs"][0], "{http}: the streamed log is the receipt's log");
        }
        for (head, receipt) in heads.iter().zip(&receipts) {
            assert_eq!(head["hash"], receipt["blockHash"], "{http}: one new head per mined block");
            let header: Header = serde_json::from_value(head.clone()).unwrap();
            assert_eq!(
                json!(header.hash_slow()),
                head["hash"],
                "{http}: the streamed head hashes to its hash"
            );
        }
        facts.push(logs.iter().map(|l| json!([l["address"], l["topics"], l["data"]])).collect::<Vec<_>>());
    }
    assert_eq!(facts[0], facts[1], "superlink and anvil stream the same logs");
}

/// POSTs `body` over plain HTTP/1.1; the status code and the body.
fn post(url: &str, body: &[u8]) -> (u16, String) {
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer and close before reading an oversized body; that is its right.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// Calls `method` with raw JSON `params`; the `error` object (code, message), or `None` with a result.
fn rpc_error(url: &str, method: &str, params: Value) -> Option<(i64, String)> {
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).to_string();
    let (status, text) = post(url, body.as_bytes());
    assert_eq!(status, 200, "{method}: HTTP status, body {text}");
    let answer: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method}: not JSON ({e}): {text}"));
    assert_eq!(answer["id"], 7, "{method}: the answer carries the request id: {answer}");
    let error = answer.get("error")?;
    Some((error["code"].as_i64().unwrap(), error["message"].as_str().unwrap().to_string()))
}

/// Signs a legacy transfer offline with cast; the raw bytes.
fn sign_transfer(cast: &Cast, url: &str, key: &str, chain: &str, nonce: &str, value: &str) -> String {
    cast_ok(
        cast,
        &[
            "mktx",
            "--rpc-url",
            url,
            "--private-key",
            key,
            "--legacy",
            "--chain",
            chain,
            "--nonce",
            nonce,
            "--gas-limit",
            "21000",
            "--gas-price",
            "10gwei",
            SINK_A,
            "--value",
            value,
        ],
    )
}

#[test]
fn malformed_requests_get_geth_errors_and_the_node_keeps_serving() {
    let cast = Cast::new().unwrap();
    let mut node = Node::start(&[]);
    let url = node.url();
    send(&cast, &url, KEY0, &[SINK_A, "--value", "1"]);
    send(&cast, &url, KEY0, &[SINK_A, "--value", "1"]);

    let mut failures = Vec::new();
    let mut expect =
        |what: &str, got: Option<(i64, String)>, code: i64, says: &dyn Fn(&str) -> bool| match got {
            Some((got_code, message)) if got_code == code && says(&message) => {}
            other => failures.push(format!("{what}: expected code {code}, got {other:?}")),
        };

    // Undecodable typed transactions: geth answers -32000 with the RLP decoder's complaint.
    for raw in ["0x02c0", "0x02f8", "0x01c180", "0x04"] {
        let got = rpc_error(&url, "eth_sendRawTransaction", json!([raw]));
        expect(&format!("bad RLP {raw}"), got, -32000, &|m| m.to_lowercase().contains("rlp"));
    }
    let got = rpc_error(&url, "eth_sendRawTransaction", json!(["0x"]));
    expect("empty raw transaction", got, -32000, &|m| m.contains("empty") || m.contains("too short"));

    // Signed for another chain.
    let raw = sign_transfer(&cast, &url, KEY1, "1", "0", "1");
    let got = rpc_error(&url, "eth_sendRawTransaction", json!([raw]));
    expect("wrong chain id", got, -32000, &|m| m.contains("invalid chain id"));
    // A nonce already used.
    let raw = sign_transfer(&cast, &url, KEY0, "901", "0", "1");
    let got = rpc_error(&url, "eth_sendRawTransaction", json!([raw]));
    expect("nonce too low", got, -32000, &|m| m.starts_with("nonce too low"));
    // Less gas than a transfer needs.
    let raw = cast_ok(
        &cast,
        &[
            "mktx",
            "--rpc-url",
            &url,
            "--private-key",
            KEY1,
            "--legacy",
            "--chain",
            "901",
            "--nonce",
            "0",
            "--gas-limit",
            "20000",
            "--gas-price",
            "10gwei",
            SINK_A,
            "--value",
            "1",
        ],
    );
    let got = rpc_error(&url, "eth_sendRawTransaction", json!([raw]));
    expect("intrinsic gas too low", got, -32000, &|m| m.starts_with("intrinsic gas too low"));
    // State of a block that does not exist.
    let got = rpc_error(&url, "eth_getBalance", json!([ADDR0, "0xffffff"]));
    expect("unknown block", got, -32000, &|m| m == "header not found");
    // More value than the balance.
    let raw = sign_transfer(&cast, &url, KEY1, "901", "0", "20000ether");
    let got = rpc_error(&url, "eth_sendRawTransaction", json!([raw]));
    expect("insufficient funds", got, -32000, &|m| {
        m.starts_with("insufficient funds for gas * price + value")
    });

    // Protocol-level mistakes.
    let got = rpc_error(&url, "eth_noSuchMethod", json!([]));
    expect("unknown method", got, -32601, &|_| true);
    let got = rpc_error(&url, "eth_getBalance", json!(["0x1234", "latest"]));
    expect("bad address", got, -32602, &|_| true);
    let got = rpc_error(&url, "eth_getBlockByNumber", json!([{"no": "block"}, false]));
    expect("bad block tag", got, -32602, &|_| true);
    let got = rpc_error(&url, "eth_getTransactionCount", json!([]));
    expect("missing params", got, -32602, &|_| true);
    let (status, text) = post(&url, br#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":["#);
    let parse_code = serde_json::from_str::<Value>(&text).ok().and_then(|v| v["error"]["code"].as_i64());
    if (status, parse_code) != (200, Some(-32700)) {
        failures.push(format!("truncated JSON: expected -32700, got HTTP {status} {text}"));
    }

    // An oversized body is refused with HTTP 413 (geth: "content length too large").
    let huge = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction",
        "params": [format!("0x{}", "00".repeat(6 * 1024 * 1024))]})
    .to_string();
    let (status, _) = post(&url, huge.as_bytes());
    if status != 413 {
        failures.push(format!("oversized request: expected HTTP 413, got {status}"));
    }

    // Still serving, nothing mined from the refused transactions, and nothing panicked.
    assert!(node.is_running(), "the node is still running");
    assert_eq!(cast_ok(&cast, &["block-number", "--rpc-url", &url]), "2");
    assert_eq!(cast_ok(&cast, &["nonce", "--rpc-url", &url, ADDR1]), "0");
    send(&cast, &url, KEY1, &[SINK_A, "--value", "1"]);
    let (status, _, stderr) = node.stop_with("TERM");
    assert!(status.success());
    assert!(!stderr.contains("panicked"), "the node panicked:\n{stderr}");
    assert!(failures.is_empty(), "errors unlike geth's:\n{}", failures.join("\n"));
}

#[test]
fn undecodable_legacy_bytes_are_reported_as_rlp_errors() {
    let node = Node::start(&[]);
    // 0xde opens a 30-byte RLP list of which 3 bytes follow; 0xc0 is a list with none of a transaction's fields.
    // geth: -32000 `rlp: value size exceeds available input length` / `rlp: too few elements for types.LegacyTx`.
    for raw in ["0xdeadbeef", "0xc0"] {
        let (code, message) = rpc_error(&node.url(), "eth_sendRawTransaction", json!([raw])).unwrap();
        assert_eq!(code, -32000, "{raw}: {message}");
        assert!(
            message.to_lowercase().contains("rlp"),
            "{raw}: the message names the RLP problem: {message}"
        );
    }
}

#[test]
fn sigint_and_sigterm_stop_the_node_with_exit_zero() {
    let cast = Cast::new().unwrap();
    for signal in ["INT", "TERM"] {
        let node = Node::start(&[]);
        send(&cast, &node.url(), KEY0, &[SINK_A, "--value", "1"]);
        let url = node.url();
        let (status, stdout, stderr) = node.stop_with(signal);
        assert_eq!(status.code(), Some(0), "SIG{signal}: exit status; stderr:\n{stderr}");
        assert!(
            stdout.contains(ADDR0) && stdout.contains(KEY0),
            "the banner lists the dev accounts:\n{stdout}"
        );
        assert!(!stderr.contains("panicked"), "SIG{signal}:\n{stderr}");
        assert!(!wait_for_rpc(&url, Duration::from_millis(300)), "SIG{signal}: the port no longer answers");
    }
}

/// With an interval, sends one transfer and reads the pending state: the pending nonce and the pending block.
fn pending_session(cast: &Cast, url: &str) -> (String, Value, Value) {
    let hash =
        cast_ok(cast, &["send", "--async", "--rpc-url", url, "--private-key", KEY0, SINK_A, "--value", "1"]);
    let tx = cast_json(cast, &["tx", "--rpc-url", url, &hash, "--json"]);
    assert_eq!(tx["blockNumber"], Value::Null, "the transfer waits for the next block");
    let latest = cast_ok(cast, &["block-number", "--rpc-url", url]).parse::<u64>().unwrap();
    let nonce = cast_ok(cast, &["nonce", "--rpc-url", url, "--block", "pending", ADDR0]);
    let pending = cast_json(cast, &["block", "--rpc-url", url, "pending", "--json"]);
    let balance = |block: &str| cast_ok(cast, &["balance", "--rpc-url", url, "--block", block, SINK_A]);
    let facts = json!({
        "number": pending["number"],
        "transactions": pending["transactions"],
        "balances": [balance("latest"), balance("pending")],
    });
    (nonce, facts, json!({"latest": latest, "hash": hash}))
}

#[test]
fn pending_block_holds_the_waiting_transactions() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&["--block-time", "3600"]);
    let anvil = Anvil::spawn(901, &["--hardfork", "prague", "--block-time", "3600"]).unwrap();
    let ours = pending_session(&cast, &node.url());
    let theirs = pending_session(&cast, &anvil.url());
    assert_eq!(ours.0, "1", "the pending nonce counts the waiting transfer");
    // geth (and anvil) build the pending block on the latest one, with the waiting transactions in it.
    let latest = ours.2["latest"].as_u64().unwrap();
    assert_eq!(ours.1["number"], format!("{:#x}", latest + 1), "pending block number: {}", ours.1);
    assert_eq!(ours.1["transactions"].as_array().unwrap().last().unwrap(), &ours.2["hash"]);
    assert_eq!(ours.1["balances"], json!(["0", "1"]), "state at pending includes the waiting transfer");
    assert_eq!(
        (ours.0, ours.1["number"].clone(), ours.1["balances"].clone()),
        (theirs.0, theirs.1["number"].clone(), theirs.1["balances"].clone())
    );
}

/// One pooled transaction as `txpool_content` lists it: "<pool> <sender>", nonce, hash.
type PoolEntry = (String, String, String);

/// With an interval, leaves one executable transfer and one with a nonce gap in the pool, then reads the
/// `txpool_` methods: status, inspect, and content as entries; and the hashes `cast send` printed.
fn txpool_session(cast: &Cast, url: &str) -> (Value, Value, Vec<PoolEntry>, Vec<String>) {
    let mut hashes = Vec::new();
    for (nonce, to, value) in [("0", SINK_A, "7"), ("2", SINK_B, "9")] {
        let args = [
            "send",
            "--async",
            "--rpc-url",
            url,
            "--private-key",
            KEY1,
            "--nonce",
            nonce,
            "--gas-limit",
            "21000",
            "--gas-price",
            "3gwei",
            "--priority-gas-price",
            "1",
            to,
            "--value",
            value,
        ];
        hashes.push(cast_ok(cast, &args));
    }
    let status = cast_json(cast, &["rpc", "--rpc-url", url, "txpool_status"]);
    let mut inspect = cast_json(cast, &["rpc", "--rpc-url", url, "txpool_inspect"]);
    // anvil writes addresses in lower case, geth checksummed: compare them in lower case.
    inspect = serde_json::from_str(&inspect.to_string().to_lowercase()).unwrap();
    let content = cast_json(cast, &["rpc", "--rpc-url", url, "txpool_content"]);
    let mut entries = Vec::new();
    for pool in ["pending", "queued"] {
        for (sender, by_nonce) in content[pool].as_object().unwrap() {
            for (nonce, tx) in by_nonce.as_object().unwrap() {
                assert_eq!(tx["nonce"], format!("{:#x}", nonce.parse::<u64>().unwrap()), "{pool} {tx}");
                assert_eq!(tx["blockHash"], Value::Null);
                let hash = tx["hash"].as_str().unwrap().to_string();
                entries.push((format!("{pool} {}", sender.to_lowercase()), nonce.clone(), hash));
            }
        }
    }
    (status, inspect, entries, hashes)
}

#[test]
fn txpool_methods_show_pending_and_queued_transactions_as_anvil_does() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&["--block-time", "3600"]);
    let anvil = Anvil::spawn(901, &["--hardfork", "prague", "--block-time", "3600"]).unwrap();
    let (status, inspect, entries, hashes) = txpool_session(&cast, &node.url());
    assert_eq!(status, json!({"pending": "0x1", "queued": "0x1"}));
    let sender = ADDR1.to_lowercase();
    assert_eq!(
        entries,
        vec![
            (format!("pending {sender}"), "0".to_string(), hashes[0].clone()),
            (format!("queued {sender}"), "2".to_string(), hashes[1].clone()),
        ]
    );
    let summary =
        |to: &str, value: &str| format!("{}: {value} wei + 21000 gas × 3000000000 wei", to.to_lowercase());
    assert_eq!(inspect["pending"][&sender]["0"], summary(SINK_A, "7"));
    assert_eq!(inspect["queued"][&sender]["2"], summary(SINK_B, "9"));
    let (their_status, their_inspect, their_entries, _) = txpool_session(&cast, &anvil.url());
    assert_eq!((status, inspect), (their_status, their_inspect));
    let positions = |entries: &[PoolEntry]| {
        entries.iter().map(|(pool, nonce, _)| (pool.clone(), nonce.clone())).collect::<Vec<_>>()
    };
    assert_eq!(positions(&entries), positions(&their_entries));
}

/// EIP-712 typed data: a mail from the EIP's own example, with nested structs.
const TYPED_MAIL: &str = r#"{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],"Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],"Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},"primaryType":"Mail","domain":{"name":"Ether Mail","version":"1","chainId":901,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},"message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},"to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}}"#;

#[test]
fn dev_accounts_sign_messages_and_typed_data_as_cast_does() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&[]);
    let url = node.url();
    // cast signs locally with the same key; ECDSA signatures here are deterministic (RFC 6979).
    let typed = cast_ok(&cast, &["rpc", "--rpc-url", &url, "eth_signTypedData_v4", ADDR0, TYPED_MAIL]);
    let expected = cast_ok(&cast, &["wallet", "sign", "--private-key", KEY0, "--data", TYPED_MAIL]);
    assert_eq!(typed.trim_matches('"'), expected);
    // Wallets also send the typed data as a JSON string.
    let quoted = serde_json::to_string(TYPED_MAIL).unwrap();
    let typed = cast_ok(&cast, &["rpc", "--rpc-url", &url, "eth_signTypedData_v4", ADDR0, &quoted]);
    assert_eq!(typed.trim_matches('"'), expected);
    let verified = cast.run(["wallet", "verify", "--address", ADDR0, "--data", TYPED_MAIL, &expected]);
    assert!(verified.is_ok(), "cast verifies the typed-data signature: {verified:?}");

    let message = "0x68656c6c6f2073757065726c696e6b";
    let expected = cast_ok(&cast, &["wallet", "sign", "--private-key", KEY0, message]);
    let personal = cast_ok(&cast, &["rpc", "--rpc-url", &url, "personal_sign", message, ADDR0]);
    let eth = cast_ok(&cast, &["rpc", "--rpc-url", &url, "eth_sign", ADDR0, message]);
    assert_eq!((personal.trim_matches('"'), eth.trim_matches('"')), (expected.as_str(), expected.as_str()));
    let stranger = "0x000000000000000000000000000000000000bEEF";
    let err = cast.run(["rpc", "--rpc-url", &url, "eth_signTypedData_v4", stranger, TYPED_MAIL]);
    assert!(err.is_err(), "an account without a key cannot sign");
}

#[test]
fn options_set_the_chain_id_the_accounts_and_the_block_interval() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&["--chain-id", "4242", "--accounts", "3", "--block-time", "1"]);
    let url = node.url();
    assert_eq!(cast_ok(&cast, &["chain-id", "--rpc-url", &url]), "4242");
    let accounts = cast_json(&cast, &["rpc", "--rpc-url", &url, "eth_accounts"]);
    let accounts: Vec<String> =
        accounts.as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_lowercase()).collect();
    assert_eq!(accounts, [ADDR0, ADDR1, ADDR2].map(str::to_lowercase));
    let balance = cast_ok(&cast, &["balance", "--rpc-url", &url, ADDR2]);
    assert_eq!(balance, format!("10000{}", "0".repeat(18)), "dev accounts hold 10000 ETH");
    // With an interval, blocks come without transactions, and a transfer is mined by the next one.
    let head = || cast_ok(&cast, &["block-number", "--rpc-url", &url]).parse::<u64>().unwrap();
    let start = head();
    let deadline = Instant::now() + Duration::from_secs(30);
    while head() < start + 2 {
        assert!(Instant::now() < deadline, "no blocks mined on a 1 s interval");
        thread::sleep(Duration::from_millis(200));
    }
    let receipt = send(&cast, &url, KEY0, &[SINK_B, "--value", "1gwei"]);
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(cast_ok(&cast, &["balance", "--rpc-url", &url, SINK_B]), "1000000000");
}

#[test]
fn blocks_dropped_by_a_snapshot_revert_are_still_served_by_hash() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&[]);
    let url = node.url();
    let snapshot = cast_json(&cast, &["rpc", "--rpc-url", &url, "evm_snapshot"]);
    let receipt = send(&cast, &url, KEY0, &[SINK_A, "--value", "3"]);
    let (hash, tx) = (receipt["blockHash"].as_str().unwrap(), receipt["transactionHash"].as_str().unwrap());
    let number = hex_u64(&receipt["blockNumber"]);
    let reverted = cast_json(&cast, &["rpc", "--rpc-url", &url, "evm_revert", snapshot.as_str().unwrap()]);
    assert_eq!(reverted, json!(true));
    let canonical = cast_json(
        &cast,
        &["rpc", "--rpc-url", &url, "eth_getBlockByNumber", &format!("{number:#x}"), "false"],
    );
    assert_eq!(canonical, Value::Null, "the block left the canonical chain");
    let block = cast_json(&cast, &["rpc", "--rpc-url", &url, "eth_getBlockByHash", hash, "false"]);
    assert_eq!((block["hash"].as_str(), hex_u64(&block["number"])), (Some(hash), number));
    assert_eq!(block["transactions"].as_array().unwrap().last().unwrap(), tx);
    // The served header hashes to the hash it is served under.
    let header: alloy_rpc_types_eth::Header = serde_json::from_value(block.clone()).unwrap();
    assert_eq!(format!("{:#x}", header.inner.hash_slow()), hash);
    let found = cast_json(&cast, &["rpc", "--rpc-url", &url, "eth_getTransactionByHash", tx]);
    assert_eq!(found["blockHash"], hash);
    assert_eq!(cast_ok(&cast, &["balance", "--rpc-url", &url, SINK_A]), "0", "the transfer was undone");
}

/// Estimates gas for a call that reverts until a far-off time, without and with a block-time override.
fn timelock_estimates(cast: &Cast, url: &str) -> (Result<String, String>, String) {
    let timelock = "0xc2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2";
    // TIMESTAMP PUSH4 0x7fffffff LT PUSH1 13 JUMPI PUSH0 PUSH0 REVERT JUMPDEST STOP
    cast_ok(cast, &["rpc", "--rpc-url", url, "anvil_setCode", timelock, "0x42637fffffff10600d575f5ffd5b00"]);
    let request = json!({"from": ADDR0, "to": timelock}).to_string();
    let now =
        cast.run(["rpc", "--rpc-url", url, "eth_estimateGas", &request, "latest"]).map_err(|e| e.to_string());
    let later = json!({"time": "0x80000000"}).to_string();
    let overridden =
        cast_ok(cast, &["rpc", "--rpc-url", url, "eth_estimateGas", &request, "latest", "{}", &later]);
    (now, overridden)
}

#[test]
fn gas_estimates_take_block_overrides_as_anvil_does() {
    let cast = Cast::new().unwrap();
    let node = Node::start(&[]);
    let anvil = spawn_anvil();
    let (now, overridden) = timelock_estimates(&cast, &node.url());
    let err = now.unwrap_err();
    assert!(err.contains("execution reverted"), "{err}");
    let gas = u64::from_str_radix(overridden.trim_matches('"').trim_start_matches("0x"), 16).unwrap();
    assert!(gas > 21_000, "intrinsic gas plus the check: {gas}");
    let (their_now, their_overridden) = timelock_estimates(&cast, &anvil.url());
    assert!(their_now.is_err());
    assert_eq!(overridden, their_overridden);
}
