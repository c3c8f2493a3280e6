//! Black-box tests of `superlink encode`: the binary is run as a user runs it, its answers are checked against
//! the public vectors of the interop specification and against an independent implementation (`cast`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use superlink_testkit::{Anvil, Cast};

fn superlink(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_superlink")).args(args).output().expect("the superlink binary runs")
}

fn stdout_of(args: &[&str]) -> String {
    let out = superlink(args);
    assert!(out.status.success(), "superlink {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output").trim().to_string()
}

/// Asserts a usage error: exit status 2, a one-line message naming the problem, and no panic.
fn assert_bad_input(args: &[&str], mentions: &str) {
    let out = superlink(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "superlink {args:?} should exit 2, stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "superlink {args:?} panicked: {stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("error:"), "first line should be the error, got {stderr}");
    assert!(stderr.contains(mentions), "error for {args:?} should mention `{mentions}`: {stderr}");
}

const ZERO: &str = "0x0000000000000000000000000000000000000000000000000000000000000000";
const EXAMPLE_ORIGIN: &str = "0xe0e1e2e3e4e5e6e7e8e9f0f1f2f3f4f5f6f7f8f9";

#[test]
fn super_root_of_the_public_vector() {
    let one = format!("1:{ZERO}");
    let two = format!("2:{ZERO}");
    // Chains given in descending order: the encoder sorts them.
    let root = stdout_of(&["encode", "super-root", "--timestamp", "10", &two, &one]);
    assert_eq!(root, "0x0980033cbf4337f614a2401ab7efbfdc66ab647812f1c98d891d92ddfb376541");
}

#[test]
fn super_root_json_hashes_to_the_printed_root_under_cast() {
    let cast = Cast::new().expect("cast is installed");
    let a = format!("901:0x{}", "11".repeat(32));
    let b = format!("0x386:0x{}", "22".repeat(32));
    let doc: serde_json::Value =
        serde_json::from_str(&stdout_of(&["encode", "super-root", "--timestamp", "0x10", &a, &b, "--json"]))
            .expect("json output");
    let encoded = doc["superOutput"].as_str().expect("superOutput");
    // version byte, timestamp, then 64 bytes per chain.
    assert_eq!(encoded.len(), 2 + 2 * (1 + 8 + 2 * 64));
    assert!(encoded.starts_with("0x010000000000000010"));
    assert_eq!(doc["chains"][0]["chainId"], "901");
    assert_eq!(doc["chains"][1]["chainId"], "902");
    let by_cast = cast.run(["keccak", encoded]).expect("cast keccak");
    assert_eq!(doc["superRoot"].as_str(), Some(by_cast.as_str()));
    let plain = stdout_of(&["encode", "super-root", "--timestamp", "16", &b, &a]);
    assert_eq!(plain, by_cast);
}

/// Recomputes the checksum of PROTOCOL section 3 step by step with cast.
fn checksum_by_cast(
    cast: &Cast,
    origin: &str,
    msg_hash: &str,
    block: u64,
    ts: u64,
    index: u32,
    chain: u64,
) -> String {
    let log_hash = cast.run(["keccak", &format!("{origin}{}", &msg_hash[2..])]).unwrap();
    let id_log_hash = cast
        .run(["keccak", &format!("{log_hash}{}{block:016x}{ts:016x}{index:08x}", "00".repeat(12))])
        .unwrap();
    let bare = cast.run(["keccak", &format!("{id_log_hash}{chain:064x}")]).unwrap();
    format!("0x03{}", &bare[4..])
}

#[test]
fn access_list_keys_match_the_spec_layout_and_an_independent_checksum() {
    let cast = Cast::new().expect("cast is installed");
    // The public logHash vector: origin 0xe0e1.. and msgHash = keccak256("example payload").
    let msg_hash = cast.run(["keccak", "example payload"]).unwrap();
    let log_hash = cast.run(["keccak", &format!("{EXAMPLE_ORIGIN}{}", &msg_hash[2..])]).unwrap();
    assert_eq!(log_hash, "0xf9ed05990c887d3f86718aabd7e940faaa75d6a5cd44602e89642586ce85f2aa");

    let out = stdout_of(&[
        "encode",
        "access-list",
        "--origin",
        EXAMPLE_ORIGIN,
        "--block-number",
        "2587",
        "--log-index",
        "66",
        "--timestamp",
        "4660",
        "--chain-id",
        "3",
        "--msg-hash",
        &msg_hash,
    ]);
    let keys: Vec<&str> = out.lines().collect();
    assert_eq!(keys.len(), 2, "a chain ID within u64 needs a lookup and a checksum: {out}");
    let lookup = format!("0x01000000{:016x}{:016x}{:016x}{:08x}", 3u64, 2587u64, 4660u64, 66u32);
    assert_eq!(keys[0], lookup);
    assert_eq!(keys[1], checksum_by_cast(&cast, EXAMPLE_ORIGIN, &msg_hash, 2587, 4660, 66, 3));

    // --payload hashes the payload for you.
    let payload = format!("0x{}", "example payload".bytes().map(|b| format!("{b:02x}")).collect::<String>());
    let from_payload = stdout_of(&[
        "encode",
        "access-list",
        "--origin",
        EXAMPLE_ORIGIN,
        "--block-number",
        "2587",
        "--log-index",
        "66",
        "--timestamp",
        "4660",
        "--chain-id",
        "3",
        "--payload",
        &payload,
    ]);
    assert_eq!(from_payload, out);
}

#[test]
fn chain_ids_above_u64_add_an_extension_entry() {
    // 2^192 + 1: the low 64 bits are 1, the upper 192 bits are 2^128.
    let big = "0x1000000000000000000000000000000000000000000000001";
    let out = stdout_of(&[
        "encode",
        "access-list",
        "--origin",
        EXAMPLE_ORIGIN,
        "--block-number",
        "1",
        "--log-index",
        "0",
        "--timestamp",
        "2",
        "--chain-id",
        big,
        "--msg-hash",
        ZERO,
    ]);
    let keys: Vec<&str> = out.lines().collect();
    assert_eq!(keys.len(), 3, "{out}");
    assert!(keys[0].starts_with("0x01000000"), "lookup first: {out}");
    // The lookup carries the low 64 bits, the extension the upper 192 bits after seven zero bytes.
    assert_eq!(&keys[0][10..26], "0000000000000001");
    let upper = format!("1{}", "0".repeat(32));
    assert_eq!(keys[1], format!("0x0200000000000000{upper:0>48}"));
    assert!(keys[2].starts_with("0x03"));
}

#[test]
fn access_list_json_is_accepted_by_cast_send() {
    let cast = Cast::new().expect("cast is installed");
    let anvil = Anvil::spawn(901, &[]).expect("anvil starts");
    let args = [
        "encode",
        "access-list",
        "--origin",
        EXAMPLE_ORIGIN,
        "--block-number",
        "7",
        "--log-index",
        "1",
        "--timestamp",
        "1700000000",
        "--chain-id",
        "902",
        "--msg-hash",
        ZERO,
    ];
    let keys = stdout_of(&args);
    let json = stdout_of(&[&args[..], &["--json"]].concat());
    // anvil's first dev key; the transaction is a plain transfer carrying our access list.
    let key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    let receipt = cast
        .run([
            "send",
            "--rpc-url",
            &anvil.url(),
            "--private-key",
            key,
            "--access-list",
            &json,
            "--json",
            "0x0000000000000000000000000000000000000001",
        ])
        .expect("cast send accepts the access list");
    let receipt: serde_json::Value = serde_json::from_str(&receipt).unwrap();
    let hash = receipt["transactionHash"].as_str().unwrap();
    let tx: serde_json::Value =
        serde_json::from_str(&cast.run(["tx", "--rpc-url", &anvil.url(), hash, "--json"]).unwrap()).unwrap();
    let list = tx["accessList"].as_array().expect("the mined transaction has an access list");
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0]["address"].as_str().unwrap().to_lowercase(),
        "0x4200000000000000000000000000000000000022"
    );
    let mined: Vec<&str> =
        list[0]["storageKeys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(mined, keys.lines().collect::<Vec<_>>());
}

#[test]
fn message_hash_equals_keccak_of_the_abi_encoding() {
    let cast = Cast::new().expect("cast is installed");
    let sender = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    let target = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
    let message = "0xd09de08a";
    let nonce = "0x0000000000000000000000000000000000000000000000000000000000000005";
    let ours = stdout_of(&[
        "encode",
        "message-hash",
        "--destination",
        "902",
        "--source",
        "901",
        "--nonce",
        nonce,
        "--sender",
        sender,
        "--target",
        target,
        "--message",
        message,
    ]);
    let encoded = cast
        .run([
            "abi-encode",
            "f(uint256,uint256,uint256,address,address,bytes)",
            "902",
            "901",
            "5",
            sender,
            target,
            message,
        ])
        .unwrap();
    assert_eq!(ours, cast.run(["keccak", &encoded]).unwrap());
}

#[test]
fn bad_input_is_one_line_and_exit_status_two() {
    let common = ["encode", "access-list", "--block-number", "1", "--log-index", "0", "--timestamp", "2"];
    let mut args = common.to_vec();
    args.extend(["--origin", "0x1234", "--chain-id", "901", "--msg-hash", ZERO]);
    assert_bad_input(&args, "0x1234");

    let mut args = common.to_vec();
    args.extend(["--origin", EXAMPLE_ORIGIN, "--chain-id", "901"]);
    assert_bad_input(&args, "--msg-hash");

    assert_bad_input(
        &[
            "encode",
            "access-list",
            "--origin",
            EXAMPLE_ORIGIN,
            "--block-number",
            "18446744073709551616",
            "--log-index",
            "0",
            "--timestamp",
            "2",
            "--chain-id",
            "901",
            "--msg-hash",
            ZERO,
        ],
        "64 bits",
    );
    assert_bad_input(&["encode", "message-hash", "--destination", "1"], "--source");
    assert_bad_input(&["encode", "super-root", "--timestamp", "1", "901:0x12"], "32");
    let dup = format!("901:{ZERO}");
    assert_bad_input(&["encode", "super-root", "--timestamp", "1", &dup, &dup], "901");
}
