//! The shapes of the answers and arguments the client exchanges with a node. Only the fields superlink uses
//! are read; quantities arrive as hex strings and are given as plain integers.

use alloy_eips::eip2930::AccessList;
use alloy_primitives::{Address, B256, Bytes, U64, U128, U256};
use serde::{Deserialize, Deserializer, Serialize};

/// A block header as `eth_getBlockByNumber(_, false)` answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockHeader {
    /// Block number.
    #[serde(deserialize_with = "quantity")]
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// The parent's hash.
    pub parent_hash: B256,
    /// Block timestamp (seconds).
    #[serde(deserialize_with = "quantity")]
    pub timestamp: u64,
    /// State root after the block.
    pub state_root: B256,
    /// EIP-1559 base fee, when the chain has one.
    #[serde(default, deserialize_with = "optional_u128")]
    pub base_fee_per_gas: Option<u128>,
}

/// A log as receipts and `eth_getLogs` carry it. The position fields are absent for pending logs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    /// The emitter.
    pub address: Address,
    /// Its topics.
    pub topics: Vec<B256>,
    /// Its data.
    pub data: Bytes,
    /// The block that holds it.
    #[serde(default, deserialize_with = "optional_quantity")]
    pub block_number: Option<u64>,
    /// That block's hash.
    #[serde(default)]
    pub block_hash: Option<B256>,
    /// Its index among all logs of its block.
    #[serde(default, deserialize_with = "optional_quantity")]
    pub log_index: Option<u64>,
    /// The transaction that emitted it.
    #[serde(default)]
    pub transaction_hash: Option<B256>,
    /// The block's timestamp, when the node reports it with the log.
    #[serde(default, deserialize_with = "optional_quantity")]
    pub block_timestamp: Option<u64>,
    /// Whether a reorg removed it (filters report such logs once).
    #[serde(default)]
    pub removed: bool,
}

/// A transaction receipt. Fields a caller relies on are checked by that caller: the verifier reads only the
/// logs and block hash of block receipts, the relayer needs the transaction's position and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// The transaction.
    #[serde(default)]
    pub transaction_hash: Option<B256>,
    /// The block that holds it.
    #[serde(default, deserialize_with = "optional_quantity")]
    pub block_number: Option<u64>,
    /// That block's hash.
    #[serde(default)]
    pub block_hash: Option<B256>,
    /// `1` for success, `0` for failure (absent before Byzantium).
    #[serde(default, deserialize_with = "optional_quantity")]
    pub status: Option<u64>,
    /// Gas it used.
    #[serde(default, deserialize_with = "optional_quantity")]
    pub gas_used: Option<u64>,
    /// Its logs.
    pub logs: Vec<Log>,
}

/// A call to simulate, estimate or send, as `eth_call` and `eth_estimateGas` take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallArgs<'a> {
    /// The sender, when it matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Address>,
    /// The account called.
    pub to: Address,
    /// Wei sent along.
    pub value: U256,
    /// Calldata.
    pub input: &'a Bytes,
    /// The EIP-2930 access list.
    pub access_list: &'a AccessList,
}

/// Which logs `eth_getLogs` returns: an inclusive block range, an emitter and positional topics (`None`
/// matches any topic at that position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// First block, inclusive.
    pub from_block: u64,
    /// Last block, inclusive.
    pub to_block: u64,
    /// The emitter.
    pub address: Address,
    /// Topics by position.
    pub topics: Vec<Option<B256>>,
}

impl Serialize for LogQuery {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Filter<'a> {
            from_block: U64,
            to_block: U64,
            address: Address,
            topics: &'a [Option<B256>],
        }
        Filter {
            from_block: U64::from(self.from_block),
            to_block: U64::from(self.to_block),
            address: self.address,
            topics: &self.topics,
        }
        .serialize(serializer)
    }
}

fn quantity<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    U64::deserialize(deserializer).map(|n| n.to())
}

fn optional_quantity<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Option::<U64>::deserialize(deserializer).map(|n| n.map(|n| n.to()))
}

fn optional_u128<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u128>, D::Error> {
    Option::<U128>::deserialize(deserializer).map(|n| n.map(|n| n.to()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deposit_receipt_without_optional_fields_decodes() {
        let json = serde_json::json!({
            "transactionHash": format!("{:#x}", B256::repeat_byte(1)),
            "blockNumber": "0x10",
            "blockHash": format!("{:#x}", B256::repeat_byte(2)),
            "gasUsed": "0x5208",
            "logs": [{ "address": format!("{:#x}", Address::repeat_byte(3)), "topics": [], "data": "0x" }],
            "type": "0x7e",
        });
        let receipt: Receipt = serde_json::from_value(json)
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("a receipt with only the fields we read decodes: {e}"));
        assert_eq!(receipt.block_number, Some(16));
        assert_eq!(receipt.gas_used, Some(21_000));
        assert_eq!(receipt.status, None);
        assert_eq!(receipt.logs[0].log_index, None);
        assert!(!receipt.logs[0].removed);
    }

    #[test]
    fn a_log_query_is_sent_with_hex_block_numbers() {
        let query = LogQuery {
            from_block: 1,
            to_block: 255,
            address: Address::repeat_byte(0x42),
            topics: vec![Some(B256::repeat_byte(7)), None],
        };
        let json = serde_json::to_value(&query).unwrap_or_default();
        assert_eq!(json["fromBlock"], "0x1");
        assert_eq!(json["toBlock"], "0xff");
        assert_eq!(json["topics"][1], serde_json::Value::Null);
    }
}
