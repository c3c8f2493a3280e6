//! Transaction pool throughput: inserting 10k transactions, iterating the best 10k, revalidating after a
//! block, and decoding signed raw transactions (signature recovery included).

// Set-up code unwraps: a failure there means the benchmark itself is wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use op_alloy_consensus::{OpTxEnvelope, OpTypedTransaction};
use superlink_txpool::{InMemoryAccounts, PoolConfig, PoolTransaction, TxPool, decode_raw_transaction};

const CHAIN_ID: u64 = 901;
const BASE_FEE: u64 = 1_000_000_000;
const SENDERS: u64 = 200;
const NONCES_PER_SENDER: u64 = 50;
const TOTAL: u64 = SENDERS * NONCES_PER_SENDER;

fn transfer(nonce: u64, tip: u128) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: tip,
        to: TxKind::Call(Address::repeat_byte(0xbb)),
        value: U256::from(1),
        access_list: Default::default(),
        input: Bytes::new(),
    }
}

fn sender(index: u64) -> Address {
    Address::left_padding_from(&index.to_be_bytes())
}

/// 10k impersonated transfers from 200 senders, 50 nonces each, tips varying, in arrival order that
/// interleaves senders.
fn transactions() -> Vec<PoolTransaction> {
    (0..NONCES_PER_SENDER)
        .flat_map(|nonce| {
            (1..=SENDERS).map(move |index| {
                let tip = u128::from((index * 7919 + nonce * 104_729) % 5_000) * 1_000_000;
                PoolTransaction::impersonated(
                    OpTypedTransaction::Eip1559(transfer(nonce, tip)),
                    sender(index),
                )
                .unwrap()
            })
        })
        .collect()
}

fn state() -> InMemoryAccounts {
    let mut state = InMemoryAccounts::new();
    for index in 1..=SENDERS {
        state.set(sender(index), 0, U256::from(10u64).pow(U256::from(21)));
    }
    state
}

fn config() -> PoolConfig {
    PoolConfig {
        max_txs: TOTAL as usize,
        max_txs_per_sender: NONCES_PER_SENDER as usize,
        ..PoolConfig::new(CHAIN_ID, 30_000_000)
    }
}

fn filled_pool(txs: &[PoolTransaction], state: &InMemoryAccounts) -> TxPool {
    let mut pool = TxPool::new(config(), BASE_FEE);
    for tx in txs {
        pool.add_transaction(tx.clone(), state).unwrap();
    }
    pool
}

fn bench_pool(c: &mut Criterion) {
    let txs = transactions();
    let state = state();
    let mut group = c.benchmark_group("txpool");
    group.sample_size(20);
    group.throughput(Throughput::Elements(TOTAL));

    group.bench_function("insert_10k", |b| {
        b.iter_batched(
            || txs.clone(),
            |txs| {
                let mut pool = TxPool::new(config(), BASE_FEE);
                for tx in txs {
                    pool.add_transaction(tx, &state).unwrap();
                }
                pool
            },
            BatchSize::LargeInput,
        )
    });

    let pool = filled_pool(&txs, &state);
    group.bench_function("best_iterate_10k", |b| {
        b.iter(|| {
            let mut yielded = 0u64;
            for tx in pool.best_transactions(BASE_FEE) {
                black_box(tx.nonce());
                yielded += 1;
            }
            assert_eq!(yielded, TOTAL);
        })
    });

    // One block mined nonce 0 of every sender: drop those, revalidate the remaining 9800.
    let mut after_block = state.clone();
    for index in 1..=SENDERS {
        after_block.set_nonce(sender(index), 1);
    }
    group.bench_function("on_new_block_10k", |b| {
        b.iter_batched(
            || pool.clone(),
            |mut pool| black_box(pool.on_new_block(&after_block, BASE_FEE)),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn bench_decode(c: &mut Criterion) {
    let key = PrivateKeySigner::from_bytes(&[0x11; 32].into()).unwrap();
    let raws: Vec<Vec<u8>> = (0..1_000)
        .map(|nonce| {
            let tx = transfer(nonce, 1_000_000_000);
            let signature = key.sign_hash_sync(&tx.signature_hash()).unwrap();
            OpTxEnvelope::from(tx.into_signed(signature)).encoded_2718()
        })
        .collect();
    let mut group = c.benchmark_group("txpool");
    group.sample_size(20);
    group.throughput(Throughput::Elements(raws.len() as u64));
    group.bench_function("decode_recover_1k", |b| {
        b.iter(|| {
            for raw in &raws {
                black_box(decode_raw_transaction(raw).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_pool, bench_decode);
criterion_main!(benches);
