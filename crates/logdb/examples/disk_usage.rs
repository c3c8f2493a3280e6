//! Measures on-disk bytes per log for a synthetic chain: `cargo run -p superlink-logdb --example disk_usage --
//! <blocks> <logs per block> <sync every n commits> <blocks per commit>`.

use alloy_primitives::{Address, B256, U256, keccak256};
use superlink_logdb::{
    BlockSeal, BlockWithLogs, ExecMessage, LogDb, LogDbConfig, LogDbError, LogEntry, MessageIdentifier,
    SyncPolicy,
};

fn synthetic_block(number: u64, parent: B256, logs: u32) -> BlockWithLogs {
    let hash = keccak256(number.to_be_bytes());
    let seal = BlockSeal { number, hash, parent_hash: parent, timestamp: 1_700_000_000 + 2 * number };
    let logs = (0..logs)
        .map(|i| {
            let log_hash = keccak256([hash.as_slice(), &i.to_be_bytes()].concat());
            if i % 10 == 9 {
                let identifier = MessageIdentifier {
                    origin: Address::repeat_byte(0x42),
                    chain_id: U256::from(902),
                    block_number: U256::from(number.saturating_sub(5)),
                    log_index: U256::from(i),
                    timestamp: U256::from(seal.timestamp - 10),
                };
                LogEntry::executing(log_hash, ExecMessage { msg_hash: keccak256(log_hash), identifier })
            } else {
                LogEntry::plain(log_hash)
            }
        })
        .collect();
    BlockWithLogs { seal, logs }
}

fn main() -> Result<(), LogDbError> {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let blocks = args.first().copied().unwrap_or(10_000);
    let logs_per_block = args.get(1).copied().unwrap_or(100) as u32;
    let sync_every = args.get(2).copied().unwrap_or(64) as u32;
    let per_commit = args.get(3).copied().unwrap_or(1).max(1) as usize;
    let dir = std::env::temp_dir().join(format!("logdb-disk-usage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| LogDbError::Io { path: dir.clone(), source })?;
    let path = dir.join("chain.redb");
    let sync = if sync_every <= 1 { SyncPolicy::EveryCommit } else { SyncPolicy::EveryNthCommit(sync_every) };
    let mut db = LogDb::open(&path, LogDbConfig { sync, ..LogDbConfig::default() })?;
    let mut parent = B256::ZERO;
    let mut pending = Vec::new();
    for number in 1..=blocks {
        let block = synthetic_block(number, parent, logs_per_block);
        parent = block.seal.hash;
        pending.push(block);
        if pending.len() == per_commit || number == blocks {
            db.append_blocks(&pending)?;
            pending.clear();
        }
    }
    db.flush()?;
    let logs = blocks * u64::from(logs_per_block);
    let before = db.disk_usage()?;
    db.compact()?;
    let after = db.disk_usage()?;
    for (label, u) in [("as written", before), ("compacted", after)] {
        println!(
            "{label:>10}: {blocks} blocks x {logs_per_block} logs, sync every {sync_every}, {per_commit} blocks per \
             commit: on disk {:.1} B/log, file length {:.1}, stored {:.1}, metadata {:.1}, fragmented {:.1}",
            u.allocated_bytes as f64 / logs as f64,
            u.file_bytes as f64 / logs as f64,
            u.stored_bytes as f64 / logs as f64,
            u.metadata_bytes as f64 / logs as f64,
            u.fragmented_bytes as f64 / logs as f64,
        );
    }
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
