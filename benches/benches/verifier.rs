//! Benchmarks of the verifier (`superlink-verifier`): logs indexed per second from a synthetic chain source
//! (hashing, decoding executing messages, the durable index and the safety engine, as the follower runs them),
//! and in-process access-list checks per second.
//!
//! Run with `cargo bench -p superlink-benches --bench verifier`. The HTTP load of `supervisor_checkAccessList`
//! is measured by the `checkload` binary.

// A benchmark over synthetic data built here: a failure to set it up should stop the run loudly.
#![allow(clippy::unwrap_used)]

use std::{collections::BTreeMap, hint::black_box, time::Duration};

use alloy_primitives::{B256, U256};
use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use superlink_benches::synthetic;
use superlink_protocol::{DependencySet, SafetyLevel, access_list_keys};
use superlink_verifier::{
    BlockRef, BlockTag, ChainSource, ExecutingDescriptor, FollowConfig, OutputInputs, Round, SourceBlock,
    SourceError, Verifier, follow_once,
};

const BLOCKS: u64 = 200;
const LOGS_PER_BLOCK: usize = 50;
/// A chain source serving pre-built blocks from memory: on chain 902 every fifth log executes a log of the
/// previous block of chain 901.
struct SyntheticSource {
    chain: u64,
    blocks: Vec<SourceBlock>,
}

impl SyntheticSource {
    fn new(chain: u64) -> Self {
        Self { chain, blocks: synthetic::chain(chain, BLOCKS, LOGS_PER_BLOCK, 5) }
    }
}

impl ChainSource for SyntheticSource {
    fn chain_id(&self) -> u64 {
        self.chain
    }

    async fn head_number(&self) -> Result<u64, SourceError> {
        Ok(BLOCKS - 1)
    }

    async fn block(&self, number: u64) -> Result<Option<SourceBlock>, SourceError> {
        Ok(self.blocks.get(number as usize).cloned())
    }

    async fn block_ref(&self, number: u64) -> Result<Option<BlockRef>, SourceError> {
        Ok(self.blocks.get(number as usize).map(|b| b.block))
    }

    async fn tagged(&self, _tag: BlockTag) -> Result<Option<BlockRef>, SourceError> {
        Ok(self.blocks.last().map(|b| b.block))
    }

    async fn output_inputs(&self, number: u64) -> Result<OutputInputs, SourceError> {
        Err(SourceError::MissingBlock { chain_id: self.chain, number })
    }
}

fn dependencies() -> DependencySet {
    DependencySet::new([U256::from(901), U256::from(902)]).unwrap()
}

/// Follows both synthetic chains to their heads into a fresh verifier.
async fn index_all(verifier: &Verifier, sources: &[SyntheticSource]) {
    let config = FollowConfig { blocks_per_round: 100, ..FollowConfig::default() };
    for source in sources {
        while let Round::Indexed { .. } =
            follow_once(verifier, source, &config).await.map_err(|_| ()).unwrap()
        {}
    }
}

fn indexing(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let sources = [SyntheticSource::new(901), SyntheticSource::new(902)];
    let logs = 2 * BLOCKS * LOGS_PER_BLOCK as u64;
    let mut group = c.benchmark_group("verifier");
    group.throughput(Throughput::Elements(logs));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("index_logs_from_synthetic_source", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let verifier = Verifier::open(dependencies(), dir.path(), &BTreeMap::new()).unwrap();
                (dir, verifier)
            },
            |(dir, verifier)| {
                runtime.block_on(index_all(&verifier, &sources));
                (dir, verifier)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    // Sanity: everything indexed and promoted.
    let dir = tempfile::tempdir().unwrap();
    let verifier = Verifier::open(dependencies(), dir.path(), &BTreeMap::new()).unwrap();
    runtime.block_on(index_all(&verifier, &sources));
    let heads = verifier.heads(902).unwrap();
    assert_eq!(heads.cross_unsafe.map(|b| b.number), Some(BLOCKS - 1));

    let mut group = c.benchmark_group("verifier");
    group.throughput(Throughput::Elements(1));
    let claims: Vec<Vec<B256>> = (0..64u64)
        .map(|i| {
            let (id, msg_hash) = synthetic::initiating(i * 3 % (BLOCKS - 1), (i % 50) as usize);
            access_list_keys(&id, msg_hash)
        })
        .collect();
    let descriptor =
        ExecutingDescriptor { timestamp: 1_000 + 2 * BLOCKS, timeout: None, chain_id: U256::from(902) };
    let mut i = 0;
    group.bench_function("check_access_list_in_process", |b| {
        b.iter(|| {
            i += 1;
            let claim = &claims[i % claims.len()];
            black_box(verifier.check_access_list_now(claim, SafetyLevel::CrossUnsafe, descriptor)).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, indexing);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
