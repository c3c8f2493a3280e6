//! Random sequences of appends, rewinds, head updates and reopenings, checked against a simple in-memory
//! model and against the store's invariants after every operation.

#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::{B256, keccak256};
use common::block;
use proptest::prelude::*;
use superlink_logdb::{BlockId, BlockWithLogs, LogDb, LogDbConfig, LogDbError, SafetyHead, SyncPolicy};

#[derive(Debug, Clone)]
enum Op {
    /// Append this many blocks, in one batch or one by one.
    Append { count: u8, batch: bool, logs: u8 },
    /// Rewind this many blocks back from the latest.
    Rewind { back: u8 },
    /// Set a head to the block this many blocks back from the latest; a wrong hash if `forged`.
    SetHead { level: u8, back: u8, forged: bool },
    /// Set local-safe with a derived-from L1 block.
    SetLocalSafe { back: u8, l1_step: u8 },
    /// Offer a block that is already stored, this many back from the latest.
    Replay { back: u8 },
    /// Close and reopen the database.
    Reopen,
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u8..6, any::<bool>(), 0u8..12).prop_map(|(count, batch, logs)| Op::Append { count, batch, logs }),
        1 => (0u8..8).prop_map(|back| Op::Rewind { back }),
        2 => (0u8..4, 0u8..8, any::<bool>()).prop_map(|(level, back, forged)| Op::SetHead { level, back, forged }),
        1 => (0u8..8, 0u8..3).prop_map(|(back, l1_step)| Op::SetLocalSafe { back, l1_step }),
        1 => (0u8..8).prop_map(|back| Op::Replay { back }),
        1 => Just(Op::Reopen),
    ]
}

/// What the store should hold.
#[derive(Default)]
struct Model {
    blocks: Vec<BlockWithLogs>,
    heads: [Option<BlockId>; 4],
    derived: Vec<(u64, BlockId)>,
    fork: u64,
}

const START: u64 = 1_000;

impl Model {
    fn latest(&self) -> Option<u64> {
        self.blocks.last().map(|b| b.seal.number)
    }

    fn back(&self, back: u8) -> Option<&BlockWithLogs> {
        self.blocks.len().checked_sub(1 + back as usize).map(|i| &self.blocks[i])
    }
}

fn model_id(model: &Model, number: u64) -> BlockId {
    model.blocks.iter().find(|b| b.seal.number == number).unwrap().seal.id()
}

fn check(db: &LogDb, model: &Model) {
    db.check_invariants().unwrap();
    assert_eq!(db.latest_block(), model.blocks.last().map(|b| b.seal));
    assert_eq!(db.first_block(), model.blocks.first().map(|b| b.seal));
    for (i, level) in SafetyHead::STORED.into_iter().enumerate() {
        assert_eq!(db.head(level), model.heads[i], "{level} head");
    }
    for b in &model.blocks {
        assert_eq!(db.logs_of_block(b.seal.number).unwrap().as_deref(), Some(b.logs.as_slice()));
        assert_eq!(db.block_by_hash(b.seal.hash).unwrap(), Some(b.seal));
    }
    for (number, l1) in &model.derived {
        assert_eq!(db.derived_from(*number).unwrap(), Some(*l1));
        let latest_at_l1 = model.derived.iter().rev().find(|(_, other)| other.number <= l1.number);
        let expected = latest_at_l1.map(|(n, other)| (model_id(model, *n), *other));
        assert_eq!(db.last_derived_at(l1.number).unwrap(), expected);
    }
    if let Some((_, l1)) = model.derived.first().filter(|(_, l1)| l1.number > 0) {
        assert_eq!(db.last_derived_at(l1.number - 1).unwrap(), None);
    }
    if let Some(latest) = model.latest() {
        assert_eq!(db.block(latest + 1).unwrap(), None);
    }
}

fn run(ops: Vec<Op>, config: LogDbConfig) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.redb");
    let mut db = LogDb::open(&path, config).unwrap();
    let mut model = Model::default();
    for op in ops {
        match op {
            Op::Append { count, batch, logs } => {
                let mut parent = model.blocks.last().map_or(B256::ZERO, |b| b.seal.hash);
                let from = model.latest().map_or(START, |n| n + 1);
                let mut new = Vec::new();
                for number in from..from + u64::from(count) {
                    let b = block(number, parent, model.fork, u32::from(logs), 3);
                    parent = b.seal.hash;
                    new.push(b);
                }
                if batch {
                    db.append_blocks(&new).unwrap();
                } else {
                    for b in &new {
                        db.append_block(b.seal, &b.logs).unwrap();
                    }
                }
                model.blocks.extend(new);
            }
            Op::Rewind { back } => {
                let Some(target) = model.back(back).map(|b| b.seal) else {
                    if let Some(first) = model.blocks.first().map(|b| b.seal.number) {
                        let err = db.rewind_to(first - 1).unwrap_err();
                        assert!(matches!(err, LogDbError::RewindBeforeFirst { .. }));
                    }
                    continue;
                };
                let dropped = db.rewind_to(target.number).unwrap();
                assert_eq!(dropped, u64::from(back));
                model.blocks.truncate(model.blocks.len() - back as usize);
                for head in model.heads.iter_mut().flatten() {
                    if head.number > target.number {
                        *head = target.id();
                    }
                }
                model.derived.retain(|(n, _)| *n <= target.number);
                if back > 0 {
                    model.fork += 1;
                }
            }
            Op::SetHead { level, back, forged } => {
                let level_index = level as usize % 4;
                let level = SafetyHead::STORED[level_index];
                let target = match model.back(back) {
                    Some(b) => b.seal.id(),
                    None => BlockId::new(model.latest().map_or(START, |n| n + 1), B256::ZERO),
                };
                let id = if forged { BlockId::new(target.number, keccak256(target.hash)) } else { target };
                let result = db.set_head(level, id);
                if model.back(back).is_some() && !forged {
                    result.unwrap();
                    model.heads[level_index] = Some(id);
                    if level == SafetyHead::LocalSafe {
                        model.derived.retain(|(n, _)| *n <= id.number);
                    }
                } else {
                    let err = result.unwrap_err();
                    assert!(
                        matches!(
                            err,
                            LogDbError::HeadBeyondLatest { .. } | LogDbError::HeadNotCanonical { .. }
                        ),
                        "{err}"
                    );
                }
            }
            Op::SetLocalSafe { back, l1_step } => {
                let Some(target) = model.back(back).map(|b| b.seal.id()) else { continue };
                model.derived.retain(|(n, _)| *n <= target.number);
                let previous =
                    model.derived.iter().rev().find(|(n, _)| *n < target.number).map(|(_, l1)| l1.number);
                let l1_number = previous.unwrap_or(0) + u64::from(l1_step);
                let l1 = BlockId::new(l1_number, keccak256(l1_number.to_be_bytes()));
                db.set_local_safe(target, Some(l1)).unwrap();
                model.derived.retain(|(n, _)| *n != target.number);
                model.derived.push((target.number, l1));
                model.heads[1] = Some(target);
            }
            Op::Replay { back } => {
                let Some(b) = model.back(back) else { continue };
                let err = db.append_block(b.seal, &b.logs).unwrap_err();
                assert!(matches!(err, LogDbError::Ineffective { .. }), "{err}");
            }
            Op::Reopen => {
                db.flush().unwrap();
                drop(db);
                db = LogDb::open(&path, config).unwrap();
            }
        }
        check(&db, &model);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_the_store_consistent_and_equal_to_the_model(
        ops in proptest::collection::vec(arb_op(), 1..40),
        window in prop_oneof![Just(0usize), Just(3), Just(256)],
        deferred in any::<bool>(),
    ) {
        let sync = if deferred { SyncPolicy::EveryNthCommit(4) } else { SyncPolicy::EveryCommit };
        run(ops, LogDbConfig { sync, recent_blocks: window, ..LogDbConfig::default() });
    }
}
