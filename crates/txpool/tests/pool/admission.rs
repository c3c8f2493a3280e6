//! One test per rejection reason, plus the fee-cap-below-base-fee policy.

use std::sync::Arc;

use alloy_consensus::{TxEip1559, TxEip2930};
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use superlink_txpool::{
    AdmissionRejection, InMemoryAccounts, InsertError, PoolConfig, PoolTransaction, SubPool, TxPool,
    intrinsic_gas,
};

use crate::{
    decode::eip7702_tx,
    helpers::{BASE_FEE, CHAIN_ID, GWEI, config, eip2930, funded, key, legacy, pool, sign, transfer},
};

fn funded_key1() -> InMemoryAccounts {
    funded(&[key(1).address()])
}

#[test]
fn a_valid_transfer_is_pending() {
    let mut pool = pool();
    let tx = sign(&key(1), transfer(0, 2 * GWEI, GWEI));
    let added = pool.add_transaction(tx.clone(), &funded_key1()).unwrap();
    assert_eq!(added.hash, tx.hash());
    assert_eq!(added.subpool, SubPool::Pending);
    assert_eq!(pool.get(&tx.hash()).as_deref(), Some(&tx));
}

#[test]
fn already_known() {
    let mut pool = pool();
    let tx = sign(&key(1), transfer(0, 2 * GWEI, GWEI));
    pool.add_transaction(tx.clone(), &funded_key1()).unwrap();
    assert_eq!(
        pool.add_transaction(tx.clone(), &funded_key1()),
        Err(InsertError::AlreadyKnown { hash: tx.hash() })
    );
}

#[test]
fn wrong_chain_id() {
    let mut tx = transfer(0, 2 * GWEI, GWEI);
    tx.chain_id = CHAIN_ID + 1;
    let err = pool().add_transaction(sign(&key(1), tx), &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::WrongChainId { expected: CHAIN_ID, got: CHAIN_ID + 1 });
}

#[test]
fn unprotected_legacy_follows_the_policy() {
    let tx = sign(&key(1), legacy(0, 2 * GWEI, None));
    let strict = PoolConfig { allow_unprotected_legacy: false, ..config() };
    assert_eq!(
        TxPool::new(strict, BASE_FEE).add_transaction(tx.clone(), &funded_key1()),
        Err(InsertError::UnprotectedLegacy)
    );
    assert!(pool().add_transaction(tx, &funded_key1()).is_ok(), "allowed by default");
}

#[test]
fn nonce_too_low() {
    let mut state = funded_key1();
    state.set_nonce(key(1).address(), 5);
    let err = pool().add_transaction(sign(&key(1), transfer(4, 2 * GWEI, GWEI)), &state).unwrap_err();
    assert_eq!(err, InsertError::NonceTooLow { address: key(1).address(), tx_nonce: 4, state_nonce: 5 });
}

#[test]
fn nonce_at_max_value() {
    let err = pool()
        .add_transaction(sign(&key(1), transfer(u64::MAX, 2 * GWEI, GWEI)), &funded_key1())
        .unwrap_err();
    assert_eq!(err, InsertError::NonceMax { address: key(1).address(), nonce: u64::MAX });
}

#[test]
fn insufficient_funds_for_gas_times_price_plus_value() {
    let tx = sign(&key(1), transfer(0, 2 * GWEI, GWEI));
    let mut state = InMemoryAccounts::new();
    state.set_balance(key(1).address(), tx.cost() - U256::from(1));
    let err = pool().add_transaction(tx.clone(), &state).unwrap_err();
    assert!(
        matches!(err, InsertError::InsufficientFunds { cost, .. } if cost == U256::from(21_000u64 * 2 * GWEI as u64) + U256::from(1)),
        "{err:?}"
    );
    state.set_balance(key(1).address(), tx.cost());
    assert!(pool().add_transaction(tx, &state).is_ok(), "exact balance is enough");
}

#[test]
fn overdraft_counts_earlier_pooled_nonces() {
    let first = sign(&key(1), transfer(0, 2 * GWEI, GWEI));
    let second = sign(&key(1), transfer(1, 2 * GWEI, GWEI));
    let mut state = InMemoryAccounts::new();
    state.set_balance(key(1).address(), first.cost() + second.cost() - U256::from(1));
    let mut pool = pool();
    pool.add_transaction(first, &state).unwrap();
    let err = pool.add_transaction(second, &state).unwrap_err();
    assert!(matches!(err, InsertError::Overdraft { .. }), "{err:?}");
}

#[test]
fn intrinsic_gas_too_low_for_calldata() {
    let mut tx = transfer(0, 2 * GWEI, GWEI);
    tx.input = Bytes::from(vec![0x00, 0x01, 0x02]);
    let tx = sign(&key(1), tx);
    let gas = intrinsic_gas(tx.tx(), config().spec);
    // EIP-2028: 4 gas per zero byte, 16 per non-zero byte, on top of 21000.
    assert_eq!(gas.intrinsic, 21_000 + 4 + 16 + 16);
    let err = pool().add_transaction(tx, &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::IntrinsicGasTooLow { gas_limit: 21_000, intrinsic: gas.intrinsic });
}

#[test]
fn intrinsic_gas_too_low_for_creation() {
    let mut tx = transfer(0, 2 * GWEI, GWEI);
    tx.to = TxKind::Create;
    tx.input = Bytes::from(vec![0x60; 40]);
    let tx = sign(&key(1), tx);
    let gas = intrinsic_gas(tx.tx(), config().spec);
    // Creation adds 32000 and EIP-3860's 2 gas per 32-byte word of init code.
    assert_eq!(gas.intrinsic, 21_000 + 32_000 + 40 * 16 + 2 * 2);
    let err = pool().add_transaction(tx, &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::IntrinsicGasTooLow { gas_limit: 21_000, intrinsic: gas.intrinsic });
}

#[test]
fn intrinsic_gas_too_low_for_access_list() {
    let tx = TxEip2930 {
        access_list: AccessList(vec![AccessListItem {
            address: Address::repeat_byte(0x42),
            storage_keys: vec![B256::ZERO, B256::repeat_byte(1)],
        }]),
        ..eip2930(0, 2 * GWEI)
    };
    let tx = sign(&key(1), tx);
    let gas = intrinsic_gas(tx.tx(), config().spec);
    // EIP-2930: 2400 per address, 1900 per storage key.
    assert_eq!(gas.intrinsic, 21_000 + 2_400 + 2 * 1_900);
    let err = pool().add_transaction(tx, &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::IntrinsicGasTooLow { gas_limit: 21_000, intrinsic: gas.intrinsic });
}

#[test]
fn intrinsic_gas_too_low_for_authorizations() {
    let mut tx = eip7702_tx(0);
    tx.gas_limit = 21_000;
    let tx = sign(&key(1), tx);
    let gas = intrinsic_gas(tx.tx(), config().spec);
    // EIP-7702: 25000 per authorization.
    assert_eq!(gas.intrinsic, 21_000 + 25_000);
    let err = pool().add_transaction(tx, &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::IntrinsicGasTooLow { gas_limit: 21_000, intrinsic: gas.intrinsic });
}

#[test]
fn floor_data_gas_too_low() {
    let mut tx = transfer(0, 2 * GWEI, GWEI);
    tx.input = Bytes::from(vec![0xff; 1000]);
    tx.gas_limit = 21_000 + 16 * 1000; // covers the intrinsic gas, not the EIP-7623 floor
    let tx = sign(&key(1), tx);
    let gas = intrinsic_gas(tx.tx(), config().spec);
    assert_eq!(gas.floor, 21_000 + 10 * 4 * 1000, "EIP-7623: 10 gas per token, 4 tokens per non-zero byte");
    let err = pool().add_transaction(tx, &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::FloorDataGasTooLow { gas_limit: 37_000, floor: gas.floor });
}

#[test]
fn gas_limit_above_block_gas_limit_minus_system_margin() {
    let config = PoolConfig { block_gas_limit: 200_000, ..config() };
    assert_eq!(config.effective_gas_limit(), 200_000 - config.system_gas_margin);
    assert_eq!(
        config.system_gas_margin, 100_000,
        "the interop tx-pool spec keeps 100k gas for system deposits"
    );
    let mut pool = TxPool::new(config, BASE_FEE);
    let too_much = TxEip1559 { gas_limit: 100_001, ..transfer(0, 2 * GWEI, GWEI) };
    let err = pool.add_transaction(sign(&key(1), too_much), &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::GasLimitExceeded { gas_limit: 100_001, limit: 100_000 });
    let at_limit = TxEip1559 { gas_limit: 100_000, ..transfer(0, 2 * GWEI, GWEI) };
    assert!(pool.add_transaction(sign(&key(1), at_limit), &funded_key1()).is_ok());
}

#[test]
fn tip_below_the_minimum_is_underpriced() {
    let mut pool = TxPool::new(PoolConfig { min_priority_fee: GWEI, ..config() }, BASE_FEE);
    let err =
        pool.add_transaction(sign(&key(1), transfer(0, 2 * GWEI, GWEI - 1)), &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::Underpriced { tip: GWEI - 1, minimum: GWEI });
    let err =
        pool.add_transaction(sign(&key(1), legacy(0, GWEI - 1, Some(CHAIN_ID))), &funded_key1()).unwrap_err();
    assert_eq!(
        err,
        InsertError::Underpriced { tip: GWEI - 1, minimum: GWEI },
        "legacy: the gas price is the tip"
    );
}

#[test]
fn tip_above_fee_cap() {
    let err =
        pool().add_transaction(sign(&key(1), transfer(0, 2 * GWEI, 3 * GWEI)), &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::TipAboveFeeCap { tip: 3 * GWEI, fee_cap: 2 * GWEI });
}

#[test]
fn oversized_transaction() {
    let tx = TxEip1559 { input: Bytes::from(vec![0u8; 128 * 1024]), ..transfer(0, 2 * GWEI, GWEI) };
    let tx = sign(&key(1), tx);
    let size = tx.encoded().len();
    assert!(size > 128 * 1024);
    let err = pool().add_transaction(tx, &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::Oversized { size, max: 128 * 1024 });
}

#[test]
fn initcode_too_large() {
    let tx = TxEip1559 {
        to: TxKind::Create,
        input: Bytes::from(vec![0u8; 2 * 0x6000 + 1]),
        gas_limit: 1_000_000,
        ..transfer(0, 2 * GWEI, GWEI)
    };
    let err = pool().add_transaction(sign(&key(1), tx), &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::InitcodeTooLarge { size: 2 * 0x6000 + 1, max: 2 * 0x6000 });
}

#[test]
fn eip7702_without_authorizations() {
    let mut tx = eip7702_tx(0);
    tx.authorization_list.clear();
    let err = pool().add_transaction(sign(&key(1), tx), &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::EmptyAuthorizationList);
    assert!(pool().add_transaction(sign(&key(1), eip7702_tx(0)), &funded_key1()).is_ok());
}

#[test]
fn admission_hook_rejection_carries_its_reason() {
    let mut pool = pool();
    let banned = Address::repeat_byte(0xbb);
    pool.set_admission_check(Arc::new(move |tx: &PoolTransaction| {
        if alloy_consensus::Transaction::to(tx.tx()) == Some(banned) {
            Err(AdmissionRejection::new("executing message not valid"))
        } else {
            Ok(())
        }
    }));
    let err = pool.add_transaction(sign(&key(1), transfer(0, 2 * GWEI, GWEI)), &funded_key1()).unwrap_err();
    assert_eq!(err, InsertError::Rejected(AdmissionRejection::new("executing message not valid")));
    assert_eq!(err.to_string(), "transaction rejected: executing message not valid");
    let elsewhere = TxEip1559 { to: TxKind::Call(Address::repeat_byte(0xcc)), ..transfer(0, 2 * GWEI, GWEI) };
    assert!(pool.add_transaction(sign(&key(1), elsewhere), &funded_key1()).is_ok());
}

#[test]
fn fee_cap_below_base_fee_is_accepted_but_not_offered_until_the_base_fee_drops() {
    let mut pool = pool();
    let cheap = sign(&key(1), transfer(0, BASE_FEE as u128 - 1, 0));
    let added = pool.add_transaction(cheap.clone(), &funded_key1()).unwrap();
    assert_eq!(added.subpool, SubPool::Pending);
    assert_eq!(pool.best_transactions(BASE_FEE).count(), 0);
    let offered: Vec<_> = pool.best_transactions(BASE_FEE - 1).map(|tx| tx.hash()).collect();
    assert_eq!(offered, vec![cheap.hash()]);
}

/// The head state plus a fixed L1 data fee per transaction.
struct WithL1Fee(InMemoryAccounts, U256);

impl superlink_txpool::AccountReader for WithL1Fee {
    fn nonce(&self, address: Address) -> u64 {
        self.0.nonce(address)
    }

    fn balance(&self, address: Address) -> U256 {
        self.0.balance(address)
    }

    fn l1_data_fee(&self, _tx: &PoolTransaction) -> U256 {
        self.1
    }
}

#[test]
fn the_balance_must_also_cover_the_l1_data_fee() {
    use superlink_txpool::AccountReader;
    let tx = sign(&key(1), transfer(0, 2 * GWEI, GWEI));
    let l1_fee = U256::from(5_000_000_000_000u64);
    let mut accounts = InMemoryAccounts::new();
    accounts.set_balance(key(1).address(), tx.cost());
    let state = WithL1Fee(accounts, l1_fee);
    let err = pool().add_transaction(tx.clone(), &state).unwrap_err();
    assert!(
        matches!(err, InsertError::InsufficientFunds { cost, .. } if cost == tx.cost() + l1_fee),
        "{err:?}"
    );

    let mut accounts = InMemoryAccounts::new();
    accounts.set_balance(key(1).address(), tx.cost() + l1_fee);
    let state = WithL1Fee(accounts, l1_fee);
    let mut pool = pool();
    pool.add_transaction(tx.clone(), &state).unwrap();
    assert!(pool.on_new_block(&state, BASE_FEE).is_empty());

    // The L1 fee rises: the balance no longer covers it and the transaction leaves at the next block.
    let pricier = WithL1Fee(state.0.clone(), l1_fee + U256::from(1));
    assert_eq!(pricier.balance(key(1).address()), tx.cost() + l1_fee);
    let dropped = pool.on_new_block(&pricier, BASE_FEE);
    assert_eq!(dropped.len(), 1);
    assert!(pool.is_empty());
}
