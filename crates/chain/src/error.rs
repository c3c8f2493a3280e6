//! Typed errors of the chain: state reads, transaction admission, execution and block-store queries.

use alloy_primitives::{Address, B256, U256};
use revm::database_interface::DBErrorMarker;

/// A failure while reading the world state from inside the EVM.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// An account points at code whose bytes the chain does not hold.
    #[error("code with hash {0} is unknown")]
    UnknownCode(B256),
}

impl DBErrorMarker for StateError {}

/// Why the transaction pool refused a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// Deposit transactions only come from the node itself, never through the pool.
    #[error("deposit transactions cannot be submitted to the pool")]
    DepositNotAllowed,
    /// The transaction's type is not one the chain executes.
    #[error("transaction type {0} is not supported")]
    UnsupportedType(u8),
    /// The signature does not recover to a sender.
    #[error("invalid signature: {0}")]
    InvalidSignature(String),
    /// The transaction is signed for another chain.
    #[error("transaction chain id {got} does not match chain {expected}")]
    WrongChainId {
        /// The chain this pool serves.
        expected: u64,
        /// The chain id the transaction carries.
        got: u64,
    },
    /// The sender's account nonce is already past this transaction's nonce.
    #[error("nonce too low: sender {sender} has nonce {state_nonce}, transaction has {tx_nonce}")]
    NonceTooLow {
        /// The transaction's sender.
        sender: Address,
        /// The account nonce in the latest state.
        state_nonce: u64,
        /// The nonce the transaction carries.
        tx_nonce: u64,
    },
    /// The sender cannot pay `gas * maxFee + value`.
    #[error("insufficient funds: sender {sender} has {balance}, transaction costs up to {cost}")]
    InsufficientFunds {
        /// The transaction's sender.
        sender: Address,
        /// The sender's balance in the latest state.
        balance: U256,
        /// The most the transaction can cost.
        cost: U256,
    },
    /// The transaction asks for more gas than a block holds.
    #[error("gas limit {gas} exceeds the block gas limit {block_gas_limit}")]
    GasLimitTooHigh {
        /// The transaction's gas limit.
        gas: u64,
        /// The chain's block gas limit.
        block_gas_limit: u64,
    },
    /// The transaction's gas limit is below its intrinsic cost.
    #[error("gas limit {gas} is below the intrinsic gas {intrinsic}")]
    IntrinsicGasTooLow {
        /// The transaction's gas limit.
        gas: u64,
        /// The gas the transaction needs before executing anything.
        intrinsic: u64,
    },
    /// The fee cap is below the priority fee.
    #[error("max priority fee {priority} exceeds max fee {max_fee}")]
    TipAboveFeeCap {
        /// The max fee per gas.
        max_fee: u128,
        /// The max priority fee per gas.
        priority: u128,
    },
    /// The transaction is already in the pool.
    #[error("transaction {0} is already known")]
    AlreadyKnown(B256),
    /// A transaction with the same sender and nonce is in the pool and pays at least as much.
    #[error("replacement transaction underpriced: sender {sender} nonce {nonce}")]
    ReplacementUnderpriced {
        /// The sender.
        sender: Address,
        /// The nonce both transactions use.
        nonce: u64,
    },
    /// An unsigned transaction from an address that is not impersonated.
    #[error("sender {0} is not impersonated")]
    NotImpersonated(Address),
    /// The owner's admission check refused the transaction.
    #[error("admission check rejected transaction {hash}: {reason}")]
    Rejected {
        /// The transaction's hash.
        hash: B256,
        /// The reason the check gave.
        reason: String,
    },
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
    Pool(#[from] PoolError),
}
