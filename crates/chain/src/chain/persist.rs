//! Saving a whole chain and loading it back: [`Chain::dump`] takes everything the chain holds that a restart
//! must keep into a [`ChainDump`], and [`Chain::from_dump`] rebuilds an identical chain from one.
//!
//! The dump holds the chain's *data*, not a recipe to recompute it: the canonical blocks (headers in RLP,
//! transactions and receipts in their EIP-2718 encodings, with the facts the RPC reports about each
//! transaction and the attributes each block was built from), the head state (every account with its storage,
//! every code), the per-block state diffs of the kept history (so state reads, rewinds and replacements reach
//! as far back after a restore as before), the developer edits made since the head, the pool, the queued
//! deposits, the L1 origin of the next block, the `safe`/`finalized` labels and the impersonated accounts.
//! Replaying the blocks instead would lose every developer edit (`anvil_setBalance`, `anvil_setCode`, ...)
//! unless those were recorded too, and would cost a re-execution of the whole chain on every load.
//!
//! [`Chain::from_dump`] does not trust the dump: it rebuilds the genesis block from the caller's genesis and
//! refuses a dump whose genesis differs, checks that every block's parent hash is the hash of the block before
//! it, and recomputes the state root of the restored state and compares it with the head's (developer edits
//! made after the head taken back first). Blocks that left the canonical chain (served by hash until a
//! restart) and `evm_snapshot` snapshots are not kept.

use std::collections::VecDeque;

use alloy_consensus::{Header, Sealed};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256};
use alloy_rlp::{Decodable, Encodable};
use op_alloy_consensus::{OpReceiptEnvelope, OpTxEnvelope, OpTypedTransaction, TxDeposit};
use serde::{Deserialize, Serialize};
use superlink_txpool::{PoolConfig, PoolTransaction, TxPool};

use crate::{
    block::{BlockAttributes, BlockTransaction, L1FeeInfo, StoredBlock},
    genesis::Genesis,
    l1_info::L1Attributes,
    state::{AccountInfo, StateDiff, WorldState},
    store::BlockStore,
    trie,
};

use super::{Chain, ChainConfig, submission::HeadAccounts};

/// Why a dump cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// The dump is of another chain.
    #[error("the saved chain has chain ID {saved}, not {expected}")]
    ChainId {
        /// The chain ID the caller runs.
        expected: u64,
        /// The chain ID in the dump.
        saved: u64,
    },
    /// The dump holds no block at all.
    #[error("chain {0}: the saved chain has no blocks")]
    NoBlocks(u64),
    /// The genesis block the caller builds is not the saved one.
    #[error(
        "chain {chain_id}: the saved genesis block is {saved}, this configuration's is {expected} (another \
         genesis: other accounts, balances, contracts or genesis time)"
    )]
    GenesisMismatch {
        /// The chain.
        chain_id: u64,
        /// The caller's genesis hash.
        expected: B256,
        /// The dump's genesis hash.
        saved: B256,
    },
    /// An encoded item does not decode.
    #[error("chain {chain_id}: {what} does not decode: {reason}")]
    Decode {
        /// The chain.
        chain_id: u64,
        /// What did not decode (block, transaction, receipt).
        what: String,
        /// The decoder's message.
        reason: String,
    },
    /// The saved blocks do not form a chain.
    #[error("chain {chain_id}: block {number} {reason}")]
    BrokenChain {
        /// The chain.
        chain_id: u64,
        /// The block that does not fit.
        number: u64,
        /// How it does not fit.
        reason: String,
    },
    /// The saved state is not the state the head block commits to.
    #[error(
        "chain {chain_id}: the saved state has root {computed}, but head block {number} commits to {expected}"
    )]
    StateRoot {
        /// The chain.
        chain_id: u64,
        /// The head's number.
        number: u64,
        /// The head's state root.
        expected: B256,
        /// The root of the saved state.
        computed: B256,
    },
    /// A saved code does not hash to what an account names, or an account names code the dump lacks.
    #[error(
        "chain {chain_id}: account {address} names code {code_hash}, which the saved state does not hold"
    )]
    MissingCode {
        /// The chain.
        chain_id: u64,
        /// The account.
        address: Address,
        /// The code hash it names.
        code_hash: B256,
    },
    /// A label (safe, finalized) or the history reaches past the head.
    #[error("chain {chain_id}: {what}")]
    Inconsistent {
        /// The chain.
        chain_id: u64,
        /// What is inconsistent.
        what: String,
    },
}

/// Balance, nonce and code hash of an account, as saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfoDump {
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Keccak of the code; absent for an account without code.
    #[serde(default = "empty_code_hash", skip_serializing_if = "is_empty_code_hash")]
    pub code_hash: B256,
}

fn empty_code_hash() -> B256 {
    KECCAK256_EMPTY
}

fn is_empty_code_hash(hash: &B256) -> bool {
    *hash == KECCAK256_EMPTY
}

impl From<AccountInfo> for AccountInfoDump {
    fn from(info: AccountInfo) -> Self {
        Self { balance: info.balance, nonce: info.nonce, code_hash: info.code_hash }
    }
}

impl From<AccountInfoDump> for AccountInfo {
    fn from(info: AccountInfoDump) -> Self {
        Self { balance: info.balance, nonce: info.nonce, code_hash: info.code_hash }
    }
}

/// One account of the head state, as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDump {
    /// The address.
    pub address: Address,
    /// Balance, nonce and code hash.
    #[serde(flatten)]
    pub info: AccountInfoDump,
    /// Non-zero storage slots as `[slot, value]`, by slot.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<(U256, U256)>,
}

/// A [`StateDiff`] as saved: what a block (or the developer edits) overwrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateDiffDump {
    /// Account info before the change; `null` when the account did not exist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<(Address, Option<AccountInfoDump>)>,
    /// Storage values before the change, as `[address, slot, value]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<(Address, U256, U256)>,
}

impl From<&StateDiff> for StateDiffDump {
    fn from(diff: &StateDiff) -> Self {
        let mut accounts: Vec<_> =
            diff.accounts.iter().map(|(address, info)| (*address, info.map(AccountInfoDump::from))).collect();
        accounts.sort_unstable_by_key(|(address, _)| *address);
        let mut storage: Vec<_> =
            diff.storage.iter().map(|((address, slot), value)| (*address, *slot, *value)).collect();
        storage.sort_unstable_by_key(|(address, slot, _)| (*address, *slot));
        Self { accounts, storage }
    }
}

impl From<StateDiffDump> for StateDiff {
    fn from(dump: StateDiffDump) -> Self {
        Self {
            accounts: dump
                .accounts
                .into_iter()
                .map(|(address, info)| (address, info.map(Into::into)))
                .collect(),
            storage: dump
                .storage
                .into_iter()
                .map(|(address, slot, value)| ((address, slot), value))
                .collect(),
        }
    }
}

/// The L1 origin written by a block's L1 attributes deposit, as saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L1AttributesDump {
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
    /// Base fee scalar.
    pub base_fee_scalar: u32,
    /// Blob base fee scalar.
    pub blob_base_fee_scalar: u32,
    /// Operator fee scalar.
    pub operator_fee_scalar: u32,
    /// Operator fee constant.
    pub operator_fee_constant: u64,
}

impl From<L1Attributes> for L1AttributesDump {
    fn from(l1: L1Attributes) -> Self {
        Self {
            number: l1.number,
            timestamp: l1.timestamp,
            hash: l1.hash,
            base_fee: l1.base_fee,
            blob_base_fee: l1.blob_base_fee,
            batcher_hash: l1.batcher_hash,
            base_fee_scalar: l1.base_fee_scalar,
            blob_base_fee_scalar: l1.blob_base_fee_scalar,
            operator_fee_scalar: l1.operator_fee_scalar,
            operator_fee_constant: l1.operator_fee_constant,
        }
    }
}

impl From<L1AttributesDump> for L1Attributes {
    fn from(l1: L1AttributesDump) -> Self {
        Self {
            number: l1.number,
            timestamp: l1.timestamp,
            hash: l1.hash,
            base_fee: l1.base_fee,
            blob_base_fee: l1.blob_base_fee,
            batcher_hash: l1.batcher_hash,
            base_fee_scalar: l1.base_fee_scalar,
            blob_base_fee_scalar: l1.blob_base_fee_scalar,
            operator_fee_scalar: l1.operator_fee_scalar,
            operator_fee_constant: l1.operator_fee_constant,
        }
    }
}

/// The attributes a block was built from, as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockAttributesDump {
    /// Block timestamp.
    pub timestamp: u64,
    /// The L1 origin.
    pub l1: L1AttributesDump,
    /// Position within the L1 origin's epoch.
    pub sequence_number: u64,
    /// Deposits after the L1 attributes deposit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deposits: Vec<TxDeposit>,
    /// `prevRandao`.
    pub prev_randao: B256,
    /// Parent beacon block root.
    pub parent_beacon_root: B256,
    /// Fee recipient.
    pub fee_recipient: Address,
}

impl From<&BlockAttributes> for BlockAttributesDump {
    fn from(attrs: &BlockAttributes) -> Self {
        Self {
            timestamp: attrs.timestamp,
            l1: attrs.l1.into(),
            sequence_number: attrs.sequence_number,
            deposits: attrs.deposits.clone(),
            prev_randao: attrs.prev_randao,
            parent_beacon_root: attrs.parent_beacon_root,
            fee_recipient: attrs.fee_recipient,
        }
    }
}

impl From<BlockAttributesDump> for BlockAttributes {
    fn from(attrs: BlockAttributesDump) -> Self {
        Self {
            timestamp: attrs.timestamp,
            l1: attrs.l1.into(),
            sequence_number: attrs.sequence_number,
            deposits: attrs.deposits,
            prev_randao: attrs.prev_randao,
            parent_beacon_root: attrs.parent_beacon_root,
            fee_recipient: attrs.fee_recipient,
        }
    }
}

/// The L1 data fee and operator fee figures of a transaction, as saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L1FeeDump {
    /// The L1 data fee.
    pub l1_fee: U256,
    /// The L1 gas the data counts as.
    pub l1_gas_used: U256,
    /// L1 base fee.
    pub l1_base_fee: U256,
    /// Base fee scalar.
    pub l1_base_fee_scalar: U256,
    /// L1 blob base fee.
    pub l1_blob_base_fee: Option<U256>,
    /// Blob base fee scalar.
    pub l1_blob_base_fee_scalar: Option<U256>,
    /// Operator fee scalar.
    pub operator_fee_scalar: Option<U256>,
    /// Operator fee constant.
    pub operator_fee_constant: Option<U256>,
}

impl From<L1FeeInfo> for L1FeeDump {
    fn from(fee: L1FeeInfo) -> Self {
        Self {
            l1_fee: fee.l1_fee,
            l1_gas_used: fee.l1_gas_used,
            l1_base_fee: fee.l1_base_fee,
            l1_base_fee_scalar: fee.l1_base_fee_scalar,
            l1_blob_base_fee: fee.l1_blob_base_fee,
            l1_blob_base_fee_scalar: fee.l1_blob_base_fee_scalar,
            operator_fee_scalar: fee.operator_fee_scalar,
            operator_fee_constant: fee.operator_fee_constant,
        }
    }
}

impl From<L1FeeDump> for L1FeeInfo {
    fn from(fee: L1FeeDump) -> Self {
        Self {
            l1_fee: fee.l1_fee,
            l1_gas_used: fee.l1_gas_used,
            l1_base_fee: fee.l1_base_fee,
            l1_base_fee_scalar: fee.l1_base_fee_scalar,
            l1_blob_base_fee: fee.l1_blob_base_fee,
            l1_blob_base_fee_scalar: fee.l1_blob_base_fee_scalar,
            operator_fee_scalar: fee.operator_fee_scalar,
            operator_fee_constant: fee.operator_fee_constant,
        }
    }
}

/// One transaction of a block, as saved: its EIP-2718 encoding and the facts the chain recorded when it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionDump {
    /// The EIP-2718 encoding (an impersonated transaction's carries the placeholder signature).
    pub raw: Bytes,
    /// The sender.
    pub sender: Address,
    /// Whether the sender was impersonated (the hash is then derived from the encoding and the sender).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub impersonated: bool,
    /// The gas price paid.
    pub effective_gas_price: u128,
    /// Gas used by this transaction alone.
    pub gas_used: u64,
    /// The contract it created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_address: Option<Address>,
    /// Block-wide index of its first log.
    pub first_log_index: u64,
    /// L1 fee figures (none for deposits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l1_fee: Option<L1FeeDump>,
}

/// One block, as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockDump {
    /// The header's RLP encoding (its keccak is the block hash).
    pub header: Bytes,
    /// The transactions, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transactions: Vec<TransactionDump>,
    /// The receipts' EIP-2718 encodings, one per transaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<Bytes>,
    /// The attributes the block was built from (none for genesis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BlockAttributesDump>,
}

/// A pooled transaction, as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PooledDump {
    /// The EIP-2718 encoding.
    pub raw: Bytes,
    /// The sender.
    pub sender: Address,
    /// Whether the sender was impersonated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub impersonated: bool,
}

/// Everything a restart of one chain keeps; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainDump {
    /// The chain ID.
    pub chain_id: u64,
    /// The block gas limit.
    pub gas_limit: u64,
    /// The canonical blocks from genesis to the head.
    pub blocks: Vec<BlockDump>,
    /// The head state's accounts, by address.
    pub accounts: Vec<AccountDump>,
    /// Every code the state holds (the head's and that of the kept history), by hash.
    pub codes: Vec<Bytes>,
    /// The state diffs of the most recent blocks, oldest first; the last is the head's.
    pub history: Vec<StateDiffDump>,
    /// Values overwritten by developer edits since the head.
    #[serde(default)]
    pub edits: StateDiffDump,
    /// The pool's transactions (pending and queued).
    #[serde(default)]
    pub pool: Vec<PooledDump>,
    /// Deposits queued for the next block.
    #[serde(default)]
    pub queued_deposits: Vec<TxDeposit>,
    /// The L1 origin of the next block.
    pub l1_origin: L1AttributesDump,
    /// The block labelled safe.
    pub safe: u64,
    /// The block labelled finalized.
    pub finalized: u64,
    /// Accounts whose unsigned transactions are accepted.
    #[serde(default)]
    pub impersonated: Vec<Address>,
    /// Whether every account's unsigned transactions are accepted.
    #[serde(default)]
    pub auto_impersonate: bool,
}

impl ChainDump {
    /// The head block's number per the dump (the number of blocks minus one).
    pub fn head_number(&self) -> u64 {
        (self.blocks.len() as u64).saturating_sub(1)
    }
}

/// What [`Chain::from_dump`] could not take back: pooled transactions the pool refused, with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Pooled transactions put back.
    pub repooled: usize,
    /// Pooled transactions left out, with the pool's reason.
    pub refused: Vec<(B256, String)>,
}

fn dump_transaction(tx: &BlockTransaction) -> TransactionDump {
    TransactionDump {
        raw: tx.envelope.encoded_2718().into(),
        sender: tx.sender,
        impersonated: tx.impersonated,
        effective_gas_price: tx.effective_gas_price,
        gas_used: tx.gas_used,
        contract_address: tx.contract_address,
        first_log_index: tx.first_log_index,
        l1_fee: tx.l1_fee.map(Into::into),
    }
}

fn dump_block(block: &StoredBlock) -> BlockDump {
    let mut header = Vec::with_capacity(700);
    block.header.inner().encode(&mut header);
    BlockDump {
        header: header.into(),
        transactions: block.transactions.iter().map(dump_transaction).collect(),
        receipts: block.receipts.iter().map(|r| r.encoded_2718().into()).collect(),
        attributes: block.attributes.as_ref().map(Into::into),
    }
}

/// Decodes a saved transaction envelope; an impersonated one gets its derived hash back (the envelope's own
/// hash would be that of the placeholder signature).
fn decode_envelope(
    chain_id: u64,
    raw: &[u8],
    sender: Address,
    impersonated: bool,
    what: impl Fn() -> String,
) -> Result<OpTxEnvelope, RestoreError> {
    let decode_error = |reason: String| RestoreError::Decode { chain_id, what: what(), reason };
    let mut slice = raw;
    let envelope = OpTxEnvelope::decode_2718(&mut slice).map_err(|e| decode_error(e.to_string()))?;
    if !slice.is_empty() {
        return Err(decode_error(format!("{} bytes left over", slice.len())));
    }
    if !impersonated {
        return Ok(envelope);
    }
    let rebuilt = PoolTransaction::impersonated(OpTypedTransaction::from(envelope), sender)
        .map_err(|e| decode_error(e.to_string()))?;
    Ok(rebuilt.into_parts().0)
}

fn restore_block(chain_id: u64, number: u64, dump: BlockDump) -> Result<StoredBlock, RestoreError> {
    let decode_error = |what: String, reason: String| RestoreError::Decode { chain_id, what, reason };
    let mut slice = dump.header.as_ref();
    let header = Header::decode(&mut slice)
        .map_err(|e| decode_error(format!("the header of block {number}"), e.to_string()))?;
    if header.number != number {
        return Err(RestoreError::BrokenChain {
            chain_id,
            number,
            reason: format!("is saved with number {}", header.number),
        });
    }
    if dump.receipts.len() != dump.transactions.len() {
        return Err(RestoreError::BrokenChain {
            chain_id,
            number,
            reason: format!(
                "has {} transactions but {} receipts",
                dump.transactions.len(),
                dump.receipts.len()
            ),
        });
    }
    let mut transactions = Vec::with_capacity(dump.transactions.len());
    for (index, tx) in dump.transactions.into_iter().enumerate() {
        let what = || format!("transaction {index} of block {number}");
        let envelope = decode_envelope(chain_id, &tx.raw, tx.sender, tx.impersonated, what)?;
        transactions.push(BlockTransaction {
            hash: envelope.tx_hash(),
            envelope,
            sender: tx.sender,
            impersonated: tx.impersonated,
            index: index as u64,
            effective_gas_price: tx.effective_gas_price,
            gas_used: tx.gas_used,
            contract_address: tx.contract_address,
            first_log_index: tx.first_log_index,
            l1_fee: tx.l1_fee.map(Into::into),
        });
    }
    let mut receipts = Vec::with_capacity(dump.receipts.len());
    for (index, raw) in dump.receipts.iter().enumerate() {
        let mut slice = raw.as_ref();
        let receipt = OpReceiptEnvelope::decode_2718(&mut slice)
            .map_err(|e| decode_error(format!("receipt {index} of block {number}"), e.to_string()))?;
        receipts.push(receipt);
    }
    let hash = header.hash_slow();
    Ok(StoredBlock {
        header: Sealed::new_unchecked(header, hash),
        transactions,
        receipts,
        attributes: dump.attributes.map(Into::into),
    })
}

impl Chain {
    /// Everything a restart must keep of this chain (see the module documentation). Reads only; the caller
    /// holds the chain still (no block is built meanwhile) so the parts agree with each other.
    pub fn dump(&self) -> ChainDump {
        let mut accounts: Vec<AccountDump> = self
            .state
            .accounts()
            .map(|(address, account)| {
                let mut storage: Vec<(U256, U256)> =
                    account.storage.iter().map(|(slot, value)| (*slot, *value)).collect();
                storage.sort_unstable_by_key(|(slot, _)| *slot);
                AccountDump { address: *address, info: account.info.into(), storage }
            })
            .collect();
        accounts.sort_unstable_by_key(|account| account.address);
        let mut codes: Vec<(B256, Bytes)> =
            self.state.codes().map(|(hash, code)| (*hash, code.original_bytes())).collect();
        codes.sort_unstable_by_key(|(hash, _)| *hash);
        let content = self.pool.content();
        let pool = content
            .pending
            .values()
            .chain(content.queued.values())
            .flatten()
            .map(|tx| PooledDump {
                raw: tx.encoded().clone(),
                sender: tx.sender(),
                impersonated: tx.is_impersonated(),
            })
            .collect();
        let mut impersonated: Vec<Address> = self.impersonated.iter().copied().collect();
        impersonated.sort_unstable();
        ChainDump {
            chain_id: self.chain_id,
            gas_limit: self.gas_limit,
            blocks: (0..=self.head_number())
                .filter_map(|number| self.store.by_number(number))
                .map(|block| dump_block(block))
                .collect(),
            accounts,
            codes: codes.into_iter().map(|(_, code)| code).collect(),
            history: self.diffs.iter().map(StateDiffDump::from).collect(),
            edits: (&self.edits).into(),
            pool,
            queued_deposits: self.deposits.clone(),
            l1_origin: self.l1.into(),
            safe: self.safe,
            finalized: self.finalized,
            impersonated,
            auto_impersonate: self.auto_impersonate,
        }
    }

    /// Rebuilds a chain from a dump made by [`Chain::dump`] of a chain started from `genesis`: the same blocks
    /// and hashes, state, history, labels and queued deposits; the pooled transactions go back into the pool
    /// (before any admission check is installed: the owner's check runs again when they are included).
    /// Refuses a dump of another chain or genesis, and one whose blocks or state do not hold together.
    pub fn from_dump(
        genesis: &Genesis,
        config: ChainConfig,
        dump: ChainDump,
    ) -> Result<(Chain, RestoreReport), RestoreError> {
        let chain_id = genesis.chain_id;
        if dump.chain_id != chain_id {
            return Err(RestoreError::ChainId { expected: chain_id, saved: dump.chain_id });
        }
        let mut chain = Chain::new(genesis, config);
        let expected_genesis = chain.head();

        // Blocks: genesis must be this configuration's; every later block must sit on the one before.
        let mut blocks = dump.blocks.into_iter();
        let first = blocks.next().ok_or(RestoreError::NoBlocks(chain_id))?;
        let saved_genesis = restore_block(chain_id, 0, first)?;
        if saved_genesis.hash() != expected_genesis.hash() {
            return Err(RestoreError::GenesisMismatch {
                chain_id,
                expected: expected_genesis.hash(),
                saved: saved_genesis.hash(),
            });
        }
        let mut store = BlockStore::new(saved_genesis);
        for (number, block) in (1u64..).zip(blocks) {
            let block = restore_block(chain_id, number, block)?;
            let parent = store.head().hash();
            if block.header.parent_hash != parent {
                return Err(RestoreError::BrokenChain {
                    chain_id,
                    number,
                    reason: format!(
                        "names parent {}, but block {} is {parent}",
                        block.header.parent_hash,
                        number - 1
                    ),
                });
            }
            store.push(block);
        }
        let head = store.head().clone();

        // The head state, with every code, checked against the head's state root.
        let mut state = WorldState::new();
        let mut scratch = StateDiff::default();
        for code in dump.codes {
            state.insert_code(code);
        }
        for account in dump.accounts {
            let info = AccountInfo::from(account.info);
            if info.code_hash != KECCAK256_EMPTY && state.code_by_hash(&info.code_hash).is_none() {
                return Err(RestoreError::MissingCode {
                    chain_id,
                    address: account.address,
                    code_hash: info.code_hash,
                });
            }
            state.set_info(account.address, info, &mut scratch);
            for (slot, value) in account.storage {
                state.set_storage(account.address, slot, value, &mut scratch);
            }
        }
        let edits = StateDiff::from(dump.edits);
        let computed = if edits.is_empty() {
            trie::state_root(&mut state)
        } else {
            trie::state_root(&mut state);
            let mut before_edits = state.clone();
            before_edits.revert_diff(&edits);
            trie::state_root(&mut before_edits)
        };
        if computed != head.header.state_root {
            return Err(RestoreError::StateRoot {
                chain_id,
                number: head.number(),
                expected: head.header.state_root,
                computed,
            });
        }
        if dump.history.len() as u64 > head.number() {
            return Err(RestoreError::Inconsistent {
                chain_id,
                what: format!("{} diffs kept for a head at block {}", dump.history.len(), head.number()),
            });
        }
        for (label, number) in [("safe", dump.safe), ("finalized", dump.finalized)] {
            if number > head.number() {
                return Err(RestoreError::Inconsistent {
                    chain_id,
                    what: format!(
                        "the {label} label (block {number}) is past the head (block {})",
                        head.number()
                    ),
                });
            }
        }

        chain.gas_limit = dump.gas_limit;
        chain.state = state;
        chain.store = store;
        let mut diffs: VecDeque<StateDiff> = dump.history.into_iter().map(StateDiff::from).collect();
        while diffs.len() as u64 > chain.config.history_depth {
            diffs.pop_front();
        }
        chain.diffs = diffs;
        chain.edits = edits;
        chain.deposits = dump.queued_deposits;
        chain.l1 = dump.l1_origin.into();
        chain.safe = dump.safe;
        chain.finalized = dump.finalized;
        chain.impersonated = dump.impersonated.into_iter().collect();
        chain.auto_impersonate = dump.auto_impersonate;
        chain.pool = TxPool::new(PoolConfig::new(chain_id, chain.gas_limit), chain.next_base_fee());
        chain.forget_pending();

        let mut report = RestoreReport::default();
        for (index, pooled) in dump.pool.into_iter().enumerate() {
            let what = || format!("pooled transaction {index}");
            let envelope = decode_envelope(chain_id, &pooled.raw, pooled.sender, pooled.impersonated, what)?;
            let hash = envelope.tx_hash();
            let added = PoolTransaction::from_trusted_parts(envelope, pooled.sender, pooled.impersonated)
                .map_err(|e| e.to_string())
                .and_then(|tx| {
                    chain.pool.add_transaction(tx, &HeadAccounts(&chain.state)).map_err(|e| e.to_string())
                });
            match added {
                Ok(_) => report.repooled += 1,
                Err(reason) => report.refused.push((hash, reason)),
            }
        }
        Ok((chain, report))
    }
}
