//! What the service publishes when the chain changes: new canonical blocks, transactions entering the
//! pool, and blocks that left the canonical chain. Subscribers (the JSON-RPC server's filters and
//! subscriptions) shape them for their own wire.

use std::sync::Arc;

use alloy_primitives::B256;
use superlink_chain::StoredBlock;

/// A change of the chain, in the chain's own types.
#[derive(Debug, Clone)]
pub enum ChainEvent {
    /// A block became the new head of the canonical chain.
    NewBlock(Arc<StoredBlock>),
    /// A transaction entered the pool.
    PendingTransaction(B256),
    /// Blocks left the canonical chain (rewind, reorganisation, snapshot revert), oldest first.
    BlocksRemoved(Arc<Vec<Arc<StoredBlock>>>),
}
