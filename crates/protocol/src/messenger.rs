//! `L2ToL2CrossDomainMessenger` encodings: message hashes, `SentMessage` logs, versioned nonces and the
//! `sendMessage`/`relayMessage` calldata a relayer sends.
//!
//! A message sent from `source` to `destination` is identified by
//! `keccak256(abi.encode(destination, source, nonce, sender, target, message))`. Its nonce carries a version
//! in the top 16 bits (version 0 today) above a 240-bit counter. Relaying passes the `Identifier` of the
//! `SentMessage` log and that log's payload (topics then data).

use crate::identifier::{AbiIdentifier, Identifier};
use crate::predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER;
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::{SolCall, SolEvent, SolValue};

/// The ABI of `L2ToL2CrossDomainMessenger`, as far as messages are concerned.
pub mod abi {
    use alloy_sol_types::sol;

    sol! {
        /// Emitted on the source chain by `sendMessage`.
        #[derive(Debug, PartialEq, Eq)]
        event SentMessage(
            uint256 indexed destination,
            address indexed target,
            uint256 indexed messageNonce,
            address sender,
            bytes message
        );

        /// Emitted on the destination chain once a message has been relayed.
        #[derive(Debug, PartialEq, Eq)]
        event RelayedMessage(
            uint256 indexed source,
            uint256 indexed messageNonce,
            bytes32 indexed messageHash,
            bytes32 returnDataHash
        );

        /// Sends `message` to `target` on chain `destination`; returns the message hash.
        function sendMessage(uint256 _destination, address _target, bytes calldata _message)
            external returns (bytes32);

        /// Relays a sent message, given the identifier of its `SentMessage` log and that log's payload.
        function relayMessage((address, uint256, uint256, uint256, uint256) _id, bytes calldata _sentMessage)
            external payable returns (bytes memory);

        /// Whether a message hash has been relayed on this chain.
        function successfulMessages(bytes32 _msgHash) external view returns (bool);

        /// The nonce (versioned) the next sent message will get.
        function messageNonce() external view returns (uint256);
    }
}

/// The version of messages sent today.
pub const MESSAGE_VERSION: u16 = 0;

/// The topic 0 of `SentMessage` logs.
pub const SENT_MESSAGE_TOPIC: B256 = abi::SentMessage::SIGNATURE_HASH;

/// The topic 0 of `RelayedMessage` logs.
pub const RELAYED_MESSAGE_TOPIC: B256 = abi::RelayedMessage::SIGNATURE_HASH;

/// The hash that identifies a message: `keccak256(abi.encode(destination, source, nonce, sender, target,
/// message))`.
pub fn message_hash(
    destination: U256,
    source: U256,
    nonce: U256,
    sender: Address,
    target: Address,
    message: &[u8],
) -> B256 {
    let encoded =
        (destination, source, nonce, sender, target, Bytes::copy_from_slice(message)).abi_encode_params();
    keccak256(encoded)
}

/// A nonce counter that does not fit the 240 bits below the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("message nonce {0} does not fit in 240 bits")]
pub struct NonceTooLarge(pub U256);

/// `(version << 240) | nonce`; an error if the nonce does not fit in 240 bits.
pub fn encode_versioned_nonce(nonce: U256, version: u16) -> Result<U256, NonceTooLarge> {
    if nonce.bit_len() > 240 {
        return Err(NonceTooLarge(nonce));
    }
    Ok((U256::from(version) << 240) | nonce)
}

/// Splits a versioned nonce into its 240-bit counter and its version.
pub fn decode_versioned_nonce(versioned: U256) -> (U256, u16) {
    let version = (versioned >> 240usize).to::<u16>();
    let nonce = versioned & ((U256::from(1) << 240) - U256::from(1));
    (nonce, version)
}

/// A decoded `SentMessage` log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentMessage {
    /// The chain the message is for.
    pub destination: U256,
    /// The account called on the destination chain.
    pub target: Address,
    /// The versioned nonce of the message.
    pub nonce: U256,
    /// The account that sent the message on the source chain.
    pub sender: Address,
    /// The calldata for the target.
    pub message: Bytes,
}

/// A log the messenger emitted with the `SentMessage` topic that is not a well-formed `SentMessage`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SentMessageError {
    /// The event has three indexed parameters, so the log must have four topics.
    #[error("SentMessage log has {found} topics, expected 4")]
    TopicCount {
        /// The number of topics of the log.
        found: usize,
    },
    /// A relay payload too short to hold the four topics of a `SentMessage` log.
    #[error("payload of {0} bytes is too short for the four topics of a SentMessage log")]
    PayloadTooShort(usize),
    /// A relay payload whose first topic is not the `SentMessage` signature.
    #[error("payload does not start with the SentMessage topic")]
    NotSentMessage,
    /// The `target` topic has non-zero bytes above the 20-byte address.
    #[error("SentMessage target topic is not an address")]
    MalformedTarget,
    /// The data is not the ABI encoding of `(address sender, bytes message)`.
    #[error("SentMessage data is not (address, bytes): {0}")]
    MalformedData(String),
}

impl SentMessage {
    /// Decodes a log: `Ok(None)` when it is not a `SentMessage` of the messenger at all; an error when the
    /// messenger emitted a malformed one.
    pub fn decode_log(
        address: Address,
        topics: &[B256],
        data: &[u8],
    ) -> Result<Option<Self>, SentMessageError> {
        if address != L2_TO_L2_CROSS_DOMAIN_MESSENGER || topics.first() != Some(&SENT_MESSAGE_TOPIC) {
            return Ok(None);
        }
        let [_, destination, target, nonce] = topics else {
            return Err(SentMessageError::TopicCount { found: topics.len() });
        };
        if target[..12] != [0u8; 12] {
            return Err(SentMessageError::MalformedTarget);
        }
        let (sender, message) = <(Address, Bytes)>::abi_decode_params_validate(data)
            .map_err(|e| SentMessageError::MalformedData(e.to_string()))?;
        Ok(Some(Self {
            destination: U256::from_be_bytes(destination.0),
            target: Address::from_slice(&target[12..]),
            nonce: U256::from_be_bytes(nonce.0),
            sender,
            message,
        }))
    }

    /// Decodes the payload of a `SentMessage` log (its four topics, then its data), as `relayMessage`
    /// receives it.
    pub fn decode_payload(payload: &[u8]) -> Result<Self, SentMessageError> {
        if payload.len() < 4 * 32 {
            return Err(SentMessageError::PayloadTooShort(payload.len()));
        }
        let (topic_bytes, data) = payload.split_at(4 * 32);
        let topics: Vec<B256> = topic_bytes.chunks_exact(32).map(B256::from_slice).collect();
        Self::decode_log(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &topics, data)?
            .ok_or(SentMessageError::NotSentMessage)
    }

    /// The log's topics and data, as the messenger emits them.
    pub fn encode_log(&self) -> (Vec<B256>, Bytes) {
        let event = abi::SentMessage {
            destination: self.destination,
            target: self.target,
            messageNonce: self.nonce,
            sender: self.sender,
            message: self.message.clone(),
        };
        event.encode_log_data().split()
    }

    /// The message payload of the log (topics then data): the `_sentMessage` argument of `relayMessage`.
    pub fn payload(&self) -> Vec<u8> {
        let (topics, data) = self.encode_log();
        crate::message::payload_from_log(&topics, &data)
    }

    /// The hash identifying this message, sent from chain `source`.
    pub fn message_hash(&self, source: U256) -> B256 {
        message_hash(self.destination, source, self.nonce, self.sender, self.target, &self.message)
    }
}

/// Calldata of `relayMessage(id, sentMessage)`: `id` points at the `SentMessage` log, `sent_message` is that
/// log's payload (topics then data).
pub fn relay_message_calldata(id: &Identifier, sent_message: &[u8]) -> Bytes {
    let id = AbiIdentifier::from(*id);
    abi::relayMessageCall {
        _id: (id.origin, id.blockNumber, id.logIndex, id.timestamp, id.chainId),
        _sentMessage: Bytes::copy_from_slice(sent_message),
    }
    .abi_encode()
    .into()
}

/// Calldata of `sendMessage(destination, target, message)`.
pub fn send_message_calldata(destination: U256, target: Address, message: &[u8]) -> Bytes {
    abi::sendMessageCall {
        _destination: destination,
        _target: target,
        _message: Bytes::copy_from_slice(message),
    }
    .abi_encode()
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::payload_from_log;
    use crate::strategies::any_identifier;
    use proptest::prelude::*;

    fn sample() -> SentMessage {
        SentMessage {
            destination: U256::from(902),
            target: Address::repeat_byte(0x77),
            nonce: encode_versioned_nonce(U256::from(5), MESSAGE_VERSION).unwrap(),
            sender: Address::repeat_byte(0x55),
            message: Bytes::from_static(b"\x12\x34\x56\x78hello"),
        }
    }

    #[test]
    fn the_topics_are_the_hashes_of_the_event_signatures() {
        assert_eq!(SENT_MESSAGE_TOPIC, keccak256("SentMessage(uint256,address,uint256,address,bytes)"));
        assert_eq!(RELAYED_MESSAGE_TOPIC, keccak256("RelayedMessage(uint256,uint256,bytes32,bytes32)"));
    }

    #[test]
    fn the_selectors_are_the_hashes_of_the_function_signatures() {
        let selector = |sig: &str| keccak256(sig)[..4].to_vec();
        assert_eq!(
            abi::relayMessageCall::SELECTOR.to_vec(),
            selector("relayMessage((address,uint256,uint256,uint256,uint256),bytes)")
        );
        assert_eq!(abi::sendMessageCall::SELECTOR.to_vec(), selector("sendMessage(uint256,address,bytes)"));
    }

    /// `abi.encode` of six values, one dynamic: six head words (the bytes' one an offset of 0xc0), then the
    /// length and the padded bytes.
    #[test]
    fn the_message_hash_is_keccak_of_the_abi_encoded_fields() {
        let m = sample();
        let mut encoded = Vec::new();
        encoded.extend_from_slice(&m.destination.to_be_bytes::<32>());
        encoded.extend_from_slice(&U256::from(901).to_be_bytes::<32>());
        encoded.extend_from_slice(&m.nonce.to_be_bytes::<32>());
        encoded.extend_from_slice(&[0u8; 12]);
        encoded.extend_from_slice(m.sender.as_slice());
        encoded.extend_from_slice(&[0u8; 12]);
        encoded.extend_from_slice(m.target.as_slice());
        encoded.extend_from_slice(&U256::from(6 * 32).to_be_bytes::<32>());
        encoded.extend_from_slice(&U256::from(m.message.len()).to_be_bytes::<32>());
        let mut padded = m.message.to_vec();
        padded.resize(32, 0);
        encoded.extend_from_slice(&padded);
        assert_eq!(m.message_hash(U256::from(901)), keccak256(&encoded));
        assert_ne!(m.message_hash(U256::from(901)), m.message_hash(U256::from(903)));
    }

    #[test]
    fn the_version_sits_in_the_top_two_bytes_of_the_nonce() {
        let versioned = encode_versioned_nonce(U256::from(7), 1).unwrap();
        let bytes = versioned.to_be_bytes::<32>();
        assert_eq!(&bytes[..2], &[0, 1]);
        assert_eq!(bytes[31], 7);
        assert_eq!(decode_versioned_nonce(versioned), (U256::from(7), 1));
        assert_eq!(encode_versioned_nonce(U256::from(7), 0).unwrap(), U256::from(7));
    }

    #[test]
    fn a_nonce_above_240_bits_is_rejected() {
        let too_large = U256::from(1) << 240;
        assert_eq!(encode_versioned_nonce(too_large, 0), Err(NonceTooLarge(too_large)));
        let largest = too_large - U256::from(1);
        assert_eq!(
            decode_versioned_nonce(encode_versioned_nonce(largest, u16::MAX).unwrap()),
            (largest, u16::MAX)
        );
    }

    proptest! {
        #[test]
        fn a_versioned_nonce_splits_back(nonce in any::<[u8; 30]>(), version in any::<u16>()) {
            let nonce = U256::from_be_slice(&nonce);
            prop_assert_eq!(decode_versioned_nonce(encode_versioned_nonce(nonce, version).unwrap()), (nonce, version));
        }

        #[test]
        fn a_sent_message_survives_its_log(
            destination in any::<[u8; 32]>(), nonce in any::<[u8; 32]>(),
            message in proptest::collection::vec(any::<u8>(), 0..100),
        ) {
            let sent = SentMessage {
                destination: U256::from_be_bytes(destination),
                target: Address::repeat_byte(1),
                nonce: U256::from_be_bytes(nonce),
                sender: Address::repeat_byte(2),
                message: message.into(),
            };
            let (topics, data) = sent.encode_log();
            prop_assert_eq!(
                SentMessage::decode_log(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &topics, &data),
                Ok(Some(sent.clone()))
            );
            prop_assert_eq!(sent.payload(), payload_from_log(&topics, &data));
            prop_assert_eq!(SentMessage::decode_payload(&sent.payload()), Ok(sent.clone()));
        }

        #[test]
        fn relay_calldata_carries_the_identifier_and_the_payload(id in any_identifier()) {
            let payload = sample().payload();
            let calldata = relay_message_calldata(&id, &payload);
            let call = abi::relayMessageCall::abi_decode(&calldata).unwrap();
            let abi_id = AbiIdentifier::from(call._id);
            prop_assert_eq!(Identifier::try_from(abi_id).unwrap(), id);
            prop_assert_eq!(call._sentMessage.to_vec(), payload);
        }
    }

    #[test]
    fn other_logs_are_not_sent_messages() {
        let (topics, data) = sample().encode_log();
        assert_eq!(SentMessage::decode_log(Address::repeat_byte(3), &topics, &data), Ok(None));
        assert_eq!(SentMessage::decode_log(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &topics[1..], &data), Ok(None));
    }

    #[test]
    fn a_sent_message_with_missing_topics_is_malformed() {
        let (topics, data) = sample().encode_log();
        assert_eq!(
            SentMessage::decode_log(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &topics[..3], &data),
            Err(SentMessageError::TopicCount { found: 3 })
        );
    }

    #[test]
    fn a_sent_message_with_a_dirty_target_topic_is_malformed() {
        let (mut topics, data) = sample().encode_log();
        topics[2][0] = 1;
        assert_eq!(
            SentMessage::decode_log(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &topics, &data),
            Err(SentMessageError::MalformedTarget)
        );
    }

    #[test]
    fn a_sent_message_with_truncated_data_is_malformed() {
        let (topics, data) = sample().encode_log();
        let result = SentMessage::decode_log(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &topics, &data[..70]);
        assert!(matches!(result, Err(SentMessageError::MalformedData(_))));
    }

    #[test]
    fn a_relay_payload_must_hold_a_sent_message_log() {
        let payload = sample().payload();
        assert_eq!(SentMessage::decode_payload(&payload[..127]), Err(SentMessageError::PayloadTooShort(127)));
        let mut other = payload.clone();
        other[0] ^= 1;
        assert_eq!(SentMessage::decode_payload(&other), Err(SentMessageError::NotSentMessage));
        assert!(matches!(
            SentMessage::decode_payload(&payload[..140]),
            Err(SentMessageError::MalformedData(_))
        ));
    }

    #[test]
    fn send_calldata_decodes_to_its_arguments() {
        let calldata = send_message_calldata(U256::from(902), Address::repeat_byte(9), b"hi");
        let call = abi::sendMessageCall::abi_decode(&calldata).unwrap();
        assert_eq!(call._destination, U256::from(902));
        assert_eq!(call._target, Address::repeat_byte(9));
        assert_eq!(call._message.to_vec(), b"hi".to_vec());
    }
}
