//! Benchmark of the interop fault-proof trace (`superlink-verifier`'s `transition`, the protocol crate's
//! `SuperTransition`): the time to compute every claim of one transition (step 0, each chain's derivation step,
//! the padding steps up to 1023 and the consolidated super root) for 2, 10 and 100 chains, from a verifier that
//! holds every chain cross-safe, with output roots read from an in-memory chain source. Also the claims alone,
//! from a transition already built.
//!
//! Run with `cargo bench -p superlink-benches --bench trace`.

// A benchmark over synthetic data built here: a failure to set it up should stop the run loudly.
#![allow(clippy::unwrap_used)]

use std::{collections::BTreeMap, hint::black_box, sync::Arc};

use alloy_primitives::{U256, keccak256};
use criterion::{BenchmarkId, Criterion, criterion_group};
use superlink_benches::synthetic;
use superlink_protocol::DependencySet;
use superlink_verifier::{
    BlockRef, BlockTag, ChainSource, OutputInputs, SourceBlock, SourceError, Verifier, transition,
};

/// Blocks per chain (timestamps 1000, 1002, ...).
const BLOCKS: u64 = 4;

/// One chain's blocks, served from memory, with output-root inputs derived from the block hash.
struct MemorySource {
    chain: u64,
    blocks: Vec<SourceBlock>,
}

impl ChainSource for MemorySource {
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
        let block = self
            .blocks
            .get(number as usize)
            .ok_or(SourceError::MissingBlock { chain_id: self.chain, number })?;
        let hash = block.block.hash;
        Ok(OutputInputs {
            state_root: keccak256([b"state".as_slice(), hash.as_slice()].concat()),
            message_passer_storage_root: keccak256([b"passer".as_slice(), hash.as_slice()].concat()),
            block_hash: hash,
        })
    }
}

/// A verifier over `chains` chains (901, 902, ...), each with [`BLOCKS`] blocks, all cross-safe.
fn verifier_with(chains: u64) -> (tempfile::TempDir, Verifier, BTreeMap<u64, Arc<MemorySource>>) {
    let ids: Vec<u64> = (901..901 + chains).collect();
    let dir = tempfile::tempdir().unwrap();
    let deps = DependencySet::new(ids.iter().map(|c| U256::from(*c))).unwrap();
    let verifier = Verifier::open(deps, dir.path(), &BTreeMap::new()).unwrap();
    let mut sources = BTreeMap::new();
    for chain in ids {
        let blocks = synthetic::chain(chain, BLOCKS, 4, 2);
        verifier.ingest(chain, &blocks).unwrap();
        sources.insert(chain, Arc::new(MemorySource { chain, blocks }));
    }
    for chain in sources.keys() {
        verifier.set_local_tags(*chain, Some(BLOCKS - 1), None).unwrap();
    }
    (dir, verifier, sources)
}

fn trace(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // The transition from 1001 to 1002: every chain has a new block at 1002.
    let timestamp = synthetic::timestamp(1) + 1;
    let mut group = c.benchmark_group("trace");
    group.sample_size(20);
    for chains in [2u64, 10, 100] {
        let (_dir, verifier, sources) = verifier_with(chains);
        let built = runtime.block_on(transition(&verifier, &sources, timestamp)).unwrap();
        assert_eq!(built.chains.len() as u64, chains);
        group.bench_with_input(BenchmarkId::new("full_trace_from_verifier", chains), &chains, |b, _| {
            b.iter(|| {
                let t = runtime.block_on(transition(&verifier, &sources, timestamp)).unwrap();
                black_box(t.trace.claims())
            })
        });
        group.bench_with_input(BenchmarkId::new("claims_of_built_transition", chains), &chains, |b, _| {
            b.iter(|| black_box(built.trace.claims()))
        });
    }
    group.finish();
}

criterion_group!(benches, trace);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
