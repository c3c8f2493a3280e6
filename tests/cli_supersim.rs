//! Black-box tests of supersim's interface on `superlink devnet`: the devnet is started with supersim's flags,
//! and what a script written for supersim asks its admin port (`GET /ready`, the `admin_*` methods) is asked the
//! same way, with cast and a plain HTTP request. A message is sent, found by its hash, and relayed by hand with the
//! access list the admin port builds for it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::{Command, Output},
    time::Duration,
};

use serde_json::{Value, json};
use superlink_testkit::free_port;

#[path = "support/devnet.rs"]
mod devnet;

use devnet::{Devnet, KEY_0, KEY_1, KEY_2, PortFlags, address_of, cast, json, ok};

const COUNTER: &str = "0x5111000000000000000000000000000000000001";
const MESSENGER: &str = "0x4200000000000000000000000000000000000023";
const INBOX: &str = "0x4200000000000000000000000000000000000022";

fn superlink(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_superlink"));
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the superlink binary runs")
}

/// A plain `GET path` over HTTP/1.1, as curl sends it: the status code and the body.
fn get(base: &str, path: &str) -> (u16, String) {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).expect("an HTTP status line");
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    (status, body)
}

/// `cast rpc METHOD PARAMS... --rpc-url admin`, parsed as JSON.
fn admin(url: &str, method: &str, params: &[&str]) -> Value {
    let mut args = vec!["rpc", method];
    args.extend(params);
    args.extend(["--rpc-url", url]);
    serde_json::from_str(&ok(&args)).unwrap()
}

/// A quantity that may come as a JSON number or a hex string.
fn number(value: &Value) -> u64 {
    match value {
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap(),
        other => panic!("not a number: {other}"),
    }
}

fn count(url: &str) -> u64 {
    ok(&["call", COUNTER, "count()(uint256)", "--rpc-url", url]).parse().unwrap()
}

fn balance(url: &str, address: &str) -> u128 {
    ok(&["balance", address, "--rpc-url", url]).parse().unwrap()
}

/// The `superlink encode access-list --json` answer for a log of chain 901, as a JSON value.
fn encoded_access_list(origin: &str, block: u64, log_index: u64, timestamp: u64, payload: &str) -> Value {
    let (block, log_index, timestamp) = (block.to_string(), log_index.to_string(), timestamp.to_string());
    let out = superlink(
        &[
            "encode",
            "access-list",
            "--json",
            "--chain-id",
            "901",
            "--origin",
            origin,
            "--block-number",
            &block,
            "--log-index",
            &log_index,
            "--timestamp",
            &timestamp,
            "--payload",
            payload,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// An access list with its addresses in lowercase, to compare lists whatever case each tool writes.
fn lowercase(list: &Value) -> Value {
    serde_json::from_str(&list.to_string().to_lowercase()).unwrap()
}

#[test]
fn a_devnet_started_with_supersims_flags_answers_supersims_admin_api() {
    let logs = tempfile::tempdir().unwrap();
    let logs_dir = logs.path().join("devnet-logs");
    let devnet = Devnet::start_with(
        PortFlags::Supersim,
        &[
            "--l2.count",
            "2",
            "--l1-block-time",
            "2",
            "--interop.autorelay=false",
            "--interop.delay",
            "0",
            "--dependency.set",
            "[901,902]",
            "--l1.host",
            "127.0.0.1",
            "--l2.host",
            "127.0.0.1",
            "--logs.directory",
            logs_dir.to_str().unwrap(),
        ],
    );
    let control = devnet.verifier();
    let (l1, u901, u902) = (devnet.l1(), devnet.l2(901), devnet.l2(902));
    let port = |url: &str| url.rsplit(':').next().unwrap().parse::<u64>().unwrap();

    // supersim's readiness probe, and the dashboard still on `/`.
    assert_eq!(get(&control, "/ready"), (200, "OK".to_string()));
    assert_eq!(get(&control, "/").0, 200);

    // The configuration in supersim's shape, with the devnet's ports and switches.
    let config = admin(&control, "admin_getConfig", &[]);
    assert_eq!(config["L1Config"]["ChainID"], 900);
    assert_eq!(number(&config["L1Config"]["Port"]), port(&l1));
    assert_eq!(number(&config["L2StartingPort"]), port(&u901));
    let l2s = config["L2Configs"].as_array().unwrap();
    let ids: Vec<u64> = l2s.iter().map(|c| number(&c["ChainID"])).collect();
    assert_eq!(ids, [901, 902]);
    assert_eq!(number(&l2s[1]["Port"]), port(&u902));
    assert_eq!(l2s[0]["L2Config"]["DependencySet"], json!([902]));
    assert_eq!(l2s[0]["LogsDirectory"], logs_dir.to_str().unwrap());
    assert_eq!(l2s[0]["SecretsConfig"]["Mnemonic"], devnet.info["mnemonic"]);
    assert_eq!(
        (config["InteropEnabled"].as_bool(), config["InteropAutoRelay"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(config["InteropDelay"], 0);

    // The L1 addresses: the standard bridge's portal is where deposits reach the L2; an unknown chain is refused as
    // supersim does.
    let addresses = admin(&control, "admin_getL1Addresses", &["901"]);
    assert_eq!(addresses.as_object().unwrap().len(), 9, "{addresses}");
    let portal = addresses["OptimismPortalProxy"].as_str().unwrap().to_string();
    let listed = devnet.l2_entry(901)["l1Bridge"]["portal"].as_str().unwrap();
    assert!(portal.eq_ignore_ascii_case(listed), "{portal}");
    assert_eq!(
        config["L2Configs"][0]["L2Config"]["L1Addresses"]["OptimismPortalProxy"].as_str().unwrap(),
        portal.to_lowercase()
    );
    let unknown = cast(&["rpc", "admin_getL1Addresses", "903", "--rpc-url", &control]).unwrap_err();
    assert!(unknown.contains("-32602") && unknown.contains("chain not found"), "{unknown}");
    let depositor = address_of(KEY_1);
    let before = balance(&u901, &depositor);
    ok(&["send", "--private-key", KEY_1, &portal, "--value", "1ether", "--rpc-url", &l1]);
    devnet.wait_for("the deposit through OptimismPortalProxy arrives on 901", || {
        (balance(&u901, &depositor) > before).then_some(())
    });

    // A message from 901 to 902, looked up by its hash.
    let sent = json(&[
        "send",
        "--json",
        "--private-key",
        KEY_0,
        COUNTER,
        "incrementRemote(uint256)",
        "902",
        "--rpc-url",
        &u901,
    ]);
    let log = sent["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["address"].as_str().unwrap().eq_ignore_ascii_case(MESSENGER))
        .expect("a SentMessage log")
        .clone();
    let topics: Vec<&str> = log["topics"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    let data = log["data"].as_str().unwrap();
    let decoded = ok(&["abi-decode", "f()(address,bytes)", data]);
    let (sender, message) = decoded.split_once('\n').unwrap();
    let nonce = u64::from_str_radix(topics[3].trim_start_matches("0x"), 16).unwrap();
    let out = superlink(
        &[
            "encode",
            "message-hash",
            "--destination",
            "902",
            "--source",
            "901",
            "--nonce",
            &nonce.to_string(),
            "--sender",
            sender.trim(),
            "--target",
            COUNTER,
            "--message",
            message.trim(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let msg_hash = String::from_utf8(out.stdout).unwrap().trim().to_string();

    let found = admin(&control, "admin_getL2ToL2MessageByMsgHash", &[&msg_hash]);
    assert_eq!((number(&found["Destination"]), number(&found["Source"])), (902, 901), "{found}");
    assert_eq!(number(&found["Nonce"]), nonce);
    assert_eq!(found["Sender"].as_str().unwrap(), sender.trim().to_lowercase());
    assert_eq!(found["Target"].as_str().unwrap(), COUNTER);
    assert_eq!(found["Message"].as_str().unwrap(), message.trim());
    let missing = "0x00000000000000000000000000000000000000000000000000000000000000aa";
    let error =
        cast(&["rpc", "admin_getL2ToL2MessageByMsgHash", missing, "--rpc-url", &control]).unwrap_err();
    assert!(error.contains("-32603"), "{error}");

    // Its access list, by message hash and by identifier, is the one `superlink encode access-list` builds.
    let block = number(&log["blockNumber"]);
    let log_index = number(&log["logIndex"]);
    let timestamp: u64 =
        ok(&["block", &block.to_string(), "--field", "timestamp", "--rpc-url", &u901]).parse().unwrap();
    let mut payload = String::from("0x");
    for topic in &topics {
        payload.push_str(topic.trim_start_matches("0x"));
    }
    payload.push_str(data.trim_start_matches("0x"));
    let expected = encoded_access_list(MESSENGER, block, log_index, timestamp, &payload);
    let by_hash = admin(&control, "admin_getAccessListByMsgHash", &[&msg_hash]);
    assert_eq!(lowercase(&by_hash["accessList"]), lowercase(&expected), "{by_hash}");
    assert_eq!(by_hash["accessList"][0]["address"], INBOX);
    let identifier = json!([{
        "origin": MESSENGER,
        "blockNumber": format!("{block:#x}"),
        "logIndex": log_index,
        "timestamp": timestamp.to_string(),
        "chainId": 901,
        "payload": payload,
    }]);
    let by_identifier =
        admin(&control, "admin_getAccessListForIdentifier", &["--raw", &identifier.to_string()]);
    assert_eq!(by_identifier, by_hash);
    let incomplete = json!([{ "origin": MESSENGER, "blockNumber": block }]).to_string();
    let error =
        cast(&["rpc", "admin_getAccessListForIdentifier", "--raw", &incomplete, "--rpc-url", &control])
            .unwrap_err();
    assert!(error.contains("-32602"), "{error}");

    // Nobody relays with autorelay off; the relay carrying that access list goes through, one without it reverts.
    assert_eq!(count(&u902), 0);
    let id = format!("({MESSENGER},{block},{log_index},{timestamp},901)");
    let relay =
        ["relayMessage((address,uint256,uint256,uint256,uint256),bytes)", id.as_str(), payload.as_str()];
    let relayer = address_of(KEY_2);
    let mut undeclared = vec!["call", "--from", relayer.as_str(), MESSENGER];
    undeclared.extend(relay);
    undeclared.extend(["--rpc-url", &u902]);
    let reverted = cast(&undeclared).expect_err("a relay without the access list reverts");
    assert!(reverted.contains(&ok(&["sig", "NotInAccessList()"])), "{reverted}");
    let access_list = by_hash["accessList"].to_string();
    let mut send = vec!["send", "--json", "--private-key", KEY_2, "--access-list", &access_list, MESSENGER];
    send.extend(relay);
    send.extend(["--rpc-url", &u902]);
    let relayed = json(&send);
    assert_eq!(relayed["status"], "0x1", "{relayed}");
    assert_eq!(count(&u902), 1);

    // supersim's logs directory holds the devnet's log.
    let written = std::fs::read_to_string(logs_dir.join("superlink-devnet.log")).unwrap();
    assert!(written.contains("serving JSON-RPC"), "{written}");
}

#[test]
fn supersim_flags_the_devnet_cannot_honour_are_refused_before_anything_starts() {
    for (args, env, reason) in [
        (&["devnet", "--odyssey.enabled"][..], &[][..], "--odyssey.enabled is not supported"),
        (&["devnet", "--interop.delay", "3"], &[], "--interop.delay 3 is not supported"),
        (&["devnet"], &[("SUPERSIM_INTEROP_DELAY", "3")], "--interop.delay 3 is not supported"),
        (&["devnet", "--l1.host", "127.0.0.1", "--l2.host", "0.0.0.0"], &[], "differ"),
        (&["devnet", "--dependency.set", "[]"], &[], "empty dependency set"),
    ] {
        let out = superlink(args, env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert!(stderr.contains(reason), "{args:?} {env:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing starts");
    }
    // supersim's variables name start flags only: a command acting on a running devnet ignores them.
    let url = format!("http://127.0.0.1:{}", free_port());
    let out = superlink(&["devnet", "status", "--control-url", &url], &[("SUPERSIM_L1_PORT", "1")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("no devnet control port at {url}")), "{stderr}");
}
