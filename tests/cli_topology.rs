//! Black-box test of the production topology, built from separate processes as an operator runs it: two
//! `superlink node`s (chains 901 and 902, one block a second) whose pools check executing messages with
//! `--interop-rpc` against one `superlink verify` that follows both nodes, and `superlink autorelay` relaying
//! between them. cast drives it as a user would.
//!
//! The processes start in the one order that needs no restart: the nodes first, pointing at the verifier's
//! port before anything listens there (until the verifier answers they refuse executing messages, and only
//! those); then the verifier, which follows the nodes; then the autorelayer. A second test points a node at a
//! verifier that takes connections and never answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use serde_json::Value;
use superlink_testkit::{free_port, wait_for_chain};

#[path = "support/devnet.rs"]
mod devnet;
#[path = "support/messages.rs"]
mod messages;
#[path = "support/process.rs"]
mod process;

use devnet::{KEY_1, KEY_2, PATIENCE, address_of, cast, json, ok};
use messages::{
    MESSENGER, SentLog, count, increment_remote, pooled, relay_call, relayed_messages, sent_log,
    with_last_digit_changed,
};
use process::Process;

/// Anvil's fourth development key: the autorelayer pays for the relays with it.
const RELAYER_KEY: &str = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

/// Two nodes, the verifier they ask and the autorelayer, each its own process.
struct Topology {
    nodes: Vec<(u64, String, Process)>,
    verifier_port: u16,
    verifier: Option<Process>,
    autorelay: Option<Process>,
    dir: tempfile::TempDir,
}

impl Topology {
    /// The two nodes, started first: each asks the verifier at a port nothing listens on yet.
    fn start_nodes() -> Topology {
        let verifier_port = free_port();
        let interop = format!("http://127.0.0.1:{verifier_port}");
        let mut nodes = Vec::new();
        for chain_id in [901u64, 902] {
            let port = free_port().to_string();
            let chain = chain_id.to_string();
            let args = [
                "node",
                "--chain-id",
                &chain,
                "--port",
                &port,
                "--block-time",
                "1",
                "--interop-rpc",
                &interop,
            ];
            let mut node = Process::start(&format!("node {chain_id}"), &args);
            let url = format!("http://127.0.0.1:{port}");
            if let Err(e) = wait_for_chain(node.child.as_mut().unwrap(), &url, chain_id, PATIENCE) {
                panic!("node {chain_id} is not ready: {e}\n{}", node.log());
            }
            nodes.push((chain_id, url, node));
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("deps.json"), r#"{"dependencies": {"901": {}, "902": {}}}"#).unwrap();
        Topology { nodes, verifier_port, verifier: None, autorelay: None, dir }
    }

    fn url(&self, chain_id: u64) -> String {
        self.nodes.iter().find(|(id, _, _)| *id == chain_id).map(|(_, url, _)| url.clone()).unwrap()
    }

    fn verifier_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.verifier_port)
    }

    fn datadir(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// `superlink verify` following both nodes, on the port the nodes ask; returns once it answers for both
    /// chains.
    fn start_verifier(&mut self) {
        let deps = self.dir.path().join("deps.json");
        let rpcs = [format!("901={}", self.url(901)), format!("902={}", self.url(902))];
        let (port, datadir) = (self.verifier_port.to_string(), self.datadir());
        let args = [
            "verify",
            "--deps",
            path(&deps),
            "--rpc",
            &rpcs[0],
            "--rpc",
            &rpcs[1],
            "--datadir",
            path(&datadir),
            "--port",
            &port,
            "--poll-interval-ms",
            "100",
        ];
        self.verifier = Some(Process::start("verifier", &args));
        self.wait_for("the verifier answers for both chains", |t| {
            let status = t.sync_status()?;
            (status["chains"]["901"].is_object() && status["chains"]["902"].is_object()).then_some(())
        });
    }

    fn stop_verifier(&mut self) {
        self.verifier.as_mut().expect("the verifier runs").stop(PATIENCE);
        self.verifier = None;
    }

    /// `superlink autorelay` between the two nodes, from their genesis (so no message sent while it starts is
    /// missed).
    fn start_autorelay(&mut self) {
        let (u901, u902) = (self.url(901), self.url(902));
        let args = [
            "autorelay",
            "--rpc",
            &u901,
            "--rpc",
            &u902,
            "--private-key",
            RELAYER_KEY,
            "--from-genesis",
            "--poll-interval-ms",
            "100",
        ];
        self.autorelay = Some(Process::start("autorelay", &args));
    }

    fn sync_status(&self) -> Option<Value> {
        let out = cast(&["rpc", "--rpc-url", &self.verifier_url(), "supervisor_syncStatus"]).ok()?;
        serde_json::from_str(&out).ok()
    }

    /// Waits until the verifier holds block `number` of `chain_id` as cross-unsafe: a relay of a message from
    /// it is then admitted.
    fn wait_cross_unsafe(&self, chain_id: u64, number: u64) {
        self.wait_for(&format!("block {number} of {chain_id} is cross-unsafe"), |t| {
            let status = t.sync_status()?;
            let cross_unsafe = status["chains"][chain_id.to_string()]["crossUnsafe"]["number"].as_u64()?;
            (cross_unsafe >= number).then_some(())
        });
    }

    fn block_number(&self, chain_id: u64) -> u64 {
        ok(&["block-number", "--rpc-url", &self.url(chain_id)]).parse().unwrap()
    }

    /// Waits until chain `chain_id` has `count` blocks more than now.
    fn wait_blocks(&self, chain_id: u64, count: u64) {
        let start = self.block_number(chain_id);
        self.wait_for(&format!("{count} more blocks on {chain_id}"), |t| {
            (t.block_number(chain_id) >= start + count).then_some(())
        });
    }

    /// Polls `done` until it returns `Some`, failing with `what` and every process's log after the deadline.
    fn wait_for<T>(&self, what: &str, mut done: impl FnMut(&Self) -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(value) = done(self) {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting until {what}\n{}", self.logs());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn logs(&self) -> String {
        let mut logs: Vec<String> = self.nodes.iter().map(|(_, _, node)| node.log()).collect();
        logs.extend(self.verifier.iter().chain(&self.autorelay).map(Process::log));
        logs.join("\n")
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Sends the relay of `log` on 902 by hand from `key`, declaring `payload` in its access list; with
/// `nonce_ahead`, one nonce ahead of the sender's, so that it waits in the pool. The transaction hash, or the
/// node's refusal.
fn send_relay(
    url: &str,
    key: &str,
    log: &SentLog,
    payload: &str,
    nonce_ahead: bool,
) -> Result<String, String> {
    let (access_list, calldata) = relay_call(log, payload);
    let nonce: u64 = ok(&["nonce", &address_of(key), "--rpc-url", url]).parse().unwrap();
    let nonce = (nonce + u64::from(nonce_ahead)).to_string();
    let args = [
        "send",
        "--async",
        "--private-key",
        key,
        "--nonce",
        &nonce,
        "--gas-limit",
        "1000000",
        "--access-list",
        &access_list,
        MESSENGER,
        &calldata,
        "--rpc-url",
        url,
    ];
    cast(&args).map(|hash| hash.trim().to_string())
}

#[test]
fn nodes_asking_a_separate_verifier_relay_refuse_forgeries_drop_reorged_relays_and_fail_closed_without_it() {
    let mut topology = Topology::start_nodes();
    topology.start_verifier();
    let (u901, u902) = (topology.url(901), topology.url(902));

    // A relay whose source block is reorged away: admitted while its message stands, kept by the re-checks
    // after each block, dropped once 901 goes back to before the message and the verifier follows.
    let snapshot = ok(&["rpc", "evm_snapshot", "--rpc-url", &u901]);
    let sent = increment_remote(&u901);
    let log = sent_log(&sent, &u901);
    topology.wait_cross_unsafe(901, log.block.parse().unwrap());
    let relayer = address_of(KEY_1);
    let nonce_before = ok(&["nonce", &relayer, "--rpc-url", &u902]);
    let waiting = send_relay(&u902, KEY_1, &log, &log.payload, true).expect("a relay of a standing message");
    assert!(pooled(&u902, &waiting), "the relay waits in 902's pool");
    topology.wait_blocks(902, 2);
    assert!(pooled(&u902, &waiting), "a relay of a standing message stays pooled");
    assert_eq!(ok(&["rpc", "evm_revert", snapshot.trim_matches('"'), "--rpc-url", &u901]), "true");
    topology.wait_for("the relay is dropped from 902's pool", |_| (!pooled(&u902, &waiting)).then_some(()));
    assert_eq!(ok(&["nonce", &relayer, "--rpc-url", &u902]), nonce_before);
    assert_eq!(count(&u902), 0);

    // A message is relayed by the autorelayer and delivered.
    topology.start_autorelay();
    let sent = increment_remote(&u901);
    let log = sent_log(&sent, &u901);
    topology.wait_for("the counter on 902 counts the message", |_| (count(&u902) == 1).then_some(()));
    assert_eq!(relayed_messages(&u902).as_array().unwrap().len(), 1);

    // A forged relay (a payload the source never emitted, declared with a correct checksum) is refused at
    // submission with the verifier's reason, and nothing is mined.
    let forger = address_of(KEY_2);
    let nonce_before = ok(&["nonce", &forger, "--rpc-url", &u902]);
    let refused = send_relay(&u902, KEY_2, &log, &with_last_digit_changed(&log.payload), false)
        .expect_err("a forged relay must be refused");
    assert!(refused.contains("invalid executing message"), "{refused}");
    assert!(refused.contains("does not match the log"), "{refused}");
    assert_eq!(ok(&["nonce", &forger, "--rpc-url", &u902]), nonce_before);

    // Without its verifier, 902 refuses executing messages and says why, and still mines everything else.
    topology.stop_verifier();
    let sent = increment_remote(&u901);
    let log = sent_log(&sent, &u901);
    let refused = send_relay(&u902, KEY_2, &log, &log.payload, false).expect_err("no verifier, no relay");
    assert!(refused.contains("interop check unavailable"), "{refused}");
    assert!(refused.contains("refused until the verifier answers"), "{refused}");
    let transfer = json(&[
        "send",
        "--json",
        "--private-key",
        KEY_2,
        "--value",
        "1",
        "0x000000000000000000000000000000000000dEaD",
        "--rpc-url",
        &u902,
    ]);
    assert_eq!(transfer["status"], "0x1", "{transfer}");
    topology.wait_blocks(902, 2);
    assert_eq!(count(&u902), 1, "nothing relayed while the verifier is away");

    // Back on its index, the verifier answers again, and the autorelayer's next attempt delivers.
    topology.start_verifier();
    topology.wait_for("the message sent while the verifier was away is delivered", |_| {
        (count(&u902) == 2).then_some(())
    });
}

#[test]
fn a_node_whose_verifier_hangs_refuses_executing_messages_after_the_timeout_and_mines_everything_else() {
    // A "verifier" that takes every connection and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hanging = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().map_while(Result::ok).collect();
        drop(held);
    });
    let port = free_port().to_string();
    let args = [
        "node",
        "--chain-id",
        "902",
        "--port",
        &port,
        "--block-time",
        "1",
        "--interop-rpc",
        &hanging,
        "--interop-timeout",
        "500ms",
    ];
    let mut node = Process::start("node 902", &args);
    let url = format!("http://127.0.0.1:{port}");
    if let Err(e) = wait_for_chain(node.child.as_mut().unwrap(), &url, 902, PATIENCE) {
        panic!("the node is not ready: {e}\n{}", node.log());
    }

    // A transaction declaring an executing message waits for the verifier, then is refused saying why.
    let out = messages::superlink(&[
        "encode",
        "access-list",
        "--json",
        "--origin",
        MESSENGER,
        "--block-number",
        "1",
        "--log-index",
        "0",
        "--timestamp",
        "1",
        "--chain-id",
        "901",
        "--payload",
        "0x01",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let access_list = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let sink = "0x000000000000000000000000000000000000dEaD";
    let declared = [
        "send",
        "--async",
        "--private-key",
        KEY_1,
        "--gas-limit",
        "100000",
        "--access-list",
        &access_list,
        sink,
        "--rpc-url",
        &url,
    ];
    let refused = cast(&declared).expect_err("no answer, no executing message");
    assert!(refused.contains("interop check unavailable"), "{refused}");
    assert!(refused.contains("no answer within 500ms"), "{refused}");

    // Everything else is admitted and mined, block after block.
    let start: u64 = ok(&["block-number", "--rpc-url", &url]).parse().unwrap();
    for _ in 0..3 {
        let transfer =
            json(&["send", "--json", "--private-key", KEY_2, "--value", "1", sink, "--rpc-url", &url]);
        assert_eq!(transfer["status"], "0x1", "{transfer}");
    }
    let now: u64 = ok(&["block-number", "--rpc-url", &url]).parse().unwrap();
    assert!(now >= start + 3, "three transfers, three blocks: {start} -> {now}\n{}", node.log());
    let refused = cast(&declared).expect_err("still no answer");
    assert!(refused.contains("interop check unavailable"), "{refused}");
}
