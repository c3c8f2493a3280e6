//! New blocks: mined and stale nonces leave, pending transactions are re-checked against balance and the
//! admission hook, reorged transactions come back.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use alloy_primitives::{B256, U256};
use superlink_txpool::{AdmissionRejection, DropReason, PoolTransaction, SubPool};

use crate::helpers::{BASE_FEE, GWEI, funded, key, pool, sign, transfer};

#[test]
fn hook_rejections_are_dropped_at_the_next_block() {
    let mut pool = pool();
    let state = funded(&[key(1).address(), key(2).address()]);
    let banned: Arc<Mutex<HashSet<B256>>> = Arc::default();
    let hook_banned = Arc::clone(&banned);
    pool.set_admission_check(Arc::new(move |tx: &PoolTransaction| {
        if hook_banned.lock().unwrap().contains(&tx.hash()) {
            Err(AdmissionRejection::new("message expired"))
        } else {
            Ok(())
        }
    }));
    let a: Vec<_> = (0..3).map(|n| sign(&key(1), transfer(n, 10 * GWEI, GWEI))).collect();
    let b0 = sign(&key(2), transfer(0, 10 * GWEI, GWEI));
    for tx in a.iter().chain([&b0]) {
        pool.add_transaction(tx.clone(), &state).unwrap();
    }

    banned.lock().unwrap().insert(a[1].hash());
    let dropped = pool.on_new_block(&state, BASE_FEE);
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].tx.hash(), a[1].hash());
    assert_eq!(dropped[0].reason, DropReason::Rejected(AdmissionRejection::new("message expired")));
    assert!(!pool.contains(&a[1].hash()));
    assert_eq!(pool.subpool_of(&a[0].hash()), Some(SubPool::Pending));
    assert_eq!(pool.subpool_of(&a[2].hash()), Some(SubPool::Queued), "the gap demotes the later nonce");
    assert_eq!(pool.subpool_of(&b0.hash()), Some(SubPool::Pending));
}

#[test]
fn transactions_the_balance_no_longer_covers_are_dropped() {
    let mut pool = pool();
    let sender = key(1).address();
    let mut state = funded(&[sender]);
    let txs: Vec<_> = (0..3).map(|n| sign(&key(1), transfer(n, 10 * GWEI, GWEI))).collect();
    for tx in &txs {
        pool.add_transaction(tx.clone(), &state).unwrap();
    }
    // Enough for the first two only.
    let balance = txs[0].cost() + txs[1].cost();
    state.set_balance(sender, balance);
    let dropped = pool.on_new_block(&state, BASE_FEE);
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].tx.hash(), txs[2].hash());
    assert_eq!(
        dropped[0].reason,
        DropReason::InsufficientFunds { balance, cumulative_cost: balance + txs[2].cost() }
    );
    assert_eq!(pool.pending_count(), 2);

    // Nothing left: even the first one goes, and the others are queued behind the gap.
    state.set_balance(sender, U256::ZERO);
    let dropped = pool.on_new_block(&state, BASE_FEE);
    let hashes: Vec<B256> = dropped.iter().map(|d| d.tx.hash()).collect();
    assert!(hashes.contains(&txs[0].hash()));
    assert!(dropped.iter().all(|d| matches!(d.reason, DropReason::InsufficientFunds { .. })));
    assert_eq!(pool.pending_count(), 0);
}

#[test]
fn mined_nonces_leave_the_pool_and_the_next_is_pending() {
    let mut pool = pool();
    let sender = key(1).address();
    let mut state = funded(&[sender]);
    let txs: Vec<_> = (0..3).map(|n| sign(&key(1), transfer(n, 10 * GWEI, GWEI))).collect();
    for tx in &txs {
        pool.add_transaction(tx.clone(), &state).unwrap();
    }
    let mined = pool.remove_mined([txs[0].hash(), B256::repeat_byte(0xee)]);
    assert_eq!(mined.len(), 1);
    assert_eq!(pool.subpool_of(&txs[1].hash()), Some(SubPool::Pending));

    // Another block consumed nonce 1 with a transaction the pool never saw: nonce too low.
    state.set_nonce(sender, 2);
    let dropped = pool.on_new_block(&state, BASE_FEE);
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].tx.hash(), txs[1].hash());
    assert_eq!(dropped[0].reason, DropReason::NonceTooLow { state_nonce: 2 });
    let nonces: Vec<u64> = pool.best_transactions(BASE_FEE).map(|tx| tx.nonce()).collect();
    assert_eq!(nonces, vec![2]);
}

#[test]
fn reorged_transactions_are_reinserted_and_pending_again() {
    let mut pool = pool();
    let sender = key(1).address();
    let mut state = funded(&[sender]);
    let txs: Vec<_> = (0..3).map(|n| sign(&key(1), transfer(n, 10 * GWEI, GWEI))).collect();
    for tx in &txs {
        pool.add_transaction(tx.clone(), &state).unwrap();
    }
    // A block mines nonces 0 and 1.
    pool.remove_mined([txs[0].hash(), txs[1].hash()]);
    state.set_nonce(sender, 2);
    assert!(pool.on_new_block(&state, BASE_FEE).is_empty());

    // It is reorged out: the new head's state is back at nonce 0 and the block's transactions return.
    state.set_nonce(sender, 0);
    let outcomes = pool.reinsert([txs[1].clone(), txs[0].clone()], &state);
    assert!(outcomes.iter().all(|(_, outcome)| outcome.is_ok()), "{outcomes:?}");
    assert!(pool.on_new_block(&state, BASE_FEE).is_empty());
    let nonces: Vec<u64> = pool.best_transactions(BASE_FEE).map(|tx| tx.nonce()).collect();
    assert_eq!(nonces, vec![0, 1, 2]);
}

#[test]
fn queued_transactions_are_rechecked_too() {
    let mut pool = pool();
    let state = funded(&[key(1).address()]);
    let banned: Arc<Mutex<HashSet<B256>>> = Arc::default();
    let hook_banned = Arc::clone(&banned);
    pool.set_admission_check(Arc::new(move |tx: &PoolTransaction| {
        if hook_banned.lock().unwrap().contains(&tx.hash()) {
            Err(AdmissionRejection::new("initiating message reorged out"))
        } else {
            Ok(())
        }
    }));
    let queued = sign(&key(1), transfer(4, 10 * GWEI, GWEI));
    pool.add_transaction(queued.clone(), &state).unwrap();
    assert_eq!(pool.subpool_of(&queued.hash()), Some(SubPool::Queued));

    banned.lock().unwrap().insert(queued.hash());
    let dropped = pool.on_new_block(&state, BASE_FEE);
    assert_eq!(dropped.len(), 1);
    assert_eq!(
        dropped[0].reason,
        DropReason::Rejected(AdmissionRejection::new("initiating message reorged out"))
    );
    assert!(pool.is_empty());
}

/// A hook that cannot judge pooled transactions now (its remote checker does not answer): it refuses new
/// ones, but keeps those already pooled.
struct Unanswered;

impl superlink_txpool::AdmissionCheck for Unanswered {
    fn check(&self, _tx: &PoolTransaction) -> Result<(), AdmissionRejection> {
        Err(AdmissionRejection::new("check unavailable"))
    }

    fn recheck(&self, _tx: &PoolTransaction) -> Result<(), AdmissionRejection> {
        Ok(())
    }
}

#[test]
fn the_revalidation_asks_the_hook_whether_pooled_transactions_may_stay() {
    let mut pool = pool();
    let state = funded(&[key(1).address()]);
    let pending = sign(&key(1), transfer(0, 10 * GWEI, GWEI));
    let queued = sign(&key(1), transfer(2, 10 * GWEI, GWEI));
    for tx in [&pending, &queued] {
        pool.add_transaction(tx.clone(), &state).unwrap();
    }
    pool.set_admission_check(Arc::new(Unanswered));
    assert!(pool.on_new_block(&state, BASE_FEE).is_empty(), "what the hook keeps stays");
    assert_eq!(pool.subpool_of(&pending.hash()), Some(SubPool::Pending));
    assert_eq!(pool.subpool_of(&queued.hash()), Some(SubPool::Queued));
    let newcomer = sign(&key(1), transfer(1, 10 * GWEI, GWEI));
    let refused = pool.add_transaction(newcomer, &state).unwrap_err();
    assert!(refused.to_string().contains("check unavailable"), "{refused}");
}
