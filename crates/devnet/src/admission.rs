//! The sequencer policy of every devnet L2: a transaction that declares `CrossL2Inbox` entries in its access
//! list enters the pool only if the embedded verifier accepts every message they claim, at the timestamp of
//! the next block. The pool runs the same check on every pooled transaction after each block, so a relay whose
//! message stopped being valid is dropped, and the builder runs it once more for the timestamp of the block it
//! builds, so no block holds an executing message the verifier did not accept for that very block.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use alloy_consensus::Transaction;
use alloy_primitives::{B256, U256};
use superlink_contracts::addresses::CROSS_L2_INBOX;
use superlink_node::TimeSource;
use superlink_protocol::SafetyLevel;
use superlink_txpool::{AdmissionCheck, AdmissionRejection, PoolTransaction};
use superlink_verifier::{ExecutingDescriptor, Verifier, check_access_list};

/// The minimum safety of a message's source block for a relay to be admitted: cross-unsafe (the source block
/// and everything it depends on are known and valid, nothing derived from L1 yet).
pub const ADMISSION_SAFETY: SafetyLevel = SafetyLevel::CrossUnsafe;

/// The storage keys a transaction declares for `CrossL2Inbox` in its access list, in order: the access-list
/// entries of its executing messages. Empty for transactions without an access list.
pub fn inbox_entries(tx: &impl Transaction) -> Vec<B256> {
    tx.access_list()
        .map(|list| {
            list.iter()
                .filter(|item| item.address == CROSS_L2_INBOX)
                .flat_map(|item| item.storage_keys.iter().copied())
                .collect()
        })
        .unwrap_or_default()
}

/// The timestamp of a chain's next block, shared between the sequencer (which sets it) and the pool's
/// admission check (which checks executing messages at it).
#[derive(Debug, Clone, Default)]
pub struct NextBlockTime(Arc<AtomicU64>);

impl NextBlockTime {
    /// Starts at `timestamp`.
    pub fn new(timestamp: u64) -> Self {
        Self(Arc::new(AtomicU64::new(timestamp)))
    }

    /// The timestamp of the next block.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// This time as the time source of blocks mined by hand: they take the timestamp of the next round.
    pub fn time_source(&self) -> TimeSource {
        let next = self.clone();
        Arc::new(move || next.get())
    }

    /// Sets the timestamp of the next block.
    pub fn set(&self, timestamp: u64) {
        self.0.store(timestamp, Ordering::SeqCst);
    }
}

/// The admission check of one L2: its access-list claims are checked against the in-process verifier.
#[derive(Debug, Clone)]
pub struct InteropAdmission {
    chain_id: u64,
    verifier: Verifier,
    next_block: NextBlockTime,
}

impl InteropAdmission {
    /// The check for chain `chain_id`, whose next block's timestamp `next_block` tracks.
    pub fn new(chain_id: u64, verifier: Verifier, next_block: NextBlockTime) -> Self {
        Self { chain_id, verifier, next_block }
    }
}

impl InteropAdmission {
    /// Whether the verifier accepts every executing message `tx` declares, executed at `timestamp`.
    fn check_at(&self, tx: &PoolTransaction, timestamp: u64) -> Result<(), AdmissionRejection> {
        let entries = inbox_entries(tx.tx());
        if entries.is_empty() {
            return Ok(());
        }
        let descriptor =
            ExecutingDescriptor { timestamp, timeout: None, chain_id: U256::from(self.chain_id) };
        let state = self.verifier.read();
        check_access_list(&state, &entries, ADMISSION_SAFETY, descriptor).map_err(|e| {
            tracing::debug!(chain_id = self.chain_id, tx = %tx.hash(), error = %e, "executing message refused");
            AdmissionRejection::new(e.to_string())
        })
    }
}

impl AdmissionCheck for InteropAdmission {
    /// At submission and revalidation: for the chain's next block.
    fn check(&self, tx: &PoolTransaction) -> Result<(), AdmissionRejection> {
        self.check_at(tx, self.next_block.get())
    }

    /// While building: for the block being built.
    fn check_inclusion(&self, tx: &PoolTransaction, timestamp: u64) -> Result<(), AdmissionRejection> {
        self.check_at(tx, timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_consensus::TxEip1559;
    use alloy_eips::eip2930::{AccessList, AccessListItem};
    use alloy_primitives::Address;

    #[test]
    fn only_the_inbox_keys_are_entries() {
        let inbox_keys = vec![B256::repeat_byte(1), B256::repeat_byte(2)];
        let tx = TxEip1559 {
            access_list: AccessList(vec![
                AccessListItem { address: Address::repeat_byte(9), storage_keys: vec![B256::repeat_byte(7)] },
                AccessListItem { address: CROSS_L2_INBOX, storage_keys: inbox_keys.clone() },
            ]),
            ..TxEip1559::default()
        };
        assert_eq!(inbox_entries(&tx), inbox_keys);
        assert!(inbox_entries(&TxEip1559::default()).is_empty());
    }

    #[test]
    fn the_next_block_time_is_shared_between_clones() {
        let time = NextBlockTime::new(10);
        let seen_by_pool = time.clone();
        time.set(12);
        assert_eq!(seen_by_pool.get(), 12);
    }
}
