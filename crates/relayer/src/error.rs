//! Errors of chain access and of relaying, each able to say whether trying again later can help.

use alloy_primitives::{B256, Bytes, U256};

use crate::revert::RelayRevert;

/// A failed request to a chain.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ChainError {
    /// The node could not be reached, or did not answer in time.
    #[error("{endpoint} is not reachable: {reason}")]
    Unreachable {
        /// Where the node was expected (a URL, or a name for in-process chains).
        endpoint: String,
        /// What the transport reported.
        reason: String,
    },
    /// The node answered a JSON-RPC error.
    #[error("{method} failed on {endpoint}: {message} (code {code})")]
    Rpc {
        /// Where the node is.
        endpoint: String,
        /// The method called.
        method: &'static str,
        /// The JSON-RPC error code.
        code: i64,
        /// The error message.
        message: String,
    },
    /// A call or gas estimate reverted; `data` is the revert data (empty when the node sent none).
    #[error("{method} reverted on {endpoint}: {message}")]
    Reverted {
        /// Where the node is.
        endpoint: String,
        /// The method called.
        method: &'static str,
        /// The node's message.
        message: String,
        /// The revert data.
        data: Bytes,
    },
    /// The node's answer did not have the expected shape.
    #[error("unexpected answer to {method} from {endpoint}: {reason}")]
    Decode {
        /// Where the node is.
        endpoint: String,
        /// The method called.
        method: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// The endpoint given is not a usable URL.
    #[error("`{endpoint}` is not a usable JSON-RPC URL: {reason}")]
    BadEndpoint {
        /// The text given.
        endpoint: String,
        /// Why it cannot be used.
        reason: String,
    },
}

impl ChainError {
    /// Whether the same request can succeed later: the node was unreachable, or it refused with an error that
    /// is not a revert (a transaction pool refusing a transaction whose source block it does not know yet, a
    /// nonce race, a rate limit).
    pub fn is_transient(&self) -> bool {
        matches!(self, ChainError::Unreachable { .. } | ChainError::Rpc { .. })
    }

    /// Whether a node refused a transaction because of its nonce (already used, or replaced).
    pub fn is_nonce_conflict(&self) -> bool {
        match self {
            ChainError::Rpc { message, .. } => {
                let m = message.to_ascii_lowercase();
                m.contains("nonce") || m.contains("already known") || m.contains("replacement")
            }
            _ => false,
        }
    }
}

/// Why building or relaying a message failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RelayError {
    /// A request to a chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The source transaction is not known to the source chain (yet).
    #[error("transaction {tx} is not known to the source chain (no receipt)")]
    TransactionNotFound {
        /// The transaction asked for.
        tx: B256,
    },
    /// The source transaction emitted no `SentMessage` of the messenger.
    #[error(
        "transaction {tx} sent no cross-chain message (no SentMessage log of L2ToL2CrossDomainMessenger)"
    )]
    NoSentMessage {
        /// The transaction asked for.
        tx: B256,
    },
    /// The source transaction has no `SentMessage` at the log index asked for.
    #[error("transaction {tx} has no SentMessage log at block log index {log_index}")]
    NoSentMessageAtIndex {
        /// The transaction asked for.
        tx: B256,
        /// The log index asked for.
        log_index: u32,
    },
    /// The messenger emitted a log that does not decode as a `SentMessage`.
    #[error("malformed SentMessage log: {0}")]
    MalformedLog(String),
    /// The source block's data is inconsistent (missing fields, or the block changed under us).
    #[error("source block data is inconsistent: {0}")]
    InconsistentSource(String),
    /// The message is addressed to another chain than the destination given.
    #[error("message {message_hash} is for chain {destination}, not for chain {chain_id}")]
    WrongDestination {
        /// The message.
        message_hash: B256,
        /// The chain it is for.
        destination: U256,
        /// The chain it was going to be relayed on.
        chain_id: U256,
    },
    /// The destination chain's messenger has already relayed the message.
    #[error("message {message_hash} has already been relayed on chain {chain_id}")]
    AlreadyRelayed {
        /// The message.
        message_hash: B256,
        /// The destination chain.
        chain_id: U256,
    },
    /// Simulating the relay on the destination reverted: sending it would fail.
    #[error("relaying message {message_hash} would revert: {reason}")]
    Refused {
        /// The message.
        message_hash: B256,
        /// The decoded reason.
        reason: RelayRevert,
    },
    /// The relay transaction was mined but reverted.
    #[error("relay transaction {tx} of message {message_hash} reverted on chain (gas used {gas_used})")]
    RevertedOnChain {
        /// The message.
        message_hash: B256,
        /// The relay transaction.
        tx: B256,
        /// Gas it used.
        gas_used: u64,
    },
    /// The relay transaction was not mined in time.
    #[error("relay transaction {tx} was not mined within {waited_ms} ms")]
    ReceiptTimeout {
        /// The relay transaction.
        tx: B256,
        /// How long we waited.
        waited_ms: u128,
    },
    /// The payload given does not match the log the identifier points at on the source chain.
    #[error(
        "the payload does not match the SentMessage log at block {block_number}, log index {log_index} of chain {chain_id}"
    )]
    PayloadMismatch {
        /// The source chain.
        chain_id: U256,
        /// The block of the log.
        block_number: u64,
        /// The log index.
        log_index: u32,
    },
    /// Signing the transaction failed.
    #[error("signing the transaction failed: {0}")]
    Signing(String),
}

impl RelayError {
    /// Whether the relay can succeed if tried again later: the chains were unreachable or refused for a
    /// reason that passes (unknown source block, nonce race), the transaction was not mined in time, or the
    /// source transaction is not known yet. A message the target rejects, or addressed elsewhere, is final.
    pub fn is_retryable(&self) -> bool {
        match self {
            RelayError::Chain(e) => e.is_transient(),
            RelayError::TransactionNotFound { .. } | RelayError::ReceiptTimeout { .. } => true,
            RelayError::Refused { reason, .. } => reason.is_transient(),
            RelayError::RevertedOnChain { .. } => true,
            RelayError::NoSentMessage { .. }
            | RelayError::NoSentMessageAtIndex { .. }
            | RelayError::MalformedLog(_)
            | RelayError::InconsistentSource(_)
            | RelayError::WrongDestination { .. }
            | RelayError::AlreadyRelayed { .. }
            | RelayError::PayloadMismatch { .. }
            | RelayError::Signing(_) => false,
        }
    }
}
