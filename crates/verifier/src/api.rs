//! The JSON shapes of the supervisor and super-root RPC responses.

use std::collections::BTreeMap;

use alloy_primitives::{B256, Bytes, U64, U256};
use serde::{Deserialize, Serialize};
use superlink_protocol::OutputV0;

use crate::chain_data::{BlockId, BlockRef};

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
    /// Per chain (hex chain ID keys).
    pub chains: BTreeMap<String, ChainSyncStatus>,
}

/// `ChainRootInfo` of `supervisor_superRootAtTimestamp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainRootInfo {
    /// The chain.
    pub chain_id: U64,
    /// The output root of the chain's block at the timestamp.
    pub canonical: B256,
    /// The output root preimage.
    pub pending: Bytes,
}

/// `SuperRootResponse` of `supervisor_superRootAtTimestamp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuperRootResponse {
    /// L1 block from which all chains are cross-safe at the timestamp (zero: not tracked).
    pub cross_safe_derived_from: BlockId,
    /// The super root's timestamp.
    pub timestamp: u64,
    /// The super root.
    pub super_root: B256,
    /// The response version (1).
    pub version: u64,
    /// Every chain's output.
    pub chains: Vec<ChainRootInfo>,
}

/// One chain's output in the super output preimage (`ChainIDAndOutput`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainIdAndOutput {
    /// The chain.
    #[serde(rename = "chainID")]
    pub chain_id: U256,
    /// Its output root.
    pub output: B256,
}

/// The super output preimage (`SuperV1`) as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuperV1Json {
    /// The timestamp.
    pub timestamp: u64,
    /// Outputs, ascending by chain.
    pub chains: Vec<ChainIdAndOutput>,
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
    /// The super output preimage.
    #[serde(rename = "super")]
    pub super_output: SuperV1Json,
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
    pub chain_ids: Vec<U256>,
    /// Per chain (hex chain ID keys) with a local-safe block at the timestamp: its output.
    pub optimistic_at_timestamp: BTreeMap<String, OutputWithRequiredL1>,
    /// The verified super root, when every chain is cross-safe at the timestamp.
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

/// The hex key of a chain in response maps.
pub fn chain_key(chain: u64) -> String {
    format!("{chain:#x}")
}
