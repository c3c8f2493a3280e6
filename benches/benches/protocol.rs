//! Protocol hot paths: access-list checksums (computed for every declared message by the tx-pool and for
//! every executing message by the verifier), access-list parsing, executing-message log decoding, and super
//! root hashing.

use std::hint::black_box;

use alloy_primitives::{Address, B256, U256, keccak256};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use superlink_protocol::{
    ExecutingMessage, Identifier, OutputRootWithChain, SuperV1, access_list_keys, checksum, log_hash,
    parse_access_list_keys, predeploys::CROSS_L2_INBOX,
};

/// A message identifier; every eighth one on a chain whose ID does not fit in a `u64`.
fn identifier(i: u64) -> Identifier {
    let chain_id = if i % 8 == 7 { U256::MAX - U256::from(i) } else { U256::from(900 + i % 4) };
    Identifier {
        origin: Address::with_last_byte((i % 256) as u8),
        block_number: 1_000 + i,
        log_index: (i % 64) as u32,
        timestamp: 1_700_000_000 + 2 * i,
        chain_id,
    }
}

fn checksums(c: &mut Criterion) {
    let id = identifier(1);
    let hash = log_hash(id.origin, keccak256("payload"));
    let mut group = c.benchmark_group("checksum");
    group.throughput(Throughput::Elements(1));
    group.bench_function("checksum", |b| b.iter(|| checksum(black_box(&id), black_box(hash))));
    group.bench_function("log_hash_then_checksum", |b| {
        b.iter(|| checksum(black_box(&id), log_hash(black_box(id.origin), black_box(hash))))
    });
    group
        .bench_function("access_list_keys", |b| b.iter(|| access_list_keys(black_box(&id), black_box(hash))));
    group.finish();
}

fn parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_access_list_keys");
    for messages in [1u64, 16, 256] {
        let keys: Vec<B256> = (0..messages)
            .flat_map(|i| access_list_keys(&identifier(i), keccak256(i.to_be_bytes())))
            .collect();
        group.throughput(Throughput::Elements(messages));
        group.bench_function(format!("{messages}_messages"), |b| {
            b.iter(|| parse_access_list_keys(black_box(&keys)))
        });
    }
    group.finish();

    // Parse then verify every claim against its log: what a tx-pool check does once logs are looked up.
    let mut group = c.benchmark_group("parse_and_verify");
    let messages = 16u64;
    let declared: Vec<(Identifier, B256)> =
        (0..messages).map(|i| (identifier(i), keccak256(i.to_be_bytes()))).collect();
    let keys: Vec<B256> = declared.iter().flat_map(|(id, hash)| access_list_keys(id, *hash)).collect();
    group.throughput(Throughput::Elements(messages));
    group.bench_function("16_messages", |b| {
        b.iter(|| {
            let claims = parse_access_list_keys(black_box(&keys)).unwrap_or_default();
            claims.iter().zip(&declared).all(|(claim, (id, hash))| claim.verify(id.origin, *hash))
        })
    });
    group.finish();
}

fn logs(c: &mut Criterion) {
    let message = ExecutingMessage { identifier: identifier(3), msg_hash: keccak256("payload") };
    let (topics, data) = message.encode_log();
    let mut group = c.benchmark_group("executing_message");
    group.throughput(Throughput::Elements(1));
    group.bench_function("decode_log", |b| {
        b.iter(|| {
            ExecutingMessage::decode_log(black_box(CROSS_L2_INBOX), black_box(&topics), black_box(&data))
        })
    });
    group.bench_function("decode_other_log", |b| {
        b.iter(|| {
            ExecutingMessage::decode_log(black_box(Address::ZERO), black_box(&topics), black_box(&data))
        })
    });
    group.finish();
}

fn super_roots(c: &mut Criterion) {
    let outputs: Vec<OutputRootWithChain> = (0..8u64)
        .map(|i| OutputRootWithChain {
            chain_id: U256::from(900 + i),
            output_root: keccak256(i.to_be_bytes()),
        })
        .collect();
    let Ok(super_v1) = SuperV1::new(1_700_000_000, outputs) else { return };
    let encoded = super_v1.encode();
    let mut group = c.benchmark_group("super_v1_8_chains");
    group.bench_function("hash", |b| b.iter(|| black_box(&super_v1).hash()));
    group.bench_function("decode", |b| b.iter(|| SuperV1::decode(black_box(&encoded))));
    group.finish();
}

criterion_group!(benches, checksums, parsing, logs, super_roots);
criterion_main!(benches);
