//! The service's errors: the chain's own, and requests the service refuses before touching the chain.

use superlink_chain::ChainError;

/// Why a service operation failed.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The chain refused the operation.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A fixed next-block timestamp that is not after the head's.
    #[error("timestamp {timestamp} is not after the latest block's {parent}")]
    TimestampNotAfterHead {
        /// The timestamp asked for.
        timestamp: u64,
        /// The head's timestamp.
        parent: u64,
    },
}
