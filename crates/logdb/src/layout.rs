//! The on-disk layout: one redb database file per chain, and the tables inside it.
//!
//! # Files
//!
//! Each chain of the dependency set has its own database file, `chain-<chainId in decimal>.redb`, in the data
//! directory (see [`chain_db_path`]). One file per chain gives every chain its own writer, so chains are
//! indexed in parallel, and a chain can be dropped or rebuilt by deleting one file.
//!
//! # Tables
//!
//! | table          | key                        | value                                                      |
//! |----------------|----------------------------|------------------------------------------------------------|
//! | `meta`         | `&str` name                | `u64`; `format_version` = [`FORMAT_VERSION`]               |
//! | `blocks`       | `u64` block number         | block record: seal and all logs of the block (see below)   |
//! | `block_hashes` | `[u8; 32]` block hash      | `u64` block number                                         |
//! | `heads`        | `u8` head code             | 40-byte block reference                                    |
//! | `derived_from` | `u64` local-safe L2 number | 40-byte block reference of the L1 block it was derived from |
//!
//! redb stores a `u64` key or value as 8 little-endian bytes and orders `u64` keys numerically; `[u8; 32]`
//! keys are ordered bytewise.
//!
//! The block record is laid out byte for byte in [`crate::codec`]: block hash (32), parent hash (32),
//! timestamp (u64 big-endian), log count (u32 big-endian), the log hashes (32 each, so log `i` is found in
//! O(1)), then the executing messages (varint count, then per message: varint log index, msgHash, origin and
//! the identifier's four `uint256` words in a compact length-prefixed form). A block reference is the block
//! number (u64 big-endian) followed by the 32-byte hash.
//!
//! Head codes: 1 cross-unsafe, 2 local-safe, 3 cross-safe, 4 finalized. The local-unsafe head is not stored:
//! it is the last key of `blocks`.
//!
//! # Invariants
//!
//! [`crate::LogDb::check_invariants`] checks, after any sequence of operations and after a crash:
//! - the keys of `blocks` are contiguous; each record decodes completely; each block's parent hash is the
//!   hash of the block before it (the first block's parent is not checked);
//! - `block_hashes` holds exactly one entry per stored block, mapping its hash to its number;
//! - every stored head names a stored block, with that block's hash;
//! - every `derived_from` key is a stored block at or below the local-safe head, and L1 numbers never decrease
//!   as L2 numbers increase.

use std::path::{Path, PathBuf};

use alloy_primitives::U256;
use redb::TableDefinition;

use crate::types::SafetyHead;

/// Version of the layout described here, stored under `format_version` in `meta`.
pub const FORMAT_VERSION: u64 = 1;

/// Name of the format version entry in `meta`.
pub const FORMAT_VERSION_KEY: &str = "format_version";

/// `meta`: named numbers describing the file.
pub const META: TableDefinition<'static, &str, u64> = TableDefinition::new("meta");
/// `blocks`: block number to block record.
pub const BLOCKS: TableDefinition<'static, u64, &[u8]> = TableDefinition::new("blocks");
/// `block_hashes`: block hash to block number.
pub const BLOCK_HASHES: TableDefinition<'static, &[u8; 32], u64> = TableDefinition::new("block_hashes");
/// `heads`: head code to block reference.
pub const HEADS: TableDefinition<'static, u8, &[u8; 40]> = TableDefinition::new("heads");
/// `derived_from`: local-safe L2 block number to the L1 block reference it was derived from.
pub const DERIVED_FROM: TableDefinition<'static, u64, &[u8; 40]> = TableDefinition::new("derived_from");

/// The code a stored head is kept under, or `None` for local-unsafe (never stored).
pub const fn head_code(level: SafetyHead) -> Option<u8> {
    match level {
        SafetyHead::LocalUnsafe => None,
        SafetyHead::CrossUnsafe => Some(1),
        SafetyHead::LocalSafe => Some(2),
        SafetyHead::CrossSafe => Some(3),
        SafetyHead::Finalized => Some(4),
    }
}

/// Path of chain `chain_id`'s database file in `data_dir`.
pub fn chain_db_path(data_dir: &Path, chain_id: U256) -> PathBuf {
    data_dir.join(format!("chain-{chain_id}.redb"))
}
