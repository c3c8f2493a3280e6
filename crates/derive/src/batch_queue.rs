//! The batch queue's validity rules: whether a batch, read from L1 block `inclusion`, is applied now, later,
//! or never, given the safe head and the L1 chain (derivation.md "Batch Queue", span-batches.md).
//!
//! A batch is `Future` when it starts after the next L2 timestamp, `Undecided` when the L1 block after the
//! safe head's origin is needed but not read yet, `Drop` when it breaks a rule, and `Accept` otherwise, with
//! the blocks it adds after the safe head.

use crate::history::{L1Chain, SafeChain, transactions_digest};
use crate::params::DEPOSIT_TX_TYPE;
use crate::refs::SafeHead;
use crate::singular::SingularBatch;
use crate::span::{SpanBatch, SpanBatchError};
use alloy_eips::BlockNumHash;
use alloy_primitives::{B256, Bytes};

/// Why the batch queue dropped a batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchDropReason {
    /// It ends before the next L2 timestamp.
    #[error("batch is older than the safe head")]
    TooOld,
    /// A span batch that does not start on a block of the safe chain.
    #[error("span batch does not start on a safe block")]
    Misaligned,
    /// Its parent is not the safe block before it.
    #[error("parent hash does not match the safe chain")]
    ParentMismatch,
    /// Included after its origin's sequencing window.
    #[error("included after the sequencing window of its origin")]
    IncludedTooLate,
    /// Its L1 origin is older than the safe head's.
    #[error("L1 origin older than the safe head's")]
    OriginTooOld,
    /// Its L1 origin moves by more than one block.
    #[error("L1 origin advances by more than one block")]
    OriginJump,
    /// Its L1 origin hash is not the canonical L1 block's.
    #[error("L1 origin is not on the canonical L1 chain")]
    OriginNotCanonical,
    /// A block's timestamp precedes its L1 origin's.
    #[error("L2 timestamp before its L1 origin's")]
    BeforeOrigin,
    /// A block runs past the maximum sequencer drift.
    #[error("L2 timestamp past the sequencer drift")]
    SequencerDrift,
    /// An empty or deposit transaction.
    #[error("batch holds an empty or deposit transaction")]
    InvalidTransaction,
    /// A span batch whose transactions cannot be rebuilt.
    #[error("span batch transactions do not decode: {0}")]
    Malformed(SpanBatchError),
    /// A span batch's block that overlaps the safe chain differs from the safe block.
    #[error("span batch differs from the safe chain where they overlap")]
    OverlapMismatch,
    /// The caller's L2 chain has another block where the batch names one.
    #[error("the L2 chain has another block at {number}")]
    ConflictsWithL2Chain {
        /// The height where they differ.
        number: u64,
    },
}

/// A block an accepted batch adds after the safe head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingBlock {
    pub(crate) timestamp: u64,
    pub(crate) l1_origin: BlockNumHash,
    pub(crate) transactions: Vec<Bytes>,
}

/// The verdict on a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Validity {
    Accept(Vec<PendingBlock>),
    Drop(BatchDropReason),
    Future,
    Undecided,
}

/// Chain parameters the rules use.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    pub(crate) genesis_timestamp: u64,
    pub(crate) block_time: u64,
    pub(crate) sequencing_window: u64,
    pub(crate) max_sequencer_drift: u64,
    pub(crate) chain_id: u64,
}

/// What the rules judge a batch against.
pub(crate) struct Context<'a> {
    pub(crate) rules: Rules,
    pub(crate) safe: SafeHead,
    pub(crate) safe_hash: B256,
    pub(crate) l1: &'a L1Chain,
    pub(crate) safe_chain: &'a SafeChain,
    pub(crate) inclusion: u64,
}

fn bad_transactions(transactions: &[Bytes]) -> bool {
    transactions.iter().any(|tx| tx.first().is_none_or(|ty| *ty == DEPOSIT_TX_TYPE))
}

impl Context<'_> {
    fn next_timestamp(&self) -> u64 {
        self.safe.timestamp + self.rules.block_time
    }

    /// The drift rule for one block with origin `origin_number` (known on L1); `advanced` says whether the
    /// block moved its origin.
    fn drift(
        &self,
        timestamp: u64,
        origin_time: u64,
        origin_number: u64,
        empty: bool,
        advanced: bool,
    ) -> Option<Validity> {
        if timestamp <= origin_time.saturating_add(self.rules.max_sequencer_drift) {
            return None;
        }
        if !empty {
            return Some(Validity::Drop(BatchDropReason::SequencerDrift));
        }
        if advanced {
            return None;
        }
        match self.l1.get(origin_number + 1) {
            None => Some(Validity::Undecided),
            Some(next) if timestamp >= next.timestamp => {
                Some(Validity::Drop(BatchDropReason::SequencerDrift))
            }
            Some(_) => None,
        }
    }

    pub(crate) fn check_singular(&self, batch: &SingularBatch) -> Validity {
        let next_timestamp = self.next_timestamp();
        if batch.timestamp > next_timestamp {
            return Validity::Future;
        }
        if batch.timestamp < next_timestamp {
            return Validity::Drop(BatchDropReason::TooOld);
        }
        if batch.parent_hash != self.safe_hash {
            return Validity::Drop(BatchDropReason::ParentMismatch);
        }
        if batch.epoch_num.saturating_add(self.rules.sequencing_window) < self.inclusion {
            return Validity::Drop(BatchDropReason::IncludedTooLate);
        }
        let epoch = self.safe.l1_origin.number;
        if batch.epoch_num < epoch {
            return Validity::Drop(BatchDropReason::OriginTooOld);
        }
        if batch.epoch_num > epoch + 1 {
            return Validity::Drop(BatchDropReason::OriginJump);
        }
        let Some(origin) = self.l1.get(batch.epoch_num) else {
            return if batch.epoch_num == epoch + 1 {
                Validity::Undecided
            } else {
                Validity::Drop(BatchDropReason::OriginNotCanonical)
            };
        };
        if batch.epoch_hash != origin.hash {
            return Validity::Drop(BatchDropReason::OriginNotCanonical);
        }
        if batch.timestamp < origin.timestamp {
            return Validity::Drop(BatchDropReason::BeforeOrigin);
        }
        let advanced = batch.epoch_num != epoch;
        let empty = batch.transactions.is_empty();
        if let Some(verdict) = self.drift(batch.timestamp, origin.timestamp, origin.number, empty, advanced) {
            return verdict;
        }
        if bad_transactions(&batch.transactions) {
            return Validity::Drop(BatchDropReason::InvalidTransaction);
        }
        Validity::Accept(vec![PendingBlock {
            timestamp: batch.timestamp,
            l1_origin: origin.id(),
            transactions: batch.transactions.clone(),
        }])
    }

    pub(crate) fn check_span(&self, batch: &SpanBatch) -> Validity {
        let rules = self.rules;
        let next_timestamp = self.next_timestamp();
        let (Some(start), Some(end)) = (
            batch.start_timestamp(rules.genesis_timestamp),
            batch.end_timestamp(rules.genesis_timestamp, rules.block_time),
        ) else {
            return Validity::Drop(BatchDropReason::Misaligned);
        };
        if start > next_timestamp {
            return Validity::Future;
        }
        if end < next_timestamp {
            return Validity::Drop(BatchDropReason::TooOld);
        }
        // The safe block before the span: the safe head itself or an earlier one the span overlaps.
        let behind = next_timestamp - start;
        if !behind.is_multiple_of(rules.block_time) {
            return Validity::Drop(BatchDropReason::Misaligned);
        }
        let Some(prev_number) = self.safe.number.checked_sub(behind / rules.block_time) else {
            return Validity::Drop(BatchDropReason::Misaligned);
        };
        let (prev_hash, prev_origin) = if prev_number == self.safe.number {
            (Some(self.safe_hash), self.safe.l1_origin.number)
        } else {
            match self.safe_chain.get(prev_number) {
                Some(record) => (record.hash, record.l1_origin_number),
                None => return Validity::Drop(BatchDropReason::Misaligned),
            }
        };
        if prev_hash.is_none_or(|hash| batch.parent_check.as_slice() != &hash[..20]) {
            return Validity::Drop(BatchDropReason::ParentMismatch);
        }
        let start_epoch = batch.start_epoch_num();
        let end_epoch = batch.l1_origin_num;
        if start_epoch.saturating_add(rules.sequencing_window) < self.inclusion {
            return Validity::Drop(BatchDropReason::IncludedTooLate);
        }
        if start_epoch > prev_origin + 1 {
            return Validity::Drop(BatchDropReason::OriginJump);
        }
        match self.l1.get(end_epoch) {
            Some(origin) if batch.l1_origin_check.as_slice() == &origin.hash[..20] => {}
            _ => return Validity::Drop(BatchDropReason::OriginNotCanonical),
        }
        if start_epoch < prev_origin {
            return Validity::Drop(BatchDropReason::OriginTooOld);
        }
        let blocks = match batch.blocks(rules.genesis_timestamp, rules.block_time, rules.chain_id) {
            Ok(blocks) => blocks,
            Err(error) => return Validity::Drop(BatchDropReason::Malformed(error)),
        };
        let mut pending = Vec::new();
        for (i, block) in blocks.into_iter().enumerate() {
            let Some(origin) = self.l1.get(block.epoch_num) else {
                return Validity::Drop(BatchDropReason::OriginNotCanonical);
            };
            if block.timestamp > self.safe.timestamp {
                if block.epoch_num < self.safe.l1_origin.number {
                    return Validity::Drop(BatchDropReason::OriginTooOld);
                }
                if block.timestamp < origin.timestamp {
                    return Validity::Drop(BatchDropReason::BeforeOrigin);
                }
                let empty = block.transactions.is_empty();
                if let Some(verdict) =
                    self.drift(block.timestamp, origin.timestamp, origin.number, empty, batch.origin_bits[i])
                {
                    return verdict;
                }
            }
            if bad_transactions(&block.transactions) {
                return Validity::Drop(BatchDropReason::InvalidTransaction);
            }
            if block.timestamp < next_timestamp {
                let number = prev_number + 1 + i as u64;
                let matches = self.safe_chain.get(number).is_some_and(|record| {
                    record.l1_origin_number == block.epoch_num
                        && record.transactions_digest == transactions_digest(&block.transactions)
                });
                if !matches {
                    return Validity::Drop(BatchDropReason::OverlapMismatch);
                }
            } else {
                pending.push(PendingBlock {
                    timestamp: block.timestamp,
                    l1_origin: origin.id(),
                    transactions: block.transactions,
                });
            }
        }
        Validity::Accept(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::SafeRecord;
    use crate::refs::L1BlockRef;

    const H: B256 = B256::repeat_byte(0x5a);

    fn l1(number: u64) -> L1BlockRef {
        L1BlockRef { number, hash: B256::repeat_byte(number as u8 + 1), timestamp: 1_000 + 12 * number }
    }

    fn l1_chain(to: u64) -> L1Chain {
        let mut chain = L1Chain::new(l1(0));
        for n in 1..=to {
            chain.push(l1(n));
        }
        chain
    }

    fn rules() -> Rules {
        Rules {
            genesis_timestamp: 1_000,
            block_time: 2,
            sequencing_window: 4,
            max_sequencer_drift: 30,
            chain_id: 901,
        }
    }

    fn record(number: u64, transactions: &[Bytes]) -> SafeRecord {
        SafeRecord {
            number,
            hash: Some(B256::repeat_byte(number as u8)),
            timestamp: 1_000 + 2 * number,
            l1_origin_number: 1,
            transactions_digest: transactions_digest(transactions),
        }
    }

    /// Safe head: block 10 at time 1020, origin 1, hash H; the safe chain remembers blocks 8..=10.
    fn safe_chain() -> SafeChain {
        let mut chain = SafeChain::new(record(8, &[]), 16);
        chain.push(record(9, &[]));
        chain.push(SafeRecord { hash: Some(H), ..record(10, &[]) });
        chain
    }

    fn judge(batch: &SingularBatch, l1_to: u64, inclusion: u64, safe_timestamp: u64) -> Validity {
        let chain = l1_chain(l1_to);
        let safe_chain = safe_chain();
        let safe = SafeHead { number: 10, hash: Some(H), timestamp: safe_timestamp, l1_origin: l1(1).id() };
        Context { rules: rules(), safe, safe_hash: H, l1: &chain, safe_chain: &safe_chain, inclusion }
            .check_singular(batch)
    }

    fn batch(timestamp: u64, epoch: u64, transactions: Vec<Bytes>) -> SingularBatch {
        SingularBatch {
            parent_hash: H,
            epoch_num: epoch,
            epoch_hash: l1(epoch).hash,
            timestamp,
            transactions,
        }
    }

    #[test]
    fn singular_batch_rules_in_order() {
        let ok = batch(1_022, 1, vec![Bytes::from_static(&[2, 0xc0])]);
        assert!(matches!(judge(&ok, 5, 3, 1_020), Validity::Accept(blocks) if blocks.len() == 1));
        assert_eq!(judge(&batch(1_024, 1, vec![]), 5, 3, 1_020), Validity::Future);
        assert_eq!(judge(&batch(1_020, 1, vec![]), 5, 3, 1_020), Validity::Drop(BatchDropReason::TooOld));
        let orphan = SingularBatch { parent_hash: B256::ZERO, ..ok.clone() };
        assert_eq!(judge(&orphan, 5, 3, 1_020), Validity::Drop(BatchDropReason::ParentMismatch));
        // Epoch 1 with a window of 4 must be included by L1 block 5.
        assert!(matches!(judge(&ok, 5, 5, 1_020), Validity::Accept(_)));
        assert_eq!(judge(&ok, 6, 6, 1_020), Validity::Drop(BatchDropReason::IncludedTooLate));
        assert_eq!(
            judge(&batch(1_022, 0, vec![]), 5, 3, 1_020),
            Validity::Drop(BatchDropReason::OriginTooOld)
        );
        assert_eq!(judge(&batch(1_022, 3, vec![]), 5, 3, 1_020), Validity::Drop(BatchDropReason::OriginJump));
        // Moving to epoch 2 needs L1 block 2, and its time (1024) is after the batch's.
        assert_eq!(judge(&batch(1_022, 2, vec![]), 1, 1, 1_020), Validity::Undecided);
        assert_eq!(
            judge(&batch(1_022, 2, vec![]), 5, 3, 1_020),
            Validity::Drop(BatchDropReason::BeforeOrigin)
        );
        let forged = SingularBatch { epoch_hash: B256::ZERO, ..ok.clone() };
        assert_eq!(judge(&forged, 5, 3, 1_020), Validity::Drop(BatchDropReason::OriginNotCanonical));
        let deposit = batch(1_022, 1, vec![Bytes::from_static(&[0x7e, 0xc0])]);
        assert_eq!(judge(&deposit, 5, 3, 1_020), Validity::Drop(BatchDropReason::InvalidTransaction));
        let empty_tx = batch(1_022, 1, vec![Bytes::new()]);
        assert_eq!(judge(&empty_tx, 5, 3, 1_020), Validity::Drop(BatchDropReason::InvalidTransaction));
    }

    #[test]
    fn the_sequencer_drift_allows_only_empty_blocks_that_could_not_move_on() {
        // Origin 1 is at 1012; with a drift of 30, L2 time 1052 is past it.
        let with_txs = batch(1_052, 1, vec![Bytes::from_static(&[2, 0xc0])]);
        assert_eq!(judge(&with_txs, 5, 3, 1_050), Validity::Drop(BatchDropReason::SequencerDrift));
        // Empty: allowed only while the next L1 block is later than the L2 time; unknown until it is read.
        let empty = batch(1_052, 1, vec![]);
        assert_eq!(judge(&empty, 1, 1, 1_050), Validity::Undecided);
        assert_eq!(judge(&empty, 5, 3, 1_050), Validity::Drop(BatchDropReason::SequencerDrift));
    }

    #[test]
    fn a_span_overlapping_the_safe_chain_must_match_it() {
        let blocks: Vec<SingularBatch> = (9..=12)
            .map(|n| SingularBatch {
                parent_hash: B256::repeat_byte(n as u8 - 1),
                epoch_num: 1,
                epoch_hash: l1(1).hash,
                timestamp: 1_000 + 2 * n,
                transactions: vec![],
            })
            .collect();
        let span = SpanBatch::from_singular_batches(&blocks, 1, 1_000, 2, 901).unwrap();
        let l1 = l1_chain(5);
        let safe =
            SafeHead { number: 10, hash: Some(H), timestamp: 1_020, l1_origin: l1.get(1).unwrap().id() };
        let chain = safe_chain();
        let context =
            Context { rules: rules(), safe, safe_hash: H, l1: &l1, safe_chain: &chain, inclusion: 3 };
        match context.check_span(&span) {
            Validity::Accept(pending) => {
                assert_eq!(pending.iter().map(|b| b.timestamp).collect::<Vec<_>>(), vec![1_022, 1_024]);
            }
            other => panic!("{other:?}"),
        }
        // The safe block 10 holds a transaction the span's block 10 does not.
        let mut differing = SafeChain::new(record(8, &[]), 16);
        differing.push(record(9, &[]));
        differing.push(SafeRecord { hash: Some(H), ..record(10, &[Bytes::from_static(&[1])]) });
        let context = Context { safe_chain: &differing, ..context };
        assert_eq!(context.check_span(&span), Validity::Drop(BatchDropReason::OverlapMismatch));
    }
}
