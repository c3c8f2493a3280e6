//! The cross-safety engine: advances one cross level (cross-unsafe or cross-safe) of every chain, block by
//! block, over pure lookups.
//!
//! A chain's next block is promoted only when every executing message in it is valid and its source block is
//! already at the cross level, or has the same timestamp and is resolved together with it. Same-timestamp
//! dependencies are collected transitively into a group of blocks; the group is checked as a graph of logs
//! (an edge from each log to the next log of its block, and from each initiating log to the executing log
//! consuming it). A cycle invalidates the blocks on it; an acyclic group is promoted as a whole. An invalid block
//! stops its chain's level until a rewind replaces it.
//!
//! Only a block that itself breaks a rule (a message that fails the validity rules, or a log on a cycle) is
//! invalid. A block that depends on an invalid block waits: the invalid block is replaced by a deposits-only
//! block at the same height, and whether the dependent's message survives the replacement (a deposit's log at
//! the same index does) is decided on the replacement, as consolidation does (`specs/interop/fault-proof.md`).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use superlink_protocol::DependencySet;

use crate::{
    chain_data::ChainId,
    message_rules::{MessageVerdict, SourcePointer, judge_message},
    view::{ChainLookup, ExecRef, IndexedBlock},
};

/// Why a chain's level does not advance past its cross head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    /// The next block waits for data or for a dependency to reach the level.
    Waiting {
        /// The next block.
        number: u64,
        /// What it waits for.
        reason: String,
    },
    /// The next block is invalid at this level and will never be promoted.
    Invalid {
        /// The invalid block.
        number: u64,
        /// Why.
        reason: String,
    },
}

/// One chain's progress at one cross level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelState {
    /// The highest block that may be promoted (the local-unsafe or local-safe head), if any.
    pub local: Option<u64>,
    /// The cross head at this level, if any block reached it.
    pub cross: Option<u64>,
    /// Why the level stopped, after the last [`advance`].
    pub blocked: Option<Blocked>,
}

impl LevelState {
    /// The block number at or below which a block is invalid at this level, if the chain is stopped by one.
    pub fn invalid_from(&self) -> Option<u64> {
        match &self.blocked {
            Some(Blocked::Invalid { number, .. }) => Some(*number),
            _ => None,
        }
    }
}

/// A change of a cross level reported by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafetyEvent {
    /// A chain's cross head moved forward to `number`.
    Promoted {
        /// The chain.
        chain: ChainId,
        /// The new cross head.
        number: u64,
    },
    /// A block was found invalid at this level.
    Invalid {
        /// The chain.
        chain: ChainId,
        /// The invalid block.
        number: u64,
        /// Why.
        reason: String,
    },
    /// A chain's cross head moved back because blocks it depended on were removed.
    Demoted {
        /// The chain.
        chain: ChainId,
        /// The previous cross head.
        from: u64,
        /// The new cross head (`None`: no block is at this level any more).
        to: Option<u64>,
    },
}

/// A log: chain, block number, log index.
type LogPosition = (ChainId, u64, u32);

/// An edge of the log graph from an initiating log to the executing log consuming it.
type MessageEdge = (LogPosition, LogPosition);

/// The outcome of trying to promote one block.
enum Attempt {
    /// These blocks (the candidate and its same-timestamp group) are valid: promote them.
    Promote(Vec<(ChainId, u64)>),
    Wait(String),
    Invalid(String),
}

/// The next block a chain would promote at a level, if it is within the local head.
fn candidate(lookup: &impl ChainLookup, chain: ChainId, state: &LevelState) -> Option<u64> {
    let (first, last) = lookup.range(chain)?;
    let next = match state.cross {
        Some(head) => head.checked_add(1)?,
        None => first,
    };
    let local = state.local?.min(last);
    (next <= local && next >= first).then_some(next)
}

/// Advances every chain's cross head at one level as far as the index allows, and reports what changed.
/// `states` holds every chain of the dependency set; its `blocked` fields are recomputed.
pub fn advance(
    lookup: &impl ChainLookup,
    rules: &DependencySet,
    states: &mut BTreeMap<ChainId, LevelState>,
) -> Vec<SafetyEvent> {
    advance_with(lookup, rules, states, &mut JudgedBlocks::default())
}

/// The messages found valid at their sources, per block, kept between two [`advance_with`] calls of one level.
/// A block that waits (for its sources to reach the level, or to be indexed) is attempted again after every
/// change of the index; with many chains and thousands of messages per block, judging every message again each
/// time (a hash per message) costs chains x messages per change, and a verifier that fell behind never caught
/// up. A remembered verdict is used only for the same block (number and hash) while every source block it was
/// read from is unchanged (same hash), so it is exactly what judging again would give: a found message's verdict
/// depends only on its executing block, the dependency set and the source block. Messages not found yet
/// (unknown or invalid) are judged again every time.
#[derive(Debug, Clone, Default)]
pub(crate) struct JudgedBlocks {
    blocks: HashMap<(ChainId, u64), JudgedBlock>,
}

#[derive(Debug, Clone)]
struct JudgedBlock {
    hash: alloy_primitives::B256,
    /// The source of every executing message found valid, in the block's order (`None`: judge it again).
    sources: Vec<Option<SourcePointer>>,
    /// The hash of every source block the found verdicts were read from.
    source_hashes: Vec<((ChainId, u64), alloy_primitives::B256)>,
}

impl JudgedBlocks {
    /// Takes the remembered verdicts of `block`'s messages (every one unknown when nothing valid is remembered).
    fn take(&mut self, lookup: &impl ChainLookup, chain: ChainId, block: &IndexedBlock) -> JudgedBlock {
        let fresh = || JudgedBlock {
            hash: block.block.hash,
            sources: vec![None; block.executing.len()],
            source_hashes: Vec::new(),
        };
        match self.blocks.remove(&(chain, block.block.number)) {
            Some(judged)
                if judged.hash == block.block.hash
                    && judged.sources.len() == block.executing.len()
                    && judged
                        .source_hashes
                        .iter()
                        .all(|&((c, n), hash)| lookup.block(c, n).is_some_and(|b| b.block.hash == hash)) =>
            {
                judged
            }
            _ => fresh(),
        }
    }

    /// Remembers the verdicts of `block`; `grew` says whether messages were found since [`Self::take`].
    fn put(
        &mut self,
        lookup: &impl ChainLookup,
        chain: ChainId,
        number: u64,
        mut judged: JudgedBlock,
        grew: bool,
    ) {
        if grew {
            let mut hashes: BTreeMap<(ChainId, u64), alloy_primitives::B256> = BTreeMap::new();
            for source in judged.sources.iter().flatten() {
                let key = (source.chain, source.number);
                if hashes.contains_key(&key) {
                    continue;
                }
                let Some(found) = lookup.block(source.chain, source.number) else { return };
                hashes.insert(key, found.block.hash);
            }
            judged.source_hashes = hashes.into_iter().collect();
        }
        self.blocks.insert((chain, number), judged);
    }

    /// Forgets the blocks at or below each chain's cross head (they are not attempted again at this level).
    fn forget_promoted(&mut self, states: &BTreeMap<ChainId, LevelState>) {
        self.blocks.retain(|(chain, number), _| {
            states.get(chain).and_then(|s| s.cross).is_none_or(|head| *number > head)
        });
    }
}

/// [`advance`], remembering between calls the verdicts of blocks that wait for their sources ([`JudgedBlocks`]).
pub(crate) fn advance_with(
    lookup: &impl ChainLookup,
    rules: &DependencySet,
    states: &mut BTreeMap<ChainId, LevelState>,
    judged: &mut JudgedBlocks,
) -> Vec<SafetyEvent> {
    let events = advance_inner(lookup, rules, states, judged);
    judged.forget_promoted(states);
    events
}

fn advance_inner(
    lookup: &impl ChainLookup,
    rules: &DependencySet,
    states: &mut BTreeMap<ChainId, LevelState>,
    judged: &mut JudgedBlocks,
) -> Vec<SafetyEvent> {
    let mut events = Vec::new();
    let mut reported: BTreeSet<(ChainId, u64)> =
        states.iter().filter_map(|(c, s)| s.invalid_from().map(|n| (*c, n))).collect();
    let chains: Vec<ChainId> = states.keys().copied().collect();
    loop {
        let mut changed = false;
        for &chain in &chains {
            while let Some(state) = states.get(&chain) {
                let Some(next) = candidate(lookup, chain, state) else {
                    if let Some(s) = states.get_mut(&chain) {
                        s.blocked = None;
                    }
                    break;
                };
                match attempt(lookup, rules, states, judged, chain, next) {
                    Attempt::Promote(group) => {
                        for (c, n) in group {
                            if let Some(s) = states.get_mut(&c)
                                && s.cross.is_none_or(|h| h < n)
                            {
                                s.cross = Some(n);
                                s.blocked = None;
                                events.push(SafetyEvent::Promoted { chain: c, number: n });
                            }
                        }
                        changed = true;
                    }
                    Attempt::Wait(reason) => {
                        let blocked = Blocked::Waiting { number: next, reason };
                        if let Some(s) = states.get_mut(&chain)
                            && s.blocked.as_ref() != Some(&blocked)
                        {
                            s.blocked = Some(blocked);
                        }
                        break;
                    }
                    Attempt::Invalid(reason) => {
                        if reported.insert((chain, next)) {
                            events.push(SafetyEvent::Invalid { chain, number: next, reason: reason.clone() });
                            changed = true;
                        }
                        if let Some(s) = states.get_mut(&chain) {
                            s.blocked = Some(Blocked::Invalid { number: next, reason });
                        }
                        break;
                    }
                }
            }
        }
        if !changed {
            return events;
        }
    }
}

/// Tries to promote block `number` of `chain` together with its same-timestamp group.
fn attempt(
    lookup: &impl ChainLookup,
    rules: &DependencySet,
    states: &BTreeMap<ChainId, LevelState>,
    judged: &mut JudgedBlocks,
    chain: ChainId,
    number: u64,
) -> Attempt {
    let Some(start) = lookup.block(chain, number) else {
        return Attempt::Wait(format!("chain {chain} block {number} is not indexed"));
    };
    let timestamp = start.block.timestamp;
    // The group: blocks of this timestamp that the candidate depends on, transitively, not yet at the level.
    let mut group: BTreeSet<(ChainId, u64)> = BTreeSet::from([(chain, number)]);
    let mut queue: VecDeque<(ChainId, u64)> = VecDeque::from([(chain, number)]);
    // Edges of the log graph between blocks of the group: (source log) -> (executing log).
    let mut message_edges: Vec<MessageEdge> = Vec::new();
    while let Some((c, n)) = queue.pop_front() {
        let Some(block) = lookup.block(c, n) else {
            return Attempt::Wait(format!("chain {c} block {n} is not indexed"));
        };
        // A rule broken by the candidate itself makes it invalid; one broken by another block of the group
        // makes the candidate wait for that block's replacement.
        let broken = |reason: String| {
            if (c, n) == (chain, number) {
                Attempt::Invalid(reason)
            } else {
                Attempt::Wait(format!(
                    "depends on chain {c} block {n}, which is invalid ({reason}): waiting for its replacement"
                ))
            }
        };
        let mut remembered = judged.take(lookup, c, block);
        let mut grew = false;
        let mut parent_timestamp = None;
        let mut verdicts: Vec<(&ExecRef, MessageVerdict)> = Vec::with_capacity(block.executing.len());
        for (exec, known) in block.executing.iter().zip(remembered.sources.iter_mut()) {
            let verdict = match known {
                Some(source) => MessageVerdict::Found(*source),
                None => {
                    let parent = *parent_timestamp.get_or_insert_with(|| {
                        n.checked_sub(1).and_then(|p| lookup.block(c, p)).map(|p| p.block.timestamp)
                    });
                    let verdict = judge_message(lookup, rules, c, block.block.timestamp, parent, exec);
                    if let MessageVerdict::Found(source) = &verdict {
                        *known = Some(*source);
                        grew = true;
                    }
                    verdict
                }
            };
            verdicts.push((exec, verdict));
        }
        judged.put(lookup, c, n, remembered, grew);
        // Every message is judged before any wait: a block that breaks a rule is invalid whatever else it waits for.
        if let Some((exec, MessageVerdict::Invalid(reason))) =
            verdicts.iter().find(|(_, v)| matches!(v, MessageVerdict::Invalid(_)))
        {
            // A verdict read from a source block this level does not hold yet (an unsafe block, at the safe
            // level) is not final: that block may still be reorged or replaced. Wait until the source chain's
            // local head at this level reaches it.
            let id = &exec.exec.identifier;
            if let (Ok(source_chain), Ok(source_number)) =
                (u64::try_from(id.chain_id), u64::try_from(id.block_number))
                && let Some(source_state) = states.get(&source_chain)
                && source_state.local.is_none_or(|local| local < source_number)
                && lookup.block(source_chain, source_number).is_some()
            {
                return Attempt::Wait(format!(
                    "log {} of chain {c} block {n} would be invalid ({reason}), but chain {source_chain} block \
                     {source_number} is not yet at this level: waiting for it",
                    exec.log_index
                ));
            }
            return broken(format!("log {}: {reason}", exec.log_index));
        }
        for (exec, verdict) in verdicts {
            let source = match verdict {
                MessageVerdict::Found(source) => source,
                MessageVerdict::Invalid(_) => continue,
                MessageVerdict::Unknown(reason) => return Attempt::Wait(reason),
            };
            let Some(source_state) = states.get(&source.chain) else {
                return broken(format!("chain {} is not followed", source.chain));
            };
            if source_state.cross.is_some_and(|h| h >= source.number) {
                continue;
            }
            // Same timestamp: the source block must be its chain's next candidate, resolved in this group (an
            // invalid one too: whether the candidate itself lies on a cycle through it is decided below).
            let same_timestamp_next = source.timestamp == timestamp
                && candidate(lookup, source.chain, source_state) == Some(source.number);
            if !same_timestamp_next {
                if let Some(bad) = source_state.invalid_from()
                    && bad <= source.number
                {
                    return Attempt::Wait(format!(
                        "log {} of chain {c} block {n} executes a log of chain {} block {}, at or after invalid \
                         block {bad}: waiting for its replacement",
                        exec.log_index, source.chain, source.number
                    ));
                }
                return Attempt::Wait(format!(
                    "chain {} block {} is not yet at this level",
                    source.chain, source.number
                ));
            }
            message_edges.push(((source.chain, source.number, source.log_index), (c, n, exec.log_index)));
            if group.insert((source.chain, source.number)) {
                queue.push_back((source.chain, source.number));
            }
        }
    }
    if group.len() == 1 && message_edges.is_empty() {
        return Attempt::Promote(vec![(chain, number)]);
    }
    match blocks_on_cycles(lookup, &group, &message_edges) {
        None => Attempt::Promote(group.into_iter().collect()),
        Some(cyclic) => {
            let on_cycle: Vec<String> = cyclic.iter().map(|(c, n)| format!("chain {c} block {n}")).collect();
            let through = on_cycle.join(", ");
            if cyclic.contains(&(chain, number)) {
                Attempt::Invalid(format!("same-timestamp messages form a cycle through {through}"))
            } else {
                Attempt::Wait(format!(
                    "depends on a same-timestamp cycle through {through}: waiting for the replacement of its blocks"
                ))
            }
        }
    }
}

/// Checks the log graph of a same-timestamp group for cycles. Returns `None` when it is acyclic, otherwise the
/// blocks holding a log that lies on a cycle (a log merely reached from a cycle does not count: its block
/// depends on invalid blocks and waits for their replacement).
fn blocks_on_cycles(
    lookup: &impl ChainLookup,
    group: &BTreeSet<(ChainId, u64)>,
    message_edges: &[MessageEdge],
) -> Option<BTreeSet<(ChainId, u64)>> {
    // Nodes: every log of every block of the group, numbered consecutively per block.
    let mut base: HashMap<(ChainId, u64), (usize, usize)> = HashMap::new();
    let mut owner: Vec<(ChainId, u64)> = Vec::new();
    for &(c, n) in group {
        let len = lookup.block(c, n).map_or(0, |b| b.log_hashes.len());
        base.insert((c, n), (owner.len(), len));
        owner.extend(std::iter::repeat_n((c, n), len));
    }
    let total = owner.len();
    let node = |(c, n, i): LogPosition| -> Option<usize> {
        let (start, len) = *base.get(&(c, n))?;
        ((i as usize) < len).then_some(start + i as usize)
    };
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); total];
    for &(start, len) in base.values() {
        for i in 1..len {
            out[start + i - 1].push(start + i);
        }
    }
    for &(from, to) in message_edges {
        if let (Some(f), Some(t)) = (node(from), node(to)) {
            out[f].push(t);
        }
    }
    // Kahn's algorithm settles the common case: every node ordered means no cycle.
    let mut indegree = vec![0usize; total];
    for targets in &out {
        for &t in targets {
            indegree[t] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..total).filter(|&v| indegree[v] == 0).collect();
    let mut ordered = 0usize;
    while let Some(v) = ready.pop() {
        ordered += 1;
        for &w in &out[v] {
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    if ordered == total {
        return None;
    }
    let on_cycle = nodes_on_cycles(&out);
    Some((0..total).filter(|&v| on_cycle[v]).map(|v| owner[v]).collect())
}

/// Which nodes of a directed graph lie on a cycle: the members of strongly connected components with more than
/// one node, or with an edge to themselves (Kosaraju's two passes, iterative).
fn nodes_on_cycles(out: &[Vec<usize>]) -> Vec<bool> {
    let total = out.len();
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); total];
    for (v, targets) in out.iter().enumerate() {
        for &w in targets {
            incoming[w].push(v);
        }
    }
    // First pass: nodes in order of finishing on the forward graph.
    let mut finished = Vec::with_capacity(total);
    let mut seen = vec![false; total];
    for root in 0..total {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some((v, next)) = stack.last_mut() {
            if let Some(&w) = out[*v].get(*next) {
                *next += 1;
                if !seen[w] {
                    seen[w] = true;
                    stack.push((w, 0));
                }
            } else {
                finished.push(*v);
                stack.pop();
            }
        }
    }
    // Second pass: components on the reversed graph, latest finisher first.
    let mut component = vec![usize::MAX; total];
    let mut sizes = Vec::new();
    for &root in finished.iter().rev() {
        if component[root] != usize::MAX {
            continue;
        }
        let id = sizes.len();
        let mut size = 0usize;
        component[root] = id;
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            size += 1;
            for &w in &incoming[v] {
                if component[w] == usize::MAX {
                    component[w] = id;
                    stack.push(w);
                }
            }
        }
        sizes.push(size);
    }
    (0..total).map(|v| sizes[component[v]] > 1 || out[v].contains(&v)).collect()
}

/// Moves back every cross head that includes block `first_removed` of `chain` or a later one, or a block that
/// depends on one, transitively; the chain's local head is capped below `first_removed` too. Used when those
/// blocks leave the index (a reorg) and when they leave the level's local range (a lowered safe label). No
/// block at or before the timestamp of block `first_removed - 1` can depend on a removed block, which bounds
/// the scan.
pub fn demote_from(
    lookup: &impl ChainLookup,
    states: &mut BTreeMap<ChainId, LevelState>,
    chain: ChainId,
    first_removed: u64,
) -> Vec<SafetyEvent> {
    let kept_timestamp =
        first_removed.checked_sub(1).and_then(|k| lookup.block(chain, k)).map_or(0, |b| b.block.timestamp);
    let mut events = Vec::new();
    // Removed ranges: chain -> first removed block number.
    let mut removed: BTreeMap<ChainId, u64> = BTreeMap::new();
    removed.insert(chain, first_removed);
    let mut queue = VecDeque::from([chain]);
    if let Some(s) = states.get_mut(&chain) {
        s.blocked = None;
        if let Some(head) = s.cross.filter(|h| *h >= first_removed) {
            s.cross = first_removed.checked_sub(1);
            events.push(SafetyEvent::Demoted { chain, from: head, to: s.cross });
        }
        if s.local.is_some_and(|l| l >= first_removed) {
            s.local = first_removed.checked_sub(1);
        }
    }
    while let Some(changed) = queue.pop_front() {
        let Some(&cut) = removed.get(&changed) else { continue };
        let ids: Vec<ChainId> = states.keys().copied().collect();
        for other in ids {
            let Some(state) = states.get(&other) else { continue };
            let Some(head) = state.cross else { continue };
            // Scan the cross blocks of `other` newer than the kept timestamp for a reference into the cut.
            let mut lowest_bad: Option<u64> = None;
            let mut n = head;
            while let Some(block) = lookup.block(other, n) {
                let depends = block.executing.iter().any(|e| {
                    let id = &e.exec.identifier;
                    u64::try_from(id.chain_id).is_ok_and(|c| c == changed)
                        && u64::try_from(id.block_number).is_ok_and(|b| b >= cut)
                });
                if depends {
                    lowest_bad = Some(n);
                }
                if block.block.timestamp <= kept_timestamp || n == 0 {
                    break;
                }
                n -= 1;
            }
            if let Some(bad) = lowest_bad {
                if let Some(s) = states.get_mut(&other) {
                    s.cross = bad.checked_sub(1);
                    s.blocked = None;
                    events.push(SafetyEvent::Demoted { chain: other, from: head, to: s.cross });
                }
                let entry = removed.entry(other).or_insert(bad);
                if *entry >= bad {
                    *entry = bad;
                }
                queue.push_back(other);
            }
        }
    }
    for s in states.values_mut() {
        s.blocked = None;
    }
    events
}

#[cfg(test)]
#[path = "safety_tests.rs"]
mod tests;
