//! Crash safety: a child process (this test binary, running the ignored `crash_child_writes_forever` test)
//! appends, rewinds and sets heads in a loop until it is killed with SIGKILL; reopening the file must then
//! give a consistent prefix: contiguous blocks linked by parent hash, every block's logs complete, heads at or
//! below the latest block.

#![allow(clippy::unwrap_used)]

mod common;

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use alloy_primitives::{B256, keccak256};
use common::block;
use superlink_logdb::{BlockId, BlockWithLogs, LogDb, LogDbConfig, SafetyHead, SyncPolicy};

const DIR_VAR: &str = "SUPERLINK_LOGDB_CRASH_DIR";
const SYNC_VAR: &str = "SUPERLINK_LOGDB_CRASH_SYNC_EVERY";
const START: u64 = 500;

fn log_count(number: u64) -> u32 {
    20 + (number % 5) as u32
}

fn config(sync_every: u32) -> LogDbConfig {
    let sync = if sync_every <= 1 { SyncPolicy::EveryCommit } else { SyncPolicy::EveryNthCommit(sync_every) };
    LogDbConfig { sync, ..LogDbConfig::default() }
}

#[test]
#[ignore = "child process of crash_leaves_a_consistent_prefix"]
fn crash_child_writes_forever() {
    let Ok(dir) = std::env::var(DIR_VAR) else { return };
    let sync_every: u32 = std::env::var(SYNC_VAR).ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let db = LogDb::open(std::path::Path::new(&dir).join("chain.redb"), config(sync_every)).unwrap();
    let mut round: u64 = 0;
    loop {
        round += 1;
        let latest = db.latest_block();
        let mut parent = latest.map_or(B256::ZERO, |s| s.hash);
        let mut number = latest.map_or(START, |s| s.number + 1);
        let mut next = |fork: u64| {
            let b: BlockWithLogs = block(number, parent, fork, log_count(number), 10);
            parent = b.seal.hash;
            number += 1;
            b
        };
        if round.is_multiple_of(7) {
            let batch: Vec<_> = (0..5).map(|_| next(round)).collect();
            db.append_blocks(&batch).unwrap();
        } else {
            let b = next(round);
            db.append_block(b.seal, &b.logs).unwrap();
        }
        let latest = db.latest_block().unwrap();
        if round.is_multiple_of(13) && latest.number >= START + 3 {
            db.rewind_to(latest.number - 3).unwrap();
        }
        if round.is_multiple_of(5) {
            let target =
                db.block(db.latest_block().unwrap().number.saturating_sub(1).max(START)).unwrap().unwrap();
            db.set_head(SafetyHead::CrossUnsafe, target.id()).unwrap();
            let l1 = BlockId::new(target.number, keccak256(target.number.to_be_bytes()));
            db.set_local_safe(target.id(), Some(l1)).unwrap();
            db.set_head(SafetyHead::Finalized, db.first_block().unwrap().id()).unwrap();
        }
    }
}

fn check_prefix(db: &LogDb) -> u64 {
    let summary = db.check_invariants().unwrap();
    let (Some(first), Some(latest)) = (db.first_block(), db.latest_block()) else { return 0 };
    assert_eq!(first.number, START);
    assert_eq!(summary.blocks, latest.number - first.number + 1);
    for number in first.number..=latest.number {
        let seal = db.block(number).unwrap().unwrap();
        let logs = db.logs_of_block(number).unwrap().unwrap();
        assert_eq!(logs.len() as u32, log_count(number), "block {number} has a partial set of logs");
        for (i, log) in logs.iter().enumerate() {
            assert_eq!(log.log_hash, keccak256([seal.hash.as_slice(), &(i as u32).to_be_bytes()].concat()));
        }
    }
    for level in SafetyHead::ALL {
        if let Some(head) = db.head(level) {
            assert!(head.number <= latest.number);
            assert!(db.contains(head.number, head.hash).unwrap());
        }
    }
    summary.blocks
}

#[test]
fn crash_leaves_a_consistent_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut progressed = 0;
    for (round, sync_every) in [1u32, 8, 1, 64, 1, 8].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .args(["crash_child_writes_forever", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(DIR_VAR, dir.path())
            .env(SYNC_VAR, sync_every.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Different delays land the kill at different points of the write loop.
        std::thread::sleep(Duration::from_millis(400 + 137 * round as u64));
        assert!(child.try_wait().unwrap().is_none(), "the writer process stopped on its own");
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let db = LogDb::open(dir.path().join("chain.redb"), LogDbConfig::default()).unwrap();
        let blocks = check_prefix(&db);
        eprintln!("round {round} (sync every {sync_every} commits): {blocks} blocks after the kill");
        if blocks > 0 {
            progressed += 1;
        }
    }
    assert!(progressed > 0, "the writer never committed a block");
}
