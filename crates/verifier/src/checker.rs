//! Checking a transaction's `CrossL2Inbox` access list: the [`MessageChecker`] trait the tx-pool and block
//! builder call, its answer from the verifier's own index, and the executing descriptor of the spec.

use std::future::Future;

use alloy_primitives::{B256, U64, U256};
use serde::{Deserialize, Serialize};
use superlink_protocol::{InvalidReason, SafetyLevel, parse_access_list_keys, validity::check_access_timing};

use crate::{error::CheckError, index::ChainLookup, state::VerifierState};

/// The execution context an access list is checked in (`ExecutingDescriptor` of the supervisor API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExecutingDescriptor {
    /// The timestamp at which the messages would execute.
    pub timestamp: u64,
    /// How long after `timestamp` the messages must remain valid (`None` = 0).
    pub timeout: Option<u64>,
    /// The executing chain, when known: the messages' chains must be in its dependency set.
    pub chain_id: Option<U256>,
}

/// The JSON form of [`ExecutingDescriptor`]: `{timestamp: hex, timeout?: hex, chainID?: hex}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutingDescriptorJson {
    /// Hex timestamp.
    pub timestamp: U64,
    /// Hex timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<U64>,
    /// Hex chain ID.
    #[serde(default, rename = "chainID", skip_serializing_if = "Option::is_none")]
    pub chain_id: Option<U256>,
}

impl From<ExecutingDescriptorJson> for ExecutingDescriptor {
    fn from(json: ExecutingDescriptorJson) -> Self {
        Self {
            timestamp: json.timestamp.to(),
            timeout: json.timeout.map(|t| t.to()),
            chain_id: json.chain_id,
        }
    }
}

impl From<ExecutingDescriptor> for ExecutingDescriptorJson {
    fn from(d: ExecutingDescriptor) -> Self {
        Self { timestamp: U64::from(d.timestamp), timeout: d.timeout.map(U64::from), chain_id: d.chain_id }
    }
}

/// Answers whether every message an access list declares is valid at a minimum safety. Implemented by the
/// local verifier (from its index) and by [`crate::RemoteChecker`] (over `supervisor_checkAccessList`).
pub trait MessageChecker: Send + Sync {
    /// `Ok(())` when every claim of `entries` is valid at `min_safety` in the context of `descriptor`.
    fn check_access_list(
        &self,
        entries: &[B256],
        min_safety: SafetyLevel,
        descriptor: ExecutingDescriptor,
    ) -> impl Future<Output = Result<(), CheckError>> + Send;
}

/// Checks an access list against the state, with the semantics of `supervisor_checkAccessList`: every claim
/// must point at an indexed log whose checksum matches, in a block at `min_safety` or better, initiated strictly
/// before the executing timestamp and not expiring before `timestamp + timeout`.
pub fn check_access_list(
    state: &VerifierState,
    entries: &[B256],
    min_safety: SafetyLevel,
    descriptor: ExecutingDescriptor,
) -> Result<(), CheckError> {
    if min_safety == SafetyLevel::Invalid {
        return Err(CheckError::UnsupportedSafety(min_safety));
    }
    let claims = parse_access_list_keys(entries).map_err(|e| CheckError::Malformed(e.to_string()))?;
    let dependencies = state.dependencies();
    if let Some(executing) = descriptor.chain_id
        && !dependencies.contains(executing)
    {
        return Err(CheckError::UnknownExecutingChain(executing.to_string()));
    }
    for claim in claims {
        let lookup = claim.lookup;
        let chain = u64::try_from(lookup.chain_id)
            .ok()
            .filter(|c| state.knows(*c) && dependencies.contains(lookup.chain_id))
            .ok_or_else(|| CheckError::UnknownChain(lookup.chain_id.to_string()))?;
        match check_access_timing(
            lookup.timestamp,
            descriptor.timestamp,
            descriptor.timeout.unwrap_or(0),
            dependencies.message_expiry_window(),
        ) {
            Ok(()) => {}
            Err(InvalidReason::Expired { initiated, executed, window }) => {
                return Err(CheckError::Expired {
                    message: initiated,
                    expires_at: initiated.saturating_add(window),
                    needed_until: executed,
                });
            }
            Err(_) => {
                return Err(CheckError::FromTheFuture {
                    message: lookup.timestamp,
                    executing: descriptor.timestamp,
                });
            }
        }
        let number = lookup.block_number;
        let view = state.view();
        let Some((first, _)) = view.range(chain) else {
            return Err(CheckError::FutureBlock { chain_id: chain, number });
        };
        let Some(block) = view.block(chain, number) else {
            if number < first {
                return Err(CheckError::SkippedBlock { chain_id: chain, number, first });
            }
            return Err(CheckError::FutureBlock { chain_id: chain, number });
        };
        if block.block.timestamp != lookup.timestamp {
            return Err(CheckError::TimestampMismatch {
                chain_id: chain,
                number,
                actual: block.block.timestamp,
                claimed: lookup.timestamp,
            });
        }
        let Some(log_hash) = block.log_hashes.get(lookup.log_index as usize) else {
            return Err(CheckError::NoSuchLog { chain_id: chain, number, log_index: lookup.log_index });
        };
        if !claim.verify_log_hash(*log_hash) {
            return Err(CheckError::ChecksumMismatch {
                chain_id: chain,
                number,
                log_index: lookup.log_index,
                claimed: claim.checksum,
            });
        }
        if !state.satisfies(chain, number, min_safety) {
            let actual = state.block_safety(chain, number).unwrap_or(SafetyLevel::Unsafe);
            if actual == SafetyLevel::Invalid {
                return Err(CheckError::InvalidSource {
                    chain_id: chain,
                    number,
                    reason: "the block is, or descends from, a block with an invalid executing message"
                        .into(),
                });
            }
            return Err(CheckError::BelowSafety { chain_id: chain, number, actual, required: min_safety });
        }
    }
    Ok(())
}
