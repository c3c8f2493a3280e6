//! Pure protocol of OP Stack native interop: everything superlink's services agree on, with no I/O, no
//! async and no clock.
//!
//! - [`identifier`]: the message `Identifier` and its ABI form.
//! - [`message`]: message payloads, `msgHash` and `logHash`.
//! - [`executing`]: decoding and encoding `ExecutingMessage` logs of `CrossL2Inbox`.
//! - [`access_list`]: access-list entries, checksums and their parser.
//! - [`safety`]: safety levels and their wire strings.
//! - [`dependency_set`]: the dependency set configuration.
//! - [`validity`]: the validity rules of one executing message.
//! - [`messenger`]: `L2ToL2CrossDomainMessenger` hashes, events, nonces and calldata.
//! - [`roots`]: output roots, super roots and the fault-proof transition state.
//! - [`predeploys`]: the predeploy addresses.
//!
//! Chain IDs are `U256` everywhere. The most used items are re-exported at the crate root.

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
    INVALID_TRANSITION_HASH, OptimisticBlock, OutputRootWithChain, OutputV0, SuperRootError, SuperV1,
    TransitionState, TransitionStateError, output_root_v0, upgrade_deposit_source_hash,
};
pub use safety::{SafetyLevel, SafetyLevelParseError};
pub use validity::{ExecutingBlock, FoundLog, InvalidReason, SourceLog, Validity, check_message};
