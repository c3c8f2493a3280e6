//! Pure protocol of OP Stack native interop: everything superlink's services agree on, with no I/O, no
//! async and no clock.
//!
//! - [`identifier`]: the message `Identifier` and its ABI form.
//! - [`message`]: message payloads, `msgHash` and `logHash`.
//! - [`executing`]: decoding and encoding `ExecutingMessage` logs of `CrossL2Inbox`.
//! - [`access_list`](mod@access_list): access-list entries, checksums and their parser.
//! - [`safety`]: safety levels and their wire strings.
//! - [`dependency_set`]: the dependency set configuration.
//! - [`validity`]: the validity rules of one executing message.
//! - [`messenger`]: `L2ToL2CrossDomainMessenger` hashes, events, nonces and calldata.
//! - [`roots`]: output roots, super roots and the fault-proof transition state.
//! - [`trace`]: the claims of a super-root transition, step by step, and game trace indices.
//! - [`predeploys`]: the predeploy addresses.
//!
//! Chain IDs are `U256` everywhere. The most used items are re-exported at the crate root.
//!
//! Declaring an executing message in a transaction's access list, and checking the declaration against the
//! log it points at, as a transaction pool does:
//!
//! ```
//! use alloy_primitives::{Address, U256, keccak256};
//! use superlink_protocol::{Identifier, access_list_keys, parse_access_list_keys};
//!
//! let id = Identifier {
//!     origin: Address::repeat_byte(0x11),
//!     block_number: 10,
//!     log_index: 0,
//!     timestamp: 1_700_000_000,
//!     chain_id: U256::from(901),
//! };
//! let msg_hash = keccak256(b"the initiating log's topics and data");
//! let keys = access_list_keys(&id, msg_hash);
//! let claims = parse_access_list_keys(&keys)?;
//! assert_eq!(claims[0].lookup.to_identifier(id.origin), id);
//! assert!(claims[0].verify(id.origin, msg_hash));
//! # Ok::<(), superlink_protocol::AccessListError>(())
//! ```

pub mod access_list;
pub mod dependency_set;
pub mod executing;
pub mod identifier;
mod json_format;
pub mod message;
pub mod messenger;
pub mod predeploys;
pub mod roots;
pub mod safety;
pub mod trace;
pub mod validity;

#[cfg(test)]
mod strategies;

pub use access_list::{
    AccessClaim, AccessListError, Lookup, access_list, access_list_keys, checksum, claims_from_access_list,
    parse_access_list_keys,
};
pub use dependency_set::{ChainDependency, DependencySet, DependencySetError, MESSAGE_EXPIRY_WINDOW};
pub use executing::{EXECUTING_MESSAGE_TOPIC, ExecutingMessage, ExecutingMessageError};
pub use identifier::{AbiIdentifier, Identifier, IdentifierRangeError};
pub use message::{log_hash, payload_from_log, payload_hash};
pub use messenger::{
    SentMessage, SentMessageError, decode_versioned_nonce, encode_versioned_nonce, message_hash,
    relay_message_calldata,
};
pub use roots::{
    CONSOLIDATION_STEP, INVALID_TRANSITION_HASH, OptimisticBlock, OutputRootWithChain, OutputV0,
    SuperRootError, SuperV1, TRANSITION_STEPS_PER_TIMESTAMP, TransitionState, TransitionStateError,
    output_root_v0, upgrade_deposit_source_hash,
};
pub use safety::{SafetyLevel, SafetyLevelParseError};
pub use trace::{
    ClaimPreimage, ClaimPreimageError, StepKind, SuperTransition, SuperTransitionError, TraceIndexError,
    TracePosition, trace_index, trace_position,
};
pub use validity::{ExecutingBlock, FoundLog, InvalidReason, SourceLookup, Validity, check_message};
