//! A window of the most recent block records, kept in memory so that lookups of hot blocks skip the storage
//! engine. Pure: no I/O.

use std::{collections::VecDeque, sync::Arc};

/// The encoded records of a contiguous run of the latest blocks, at most `capacity` of them.
#[derive(Debug, Clone, Default)]
pub struct RecentBlocks {
    first: u64,
    records: VecDeque<Arc<[u8]>>,
    capacity: usize,
}

impl RecentBlocks {
    /// An empty window holding up to `capacity` blocks (0 disables it).
    pub fn new(capacity: usize) -> Self {
        Self { first: 0, records: VecDeque::with_capacity(capacity.min(4096)), capacity }
    }

    /// The record of block `number`, if it is in the window.
    pub fn get(&self, number: u64) -> Option<&Arc<[u8]>> {
        let offset = number.checked_sub(self.first)?;
        self.records.get(usize::try_from(offset).ok()?)
    }

    /// Adds the record of block `number`. A block that does not directly follow the window restarts it.
    pub fn push(&mut self, number: u64, record: Arc<[u8]>) {
        if self.capacity == 0 {
            return;
        }
        if self.records.is_empty() || self.first.checked_add(self.records.len() as u64) != Some(number) {
            self.records.clear();
            self.first = number;
        }
        if self.records.len() == self.capacity {
            self.records.pop_front();
            self.first += 1;
        }
        self.records.push_back(record);
    }

    /// Drops every block after `number`.
    pub fn truncate_after(&mut self, number: u64) {
        let keep = number.checked_add(1).and_then(|end| end.checked_sub(self.first)).unwrap_or(0);
        let keep = usize::try_from(keep).unwrap_or(usize::MAX);
        self.records.truncate(keep);
    }

    /// The blocks in the window, as `(number, record)`.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &Arc<[u8]>)> {
        self.records.iter().enumerate().map(|(i, r)| (self.first + i as u64, r))
    }

    /// Number of blocks in the window.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the window is empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(n: u8) -> Arc<[u8]> {
        Arc::from(vec![n])
    }

    #[test]
    fn keeps_the_latest_blocks_and_forgets_older_ones() {
        let mut cache = RecentBlocks::new(3);
        for n in 10..15u8 {
            cache.push(u64::from(n), rec(n));
        }
        assert_eq!(cache.len(), 3);
        assert!(cache.get(11).is_none());
        assert_eq!(cache.get(12).map(|r| r[0]), Some(12));
        assert_eq!(cache.get(14).map(|r| r[0]), Some(14));
        assert!(cache.get(15).is_none());
    }

    #[test]
    fn truncate_drops_later_blocks_and_a_gap_restarts_the_window() {
        let mut cache = RecentBlocks::new(8);
        for n in 0..6u8 {
            cache.push(u64::from(n), rec(n));
        }
        cache.truncate_after(3);
        assert_eq!(cache.iter().map(|(n, _)| n).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        cache.push(4, rec(44));
        assert_eq!(cache.get(4).map(|r| r[0]), Some(44));
        cache.push(9, rec(9));
        assert_eq!(cache.iter().map(|(n, _)| n).collect::<Vec<_>>(), vec![9]);
        cache.truncate_after(2);
        assert!(cache.is_empty());
    }

    #[test]
    fn zero_capacity_disables_the_window() {
        let mut cache = RecentBlocks::new(0);
        cache.push(1, rec(1));
        assert!(cache.get(1).is_none());
    }
}
