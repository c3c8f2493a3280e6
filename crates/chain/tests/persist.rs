//! Saving a chain and restoring it: the restored chain is the same chain (blocks, receipts, state now and at
//! older blocks, pool, queued deposits, labels) and builds the same next block; dumps of another genesis or
//! with altered contents are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use alloy_consensus::TxEip1559;
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use common::*;
use op_alloy_consensus::{OpTypedTransaction, TxDeposit};
use superlink_chain::{Chain, ChainConfig, ChainDump, LogFilter, RestoreError};
use superlink_txpool::PoolTransaction;

fn number(n: u64) -> BlockId {
    BlockId::Number(BlockNumberOrTag::Number(n))
}

/// A chain with a bit of everything: a contract created and written, transfers, an impersonated transaction,
/// a developer edit after the head, pooled transactions (one pending, one queued behind a nonce gap), a queued
/// deposit and a safe label.
fn busy_chain(dev: &Dev) -> (Chain, Address) {
    let mut chain = chain(dev);
    chain
        .submit_transaction(sign(
            &dev.signers[0],
            call_tx(0, TxKind::Create, init_code(STORE_RUNTIME), 200_000),
        ))
        .unwrap();
    let created = chain.mine(GENESIS_TIME + 2).unwrap().block;
    let contract = created.transactions[1].contract_address.expect("the contract was created");
    let input: Bytes = B256::from(U256::from(42u64)).into();
    chain
        .submit_transaction(sign(&dev.signers[0], call_tx(1, TxKind::Call(contract), input, 100_000)))
        .unwrap();
    chain.submit_transaction(sign(&dev.signers[1], transfer(0, Address::repeat_byte(0x77), 1_234))).unwrap();
    chain.mine(GENESIS_TIME + 4).unwrap();
    let ghost = Address::repeat_byte(0x99);
    chain.set_balance(ghost, U256::from(10u128.pow(20)));
    chain.impersonate(ghost);
    let unsigned = TxEip1559 { chain_id: CHAIN_ID, ..transfer(0, Address::repeat_byte(0x78), 5) };
    let impersonated = PoolTransaction::impersonated(OpTypedTransaction::Eip1559(unsigned), ghost).unwrap();
    chain.submit_transaction(impersonated).unwrap();
    chain.mine(GENESIS_TIME + 6).unwrap();
    chain.set_safe(2).unwrap();
    // After the head: an edit, a pending and a queued transaction, a deposit.
    chain.set_storage(contract, U256::from(7u64), U256::from(8u64));
    chain.submit_transaction(sign(&dev.signers[1], transfer(1, Address::repeat_byte(0x79), 9))).unwrap();
    chain.submit_transaction(sign(&dev.signers[2], transfer(5, Address::repeat_byte(0x7a), 9))).unwrap();
    chain.queue_deposit(TxDeposit {
        source_hash: B256::repeat_byte(0x5e),
        from: dev.address(2),
        to: TxKind::Call(dev.address(2)),
        mint: 1_000,
        value: U256::from(1_000u64),
        gas_limit: 100_000,
        is_system_transaction: false,
        input: Bytes::new(),
    });
    (chain, contract)
}

/// The dump through its JSON form, as the state file carries it.
fn through_json(dump: &ChainDump) -> ChainDump {
    serde_json::from_str(&serde_json::to_string(dump).unwrap()).unwrap()
}

fn pool_hashes(chain: &Chain) -> Vec<B256> {
    let content = chain.pool().content();
    let mut hashes: Vec<B256> =
        content.pending.values().chain(content.queued.values()).flatten().map(|tx| tx.hash()).collect();
    hashes.sort();
    hashes
}

#[test]
fn a_restored_chain_is_the_same_chain_and_builds_the_same_next_block() {
    let dev = Dev::new(3);
    let (mut original, contract) = busy_chain(&dev);
    let dump = through_json(&original.dump());
    let (mut restored, report) =
        Chain::from_dump(&genesis(&dev, 30_000_000), ChainConfig::default(), dump).unwrap();
    assert_eq!(report.repooled, 2);
    assert!(report.refused.is_empty(), "{:?}", report.refused);

    assert_eq!(restored.head_number(), 3);
    for n in 0..=3 {
        assert_eq!(restored.block_by_number(n), original.block_by_number(n), "block {n}");
    }
    let impersonated = &original.block_by_number(3).unwrap().transactions[1];
    assert!(impersonated.impersonated);
    let (block, index) = restored.transaction(&impersonated.hash).expect("found by its derived hash");
    assert_eq!((block.number(), index), (3, 1));
    assert_eq!(restored.logs(&LogFilter::range(0, 3)), original.logs(&LogFilter::range(0, 3)));
    assert_eq!(restored.safe_number(), 2);
    assert_eq!(restored.l1_origin(), original.l1_origin());
    assert_eq!(restored.queued_deposits(), original.queued_deposits());
    assert_eq!(pool_hashes(&restored), pool_hashes(&original));
    assert_eq!((restored.pool().pending_count(), restored.pool().queued_count()), (1, 1));
    for at in [number(1), number(2), BlockId::latest()] {
        assert_eq!(
            restored.storage(contract, U256::ZERO, at).unwrap(),
            original.storage(contract, U256::ZERO, at).unwrap()
        );
        assert_eq!(
            restored.balance(dev.address(1), at).unwrap(),
            original.balance(dev.address(1), at).unwrap()
        );
    }
    assert_eq!(restored.storage(contract, U256::from(7u64), BlockId::latest()).unwrap(), U256::from(8u64));
    assert_eq!(restored.storage(contract, U256::ZERO, number(2)).unwrap(), U256::from(42u64));
    assert_eq!(restored.oldest_state(), original.oldest_state());

    // The next block, with the deposit, the pending transaction and the edit, is the very same block.
    let next = original.mine(GENESIS_TIME + 8).unwrap().block;
    let next_restored = restored.mine(GENESIS_TIME + 8).unwrap().block;
    assert_eq!(next_restored.transactions.len(), 3);
    assert_eq!(next_restored.hash(), next.hash());
    // And history reaches as far back after the restore: a rewind over the restored blocks works the same.
    original.rewind_to(1).unwrap();
    restored.rewind_to(1).unwrap();
    assert_eq!(
        restored.balance(dev.address(1), BlockId::latest()).unwrap(),
        original.balance(dev.address(1), BlockId::latest()).unwrap()
    );
}

#[test]
fn a_dump_of_another_genesis_or_chain_is_refused() {
    let dev = Dev::new(3);
    let (original, _) = busy_chain(&dev);
    let mut other = genesis(&dev, 30_000_000);
    other.timestamp += 1;
    let error = Chain::from_dump(&other, ChainConfig::default(), original.dump()).unwrap_err();
    assert!(matches!(error, RestoreError::GenesisMismatch { chain_id: CHAIN_ID, .. }), "{error}");
    assert!(error.to_string().contains("another genesis"), "{error}");

    let mut dump = original.dump();
    dump.chain_id = 902;
    let error = Chain::from_dump(&genesis(&dev, 30_000_000), ChainConfig::default(), dump).unwrap_err();
    assert_eq!(error, RestoreError::ChainId { expected: CHAIN_ID, saved: 902 });
}

#[test]
fn a_dump_with_altered_state_or_missing_blocks_is_refused() {
    let dev = Dev::new(3);
    let (original, _) = busy_chain(&dev);
    let genesis = genesis(&dev, 30_000_000);

    let mut dump = original.dump();
    let account = dump.accounts.iter_mut().find(|a| a.address == dev.address(0)).unwrap();
    account.info.balance += U256::from(1u64);
    let error = Chain::from_dump(&genesis, ChainConfig::default(), dump).unwrap_err();
    assert!(matches!(error, RestoreError::StateRoot { number: 3, .. }), "{error}");

    let mut dump = original.dump();
    dump.blocks.remove(2);
    let error = Chain::from_dump(&genesis, ChainConfig::default(), dump).unwrap_err();
    assert!(matches!(error, RestoreError::BrokenChain { number: 2, .. }), "{error}");

    let mut dump = original.dump();
    dump.codes.clear();
    let error = Chain::from_dump(&genesis, ChainConfig::default(), dump).unwrap_err();
    assert!(matches!(error, RestoreError::MissingCode { .. }), "{error}");

    let mut dump = original.dump();
    dump.blocks[1].receipts[0] = Bytes::from_static(&[0x7e, 0x01]);
    let error = Chain::from_dump(&genesis, ChainConfig::default(), dump).unwrap_err();
    assert!(matches!(error, RestoreError::Decode { .. }), "{error}");
}
