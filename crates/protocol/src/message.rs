//! Message payloads and their hashes.
//!
//! Every log is an initiating message. Its payload is the log's topics (32 bytes each) followed by its data;
//! `msgHash` is the keccak256 of that payload, and the `logHash` the log index stores is
//! `keccak256(origin ++ msgHash)`.

use alloy_primitives::{Address, B256, keccak256};

/// The message payload of a log: its topics concatenated, then its data.
pub fn payload_from_log(topics: &[B256], data: &[u8]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(topics.len() * 32 + data.len());
    for topic in topics {
        payload.extend_from_slice(topic.as_slice());
    }
    payload.extend_from_slice(data);
    payload
}

/// `msgHash`: the keccak256 of the log's message payload.
pub fn payload_hash(topics: &[B256], data: &[u8]) -> B256 {
    keccak256(payload_from_log(topics, data))
}

/// The hash that commits to a log's emitter and payload: `keccak256(origin ++ msgHash)`.
pub fn log_hash(origin: Address, msg_hash: B256) -> B256 {
    let mut preimage = [0u8; 20 + 32];
    preimage[..20].copy_from_slice(origin.as_slice());
    preimage[20..].copy_from_slice(msg_hash.as_slice());
    keccak256(preimage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256};

    #[test]
    fn the_payload_is_the_topics_then_the_data() {
        let topics = [B256::repeat_byte(1), B256::repeat_byte(2)];
        let payload = payload_from_log(&topics, b"data");
        assert_eq!(payload.len(), 68);
        assert_eq!(&payload[..32], topics[0].as_slice());
        assert_eq!(&payload[32..64], topics[1].as_slice());
        assert_eq!(&payload[64..], b"data");
        assert_eq!(payload_hash(&topics, b"data"), keccak256(&payload));
    }

    #[test]
    fn a_log_without_topics_has_its_data_as_payload() {
        assert_eq!(payload_from_log(&[], b"abc"), b"abc".to_vec());
        assert_eq!(payload_hash(&[], b""), keccak256([]));
    }

    /// Public vector: origin 0xe0e1…f9 with msgHash = keccak256("example payload").
    #[test]
    fn the_log_hash_matches_the_public_vector() {
        let origin = address!("0xe0e1e2e3e4e5e6e7e8e9f0f1f2f3f4f5f6f7f8f9");
        let msg_hash = keccak256("example payload");
        assert_eq!(
            log_hash(origin, msg_hash),
            b256!("0xf9ed05990c887d3f86718aabd7e940faaa75d6a5cd44602e89642586ce85f2aa")
        );
    }

    #[test]
    fn the_log_hash_commits_to_the_origin() {
        let msg_hash = keccak256("example payload");
        assert_ne!(log_hash(Address::repeat_byte(1), msg_hash), log_hash(Address::repeat_byte(2), msg_hash));
    }
}
