//! `best_transactions`: highest effective tip first across senders, nonce order within a sender, and
//! `mark_invalid` skipping a sender's later nonces.

use alloy_primitives::B256;
use superlink_txpool::PoolTransaction;

use crate::helpers::{BASE_FEE, CHAIN_ID, GWEI, funded, key, legacy, pool, sign, transfer};

const BASE: u128 = BASE_FEE as u128;

#[test]
fn highest_tip_first_but_each_sender_in_nonce_order() {
    let mut pool = pool();
    let (a, b, c) = (key(1), key(2), key(3));
    let state = funded(&[a.address(), b.address(), c.address()]);
    // A's second transaction pays the most, but cannot come before A's first.
    let a0 = sign(&a, transfer(0, BASE + 100 * GWEI, 5 * GWEI));
    let a1 = sign(&a, transfer(1, BASE + 100 * GWEI, 50 * GWEI));
    let b0 = sign(&b, transfer(0, BASE + 100 * GWEI, 10 * GWEI));
    let c0 = sign(&c, transfer(0, BASE + 100 * GWEI, 3 * GWEI));
    for tx in [&a1, &c0, &b0, &a0] {
        pool.add_transaction(tx.clone(), &state).unwrap();
    }
    let order: Vec<B256> = pool.best_transactions(BASE_FEE).map(|tx| tx.hash()).collect();
    assert_eq!(order, vec![b0.hash(), a0.hash(), a1.hash(), c0.hash()]);
}

#[test]
fn effective_tip_is_capped_by_fee_cap_minus_base_fee() {
    let mut pool = pool();
    let (a, b) = (key(1), key(2));
    let state = funded(&[a.address(), b.address()]);
    // A tip as large as its fee cap, but only 1 wei of room above the base fee: it earns 1 wei per gas.
    let capped = sign(&a, transfer(0, BASE + 1, BASE + 1));
    // Legacy at base fee + 5 wei: the whole excess is the tip.
    let legacy_tx = sign(&b, legacy(0, BASE + 5, Some(CHAIN_ID)));
    pool.add_transaction(capped.clone(), &state).unwrap();
    pool.add_transaction(legacy_tx.clone(), &state).unwrap();
    let order: Vec<B256> = pool.best_transactions(BASE_FEE).map(|tx| tx.hash()).collect();
    assert_eq!(order, vec![legacy_tx.hash(), capped.hash()]);
}

#[test]
fn equal_tips_go_to_the_earlier_arrival() {
    let mut pool = pool();
    let (a, b) = (key(1), key(2));
    let state = funded(&[a.address(), b.address()]);
    let first = sign(&b, transfer(0, 10 * GWEI, GWEI));
    let second = sign(&a, transfer(0, 10 * GWEI, GWEI));
    pool.add_transaction(first.clone(), &state).unwrap();
    pool.add_transaction(second.clone(), &state).unwrap();
    let order: Vec<B256> = pool.best_transactions(BASE_FEE).map(|tx| tx.hash()).collect();
    assert_eq!(order, vec![first.hash(), second.hash()]);
}

#[test]
fn mark_invalid_skips_the_senders_later_nonces() {
    let mut pool = pool();
    let (a, b) = (key(1), key(2));
    let state = funded(&[a.address(), b.address()]);
    let a_txs: Vec<PoolTransaction> = (0..3).map(|n| sign(&a, transfer(n, 100 * GWEI, 20 * GWEI))).collect();
    let b0 = sign(&b, transfer(0, 100 * GWEI, GWEI));
    for tx in a_txs.iter().chain([&b0]) {
        pool.add_transaction(tx.clone(), &state).unwrap();
    }
    let mut best = pool.best_transactions(BASE_FEE);
    let first = best.next().unwrap();
    assert_eq!(first.hash(), a_txs[0].hash());
    best.mark_invalid(&first);
    let rest: Vec<B256> = best.map(|tx| tx.hash()).collect();
    assert_eq!(rest, vec![b0.hash()], "A's nonces 1 and 2 are skipped");
    assert_eq!(pool.len(), 4, "the iterator never changes the pool");
}

#[test]
fn queued_transactions_are_not_offered() {
    let mut pool = pool();
    let state = funded(&[key(1).address()]);
    pool.add_transaction(sign(&key(1), transfer(0, 10 * GWEI, GWEI)), &state).unwrap();
    pool.add_transaction(sign(&key(1), transfer(2, 10 * GWEI, GWEI)), &state).unwrap();
    let nonces: Vec<u64> = pool.best_transactions(BASE_FEE).map(|tx| tx.nonce()).collect();
    assert_eq!(nonces, vec![0]);
}

#[test]
fn an_underwater_transaction_blocks_its_senders_later_nonces() {
    let mut pool = pool();
    let state = funded(&[key(1).address()]);
    pool.add_transaction(sign(&key(1), transfer(0, BASE - 1, 0)), &state).unwrap();
    pool.add_transaction(sign(&key(1), transfer(1, 10 * GWEI, GWEI)), &state).unwrap();
    assert_eq!(pool.best_transactions(BASE_FEE).count(), 0);
    assert_eq!(pool.best_transactions(BASE_FEE - 1).count(), 2);
}
