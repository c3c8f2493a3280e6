//! Errors of the log index, with the supervisor RPC error code each maps to.

use alloy_primitives::B256;

use crate::{codec::CodecError, types::SafetyHead};

/// Supervisor RPC error code: conflicting data.
pub const CODE_CONFLICT: i32 = -320600;
/// Supervisor RPC error code: ineffective data (already known).
pub const CODE_INEFFECTIVE: i32 = -320601;
/// Supervisor RPC error code: out of order.
pub const CODE_OUT_OF_ORDER: i32 = -320900;
/// Supervisor RPC error code: cannot get parent of first block.
pub const CODE_PREVIOUS_TO_FIRST: i32 = -321200;
/// Supervisor RPC error code: future data.
pub const CODE_FUTURE_DATA: i32 = -321401;
/// Supervisor RPC error code: data corruption.
pub const CODE_DATA_CORRUPTION: i32 = -321501;

/// An error of the log index.
#[derive(Debug, thiserror::Error)]
pub enum LogDbError {
    /// The block does not extend the latest block: its number leaves a gap, or it precedes the first block.
    #[error("block {number} is out of order: expected block {expected}")]
    OutOfOrder {
        /// Number of the block offered.
        number: u64,
        /// Number the next block must have.
        expected: u64,
    },
    /// The block conflicts with what is stored: another block at that height, or a parent hash that is not
    /// the hash of the stored parent.
    #[error("block {number} ({hash}) conflicts with stored data: {reason}")]
    Conflict {
        /// Number of the block offered.
        number: u64,
        /// Hash of the block offered.
        hash: B256,
        /// What conflicts.
        reason: ConflictReason,
    },
    /// The block is already stored: nothing to do.
    #[error("block {number} ({hash}) is already stored")]
    Ineffective {
        /// Number of the block offered.
        number: u64,
        /// Its hash.
        hash: B256,
    },
    /// A head was set beyond the latest indexed block.
    #[error("cannot set the {level} head to block {number}: the latest indexed block is {latest:?}")]
    HeadBeyondLatest {
        /// The head being set.
        level: SafetyHead,
        /// Number requested.
        number: u64,
        /// The latest indexed block number, if any.
        latest: Option<u64>,
    },
    /// A head was set to a block that is not the canonical block at that height.
    #[error("cannot set the {level} head to block {number} ({hash}): not the canonical block at that height")]
    HeadNotCanonical {
        /// The head being set.
        level: SafetyHead,
        /// Number requested.
        number: u64,
        /// Hash requested.
        hash: B256,
    },
    /// The local-unsafe head is the latest block; it moves with appends and rewinds only.
    #[error("the local-unsafe head is the latest indexed block and cannot be set directly")]
    LocalUnsafeNotSettable,
    /// The L1 block a local-safe block was derived from precedes the one recorded for an earlier block.
    #[error(
        "block {number} derived from L1 block {l1_number}, before L1 block {previous_l1} of an earlier block"
    )]
    DerivedFromOutOfOrder {
        /// The local-safe block number.
        number: u64,
        /// The L1 block offered.
        l1_number: u64,
        /// The L1 block recorded for an earlier local-safe block.
        previous_l1: u64,
    },
    /// A rewind target precedes the first stored block.
    #[error("cannot rewind to block {number}: the first stored block is {first}")]
    RewindBeforeFirst {
        /// Requested target.
        number: u64,
        /// First stored block.
        first: u64,
    },
    /// The stored data violates an invariant of the index.
    #[error("data corruption: {0}")]
    Corrupt(String),
    /// A stored record could not be decoded.
    #[error("data corruption in the record of block {number}: {source}")]
    BadRecord {
        /// Block whose record is malformed.
        number: u64,
        /// What is wrong.
        #[source]
        source: CodecError,
    },
    /// The database was written by an incompatible version of the index.
    #[error("unsupported on-disk format version {found}, expected {expected}")]
    UnsupportedFormat {
        /// Version found in the file.
        found: u32,
        /// Version this code reads.
        expected: u32,
    },
    /// The storage engine failed.
    #[error("storage error: {0}")]
    Storage(#[from] redb::Error),
    /// A file system operation failed.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The path involved.
        path: std::path::PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Why a block conflicts with stored data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConflictReason {
    /// Another block is stored at that height.
    #[error("block {stored} is stored at that height")]
    DifferentBlock {
        /// Hash of the stored block.
        stored: B256,
    },
    /// The parent hash is not the hash of the latest stored block.
    #[error("its parent hash is not the latest block's hash {latest}")]
    ParentMismatch {
        /// Hash of the latest stored block.
        latest: B256,
    },
}

impl LogDbError {
    /// The supervisor RPC error code for this error, where one fits.
    pub const fn rpc_code(&self) -> Option<i32> {
        match self {
            LogDbError::OutOfOrder { .. } | LogDbError::DerivedFromOutOfOrder { .. } => {
                Some(CODE_OUT_OF_ORDER)
            }
            LogDbError::Conflict { .. } | LogDbError::HeadNotCanonical { .. } => Some(CODE_CONFLICT),
            LogDbError::Ineffective { .. } => Some(CODE_INEFFECTIVE),
            LogDbError::HeadBeyondLatest { .. } => Some(CODE_FUTURE_DATA),
            LogDbError::RewindBeforeFirst { .. } => Some(CODE_PREVIOUS_TO_FIRST),
            LogDbError::Corrupt(_) | LogDbError::BadRecord { .. } | LogDbError::UnsupportedFormat { .. } => {
                Some(CODE_DATA_CORRUPTION)
            }
            LogDbError::LocalUnsafeNotSettable | LogDbError::Storage(_) | LogDbError::Io { .. } => None,
        }
    }
}

macro_rules! storage_error_from {
    ($($ty:ty),*) => {$(
        impl From<$ty> for LogDbError {
            fn from(e: $ty) -> Self {
                LogDbError::Storage(e.into())
            }
        }
    )*};
}

storage_error_from!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);
