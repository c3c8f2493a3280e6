//! Typed errors of the chain: state reads, transaction admission, execution and block-store queries.

use alloy_primitives::{Address, B256};
use revm::database_interface::DBErrorMarker;

/// A failure while reading the world state from inside the EVM.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// An account points at code whose bytes the chain does not hold.
    #[error("code with hash {0} is unknown")]
    UnknownCode(B256),
    /// A forked chain could not read state it does not hold from its remote.
    #[error(transparent)]
    Remote(#[from] crate::fork::ForkError),
}

impl DBErrorMarker for StateError {}

/// Why a transaction envelope cannot be turned into an executable transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// The transaction's type is not one the chain executes.
    #[error("transaction type {0} is not supported")]
    UnsupportedType(u8),
    /// The signature does not recover to a sender.
    #[error("invalid signature: {0}")]
    InvalidSignature(String),
}

/// A failure of a chain operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The requested block is not in the store.
    #[error("block {0} not found")]
    BlockNotFound(String),
    /// State at the requested block is no longer kept.
    #[error("state of block {number} is no longer available (oldest kept is {oldest})")]
    StateUnavailable {
        /// The block whose state was asked for.
        number: u64,
        /// The oldest block whose state can still be read.
        oldest: u64,
    },
    /// A rewind or replacement reaches further back than the kept history.
    #[error("cannot reorganise to block {target}: history is kept from block {oldest} on")]
    HistoryTooShort {
        /// The block the caller asked to go back to.
        target: u64,
        /// The oldest block whose state can be restored.
        oldest: u64,
    },
    /// The genesis block cannot be replaced or rewound past.
    #[error("the genesis block cannot be replaced")]
    GenesisImmutable,
    /// A block's timestamp must be strictly greater than its parent's.
    #[error("timestamp {timestamp} is not after the parent's timestamp {parent}")]
    TimestampNotIncreasing {
        /// The timestamp the caller gave.
        timestamp: u64,
        /// The parent block's timestamp.
        parent: u64,
    },
    /// A block timestamp past the largest the chain accepts ([`crate::MAX_BLOCK_TIMESTAMP`]).
    #[error("timestamp {timestamp} is past the largest block timestamp {max}")]
    TimestampTooLarge {
        /// The timestamp the caller gave.
        timestamp: u64,
        /// The largest block timestamp.
        max: u64,
    },
    /// A label points past the head.
    #[error("block {number} is beyond the head {head}")]
    BeyondHead {
        /// The block asked for.
        number: u64,
        /// The current head.
        head: u64,
    },
    /// A deposit transaction could not be executed at all (not merely reverted).
    #[error("deposit {hash} could not be executed: {reason}")]
    DepositFailed {
        /// The deposit's transaction hash.
        hash: B256,
        /// What the EVM reported.
        reason: String,
    },
    /// A pre-block system call (EIP-4788 beacon root, EIP-2935 block hash) could not be executed.
    #[error("system call to {contract} failed: {reason}")]
    SystemCallFailed {
        /// The system contract.
        contract: Address,
        /// What the EVM reported.
        reason: String,
    },
    /// Call arguments geth refuses.
    #[error(transparent)]
    CallArgs(#[from] crate::call::CallArgsError),
    /// The EVM refused a call or estimate.
    #[error("execution failed: {0}")]
    Execution(String),
    /// A gas estimate failed because the call always fails.
    #[error("gas required exceeds allowance {cap} or the call always fails")]
    GasEstimateFailed {
        /// The highest gas limit tried.
        cap: u64,
        /// Revert data of the failing run, if it reverted.
        revert: Option<alloy_primitives::Bytes>,
    },
    /// A state read failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// The pool refused a transaction.
    #[error(transparent)]
    Pool(#[from] superlink_txpool::InsertError),
    /// An unsigned transaction from an address that is not impersonated.
    #[error("sender {0} is not impersonated")]
    NotImpersonated(Address),
    /// A transaction envelope that cannot be executed.
    #[error(transparent)]
    Tx(#[from] TxError),
    /// A transaction forced into a block ([`crate::Chain::mine_including`]) could not be included: it
    /// does not execute (nonce, balance, gas, signature) or no longer fits. No block was built.
    #[error("forced transaction {hash} cannot be included: {reason}")]
    ForcedTransactionFailed {
        /// The transaction's hash.
        hash: B256,
        /// Why the builder left it out.
        reason: String,
    },
    /// A block range whose last block is below its first.
    #[error("the block range {from} through {through} is empty")]
    EmptyRange {
        /// The first block asked for.
        from: u64,
        /// The last block asked for.
        through: u64,
    },
    /// No execution witness can be made for the block (the genesis block, or its replay failed).
    #[error("no execution witness for block {number}: {reason}")]
    WitnessUnavailable {
        /// The block asked for.
        number: u64,
        /// Why.
        reason: String,
    },
    /// No snapshot with this id exists.
    #[error("snapshot {0} does not exist")]
    UnknownSnapshot(u64),
}
