//! Why the pool refuses a transaction at submission. The RPC layer maps each reason to geth's message
//! (quoted on every variant).

use alloy_primitives::{Address, B256, U256};

use crate::{admission::AdmissionRejection, decode::DecodeError};

/// A transaction the pool refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InsertError {
    /// The raw bytes did not decode to an acceptable, correctly signed transaction.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The pool already holds this hash. geth: "already known".
    #[error("already known: {hash}")]
    AlreadyKnown {
        /// The transaction's hash.
        hash: B256,
    },
    /// Signed for another chain. geth: "invalid chain id for signer".
    #[error("invalid chain id: have {got}, want {expected}")]
    WrongChainId {
        /// This chain's ID.
        expected: u64,
        /// The ID the transaction carries.
        got: u64,
    },
    /// A legacy transaction without a chain ID while the policy refuses them.
    /// geth: "only replay-protected (EIP-155) transactions allowed over RPC".
    #[error("only replay-protected (EIP-155) transactions allowed")]
    UnprotectedLegacy,
    /// The nonce was already used. geth: "nonce too low".
    #[error("nonce too low: address {address}, tx: {tx_nonce} state: {state_nonce}")]
    NonceTooLow {
        /// The sender.
        address: Address,
        /// The transaction's nonce.
        tx_nonce: u64,
        /// The account's next nonce.
        state_nonce: u64,
    },
    /// The nonce is 2^64 - 1, which EIP-2681 forbids (the account nonce could not advance past it).
    /// geth: "nonce has max value".
    #[error("nonce has max value: address {address}, nonce {nonce}")]
    NonceMax {
        /// The sender.
        address: Address,
        /// The transaction's nonce.
        nonce: u64,
    },
    /// The balance does not cover `gas * fee cap + value` plus the L1 data fee.
    /// geth: "insufficient funds for gas * price + value".
    #[error(
        "insufficient funds for gas * price + value: address {address} have {balance} want {cost} (supplied gas {gas_limit})"
    )]
    InsufficientFunds {
        /// The sender.
        address: Address,
        /// The sender's balance.
        balance: U256,
        /// The transaction's maximum cost, L1 data fee included.
        cost: U256,
        /// The transaction's gas limit.
        gas_limit: u64,
    },
    /// The balance covers this transaction alone but not together with the sender's earlier pooled ones.
    /// geth: "transaction would cause overdraft".
    #[error("transaction would cause overdraft: address {address} have {balance} want {cumulative_cost}")]
    Overdraft {
        /// The sender.
        address: Address,
        /// The sender's balance.
        balance: U256,
        /// Cost of the sender's pooled transactions with lower nonces plus this one.
        cumulative_cost: U256,
    },
    /// The gas limit is below the intrinsic gas (calldata, access list, creation, authorizations).
    /// geth: "intrinsic gas too low".
    #[error("intrinsic gas too low: gas {gas_limit}, minimum needed {intrinsic}")]
    IntrinsicGasTooLow {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The intrinsic gas.
        intrinsic: u64,
    },
    /// The gas limit is below the EIP-7623 calldata floor. geth: "insufficient gas for floor data gas cost".
    #[error("insufficient gas for floor data gas cost: gas {gas_limit}, minimum needed {floor}")]
    FloorDataGasTooLow {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The floor data gas.
        floor: u64,
    },
    /// The gas limit is above the block gas limit minus the gas kept for system deposits.
    /// geth: "exceeds block gas limit".
    #[error("exceeds block gas limit: gas {gas_limit}, limit {limit}")]
    GasLimitExceeded {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The effective limit: block gas limit minus the system-deposit margin.
        limit: u64,
    },
    /// The tip is below the pool's minimum. geth: "transaction underpriced".
    #[error("transaction underpriced: gas tip cap {tip}, minimum needed {minimum}")]
    Underpriced {
        /// The transaction's tip cap.
        tip: u128,
        /// The pool's minimum tip.
        minimum: u128,
    },
    /// The tip cap exceeds the fee cap. geth: "max priority fee per gas higher than max fee per gas".
    #[error("max priority fee per gas higher than max fee per gas: tip {tip}, fee cap {fee_cap}")]
    TipAboveFeeCap {
        /// The tip cap.
        tip: u128,
        /// The fee cap.
        fee_cap: u128,
    },
    /// The encoding is larger than the pool accepts. geth: "oversized data".
    #[error("oversized data: transaction size {size}, limit {max}")]
    Oversized {
        /// The EIP-2718 encoding's length.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A contract creation whose init code exceeds EIP-3860's limit. geth: "max initcode size exceeded".
    #[error("max initcode size exceeded: code size {size}, limit {max}")]
    InitcodeTooLarge {
        /// The init code's length.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// An EIP-7702 transaction without authorizations. geth: "EIP-7702 transaction with empty auth list".
    #[error("EIP-7702 transaction with empty auth list")]
    EmptyAuthorizationList,
    /// Same sender and nonce as a pooled transaction, without the required fee bump on both the fee cap and
    /// the tip. geth: "replacement transaction underpriced".
    #[error("replacement transaction underpriced: needs +{bump_percent}% over {existing}")]
    ReplacementUnderpriced {
        /// The pooled transaction it would replace.
        existing: B256,
        /// The required bump, in percent.
        bump_percent: u128,
    },
    /// The sender already holds as many transactions as allowed. geth: "account limit exceeded".
    #[error("account limit exceeded: address {address} holds {limit} transactions")]
    SenderFull {
        /// The sender.
        address: Address,
        /// The per-sender cap.
        limit: usize,
    },
    /// The pool is full and nothing in it is cheaper than the newcomer. geth: "txpool is full".
    #[error("txpool is full")]
    PoolFull,
    /// The owner's admission hook refused it (for interop: an invalid executing message).
    #[error("transaction rejected: {0}")]
    Rejected(#[from] AdmissionRejection),
}
