//! Long fuzzing campaigns against the JSON-RPC surfaces of `superlink node` and `superlink verify`: starts both
//! (the verifier following the node), sends each a seeded stream of random, mutated and malformed requests,
//! batches, broken and oversized bodies for a number of cases or minutes, and prints what ran and every failure
//! (a malformed answer, no answer in time, a panic, a process that died). Exits 1 on any failure.
//!
//! ```sh
//! cargo build --release -p superlink-cli
//! cargo run --release -p superlink-benches --bin rpcfuzz -- --binary target/release/superlink --minutes 10
//! ```
//!
//! The short campaign in `tests/cli_fuzz.rs` runs in the test suite; figures go in RELIABILITY.md.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::Parser;
use serde_json::{Value, json};
use superlink_testkit::{
    free_port,
    rpc_fuzz::{Campaign, Method, call, run},
};

#[path = "../../../tests/support/rpc_surface.rs"]
mod rpc_surface;

#[path = "../../../tests/support/fuzz_target.rs"]
mod fuzz_target;

use fuzz_target::Process;

#[derive(Debug, Parser)]
#[command(about = "Fuzz the JSON-RPC surfaces of superlink node and superlink verify")]
struct Args {
    /// The superlink binary.
    #[arg(long, default_value = "target/release/superlink")]
    binary: PathBuf,
    /// Minutes per surface.
    #[arg(long, default_value_t = 2.0)]
    minutes: f64,
    /// Cases per surface at most.
    #[arg(long, default_value_t = u64::MAX)]
    cases: u64,
    /// The generator's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seconds one request may take before the server counts as hung.
    #[arg(long, default_value_t = 15)]
    request_timeout: u64,
}

fn campaign(args: &Args, seed: u64, liveness: (Value, Value)) -> Campaign {
    Campaign {
        seed,
        cases: args.cases,
        max_duration: Duration::from_secs_f64(args.minutes * 60.0),
        request_timeout: Duration::from_secs(args.request_timeout),
        liveness,
        liveness_every: 25,
        oversized_one_in: 500,
        oversized_bytes: 12 * 1024 * 1024,
        keep_going: true,
    }
}

fn fuzz(name: &str, addr: SocketAddr, surface: &[Method], campaign: &Campaign) -> bool {
    match run(addr, surface, campaign) {
        Ok(report) => {
            println!("{name}: {report}");
            report.failures.is_empty()
        }
        Err(failure) => {
            println!("{name}: stopped: {failure}");
            false
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let node_port = free_port();
    let node_args = ["node", "--chain-id", "901", "--port", &node_port.to_string()].map(String::from);
    let node = match Process::start(&args.binary, &node_args, node_port, "eth_chainId") {
        Ok(node) => node,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let Ok(dir) = tempfile::tempdir() else {
        eprintln!("cannot create a temporary directory");
        return ExitCode::FAILURE;
    };
    let deps = dir.path().join("deps.json");
    if let Err(e) = std::fs::write(&deps, r#"{"dependencies": {"901": {}}}"#) {
        eprintln!("cannot write {}: {e}", deps.display());
        return ExitCode::FAILURE;
    }
    let verifier_port = free_port();
    let verifier_args = [
        "verify".into(),
        "--deps".into(),
        deps.display().to_string(),
        "--rpc".into(),
        format!("901=http://{}", node.addr),
        "--datadir".into(),
        dir.path().join("index").display().to_string(),
        "--port".into(),
        verifier_port.to_string(),
    ];
    let verifier = match Process::start(&args.binary, &verifier_args, verifier_port, "supervisor_syncStatus")
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };

    let chain_id =
        (json!({"jsonrpc": "2.0", "id": 0, "method": "eth_chainId", "params": []}), json!("0x385"));
    let mut ok = fuzz("node", node.addr, &rpc_surface::node(), &campaign(&args, args.seed, chain_id));
    let dependency_set =
        json!({"jsonrpc": "2.0", "id": 0, "method": "supervisor_dependencySetV1", "params": []});
    match call(verifier.addr, &dependency_set, Duration::from_secs(5)) {
        Ok(answer) => {
            let liveness = (dependency_set, answer["result"].clone());
            let seed = args.seed.wrapping_add(1);
            ok &= fuzz("verifier", verifier.addr, &rpc_surface::verifier(), &campaign(&args, seed, liveness));
        }
        Err(e) => {
            println!("verifier: no answer before the campaign: {e}");
            ok = false;
        }
    }
    for (name, process) in [("verifier", verifier), ("node", node)] {
        let (alive, log) = process.stop();
        let panics = log.matches("panicked").count();
        println!(
            "{name}: {} at the end, {panics} panics logged",
            if alive { "running" } else { "NOT running" }
        );
        ok &= alive && panics == 0;
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
