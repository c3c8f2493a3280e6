//! The validity rules of one executing message, as a pure function of what is known.
//!
//! An executing message in block B (timestamp `T`) of chain D is valid when:
//!
//! 1. D is in the dependency set, interop is active on D at `T`, and B is not D's activation block (that
//!    block holds only deposits, which never execute messages);
//! 2. `id.chainId` is in the dependency set;
//! 3. `id.timestamp <= T` (the same timestamp is allowed) and `id.timestamp + window >= T` (expiry; the
//!    window is 7 days unless the dependency set shortens it);
//! 4. the source chain's canonical block `id.blockNumber` has a log at `id.logIndex`, emitted by
//!    `id.origin`, whose payload hashes to `msgHash`, and the block's timestamp is `id.timestamp`;
//! 5. that source block is at or after the source chain's interop activation and is not its activation
//!    block.
//!
//! The same rules judge a transaction's access-list declaration before the transaction is included (a tx-pool
//! or block builder asking `checkAccessList`), with two differences that [`Timing::Pool`] names: a pool cannot
//! see other same-timestamp messages, so the initiating timestamp must be strictly earlier than the executing
//! one, and the message must remain unexpired for `timeout` seconds after the executing timestamp, the latest
//! time the transaction may be included. An access list declares a checksum instead of the origin and
//! msgHash ([`MessageClaim::AccessList`]); everything else is checked alike by [`check_claim`].
//!
//! [`check_message`] answers [`Validity::Unknown`] while the source block is not yet indexed ("future
//! data"): the message may still turn out valid. Everything else it answers for good, given the canonical
//! source data it was handed. Cycles among same-timestamp messages are not decided here: each message is
//! checked on its own, and the verifier resolves the graph of logs (a cycle invalidates every block on it).
//! Deposits cannot execute messages (`validateMessage` reverts in a deposit context), so no executing-message
//! log can come from one; this module does not see transactions.

use crate::access_list::AccessClaim;
use crate::dependency_set::DependencySet;
use crate::executing::ExecutingMessage;
use crate::message::log_hash;
use alloy_primitives::{Address, B256, U256};

/// The block that holds an executing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutingBlock {
    /// The chain of the block.
    pub chain_id: U256,
    /// The block's timestamp.
    pub timestamp: u64,
    /// The timestamp of its parent; `None` for a genesis block or when the parent is not known (see
    /// [`is_activation_block`]).
    pub parent_timestamp: Option<u64>,
}

impl ExecutingBlock {
    /// A block of `chain_id` at `timestamp` whose parent is not known.
    pub fn new(chain_id: U256, timestamp: u64) -> Self {
        Self { chain_id, timestamp, parent_timestamp: None }
    }
}

/// A log found where an identifier points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundLog {
    /// The account that emitted it.
    pub origin: Address,
    /// Its `logHash`: `keccak256(origin ++ msgHash)`.
    pub log_hash: B256,
    /// The timestamp of its block.
    pub block_timestamp: u64,
    /// The timestamp of its block's parent; `None` for a genesis block or when not known (see
    /// [`is_activation_block`]).
    pub parent_timestamp: Option<u64>,
}

/// What the log index knows about the place an identifier points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceLookup {
    /// The source chain's block at that number is not indexed yet.
    UnknownBlock,
    /// The canonical block is known but has no log at that index.
    NoLogAtIndex {
        /// The block's timestamp.
        block_timestamp: u64,
        /// How many logs the block has.
        log_count: u32,
    },
    /// The canonical block holds a log at that index.
    Found(FoundLog),
}

/// Why an executing message is invalid, for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidReason {
    /// The executing chain itself is not in the dependency set.
    #[error("executing chain {chain_id} is not in the dependency set")]
    ExecutingChainNotInDependencySet {
        /// The executing chain.
        chain_id: U256,
    },
    /// The executing block is before the executing chain's interop activation, or is its activation block.
    #[error("executing block at {timestamp} is not after interop activation at {activation_time}")]
    ExecutedBeforeActivation {
        /// The executing block's timestamp.
        timestamp: u64,
        /// The executing chain's activation time.
        activation_time: u64,
    },
    /// The identifier's chain is not in the dependency set.
    #[error("chain {chain_id} is not in the dependency set")]
    ChainNotInDependencySet {
        /// The identifier's chain.
        chain_id: U256,
    },
    /// The identifier's timestamp is after the executing block's.
    #[error("message initiated at {initiated} is executed earlier, at {executed}")]
    InitiatedInFuture {
        /// The identifier's timestamp.
        initiated: u64,
        /// The executing block's timestamp.
        executed: u64,
    },
    /// The executing block is more than the expiry window after the identifier's timestamp.
    #[error("message initiated at {initiated} expired before {executed} (window {window}s)")]
    Expired {
        /// The identifier's timestamp.
        initiated: u64,
        /// The executing block's timestamp.
        executed: u64,
        /// The expiry window in seconds.
        window: u64,
    },
    /// The source block is before the source chain's interop activation, or is its activation block.
    #[error("message initiated at {initiated} is not after interop activation at {activation_time}")]
    InitiatedBeforeActivation {
        /// The source block's timestamp.
        initiated: u64,
        /// The source chain's activation time.
        activation_time: u64,
    },
    /// The identifier's timestamp is not the source block's.
    #[error("identifier timestamp {claimed} differs from the source block's {actual}")]
    TimestampMismatch {
        /// The identifier's timestamp.
        claimed: u64,
        /// The source block's timestamp.
        actual: u64,
    },
    /// The source block has no log at the identifier's index.
    #[error("source block has {log_count} logs, none at index {log_index}")]
    NoSuchLog {
        /// The identifier's log index.
        log_index: u32,
        /// The number of logs of the source block.
        log_count: u32,
    },
    /// The log at the identifier's index was emitted by another account.
    #[error("source log was emitted by {actual}, not {claimed}")]
    OriginMismatch {
        /// The identifier's origin.
        claimed: Address,
        /// The log's emitter.
        actual: Address,
    },
    /// The log at the identifier's index has another payload.
    #[error("source log hash {actual} differs from the executed message's {expected}")]
    LogMismatch {
        /// `keccak256(origin ++ msgHash)` of the executing message.
        expected: B256,
        /// The stored log hash.
        actual: B256,
    },
    /// The access-list checksum does not match the log at the identifier's position (another origin or
    /// payload).
    #[error("access-list checksum {claimed} does not match the source log's {actual}")]
    ChecksumMismatch {
        /// The declared checksum.
        claimed: B256,
        /// The checksum of the stored log at that position.
        actual: B256,
    },
}

/// Which timing rules apply to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timing {
    /// The rules of a block: `initiated <= executed <= initiated + window` (the same timestamp is allowed;
    /// same-timestamp dependencies are resolved as a graph by the verifier).
    #[default]
    Block,
    /// The stricter rules of a tx-pool or block builder checking an access list before inclusion:
    /// `initiated < executed` and `executed + timeout <= initiated + window`.
    Pool {
        /// How long after the executing timestamp the message must stay unexpired (0 for a builder).
        timeout: u64,
    },
}

/// What the executing side declares about the log it consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageClaim {
    /// An executing message (an `ExecutingMessage` log): the full identifier and the msgHash.
    Executing(ExecutingMessage),
    /// A transaction's access-list declaration: the lookup fields and the checksum, which commits to the
    /// origin and the msgHash.
    AccessList(AccessClaim),
}

impl MessageClaim {
    /// `(chain, block number, log index, timestamp)` of the claimed source log.
    fn position(&self) -> (U256, u64, u32, u64) {
        match self {
            Self::Executing(m) => {
                let id = &m.identifier;
                (id.chain_id, id.block_number, id.log_index, id.timestamp)
            }
            Self::AccessList(c) => {
                let l = &c.lookup;
                (l.chain_id, l.block_number, l.log_index, l.timestamp)
            }
        }
    }

    /// Whether the found log is the claimed one.
    fn matches(&self, found: &FoundLog) -> Result<(), InvalidReason> {
        match self {
            Self::Executing(m) => {
                let origin = m.identifier.origin;
                if found.origin != origin {
                    return Err(InvalidReason::OriginMismatch { claimed: origin, actual: found.origin });
                }
                let expected = log_hash(origin, m.msg_hash);
                if found.log_hash != expected {
                    return Err(InvalidReason::LogMismatch { expected, actual: found.log_hash });
                }
                Ok(())
            }
            Self::AccessList(c) => {
                if c.verify_log_hash(found.log_hash) {
                    Ok(())
                } else {
                    Err(InvalidReason::ChecksumMismatch {
                        claimed: c.checksum,
                        actual: c.lookup.checksum(found.log_hash),
                    })
                }
            }
        }
    }
}

/// The verdict on one executing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Every rule holds.
    Valid,
    /// A rule is broken for good.
    Invalid(InvalidReason),
    /// The source block is not indexed yet ("future data"); ask again later.
    Unknown,
}

impl Validity {
    /// Whether the message is valid.
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid)
    }
}

/// Whether a block at `timestamp` with parent at `parent_timestamp` is the block that activates interop on
/// a chain activating at `activation_time`: the first block at or after it. Without the parent, a block
/// exactly at the activation time is taken to be the activation block (only the first block can be), as
/// `CrossL2Inbox` requires identifiers strictly after the interop start.
pub fn is_activation_block(activation_time: u64, timestamp: u64, parent_timestamp: Option<u64>) -> bool {
    timestamp >= activation_time
        && parent_timestamp.map_or(timestamp == activation_time, |parent| parent < activation_time)
}

/// Whether a block may take part in interop: at or after activation, and not the activation block.
fn interop_block(activation_time: u64, timestamp: u64, parent_timestamp: Option<u64>) -> bool {
    timestamp >= activation_time && !is_activation_block(activation_time, timestamp, parent_timestamp)
}

/// Checks the timing rules of `timing` for a message initiated at `initiated` and executed at `executed`, with
/// an expiry window of `window` seconds.
pub fn check_timestamps(
    initiated: u64,
    executed: u64,
    window: u64,
    timing: Timing,
) -> Result<(), InvalidReason> {
    let (too_late, latest) = match timing {
        Timing::Block => (initiated > executed, u128::from(executed)),
        Timing::Pool { timeout } => (initiated >= executed, u128::from(executed) + u128::from(timeout)),
    };
    if too_late {
        return Err(InvalidReason::InitiatedInFuture { initiated, executed });
    }
    if u128::from(initiated) + u128::from(window) < latest {
        return Err(InvalidReason::Expired {
            initiated,
            executed: u64::try_from(latest).unwrap_or(u64::MAX),
            window,
        });
    }
    Ok(())
}

/// Judges one executing message of `executing` against the dependency set and what the log index knows of
/// the log it points at, with the rules of a block. Never panics.
pub fn check_message(
    dependencies: &DependencySet,
    executing: &ExecutingBlock,
    message: &ExecutingMessage,
    source: &SourceLookup,
) -> Validity {
    check_claim(dependencies, executing, &MessageClaim::Executing(*message), source, Timing::Block)
}

/// Judges one claim (an executing message, or an access-list declaration of one) of `executing` against the
/// dependency set and what the log index knows of the log it points at, with the timing rules of `timing`.
/// The one implementation of the validity rules: blocks, tx-pools and builders all call it. Never panics.
pub fn check_claim(
    dependencies: &DependencySet,
    executing: &ExecutingBlock,
    claim: &MessageClaim,
    source: &SourceLookup,
    timing: Timing,
) -> Validity {
    match check(dependencies, executing, claim, source, timing) {
        Ok(true) => Validity::Valid,
        Ok(false) => Validity::Unknown,
        Err(reason) => Validity::Invalid(reason),
    }
}

fn check(
    dependencies: &DependencySet,
    executing: &ExecutingBlock,
    claim: &MessageClaim,
    source: &SourceLookup,
    timing: Timing,
) -> Result<bool, InvalidReason> {
    let (chain_id, _, log_index, initiated) = claim.position();
    let executed = executing.timestamp;

    let executing_activation = dependencies
        .activation_time(executing.chain_id)
        .ok_or(InvalidReason::ExecutingChainNotInDependencySet { chain_id: executing.chain_id })?;
    if !interop_block(executing_activation, executed, executing.parent_timestamp) {
        return Err(InvalidReason::ExecutedBeforeActivation {
            timestamp: executed,
            activation_time: executing_activation,
        });
    }

    let source_activation =
        dependencies.activation_time(chain_id).ok_or(InvalidReason::ChainNotInDependencySet { chain_id })?;
    check_timestamps(initiated, executed, dependencies.message_expiry_window(), timing)?;
    if initiated < source_activation {
        return Err(InvalidReason::InitiatedBeforeActivation {
            initiated,
            activation_time: source_activation,
        });
    }

    let found = match source {
        SourceLookup::UnknownBlock => return Ok(false),
        SourceLookup::NoLogAtIndex { block_timestamp, log_count } => {
            check_same_timestamp(initiated, *block_timestamp)?;
            return Err(InvalidReason::NoSuchLog { log_index, log_count: *log_count });
        }
        SourceLookup::Found(found) => found,
    };
    check_same_timestamp(initiated, found.block_timestamp)?;
    if !interop_block(source_activation, found.block_timestamp, found.parent_timestamp) {
        return Err(InvalidReason::InitiatedBeforeActivation {
            initiated: found.block_timestamp,
            activation_time: source_activation,
        });
    }
    claim.matches(found)?;
    Ok(true)
}

fn check_same_timestamp(claimed: u64, actual: u64) -> Result<(), InvalidReason> {
    if claimed == actual { Ok(()) } else { Err(InvalidReason::TimestampMismatch { claimed, actual }) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dependency_set::{ChainDependency, MESSAGE_EXPIRY_WINDOW};
    use crate::identifier::Identifier;
    use alloy_primitives::keccak256;
    use proptest::prelude::*;

    const D: u64 = 901;
    const S: u64 = 902;
    const T: u64 = 1_000_000;

    fn deps() -> DependencySet {
        DependencySet::new([U256::from(D), U256::from(S)]).unwrap()
    }

    fn message(timestamp: u64) -> ExecutingMessage {
        ExecutingMessage {
            identifier: Identifier {
                origin: Address::repeat_byte(0xab),
                block_number: 10,
                log_index: 2,
                timestamp,
                chain_id: U256::from(S),
            },
            msg_hash: keccak256("payload"),
        }
    }

    /// The source log exactly as the message claims it.
    fn found(message: &ExecutingMessage) -> SourceLookup {
        SourceLookup::Found(FoundLog {
            origin: message.identifier.origin,
            log_hash: log_hash(message.identifier.origin, message.msg_hash),
            block_timestamp: message.identifier.timestamp,
            parent_timestamp: Some(message.identifier.timestamp - 2),
        })
    }

    /// The source log exactly as the message claims it, with the given parent timestamp.
    fn found_at(message: &ExecutingMessage, parent_timestamp: Option<u64>) -> SourceLookup {
        SourceLookup::Found(FoundLog {
            origin: message.identifier.origin,
            log_hash: log_hash(message.identifier.origin, message.msg_hash),
            block_timestamp: message.identifier.timestamp,
            parent_timestamp,
        })
    }

    fn judge(message: &ExecutingMessage, source: &SourceLookup) -> Validity {
        check_message(&deps(), &ExecutingBlock::new(U256::from(D), T), message, source)
    }

    #[test]
    fn a_message_matching_its_source_log_is_valid() {
        let m = message(T - 10);
        assert_eq!(judge(&m, &found(&m)), Validity::Valid);
        assert!(judge(&m, &found(&m)).is_valid());
    }

    #[test]
    fn a_message_from_a_chain_outside_the_dependency_set_is_invalid() {
        let mut m = message(T - 10);
        m.identifier.chain_id = U256::from(903);
        assert_eq!(
            judge(&m, &found(&m)),
            Validity::Invalid(InvalidReason::ChainNotInDependencySet { chain_id: U256::from(903) })
        );
    }

    #[test]
    fn a_message_executed_on_a_chain_outside_the_dependency_set_is_invalid() {
        let m = message(T - 10);
        let verdict = check_message(&deps(), &ExecutingBlock::new(U256::from(999), T), &m, &found(&m));
        assert_eq!(
            verdict,
            Validity::Invalid(InvalidReason::ExecutingChainNotInDependencySet { chain_id: U256::from(999) })
        );
    }

    #[test]
    fn a_message_whose_timestamp_differs_from_its_source_block_is_invalid() {
        let m = message(T - 10);
        let SourceLookup::Found(mut log) = found(&m) else { unreachable!() };
        log.block_timestamp = T - 12;
        assert_eq!(
            judge(&m, &SourceLookup::Found(log)),
            Validity::Invalid(InvalidReason::TimestampMismatch { claimed: T - 10, actual: T - 12 })
        );
        let none = SourceLookup::NoLogAtIndex { block_timestamp: T - 12, log_count: 1 };
        assert_eq!(
            judge(&m, &none),
            Validity::Invalid(InvalidReason::TimestampMismatch { claimed: T - 10, actual: T - 12 })
        );
    }

    #[test]
    fn a_message_pointing_past_the_logs_of_its_block_is_invalid() {
        let m = message(T - 10);
        let source = SourceLookup::NoLogAtIndex { block_timestamp: T - 10, log_count: 2 };
        assert_eq!(
            judge(&m, &source),
            Validity::Invalid(InvalidReason::NoSuchLog { log_index: 2, log_count: 2 })
        );
    }

    #[test]
    fn a_message_from_another_emitter_is_invalid() {
        let m = message(T - 10);
        let SourceLookup::Found(mut log) = found(&m) else { unreachable!() };
        log.origin = Address::repeat_byte(1);
        assert_eq!(
            judge(&m, &SourceLookup::Found(log)),
            Validity::Invalid(InvalidReason::OriginMismatch {
                claimed: m.identifier.origin,
                actual: log.origin
            })
        );
    }

    #[test]
    fn a_message_with_another_payload_is_invalid() {
        let m = message(T - 10);
        let SourceLookup::Found(mut log) = found(&m) else { unreachable!() };
        log.log_hash = log_hash(m.identifier.origin, keccak256("other payload"));
        assert_eq!(
            judge(&m, &SourceLookup::Found(log)),
            Validity::Invalid(InvalidReason::LogMismatch {
                expected: log_hash(m.identifier.origin, m.msg_hash),
                actual: log.log_hash,
            })
        );
    }

    #[test]
    fn a_message_whose_source_block_is_not_indexed_yet_is_unknown() {
        let m = message(T - 10);
        assert_eq!(judge(&m, &SourceLookup::UnknownBlock), Validity::Unknown);
    }

    #[test]
    fn a_message_initiated_at_the_same_timestamp_is_valid() {
        let m = message(T);
        assert_eq!(judge(&m, &found(&m)), Validity::Valid);
    }

    #[test]
    fn a_message_initiated_after_its_executing_block_is_invalid() {
        let m = message(T + 1);
        assert_eq!(
            judge(&m, &SourceLookup::UnknownBlock),
            Validity::Invalid(InvalidReason::InitiatedInFuture { initiated: T + 1, executed: T })
        );
    }

    #[test]
    fn a_message_exactly_seven_days_old_is_still_valid() {
        let m = message(T - MESSAGE_EXPIRY_WINDOW);
        assert_eq!(judge(&m, &found(&m)), Validity::Valid);
    }

    #[test]
    fn a_message_seven_days_and_one_second_old_is_expired() {
        let m = message(T - MESSAGE_EXPIRY_WINDOW - 1);
        assert_eq!(
            judge(&m, &found(&m)),
            Validity::Invalid(InvalidReason::Expired {
                initiated: T - MESSAGE_EXPIRY_WINDOW - 1,
                executed: T,
                window: MESSAGE_EXPIRY_WINDOW,
            })
        );
    }

    #[test]
    fn a_shortened_expiry_window_applies_on_both_sides_of_its_boundary() {
        let set = deps().with_message_expiry_window(60).unwrap();
        let block = ExecutingBlock::new(U256::from(D), T);
        let edge = message(T - 60);
        assert_eq!(check_message(&set, &block, &edge, &found(&edge)), Validity::Valid);
        let late = message(T - 61);
        assert!(matches!(
            check_message(&set, &block, &late, &found(&late)),
            Validity::Invalid(InvalidReason::Expired { window: 60, .. })
        ));
    }

    fn deps_activating(chain: u64, activation_time: u64) -> DependencySet {
        let mut set = DependencySet::default();
        for id in [D, S] {
            let time = if id == chain { activation_time } else { 0 };
            set.insert(U256::from(id), ChainDependency { activation_time: time, ..Default::default() })
                .unwrap();
        }
        set
    }

    #[test]
    fn a_message_initiated_before_the_source_chain_activates_is_invalid() {
        let set = deps_activating(S, T - 5);
        let m = message(T - 10);
        let verdict =
            check_message(&set, &ExecutingBlock::new(U256::from(D), T), &m, &SourceLookup::UnknownBlock);
        assert_eq!(
            verdict,
            Validity::Invalid(InvalidReason::InitiatedBeforeActivation {
                initiated: T - 10,
                activation_time: T - 5
            })
        );
    }

    #[test]
    fn logs_of_the_source_chains_activation_block_are_not_initiating_messages() {
        let set = deps_activating(S, T - 11);
        let m = message(T - 10);
        let block = ExecutingBlock::new(U256::from(D), T);
        // Parent at T - 12 is before activation at T - 11: the source block is the activation block.
        assert_eq!(
            check_message(&set, &block, &m, &found(&m)),
            Validity::Invalid(InvalidReason::InitiatedBeforeActivation {
                initiated: T - 10,
                activation_time: T - 11
            })
        );
        // Without the parent, a source block exactly at the activation time is the activation block.
        let at_activation = message(T - 11);
        let SourceLookup::Found(mut log) = found(&at_activation) else { unreachable!() };
        log.parent_timestamp = None;
        assert_eq!(
            check_message(&set, &block, &at_activation, &SourceLookup::Found(log)),
            Validity::Invalid(InvalidReason::InitiatedBeforeActivation {
                initiated: T - 11,
                activation_time: T - 11
            })
        );
        // The next block is an ordinary interop block.
        let next = message(T - 8);
        assert_eq!(check_message(&set, &block, &next, &found(&next)), Validity::Valid);
    }

    #[test]
    fn a_message_executed_before_or_in_the_activation_block_is_invalid() {
        let m = message(T - 10);
        let before = deps_activating(D, T + 1);
        assert_eq!(
            check_message(&before, &ExecutingBlock::new(U256::from(D), T), &m, &found(&m)),
            Validity::Invalid(InvalidReason::ExecutedBeforeActivation {
                timestamp: T,
                activation_time: T + 1
            })
        );
        let at = deps_activating(D, T);
        let activation_block =
            ExecutingBlock { chain_id: U256::from(D), timestamp: T, parent_timestamp: Some(T - 2) };
        assert_eq!(
            check_message(&at, &activation_block, &m, &found(&m)),
            Validity::Invalid(InvalidReason::ExecutedBeforeActivation { timestamp: T, activation_time: T })
        );
    }

    #[test]
    fn the_activation_block_is_the_first_at_or_after_activation() {
        assert!(is_activation_block(100, 100, Some(98)));
        assert!(is_activation_block(100, 101, Some(99)));
        assert!(!is_activation_block(100, 102, Some(100)));
        assert!(!is_activation_block(100, 98, Some(96)));
        // Without the parent, only a block exactly at the activation time is the activation block.
        assert!(is_activation_block(100, 100, None));
        assert!(!is_activation_block(100, 102, None));
    }

    #[test]
    fn extreme_timestamps_never_panic() {
        let m = message(u64::MAX);
        let block = ExecutingBlock::new(U256::from(D), u64::MAX);
        assert_eq!(check_message(&deps(), &block, &m, &SourceLookup::UnknownBlock), Validity::Unknown);
        assert!(check_timestamps(0, u64::MAX, u64::MAX, Timing::Block).is_ok());
        assert!(check_timestamps(u64::MAX - 1, u64::MAX, 0, Timing::Pool { timeout: u64::MAX }).is_err());
    }

    /// The access-list declaration of `m`, as a transaction pool sees it.
    fn declared(m: &ExecutingMessage) -> MessageClaim {
        let keys = crate::access_list_keys(&m.identifier, m.msg_hash);
        let claims = crate::parse_access_list_keys(&keys).unwrap();
        MessageClaim::AccessList(claims[0])
    }

    fn judge_declared(set: &DependencySet, m: &ExecutingMessage, timeout: u64) -> Validity {
        let block = ExecutingBlock::new(U256::from(D), T);
        check_claim(set, &block, &declared(m), &found(m), Timing::Pool { timeout })
    }

    #[test]
    fn an_access_list_claim_must_be_strictly_older_than_its_executing_block() {
        assert_eq!(judge_declared(&deps(), &message(T - 1), 0), Validity::Valid);
        assert_eq!(
            judge_declared(&deps(), &message(T), 0),
            Validity::Invalid(InvalidReason::InitiatedInFuture { initiated: T, executed: T })
        );
        // A block accepts the same message at the same timestamp.
        assert_eq!(judge(&message(T), &found(&message(T))), Validity::Valid);
    }

    #[test]
    fn an_access_list_claim_must_outlive_the_timeout() {
        let initiated = T - MESSAGE_EXPIRY_WINDOW + 10;
        assert_eq!(judge_declared(&deps(), &message(initiated), 10), Validity::Valid);
        assert_eq!(
            judge_declared(&deps(), &message(initiated), 11),
            Validity::Invalid(InvalidReason::Expired {
                initiated,
                executed: T + 11,
                window: MESSAGE_EXPIRY_WINDOW
            })
        );
    }

    #[test]
    fn an_access_list_claim_is_checked_against_the_log_by_its_checksum() {
        let m = message(T - 10);
        let SourceLookup::Found(mut log) = found(&m) else { unreachable!() };
        log.log_hash = log_hash(m.identifier.origin, keccak256("other payload"));
        let block = ExecutingBlock::new(U256::from(D), T);
        let MessageClaim::AccessList(claim) = declared(&m) else { unreachable!() };
        assert_eq!(
            check_claim(
                &deps(),
                &block,
                &declared(&m),
                &SourceLookup::Found(log),
                Timing::Pool { timeout: 0 }
            ),
            Validity::Invalid(InvalidReason::ChecksumMismatch {
                claimed: claim.checksum,
                actual: claim.lookup.checksum(log.log_hash)
            })
        );
    }

    #[test]
    fn an_access_list_claim_obeys_the_activation_rules_of_blocks() {
        let m = message(T - 10);
        // The source block is the source chain's activation block.
        let set = deps_activating(S, T - 11);
        assert!(matches!(
            judge_declared(&set, &m, 0),
            Validity::Invalid(InvalidReason::InitiatedBeforeActivation { .. })
        ));
        // The executing chain is not active yet at the executing timestamp.
        let set = deps_activating(D, T + 1);
        assert!(matches!(
            judge_declared(&set, &m, 0),
            Validity::Invalid(InvalidReason::ExecutedBeforeActivation { .. })
        ));
    }

    proptest! {
        /// With matching source data, only the timing rules decide: valid exactly when
        /// `initiated <= executed <= initiated + window`.
        #[test]
        fn a_matching_message_is_valid_exactly_within_its_window(
            initiated in 1_000_000u64..u64::MAX / 2,
            window in 1u64..=MESSAGE_EXPIRY_WINDOW,
            offset in -100i64..(MESSAGE_EXPIRY_WINDOW as i64 + 100),
        ) {
            // Executed from a little before the initiating time to a little after the widest window.
            let executed = initiated.saturating_add_signed(offset);
            let set = deps().with_message_expiry_window(window).unwrap();
            let m = message(initiated);
            let source = SourceLookup::Found(FoundLog {
                origin: m.identifier.origin,
                log_hash: log_hash(m.identifier.origin, m.msg_hash),
                block_timestamp: initiated,
                parent_timestamp: None,
            });
            let verdict = check_message(&set, &ExecutingBlock::new(U256::from(D), executed), &m, &source);
            let within = initiated <= executed && u128::from(initiated) + u128::from(window) >= u128::from(executed);
            prop_assert_eq!(verdict.is_valid(), within, "{:?}", verdict);
        }

        /// The pool's rules are never more lenient than a block's: an access-list declaration accepted for a
        /// block at `executed` is a message that block accepts.
        #[test]
        fn what_a_pool_accepts_a_block_accepts(
            initiated in 0u64..2_000, executed in 0u64..2_000, timeout in 0u64..200, window in 0u64..500,
            source_activation in 0u64..1_000, executing_activation in 0u64..1_000,
            parent in prop::option::of(0u64..2_000), executing_parent in prop::option::of(0u64..2_000),
        ) {
            let mut set = DependencySet::default();
            for (id, time) in [(D, executing_activation), (S, source_activation)] {
                set.insert(U256::from(id), ChainDependency { activation_time: time, ..Default::default() }).unwrap();
            }
            let set = set.with_message_expiry_window(window.max(1)).unwrap();
            let m = message(initiated);
            let source = found_at(&m, parent);
            let block = ExecutingBlock { chain_id: U256::from(D), timestamp: executed, parent_timestamp: executing_parent };
            let pool = check_claim(&set, &block, &declared(&m), &source, Timing::Pool { timeout });
            if pool.is_valid() {
                prop_assert_eq!(check_message(&set, &block, &m, &source), Validity::Valid);
            }
        }

        /// Whatever the log index reports, the verdict is reached without panicking, and an unindexed source
        /// block is never judged valid.
        #[test]
        fn any_input_gets_a_verdict(
            initiated in any::<u64>(), executed in any::<u64>(), parent in any::<Option<u64>>(),
            activation in any::<u64>(), log_count in any::<u32>(), kind in 0u8..3,
        ) {
            let set = deps_activating(S, activation);
            let m = message(initiated);
            let source = match kind {
                0 => SourceLookup::UnknownBlock,
                1 => SourceLookup::NoLogAtIndex { block_timestamp: initiated, log_count },
                _ => SourceLookup::Found(FoundLog {
                    origin: m.identifier.origin,
                    log_hash: B256::ZERO,
                    block_timestamp: initiated,
                    parent_timestamp: parent,
                }),
            };
            let block = ExecutingBlock { chain_id: U256::from(D), timestamp: executed, parent_timestamp: parent };
            let verdict = check_message(&set, &block, &m, &source);
            if kind == 0 {
                prop_assert!(!verdict.is_valid());
            }
        }
    }
}
