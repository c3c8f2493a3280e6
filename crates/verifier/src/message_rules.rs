//! The validity rules of one executing message against the index: the protocol crate's rules, fed with what
//! the index knows of the initiating log.

use alloy_primitives::U256;
use superlink_logdb::MessageIdentifier;
use superlink_protocol::{
    DependencySet, ExecutingMessage, Identifier, Validity,
    validity::{ExecutingBlock, FoundLog, SourceLookup},
};

use crate::{
    chain_data::ChainId,
    view::{ChainLookup, ExecRef, StoredLog},
};

/// A message's source, once its identifier has been narrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourcePointer {
    /// Source chain.
    pub chain: ChainId,
    /// Source block.
    pub number: u64,
    /// Source log index.
    pub log_index: u32,
    /// Source block timestamp.
    pub timestamp: u64,
}

/// The verdict of the rules on one executing message, before the source block's own safety is considered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageVerdict {
    /// The initiating log exists as claimed; the source block's own safety remains to be checked.
    Found(SourcePointer),
    /// The source block is not indexed yet (or precedes the indexed range): the verdict must wait.
    Unknown(String),
    /// The message can never be valid.
    Invalid(String),
}

/// Narrows a stored full-width identifier to the protocol's identifier; `None` when a field is out of range.
pub fn narrow_identifier(id: &MessageIdentifier) -> Option<Identifier> {
    Some(Identifier {
        origin: id.origin,
        block_number: u64::try_from(id.block_number).ok()?,
        log_index: u32::try_from(id.log_index).ok()?,
        timestamp: u64::try_from(id.timestamp).ok()?,
        chain_id: id.chain_id,
    })
}

/// What the index knows of the log an identifier points at. The stored logHash commits to the emitter, so the
/// claimed origin is reported as the emitter and a wrong origin shows up as a log-hash mismatch.
pub fn source_lookup(lookup: &impl ChainLookup, chain: ChainId, id: &Identifier) -> SourceLookup {
    let (number, log_index) = (id.block_number, id.log_index);
    let Some(block) = lookup.block(chain, number) else {
        // Before the in-memory run: the durable index may still hold it (a memory window shorter than the
        // expiry window).
        return match lookup.stored_log(chain, number, log_index) {
            None => SourceLookup::UnknownBlock,
            Some(StoredLog { timestamp, log_hash: None, log_count, .. }) => {
                SourceLookup::NoLogAtIndex { block_timestamp: timestamp, log_count }
            }
            Some(StoredLog { timestamp, parent_timestamp, log_hash: Some(log_hash), .. }) => {
                SourceLookup::Found(FoundLog {
                    origin: id.origin,
                    log_hash,
                    block_timestamp: timestamp,
                    parent_timestamp,
                })
            }
        };
    };
    let parent_timestamp = number.checked_sub(1).and_then(|p| match lookup.block(chain, p) {
        Some(parent) => Some(parent.block.timestamp),
        None => lookup.stored_log(chain, p, 0).map(|parent| parent.timestamp),
    });
    match block.log_hashes.get(log_index as usize) {
        None => SourceLookup::NoLogAtIndex {
            block_timestamp: block.block.timestamp,
            log_count: u32::try_from(block.log_hashes.len()).unwrap_or(u32::MAX),
        },
        Some(hash) => SourceLookup::Found(FoundLog {
            origin: id.origin,
            log_hash: *hash,
            block_timestamp: block.block.timestamp,
            parent_timestamp,
        }),
    }
}

/// Judges the executing message `exec` of a block of `executing_chain` at `executing_timestamp` (whose parent
/// has `parent_timestamp`, when known) against the dependency set and the index.
pub fn judge_message(
    lookup: &impl ChainLookup,
    dependencies: &DependencySet,
    executing_chain: ChainId,
    executing_timestamp: u64,
    parent_timestamp: Option<u64>,
    exec: &ExecRef,
) -> MessageVerdict {
    let raw = &exec.exec.identifier;
    let Some(identifier) = narrow_identifier(raw) else {
        return MessageVerdict::Invalid(format!(
            "identifier out of range (block {}, log {}, timestamp {})",
            raw.block_number, raw.log_index, raw.timestamp
        ));
    };
    let Ok(chain) = u64::try_from(identifier.chain_id) else {
        return MessageVerdict::Invalid(format!(
            "chain {} is not in the dependency set",
            identifier.chain_id
        ));
    };
    let executing = ExecutingBlock {
        chain_id: U256::from(executing_chain),
        timestamp: executing_timestamp,
        parent_timestamp,
    };
    let message = ExecutingMessage { identifier, msg_hash: exec.exec.msg_hash };
    let source = source_lookup(lookup, chain, &identifier);
    match superlink_protocol::check_message(dependencies, &executing, &message, &source) {
        Validity::Valid => MessageVerdict::Found(SourcePointer {
            chain,
            number: identifier.block_number,
            log_index: identifier.log_index,
            timestamp: identifier.timestamp,
        }),
        Validity::Invalid(reason) => MessageVerdict::Invalid(reason.to_string()),
        Validity::Unknown => match lookup.range(chain) {
            Some((first, _)) if identifier.block_number < first => MessageVerdict::Unknown(format!(
                "chain {chain} block {} precedes the indexed range (first {first})",
                identifier.block_number
            )),
            _ => MessageVerdict::Unknown(format!(
                "chain {chain} block {} is not indexed yet",
                identifier.block_number
            )),
        },
    }
}
