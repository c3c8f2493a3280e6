//! The hooks the chain's owner uses: the pool's admission check and the revalidation after every block,
//! impersonated senders, developer edits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use alloy_consensus::TxEip1559;
use alloy_eips::BlockId;
use alloy_primitives::{Address, Bytes, U256};
use common::*;
use op_alloy_consensus::OpTypedTransaction;
use superlink_chain::{ChainError, Exclusion};
use superlink_txpool::{AdmissionRejection, DropReason, PoolTransaction};

/// Refuses transactions to `blocked` while `active` is set.
fn blocking_check(blocked: Address, active: Arc<AtomicBool>) -> Arc<dyn superlink_txpool::AdmissionCheck> {
    Arc::new(move |tx: &PoolTransaction| {
        let to_blocked = alloy_consensus::Transaction::to(tx.tx()) == Some(blocked);
        if to_blocked && active.load(Ordering::SeqCst) {
            Err(AdmissionRejection::new("target is blocked"))
        } else {
            Ok(())
        }
    })
}

#[test]
fn admission_check_refuses_at_submission() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    let blocked = Address::repeat_byte(0xbb);
    chain.set_admission_check(blocking_check(blocked, Arc::new(AtomicBool::new(true))));
    let refused = chain.submit_transaction(sign(&dev.signers[0], transfer(0, blocked, 1)));
    assert!(matches!(refused, Err(ChainError::Pool(_))), "{refused:?}");
    assert!(chain.submit_transaction(sign(&dev.signers[0], transfer(0, Address::repeat_byte(1), 1))).is_ok());
}

#[test]
fn revalidation_after_a_block_drops_what_the_check_now_refuses() {
    let dev = Dev::new(2);
    let mut chain = chain(&dev);
    let blocked = Address::repeat_byte(0xbb);
    let active = Arc::new(AtomicBool::new(false));
    chain.set_admission_check(blocking_check(blocked, Arc::clone(&active)));
    // A fee cap below the base fee keeps it in the pool through the next block.
    let low_fee = TxEip1559 { max_fee_per_gas: 1, max_priority_fee_per_gas: 1, ..transfer(0, blocked, 1) };
    let waiting = chain.submit_transaction(sign(&dev.signers[0], low_fee)).unwrap().hash;
    let other = chain
        .submit_transaction(sign(&dev.signers[1], transfer(0, Address::repeat_byte(1), 1)))
        .unwrap()
        .hash;
    active.store(true, Ordering::SeqCst);
    let mined = chain.mine(GENESIS_TIME + 2).unwrap();
    assert!(chain.transaction(&other).is_some());
    assert!(
        mined.dropped.iter().any(|d| d.tx.hash() == waiting && matches!(d.reason, DropReason::Rejected(_))),
        "{:?}",
        mined.dropped
    );
    assert!(!chain.pool().contains(&waiting));
}

/// Admits everything, but lets transactions to `target` into blocks only from `from_timestamp` on (as an
/// executing message may only enter a block later than its initiating message).
struct IncludableFrom {
    target: Address,
    from_timestamp: u64,
}

impl superlink_txpool::AdmissionCheck for IncludableFrom {
    fn check(&self, _tx: &PoolTransaction) -> Result<(), AdmissionRejection> {
        Ok(())
    }

    fn check_inclusion(&self, tx: &PoolTransaction, timestamp: u64) -> Result<(), AdmissionRejection> {
        let to_target = alloy_consensus::Transaction::to(tx.tx()) == Some(self.target);
        if to_target && timestamp < self.from_timestamp {
            Err(AdmissionRejection::new("too early for this block"))
        } else {
            Ok(())
        }
    }
}

#[test]
fn the_builder_asks_the_hook_for_the_block_it_builds_and_leaves_out_what_it_refuses() {
    let dev = Dev::new(2);
    let mut chain = chain(&dev);
    let target = Address::repeat_byte(0x7a);
    chain.set_admission_check(Arc::new(IncludableFrom { target, from_timestamp: GENESIS_TIME + 4 }));
    let early = chain.submit_transaction(sign(&dev.signers[0], transfer(0, target, 1))).unwrap().hash;
    // The sender's next nonce cannot go before it.
    let after = chain
        .submit_transaction(sign(&dev.signers[0], transfer(1, Address::repeat_byte(1), 1)))
        .unwrap()
        .hash;
    let other = chain
        .submit_transaction(sign(&dev.signers[1], transfer(0, Address::repeat_byte(1), 1)))
        .unwrap()
        .hash;

    let mined = chain.mine(GENESIS_TIME + 2).unwrap();
    let included: Vec<_> = mined.block.transactions.iter().map(|tx| tx.hash).collect();
    assert!(included.contains(&other));
    assert!(!included.contains(&early) && !included.contains(&after), "{included:?}");
    let (_, why) = mined.excluded.iter().find(|(hash, _)| *hash == early).expect("the refusal is reported");
    assert!(
        matches!(why, Exclusion::NotYet(reason) if reason.contains("too early") && reason.contains(&(GENESIS_TIME + 2).to_string())),
        "{why:?}"
    );
    assert!(chain.pool().contains(&early) && chain.pool().contains(&after), "kept for a later block");

    let mined = chain.mine(GENESIS_TIME + 4).unwrap();
    let included: Vec<_> = mined.block.transactions.iter().map(|tx| tx.hash).collect();
    assert!(included.contains(&early) && included.contains(&after), "{included:?}");
}

/// Lets everything into built blocks, but keeps transactions to `target` out of previews.
struct KeptOutOfPreviews {
    target: Address,
}

impl superlink_txpool::AdmissionCheck for KeptOutOfPreviews {
    fn check(&self, _tx: &PoolTransaction) -> Result<(), AdmissionRejection> {
        Ok(())
    }

    fn check_preview(&self, tx: &PoolTransaction, _timestamp: u64) -> Result<(), AdmissionRejection> {
        if alloy_consensus::Transaction::to(tx.tx()) == Some(self.target) {
            Err(AdmissionRejection::new("not judged yet"))
        } else {
            Ok(())
        }
    }
}

#[test]
fn the_pending_block_asks_the_hook_for_a_preview_and_the_built_block_for_inclusion() {
    let dev = Dev::new(2);
    let mut chain = chain(&dev);
    let target = Address::repeat_byte(0x7a);
    chain.set_admission_check(Arc::new(KeptOutOfPreviews { target }));
    let previewed = chain.submit_transaction(sign(&dev.signers[0], transfer(0, target, 1))).unwrap().hash;
    let other = chain
        .submit_transaction(sign(&dev.signers[1], transfer(0, Address::repeat_byte(1), 1)))
        .unwrap()
        .hash;
    let pending = chain.pending_block().unwrap();
    let in_pending: Vec<_> = pending.block.transactions.iter().map(|tx| tx.hash).collect();
    assert!(in_pending.contains(&other) && !in_pending.contains(&previewed), "{in_pending:?}");
    let mined = chain.mine(GENESIS_TIME + 2).unwrap();
    let included: Vec<_> = mined.block.transactions.iter().map(|tx| tx.hash).collect();
    assert!(included.contains(&other) && included.contains(&previewed), "{included:?}");
}

#[test]
fn revalidation_drops_transactions_the_sender_can_no_longer_pay() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    let low_fee = TxEip1559 {
        max_fee_per_gas: 1,
        max_priority_fee_per_gas: 1,
        ..transfer(0, Address::repeat_byte(1), 1)
    };
    let hash = chain.submit_transaction(sign(&dev.signers[0], low_fee)).unwrap().hash;
    chain.set_balance(dev.address(0), U256::ZERO);
    assert!(!chain.pool().contains(&hash));
}

#[test]
fn unsigned_transactions_need_impersonation() {
    let dev = Dev::new(0);
    let mut chain = chain(&dev);
    let whale = Address::repeat_byte(0x3e);
    let target = Address::repeat_byte(0x77);
    chain.set_balance(whale, U256::from(10u128.pow(20)));
    let unsigned = |nonce| {
        PoolTransaction::impersonated(OpTypedTransaction::Eip1559(transfer(nonce, target, 500)), whale)
            .unwrap()
    };
    assert!(
        matches!(chain.submit_transaction(unsigned(0)), Err(ChainError::NotImpersonated(a)) if a == whale)
    );
    chain.impersonate(whale);
    let hash = chain.submit_transaction(unsigned(0)).unwrap().hash;
    let block = chain.mine(GENESIS_TIME + 2).unwrap().block;
    let tx = block.transactions.iter().find(|tx| tx.hash == hash).unwrap();
    assert_eq!(tx.sender, whale);
    assert!(tx.impersonated);
    assert_eq!(chain.balance(target, BlockId::latest()).unwrap(), U256::from(500u64));
    chain.stop_impersonating(whale);
    assert!(chain.submit_transaction(unsigned(1)).is_err());
    chain.set_auto_impersonate(true);
    assert!(chain.submit_transaction(unsigned(1)).is_ok());
}

#[test]
fn developer_edits_change_the_head_state() {
    let dev = Dev::new(0);
    let mut chain = chain(&dev);
    let account = Address::repeat_byte(0x12);
    chain.set_balance(account, U256::from(3u64));
    chain.set_nonce(account, 9);
    chain.set_code(account, Bytes::from(vec![0x00]));
    chain.set_storage(account, U256::from(1u64), U256::from(2u64));
    let latest = BlockId::latest();
    assert_eq!(chain.balance(account, latest).unwrap(), U256::from(3u64));
    assert_eq!(chain.nonce(account, latest).unwrap(), 9);
    assert_eq!(chain.code(account, latest).unwrap(), Bytes::from(vec![0x00]));
    assert_eq!(chain.storage(account, U256::from(1u64), latest).unwrap(), U256::from(2u64));
    // Mining commits the edits into the next block's state root.
    let block = chain.mine(GENESIS_TIME + 2).unwrap().block;
    assert_eq!(block.header.state_root, chain.recompute_state_root());
    assert_eq!(chain.balance(account, BlockId::number(0)).unwrap(), U256::ZERO);
}

#[test]
fn safety_labels_resolve_block_tags() {
    let dev = Dev::new(0);
    let mut chain = chain(&dev);
    for i in 1..=5 {
        chain.mine(GENESIS_TIME + i).unwrap();
    }
    chain.set_safe(4).unwrap();
    chain.set_finalized(2).unwrap();
    assert_eq!(chain.block(BlockId::safe()).unwrap().number(), 4);
    assert_eq!(chain.block(BlockId::finalized()).unwrap().number(), 2);
    assert_eq!(chain.block(BlockId::latest()).unwrap().number(), 5);
    assert!(matches!(chain.set_safe(6), Err(ChainError::BeyondHead { number: 6, head: 5 })));
}

#[test]
fn pending_nonce_counts_pooled_transactions() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    for nonce in 0..3 {
        chain.submit_transaction(sign(&dev.signers[0], transfer(nonce, Address::repeat_byte(1), 1))).unwrap();
    }
    assert_eq!(chain.pending_nonce(dev.address(0)), 3);
    assert_eq!(chain.nonce(dev.address(0), BlockId::latest()).unwrap(), 0);
}

#[test]
fn chain_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<superlink_chain::Chain>();
    let dev = Dev::new(0);
    let chain = Arc::new(std::sync::RwLock::new(chain(&dev)));
    let reader = Arc::clone(&chain);
    let handle = std::thread::spawn(move || reader.read().unwrap().head_number());
    chain.write().unwrap().mine(GENESIS_TIME + 2).unwrap();
    assert!(handle.join().unwrap() <= 1);
}
