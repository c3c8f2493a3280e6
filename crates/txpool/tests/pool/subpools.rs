//! Pending and queued subpools: gaps, promotion, listings and the pending nonce.

use superlink_txpool::SubPool;

use crate::helpers::{GWEI, funded, key, pool, sign, transfer};

#[test]
fn filling_the_gap_promotes_queued_transactions() {
    let mut pool = pool();
    let sender = key(1).address();
    let state = funded(&[sender]);
    let txs: Vec<_> = (0..4).map(|nonce| sign(&key(1), transfer(nonce, 2 * GWEI, GWEI))).collect();

    for tx in [&txs[1], &txs[2]] {
        assert_eq!(pool.add_transaction(tx.clone(), &state).unwrap().subpool, SubPool::Queued);
    }
    assert_eq!((pool.pending_count(), pool.queued_count()), (0, 2));
    assert_eq!(pool.next_nonce(sender, &state), 0, "nothing executable yet");
    assert_eq!(pool.best_transactions(0).count(), 0);

    assert_eq!(pool.add_transaction(txs[0].clone(), &state).unwrap().subpool, SubPool::Pending);
    assert_eq!((pool.pending_count(), pool.queued_count()), (3, 0));
    assert_eq!(pool.subpool_of(&txs[2].hash()), Some(SubPool::Pending));
    assert_eq!(pool.next_nonce(sender, &state), 3);

    let listed = pool.sender_transactions(sender);
    let nonces: Vec<u64> = listed.pending.iter().map(|tx| tx.nonce()).collect();
    assert_eq!(nonces, vec![0, 1, 2]);
    assert!(listed.queued.is_empty());

    let offered: Vec<u64> = pool.best_transactions(0).map(|tx| tx.nonce()).collect();
    assert_eq!(offered, vec![0, 1, 2]);
}

#[test]
fn content_splits_pending_and_queued_per_sender() {
    let mut pool = pool();
    let (a, b) = (key(1), key(2));
    let state = funded(&[a.address(), b.address()]);
    pool.add_transaction(sign(&a, transfer(0, 2 * GWEI, GWEI)), &state).unwrap();
    pool.add_transaction(sign(&a, transfer(2, 2 * GWEI, GWEI)), &state).unwrap();
    pool.add_transaction(sign(&b, transfer(1, 2 * GWEI, GWEI)), &state).unwrap();

    let content = pool.content();
    let nonces = |list: Option<&Vec<std::sync::Arc<superlink_txpool::PoolTransaction>>>| {
        list.map(|txs| txs.iter().map(|tx| tx.nonce()).collect::<Vec<_>>())
    };
    assert_eq!(nonces(content.pending.get(&a.address())), Some(vec![0]));
    assert_eq!(nonces(content.queued.get(&a.address())), Some(vec![2]));
    assert_eq!(nonces(content.pending.get(&b.address())), None);
    assert_eq!(nonces(content.queued.get(&b.address())), Some(vec![1]));
    assert_eq!(pool.next_nonce(a.address(), &state), 1);
    assert_eq!(pool.next_nonce(b.address(), &state), 0);
}

#[test]
fn pending_nonce_starts_from_the_account_nonce() {
    let mut pool = pool();
    let sender = key(1).address();
    let mut state = funded(&[sender]);
    state.set_nonce(sender, 7);
    assert_eq!(pool.next_nonce(sender, &state), 7);
    pool.add_transaction(sign(&key(1), transfer(7, 2 * GWEI, GWEI)), &state).unwrap();
    assert_eq!(pool.next_nonce(sender, &state), 8);
}

#[test]
fn removing_a_pending_transaction_queues_the_later_ones() {
    let mut pool = pool();
    let state = funded(&[key(1).address()]);
    let txs: Vec<_> = (0..3).map(|nonce| sign(&key(1), transfer(nonce, 2 * GWEI, GWEI))).collect();
    for tx in &txs {
        pool.add_transaction(tx.clone(), &state).unwrap();
    }
    assert_eq!(pool.remove_transaction(&txs[1].hash()).as_deref(), Some(&txs[1]));
    assert_eq!(pool.subpool_of(&txs[0].hash()), Some(SubPool::Pending));
    assert_eq!(pool.subpool_of(&txs[2].hash()), Some(SubPool::Queued));
}
