//! [`LogDb`]: one chain's durable index of blocks, logs and safety heads on redb.
//!
//! Writes (append, rewind, head updates) each run in one redb write transaction, so a crash leaves the last
//! committed state: a consistent prefix of the chain, never a half-written block. How often a commit is
//! flushed with fsync is the [`SyncPolicy`]: an fsync costs milliseconds, so indexing at more than 100,000
//! logs per second takes either batches ([`LogDb::append_blocks`]) or [`SyncPolicy::EveryNthCommit`].
//!
//! Reads never wait for a commit: they consult an in-memory view (first and latest block, heads, a window of
//! the most recent block records) and otherwise a read-only snapshot of the `blocks` table taken after the
//! latest commit. The view is the gate: a block above the view's latest block is never returned, so a rewind
//! hides the dropped blocks before it removes them.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard},
};

use alloy_primitives::B256;
use redb::{
    Database, Durability, ReadOnlyTable, ReadableDatabase, ReadableTable, ReadableTableMetadata,
    WriteTransaction,
};

use crate::{
    cache::RecentBlocks,
    codec::{BlockRecordView, CodecError, decode_block_id, encode_block, encode_block_id},
    error::{ConflictReason, LogDbError},
    layout::{
        BLOCK_HASHES, BLOCKS, DERIVED_FROM, FORMAT_VERSION, FORMAT_VERSION_KEY, HEADS, META, head_code,
    },
    types::{BlockId, BlockSeal, BlockWithLogs, Heads, IndexedExecMessage, LogEntry, SafetyHead},
};

/// When commits are made durable (flushed to disk with fsync).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPolicy {
    /// Every commit is durable when it returns.
    EveryCommit,
    /// Every `n`th commit is durable (and [`LogDb::flush`] makes the latest durable). Commits in between are
    /// atomic and visible at once, but a crash may lose up to `n - 1` of them: reopening yields the state of
    /// an earlier commit, still a consistent prefix. Suits an index rebuilt from the chain's nodes.
    EveryNthCommit(u32),
}

/// How a [`LogDb`] is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogDbConfig {
    /// When commits reach the disk.
    pub sync: SyncPolicy,
    /// Number of most recent block records kept in memory (0 disables the window).
    pub recent_blocks: usize,
    /// If set, the first block appended to an empty index must have this number.
    pub start_block: Option<u64>,
    /// Bytes of the database file the storage engine may keep in memory (its page cache, reads and writes).
    /// The engine's own default is 1 GiB per database, which a process holding one index per chain of a large
    /// dependency set would fill over hours; [`DEFAULT_CACHE_BYTES`] bounds it.
    pub cache_bytes: usize,
}

/// The default [`LogDbConfig::cache_bytes`]: 16 MiB per index.
pub const DEFAULT_CACHE_BYTES: usize = 16 << 20;

impl Default for LogDbConfig {
    fn default() -> Self {
        Self {
            sync: SyncPolicy::EveryCommit,
            recent_blocks: 256,
            start_block: None,
            cache_bytes: DEFAULT_CACHE_BYTES,
        }
    }
}

/// Counts found by [`LogDb::check_invariants`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IndexSummary {
    /// Stored blocks.
    pub blocks: u64,
    /// Stored logs.
    pub logs: u64,
    /// Stored executing messages.
    pub executing_messages: u64,
}

/// Space used by the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskUsage {
    /// Length of the file. The file grows by doubling and the growth is sparse, so this overstates the disk
    /// space used; see `allocated_bytes`.
    pub file_bytes: u64,
    /// Disk space the file occupies (its allocated blocks; on non-Unix systems, its length).
    pub allocated_bytes: u64,
    /// Bytes of keys and values stored in the tables.
    pub stored_bytes: u64,
    /// Bytes of B-tree and allocator metadata.
    pub metadata_bytes: u64,
    /// Bytes allocated but unused (page slack and freed pages).
    pub fragmented_bytes: u64,
}

/// A read-only snapshot of the `blocks` table as of the latest commit, shared by lookups so that each one
/// skips starting a read transaction.
type BlocksSnapshot = Arc<ReadOnlyTable<u64, &'static [u8]>>;

#[derive(Default)]
struct View {
    first: Option<BlockSeal>,
    latest: Option<BlockSeal>,
    heads: Heads,
    recent: RecentBlocks,
    snapshot: Option<BlocksSnapshot>,
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("first", &self.first)
            .field("latest", &self.latest)
            .field("heads", &self.heads)
            .field("recent_blocks", &self.recent.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct WriterState {
    commits_since_sync: u32,
}

/// One chain's durable index of blocks, logs and safety heads. Cheap to share behind an `Arc`: every method
/// takes `&self`; writers are serialized, readers run concurrently with them.
#[derive(Debug)]
pub struct LogDb {
    db: Database,
    path: PathBuf,
    config: LogDbConfig,
    writer: Mutex<WriterState>,
    view: RwLock<View>,
}

impl LogDb {
    /// Opens the index in file `path`, creating it if absent.
    pub fn open(path: impl AsRef<Path>, config: LogDbConfig) -> Result<Self, LogDbError> {
        let path = path.as_ref().to_path_buf();
        let db = Database::builder().set_cache_size(config.cache_bytes).create(&path)?;
        let this = Self {
            db,
            path,
            config,
            writer: Mutex::new(WriterState::default()),
            view: RwLock::new(View { recent: RecentBlocks::new(config.recent_blocks), ..View::default() }),
        };
        this.initialize()?;
        this.reload_view()?;
        Ok(this)
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the tables and checks the format version.
    fn initialize(&self) -> Result<(), LogDbError> {
        let txn = self.db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            let found = meta.get(FORMAT_VERSION_KEY)?.map(|v| v.value());
            match found {
                Some(v) if v != FORMAT_VERSION => {
                    return Err(LogDbError::UnsupportedFormat {
                        found: u32::try_from(v).unwrap_or(u32::MAX),
                        expected: FORMAT_VERSION as u32,
                    });
                }
                Some(_) => {}
                None => {
                    meta.insert(FORMAT_VERSION_KEY, FORMAT_VERSION)?;
                }
            }
            txn.open_table(BLOCKS)?;
            txn.open_table(BLOCK_HASHES)?;
            txn.open_table(HEADS)?;
            txn.open_table(DERIVED_FROM)?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Rebuilds the in-memory view from the database.
    fn reload_view(&self) -> Result<(), LogDbError> {
        let txn = self.db.begin_read()?;
        let blocks = txn.open_table(BLOCKS)?;
        let heads_table = txn.open_table(HEADS)?;
        let decode = |number: u64, bytes: &[u8]| {
            BlockRecordView::new(bytes)
                .map(|v| v.seal(number))
                .map_err(|source| LogDbError::BadRecord { number, source })
        };
        let first = match blocks.first()? {
            Some((k, v)) => Some(decode(k.value(), v.value())?),
            None => None,
        };
        let latest = match blocks.last()? {
            Some((k, v)) => Some(decode(k.value(), v.value())?),
            None => None,
        };
        let mut heads = Heads { local_unsafe: latest.map(|s| s.id()), ..Heads::default() };
        for level in SafetyHead::STORED {
            if let Some(code) = head_code(level) {
                heads.set(level, heads_table.get(code)?.map(|v| decode_block_id(v.value())));
            }
        }
        let mut recent = RecentBlocks::new(self.config.recent_blocks);
        if let (Some(first), Some(latest)) = (first, latest) {
            let window = self.config.recent_blocks as u64;
            let from = latest.number.saturating_sub(window.saturating_sub(1)).max(first.number);
            if window > 0 {
                for entry in blocks.range(from..=latest.number)? {
                    let (k, v) = entry?;
                    recent.push(k.value(), Arc::from(v.value()));
                }
            }
        }
        let snapshot = Some(Arc::new(blocks));
        *self.write_view() = View { first, latest, heads, recent, snapshot };
        Ok(())
    }

    /// A snapshot of `blocks` as of now, or `None` if the storage engine refuses one (lookups then start
    /// their own read transactions).
    fn snapshot(&self) -> Option<BlocksSnapshot> {
        let txn = self.db.begin_read().ok()?;
        txn.open_table(BLOCKS).ok().map(Arc::new)
    }

    fn read_view(&self) -> RwLockReadGuard<'_, View> {
        self.view.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_view(&self) -> RwLockWriteGuard<'_, View> {
        self.view.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a write transaction with the durability the sync policy asks for this commit.
    fn begin_write(&self, state: &mut WriterState) -> Result<WriteTransaction, LogDbError> {
        let mut txn = self.db.begin_write()?;
        let durable = match self.config.sync {
            SyncPolicy::EveryCommit => true,
            SyncPolicy::EveryNthCommit(n) => state.commits_since_sync.saturating_add(1) >= n,
        };
        if durable {
            state.commits_since_sync = 0;
        } else {
            txn.set_durability(Durability::None)?;
            state.commits_since_sync += 1;
        }
        Ok(txn)
    }

    /// Appends one block and its logs, atomically.
    ///
    /// The block must follow the latest block (number + 1, parent hash = latest hash); the first block of an
    /// empty index may have any number (or the configured start). Errors: [`LogDbError::OutOfOrder`] for a
    /// gap or a block before the first, [`LogDbError::Conflict`] for a different block at a stored height or
    /// a parent mismatch, [`LogDbError::Ineffective`] for a block already stored.
    pub fn append_block(&self, seal: BlockSeal, logs: &[LogEntry]) -> Result<(), LogDbError> {
        self.append_all(std::iter::once((&seal, logs)))
    }

    /// Appends several consecutive blocks in one atomic transaction (all or none), with the same checks as
    /// [`LogDb::append_block`] for each.
    pub fn append_blocks(&self, blocks: &[BlockWithLogs]) -> Result<(), LogDbError> {
        self.append_all(blocks.iter().map(|b| (&b.seal, b.logs.as_slice())))
    }

    fn append_all<'a>(
        &self,
        blocks: impl Iterator<Item = (&'a BlockSeal, &'a [LogEntry])>,
    ) -> Result<(), LogDbError> {
        let mut state = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut tip, first) = {
            let view = self.read_view();
            (view.latest, view.first)
        };
        let mut appended: Vec<(u64, Arc<[u8]>)> = Vec::new();
        let mut batch_first = None;
        let txn = self.begin_write(&mut state)?;
        {
            let mut table = txn.open_table(BLOCKS)?;
            let mut hashes = txn.open_table(BLOCK_HASHES)?;
            let mut buf = Vec::new();
            for (seal, logs) in blocks {
                self.check_continuity(seal, tip, first, &table)?;
                batch_first.get_or_insert(*seal);
                buf.clear();
                encode_block(seal, logs, &mut buf);
                table.insert(seal.number, buf.as_slice())?;
                hashes.insert(&seal.hash.0, seal.number)?;
                if self.config.recent_blocks > 0 {
                    appended.push((seal.number, Arc::from(buf.as_slice())));
                }
                tip = Some(*seal);
            }
        }
        let Some(new_tip) = tip else { return Ok(()) };
        txn.commit()?;
        let snapshot = self.snapshot();
        let mut view = self.write_view();
        view.snapshot = snapshot;
        if view.first.is_none() {
            view.first = batch_first;
        }
        view.latest = Some(new_tip);
        view.heads.local_unsafe = Some(new_tip.id());
        let keep = self.config.recent_blocks;
        let skip = appended.len().saturating_sub(keep);
        for (number, record) in appended.into_iter().skip(skip) {
            view.recent.push(number, record);
        }
        Ok(())
    }

    fn check_continuity(
        &self,
        seal: &BlockSeal,
        tip: Option<BlockSeal>,
        first: Option<BlockSeal>,
        table: &redb::Table<'_, u64, &[u8]>,
    ) -> Result<(), LogDbError> {
        let Some(tip) = tip else {
            return match self.config.start_block {
                Some(expected) if expected != seal.number => {
                    Err(LogDbError::OutOfOrder { number: seal.number, expected })
                }
                _ => Ok(()),
            };
        };
        let expected = tip.number.saturating_add(1);
        if seal.number == expected {
            if seal.parent_hash != tip.hash {
                return Err(LogDbError::Conflict {
                    number: seal.number,
                    hash: seal.hash,
                    reason: ConflictReason::ParentMismatch { latest: tip.hash },
                });
            }
            return Ok(());
        }
        let first_number = first.map_or(tip.number, |f| f.number);
        if seal.number > expected || seal.number < first_number {
            return Err(LogDbError::OutOfOrder { number: seal.number, expected });
        }
        let stored = match table.get(seal.number)? {
            Some(v) => BlockRecordView::new(v.value())
                .map(|r| r.hash())
                .map_err(|source| LogDbError::BadRecord { number: seal.number, source })?,
            None => return Err(LogDbError::Corrupt(format!("block {} missing below the tip", seal.number))),
        };
        if stored == seal.hash {
            Err(LogDbError::Ineffective { number: seal.number, hash: seal.hash })
        } else {
            Err(LogDbError::Conflict {
                number: seal.number,
                hash: seal.hash,
                reason: ConflictReason::DifferentBlock { stored },
            })
        }
    }

    /// Makes every commit so far durable.
    pub fn flush(&self) -> Result<(), LogDbError> {
        let mut state = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let txn = self.db.begin_write()?;
        txn.commit()?;
        state.commits_since_sync = 0;
        Ok(())
    }

    /// Runs `f` on the record of block `number`, if stored.
    fn with_record<R>(
        &self,
        number: u64,
        f: impl FnOnce(BlockRecordView<'_>) -> Result<R, CodecError>,
    ) -> Result<Option<R>, LogDbError> {
        let snapshot = {
            let view = self.read_view();
            match (view.first, view.latest) {
                (Some(first), Some(latest)) if first.number <= number && number <= latest.number => {}
                _ => return Ok(None),
            }
            if let Some(record) = view.recent.get(number) {
                let out = BlockRecordView::new(record).and_then(f);
                return out.map(Some).map_err(|source| LogDbError::BadRecord { number, source });
            }
            view.snapshot.clone()
        };
        let table = match snapshot {
            Some(table) => table,
            None => Arc::new(self.db.begin_read()?.open_table(BLOCKS)?),
        };
        let Some(value) = table.get(number)? else { return Ok(None) };
        let out = BlockRecordView::new(value.value()).and_then(f);
        out.map(Some).map_err(|source| LogDbError::BadRecord { number, source })
    }

    /// The block at `number`, if stored.
    pub fn block(&self, number: u64) -> Result<Option<BlockSeal>, LogDbError> {
        self.with_record(number, |r| Ok(r.seal(number)))
    }

    /// The stored block with hash `hash`, if any.
    pub fn block_by_hash(&self, hash: B256) -> Result<Option<BlockSeal>, LogDbError> {
        let number = {
            let txn = self.db.begin_read()?;
            let table = txn.open_table(BLOCK_HASHES)?;
            match table.get(&hash.0)? {
                Some(v) => v.value(),
                None => return Ok(None),
            }
        };
        Ok(self.block(number)?.filter(|seal| seal.hash == hash))
    }

    /// Whether block `number` is stored with hash `hash`.
    pub fn contains(&self, number: u64, hash: B256) -> Result<bool, LogDbError> {
        Ok(self.with_record(number, |r| Ok(r.hash()))? == Some(hash))
    }

    /// Log `index` of block `number`, with the block, if both are stored. O(log n) in the number of blocks,
    /// O(1) for a block in the recent window.
    pub fn log(&self, number: u64, index: u32) -> Result<Option<(LogEntry, BlockSeal)>, LogDbError> {
        let found = self.with_record(number, |r| Ok(r.log(index)?.map(|log| (log, r.seal(number)))))?;
        Ok(found.flatten())
    }

    /// Every log of block `number`, in order, if the block is stored.
    pub fn logs_of_block(&self, number: u64) -> Result<Option<Vec<LogEntry>>, LogDbError> {
        self.with_record(number, |r| r.logs())
    }

    /// The executing messages of block `number` with their log indices, if the block is stored.
    pub fn executing_messages_of_block(
        &self,
        number: u64,
    ) -> Result<Option<Vec<IndexedExecMessage>>, LogDbError> {
        self.with_record(number, |r| r.exec_messages()?.collect())
    }

    /// The stored blocks from `from` to `to` inclusive, with their logs, read in one transaction (the fast way
    /// to load a stretch of the chain, e.g. at startup). Blocks outside the stored range are left out.
    pub fn blocks_in_range(&self, from: u64, to: u64) -> Result<Vec<BlockWithLogs>, LogDbError> {
        let (first, latest) = {
            let view = self.read_view();
            (view.first, view.latest)
        };
        let (Some(first), Some(latest)) = (first, latest) else { return Ok(Vec::new()) };
        let (from, to) = (from.max(first.number), to.min(latest.number));
        if from > to {
            return Ok(Vec::new());
        }
        let txn = self.db.begin_read()?;
        let table = txn.open_table(BLOCKS)?;
        let mut out = Vec::with_capacity(usize::try_from(to - from + 1).unwrap_or(0).min(1 << 16));
        for entry in table.range(from..=to)? {
            let (k, v) = entry?;
            let number = k.value();
            let record = BlockRecordView::new(v.value());
            let block = record.and_then(|r| Ok(BlockWithLogs { seal: r.seal(number), logs: r.logs()? }));
            out.push(block.map_err(|source| LogDbError::BadRecord { number, source })?);
        }
        Ok(out)
    }

    /// The last stored block whose timestamp is at or below `timestamp` (the block a super root at that time
    /// takes for this chain), or `None` if the first block is later. Binary search: block timestamps never
    /// decrease along a chain.
    pub fn last_block_at_or_before(&self, timestamp: u64) -> Result<Option<BlockSeal>, LogDbError> {
        let (Some(first), Some(latest)) = (self.first_block(), self.latest_block()) else { return Ok(None) };
        if first.timestamp > timestamp {
            return Ok(None);
        }
        if latest.timestamp <= timestamp {
            return Ok(Some(latest));
        }
        // Invariant: block `lo` qualifies, block `hi + 1` does not.
        let (mut lo, mut hi) = (first, latest.number - 1);
        while lo.number < hi {
            let mid = lo.number + (hi - lo.number).div_ceil(2);
            match self.block(mid)? {
                Some(seal) if seal.timestamp <= timestamp => lo = seal,
                Some(_) => hi = mid - 1,
                // Rewound meanwhile: search below.
                None => hi = mid - 1,
            }
        }
        Ok(Some(lo))
    }

    /// The latest stored block.
    pub fn latest_block(&self) -> Option<BlockSeal> {
        self.read_view().latest
    }

    /// The first stored block.
    pub fn first_block(&self) -> Option<BlockSeal> {
        self.read_view().first
    }

    /// The head at `level`, if set (local-unsafe: the latest block).
    pub fn head(&self, level: SafetyHead) -> Option<BlockId> {
        self.read_view().heads.get(level)
    }

    /// All heads.
    pub fn heads(&self) -> Heads {
        self.read_view().heads
    }

    /// Sets the head at `level` to `id`, which must be a stored block with that hash. Local-unsafe cannot be
    /// set (it is the latest block). Setting local-safe this way drops derived-from records above `id` and
    /// keeps the one of `id` (see [`LogDb::set_local_safe`]).
    pub fn set_head(&self, level: SafetyHead, id: BlockId) -> Result<(), LogDbError> {
        let derived_from = (level == SafetyHead::LocalSafe).then_some(None);
        self.set_head_inner(level, id, derived_from)
    }

    /// Sets the local-safe head to `id` and records the L1 block it was derived from, if given (with `None`,
    /// an existing record of `id` is kept). Records of blocks above `id` are dropped (they are no longer
    /// local-safe). L1 numbers must not decrease as L2 numbers increase.
    pub fn set_local_safe(&self, id: BlockId, derived_from: Option<BlockId>) -> Result<(), LogDbError> {
        self.set_head_inner(SafetyHead::LocalSafe, id, Some(derived_from))
    }

    fn set_head_inner(
        &self,
        level: SafetyHead,
        id: BlockId,
        derived_from: Option<Option<BlockId>>,
    ) -> Result<(), LogDbError> {
        let code = head_code(level).ok_or(LogDbError::LocalUnsafeNotSettable)?;
        let mut state = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let latest = self.read_view().latest.map(|s| s.number);
        if latest.is_none_or(|latest| id.number > latest) {
            return Err(LogDbError::HeadBeyondLatest { level, number: id.number, latest });
        }
        if !self.contains(id.number, id.hash)? {
            return Err(LogDbError::HeadNotCanonical { level, number: id.number, hash: id.hash });
        }
        let txn = self.begin_write(&mut state)?;
        {
            let mut heads = txn.open_table(HEADS)?;
            heads.insert(code, &encode_block_id(&id))?;
            if let Some(derived_from) = derived_from {
                let mut table = txn.open_table(DERIVED_FROM)?;
                table.retain_in(id.number.saturating_add(1).., |_, _| false)?;
                if let Some(l1) = derived_from {
                    let previous = table.range(..id.number)?.next_back().transpose()?;
                    let previous_l1 = previous.map(|(_, prev)| decode_block_id(prev.value()).number);
                    if let Some(previous_l1) = previous_l1.filter(|p| l1.number < *p) {
                        return Err(LogDbError::DerivedFromOutOfOrder {
                            number: id.number,
                            l1_number: l1.number,
                            previous_l1,
                        });
                    }
                    table.insert(id.number, &encode_block_id(&l1))?;
                }
            }
        }
        txn.commit()?;
        self.write_view().heads.set(level, Some(id));
        Ok(())
    }

    /// The L1 block that local-safe block `number` was derived from, if recorded.
    pub fn derived_from(&self, number: u64) -> Result<Option<BlockId>, LogDbError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(DERIVED_FROM)?;
        Ok(table.get(number)?.map(|v| decode_block_id(v.value())))
    }

    /// The latest local-safe block with a derived-from record whose L1 block is at or below `l1_number`,
    /// with that L1 block: what the chain had derived once L1 reached `l1_number`. Binary search over the
    /// records (L1 numbers never decrease as L2 numbers increase), O(log² n).
    pub fn last_derived_at(&self, l1_number: u64) -> Result<Option<(BlockId, BlockId)>, LogDbError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(DERIVED_FROM)?;
        let at_or_before = |key: u64| -> Result<Option<(u64, BlockId)>, LogDbError> {
            let entry = table.range(..=key)?.next_back().transpose()?;
            Ok(entry.map(|(k, v)| (k.value(), decode_block_id(v.value()))))
        };
        let (Some(first), Some(last)) = (table.first()?, table.last()?) else { return Ok(None) };
        let (mut lo, mut hi) = (first.0.value(), last.0.value());
        if decode_block_id(first.1.value()).number > l1_number {
            return Ok(None);
        }
        // Invariant: the record at or before `lo` qualifies; find the largest such key.
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            match at_or_before(mid)? {
                Some((_, l1)) if l1.number <= l1_number => lo = mid,
                _ => hi = mid - 1,
            }
        }
        let Some((l2_number, l1)) = at_or_before(lo)? else { return Ok(None) };
        let l2 = self.block(l2_number)?.ok_or_else(|| {
            LogDbError::Corrupt(format!("derived-from record of block {l2_number}, which is not stored"))
        })?;
        Ok(Some((l2.id(), l1)))
    }

    /// Drops every block after `number` (a reorg), lowering every head above it to block `number`, atomically.
    /// Returns the number of blocks dropped. Rewinding to or beyond the latest block does nothing.
    pub fn rewind_to(&self, number: u64) -> Result<u64, LogDbError> {
        let mut state = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let (first, latest) = {
            let view = self.read_view();
            (view.first, view.latest)
        };
        let (Some(first), Some(latest)) = (first, latest) else { return Ok(0) };
        if number >= latest.number {
            return Ok(0);
        }
        if number < first.number {
            return Err(LogDbError::RewindBeforeFirst { number, first: first.number });
        }
        let target = self
            .block(number)?
            .ok_or_else(|| LogDbError::Corrupt(format!("block {number} missing below the tip")))?;
        let result = self.rewind_in_txn(&mut state, target, latest.number);
        if result.is_err() {
            // The transaction was not committed: the database still holds the old blocks.
            self.reload_view()?;
        }
        result
    }

    fn rewind_in_txn(
        &self,
        state: &mut WriterState,
        target: BlockSeal,
        latest: u64,
    ) -> Result<u64, LogDbError> {
        // Hide the dropped blocks from readers first: lookups never go beyond the view's latest block.
        {
            let mut view = self.write_view();
            view.latest = Some(target);
            view.recent.truncate_after(target.number);
            for level in SafetyHead::ALL {
                if view.heads.get(level).is_some_and(|h| h.number > target.number) {
                    view.heads.set(level, Some(target.id()));
                }
            }
        }
        let txn = self.begin_write(state)?;
        {
            let mut blocks = txn.open_table(BLOCKS)?;
            let mut hashes = txn.open_table(BLOCK_HASHES)?;
            let mut dropped = Vec::new();
            for entry in blocks.extract_from_if(target.number + 1.., |_, _| true)? {
                let (k, v) = entry?;
                let number = k.value();
                let hash = BlockRecordView::new(v.value())
                    .map(|r| r.hash())
                    .map_err(|source| LogDbError::BadRecord { number, source })?;
                dropped.push(hash);
            }
            for hash in dropped {
                hashes.remove(&hash.0)?;
            }
            let mut heads = txn.open_table(HEADS)?;
            for level in SafetyHead::STORED {
                let Some(code) = head_code(level) else { continue };
                let above =
                    heads.get(code)?.is_some_and(|v| decode_block_id(v.value()).number > target.number);
                if above {
                    heads.insert(code, &encode_block_id(&target.id()))?;
                }
            }
            let mut derived = txn.open_table(DERIVED_FROM)?;
            derived.retain_in(target.number + 1.., |_, _| false)?;
        }
        txn.commit()?;
        let snapshot = self.snapshot();
        self.write_view().snapshot = snapshot;
        Ok(latest - target.number)
    }

    /// Walks the whole store and checks the invariants listed in [`crate::layout`], and that the in-memory
    /// view agrees with the disk. Returns what it counted.
    pub fn check_invariants(&self) -> Result<IndexSummary, LogDbError> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let corrupt = |msg: String| Err(LogDbError::Corrupt(msg));
        let txn = self.db.begin_read()?;
        let blocks = txn.open_table(BLOCKS)?;
        let hashes = txn.open_table(BLOCK_HASHES)?;
        let heads = txn.open_table(HEADS)?;
        let derived = txn.open_table(DERIVED_FROM)?;
        let mut summary = IndexSummary::default();
        let mut previous: Option<BlockSeal> = None;
        let mut first = None;
        for entry in blocks.iter()? {
            let (k, v) = entry?;
            let number = k.value();
            let record =
                BlockRecordView::new(v.value()).map_err(|source| LogDbError::BadRecord { number, source })?;
            record.validate().map_err(|source| LogDbError::BadRecord { number, source })?;
            let seal = record.seal(number);
            if let Some(prev) = previous {
                if number != prev.number + 1 {
                    return corrupt(format!("gap between blocks {} and {number}", prev.number));
                }
                if seal.parent_hash != prev.hash {
                    return corrupt(format!(
                        "block {number}'s parent hash is not block {}'s hash",
                        prev.number
                    ));
                }
            }
            match hashes.get(&seal.hash.0)? {
                Some(n) if n.value() == number => {}
                other => {
                    return corrupt(format!(
                        "hash index maps block {number}'s hash to {:?}",
                        other.map(|n| n.value())
                    ));
                }
            }
            summary.blocks += 1;
            summary.logs += u64::from(record.log_count());
            summary.executing_messages +=
                record.exec_messages().map_err(|source| LogDbError::BadRecord { number, source })?.count()
                    as u64;
            first.get_or_insert(seal);
            previous = Some(seal);
        }
        if hashes.len()? != summary.blocks {
            return corrupt(format!("{} hash index entries for {} blocks", hashes.len()?, summary.blocks));
        }
        let latest = previous;
        let mut stored_heads = Heads { local_unsafe: latest.map(|s| s.id()), ..Heads::default() };
        for level in SafetyHead::STORED {
            let Some(code) = head_code(level) else { continue };
            let Some(id) = heads.get(code)?.map(|v| decode_block_id(v.value())) else { continue };
            let canonical = match blocks.get(id.number)? {
                Some(v) => BlockRecordView::new(v.value()).map(|r| r.hash()).ok() == Some(id.hash),
                None => false,
            };
            if !canonical {
                return corrupt(format!("{level} head {} ({}) is not a stored block", id.number, id.hash));
            }
            stored_heads.set(level, Some(id));
        }
        let mut previous_l1 = 0;
        for entry in derived.iter()? {
            let (k, v) = entry?;
            let number = k.value();
            let l1 = decode_block_id(v.value());
            if stored_heads.local_safe.is_none_or(|h| number > h.number) {
                return corrupt(format!("derived-from record of block {number} above the local-safe head"));
            }
            if l1.number < previous_l1 {
                return corrupt(format!("derived-from L1 number decreases at block {number}"));
            }
            previous_l1 = l1.number;
        }
        let view = self.read_view();
        if view.first != first || view.latest != latest || view.heads != stored_heads {
            return corrupt(format!(
                "in-memory view (first {:?}, latest {:?}, heads {:?}) differs from the store (first {first:?}, \
                 latest {latest:?}, heads {stored_heads:?})",
                view.first, view.latest, view.heads
            ));
        }
        for (number, record) in view.recent.iter() {
            let stored = blocks.get(number)?;
            if stored.as_ref().map(|v| v.value()) != Some(&record[..]) {
                return corrupt(format!("recent-block window differs from the store at block {number}"));
            }
        }
        Ok(summary)
    }

    /// Space used by the database file.
    pub fn disk_usage(&self) -> Result<DiskUsage, LogDbError> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let metadata = std::fs::metadata(&self.path)
            .map_err(|source| LogDbError::Io { path: self.path.clone(), source })?;
        let file_bytes = metadata.len();
        #[cfg(unix)]
        let allocated_bytes = std::os::unix::fs::MetadataExt::blocks(&metadata) * 512;
        #[cfg(not(unix))]
        let allocated_bytes = file_bytes;
        let txn = self.db.begin_write()?;
        let stats = txn.stats()?;
        txn.abort()?;
        Ok(DiskUsage {
            file_bytes,
            allocated_bytes,
            stored_bytes: stats.stored_bytes(),
            metadata_bytes: stats.metadata_bytes(),
            fragmented_bytes: stats.fragmented_bytes(),
        })
    }

    /// Compacts the file, returning freed pages to the file system. Needs exclusive access.
    pub fn compact(&mut self) -> Result<(), LogDbError> {
        // Compaction needs every read transaction closed, the lookups' snapshot included.
        self.write_view().snapshot = None;
        let result = self.db.compact().map_err(|e| LogDbError::Storage(e.into()));
        let snapshot = self.snapshot();
        self.write_view().snapshot = snapshot;
        result.map(|_| ())
    }
}
