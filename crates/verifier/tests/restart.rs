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

/// Synthetic history for the reload test: both chains have a block every 10 s; every block of 901 emits one
/// log, every fifth block of 902 executes the log of 901's block `LAG` blocks earlier, and 902's last block executes a log
/// that does not exist (it is invalid, so 902's cross heads stop below it).
mod history {
    use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
    use superlink_protocol::{ExecutingMessage, Identifier, predeploys::CROSS_L2_INBOX};
    use superlink_verifier::{BlockRef, SourceBlock, SourceLog};

    pub const BLOCKS: u64 = 800;
    /// How many blocks (of 10 s) back a message of 902 reaches: 500 s, within the 600 s expiry window.
    pub const LAG: u64 = 50;
    pub const EMITTER: Address = Address::repeat_byte(0xe1);

    pub fn timestamp(number: u64) -> u64 {
        10 + 10 * number
    }

    fn hash(chain: u64, number: u64) -> B256 {
        keccak256([chain.to_be_bytes(), number.to_be_bytes()].concat())
    }

    /// The message 901's block `number` initiates: its identifier and msgHash.
    pub fn message(number: u64) -> (Identifier, B256) {
        let id = Identifier {
            origin: EMITTER,
            block_number: number,
            log_index: 0,
            timestamp: timestamp(number),
            chain_id: U256::from(901),
        };
        (id, keccak256(number.to_be_bytes()))
    }

    fn executing(id: Identifier, msg_hash: B256) -> SourceLog {
        let (topics, data) = ExecutingMessage { identifier: id, msg_hash }.encode_log();
        SourceLog { address: CROSS_L2_INBOX, topics, data }
    }

    pub fn block(chain: u64, number: u64) -> SourceBlock {
        let parent_hash = number.checked_sub(1).map_or(B256::ZERO, |p| hash(chain, p));
        let block = BlockRef { hash: hash(chain, number), number, parent_hash, timestamp: timestamp(number) };
        let logs = if chain == 901 {
            // The payload is the data alone (no topics): its hash is the msgHash of `message`.
            vec![SourceLog {
                address: EMITTER,
                topics: vec![],
                data: Bytes::from(number.to_be_bytes().to_vec()),
            }]
        } else if number == BLOCKS - 1 {
            let (mut id, msg_hash) = message(number - 1);
            id.log_index = 7;
            vec![executing(id, msg_hash)]
        } else if number.is_multiple_of(5) && number >= LAG {
            let (id, msg_hash) = message(number - LAG);
            vec![executing(id, msg_hash)]
        } else {
            vec![]
        };
        SourceBlock { block, logs }
    }
}

/// A verifier reopened on an index holding far more than the expiry window loads only the window (the blocks a
/// running verifier keeps in memory), yet ends with the same heads, the same invalid blocks and the same
/// answers to access-list checks as the verifier that indexed the whole history.
#[test]
fn a_reopened_verifier_loads_only_the_expiry_window_and_answers_as_before() {
    use superlink_protocol::SafetyLevel;
    use superlink_verifier::{ChainLookup, ExecutingDescriptor, Verifier};

    const WINDOW: u64 = 600;
    let dependencies = dependency_set(&[901, 902]).with_message_expiry_window(WINDOW).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let starts = BTreeMap::new();
    let first = Verifier::open(dependencies.clone(), dir.path(), &starts).unwrap();
    for from in (0..history::BLOCKS).step_by(100) {
        for chain in [901, 902] {
            let blocks: Vec<_> = (from..from + 100).map(|n| history::block(chain, n)).collect();
            first.ingest(chain, &blocks).unwrap();
        }
        let safe = (from + 90).min(history::BLOCKS - 5);
        for chain in [901, 902] {
            first.set_local_tags(chain, Some(safe), Some(safe - 10)).unwrap();
        }
    }
    let heads_before = [first.heads(901), first.heads(902)];
    let invalid_before = first.read().invalid_blocks();
    assert_eq!(invalid_before.len(), 1, "902's last block executes a missing log: {invalid_before:?}");
    let range_before = first.read().view().range(902).unwrap();
    assert!(range_before.0 > 0, "the running verifier pruned blocks older than the window: {range_before:?}");

    // Checks at the latest time: recent messages at every level, and messages just inside and outside expiry.
    let now = history::timestamp(history::BLOCKS - 1);
    let check_all = |verifier: &Verifier| {
        let mut answers = Vec::new();
        for number in
            [history::BLOCKS - 2, history::BLOCKS - 20, (now - WINDOW - 10) / 10, (now - WINDOW + 20) / 10]
        {
            let (id, msg_hash) = history::message(number);
            let entries = superlink_protocol::access_list_keys(&id, msg_hash);
            for level in
                [SafetyLevel::Unsafe, SafetyLevel::CrossUnsafe, SafetyLevel::Safe, SafetyLevel::Finalized]
            {
                let descriptor = ExecutingDescriptor {
                    timestamp: now + 1,
                    timeout: None,
                    chain_id: alloy_primitives::U256::from(902),
                };
                answers.push((number, level, verifier.check_access_list_now(&entries, level, descriptor)));
            }
        }
        answers
    };
    let answers_before = check_all(&first);
    assert!(answers_before.iter().any(|(_, _, a)| a.is_ok()), "{answers_before:?}");
    assert!(answers_before.iter().any(|(_, _, a)| a.is_err()), "{answers_before:?}");
    first.flush().unwrap();
    drop(first);

    let reopened = Verifier::open(dependencies, dir.path(), &starts).unwrap();
    for chain in [901, 902] {
        let (low, high) = reopened.read().view().range(chain).unwrap();
        assert_eq!(high, history::BLOCKS - 1);
        assert!(low > 0, "chain {chain}: the blocks older than the window stay on disk only");
        let loaded = high - low + 1;
        assert!(
            loaded <= (WINDOW + 3_600) / 10 + 60,
            "chain {chain}: {loaded} blocks loaded, more than the expiry window and margin below the heads"
        );
    }
    assert_eq!([reopened.heads(901), reopened.heads(902)], heads_before);
    assert_eq!(reopened.read().invalid_blocks(), invalid_before);
    assert_eq!(check_all(&reopened), answers_before);

    // And it goes on from there as the first one would: the next blocks are indexed and resolved.
    for chain in [901, 902] {
        reopened.ingest(chain, &[history::block(chain, history::BLOCKS)]).unwrap_or_else(|e| {
            // 902's chain is stopped by its invalid block; appending still works.
            panic!("chain {chain}: {e}")
        });
    }
    assert_eq!(reopened.latest(901).map(|b| b.number), Some(history::BLOCKS));
    assert_eq!(reopened.heads(901).and_then(|h| h.cross_unsafe).map(|b| b.number), Some(history::BLOCKS));
}
