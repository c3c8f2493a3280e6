//! The verifier's whole state, pure: every chain's indexed blocks, local heads and cross levels. The service
//! mutates it under a lock as blocks and tags arrive, and reads it to answer queries.

use std::collections::BTreeMap;

use alloy_primitives::U256;
use superlink_protocol::{DependencySet, SafetyLevel};

use crate::{
    chain_data::{BlockId, BlockRef, ChainId},
    derivation::{DerivationError, DerivedFrom},
    error::{QueryError, VerifierError},
    safety::{JudgedBlocks, LevelState, SafetyEvent, advance_with, demote_from},
    view::{ChainLookup, IndexView, IndexedBlock, NotContiguous},
};

/// How long, beyond the message expiry window, blocks stay in memory after every head has passed them.
pub const PRUNE_MARGIN_SECS: u64 = 3_600;

/// A change of a chain's heads, tagged with the level it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadEvent {
    /// `CrossUnsafe`, `Safe` or `Finalized`.
    pub level: SafetyLevel,
    /// What happened.
    pub event: SafetyEvent,
}

/// Every head of one chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChainHeads {
    /// The latest indexed block.
    pub local_unsafe: Option<BlockRef>,
    /// The cross-unsafe head.
    pub cross_unsafe: Option<BlockRef>,
    /// The local-safe head (the node's `safe` tag, within the index).
    pub local_safe: Option<BlockRef>,
    /// The cross-safe head.
    pub cross_safe: Option<BlockRef>,
    /// The finalized head: cross-safe, locally finalized, and every block it depends on finalized too.
    pub finalized: Option<BlockRef>,
}

/// A block found invalid at a level, as reported over RPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidBlock {
    /// The chain.
    pub chain: ChainId,
    /// The block.
    pub block: BlockRef,
    /// The level at which it is invalid (`cross-unsafe` or `safe`).
    pub level: SafetyLevel,
    /// Why.
    pub reason: String,
}

/// The verifier's state: the dependency set, the index view and every chain's heads.
#[derive(Debug, Clone)]
pub struct VerifierState {
    dependencies: DependencySet,
    view: IndexView,
    cross_unsafe: BTreeMap<ChainId, LevelState>,
    cross_safe: BTreeMap<ChainId, LevelState>,
    local_finalized: BTreeMap<ChainId, Option<u64>>,
    /// The finalized level: its local head is the lower of the cross-safe head and the chain's own finality,
    /// and the engine promotes a block only once everything it depends on is finalized.
    finalized: BTreeMap<ChainId, LevelState>,
    /// Per chain, the L1 blocks its local-safe blocks were derived from (empty when only the node's `safe` tag
    /// is known).
    derivation: BTreeMap<ChainId, DerivedFrom>,
    /// Per chain, for each cross-safe block whose derivation is known, the L1 block from which it is
    /// cross-safe: the latest of its own source, its parent's and those of the blocks it executes messages of.
    cross_sources: BTreeMap<ChainId, BTreeMap<u64, BlockRef>>,
    /// The finalized L1 block, when derivation data is known.
    finalized_l1: Option<BlockRef>,
    /// How long, beyond the expiry window, blocks stay in memory after every head passed them (see
    /// [`PRUNE_MARGIN_SECS`]).
    prune_margin: u64,
    /// How many seconds of blocks below the heads stay in memory when older blocks can be read from the durable
    /// index (see [`Self::set_memory_window`]); `None`: the whole expiry window and margin.
    memory_window: Option<u64>,
    /// Per level (cross-unsafe, cross-safe, finalized), the verdicts of blocks waiting for their sources.
    judged: [JudgedBlocks; 3],
}

/// The chain IDs of a dependency set as the verifier keys them.
pub fn chain_ids(dependencies: &DependencySet) -> Result<Vec<ChainId>, VerifierError> {
    dependencies
        .chain_ids()
        .into_iter()
        .map(|id| {
            u64::try_from(id)
                .map_err(|_| VerifierError::Config(format!("chain ID {id} does not fit in 64 bits")))
        })
        .collect()
}

impl VerifierState {
    /// An empty state for the chains of `dependencies`.
    pub fn new(dependencies: DependencySet) -> Result<Self, VerifierError> {
        let chains = chain_ids(&dependencies)?;
        if chains.is_empty() {
            return Err(VerifierError::Config("the dependency set has no chain".into()));
        }
        let levels: BTreeMap<ChainId, LevelState> =
            chains.iter().map(|c| (*c, LevelState::default())).collect();
        Ok(Self {
            view: IndexView::new(chains.iter().copied()),
            cross_unsafe: levels.clone(),
            cross_safe: levels.clone(),
            local_finalized: chains.iter().map(|c| (*c, None)).collect(),
            finalized: levels,
            derivation: chains.iter().map(|c| (*c, DerivedFrom::default())).collect(),
            cross_sources: chains.iter().map(|c| (*c, BTreeMap::new())).collect(),
            finalized_l1: None,
            prune_margin: PRUNE_MARGIN_SECS,
            memory_window: None,
            judged: Default::default(),
            dependencies,
        })
    }

    /// Sets how long, beyond the message expiry window, blocks stay in memory after every head has passed them
    /// (default [`PRUNE_MARGIN_SECS`]). Memory holds every log of `window + margin` seconds of every chain, so
    /// with a shortened expiry window (a devnet, a benchmark that shows memory is bounded in minutes) an
    /// hour's margin would dominate it; no check or resolution reads a block older than the window.
    pub fn set_prune_margin(&mut self, secs: u64) {
        self.prune_margin = secs;
    }

    /// Answers lookups of blocks that left memory from `older` (the durable index); needed for a memory
    /// window shorter than the expiry window.
    pub fn set_older_blocks(&mut self, older: std::sync::Arc<dyn crate::view::OlderBlocks>) {
        self.view.set_older_blocks(older);
    }

    /// Keeps in memory only `secs` seconds of blocks below the heads (at least as far back as the oldest head
    /// of any chain), instead of the whole expiry window and margin: a message initiated before is looked up in
    /// the durable index. Memory then holds `secs x chains x block size` whatever the expiry window (7 days at
    /// 100,000 messages per second would be terabytes). Ignored (the whole window stays) while the view cannot
    /// read older blocks ([`Self::set_older_blocks`]); `None` restores the whole window.
    pub fn set_memory_window(&mut self, secs: Option<u64>) {
        self.memory_window = secs;
    }

    /// The seconds of blocks, before the oldest head of any chain, that pruning keeps in memory.
    pub fn memory_span(&self) -> u64 {
        let whole = self.dependencies.message_expiry_window().saturating_add(self.prune_margin);
        match self.memory_window {
            Some(window) if self.view.reads_older_blocks() => window.min(whole),
            _ => whole,
        }
    }

    /// The dependency set.
    pub fn dependencies(&self) -> &DependencySet {
        &self.dependencies
    }

    /// The indexed blocks.
    pub fn view(&self) -> &IndexView {
        &self.view
    }

    /// The chains, ascending.
    pub fn chains(&self) -> impl Iterator<Item = ChainId> + '_ {
        self.cross_unsafe.keys().copied()
    }

    /// Whether the chain is followed.
    pub fn knows(&self, chain: ChainId) -> bool {
        self.cross_unsafe.contains_key(&chain)
    }

    /// The chain's key for a chain ID given as a `U256`.
    pub fn chain_key(&self, chain: U256) -> Result<ChainId, QueryError> {
        u64::try_from(chain)
            .ok()
            .filter(|c| self.knows(*c))
            .ok_or_else(|| QueryError::UnknownChain(chain.to_string()))
    }

    /// Appends the next block of a chain to the view (local-unsafe moves with it, and local-safe when
    /// derivation already reached the block).
    pub fn append(&mut self, chain: ChainId, block: IndexedBlock) -> Result<(), NotContiguous> {
        let number = block.block.number;
        self.view.chain_mut(chain).push(block)?;
        if let Some(level) = self.cross_unsafe.get_mut(&chain) {
            level.local = Some(number);
        }
        if let Some(derived) = self.derivation.get(&chain).and_then(DerivedFrom::local_safe)
            && let Some(level) = self.cross_safe.get_mut(&chain)
        {
            level.local = level.local.max(Some(derived.min(number)));
        }
        Ok(())
    }

    /// The last L1 block a chain's derivation was recorded for.
    pub fn derivation_head(&self, chain: ChainId) -> Option<BlockRef> {
        self.derivation.get(&chain).and_then(DerivedFrom::latest_l1)
    }

    /// The L1 blocks a chain's derivation was recorded for at or below `l1_number`, newest first, at most
    /// `limit` of them.
    pub fn derivation_l1_blocks(&self, chain: ChainId, l1_number: u64, limit: usize) -> Vec<BlockRef> {
        self.derivation
            .get(&chain)
            .map(|d| d.l1_blocks_down_from(l1_number).take(limit).collect())
            .unwrap_or_default()
    }

    /// The latest indexed block of a chain.
    pub fn latest(&self, chain: ChainId) -> Option<BlockRef> {
        self.view.chain(chain)?.last().map(|b| b.block)
    }

    /// Drops a chain's blocks after `number` (a reorg) and demotes every cross head that depended on them.
    pub fn rewind(&mut self, chain: ChainId, number: u64) -> Vec<HeadEvent> {
        let kept_number = self.view.block(chain, number).map(|b| b.block.number);
        self.view.chain_mut(chain).truncate_after(number);
        let first_removed = kept_number.map_or(0, |k| k + 1);
        let mut events = Vec::new();
        for (level, states) in
            [(SafetyLevel::CrossUnsafe, &mut self.cross_unsafe), (SafetyLevel::Safe, &mut self.cross_safe)]
        {
            events.extend(
                demote_from(&self.view, states, chain, first_removed)
                    .into_iter()
                    .map(|event| HeadEvent { level, event }),
            );
        }
        if let Some(level) = self.cross_unsafe.get_mut(&chain) {
            level.local = kept_number;
        }
        if let Some(derivation) = self.derivation.get_mut(&chain) {
            derivation.rewind_l2(kept_number);
        }
        events.extend(self.cap_finalized());
        self.trim_cross_sources();
        events
    }

    /// Keeps the finalized level within the cross-safe level: a finalized head above its chain's cross-safe head
    /// (possible only if data the L1 finalized went away) comes down to it, and so does everything that depends
    /// on the blocks it lost.
    fn cap_finalized(&mut self) -> Vec<HeadEvent> {
        let mut events = Vec::new();
        let chains: Vec<ChainId> = self.finalized.keys().copied().collect();
        for chain in chains {
            let safe = self.cross_safe.get(&chain).and_then(|s| s.cross);
            let Some(finalized) = self.finalized.get(&chain).and_then(|f| f.cross) else { continue };
            if safe.is_none_or(|s| finalized > s) {
                let first_removed = safe.map_or(0, |s| s + 1);
                events.extend(
                    demote_from(&self.view, &mut self.finalized, chain, first_removed)
                        .into_iter()
                        .map(|event| HeadEvent { level: SafetyLevel::Finalized, event }),
                );
            }
        }
        events
    }

    /// Whether recording these tags of a chain (see [`Self::set_local_safe`] and [`Self::set_local_finalized`];
    /// `None` leaves a tag as it is) would change nothing. The followers read the tags at every poll; with many
    /// chains, resolving every level again for tags that did not move is most of the work.
    pub fn tags_unchanged(&self, chain: ChainId, safe: Option<u64>, finalized: Option<u64>) -> bool {
        let latest = self.latest(chain).map(|b| b.number);
        let safe_unchanged = safe.is_none_or(|n| {
            let local = latest.map(|l| n.min(l));
            self.cross_safe.get(&chain).is_some_and(|level| level.local == local)
        });
        let finalized_unchanged =
            finalized.is_none_or(|f| self.local_finalized.get(&chain).is_some_and(|known| *known == Some(f)));
        safe_unchanged && finalized_unchanged
    }

    /// Sets a chain's local-safe head (the node's `safe` tag), capped at the latest indexed block. A label that
    /// falls below the cross-safe head (an L1 reorg) takes cross-safe down with it, and with it every other
    /// chain's cross-safe and finalized blocks that depend, transitively, on the blocks that are no longer safe;
    /// the returned events say which heads moved.
    pub fn set_local_safe(&mut self, chain: ChainId, number: Option<u64>) -> Vec<HeadEvent> {
        let latest = self.latest(chain).map(|b| b.number);
        let local = match (number, latest) {
            (Some(n), Some(l)) => Some(n.min(l)),
            _ => None,
        };
        let Some(level) = self.cross_safe.get_mut(&chain) else { return Vec::new() };
        level.local = local;
        if level.cross.is_none_or(|cross| local.is_some_and(|l| cross <= l)) {
            return Vec::new();
        }
        let first_unsafe = local.map_or(0, |l| l + 1);
        let mut events: Vec<HeadEvent> = demote_from(&self.view, &mut self.cross_safe, chain, first_unsafe)
            .into_iter()
            .map(|event| HeadEvent { level: SafetyLevel::Safe, event })
            .collect();
        events.extend(self.cap_finalized());
        self.trim_cross_sources();
        events
    }

    /// Records that a chain's derivation processed L1 block `l1` and that its local-safe head was then
    /// `last_l2`: local-safe follows (see [`Self::set_local_safe`]), and the derived blocks learn their source.
    pub fn record_derived(
        &mut self,
        chain: ChainId,
        l1: BlockRef,
        last_l2: Option<u64>,
    ) -> Result<Vec<HeadEvent>, DerivationError> {
        let Some(derivation) = self.derivation.get_mut(&chain) else { return Ok(Vec::new()) };
        derivation.record(l1, last_l2)?;
        let local_safe = derivation.local_safe();
        self.refresh_local_finality(chain);
        Ok(self.set_local_safe(chain, local_safe))
    }

    /// An L1 reorg: every chain forgets what it derived from L1 blocks above `l1_number`, and local-safe (with
    /// cross-safe and everything resting on it) goes back to what was derived up to there.
    pub fn rewind_l1(&mut self, l1_number: u64) -> Vec<HeadEvent> {
        let chains: Vec<ChainId> = self.derivation.keys().copied().collect();
        let mut events = Vec::new();
        for chain in chains {
            let Some(derivation) = self.derivation.get_mut(&chain) else { continue };
            if derivation.latest_l1().is_none_or(|l1| l1.number <= l1_number) {
                continue;
            }
            derivation.rewind_l1(l1_number);
            let local_safe = derivation.local_safe();
            events.extend(self.set_local_safe(chain, local_safe));
        }
        if self.finalized_l1.is_some_and(|f| f.number > l1_number) {
            self.finalized_l1 = None;
        }
        events
    }

    /// Sets the finalized L1 block: each chain with derivation data is locally final up to what it derived from
    /// L1 blocks at or below it (the finalized level then also waits for every dependency).
    pub fn set_finalized_l1(&mut self, l1: BlockRef) {
        self.finalized_l1 = Some(l1);
        let chains: Vec<ChainId> = self.derivation.keys().copied().collect();
        for chain in chains {
            self.refresh_local_finality(chain);
        }
    }

    /// The finalized L1 block, when derivation data is known.
    pub fn finalized_l1(&self) -> Option<BlockRef> {
        self.finalized_l1
    }

    fn refresh_local_finality(&mut self, chain: ChainId) {
        let (Some(l1), Some(derivation)) = (self.finalized_l1, self.derivation.get(&chain)) else { return };
        if !derivation.is_empty() {
            let finalized = derivation.safe_at(l1.number);
            self.set_local_finalized(chain, finalized);
        }
    }

    /// The local-safe head of `chain` as derived up to L1 block `l1` (`None` when that L1 block is not among
    /// the chain's recorded ones, or nothing was derived by then), and whether `l1` is known: `Err(latest)` when
    /// the chain's derivation has not reached that L1 block yet.
    pub fn local_safe_derived_at(
        &self,
        chain: ChainId,
        l1: BlockId,
    ) -> Result<Option<BlockRef>, Option<BlockRef>> {
        let Some(derivation) = self.derivation.get(&chain) else { return Err(None) };
        let latest = derivation.latest_l1();
        if latest.is_none_or(|latest| latest.number < l1.number) {
            return Err(latest);
        }
        let recorded = derivation.l1_blocks_down_from(l1.number).next();
        if recorded.is_some_and(|r| r.number == l1.number && r.hash != l1.hash) {
            return Ok(None);
        }
        Ok(derivation.safe_at(l1.number).and_then(|number| self.block_ref(chain, Some(number))))
    }

    /// The L1 block a local-safe block was derived from, when derivation data is known.
    pub fn derived_from(&self, chain: ChainId, number: u64) -> Option<BlockRef> {
        let derivation = self.derivation.get(&chain)?;
        derivation.local_safe().filter(|safe| number <= *safe)?;
        derivation.source_of(number)
    }

    /// The L1 block from which a cross-safe block is cross-safe: the latest source among it, its parent and
    /// the blocks it executes messages of, transitively.
    pub fn cross_derived_from(&self, chain: ChainId, number: u64) -> Option<BlockRef> {
        self.cross_sources.get(&chain)?.get(&number).copied()
    }

    /// The last L1 block every chain's derivation has processed (`None` until each chain has processed one).
    pub fn l1_scope(&self) -> Option<BlockRef> {
        self.derivation.values().map(DerivedFrom::latest_l1).try_fold(None::<BlockRef>, |lowest, l1| {
            let l1 = l1?;
            Some(Some(match lowest {
                Some(low) if low.number <= l1.number => low,
                _ => l1,
            }))
        })?
    }

    /// Per chain, the last cross-safe block that is cross-safe from an L1 block at or below `l1_number`.
    pub fn all_safe_derived_at(&self, l1_number: u64) -> BTreeMap<ChainId, Option<BlockRef>> {
        self.chains()
            .map(|chain| {
                let last = self
                    .cross_sources
                    .get(&chain)
                    .and_then(|sources| sources.iter().rev().find(|(_, l1)| l1.number <= l1_number))
                    .and_then(|(number, _)| self.block_ref(chain, Some(*number)));
                (chain, last)
            })
            .collect()
    }

    /// Drops the cross sources of blocks above each chain's cross-safe head.
    fn trim_cross_sources(&mut self) {
        for (chain, sources) in &mut self.cross_sources {
            let head = self.cross_safe.get(chain).and_then(|s| s.cross);
            match head {
                Some(h) => {
                    sources.split_off(&(h + 1));
                }
                None => sources.clear(),
            }
        }
    }

    /// Learns the cross sources of newly cross-safe blocks. Blocks of a same-timestamp group may depend on each
    /// other, so the sources are taken to a fixed point (they only grow).
    fn learn_cross_sources(&mut self, promoted: &[(ChainId, u64)]) {
        let mut changed = true;
        let mut rounds = 0;
        while changed && rounds <= promoted.len() {
            changed = false;
            rounds += 1;
            for &(chain, number) in promoted {
                let Some(own) = self.derived_from(chain, number) else { continue };
                let mut latest = own;
                let mut consider = |candidate: Option<BlockRef>| {
                    if let Some(c) = candidate
                        && c.number > latest.number
                    {
                        latest = c;
                    }
                };
                consider(number.checked_sub(1).and_then(|p| self.cross_derived_from(chain, p)));
                if let Some(block) = self.view.block(chain, number) {
                    for exec in &block.executing {
                        let id = &exec.exec.identifier;
                        if let (Ok(source_chain), Ok(source_number)) =
                            (u64::try_from(id.chain_id), u64::try_from(id.block_number))
                        {
                            consider(self.cross_derived_from(source_chain, source_number));
                        }
                    }
                }
                let sources = self.cross_sources.entry(chain).or_default();
                if sources.get(&number) != Some(&latest) {
                    sources.insert(number, latest);
                    changed = true;
                }
            }
        }
    }

    /// Sets a chain's local finality (the node's `finalized` tag).
    pub fn set_local_finalized(&mut self, chain: ChainId, number: Option<u64>) {
        if let Some(f) = self.local_finalized.get_mut(&chain) {
            *f = number;
        }
    }

    /// Restores a finalized head read from the durable index (finality never moves back).
    pub fn restore_finalized(&mut self, chain: ChainId, number: Option<u64>) {
        if let Some(f) = self.finalized.get_mut(&chain) {
            f.cross = f.cross.max(number);
        }
    }

    /// Marks a chain's blocks up to `number` as already resolved at cross-unsafe and cross-safe, without
    /// checking them again. Used on reopening, where the blocks older than the memory window are not reloaded
    /// and those just above them sat below every stored head (never lowers a head).
    pub fn restore_resolved_through(&mut self, chain: ChainId, number: u64) {
        for states in [&mut self.cross_unsafe, &mut self.cross_safe] {
            if let Some(level) = states.get_mut(&chain) {
                level.cross = level.cross.max(Some(number));
            }
        }
    }

    /// Advances cross-unsafe, cross-safe and finalized as far as the index allows.
    pub fn resolve(&mut self) -> Vec<HeadEvent> {
        let mut events: Vec<HeadEvent> =
            advance_with(&self.view, &self.dependencies, &mut self.cross_unsafe, &mut self.judged[0])
                .into_iter()
                .map(|event| HeadEvent { level: SafetyLevel::CrossUnsafe, event })
                .collect();
        let safe_events =
            advance_with(&self.view, &self.dependencies, &mut self.cross_safe, &mut self.judged[1]);
        let promoted: Vec<(ChainId, u64)> = safe_events
            .iter()
            .filter_map(|e| match e {
                SafetyEvent::Promoted { chain, number } => Some((*chain, *number)),
                _ => None,
            })
            .collect();
        self.trim_cross_sources();
        self.learn_cross_sources(&promoted);
        events.extend(safe_events.into_iter().map(|event| HeadEvent { level: SafetyLevel::Safe, event }));
        for (chain, level) in &mut self.finalized {
            let safe = self.cross_safe.get(chain).and_then(|s| s.cross);
            level.local = match (safe, self.local_finalized.get(chain).copied().flatten()) {
                (Some(s), Some(f)) => Some(s.min(f)),
                _ => None,
            };
        }
        events.extend(
            advance_with(&self.view, &self.dependencies, &mut self.finalized, &mut self.judged[2])
                .into_iter()
                .map(|event| HeadEvent { level: SafetyLevel::Finalized, event }),
        );
        events
    }

    /// Drops from memory the blocks below every head of their chain (cross-unsafe, cross-safe and finalized)
    /// whose timestamp is more than [`Self::memory_span`] before the oldest of those heads across all chains:
    /// the expiry window plus the margin, so that no future resolution or current check needs them, or the
    /// shorter memory window, whose older blocks are then read from the durable index. Nothing is pruned while
    /// a chain lacks one of those heads. The durable index keeps every block. Returns how many were dropped.
    pub fn prune(&mut self) -> usize {
        let keep = self.memory_span();
        let mut floors = BTreeMap::new();
        let mut oldest = u64::MAX;
        for (chain, unsafe_level) in &self.cross_unsafe {
            let safe_level = self.cross_safe.get(chain);
            let finalized = self.finalized.get(chain).and_then(|f| f.cross);
            let (Some(cu), Some(cs), Some(f)) =
                (unsafe_level.cross, safe_level.and_then(|s| s.cross), finalized)
            else {
                return 0;
            };
            let floor = cu.min(cs).min(f);
            let Some(block) = self.view.block(*chain, floor) else { return 0 };
            oldest = oldest.min(block.block.timestamp);
            floors.insert(*chain, floor);
        }
        let Some(cutoff) = oldest.checked_sub(keep) else { return 0 };
        let pruned = floors
            .into_iter()
            .map(|(chain, floor)| {
                self.view
                    .chain_mut(chain)
                    .prune_front_while(|b| b.block.number < floor && b.block.timestamp < cutoff)
            })
            .sum();
        for chain in self.view.chain_ids().collect::<Vec<_>>() {
            let Some((first, _)) = self.view.range(chain) else { continue };
            if let Some(derivation) = self.derivation.get_mut(&chain) {
                derivation.prune_before(first);
            }
            if let Some(sources) = self.cross_sources.get_mut(&chain) {
                *sources = sources.split_off(&first);
            }
        }
        pruned
    }

    fn block_ref(&self, chain: ChainId, number: Option<u64>) -> Option<BlockRef> {
        number.and_then(|n| self.view.block(chain, n)).map(|b| b.block)
    }

    /// Every head of a chain.
    pub fn heads(&self, chain: ChainId) -> Option<ChainHeads> {
        let unsafe_level = self.cross_unsafe.get(&chain)?;
        let safe_level = self.cross_safe.get(&chain)?;
        Some(ChainHeads {
            local_unsafe: self.latest(chain),
            cross_unsafe: self.block_ref(chain, unsafe_level.cross.max(safe_level.cross)),
            local_safe: self.block_ref(chain, safe_level.local),
            cross_safe: self.block_ref(chain, safe_level.cross),
            finalized: self.block_ref(chain, self.finalized.get(&chain).and_then(|f| f.cross)),
        })
    }

    /// The level of block `number` of `chain`: the highest level it has reached, `Invalid` when it is (or
    /// descends from) a block found invalid at cross-unsafe, `None` when it is not indexed.
    pub fn block_safety(&self, chain: ChainId, number: u64) -> Option<SafetyLevel> {
        self.view.block(chain, number)?;
        let heads = self.heads(chain)?;
        let within = |head: Option<BlockRef>| head.is_some_and(|h| number <= h.number);
        Some(if within(heads.finalized) {
            SafetyLevel::Finalized
        } else if within(heads.cross_safe) {
            SafetyLevel::Safe
        } else if within(heads.local_safe) {
            SafetyLevel::LocalSafe
        } else if within(heads.cross_unsafe) {
            SafetyLevel::CrossUnsafe
        } else if self
            .cross_unsafe
            .get(&chain)
            .and_then(LevelState::invalid_from)
            .is_some_and(|i| number >= i)
        {
            SafetyLevel::Invalid
        } else {
            SafetyLevel::Unsafe
        })
    }

    /// Whether block `number` of `chain` satisfies a minimum safety (the block must be indexed).
    pub fn satisfies(&self, chain: ChainId, number: u64, min: SafetyLevel) -> bool {
        let Some(heads) = self.heads(chain) else { return false };
        let within = |head: Option<BlockRef>| head.is_some_and(|h| number <= h.number);
        match min {
            SafetyLevel::Invalid => false,
            SafetyLevel::Unsafe => within(heads.local_unsafe),
            SafetyLevel::CrossUnsafe => within(heads.cross_unsafe),
            SafetyLevel::LocalSafe => within(heads.local_safe),
            SafetyLevel::Safe => within(heads.cross_safe),
            SafetyLevel::Finalized => within(heads.finalized),
        }
    }

    /// The blocks currently found invalid, per chain and level.
    pub fn invalid_blocks(&self) -> Vec<InvalidBlock> {
        let mut out = Vec::new();
        for (level, states) in
            [(SafetyLevel::CrossUnsafe, &self.cross_unsafe), (SafetyLevel::Safe, &self.cross_safe)]
        {
            for (chain, state) in states {
                if let Some(crate::safety::Blocked::Invalid { number, reason }) = &state.blocked
                    && let Some(block) = self.block_ref(*chain, Some(*number))
                {
                    out.push(InvalidBlock { chain: *chain, block, level, reason: reason.clone() });
                }
            }
        }
        out
    }

    /// The last indexed block of `chain` with a timestamp at or before `timestamp`.
    pub fn block_at_timestamp(&self, chain: ChainId, timestamp: u64) -> Option<BlockRef> {
        let index = self.view.chain(chain)?;
        let (first, last) = index.range()?;
        // Timestamps strictly increase along a chain: binary search on block numbers.
        let (mut lo, mut hi) = (first, last);
        if index.get(first)?.block.timestamp > timestamp {
            return None;
        }
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if index.get(mid)?.block.timestamp <= timestamp {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        index.get(lo).map(|b| b.block)
    }

    /// The `{hash, number}` of a head, or the zero ID the supervisor API uses for "none yet".
    pub fn id_or_zero(block: Option<BlockRef>) -> BlockId {
        block.map(|b| b.id()).unwrap_or_default()
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
