//! The owner's admission hook: a check the pool's owner installs, run on every insertion and revalidation.

use crate::transaction::PoolTransaction;

/// Why the owner's hook refuses a transaction (for interop: an executing message that is not valid, or not
/// safe enough yet). The reason is shown to the submitter as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct AdmissionRejection {
    /// Human-readable reason, returned to the submitter.
    pub reason: String,
}

impl AdmissionRejection {
    /// A rejection with the given reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Self { reason: reason.into() }
    }
}

/// A check the pool's owner installs. It runs when a transaction is inserted and again for every pooled
/// transaction when a new block arrives ([`TxPool::on_new_block`](crate::TxPool::on_new_block)), so a
/// transaction that was acceptable can be dropped later (for interop: its access list now points at a
/// message that was reorged out or has expired).
///
/// At insertion it runs last, after every cheap check (signature, nonce, balance, fees, replacement price),
/// so a check that costs a remote call is only paid for transactions that are otherwise acceptable. A check
/// that calls out should cache its answers: it sees the same transactions again after every block.
///
/// The block builder asks once more, with [`AdmissionCheck::check_inclusion`], just before it includes a
/// transaction in a block of a known timestamp, so nothing enters a block unchecked for that very block.
pub trait AdmissionCheck: Send + Sync {
    /// `Ok(())` to admit or keep `tx`; `Err` with the reason to refuse or drop it.
    fn check(&self, tx: &PoolTransaction) -> Result<(), AdmissionRejection>;

    /// `Ok(())` if `tx` may be included in the block being built at `timestamp`; `Err` leaves it out of that
    /// block (the pool keeps it until its next revalidation decides). By default the same as
    /// [`AdmissionCheck::check`].
    fn check_inclusion(&self, tx: &PoolTransaction, timestamp: u64) -> Result<(), AdmissionRejection> {
        let _ = timestamp;
        self.check(tx)
    }

    /// `Ok(())` if `tx` goes into a preview of the block built at `timestamp`: the block the `pending` tag
    /// reads, built on demand while a reader waits. By default the same as
    /// [`AdmissionCheck::check_inclusion`]; a check that calls out must answer at once here, from what it
    /// already knows.
    fn check_preview(&self, tx: &PoolTransaction, timestamp: u64) -> Result<(), AdmissionRejection> {
        self.check_inclusion(tx, timestamp)
    }

    /// `Ok(())` if the pooled `tx` may stay in the pool; `Err` drops it. Run by the revalidation after every
    /// block. By default the same as [`AdmissionCheck::check`]; a check that can fail to get an answer (a
    /// remote one) keeps what it cannot judge, since the builder asks again before including anything.
    fn recheck(&self, tx: &PoolTransaction) -> Result<(), AdmissionRejection> {
        self.check(tx)
    }

    /// Called by the pool's owner before it locks the pool to insert `tx`, so a check that calls out can do its
    /// slow part here, without holding up everyone who waits for the lock, and answer the
    /// [`AdmissionCheck::check`] that follows from what it learned. By default nothing.
    fn prepare(&self, tx: &PoolTransaction) {
        let _ = tx;
    }
}

/// The hook installed by default: admits everything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AcceptAll;

impl AdmissionCheck for AcceptAll {
    fn check(&self, _tx: &PoolTransaction) -> Result<(), AdmissionRejection> {
        Ok(())
    }
}

impl<F> AdmissionCheck for F
where
    F: Fn(&PoolTransaction) -> Result<(), AdmissionRejection> + Send + Sync,
{
    fn check(&self, tx: &PoolTransaction) -> Result<(), AdmissionRejection> {
        self(tx)
    }
}
