//! Chain benchmarks: mining blocks of 100 signed transfers (submission, building, roots, pool
//! revalidation), building the pending block over 100 waiting transfers, the state root against the number of accounts (from scratch and after touching 100
//! accounts), log queries over 2,000 blocks, and (printed first) the heap cost of the kept history.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_primitives::{Address, B256, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use op_alloy_consensus::OpTxEnvelope;
use superlink_chain::{
    Chain, ChainConfig, Genesis, GenesisAccount, LogFilter,
    state::{AccountInfo, StateDiff, WorldState},
    trie,
};
use superlink_txpool::PoolTransaction;

const CHAIN_ID: u64 = 901;
const TRANSFERS_PER_BLOCK: usize = 100;

fn signers(count: usize) -> Vec<PrivateKeySigner> {
    (1..=count)
        .map(|i| {
            let mut key = [0u8; 32];
            key[24..].copy_from_slice(&(i as u64 + 1000).to_be_bytes());
            PrivateKeySigner::from_bytes(&B256::from(key)).unwrap()
        })
        .collect()
}

fn signed_transfer(signer: &PrivateKeySigner, nonce: u64, to: Address) -> PoolTransaction {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1_000,
        to: TxKind::Call(to),
        value: U256::from(1u64),
        ..TxEip1559::default()
    };
    let signature = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    PoolTransaction::from_envelope(OpTxEnvelope::Eip1559(tx.into_signed(signature))).unwrap()
}

fn funded_genesis() -> (Genesis, Vec<PrivateKeySigner>) {
    let senders = signers(TRANSFERS_PER_BLOCK);
    let mut genesis = Genesis::new(CHAIN_ID, 1_700_000_000)
        .with_alloc(superlink_contracts::genesis::predeploy_allocs(CHAIN_ID));
    for signer in &senders {
        genesis = genesis.with_account(
            signer.address(),
            GenesisAccount { balance: U256::from(10u128.pow(24)), ..GenesisAccount::default() },
        );
    }
    (genesis, senders)
}

fn bench_blocks(c: &mut Criterion) {
    let (genesis, senders) = funded_genesis();
    let mut group = c.benchmark_group("chain");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.bench_function("mine_block_100_transfers", |b| {
        b.iter_custom(|iters| {
            let mut chain = Chain::new(&genesis, ChainConfig::default());
            let mut timestamp = 1_700_000_000;
            let mut total = Duration::ZERO;
            for round in 0..iters {
                let txs: Vec<PoolTransaction> = senders
                    .iter()
                    .enumerate()
                    .map(|(i, signer)| signed_transfer(signer, round, Address::with_last_byte(i as u8)))
                    .collect();
                timestamp += 2;
                let start = Instant::now();
                for tx in txs {
                    chain.submit_transaction(tx).unwrap();
                }
                let mined = chain.mine(timestamp).unwrap();
                total += start.elapsed();
                assert_eq!(mined.block.transactions.len(), TRANSFERS_PER_BLOCK + 1);
            }
            total
        });
    });
    // The `pending` block with 100 transfers waiting: what the first `pending` query after a submission costs
    // (a copy of the head state, then building the block on it).
    group.bench_function("pending_block_100_transfers", |b| {
        let mut chain = Chain::new(&genesis, ChainConfig::default());
        for (i, signer) in senders.iter().enumerate() {
            chain.submit_transaction(signed_transfer(signer, 0, Address::with_last_byte(i as u8))).unwrap();
        }
        b.iter(|| {
            // Re-labelling the L1 origin with the same value clears the cached pending block.
            let origin = *chain.l1_origin();
            chain.set_l1_origin(origin);
            let pending = chain.pending_block().unwrap();
            assert_eq!(pending.block.transactions.len(), TRANSFERS_PER_BLOCK + 1);
        });
    });
    group.finish();
}

fn populated_state(accounts: usize) -> WorldState {
    let mut state = WorldState::new();
    let mut diff = StateDiff::default();
    for i in 0..accounts {
        let address = Address::from_word(alloy_primitives::keccak256((i as u64).to_be_bytes()));
        let info = AccountInfo { balance: U256::from(i as u64 + 1), nonce: 1, ..AccountInfo::default() };
        state.set_info(address, info, &mut diff);
        if i % 10 == 0 {
            for slot in 0..4u64 {
                state.set_storage(address, U256::from(slot), U256::from(i as u64 * 7 + slot + 1), &mut diff);
            }
        }
    }
    state
}

fn bench_state_root(c: &mut Criterion) {
    let mut group = c.benchmark_group("state_root");
    group.sample_size(10);
    for accounts in [1_000usize, 10_000, 100_000] {
        let mut state = populated_state(accounts);
        trie::state_root(&mut state);
        group.bench_with_input(BenchmarkId::new("full", accounts), &accounts, |b, _| {
            b.iter(|| trie::full_state_root(&state));
        });
        let touched: Vec<Address> = state.accounts().map(|(address, _)| *address).take(100).collect();
        let mut round = 0u64;
        group.bench_with_input(BenchmarkId::new("after_100_changes", accounts), &accounts, |b, _| {
            b.iter(|| {
                round += 1;
                let mut diff = StateDiff::default();
                for address in &touched {
                    state.set_storage(*address, U256::from(9u64), U256::from(round), &mut diff);
                }
                trie::state_root(&mut state)
            });
        });
    }
    group.finish();
}

/// Prints what the kept history costs: heap bytes of the per-block state diffs after 1,100 blocks of 100
/// transfers with the default depth of 1,024 blocks.
fn history_memory_report(genesis: &Genesis, senders: &[PrivateKeySigner]) {
    let mut chain = Chain::new(genesis, ChainConfig::default());
    let blocks = 1_100u64;
    for round in 0..blocks {
        for (i, signer) in senders.iter().enumerate() {
            chain
                .submit_transaction(signed_transfer(signer, round, Address::with_last_byte(i as u8)))
                .unwrap();
        }
        chain.mine(1_700_000_000 + 2 * (round + 1)).unwrap();
    }
    let kept = chain.head_number() - chain.oldest_state();
    let bytes = chain.history_heap_bytes();
    println!(
        "history: {kept} blocks of state diffs kept, {bytes} heap bytes = {:.1} KiB per block of {TRANSFERS_PER_BLOCK} transfers",
        bytes as f64 / kept as f64 / 1024.0
    );
}

fn bench_history_memory(_c: &mut Criterion) {
    let (genesis, senders) = funded_genesis();
    history_memory_report(&genesis, &senders);
}

/// Log queries over 2,000 blocks in which one sender in 100 calls a logging contract each block.
fn bench_logs(c: &mut Criterion) {
    let (genesis, senders) = funded_genesis();
    let mut chain = Chain::new(&genesis, ChainConfig::default());
    // Emits LOG1(topic = caller, data = first calldata word).
    let logger = Address::repeat_byte(0x99);
    chain.set_code(logger, alloy_primitives::hex::decode("6000356000523360206000a100").unwrap().into());
    let blocks = 2_000u64;
    for round in 0..blocks {
        let signer = &senders[(round % senders.len() as u64) as usize];
        let nonce = round / senders.len() as u64;
        let tx = TxEip1559 {
            chain_id: CHAIN_ID,
            nonce,
            gas_limit: 60_000,
            max_fee_per_gas: 100_000_000_000,
            max_priority_fee_per_gas: 1_000,
            to: TxKind::Call(logger),
            input: B256::from(U256::from(round)).into(),
            ..TxEip1559::default()
        };
        let signature = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
        let pooled =
            PoolTransaction::from_envelope(OpTxEnvelope::Eip1559(tx.into_signed(signature))).unwrap();
        chain.submit_transaction(pooled).unwrap();
        chain.mine(1_700_000_000 + 2 * (round + 1)).unwrap();
    }
    let head = chain.head_number();
    let mut group = c.benchmark_group("logs_2000_blocks");
    group.sample_size(20);
    group.bench_function("by_address", |b| {
        let filter = LogFilter::range(0, head).address(logger);
        b.iter(|| assert_eq!(chain.logs(&filter).len(), blocks as usize));
    });
    group.bench_function("by_topic_one_sender", |b| {
        let topic = B256::left_padding_from(senders[7].address().as_slice());
        let filter = LogFilter::range(0, head).topic(0, vec![topic]);
        b.iter(|| assert_eq!(chain.logs(&filter).len(), (blocks / senders.len() as u64) as usize));
    });
    group.bench_function("absent_address", |b| {
        let filter = LogFilter::range(0, head).address(Address::repeat_byte(0x01));
        b.iter(|| assert!(chain.logs(&filter).is_empty()));
    });
    group.finish();
}

criterion_group!(benches, bench_history_memory, bench_blocks, bench_state_root, bench_logs);
criterion_main!(benches);
