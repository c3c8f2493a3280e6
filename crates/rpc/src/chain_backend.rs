//! [`EthBackend`] over a `superlink-chain` [`Chain`]: the chain behind a lock, the dev keys that
//! `eth_sendTransaction` signs with, the dev clock (`evm_increaseTime`, `evm_setNextBlockTimestamp`),
//! automining, and the event channel every new block, pool entry and reorganisation is published on.

use std::{
    sync::{
        Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
        atomic::{AtomicBool, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxLegacy};
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, Signature, TxKind, U256};
use alloy_rpc_types_eth::{
    AccessListResult, EIP1186AccountProofResponse, FeeHistory, Filter, FilterBlockOption, Log,
    TransactionRequest,
};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use op_alloy_consensus::{OpTxEnvelope, OpTypedTransaction};
use superlink_chain::{
    Chain, ChainError, ExecutionOutcome, ReplacementOutcome, RewindOutcome, StoredBlock,
    chain::SEQUENCER_FEE_VAULT,
};
use superlink_txpool::{InsertError, PoolTransaction};
use tokio::sync::broadcast;

use crate::{
    backend::{BackendResult, CallOverrides, EthBackend, MineRequest, PoolTransactions},
    chain_convert::{
        log_filter, rpc_block, rpc_header, rpc_logs, rpc_receipt, rpc_transaction, unmined_transaction,
    },
    error::{BackendError, TxRejection},
    types::{ChainEvent, NewBlock, RpcBlock, RpcReceipt, RpcTransaction},
};

/// The priority fee suggested when the pool asks for none (0.001 gwei, as OP Stack chains charge little).
pub const DEFAULT_PRIORITY_FEE: u128 = 1_000_000;

/// How many events a slow subscriber may fall behind before it misses some.
const EVENT_CAPACITY: usize = 4096;

/// Where the clock of future blocks counts from: the current time, in seconds since the Unix epoch.
pub type TimeSource = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The wall clock, the default [`TimeSource`].
fn wall_clock() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// The clock of future blocks: an offset over the time source, and a one-off fixed timestamp.
struct DevClock {
    now: TimeSource,
    offset: u64,
    next_timestamp: Option<u64>,
}

impl Default for DevClock {
    fn default() -> Self {
        Self { now: Arc::new(wall_clock), offset: 0, next_timestamp: None }
    }
}

impl std::fmt::Debug for DevClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevClock")
            .field("offset", &self.offset)
            .field("next_timestamp", &self.next_timestamp)
            .finish_non_exhaustive()
    }
}

impl DevClock {
    /// The timestamp of the next block: the fixed one if set, else the source's time plus the offset, and
    /// always after the parent's.
    fn next(&mut self, parent: u64) -> u64 {
        if let Some(fixed) = self.next_timestamp.take() {
            return fixed;
        }
        ((self.now)() + self.offset).max(parent + 1)
    }
}

/// A chain served over JSON-RPC.
#[derive(Debug)]
pub struct ChainBackend {
    chain_id: u64,
    chain: Arc<RwLock<Chain>>,
    events: broadcast::Sender<ChainEvent>,
    signers: Vec<PrivateKeySigner>,
    clock: Mutex<DevClock>,
    automine: AtomicBool,
}

/// The RPC error for a chain failure; `block` is the block the request named, if any.
pub fn chain_error(error: ChainError, block: Option<BlockId>) -> BackendError {
    match error {
        ChainError::BlockNotFound(_) => match block {
            Some(block) => BackendError::BlockNotFound { block },
            None => BackendError::Server("header not found".to_string()),
        },
        ChainError::Pool(insert) => BackendError::Rejected(tx_rejection(insert)),
        ChainError::NotImpersonated(address) => BackendError::UnknownAccount(address),
        ChainError::Tx(tx) => BackendError::Rejected(TxRejection::Malformed(tx.to_string())),
        ChainError::GasEstimateFailed { revert: Some(data), .. } => BackendError::Reverted { data },
        ChainError::GasEstimateFailed { cap, revert: None } => {
            BackendError::GasRequiredExceedsAllowance { cap }
        }
        ChainError::TimestampNotIncreasing { .. } | ChainError::BeyondHead { .. } => {
            BackendError::InvalidParams(error.to_string())
        }
        other => BackendError::Server(other.to_string()),
    }
}

/// The pool's refusal in geth's words.
pub fn tx_rejection(error: InsertError) -> TxRejection {
    match error {
        InsertError::AlreadyKnown { .. } => TxRejection::AlreadyKnown,
        InsertError::WrongChainId { expected, got } => {
            TxRejection::WrongChainId { have: got, want: expected }
        }
        InsertError::NonceTooLow { tx_nonce, state_nonce, .. } => {
            TxRejection::NonceTooLow { next: state_nonce, tx: tx_nonce }
        }
        InsertError::InsufficientFunds { address, balance, cost, .. } => {
            TxRejection::InsufficientFunds { address, have: balance, want: cost }
        }
        InsertError::IntrinsicGasTooLow { gas_limit, intrinsic } => {
            TxRejection::IntrinsicGasTooLow { gas: gas_limit, minimum: intrinsic }
        }
        InsertError::GasLimitExceeded { .. } => TxRejection::GasLimitExceeded,
        InsertError::ReplacementUnderpriced { .. } => TxRejection::ReplacementUnderpriced,
        InsertError::Rejected(rejection) => TxRejection::InvalidExecutingMessage(rejection.to_string()),
        InsertError::Decode(decode) => TxRejection::Malformed(decode.to_string()),
        other => TxRejection::Other(other.to_string()),
    }
}

fn execution_result(outcome: ExecutionOutcome) -> BackendResult<Bytes> {
    if outcome.success {
        return Ok(outcome.output);
    }
    if let Some(data) = outcome.revert_data {
        return Err(BackendError::Reverted { data });
    }
    let reason = outcome.halt_reason.map(|reason| format!("{reason:?}")).unwrap_or_default();
    Err(BackendError::Halted(halt_message(&reason)))
}

/// geth's wording for the common halts; the EVM's name otherwise.
fn halt_message(reason: &str) -> String {
    if reason.contains("OutOfGas") {
        "out of gas".to_string()
    } else if reason.contains("InvalidFEOpcode") || reason.contains("OpcodeNotFound") {
        "invalid opcode".to_string()
    } else if reason.contains("StackUnderflow") {
        "stack underflow".to_string()
    } else if reason.contains("StackOverflow") {
        "stack overflow".to_string()
    } else {
        format!("execution halted: {reason}")
    }
}

/// Reward percentiles of one block as geth computes them: tips sorted ascending, each percentile the tip
/// of the transaction at which that share of the block's gas is reached.
pub fn block_rewards(block: &StoredBlock, base_fee: u64, percentiles: &[f64]) -> Vec<u128> {
    let mut tips: Vec<(u128, u64)> = block
        .transactions
        .iter()
        .filter(|tx| !tx.is_deposit())
        .map(|tx| (tx.effective_gas_price.saturating_sub(u128::from(base_fee)), tx.gas_used))
        .collect();
    if tips.is_empty() {
        return vec![0; percentiles.len()];
    }
    tips.sort_unstable_by_key(|(tip, _)| *tip);
    let total: u64 = tips.iter().map(|(_, gas)| gas).sum();
    percentiles
        .iter()
        .map(|p| {
            let threshold = (total as f64 * p / 100.0) as u64;
            let mut sum = 0u64;
            for (tip, gas) in &tips {
                sum += gas;
                if sum >= threshold {
                    return *tip;
                }
            }
            tips.last().map(|(tip, _)| *tip).unwrap_or_default()
        })
        .collect()
}

impl ChainBackend {
    /// Serves `chain`, signing `eth_sendTransaction` for `dev_signers`, mining a block for every accepted
    /// transaction.
    pub fn new(chain: Chain, dev_signers: Vec<PrivateKeySigner>) -> Self {
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        ChainBackend {
            chain_id: chain.chain_id(),
            chain: Arc::new(RwLock::new(chain)),
            events,
            signers: dev_signers,
            clock: Mutex::new(DevClock::default()),
            automine: AtomicBool::new(true),
        }
    }

    /// Turns mining on submission on or off (off: the owner calls [`ChainBackend::mine_block`]).
    pub fn with_automine(self, automine: bool) -> Self {
        self.automine.store(automine, Ordering::Relaxed);
        self
    }

    /// Counts the time of blocks mined on request (`evm_mine`, automine) from `now` instead of the wall clock;
    /// `evm_increaseTime` still adds its offset. An owner that builds blocks on a schedule of its own passes the
    /// time of its next block, so blocks mined by hand fall in step with its schedule.
    pub fn with_time_source(self, now: TimeSource) -> Self {
        self.clock().now = now;
        self
    }

    /// The shared chain (for owners that label, rewind or inspect it; publish what they change with
    /// [`ChainBackend::publish_block`] or use the methods here, which publish themselves).
    pub fn chain(&self) -> &Arc<RwLock<Chain>> {
        &self.chain
    }

    /// The chain, locked for changes (nobody else reads or changes it meanwhile).
    pub fn lock(&self) -> RwLockWriteGuard<'_, Chain> {
        self.chain.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The chain, locked for reading (other readers run alongside; changes wait).
    pub fn read(&self) -> RwLockReadGuard<'_, Chain> {
        self.chain.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn clock(&self) -> MutexGuard<'_, DevClock> {
        self.clock.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Announces `block` as the new head to subscribers and filters.
    pub fn publish_block(&self, block: &StoredBlock) {
        let event = NewBlock { header: rpc_header(&block.header), logs: rpc_logs(block) };
        let _ = self.events.send(ChainEvent::NewBlock(Arc::new(event)));
    }

    fn publish_removed(&self, blocks: &[Arc<StoredBlock>]) {
        let logs: Vec<Log> = blocks.iter().flat_map(|block| rpc_logs(block)).collect();
        if !logs.is_empty() {
            let _ = self.events.send(ChainEvent::LogsRemoved(Arc::new(logs)));
        }
    }

    fn mine_locked(&self, chain: &mut Chain, timestamp: Option<u64>) -> BackendResult<Arc<StoredBlock>> {
        let parent = chain.head().timestamp();
        let timestamp = match timestamp {
            Some(timestamp) => timestamp,
            None => self.clock().next(parent),
        };
        let mined = chain.mine(timestamp).map_err(|e| chain_error(e, None))?;
        Ok(mined.block)
    }

    /// Mines one block now (pool transactions by fee) and publishes it.
    pub fn mine_block(&self) -> BackendResult<Arc<StoredBlock>> {
        let block = {
            let mut chain = self.lock();
            self.mine_locked(&mut chain, None)?
        };
        self.publish_block(&block);
        Ok(block)
    }

    /// Reorganises the chain back to block `number` and publishes the logs that left it.
    pub fn rewind_to(&self, number: u64) -> BackendResult<RewindOutcome> {
        let outcome = self.lock().rewind_to(number).map_err(|e| chain_error(e, None))?;
        self.publish_removed(&outcome.removed);
        Ok(outcome)
    }

    /// Replaces block `number` by a deposits-only block (rebuilding its descendants) and publishes the
    /// change: the old blocks' logs as removed, then every rebuilt block.
    pub fn replace_with_deposits_only(&self, number: u64) -> BackendResult<ReplacementOutcome> {
        let (old, new, outcome) = {
            let mut chain = self.lock();
            let head = chain.head_number();
            let old: Vec<Arc<StoredBlock>> =
                (number..=head).filter_map(|n| chain.block_by_number(n)).collect();
            let outcome = chain.replace_with_deposits_only(number).map_err(|e| chain_error(e, None))?;
            let new: Vec<Arc<StoredBlock>> =
                (number..=chain.head_number()).filter_map(|n| chain.block_by_number(n)).collect();
            (old, new, outcome)
        };
        self.publish_removed(&old);
        for block in &new {
            self.publish_block(block);
        }
        Ok(outcome)
    }

    fn submit(&self, tx: PoolTransaction) -> BackendResult<B256> {
        let (hash, block) = {
            let mut chain = self.lock();
            let added = chain.submit_transaction(tx).map_err(|e| chain_error(e, None))?;
            let _ = self.events.send(ChainEvent::PendingTransaction(added.hash));
            let block = if self.automine.load(Ordering::Relaxed) {
                Some(self.mine_locked(&mut chain, None)?)
            } else {
                None
            };
            (added.hash, block)
        };
        if let Some(block) = block {
            self.publish_block(&block);
        }
        Ok(hash)
    }

    fn suggested_tip(chain: &Chain) -> u128 {
        chain.pool().config().min_priority_fee.max(DEFAULT_PRIORITY_FEE)
    }

    /// The transaction `eth_sendTransaction` sends: missing fields filled like geth's (nonce from the pool,
    /// gas from an estimate, fees from the next base fee).
    fn fill_transaction(
        &self,
        request: &TransactionRequest,
        from: Address,
    ) -> BackendResult<OpTypedTransaction> {
        let chain = self.read();
        let nonce = match request.nonce {
            Some(nonce) => nonce,
            None => chain.pending_nonce(from),
        };
        let gas_limit = match request.gas {
            Some(gas) => gas,
            None => chain
                .estimate_gas(request, BlockId::Number(BlockNumberOrTag::Pending), None, None)
                .map_err(|e| chain_error(e, None))?,
        };
        let to = request.to.unwrap_or(TxKind::Create);
        let value = request.value.unwrap_or_default();
        let input = request.input.input().cloned().unwrap_or_default();
        let chain_id = chain.chain_id();
        if let Some(gas_price) = request.gas_price.filter(|_| request.max_fee_per_gas.is_none()) {
            return Ok(match request.access_list.clone() {
                Some(access_list) => OpTypedTransaction::Eip2930(TxEip2930 {
                    chain_id,
                    nonce,
                    gas_price,
                    gas_limit,
                    to,
                    value,
                    access_list,
                    input,
                }),
                None => OpTypedTransaction::Legacy(TxLegacy {
                    chain_id: Some(chain_id),
                    nonce,
                    gas_price,
                    gas_limit,
                    to,
                    value,
                    input,
                }),
            });
        }
        let tip = request.max_priority_fee_per_gas.unwrap_or_else(|| Self::suggested_tip(&chain));
        let max_fee = request.max_fee_per_gas.unwrap_or_else(|| 2 * u128::from(chain.next_base_fee()) + tip);
        Ok(OpTypedTransaction::Eip1559(TxEip1559 {
            chain_id,
            nonce,
            gas_limit,
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: tip,
            to,
            value,
            access_list: request.access_list.clone().unwrap_or_default(),
            input,
        }))
    }
}

/// A pooled transaction as the RPC shows it (no block fields yet).
fn pooled_transaction(pooled: &PoolTransaction) -> RpcTransaction {
    unmined_transaction(pooled.tx().clone(), pooled.sender())
}

fn sign(signer: &PrivateKeySigner, tx: OpTypedTransaction) -> BackendResult<OpTxEnvelope> {
    fn signature(signer: &PrivateKeySigner, hash: B256) -> BackendResult<Signature> {
        signer.sign_hash_sync(&hash).map_err(|e| BackendError::Internal(format!("signing: {e}")))
    }
    Ok(match tx {
        OpTypedTransaction::Legacy(tx) => {
            let sig = signature(signer, tx.signature_hash())?;
            OpTxEnvelope::Legacy(tx.into_signed(sig))
        }
        OpTypedTransaction::Eip2930(tx) => {
            let sig = signature(signer, tx.signature_hash())?;
            OpTxEnvelope::Eip2930(tx.into_signed(sig))
        }
        OpTypedTransaction::Eip1559(tx) => {
            let sig = signature(signer, tx.signature_hash())?;
            OpTxEnvelope::Eip1559(tx.into_signed(sig))
        }
        other => {
            return Err(BackendError::InvalidParams(format!(
                "cannot sign a transaction of type {}",
                alloy_eips::Typed2718::ty(&other)
            )));
        }
    })
}

impl EthBackend for ChainBackend {
    fn chain_id(&self) -> u64 {
        self.chain_id
    }

    fn reads_without_waiting(&self) -> bool {
        self.chain.try_read().is_ok()
    }

    fn block_number(&self) -> BackendResult<u64> {
        Ok(self.read().head_number())
    }

    fn resolve_block_number(&self, tag: BlockNumberOrTag) -> BackendResult<Option<u64>> {
        Ok(self.read().resolve(BlockId::Number(tag)).ok())
    }

    fn block(&self, block: BlockId, full_transactions: bool) -> BackendResult<Option<RpcBlock>> {
        let stored = self.read().block(block);
        Ok(stored.map(|b| rpc_block(&b, full_transactions)))
    }

    fn block_receipts(&self, block: BlockId) -> BackendResult<Option<Vec<RpcReceipt>>> {
        let stored = self.read().block(block);
        Ok(stored.map(|b| (0..b.receipts.len()).filter_map(|i| rpc_receipt(&b, i)).collect()))
    }

    fn transaction_by_hash(&self, hash: B256) -> BackendResult<Option<RpcTransaction>> {
        let chain = self.read();
        if let Some((block, index)) = chain.transaction(&hash) {
            return Ok(rpc_transaction(&block, index));
        }
        if let Some(pooled) = chain.pool().get(&hash) {
            return Ok(Some(pooled_transaction(&pooled)));
        }
        // Neither mined on the canonical chain nor waiting: the block a reorganisation took it out of.
        Ok(chain.orphan_transaction(&hash).and_then(|(block, index)| rpc_transaction(&block, index)))
    }

    fn transaction_receipt(&self, hash: B256) -> BackendResult<Option<RpcReceipt>> {
        let found = self.read().transaction(&hash);
        Ok(found.and_then(|(block, index)| rpc_receipt(&block, index)))
    }

    fn logs(&self, filter: &Filter) -> BackendResult<Vec<Log>> {
        let chain = self.read();
        let (from, to) = match filter.block_option {
            FilterBlockOption::AtBlockHash(hash) => {
                let block = chain
                    .block_by_hash(&hash)
                    .ok_or(BackendError::BlockNotFound { block: BlockId::from(hash) })?;
                (block.number(), block.number())
            }
            FilterBlockOption::Range { .. } => {
                let head = chain.head_number();
                (filter.get_from_block().unwrap_or(head), filter.get_to_block().unwrap_or(head))
            }
        };
        Ok(chain.logs(&log_filter(filter, from, to)))
    }

    fn balance(&self, address: Address, block: BlockId) -> BackendResult<U256> {
        self.read().balance(address, block).map_err(|e| chain_error(e, Some(block)))
    }

    fn transaction_count(&self, address: Address, block: BlockId) -> BackendResult<u64> {
        let chain = self.read();
        if block == BlockId::Number(BlockNumberOrTag::Pending) {
            return Ok(chain.pending_nonce(address));
        }
        chain.nonce(address, block).map_err(|e| chain_error(e, Some(block)))
    }

    fn code(&self, address: Address, block: BlockId) -> BackendResult<Bytes> {
        self.read().code(address, block).map_err(|e| chain_error(e, Some(block)))
    }

    fn storage_at(&self, address: Address, slot: B256, block: BlockId) -> BackendResult<B256> {
        let value = self
            .read()
            .storage(address, U256::from_be_bytes(slot.0), block)
            .map_err(|e| chain_error(e, Some(block)))?;
        Ok(B256::from(value))
    }

    fn proof(
        &self,
        address: Address,
        keys: Vec<B256>,
        block: BlockId,
    ) -> BackendResult<EIP1186AccountProofResponse> {
        self.read().proof(address, &keys, block).map_err(|e| chain_error(e, Some(block)))
    }

    fn call(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<Bytes> {
        let outcome = self
            .read()
            .call(&request, block, overrides.state.as_ref(), overrides.block.as_deref())
            .map_err(|e| chain_error(e, Some(block)))?;
        execution_result(outcome)
    }

    fn estimate_gas(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<u64> {
        self.read()
            .estimate_gas(&request, block, overrides.state.as_ref(), overrides.block.as_deref())
            .map_err(|e| chain_error(e, Some(block)))
    }

    fn create_access_list(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<AccessListResult> {
        let outcome = self
            .read()
            .create_access_list(&request, block, overrides.state.as_ref())
            .map_err(|e| chain_error(e, Some(block)))?;
        let error = execution_result(outcome.outcome).err().map(|e| e.to_string());
        Ok(AccessListResult {
            access_list: outcome.access_list,
            gas_used: U256::from(outcome.gas_used),
            error,
        })
    }

    fn send_raw_transaction(&self, raw: Bytes) -> BackendResult<B256> {
        let tx = superlink_txpool::decode_raw_transaction(&raw)
            .map_err(|e| BackendError::Rejected(TxRejection::Malformed(e.to_string())))?;
        self.submit(tx)
    }

    fn send_transaction(&self, request: TransactionRequest) -> BackendResult<B256> {
        let from = request.from.ok_or_else(|| BackendError::InvalidParams("missing `from`".to_string()))?;
        let signer = self.signers.iter().find(|s| s.address() == from);
        if signer.is_none() && !self.read().is_impersonated(&from) {
            return Err(BackendError::UnknownAccount(from));
        }
        let typed = self.fill_transaction(&request, from)?;
        let pooled = match signer {
            Some(signer) => PoolTransaction::from_envelope(sign(signer, typed)?),
            None => PoolTransaction::impersonated(typed, from),
        }
        .map_err(|e| BackendError::Rejected(TxRejection::Malformed(e.to_string())))?;
        self.submit(pooled)
    }

    fn accounts(&self) -> BackendResult<Vec<Address>> {
        Ok(self.signers.iter().map(|s| s.address()).collect())
    }

    fn sign_message(&self, address: Address, message: Bytes) -> BackendResult<Bytes> {
        let signer = self
            .signers
            .iter()
            .find(|s| s.address() == address)
            .ok_or(BackendError::UnknownAccount(address))?;
        let signature = signer
            .sign_message_sync(&message)
            .map_err(|e| BackendError::Internal(format!("signing: {e}")))?;
        Ok(Bytes::copy_from_slice(&signature.as_bytes()))
    }

    fn sign_hash(&self, address: Address, hash: B256) -> BackendResult<Bytes> {
        let signer = self
            .signers
            .iter()
            .find(|s| s.address() == address)
            .ok_or(BackendError::UnknownAccount(address))?;
        let signature =
            signer.sign_hash_sync(&hash).map_err(|e| BackendError::Internal(format!("signing: {e}")))?;
        Ok(Bytes::copy_from_slice(&signature.as_bytes()))
    }

    fn pool_transactions(&self) -> BackendResult<PoolTransactions> {
        let content = self.read().pool().content();
        let shape = |by_sender: std::collections::BTreeMap<Address, Vec<Arc<PoolTransaction>>>| {
            by_sender.values().flatten().map(|tx| pooled_transaction(tx)).collect::<Vec<_>>()
        };
        Ok(PoolTransactions { pending: shape(content.pending), queued: shape(content.queued) })
    }

    fn gas_price(&self) -> BackendResult<u128> {
        let chain = self.read();
        Ok(u128::from(chain.next_base_fee()) + Self::suggested_tip(&chain))
    }

    fn max_priority_fee_per_gas(&self) -> BackendResult<u128> {
        Ok(Self::suggested_tip(&self.read()))
    }

    fn fee_history(
        &self,
        block_count: u64,
        newest: BlockNumberOrTag,
        reward_percentiles: &[f64],
    ) -> BackendResult<FeeHistory> {
        let chain = self.read();
        let newest_number = chain
            .resolve(BlockId::Number(newest))
            .map_err(|e| chain_error(e, Some(BlockId::Number(newest))))?;
        let count = block_count.min(newest_number + 1).min(1024);
        let oldest = newest_number + 1 - count;
        let blocks: Vec<Arc<StoredBlock>> =
            (oldest..=newest_number).filter_map(|n| chain.block_by_number(n)).collect();
        let mut base_fee_per_gas: Vec<u128> =
            blocks.iter().map(|b| u128::from(b.header.base_fee_per_gas.unwrap_or_default())).collect();
        let next_base_fee = match chain.block_by_number(newest_number + 1) {
            Some(next) => next.header.base_fee_per_gas.unwrap_or_default(),
            None => chain.next_base_fee(),
        };
        base_fee_per_gas.push(u128::from(next_base_fee));
        let gas_used_ratio = blocks
            .iter()
            .map(|b| {
                if b.header.gas_limit == 0 {
                    0.0
                } else {
                    b.header.gas_used as f64 / b.header.gas_limit as f64
                }
            })
            .collect();
        let reward = (!reward_percentiles.is_empty()).then(|| {
            blocks
                .iter()
                .map(|b| block_rewards(b, b.header.base_fee_per_gas.unwrap_or_default(), reward_percentiles))
                .collect()
        });
        Ok(FeeHistory {
            base_fee_per_gas,
            gas_used_ratio,
            base_fee_per_blob_gas: vec![0; blocks.len() + 1],
            blob_gas_used_ratio: vec![0.0; blocks.len()],
            oldest_block: oldest,
            reward,
        })
    }

    fn coinbase(&self) -> BackendResult<Address> {
        let head = self.read().head();
        // Genesis has no builder; every built block pays the sequencer fee vault by default.
        Ok(if head.number() == 0 { SEQUENCER_FEE_VAULT } else { head.header.beneficiary })
    }

    fn events(&self) -> broadcast::Receiver<ChainEvent> {
        self.events.subscribe()
    }

    fn mine(&self, request: MineRequest) -> BackendResult<()> {
        for i in 0..request.blocks.max(1) {
            let block = {
                let mut chain = self.lock();
                let parent = chain.head().timestamp();
                let timestamp = match (request.timestamp, request.interval) {
                    (Some(start), interval) => Some(start + i * interval.unwrap_or(1)),
                    (None, Some(interval)) => Some(parent + interval.max(1)),
                    (None, None) => None,
                };
                self.mine_locked(&mut chain, timestamp)?
            };
            self.publish_block(&block);
        }
        Ok(())
    }

    fn snapshot(&self) -> BackendResult<U256> {
        Ok(U256::from(self.lock().snapshot()))
    }

    fn revert_to_snapshot(&self, id: U256) -> BackendResult<bool> {
        let Ok(id) = u64::try_from(id) else { return Ok(false) };
        let removed = {
            let mut chain = self.lock();
            let before: Vec<Arc<StoredBlock>> =
                (0..=chain.head_number()).rev().take(1024).filter_map(|n| chain.block_by_number(n)).collect();
            match chain.revert_to_snapshot(id) {
                Ok(()) => {}
                Err(ChainError::UnknownSnapshot(_)) => return Ok(false),
                Err(other) => return Err(chain_error(other, None)),
            }
            let removed: Vec<Arc<StoredBlock>> = before
                .into_iter()
                .filter(|old| chain.block_by_number(old.number()).is_none_or(|now| now.hash() != old.hash()))
                .rev()
                .collect();
            removed
        };
        self.publish_removed(&removed);
        Ok(true)
    }

    fn increase_time(&self, seconds: u64) -> BackendResult<u64> {
        let mut clock = self.clock();
        clock.offset += seconds;
        Ok(clock.offset)
    }

    fn automine(&self) -> BackendResult<bool> {
        Ok(self.automine.load(Ordering::Relaxed))
    }

    fn set_automine(&self, enabled: bool) -> BackendResult<()> {
        self.automine.store(enabled, Ordering::Relaxed);
        Ok(())
    }

    fn set_next_block_timestamp(&self, timestamp: u64) -> BackendResult<()> {
        let parent = self.read().head().timestamp();
        if timestamp <= parent {
            return Err(BackendError::InvalidParams(format!(
                "timestamp {timestamp} is not after the latest block's {parent}"
            )));
        }
        self.clock().next_timestamp = Some(timestamp);
        Ok(())
    }

    fn set_balance(&self, address: Address, balance: U256) -> BackendResult<()> {
        self.lock().set_balance(address, balance);
        Ok(())
    }

    fn set_code(&self, address: Address, code: Bytes) -> BackendResult<()> {
        self.lock().set_code(address, code);
        Ok(())
    }

    fn set_storage_at(&self, address: Address, slot: B256, value: B256) -> BackendResult<()> {
        self.lock().set_storage(address, U256::from_be_bytes(slot.0), U256::from_be_bytes(value.0));
        Ok(())
    }

    fn set_nonce(&self, address: Address, nonce: u64) -> BackendResult<()> {
        self.lock().set_nonce(address, nonce);
        Ok(())
    }

    fn impersonate_account(&self, address: Address) -> BackendResult<()> {
        self.lock().impersonate(address);
        Ok(())
    }

    fn stop_impersonating_account(&self, address: Address) -> BackendResult<()> {
        self.lock().stop_impersonating(address);
        Ok(())
    }
}
