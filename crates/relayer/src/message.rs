//! Relayable messages: what a relayer builds from each `SentMessage` log of `L2ToL2CrossDomainMessenger`.
//!
//! For a log at index `i` of source block `b` (all logs of the block counted) the relay needs the
//! `Identifier` `{messenger, b.number, i, b.timestamp, source chain}`, the log's payload (topics then data),
//! the `relayMessage` calldata and an access list that declares the message to `CrossL2Inbox`. Pure: the logs
//! and the block are inputs.

use alloy_eips::eip2930::AccessList;
use alloy_primitives::{B256, Bytes, U256, keccak256};
use serde::Serialize;
use superlink_protocol::{
    Identifier, SentMessage, access_list, access_list_keys, payload_from_log,
    predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER, relay_message_calldata,
};

use crate::{
    chain::{BlockInfo, LogInfo},
    error::RelayError,
};

/// One message sent through the messenger, with everything needed to relay it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelayableMessage {
    /// Where its `SentMessage` log is.
    pub identifier: Identifier,
    /// The decoded `SentMessage`.
    pub sent: SentMessage,
    /// The log's payload: the `_sentMessage` argument of `relayMessage`.
    pub payload: Bytes,
    /// `keccak256(payload)`: the `msgHash` the inbox validates.
    pub payload_hash: B256,
    /// The messenger's message hash, the key of `successfulMessages`.
    pub message_hash: B256,
    /// The source transaction.
    pub source_transaction: B256,
    /// The source block's hash.
    pub source_block_hash: B256,
}

impl RelayableMessage {
    /// The chain the message is for.
    pub fn destination(&self) -> U256 {
        self.sent.destination
    }

    /// The chain the message was sent from.
    pub fn source(&self) -> U256 {
        self.identifier.chain_id
    }

    /// Calldata of `relayMessage(identifier, payload)`.
    pub fn relay_calldata(&self) -> Bytes {
        relay_message_calldata(&self.identifier, &self.payload)
    }

    /// The access list that declares this message to `CrossL2Inbox`.
    pub fn access_list(&self) -> AccessList {
        access_list([(&self.identifier, self.payload_hash)])
    }

    /// The `CrossL2Inbox` storage keys of [`Self::access_list`].
    pub fn access_list_keys(&self) -> Vec<B256> {
        access_list_keys(&self.identifier, self.payload_hash)
    }

    /// Builds the message of one log, or `Ok(None)` if the log is not a `SentMessage` of the messenger.
    /// `timestamp` is the timestamp of the log's block, `source` the chain ID of the source chain.
    pub fn from_log(log: &LogInfo, timestamp: u64, source: U256) -> Result<Option<Self>, RelayError> {
        let Some(sent) = SentMessage::decode_log(log.address, &log.topics, &log.data)
            .map_err(|e| RelayError::MalformedLog(e.to_string()))?
        else {
            return Ok(None);
        };
        let payload = Bytes::from(payload_from_log(&log.topics, &log.data));
        let identifier = Identifier {
            origin: L2_TO_L2_CROSS_DOMAIN_MESSENGER,
            block_number: log.block_number,
            log_index: log.log_index,
            timestamp,
            chain_id: source,
        };
        Ok(Some(Self {
            identifier,
            payload_hash: keccak256(&payload),
            message_hash: sent.message_hash(source),
            sent,
            payload,
            source_transaction: log.transaction_hash,
            source_block_hash: log.block_hash,
        }))
    }
}

/// The messages among `logs`, all of which belong to `block` of chain `source`. An error if a log claims
/// another block, or if the messenger emitted a malformed `SentMessage`.
pub fn messages_in_block(
    source: U256,
    block: &BlockInfo,
    logs: &[LogInfo],
) -> Result<Vec<RelayableMessage>, RelayError> {
    let mut messages = Vec::new();
    for log in logs {
        if log.block_number != block.number || log.block_hash != block.hash {
            return Err(RelayError::InconsistentSource(format!(
                "log {} claims block {} ({}), expected block {} ({})",
                log.log_index, log.block_number, log.block_hash, block.number, block.hash
            )));
        }
        if let Some(message) = RelayableMessage::from_log(log, block.timestamp, source)? {
            messages.push(message);
        }
    }
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, address};
    use superlink_protocol::message_hash;

    fn sent() -> SentMessage {
        SentMessage {
            destination: U256::from(902),
            target: address!("0x5111000000000000000000000000000000000001"),
            nonce: U256::from(7),
            sender: address!("0x1000000000000000000000000000000000000001"),
            message: Bytes::from_static(b"\x01\x02\x03"),
        }
    }

    fn log_of(address: Address, sent: &SentMessage, index: u32, block: &BlockInfo) -> LogInfo {
        let (topics, data) = sent.encode_log();
        LogInfo {
            address,
            topics,
            data,
            block_number: block.number,
            block_hash: block.hash,
            log_index: index,
            transaction_hash: B256::repeat_byte(9),
            block_timestamp: None,
        }
    }

    fn block() -> BlockInfo {
        BlockInfo { number: 42, hash: B256::repeat_byte(4), timestamp: 1_700_000_000, base_fee_per_gas: None }
    }

    #[test]
    fn the_identifier_points_at_the_log_in_its_block() {
        let block = block();
        let other = LogInfo {
            address: Address::repeat_byte(1),
            topics: vec![B256::repeat_byte(2)],
            data: Bytes::new(),
            ..log_of(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &sent(), 0, &block)
        };
        let logs = [other, log_of(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &sent(), 5, &block)];
        let messages = messages_in_block(U256::from(901), &block, &logs).unwrap();
        assert_eq!(messages.len(), 1);
        let m = &messages[0];
        assert_eq!(m.identifier.origin, L2_TO_L2_CROSS_DOMAIN_MESSENGER);
        assert_eq!(m.identifier.block_number, 42);
        assert_eq!(m.identifier.log_index, 5);
        assert_eq!(m.identifier.timestamp, block.timestamp);
        assert_eq!(m.identifier.chain_id, U256::from(901));
        let s = sent();
        let expected = message_hash(s.destination, U256::from(901), s.nonce, s.sender, s.target, &s.message);
        assert_eq!(m.message_hash, expected);
        assert_eq!(m.payload_hash, keccak256(s.payload()));
        assert_eq!(m.relay_calldata(), relay_message_calldata(&m.identifier, &s.payload()));
        let keys = &m.access_list().0[0].storage_keys;
        assert_eq!(keys, &access_list_keys(&m.identifier, keccak256(s.payload())));
    }

    #[test]
    fn a_sent_message_event_from_another_emitter_is_not_a_message() {
        let block = block();
        let logs = [log_of(Address::repeat_byte(7), &sent(), 0, &block)];
        assert!(messages_in_block(U256::from(901), &block, &logs).unwrap().is_empty());
    }

    #[test]
    fn a_log_of_another_block_is_refused() {
        let block = block();
        let mut log = log_of(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &sent(), 0, &block);
        log.block_hash = B256::repeat_byte(5);
        assert!(matches!(
            messages_in_block(U256::from(901), &block, &[log]),
            Err(RelayError::InconsistentSource(_))
        ));
    }

    proptest::proptest! {
        /// Whatever the message, the relay built from its log carries the log's exact payload, and the hashes
        /// are the protocol's.
        #[test]
        fn any_sent_message_round_trips_through_its_log(
            destination in proptest::prelude::any::<u64>(),
            nonce in proptest::prelude::any::<u64>(),
            target in proptest::prelude::any::<[u8; 20]>(),
            sender in proptest::prelude::any::<[u8; 20]>(),
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            log_index in proptest::prelude::any::<u32>(),
            source in proptest::prelude::any::<u64>(),
        ) {
            let sent = SentMessage {
                destination: U256::from(destination),
                target: Address::from(target),
                nonce: U256::from(nonce),
                sender: Address::from(sender),
                message: Bytes::from(body),
            };
            let block = block();
            let log = log_of(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &sent, log_index, &block);
            let m = RelayableMessage::from_log(&log, block.timestamp, U256::from(source)).unwrap().unwrap();
            proptest::prop_assert_eq!(&m.sent, &sent);
            proptest::prop_assert_eq!(m.payload.to_vec(), payload_from_log(&log.topics, &log.data));
            proptest::prop_assert_eq!(m.message_hash, sent.message_hash(U256::from(source)));
            proptest::prop_assert_eq!(m.identifier.log_index, log_index);
            proptest::prop_assert_eq!(m.access_list_keys(), access_list_keys(&m.identifier, keccak256(&m.payload)));
        }
    }
}
