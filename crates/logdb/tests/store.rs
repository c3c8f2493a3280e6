//! Behaviour of the log index: appends, lookups, heads, rewinds, reopening, and every typed error.

#![allow(clippy::unwrap_used)]
mod common;

use alloy_primitives::{B256, keccak256};
use common::{block, chain};
use superlink_logdb::{
    BlockId, ConflictReason, IndexedExecMessage, LogDb, LogDbConfig, LogDbError, SafetyHead, SyncPolicy,
};

fn open(dir: &tempfile::TempDir) -> LogDb {
    LogDb::open(dir.path().join("chain.redb"), LogDbConfig::default()).unwrap()
}

fn open_with(dir: &tempfile::TempDir, config: LogDbConfig) -> LogDb {
    LogDb::open(dir.path().join("chain.redb"), config).unwrap()
}

#[test]
fn appended_blocks_and_logs_are_found_by_number_hash_and_index() {
    let dir = tempfile::tempdir().unwrap();
    // A window smaller than the chain, so lookups are served both from memory and from disk.
    let db = open_with(&dir, LogDbConfig { recent_blocks: 4, ..LogDbConfig::default() });
    let blocks = chain(1000, 12, B256::repeat_byte(9), 0, 7);
    for b in &blocks {
        db.append_block(b.seal, &b.logs).unwrap();
        db.check_invariants().unwrap();
    }
    assert_eq!(db.first_block(), Some(blocks[0].seal));
    assert_eq!(db.latest_block(), Some(blocks[11].seal));
    assert_eq!(db.head(SafetyHead::LocalUnsafe), Some(blocks[11].seal.id()));
    for b in &blocks {
        let n = b.seal.number;
        assert_eq!(db.block(n).unwrap(), Some(b.seal));
        assert_eq!(db.block_by_hash(b.seal.hash).unwrap(), Some(b.seal));
        assert!(db.contains(n, b.seal.hash).unwrap());
        assert!(!db.contains(n, keccak256(b.seal.hash)).unwrap());
        assert_eq!(db.logs_of_block(n).unwrap().as_deref(), Some(b.logs.as_slice()));
        for (i, log) in b.logs.iter().enumerate() {
            assert_eq!(db.log(n, i as u32).unwrap(), Some((*log, b.seal)));
        }
        assert_eq!(db.log(n, b.logs.len() as u32).unwrap(), None);
        let expected: Vec<_> = b
            .logs
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.exec.map(|exec| IndexedExecMessage { log_index: i as u32, exec }))
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(db.executing_messages_of_block(n).unwrap(), Some(expected));
    }
    assert_eq!(db.blocks_in_range(0, u64::MAX).unwrap(), blocks);
    assert_eq!(db.blocks_in_range(1003, 1005).unwrap(), blocks[3..6]);
    assert_eq!(db.blocks_in_range(1020, 1030).unwrap(), []);
    for b in &blocks {
        let ts = b.seal.timestamp;
        assert_eq!(db.last_block_at_or_before(ts).unwrap(), Some(b.seal));
        assert_eq!(db.last_block_at_or_before(ts + 1).unwrap(), Some(b.seal));
    }
    assert_eq!(db.last_block_at_or_before(blocks[0].seal.timestamp - 1).unwrap(), None);
    assert_eq!(db.last_block_at_or_before(u64::MAX).unwrap(), Some(blocks[11].seal));
    assert_eq!(db.block(999).unwrap(), None);
    assert_eq!(db.block(1012).unwrap(), None);
    assert_eq!(db.log(1012, 0).unwrap(), None);
    assert_eq!(db.block_by_hash(B256::repeat_byte(1)).unwrap(), None);
    let summary = db.check_invariants().unwrap();
    assert_eq!(summary.blocks, 12);
    assert_eq!(summary.logs, blocks.iter().map(|b| b.logs.len() as u64).sum::<u64>());
}

#[test]
fn a_gap_is_out_of_order_and_a_block_before_the_first_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir);
    let blocks = chain(10, 3, B256::ZERO, 0, 1);
    db.append_block(blocks[0].seal, &blocks[0].logs).unwrap();
    let err = db.append_block(blocks[2].seal, &blocks[2].logs).unwrap_err();
    assert!(matches!(err, LogDbError::OutOfOrder { number: 12, expected: 11 }), "{err}");
    assert_eq!(err.rpc_code(), Some(-320900));
    let before = block(9, B256::ZERO, 0, 1, 0);
    let err = db.append_block(before.seal, &before.logs).unwrap_err();
    assert!(matches!(err, LogDbError::OutOfOrder { number: 9, .. }), "{err}");
    assert_eq!(db.latest_block(), Some(blocks[0].seal));
    db.check_invariants().unwrap();
}

#[test]
fn the_configured_start_block_is_enforced_on_an_empty_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_with(&dir, LogDbConfig { start_block: Some(50), ..LogDbConfig::default() });
    let wrong = block(49, B256::ZERO, 0, 0, 0);
    let err = db.append_block(wrong.seal, &wrong.logs).unwrap_err();
    assert!(matches!(err, LogDbError::OutOfOrder { number: 49, expected: 50 }), "{err}");
    let right = block(50, B256::ZERO, 0, 0, 0);
    db.append_block(right.seal, &right.logs).unwrap();
    assert_eq!(db.first_block(), Some(right.seal));
    db.check_invariants().unwrap();
}

#[test]
fn a_wrong_parent_or_another_block_at_a_stored_height_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir);
    let blocks = chain(0, 3, B256::ZERO, 0, 2);
    for b in &blocks {
        db.append_block(b.seal, &b.logs).unwrap();
    }
    let orphan = block(3, B256::repeat_byte(7), 0, 2, 0);
    let err = db.append_block(orphan.seal, &orphan.logs).unwrap_err();
    match err {
        LogDbError::Conflict { number: 3, reason: ConflictReason::ParentMismatch { latest }, .. } => {
            assert_eq!(latest, blocks[2].seal.hash)
        }
        other => panic!("unexpected {other}"),
    }
    let fork = block(1, blocks[0].seal.hash, 1, 2, 0);
    let err = db.append_block(fork.seal, &fork.logs).unwrap_err();
    assert_eq!(err.rpc_code(), Some(-320600));
    match err {
        LogDbError::Conflict { number: 1, reason: ConflictReason::DifferentBlock { stored }, .. } => {
            assert_eq!(stored, blocks[1].seal.hash)
        }
        other => panic!("unexpected {other}"),
    }
    db.check_invariants().unwrap();
}

#[test]
fn a_block_already_stored_is_ineffective() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir);
    let blocks = chain(5, 3, B256::ZERO, 0, 2);
    for b in &blocks {
        db.append_block(b.seal, &b.logs).unwrap();
    }
    for b in &blocks {
        let err = db.append_block(b.seal, &b.logs).unwrap_err();
        assert!(matches!(err, LogDbError::Ineffective { number, .. } if number == b.seal.number), "{err}");
        assert_eq!(err.rpc_code(), Some(-320601));
    }
    db.check_invariants().unwrap();
}

#[test]
fn a_batch_is_appended_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir);
    let mut blocks = chain(0, 6, B256::ZERO, 0, 3);
    db.append_blocks(&blocks[..2]).unwrap();
    assert_eq!(db.latest_block(), Some(blocks[1].seal));
    // Break the continuity in the middle of the next batch.
    blocks[4].seal.parent_hash = B256::repeat_byte(1);
    let err = db.append_blocks(&blocks[2..]).unwrap_err();
    assert!(matches!(err, LogDbError::Conflict { number: 4, .. }), "{err}");
    assert_eq!(db.latest_block(), Some(blocks[1].seal));
    assert_eq!(db.block(2).unwrap(), None);
    assert_eq!(db.block_by_hash(blocks[2].seal.hash).unwrap(), None);
    db.check_invariants().unwrap();
}

#[test]
fn heads_must_name_stored_canonical_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir);
    let err = db.set_head(SafetyHead::CrossSafe, BlockId::new(0, B256::ZERO)).unwrap_err();
    assert!(matches!(err, LogDbError::HeadBeyondLatest { latest: None, .. }), "{err}");
    let blocks = chain(100, 5, B256::ZERO, 0, 1);
    db.append_blocks(&blocks).unwrap();
    for level in SafetyHead::STORED {
        assert_eq!(db.head(level), None);
        db.set_head(level, blocks[2].seal.id()).unwrap();
        assert_eq!(db.head(level), Some(blocks[2].seal.id()));
        db.check_invariants().unwrap();
    }
    let err = db.set_head(SafetyHead::Finalized, BlockId::new(105, B256::ZERO)).unwrap_err();
    assert!(matches!(err, LogDbError::HeadBeyondLatest { number: 105, latest: Some(104), .. }), "{err}");
    assert_eq!(err.rpc_code(), Some(-321401));
    let err = db.set_head(SafetyHead::CrossUnsafe, BlockId::new(103, B256::repeat_byte(3))).unwrap_err();
    assert!(matches!(err, LogDbError::HeadNotCanonical { number: 103, .. }), "{err}");
    let err = db.set_head(SafetyHead::CrossUnsafe, BlockId::new(99, B256::ZERO)).unwrap_err();
    assert!(matches!(err, LogDbError::HeadNotCanonical { number: 99, .. }), "{err}");
    let err = db.set_head(SafetyHead::LocalUnsafe, blocks[4].seal.id()).unwrap_err();
    assert!(matches!(err, LogDbError::LocalUnsafeNotSettable), "{err}");
    assert_eq!(db.head(SafetyHead::CrossUnsafe), Some(blocks[2].seal.id()));
    let heads = db.heads();
    assert_eq!(heads.local_unsafe, Some(blocks[4].seal.id()));
    assert_eq!(heads.finalized, Some(blocks[2].seal.id()));
    db.check_invariants().unwrap();
}

#[test]
fn local_safe_records_the_l1_block_it_was_derived_from() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir);
    let blocks = chain(0, 6, B256::ZERO, 0, 1);
    db.append_blocks(&blocks).unwrap();
    let l1 = |n: u64| BlockId::new(n, keccak256(n.to_be_bytes()));
    db.set_local_safe(blocks[1].seal.id(), Some(l1(20))).unwrap();
    db.set_local_safe(blocks[3].seal.id(), Some(l1(21))).unwrap();
    db.set_local_safe(blocks[4].seal.id(), None).unwrap();
    assert_eq!(db.head(SafetyHead::LocalSafe), Some(blocks[4].seal.id()));
    assert_eq!(db.derived_from(1).unwrap(), Some(l1(20)));
    assert_eq!(db.derived_from(3).unwrap(), Some(l1(21)));
    assert_eq!(db.derived_from(4).unwrap(), None);
    let err = db.set_local_safe(blocks[5].seal.id(), Some(l1(19))).unwrap_err();
    assert!(matches!(err, LogDbError::DerivedFromOutOfOrder { number: 5, l1_number: 19, previous_l1: 21 }));
    assert_eq!(db.head(SafetyHead::LocalSafe), Some(blocks[4].seal.id()));
    assert_eq!(db.last_derived_at(19).unwrap(), None);
    assert_eq!(db.last_derived_at(20).unwrap(), Some((blocks[1].seal.id(), l1(20))));
    assert_eq!(db.last_derived_at(21).unwrap(), Some((blocks[3].seal.id(), l1(21))));
    assert_eq!(db.last_derived_at(500).unwrap(), Some((blocks[3].seal.id(), l1(21))));
    // Lowering local-safe forgets the records above it.
    db.set_local_safe(blocks[2].seal.id(), None).unwrap();
    assert_eq!(db.derived_from(3).unwrap(), None);
    assert_eq!(db.derived_from(1).unwrap(), Some(l1(20)));
    db.check_invariants().unwrap();
}

#[test]
fn rewind_drops_later_blocks_lowers_heads_and_accepts_a_new_fork() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_with(&dir, LogDbConfig { recent_blocks: 3, ..LogDbConfig::default() });
    let blocks = chain(20, 10, B256::ZERO, 0, 4);
    db.append_blocks(&blocks).unwrap();
    db.set_head(SafetyHead::CrossUnsafe, blocks[8].seal.id()).unwrap();
    db.set_local_safe(blocks[7].seal.id(), Some(BlockId::new(3, B256::repeat_byte(3)))).unwrap();
    db.set_head(SafetyHead::Finalized, blocks[2].seal.id()).unwrap();

    assert_eq!(db.rewind_to(24).unwrap(), 5);
    db.check_invariants().unwrap();
    assert_eq!(db.latest_block(), Some(blocks[4].seal));
    assert_eq!(db.head(SafetyHead::CrossUnsafe), Some(blocks[4].seal.id()));
    assert_eq!(db.head(SafetyHead::LocalSafe), Some(blocks[4].seal.id()));
    assert_eq!(db.head(SafetyHead::Finalized), Some(blocks[2].seal.id()));
    assert_eq!(db.derived_from(27).unwrap(), None);
    for b in &blocks[5..] {
        assert_eq!(db.block(b.seal.number).unwrap(), None);
        assert_eq!(db.block_by_hash(b.seal.hash).unwrap(), None);
        assert_eq!(db.log(b.seal.number, 0).unwrap(), None);
    }
    let fork = chain(25, 4, blocks[4].seal.hash, 1, 2);
    db.append_blocks(&fork).unwrap();
    db.check_invariants().unwrap();
    assert_eq!(db.block(26).unwrap(), Some(fork[1].seal));
    assert_eq!(db.logs_of_block(26).unwrap().as_deref(), Some(fork[1].logs.as_slice()));

    assert_eq!(db.rewind_to(40).unwrap(), 0);
    let err = db.rewind_to(19).unwrap_err();
    assert!(matches!(err, LogDbError::RewindBeforeFirst { number: 19, first: 20 }), "{err}");
    assert_eq!(err.rpc_code(), Some(-321200));
    assert_eq!(db.rewind_to(20).unwrap(), 8);
    assert_eq!(db.latest_block(), Some(blocks[0].seal));
    assert_eq!(db.head(SafetyHead::Finalized), Some(blocks[0].seal.id()));
    db.check_invariants().unwrap();
}

#[test]
fn everything_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let blocks = chain(7, 20, B256::ZERO, 0, 5);
    {
        let db = open(&dir);
        db.append_blocks(&blocks[..15]).unwrap();
        db.rewind_to(12).unwrap();
        db.append_blocks(&blocks[6..]).unwrap();
        db.set_head(SafetyHead::CrossSafe, blocks[10].seal.id()).unwrap();
        db.set_local_safe(blocks[11].seal.id(), Some(BlockId::new(5, B256::repeat_byte(5)))).unwrap();
    }
    let db = open(&dir);
    db.check_invariants().unwrap();
    assert_eq!(db.first_block(), Some(blocks[0].seal));
    assert_eq!(db.latest_block(), Some(blocks[19].seal));
    assert_eq!(db.head(SafetyHead::CrossSafe), Some(blocks[10].seal.id()));
    assert_eq!(db.head(SafetyHead::LocalSafe), Some(blocks[11].seal.id()));
    assert_eq!(db.derived_from(18).unwrap(), Some(BlockId::new(5, B256::repeat_byte(5))));
    for b in &blocks {
        assert_eq!(db.logs_of_block(b.seal.number).unwrap().as_deref(), Some(b.logs.as_slice()));
    }
    let next = block(27, blocks[19].seal.hash, 0, 1, 0);
    db.append_block(next.seal, &next.logs).unwrap();
    db.check_invariants().unwrap();
}

#[test]
fn deferred_sync_commits_are_visible_at_once_and_durable_after_flush_or_close() {
    let dir = tempfile::tempdir().unwrap();
    let config = LogDbConfig { sync: SyncPolicy::EveryNthCommit(1000), ..LogDbConfig::default() };
    let blocks = chain(0, 10, B256::ZERO, 0, 3);
    {
        let db = open_with(&dir, config);
        for b in &blocks[..5] {
            db.append_block(b.seal, &b.logs).unwrap();
            assert_eq!(db.block(b.seal.number).unwrap(), Some(b.seal));
        }
        db.flush().unwrap();
        for b in &blocks[5..] {
            db.append_block(b.seal, &b.logs).unwrap();
        }
        // Closing makes the pending commits durable too.
    }
    let db = open_with(&dir, config);
    assert_eq!(db.latest_block(), Some(blocks[9].seal));
    db.check_invariants().unwrap();
}

#[test]
fn a_file_of_another_format_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.redb");
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(superlink_logdb::layout::META).unwrap().insert("format_version", 99u64).unwrap();
        txn.commit().unwrap();
    }
    let err = LogDb::open(&path, LogDbConfig::default()).unwrap_err();
    assert!(matches!(err, LogDbError::UnsupportedFormat { found: 99, .. }), "{err}");
    assert_eq!(err.rpc_code(), Some(-321501));
}

#[test]
fn one_file_per_chain_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let a = superlink_logdb::chain_db_path(dir.path(), alloy_primitives::U256::from(901));
    let b = superlink_logdb::chain_db_path(dir.path(), alloy_primitives::U256::from(902));
    assert_ne!(a, b);
    let db_a = LogDb::open(&a, LogDbConfig::default()).unwrap();
    let db_b = LogDb::open(&b, LogDbConfig::default()).unwrap();
    let blocks = chain(0, 2, B256::ZERO, 0, 1);
    db_a.append_blocks(&blocks).unwrap();
    assert_eq!(db_b.latest_block(), None);
    assert_eq!(db_a.latest_block(), Some(blocks[1].seal));
}

#[test]
fn the_index_is_shared_between_threads_and_readers_see_appends() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<LogDb>();
    let dir = tempfile::tempdir().unwrap();
    // No window: readers go to the storage snapshot, which must follow every commit.
    let db = std::sync::Arc::new(open_with(&dir, LogDbConfig { recent_blocks: 0, ..LogDbConfig::default() }));
    let blocks = chain(0, 40, B256::ZERO, 0, 2);
    let reader = {
        let db = db.clone();
        let blocks = blocks.clone();
        std::thread::spawn(move || {
            let mut seen = 0;
            while seen < blocks.len() {
                if let Some(latest) = db.latest_block() {
                    for b in &blocks[..=latest.number as usize] {
                        assert_eq!(db.log(b.seal.number, 0).unwrap(), Some((b.logs[0], b.seal)));
                    }
                    seen = latest.number as usize + 1;
                }
            }
        })
    };
    for b in &blocks {
        db.append_block(b.seal, &b.logs).unwrap();
    }
    reader.join().unwrap();
    db.rewind_to(10).unwrap();
    assert_eq!(db.log(11, 0).unwrap(), None);
    assert_eq!(db.log(10, 0).unwrap(), Some((blocks[10].logs[0], blocks[10].seal)));
    db.check_invariants().unwrap();
}

/// Builds a healthy five-block store, damages it with `damage` through the storage engine directly, and
/// returns what the invariant walk says after reopening.
fn damaged(
    damage: impl FnOnce(&redb::WriteTransaction),
) -> Result<superlink_logdb::IndexSummary, LogDbError> {
    use superlink_logdb::layout::HEADS;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.redb");
    {
        let db = LogDb::open(&path, LogDbConfig::default()).unwrap();
        db.append_blocks(&chain(0, 5, B256::ZERO, 0, 3)).unwrap();
        db.set_head(SafetyHead::CrossSafe, db.block(3).unwrap().unwrap().id()).unwrap();
        db.check_invariants().unwrap();
    }
    {
        let raw = redb::Database::open(&path).unwrap();
        let txn = raw.begin_write().unwrap();
        let _ = txn.open_table(HEADS).unwrap();
        damage(&txn);
        txn.commit().unwrap();
    }
    LogDb::open(&path, LogDbConfig::default()).unwrap().check_invariants()
}

#[test]
fn the_invariant_walk_reports_damaged_stores() {
    use redb::ReadableTable;
    use superlink_logdb::layout::{BLOCK_HASHES, BLOCKS, HEADS};
    let gap = damaged(|txn| {
        txn.open_table(BLOCKS).unwrap().remove(2).unwrap();
    });
    assert!(matches!(gap, Err(LogDbError::Corrupt(ref m)) if m.contains("gap")), "{gap:?}");

    let truncated = damaged(|txn| {
        let mut blocks = txn.open_table(BLOCKS).unwrap();
        let record = blocks.get(2).unwrap().unwrap().value().to_vec();
        blocks.insert(2, &record[..record.len() - 1]).unwrap();
    });
    assert!(matches!(truncated, Err(LogDbError::BadRecord { number: 2, .. })), "{truncated:?}");
    assert_eq!(truncated.unwrap_err().rpc_code(), Some(-321501));

    let relinked = damaged(|txn| {
        let mut blocks = txn.open_table(BLOCKS).unwrap();
        let mut record = blocks.get(3).unwrap().unwrap().value().to_vec();
        record[32] ^= 1; // first byte of the parent hash
        blocks.insert(3, record.as_slice()).unwrap();
    });
    assert!(matches!(relinked, Err(LogDbError::Corrupt(ref m)) if m.contains("parent")), "{relinked:?}");

    let stale_hash = damaged(|txn| {
        txn.open_table(BLOCK_HASHES).unwrap().insert(&[7u8; 32], 1).unwrap();
    });
    assert!(
        matches!(stale_hash, Err(LogDbError::Corrupt(ref m)) if m.contains("hash index")),
        "{stale_hash:?}"
    );

    let bad_head = damaged(|txn| {
        let mut id = [0u8; 40];
        id[7] = 3; // block 3, hash zero
        txn.open_table(HEADS).unwrap().insert(3, &id).unwrap();
    });
    assert!(matches!(bad_head, Err(LogDbError::Corrupt(ref m)) if m.contains("head")), "{bad_head:?}");
}
