//! The L1 attributes deposit that opens every L2 block: the L1 origin's values packed into the Isthmus
//! `setL1BlockValuesIsthmus()` calldata and sent from the depositor account to the `L1Block` predeploy.

use alloy_primitives::{B256, Bytes, TxKind, U256, keccak256};
use op_alloy_consensus::TxDeposit;
use superlink_protocol::predeploys::{L1_BLOCK, L1_INFO_DEPOSITOR};

/// Gas limit of the L1 attributes deposit (since Regolith).
pub const L1_INFO_DEPOSIT_GAS: u64 = 1_000_000;
/// Length of the Isthmus L1 attributes calldata.
pub const ISTHMUS_L1_INFO_LEN: usize = 176;

/// Source-hash domain of user deposits (L1 → L2 deposits found in L1 receipts).
pub const USER_DEPOSIT_DOMAIN: u64 = 0;
/// Source-hash domain of the L1 attributes deposit.
pub const L1_INFO_DEPOSIT_DOMAIN: u64 = 1;

/// The L1 origin of an L2 block and the fee parameters the `L1Block` contract records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1Attributes {
    /// L1 block number.
    pub number: u64,
    /// L1 block timestamp.
    pub timestamp: u64,
    /// L1 block hash.
    pub hash: B256,
    /// L1 base fee.
    pub base_fee: U256,
    /// L1 blob base fee.
    pub blob_base_fee: U256,
    /// Versioned hash of the batcher address.
    pub batcher_hash: B256,
    /// Scalar applied to the L1 base fee component of the data fee.
    pub base_fee_scalar: u32,
    /// Scalar applied to the L1 blob base fee component of the data fee.
    pub blob_base_fee_scalar: u32,
    /// Operator fee scalar (Isthmus).
    pub operator_fee_scalar: u32,
    /// Operator fee constant (Isthmus).
    pub operator_fee_constant: u64,
}

impl Default for L1Attributes {
    /// An L1 origin at genesis with the scalars OP Stack devnets use and a 1 gwei L1 base fee.
    fn default() -> Self {
        Self {
            number: 0,
            timestamp: 0,
            hash: B256::ZERO,
            base_fee: U256::from(1_000_000_000u64),
            blob_base_fee: U256::from(1u64),
            batcher_hash: B256::ZERO,
            base_fee_scalar: 1368,
            blob_base_fee_scalar: 810_949,
            operator_fee_scalar: 0,
            operator_fee_constant: 0,
        }
    }
}

/// Four-byte selector of `setL1BlockValuesIsthmus()`.
pub fn isthmus_selector() -> [u8; 4] {
    let hash = keccak256("setL1BlockValuesIsthmus()");
    [hash[0], hash[1], hash[2], hash[3]]
}

impl L1Attributes {
    /// The packed Isthmus calldata for the L2 block at position `sequence_number` in this epoch.
    pub fn isthmus_calldata(&self, sequence_number: u64) -> Bytes {
        let mut out = Vec::with_capacity(ISTHMUS_L1_INFO_LEN);
        out.extend_from_slice(&isthmus_selector());
        out.extend_from_slice(&self.base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.blob_base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&sequence_number.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.number.to_be_bytes());
        out.extend_from_slice(&self.base_fee.to_be_bytes::<32>());
        out.extend_from_slice(&self.blob_base_fee.to_be_bytes::<32>());
        out.extend_from_slice(self.hash.as_slice());
        out.extend_from_slice(self.batcher_hash.as_slice());
        out.extend_from_slice(&self.operator_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.operator_fee_constant.to_be_bytes());
        out.into()
    }

    /// The L1 attributes deposit transaction for the L2 block at `sequence_number` in this epoch.
    pub fn deposit(&self, sequence_number: u64) -> TxDeposit {
        TxDeposit {
            source_hash: deposit_source_hash(L1_INFO_DEPOSIT_DOMAIN, self.hash, U256::from(sequence_number)),
            from: L1_INFO_DEPOSITOR,
            to: TxKind::Call(L1_BLOCK),
            mint: 0,
            value: U256::ZERO,
            gas_limit: L1_INFO_DEPOSIT_GAS,
            is_system_transaction: false,
            input: self.isthmus_calldata(sequence_number),
        }
    }
}

/// A deposit source hash: `keccak256(bytes32(domain) ++ keccak256(l1BlockHash ++ bytes32(index)))`, where
/// `index` is the L1 log index for user deposits and the sequence number for L1 attributes deposits.
pub fn deposit_source_hash(domain: u64, l1_block_hash: B256, index: U256) -> B256 {
    let mut inner = [0u8; 64];
    inner[..32].copy_from_slice(l1_block_hash.as_slice());
    inner[32..].copy_from_slice(&index.to_be_bytes::<32>());
    let mut outer = [0u8; 64];
    outer[..32].copy_from_slice(&U256::from(domain).to_be_bytes::<32>());
    outer[32..].copy_from_slice(keccak256(inner).as_slice());
    keccak256(outer)
}
