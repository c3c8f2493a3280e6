//! Per-sender and global caps, and eviction of the cheapest.

use superlink_txpool::{DropReason, InsertError, PoolConfig, TxPool};

use crate::helpers::{BASE_FEE, GWEI, account, config, funded, impersonated};

#[test]
fn a_full_sender_is_refused_unless_it_fills_a_gap() {
    let mut pool = TxPool::new(PoolConfig { max_txs_per_sender: 4, ..config() }, BASE_FEE);
    let sender = account(1);
    let state = funded(&[sender]);
    for nonce in [0, 1, 2, 5] {
        pool.add_transaction(impersonated(sender, nonce, 10 * GWEI, GWEI), &state).unwrap();
    }
    let err = pool.add_transaction(impersonated(sender, 6, 10 * GWEI, GWEI), &state).unwrap_err();
    assert_eq!(err, InsertError::SenderFull { address: sender, limit: 4 });

    // Nonce 3 fills below the highest nonce: the highest (5) makes room.
    let fill = impersonated(sender, 3, 10 * GWEI, GWEI);
    let added = pool.add_transaction(fill.clone(), &state).unwrap();
    assert_eq!(added.dropped.len(), 1);
    assert_eq!(added.dropped[0].tx.nonce(), 5);
    assert_eq!(added.dropped[0].reason, DropReason::Evicted { by: fill.hash() });
    assert_eq!(pool.len(), 4);
    assert_eq!(pool.pending_count(), 4);

    // A replacement is always allowed at the cap.
    assert!(pool.add_transaction(impersonated(sender, 3, 20 * GWEI, 2 * GWEI), &state).is_ok());
}

#[test]
fn a_full_pool_evicts_the_cheapest_tail_queued_first() {
    let mut pool = TxPool::new(PoolConfig { max_txs: 3, ..config() }, BASE_FEE);
    let senders = [account(1), account(2), account(3), account(4)];
    let state = funded(&senders);
    let cheap_pending = impersonated(senders[0], 0, 10 * GWEI, GWEI);
    let pricey_queued = impersonated(senders[1], 5, 10 * GWEI, 5 * GWEI);
    let mid_pending = impersonated(senders[2], 0, 10 * GWEI, 3 * GWEI);
    for tx in [&cheap_pending, &pricey_queued, &mid_pending] {
        pool.add_transaction(tx.clone(), &state).unwrap();
    }

    // Paying less than everything: refused.
    let cheaper = impersonated(senders[3], 0, 10 * GWEI, GWEI / 2);
    assert_eq!(pool.add_transaction(cheaper, &state), Err(InsertError::PoolFull));

    // Paying more than the queued one: the queued one goes first, although a pending one is cheaper.
    let newcomer = impersonated(senders[3], 0, 10 * GWEI, 6 * GWEI);
    let added = pool.add_transaction(newcomer.clone(), &state).unwrap();
    let evicted: Vec<_> = added.dropped.iter().map(|d| d.tx.hash()).collect();
    assert_eq!(evicted, vec![pricey_queued.hash()]);
    assert_eq!(pool.len(), 3);

    // Next, with no queued transaction left, the cheapest pending tail goes.
    let another = impersonated(senders[1], 0, 10 * GWEI, 2 * GWEI);
    let added = pool.add_transaction(another, &state).unwrap();
    let evicted: Vec<_> = added.dropped.iter().map(|d| d.tx.hash()).collect();
    assert_eq!(evicted, vec![cheap_pending.hash()]);
}

#[test]
fn the_senders_own_eviction_frees_the_pool_slot_and_a_refusal_evicts_nothing() {
    // The sender is at its cap and the pool is full: evicting the sender's highest nonce makes room in both,
    // so nothing else is evicted.
    let mut pool = TxPool::new(PoolConfig { max_txs_per_sender: 2, max_txs: 2, ..config() }, BASE_FEE);
    let sender = account(1);
    let state = funded(&[sender]);
    let held = [impersonated(sender, 0, 10 * GWEI, GWEI), impersonated(sender, 5, 10 * GWEI, GWEI)];
    for tx in &held {
        pool.add_transaction(tx.clone(), &state).unwrap();
    }
    // Nonce 1 from the same sender: evicting nonce 5 frees both the sender's and the pool's slot.
    assert!(pool.add_transaction(impersonated(sender, 1, 10 * GWEI, GWEI), &state).is_ok());
    assert_eq!(pool.len(), 2);

    // A full pool refusing a cheaper newcomer evicts nothing.
    let mut pool = TxPool::new(PoolConfig { max_txs_per_sender: 2, max_txs: 1, ..config() }, BASE_FEE);
    pool.add_transaction(impersonated(sender, 0, 10 * GWEI, 2 * GWEI), &state).unwrap();
    let other = account(2);
    let state = funded(&[sender, other]);
    assert_eq!(
        pool.add_transaction(impersonated(other, 0, 10 * GWEI, GWEI), &state),
        Err(InsertError::PoolFull)
    );
    assert_eq!(pool.len(), 1);
}
