//! The verifier's whole state, pure: every chain's indexed blocks, local heads and cross levels. The service
//! mutates it under a lock as blocks and tags arrive, and reads it to answer queries.

use std::collections::BTreeMap;

use alloy_primitives::U256;
use superlink_protocol::{DependencySet, SafetyLevel};

use crate::{
    chain_data::{BlockId, BlockRef, ChainId},
    error::{QueryError, VerifierError},
    index::{ChainLookup, IndexView, IndexedBlock, NotContiguous},
    safety::{LevelState, SafetyEvent, advance, demote_after_rewind},
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
    /// The finalized head: cross-safe and locally finalized.
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
    finalized: BTreeMap<ChainId, Option<u64>>,
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
            cross_safe: levels,
            local_finalized: chains.iter().map(|c| (*c, None)).collect(),
            finalized: chains.iter().map(|c| (*c, None)).collect(),
            dependencies,
        })
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

    /// Appends the next block of a chain to the view (local-unsafe moves with it).
    pub fn append(&mut self, chain: ChainId, block: IndexedBlock) -> Result<(), NotContiguous> {
        let number = block.block.number;
        self.view.chain_mut(chain).push(block)?;
        if let Some(level) = self.cross_unsafe.get_mut(&chain) {
            level.local = Some(number);
        }
        Ok(())
    }

    /// The latest indexed block of a chain.
    pub fn latest(&self, chain: ChainId) -> Option<BlockRef> {
        self.view.chain(chain)?.last().map(|b| b.block)
    }

    /// Drops a chain's blocks after `number` (a reorg) and demotes every cross head that depended on them.
    pub fn rewind(&mut self, chain: ChainId, number: u64) -> Vec<HeadEvent> {
        let kept = self.view.block(chain, number).map(|b| b.block);
        self.view.chain_mut(chain).truncate_after(number);
        let kept_number = kept.map(|b| b.number);
        let kept_timestamp = kept.map_or(0, |b| b.timestamp);
        let mut events = Vec::new();
        for (level, states) in
            [(SafetyLevel::CrossUnsafe, &mut self.cross_unsafe), (SafetyLevel::Safe, &mut self.cross_safe)]
        {
            events.extend(
                demote_after_rewind(&self.view, states, chain, kept_number, kept_timestamp)
                    .into_iter()
                    .map(|event| HeadEvent { level, event }),
            );
        }
        if let Some(level) = self.cross_unsafe.get_mut(&chain) {
            level.local = kept_number;
        }
        for (c, state) in &self.cross_safe {
            if let Some(f) = self.finalized.get_mut(c)
                && f.is_some_and(|f| state.cross.is_none_or(|h| f > h))
            {
                *f = state.cross;
            }
        }
        events
    }

    /// Sets a chain's local-safe head (the node's `safe` tag), capped at the latest indexed block.
    pub fn set_local_safe(&mut self, chain: ChainId, number: Option<u64>) {
        let latest = self.latest(chain).map(|b| b.number);
        if let Some(level) = self.cross_safe.get_mut(&chain) {
            level.local = match (number, latest) {
                (Some(n), Some(l)) => Some(n.min(l)),
                _ => None,
            };
            if let (Some(cross), Some(local)) = (level.cross, level.local)
                && cross > local
            {
                level.cross = Some(local);
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
            *f = (*f).max(number);
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
        let mut events: Vec<HeadEvent> = advance(&self.view, &self.dependencies, &mut self.cross_unsafe)
            .into_iter()
            .map(|event| HeadEvent { level: SafetyLevel::CrossUnsafe, event })
            .collect();
        events.extend(
            advance(&self.view, &self.dependencies, &mut self.cross_safe)
                .into_iter()
                .map(|event| HeadEvent { level: SafetyLevel::Safe, event }),
        );
        for (chain, state) in &self.cross_safe {
            let candidate = match (state.cross, self.local_finalized.get(chain).copied().flatten()) {
                (Some(c), Some(f)) => Some(c.min(f)),
                _ => None,
            };
            if let Some(f) = self.finalized.get_mut(chain)
                && candidate > *f
            {
                *f = candidate;
                if let Some(number) = candidate {
                    events.push(HeadEvent {
                        level: SafetyLevel::Finalized,
                        event: SafetyEvent::Promoted { chain: *chain, number },
                    });
                }
            }
        }
        events
    }

    /// Drops from memory the blocks no future resolution or current check can need: blocks below every head of
    /// their chain (cross-unsafe, cross-safe and finalized) whose timestamp is more than the expiry window (plus
    /// an hour) before the oldest of those heads across all chains. Nothing is pruned while a chain lacks one of
    /// those heads. The durable index keeps every block. Returns how many blocks were dropped.
    pub fn prune(&mut self) -> usize {
        let keep = self.dependencies.message_expiry_window().saturating_add(PRUNE_MARGIN_SECS);
        let mut floors = BTreeMap::new();
        let mut oldest = u64::MAX;
        for (chain, unsafe_level) in &self.cross_unsafe {
            let safe_level = self.cross_safe.get(chain);
            let finalized = self.finalized.get(chain).copied().flatten();
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
        floors
            .into_iter()
            .map(|(chain, floor)| {
                self.view
                    .chain_mut(chain)
                    .prune_front_while(|b| b.block.number < floor && b.block.timestamp < cutoff)
            })
            .sum()
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
            finalized: self.block_ref(chain, self.finalized.get(&chain).copied().flatten()),
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
