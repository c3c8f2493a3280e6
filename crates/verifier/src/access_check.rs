//! Checking a transaction's `CrossL2Inbox` access list: the [`MessageChecker`] trait the tx-pool and block
//! builder call, its answer from the verifier's own index, and the executing descriptor of the spec.

use std::future::Future;

use alloy_primitives::{Address, B256, U64, U256};
use serde::{Deserialize, Serialize};
use superlink_protocol::{
    AccessClaim, InvalidReason, SafetyLevel, Validity, parse_access_list_keys,
    validity::{ExecutingBlock, MessageClaim, Timing, check_claim},
};

use crate::{error::CheckError, message_rules::source_lookup, state::VerifierState, view::ChainLookup};

/// The execution context an access list is checked in (`ExecutingDescriptor` of the supervisor API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExecutingDescriptor {
    /// The timestamp at which the messages would execute: that of the executing chain's next block.
    pub timestamp: u64,
    /// How long after `timestamp` the messages must remain valid (`None` = 0).
    pub timeout: Option<u64>,
    /// The executing chain: it must be in the dependency set and have activated interop.
    pub chain_id: U256,
}

/// The JSON form of [`ExecutingDescriptor`]: `{"chainID": quantity, "timestamp": quantity, "timeout"?:
/// quantity}`, as op-reth and op-geth send it. `chainID` is required and an unknown key is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutingDescriptorJson {
    /// The executing chain (hex or decimal quantity).
    #[serde(rename = "chainID")]
    pub chain_id: U256,
    /// Hex timestamp.
    pub timestamp: U64,
    /// Hex timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<U64>,
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
/// local verifier (from its index) and by [`crate::RemoteChecker`] (over `interop_checkAccessList`).
pub trait MessageChecker: Send + Sync {
    /// `Ok(())` when every claim of `entries` is valid at `min_safety` in the context of `descriptor`.
    fn check_access_list(
        &self,
        entries: &[B256],
        min_safety: SafetyLevel,
        descriptor: ExecutingDescriptor,
    ) -> impl Future<Output = Result<(), CheckError>> + Send;
}

/// The block the descriptor describes: the executing chain's next block. Its parent is taken to be the
/// chain's latest indexed block when that is older (it tells whether the next block activates interop).
fn next_block(state: &VerifierState, descriptor: &ExecutingDescriptor) -> ExecutingBlock {
    let parent_timestamp = u64::try_from(descriptor.chain_id)
        .ok()
        .and_then(|chain| state.latest(chain))
        .map(|latest| latest.timestamp)
        .filter(|t| *t < descriptor.timestamp);
    ExecutingBlock { chain_id: descriptor.chain_id, timestamp: descriptor.timestamp, parent_timestamp }
}

/// Checks an access list against the state, with the semantics of `interop_checkAccessList`: every claim is
/// judged by the protocol's validity rules ([`check_claim`]) for the executing chain's next block, with the
/// pool's timing ([`Timing::Pool`]: initiated strictly before the executing timestamp and not expiring before
/// `timestamp + timeout`), and its source block must be at `min_safety` or better.
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
    let executing = next_block(state, &descriptor);
    let timing = Timing::Pool { timeout: descriptor.timeout.unwrap_or(0) };
    let view = state.view();
    for claim in claims {
        let lookup = claim.lookup;
        let chain = u64::try_from(lookup.chain_id).ok().filter(|c| state.knows(*c));
        // The checksum commits to the origin, which the access list does not state: the origin is not compared
        // on its own, a wrong one shows up as a checksum mismatch.
        let source = match chain {
            Some(chain) => source_lookup(view, chain, &lookup.to_identifier(Address::ZERO)),
            None => superlink_protocol::SourceLookup::UnknownBlock,
        };
        let number = lookup.block_number;
        match check_claim(dependencies, &executing, &MessageClaim::AccessList(claim), &source, timing) {
            Validity::Valid => {}
            Validity::Invalid(reason) => return Err(refusal(&descriptor, &claim, reason)),
            Validity::Unknown => {
                let chain = chain.ok_or_else(|| CheckError::UnknownChain(lookup.chain_id.to_string()))?;
                return Err(match view.range(chain) {
                    Some((first, _)) if number < first => {
                        CheckError::SkippedBlock { chain_id: chain, number, first }
                    }
                    _ => CheckError::FutureBlock { chain_id: chain, number },
                });
            }
        }
        let Some(chain) = chain else {
            return Err(CheckError::UnknownChain(lookup.chain_id.to_string()));
        };
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

/// The check error of a claim the validity rules reject.
fn refusal(descriptor: &ExecutingDescriptor, claim: &AccessClaim, reason: InvalidReason) -> CheckError {
    let lookup = &claim.lookup;
    let (chain_id, number) = (u64::try_from(lookup.chain_id).unwrap_or(u64::MAX), lookup.block_number);
    match reason {
        InvalidReason::ExecutingChainNotInDependencySet { chain_id } => {
            CheckError::UnknownExecutingChain(chain_id.to_string())
        }
        InvalidReason::ChainNotInDependencySet { chain_id } => CheckError::UnknownChain(chain_id.to_string()),
        InvalidReason::InitiatedInFuture { initiated, executed } => {
            CheckError::FromTheFuture { message: initiated, executing: executed }
        }
        InvalidReason::Expired { initiated, executed, window } => CheckError::Expired {
            message: initiated,
            expires_at: initiated.saturating_add(window),
            needed_until: executed,
        },
        InvalidReason::ExecutedBeforeActivation { timestamp, activation_time } => {
            CheckError::ExecutedBeforeActivation { chain_id: descriptor.chain_id, timestamp, activation_time }
        }
        InvalidReason::InitiatedBeforeActivation { initiated, activation_time } => {
            CheckError::InitiatedBeforeActivation { chain_id, number, initiated, activation_time }
        }
        InvalidReason::TimestampMismatch { claimed, actual } => {
            CheckError::TimestampMismatch { chain_id, number, actual, claimed }
        }
        InvalidReason::NoSuchLog { log_index, .. } => CheckError::NoSuchLog { chain_id, number, log_index },
        // Only executing-message claims compare origin and log hash apart: each is a checksum mismatch here.
        InvalidReason::ChecksumMismatch { .. }
        | InvalidReason::OriginMismatch { .. }
        | InvalidReason::LogMismatch { .. } => CheckError::ChecksumMismatch {
            chain_id,
            number,
            log_index: lookup.log_index,
            claimed: claim.checksum,
        },
    }
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
        let descriptor = ExecutingDescriptor { timestamp: 1_000, timeout: None, chain_id: U256::from(2) };
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
        let at = |timestamp, timeout, chain: Option<u64>| ExecutingDescriptor {
            timestamp,
            timeout,
            chain_id: U256::from(chain.unwrap_or(2)),
        };
        let window = state.dependencies().message_expiry_window();
        check_access_list(&state, &keys, SafetyLevel::Unsafe, at(id.timestamp + window, None, None)).unwrap();
        let err =
            check_access_list(&state, &keys, SafetyLevel::Unsafe, at(id.timestamp + window, Some(1), None))
                .unwrap_err();
        assert!(matches!(err, CheckError::Expired { .. }), "{err:?}");
        let err =
            check_access_list(&state, &keys, SafetyLevel::Unsafe, at(id.timestamp, None, None)).unwrap_err();
        assert!(matches!(err, CheckError::FromTheFuture { .. }), "{err:?}");
        let err = check_access_list(&state, &keys, SafetyLevel::Unsafe, at(500, None, Some(5))).unwrap_err();
        assert!(matches!(err, CheckError::UnknownExecutingChain(_)), "{err:?}");
        let err = check_access_list(&state, &keys, SafetyLevel::Invalid, at(500, None, None)).unwrap_err();
        assert!(matches!(err, CheckError::UnsupportedSafety(_)), "{err:?}");
        let err =
            check_access_list(&state, &keys[1..], SafetyLevel::Unsafe, at(500, None, None)).unwrap_err();
        assert!(matches!(err, CheckError::Malformed(_)), "{err:?}");
    }

    /// Chains 1 and 2 with plain blocks 0..=3 (timestamps 100..=106), every block cross-unsafe; chain
    /// `activating` activates interop at `activation_time`, the other at genesis.
    fn state_activating(activating: u64, activation_time: u64) -> VerifierState {
        let mut deps = DependencySet::default();
        for chain in [1, 2] {
            let activation_time = if chain == activating { activation_time } else { 0 };
            let dependency = superlink_protocol::ChainDependency { activation_time, ..Default::default() };
            deps.insert(U256::from(chain), dependency).unwrap();
        }
        let mut state = VerifierState::new(deps).unwrap();
        for chain in [1, 2] {
            for n in 0..=3 {
                state.append(chain, index_block(&block(chain, n, None)).0).unwrap();
            }
        }
        state.resolve();
        state
    }

    #[test]
    fn a_log_of_the_source_chains_activation_block_or_before_is_refused() {
        // Chain 1 activates at 102: block 1 (parent at 100) is its activation block.
        let state = state_activating(1, 102);
        for n in [0, 1] {
            let err = check(&state, message(1, n), SafetyLevel::CrossUnsafe).unwrap_err();
            assert!(matches!(err, CheckError::InitiatedBeforeActivation { chain_id: 1, .. }), "{err:?}");
            assert_eq!(err.code(), -320600);
        }
        check(&state, message(1, 2), SafetyLevel::CrossUnsafe).unwrap();
    }

    #[test]
    fn no_message_is_accepted_for_a_block_before_or_at_the_executing_chains_activation() {
        let keys = |n| {
            let (id, msg_hash) = message(1, n);
            access_list_keys(&id, msg_hash)
        };
        let at = |timestamp| ExecutingDescriptor { timestamp, timeout: None, chain_id: U256::from(2) };
        // Chain 2 activates at 2000: its next block at 1000 is before activation.
        let state = state_activating(2, 2_000);
        let err = check_access_list(&state, &keys(1), SafetyLevel::CrossUnsafe, at(1_000)).unwrap_err();
        assert!(
            matches!(err, CheckError::ExecutedBeforeActivation { activation_time: 2_000, .. }),
            "{err:?}"
        );
        // Chain 2 activates at 107: its next block at 108 (after its latest at 106) is the activation block.
        let state = state_activating(2, 107);
        let err = check_access_list(&state, &keys(1), SafetyLevel::CrossUnsafe, at(108)).unwrap_err();
        assert!(matches!(err, CheckError::ExecutedBeforeActivation { timestamp: 108, .. }), "{err:?}");
        // Once chain 2 has its activation block, the block after it may execute messages.
        let mut state = state;
        state.append(2, index_block(&block(2, 4, None)).0).unwrap();
        check_access_list(&state, &keys(1), SafetyLevel::CrossUnsafe, at(110)).unwrap();
    }

    #[test]
    fn a_block_before_the_indexed_range_is_reported_as_skipped() {
        let deps = DependencySet::new([U256::from(1)]).unwrap();
        let mut state = VerifierState::new(deps).unwrap();
        for n in 5..=6 {
            state.append(1, index_block(&block(1, n, None)).0).unwrap();
        }
        let (id, msg_hash) = message(1, 2);
        let descriptor = ExecutingDescriptor { timestamp: 1_000, timeout: None, chain_id: U256::from(1) };
        let err =
            check_access_list(&state, &access_list_keys(&id, msg_hash), SafetyLevel::Unsafe, descriptor)
                .unwrap_err();
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
            ExecutingDescriptor { timestamp: recent.0.timestamp + 2, timeout: None, chain_id: U256::from(1) };
        check_access_list(&state, &access_list_keys(&recent.0, recent.1), SafetyLevel::Finalized, descriptor)
            .unwrap();
        let old = message(1, first - 1);
        let descriptor =
            ExecutingDescriptor { timestamp: old.0.timestamp + 2, timeout: None, chain_id: U256::from(1) };
        let err =
            check_access_list(&state, &access_list_keys(&old.0, old.1), SafetyLevel::Unsafe, descriptor)
                .unwrap_err();
        assert!(matches!(err, CheckError::SkippedBlock { .. }), "{err:?}");
    }
}
