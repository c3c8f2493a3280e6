//! Robustness of the JSON-RPC surfaces: `superlink node` and `superlink verify` (following that node) are sent
//! every method with random, mutated and malformed parameters, batches, broken and oversized bodies. Neither may
//! panic, hang or stop serving: every request gets a well-formed answer in time, a liveness request keeps
//! getting the right answer, and both processes are still running, with no panic in their logs, at the end.
//! `cargo run -p superlink-benches --bin rpcfuzz` runs longer campaigns (RELIABILITY.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{net::SocketAddr, time::Duration};

use serde_json::json;
use superlink_testkit::{
    free_port,
    rpc_fuzz::{Campaign, call, run},
};

#[path = "support/rpc_surface.rs"]
mod rpc_surface;

#[path = "support/fuzz_target.rs"]
mod fuzz_target;

use fuzz_target::Process;

/// Starts `superlink ARGS` serving on `port`, ready once it answers `probe`.
fn start(args: &[String], port: u16, probe: &str) -> Process {
    Process::start(std::path::Path::new(env!("CARGO_BIN_EXE_superlink")), args, port, probe)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn campaign(seed: u64, liveness: (serde_json::Value, serde_json::Value)) -> Campaign {
    Campaign {
        seed,
        cases: 1_500,
        max_duration: Duration::from_secs(90),
        request_timeout: Duration::from_secs(15),
        liveness,
        liveness_every: 25,
        oversized_one_in: 300,
        oversized_bytes: 12 * 1024 * 1024,
        keep_going: std::env::var_os("FUZZ_KEEP_GOING").is_some(),
    }
}

#[test]
fn node_and_verifier_keep_serving_under_random_and_malformed_requests() {
    let node_port = free_port();
    let node = start(
        &["node", "--chain-id", "901", "--port", &node_port.to_string()].map(String::from),
        node_port,
        "eth_chainId",
    );
    let datadir = tempfile::tempdir().unwrap();
    let deps = datadir.path().join("deps.json");
    std::fs::write(&deps, r#"{"dependencies": {"901": {}}}"#).unwrap();
    let verifier_port = free_port();
    let verifier = start(
        &[
            "verify".into(),
            "--deps".into(),
            deps.display().to_string(),
            "--rpc".into(),
            format!("901=http://{}", node.addr),
            "--datadir".into(),
            datadir.path().join("index").display().to_string(),
            "--port".into(),
            verifier_port.to_string(),
            "--poll-interval-ms".into(),
            "50".into(),
        ],
        verifier_port,
        "supervisor_syncStatus",
    );

    let chain_id =
        (json!({"jsonrpc": "2.0", "id": 0, "method": "eth_chainId", "params": []}), json!("0x385"));
    let report = run(node.addr, &rpc_surface::node(), &campaign(1, chain_id)).unwrap_or_else(|failure| {
        panic!("node: {failure}");
    });
    eprintln!("node: {report}");
    assert!(report.outcomes.get(&0).copied().unwrap_or(0) > 100, "too few calls succeeded: {report}");
    assert!(report.outcomes.keys().any(|code| *code != 0), "no call was refused: {report}");

    let dependency_set_request =
        json!({"jsonrpc": "2.0", "id": 0, "method": "supervisor_dependencySetV1", "params": []});
    let liveness = (dependency_set_request, dependency_set(verifier.addr));
    let report = run(verifier.addr, &rpc_surface::verifier(), &campaign(2, liveness))
        .unwrap_or_else(|failure| panic!("verifier: {failure}"));
    eprintln!("verifier: {report}");
    assert!(report.outcomes.get(&0).copied().unwrap_or(0) > 50, "too few calls succeeded: {report}");

    for (name, (alive, log)) in [("verifier", verifier.stop()), ("node", node.stop())] {
        assert!(alive, "{name} exited during the campaign:\n{log}");
        assert!(!log.contains("panicked"), "{name} panicked:\n{log}");
    }
}

/// The verifier's answer to `supervisor_dependencySetV1`, read once before the campaign.
fn dependency_set(addr: SocketAddr) -> serde_json::Value {
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "supervisor_dependencySetV1", "params": []});
    let answer = call(addr, &request, Duration::from_secs(5)).unwrap();
    assert_eq!(answer["result"]["dependencies"], json!({"901": {}}), "{answer}");
    answer["result"].clone()
}
