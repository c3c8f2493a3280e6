//! Block building on op-revm: system calls, the L1 attributes deposit, queued deposits, then pool transactions until the
//! gas limit; then receipts, logs bloom and every header root (transactions, receipts, state, withdrawals).

use alloy_consensus::{
    EMPTY_OMMER_ROOT_HASH, Header, Sealed,
    proofs::{calculate_receipt_root, calculate_transaction_root},
};
use alloy_eips::eip7685::EMPTY_REQUESTS_HASH;
use alloy_primitives::{Address, B64, B256, Bloom, U256};
use op_alloy_consensus::OpTxEnvelope;
use op_revm::OpSpecId;
use revm::context::BlockEnv;

use crate::{
    base_fee::Eip1559Params,
    block::{BlockAttributes, StoredBlock},
    db::BuildDb,
    error::ChainError,
    execute::{self, BlockInputs, ExecutedBlock, ExecutionError, ExecutionSettings},
    state::{StateDiff, WorldState},
    store::BlockHashes,
    trie,
    tx::ExecutableTx,
};
use superlink_protocol::predeploys::L2_TO_L1_MESSAGE_PASSER;

pub use crate::execute::DEPOSIT_RECEIPT_VERSION;

/// Why a candidate transaction was left out of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exclusion {
    /// It does not fit in the gas that is left, or it cannot run yet (nonce gap, fee cap below the base
    /// fee); it may be included in a later block.
    NotYet(String),
    /// It can never be included as it is (nonce already used, sender cannot pay, malformed).
    Invalid(String),
}

/// Where the builder takes candidate transactions from (the pool's best-transactions order).
pub trait TxSource {
    /// The next transaction to try, or `None` when there are no more.
    fn next_transaction(&mut self) -> Option<ExecutableTx>;
    /// The last transaction returned was left out; the source should skip the sender's later nonces.
    fn exclude(&mut self, tx: &ExecutableTx, why: &Exclusion);
}

/// A source with no transactions (for deposits-only blocks).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTransactions;

impl TxSource for NoTransactions {
    fn next_transaction(&mut self) -> Option<ExecutableTx> {
        None
    }

    fn exclude(&mut self, _tx: &ExecutableTx, _why: &Exclusion) {}
}

/// A fixed list of transactions tried in order; senders with an excluded transaction are skipped after it.
#[derive(Debug, Clone, Default)]
pub struct ListSource {
    queue: std::collections::VecDeque<ExecutableTx>,
    blocked: std::collections::HashSet<Address>,
    /// Transactions left out, with why.
    pub excluded: Vec<(ExecutableTx, Exclusion)>,
}

impl ListSource {
    /// A source yielding `txs` in order.
    pub fn new(txs: impl IntoIterator<Item = ExecutableTx>) -> Self {
        Self { queue: txs.into_iter().collect(), ..Self::default() }
    }
}

impl TxSource for ListSource {
    fn next_transaction(&mut self) -> Option<ExecutableTx> {
        while let Some(tx) = self.queue.pop_front() {
            if self.blocked.contains(&tx.sender) {
                let why = Exclusion::NotYet("an earlier transaction of the sender was left out".into());
                self.excluded.push((tx, why));
                continue;
            }
            return Some(tx);
        }
        None
    }

    fn exclude(&mut self, tx: &ExecutableTx, why: &Exclusion) {
        self.blocked.insert(tx.sender);
        self.excluded.push((tx.clone(), why.clone()));
    }
}

/// The chain-wide parameters a block is built with.
#[derive(Debug, Clone, Copy)]
pub struct BuildParams<'a> {
    /// Chain ID.
    pub chain_id: u64,
    /// The OP hardfork the EVM runs.
    pub spec: OpSpecId,
    /// Block gas limit.
    pub gas_limit: u64,
    /// EIP-1559 parameters.
    pub eip1559: Eip1559Params,
    /// Hashes of all earlier blocks the chain holds, by number; the last one is the parent.
    pub hashes: BlockHashes<'a>,
}

/// A freshly built block and what building it changed.
#[derive(Debug, Clone)]
pub struct BuiltBlock {
    /// The block.
    pub block: StoredBlock,
    /// Values the block overwrote in the state.
    pub diff: StateDiff,
}

/// A block that could not be built: the error, and the values the attempt overwrote (to undo it).
#[derive(Debug, Clone)]
pub struct BuildFailure {
    /// What went wrong.
    pub error: ChainError,
    /// Values overwritten before the failure.
    pub diff: StateDiff,
}

/// The block environment for the child of `parent` with the given attributes.
pub fn block_env(params: &BuildParams<'_>, parent: &Header, attrs: &BlockAttributes) -> BlockEnv {
    BlockEnv {
        number: U256::from(parent.number + 1),
        beneficiary: attrs.fee_recipient,
        timestamp: U256::from(attrs.timestamp),
        gas_limit: params.gas_limit,
        basefee: params.eip1559.next_base_fee(
            parent.gas_used,
            parent.gas_limit,
            parent.base_fee_per_gas.unwrap_or_default(),
        ),
        difficulty: U256::ZERO,
        prevrandao: Some(attrs.prev_randao),
        blob_excess_gas_and_price: Some(execute::blob_gas_price()),
        ..BlockEnv::default()
    }
}

pub use crate::execute::cfg_env;

/// Builds the child of `parent` on `state` (which must be the parent's post-state) and advances `state` to
/// the new block's post-state.
///
/// Order: the EIP-4788 and EIP-2935 system calls (only where those contracts are deployed), the L1
/// attributes deposit, the queued deposits, then pool transactions. Deposits must execute; a deposit the EVM refuses outright aborts the block with
/// [`ChainError::DepositFailed`] and leaves `state` changed (the caller restores it from the failure's diff). Pool
/// transactions the EVM refuses are reported to `source` and left out.
pub fn build_block(
    state: &mut WorldState,
    params: &BuildParams<'_>,
    parent: &Sealed<Header>,
    attrs: BlockAttributes,
    source: &mut dyn TxSource,
) -> Result<BuiltBlock, Box<BuildFailure>> {
    let env = block_env(params, parent, &attrs);
    let mut diff = StateDiff::default();
    let inputs = BlockInputs {
        env,
        parent_hash: parent.hash(),
        parent_beacon_root: attrs.parent_beacon_root,
        deposits: std::iter::once(attrs.l1.deposit(attrs.sequence_number))
            .chain(attrs.deposits.iter().cloned())
            .map(ExecutableTx::deposit)
            .collect(),
    };
    let settings = ExecutionSettings { chain_id: params.chain_id, spec: params.spec };
    let db = BuildDb { state: &mut *state, diff: &mut diff, hashes: params.hashes };
    let executed = match execute::execute_block(db, settings, inputs, source) {
        Ok(executed) => executed,
        Err(error) => {
            let error = match error {
                ExecutionError::SystemCall { contract, reason } => {
                    ChainError::SystemCallFailed { contract, reason }
                }
                ExecutionError::Deposit { hash, reason } => ChainError::DepositFailed { hash, reason },
                ExecutionError::Database(error) => ChainError::State(error),
                other => ChainError::Execution(other.to_string()),
            };
            return Err(Box::new(BuildFailure { error, diff }));
        }
    };
    let base_fee = executed.base_fee;

    let state_root = trie::state_root(state);
    let withdrawals_root = trie::cached_storage_root(state, &L2_TO_L1_MESSAGE_PASSER);
    let ExecutedBlock { transactions, receipts, gas_used: cumulative_gas, .. } = executed;
    let envelopes: Vec<&OpTxEnvelope> = transactions.iter().map(|tx| &tx.envelope).collect();
    let mut logs_bloom = Bloom::ZERO;
    for receipt in &receipts {
        logs_bloom.accrue_bloom(receipt.logs_bloom());
    }
    let header = Header {
        parent_hash: parent.hash(),
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: attrs.fee_recipient,
        state_root,
        transactions_root: calculate_transaction_root(&envelopes),
        receipts_root: calculate_receipt_root(&receipts),
        logs_bloom,
        difficulty: U256::ZERO,
        number: parent.number + 1,
        gas_limit: params.gas_limit,
        gas_used: cumulative_gas,
        timestamp: attrs.timestamp,
        extra_data: params.eip1559.holocene_extra_data(),
        mix_hash: attrs.prev_randao,
        nonce: B64::ZERO,
        base_fee_per_gas: Some(base_fee),
        withdrawals_root: Some(withdrawals_root),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(attrs.parent_beacon_root),
        requests_hash: Some(EMPTY_REQUESTS_HASH),
        ..Header::default()
    };
    let hash = header.hash_slow();
    let block = StoredBlock {
        header: Sealed::new_unchecked(header, hash),
        transactions,
        receipts,
        attributes: Some(attrs),
    };
    Ok(BuiltBlock { block, diff })
}

/// The header of a genesis block over `state`.
pub fn genesis_header(
    state: &mut WorldState,
    timestamp: u64,
    gas_limit: u64,
    base_fee: u64,
    eip1559: &Eip1559Params,
) -> Sealed<Header> {
    let state_root = trie::state_root(state);
    let header = Header {
        state_root,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        transactions_root: alloy_trie::EMPTY_ROOT_HASH,
        receipts_root: alloy_trie::EMPTY_ROOT_HASH,
        gas_limit,
        timestamp,
        extra_data: eip1559.holocene_extra_data(),
        base_fee_per_gas: Some(base_fee),
        withdrawals_root: Some(trie::cached_storage_root(state, &L2_TO_L1_MESSAGE_PASSER)),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(B256::ZERO),
        requests_hash: Some(EMPTY_REQUESTS_HASH),
        ..Header::default()
    };
    let hash = header.hash_slow();
    Sealed::new_unchecked(header, hash)
}
