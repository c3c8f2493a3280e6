//! Block building: every transaction type lands in a block with a matching receipt, and every header
//! field the chain computes equals an independent recomputation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use alloy_consensus::{
    TxEip2930, TxEip7702, TxLegacy,
    proofs::{calculate_receipt_root, calculate_transaction_root},
};
use alloy_eips::{
    BlockId,
    eip2930::{AccessList, AccessListItem},
};
use alloy_primitives::{Address, B256, Bloom, TxKind, U256, keccak256};
use common::*;
use op_alloy_consensus::{OpTxEnvelope, OpTxType, TxDeposit};
use superlink_chain::{Chain, LogFilter, StoredBlock, l1_info};
use superlink_protocol::predeploys;

/// Full recomputation of the state root with alloy-trie's reference functions.
fn reference_state_root(chain: &Chain) -> B256 {
    let state = chain.latest_state();
    alloy_trie::root::state_root_unhashed(state.accounts().map(|(address, account)| {
        let storage_root = alloy_trie::root::storage_root_unhashed(
            account.storage.iter().map(|(slot, value)| (B256::from(*slot), *value)),
        );
        (
            *address,
            alloy_trie::TrieAccount {
                nonce: account.info.nonce,
                balance: account.info.balance,
                storage_root,
                code_hash: account.info.code_hash,
            },
        )
    }))
}

fn assert_header_consistent(chain: &Chain, block: &StoredBlock) {
    let envelopes: Vec<&OpTxEnvelope> = block.transactions.iter().map(|tx| &tx.envelope).collect();
    assert_eq!(block.header.transactions_root, calculate_transaction_root(&envelopes));
    assert_eq!(block.header.receipts_root, calculate_receipt_root(&block.receipts));
    assert_eq!(block.hash(), block.header.hash_slow());
    let mut bloom = Bloom::ZERO;
    for receipt in &block.receipts {
        bloom.accrue_bloom(receipt.logs_bloom());
    }
    assert_eq!(block.header.logs_bloom, bloom);
    assert_eq!(block.header.gas_used, block.receipts.last().map(|r| r.cumulative_gas_used()).unwrap_or(0));
    if chain.head_number() == block.number() {
        assert_eq!(block.header.state_root, reference_state_root(chain));
        let passer = chain.latest_state().account(&predeploys::L2_TO_L1_MESSAGE_PASSER).unwrap();
        let passer_root = alloy_trie::root::storage_root_unhashed(
            passer.storage.iter().map(|(slot, value)| (B256::from(*slot), *value)),
        );
        assert_eq!(block.header.withdrawals_root, Some(passer_root));
    }
    let parent = chain.block_by_number(block.number() - 1).unwrap();
    assert_eq!(block.header.parent_hash, parent.hash());
}

#[test]
fn genesis_header_commits_to_allocations() {
    let dev = Dev::new(2);
    let chain = chain(&dev);
    let genesis = chain.head();
    assert_eq!(genesis.number(), 0);
    assert_eq!(genesis.header.state_root, reference_state_root(&chain));
    assert_eq!(genesis.hash(), genesis.header.hash_slow());
    assert_eq!(chain.balance(dev.address(0), BlockId::latest()).unwrap(), U256::from(10u128.pow(24)));
}

#[test]
fn every_transaction_type_is_mined_with_its_receipt() {
    let dev = Dev::new(6);
    let mut chain = chain(&dev);
    let target = Address::repeat_byte(0x77);
    let logger = Address::repeat_byte(0x99);
    chain.set_code(logger, bytes(LOGGER_RUNTIME));
    // Mine the edit into block 1 so block 2 holds only the transactions under test.
    chain.mine(GENESIS_TIME + 2).unwrap();

    let legacy = TxLegacy {
        chain_id: Some(CHAIN_ID),
        nonce: 0,
        gas_price: 10_000_000_000,
        gas_limit: 100_000,
        to: TxKind::Call(logger),
        input: B256::repeat_byte(1).into(),
        ..TxLegacy::default()
    };
    let eip2930 = TxEip2930 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_price: 10_000_000_000,
        gas_limit: 100_000,
        to: TxKind::Call(logger),
        input: B256::repeat_byte(2).into(),
        access_list: AccessList(vec![AccessListItem { address: logger, storage_keys: vec![B256::ZERO] }]),
        ..TxEip2930::default()
    };
    let eip1559 = transfer(0, target, 12345);
    let delegate = Address::repeat_byte(0x55);
    let eip7702 = TxEip7702 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_limit: 100_000,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1,
        to: target,
        authorization_list: vec![authorization(&dev.signers[3], delegate, 1)],
        ..TxEip7702::default()
    };
    let create = call_tx(0, TxKind::Create, init_code(STORE_RUNTIME), 200_000);
    let hashes = [
        chain.submit_transaction(sign(&dev.signers[0], legacy)).unwrap().hash,
        chain.submit_transaction(sign(&dev.signers[1], eip2930)).unwrap().hash,
        chain.submit_transaction(sign(&dev.signers[2], eip1559)).unwrap().hash,
        chain.submit_transaction(sign(&dev.signers[3], eip7702)).unwrap().hash,
        chain.submit_transaction(sign(&dev.signers[4], create)).unwrap().hash,
    ];
    let mint = U256::from(5u64) * U256::from(10u64).pow(U256::from(18u64));
    let depositor = Address::repeat_byte(0x42);
    let deposit = TxDeposit {
        source_hash: l1_info::deposit_source_hash(
            l1_info::USER_DEPOSIT_DOMAIN,
            B256::repeat_byte(3),
            U256::ZERO,
        ),
        from: depositor,
        to: TxKind::Call(target),
        mint: mint.to(),
        value: U256::from(7u64),
        gas_limit: 100_000,
        is_system_transaction: false,
        input: Default::default(),
    };
    chain.queue_deposit(deposit);

    let mined = chain.mine(GENESIS_TIME + 4).unwrap();
    let block = mined.block;
    assert!(mined.excluded.is_empty(), "excluded: {:?}", mined.excluded);
    assert_eq!(block.transactions.len(), 7, "L1 info, user deposit, five user transactions");
    assert_header_consistent(&chain, &block);

    // The L1 attributes deposit opens the block.
    let first = &block.transactions[0];
    assert_eq!(first.sender, predeploys::L1_INFO_DEPOSITOR);
    let OpTxEnvelope::Deposit(l1_deposit) = &first.envelope else { panic!("first tx is not a deposit") };
    assert_eq!(l1_deposit.to, TxKind::Call(predeploys::L1_BLOCK));
    assert_eq!(l1_deposit.input.len(), l1_info::ISTHMUS_L1_INFO_LEN);
    assert_eq!(
        l1_deposit.input,
        chain.l1_origin().isthmus_calldata(block.attributes.as_ref().unwrap().sequence_number)
    );
    // The L1Block predeploy now holds the L1 origin's hash and base fee.
    let l1 = *chain.l1_origin();
    let stored: Vec<U256> = (0..8u64)
        .map(|slot| chain.storage(predeploys::L1_BLOCK, U256::from(slot), BlockId::latest()).unwrap())
        .collect();
    assert!(stored.contains(&U256::from_be_bytes(l1.hash.0)), "L1Block storage {stored:?} lacks the L1 hash");
    assert!(stored.contains(&l1.base_fee), "L1Block storage {stored:?} lacks the L1 base fee");

    // The user deposit comes next, with the depositor's nonce in its receipt.
    let user_deposit = &block.transactions[1];
    assert_eq!(user_deposit.sender, depositor);
    let receipt = block.receipts[1].as_deposit_receipt().unwrap();
    assert_eq!(receipt.deposit_nonce, Some(0));
    assert_eq!(receipt.deposit_receipt_version, Some(1));
    assert_eq!(chain.balance(target, BlockId::latest()).unwrap(), U256::from(7u64 + 12345));
    assert_eq!(chain.balance(depositor, BlockId::latest()).unwrap(), mint - U256::from(7u64));

    // Each user transaction has a successful receipt of its own type, in pool order by tip.
    let mut seen_types = Vec::new();
    for (tx, receipt) in block.transactions.iter().zip(&block.receipts).skip(2) {
        assert!(hashes.contains(&tx.hash));
        assert_eq!(receipt.tx_type(), tx.envelope.tx_type());
        assert!(receipt.status(), "{:?} failed", tx.envelope.tx_type());
        seen_types.push(tx.envelope.tx_type());
        let fee = tx.l1_fee.expect("user transactions carry L1 fee figures");
        assert!(fee.l1_fee > U256::ZERO);
        let (found, index) = chain.transaction(&tx.hash).unwrap();
        assert_eq!(found.number(), block.number());
        assert_eq!(index as u64, tx.index);
    }
    seen_types.sort_by_key(|ty| *ty as u8);
    assert_eq!(
        seen_types,
        vec![OpTxType::Legacy, OpTxType::Eip2930, OpTxType::Eip1559, OpTxType::Eip1559, OpTxType::Eip7702]
    );

    // The EIP-7702 authority now delegates to `delegate`.
    let code = chain.code(dev.address(3), BlockId::latest()).unwrap();
    assert_eq!(&code[..3], &[0xef, 0x01, 0x00]);
    assert_eq!(&code[3..], delegate.as_slice());

    // The create receipt carries the new contract, whose code is the runtime.
    let created = block.transactions.iter().find(|tx| tx.sender == dev.address(4)).unwrap();
    let address = created.contract_address.unwrap();
    assert_eq!(address, dev.address(4).create(0));
    assert_eq!(chain.code(address, BlockId::latest()).unwrap(), bytes(STORE_RUNTIME));

    // Log indices count across the whole block; the filter finds both logger logs.
    let logs = chain.logs(&LogFilter::range(0, chain.head_number()).address(logger));
    assert_eq!(logs.len(), 2);
    for log in &logs {
        let (found, index) = chain.transaction(&log.transaction_hash.unwrap()).unwrap();
        let tx = &found.transactions[index];
        assert_eq!(log.log_index, Some(tx.first_log_index));
        assert_eq!(log.transaction_index, Some(index as u64));
        let earlier: usize = found.receipts[..index].iter().map(|r| r.logs().len()).sum();
        assert_eq!(tx.first_log_index, earlier as u64);
    }
    let by_topic = chain.logs(
        &LogFilter::range(0, chain.head_number())
            .topic(0, vec![B256::left_padding_from(dev.address(0).as_slice())]),
    );
    assert_eq!(by_topic.len(), 1);
    assert_eq!(by_topic[0].inner.data.data[..], B256::repeat_byte(1)[..]);

    // The sender of the legacy transaction paid gas at its price plus the L1 fee.
    let legacy_tx = block.transactions.iter().find(|tx| tx.sender == dev.address(0)).unwrap();
    let paid = U256::from(10u128.pow(24)) - chain.balance(dev.address(0), BlockId::latest()).unwrap();
    let expected = U256::from(legacy_tx.gas_used) * U256::from(legacy_tx.effective_gas_price)
        + legacy_tx.l1_fee.unwrap().l1_fee;
    assert_eq!(paid, expected);
    assert_eq!(
        keccak256(block.header.extra_data.clone()),
        keccak256(superlink_chain::Eip1559Params::default().holocene_extra_data())
    );
}

#[test]
fn base_fee_rises_on_full_blocks_and_falls_on_empty_ones() {
    let dev = Dev::new(12);
    let mut chain = Chain::new(&genesis(&dev, 500_000), superlink_chain::ChainConfig::default());
    let params = superlink_chain::Eip1559Params::default();
    for (i, signer) in dev.signers.iter().enumerate() {
        chain.submit_transaction(sign(signer, transfer(0, Address::repeat_byte(i as u8 + 1), 1))).unwrap();
    }
    let before = chain.head();
    let full = chain.mine(GENESIS_TIME + 2).unwrap().block;
    assert!(full.header.gas_used > params.gas_target(full.header.gas_limit));
    let after_full = chain.mine(GENESIS_TIME + 4).unwrap().block;
    assert!(after_full.header.base_fee_per_gas > full.header.base_fee_per_gas);
    assert_eq!(
        after_full.header.base_fee_per_gas,
        Some(params.next_base_fee(
            full.header.gas_used,
            full.header.gas_limit,
            full.header.base_fee_per_gas.unwrap()
        ))
    );
    // Only the L1 attributes deposit: far below the target.
    let empty = chain.mine(GENESIS_TIME + 6).unwrap().block;
    assert!(empty.header.base_fee_per_gas < after_full.header.base_fee_per_gas);
    assert!(before.header.base_fee_per_gas.is_some());
}

#[test]
fn gas_limit_caps_the_block_and_the_rest_waits() {
    let dev = Dev::new(1);
    let mut chain = Chain::new(&genesis(&dev, 200_000), superlink_chain::ChainConfig::default());
    for nonce in 0..10 {
        chain.submit_transaction(sign(&dev.signers[0], transfer(nonce, Address::repeat_byte(1), 1))).unwrap();
    }
    let block = chain.mine(GENESIS_TIME + 2).unwrap().block;
    assert!(block.header.gas_used <= block.header.gas_limit);
    let included = block.transactions.iter().filter(|tx| !tx.is_deposit()).count();
    assert!(included < 10);
    assert_eq!(chain.pool().len(), 10 - included);
    let next = chain.mine(GENESIS_TIME + 4).unwrap().block;
    assert!(next.transactions.iter().any(|tx| !tx.is_deposit()));
}

#[test]
fn timestamps_must_increase() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    assert!(matches!(
        chain.mine(GENESIS_TIME),
        Err(superlink_chain::ChainError::TimestampNotIncreasing { .. })
    ));
    chain.mine(GENESIS_TIME + 1).unwrap();
}

#[test]
fn system_contracts_receive_the_parent_hash_and_fees_use_the_new_l1_origin() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    // Stand-ins for the EIP-2935 and EIP-4788 contracts: they store their calldata word in slot 0.
    chain.set_code(alloy_eips::eip2935::HISTORY_STORAGE_ADDRESS, bytes(STORE_RUNTIME));
    chain.set_code(alloy_eips::eip4788::BEACON_ROOTS_ADDRESS, bytes(STORE_RUNTIME));
    chain.mine(GENESIS_TIME + 2).unwrap();
    // A new L1 origin with another base fee: the next block's user transaction must pay by it.
    let mut l1 = *chain.l1_origin();
    l1.number += 1;
    l1.hash = B256::repeat_byte(0xbc);
    l1.base_fee = U256::from(7_000_000_000u64);
    chain.set_l1_origin(l1);
    chain.submit_transaction(sign(&dev.signers[0], transfer(0, Address::repeat_byte(1), 1))).unwrap();
    let parent = chain.head();
    let block = chain.mine(GENESIS_TIME + 4).unwrap().block;
    let history =
        chain.storage(alloy_eips::eip2935::HISTORY_STORAGE_ADDRESS, U256::ZERO, BlockId::latest()).unwrap();
    assert_eq!(B256::from(history), parent.hash());
    // The system address is not left in the state.
    assert!(chain.latest_state().account(&alloy_eips::eip4788::SYSTEM_ADDRESS).is_none());
    let user = block.transactions.iter().find(|tx| !tx.is_deposit()).unwrap();
    assert_eq!(user.l1_fee.unwrap().l1_base_fee, l1.base_fee);
    assert_header_consistent(&chain, &block);
}
