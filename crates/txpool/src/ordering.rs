//! The block builder's view of the pool: pending transactions, best effective tip first, each sender's in
//! nonce order.

use std::{
    cmp::Ordering,
    collections::{BinaryHeap, HashMap, VecDeque},
    sync::Arc,
};

use alloy_primitives::Address;

use crate::{sender::Entry, transaction::PoolTransaction};

/// A sender's next transaction, ranked by effective tip, then by arrival (earlier first).
#[derive(Debug)]
struct Candidate {
    tip: u128,
    seq: u64,
    sender: Address,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.tip.cmp(&other.tip).then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Iterator over a snapshot of the pending transactions, for building one block at a fixed base fee.
///
/// It yields the transaction with the highest effective tip among each sender's next nonce (ties: earlier
/// arrival first), so each sender's transactions come out in nonce order without gaps. A sender whose next
/// transaction's fee cap is below the base fee yields nothing more. When the builder finds a transaction
/// it cannot include, [`BestTransactions::mark_invalid`] stops that sender's later nonces.
///
/// The snapshot owns `Arc`s of the transactions: the pool may change while a block is built.
#[derive(Debug)]
pub struct BestTransactions {
    base_fee: u64,
    queues: HashMap<Address, VecDeque<Entry>>,
    heap: BinaryHeap<Candidate>,
}

impl BestTransactions {
    /// Builds the iterator from each sender's pending run (in nonce order).
    pub(crate) fn new(base_fee: u64, runs: impl IntoIterator<Item = (Address, VecDeque<Entry>)>) -> Self {
        let mut best = Self { base_fee, queues: HashMap::new(), heap: BinaryHeap::new() };
        for (sender, run) in runs {
            best.queues.insert(sender, run);
            best.schedule(sender);
        }
        best
    }

    /// Puts the sender's next transaction on the heap, or forgets the sender if it has none it can pay for.
    fn schedule(&mut self, sender: Address) {
        let Some(queue) = self.queues.get(&sender) else { return };
        match queue
            .front()
            .and_then(|entry| entry.tx.effective_tip(self.base_fee).map(|tip| (tip, entry.seq)))
        {
            Some((tip, seq)) => self.heap.push(Candidate { tip, seq, sender }),
            None => {
                self.queues.remove(&sender);
            }
        }
    }

    /// The builder could not include `tx` (it failed, or does not fit): skip the rest of its sender's
    /// transactions, whose nonces can no longer follow.
    pub fn mark_invalid(&mut self, tx: &PoolTransaction) {
        self.queues.remove(&tx.sender());
    }

    /// The base fee this iterator orders by.
    pub fn base_fee(&self) -> u64 {
        self.base_fee
    }
}

impl Iterator for BestTransactions {
    type Item = Arc<PoolTransaction>;

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(candidate) = self.heap.pop() {
            // A sender marked invalid after its candidate was pushed has no queue any more.
            let Some(queue) = self.queues.get_mut(&candidate.sender) else { continue };
            let Some(entry) = queue.pop_front() else { continue };
            self.schedule(candidate.sender);
            return Some(entry.tx);
        }
        None
    }
}
