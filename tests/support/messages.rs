//! Cross-chain messages driven with cast on any chains with the interop predeploys (a devnet's L2s, or
//! `superlink node`s): the example counter's messages, the `SentMessage` log a relay needs, relays built by
//! hand (genuine or forged), and what a chain's pool holds. The test crate must also declare
//! `mod devnet` (support/devnet.rs), whose cast helpers these use.

#![allow(dead_code)]

use std::process::Command;

use serde_json::Value;

use crate::devnet::{KEY_0, json, ok};

/// The example `CrossChainCounter`, at the same address on every chain.
pub const COUNTER: &str = "0x5111000000000000000000000000000000000001";
/// The `L2ToL2CrossDomainMessenger` predeploy.
pub const MESSENGER: &str = "0x4200000000000000000000000000000000000023";
/// The messenger's event for a delivered message.
pub const RELAYED_MESSAGE: &str = "RelayedMessage(uint256 indexed,uint256 indexed,bytes32 indexed,bytes32)";

/// Sends the example counter's `incrementRemote(902)` from dev account 0 on the chain at `url`; returns the
/// receipt as `cast send --json` prints it.
pub fn increment_remote(url: &str) -> Value {
    json(&[
        "send",
        "--json",
        "--private-key",
        KEY_0,
        COUNTER,
        "incrementRemote(uint256)",
        "902",
        "--rpc-url",
        url,
    ])
}

/// The example counter's count on the chain at `url`.
pub fn count(url: &str) -> u64 {
    ok(&["call", COUNTER, "count()(uint256)", "--rpc-url", url]).parse().unwrap()
}

/// The `RelayedMessage` logs of the messenger on the chain at `url`, as `cast logs --json` prints them.
pub fn relayed_messages(url: &str) -> Value {
    let out = ok(&[
        "logs",
        "--json",
        "--from-block",
        "0",
        "--address",
        MESSENGER,
        RELAYED_MESSAGE,
        "--rpc-url",
        url,
    ]);
    serde_json::from_str(&out).unwrap()
}

/// Runs the superlink binary under test with `args` (without a key from the environment); its output.
pub fn superlink(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_superlink"))
        .args(args)
        .env_remove("SUPERLINK_PRIVATE_KEY")
        .env_remove("SUPERLINK_CONTROL_URL")
        .output()
        .expect("the superlink binary runs")
}

/// The number of a quantity that may come as a JSON number or a hex string.
pub fn number(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap(),
        other => panic!("not a number: {other}"),
    }
}

/// `hex` with its last digit changed (a forged checksum or payload).
pub fn with_last_digit_changed(hex: &str) -> String {
    let (head, last) = hex.split_at(hex.len() - 1);
    format!("{head}{}", if last == "0" { "1" } else { "0" })
}

/// The messenger's `SentMessage` log of a send, with what a relay of it needs.
pub struct SentLog {
    /// The source block's number.
    pub block: String,
    /// The log's index in its block.
    pub log_index: String,
    /// The source block's timestamp.
    pub timestamp: String,
    /// The log's topics then its data, in hex.
    pub payload: String,
}

/// The `SentMessage` log in `receipt` (as `cast send --json` prints it) of a send on the chain at `url`.
pub fn sent_log(receipt: &Value, url: &str) -> SentLog {
    let log = receipt["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|log| log["address"].as_str().unwrap().eq_ignore_ascii_case(MESSENGER))
        .expect("a SentMessage log");
    let block = number(&log["blockNumber"]).to_string();
    let timestamp = ok(&["block", &block, "--field", "timestamp", "--rpc-url", url]);
    let mut payload = String::from("0x");
    for topic in log["topics"].as_array().unwrap() {
        payload.push_str(topic.as_str().unwrap().trim_start_matches("0x"));
    }
    payload.push_str(log["data"].as_str().unwrap().trim_start_matches("0x"));
    SentLog { block, log_index: number(&log["logIndex"]).to_string(), timestamp, payload }
}

/// The access list (JSON) and calldata of a relay from chain 901 of the message at `log` carrying `payload`,
/// built by hand as any client would: `superlink encode access-list` declares exactly that payload.
pub fn relay_call(log: &SentLog, payload: &str) -> (String, String) {
    let out = superlink(&[
        "encode",
        "access-list",
        "--json",
        "--chain-id",
        "901",
        "--origin",
        MESSENGER,
        "--block-number",
        &log.block,
        "--log-index",
        &log.log_index,
        "--timestamp",
        &log.timestamp,
        "--payload",
        payload,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let access_list = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let id = format!("({MESSENGER},{},{},{},901)", log.block, log.log_index, log.timestamp);
    let calldata =
        ok(&["calldata", "relayMessage((address,uint256,uint256,uint256,uint256),bytes)", &id, payload]);
    (access_list, calldata)
}

/// Whether the pool of the chain at `url` holds transaction `hash` (pending or queued), as `txpool_content` says.
pub fn pooled(url: &str, hash: &str) -> bool {
    ok(&["rpc", "txpool_content", "--rpc-url", url]).to_lowercase().contains(&hash.to_lowercase())
}
