//! Output roots, super roots and the fault-proof transition state.
//!
//! - Output root v0: `keccak256(bytes32(0) ++ stateRoot ++ messagePasserStorageRoot ++ blockHash)`.
//! - Super output v1: `0x01 ++ timestamp u64 BE ++ (chainId u256 ++ outputRoot)*`, chains strictly ascending
//!   by ID; the super root is its keccak256.
//! - Transition state: `0xff ++ rlp([superOutput bytes, [[blockHash, outputRoot], ...], step u64])`; its
//!   hash is the keccak256 of that whole encoding. The invalid state is `keccak256("invalid")`.

use alloy_primitives::{B256, Bytes, U256, keccak256};
use alloy_rlp::{Decodable, Encodable, RlpDecodable, RlpEncodable};
use std::sync::LazyLock;

/// The version byte of an output root preimage.
pub const OUTPUT_ROOT_VERSION_V0: B256 = B256::ZERO;

/// The version byte of a super output.
pub const SUPER_OUTPUT_VERSION_V1: u8 = 1;

/// The version byte that prefixes an encoded transition state.
pub const TRANSITION_STATE_VERSION: u8 = 0xff;

/// The number of steps of one super-root transition: the claim at step 0 is the super root, each of steps
/// 1 to 1023 is a transition state, and the step out of state 1023 consolidates into the next super root.
///
/// The fault-proof page of the specification says 128 (consolidation at step 127); the reference challenger
/// (`StepsPerTimestamp`) and program (`ConsolidateStep`) play 1024 and 1023, and a game's trace must be the
/// one the deployed challenger and program agree on, so superlink follows them. Only the number of padding
/// steps differs: the claims at step 0, at every derivation step and after consolidation are the same either
/// way.
pub const TRANSITION_STEPS_PER_TIMESTAMP: u64 = 1024;

/// The step whose state is consolidated: the last state before the next timestamp's super root.
pub const CONSOLIDATION_STEP: u64 = TRANSITION_STEPS_PER_TIMESTAMP - 1;

/// The claim of a transition with no valid outcome: `keccak256("invalid")`.
pub static INVALID_TRANSITION_HASH: LazyLock<B256> = LazyLock::new(|| keccak256("invalid"));

/// The source hash of an upgrade deposit transaction: `keccak256(bytes32(2) ++ keccak256(intent))`.
pub fn upgrade_deposit_source_hash(intent: &str) -> B256 {
    let mut preimage = [0u8; 64];
    preimage[31] = 2;
    preimage[32..].copy_from_slice(keccak256(intent.as_bytes()).as_slice());
    keccak256(preimage)
}

/// The preimage of a version-0 output root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputV0 {
    /// The state root of the L2 block.
    pub state_root: B256,
    /// The storage root of `L2ToL1MessagePasser` in that state.
    pub message_passer_storage_root: B256,
    /// The hash of the L2 block.
    pub block_hash: B256,
}

impl OutputV0 {
    /// The 128-byte preimage: version, state root, message passer storage root, block hash.
    pub fn encode(&self) -> [u8; 128] {
        let mut preimage = [0u8; 128];
        preimage[..32].copy_from_slice(OUTPUT_ROOT_VERSION_V0.as_slice());
        preimage[32..64].copy_from_slice(self.state_root.as_slice());
        preimage[64..96].copy_from_slice(self.message_passer_storage_root.as_slice());
        preimage[96..].copy_from_slice(self.block_hash.as_slice());
        preimage
    }

    /// The output root: keccak256 of the preimage.
    pub fn root(&self) -> B256 {
        keccak256(self.encode())
    }
}

/// The version-0 output root of an L2 block.
pub fn output_root_v0(state_root: B256, message_passer_storage_root: B256, block_hash: B256) -> B256 {
    OutputV0 { state_root, message_passer_storage_root, block_hash }.root()
}

/// One chain's output root in a super output.
///
/// Its JSON is op-service's `ChainIDAndOutput`: `{"ChainID": "901", "Output": "0x…"}` (lower-case and
/// camel-case keys are accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct OutputRootWithChain {
    /// The chain.
    #[serde(
        rename = "ChainID",
        alias = "chainID",
        alias = "chainId",
        with = "crate::json_format::decimal_u256"
    )]
    pub chain_id: U256,
    /// The output root of its last block at or before the super output's timestamp.
    #[serde(rename = "Output", alias = "output", alias = "outputRoot")]
    pub output_root: B256,
}

/// Why bytes are not a super output, or outputs cannot form one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuperRootError {
    /// The input is empty.
    #[error("super output is empty")]
    Empty,
    /// A super output must hold at least one chain.
    #[error("super output has no chain")]
    NoChains,
    /// The first byte is not the v1 version byte.
    #[error("super output version {0:#04x} is not supported (expected 0x01)")]
    UnsupportedVersion(u8),
    /// The input is shorter than version and timestamp, or its chain part is not a whole number of entries.
    #[error("super output of {0} bytes is not 9 bytes plus a multiple of 64")]
    BadLength(usize),
    /// A chain appears twice.
    #[error("super output lists chain {0} twice")]
    DuplicateChain(U256),
    /// Chains are not in ascending order of chain ID.
    #[error("super output chains are not ascending: {previous} before {next}")]
    NotAscending {
        /// The earlier chain ID.
        previous: U256,
        /// The later, smaller chain ID.
        next: U256,
    },
}

/// A super output, version 1: the output roots of every chain of the dependency set at one timestamp.
///
/// Its JSON is op-service's: `{"timestamp": "0x…", "chains": [{"ChainID": "901", "Output": "0x…"}, ...]}`;
/// reading it applies the same checks as [`SuperV1::decode`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "SuperV1Json")]
pub struct SuperV1 {
    /// The L2 timestamp the outputs are taken at.
    #[serde(with = "crate::json_format::hex_u64")]
    pub timestamp: u64,
    /// The outputs, ascending by chain ID.
    #[serde(rename = "chains")]
    pub outputs: Vec<OutputRootWithChain>,
}

/// The JSON of a super output as read, before its chains are checked.
#[derive(serde::Deserialize)]
struct SuperV1Json {
    #[serde(with = "crate::json_format::hex_u64")]
    timestamp: u64,
    #[serde(alias = "outputs")]
    chains: Vec<OutputRootWithChain>,
}

impl TryFrom<SuperV1Json> for SuperV1 {
    type Error = SuperRootError;

    fn try_from(json: SuperV1Json) -> Result<Self, Self::Error> {
        check_ascending(&json.chains)?;
        Ok(Self { timestamp: json.timestamp, outputs: json.chains })
    }
}

/// Checks that outputs are non-empty and strictly ascending by chain ID.
fn check_ascending(outputs: &[OutputRootWithChain]) -> Result<(), SuperRootError> {
    if outputs.is_empty() {
        return Err(SuperRootError::NoChains);
    }
    for pair in outputs.windows(2) {
        let (previous, next) = (pair[0].chain_id, pair[1].chain_id);
        if previous == next {
            return Err(SuperRootError::DuplicateChain(next));
        }
        if previous > next {
            return Err(SuperRootError::NotAscending { previous, next });
        }
    }
    Ok(())
}

impl SuperV1 {
    /// A super output of the given outputs, sorted ascending by chain ID; an error if a chain repeats or
    /// there is none.
    pub fn new(timestamp: u64, mut outputs: Vec<OutputRootWithChain>) -> Result<Self, SuperRootError> {
        outputs.sort_by_key(|output| output.chain_id);
        check_ascending(&outputs)?;
        Ok(Self { timestamp, outputs })
    }

    /// The encoding: `0x01 ++ timestamp u64 BE ++ (chainId u256 ++ outputRoot)*`.
    pub fn encode(&self) -> Bytes {
        let mut out = Vec::with_capacity(9 + 64 * self.outputs.len());
        out.push(SUPER_OUTPUT_VERSION_V1);
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        for output in &self.outputs {
            out.extend_from_slice(&output.chain_id.to_be_bytes::<32>());
            out.extend_from_slice(output.output_root.as_slice());
        }
        out.into()
    }

    /// Decodes and validates an encoded super output: version byte, lengths, at least one chain, strictly
    /// ascending chains.
    pub fn decode(data: &[u8]) -> Result<Self, SuperRootError> {
        let (&version, rest) = data.split_first().ok_or(SuperRootError::Empty)?;
        if version != SUPER_OUTPUT_VERSION_V1 {
            return Err(SuperRootError::UnsupportedVersion(version));
        }
        if rest.len() < 8 || (rest.len() - 8) % 64 != 0 {
            return Err(SuperRootError::BadLength(data.len()));
        }
        let (timestamp, entries) = rest.split_at(8);
        let mut timestamp_bytes = [0u8; 8];
        timestamp_bytes.copy_from_slice(timestamp);
        let outputs: Vec<OutputRootWithChain> = entries
            .chunks_exact(64)
            .map(|entry| OutputRootWithChain {
                chain_id: U256::from_be_slice(&entry[..32]),
                output_root: B256::from_slice(&entry[32..]),
            })
            .collect();
        check_ascending(&outputs)?;
        Ok(Self { timestamp: u64::from_be_bytes(timestamp_bytes), outputs })
    }

    /// The super root: keccak256 of the encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}

/// A block derived during a transition but not yet checked for cross-chain validity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, RlpEncodable, RlpDecodable, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct OptimisticBlock {
    /// The hash of the derived block.
    pub block_hash: B256,
    /// Its output root.
    pub output_root: B256,
}

/// Why bytes are not an encoded transition state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionStateError {
    /// The input is empty.
    #[error("transition state is empty")]
    Empty,
    /// The first byte is not [`TRANSITION_STATE_VERSION`].
    #[error("transition state version {0:#04x} is not supported (expected 0xff)")]
    UnsupportedVersion(u8),
    /// The RLP body is malformed.
    #[error("transition state RLP is malformed: {0}")]
    Rlp(#[from] alloy_rlp::Error),
    /// Bytes follow the RLP list.
    #[error("transition state has {0} trailing bytes")]
    TrailingBytes(usize),
}

/// An intermediate state of the super-root transition from one timestamp to the next.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, RlpEncodable, RlpDecodable, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct TransitionState {
    /// The encoded super output being transitioned from.
    pub super_root: Bytes,
    /// The block derived so far for each chain, in the super output's chain order.
    pub pending_progress: Vec<OptimisticBlock>,
    /// The number of steps applied since `super_root`.
    pub step: u64,
}

impl TransitionState {
    /// The encoding: [`TRANSITION_STATE_VERSION`] then the RLP list.
    pub fn encode(&self) -> Bytes {
        let mut out = Vec::with_capacity(1 + self.length());
        out.push(TRANSITION_STATE_VERSION);
        Encodable::encode(self, &mut out);
        out.into()
    }

    /// Decodes an encoded transition state; the whole input must be consumed.
    pub fn decode(data: &[u8]) -> Result<Self, TransitionStateError> {
        let (&version, mut body) = data.split_first().ok_or(TransitionStateError::Empty)?;
        if version != TRANSITION_STATE_VERSION {
            return Err(TransitionStateError::UnsupportedVersion(version));
        }
        let state = <Self as Decodable>::decode(&mut body)?;
        if !body.is_empty() {
            return Err(TransitionStateError::TrailingBytes(body.len()));
        }
        Ok(state)
    }

    /// The claim committing to this state: keccak256 of the encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// The super output being transitioned from, decoded.
    pub fn super_output(&self) -> Result<SuperV1, SuperRootError> {
        SuperV1::decode(&self.super_root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::any_chain_id;
    use alloy_primitives::b256;
    use proptest::prelude::*;

    /// Public vector: timestamp 10, chains (1, 0x00..00) and (2, 0x00..00).
    #[test]
    fn the_super_root_matches_the_public_vector() {
        let outputs = vec![
            OutputRootWithChain { chain_id: U256::from(2), output_root: B256::ZERO },
            OutputRootWithChain { chain_id: U256::from(1), output_root: B256::ZERO },
        ];
        let super_v1 = SuperV1::new(10, outputs).unwrap();
        assert_eq!(
            super_v1.hash(),
            b256!("0x0980033cbf4337f614a2401ab7efbfdc66ab647812f1c98d891d92ddfb376541")
        );
    }

    #[test]
    fn the_invalid_transition_hash_matches_the_public_vector() {
        assert_eq!(
            *INVALID_TRANSITION_HASH,
            b256!("0xffd7db0f9d5cdeb49c4c9eba649d4dc6d852d64671e65488e57f58584992ac68")
        );
    }

    /// Public vector: the CrossL2Inbox deployment intent of the interop upgrade.
    #[test]
    fn the_upgrade_deposit_source_hash_matches_the_public_vector() {
        assert_eq!(
            upgrade_deposit_source_hash("Interop: CrossL2Inbox Deployment"),
            b256!("0x6e5e214f73143df8fe6f6054a3ed7eb472d373376458a9c8aecdf23475beb616")
        );
    }

    #[test]
    fn the_output_root_is_the_hash_of_version_state_passer_and_block() {
        let (state, passer, block) = (B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3));
        let mut preimage = vec![0u8; 32];
        preimage.extend_from_slice(state.as_slice());
        preimage.extend_from_slice(passer.as_slice());
        preimage.extend_from_slice(block.as_slice());
        assert_eq!(output_root_v0(state, passer, block), keccak256(&preimage));
        assert_ne!(output_root_v0(passer, state, block), output_root_v0(state, passer, block));
    }

    #[test]
    fn new_sorts_chains_ascending_and_rejects_duplicates() {
        let root = |chain: u64| OutputRootWithChain { chain_id: U256::from(chain), output_root: B256::ZERO };
        let sorted = SuperV1::new(1, vec![root(3), root(1), root(2)]).unwrap();
        let ids: Vec<U256> = sorted.outputs.iter().map(|o| o.chain_id).collect();
        assert_eq!(ids, vec![U256::from(1), U256::from(2), U256::from(3)]);
        assert_eq!(
            SuperV1::new(1, vec![root(1), root(1)]),
            Err(SuperRootError::DuplicateChain(U256::from(1)))
        );
    }

    #[test]
    fn the_encoding_is_version_timestamp_then_chain_and_root_pairs() {
        let output = OutputRootWithChain { chain_id: U256::from(901), output_root: B256::repeat_byte(7) };
        let encoded = SuperV1::new(0x0102, vec![output]).unwrap().encode();
        assert_eq!(encoded.len(), 1 + 8 + 64);
        assert_eq!(encoded[0], 1);
        assert_eq!(&encoded[1..9], &0x0102u64.to_be_bytes());
        assert_eq!(U256::from_be_slice(&encoded[9..41]), U256::from(901));
        assert_eq!(&encoded[41..], B256::repeat_byte(7).as_slice());
    }

    #[test]
    fn a_super_output_without_chains_is_rejected() {
        assert_eq!(SuperV1::new(5, vec![]), Err(SuperRootError::NoChains));
        let empty = SuperV1 { timestamp: 5, outputs: vec![] }.encode();
        assert_eq!(empty.len(), 9);
        assert_eq!(SuperV1::decode(&empty), Err(SuperRootError::NoChains));
    }

    #[test]
    fn the_json_is_op_services_super_v1() {
        let output = OutputRootWithChain { chain_id: U256::from(901), output_root: B256::repeat_byte(7) };
        let super_v1 = SuperV1::new(26, vec![output]).unwrap();
        let json = serde_json::to_value(&super_v1).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"timestamp": "0x1a", "chains": [{"ChainID": "901", "Output": B256::repeat_byte(7)}]})
        );
        assert_eq!(serde_json::from_value::<SuperV1>(json).unwrap(), super_v1);
    }

    #[test]
    fn reading_json_checks_the_chains() {
        let unordered = r#"{"timestamp": "0x1", "chains": [{"ChainID": "2", "Output": "0x0000000000000000000000000000000000000000000000000000000000000000"}, {"chainID": "1", "output": "0x0000000000000000000000000000000000000000000000000000000000000000"}]}"#;
        let err = serde_json::from_str::<SuperV1>(unordered).unwrap_err();
        assert!(err.to_string().contains("not ascending"), "{err}");
        let empty = r#"{"timestamp": "0x1", "chains": []}"#;
        assert!(serde_json::from_str::<SuperV1>(empty).unwrap_err().to_string().contains("no chain"));
    }

    #[test]
    fn decoding_rejects_a_wrong_version() {
        let output = OutputRootWithChain { chain_id: U256::from(1), output_root: B256::ZERO };
        let mut encoded = SuperV1::new(5, vec![output]).unwrap().encode().to_vec();
        encoded[0] = 0;
        assert_eq!(SuperV1::decode(&encoded), Err(SuperRootError::UnsupportedVersion(0)));
        assert_eq!(SuperV1::decode(&[]), Err(SuperRootError::Empty));
    }

    #[test]
    fn decoding_rejects_truncated_or_padded_input() {
        let output = OutputRootWithChain { chain_id: U256::from(1), output_root: B256::ZERO };
        let encoded = SuperV1::new(5, vec![output]).unwrap().encode();
        assert_eq!(SuperV1::decode(&encoded[..8]), Err(SuperRootError::BadLength(8)));
        assert_eq!(SuperV1::decode(&encoded[..72]), Err(SuperRootError::BadLength(72)));
        let mut padded = encoded.to_vec();
        padded.push(0);
        assert_eq!(SuperV1::decode(&padded), Err(SuperRootError::BadLength(74)));
    }

    #[test]
    fn decoding_rejects_unordered_or_repeated_chains() {
        let root = |chain: u64| OutputRootWithChain { chain_id: U256::from(chain), output_root: B256::ZERO };
        let unordered = SuperV1 { timestamp: 1, outputs: vec![root(2), root(1)] }.encode();
        assert_eq!(
            SuperV1::decode(&unordered),
            Err(SuperRootError::NotAscending { previous: U256::from(2), next: U256::from(1) })
        );
        let repeated = SuperV1 { timestamp: 1, outputs: vec![root(2), root(2)] }.encode();
        assert_eq!(SuperV1::decode(&repeated), Err(SuperRootError::DuplicateChain(U256::from(2))));
    }

    fn any_super() -> impl Strategy<Value = SuperV1> {
        (any::<u64>(), proptest::collection::btree_map(any_chain_id(), any::<[u8; 32]>(), 1..8)).prop_map(
            |(timestamp, roots)| {
                let outputs = roots
                    .into_iter()
                    .map(|(chain_id, root)| OutputRootWithChain { chain_id, output_root: B256::from(root) })
                    .collect();
                SuperV1 { timestamp, outputs }
            },
        )
    }

    proptest! {
        #[test]
        fn a_super_output_survives_encode_and_decode(super_v1 in any_super()) {
            let encoded = super_v1.encode();
            prop_assert_eq!(SuperV1::decode(&encoded).unwrap(), super_v1.clone());
            prop_assert_eq!(super_v1.hash(), keccak256(&encoded));
        }

        #[test]
        fn a_transition_state_survives_encode_and_decode(
            super_v1 in any_super(),
            blocks in proptest::collection::vec((any::<[u8; 32]>(), any::<[u8; 32]>()), 0..8),
            step in any::<u64>(),
        ) {
            let state = TransitionState {
                super_root: super_v1.encode(),
                pending_progress: blocks
                    .into_iter()
                    .map(|(hash, root)| OptimisticBlock { block_hash: B256::from(hash), output_root: B256::from(root) })
                    .collect(),
                step,
            };
            let encoded = state.encode();
            prop_assert_eq!(encoded[0], TRANSITION_STATE_VERSION);
            prop_assert_eq!(TransitionState::decode(&encoded).unwrap(), state.clone());
            prop_assert_eq!(state.hash(), keccak256(&encoded));
            prop_assert_eq!(state.super_output().unwrap(), super_v1);
        }
    }

    #[test]
    fn the_transition_state_is_version_0xff_then_the_rlp_list() {
        let state = TransitionState {
            super_root: Bytes::from_static(&[1, 2]),
            pending_progress: vec![OptimisticBlock {
                block_hash: B256::repeat_byte(1),
                output_root: B256::ZERO,
            }],
            step: 3,
        };
        let encoded = state.encode();
        // 0xff, list header, then "super root" string 0x82 0x01 0x02.
        assert_eq!(encoded[0], 0xff);
        let mut body = &encoded[1..];
        let header = alloy_rlp::Header::decode(&mut body).unwrap();
        assert!(header.list);
        assert_eq!(header.payload_length, body.len());
        assert_eq!(&body[..3], &[0x82, 1, 2]);
        // Last field: the step as an RLP integer.
        assert_eq!(*body.last().unwrap(), 3);
    }

    #[test]
    fn decoding_a_transition_state_rejects_bad_input() {
        let state = TransitionState { super_root: Bytes::new(), pending_progress: vec![], step: 0 };
        let encoded = state.encode();
        assert_eq!(TransitionState::decode(&[]), Err(TransitionStateError::Empty));
        let mut wrong = encoded.to_vec();
        wrong[0] = 1;
        assert_eq!(TransitionState::decode(&wrong), Err(TransitionStateError::UnsupportedVersion(1)));
        assert!(matches!(
            TransitionState::decode(&encoded[..encoded.len() - 1]),
            Err(TransitionStateError::Rlp(_))
        ));
        let mut trailing = encoded.to_vec();
        trailing.push(0);
        assert_eq!(TransitionState::decode(&trailing), Err(TransitionStateError::TrailingBytes(1)));
    }
}
