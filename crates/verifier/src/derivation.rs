//! Where a chain's local-safe blocks come from: for every L1 block that the chain's derivation has processed,
//! the last L2 block derived as of it (op-node's safe-head records, `optimism_safeHeadAtL1Block`).
//!
//! A local-safe L2 block is derived from the first L1 block whose record reaches it. Records only grow, in L1
//! order; an L1 reorg takes them back ([`DerivedFrom::rewind_l1`]) and derivation records the new branch.

use std::collections::VecDeque;

use crate::chain_data::BlockRef;

/// One processed L1 block and the last L2 block derived as of it (`None`: nothing derived yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerivationRecord {
    /// The L1 block.
    pub l1: BlockRef,
    /// The chain's local-safe head once that L1 block was processed.
    pub last_l2: Option<u64>,
}

/// A record that does not extend what was recorded before.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DerivationError {
    /// The L1 block is at or below the last recorded one but is another block: an L1 reorg the caller has not
    /// rewound.
    #[error("L1 block {number} ({hash}) conflicts with the recorded L1 block {recorded} at or above it")]
    L1Conflict {
        /// The offered L1 block number.
        number: u64,
        /// Its hash.
        hash: alloy_primitives::B256,
        /// The last recorded L1 block number.
        recorded: u64,
    },
    /// The L2 safe head went back without an L1 reorg.
    #[error("the safe head went back from L2 block {from} to {to} at L1 block {l1}")]
    SafeHeadBack {
        /// The recorded safe head.
        from: u64,
        /// The offered one.
        to: u64,
        /// The L1 block.
        l1: u64,
    },
}

/// The derivation records of one chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DerivedFrom {
    records: VecDeque<DerivationRecord>,
}

impl DerivedFrom {
    /// Records that, once `l1` was processed, the chain's local-safe head was `last_l2`. Recording the last L1
    /// block again updates it; an earlier L1 block must first be rewound to.
    pub fn record(&mut self, l1: BlockRef, last_l2: Option<u64>) -> Result<(), DerivationError> {
        if let Some(last) = self.records.back() {
            if l1.number < last.l1.number || (l1.number == last.l1.number && l1.hash != last.l1.hash) {
                return Err(DerivationError::L1Conflict {
                    number: l1.number,
                    hash: l1.hash,
                    recorded: last.l1.number,
                });
            }
            if let Some(from) = last.last_l2
                && last_l2.is_none_or(|to| to < from)
            {
                return Err(DerivationError::SafeHeadBack { from, to: last_l2.unwrap_or(0), l1: l1.number });
            }
            if l1.number == last.l1.number {
                self.records.pop_back();
            }
        }
        self.records.push_back(DerivationRecord { l1, last_l2 });
        Ok(())
    }

    /// Forgets every record of an L1 block above `l1_number` (an L1 reorg).
    pub fn rewind_l1(&mut self, l1_number: u64) {
        while self.records.back().is_some_and(|r| r.l1.number > l1_number) {
            self.records.pop_back();
        }
    }

    /// Forgets every record that names an L2 block above `l2_number` (the L2 chain was rewound below it).
    pub fn rewind_l2(&mut self, l2_number: Option<u64>) {
        while self.records.back().is_some_and(|r| r.last_l2 > l2_number) {
            self.records.pop_back();
        }
    }

    /// The last processed L1 block.
    pub fn latest_l1(&self) -> Option<BlockRef> {
        self.records.back().map(|r| r.l1)
    }

    /// The processed L1 blocks at or below `l1_number`, newest first (to find where an L1 reorg forked).
    pub fn l1_blocks_down_from(&self, l1_number: u64) -> impl Iterator<Item = BlockRef> + '_ {
        let end = self.records.partition_point(|r| r.l1.number <= l1_number);
        self.records.range(..end).rev().map(|r| r.l1)
    }

    /// The local-safe head after the last processed L1 block.
    pub fn local_safe(&self) -> Option<u64> {
        self.records.back().and_then(|r| r.last_l2)
    }

    /// The L1 block L2 block `number` was derived from: the first record that reaches it.
    pub fn source_of(&self, number: u64) -> Option<BlockRef> {
        let i = self.records.partition_point(|r| r.last_l2.is_none_or(|l| l < number));
        self.records.get(i).map(|r| r.l1)
    }

    /// The local-safe head as of L1 block `l1_number`: the record of the last processed L1 block at or below it.
    pub fn safe_at(&self, l1_number: u64) -> Option<u64> {
        let i = self.records.partition_point(|r| r.l1.number <= l1_number);
        i.checked_sub(1).and_then(|i| self.records.get(i)).and_then(|r| r.last_l2)
    }

    /// Drops the records no longer needed to name the source of L2 blocks from `first_l2` on, keeping the
    /// record each of those blocks is derived from; returns how many were dropped.
    pub fn prune_before(&mut self, first_l2: u64) -> usize {
        let mut dropped = 0;
        while self.records.len() > 1 && self.records[1].last_l2.is_some_and(|l| l < first_l2) {
            self.records.pop_front();
            dropped += 1;
        }
        dropped
    }

    /// How many records are kept.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{B256, keccak256};

    use super::*;

    fn l1(number: u64) -> BlockRef {
        l1_on(number, "main")
    }

    fn l1_on(number: u64, branch: &str) -> BlockRef {
        let hash = |n: u64| keccak256([branch.as_bytes(), &n.to_be_bytes()].concat());
        BlockRef {
            hash: hash(number),
            number,
            parent_hash: number.checked_sub(1).map_or(B256::ZERO, hash),
            timestamp: 1_000 + 12 * number,
        }
    }

    /// L1 blocks 10..=14 derive L2 heads 0, 0, 3, 3, 7.
    fn records() -> DerivedFrom {
        let mut d = DerivedFrom::default();
        for (n, l2) in [(10, 0), (11, 0), (12, 3), (13, 3), (14, 7)] {
            d.record(l1(n), Some(l2)).unwrap();
        }
        d
    }

    #[test]
    fn each_l2_block_comes_from_the_first_l1_block_that_reaches_it() {
        let d = records();
        assert_eq!(d.source_of(0), Some(l1(10)));
        assert_eq!(d.source_of(1), Some(l1(12)));
        assert_eq!(d.source_of(3), Some(l1(12)));
        assert_eq!(d.source_of(4), Some(l1(14)));
        assert_eq!(d.source_of(7), Some(l1(14)));
        assert_eq!(d.source_of(8), None);
        assert_eq!(d.local_safe(), Some(7));
        assert_eq!(d.latest_l1(), Some(l1(14)));
    }

    #[test]
    fn the_safe_head_as_of_an_l1_block_is_that_of_the_last_record_at_or_below_it() {
        let d = records();
        assert_eq!(d.safe_at(9), None);
        assert_eq!(d.safe_at(12), Some(3));
        assert_eq!(d.safe_at(13), Some(3));
        assert_eq!(d.safe_at(100), Some(7));
    }

    #[test]
    fn an_l1_reorg_must_be_rewound_before_the_new_branch_is_recorded() {
        let mut d = records();
        let err = d.record(l1_on(13, "fork"), Some(3)).unwrap_err();
        assert!(matches!(err, DerivationError::L1Conflict { number: 13, recorded: 14, .. }), "{err}");
        d.rewind_l1(12);
        assert_eq!(d.local_safe(), Some(3));
        d.record(l1_on(13, "fork"), Some(5)).unwrap();
        assert_eq!(d.source_of(4), Some(l1_on(13, "fork")));
    }

    #[test]
    fn the_processed_l1_blocks_are_listed_newest_first_from_a_height_down() {
        let d = records();
        let numbers = |from| d.l1_blocks_down_from(from).map(|l1| l1.number).collect::<Vec<_>>();
        assert_eq!(numbers(12), [12, 11, 10]);
        assert_eq!(numbers(100), [14, 13, 12, 11, 10]);
        assert!(numbers(9).is_empty());
        assert_eq!(d.l1_blocks_down_from(13).next(), Some(l1(13)));
    }

    #[test]
    fn the_safe_head_never_goes_back_without_a_reorg() {
        let mut d = records();
        let err = d.record(l1(15), Some(6)).unwrap_err();
        assert_eq!(err, DerivationError::SafeHeadBack { from: 7, to: 6, l1: 15 });
        d.record(l1(14), Some(8)).unwrap();
        assert_eq!(d.len(), 5, "recording the last L1 block again updates it");
        assert_eq!(d.source_of(8), Some(l1(14)));
    }

    #[test]
    fn an_l2_rewind_forgets_the_records_that_name_removed_blocks() {
        let mut d = records();
        d.rewind_l2(Some(5));
        assert_eq!(d.local_safe(), Some(3));
        assert_eq!(d.latest_l1(), Some(l1(13)));
    }

    #[test]
    fn pruning_keeps_the_source_of_every_remaining_block() {
        let mut d = records();
        assert_eq!(d.prune_before(4), 3);
        assert_eq!(d.source_of(4), Some(l1(14)));
        assert_eq!(d.prune_before(4), 0);
    }
}
