//! Singular batches (batch type 0): one L2 block's transactions with its parent, epoch and timestamp.
//!
//! Encoded as `0x00 ‖ rlp([parent_hash, epoch_number, epoch_hash, timestamp, transaction_list])`, where the
//! transaction list holds the EIP-2718 encodings of the block's non-deposit transactions.

use alloy_primitives::{B256, Bytes};
use alloy_rlp::{RlpDecodable, RlpEncodable};

/// One L2 block's batch.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct SingularBatch {
    /// Hash of the L2 block before this one.
    pub parent_hash: B256,
    /// Number of the block's L1 origin (its epoch).
    pub epoch_num: u64,
    /// Hash of the block's L1 origin.
    pub epoch_hash: B256,
    /// The L2 block's timestamp.
    pub timestamp: u64,
    /// The block's non-deposit transactions, EIP-2718 encoded.
    pub transactions: Vec<Bytes>,
}

impl SingularBatch {
    /// The batch's RLP payload (without the type byte).
    pub fn encode_payload(&self) -> Vec<u8> {
        alloy_rlp::encode(self)
    }

    /// Decodes the RLP payload (without the type byte); bytes after the list are an error.
    pub fn decode_payload(payload: &[u8]) -> Result<Self, alloy_rlp::Error> {
        alloy_rlp::decode_exact(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;
    use proptest::prelude::*;

    #[test]
    fn payload_is_the_rlp_list_of_the_five_fields() {
        let batch = SingularBatch {
            parent_hash: B256::repeat_byte(0x11),
            epoch_num: 0x0102,
            epoch_hash: B256::repeat_byte(0x22),
            timestamp: 0x64,
            transactions: vec![Bytes::from_static(&hex!("02c0")), Bytes::from_static(&[0x05])],
        };
        let mut expected = vec![0xf8, 0x4b, 0xa0];
        expected.extend_from_slice(&[0x11; 32]);
        expected.extend_from_slice(&[0x82, 0x01, 0x02, 0xa0]);
        expected.extend_from_slice(&[0x22; 32]);
        expected.extend_from_slice(&[0x64, 0xc4, 0x82, 0x02, 0xc0, 0x05]);
        assert_eq!(batch.encode_payload(), expected);
        assert_eq!(SingularBatch::decode_payload(&expected), Ok(batch));
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let batch = SingularBatch {
            parent_hash: B256::ZERO,
            epoch_num: 1,
            epoch_hash: B256::ZERO,
            timestamp: 2,
            transactions: vec![],
        };
        let mut payload = batch.encode_payload();
        payload.push(0);
        assert!(SingularBatch::decode_payload(&payload).is_err());
    }

    proptest! {
        #[test]
        fn singular_batches_round_trip(
            parent in any::<[u8; 32]>(),
            epoch_num in any::<u64>(),
            epoch_hash in any::<[u8; 32]>(),
            timestamp in any::<u64>(),
            txs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..100), 0..5),
        ) {
            let batch = SingularBatch {
                parent_hash: parent.into(),
                epoch_num,
                epoch_hash: epoch_hash.into(),
                timestamp,
                transactions: txs.into_iter().map(Bytes::from).collect(),
            };
            prop_assert_eq!(SingularBatch::decode_payload(&batch.encode_payload()).unwrap(), batch);
        }
    }
}
