//! What the chain keeps of a block: the sealed header, its transactions with their per-transaction facts
//! (sender, index, gas price, L1 fee), their receipts, and the attributes it was built from.

use alloy_consensus::{Header, Sealed};
use alloy_primitives::{Address, B256, Log, U256};
use op_alloy_consensus::{OpReceiptEnvelope, OpTxEnvelope, TxDeposit};

use crate::l1_info::L1Attributes;

/// The inputs a block is built from, apart from pool transactions. A deposits-only replacement reuses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockAttributes {
    /// Block timestamp (seconds).
    pub timestamp: u64,
    /// The L1 origin written by the L1 attributes deposit.
    pub l1: L1Attributes,
    /// Position of the block within its L1 origin's epoch.
    pub sequence_number: u64,
    /// Deposits executed after the L1 attributes deposit, in order.
    pub deposits: Vec<TxDeposit>,
    /// `prevRandao` of the block (the L1 origin's mix hash on a real chain).
    pub prev_randao: B256,
    /// Parent beacon block root (the L1 origin's).
    pub parent_beacon_root: B256,
    /// Fee recipient (the sequencer fee vault on OP Stack chains).
    pub fee_recipient: Address,
}

/// The L1 data fee and operator fee figures of a non-deposit transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct L1FeeInfo {
    /// The L1 data fee charged, in wei.
    pub l1_fee: U256,
    /// The L1 gas the transaction's data is accounted as.
    pub l1_gas_used: U256,
    /// L1 base fee the fee was computed with.
    pub l1_base_fee: U256,
    /// Base fee scalar.
    pub l1_base_fee_scalar: U256,
    /// L1 blob base fee.
    pub l1_blob_base_fee: Option<U256>,
    /// Blob base fee scalar.
    pub l1_blob_base_fee_scalar: Option<U256>,
    /// Operator fee scalar (Isthmus).
    pub operator_fee_scalar: Option<U256>,
    /// Operator fee constant (Isthmus).
    pub operator_fee_constant: Option<U256>,
}

/// One transaction of a stored block with the facts an RPC reports about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockTransaction {
    /// The transaction.
    pub envelope: OpTxEnvelope,
    /// Its hash.
    pub hash: B256,
    /// Its sender.
    pub sender: Address,
    /// Whether the sender was impersonated (unsigned transaction).
    pub impersonated: bool,
    /// Index within the block.
    pub index: u64,
    /// The gas price paid (0 for deposits).
    pub effective_gas_price: u128,
    /// Gas used by this transaction alone.
    pub gas_used: u64,
    /// Address of the contract it created, if any.
    pub contract_address: Option<Address>,
    /// Block-wide index of its first log.
    pub first_log_index: u64,
    /// L1 fee figures (`None` for deposits).
    pub l1_fee: Option<L1FeeInfo>,
}

impl BlockTransaction {
    /// Whether this is a deposit.
    pub fn is_deposit(&self) -> bool {
        self.envelope.is_deposit()
    }
}

/// A block as the chain stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlock {
    /// The header with its hash.
    pub header: Sealed<Header>,
    /// Transactions, in order.
    pub transactions: Vec<BlockTransaction>,
    /// Receipts, one per transaction.
    pub receipts: Vec<OpReceiptEnvelope>,
    /// The attributes the block was built from (`None` for genesis).
    pub attributes: Option<BlockAttributes>,
}

impl StoredBlock {
    /// Block hash.
    pub fn hash(&self) -> B256 {
        self.header.hash()
    }

    /// Block number.
    pub fn number(&self) -> u64 {
        self.header.number
    }

    /// Block timestamp.
    pub fn timestamp(&self) -> u64 {
        self.header.timestamp
    }

    /// Length in bytes of the block's RLP encoding as geth reports it in `size`: the list of the header, the
    /// transactions (each in its network form), the empty uncles list and, once the header commits to
    /// withdrawals, the empty withdrawals list.
    pub fn rlp_length(&self) -> usize {
        use alloy_rlp::Encodable;
        let list = |payload: usize| alloy_rlp::length_of_length(payload) + payload;
        let transactions: usize = self.transactions.iter().map(|tx| tx.envelope.length()).sum();
        let withdrawals = if self.header.withdrawals_root.is_some() { list(0) } else { 0 };
        list(self.header.inner().length() + list(transactions) + list(0) + withdrawals)
    }

    /// Every log of the block in order, with its block-wide index and the index of its transaction.
    pub fn logs(&self) -> impl Iterator<Item = (u64, usize, &Log)> {
        self.receipts
            .iter()
            .enumerate()
            .flat_map(|(tx_index, receipt)| receipt.logs().iter().map(move |log| (tx_index, log)))
            .enumerate()
            .map(|(log_index, (tx_index, log))| (log_index as u64, tx_index, log))
    }

    /// Number of logs in the block.
    pub fn log_count(&self) -> usize {
        self.receipts.iter().map(|receipt| receipt.logs().len()).sum()
    }

    /// The cumulative gas used after transaction `index`.
    pub fn cumulative_gas(&self, index: usize) -> u64 {
        self.receipts.get(index).map(|receipt| receipt.cumulative_gas_used()).unwrap_or_default()
    }
}
