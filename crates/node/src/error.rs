//! The service's errors: the chain's own, and requests the service refuses before touching the chain.

use superlink_chain::ChainError;

/// Why a service operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NodeError {
    /// The chain refused the operation.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A clock change or a mined block that would pass the largest block timestamp.
    #[error("the block timestamp would pass the largest one the chain accepts ({max})")]
    TimeOutOfRange {
        /// The largest block timestamp.
        max: u64,
    },
    /// More blocks asked for in one request than one request may mine.
    #[error("{requested} blocks asked for; one request mines at most {max}")]
    TooManyBlocks {
        /// The blocks asked for.
        requested: u64,
        /// The most one request mines.
        max: u64,
    },
    /// Every snapshot slot is taken.
    #[error("{max} snapshots are kept already; revert to one (evm_revert) to free it and every later one")]
    TooManySnapshots {
        /// The most snapshots kept.
        max: usize,
    },
    /// The service is shutting down; long work stops between blocks.
    #[error("the node is shutting down")]
    ShuttingDown,
    /// A fixed next-block timestamp that is not after the head's.
    #[error("timestamp {timestamp} is not after the latest block's {parent}")]
    TimestampNotAfterHead {
        /// The timestamp asked for.
        timestamp: u64,
        /// The head's timestamp.
        parent: u64,
    },
}
