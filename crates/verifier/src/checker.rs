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

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, Bytes, keccak256};
    use superlink_protocol::{
        DependencySet, ExecutingMessage, Identifier, access_list_keys, predeploys::CROSS_L2_INBOX,
    };

    use super::*;
    use crate::{
        chain_data::{BlockRef, SourceBlock, SourceLog},
        indexing::index_block,
    };

    const EMITTER: Address = Address::new([0x10; 20]);

    fn hash(chain: u64, n: u64) -> B256 {
        keccak256([chain.to_be_bytes(), n.to_be_bytes()].concat())
    }

    /// Block `n` of `chain` (timestamp 100 + 2n) with one plain log, or the given executing message.
    fn block(chain: u64, n: u64, exec: Option<(Identifier, B256)>) -> SourceBlock {
        let log = match exec {
            Some((identifier, msg_hash)) => {
                let (topics, data) = ExecutingMessage { identifier, msg_hash }.encode_log();
                SourceLog { address: CROSS_L2_INBOX, topics, data }
            }
            None => {
                SourceLog { address: EMITTER, topics: vec![], data: Bytes::from(vec![chain as u8, n as u8]) }
            }
        };
        let block = BlockRef {
            hash: hash(chain, n),
            number: n,
            parent_hash: if n == 0 { B256::ZERO } else { hash(chain, n - 1) },
            timestamp: 100 + 2 * n,
        };
        SourceBlock { block, logs: vec![log] }
    }

    /// The plain log of block `n` of `chain`.
    fn message(chain: u64, n: u64) -> (Identifier, B256) {
        let id = Identifier {
            origin: EMITTER,
            block_number: n,
            log_index: 0,
            timestamp: 100 + 2 * n,
            chain_id: U256::from(chain),
        };
        (id, keccak256([chain as u8, n as u8]))
    }

    /// Chain 1: blocks 0..=3 plain. Chain 2: block 0 plain, block 1 executes a forged message (invalid), block
    /// 2 plain.
    fn state() -> VerifierState {
        let deps = DependencySet::new([U256::from(1), U256::from(2)]).unwrap();
        let mut state = VerifierState::new(deps).unwrap();
        for n in 0..=3 {
            state.append(1, index_block(&block(1, n, None)).0).unwrap();
        }
        let (id, _) = message(1, 0);
        let forged = Some((id, keccak256(b"forged")));
        for (n, exec) in [(0, None), (1, forged), (2, None)] {
            state.append(2, index_block(&block(2, n, exec)).0).unwrap();
        }
        state.set_local_safe(1, Some(1));
        state.resolve();
        state
    }

    fn check(
        state: &VerifierState,
        (id, msg_hash): (Identifier, B256),
        min: SafetyLevel,
    ) -> Result<(), CheckError> {
        let descriptor = ExecutingDescriptor { timestamp: 1_000, timeout: None, chain_id: None };
        check_access_list(state, &access_list_keys(&id, msg_hash), min, descriptor)
    }

    #[test]
    fn a_message_is_accepted_up_to_the_level_its_block_reached() {
        let state = state();
        check(&state, message(1, 3), SafetyLevel::CrossUnsafe).unwrap();
        check(&state, message(1, 1), SafetyLevel::Safe).unwrap();
        let err = check(&state, message(1, 2), SafetyLevel::Safe).unwrap_err();
        assert!(
            matches!(
                err,
                CheckError::BelowSafety { actual: SafetyLevel::CrossUnsafe, required: SafetyLevel::Safe, .. }
            ),
            "{err:?}"
        );
        assert_eq!(err.code(), -321401);
    }

    #[test]
    fn a_message_in_or_after_an_invalid_block_is_rejected_as_invalid() {
        let state = state();
        check(&state, message(2, 0), SafetyLevel::CrossUnsafe).unwrap();
        check(&state, message(2, 2), SafetyLevel::Unsafe).unwrap();
        let err = check(&state, message(2, 2), SafetyLevel::CrossUnsafe).unwrap_err();
        assert!(matches!(err, CheckError::InvalidSource { chain_id: 2, number: 2, .. }), "{err:?}");
        assert_eq!(err.code(), -320600);
        assert_eq!(state.invalid_blocks().len(), 1);
    }

    #[test]
    fn claims_are_checked_against_the_indexed_log() {
        let state = state();
        let (id, msg_hash) = message(1, 1);
        let err = check(&state, (id, keccak256(b"other")), SafetyLevel::Unsafe).unwrap_err();
        assert!(matches!(err, CheckError::ChecksumMismatch { .. }), "{err:?}");
        let err =
            check(&state, (Identifier { log_index: 1, ..id }, msg_hash), SafetyLevel::Unsafe).unwrap_err();
        assert!(matches!(err, CheckError::NoSuchLog { log_index: 1, .. }), "{err:?}");
        let err =
            check(&state, (Identifier { timestamp: 1, ..id }, msg_hash), SafetyLevel::Unsafe).unwrap_err();
        assert!(matches!(err, CheckError::TimestampMismatch { actual: 102, claimed: 1, .. }), "{err:?}");
        let err =
            check(&state, (Identifier { block_number: 9, ..id }, msg_hash), SafetyLevel::Unsafe).unwrap_err();
        assert!(matches!(err, CheckError::FutureBlock { number: 9, .. }), "{err:?}");
        let err =
            check(&state, (Identifier { chain_id: U256::from(3), ..id }, msg_hash), SafetyLevel::Unsafe)
                .unwrap_err();
        assert!(matches!(err, CheckError::UnknownChain(_)), "{err:?}");
    }

    #[test]
    fn the_descriptor_bounds_the_message_in_time_and_chain() {
        let state = state();
        let (id, msg_hash) = message(1, 1);
        let keys = access_list_keys(&id, msg_hash);
        let at = |timestamp, timeout, chain_id| ExecutingDescriptor { timestamp, timeout, chain_id };
        let window = state.dependencies().message_expiry_window();
        check_access_list(&state, &keys, SafetyLevel::Unsafe, at(id.timestamp + window, None, None)).unwrap();
        let err =
            check_access_list(&state, &keys, SafetyLevel::Unsafe, at(id.timestamp + window, Some(1), None))
                .unwrap_err();
        assert!(matches!(err, CheckError::Expired { .. }), "{err:?}");
        let err =
            check_access_list(&state, &keys, SafetyLevel::Unsafe, at(id.timestamp, None, None)).unwrap_err();
        assert!(matches!(err, CheckError::FromTheFuture { .. }), "{err:?}");
        let err = check_access_list(&state, &keys, SafetyLevel::Unsafe, at(500, None, Some(U256::from(5))))
            .unwrap_err();
        assert!(matches!(err, CheckError::UnknownExecutingChain(_)), "{err:?}");
        let err = check_access_list(&state, &keys, SafetyLevel::Invalid, at(500, None, None)).unwrap_err();
        assert!(matches!(err, CheckError::UnsupportedSafety(_)), "{err:?}");
        let err =
            check_access_list(&state, &keys[1..], SafetyLevel::Unsafe, at(500, None, None)).unwrap_err();
        assert!(matches!(err, CheckError::Malformed(_)), "{err:?}");
    }

    #[test]
    fn a_block_before_the_indexed_range_is_reported_as_skipped() {
        let deps = DependencySet::new([U256::from(1)]).unwrap();
        let mut state = VerifierState::new(deps).unwrap();
        for n in 5..=6 {
            state.append(1, index_block(&block(1, n, None)).0).unwrap();
        }
        let err = check(&state, message(1, 2), SafetyLevel::Unsafe).unwrap_err();
        assert!(matches!(err, CheckError::SkippedBlock { number: 2, first: 5, .. }), "{err:?}");
        assert_eq!(err.code(), -320500);
    }

    #[test]
    fn expired_history_leaves_memory_while_recent_messages_still_check() {
        let deps = DependencySet::new([U256::from(1)]).unwrap().with_message_expiry_window(10).unwrap();
        let mut state = VerifierState::new(deps).unwrap();
        let blocks = 2_000;
        for n in 0..blocks {
            state.append(1, index_block(&block(1, n, None)).0).unwrap();
        }
        state.set_local_safe(1, Some(blocks - 1));
        state.set_local_finalized(1, Some(blocks - 1));
        state.resolve();
        let before = state.heads(1);
        let pruned = state.prune();
        // Blocks more than the window (10 s) plus the margin (an hour) older than the heads are gone.
        let head_timestamp = 100 + 2 * (blocks - 1);
        let expired = (0..blocks).filter(|n| 100 + 2 * n + 10 + 3_600 < head_timestamp).count();
        assert!(expired > 0);
        assert_eq!(pruned, expired);
        assert_eq!(state.heads(1), before);
        assert_eq!(state.prune(), 0);
        let (first, _) = state.view().range(1).unwrap();
        let recent = message(1, blocks - 2);
        let descriptor =
            ExecutingDescriptor { timestamp: recent.0.timestamp + 2, timeout: None, chain_id: None };
        check_access_list(&state, &access_list_keys(&recent.0, recent.1), SafetyLevel::Finalized, descriptor)
            .unwrap();
        let old = message(1, first - 1);
        let descriptor =
            ExecutingDescriptor { timestamp: old.0.timestamp + 2, timeout: None, chain_id: None };
        let err =
            check_access_list(&state, &access_list_keys(&old.0, old.1), SafetyLevel::Unsafe, descriptor)
                .unwrap_err();
        assert!(matches!(err, CheckError::SkippedBlock { .. }), "{err:?}");
    }
}
