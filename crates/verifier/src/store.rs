//! The durable copy of each chain's index: one log database per chain in the data directory.

use std::{collections::BTreeMap, path::Path};

use alloy_primitives::U256;
use superlink_logdb::{BlockWithLogs, LogDb, LogDbConfig, LogDbError, SafetyHead, SyncPolicy};

use crate::{
    chain_data::{BlockId, BlockRef, ChainId},
    error::StoreError,
    indexing::from_stored,
    state::ChainHeads,
    view::{IndexedBlock, OlderBlocks, StoredLog},
};
use tracing::warn;

/// Commits between two fsyncs: the index is rebuilt from the chain's node, so a crash may lose the last few
/// commits but always leaves a consistent prefix.
const COMMITS_PER_SYNC: u32 = 32;

/// Blocks of each chain the log database keeps encoded in memory. The verifier answers every lookup near the tip
/// from its own in-memory view; the store's cache only speeds up its own reads of the newest blocks, so a few
/// are enough. It used to be 1024, then 64 blocks: with 100 chains of 2,000 logs per block even 64 blocks a
/// chain held 2.5 GiB, duplicating the view.
const RECENT_BLOCKS: usize = 4;

/// The storage engine's page cache of all chains together, split evenly between them (see
/// [`cache_bytes_per_chain`]).
pub const TOTAL_CACHE_BYTES: usize = 256 << 20;

/// Each chain's share of [`TOTAL_CACHE_BYTES`], between 2 MiB and the log database's default of 16 MiB: a
/// dependency set of up to 16 chains keeps the default, 100 chains get 2.56 MiB each (with the default each,
/// 100 indexes took 1.6 GiB of page cache, most of it old pages an appending index never reads again).
pub fn cache_bytes_per_chain(chains: usize) -> usize {
    (TOTAL_CACHE_BYTES / chains.max(1)).clamp(2 << 20, superlink_logdb::DEFAULT_CACHE_BYTES)
}

fn db_error(context: impl Into<String>) -> impl FnOnce(LogDbError) -> StoreError {
    let context = context.into();
    move |e| StoreError::Database { context, reason: e.to_string() }
}

/// One chain's durable index.
#[derive(Debug)]
pub struct ChainStore {
    chain: ChainId,
    db: LogDb,
}

/// What a chain's durable index held when it was opened.
#[derive(Debug, Clone, Default)]
pub struct StoredChain {
    /// The stored blocks loaded into memory, oldest first: every block, or those of the memory window.
    pub blocks: Vec<IndexedBlock>,
    /// The stored local-safe head.
    pub local_safe: Option<u64>,
    /// The stored finalized head.
    pub finalized: Option<u64>,
    /// With a memory window: the last loaded block that is taken as resolved at cross-unsafe and cross-safe
    /// without being checked again (it is older than every message a block above it may still execute).
    pub resolved_through: Option<u64>,
}

/// Which stored blocks a reopened verifier loads into memory: the same blocks [`crate::VerifierState::prune`]
/// would keep, so start-up memory is bounded by the expiry window rather than by the chains' history.
///
/// Every chain keeps its blocks from the first one at or after `cutoff` (and, at the latest, from its lowest
/// stored head), plus that block's parent. Blocks older than `resolved_before` are taken as resolved: they lie
/// below every stored head, and every block from `resolved_before` on executes only messages initiated at or
/// after `cutoff`, which are loaded, so those blocks are checked again exactly as without the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReloadWindow {
    /// Blocks at or after this timestamp are loaded.
    pub cutoff: u64,
    /// Blocks before this timestamp are resolved without being checked again.
    pub resolved_before: u64,
}

impl ReloadWindow {
    /// The window for chains whose lowest stored heads (the lowest of cross-unsafe, cross-safe and finalized)
    /// have the timestamps `floors`. `None` (load everything) when a chain lacks one of those heads, or when
    /// the chains are younger than the window.
    pub fn from_floors(
        floors: impl IntoIterator<Item = Option<u64>>,
        expiry_window: u64,
        margin: u64,
    ) -> Option<Self> {
        let mut oldest: Option<u64> = None;
        for floor in floors {
            let floor = floor?;
            oldest = Some(oldest.map_or(floor, |o| o.min(floor)));
        }
        let cutoff = oldest?.checked_sub(expiry_window.saturating_add(margin))?;
        Some(Self { cutoff, resolved_before: cutoff.saturating_add(expiry_window) })
    }
}

impl ChainStore {
    /// Opens (creating if needed) the chain's database in `datadir`. `start` is the first block to index.
    pub fn open(
        datadir: &Path,
        chain: ChainId,
        start: Option<u64>,
        cache_bytes: usize,
    ) -> Result<Self, StoreError> {
        std::fs::create_dir_all(datadir).map_err(|e| StoreError::Database {
            context: format!("creating {}", datadir.display()),
            reason: e.to_string(),
        })?;
        let path = superlink_logdb::chain_db_path(datadir, U256::from(chain));
        let config = LogDbConfig {
            sync: SyncPolicy::EveryNthCommit(COMMITS_PER_SYNC),
            recent_blocks: RECENT_BLOCKS,
            start_block: start,
            cache_bytes,
        };
        let db = LogDb::open(&path, config).map_err(db_error(format!("opening {}", path.display())))?;
        Ok(Self { chain, db })
    }

    /// The lowest of the stored cross-unsafe, cross-safe and finalized heads, with its timestamp; `None` while
    /// one of them is unset, or when the head block is not stored (then nothing is left out on reload).
    pub fn floor(&self) -> Result<Option<(u64, u64)>, StoreError> {
        let heads = self.db.heads();
        let levels = [SafetyHead::CrossUnsafe, SafetyHead::CrossSafe, SafetyHead::Finalized];
        let mut floor: Option<BlockId> = None;
        for level in levels {
            let Some(head) = heads.get(level) else { return Ok(None) };
            floor = Some(floor.filter(|f| f.number <= head.number).unwrap_or(head));
        }
        let Some(floor) = floor else { return Ok(None) };
        let seal = self
            .db
            .block(floor.number)
            .map_err(db_error(format!("chain {} block {}", self.chain, floor.number)))?;
        Ok(seal.filter(|s| s.hash == floor.hash).map(|s| (s.number, s.timestamp)))
    }

    /// Reads the stored heads and the stored blocks: all of them, or with `window` those the window keeps
    /// (see [`ReloadWindow`]), in one read transaction.
    pub fn load(&self, window: Option<ReloadWindow>) -> Result<StoredChain, StoreError> {
        let mut stored = StoredChain::default();
        let (Some(first), Some(latest)) = (self.db.first_block(), self.db.latest_block()) else {
            return Ok(stored);
        };
        let context = |what: &str| format!("chain {}: {what}", self.chain);
        let mut from = first.number;
        if let (Some(window), Some((floor, _))) = (window, self.floor()?) {
            let before_cutoff = match window.cutoff.checked_sub(1) {
                Some(t) => self.db.last_block_at_or_before(t).map_err(db_error(context("window start")))?,
                None => None,
            };
            let keep_from = before_cutoff.map_or(first.number, |b| b.number + 1).min(floor);
            from = keep_from.saturating_sub(1).max(first.number);
            let resolved = match window.resolved_before.checked_sub(1) {
                Some(t) => {
                    self.db.last_block_at_or_before(t).map_err(db_error(context("resolved prefix")))?
                }
                None => None,
            };
            stored.resolved_through = resolved.map(|b| b.number.min(floor)).filter(|n| *n >= from);
        }
        let blocks = self
            .db
            .blocks_in_range(from, latest.number)
            .map_err(db_error(context(&format!("reading blocks {from}..={}", latest.number))))?;
        let expected = latest.number - from + 1;
        if blocks.len() as u64 != expected || blocks.first().is_some_and(|b| b.seal.number != from) {
            return Err(StoreError::Corrupt {
                context: context(&format!(
                    "{} blocks stored in {from}..={}, expected {expected}",
                    blocks.len(),
                    latest.number
                )),
            });
        }
        stored.blocks = blocks.iter().map(|b| from_stored(&b.seal, &b.logs)).collect();
        let heads = self.db.heads();
        stored.local_safe = heads.local_safe.map(|h| h.number);
        stored.finalized = heads.finalized.map(|h| h.number);
        Ok(stored)
    }

    /// Appends consecutive blocks atomically.
    pub fn append(&self, blocks: &[BlockWithLogs]) -> Result<(), StoreError> {
        self.db.append_blocks(blocks).map_err(|e| match e {
            LogDbError::OutOfOrder { number, expected, .. } => {
                StoreError::OutOfOrder { chain_id: self.chain, number, expected }
            }
            other => StoreError::Database {
                context: format!("appending to chain {}", self.chain),
                reason: other.to_string(),
            },
        })
    }

    /// Drops every block after `number`.
    pub fn rewind_to(&self, number: u64) -> Result<u64, StoreError> {
        self.db.rewind_to(number).map_err(db_error(format!("rewinding chain {} to {number}", self.chain)))
    }

    /// Records the heads that differ from the stored ones.
    pub fn save_heads(&self, heads: &ChainHeads) -> Result<(), StoreError> {
        let stored = self.db.heads();
        let wanted = [
            (SafetyHead::CrossUnsafe, heads.cross_unsafe),
            (SafetyHead::LocalSafe, heads.local_safe),
            (SafetyHead::CrossSafe, heads.cross_safe),
            (SafetyHead::Finalized, heads.finalized),
        ];
        for (level, head) in wanted {
            let Some(block) = head else { continue };
            let id = stored_id(&block);
            if stored.get(level) != Some(id) {
                self.db
                    .set_head(level, id)
                    .map_err(db_error(format!("saving chain {} {level}", self.chain)))?;
            }
        }
        Ok(())
    }

    /// What the index holds of log `log_index` of block `number` (see [`StoredLog`]); `None` when the block is
    /// not stored.
    pub fn stored_log(&self, number: u64, log_index: u32) -> Result<Option<StoredLog>, StoreError> {
        let context = || format!("chain {} block {number}", self.chain);
        let parent_timestamp = |db: &LogDb| -> Result<Option<u64>, StoreError> {
            let Some(parent) = number.checked_sub(1) else { return Ok(None) };
            Ok(db.block(parent).map_err(db_error(context()))?.map(|p| p.timestamp))
        };
        if let Some((entry, seal)) = self.db.log(number, log_index).map_err(db_error(context()))? {
            return Ok(Some(StoredLog {
                timestamp: seal.timestamp,
                parent_timestamp: parent_timestamp(&self.db)?,
                log_hash: Some(entry.log_hash),
                log_count: log_index.saturating_add(1),
            }));
        }
        let Some(seal) = self.db.block(number).map_err(db_error(context()))? else { return Ok(None) };
        let logs = self.db.logs_of_block(number).map_err(db_error(context()))?.unwrap_or_default();
        Ok(Some(StoredLog {
            timestamp: seal.timestamp,
            parent_timestamp: parent_timestamp(&self.db)?,
            log_hash: None,
            log_count: u32::try_from(logs.len()).unwrap_or(u32::MAX),
        }))
    }

    /// Makes every commit durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(db_error(format!("flushing chain {}", self.chain)))
    }
}

/// Every chain's durable index; it answers the view's lookups of blocks that left memory ([`OlderBlocks`]).
#[derive(Debug, Default)]
pub struct Stores {
    chains: BTreeMap<ChainId, ChainStore>,
}

impl Stores {
    /// The stores of the given chains.
    pub fn new(chains: BTreeMap<ChainId, ChainStore>) -> Self {
        Self { chains }
    }

    /// One chain's store.
    pub fn get(&self, chain: ChainId) -> Option<&ChainStore> {
        self.chains.get(&chain)
    }

    /// The chains, ascending.
    pub fn chain_ids(&self) -> impl Iterator<Item = ChainId> + '_ {
        self.chains.keys().copied()
    }

    /// Every chain's store, by chain.
    pub fn iter(&self) -> impl Iterator<Item = (ChainId, &ChainStore)> {
        self.chains.iter().map(|(c, s)| (*c, s))
    }
}

impl OlderBlocks for Stores {
    fn stored_log(&self, chain: ChainId, number: u64, log_index: u32) -> Option<StoredLog> {
        let store = self.chains.get(&chain)?;
        match store.stored_log(number, log_index) {
            Ok(found) => found,
            Err(e) => {
                warn!(chain, number, log_index, error = %e, "reading an older block from the durable index");
                None
            }
        }
    }
}

fn stored_id(block: &BlockRef) -> BlockId {
    block.id()
}

#[cfg(test)]
mod tests {
    use super::ReloadWindow;

    #[test]
    fn the_window_reaches_the_expiry_window_and_margin_below_the_oldest_floor() {
        let window = ReloadWindow::from_floors([Some(10_000), Some(9_000)], 600, 3_600);
        // Blocks from 9000 - 4200 on are loaded; those before 4800 + 600 are not checked again: the messages
        // of every later block were initiated at or after 4800. They lie below every floor by the margin.
        assert_eq!(window, Some(ReloadWindow { cutoff: 4_800, resolved_before: 5_400 }));
    }

    #[test]
    fn everything_is_loaded_while_a_chain_lacks_a_head_or_the_chains_are_younger_than_the_window() {
        assert_eq!(ReloadWindow::from_floors([Some(10_000), None], 600, 3_600), None);
        assert_eq!(ReloadWindow::from_floors([Some(4_199), Some(10_000)], 600, 3_600), None);
        assert_eq!(ReloadWindow::from_floors(Vec::<Option<u64>>::new(), 600, 3_600), None);
    }
}
