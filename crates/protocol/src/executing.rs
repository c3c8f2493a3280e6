//! Executing messages: the `ExecutingMessage` log `CrossL2Inbox` emits for every message it validates.
//!
//! `event ExecutingMessage(bytes32 indexed msgHash, Identifier id)`: topic 0 is the event signature, topic 1
//! the hash of the executed payload, and the data is the ABI-encoded identifier of the initiating log.

use crate::identifier::{AbiIdentifier, Identifier, IdentifierRangeError};
use crate::predeploys::CROSS_L2_INBOX;
use alloy_primitives::{Address, B256, Bytes};
use alloy_sol_types::{SolEvent, SolType};

/// The ABI of the `CrossL2Inbox` event, kept apart from the decoded [`ExecutingMessage`] that shares its name.
pub mod abi {
    use alloy_sol_types::sol;

    sol! {
        /// The event `CrossL2Inbox` emits when it validates a message; `id` is the identifier tuple
        /// (origin, blockNumber, logIndex, timestamp, chainId).
        #[derive(Debug, PartialEq, Eq)]
        event ExecutingMessage(bytes32 indexed msgHash, (address, uint256, uint256, uint256, uint256) id);
    }
}

/// The topic 0 of every executing-message log: keccak256 of
/// `ExecutingMessage(bytes32,(address,uint256,uint256,uint256,uint256))`.
pub const EXECUTING_MESSAGE_TOPIC: B256 = abi::ExecutingMessage::SIGNATURE_HASH;

/// The length of an executing-message log's data: the five words of the identifier.
pub const EXECUTING_MESSAGE_DATA_LEN: usize = 5 * 32;

/// A decoded executing message: which log it executes, and the hash of the payload it claims that log has.
///
/// Its JSON is the supervisor RPC's message: `{"identifier": {...}, "payloadHash": "0x…"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ExecutingMessage {
    /// The initiating log the message points at.
    pub identifier: Identifier,
    /// The keccak256 of the initiating log's payload (topics then data).
    #[serde(rename = "payloadHash", alias = "msgHash")]
    pub msg_hash: B256,
}

/// A log emitted by `CrossL2Inbox` with the `ExecutingMessage` topic that is not a well-formed executing
/// message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutingMessageError {
    /// The event has one indexed parameter, so the log must have exactly two topics.
    #[error("executing-message log has {found} topics, expected 2")]
    TopicCount {
        /// The number of topics the log has.
        found: usize,
    },
    /// The data must be exactly the five words of the identifier.
    #[error("executing-message log data is {found} bytes, expected {EXECUTING_MESSAGE_DATA_LEN}")]
    DataLength {
        /// The length of the log's data.
        found: usize,
    },
    /// The `origin` word has non-zero bytes above the 20-byte address.
    #[error("executing-message identifier origin is not a valid address word")]
    MalformedOrigin,
    /// An identifier field does not fit its width.
    #[error("executing-message identifier out of range: {0}")]
    OutOfRange(#[from] IdentifierRangeError),
}

impl ExecutingMessage {
    /// Decodes a log. `Ok(None)` when the log is not an executing message at all (another emitter, or another
    /// or no topic 0); an error when `CrossL2Inbox` emitted an `ExecutingMessage` log that is malformed.
    pub fn decode_log(
        address: Address,
        topics: &[B256],
        data: &[u8],
    ) -> Result<Option<Self>, ExecutingMessageError> {
        if address != CROSS_L2_INBOX || topics.first() != Some(&EXECUTING_MESSAGE_TOPIC) {
            return Ok(None);
        }
        let [_, msg_hash] = topics else {
            return Err(ExecutingMessageError::TopicCount { found: topics.len() });
        };
        if data.len() != EXECUTING_MESSAGE_DATA_LEN {
            return Err(ExecutingMessageError::DataLength { found: data.len() });
        }
        let abi = <AbiIdentifier as SolType>::abi_decode_validate(data)
            .map_err(|_| ExecutingMessageError::MalformedOrigin)?;
        Ok(Some(Self { identifier: Identifier::try_from(abi)?, msg_hash: *msg_hash }))
    }

    /// The log `CrossL2Inbox` emits for this message: its topics and data (the emitter is
    /// [`CROSS_L2_INBOX`]).
    pub fn encode_log(&self) -> (Vec<B256>, Bytes) {
        let id = AbiIdentifier::from(self.identifier);
        let event = abi::ExecutingMessage {
            msgHash: self.msg_hash,
            id: (id.origin, id.blockNumber, id.logIndex, id.timestamp, id.chainId),
        };
        let (topics, data) = event.encode_log_data().split();
        (topics, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::any_identifier;
    use alloy_primitives::{U256, keccak256};
    use proptest::prelude::*;

    fn sample() -> ExecutingMessage {
        ExecutingMessage {
            identifier: Identifier {
                origin: Address::repeat_byte(0x11),
                block_number: 12,
                log_index: 4,
                timestamp: 1_000,
                chain_id: U256::from(902),
            },
            msg_hash: keccak256("payload"),
        }
    }

    #[test]
    fn the_topic_is_the_hash_of_the_event_signature() {
        assert_eq!(
            EXECUTING_MESSAGE_TOPIC,
            keccak256("ExecutingMessage(bytes32,(address,uint256,uint256,uint256,uint256))")
        );
    }

    #[test]
    fn an_encoded_message_has_the_msg_hash_as_topic_one_and_the_identifier_as_data() {
        let message = sample();
        let (topics, data) = message.encode_log();
        assert_eq!(topics, vec![EXECUTING_MESSAGE_TOPIC, message.msg_hash]);
        assert_eq!(data.to_vec(), message.identifier.abi_encode());
    }

    proptest! {
        #[test]
        fn an_executing_message_survives_encode_and_decode(id in any_identifier(), hash in any::<[u8; 32]>()) {
            let message = ExecutingMessage { identifier: id, msg_hash: B256::from(hash) };
            let (topics, data) = message.encode_log();
            prop_assert_eq!(ExecutingMessage::decode_log(CROSS_L2_INBOX, &topics, &data), Ok(Some(message)));
        }
    }

    #[test]
    fn a_log_from_another_emitter_is_not_an_executing_message() {
        let (topics, data) = sample().encode_log();
        let other = Address::repeat_byte(0x42);
        assert_eq!(ExecutingMessage::decode_log(other, &topics, &data), Ok(None));
    }

    #[test]
    fn an_inbox_log_with_another_topic_or_none_is_not_an_executing_message() {
        let (mut topics, data) = sample().encode_log();
        topics[0] = keccak256("Other()");
        assert_eq!(ExecutingMessage::decode_log(CROSS_L2_INBOX, &topics, &data), Ok(None));
        assert_eq!(ExecutingMessage::decode_log(CROSS_L2_INBOX, &[], &data), Ok(None));
    }

    #[test]
    fn an_executing_message_without_its_msg_hash_topic_is_malformed() {
        let (topics, data) = sample().encode_log();
        assert_eq!(
            ExecutingMessage::decode_log(CROSS_L2_INBOX, &topics[..1], &data),
            Err(ExecutingMessageError::TopicCount { found: 1 })
        );
    }

    #[test]
    fn an_executing_message_with_an_extra_topic_is_malformed() {
        let (mut topics, data) = sample().encode_log();
        topics.push(B256::ZERO);
        assert_eq!(
            ExecutingMessage::decode_log(CROSS_L2_INBOX, &topics, &data),
            Err(ExecutingMessageError::TopicCount { found: 3 })
        );
    }

    #[test]
    fn an_executing_message_with_short_or_long_data_is_malformed() {
        let (topics, data) = sample().encode_log();
        assert_eq!(
            ExecutingMessage::decode_log(CROSS_L2_INBOX, &topics, &data[..159]),
            Err(ExecutingMessageError::DataLength { found: 159 })
        );
        let mut long = data.to_vec();
        long.extend_from_slice(&[0u8; 32]);
        assert_eq!(
            ExecutingMessage::decode_log(CROSS_L2_INBOX, &topics, &long),
            Err(ExecutingMessageError::DataLength { found: 192 })
        );
    }

    #[test]
    fn an_executing_message_with_dirty_origin_bytes_is_malformed() {
        let (topics, data) = sample().encode_log();
        let mut dirty = data.to_vec();
        dirty[0] = 1;
        assert_eq!(
            ExecutingMessage::decode_log(CROSS_L2_INBOX, &topics, &dirty),
            Err(ExecutingMessageError::MalformedOrigin)
        );
    }

    #[test]
    fn an_executing_message_with_a_log_index_above_u32_is_out_of_range() {
        let (topics, data) = sample().encode_log();
        let mut wide = data.to_vec();
        wide[64 + 27] = 1; // logIndex word gets a bit at 2^32
        let err = ExecutingMessage::decode_log(CROSS_L2_INBOX, &topics, &wide).unwrap_err();
        assert!(matches!(err, ExecutingMessageError::OutOfRange(e) if e.bits == 32));
    }
}
