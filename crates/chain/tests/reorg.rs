//! Reorganisations: rewinding the head, and replacing a block with a deposits-only block of the same
//! attributes while rebuilding its descendants. The store, the state and the pool stay consistent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, TxKind, U256};
use common::*;
use op_alloy_consensus::TxDeposit;
use superlink_chain::{Chain, ChainError, LogFilter, l1_info};

fn number(n: u64) -> BlockId {
    BlockId::Number(BlockNumberOrTag::Number(n))
}

/// Every block in the store is reachable by number and hash, links to its parent, and every transaction
/// index entry points at the transaction with that hash.
fn assert_store_consistent(chain: &Chain) {
    for n in 0..=chain.head_number() {
        let block = chain.block_by_number(n).unwrap();
        assert_eq!(chain.block_by_hash(&block.hash()).unwrap().number(), n);
        if n > 0 {
            assert_eq!(block.header.parent_hash, chain.block_by_number(n - 1).unwrap().hash());
        }
        for (index, tx) in block.transactions.iter().enumerate() {
            let (found, found_index) = chain.transaction(&tx.hash).unwrap();
            assert_eq!((found.number(), found_index), (n, index));
        }
    }
    assert!(chain.block_by_number(chain.head_number() + 1).is_none());
    // The head state is the one the head header commits to.
    assert_eq!(chain.recompute_state_root(), chain.head().header.state_root);
}

fn user_deposit(index: u64, to: Address) -> TxDeposit {
    TxDeposit {
        source_hash: l1_info::deposit_source_hash(
            l1_info::USER_DEPOSIT_DOMAIN,
            B256::repeat_byte(9),
            U256::from(index),
        ),
        from: Address::repeat_byte(0x42),
        to: TxKind::Call(to),
        mint: 1_000,
        value: U256::from(1_000u64),
        gas_limit: 50_000,
        is_system_transaction: false,
        input: Default::default(),
    }
}

#[test]
fn rewind_removes_blocks_and_returns_user_transactions_to_the_pool() {
    let dev = Dev::new(2);
    let mut chain = chain(&dev);
    let target = Address::repeat_byte(0x77);
    chain.mine(GENESIS_TIME + 2).unwrap();
    let root_at_1 = chain.head().header.state_root;
    let mut mined = Vec::new();
    for i in 0..3u64 {
        let a = chain.submit_transaction(sign(&dev.signers[0], transfer(i, target, 10))).unwrap().hash;
        let b = chain.submit_transaction(sign(&dev.signers[1], transfer(i, target, 20))).unwrap().hash;
        chain.queue_deposit(user_deposit(i, target));
        chain.mine(GENESIS_TIME + 4 + 2 * i).unwrap();
        mined.extend([a, b]);
    }
    assert_eq!(chain.head_number(), 4);
    chain.set_safe(3).unwrap();
    chain.set_finalized(2).unwrap();
    let removed_hashes: Vec<B256> = (2..=4).map(|n| chain.block_by_number(n).unwrap().hash()).collect();

    let outcome = chain.rewind_to(1).unwrap();
    assert_eq!(chain.head_number(), 1);
    assert_eq!(outcome.removed.iter().map(|b| b.hash()).collect::<Vec<_>>(), removed_hashes);
    for hash in &removed_hashes {
        assert!(chain.block_by_hash(hash).is_none());
    }
    assert_eq!(chain.head().header.state_root, root_at_1);
    assert_store_consistent(&chain);
    assert_eq!(chain.safe_number(), 1);
    assert_eq!(chain.finalized_number(), 1);
    // All six user transactions are back in the pool (deposits are not: they come from L1 again).
    let mut reinserted = outcome.reinserted.clone();
    reinserted.sort();
    let mut expected = mined.clone();
    expected.sort();
    assert_eq!(reinserted, expected);
    assert!(outcome.refused.is_empty());
    for hash in &mined {
        assert!(chain.transaction(hash).is_none());
        assert!(chain.pool().contains(hash));
    }
    assert_eq!(chain.balance(target, BlockId::latest()).unwrap(), U256::ZERO);
    assert!(chain.logs(&LogFilter::range(2, 10)).is_empty());

    // Mining again includes them all, in nonce order per sender.
    let block = chain.mine(GENESIS_TIME + 20).unwrap().block;
    assert_eq!(block.transactions.iter().filter(|tx| !tx.is_deposit()).count(), 6);
    assert_eq!(chain.balance(target, BlockId::latest()).unwrap(), U256::from(90u64));
    assert_store_consistent(&chain);
}

#[test]
fn deposits_only_replacement_keeps_attributes_and_rebuilds_descendants() {
    let dev = Dev::new(2);
    let mut chain = chain(&dev);
    let target = Address::repeat_byte(0x77);
    chain.mine(GENESIS_TIME + 2).unwrap();
    // Block 2: A nonce 0, a user deposit.
    let a0 = chain.submit_transaction(sign(&dev.signers[0], transfer(0, target, 10))).unwrap().hash;
    chain.queue_deposit(user_deposit(0, target));
    chain.mine(GENESIS_TIME + 4).unwrap();
    // Block 3: A nonce 1 (depends on block 2), B nonce 0 (independent).
    let a1 = chain.submit_transaction(sign(&dev.signers[0], transfer(1, target, 10))).unwrap().hash;
    let b0 = chain.submit_transaction(sign(&dev.signers[1], transfer(0, target, 20))).unwrap().hash;
    chain.mine(GENESIS_TIME + 6).unwrap();
    // Block 4: empty.
    chain.mine(GENESIS_TIME + 8).unwrap();
    let old: Vec<_> = (2..=4).map(|n| chain.block_by_number(n).unwrap()).collect();

    let outcome = chain.replace_with_deposits_only(2).unwrap();
    assert_eq!(chain.head_number(), 4);
    assert_eq!(outcome.replaced.len(), 3);
    for (replaced, old) in outcome.replaced.iter().zip(&old) {
        assert_eq!(replaced.old_hash, old.hash());
        assert_ne!(replaced.new_hash, old.hash());
        let new = chain.block_by_number(replaced.number).unwrap();
        assert_eq!(new.hash(), replaced.new_hash);
        // Same attributes: timestamp, L1 origin, sequence number, deposits.
        assert_eq!(new.attributes, old.attributes);
        assert_eq!(new.timestamp(), old.timestamp());
    }
    // Block 2 now holds only its deposits (L1 attributes + user deposit).
    let new2 = chain.block_by_number(2).unwrap();
    assert_eq!(new2.transactions.len(), 2);
    assert!(new2.transactions.iter().all(|tx| tx.is_deposit()));
    assert_eq!(new2.transactions[0].hash, old[0].transactions[0].hash);
    assert_eq!(new2.transactions[1].hash, old[0].transactions[1].hash);
    assert_eq!(outcome.removed.iter().map(|tx| tx.hash).collect::<Vec<_>>(), vec![a0]);
    // Block 3 keeps B's transaction; A's nonce 1 can no longer run and is dropped.
    let new3 = chain.block_by_number(3).unwrap();
    let users: Vec<B256> = new3.transactions.iter().filter(|tx| !tx.is_deposit()).map(|tx| tx.hash).collect();
    assert_eq!(users, vec![b0]);
    assert_eq!(outcome.dropped.iter().map(|(tx, _)| tx.hash).collect::<Vec<_>>(), vec![a1]);
    assert!(chain.transaction(&a0).is_none());
    assert!(chain.transaction(&a1).is_none());
    assert_eq!(chain.nonce(dev.address(0), BlockId::latest()).unwrap(), 0);
    assert_eq!(chain.balance(target, BlockId::latest()).unwrap(), U256::from(1_020u64));
    assert_store_consistent(&chain);
    // History stays readable across the rebuilt blocks.
    assert_eq!(chain.balance(target, number(2)).unwrap(), U256::from(1_000u64));
    assert!(matches!(chain.replace_with_deposits_only(0), Err(ChainError::GenesisImmutable)));
    assert!(matches!(chain.replace_with_deposits_only(9), Err(ChainError::BeyondHead { .. })));
}

#[test]
fn snapshots_restore_the_whole_chain() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    let target = Address::repeat_byte(0x77);
    chain.mine(GENESIS_TIME + 2).unwrap();
    let head = chain.head();
    let id = chain.snapshot();
    chain.submit_transaction(sign(&dev.signers[0], transfer(0, target, 10))).unwrap();
    chain.mine(GENESIS_TIME + 4).unwrap();
    chain.set_balance(target, U256::from(5u64));
    let later = chain.snapshot();
    chain.mine(GENESIS_TIME + 6).unwrap();

    chain.revert_to_snapshot(id).unwrap();
    assert_eq!(chain.head().hash(), head.hash());
    assert_eq!(chain.balance(target, BlockId::latest()).unwrap(), U256::ZERO);
    assert_store_consistent(&chain);
    // Later snapshots are gone with it; reverting twice fails.
    assert!(matches!(chain.revert_to_snapshot(later), Err(ChainError::UnknownSnapshot(_))));
    assert!(matches!(chain.revert_to_snapshot(id), Err(ChainError::UnknownSnapshot(_))));
}

#[test]
fn blocks_that_leave_the_chain_are_still_found_by_hash() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    let target = Address::repeat_byte(0x77);
    chain.mine(GENESIS_TIME + 2).unwrap();
    chain.submit_transaction(sign(&dev.signers[0], transfer(0, target, 5))).unwrap();
    let rewound = chain.mine(GENESIS_TIME + 4).unwrap().block;
    let tx = rewound.transactions[1].hash;
    chain.rewind_to(1).unwrap();
    assert!(chain.block_by_hash(&rewound.hash()).is_none(), "no longer canonical");
    let by_hash = |chain: &Chain, hash: B256| chain.block(BlockId::hash(hash)).map(|block| block.hash());
    assert_eq!(by_hash(&chain, rewound.hash()), Some(rewound.hash()));
    assert!(
        chain.block(BlockId::Hash(alloy_eips::RpcBlockHash::from_hash(rewound.hash(), Some(true)))).is_none()
    );
    let (block, index) = chain.orphan_transaction(&tx).unwrap();
    assert_eq!((block.hash(), block.transactions[index].hash), (rewound.hash(), tx));
    // The replacement of a block keeps the old one too, and a snapshot revert the blocks it drops.
    let replaced = chain.mine(GENESIS_TIME + 6).unwrap().block;
    assert_eq!(replaced.transactions.len(), 2, "the rewound transfer was mined again");
    chain.replace_with_deposits_only(2).unwrap();
    assert_ne!(chain.head().hash(), replaced.hash());
    assert_eq!(by_hash(&chain, replaced.hash()), Some(replaced.hash()));
    let snapshot = chain.snapshot();
    let dropped = chain.mine(GENESIS_TIME + 8).unwrap().block;
    chain.revert_to_snapshot(snapshot).unwrap();
    assert_eq!(chain.head_number(), 2);
    assert_eq!(by_hash(&chain, dropped.hash()), Some(dropped.hash()));
    // Canonical blocks are not orphans.
    assert!(chain.orphan_block(&chain.head().hash()).is_none());
    assert_store_consistent(&chain);
}
