//! The JSON shapes of the supervisor, interop and super-root RPC responses, spelled as the Go reference types
//! of op-service (`eth` package) spell them: chain IDs as decimal strings (`ChainID`), block numbers and
//! timestamps as JSON numbers except where the reference writes hex (`SuperV1.timestamp` and the legacy
//! `SuperRootResponse`'s `timestamp` and `version`), and `data` absent when there is no verified super root.

use std::collections::BTreeMap;

use alloy_primitives::{B256, Bytes, U64, U256};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use superlink_protocol::{OutputV0, SuperV1};

use crate::chain_data::{BlockId, BlockRef, ChainId};

/// A chain ID as op-service's `ChainID` writes it: a decimal string (`"901"`). Read from a decimal or `0x` hex
/// string, or a JSON number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChainIdText(pub ChainId);

impl Serialize for ChainIdText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ChainIdText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = U256::deserialize(deserializer)?;
        u64::try_from(value)
            .map(ChainIdText)
            .map_err(|_| serde::de::Error::custom(format!("chain ID {value} does not fit in 64 bits")))
    }
}

/// `DerivedIDPair`: a derived L2 block and the L1 block it was derived from (zero when not tracked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivedIdPair {
    /// The L1 source block.
    pub source: BlockId,
    /// The derived L2 block.
    pub derived: BlockId,
}

/// `SupervisorChainSyncStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainSyncStatus {
    /// Latest indexed block.
    pub local_unsafe: BlockRef,
    /// Local-safe head.
    pub local_safe: BlockId,
    /// Cross-unsafe head.
    pub cross_unsafe: BlockId,
    /// Cross-safe head.
    pub safe: BlockId,
    /// Finalized head.
    pub finalized: BlockId,
}

/// `SupervisorSyncStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// The synced L1 block (zero: this verifier reads L2 tags, not L1).
    #[serde(rename = "minSyncedL1")]
    pub min_synced_l1: BlockRef,
    /// The minimum cross-safe head timestamp across chains.
    pub safe_timestamp: u64,
    /// The minimum finalized head timestamp across chains.
    pub finalized_timestamp: u64,
    /// Per chain (decimal chain ID keys).
    pub chains: BTreeMap<String, ChainSyncStatus>,
}

/// `ChainRootInfo` of `supervisor_superRootAtTimestamp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainRootInfo {
    /// The chain (decimal string).
    #[serde(rename = "chainID")]
    pub chain_id: ChainIdText,
    /// The output root of the chain's block at the timestamp.
    pub canonical: B256,
    /// The output root preimage (the 128 bytes of `OutputV0`).
    pub pending: Bytes,
}

/// `SuperRootResponse` of the legacy `supervisor_superRootAtTimestamp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuperRootResponse {
    /// L1 block from which all chains are cross-safe at the timestamp (zero: not tracked).
    pub cross_safe_derived_from: BlockId,
    /// The super root's timestamp (hex, as the reference writes it).
    pub timestamp: U64,
    /// The super root.
    pub super_root: B256,
    /// The super root version: one byte, `"0x01"`.
    pub version: Bytes,
    /// Every chain's output.
    pub chains: Vec<ChainRootInfo>,
}

/// `OutputWithRequiredL1` of `superroot_atTimestamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputWithRequiredL1 {
    /// The output root preimage.
    pub output: OutputV0,
    /// The output root.
    pub output_root: B256,
    /// The L1 block needed to derive it (zero: not tracked).
    pub required_l1: BlockId,
}

/// `SuperRootResponseData` of `superroot_atTimestamp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuperRootData {
    /// The L1 block needed to verify (zero: not tracked).
    pub verified_required_l1: BlockId,
    /// The super output preimage: `{"timestamp": hex, "chains": [{"ChainID": "901", "Output": hash}]}`.
    #[serde(rename = "super")]
    pub super_output: SuperV1,
    /// keccak256 of the encoded super output.
    pub super_root: B256,
}

/// The response of `superroot_atTimestamp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuperRootAtTimestamp {
    /// Highest L1 block processed by all chains (zero: not tracked).
    pub current_l1: BlockId,
    /// Minimum cross-safe head timestamp.
    pub safe_timestamp: u64,
    /// Minimum local-safe head timestamp.
    pub local_safe_timestamp: u64,
    /// Minimum finalized head timestamp.
    pub finalized_timestamp: u64,
    /// The chains, ascending.
    pub chain_ids: Vec<ChainIdText>,
    /// Per chain (decimal chain ID keys) with a local-safe block at the timestamp: its output (a replaced
    /// block's original output).
    pub optimistic_at_timestamp: BTreeMap<String, OutputWithRequiredL1>,
    /// The verified super root, when every chain is cross-safe at the timestamp; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<SuperRootData>,
}

/// A block found invalid, as `superlink_invalidBlocks` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvalidBlockJson {
    /// The chain.
    pub chain_id: U64,
    /// The block.
    pub block: BlockRef,
    /// The level at which it is invalid.
    pub level: String,
    /// Why.
    pub reason: String,
}

/// The key of a chain in response maps: its decimal ID, as a Go `map[ChainID]` writes it.
pub fn chain_key(chain: u64) -> String {
    chain.to_string()
}
