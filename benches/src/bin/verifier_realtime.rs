//! Real-time load of the verifier with many chains: a synthetic dependency set ([`Mesh`]) where every chain
//! produces one block per second on the wall clock, each block holding `--messages` initiating logs and as many
//! executing messages of the other chains' previous blocks. The verifier runs as `superlink verify` runs it:
//! one follower per chain ([`follow_chain`]) polling an in-process source, indexing into the durable log
//! database and the in-memory view, resolving cross-unsafe, cross-safe and finalized (the sources report
//! `safe` and `finalized` a few blocks behind their heads), and pruning memory below the expiry window.
//!
//! It reports, for the whole run:
//! - **lag**: for every block of every chain, the time from the moment it became its chain's head (the source
//!   serves it from then on) until the verifier's cross-unsafe head reached it, and, sampled, how many blocks
//!   each chain's cross-unsafe head is behind its chain's head;
//! - **CPU**: the process's CPU time over wall time (from `/proc/self/stat`), and the share spent generating
//!   the synthetic blocks (which a real deployment's nodes would spend, not the verifier);
//! - **memory**: resident memory (`VmRSS`) and the blocks held in memory, every `--sample` seconds. Memory is
//!   bounded by `(expiry window + prune margin) x chains x block size`: with `--expiry-window` and
//!   `--prune-margin` shortened it flattens within minutes.
//!
//! ```text
//! verifier_realtime [--chains 100] [--messages 1000] [--duration 120] [--expiry-window SECS]
//!                   [--prune-margin SECS] [--memory-window SECS] [--sample 5] [--poll-ms 100] [--safe-lag 4] [--finalized-lag 8]
//!                   [--datadir DIR]
//! ```

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use alloy_primitives::{B256, U256};
use clap::Parser;
use superlink_benches::synthetic::{Mesh, block_hash};
use superlink_protocol::DependencySet;
use superlink_verifier::{
    BlockRef, BlockTag, ChainSource, FollowConfig, MemoryOptions, OutputInputs, SourceBlock, SourceError,
    Verifier, follow_chain,
};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Command-line options.
#[derive(Debug, Parser)]
struct Options {
    /// Chains in the dependency set.
    #[arg(long, default_value_t = 100)]
    chains: usize,
    /// Executing messages per block (each block also emits as many initiating logs).
    #[arg(long, default_value_t = 1000)]
    messages: usize,
    /// Seconds of production (one block per chain per second).
    #[arg(long, default_value_t = 120)]
    duration: u64,
    /// The message expiry window in seconds (default: the protocol's 7 days).
    #[arg(long)]
    expiry_window: Option<u64>,
    /// Seconds beyond the expiry window blocks stay in memory (default: the verifier's hour).
    #[arg(long)]
    prune_margin: Option<u64>,
    /// Seconds of blocks below the heads kept in memory (`superlink verify --memory-window`); older messages
    /// are read from the durable index. Default: the whole expiry window plus the margin.
    #[arg(long)]
    memory_window: Option<u64>,
    /// Seconds between memory samples.
    #[arg(long, default_value_t = 5)]
    sample: u64,
    /// The followers' poll interval in milliseconds.
    #[arg(long, default_value_t = 100)]
    poll_ms: u64,
    /// How many blocks each chain's `safe` tag trails its head.
    #[arg(long, default_value_t = 4)]
    safe_lag: u64,
    /// How many blocks each chain's `finalized` tag trails its head.
    #[arg(long, default_value_t = 8)]
    finalized_lag: u64,
    /// Where the durable index goes (a temporary directory inside it, removed at the end).
    #[arg(long)]
    datadir: Option<PathBuf>,
    /// Ignored (`cargo bench` passes it).
    #[arg(long, hide = true)]
    bench: bool,
}

/// The wall clock of the synthetic chains: block `n` of every chain becomes its head `n` seconds after the
/// start, until the last block.
#[derive(Debug, Clone, Copy)]
struct Clock {
    start: Instant,
    last_block: u64,
}

impl Clock {
    fn head(&self) -> u64 {
        self.start.elapsed().as_secs().min(self.last_block)
    }

    fn produced_at(&self, number: u64) -> Instant {
        self.start + Duration::from_secs(number)
    }
}

/// One chain of the mesh as a node would serve it: blocks are generated on request, up to the clock's head.
struct MeshSource {
    mesh: Arc<Mesh>,
    position: usize,
    clock: Clock,
    safe_lag: u64,
    finalized_lag: u64,
    /// Blocks generated, across all sources.
    generated: Arc<AtomicU64>,
}

impl MeshSource {
    fn chain(&self) -> u64 {
        self.mesh.chains[self.position]
    }

    fn block_ref_at(&self, number: u64) -> BlockRef {
        let chain = self.chain();
        BlockRef {
            hash: block_hash(chain, number),
            number,
            parent_hash: if number == 0 { B256::ZERO } else { block_hash(chain, number - 1) },
            timestamp: self.mesh.timestamp(number),
        }
    }
}

impl ChainSource for MeshSource {
    fn chain_id(&self) -> u64 {
        self.chain()
    }

    async fn head_number(&self) -> Result<u64, SourceError> {
        Ok(self.clock.head())
    }

    async fn block(&self, number: u64) -> Result<Option<SourceBlock>, SourceError> {
        if number > self.clock.head() {
            return Ok(None);
        }
        let (mesh, position, generated) = (self.mesh.clone(), self.position, self.generated.clone());
        let chain_id = self.chain();
        // Building a block of thousands of logs is CPU work: it stays off the runtime's worker threads.
        tokio::task::spawn_blocking(move || {
            generated.fetch_add(1, Ordering::Relaxed);
            Some(mesh.block(position, number))
        })
        .await
        .map_err(|e| SourceError::Inconsistent {
            chain_id,
            number,
            reason: format!("generating the block: {e}"),
        })
    }

    async fn block_ref(&self, number: u64) -> Result<Option<BlockRef>, SourceError> {
        Ok((number <= self.clock.head()).then(|| self.block_ref_at(number)))
    }

    async fn tagged(&self, tag: BlockTag) -> Result<Option<BlockRef>, SourceError> {
        let lag = match tag {
            BlockTag::Safe => self.safe_lag,
            BlockTag::Finalized => self.finalized_lag,
        };
        Ok(self.clock.head().checked_sub(lag).map(|n| self.block_ref_at(n)))
    }

    async fn output_inputs(&self, number: u64) -> Result<OutputInputs, SourceError> {
        Err(SourceError::MissingBlock { chain_id: self.chain(), number })
    }
}

/// The process's CPU time (user + system) in seconds, from `/proc/self/stat` (clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { return 0.0 };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // utime is field 14 and stime field 15 of the whole line: indices 11 and 12 after the state.
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// Resident memory in MiB, from `/proc/self/status`.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kib| kib.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Bytes under a directory.
fn disk_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => disk_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The value at quantile `q` of sorted values.
fn quantile<T: Copy + Default>(sorted: &[T], q: f64) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// What the lag sampler saw.
#[derive(Debug, Default)]
struct LagRecord {
    /// Per block (from block 1 on), milliseconds from becoming head to cross-unsafe.
    block_ms: Vec<u64>,
    /// Sampled blocks behind, per chain and sample, with the sample's second.
    behind: Vec<(u64, u64)>,
}

/// Polls every chain's cross-unsafe head every 20 ms until `until`, recording when each block reached it.
async fn sample_lag(verifier: Verifier, chains: Vec<u64>, clock: Clock, until: Instant) -> LagRecord {
    let mut record = LagRecord::default();
    // The next block of each chain whose arrival at cross-unsafe is not recorded yet.
    let mut next: Vec<u64> = vec![1; chains.len()];
    let mut last_behind = Instant::now();
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = Instant::now();
        let heads: Vec<Option<u64>> = {
            let state = verifier.read();
            chains.iter().map(|c| state.heads(*c).and_then(|h| h.cross_unsafe).map(|b| b.number)).collect()
        };
        let head = clock.head();
        for (i, cross) in heads.iter().enumerate() {
            let Some(cross) = *cross else { continue };
            while next[i] <= cross.min(clock.last_block) {
                let produced = clock.produced_at(next[i]);
                record.block_ms.push(now.saturating_duration_since(produced).as_millis() as u64);
                next[i] += 1;
            }
        }
        if now.duration_since(last_behind) >= Duration::from_millis(250) {
            last_behind = now;
            let second = clock.start.elapsed().as_secs();
            for cross in &heads {
                record.behind.push((second, head.saturating_sub(cross.unwrap_or(0))));
            }
        }
    }
    record
}

/// One memory sample.
#[derive(Debug, Clone, Copy)]
struct Sample {
    second: f64,
    rss_mib: f64,
    blocks_in_memory: usize,
    cpu_share: f64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Failure> {
    let options = Options::parse();
    let genesis = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let mesh = Arc::new(Mesh::new(options.chains, options.messages, genesis));
    let mut dependencies = DependencySet::new(mesh.chains.iter().map(|c| U256::from(*c)))?;
    if let Some(window) = options.expiry_window {
        dependencies = dependencies.with_message_expiry_window(window)?;
    }
    let window = dependencies.message_expiry_window();
    let parent = options.datadir.clone().unwrap_or_else(std::env::temp_dir);
    let datadir = tempfile::tempdir_in(&parent)?;
    let memory = MemoryOptions { window: options.memory_window };
    let verifier = Verifier::open_with(dependencies, datadir.path(), &BTreeMap::new(), memory)?;
    if let Some(margin) = options.prune_margin {
        verifier.set_prune_margin(margin);
    }
    println!(
        "verifier_realtime: {} chains x 1 block/s x {} executing messages (+ as many initiating logs) = {} \
         messages/s; expiry window {window} s, prune margin {}; {} s; {} cores; load average {}",
        options.chains,
        options.messages,
        options.chains * options.messages,
        options.prune_margin.map_or("3600 s (default)".to_string(), |m| format!("{m} s")),
        options.duration,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
    );

    // The cost of generating one block, measured before the run (on a loaded machine the wall time of the
    // generation during the run would count the time its thread waited for a core).
    let calibration = Instant::now();
    for number in 1..=5 {
        std::hint::black_box(mesh.block(0, number));
    }
    let per_block = calibration.elapsed().as_secs_f64() / 5.0;
    let clock = Clock { start: Instant::now(), last_block: options.duration };
    let generated = Arc::new(AtomicU64::new(0));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let config =
        FollowConfig { poll_interval: Duration::from_millis(options.poll_ms), ..FollowConfig::default() };
    let mut followers = Vec::new();
    for position in 0..mesh.chains.len() {
        let source = MeshSource {
            mesh: mesh.clone(),
            position,
            clock,
            safe_lag: options.safe_lag,
            finalized_lag: options.finalized_lag,
            generated: generated.clone(),
        };
        followers.push(tokio::spawn(follow_chain(
            verifier.clone(),
            Arc::new(source),
            config,
            stopped.clone(),
        )));
    }
    // Production ends after `duration` seconds; the run then gives the verifier up to 60 s to drain.
    let production_end = clock.produced_at(options.duration);
    let drain_deadline = production_end + Duration::from_secs(60);
    let lag = tokio::spawn(sample_lag(verifier.clone(), mesh.chains.clone(), clock, drain_deadline));

    let cpu_start = cpu_seconds();
    let mut samples = Vec::new();
    let (mut last_cpu, mut last_at) = (cpu_start, Instant::now());
    let final_head = options.duration;
    let drained_at = loop {
        tokio::time::sleep(Duration::from_secs(options.sample).min(Duration::from_secs(1))).await;
        let now = Instant::now();
        let caught_up = {
            let state = verifier.read();
            mesh.chains
                .iter()
                .all(|c| state.heads(*c).and_then(|h| h.cross_unsafe).is_some_and(|b| b.number >= final_head))
        };
        if now.duration_since(last_at) >= Duration::from_secs(options.sample) || caught_up {
            let cpu = cpu_seconds();
            let (blocks_in_memory, cross_unsafe_min) = {
                let state = verifier.read();
                let blocks = mesh.chains.iter().map(|c| state.view().chain(*c).map_or(0, |i| i.len())).sum();
                let min = mesh
                    .chains
                    .iter()
                    .map(|c| state.heads(*c).and_then(|h| h.cross_unsafe).map_or(0, |b| b.number))
                    .min();
                (blocks, min.unwrap_or(0))
            };
            let sample = Sample {
                second: clock.start.elapsed().as_secs_f64(),
                rss_mib: rss_mib(),
                blocks_in_memory,
                cpu_share: (cpu - last_cpu) / now.duration_since(last_at).as_secs_f64(),
            };
            println!(
                "t={:>6.1}s head {:>4} lowest cross-unsafe {:>4}  RSS {:>8.1} MiB  blocks in memory {:>6}  CPU {:>4.0}%",
                sample.second,
                clock.head(),
                cross_unsafe_min,
                sample.rss_mib,
                sample.blocks_in_memory,
                sample.cpu_share * 100.0
            );
            samples.push(sample);
            (last_cpu, last_at) = (cpu, now);
        }
        if caught_up && clock.head() >= final_head {
            break Some(now);
        }
        if now > drain_deadline {
            break None;
        }
    };
    let cpu_total = cpu_seconds() - cpu_start;
    let wall = clock.start.elapsed().as_secs_f64();
    stop.send(true)?;
    for follower in followers {
        follower.await??;
    }
    let mut record = lag.await?;
    record.block_ms.sort_unstable();

    let messages = options.duration * (options.chains * options.messages) as u64;
    println!("--");
    println!(
        "blocks produced: {} chains x {} = {}; executing messages: {messages}",
        options.chains,
        options.duration,
        options.chains as u64 * options.duration
    );
    match drained_at {
        Some(at) => println!(
            "verifier caught up with every chain's last block {:.2} s after it was produced",
            at.saturating_duration_since(production_end).as_secs_f64()
        ),
        None => println!("verifier did NOT catch up within 60 s of the end of production"),
    }
    let ms = &record.block_ms;
    println!(
        "lag, block became head -> cross-unsafe ({} blocks): p50 {} ms, p99 {} ms, max {} ms (poll interval {} ms)",
        ms.len(),
        quantile(ms, 0.5),
        quantile(ms, 0.99),
        quantile(ms, 1.0),
        options.poll_ms
    );
    // Blocks behind, over the second half of production (the start-up transient excluded).
    let half = options.duration / 2;
    let mut behind: Vec<u64> =
        record.behind.iter().filter(|(s, _)| *s >= half && *s < options.duration).map(|(_, b)| *b).collect();
    behind.sort_unstable();
    println!(
        "blocks behind the chain head, sampled every 250 ms over the second half: p50 {}, p99 {}, max {}",
        quantile(&behind, 0.5),
        quantile(&behind, 0.99),
        quantile(&behind, 1.0)
    );
    let generated = generated.load(Ordering::Relaxed) as f64 * per_block;
    println!(
        "CPU: {cpu_total:.1} s over {wall:.1} s wall = {:.0}% of one core ({:.0}% of the machine); of which \
         generating the synthetic blocks about {generated:.1} s ({:.2} ms per block, measured before the run)",
        100.0 * cpu_total / wall,
        100.0 * cpu_total / wall / std::thread::available_parallelism().map_or(1.0, |n| n.get() as f64),
        per_block * 1e3,
    );
    println!(
        "  verifier alone: {:.0}% of one core, {:.2} us of CPU per executing message",
        100.0 * (cpu_total - generated) / wall,
        1e6 * (cpu_total - generated) / messages.max(1) as f64
    );
    println!(
        "load average at the end: {}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    let peak = samples.iter().map(|s| s.rss_mib).fold(0.0, f64::max);
    println!("memory: peak RSS {peak:.1} MiB; samples (s: RSS MiB / blocks in memory):");
    let line: Vec<String> =
        samples.iter().map(|s| format!("{:.0}: {:.0}/{}", s.second, s.rss_mib, s.blocks_in_memory)).collect();
    println!("  {}", line.join("  "));
    println!("durable index on disk: {:.1} MiB", disk_bytes(datadir.path()) as f64 / (1024.0 * 1024.0));
    Ok(())
}
