//! Benchmarks of the durable log index (`superlink-logdb`): logs indexed per second, lookups per second, and
//! (printed before the criterion runs) on-disk bytes per log.
//!
//! The synthetic source produces blocks of 100 logs of which 10% are executing messages. Run with
//! `cargo bench -p superlink-benches --bench logdb`.

use std::{hint::black_box, path::Path, time::Duration};

use alloy_primitives::{Address, B256, U256, keccak256};
use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use superlink_logdb::{
    BlockSeal, BlockWithLogs, ExecMessage, LogDb, LogDbConfig, LogEntry, MessageIdentifier, SyncPolicy,
};

const LOGS_PER_BLOCK: u32 = 100;
const EXEC_EVERY: u32 = 10;

/// A deterministic chain of synthetic blocks.
struct Source {
    next: u64,
    parent: B256,
}

impl Source {
    fn new(start: u64) -> Self {
        Self { next: start, parent: B256::ZERO }
    }

    fn block(&mut self) -> BlockWithLogs {
        let number = self.next;
        let hash = keccak256(number.to_be_bytes());
        let seal =
            BlockSeal { number, hash, parent_hash: self.parent, timestamp: 1_700_000_000 + 2 * number };
        let logs = (0..LOGS_PER_BLOCK)
            .map(|i| {
                let log_hash = keccak256([hash.as_slice(), &i.to_be_bytes()].concat());
                if i % EXEC_EVERY == EXEC_EVERY - 1 {
                    LogEntry::executing(
                        log_hash,
                        ExecMessage {
                            msg_hash: keccak256(log_hash),
                            identifier: MessageIdentifier {
                                origin: Address::repeat_byte(0x42),
                                chain_id: U256::from(902),
                                block_number: U256::from(number.saturating_sub(5)),
                                log_index: U256::from(i),
                                timestamp: U256::from(seal.timestamp - 10),
                            },
                        },
                    )
                } else {
                    LogEntry::plain(log_hash)
                }
            })
            .collect();
        self.next += 1;
        self.parent = hash;
        BlockWithLogs { seal, logs }
    }

    fn blocks(&mut self, n: usize) -> Vec<BlockWithLogs> {
        (0..n).map(|_| self.block()).collect()
    }
}

fn open(path: &Path, config: LogDbConfig) -> LogDb {
    match LogDb::open(path, config) {
        Ok(db) => db,
        Err(e) => panic!("cannot open the benchmark database: {e}"),
    }
}

fn fill(db: &LogDb, source: &mut Source, blocks: usize) {
    for chunk in 0..blocks.div_ceil(1000) {
        let n = (blocks - chunk * 1000).min(1000);
        if let Err(e) = db.append_blocks(&source.blocks(n)) {
            panic!("append failed: {e}");
        }
    }
}

/// Prints on-disk bytes per log for an index of 1,000,000 logs.
fn report_disk_usage() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("chain.redb");
    let mut db = open(&path, LogDbConfig { sync: SyncPolicy::EveryNthCommit(64), ..LogDbConfig::default() });
    let mut source = Source::new(1);
    let blocks = 10_000usize;
    for _ in 0..blocks {
        let b = source.block();
        if let Err(e) = db.append_block(b.seal, &b.logs) {
            panic!("append failed: {e}");
        }
    }
    let _ = db.flush();
    let logs = (blocks as u64) * u64::from(LOGS_PER_BLOCK);
    let before = db.disk_usage().unwrap_or_else(|e| panic!("disk usage: {e}"));
    let _ = db.compact();
    let after = db.disk_usage().unwrap_or_else(|e| panic!("disk usage: {e}"));
    println!(
        "logdb disk usage, {blocks} blocks x {LOGS_PER_BLOCK} logs ({}% executing messages), appended one block \
         per commit:",
        100 / EXEC_EVERY
    );
    for (label, u) in [("as written", before), ("after compact", after)] {
        println!(
            "  {label:>13}: on disk {} bytes = {:.1} bytes/log (file length {:.1}, stored {:.1}, metadata {:.1}, \
             fragmented {:.1})",
            u.allocated_bytes,
            u.allocated_bytes as f64 / logs as f64,
            u.file_bytes as f64 / logs as f64,
            u.stored_bytes as f64 / logs as f64,
            u.metadata_bytes as f64 / logs as f64,
            u.fragmented_bytes as f64 / logs as f64,
        );
    }
}

fn indexing(c: &mut Criterion) {
    let mut group = c.benchmark_group("logdb/index");
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    const BLOCKS: usize = 50;
    group.throughput(Throughput::Elements((BLOCKS as u64) * u64::from(LOGS_PER_BLOCK)));
    let cases = [
        ("append_block/sync_every_commit", SyncPolicy::EveryCommit, false),
        ("append_block/sync_every_64_commits", SyncPolicy::EveryNthCommit(64), false),
        ("append_blocks_50/sync_every_commit", SyncPolicy::EveryCommit, true),
    ];
    for (name, sync, batched) in cases {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let db = open(&dir.path().join("chain.redb"), LogDbConfig { sync, ..LogDbConfig::default() });
        let mut source = Source::new(1);
        group.bench_function(name, |b| {
            b.iter_batched(
                || source.blocks(BLOCKS),
                |blocks| {
                    let result = if batched { db.append_blocks(&blocks) } else { append_each(&db, &blocks) };
                    if let Err(e) = result {
                        panic!("append failed: {e}");
                    }
                },
                BatchSize::PerIteration,
            )
        });
    }
    // One file per chain: two chains are indexed by two threads without sharing a writer.
    let dirs =
        [tempfile::tempdir(), tempfile::tempdir()].map(|d| d.unwrap_or_else(|e| panic!("tempdir: {e}")));
    let config = LogDbConfig { sync: SyncPolicy::EveryNthCommit(64), ..LogDbConfig::default() };
    let dbs = [open(&dirs[0].path().join("a.redb"), config), open(&dirs[1].path().join("b.redb"), config)];
    let mut sources = [Source::new(1), Source::new(1)];
    group.throughput(Throughput::Elements(2 * (BLOCKS as u64) * u64::from(LOGS_PER_BLOCK)));
    for parallel in [false, true] {
        let name = if parallel { "two_chains/two_threads" } else { "two_chains/one_thread" };
        group.bench_function(format!("{name}/append_block/sync_every_64_commits"), |b| {
            b.iter_batched(
                || [sources[0].blocks(BLOCKS), sources[1].blocks(BLOCKS)],
                |work| {
                    let run = |(db, blocks): (&LogDb, &Vec<BlockWithLogs>)| {
                        if let Err(e) = append_each(db, blocks) {
                            panic!("append failed: {e}");
                        }
                    };
                    if parallel {
                        std::thread::scope(|scope| {
                            for pair in dbs.iter().zip(work.iter()) {
                                scope.spawn(move || run(pair));
                            }
                        });
                    } else {
                        dbs.iter().zip(work.iter()).for_each(run);
                    }
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn append_each(db: &LogDb, blocks: &[BlockWithLogs]) -> Result<(), superlink_logdb::LogDbError> {
    blocks.iter().try_for_each(|b| db.append_block(b.seal, &b.logs))
}

fn lookups(c: &mut Criterion) {
    let mut group = c.benchmark_group("logdb/lookup");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    let blocks = 10_000u64;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("chain.redb");
    {
        let db = open(&path, LogDbConfig { sync: SyncPolicy::EveryNthCommit(64), ..LogDbConfig::default() });
        fill(&db, &mut Source::new(1), blocks as usize);
        let _ = db.flush();
    }
    const LOOKUPS: u64 = 1000;
    group.throughput(Throughput::Elements(LOOKUPS));
    for (window, label) in [(0usize, "no_window"), (256, "window_256")] {
        let db = open(&path, LogDbConfig { recent_blocks: window, ..LogDbConfig::default() });
        // Random blocks across the whole chain (mostly outside the window).
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        group.bench_function(format!("log/random_block/{label}"), |b| {
            b.iter(|| {
                for _ in 0..LOOKUPS {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let number = 1 + x % blocks;
                    let index = (x >> 32) as u32 % LOGS_PER_BLOCK;
                    black_box(db.log(number, index).ok().flatten());
                }
            })
        });
        // The latest 100 blocks: what a verifier checking fresh messages asks most.
        group.bench_function(format!("log/recent_block/{label}"), |b| {
            b.iter(|| {
                for _ in 0..LOOKUPS {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let number = blocks - x % 100;
                    let index = (x >> 32) as u32 % LOGS_PER_BLOCK;
                    black_box(db.log(number, index).ok().flatten());
                }
            })
        });
        group.bench_function(format!("contains/recent_block/{label}"), |b| {
            let hash = keccak256(blocks.to_be_bytes());
            b.iter(|| {
                for _ in 0..LOOKUPS {
                    black_box(db.contains(blocks, hash).ok());
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, indexing, lookups);

fn main() {
    report_disk_usage();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
