//! Black-box tests of L1 → L2 deposits in `superlink devnet`: cast sends ETH and `depositTransaction` calls to an
//! L1 deposit portal, and the L2 executes them as deposit transactions (type 0x7e) whose source hash the test
//! recomputes from the L1 receipt by the deposits spec.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use alloy_primitives::{Address, B256, U256, keccak256};
use serde_json::Value;
use superlink_testkit::free_port;

/// `TestSuperchainERC20`, which anyone may `mint`.
const TOKEN: &str = "0x5111000000000000000000000000000000000002";
/// An account that holds nothing anywhere until a deposit reaches it.
const RECIPIENT: &str = "0x00000000000000000000000000000000000d3e70";
/// What the L1 → L2 alias adds to a contract's address (deposits spec, "Address Aliasing").
const ALIAS_OFFSET: &str = "0x1111000000000000000000000000000000001111";

#[path = "support/devnet.rs"]
mod devnet;

use devnet::{Devnet, KEY_1, KEY_2, address_of, free_ports, json, ok};

/// Two L2s, one-second L2 blocks, L1 blocks every `l1_block_time` seconds, no autorelayer.
fn start(l1_block_time: u64) -> Devnet {
    Devnet::start(&["--no-autorelay", "--l1-block-time", &l1_block_time.to_string()])
}

fn balance(address: &str, url: &str) -> U256 {
    ok(&["balance", address, "--rpc-url", url]).parse().unwrap()
}

fn hex_u256(v: &Value) -> U256 {
    v.as_str().unwrap().parse().unwrap()
}

/// `cast send --json` from `key` on the L1; fails unless the transaction succeeded.
fn send_l1(devnet: &Devnet, key: &str, args: &[&str]) -> Value {
    let l1 = devnet.l1();
    let mut all = vec!["send", "--json", "--private-key", key, "--rpc-url", &l1];
    all.extend_from_slice(args);
    let receipt = json(&all);
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    receipt
}

/// The user-deposit source hash of the spec: `keccak256(bytes32(0) ++ keccak256(l1BlockHash ++
/// bytes32(l1LogIndex)))`.
fn source_hash(l1_block_hash: B256, l1_log_index: U256) -> B256 {
    let mut inner = l1_block_hash.to_vec();
    inner.extend_from_slice(&l1_log_index.to_be_bytes::<32>());
    let mut outer = B256::ZERO.to_vec();
    outer.extend_from_slice(keccak256(&inner).as_slice());
    keccak256(&outer)
}

/// The source hash of the deposit the portal log of `receipt` (an L1 receipt) becomes.
fn expected_source_hash(receipt: &Value, portal: &str) -> B256 {
    let logs = receipt["logs"].as_array().unwrap();
    let log = logs
        .iter()
        .find(|l| l["address"].as_str().unwrap().eq_ignore_ascii_case(portal))
        .unwrap_or_else(|| panic!("the portal logged the deposit: {receipt}"));
    let block_hash: B256 = receipt["blockHash"].as_str().unwrap().parse().unwrap();
    source_hash(block_hash, hex_u256(&log["logIndex"]))
}

/// Finds, in the recent blocks of the L2 at `url`, the transaction with `source_hash`; returns it and its block.
fn find_deposit(devnet: &Devnet, url: &str, source_hash: B256) -> (Value, Value) {
    devnet.wait_for("the deposit is included on the L2", || {
        let head: u64 = ok(&["block-number", "--rpc-url", url]).parse().unwrap();
        for number in (head.saturating_sub(30)..=head).rev() {
            let block =
                json(&["rpc", "eth_getBlockByNumber", &format!("{number:#x}"), "true", "--rpc-url", url]);
            let found = block["transactions"].as_array().unwrap().iter().find(|tx| {
                tx["sourceHash"].as_str().is_some_and(|h| h.parse::<B256>().unwrap() == source_hash)
            });
            if let Some(tx) = found {
                return Some((tx.clone(), block.clone()));
            }
        }
        None
    })
}

/// Asserts `tx` is a user deposit at index 1 of its block (right after the L1 attributes deposit) with `from`,
/// `to` and `mint`, and that it succeeded.
fn assert_user_deposit(tx: &Value, block: &Value, url: &str, from: &str, to: &str, mint: U256) {
    assert_eq!(tx["type"], "0x7e", "{tx}");
    assert_eq!(tx["transactionIndex"], "0x1", "deposits follow the L1 attributes: {block}");
    let first = &block["transactions"][0];
    assert_eq!(first["type"], "0x7e");
    assert!(
        first["from"].as_str().unwrap().eq_ignore_ascii_case("0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001")
    );
    assert!(tx["from"].as_str().unwrap().eq_ignore_ascii_case(from), "{tx}");
    assert!(tx["to"].as_str().unwrap().eq_ignore_ascii_case(to), "{tx}");
    assert_eq!(hex_u256(&tx["mint"]), mint, "{tx}");
    let receipt = json(&["rpc", "eth_getTransactionReceipt", tx["hash"].as_str().unwrap(), "--rpc-url", url]);
    assert_eq!(receipt["status"], "0x1", "{receipt}");
}

#[test]
fn eth_sent_to_a_portal_arrives_on_its_l2_only_and_stays_locked_in_the_portal() {
    let devnet = start(2);
    let (l1, u901, u902) = (devnet.l1(), devnet.l2(901), devnet.l2(902));
    let (portal, other_portal) = (devnet.portal(901), devnet.portal(902));
    assert_ne!(portal, other_portal);
    for p in [&portal, &other_portal] {
        assert_ne!(ok(&["code", p, "--rpc-url", &l1]), "0x", "portal {p} has code on the L1");
    }
    let sender = address_of(KEY_1);
    let (before_901, before_902) = (balance(&sender, &u901), balance(&sender, &u902));
    let amount = U256::from(1_500_000_000_000_000_000u128);

    let receipt = send_l1(&devnet, KEY_1, &["--value", &amount.to_string(), &portal]);
    let (tx, block) = find_deposit(&devnet, &u901, expected_source_hash(&receipt, &portal));
    // `receive()` deposits the value to the sender itself: minted to it and sent to it.
    assert_user_deposit(&tx, &block, &u901, &sender, &sender, amount);
    assert_eq!(hex_u256(&tx["value"]), amount);
    // Deposits pay no L2 gas: the balance grows by exactly the amount.
    assert_eq!(balance(&sender, &u901), before_901 + amount);
    assert_eq!(balance(&sender, &u902), before_902, "the other L2 gets nothing");
    assert_eq!(balance(&portal, &l1), amount, "the portal holds the ETH on the L1");
    assert_eq!(balance(&other_portal, &l1), U256::ZERO);
    assert!(devnet.log().contains("deposit queued"), "{}", devnet.log());
}

#[test]
fn deposit_transaction_calls_an_l2_contract_and_sends_value_and_a_contract_deposits_from_its_alias() {
    let devnet = start(2);
    let (l1, u902) = (devnet.l1(), devnet.l2(902));
    let portal = devnet.portal(902);
    let sender = address_of(KEY_2);
    let sender_before = balance(&sender, &u902);
    let tokens = || -> U256 {
        ok(&["call", TOKEN, "balanceOf(address)(uint256)", RECIPIENT, "--rpc-url", &u902]).parse().unwrap()
    };
    let tokens_before = tokens();

    // A call of the token's mint, paid with 0.25 ETH minted to the sender on the L2.
    let mint_call = ok(&["calldata", "mint(address,uint256)", RECIPIENT, "1000"]);
    let signature = "depositTransaction(address,uint256,uint64,bool,bytes)";
    let minted = U256::from(250_000_000_000_000_000u128);
    let receipt = send_l1(
        &devnet,
        KEY_2,
        &["--value", &minted.to_string(), &portal, signature, TOKEN, "0", "200000", "false", &mint_call],
    );
    let (tx, block) = find_deposit(&devnet, &u902, expected_source_hash(&receipt, &portal));
    assert_user_deposit(&tx, &block, &u902, &sender, TOKEN, minted);
    assert_eq!(tx["input"].as_str().unwrap(), mint_call);
    assert_eq!(tokens(), tokens_before + U256::from(1000));
    assert_eq!(balance(&sender, &u902), sender_before + minted);

    // Value sent along to an account: the recipient gets exactly it, the sender's L2 balance is unchanged.
    let sent = U256::from(100_000_000_000_000_000u128);
    let receipt = send_l1(
        &devnet,
        KEY_2,
        &[
            "--value",
            &sent.to_string(),
            &portal,
            signature,
            RECIPIENT,
            &sent.to_string(),
            "21000",
            "false",
            "0x",
        ],
    );
    let (tx, _) = find_deposit(&devnet, &u902, expected_source_hash(&receipt, &portal));
    assert_eq!(hex_u256(&tx["value"]), sent);
    assert_eq!(balance(RECIPIENT, &u902), sent);
    assert_eq!(balance(&sender, &u902), sender_before + minted);
    assert_eq!(balance(&portal, &l1), minted + sent);

    // A contract whose constructor sends its value to the portal deposits from its L1 → L2 alias.
    let portal_address: Address = portal.parse().unwrap();
    let mut init_code = vec![0x5f, 0x5f, 0x5f, 0x5f, 0x34, 0x73]; // retSize retOffset argsSize argsOffset value
    init_code.extend_from_slice(portal_address.as_slice());
    init_code.extend_from_slice(&[0x5a, 0xf1, 0x15, 0x60, 0x21, 0x57, 0x00, 0x5b, 0x5f, 0x5f, 0xfd]); // CALL or revert
    assert_eq!(init_code[0x21], 0x5b);
    let value = U256::from(777_000_000_000u64);
    let receipt = send_l1(
        &devnet,
        KEY_2,
        &["--value", &value.to_string(), "--create", &alloy_primitives::hex::encode_prefixed(&init_code)],
    );
    let contract: Address = receipt["contractAddress"].as_str().unwrap().parse().unwrap();
    let offset: Address = ALIAS_OFFSET.parse().unwrap();
    let modulus = U256::from(1) << 160;
    let sum: U256 =
        (U256::from_be_slice(contract.as_slice()) + U256::from_be_slice(offset.as_slice())) % modulus;
    let aliased = Address::from_slice(&sum.to_be_bytes::<32>()[12..]);
    let (tx, block) = find_deposit(&devnet, &u902, expected_source_hash(&receipt, &portal));
    assert_user_deposit(&tx, &block, &u902, &aliased.to_string(), &contract.to_string(), value);
    // Minted to the alias, then sent on to the contract's own address.
    assert_eq!(hex_u256(&tx["value"]), value);
    assert_eq!(balance(&contract.to_string(), &u902), value, "the ETH goes to the contract's own address");
    assert_eq!(balance(&aliased.to_string(), &u902), U256::ZERO);
    assert_eq!(balance(&portal, &l1), minted + sent + value);
}

#[test]
fn a_deposit_in_an_l1_block_mined_by_hand_reaches_the_l2() {
    // The clock builds no L1 block during the test: only `evm_mine` does.
    let devnet = start(3600);
    let (l1, u901) = (devnet.l1(), devnet.l2(901));
    let portal = devnet.portal(901);
    let before = balance(RECIPIENT, &u901);
    let tx = ok(&[
        "send",
        "--async",
        "--private-key",
        KEY_2,
        "--rpc-url",
        &l1,
        "--value",
        "777",
        &portal,
        "depositTransaction(address,uint256,uint64,bool,bytes)",
        RECIPIENT,
        "777",
        "100000",
        "false",
        "0x",
    ]);
    ok(&["rpc", "evm_mine", "--rpc-url", &l1]);
    let receipt = json(&["receipt", tx.trim(), "--json", "--rpc-url", &l1]);
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    assert_eq!(receipt["blockNumber"], "0x1", "the hand-mined block holds the deposit: {receipt}");
    let (deposit, block) = find_deposit(&devnet, &u901, expected_source_hash(&receipt, &portal));
    assert_user_deposit(&deposit, &block, &u901, &address_of(KEY_2), RECIPIENT, U256::from(777));
    assert_eq!(balance(RECIPIENT, &u901), before + U256::from(777));
}

#[test]
fn the_banner_lists_the_portal_of_every_l2() {
    let (l1, l2, verifier, rollup) = (free_port(), free_ports(3), free_port(), free_ports(3));
    let mut child = Command::new(env!("CARGO_BIN_EXE_superlink"))
        .args(["devnet", "--l2-count", "3", "--l1-port", &l1.to_string()])
        .args(["--l2-starting-port", &l2.to_string(), "--verifier-port", &verifier.to_string()])
        .args(["--rollup-starting-port", &rollup.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("superlink devnet starts");
    let stdout = child.stdout.take().unwrap();
    let mut banner = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.starts_with("Mnemonic:");
        banner.push_str(&line);
        banner.push('\n');
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    for chain_id in [901u64, 902, 903] {
        // The scheme: 0xde905170, eight zero bytes, the chain ID as 8 big-endian bytes.
        let portal = format!("0xde905170{}{chain_id:016x}", "0".repeat(16));
        let line = banner
            .lines()
            .find(|l| l.to_lowercase().starts_with(&portal))
            .unwrap_or_else(|| panic!("no line for portal {portal} in:\n{banner}"));
        assert!(line.ends_with(&format!("chain {chain_id}")), "{line}");
    }
}
