//! Durable per-chain index of blocks and logs with safety heads, for the interop verifier.
//!
//! For every chain of the dependency set the verifier keeps a [`LogDb`]: one redb file holding, per block,
//! its number, hash, parent hash and timestamp, the hash of every log (`keccak256(origin ++ payloadHash)`),
//! the decoded identifier and msgHash of every executing message, and the chain's safety heads. It answers
//! "does chain C have, in canonical block N, a log at index I, with which hash, and what are block N's hash
//! and timestamp?" ([`LogDb::log`]) in one B-tree lookup, or from memory for recent blocks.
//!
//! Appends are checked for continuity and are atomic; [`LogDb::rewind_to`] undoes a reorg; a crash leaves a
//! consistent prefix. The byte layout is documented in [`layout`] and [`codec`]; [`LogDb::check_invariants`]
//! walks a store and checks it.
//!
//! ```
//! use alloy_primitives::B256;
//! use superlink_logdb::{BlockSeal, LogDb, LogDbConfig, LogEntry, SafetyHead};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let db = LogDb::open(dir.path().join("chain-901.redb"), LogDbConfig::default())?;
//! let seal = BlockSeal { number: 7, hash: B256::repeat_byte(7), parent_hash: B256::ZERO, timestamp: 1000 };
//! db.append_block(seal, &[LogEntry::plain(B256::repeat_byte(0xaa))])?;
//! let (log, block) = db.log(7, 0)?.ok_or("log 0 of block 7 is indexed")?;
//! assert_eq!((log.log_hash, block.timestamp), (B256::repeat_byte(0xaa), 1000));
//! db.set_head(SafetyHead::CrossUnsafe, seal.id())?;
//! db.check_invariants()?;
//! # Ok(())
//! # }
//! ```

pub mod cache;
pub mod codec;
pub mod error;
pub mod layout;
pub mod store;
pub mod types;

pub use codec::CodecError;
pub use error::{ConflictReason, LogDbError};
pub use layout::chain_db_path;
pub use store::{DEFAULT_CACHE_BYTES, DiskUsage, IndexSummary, LogDb, LogDbConfig, SyncPolicy};
pub use types::{
    BlockId, BlockSeal, BlockWithLogs, ExecMessage, Heads, IndexedExecMessage, LogEntry, MessageIdentifier,
    SafetyHead,
};
