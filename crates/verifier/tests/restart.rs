//! Kill-and-restart: a verifier killed with SIGKILL while it indexes resumes from its durable index and ends
//! with the same heads and the same answers as a run that was never interrupted.

mod common;

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use alloy_primitives::B256;
use common::{Chain, Service, dependency_set, head_of};
use superlink_protocol::access_list_keys;
use superlink_testkit::free_port;
use superlink_verifier::{VerifierConfig, run};

const CHILD_ENV: &str = "SUPERLINK_VERIFIER_CHILD";

/// Runs a verifier service in a child process (started by the test below) until it is killed. The
/// configuration comes from the environment: `URL901 URL902 DATADIR PORT`.
#[test]
#[ignore = "runs only as the child process of the kill-and-restart test"]
fn child_verifier() {
    let Ok(spec) = std::env::var(CHILD_ENV) else { return };
    let parts: Vec<&str> = spec.split(' ').collect();
    let rpc_urls = BTreeMap::from([(901, parts[0].to_string()), (902, parts[1].to_string())]);
    let mut config = VerifierConfig::new(dependency_set(&[901, 902]), rpc_urls);
    config.datadir = PathBuf::from(parts[2]);
    config.listen_addr = SocketAddr::from(([127, 0, 0, 1], parts[3].parse::<u16>().unwrap()));
    config.poll_interval = Duration::from_millis(100);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(run(config, std::future::pending())).unwrap();
}

fn sync_status_blocking(port: u16) -> serde_json::Value {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"supervisor_syncStatus","params":[]}"#;
    let out = Command::new("curl")
        .args(["-s", "-m", "2", "-H", "content-type: application/json", "-d", body])
        .arg(format!("http://127.0.0.1:{port}"))
        .output();
    out.ok()
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
        .map(|v| v["result"].clone())
        .unwrap_or(serde_json::Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verifier_killed_while_indexing_resumes_to_the_same_heads_and_answers() {
    let a = Chain::start(901);
    let b = Chain::start(902);
    // History: messages early, in the middle and at the end of a few thousand blocks on both chains.
    let mut messages = Vec::new();
    for round in 0..3u8 {
        for i in 0..3u8 {
            messages.push(a.emit(&[round, i, 0xaa]));
        }
        for (id, hash) in &messages[messages.len() - 3..] {
            assert_eq!(b.execute(id, *hash)["status"], "0x1");
        }
        a.rpc(&["anvil_mine", "0x3e8"]);
        b.rpc(&["anvil_mine", "0x3e8"]);
    }
    let (head_a, head_b) = (a.head(), b.head());
    let claims: Vec<Vec<B256>> = messages.iter().map(|(id, hash)| access_list_keys(id, *hash)).collect();
    let executing_time = messages.last().map(|(id, _)| id.timestamp + 1).unwrap();

    // The uninterrupted run.
    let reference_dir = tempfile::tempdir().unwrap();
    let reference = Service::start(&[&a, &b], reference_dir.path()).await;
    // Caught up: every head of both chains where the chains' own blocks and labels put it (the safe and
    // finalized labels are read apart from the blocks, so the unsafe heads alone can arrive first).
    let labels: Vec<(u64, u64, u64, u64)> = [(901, &a, head_a), (902, &b, head_b)]
        .map(|(id, c, head)| (id, head, c.tagged("safe"), c.tagged("finalized")))
        .to_vec();
    let caught_up = |s: &serde_json::Value| {
        labels.iter().all(|&(id, head, safe, finalized)| {
            head_of(s, id, "crossUnsafe") == Some(head)
                && head_of(s, id, "safe") == Some(safe)
                && head_of(s, id, "finalized") == Some(finalized)
        })
    };
    let started = Instant::now();
    let expected = reference.wait_for(caught_up, "the reference run to catch up").await;
    eprintln!("reference run caught up with {head_a}+{head_b} blocks in {:?}", started.elapsed());
    let mut expected_answers = Vec::new();
    for claim in &claims {
        for level in ["unsafe", "cross-unsafe", "safe", "finalized"] {
            expected_answers.push(reference.check(claim, level, 902, executing_time).await);
        }
    }
    reference.stop().await;
    assert!(expected_answers.iter().any(Result::is_ok));

    // The interrupted run: a child process killed with SIGKILL part-way through indexing, twice.
    let datadir = tempfile::tempdir().unwrap();
    let mut killed_at = 0;
    for _ in 0..2 {
        let port = free_port();
        let spec = format!("{} {} {} {port}", a.url(), b.url(), datadir.path().display());
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_verifier", "--ignored", "--nocapture"])
            .env(CHILD_ENV, spec)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let status = sync_status_blocking(port);
            let indexed = head_of(&status, 901, "localUnsafe").unwrap_or(0);
            if indexed > killed_at || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let at_kill = sync_status_blocking(port);
        eprintln!(
            "killing the child at blocks {:?} / {:?}",
            head_of(&at_kill, 901, "localUnsafe"),
            head_of(&at_kill, 902, "localUnsafe")
        );
        killed_at = head_of(&at_kill, 901, "localUnsafe").unwrap_or(killed_at);
        child.kill().unwrap();
        child.wait().unwrap();
    }

    // The restarted run ends where the reference did.
    let restarted = Service::start(&[&a, &b], datadir.path()).await;
    let status = restarted.wait_for(caught_up, "the restarted run to catch up").await;
    assert_eq!(status, expected);
    let mut answers = Vec::new();
    for claim in &claims {
        for level in ["unsafe", "cross-unsafe", "safe", "finalized"] {
            answers.push(restarted.check(claim, level, 902, executing_time).await);
        }
    }
    assert_eq!(answers, expected_answers);
    restarted.stop().await;
}
