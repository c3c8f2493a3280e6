//! Block building on op-revm: system calls, the L1 attributes deposit, queued deposits, then pool transactions until the
//! gas limit; then receipts, logs bloom and every header root (transactions, receipts, state, withdrawals).

use alloy_consensus::{
    EMPTY_OMMER_ROOT_HASH, Header, Sealed,
    proofs::{calculate_receipt_root, calculate_transaction_root},
};
use alloy_eips::{
    eip2935::HISTORY_STORAGE_ADDRESS,
    eip4788::{BEACON_ROOTS_ADDRESS, SYSTEM_ADDRESS},
    eip7685::EMPTY_REQUESTS_HASH,
};
use alloy_primitives::{Address, B64, B256, Bloom, Bytes, KECCAK256_EMPTY, U256};
use op_alloy_consensus::{OpReceiptEnvelope, OpTxEnvelope};
use op_revm::{DefaultOp, L1BlockInfo, OpBuilder, OpHaltReason, OpSpecId, OpTransactionError};
use revm::{
    Context, ExecuteCommitEvm, ExecuteEvm,
    context::{BlockEnv, CfgEnv, result::InvalidTransaction},
    context_interface::{
        block::BlobExcessGasAndPrice,
        result::{EVMError, ExecutionResult, Output},
    },
    handler::system_call::SystemCallEvm,
};

use crate::{
    base_fee::Eip1559Params,
    block::{BlockAttributes, BlockTransaction, L1FeeInfo, StoredBlock},
    db::BuildDb,
    error::{ChainError, StateError},
    state::{StateDiff, WorldState},
    store::BlockHashes,
    trie,
    tx::ExecutableTx,
};
use superlink_protocol::predeploys::L2_TO_L1_MESSAGE_PASSER;

/// Deposit receipts carry version 1 since Canyon (the deposit nonce is always recorded since Regolith).
pub const DEPOSIT_RECEIPT_VERSION: u64 = 1;

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

/// Transactions and receipts collected while a block executes.
#[derive(Debug, Default)]
struct BlockOutput {
    base_fee: u64,
    transactions: Vec<BlockTransaction>,
    receipts: Vec<OpReceiptEnvelope>,
    cumulative_gas: u64,
    log_index: u64,
}

impl BlockOutput {
    fn record(
        &mut self,
        tx: ExecutableTx,
        result: ExecutionResult<OpHaltReason>,
        deposit_nonce: Option<u64>,
        l1_fee: Option<L1FeeInfo>,
    ) {
        let gas_used = result.tx_gas_used();
        self.cumulative_gas += gas_used;
        let logs = result.logs();
        let receipt = OpReceiptEnvelope::from_parts(
            result.is_success(),
            self.cumulative_gas,
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
        blob_excess_gas_and_price: Some(BlobExcessGasAndPrice::new(
            0,
            revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
        )),
        ..BlockEnv::default()
    }
}

/// The EVM configuration of the chain.
pub fn cfg_env(chain_id: u64, spec: OpSpecId) -> CfgEnv<OpSpecId> {
    CfgEnv::new_with_spec(spec).with_chain_id(chain_id)
}

fn classify(error: &EVMError<StateError, OpTransactionError>) -> Exclusion {
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
    let base_fee = env.basefee;
    let mut diff = StateDiff::default();
    let mut out = BlockOutput { base_fee, ..BlockOutput::default() };

    let deposits: Vec<ExecutableTx> = std::iter::once(attrs.l1.deposit(attrs.sequence_number))
        .chain(attrs.deposits.iter().cloned())
        .map(ExecutableTx::deposit)
        .collect();

    let failure = {
        let db = BuildDb { state: &mut *state, diff: &mut diff, hashes: params.hashes };
        let mut evm = Context::op()
            .with_db(db)
            .with_block(env)
            .with_cfg(cfg_env(params.chain_id, params.spec))
            .with_chain(L1BlockInfo::default())
            .build_op();
        let mut failure = None;

        // EIP-4788 (parent beacon root) and EIP-2935 (parent block hash) system calls, where the
        // system contracts are deployed.
        let system_calls = [
            (BEACON_ROOTS_ADDRESS, Bytes::from(attrs.parent_beacon_root)),
            (HISTORY_STORAGE_ADDRESS, Bytes::from(parent.hash())),
        ];
        for (contract, input) in system_calls {
            let deployed = match evm.0.ctx.journaled_state.database.state.info(&contract) {
                Ok(info) => info.is_some_and(|info| info.code_hash != KECCAK256_EMPTY),
                Err(error) => {
                    failure = Some(ChainError::State(error));
                    break;
                }
            };
            if !deployed {
                continue;
            }
            match evm.system_call_with_caller(SYSTEM_ADDRESS, contract, input) {
                Ok(outcome) => {
                    let mut changes = outcome.state;
                    changes.remove(&SYSTEM_ADDRESS);
                    evm.commit(changes);
                }
                Err(error) => {
                    failure = Some(ChainError::SystemCallFailed { contract, reason: error.to_string() });
                    break;
                }
            }
        }
        // The system calls may have loaded the L1 fee parameters of the previous L1 attributes: forget
        // them so the first user transaction reads the ones this block's L1 attributes deposit sets.
        evm.0.ctx.chain = L1BlockInfo::default();

        for deposit in deposits.into_iter().filter(|_| failure.is_none()) {
            let nonce = match evm.0.ctx.journaled_state.database.state.info(&deposit.sender) {
                Ok(info) => info.map(|info| info.nonce),
                Err(error) => {
                    failure = Some(ChainError::State(error));
                    break;
                }
            };
            match evm.transact_commit(deposit.to_evm()) {
                Ok(result) => out.record(deposit, result, Some(nonce.unwrap_or_default()), None),
                Err(error) => {
                    failure =
                        Some(ChainError::DepositFailed { hash: deposit.hash, reason: error.to_string() });
                    break;
                }
            }
        }

        if failure.is_none() {
            while let Some(tx) = source.next_transaction() {
                if tx.is_deposit() {
                    source.exclude(&tx, &Exclusion::Invalid("deposits only come from the node".into()));
                    continue;
                }
                let remaining = params.gas_limit.saturating_sub(out.cumulative_gas);
                if tx.gas_limit() > remaining {
                    source.exclude(
                        &tx,
                        &Exclusion::NotYet(format!("needs {} gas, {remaining} left", tx.gas_limit())),
                    );
                    continue;
                }
                // As anvil does: an impersonated sender may have code (EIP-3607 applies to signed ones).
                evm.0.ctx.cfg.disable_eip3607 = tx.impersonated;
                match evm.transact_commit(tx.to_evm()) {
                    Ok(result) => {
                        let fee = l1_fee_info(&evm.0.ctx.chain, &tx.encoded(), params.spec);
                        out.record(tx, result, None, Some(fee));
                    }
                    // A forked chain's remote did not answer: the transaction waits for a later block and
                    // the block goes on without it. What the EVM had loaded or changed for it is dropped.
                    Err(EVMError::Database(error @ StateError::Remote(_))) => {
                        drop(evm.finalize());
                        source.exclude(&tx, &Exclusion::NotYet(error.to_string()));
                    }
                    Err(EVMError::Database(error)) => {
                        failure = Some(ChainError::State(error));
                        break;
                    }
                    Err(error) => source.exclude(&tx, &classify(&error)),
                }
                if params.gas_limit.saturating_sub(out.cumulative_gas) < 21_000 {
                    break;
                }
            }
        }
        failure
    };
    if let Some(error) = failure {
        return Err(Box::new(BuildFailure { error, diff }));
    }

    let state_root = trie::state_root(state);
    let withdrawals_root = trie::cached_storage_root(state, &L2_TO_L1_MESSAGE_PASSER);
    let BlockOutput { transactions, receipts, cumulative_gas, .. } = out;
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
