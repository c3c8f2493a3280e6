//! The embedded verifier's view of a devnet L2's derivation without the network: a [`DerivationSource`] that
//! reads the chain's [`RollupLog`] directly. It answers what the chain's rollup-node RPC answers (the tests compare
//! it with [`superlink_verifier::RollupRpcSource`] on the same log), so the devnet's verifier follows derivation
//! with the same [`superlink_verifier::follow_derivation`] loop a standalone verifier runs against op-node.

use superlink_verifier::{BlockId, BlockRef, ChainId, DerivationSource, RollupStatus, SourceError};

use crate::rollup_log::RollupLog;

/// A devnet chain's derivation as a derivation source of the verifier.
#[derive(Debug, Clone)]
pub struct InProcessDerivation {
    /// What the chain's derivation found.
    pub log: RollupLog,
}

impl InProcessDerivation {
    /// The source over `log`.
    pub fn new(log: RollupLog) -> Self {
        Self { log }
    }
}

impl DerivationSource for InProcessDerivation {
    fn chain_id(&self) -> ChainId {
        self.log.chain_id()
    }

    /// The log's last L1 block read, finalized L1 block and local-safe head. The log's lock is held for a few
    /// copies only, so reading it on an async worker does not stall it.
    async fn status(&self) -> Result<RollupStatus, SourceError> {
        let state = self.log.read();
        Ok(RollupStatus {
            current_l1: state.current_l1,
            finalized_l1: state.finalized_l1,
            safe_l2: BlockRef {
                hash: state.local_safe.hash,
                number: state.local_safe.number,
                ..BlockRef::default()
            },
        })
    }

    /// The record of the highest L1 block at or below `l1_number`, none above the last L1 block read or below
    /// the oldest record kept (as the rollup-node RPC answers "not found" there).
    async fn safe_head_at(&self, l1_number: u64) -> Result<Option<(BlockId, BlockId)>, SourceError> {
        let record = self.log.read().reported_safe_head(l1_number);
        Ok(record.map(|record| (record.l1.id(), record.safe)))
    }
}
