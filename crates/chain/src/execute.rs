//! Executing a block's transactions on op-revm over any state database: the one place where the chain's
//! execution rules live. Building a block ([`crate::builder::build_block`]) runs them over the in-memory world
//! state; replaying a block that is already known ([`replay_block`]) runs them over whatever database the
//! caller has, such as the partial state a stateless re-execution builds from an execution witness, or a
//! database that records what the block touches.
//!
//! Order: the EIP-4788 and EIP-2935 system calls (only where those contracts are deployed), the deposits (the
//! L1 attributes deposit first), then the other transactions while gas is left.

use alloy_consensus::Header;
use alloy_eips::{
    eip2935::HISTORY_STORAGE_ADDRESS,
    eip4788::{BEACON_ROOTS_ADDRESS, SYSTEM_ADDRESS},
};
use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256};
use op_alloy_consensus::OpReceiptEnvelope;
use op_revm::{DefaultOp, L1BlockInfo, OpBuilder, OpHaltReason, OpSpecId, OpTransactionError};
use revm::{
    Context, DatabaseCommit, ExecuteCommitEvm, ExecuteEvm,
    context::{BlockEnv, CfgEnv, result::InvalidTransaction},
    context_interface::{
        block::BlobExcessGasAndPrice,
        result::{EVMError, ExecutionResult, Output},
    },
    database_interface::Database,
    handler::system_call::SystemCallEvm,
};

use crate::{
    block::{BlockTransaction, L1FeeInfo},
    builder::{Exclusion, TxSource},
    tx::ExecutableTx,
};

/// Deposit receipts carry version 1 since Canyon (the deposit nonce is always recorded since Regolith).
pub const DEPOSIT_RECEIPT_VERSION: u64 = 1;

/// The chain-wide settings a block executes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutionSettings {
    /// Chain ID.
    pub chain_id: u64,
    /// The OP hardfork the EVM runs.
    pub spec: OpSpecId,
}

/// What executing a block produced: its transactions with their per-transaction facts, and their receipts.
#[derive(Debug, Clone, Default)]
pub struct ExecutedBlock {
    /// The block's base fee.
    pub base_fee: u64,
    /// Transactions in order, with sender, gas used, created contract and L1 fee.
    pub transactions: Vec<BlockTransaction>,
    /// Receipts, one per transaction.
    pub receipts: Vec<OpReceiptEnvelope>,
    /// Gas used by the whole block.
    pub gas_used: u64,
    log_index: u64,
}

impl ExecutedBlock {
    fn record(
        &mut self,
        tx: ExecutableTx,
        result: ExecutionResult<OpHaltReason>,
        deposit_nonce: Option<u64>,
        l1_fee: Option<L1FeeInfo>,
    ) {
        let gas_used = result.tx_gas_used();
        self.gas_used += gas_used;
        let logs = result.logs();
        let receipt = OpReceiptEnvelope::from_parts(
            result.is_success(),
            self.gas_used,
            logs,
            tx.envelope.tx_type(),
            deposit_nonce,
            deposit_nonce.map(|_| DEPOSIT_RECEIPT_VERSION),
        );
        self.transactions.push(BlockTransaction {
            effective_gas_price: tx.effective_gas_price(self.base_fee),
            hash: tx.hash,
            sender: tx.sender,
            impersonated: tx.impersonated,
            index: self.transactions.len() as u64,
            gas_used,
            contract_address: contract_address(&result),
            first_log_index: self.log_index,
            l1_fee,
            envelope: tx.envelope,
        });
        self.log_index += logs.len() as u64;
        self.receipts.push(receipt);
    }
}

/// Why a block's execution stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionError<E> {
    /// A pre-block system call (EIP-4788 beacon root, EIP-2935 block hash) could not be executed.
    #[error("system call to {contract} failed: {reason}")]
    SystemCall {
        /// The system contract.
        contract: Address,
        /// What the EVM reported.
        reason: String,
    },
    /// A deposit could not be executed at all (not merely reverted).
    #[error("deposit {hash} could not be executed: {reason}")]
    Deposit {
        /// The deposit's transaction hash.
        hash: B256,
        /// What the EVM reported.
        reason: String,
    },
    /// A transaction of a replayed block does not execute (nonce, balance, gas, a deposit after user
    /// transactions, more gas than the block has left).
    #[error("transaction {hash} cannot be executed: {reason}")]
    Rejected {
        /// The transaction's hash.
        hash: B256,
        /// Why the EVM or the block's rules refused it.
        reason: String,
    },
    /// Transactions of a replayed block were never reached: the block ran out of gas before them.
    #[error("{left} transactions were left over after the block's gas ran out")]
    LeftOver {
        /// How many were not executed.
        left: usize,
    },
    /// The state database failed.
    #[error("state database: {0}")]
    Database(E),
}

/// A state database's failure as block execution sees it.
///
/// Most failures stop the block. Some concern only the transaction that met them: a forked chain's remote that
/// does not answer leaves that one transaction unexecuted, and it waits in the pool for a later block while the
/// block goes on without it. Deposits and system calls are never deferred: a block cannot leave them out.
pub trait DatabaseFailure: std::fmt::Display {
    /// Whether the (non-deposit) transaction that met this failure waits for a later block instead of the
    /// whole block failing.
    fn defers_transaction(&self) -> bool {
        false
    }
}

impl DatabaseFailure for crate::error::StateError {
    fn defers_transaction(&self) -> bool {
        matches!(self, Self::Remote(_))
    }
}

/// The EVM configuration of the chain.
pub fn cfg_env(chain_id: u64, spec: OpSpecId) -> CfgEnv<OpSpecId> {
    CfgEnv::new_with_spec(spec).with_chain_id(chain_id)
}

/// The block environment of an existing block, taken from its header.
pub fn header_block_env(header: &Header) -> BlockEnv {
    BlockEnv {
        number: U256::from(header.number),
        beneficiary: header.beneficiary,
        timestamp: U256::from(header.timestamp),
        gas_limit: header.gas_limit,
        basefee: header.base_fee_per_gas.unwrap_or_default(),
        difficulty: header.difficulty,
        prevrandao: Some(header.mix_hash),
        blob_excess_gas_and_price: Some(blob_gas_price()),
        ..BlockEnv::default()
    }
}

/// The blob gas price of every block: OP Stack L2s carry no blobs, so excess blob gas is always zero.
pub(crate) fn blob_gas_price() -> BlobExcessGasAndPrice {
    BlobExcessGasAndPrice::new(0, revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE)
}

fn classify<E: std::fmt::Display>(error: &EVMError<E, OpTransactionError>) -> Exclusion {
    match error {
        EVMError::Transaction(OpTransactionError::Base(
            InvalidTransaction::NonceTooHigh { .. }
            | InvalidTransaction::GasPriceLessThanBasefee
            | InvalidTransaction::CallerGasLimitMoreThanBlock
            | InvalidTransaction::LackOfFundForMaxFee { .. },
        )) => Exclusion::NotYet(error.to_string()),
        _ => Exclusion::Invalid(error.to_string()),
    }
}

fn contract_address(result: &ExecutionResult<OpHaltReason>) -> Option<Address> {
    match result {
        ExecutionResult::Success { output: Output::Create(_, address), .. } => *address,
        _ => None,
    }
}

fn l1_fee_info(l1: &L1BlockInfo, encoded: &[u8], spec: OpSpecId) -> L1FeeInfo {
    let mut l1 = l1.clone();
    l1.clear_tx_l1_cost();
    L1FeeInfo {
        l1_fee: l1.calculate_tx_l1_cost(encoded, spec),
        l1_gas_used: l1.data_gas(encoded, spec),
        l1_base_fee: l1.l1_base_fee,
        l1_base_fee_scalar: l1.l1_base_fee_scalar,
        l1_blob_base_fee: l1.l1_blob_base_fee,
        l1_blob_base_fee_scalar: l1.l1_blob_base_fee_scalar,
        operator_fee_scalar: l1.operator_fee_scalar,
        operator_fee_constant: l1.operator_fee_constant,
    }
}

/// The inputs of one block's execution apart from the database and the non-deposit transactions.
#[derive(Debug, Clone)]
pub struct BlockInputs {
    /// The EVM's block environment.
    pub env: BlockEnv,
    /// The parent block's hash (the EIP-2935 system call's input).
    pub parent_hash: B256,
    /// The parent beacon block root (the EIP-4788 system call's input).
    pub parent_beacon_root: B256,
    /// The deposits, the L1 attributes deposit first.
    pub deposits: Vec<ExecutableTx>,
}

/// Executes a block over `db`: the system calls, the deposits, then transactions from `source` while at least
/// 21,000 gas is left. Deposits must execute; the first that the EVM refuses outright stops the block with
/// [`ExecutionError::Deposit`]. Other transactions the EVM refuses are reported to `source` and left out; a
/// database failure stops the block, unless it [defers](DatabaseFailure::defers_transaction) only the
/// transaction that met it. On failure `db` keeps what was committed before it.
pub fn execute_block<DB>(
    db: DB,
    settings: ExecutionSettings,
    inputs: BlockInputs,
    source: &mut dyn TxSource,
) -> Result<ExecutedBlock, ExecutionError<DB::Error>>
where
    DB: Database + DatabaseCommit,
    DB::Error: DatabaseFailure,
{
    let BlockInputs { env, parent_hash, parent_beacon_root, deposits } = inputs;
    let gas_limit = env.gas_limit;
    let mut out = ExecutedBlock { base_fee: env.basefee, ..ExecutedBlock::default() };
    let mut evm = Context::op()
        .with_db(db)
        .with_block(env)
        .with_cfg(cfg_env(settings.chain_id, settings.spec))
        .with_chain(L1BlockInfo::default())
        .build_op();

    // EIP-4788 (parent beacon root) and EIP-2935 (parent block hash) system calls, where the system
    // contracts are deployed.
    let system_calls = [
        (BEACON_ROOTS_ADDRESS, Bytes::from(parent_beacon_root)),
        (HISTORY_STORAGE_ADDRESS, Bytes::from(parent_hash)),
    ];
    for (contract, input) in system_calls {
        let deployed = evm
            .0
            .ctx
            .journaled_state
            .database
            .basic(contract)
            .map_err(ExecutionError::Database)?
            .is_some_and(|info| info.code_hash != KECCAK256_EMPTY);
        if !deployed {
            continue;
        }
        match evm.system_call_with_caller(SYSTEM_ADDRESS, contract, input) {
            Ok(outcome) => {
                let mut changes = outcome.state;
                changes.remove(&SYSTEM_ADDRESS);
                evm.commit(changes);
            }
            Err(error) => return Err(ExecutionError::SystemCall { contract, reason: error.to_string() }),
        }
    }
    // The system calls may have loaded the L1 fee parameters of the previous L1 attributes: forget them so
    // the first user transaction reads the ones this block's L1 attributes deposit sets.
    evm.0.ctx.chain = L1BlockInfo::default();

    for deposit in deposits {
        let nonce = evm
            .0
            .ctx
            .journaled_state
            .database
            .basic(deposit.sender)
            .map_err(ExecutionError::Database)?
            .map(|info| info.nonce);
        match evm.transact_commit(deposit.to_evm()) {
            Ok(result) => out.record(deposit, result, Some(nonce.unwrap_or_default()), None),
            Err(EVMError::Database(error)) => return Err(ExecutionError::Database(error)),
            Err(error) => {
                return Err(ExecutionError::Deposit { hash: deposit.hash, reason: error.to_string() });
            }
        }
    }

    while let Some(tx) = source.next_transaction() {
        if tx.is_deposit() {
            source.exclude(&tx, &Exclusion::Invalid("deposits only come from the node".into()));
            continue;
        }
        let remaining = gas_limit.saturating_sub(out.gas_used);
        if tx.gas_limit() > remaining {
            source
                .exclude(&tx, &Exclusion::NotYet(format!("needs {} gas, {remaining} left", tx.gas_limit())));
            continue;
        }
        // As anvil does: an impersonated sender may have code (EIP-3607 applies to signed ones).
        evm.0.ctx.cfg.disable_eip3607 = tx.impersonated;
        match evm.transact_commit(tx.to_evm()) {
            Ok(result) => {
                let fee = l1_fee_info(&evm.0.ctx.chain, &tx.encoded(), settings.spec);
                out.record(tx, result, None, Some(fee));
            }
            // Only this transaction could not read its state: it waits for a later block. What the EVM had
            // loaded or changed for it is dropped, nothing of it reaches the database.
            Err(EVMError::Database(error)) if error.defers_transaction() => {
                drop(evm.finalize());
                source.exclude(&tx, &Exclusion::NotYet(error.to_string()));
            }
            Err(EVMError::Database(error)) => return Err(ExecutionError::Database(error)),
            Err(error) => source.exclude(&tx, &classify(&error)),
        }
        if gas_limit.saturating_sub(out.gas_used) < 21_000 {
            break;
        }
    }
    Ok(out)
}

/// A fixed list of a known block's transactions, all of which must execute.
struct StrictSource {
    queue: std::collections::VecDeque<ExecutableTx>,
    refused: Option<(B256, String)>,
}

impl TxSource for StrictSource {
    fn next_transaction(&mut self) -> Option<ExecutableTx> {
        if self.refused.is_some() {
            return None;
        }
        self.queue.pop_front()
    }

    fn exclude(&mut self, tx: &ExecutableTx, why: &Exclusion) {
        let reason = match why {
            Exclusion::NotYet(reason) | Exclusion::Invalid(reason) => reason.clone(),
        };
        self.refused.get_or_insert((tx.hash, reason));
    }
}

/// Executes a known block's transactions over `db` (the state of its parent) with the same rules it was built
/// with: the leading deposits, then every other transaction, each of which must execute.
pub fn replay_block<DB>(
    db: DB,
    settings: ExecutionSettings,
    header: &Header,
    transactions: Vec<ExecutableTx>,
) -> Result<ExecutedBlock, ExecutionError<DB::Error>>
where
    DB: Database + DatabaseCommit,
    DB::Error: DatabaseFailure,
{
    let split = transactions.iter().position(|tx| !tx.is_deposit()).unwrap_or(transactions.len());
    let mut deposits = transactions;
    let rest = deposits.split_off(split);
    let inputs = BlockInputs {
        env: header_block_env(header),
        parent_hash: header.parent_hash,
        parent_beacon_root: header.parent_beacon_block_root.unwrap_or_default(),
        deposits,
    };
    let mut source = StrictSource { queue: rest.into(), refused: None };
    let executed = execute_block(db, settings, inputs, &mut source)?;
    if let Some((hash, reason)) = source.refused {
        return Err(ExecutionError::Rejected { hash, reason });
    }
    if !source.queue.is_empty() {
        return Err(ExecutionError::LeftOver { left: source.queue.len() });
    }
    Ok(executed)
}
