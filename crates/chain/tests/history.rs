//! State at older blocks: account queries, eth_call, gas estimation, access lists and EIP-1186 proofs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use alloy_rlp::Encodable;
use alloy_rpc_types_eth::{BlockOverrides, TransactionRequest, state::AccountOverride};
use alloy_trie::{Nibbles, TrieAccount, proof::verify_proof};
use common::*;
use superlink_chain::{Chain, ChainError};

fn number(n: u64) -> BlockId {
    BlockId::Number(BlockNumberOrTag::Number(n))
}

fn read_slot(chain: &Chain, contract: Address, at: BlockId) -> U256 {
    let request = TransactionRequest { to: Some(TxKind::Call(contract)), ..TransactionRequest::default() };
    let outcome = chain.call(&request, at, None, None).unwrap();
    assert!(outcome.success);
    U256::from_be_slice(&outcome.output)
}

fn write_slot(chain: &mut Chain, dev: &Dev, nonce: u64, contract: Address, value: u64, timestamp: u64) {
    let input: Bytes = B256::from(U256::from(value)).into();
    chain
        .submit_transaction(sign(&dev.signers[0], call_tx(nonce, TxKind::Call(contract), input, 100_000)))
        .unwrap();
    let block = chain.mine(timestamp).unwrap().block;
    assert_eq!(block.transactions.len(), 2);
}

#[test]
fn calls_at_older_blocks_see_older_state() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    let contract = Address::repeat_byte(0xc0);
    chain.set_code(contract, bytes(STORE_RUNTIME));
    for (i, value) in [11u64, 22, 33, 44].iter().enumerate() {
        write_slot(&mut chain, &dev, i as u64, contract, *value, GENESIS_TIME + 2 * (i as u64 + 1));
    }
    assert_eq!(chain.head_number(), 4);
    for (n, value) in [(1u64, 11u64), (2, 22), (3, 33), (4, 44)] {
        assert_eq!(read_slot(&chain, contract, number(n)), U256::from(value));
        assert_eq!(chain.storage(contract, U256::ZERO, number(n)).unwrap(), U256::from(value));
        assert_eq!(chain.nonce(dev.address(0), number(n)).unwrap(), n);
    }
    let third = chain.block_by_number(3).unwrap();
    assert_eq!(read_slot(&chain, contract, BlockId::hash(third.hash())), U256::from(33u64));
    // Before the code was set, the contract was empty.
    assert!(chain.code(contract, number(0)).unwrap().is_empty());
    assert_eq!(chain.storage(contract, U256::ZERO, number(0)).unwrap(), U256::ZERO);

    // Developer edits show at `latest` but not at the head's number until mined... and older blocks
    // never see them.
    chain.set_storage(contract, U256::ZERO, U256::from(99u64));
    assert_eq!(read_slot(&chain, contract, BlockId::latest()), U256::from(99u64));
    assert_eq!(read_slot(&chain, contract, number(3)), U256::from(33u64));
    chain.mine(GENESIS_TIME + 20).unwrap();
    assert_eq!(read_slot(&chain, contract, number(4)), U256::from(44u64));
    assert_eq!(read_slot(&chain, contract, number(5)), U256::from(99u64));
}

#[test]
fn state_older_than_the_history_depth_is_refused() {
    let dev = Dev::new(1);
    let config = superlink_chain::ChainConfig { history_depth: 3, ..Default::default() };
    let mut chain = Chain::new(&genesis(&dev, 30_000_000), config);
    for i in 1..=6u64 {
        chain.mine(GENESIS_TIME + i).unwrap();
    }
    assert_eq!(chain.oldest_state(), 3);
    assert!(chain.balance(dev.address(0), number(3)).is_ok());
    assert!(matches!(
        chain.balance(dev.address(0), number(2)),
        Err(ChainError::StateUnavailable { number: 2, oldest: 3 })
    ));
    assert!(matches!(chain.rewind_to(2), Err(ChainError::HistoryTooShort { .. })));
}

#[test]
fn call_applies_state_and_block_overrides() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    let contract = Address::repeat_byte(0xc0);
    chain.mine(GENESIS_TIME + 2).unwrap();
    // Code and storage supplied only by the override.
    let mut overrides = alloy_rpc_types_eth::state::StateOverride::default();
    overrides.insert(
        contract,
        AccountOverride::default()
            .with_code(bytes(STORE_RUNTIME))
            .with_state_diff([(B256::ZERO, B256::from(U256::from(5u64)))]),
    );
    let request = TransactionRequest { to: Some(TxKind::Call(contract)), ..TransactionRequest::default() };
    let outcome = chain.call(&request, BlockId::latest(), Some(&overrides), None).unwrap();
    assert_eq!(U256::from_be_slice(&outcome.output), U256::from(5u64));
    assert!(chain.call(&request, BlockId::latest(), None, None).unwrap().output.is_empty());

    // TIMESTAMP PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    let clock = Address::repeat_byte(0xc1);
    chain.set_code(clock, bytes("4260005260206000f3"));
    let request = TransactionRequest { to: Some(TxKind::Call(clock)), ..TransactionRequest::default() };
    let now = chain.call(&request, BlockId::latest(), None, None).unwrap();
    assert_eq!(U256::from_be_slice(&now.output), U256::from(chain.head().timestamp()));
    let block_overrides = BlockOverrides { time: Some(4242), ..BlockOverrides::default() };
    let later = chain.call(&request, BlockId::latest(), None, Some(&block_overrides)).unwrap();
    assert_eq!(U256::from_be_slice(&later.output), U256::from(4242u64));
}

#[test]
fn reverts_and_halts_are_reported() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    // PUSH1 0xab PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 REVERT
    let reverter = Address::repeat_byte(0xd0);
    chain.set_code(reverter, bytes("60ab60005360016000fd"));
    let invalid = Address::repeat_byte(0xd1);
    chain.set_code(invalid, bytes("fe"));
    let revert = chain
        .call(
            &TransactionRequest { to: Some(TxKind::Call(reverter)), ..Default::default() },
            BlockId::latest(),
            None,
            None,
        )
        .unwrap();
    assert!(!revert.success);
    assert_eq!(revert.revert_data, Some(Bytes::from(vec![0xab])));
    let halt = chain
        .call(
            &TransactionRequest { to: Some(TxKind::Call(invalid)), ..Default::default() },
            BlockId::latest(),
            None,
            None,
        )
        .unwrap();
    assert!(!halt.success);
    assert!(halt.halt_reason.is_some());
    let estimate = chain.estimate_gas(
        &TransactionRequest { to: Some(TxKind::Call(reverter)), ..Default::default() },
        BlockId::latest(),
        None,
        None,
    );
    assert!(matches!(estimate, Err(ChainError::GasEstimateFailed { revert: Some(_), .. })));
}

#[test]
fn gas_estimate_is_the_smallest_limit_that_succeeds() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    let contract = Address::repeat_byte(0xc0);
    chain.set_code(contract, bytes(STORE_RUNTIME));
    let input: Bytes = B256::from(U256::from(7u64)).into();
    let request = TransactionRequest {
        from: Some(dev.address(0)),
        to: Some(TxKind::Call(contract)),
        input: input.into(),
        ..TransactionRequest::default()
    };
    let estimate = chain.estimate_gas(&request, BlockId::latest(), None, None).unwrap();
    let with = |gas: u64| {
        let request = TransactionRequest { gas: Some(gas), ..request.clone() };
        chain.call(&request, BlockId::latest(), None, None).unwrap().success
    };
    assert!(with(estimate));
    assert!(!with(estimate - 1));
    // A plain transfer costs exactly the intrinsic gas.
    let transfer = TransactionRequest {
        from: Some(dev.address(0)),
        to: Some(TxKind::Call(Address::repeat_byte(5))),
        value: Some(U256::from(1u64)),
        ..TransactionRequest::default()
    };
    assert_eq!(chain.estimate_gas(&transfer, BlockId::latest(), None, None).unwrap(), 21_000);
}

#[test]
fn access_list_names_the_touched_slots() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    let contract = Address::repeat_byte(0xc0);
    chain.set_code(contract, bytes(STORE_RUNTIME));
    // CALL the store contract with no data (it SLOADs slot 0): a proxy whose own address is the target.
    // PUSH1 32 PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0 PUSH20 <contract> GAS CALL STOP
    let mut proxy_code = hex_code("60206000600060006000");
    proxy_code.push(0x73);
    proxy_code.extend_from_slice(contract.as_slice());
    proxy_code.extend_from_slice(&[0x5a, 0xf1, 0x00]);
    let proxy = Address::repeat_byte(0xc2);
    chain.set_code(proxy, proxy_code.into());
    let request = TransactionRequest {
        from: Some(dev.address(0)),
        to: Some(TxKind::Call(proxy)),
        ..TransactionRequest::default()
    };
    let outcome = chain.create_access_list(&request, BlockId::latest(), None).unwrap();
    assert!(outcome.outcome.success);
    let items = &outcome.access_list.0;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].address, contract);
    assert_eq!(items[0].storage_keys, vec![B256::ZERO]);
}

fn hex_code(code: &str) -> Vec<u8> {
    bytes(code).to_vec()
}

#[test]
fn proofs_verify_against_the_block_state_root() {
    let dev = Dev::new(2);
    let mut chain = chain(&dev);
    let contract = Address::repeat_byte(0xc0);
    chain.set_code(contract, bytes(STORE_RUNTIME));
    write_slot(&mut chain, &dev, 0, contract, 77, GENESIS_TIME + 2);
    write_slot(&mut chain, &dev, 1, contract, 88, GENESIS_TIME + 4);
    let slots = [B256::ZERO, B256::with_last_byte(9)];
    for n in [1u64, 2] {
        let root = chain.block_by_number(n).unwrap().header.state_root;
        let proof = chain.proof(contract, &slots, number(n)).unwrap();
        let account = TrieAccount {
            nonce: proof.nonce,
            balance: proof.balance,
            storage_root: proof.storage_hash,
            code_hash: proof.code_hash,
        };
        let mut encoded = Vec::new();
        account.encode(&mut encoded);
        verify_proof(root, Nibbles::unpack(keccak256(contract)), Some(encoded), &proof.account_proof)
            .unwrap();
        let expected = if n == 1 { 77u64 } else { 88 };
        assert_eq!(proof.storage_proof[0].value, U256::from(expected));
        assert_eq!(proof.storage_proof[1].value, U256::ZERO);
        for storage in &proof.storage_proof {
            let key = keccak256(storage.key.as_b256());
            let value = (!storage.value.is_zero()).then(|| alloy_rlp::encode(storage.value));
            verify_proof(proof.storage_hash, Nibbles::unpack(key), value, &storage.proof).unwrap();
        }
    }
    // An absent account proves absence.
    let nobody = Address::repeat_byte(0xee);
    let root = chain.head().header.state_root;
    let proof = chain.proof(nobody, &[], BlockId::latest()).unwrap();
    verify_proof(root, Nibbles::unpack(keccak256(nobody)), None, &proof.account_proof).unwrap();
}

#[test]
fn pending_block_is_the_next_block_built_from_the_pool_without_changing_the_chain() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    let contract = Address::repeat_byte(0xc0);
    chain.set_code(contract, bytes(STORE_RUNTIME));
    write_slot(&mut chain, &dev, 0, contract, 11, GENESIS_TIME + 2);
    let pending = BlockId::Number(BlockNumberOrTag::Pending);
    let head = chain.head();

    // Nothing waits: the pending state is the head state, and the pending block holds only the L1 attributes.
    assert_eq!(read_slot(&chain, contract, pending), U256::from(11u64));
    let empty = chain.block(pending).unwrap();
    assert_eq!(empty.number(), head.number() + 1);
    assert_eq!(empty.header.parent_hash, head.hash());
    assert_eq!(empty.transactions.len(), 1);

    let input: Bytes = B256::from(U256::from(22u64)).into();
    let tx = sign(&dev.signers[0], call_tx(1, TxKind::Call(contract), input, 100_000));
    let hash = chain.submit_transaction(tx).unwrap().hash;
    let block = chain.block(pending).unwrap();
    assert_eq!(block.number(), head.number() + 1);
    assert_eq!(block.transactions.last().map(|tx| tx.hash), Some(hash));
    // State reads at `pending` see the transaction; `latest` and the chain itself do not.
    assert_eq!(read_slot(&chain, contract, pending), U256::from(22u64));
    assert_eq!(chain.storage(contract, U256::ZERO, pending).unwrap(), U256::from(22u64));
    assert_eq!(chain.nonce(dev.address(0), pending).unwrap(), 2);
    assert_eq!(read_slot(&chain, contract, BlockId::latest()), U256::from(11u64));
    assert_eq!(chain.head_number(), head.number());
    assert_eq!(chain.head().hash(), head.hash());
    assert_eq!(chain.recompute_state_root(), head.header.state_root);
    // The pending block is kept until something changes.
    assert!(std::sync::Arc::ptr_eq(&block, &chain.block(pending).unwrap()));

    // Mining at the pending block's timestamp produces exactly the pending block.
    let mined = chain.mine(block.timestamp()).unwrap().block;
    assert_eq!(mined.hash(), block.hash());
    assert_eq!(mined.header.state_root, block.header.state_root);
    let next = chain.block(pending).unwrap();
    assert_eq!(next.number(), mined.number() + 1);
    assert_eq!(next.transactions.len(), 1, "the mined transaction left the pool");
}

#[test]
fn gas_estimates_and_calls_take_block_overrides() {
    let dev = Dev::new(1);
    let mut chain = chain(&dev);
    chain.mine(GENESIS_TIME + 2).unwrap();
    let deadline = GENESIS_TIME + 1_000;
    // Reverts unless block.timestamp > deadline: TIMESTAMP PUSH4 deadline LT PUSH1 13 JUMPI PUSH0 PUSH0 REVERT
    // JUMPDEST STOP.
    let timelock = Address::repeat_byte(0xc2);
    chain.set_code(timelock, bytes(&format!("4263{deadline:08x}10600d575f5ffd5b00")));
    let request = TransactionRequest {
        from: Some(dev.address(0)),
        to: Some(TxKind::Call(timelock)),
        ..TransactionRequest::default()
    };
    let before = chain.estimate_gas(&request, BlockId::latest(), None, None);
    assert!(matches!(before, Err(ChainError::GasEstimateFailed { revert: Some(_), .. })), "{before:?}");
    let after = BlockOverrides { time: Some(deadline + 1), ..BlockOverrides::default() };
    let estimate = chain.estimate_gas(&request, BlockId::latest(), None, Some(&after)).unwrap();
    let with = |gas: u64| {
        let request = TransactionRequest { gas: Some(gas), ..request.clone() };
        chain.call(&request, BlockId::latest(), None, Some(&after)).unwrap().success
    };
    assert!(with(estimate) && !with(estimate - 1), "the estimate is the smallest limit that succeeds");

    // COINBASE PUSH0 MSTORE PUSH1 32 PUSH0 RETURN, and NUMBER in place of COINBASE.
    let coinbase = Address::repeat_byte(0xc3);
    chain.set_code(coinbase, bytes("415f5260205ff3"));
    let number = Address::repeat_byte(0xc4);
    chain.set_code(number, bytes("435f5260205ff3"));
    let overrides = BlockOverrides {
        coinbase: Some(Address::repeat_byte(0xfe)),
        number: Some(U256::from(77u64)),
        ..BlockOverrides::default()
    };
    let read = |to: Address, overrides: Option<&BlockOverrides>| {
        let request = TransactionRequest { to: Some(TxKind::Call(to)), ..TransactionRequest::default() };
        U256::from_be_slice(&chain.call(&request, BlockId::latest(), None, overrides).unwrap().output)
    };
    assert_eq!(read(coinbase, Some(&overrides)), U256::from_be_slice(Address::repeat_byte(0xfe).as_slice()));
    assert_eq!(read(coinbase, None), U256::from_be_slice(chain.head().header.beneficiary.as_slice()));
    assert_eq!(read(number, Some(&overrides)), U256::from(77u64));
    assert_eq!(read(number, None), U256::from(chain.head_number()));
}
