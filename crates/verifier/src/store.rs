//! The durable copy of each chain's index: one log database per chain in the data directory.

use std::path::Path;

use alloy_primitives::U256;
use superlink_logdb::{
    BlockId as StoredId, BlockWithLogs, LogDb, LogDbConfig, LogDbError, SafetyHead, SyncPolicy,
};

use crate::{
    chain_data::{BlockRef, ChainId},
    error::StoreError,
    index::IndexedBlock,
    indexing::from_stored,
    state::ChainHeads,
};

/// Commits between two fsyncs: the index is rebuilt from the chain's node, so a crash may lose the last few
/// commits but always leaves a consistent prefix.
const COMMITS_PER_SYNC: u32 = 32;

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
    /// Every stored block, oldest first.
    pub blocks: Vec<IndexedBlock>,
    /// The stored local-safe head.
    pub local_safe: Option<u64>,
    /// The stored finalized head.
    pub finalized: Option<u64>,
}

impl ChainStore {
    /// Opens (creating if needed) the chain's database in `datadir`. `start` is the first block to index.
    pub fn open(datadir: &Path, chain: ChainId, start: Option<u64>) -> Result<Self, StoreError> {
        std::fs::create_dir_all(datadir).map_err(|e| StoreError::Database {
            context: format!("creating {}", datadir.display()),
            reason: e.to_string(),
        })?;
        let path = superlink_logdb::chain_db_path(datadir, U256::from(chain));
        let config = LogDbConfig {
            sync: SyncPolicy::EveryNthCommit(COMMITS_PER_SYNC),
            recent_blocks: 1024,
            start_block: start,
        };
        let db = LogDb::open(&path, config).map_err(db_error(format!("opening {}", path.display())))?;
        Ok(Self { chain, db })
    }

    /// Reads every stored block and the stored heads.
    pub fn load(&self) -> Result<StoredChain, StoreError> {
        let mut stored = StoredChain::default();
        let (Some(first), Some(latest)) = (self.db.first_block(), self.db.latest_block()) else {
            return Ok(stored);
        };
        for number in first.number..=latest.number {
            let context = || format!("chain {} block {number}", self.chain);
            let seal = self.db.block(number).map_err(db_error(context()))?;
            let logs = self.db.logs_of_block(number).map_err(db_error(context()))?;
            let (Some(seal), Some(logs)) = (seal, logs) else {
                return Err(StoreError::Corrupt { context: context() });
            };
            stored.blocks.push(from_stored(&seal, &logs));
        }
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

    /// Makes every commit durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(db_error(format!("flushing chain {}", self.chain)))
    }
}

fn stored_id(block: &BlockRef) -> StoredId {
    StoredId { number: block.number, hash: block.hash }
}
