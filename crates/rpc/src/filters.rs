//! Installed polling filters (`eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`):
//! what each has accumulated since it was last polled, and the expiry of filters nobody polls.
//!
//! Pure bookkeeping: the caller passes chain events in and the current instant, so expiry is tested without
//! waiting.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use alloy_primitives::{B256, U256};
use alloy_rpc_types_eth::{Filter, Log};
use serde::Serialize;

use crate::{log_query::log_matches_criteria, types::RpcEvent};

/// The identifier of an installed filter (a hex quantity on the wire).
pub type FilterId = U256;

/// What a filter collects.
#[derive(Debug, Clone)]
pub enum FilterKind {
    /// Hashes of new canonical blocks.
    Blocks,
    /// Hashes of transactions entering the pool.
    PendingTransactions,
    /// Logs of new blocks matching the criteria (and removed logs, flagged `removed`).
    Logs(Box<Filter>),
}

/// What `eth_getFilterChanges` returns: hashes for block and pending-transaction filters, logs for log filters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FilterChanges {
    /// Block or transaction hashes.
    Hashes(Vec<B256>),
    /// Logs.
    Logs(Vec<Log>),
}

#[derive(Debug)]
struct InstalledFilter {
    kind: FilterKind,
    hashes: VecDeque<B256>,
    logs: VecDeque<Log>,
    last_polled: Instant,
}

/// The most filters one server keeps installed at once: each holds up to its buffer of unpolled items, so the
/// count bounds the memory filters take; idle ones are evicted before a new one is refused.
pub const MAX_FILTERS: usize = 1_024;

/// Every filter slot is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{max} filters are installed already; uninstall one (eth_uninstallFilter) or let an idle one expire")]
pub struct TooManyFilters {
    /// The most filters kept.
    pub max: usize,
}

/// All installed filters of one server.
#[derive(Debug)]
pub struct FilterRegistry {
    filters: HashMap<FilterId, InstalledFilter>,
    next_id: u64,
    idle_timeout: Duration,
    max_buffered: usize,
}

impl FilterRegistry {
    /// An empty registry; filters not polled for `idle_timeout` are dropped, and each keeps at most
    /// `max_buffered` unpolled items (the oldest are dropped first).
    pub fn new(idle_timeout: Duration, max_buffered: usize) -> Self {
        FilterRegistry {
            filters: HashMap::new(),
            next_id: 1,
            idle_timeout,
            max_buffered: max_buffered.max(1),
        }
    }

    /// Installs a filter; its ID, or a refusal when [`MAX_FILTERS`] are installed even after dropping idle ones.
    pub fn install(&mut self, kind: FilterKind, now: Instant) -> Result<FilterId, TooManyFilters> {
        if self.filters.len() >= MAX_FILTERS && self.evict_idle(now) == 0 {
            return Err(TooManyFilters { max: MAX_FILTERS });
        }
        let id = U256::from(self.next_id);
        self.next_id += 1;
        self.filters.insert(
            id,
            InstalledFilter { kind, hashes: VecDeque::new(), logs: VecDeque::new(), last_polled: now },
        );
        Ok(id)
    }

    /// Removes a filter; whether it existed.
    pub fn uninstall(&mut self, id: FilterId) -> bool {
        self.filters.remove(&id).is_some()
    }

    /// How many filters are installed.
    pub fn len(&self) -> usize {
        self.filters.len()
    }

    /// Whether no filter is installed.
    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// Hands a chain event to every filter that collects it.
    pub fn on_event(&mut self, event: &RpcEvent) {
        let max = self.max_buffered;
        for filter in self.filters.values_mut() {
            match (&filter.kind, event) {
                (FilterKind::Blocks, RpcEvent::NewBlock(block)) => {
                    push_bounded(&mut filter.hashes, block.header.hash, max);
                }
                (FilterKind::PendingTransactions, RpcEvent::PendingTransaction(hash)) => {
                    push_bounded(&mut filter.hashes, *hash, max);
                }
                (FilterKind::Logs(criteria), RpcEvent::NewBlock(block)) => {
                    for log in block.logs.iter().filter(|log| log_matches_criteria(criteria, log)) {
                        push_bounded(&mut filter.logs, log.clone(), max);
                    }
                }
                (FilterKind::Logs(criteria), RpcEvent::LogsRemoved(logs)) => {
                    for log in logs.iter().filter(|log| log_matches_criteria(criteria, log)) {
                        let mut removed = log.clone();
                        removed.removed = true;
                        push_bounded(&mut filter.logs, removed, max);
                    }
                }
                _ => {}
            }
        }
    }

    /// What the filter collected since the last poll (emptying it); `None` when no such filter.
    pub fn take_changes(&mut self, id: FilterId, now: Instant) -> Option<FilterChanges> {
        let filter = self.filters.get_mut(&id)?;
        filter.last_polled = now;
        Some(match filter.kind {
            FilterKind::Logs(_) => FilterChanges::Logs(filter.logs.drain(..).collect()),
            FilterKind::Blocks | FilterKind::PendingTransactions => {
                FilterChanges::Hashes(filter.hashes.drain(..).collect())
            }
        })
    }

    /// The criteria of a log filter (counts as a poll); `None` when no such filter, `Some(None)` when the
    /// filter is not a log filter.
    pub fn log_criteria(&mut self, id: FilterId, now: Instant) -> Option<Option<Filter>> {
        let filter = self.filters.get_mut(&id)?;
        filter.last_polled = now;
        Some(match &filter.kind {
            FilterKind::Logs(criteria) => Some(criteria.as_ref().clone()),
            FilterKind::Blocks | FilterKind::PendingTransactions => None,
        })
    }

    /// Drops every filter not polled within the idle timeout before `now`; how many were dropped.
    pub fn evict_idle(&mut self, now: Instant) -> usize {
        let before = self.filters.len();
        let timeout = self.idle_timeout;
        self.filters.retain(|_, filter| now.saturating_duration_since(filter.last_polled) < timeout);
        before - self.filters.len()
    }
}

fn push_bounded<T>(queue: &mut VecDeque<T>, item: T, max: usize) {
    if queue.len() >= max {
        queue.pop_front();
    }
    queue.push_back(item);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use alloy_primitives::{Address, LogData};
    use alloy_rpc_types_eth::Header;

    use super::*;
    use crate::types::NewBlock;

    fn block_event(number: u64, logs: Vec<Log>) -> RpcEvent {
        let inner = alloy_consensus::Header { number, ..Default::default() };
        let header =
            Header { hash: B256::with_last_byte(number as u8), inner, total_difficulty: None, size: None };
        RpcEvent::NewBlock(Arc::new(NewBlock { header, logs }))
    }

    fn log_from(address: Address, topic: B256, block: u64) -> Log {
        Log {
            inner: alloy_primitives::Log {
                address,
                data: LogData::new_unchecked(vec![topic], Default::default()),
            },
            block_number: Some(block),
            block_hash: Some(B256::with_last_byte(block as u8)),
            ..Default::default()
        }
    }

    #[test]
    fn block_filter_returns_each_new_block_once() {
        let now = Instant::now();
        let mut registry = FilterRegistry::new(Duration::from_secs(300), 100);
        let id = registry.install(FilterKind::Blocks, now).unwrap();
        registry.on_event(&block_event(1, vec![]));
        registry.on_event(&block_event(2, vec![]));
        let expected = vec![B256::with_last_byte(1), B256::with_last_byte(2)];
        assert_eq!(registry.take_changes(id, now), Some(FilterChanges::Hashes(expected)));
        assert_eq!(registry.take_changes(id, now), Some(FilterChanges::Hashes(vec![])));
    }

    #[test]
    fn log_filter_keeps_only_matching_logs_and_flags_removed_ones() {
        let now = Instant::now();
        let mut registry = FilterRegistry::new(Duration::from_secs(300), 100);
        let wanted = Address::with_last_byte(0xaa);
        let id = registry.install(FilterKind::Logs(Box::new(Filter::new().address(wanted))), now).unwrap();
        let pending_id = registry.install(FilterKind::PendingTransactions, now).unwrap();
        let kept = log_from(wanted, B256::with_last_byte(1), 1);
        let other = log_from(Address::with_last_byte(0xbb), B256::with_last_byte(1), 1);
        registry.on_event(&block_event(1, vec![kept.clone(), other]));
        registry.on_event(&RpcEvent::LogsRemoved(Arc::new(vec![kept.clone()])));
        let Some(FilterChanges::Logs(logs)) = registry.take_changes(id, now) else { panic!("log filter") };
        assert_eq!(logs.len(), 2);
        assert_eq!(logs[0], kept);
        assert!(logs[1].removed);
        assert_eq!(registry.take_changes(pending_id, now), Some(FilterChanges::Hashes(vec![])));
    }

    #[test]
    fn idle_filters_expire_and_polled_ones_stay() {
        let start = Instant::now();
        let mut registry = FilterRegistry::new(Duration::from_secs(60), 100);
        let idle = registry.install(FilterKind::Blocks, start).unwrap();
        let busy = registry.install(FilterKind::Blocks, start).unwrap();
        assert!(registry.take_changes(busy, start + Duration::from_secs(50)).is_some());
        assert_eq!(registry.evict_idle(start + Duration::from_secs(61)), 1);
        assert!(registry.take_changes(idle, start + Duration::from_secs(61)).is_none());
        assert!(registry.take_changes(busy, start + Duration::from_secs(61)).is_some());
        assert!(!registry.uninstall(idle));
        assert!(registry.uninstall(busy));
        assert!(registry.is_empty());
    }

    #[test]
    fn buffers_are_bounded_dropping_the_oldest() {
        let now = Instant::now();
        let mut registry = FilterRegistry::new(Duration::from_secs(60), 2);
        let id = registry.install(FilterKind::Blocks, now).unwrap();
        for n in 1..=3 {
            registry.on_event(&block_event(n, vec![]));
        }
        let expected = vec![B256::with_last_byte(2), B256::with_last_byte(3)];
        assert_eq!(registry.take_changes(id, now), Some(FilterChanges::Hashes(expected)));
    }

    #[test]
    fn the_number_of_filters_is_bounded_and_idle_ones_make_room() {
        let start = Instant::now();
        let mut registry = FilterRegistry::new(Duration::from_secs(60), 10);
        for _ in 0..MAX_FILTERS {
            registry.install(FilterKind::Blocks, start).unwrap();
        }
        assert_eq!(registry.install(FilterKind::Blocks, start), Err(TooManyFilters { max: MAX_FILTERS }));
        let later = start + Duration::from_secs(61);
        registry.install(FilterKind::Blocks, later).unwrap();
        assert_eq!(registry.len(), 1, "the idle filters were dropped to make room");
    }
}
