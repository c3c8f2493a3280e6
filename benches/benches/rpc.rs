//! JSON-RPC server benchmarks over loopback HTTP against the real chain: a cheap read (`eth_blockNumber`),
//! a full block of 100 transfers (`eth_getBlockByNumber` with transactions), its 101 receipts
//! (`eth_getBlockReceipts`), an `eth_call` through the EVM, and `eth_sendRawTransaction` with automining
//! (submission, block building and the block event per transaction), and eight concurrent clients. Each
//! figure includes the HTTP round trip of a jsonrpsee client on the same machine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    cell::Cell,
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_eips::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jsonrpsee::{core::client::ClientT, http_client::HttpClientBuilder, rpc_params};
use op_alloy_consensus::OpTxEnvelope;
use serde_json::{Value, json};
use superlink_chain::{Chain, ChainConfig, Genesis, GenesisAccount};
use superlink_rpc::{ChainBackend, TransactionSubmitter, serve};

const CHAIN_ID: u64 = 901;
const TRANSFERS: usize = 100;

fn signer(i: u64) -> PrivateKeySigner {
    let mut key = [0u8; 32];
    key[24..].copy_from_slice(&(i + 5000).to_be_bytes());
    PrivateKeySigner::from_bytes(&B256::from(key)).unwrap()
}

fn raw_transfer(signer: &PrivateKeySigner, nonce: u64) -> Bytes {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1_000_000,
        to: TxKind::Call(Address::with_last_byte(0x42)),
        value: U256::from(1u64),
        ..TxEip1559::default()
    };
    let signature = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    Bytes::from(OpTxEnvelope::Eip1559(tx.into_signed(signature)).encoded_2718())
}

fn bench_rpc(c: &mut Criterion) {
    let senders: Vec<PrivateKeySigner> = (0..TRANSFERS as u64 + 1).map(signer).collect();
    let mut genesis = Genesis::new(CHAIN_ID, 1_700_000_000)
        .with_alloc(superlink_contracts::genesis::predeploy_allocs(CHAIN_ID));
    for s in &senders {
        genesis = genesis.with_account(
            s.address(),
            GenesisAccount { balance: U256::from(10u128.pow(24)), ..GenesisAccount::default() },
        );
    }
    let backend = Arc::new(
        ChainBackend::new(Chain::new(&genesis, ChainConfig::default()), vec![]).with_automine(false),
    );
    // One block of 100 transfers from 100 senders.
    for s in &senders[..TRANSFERS] {
        backend.send_raw_transaction(raw_transfer(s, 0)).unwrap();
    }
    let full_block = backend.mine_block().unwrap();
    assert_eq!(full_block.transactions.len(), TRANSFERS + 1);

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let handle = runtime.block_on(serve("127.0.0.1:0", backend.clone())).unwrap();
    let client = HttpClientBuilder::default().build(handle.http_url()).unwrap();
    let number = format!("{:#x}", full_block.number());

    let mut group = c.benchmark_group("rpc");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("eth_blockNumber", |b| {
        b.iter(|| runtime.block_on(client.request::<Value, _>("eth_blockNumber", rpc_params![])).unwrap())
    });
    group.bench_function("eth_getBlockByNumber_full_100_txs", |b| {
        b.iter(|| {
            runtime
                .block_on(client.request::<Value, _>("eth_getBlockByNumber", rpc_params![&number, true]))
                .unwrap()
        })
    });
    group.bench_function("eth_getBlockReceipts_101", |b| {
        b.iter(|| {
            runtime
                .block_on(client.request::<Value, _>("eth_getBlockReceipts", rpc_params![&number]))
                .unwrap()
        })
    });
    // Eight clients at once: the server's throughput rather than one round trip's latency.
    const CONCURRENT: u64 = 8;
    group.throughput(Throughput::Elements(CONCURRENT));
    group.bench_function("eth_blockNumber_8_concurrent", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                for _ in 0..CONCURRENT {
                    let client = client.clone();
                    set.spawn(
                        async move { client.request::<Value, _>("eth_blockNumber", rpc_params![]).await },
                    );
                }
                while let Some(reply) = set.join_next().await {
                    reply.unwrap().unwrap();
                }
            })
        })
    });
    group.throughput(Throughput::Elements(1));
    let call = json!({"from": senders[0].address(), "to": Address::with_last_byte(0x42), "value": "0x1"});
    group.bench_function("eth_call_transfer", |b| {
        b.iter(|| {
            runtime.block_on(client.request::<Value, _>("eth_call", rpc_params![&call, "latest"])).unwrap()
        })
    });

    // Submission with automining: every request builds and publishes a block.
    let automining = Arc::new(ChainBackend::new(Chain::new(&genesis, ChainConfig::default()), vec![]));
    let mining_handle = runtime.block_on(serve("127.0.0.1:0", automining)).unwrap();
    let mining_client = HttpClientBuilder::default().build(mining_handle.http_url()).unwrap();
    let sender = &senders[TRANSFERS];
    let nonce = Cell::new(0u64);
    group.bench_function("eth_sendRawTransaction_automine", |b| {
        b.iter_custom(|iterations| {
            let raws: Vec<Bytes> = (0..iterations)
                .map(|_| {
                    let n = nonce.get();
                    nonce.set(n + 1);
                    raw_transfer(sender, n)
                })
                .collect();
            let start = Instant::now();
            for raw in &raws {
                runtime
                    .block_on(mining_client.request::<Value, _>("eth_sendRawTransaction", rpc_params![raw]))
                    .unwrap();
            }
            start.elapsed()
        })
    });
    group.finish();
    runtime.block_on(handle.stop());
    runtime.block_on(mining_handle.stop());
}

criterion_group!(benches, bench_rpc);
criterion_main!(benches);
