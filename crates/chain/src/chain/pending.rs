//! The pending block: what the chain would build next, built on a copy of the head state on demand and kept
//! until the pool, the deposits or the head change.

use std::sync::{Arc, PoisonError};

use alloy_eips::{BlockId, BlockNumberOrTag};

use crate::{block::StoredBlock, builder, error::ChainError, state::WorldState};

use super::{Chain, production::PoolSource};

/// The block the chain would build next, on the head, from the queued deposits and the pool's executable
/// transactions, with the state after it (what the `pending` block tag reads). It is built from a copy of
/// the head state, never by changing the chain.
#[derive(Debug)]
pub struct PendingBlock {
    /// The block; its number is the head's plus one, its timestamp the head's plus one.
    pub block: Arc<StoredBlock>,
    /// The state after the block.
    pub state: WorldState,
}

pub(super) fn is_pending(id: BlockId) -> bool {
    matches!(id, BlockId::Number(BlockNumberOrTag::Pending))
}

impl Chain {
    /// The timestamp of the pending block: one second after the head's.
    pub(super) fn pending_timestamp(&self) -> u64 {
        self.store.head().timestamp() + 1
    }

    /// The pending block when something waits for the next block (pool transactions or queued deposits);
    /// `None` when the next block would hold only the L1 attributes deposit.
    pub(super) fn pending_if_any(&self) -> Result<Option<Arc<PendingBlock>>, ChainError> {
        if self.pool.pending_count() == 0 && self.deposits.is_empty() {
            return Ok(None);
        }
        self.pending_block().map(Some)
    }

    /// The block the chain would build next on the head (the L1 attributes deposit, the queued deposits,
    /// then the pool's transactions by fee and nonce), with the state after it. Built on a copy of the head
    /// state the first time it is asked for, then kept until the pool, the deposits or the head change.
    pub fn pending_block(&self) -> Result<Arc<PendingBlock>, ChainError> {
        let mut cached = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let head_hash = self.store.head().hash();
        if let Some(pending) = cached.as_ref().filter(|pending| pending.block.header.parent_hash == head_hash)
        {
            return Ok(Arc::clone(pending));
        }
        let mut state = self.state.clone();
        let timestamp = self.pending_timestamp();
        let attrs = self.attributes_for(timestamp, self.deposits.clone());
        let mut source = PoolSource::preview(&self.pool, self.next_base_fee(), timestamp);
        let built = builder::build_block(
            &mut state,
            &self.build_params(),
            &self.store.head().header,
            attrs,
            &mut source,
        )
        .map_err(|failure| failure.error)?;
        let pending = Arc::new(PendingBlock { block: Arc::new(built.block), state });
        *cached = Some(Arc::clone(&pending));
        Ok(pending)
    }

    /// Forgets the pending block (the pool, the deposits or the head state changed).
    pub(super) fn forget_pending(&mut self) {
        *self.pending.get_mut().unwrap_or_else(PoisonError::into_inner) = None;
    }
}
