//! The verifier handle: the shared state behind a lock, the durable stores, and the operations the chain
//! followers, the RPC server and in-process callers (the devnet's tx-pool) use.

use std::{
    collections::BTreeMap,
    path::Path,
    sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard},
    time::Instant,
};

use alloy_primitives::B256;
use superlink_protocol::{DependencySet, SafetyLevel};
use tracing::{debug, info, warn};

use crate::{
    access_check::{ExecutingDescriptor, MessageChecker, check_access_list},
    chain_data::{BlockRef, ChainId, SourceBlock},
    error::{CheckError, StoreError, VerifierError},
    indexing::index_block,
    metrics,
    observe::{self, VerifierEvent},
    readiness::{NotReady, ReadinessPolicy, ReadinessReport, SyncTracker},
    replaced::ReplacedBlocks,
    safety::SafetyEvent,
    state::{ChainHeads, HeadEvent, PRUNE_MARGIN_SECS, VerifierState, chain_ids},
    store::{ChainStore, ReloadWindow, Stores, cache_bytes_per_chain},
    view::ChainLookup,
};

/// How much of the chains the verifier keeps in memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryOptions {
    /// Seconds of blocks below the heads kept in memory (`superlink verify --memory-window`); `None` keeps the
    /// whole message expiry window plus an hour. A shorter window bounds memory by the window rather than by
    /// the expiry window; messages initiated before it are looked up in the durable index, a read per message.
    pub window: Option<u64>,
}

#[derive(Debug)]
struct Inner {
    state: RwLock<VerifierState>,
    stores: Arc<Stores>,
    replaced: Mutex<ReplacedBlocks>,
    events: tokio::sync::broadcast::Sender<VerifierEvent>,
    /// What the followers learned about the chains' heads: whether the verifier has caught up. Never locked
    /// together with `state`.
    sync: Mutex<SyncTracker>,
}

/// The verifier: cheap to clone, shared by every task.
#[derive(Debug, Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

impl Verifier {
    /// Opens the durable index of every chain of `dependencies` in `datadir`, reloads into memory the blocks
    /// of the expiry window below the stored heads (every block while a head is unset; the older blocks stay
    /// on disk only, as after pruning) and resolves the heads again. `start_blocks` gives, per chain, the first block to index (default 0).
    pub fn open(
        dependencies: DependencySet,
        datadir: &Path,
        start_blocks: &BTreeMap<ChainId, u64>,
    ) -> Result<Self, VerifierError> {
        Self::open_with(dependencies, datadir, start_blocks, MemoryOptions::default())
    }

    /// [`Self::open`] with memory options: with a [`MemoryOptions::window`], only that many seconds of blocks
    /// below the heads are reloaded and kept in memory, and messages initiated before are looked up in the
    /// durable index.
    pub fn open_with(
        dependencies: DependencySet,
        datadir: &Path,
        start_blocks: &BTreeMap<ChainId, u64>,
        memory: MemoryOptions,
    ) -> Result<Self, VerifierError> {
        let chains = chain_ids(&dependencies)?;
        let expiry_window = dependencies.message_expiry_window();
        let mut state = VerifierState::new(dependencies)?;
        let cache_bytes = cache_bytes_per_chain(chains.len());
        let mut opened = BTreeMap::new();
        for chain in chains {
            let start = Some(start_blocks.get(&chain).copied().unwrap_or(0));
            opened.insert(chain, ChainStore::open(datadir, chain, start, cache_bytes)?);
        }
        let stores = Arc::new(Stores::new(opened));
        state.set_older_blocks(stores.clone());
        state.set_memory_window(memory.window);
        // Only the blocks a running verifier keeps in memory are loaded: the durable index keeps the rest.
        let floors = stores.iter().map(|(_, s)| s.floor().map(|f| f.map(|(_, timestamp)| timestamp)));
        let floors = floors.collect::<Result<Vec<_>, _>>()?;
        if let Some(window) = memory.window {
            info!(
                window_secs = window,
                expiry_window_secs = expiry_window,
                "memory holds this window of blocks below the heads; older messages are read from the index"
            );
        }
        let window = match memory.window.filter(|w| *w < expiry_window.saturating_add(PRUNE_MARGIN_SECS)) {
            // Messages initiated before the memory window are read from disk: every block below the oldest
            // stored floor is taken as resolved, the window above it is loaded and checked again.
            Some(window) => ReloadWindow::from_floors(floors, window, 0),
            None => ReloadWindow::from_floors(floors, expiry_window, PRUNE_MARGIN_SECS),
        };
        for (chain, store) in stores.iter() {
            let stored = store.load(window)?;
            let count = stored.blocks.len();
            for block in stored.blocks {
                state.append(chain, block).map_err(|e| StoreError::Corrupt {
                    context: format!("chain {chain}: stored blocks are not contiguous: {e}"),
                })?;
            }
            state.set_local_safe(chain, stored.local_safe);
            state.restore_finalized(chain, stored.finalized);
            if let Some(number) = stored.resolved_through {
                state.restore_resolved_through(chain, number);
            }
            if count > 0 {
                info!(
                    chain,
                    blocks = count,
                    first = ?state.view().chain(chain).and_then(|c| c.range()).map(|r| r.0),
                    latest = ?state.latest(chain).map(|b| b.number),
                    "reloaded index"
                );
            }
        }
        let events = state.resolve();
        let pruned = state.prune();
        debug!(events = events.len(), pruned, "resolved heads after reload");
        let verifier = Self {
            inner: Arc::new(Inner {
                state: RwLock::new(state),
                stores,
                replaced: Mutex::default(),
                events: observe::channel(),
                sync: Mutex::default(),
            }),
        };
        for chain in verifier.chains() {
            if let Some(heads) = verifier.heads(chain) {
                metrics::record_heads(chain, &heads);
            }
        }
        Ok(verifier)
    }

    /// Read access to the whole state.
    pub fn read(&self) -> RwLockReadGuard<'_, VerifierState> {
        self.inner.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets how long, beyond the message expiry window, blocks stay in memory after every head has passed them
    /// (see [`VerifierState::set_prune_margin`]); it applies from the next pruning on.
    pub fn set_prune_margin(&self, secs: u64) {
        self.write().set_prune_margin(secs);
    }

    /// The original blocks of replaced heights (taken after the state lock, never before it).
    pub fn replaced(&self) -> MutexGuard<'_, ReplacedBlocks> {
        self.inner.replaced.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, VerifierState> {
        self.inner.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn store(&self, chain: ChainId) -> Result<&ChainStore, VerifierError> {
        self.inner
            .stores
            .get(chain)
            .ok_or_else(|| VerifierError::Config(format!("chain {chain} is not followed")))
    }

    /// The followed chains, ascending.
    pub fn chains(&self) -> Vec<ChainId> {
        self.inner.stores.chain_ids().collect()
    }

    /// The latest indexed block of a chain.
    pub fn latest(&self, chain: ChainId) -> Option<BlockRef> {
        self.read().latest(chain)
    }

    /// The indexed block `number` of a chain.
    pub fn block(&self, chain: ChainId, number: u64) -> Option<BlockRef> {
        self.read().view().block(chain, number).map(|b| b.block)
    }

    /// Every head of a chain.
    pub fn heads(&self, chain: ChainId) -> Option<ChainHeads> {
        self.read().heads(chain)
    }

    /// Indexes consecutive blocks of a chain (durably first), then advances every chain's heads.
    pub fn ingest(&self, chain: ChainId, blocks: &[SourceBlock]) -> Result<(), VerifierError> {
        if blocks.is_empty() {
            return Ok(());
        }
        let (indexed, stored): (Vec<_>, Vec<_>) = blocks.iter().map(index_block).unzip();
        let logs: u64 = indexed.iter().map(|b| b.log_hashes.len() as u64).sum();
        self.store(chain)?.append(&stored)?;
        let events = {
            let mut state = self.write();
            for block in indexed {
                state.append(chain, block).map_err(|e| StoreError::Corrupt {
                    context: format!("chain {chain}: index view out of step with the store: {e}"),
                })?;
            }
            let events = state.resolve();
            let pruned = state.prune();
            if pruned > 0 {
                debug!(pruned, "dropped expired blocks from memory");
            }
            events
        };
        metrics::record_indexed(chain, blocks.len() as u64, logs);
        observe::publish(&self.inner.events, || VerifierEvent::Ingested { chain, blocks: blocks.into() });
        self.after(events)
    }

    /// Drops a chain's blocks after `number` (a reorg) and demotes whatever depended on them.
    pub fn rewind(&self, chain: ChainId, number: u64) -> Result<(), VerifierError> {
        let events = {
            // The store and the in-memory state are rewound under one write lock, so no other thread saves
            // heads that still point above the rewound store in between.
            let mut state = self.write();
            let dropped = self.store(chain)?.rewind_to(number)?;
            warn!(chain, to = number, dropped, "reorg: rewound the index");
            self.replaced().record_rewind(&state, chain, number);
            let mut events = state.rewind(chain, number);
            events.extend(state.resolve());
            events
        };
        metrics::record_reorg(chain);
        observe::publish(&self.inner.events, || VerifierEvent::Rewound { chain, to: number });
        self.after(events)
    }

    /// Records the node's `safe` and `finalized` tags of a chain (local-safe and local finality); `None` leaves
    /// a tag as it was. A safe tag lower than before (an L1 reorg) lowers cross-safe with it.
    pub fn set_local_tags(
        &self,
        chain: ChainId,
        safe: Option<u64>,
        finalized: Option<u64>,
    ) -> Result<(), VerifierError> {
        let events = {
            let mut state = self.write();
            if state.tags_unchanged(chain, safe, finalized) {
                return Ok(());
            }
            let mut events = Vec::new();
            if safe.is_some() {
                events.extend(state.set_local_safe(chain, safe));
            }
            if finalized.is_some() {
                state.set_local_finalized(chain, finalized);
            }
            events.extend(state.resolve());
            state.prune();
            events
        };
        self.after(events)
    }

    /// Records that a chain's derivation processed L1 block `l1`, with local-safe head `last_l2` then (from a
    /// rollup node's safe-head records, or the devnet's own derivation). Local-safe, cross-safe and finality
    /// follow.
    pub fn record_derived(
        &self,
        chain: ChainId,
        l1: BlockRef,
        last_l2: Option<u64>,
    ) -> Result<(), VerifierError> {
        let events = {
            let mut state = self.write();
            let mut events = state
                .record_derived(chain, l1, last_l2)
                .map_err(|e| VerifierError::Derivation { chain, reason: e.to_string() })?;
            events.extend(state.resolve());
            events
        };
        self.after(events)
    }

    /// An L1 reorg below every chain's processed L1 blocks: what was derived from L1 blocks above `l1_number`
    /// is forgotten, and the safety heads resting on it go back.
    pub fn rewind_l1(&self, l1_number: u64) -> Result<(), VerifierError> {
        let events = {
            let mut state = self.write();
            let mut events = state.rewind_l1(l1_number);
            events.extend(state.resolve());
            events
        };
        if !events.is_empty() {
            warn!(l1 = l1_number, "L1 reorg: rewound what was derived above it");
        }
        self.after(events)
    }

    /// Sets the finalized L1 block: what was derived from it, with every dependency, becomes finalized.
    pub fn set_finalized_l1(&self, l1: BlockRef) -> Result<(), VerifierError> {
        let events = {
            let mut state = self.write();
            state.set_finalized_l1(l1);
            state.resolve()
        };
        self.after(events)
    }

    /// [`Self::ingest`] on the blocking thread pool, for async callers: the store's write and fsync stay off
    /// the runtime's worker threads.
    pub async fn ingest_async(&self, chain: ChainId, blocks: Vec<SourceBlock>) -> Result<(), VerifierError> {
        let verifier = self.clone();
        blocking(format!("indexing chain {chain}"), move || verifier.ingest(chain, &blocks)).await
    }

    /// [`Self::rewind`] on the blocking thread pool, for async callers.
    pub async fn rewind_async(&self, chain: ChainId, number: u64) -> Result<(), VerifierError> {
        let verifier = self.clone();
        blocking(format!("rewinding chain {chain}"), move || verifier.rewind(chain, number)).await
    }

    /// [`Self::set_local_tags`] on the blocking thread pool (it saves heads), for async callers.
    pub async fn set_local_tags_async(
        &self,
        chain: ChainId,
        safe: Option<u64>,
        finalized: Option<u64>,
    ) -> Result<(), VerifierError> {
        let verifier = self.clone();
        blocking(format!("saving the tags of chain {chain}"), move || {
            verifier.set_local_tags(chain, safe, finalized)
        })
        .await
    }

    /// [`Self::flush`] on the blocking thread pool, for async callers.
    pub async fn flush_async(&self) -> Result<(), VerifierError> {
        let verifier = self.clone();
        blocking("flushing the index".to_string(), move || verifier.flush()).await
    }

    /// Logs and counts head events, and saves every chain's heads.
    fn after(&self, events: Vec<HeadEvent>) -> Result<(), VerifierError> {
        for HeadEvent { level, event } in &events {
            match event {
                SafetyEvent::Invalid { chain, number, reason } => {
                    warn!(chain, block = number, level = level.as_str(), reason, "invalid block");
                    metrics::record_invalid_block(*chain, level.as_str());
                }
                SafetyEvent::Demoted { chain, from, to } => {
                    warn!(chain, from, to = ?to, level = level.as_str(), "head demoted");
                }
                SafetyEvent::Promoted { chain, number } => {
                    debug!(chain, block = number, level = level.as_str(), "head promoted");
                }
            }
        }
        // Heads are read and saved under one read lock: a rewind (which takes the write lock) cannot slip in
        // between and leave the saved heads above the rewound store.
        let state = self.read();
        for chain in self.chains() {
            if let Some(heads) = state.heads(chain) {
                metrics::record_heads(chain, &heads);
                self.store(chain)?.save_heads(&heads)?;
            }
        }
        observe::publish(&self.inner.events, || VerifierEvent::Heads {
            events: events.into(),
            heads: self.chains().into_iter().filter_map(|c| state.heads(c).map(|h| (c, h))).collect(),
        });
        Ok(())
    }

    /// Every ingested block, rewind and head change from now on (see [`VerifierEvent`]).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<VerifierEvent> {
        self.inner.events.subscribe()
    }

    /// Makes every store durable.
    pub fn flush(&self) -> Result<(), VerifierError> {
        for (_, store) in self.inner.stores.iter() {
            store.flush()?;
        }
        Ok(())
    }

    /// Checks an access list against the index, without touching the network. A verifier that tracks
    /// readiness and has not caught up refuses with [`CheckError::NotReady`] before looking at the entries.
    pub fn check_access_list_now(
        &self,
        entries: &[B256],
        min_safety: SafetyLevel,
        descriptor: ExecutingDescriptor,
    ) -> Result<(), CheckError> {
        let result = match self.readiness() {
            Ok(()) => check_access_list(&self.read(), entries, min_safety, descriptor),
            Err(not_ready) => Err(CheckError::NotReady(not_ready.to_string())),
        };
        metrics::record_check(match &result {
            Ok(()) => "valid",
            Err(CheckError::FutureBlock { .. } | CheckError::BelowSafety { .. }) => "not_yet",
            Err(CheckError::NotReady(_)) => "not_ready",
            Err(_) => "rejected",
        });
        result
    }

    fn sync(&self) -> MutexGuard<'_, SyncTracker> {
        self.inner.sync.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes this verifier track whether it has caught up with its chains ([`ReadinessPolicy`]): until it
    /// has, by `policy`, access-list checks are refused with [`CheckError::NotReady`] and
    /// [`Verifier::readiness`] says why. Without this call (an embedded verifier fed in process) it is always
    /// ready.
    pub fn require_readiness(&self, policy: ReadinessPolicy) {
        self.sync().require(policy);
    }

    /// Records that `chain`'s node reported `head` as its latest block (the followers call this after every
    /// head poll).
    pub fn note_head(&self, chain: ChainId, head: u64) {
        let indexed = self.latest(chain).map(|b| b.number);
        self.sync().note_head(chain, head, indexed, Instant::now());
    }

    /// Records that `chain`'s index grew (the followers call this after every round of indexing).
    pub fn note_indexed(&self, chain: ChainId) {
        let indexed = self.latest(chain).map(|b| b.number);
        self.sync().note_indexed(chain, indexed);
    }

    /// Every chain with its latest indexed block, read under one state lock.
    fn indexed_heads(&self) -> Vec<(ChainId, Option<u64>)> {
        let state = self.read();
        self.chains().into_iter().map(|c| (c, state.latest(c).map(|b| b.number))).collect()
    }

    /// `Ok` when the verifier has caught up with every chain (always, unless [`Verifier::require_readiness`]
    /// was called), else the first chain that holds it back.
    pub fn readiness(&self) -> Result<(), NotReady> {
        let indexed = self.indexed_heads();
        self.sync().check(&indexed, Instant::now())
    }

    /// Whether the verifier has caught up, why not, and every chain's progress (`superlink_ready`).
    pub fn readiness_report(&self) -> ReadinessReport {
        let indexed = self.indexed_heads();
        self.sync().report(&indexed, Instant::now())
    }
}

/// Runs `work` (store writes and fsyncs) on the blocking thread pool. A panic in `work` is passed on.
async fn blocking<T: Send + 'static>(
    context: String,
    work: impl FnOnce() -> Result<T, VerifierError> + Send + 'static,
) -> Result<T, VerifierError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => {
            Err(StoreError::Database { context, reason: format!("the blocking task did not run: {e}") }
                .into())
        }
    }
}

impl MessageChecker for Verifier {
    fn check_access_list(
        &self,
        entries: &[B256],
        min_safety: SafetyLevel,
        descriptor: ExecutingDescriptor,
    ) -> impl Future<Output = Result<(), CheckError>> + Send {
        let result = self.check_access_list_now(entries, min_safety, descriptor);
        std::future::ready(result)
    }
}
