//! Errors, and how they reach the client: JSON-RPC codes and messages as geth (and anvil) write them, so
//! cast, viem and ethers classify them the same way.
//!
//! | code | meaning |
//! |---|---|
//! | -32700 / -32600 / -32601 | parse error, invalid request, method not found (jsonrpsee answers these) |
//! | -32602 | invalid params |
//! | -32603 | internal error |
//! | -32000 | server error with geth's message (`nonce too low: ...`, `header not found`, ...) |
//! | -32005 | limit exceeded (log block range) |
//! | 3 | `execution reverted: <reason>`, the revert data in `data` (0x-hex) |

use alloy_eips::BlockId;
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::{Panic, Revert, SolError};
use jsonrpsee::types::ErrorObjectOwned;

/// JSON-RPC code for invalid method parameters.
pub const INVALID_PARAMS_CODE: i32 = -32602;
/// JSON-RPC code for an internal error.
pub const INTERNAL_ERROR_CODE: i32 = -32603;
/// JSON-RPC code for a method this server or backend does not provide.
pub const METHOD_NOT_FOUND_CODE: i32 = -32601;
/// geth's code for server-side failures (rejected transactions, unknown blocks, ...).
pub const SERVER_ERROR_CODE: i32 = -32000;
/// EIP-1474's code for a request that exceeds a limit of the server.
pub const LIMIT_EXCEEDED_CODE: i32 = -32005;
/// geth's code for an execution that reverted; the revert data travels in `data`.
pub const EXECUTION_REVERTED_CODE: i32 = 3;

/// Why the pool or the chain refused a transaction; the messages are geth's, word for word, because clients
/// match on them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxRejection {
    /// The sender's next nonce is above the transaction's.
    #[error("nonce too low: next nonce {next}, tx nonce {tx}")]
    NonceTooLow {
        /// The account's next nonce.
        next: u64,
        /// The transaction's nonce.
        tx: u64,
    },
    /// The transaction's nonce is too far above the account's next nonce.
    #[error("nonce too high: next nonce {next}, tx nonce {tx}")]
    NonceTooHigh {
        /// The account's next nonce.
        next: u64,
        /// The transaction's nonce.
        tx: u64,
    },
    /// The sender cannot pay `gas * price + value`.
    #[error("insufficient funds for gas * price + value: address {address} have {have} want {want}")]
    InsufficientFunds {
        /// The sender.
        address: Address,
        /// The sender's balance.
        have: U256,
        /// What the transaction may cost at most.
        want: U256,
    },
    /// The gas limit is below the intrinsic gas of the transaction.
    #[error("intrinsic gas too low: gas {gas}, minimum needed {minimum}")]
    IntrinsicGasTooLow {
        /// The transaction's gas limit.
        gas: u64,
        /// The intrinsic gas.
        minimum: u64,
    },
    /// The gas limit exceeds the block gas limit.
    #[error("exceeds block gas limit")]
    GasLimitExceeded,
    /// A transaction with the same sender and nonce is in the pool and this one does not bump its price enough.
    #[error("replacement transaction underpriced")]
    ReplacementUnderpriced,
    /// The very same transaction is already in the pool.
    #[error("already known")]
    AlreadyKnown,
    /// The fee is below the pool's minimum.
    #[error("transaction underpriced")]
    Underpriced,
    /// The max fee per gas is below the base fee of the next block.
    #[error(
        "max fee per gas less than block base fee: address {address}, maxFeePerGas: {max_fee} baseFee: {base_fee}"
    )]
    FeeCapTooLow {
        /// The sender.
        address: Address,
        /// The transaction's max fee per gas.
        max_fee: u128,
        /// The next block's base fee.
        base_fee: u128,
    },
    /// The transaction is signed for another chain.
    #[error("invalid chain id for signer: have {have} want {want}")]
    WrongChainId {
        /// The transaction's chain ID.
        have: u64,
        /// This chain's ID.
        want: u64,
    },
    /// The signature does not recover to a sender.
    #[error("invalid sender")]
    InvalidSender,
    /// The bytes are not a transaction this chain accepts (bad RLP, unknown type, deposit from the outside).
    #[error("{0}")]
    Malformed(String),
    /// The transaction declares executing messages that are not valid.
    #[error("invalid executing message: {0}")]
    InvalidExecutingMessage(String),
    /// Any other refusal, with geth's message.
    #[error("{0}")]
    Other(String),
}

/// What a backend operation can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The block a state query or call names does not exist (geth: `header not found`).
    #[error("header not found")]
    BlockNotFound {
        /// The block that was asked for.
        block: BlockId,
    },
    /// An EIP-1898 `requireCanonical` block hash names a block off the canonical chain.
    #[error("hash {hash} is not currently canonical")]
    NotCanonical {
        /// The non-canonical block hash.
        hash: B256,
    },
    /// The transaction was refused.
    #[error(transparent)]
    Rejected(#[from] TxRejection),
    /// The call reverted; `data` is the revert data (an `Error(string)`, a `Panic(uint256)` or a custom error).
    #[error("{}", revert_message(.data))]
    Reverted {
        /// The revert data.
        data: Bytes,
    },
    /// The execution halted without reverting (out of gas, invalid opcode, ...); geth's wording.
    #[error("{0}")]
    Halted(String),
    /// `eth_estimateGas` found no gas limit under the cap that makes the call succeed.
    #[error("gas required exceeds allowance ({cap})")]
    GasRequiredExceedsAllowance {
        /// The largest gas limit tried.
        cap: u64,
    },
    /// `eth_sendTransaction` from an account that is neither a dev account nor impersonated.
    #[error("unknown account {0}")]
    UnknownAccount(Address),
    /// A parameter is well-formed JSON but not acceptable (e.g. an override the chain cannot apply).
    #[error("invalid params: {0}")]
    InvalidParams(String),
    /// The backend does not provide this operation.
    #[error("method not supported: {0}")]
    Unsupported(&'static str),
    /// A failure the chain reports with its own message (state no longer kept, a deposit that could not
    /// run, ...), answered as a -32000 server error.
    #[error("{0}")]
    Server(String),
    /// Something failed inside the backend.
    #[error("internal error: {0}")]
    Internal(String),
}

impl BackendError {
    /// A revert carrying `data`.
    pub fn reverted(data: impl Into<Bytes>) -> Self {
        BackendError::Reverted { data: data.into() }
    }
}

/// The decoded reason of a revert, as geth prints it: `Error(string)` gives the string, `Panic(uint256)` its
/// description; custom errors and empty data give no reason.
pub fn revert_reason(data: &[u8]) -> Option<String> {
    if data.starts_with(&Revert::SELECTOR) {
        return Revert::abi_decode(data).ok().map(|revert| revert.reason);
    }
    if data.starts_with(&Panic::SELECTOR) {
        return Panic::abi_decode(data).ok().map(|panic| panic.to_string());
    }
    None
}

/// `execution reverted` followed by `: <reason>` when the data carries one.
pub fn revert_message(data: &[u8]) -> String {
    match revert_reason(data) {
        Some(reason) => format!("execution reverted: {reason}"),
        None => "execution reverted".to_string(),
    }
}

/// An error of the server itself (before or around the backend).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    /// The backend failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// The `eth_getLogs` range is wider than the server allows.
    #[error("block range too large: {requested} blocks requested, at most {max} allowed")]
    LogRangeTooLarge {
        /// Blocks in the requested range.
        requested: u64,
        /// The configured maximum.
        max: u64,
    },
    /// `fromBlock` is after `toBlock`.
    #[error("invalid block range params: fromBlock {from} is after toBlock {to}")]
    InvertedRange {
        /// The resolved `fromBlock`.
        from: u64,
        /// The resolved `toBlock`.
        to: u64,
    },
    /// No installed filter has this ID (never installed, uninstalled, or expired while idle).
    #[error("filter not found")]
    FilterNotFound,
    /// `eth_getFilterLogs` on a block or pending-transaction filter.
    #[error("filter is not a log filter")]
    NotALogFilter,
    /// A parameter was rejected by the server.
    #[error("invalid params: {0}")]
    InvalidParams(String),
    /// The subscription kind is not served.
    #[error("unsupported subscription kind: {0}")]
    UnsupportedSubscription(String),
}

impl From<RpcError> for ErrorObjectOwned {
    fn from(error: RpcError) -> Self {
        let message = error.to_string();
        match error {
            RpcError::Backend(backend) => backend.into(),
            RpcError::LogRangeTooLarge { .. } => {
                ErrorObjectOwned::owned(LIMIT_EXCEEDED_CODE, message, None::<()>)
            }
            RpcError::InvertedRange { .. }
            | RpcError::InvalidParams(_)
            | RpcError::UnsupportedSubscription(_) => {
                ErrorObjectOwned::owned(INVALID_PARAMS_CODE, message, None::<()>)
            }
            RpcError::FilterNotFound | RpcError::NotALogFilter => {
                ErrorObjectOwned::owned(SERVER_ERROR_CODE, message, None::<()>)
            }
        }
    }
}

impl From<BackendError> for ErrorObjectOwned {
    fn from(error: BackendError) -> Self {
        let message = error.to_string();
        match error {
            BackendError::Reverted { data } => {
                ErrorObjectOwned::owned(EXECUTION_REVERTED_CODE, message, Some(data.to_string()))
            }
            BackendError::InvalidParams(_) => {
                ErrorObjectOwned::owned(INVALID_PARAMS_CODE, message, None::<()>)
            }
            BackendError::Unsupported(_) => {
                ErrorObjectOwned::owned(METHOD_NOT_FOUND_CODE, message, None::<()>)
            }
            BackendError::Internal(_) => ErrorObjectOwned::owned(INTERNAL_ERROR_CODE, message, None::<()>),
            BackendError::BlockNotFound { .. }
            | BackendError::NotCanonical { .. }
            | BackendError::Rejected(_)
            | BackendError::Halted(_)
            | BackendError::GasRequiredExceedsAllowance { .. }
            | BackendError::UnknownAccount(_)
            | BackendError::Server(_) => ErrorObjectOwned::owned(SERVER_ERROR_CODE, message, None::<()>),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revert_with_error_string_reads_like_geth() {
        let data = Revert::from("not owner").abi_encode();
        let object = ErrorObjectOwned::from(BackendError::reverted(data.clone()));
        assert_eq!(object.code(), EXECUTION_REVERTED_CODE);
        assert_eq!(object.message(), "execution reverted: not owner");
        let carried: String = serde_json::from_str(object.data().map(|d| d.get()).unwrap_or("null")).unwrap();
        assert_eq!(carried, Bytes::from(data).to_string());
    }

    #[test]
    fn custom_error_keeps_its_data_and_gives_no_reason() {
        // selector of `NotInAccessList()` followed by nothing: no string to decode.
        let data = alloy_primitives::keccak256("NotInAccessList()")[..4].to_vec();
        let object = ErrorObjectOwned::from(BackendError::reverted(data.clone()));
        assert_eq!(object.message(), "execution reverted");
        assert!(object.data().unwrap().get().contains(&alloy_primitives::hex::encode(&data)));
    }

    #[test]
    fn panic_is_described() {
        let data = Panic::from(U256::from(1)).abi_encode();
        assert!(revert_message(&data).starts_with("execution reverted: "));
        assert!(revert_message(&data).contains("assert"), "{}", revert_message(&data));
    }

    #[test]
    fn rejections_are_server_errors_with_geth_messages() {
        let object = ErrorObjectOwned::from(BackendError::from(TxRejection::NonceTooLow { next: 5, tx: 3 }));
        assert_eq!(object.code(), SERVER_ERROR_CODE);
        assert_eq!(object.message(), "nonce too low: next nonce 5, tx nonce 3");
        let object = ErrorObjectOwned::from(RpcError::LogRangeTooLarge { requested: 20_001, max: 10_000 });
        assert_eq!(object.code(), LIMIT_EXCEEDED_CODE);
    }
}
