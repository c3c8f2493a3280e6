//! Typed errors of the verifier, and the stable JSON-RPC codes the supervisor API reports them with.

use std::net::SocketAddr;

use alloy_primitives::{B256, U256};

use superlink_protocol::SafetyLevel;

use crate::chain_data::ChainId;

/// The supervisor API's data-availability error codes (6 digits: `32`, the gRPC category, an index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ErrorCode {
    /// The chain's database holds no data yet.
    UninitializedChainDatabase = -320400,
    /// The data is not available (pruned, or before the indexed range).
    SkippedData = -320500,
    /// The chain is not in the dependency set.
    UnknownChain = -320501,
    /// The index knows for sure that the canonical data differs.
    ConflictingData = -320600,
    /// The data was accepted but changed nothing.
    IneffectiveData = -320601,
    /// The data does not fit onto the latest data.
    OutOfOrder = -320900,
    /// A replacement block is needed before progress can be made.
    AwaitingReplacementBlock = -320901,
    /// The data is outside the allowed scope.
    OutOfScope = -321100,
    /// The first block of the index has no known parent.
    CannotGetParentOfFirstBlock = -321200,
    /// The data is not available yet.
    FutureData = -321401,
    /// The data should be there but is not.
    MissedData = -321500,
    /// The underlying storage failed.
    DataCorruption = -321501,
}

impl ErrorCode {
    /// Every code, in the order of the supervisor API's table.
    pub const ALL: [ErrorCode; 12] = [
        ErrorCode::UninitializedChainDatabase,
        ErrorCode::SkippedData,
        ErrorCode::UnknownChain,
        ErrorCode::ConflictingData,
        ErrorCode::IneffectiveData,
        ErrorCode::OutOfOrder,
        ErrorCode::AwaitingReplacementBlock,
        ErrorCode::OutOfScope,
        ErrorCode::CannotGetParentOfFirstBlock,
        ErrorCode::FutureData,
        ErrorCode::MissedData,
        ErrorCode::DataCorruption,
    ];

    /// The numeric JSON-RPC error code.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The code with this number, if it is one of the table's.
    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// The JSON-RPC code of invalid method parameters.
pub const INVALID_PARAMS: i32 = -32602;

/// Why a chain source could not deliver data.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The node's JSON-RPC call failed (transport or node error).
    #[error("chain {chain_id}: `{method}` failed: {reason}")]
    Rpc {
        /// The chain whose node was asked.
        chain_id: ChainId,
        /// The JSON-RPC method.
        method: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The node answered with data that contradicts itself or the request.
    #[error("chain {chain_id}: inconsistent answer for block {number}: {reason}")]
    Inconsistent {
        /// The chain whose node was asked.
        chain_id: ChainId,
        /// The block asked for.
        number: u64,
        /// What did not match.
        reason: String,
    },
    /// A block the node previously reported is missing.
    #[error("chain {chain_id}: block {number} is not available")]
    MissingBlock {
        /// The chain whose node was asked.
        chain_id: ChainId,
        /// The missing block.
        number: u64,
    },
    /// The client could not be built.
    #[error("chain {chain_id}: cannot connect to {url}: {reason}")]
    Connect {
        /// The chain whose node is configured.
        chain_id: ChainId,
        /// The configured URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// Why a `check_access_list` call did not accept the access list. Each maps to a stable JSON-RPC code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// The entries do not form a well-formed sequence of lookup, optional chain-ID extension and checksum.
    #[error("malformed access list: {0}")]
    Malformed(String),
    /// The requested minimum safety cannot be checked (only unsafe..finalized are allowed).
    #[error("unsupported minimum safety level `{0}`")]
    UnsupportedSafety(SafetyLevel),
    /// The message's chain is not in the dependency set (of the executing chain, when it is given).
    #[error("chain {0} is not in the dependency set")]
    UnknownChain(String),
    /// The executing chain given in the descriptor is not in the dependency set.
    #[error("executing chain {0} is not in the dependency set")]
    UnknownExecutingChain(String),
    /// The referenced block has not been indexed yet.
    #[error("chain {chain_id} block {number} is not known yet")]
    FutureBlock {
        /// Source chain.
        chain_id: ChainId,
        /// Referenced block.
        number: u64,
    },
    /// The referenced block precedes the indexed range.
    #[error("chain {chain_id} block {number} is before the indexed range (first indexed block {first})")]
    SkippedBlock {
        /// Source chain.
        chain_id: ChainId,
        /// Referenced block.
        number: u64,
        /// First indexed block of that chain.
        first: u64,
    },
    /// The referenced block has no log at the given index.
    #[error("chain {chain_id} block {number} has no log at index {log_index}")]
    NoSuchLog {
        /// Source chain.
        chain_id: ChainId,
        /// Referenced block.
        number: u64,
        /// Referenced log index.
        log_index: u32,
    },
    /// The identifier's timestamp is not the source block's timestamp.
    #[error("chain {chain_id} block {number} has timestamp {actual}, the message claims {claimed}")]
    TimestampMismatch {
        /// Source chain.
        chain_id: ChainId,
        /// Referenced block.
        number: u64,
        /// The block's timestamp.
        actual: u64,
        /// The identifier's timestamp.
        claimed: u64,
    },
    /// The checksum does not match the log at the referenced position (forged payload or origin).
    #[error("checksum {claimed} does not match the log at chain {chain_id} block {number} index {log_index}")]
    ChecksumMismatch {
        /// Source chain.
        chain_id: ChainId,
        /// Referenced block.
        number: u64,
        /// Referenced log index.
        log_index: u32,
        /// The claimed checksum.
        claimed: B256,
    },
    /// The message is not initiated strictly before the executing timestamp.
    #[error("message timestamp {message} is not before the executing timestamp {executing}")]
    FromTheFuture {
        /// The message's timestamp.
        message: u64,
        /// The executing timestamp.
        executing: u64,
    },
    /// The message expires before `timestamp + timeout` of the executing descriptor.
    #[error("message of timestamp {message} expires at {expires_at}, before {needed_until}")]
    Expired {
        /// The message's timestamp.
        message: u64,
        /// Last timestamp at which it may be executed.
        expires_at: u64,
        /// Until when validity was requested.
        needed_until: u64,
    },
    /// The source block is valid so far but not yet at the requested safety.
    #[error("chain {chain_id} block {number} is {actual}, below the requested {required}")]
    BelowSafety {
        /// Source chain.
        chain_id: ChainId,
        /// Referenced block.
        number: u64,
        /// The block's current level.
        actual: SafetyLevel,
        /// The requested minimum.
        required: SafetyLevel,
    },
    /// The source block was found invalid at the requested level.
    #[error("chain {chain_id} block {number} is invalid: {reason}")]
    InvalidSource {
        /// Source chain.
        chain_id: ChainId,
        /// Referenced block.
        number: u64,
        /// Why it is invalid.
        reason: String,
    },
    /// The executing block would be before the executing chain's interop activation, or its activation block.
    #[error(
        "chain {chain_id} does not execute messages at {timestamp}: interop activates at {activation_time}"
    )]
    ExecutedBeforeActivation {
        /// The executing chain.
        chain_id: U256,
        /// The executing timestamp.
        timestamp: u64,
        /// The executing chain's activation time.
        activation_time: u64,
    },
    /// The source block is before its chain's interop activation, or is its activation block.
    #[error(
        "chain {chain_id} block {number} at {initiated} is not after interop activation at {activation_time}"
    )]
    InitiatedBeforeActivation {
        /// Source chain.
        chain_id: ChainId,
        /// Referenced block.
        number: u64,
        /// The source block's timestamp.
        initiated: u64,
        /// The source chain's activation time.
        activation_time: u64,
    },
    /// The transaction declares more `CrossL2Inbox` entries than a pool admits
    /// ([`crate::MAX_INBOX_ENTRIES`]); none of them was checked.
    #[error("too many CrossL2Inbox access-list entries: {count} declared, at most {max} per transaction")]
    TooManyEntries {
        /// How many the transaction declares.
        count: usize,
        /// The most allowed.
        max: usize,
    },
    /// The verifier has not caught up with its chains yet ([`crate::ReadinessPolicy`]): it judges nothing until
    /// it has, and says why.
    #[error("verifier not ready: {0}")]
    NotReady(String),
    /// A remote checker refused the access list with one of the supervisor API's codes.
    #[error("remote check refused ({code:?}): {message}")]
    Refused {
        /// The code.
        code: ErrorCode,
        /// The remote's message.
        message: String,
    },
    /// A remote checker found the request's parameters invalid.
    #[error("remote check rejected the request: {0}")]
    InvalidRequest(String),
    /// A remote checker could not be reached or answered with an unknown error.
    #[error("remote check failed (code {code}): {message}")]
    Remote {
        /// The JSON-RPC error code (0 for transport errors).
        code: i32,
        /// The message.
        message: String,
    },
}

impl CheckError {
    /// The stable JSON-RPC code of this error.
    pub fn code(&self) -> i32 {
        match self {
            CheckError::Malformed(_)
            | CheckError::UnsupportedSafety(_)
            | CheckError::InvalidRequest(_)
            | CheckError::TooManyEntries { .. } => INVALID_PARAMS,
            CheckError::UnknownChain(_) | CheckError::UnknownExecutingChain(_) => {
                ErrorCode::UnknownChain.code()
            }
            CheckError::FutureBlock { .. } | CheckError::BelowSafety { .. } => ErrorCode::FutureData.code(),
            CheckError::NotReady(_) => ErrorCode::UninitializedChainDatabase.code(),
            CheckError::SkippedBlock { .. } => ErrorCode::SkippedData.code(),
            CheckError::NoSuchLog { .. }
            | CheckError::TimestampMismatch { .. }
            | CheckError::ChecksumMismatch { .. }
            | CheckError::FromTheFuture { .. }
            | CheckError::Expired { .. }
            | CheckError::InvalidSource { .. }
            | CheckError::ExecutedBeforeActivation { .. }
            | CheckError::InitiatedBeforeActivation { .. } => ErrorCode::ConflictingData.code(),
            CheckError::Refused { code, .. } => code.code(),
            CheckError::Remote { code, .. } => *code,
        }
    }
}

impl CheckError {
    /// The error a remote checker's JSON-RPC error stands for: a table code becomes [`CheckError::Refused`],
    /// invalid parameters [`CheckError::InvalidRequest`], anything else [`CheckError::Remote`].
    pub fn from_rpc(code: i32, message: String) -> Self {
        match ErrorCode::from_code(code) {
            Some(code) => CheckError::Refused { code, message },
            None if code == INVALID_PARAMS => CheckError::InvalidRequest(message),
            None => CheckError::Remote { code, message },
        }
    }

    /// Whether the access list is invalid for good (a tx-pool evicts on this), rather than not yet valid,
    /// unknown to the checker, or unanswered.
    pub fn is_invalid(&self) -> bool {
        self.code() == ErrorCode::ConflictingData.code()
    }
}

/// Why the durable index could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("index database: {context}: {reason}")]
    Database {
        /// What was being done.
        context: String,
        /// The underlying error.
        reason: String,
    },
    /// Stored bytes could not be decoded.
    #[error("index database: corrupt record {context}")]
    Corrupt {
        /// Which record.
        context: String,
    },
    /// A block does not extend the indexed chain.
    #[error("chain {chain_id}: block {number} does not extend the index (expected block {expected})")]
    OutOfOrder {
        /// The chain.
        chain_id: ChainId,
        /// The block offered.
        number: u64,
        /// The block expected next.
        expected: u64,
    },
}

/// Why a read of the verifier's state over RPC failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The chain is not in the dependency set.
    #[error("chain {0} is not in the dependency set")]
    UnknownChain(String),
    /// The chain has no indexed data yet.
    #[error("chain {0} has no indexed data yet")]
    Uninitialized(ChainId),
    /// The requested data is not known yet.
    #[error("{0}")]
    Future(String),
    /// The requested data is not available.
    #[error("{0}")]
    Unavailable(String),
    /// Reading the chain's node failed.
    #[error("{0}")]
    Source(String),
}

impl QueryError {
    /// The stable JSON-RPC code of this error.
    pub fn code(&self) -> i32 {
        match self {
            QueryError::UnknownChain(_) => ErrorCode::UnknownChain.code(),
            QueryError::Uninitialized(_) => ErrorCode::UninitializedChainDatabase.code(),
            QueryError::Future(_) => ErrorCode::FutureData.code(),
            QueryError::Unavailable(_) => ErrorCode::SkippedData.code(),
            QueryError::Source(_) => ErrorCode::MissedData.code(),
        }
    }
}

/// Why the verifier service stopped or could not start.
#[derive(Debug, thiserror::Error)]
pub enum VerifierError {
    /// The configuration is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The durable index failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A chain source failed in a way the verifier cannot retry.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The RPC server could not bind.
    #[error("cannot serve RPC on {addr}: {reason}")]
    Serve {
        /// The listen address.
        addr: SocketAddr,
        /// What went wrong.
        reason: String,
    },
    /// An extra RPC method to serve next to the verifier's has the name of one of the verifier's own.
    #[error("cannot serve the extra RPC method {method}: the verifier already serves a method of that name")]
    MethodClash {
        /// The method's name.
        method: String,
    },
    /// The metrics exporter could not start.
    #[error("cannot serve metrics on {addr}: {reason}")]
    Metrics {
        /// The listen address.
        addr: SocketAddr,
        /// What went wrong.
        reason: String,
    },
    /// A derivation record does not fit what was recorded before.
    #[error("chain {chain}: derivation record refused: {reason}")]
    Derivation {
        /// The chain.
        chain: u64,
        /// Why.
        reason: String,
    },
}
