//! The static validity rules of one executing message against the index (PROTOCOL.md section 2, rules 1-5).

use std::collections::BTreeSet;

use alloy_primitives::U256;

use crate::{
    chain_data::ChainId,
    index::{ChainLookup, ExecRef},
};

/// The seven-day default message expiry window, in seconds.
pub const DEFAULT_EXPIRY_WINDOW: u64 = 604_800;

/// What a chain may execute: the chains of the dependency set and the message expiry window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRules {
    /// Chains of the dependency set.
    pub chains: BTreeSet<ChainId>,
    /// Seconds after its timestamp during which a message may be executed.
    pub expiry_window: u64,
}

impl MessageRules {
    /// Whether `chain` is in the dependency set.
    pub fn contains(&self, chain: U256) -> bool {
        u64::try_from(chain).is_ok_and(|c| self.chains.contains(&c))
    }
}

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

/// The verdict of the static rules on one executing message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageVerdict {
    /// The initiating log exists as claimed; the source block's own safety remains to be checked.
    Found(SourcePointer),
    /// The source block is not indexed yet (or precedes the indexed range): the verdict must wait.
    Unknown(String),
    /// The message can never be valid.
    Invalid(String),
}

/// Checks rules 1-3 and 5 for the executing message `exec` in a block of timestamp `executing_timestamp`.
pub fn check_message(
    lookup: &impl ChainLookup,
    rules: &MessageRules,
    executing_timestamp: u64,
    exec: &ExecRef,
) -> MessageVerdict {
    if !rules.contains(exec.chain_id) {
        return MessageVerdict::Invalid(format!("chain {} is not in the dependency set", exec.chain_id));
    }
    let (Ok(chain), Ok(number), Ok(log_index), Ok(timestamp)) = (
        u64::try_from(exec.chain_id),
        u64::try_from(exec.block_number),
        u32::try_from(exec.source_log_index),
        u64::try_from(exec.timestamp),
    ) else {
        return MessageVerdict::Invalid("identifier field out of range".into());
    };
    if timestamp > executing_timestamp {
        return MessageVerdict::Invalid(format!(
            "message timestamp {timestamp} is after the executing timestamp {executing_timestamp}"
        ));
    }
    if timestamp.saturating_add(rules.expiry_window) < executing_timestamp {
        return MessageVerdict::Invalid(format!("message of timestamp {timestamp} expired"));
    }
    let Some((first, last)) = lookup.range(chain) else {
        return MessageVerdict::Unknown(format!("chain {chain} has no indexed block"));
    };
    if number > last {
        return MessageVerdict::Unknown(format!("chain {chain} block {number} is not indexed yet"));
    }
    if number < first {
        return MessageVerdict::Unknown(format!("chain {chain} block {number} precedes the indexed range"));
    }
    let Some(block) = lookup.block(chain, number) else {
        return MessageVerdict::Unknown(format!("chain {chain} block {number} is not indexed"));
    };
    if block.block.timestamp != timestamp {
        return MessageVerdict::Invalid(format!(
            "chain {chain} block {number} has timestamp {}, the message claims {timestamp}",
            block.block.timestamp
        ));
    }
    match block.log_hashes.get(log_index as usize) {
        None => MessageVerdict::Invalid(format!("chain {chain} block {number} has no log {log_index}")),
        Some(hash) if *hash != exec.log_hash => MessageVerdict::Invalid(format!(
            "chain {chain} block {number} log {log_index} does not match the message's origin and payload"
        )),
        Some(_) => MessageVerdict::Found(SourcePointer { chain, number, log_index, timestamp }),
    }
}
