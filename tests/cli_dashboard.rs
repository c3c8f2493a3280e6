//! Black-box test of the dashboard: `superlink devnet` runs, cast sends a message (relayed by the autorelayer)
//! and a forged relay (refused by the pool), and headless Chromium opens the page on the verifier's port; the
//! rendered DOM must show the chains, their heads and the message's state and life. A screenshot is saved as
//! `target/dashboard.png`. `superlink verify` serves the same page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

#[path = "support/devnet.rs"]
mod devnet;

use devnet::{Devnet, KEY_0, KEY_2, cast, json, ok};
use superlink_testkit::free_port;

const COUNTER: &str = "0x5111000000000000000000000000000000000001";
const MESSENGER: &str = "0x4200000000000000000000000000000000000023";

/// `GET path` on `base` (`http://host:port`); the status and the body.
fn get(base: &str, path: &str) -> (u16, String) {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    (status, body.to_string())
}

/// What `GET /events` on `base` streams until it has sent a snapshot and a delta (or `patience` ran out).
fn read_events(base: &str, patience: Duration) -> String {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(stream, "GET /events HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
    let deadline = Instant::now() + patience;
    let mut text = String::new();
    let mut buffer = [0u8; 16 * 1024];
    while Instant::now() < deadline && !text.contains("event: delta") {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => text.push_str(&String::from_utf8_lossy(&buffer[..n])),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {
            }
            Err(e) => panic!("reading /events: {e}"),
        }
    }
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.to_lowercase().contains("content-type: text/event-stream"), "{text}");
    text
}

fn get_json(base: &str, path: &str) -> (u16, Value) {
    let (status, body) = get(base, path);
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")))
}

/// Runs headless Chromium with `args`, killing it after a minute and a half.
fn chromium(args: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("headless Chromium is needed for this test (`apt-get install chromium`): {e}")
        });
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium {args:?} did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// Where CI keeps artifacts: the `target` folder of this build.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().to_path_buf()
}

/// The `SentMessage` payload (topics then data) and identifier fields of the send in `receipt`.
fn sent_log(receipt: &Value, url: &str) -> (String, String, String, String) {
    let log = receipt["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|log| log["address"].as_str().unwrap().eq_ignore_ascii_case(MESSENGER))
        .expect("a SentMessage log");
    let hex = |v: &Value| match v {
        Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap(),
        other => other.as_u64().unwrap(),
    };
    let block = hex(&log["blockNumber"]).to_string();
    let timestamp = ok(&["block", &block, "--field", "timestamp", "--rpc-url", url]);
    let mut payload = String::from("0x");
    for topic in log["topics"].as_array().unwrap() {
        payload.push_str(topic.as_str().unwrap().trim_start_matches("0x"));
    }
    payload.push_str(log["data"].as_str().unwrap().trim_start_matches("0x"));
    (block, hex(&log["logIndex"]).to_string(), timestamp, payload)
}

/// Sends a relay of the message at (`block`, `log_index`, `timestamp`) of chain 901 that carries `payload`,
/// declared as any client would; the pool's answer.
fn send_relay(
    u902: &str,
    block: &str,
    log_index: &str,
    timestamp: &str,
    payload: &str,
) -> Result<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_superlink"))
        .args(["encode", "access-list", "--json", "--chain-id", "901", "--origin", MESSENGER])
        .args([
            "--block-number",
            block,
            "--log-index",
            log_index,
            "--timestamp",
            timestamp,
            "--payload",
            payload,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let access_list = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let id = format!("({MESSENGER},{block},{log_index},{timestamp},901)");
    let calldata =
        ok(&["calldata", "relayMessage((address,uint256,uint256,uint256,uint256),bytes)", &id, payload]);
    cast(&[
        "send",
        "--private-key",
        KEY_2,
        MESSENGER,
        &calldata,
        "--access-list",
        &access_list,
        "--gas-limit",
        "1000000",
        "--rpc-url",
        u902,
    ])
}

#[test]
fn the_dashboard_shows_chains_heads_and_messages_live_in_headless_chromium() {
    assert!(
        Command::new("chromium").arg("--version").output().is_ok_and(|o| o.status.success()),
        "this test needs headless Chromium: install Debian's `chromium` package (.ci/run does)"
    );
    let devnet = Devnet::start(&[]);
    let (u901, u902, base) = (devnet.l2(901), devnet.l2(902), devnet.verifier());

    // The page and its API answer on the verifier's port, next to JSON-RPC.
    let (status, page) = get(&base, "/");
    assert_eq!(status, 200);
    assert!(page.contains("id=\"lanes\"") && page.contains("id=\"initial\""), "{page}");
    let rpc = ok(&["rpc", "supervisor_dependencySetV1", "--rpc-url", &base]);
    assert!(rpc.contains("dependencies"), "JSON-RPC still answers: {rpc}");

    // The event stream starts with a snapshot and goes on with deltas as blocks arrive.
    let events = read_events(&base, Duration::from_secs(30));
    let snapshot = events.find("event: snapshot\ndata: {").expect("a snapshot first");
    let delta = events.find("event: delta\ndata: {").expect("then deltas");
    assert!(snapshot < delta, "{events}");

    // A message 901 -> 902, relayed by the autorelayer.
    let receipt = json(&[
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
    let send_tx = receipt["transactionHash"].as_str().unwrap().to_string();
    let (block, log_index, timestamp, payload) = sent_log(&receipt, &u901);

    // Looked up by its transaction hash, the message comes back with its hash and, once relayed, the relay.
    let message = devnet.wait_for("the dashboard shows the message relayed", || {
        let (status, message) = get_json(&base, &format!("/api/message/{send_tx}"));
        (status == 200 && message["state"] == "relayed").then_some(message)
    });
    let hash = message["hash"].as_str().unwrap().to_string();
    assert_eq!(message["source"], 901);
    assert_eq!(message["sentTransaction"].as_str(), Some(send_tx.as_str()), "{message}");
    assert_eq!(message["sent"]["block"].to_string(), block);
    let relay = &message["attempts"][0];
    assert_eq!(relay["outcome"]["kind"], "relayed", "{message}");
    assert_eq!(relay["place"]["chain"], 902);
    assert!(relay["transaction"].is_string(), "the relay transaction is named: {message}");
    let (status, by_hash) = get_json(&base, &format!("/api/message/{hash}"));
    assert_eq!((status, &by_hash["hash"]), (200, &Value::String(hash.clone())));
    assert!(!message["safety"].as_array().unwrap().is_empty());

    // A message whose target reverts on 902 (the counter accepts increments only from its own remote copy):
    // the autorelayer gives it up, and the dashboard shows the failed relay with the reason.
    let increment = ok(&["calldata", "increment(address)", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"]);
    let failing = json(&[
        "send",
        "--json",
        "--private-key",
        KEY_0,
        MESSENGER,
        "sendMessage(uint256,address,bytes)",
        "902",
        COUNTER,
        &increment,
        "--rpc-url",
        &u901,
    ]);
    let failing_tx = failing["transactionHash"].as_str().unwrap().to_string();
    let failed = devnet.wait_for("the dashboard shows the failed relay", || {
        let (status, message) = get_json(&base, &format!("/api/message/{failing_tx}"));
        (status == 200 && message["state"] == "failed").then_some(message)
    });
    let attempt = failed["attempts"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(attempt["outcome"]["kind"], "failed", "{failed}");

    // A forged relay (a payload the source never emitted) is refused by 902's pool and never shows as relayed.
    let mut forged = payload.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    let refused =
        send_relay(&u902, &block, &log_index, &timestamp, &forged).expect_err("a forged relay is refused");
    assert!(refused.contains("invalid executing message"), "{refused}");
    let (status, unknown) = get_json(&base, &format!("/api/message/{}", "0x".to_string() + &"ab".repeat(32)));
    assert_eq!(status, 404, "{unknown}");

    // The state: both chains with heads, one message, relayed.
    let state = devnet.wait_for("both lanes have a cross-unsafe head", || {
        let (_, state) = get_json(&base, "/api/state");
        state["chains"]
            .as_array()?
            .iter()
            .all(|lane| lane["heads"]["crossUnsafe"].is_object())
            .then_some(state)
    });
    let chains: Vec<u64> =
        state["chains"].as_array().unwrap().iter().map(|l| l["chain"].as_u64().unwrap()).collect();
    assert_eq!(chains, [901, 902]);
    assert_eq!(state["counts"]["relayed"], 1, "{}", state["counts"]);
    assert_eq!(state["counts"]["failed"], 1, "{}", state["counts"]);
    assert_eq!(state["messages"].as_array().unwrap().len(), 2);
    assert!(state["messages"].as_array().unwrap().iter().all(|m| m["forgedAttempts"] == 0), "{state}");

    // Headless Chromium renders the page: lanes with every head, the message with its state, its life.
    let url = format!("{base}/?message={hash}");
    let dom = chromium(&["--dump-dom".to_string(), url.clone()]);
    for chain in ["chain 901", "chain 902"] {
        assert!(dom.contains(chain), "the page shows {chain}:\n{dom}");
    }
    for level in ["unsafe", "cross-unsafe", "local-safe", "safe", "finalized"] {
        let shown = dom.matches(&format!("data-level=\"{level}\"")).count();
        assert_eq!(shown, 2, "each lane shows its {level} head:\n{dom}");
    }
    let unsafe_902 = state["chains"][1]["heads"]["unsafeHead"]["number"].as_u64().unwrap();
    assert!(dom.contains("unsafe <b>#"), "head numbers are shown");
    assert!(unsafe_902 > 0);
    let row = format!("<tr class=\"message\" data-hash=\"{hash}\" data-state=\"relayed\">");
    assert!(dom.contains(&row), "the message is listed as relayed:\n{dom}");
    assert!(dom.contains("relayed</span>"), "the state is written out");
    assert!(dom.contains(&format!("<h2 id=\"detail-hash\">{hash}</h2>")), "the looked-up message is shown");
    assert!(dom.contains(&send_tx), "its send transaction is named");
    assert!(dom.contains("Source block safety") && dom.contains("data-outcome=\"relayed\""), "{dom}");
    assert_eq!(
        dom.matches("<tr class=\"message\"").count(),
        2,
        "the relayed and the failed message are listed"
    );
    let failed_hash = failed["hash"].as_str().unwrap();
    let failed_row = format!("<tr class=\"message\" data-hash=\"{failed_hash}\" data-state=\"failed\">");
    assert!(dom.contains(&failed_row), "the failed relay is listed as failed:\n{dom}");
    assert!(!dom.contains("forged ×"), "the refused forged relay left no trace");
    assert!(dom.contains("id=\"chain-filter\"") && dom.contains("id=\"collapse-all\""));

    let screenshot = target_dir().join("dashboard.png");
    let _ = std::fs::remove_file(&screenshot);
    chromium(&[
        format!("--screenshot={}", screenshot.display()),
        "--window-size=1400,900".to_string(),
        "--hide-scrollbars".to_string(),
        url,
    ]);
    let png = std::fs::read(&screenshot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "a real screenshot ({} bytes)", png.len());

    // `superlink verify` against the same chains serves the page too.
    let datadir = tempfile::tempdir().unwrap();
    let deps = datadir.path().join("deps.json");
    std::fs::write(&deps, r#"{"dependencies": {"901": {}, "902": {}}, "overrideMessageExpiryWindow": 0}"#)
        .unwrap();
    let port = free_port();
    let mut verify = Command::new(env!("CARGO_BIN_EXE_superlink"))
        .args(["verify", "--deps", deps.to_str().unwrap(), "--rpc", &format!("901={u901}")])
        .args(["--rpc", &format!("902={u902}"), "--port", &port.to_string()])
        .arg("--datadir")
        .arg(datadir.path().join("index"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let verify_base = format!("http://127.0.0.1:{port}");
    let lanes = devnet.wait_for("superlink verify serves the dashboard with heads", || {
        TcpStream::connect(("127.0.0.1", port)).ok()?;
        let (status, state) = get_json(&verify_base, "/api/state");
        let lanes = state["chains"].as_array()?.clone();
        (status == 200 && lanes.iter().all(|l| l["heads"]["unsafeHead"].is_object())).then_some(lanes)
    });
    let _ = verify.kill();
    let _ = verify.wait();
    assert_eq!(lanes.len(), 2);
}
