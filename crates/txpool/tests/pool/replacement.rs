//! Same sender and nonce: a replacement needs +10% on both the fee cap and the tip.

use superlink_txpool::{InsertError, PoolTransaction};

use crate::helpers::{GWEI, funded, key, pool, sign, transfer};

fn replace(
    old: (u128, u128),
    new: (u128, u128),
) -> (PoolTransaction, PoolTransaction, Result<(), InsertError>) {
    let mut pool = pool();
    let state = funded(&[key(1).address()]);
    let old = sign(&key(1), transfer(0, old.0, old.1));
    let new = sign(&key(1), transfer(0, new.0, new.1));
    pool.add_transaction(old.clone(), &state).unwrap();
    let result = pool.add_transaction(new.clone(), &state).map(|added| {
        assert_eq!(added.replaced.as_deref(), Some(&old), "the outcome names the replaced transaction");
        assert!(!pool.contains(&old.hash()), "the old transaction is gone");
        assert!(pool.contains(&new.hash()));
        assert_eq!(pool.len(), 1);
    });
    if result.is_err() {
        assert!(pool.contains(&old.hash()), "a refused replacement leaves the old one in place");
    }
    (old, new, result)
}

#[test]
fn ten_percent_on_both_replaces() {
    let (_, _, result) = replace((10 * GWEI, 2 * GWEI), (11 * GWEI, 2 * GWEI + 2 * GWEI / 10));
    assert_eq!(result, Ok(()));
}

#[test]
fn fee_cap_bump_alone_is_underpriced() {
    let (old, _, result) = replace((10 * GWEI, 2 * GWEI), (20 * GWEI, 2 * GWEI + 1));
    assert_eq!(result, Err(InsertError::ReplacementUnderpriced { existing: old.hash(), bump_percent: 10 }));
}

#[test]
fn tip_bump_alone_is_underpriced() {
    let (old, _, result) = replace((10 * GWEI, 2 * GWEI), (11 * GWEI - 1, 4 * GWEI));
    assert_eq!(result, Err(InsertError::ReplacementUnderpriced { existing: old.hash(), bump_percent: 10 }));
}

#[test]
fn zero_tip_must_still_strictly_increase() {
    let (old, _, result) = replace((10 * GWEI, 0), (20 * GWEI, 0));
    assert_eq!(result, Err(InsertError::ReplacementUnderpriced { existing: old.hash(), bump_percent: 10 }));
    let (_, _, result) = replace((10 * GWEI, 0), (20 * GWEI, 1));
    assert_eq!(result, Ok(()));
}

#[test]
fn replacement_of_a_queued_transaction_keeps_it_queued() {
    let mut pool = pool();
    let state = funded(&[key(1).address()]);
    pool.add_transaction(sign(&key(1), transfer(3, 10 * GWEI, GWEI)), &state).unwrap();
    let added = pool.add_transaction(sign(&key(1), transfer(3, 11 * GWEI, 2 * GWEI)), &state).unwrap();
    assert_eq!(added.subpool, superlink_txpool::SubPool::Queued);
    assert_eq!(pool.len(), 1);
}
