//! Black-box tests of `superlink send-message`, `relay`, `message status` and `bridge`: the binary is run as a
//! user runs it against two anvil chains (901 and 902) that carry the interop predeploys, and the effects are
//! checked with cast.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../crates/relayer/tests/support/mod.rs"]
mod support;

use std::{
    process::{Command, Output},
    time::Instant,
};

use alloy_primitives::{Address, Bytes, U256, address, hex};
use alloy_sol_types::SolCall;
use serde_json::Value;
use superlink_contracts::{
    Contract,
    addresses::{
        CROSS_CHAIN_COUNTER as COUNTER, L2_TO_L2_CROSS_DOMAIN_MESSENGER as MESSENGER,
        TEST_SUPERCHAIN_ERC20 as TOKEN,
    },
    bindings::MessageProbe,
};
use support::{Chain, DEV_KEYS, address_of, two_chains};

/// Where the test places `MessageProbe` on both chains.
const PROBE: Address = address!("0x3000000000000000000000000000000000000003");
const IDENTIFIER_TYPE: &str = "(address,uint256,uint256,uint256,uint256)";

fn superlink(args: &[&str], env_key: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_superlink"));
    cmd.args(args).env_remove("SUPERLINK_PRIVATE_KEY");
    if let Some(key) = env_key {
        cmd.env("SUPERLINK_PRIVATE_KEY", key);
    }
    cmd.output().expect("the superlink binary runs")
}

fn ok(args: &[&str]) -> String {
    let out = superlink(args, None);
    assert!(out.status.success(), "superlink {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn ok_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok(&all)).expect("JSON output")
}

/// `superlink send-message` from `from_rpc` to the probe on chain 902 with dev key 0; its JSON output.
fn send_to_probe(from_rpc: &str, data: &str) -> Value {
    ok_json(&[
        "send-message",
        "--from-rpc",
        from_rpc,
        "--to-chain",
        "902",
        "--target",
        &PROBE.to_string(),
        "--data",
        data,
        "--private-key",
        DEV_KEYS[0],
    ])
}

/// Asserts a failure with exit status `code`, a one-line error mentioning `mentions`, and no panic.
fn fails(args: &[&str], env_key: Option<&str>, code: i32, mentions: &str) -> String {
    let out = superlink(args, env_key);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(code), "superlink {args:?} should exit {code}: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("error:"), "first line should be the error: {stderr}");
    assert!(stderr.contains(mentions), "error should mention `{mentions}`: {stderr}");
    stderr
}

fn with_probes() -> (Chain, Chain) {
    let (a, b) = two_chains();
    a.place(PROBE, Contract::MessageProbe);
    b.place(PROBE, Contract::MessageProbe);
    (a, b)
}

fn record_call(payload: &[u8]) -> String {
    Bytes::from(MessageProbe::recordCall { _payload: Bytes::copy_from_slice(payload) }.abi_encode())
        .to_string()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("`{key}` missing in {v}"))
}

#[test]
fn a_message_sent_with_send_message_is_relayed_once_and_its_status_follows() {
    let (a, b) = with_probes();
    let (ua, ub) = (a.url(), b.url());
    let data = record_call(b"hello from 901");
    let started = Instant::now();
    let sent = send_to_probe(&ua, &data);
    let tx = str_of(&sent, "transactionHash").to_string();
    let hash = str_of(&sent, "messageHash").to_string();
    // A message to the chain it is sent from would revert: refused before sending, with the reason.
    fails(
        &[
            "send-message",
            "--from-rpc",
            &ua,
            "--to-chain",
            "901",
            "--target",
            &PROBE.to_string(),
            "--data",
            &data,
            "--private-key",
            DEV_KEYS[0],
        ],
        None,
        1,
        "MessageDestinationSameChain",
    );
    assert_eq!(str_of(&sent, "nonce"), "0", "first message of the chain");
    // The source messenger recorded exactly this hash under the message's nonce.
    assert_eq!(a.call(MESSENGER, "sentMessages(uint256)(bytes32)", &["0"]), hash);

    let status = ok_json(&["message", "status", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx]);
    assert_eq!(status["messages"][0]["status"], "sent");
    assert_eq!(status["messages"][0]["messageHash"], hash.as_str());

    let relayed =
        ok_json(&["relay", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx, "--private-key", DEV_KEYS[1]]);
    let elapsed = started.elapsed();
    let relay = &relayed["relays"][0];
    assert_eq!(relay["messageHash"], hash.as_str());
    eprintln!("send-message -> relay receipt: {elapsed:?}, relay gas used {}", relay["gasUsed"]);

    // The target ran on 902 in the message's context.
    let payload = b.call(PROBE, "lastPayload()(bytes)", &[]);
    assert_eq!(payload, format!("0x{}", hex::encode(b"hello from 901")));
    assert_eq!(b.call(PROBE, "lastSender()(address)", &[]), address_of(DEV_KEYS[0]).to_string());
    assert_eq!(b.uint(PROBE, "lastSource()(uint256)", &[]), U256::from(901));
    assert_eq!(b.call(MESSENGER, "successfulMessages(bytes32)(bool)", &[&hash]), "true");

    let status = ok_json(&["message", "status", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx]);
    assert_eq!(status["messages"][0]["status"], "relayed");
    assert_eq!(status["messages"][0]["delivery"]["transaction"], relay["transactionHash"]);
    let human = ok(&["message", "status", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx]);
    assert!(human.contains("relayed in"), "{human}");

    fails(
        &["relay", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx, "--private-key", DEV_KEYS[1]],
        None,
        1,
        "already been relayed",
    );
    assert_eq!(b.count_logs(MESSENGER, "RelayedMessage(uint256,uint256,bytes32,bytes32)"), 1);
}

#[test]
fn a_message_sent_with_cast_is_relayed_by_log_index_with_the_key_from_the_environment() {
    let (a, b) = two_chains();
    let (ua, ub) = (a.url(), b.url());
    let receipt = a.send(DEV_KEYS[0], COUNTER, "incrementRemote(uint256)", &["902"]);
    let tx = str_of(&receipt, "transactionHash").to_string();
    let log = receipt["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["address"].as_str().unwrap().eq_ignore_ascii_case(&MESSENGER.to_string()))
        .expect("a SentMessage log");
    let index = u64::from_str_radix(log["logIndex"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();

    // The message is for 902: relaying it on 901 is refused.
    fails(
        &["relay", "--from-rpc", &ua, "--to-rpc", &ua, "--tx", &tx],
        Some(DEV_KEYS[1]),
        1,
        "not for chain 901",
    );

    let out = superlink(
        &["relay", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx, "--log-index", &index.to_string()],
        Some(DEV_KEYS[1]),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "relay failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("status        success"), "{stdout}");
    assert_eq!(b.uint(COUNTER, "count()(uint256)", &[]), U256::from(1));
    assert_eq!(b.call(COUNTER, "lastRequester()(address)", &[]), address_of(DEV_KEYS[0]).to_string());

    // A destination without the predeploys is named as such.
    let bare = superlink_testkit::Anvil::spawn(902, &[]).unwrap();
    fails(
        &["relay", "--from-rpc", &ua, "--to-rpc", &bare.url(), "--tx", &tx],
        Some(DEV_KEYS[1]),
        1,
        "L2ToL2CrossDomainMessenger predeploy",
    );

    // A wrong log index, and a transaction that sent no message, are clear errors.
    let wrong = (index + 1).to_string();
    fails(
        &["relay", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx, "--log-index", &wrong],
        Some(DEV_KEYS[1]),
        1,
        "no SentMessage log at block log index",
    );
    let plain = a.send(DEV_KEYS[0], address_of(DEV_KEYS[3]), "", &[]);
    let plain_tx = str_of(&plain, "transactionHash").to_string();
    fails(
        &["relay", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &plain_tx],
        Some(DEV_KEYS[1]),
        1,
        "sent no cross-chain message",
    );
}

#[test]
fn a_forged_payload_is_refused_and_the_genuine_message_still_relays() {
    let (a, b) = with_probes();
    let (ua, ub) = (a.url(), b.url());
    let sent = ok_json(&[
        "send-message",
        "--from-rpc",
        &ua,
        "--to-chain",
        "902",
        "--target",
        &PROBE.to_string(),
        "--data",
        &record_call(b"genuine"),
        "--private-key",
        DEV_KEYS[0],
    ]);
    let tx = str_of(&sent, "transactionHash").to_string();
    let message = &sent["messages"][0];
    let genuine = str_of(message, "payload");
    let forged = genuine.replace(&hex::encode(b"genuine"), &hex::encode(b"forgery"));
    assert_ne!(forged, genuine);

    // Our relay checks the payload against the source chain and refuses.
    fails(
        &[
            "relay",
            "--from-rpc",
            &ua,
            "--to-rpc",
            &ub,
            "--tx",
            &tx,
            "--payload",
            &forged,
            "--private-key",
            DEV_KEYS[1],
        ],
        None,
        1,
        "does not match the SentMessage log",
    );
    // Sent directly, declaring the genuine message, the forged relay reverts on chain.
    let id = &message["identifier"];
    let id_arg = format!(
        "({},{},{},{},{})",
        str_of(id, "origin"),
        u64::from_str_radix(str_of(id, "blockNumber").trim_start_matches("0x"), 16).unwrap(),
        u64::from_str_radix(str_of(id, "logIndex").trim_start_matches("0x"), 16).unwrap(),
        u64::from_str_radix(str_of(id, "timestamp").trim_start_matches("0x"), 16).unwrap(),
        901
    );
    let access_list = message["accessList"].to_string();
    let signature = format!("relayMessage({IDENTIFIER_TYPE},bytes)");
    let messenger = MESSENGER.to_string();
    let forged_send = b.cast(&[
        "send",
        "--private-key",
        DEV_KEYS[1],
        &messenger,
        &signature,
        &id_arg,
        &forged,
        "--access-list",
        &access_list,
    ]);
    assert!(forged_send.is_err(), "a forged relay must not succeed: {forged_send:?}");
    assert_eq!(b.call(PROBE, "lastPayload()(bytes)", &[]), "0x");

    ok(&["relay", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx, "--private-key", DEV_KEYS[1]]);
    assert_eq!(b.call(PROBE, "lastPayload()(bytes)", &[]), format!("0x{}", hex::encode(b"genuine")));
}

#[test]
fn bridged_tokens_arrive_and_the_total_supply_is_conserved() {
    let (a, b) = two_chains();
    let (ua, ub) = (a.url(), b.url());
    let user = address_of(DEV_KEYS[0]);
    let recipient = address_of(DEV_KEYS[3]);
    let token = TOKEN.to_string();
    a.send(DEV_KEYS[0], TOKEN, "mint(address,uint256)", &[&user.to_string(), "1000"]);
    let supply = |c: &Chain| c.uint(TOKEN, "totalSupply()(uint256)", &[]);
    let before = supply(&a) + supply(&b);
    assert_eq!(before, U256::from(1000));

    let sent = ok_json(&[
        "bridge",
        "erc20",
        "--from-rpc",
        &ua,
        "--to-chain",
        "902",
        "--token",
        &token,
        "--to",
        &recipient.to_string(),
        "--amount",
        "400",
        "--private-key",
        DEV_KEYS[0],
    ]);
    let tx = str_of(&sent, "transactionHash").to_string();
    assert_eq!(sent["messages"][0]["destination"], "902");
    // Burned on the source, not minted yet: the supply in flight is the message's.
    assert_eq!(supply(&a), U256::from(600));
    let relayed =
        ok_json(&["relay", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx, "--private-key", DEV_KEYS[1]]);
    eprintln!("relayERC20 relay gas used {}", relayed["relays"][0]["gasUsed"]);

    assert_eq!(b.uint(TOKEN, "balanceOf(address)(uint256)", &[&recipient.to_string()]), U256::from(400));
    assert_eq!(a.uint(TOKEN, "balanceOf(address)(uint256)", &[&user.to_string()]), U256::from(600));
    assert_eq!(supply(&a) + supply(&b), before);
}

#[test]
fn bridged_eth_arrives() {
    let (a, b) = two_chains();
    let (ua, ub) = (a.url(), b.url());
    let recipient = address!("0x00000000000000000000000000000000000beef1");
    let amount = U256::from(10u64).pow(U256::from(18));
    let sender = address_of(DEV_KEYS[0]);
    let sender_before = a.balance(sender);
    let sent = ok_json(&[
        "bridge",
        "eth",
        "--from-rpc",
        &ua,
        "--to-chain",
        "902",
        "--to",
        &recipient.to_string(),
        "--amount",
        &amount.to_string(),
        "--private-key",
        DEV_KEYS[0],
    ]);
    let tx = str_of(&sent, "transactionHash").to_string();
    assert!(sender_before - a.balance(sender) >= amount);
    assert_eq!(b.balance(recipient), U256::ZERO);
    let relayed =
        ok_json(&["relay", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx, "--private-key", DEV_KEYS[1]]);
    eprintln!("relayETH relay gas used {}", relayed["relays"][0]["gasUsed"]);
    assert_eq!(b.balance(recipient), amount);
}

#[test]
fn bad_input_exits_2_and_unreachable_nodes_exit_1() {
    let hash = format!("0x{}", "11".repeat(32));
    let probe = PROBE.to_string();
    let unreachable = format!("http://127.0.0.1:{}", superlink_testkit::free_port());
    let send = |url: &str, target: &str| -> Vec<String> {
        ["send-message", "--from-rpc", url, "--to-chain", "902", "--target", target, "--data", "0x"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let args = send(&unreachable, &probe);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // A key that is not a key is refused without being echoed.
    let stderr = fails(&args, Some("0xdeadbeef"), 2, "private key");
    assert!(!stderr.contains("deadbeef"), "the key must not be printed: {stderr}");
    fails(&args, None, 2, "SUPERLINK_PRIVATE_KEY");
    fails(&args, Some(DEV_KEYS[0]), 1, "not reachable");
    let bad_target = send(&unreachable, "0x1234");
    let bad_target: Vec<&str> = bad_target.iter().map(String::as_str).collect();
    fails(&bad_target, Some(DEV_KEYS[0]), 2, "20-byte hex address");
    fails(
        &["relay", "--from-rpc", "localhost:8545", "--to-rpc", &unreachable, "--tx", &hash],
        Some(DEV_KEYS[0]),
        2,
        "http",
    );
    fails(
        &["message", "status", "--from-rpc", &unreachable, "--to-rpc", &unreachable, "--tx", &hash],
        None,
        1,
        "not reachable",
    );
    fails(
        &["bridge", "eth", "--from-rpc", &unreachable, "--to-chain", "x", "--to", &probe, "--amount", "1"],
        None,
        2,
        "x",
    );
}

#[test]
fn a_message_whose_target_reverts_shows_failed_and_is_not_relayed() {
    let (a, b) = with_probes();
    let (ua, ub) = (a.url(), b.url());
    let data =
        Bytes::from(MessageProbe::failCall { _payload: Bytes::from_static(b"no") }.abi_encode()).to_string();
    let sent = send_to_probe(&ua, &data);
    let tx = str_of(&sent, "transactionHash").to_string();
    let status = ok_json(&["message", "status", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx]);
    assert_eq!(status["messages"][0]["status"], "failed");
    assert!(status["messages"][0]["delivery"]["reason"].as_str().unwrap().contains("TargetCallFailed"));
    fails(
        &["relay", "--from-rpc", &ua, "--to-rpc", &ub, "--tx", &tx, "--private-key", DEV_KEYS[1]],
        None,
        1,
        "TargetCallFailed",
    );
    assert_eq!(b.count_logs(MESSENGER, "RelayedMessage(uint256,uint256,bytes32,bytes32)"), 0);
}

/// A `superlink` service running as a child process, killed when dropped.
struct Service(std::process::Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn message_status_reports_the_source_safety_a_verifier_gives() {
    let (a, b) = with_probes();
    let (ua, ub) = (a.url(), b.url());
    let dir = tempfile::tempdir().unwrap();
    let deps = dir.path().join("deps.json");
    std::fs::write(&deps, r#"{"dependencies": {"901": {}, "902": {}}}"#).unwrap();
    let port = superlink_testkit::free_port();
    let _verifier = Service(
        Command::new(env!("CARGO_BIN_EXE_superlink"))
            .arg("verify")
            .arg("--deps")
            .arg(&deps)
            .args(["--rpc", &format!("901={ua}"), "--rpc", &format!("902={ub}")])
            .arg("--datadir")
            .arg(dir.path().join("index"))
            .args(["--port", &port.to_string(), "--poll-interval-ms", "50"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("superlink verify starts"),
    );
    let verifier_url = format!("http://127.0.0.1:{port}");

    let sent = ok_json(&[
        "send-message",
        "--from-rpc",
        &ua,
        "--to-chain",
        "902",
        "--target",
        &PROBE.to_string(),
        "--data",
        &record_call(b"how safe?"),
        "--private-key",
        DEV_KEYS[0],
    ]);
    let tx = str_of(&sent, "transactionHash").to_string();
    let levels = ["unsafe", "cross-unsafe", "local-safe", "safe", "finalized"];
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    let safety = loop {
        let out = superlink(
            &[
                "message",
                "status",
                "--from-rpc",
                &ua,
                "--to-rpc",
                &ub,
                "--tx",
                &tx,
                "--verifier-url",
                &verifier_url,
                "--json",
            ],
            None,
        );
        if out.status.success() {
            let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
            let safety = doc["messages"][0]["sourceSafety"].as_str().unwrap_or_default().to_string();
            if levels.contains(&safety.as_str()) {
                break safety;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the verifier never accepted the message: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    eprintln!("source safety reported by the verifier: {safety}");
    let human = ok(&[
        "message",
        "status",
        "--from-rpc",
        &ua,
        "--to-rpc",
        &ub,
        "--tx",
        &tx,
        "--verifier-url",
        &verifier_url,
    ]);
    assert!(human.contains("source   "), "{human}");
}

#[test]
fn superlink_autorelay_delivers_messages_sent_with_cast_and_stops_on_sigterm() {
    let (a, b) = two_chains();
    let mut child = Service(
        Command::new(env!("CARGO_BIN_EXE_superlink"))
            .args(["autorelay", "--rpc", &a.url(), "--rpc", &b.url(), "--poll-interval-ms", "50"])
            .env("SUPERLINK_PRIVATE_KEY", DEV_KEYS[2])
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("superlink autorelay starts"),
    );
    // Its log is read as it comes; the messages are sent once it says it is ready (it follows new messages
    // by default, from the block after the latest one when it started).
    let stderr = child.0.stderr.take().unwrap();
    let (lines, logged) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
            let _ = lines.send(line.clone());
            log.push_str(&line);
            log.push('\n');
        }
        log
    });
    let ready_by = Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let left = ready_by.saturating_duration_since(Instant::now());
        match logged.recv_timeout(left) {
            Ok(line) if line.contains("autorelayer ready") => break,
            Ok(_) => {}
            Err(e) => panic!("the autorelayer never said it was ready ({e}); exit: {:?}", child.0.try_wait()),
        }
    }
    a.send(DEV_KEYS[0], COUNTER, "incrementRemote(uint256)", &["902"]);
    b.send(DEV_KEYS[0], COUNTER, "incrementRemote(uint256)", &["901"]);
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    while b.uint(COUNTER, "count()(uint256)", &[]) < U256::from(1)
        || a.uint(COUNTER, "count()(uint256)", &[]) < U256::from(1)
    {
        assert!(Instant::now() < deadline, "the autorelayer did not deliver both messages");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let pid = child.0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = child.0.wait().unwrap();
    let log = reader.join().unwrap();
    assert!(status.success(), "autorelay should exit 0 on SIGTERM: {log}");
    assert!(log.contains("message relayed"), "{log}");
    assert!(log.contains("autorelay stopped"), "{log}");
    assert_eq!(b.uint(COUNTER, "count()(uint256)", &[]), U256::from(1));
    assert_eq!(a.uint(COUNTER, "count()(uint256)", &[]), U256::from(1));
}
