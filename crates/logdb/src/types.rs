//! The records the index stores: block seals, log entries, executing messages and safety heads.

use alloy_primitives::{Address, B256, U256};

/// A block reference: number and hash. In JSON it is the supervisor API's `BlockID`, `{"hash", "number"}`
/// with the number as a JSON number, as the Go clients decode it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct BlockId {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
}

impl BlockId {
    /// A block reference from its number and hash.
    pub const fn new(number: u64, hash: B256) -> Self {
        Self { number, hash }
    }
}

/// What the index keeps of a block header: enough to check continuity and to answer identifier checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BlockSeal {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Hash of the parent block.
    pub parent_hash: B256,
    /// Block timestamp (seconds).
    pub timestamp: u64,
}

impl BlockSeal {
    /// The block's number and hash.
    pub const fn id(&self) -> BlockId {
        BlockId { number: self.number, hash: self.hash }
    }

    /// The parent's number and hash, or `None` for block 0.
    pub fn parent_id(&self) -> Option<BlockId> {
        self.number.checked_sub(1).map(|number| BlockId { number, hash: self.parent_hash })
    }
}

/// The identifier of an initiating message, as decoded from an `ExecutingMessage` event.
///
/// The numeric fields are kept as the full `uint256` words of the event, so that an out-of-range value (which
/// makes the message invalid) is stored faithfully rather than truncated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MessageIdentifier {
    /// Address that emitted the initiating log.
    pub origin: Address,
    /// Chain ID of the source chain.
    pub chain_id: U256,
    /// Number of the source block.
    pub block_number: U256,
    /// Index of the initiating log among all logs of the source block.
    pub log_index: U256,
    /// Timestamp of the source block.
    pub timestamp: U256,
}

/// An executing message found in a block: the payload hash it executes and where the initiating log is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ExecMessage {
    /// `keccak256` of the initiating message's payload (the `msgHash` of the event).
    pub msg_hash: B256,
    /// Where the initiating message is.
    pub identifier: MessageIdentifier,
}

/// One log of a block as the index keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LogEntry {
    /// `keccak256(origin ++ payloadHash)` of the log, computed by the caller.
    pub log_hash: B256,
    /// The decoded executing message, when this log is an `ExecutingMessage` event of the CrossL2Inbox.
    pub exec: Option<ExecMessage>,
}

impl LogEntry {
    /// A plain log (not an executing message).
    pub const fn plain(log_hash: B256) -> Self {
        Self { log_hash, exec: None }
    }

    /// A log that is an executing message.
    pub const fn executing(log_hash: B256, exec: ExecMessage) -> Self {
        Self { log_hash, exec: Some(exec) }
    }
}

/// An executing message together with the index of the log that carries it in its block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IndexedExecMessage {
    /// Index of the executing log among all logs of its block.
    pub log_index: u32,
    /// The executing message.
    pub exec: ExecMessage,
}

/// The safety heads a chain's index tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SafetyHead {
    /// Latest block the sequencer produced. Always the latest indexed block: it moves with appends and
    /// rewinds and cannot be set directly.
    LocalUnsafe,
    /// Latest block whose executing messages are valid, transitively, at unsafe level.
    CrossUnsafe,
    /// Latest block derived from L1 data.
    LocalSafe,
    /// Latest local-safe block whose dependencies are all local-safe and valid.
    CrossSafe,
    /// Latest cross-safe block derived from finalized L1 data.
    Finalized,
}

impl SafetyHead {
    /// Every head, from least to most safe.
    pub const ALL: [SafetyHead; 5] = [
        SafetyHead::LocalUnsafe,
        SafetyHead::CrossUnsafe,
        SafetyHead::LocalSafe,
        SafetyHead::CrossSafe,
        SafetyHead::Finalized,
    ];

    /// The heads that are stored and set explicitly (all but local-unsafe).
    pub const STORED: [SafetyHead; 4] =
        [SafetyHead::CrossUnsafe, SafetyHead::LocalSafe, SafetyHead::CrossSafe, SafetyHead::Finalized];

    /// The wire name used by the supervisor RPC.
    pub const fn as_str(&self) -> &'static str {
        match self {
            SafetyHead::LocalUnsafe => "unsafe",
            SafetyHead::CrossUnsafe => "cross-unsafe",
            SafetyHead::LocalSafe => "local-safe",
            SafetyHead::CrossSafe => "safe",
            SafetyHead::Finalized => "finalized",
        }
    }
}

impl std::fmt::Display for SafetyHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// All safety heads of a chain at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Heads {
    /// The latest indexed block.
    pub local_unsafe: Option<BlockId>,
    /// See [`SafetyHead::CrossUnsafe`].
    pub cross_unsafe: Option<BlockId>,
    /// See [`SafetyHead::LocalSafe`].
    pub local_safe: Option<BlockId>,
    /// See [`SafetyHead::CrossSafe`].
    pub cross_safe: Option<BlockId>,
    /// See [`SafetyHead::Finalized`].
    pub finalized: Option<BlockId>,
}

impl Heads {
    /// The head at `level`.
    pub const fn get(&self, level: SafetyHead) -> Option<BlockId> {
        match level {
            SafetyHead::LocalUnsafe => self.local_unsafe,
            SafetyHead::CrossUnsafe => self.cross_unsafe,
            SafetyHead::LocalSafe => self.local_safe,
            SafetyHead::CrossSafe => self.cross_safe,
            SafetyHead::Finalized => self.finalized,
        }
    }

    /// Replaces the head at `level`.
    pub fn set(&mut self, level: SafetyHead, id: Option<BlockId>) {
        match level {
            SafetyHead::LocalUnsafe => self.local_unsafe = id,
            SafetyHead::CrossUnsafe => self.cross_unsafe = id,
            SafetyHead::LocalSafe => self.local_safe = id,
            SafetyHead::CrossSafe => self.cross_safe = id,
            SafetyHead::Finalized => self.finalized = id,
        }
    }
}

/// A block and its logs, ready to append.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlockWithLogs {
    /// The block.
    pub seal: BlockSeal,
    /// Every log of the block, in order.
    pub logs: Vec<LogEntry>,
}
