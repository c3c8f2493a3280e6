//! The message `Identifier`: a pointer to one log of one block of one chain.
//!
//! The Solidity struct carries `uint256` fields; superlink keeps the block number and timestamp as `u64` and
//! the log index as `u32` (the widths the access-list entries use), and the chain ID as a full `U256`.
//! Converting an ABI value whose fields do not fit is an [`IdentifierRangeError`], never a silent truncation.

use alloy_primitives::{Address, U256};
use alloy_sol_types::sol;
use serde::{Deserialize, Serialize};

sol! {
    /// The ABI form of the message identifier, as `CrossL2Inbox` and `L2ToL2CrossDomainMessenger` take and
    /// emit it: the tuple `(address,uint256,uint256,uint256,uint256)`.
    #[derive(Debug, PartialEq, Eq)]
    struct AbiIdentifier {
        address origin;
        uint256 blockNumber;
        uint256 logIndex;
        uint256 timestamp;
        uint256 chainId;
    }
}

/// Identifies one log: the emitter, the block that holds it, its index among all logs of that block, the
/// block's timestamp and the chain's ID.
///
/// Its JSON is the supervisor RPC's: `{"origin", "blockNumber", "logIndex", "timestamp", "chainID"}`, numbers
/// as hex quantities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    /// The account that emitted the log.
    pub origin: Address,
    /// The number of the block that holds the log.
    #[serde(with = "crate::json_format::hex_u64")]
    pub block_number: u64,
    /// The index of the log among all logs of its block (not of its transaction).
    #[serde(with = "crate::json_format::hex_u32")]
    pub log_index: u32,
    /// The timestamp of the block that holds the log.
    #[serde(with = "crate::json_format::hex_u64")]
    pub timestamp: u64,
    /// The chain the log was emitted on.
    #[serde(rename = "chainID", alias = "chainId")]
    pub chain_id: U256,
}

/// Which field of an ABI identifier was too large for superlink's representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierField {
    /// `blockNumber` must fit in a `u64`.
    BlockNumber,
    /// `logIndex` must fit in a `u32`.
    LogIndex,
    /// `timestamp` must fit in a `u64`.
    Timestamp,
}

impl std::fmt::Display for IdentifierField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::BlockNumber => "blockNumber",
            Self::LogIndex => "logIndex",
            Self::Timestamp => "timestamp",
        })
    }
}

/// An ABI identifier field does not fit the width superlink (and the access-list encoding) uses for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("identifier field {field} = {value} does not fit in {bits} bits")]
pub struct IdentifierRangeError {
    /// The field that is out of range.
    pub field: IdentifierField,
    /// Its value.
    pub value: U256,
    /// The width it must fit in.
    pub bits: u32,
}

fn narrow<T: TryFrom<U256>>(
    field: IdentifierField,
    value: U256,
    bits: u32,
) -> Result<T, IdentifierRangeError> {
    T::try_from(value).map_err(|_| IdentifierRangeError { field, value, bits })
}

impl TryFrom<AbiIdentifier> for Identifier {
    type Error = IdentifierRangeError;

    fn try_from(abi: AbiIdentifier) -> Result<Self, Self::Error> {
        Ok(Self {
            origin: abi.origin,
            block_number: narrow(IdentifierField::BlockNumber, abi.blockNumber, 64)?,
            log_index: narrow(IdentifierField::LogIndex, abi.logIndex, 32)?,
            timestamp: narrow(IdentifierField::Timestamp, abi.timestamp, 64)?,
            chain_id: abi.chainId,
        })
    }
}

impl From<Identifier> for AbiIdentifier {
    fn from(id: Identifier) -> Self {
        Self {
            origin: id.origin,
            blockNumber: U256::from(id.block_number),
            logIndex: U256::from(id.log_index),
            timestamp: U256::from(id.timestamp),
            chainId: id.chain_id,
        }
    }
}

impl Identifier {
    /// The ABI encoding of this identifier: five 32-byte words.
    pub fn abi_encode(&self) -> Vec<u8> {
        alloy_sol_types::SolValue::abi_encode(&AbiIdentifier::from(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::any_identifier;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn an_identifier_survives_the_abi_form(id in any_identifier()) {
            let abi = AbiIdentifier::from(id);
            prop_assert_eq!(Identifier::try_from(abi).unwrap(), id);
        }
    }

    proptest! {
        #[test]
        fn an_identifier_survives_its_json(id in any_identifier()) {
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<Identifier>(&json).unwrap(), id);
        }
    }

    #[test]
    fn the_json_is_the_supervisor_rpc_shape() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "origin": Address::repeat_byte(0xaa),
                "blockNumber": "0x7",
                "logIndex": "0x3",
                "timestamp": "0x6553f100",
                "chainID": "0x385",
            })
        );
    }

    #[test]
    fn an_abi_identifier_with_a_block_number_above_u64_is_rejected() {
        let mut abi = AbiIdentifier::from(sample());
        abi.blockNumber = U256::from(u64::MAX) + U256::from(1);
        let err = Identifier::try_from(abi).unwrap_err();
        assert_eq!(err.field, IdentifierField::BlockNumber);
        assert_eq!(err.bits, 64);
    }

    #[test]
    fn an_abi_identifier_with_a_log_index_above_u32_is_rejected() {
        let mut abi = AbiIdentifier::from(sample());
        abi.logIndex = U256::from(u64::from(u32::MAX) + 1);
        let err = Identifier::try_from(abi).unwrap_err();
        assert_eq!(err.field, IdentifierField::LogIndex);
        assert_eq!(err.bits, 32);
    }

    #[test]
    fn an_abi_identifier_with_a_timestamp_above_u64_is_rejected() {
        let mut abi = AbiIdentifier::from(sample());
        abi.timestamp = U256::MAX;
        let err = Identifier::try_from(abi).unwrap_err();
        assert_eq!(err.field, IdentifierField::Timestamp);
        assert!(err.to_string().contains("timestamp"));
    }

    #[test]
    fn the_abi_encoding_is_five_words_in_field_order() {
        let id = sample();
        let encoded = id.abi_encode();
        assert_eq!(encoded.len(), 5 * 32);
        assert_eq!(&encoded[12..32], id.origin.as_slice());
        assert_eq!(U256::from_be_slice(&encoded[32..64]), U256::from(id.block_number));
        assert_eq!(U256::from_be_slice(&encoded[64..96]), U256::from(id.log_index));
        assert_eq!(U256::from_be_slice(&encoded[96..128]), U256::from(id.timestamp));
        assert_eq!(U256::from_be_slice(&encoded[128..160]), id.chain_id);
    }

    fn sample() -> Identifier {
        Identifier {
            origin: Address::repeat_byte(0xaa),
            block_number: 7,
            log_index: 3,
            timestamp: 1_700_000_000,
            chain_id: U256::from(901),
        }
    }
}
