//! An in-memory mock chain implementing [`EthBackend`], to test the server without a real chain.
//!
//! It behaves like an automining dev node with simplified execution: every accepted transaction is mined
//! at once into its own block, which starts (as on OP Stack chains) with an L1-attributes deposit. A
//! transaction moves its value, pays `gas_used * effective_gas_price`, bumps the sender's nonce, and, when
//! it calls an address with calldata, emits one log from that address with topic `keccak256(calldata)` and
//! the calldata as data. A contract creation stores the init code as the code. `eth_call` echoes the
//! calldata, except that calldata starting with [`REVERT_SELECTOR`] reverts with the rest as revert data.
//! Transaction and receipt roots are stand-ins (hashes of the hashes), not tries; proofs are empty.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, MutexGuard},
};

use alloy_consensus::{
    Eip658Value, Receipt, ReceiptWithBloom, SignableTransaction, Transaction as _, TxEip1559,
    transaction::{Recovered, SignerRecoverable},
};
use alloy_eips::{BlockId, BlockNumberOrTag, Decodable2718, Encodable2718, eip2930::AccessList};
use alloy_primitives::{Address, B256, Bloom, Bytes, Sealed, Signature, TxKind, U256, address, keccak256};
use alloy_rpc_types_eth::{
    AccessListItem, AccessListResult, BlockTransactions, EIP1186AccountProofResponse, EIP1186StorageProof,
    FeeHistory, Filter, FilterBlockOption, Log, TransactionReceipt, TransactionRequest,
};
use op_alloy_consensus::{OpDepositReceipt, OpReceipt, OpTxEnvelope, TxDeposit};
use op_alloy_rpc_types::L1BlockInfo;
use tokio::sync::broadcast;

use crate::{
    backend::{BackendResult, CallOverrides, EthBackend, MineRequest},
    error::{BackendError, TxRejection},
    log_query::log_matches_criteria,
    types::{ChainEvent, NewBlock, RpcBlock, RpcHeader, RpcReceipt, RpcTransaction},
};

/// Calldata starting with these 4 bytes makes the mock's `eth_call`/`eth_estimateGas` revert with the rest
/// of the calldata as revert data.
pub const REVERT_SELECTOR: [u8; 4] = [0xde, 0xad, 0xbe, 0xef];
/// The base fee of every mock block.
pub const MOCK_BASE_FEE: u64 = 1_000_000_000;
/// The priority fee the mock suggests.
pub const MOCK_PRIORITY_FEE: u128 = 1_000_000_000;
/// The gas limit of every mock block.
pub const MOCK_GAS_LIMIT: u64 = 30_000_000;
/// The fee recipient of mock blocks.
pub const MOCK_COINBASE: Address = address!("0x4200000000000000000000000000000000000011");
/// The sender of the L1-attributes deposit opening every block.
pub const DEPOSITOR: Address = address!("0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001");
/// The L1 block predeploy, target of the L1-attributes deposit.
pub const L1_BLOCK: Address = address!("0x4200000000000000000000000000000000000015");
/// The timestamp of the genesis block.
pub const GENESIS_TIMESTAMP: u64 = 1_700_000_000;
/// Seconds between mined blocks unless told otherwise.
pub const BLOCK_TIME: u64 = 2;
/// The L1 fee the mock charges per transaction (reported in receipts only).
pub const MOCK_L1_FEE: u128 = 12_345;

#[derive(Debug, Clone, Default)]
struct Account {
    balance: U256,
    nonce: u64,
    code: Bytes,
    storage: HashMap<B256, B256>,
}

#[derive(Debug, Clone)]
struct MockBlock {
    header: RpcHeader,
    transactions: Vec<RpcTransaction>,
    receipts: Vec<RpcReceipt>,
}

impl MockBlock {
    fn logs(&self) -> impl Iterator<Item = &Log> {
        self.receipts.iter().flat_map(|receipt| receipt.inner.inner.receipt.as_receipt().logs.iter())
    }

    fn rpc_block(&self, full: bool) -> RpcBlock {
        let transactions = if full {
            BlockTransactions::Full(self.transactions.clone())
        } else {
            BlockTransactions::Hashes(self.transactions.iter().map(|tx| tx.inner.inner.tx_hash()).collect())
        };
        RpcBlock::new(self.header.clone(), transactions).with_withdrawals(Some(Default::default()))
    }
}

#[derive(Debug, Clone)]
struct Snapshot {
    blocks: Vec<MockBlock>,
    accounts: HashMap<Address, Account>,
}

/// A call as the mock received it, for tests that check parameters arrived intact.
#[derive(Debug, Clone)]
pub struct RecordedCall {
    /// The request.
    pub request: TransactionRequest,
    /// The block it ran at.
    pub block: BlockId,
    /// The overrides.
    pub overrides: CallOverrides,
}

#[derive(Debug, Default)]
struct MockState {
    blocks: Vec<MockBlock>,
    orphans: Vec<MockBlock>,
    accounts: HashMap<Address, Account>,
    dev_accounts: Vec<Address>,
    impersonated: HashSet<Address>,
    time_offset: u64,
    applied_offset: u64,
    next_timestamp: Option<u64>,
    snapshots: Vec<(U256, Snapshot)>,
    next_snapshot: u64,
    last_call: Option<RecordedCall>,
}

/// The mock chain.
#[derive(Debug)]
pub struct MockBackend {
    chain_id: u64,
    state: Mutex<MockState>,
    events: broadcast::Sender<ChainEvent>,
}

struct PendingTx {
    envelope: OpTxEnvelope,
    from: Address,
}

fn intrinsic_gas(input: &[u8], create: bool) -> u64 {
    let data: u64 = input.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum();
    21_000 + data + if create { 32_000 } else { 0 }
}

fn stand_in_root(hashes: impl Iterator<Item = B256>) -> B256 {
    let mut bytes = Vec::new();
    for hash in hashes {
        bytes.extend_from_slice(hash.as_slice());
    }
    keccak256(bytes)
}

impl MockBackend {
    /// A chain with a genesis block, the given dev accounts funded with `balance` each.
    pub fn new(chain_id: u64, dev_accounts: &[Address], balance: U256) -> Self {
        let (events, _) = broadcast::channel(1024);
        let mut state = MockState { dev_accounts: dev_accounts.to_vec(), ..Default::default() };
        for account in dev_accounts {
            state.accounts.insert(*account, Account { balance, ..Default::default() });
        }
        let genesis = alloy_consensus::Header {
            number: 0,
            timestamp: GENESIS_TIMESTAMP,
            gas_limit: MOCK_GAS_LIMIT,
            base_fee_per_gas: Some(MOCK_BASE_FEE),
            beneficiary: MOCK_COINBASE,
            ..Default::default()
        };
        state.blocks.push(MockBlock {
            header: RpcHeader::new(genesis),
            transactions: vec![],
            receipts: vec![],
        });
        MockBackend { chain_id, state: Mutex::new(state), events }
    }

    fn state(&self) -> MutexGuard<'_, MockState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The last `eth_call`/`eth_estimateGas`/`eth_createAccessList` the mock received.
    pub fn last_call(&self) -> Option<RecordedCall> {
        self.state().last_call.clone()
    }

    /// Publishes a chain event as if the chain produced it.
    pub fn publish(&self, event: ChainEvent) {
        let _ = self.events.send(event);
    }

    /// Mines a block holding the given signed transactions without pool checks (for building fixtures).
    pub fn mine_raw(&self, transactions: Vec<Bytes>) -> BackendResult<B256> {
        let mut pending = Vec::new();
        for raw in transactions {
            let envelope = decode(&raw)?;
            let from = envelope.recover_signer().map_err(|_| TxRejection::InvalidSender)?;
            pending.push(PendingTx { envelope, from });
        }
        let event = self.state().mine_block(pending, self.chain_id);
        let hash = event.header.hash;
        self.publish(ChainEvent::NewBlock(event));
        Ok(hash)
    }

    fn submit(&self, envelope: OpTxEnvelope, from: Address) -> BackendResult<B256> {
        let hash = envelope.tx_hash();
        let event = {
            let mut state = self.state();
            state.check(&envelope, from, self.chain_id)?;
            self.publish(ChainEvent::PendingTransaction(hash));
            state.mine_block(vec![PendingTx { envelope, from }], self.chain_id)
        };
        self.publish(ChainEvent::NewBlock(event));
        Ok(hash)
    }

    fn with_block<T>(&self, id: BlockId, f: impl FnOnce(&MockState, &MockBlock) -> T) -> BackendResult<T> {
        let state = self.state();
        let block = state.find(id)?.ok_or(BackendError::BlockNotFound { block: id })?;
        Ok(f(&state, block))
    }

    fn state_at<T>(&self, id: BlockId, f: impl FnOnce(&MockState) -> T) -> BackendResult<T> {
        // The mock keeps only the current state: a known block is enough, its state is today's.
        self.with_block(id, |state, _| f(state))
    }

    fn record_call(
        &self,
        request: &TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<Bytes> {
        let mut state = self.state();
        state.find(block)?.ok_or(BackendError::BlockNotFound { block })?;
        state.last_call = Some(RecordedCall { request: request.clone(), block, overrides });
        let input = request.input.input().cloned().unwrap_or_default();
        if input.starts_with(&REVERT_SELECTOR) {
            return Err(BackendError::reverted(input.slice(4..)));
        }
        Ok(input)
    }
}

fn decode(raw: &[u8]) -> BackendResult<OpTxEnvelope> {
    let mut buf = raw;
    let envelope =
        OpTxEnvelope::decode_2718(&mut buf).map_err(|e| TxRejection::Malformed(format!("rlp: {e}")))?;
    if envelope.is_deposit() {
        return Err(TxRejection::Malformed("deposit transactions cannot be submitted".to_string()).into());
    }
    Ok(envelope)
}

impl MockState {
    fn head(&self) -> u64 {
        self.blocks.len() as u64 - 1
    }

    fn number_of(&self, tag: BlockNumberOrTag) -> Option<u64> {
        let head = self.head();
        match tag {
            BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => Some(head),
            BlockNumberOrTag::Safe => Some(head.saturating_sub(1)),
            BlockNumberOrTag::Finalized => Some(head.saturating_sub(2)),
            BlockNumberOrTag::Earliest => Some(0),
            BlockNumberOrTag::Number(n) => (n <= head).then_some(n),
        }
    }

    fn find(&self, id: BlockId) -> BackendResult<Option<&MockBlock>> {
        match id {
            BlockId::Number(tag) => Ok(self.number_of(tag).and_then(|n| self.blocks.get(n as usize))),
            BlockId::Hash(hash) => {
                if let Some(block) = self.blocks.iter().find(|b| b.header.hash == hash.block_hash) {
                    return Ok(Some(block));
                }
                let orphan = self.orphans.iter().find(|b| b.header.hash == hash.block_hash);
                if orphan.is_some() && hash.require_canonical == Some(true) {
                    return Err(BackendError::NotCanonical { hash: hash.block_hash });
                }
                Ok(orphan)
            }
        }
    }

    fn account(&mut self, address: Address) -> &mut Account {
        self.accounts.entry(address).or_default()
    }

    fn check(&self, envelope: &OpTxEnvelope, from: Address, chain_id: u64) -> BackendResult<()> {
        let hash = envelope.tx_hash();
        if self.blocks.iter().flat_map(|b| &b.transactions).any(|tx| tx.inner.inner.tx_hash() == hash) {
            return Err(TxRejection::AlreadyKnown.into());
        }
        if let Some(have) = envelope.chain_id()
            && have != chain_id
        {
            return Err(TxRejection::WrongChainId { have, want: chain_id }.into());
        }
        let account = self.accounts.get(&from).cloned().unwrap_or_default();
        let nonce = envelope.nonce();
        if nonce < account.nonce {
            return Err(TxRejection::NonceTooLow { next: account.nonce, tx: nonce }.into());
        }
        if nonce > account.nonce {
            return Err(TxRejection::NonceTooHigh { next: account.nonce, tx: nonce }.into());
        }
        let minimum = intrinsic_gas(envelope.input(), envelope.is_create());
        if envelope.gas_limit() < minimum {
            return Err(TxRejection::IntrinsicGasTooLow { gas: envelope.gas_limit(), minimum }.into());
        }
        if envelope.gas_limit() > MOCK_GAS_LIMIT {
            return Err(TxRejection::GasLimitExceeded.into());
        }
        if envelope.max_fee_per_gas() < u128::from(MOCK_BASE_FEE) {
            return Err(TxRejection::FeeCapTooLow {
                address: from,
                max_fee: envelope.max_fee_per_gas(),
                base_fee: u128::from(MOCK_BASE_FEE),
            }
            .into());
        }
        let want =
            U256::from(envelope.gas_limit()) * U256::from(envelope.max_fee_per_gas()) + envelope.value();
        if account.balance < want {
            return Err(TxRejection::InsufficientFunds { address: from, have: account.balance, want }.into());
        }
        Ok(())
    }

    fn next_timestamp(&mut self) -> u64 {
        let parent = self.blocks.last().map_or(GENESIS_TIMESTAMP, |b| b.header.timestamp);
        if let Some(timestamp) = self.next_timestamp.take() {
            return timestamp;
        }
        let jump = self.time_offset - self.applied_offset;
        self.applied_offset = self.time_offset;
        parent + BLOCK_TIME + jump
    }

    fn mine_block(&mut self, pending: Vec<PendingTx>, chain_id: u64) -> Arc<NewBlock> {
        let number = self.head() + 1;
        let parent_hash = self.blocks.last().map(|b| b.header.hash).unwrap_or_default();
        let timestamp = self.next_timestamp();
        let base_fee = MOCK_BASE_FEE;

        let deposit = TxDeposit {
            source_hash: keccak256(number.to_be_bytes()),
            from: DEPOSITOR,
            to: TxKind::Call(L1_BLOCK),
            mint: 0,
            value: U256::ZERO,
            gas_limit: 1_000_000,
            is_system_transaction: false,
            input: Bytes::from(number.to_be_bytes().to_vec()),
        };
        let depositor_nonce = self.account(DEPOSITOR).nonce;
        self.account(DEPOSITOR).nonce += 1;
        let mut executed = vec![(
            PendingTx { envelope: OpTxEnvelope::Deposit(Sealed::new(deposit)), from: DEPOSITOR },
            0u64,
        )];
        executed.extend(pending.into_iter().map(|tx| (tx, 0)));

        let mut transactions = Vec::new();
        let mut receipts = Vec::new();
        let mut cumulative = 0u64;
        let mut log_index = 0u64;
        let mut bloom = Bloom::default();
        for (index, (tx, _)) in executed.into_iter().enumerate() {
            let envelope = &tx.envelope;
            let hash = envelope.tx_hash();
            let is_deposit = envelope.is_deposit();
            let gas_used =
                if is_deposit { 50_000 } else { intrinsic_gas(envelope.input(), envelope.is_create()) };
            let price = if is_deposit { 0 } else { envelope.effective_gas_price(Some(base_fee)) };
            cumulative += gas_used;
            let mut logs = Vec::new();
            let mut contract_address = None;
            if !is_deposit {
                let nonce = envelope.nonce();
                let cost = U256::from(gas_used) * U256::from(price) + envelope.value();
                let sender = self.account(tx.from);
                sender.balance = sender.balance.saturating_sub(cost);
                sender.nonce = nonce + 1;
                match envelope.kind() {
                    TxKind::Call(to) => {
                        self.account(to).balance += envelope.value();
                        if !envelope.input().is_empty() {
                            let data = alloy_primitives::LogData::new_unchecked(
                                vec![keccak256(envelope.input())],
                                envelope.input().clone(),
                            );
                            let log = alloy_primitives::Log { address: to, data };
                            bloom.accrue_log(&log);
                            logs.push(Log {
                                inner: log,
                                block_hash: None,
                                block_number: Some(number),
                                block_timestamp: Some(timestamp),
                                transaction_hash: Some(hash),
                                transaction_index: Some(index as u64),
                                log_index: Some(log_index),
                                removed: false,
                            });
                            log_index += 1;
                        }
                    }
                    TxKind::Create => {
                        let created = tx.from.create(nonce);
                        let account = self.account(created);
                        account.balance += envelope.value();
                        account.code = envelope.input().clone();
                        contract_address = Some(created);
                    }
                }
            }
            let receipt =
                Receipt { status: Eip658Value::Eip658(true), cumulative_gas_used: cumulative, logs };
            let op_receipt = match envelope {
                OpTxEnvelope::Deposit(_) => OpReceipt::Deposit(OpDepositReceipt {
                    inner: receipt,
                    deposit_nonce: Some(depositor_nonce),
                    deposit_receipt_version: Some(1),
                }),
                OpTxEnvelope::Legacy(_) => OpReceipt::Legacy(receipt),
                OpTxEnvelope::Eip2930(_) => OpReceipt::Eip2930(receipt),
                OpTxEnvelope::Eip7702(_) => OpReceipt::Eip7702(receipt),
                _ => OpReceipt::Eip1559(receipt),
            };
            let receipt_bloom = Bloom::from_iter(op_receipt.as_receipt().logs.iter().map(|l| &l.inner));
            let l1_block_info = if is_deposit {
                L1BlockInfo::default()
            } else {
                L1BlockInfo {
                    l1_gas_price: Some(7),
                    l1_gas_used: Some(1_600),
                    l1_fee: Some(MOCK_L1_FEE),
                    l1_base_fee_scalar: Some(1_368),
                    l1_blob_base_fee: Some(1),
                    l1_blob_base_fee_scalar: Some(810_949),
                    ..Default::default()
                }
            };
            receipts.push(RpcReceipt {
                inner: TransactionReceipt {
                    inner: ReceiptWithBloom { receipt: op_receipt, logs_bloom: receipt_bloom },
                    transaction_hash: hash,
                    transaction_index: Some(index as u64),
                    block_hash: None,
                    block_number: Some(number),
                    gas_used,
                    effective_gas_price: price,
                    blob_gas_used: None,
                    blob_gas_price: None,
                    from: tx.from,
                    to: envelope.to(),
                    contract_address,
                },
                l1_block_info,
                op_gas_refund: None,
            });
            transactions.push(RpcTransaction {
                inner: alloy_rpc_types_eth::Transaction {
                    inner: Recovered::new_unchecked(tx.envelope, tx.from),
                    block_hash: None,
                    block_number: Some(number),
                    transaction_index: Some(index as u64),
                    effective_gas_price: Some(price),
                    block_timestamp: Some(timestamp),
                },
                deposit_nonce: is_deposit.then_some(depositor_nonce),
                deposit_receipt_version: is_deposit.then_some(1),
            });
        }
        let _ = chain_id;
        let header = alloy_consensus::Header {
            parent_hash,
            number,
            timestamp,
            gas_limit: MOCK_GAS_LIMIT,
            gas_used: cumulative,
            base_fee_per_gas: Some(base_fee),
            beneficiary: MOCK_COINBASE,
            logs_bloom: bloom,
            transactions_root: stand_in_root(transactions.iter().map(|tx| tx.inner.inner.tx_hash())),
            receipts_root: stand_in_root(receipts.iter().map(|r| keccak256(r.inner.gas_used.to_be_bytes()))),
            ..Default::default()
        };
        let header = RpcHeader::new(header);
        let block_hash = header.hash;
        for tx in &mut transactions {
            tx.inner.block_hash = Some(block_hash);
        }
        let mut all_logs = Vec::new();
        for receipt in &mut receipts {
            receipt.inner.block_hash = Some(block_hash);
            for log in receipt.inner.inner.receipt.as_receipt_mut().logs.iter_mut() {
                log.block_hash = Some(block_hash);
                all_logs.push(log.clone());
            }
        }
        self.blocks.push(MockBlock { header: header.clone(), transactions, receipts });
        Arc::new(NewBlock { header, logs: all_logs })
    }
}

impl EthBackend for MockBackend {
    fn chain_id(&self) -> u64 {
        self.chain_id
    }

    fn block_number(&self) -> BackendResult<u64> {
        Ok(self.state().head())
    }

    fn resolve_block_number(&self, tag: BlockNumberOrTag) -> BackendResult<Option<u64>> {
        Ok(self.state().number_of(tag))
    }

    fn block(&self, block: BlockId, full_transactions: bool) -> BackendResult<Option<RpcBlock>> {
        Ok(self.state().find(block)?.map(|b| b.rpc_block(full_transactions)))
    }

    fn block_receipts(&self, block: BlockId) -> BackendResult<Option<Vec<RpcReceipt>>> {
        Ok(self.state().find(block)?.map(|b| b.receipts.clone()))
    }

    fn transaction_by_hash(&self, hash: B256) -> BackendResult<Option<RpcTransaction>> {
        let state = self.state();
        let found =
            state.blocks.iter().flat_map(|b| &b.transactions).find(|tx| tx.inner.inner.tx_hash() == hash);
        Ok(found.cloned())
    }

    fn transaction_receipt(&self, hash: B256) -> BackendResult<Option<RpcReceipt>> {
        let state = self.state();
        let found = state.blocks.iter().flat_map(|b| &b.receipts).find(|r| r.inner.transaction_hash == hash);
        Ok(found.cloned())
    }

    fn logs(&self, filter: &Filter) -> BackendResult<Vec<Log>> {
        let state = self.state();
        let blocks: Vec<&MockBlock> = match filter.block_option {
            FilterBlockOption::AtBlockHash(hash) => {
                let block = state.find(BlockId::from(hash))?;
                block.into_iter().collect()
            }
            FilterBlockOption::Range { .. } => {
                let from = filter.get_from_block().unwrap_or(0) as usize;
                let to = filter.get_to_block().unwrap_or(state.head()) as usize;
                state.blocks.iter().skip(from).take((to + 1).saturating_sub(from)).collect()
            }
        };
        Ok(blocks
            .into_iter()
            .flat_map(|b| b.logs())
            .filter(|log| log_matches_criteria(filter, log))
            .cloned()
            .collect())
    }

    fn balance(&self, address: Address, block: BlockId) -> BackendResult<U256> {
        self.state_at(block, |state| state.accounts.get(&address).map(|a| a.balance).unwrap_or_default())
    }

    fn transaction_count(&self, address: Address, block: BlockId) -> BackendResult<u64> {
        self.state_at(block, |state| state.accounts.get(&address).map(|a| a.nonce).unwrap_or_default())
    }

    fn code(&self, address: Address, block: BlockId) -> BackendResult<Bytes> {
        self.state_at(block, |state| state.accounts.get(&address).map(|a| a.code.clone()).unwrap_or_default())
    }

    fn storage_at(&self, address: Address, slot: B256, block: BlockId) -> BackendResult<B256> {
        self.state_at(block, |state| {
            state.accounts.get(&address).and_then(|a| a.storage.get(&slot).copied()).unwrap_or_default()
        })
    }

    fn proof(
        &self,
        address: Address,
        keys: Vec<B256>,
        block: BlockId,
    ) -> BackendResult<EIP1186AccountProofResponse> {
        self.state_at(block, |state| {
            let account = state.accounts.get(&address).cloned().unwrap_or_default();
            let storage_proof = keys
                .into_iter()
                .map(|key| {
                    let value = account.storage.get(&key).copied().unwrap_or_default();
                    EIP1186StorageProof { key: key.into(), value: value.into(), proof: vec![] }
                })
                .collect();
            EIP1186AccountProofResponse {
                address,
                balance: account.balance,
                code_hash: keccak256(&account.code),
                nonce: account.nonce,
                storage_hash: alloy_primitives::b256!(
                    "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
                ),
                account_proof: vec![],
                storage_proof,
            }
        })
    }

    fn call(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<Bytes> {
        self.record_call(&request, block, overrides)
    }

    fn estimate_gas(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<u64> {
        let input = self.record_call(&request, block, overrides)?;
        Ok(intrinsic_gas(&input, request.to.is_none_or(|to| to.is_create())))
    }

    fn create_access_list(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<AccessListResult> {
        let input = self.record_call(&request, block, overrides)?;
        let access_list = match request.to {
            Some(TxKind::Call(to)) => AccessList(vec![AccessListItem { address: to, storage_keys: vec![] }]),
            _ => AccessList::default(),
        };
        Ok(AccessListResult {
            access_list,
            gas_used: U256::from(intrinsic_gas(&input, false) + 2_400),
            error: None,
        })
    }

    fn send_raw_transaction(&self, raw: Bytes) -> BackendResult<B256> {
        let envelope = decode(&raw)?;
        let from = envelope.recover_signer().map_err(|_| TxRejection::InvalidSender)?;
        self.submit(envelope, from)
    }

    fn send_transaction(&self, request: TransactionRequest) -> BackendResult<B256> {
        let from = request.from.ok_or_else(|| BackendError::InvalidParams("missing `from`".to_string()))?;
        let nonce = {
            let state = self.state();
            if !state.dev_accounts.contains(&from) && !state.impersonated.contains(&from) {
                return Err(BackendError::UnknownAccount(from));
            }
            request.nonce.unwrap_or_else(|| state.accounts.get(&from).map(|a| a.nonce).unwrap_or_default())
        };
        let input = request.input.input().cloned().unwrap_or_default();
        let to = request.to.unwrap_or(TxKind::Create);
        let tx = TxEip1559 {
            chain_id: self.chain_id,
            nonce,
            gas_limit: request.gas.unwrap_or_else(|| intrinsic_gas(&input, to.is_create())),
            max_fee_per_gas: request
                .max_fee_per_gas
                .unwrap_or(2 * u128::from(MOCK_BASE_FEE) + MOCK_PRIORITY_FEE),
            max_priority_fee_per_gas: request.max_priority_fee_per_gas.unwrap_or(MOCK_PRIORITY_FEE),
            to,
            value: request.value.unwrap_or_default(),
            access_list: request.access_list.unwrap_or_default(),
            input,
        };
        // The mock does not sign: the sender is taken as given (like an impersonated account).
        let placeholder = Signature::new(U256::from(1), U256::from(1), false);
        let envelope = OpTxEnvelope::Eip1559(tx.into_signed(placeholder));
        self.submit(envelope, from)
    }

    fn accounts(&self) -> BackendResult<Vec<Address>> {
        Ok(self.state().dev_accounts.clone())
    }

    fn gas_price(&self) -> BackendResult<u128> {
        Ok(u128::from(MOCK_BASE_FEE) + MOCK_PRIORITY_FEE)
    }

    fn max_priority_fee_per_gas(&self) -> BackendResult<u128> {
        Ok(MOCK_PRIORITY_FEE)
    }

    fn fee_history(
        &self,
        block_count: u64,
        newest: BlockNumberOrTag,
        reward_percentiles: &[f64],
    ) -> BackendResult<FeeHistory> {
        let state = self.state();
        let newest_number =
            state.number_of(newest).ok_or(BackendError::BlockNotFound { block: BlockId::Number(newest) })?;
        let count = block_count.min(newest_number + 1);
        let oldest = newest_number + 1 - count;
        let blocks = &state.blocks[oldest as usize..=newest_number as usize];
        let mut base_fee_per_gas: Vec<u128> =
            blocks.iter().map(|b| u128::from(b.header.base_fee_per_gas.unwrap_or_default())).collect();
        base_fee_per_gas.push(u128::from(MOCK_BASE_FEE));
        Ok(FeeHistory {
            base_fee_per_gas,
            gas_used_ratio: blocks
                .iter()
                .map(|b| b.header.gas_used as f64 / b.header.gas_limit as f64)
                .collect(),
            base_fee_per_blob_gas: vec![0; count as usize + 1],
            blob_gas_used_ratio: vec![0.0; count as usize],
            oldest_block: oldest,
            reward: (!reward_percentiles.is_empty())
                .then(|| vec![vec![MOCK_PRIORITY_FEE; reward_percentiles.len()]; count as usize]),
        })
    }

    fn coinbase(&self) -> BackendResult<Address> {
        Ok(MOCK_COINBASE)
    }

    fn events(&self) -> broadcast::Receiver<ChainEvent> {
        self.events.subscribe()
    }

    fn mine(&self, request: MineRequest) -> BackendResult<()> {
        for i in 0..request.blocks {
            let event = {
                let mut state = self.state();
                if let Some(start) = request.timestamp {
                    state.next_timestamp = Some(start + i * request.interval.unwrap_or(BLOCK_TIME));
                } else if let Some(interval) = request.interval {
                    let parent = state.blocks.last().map_or(GENESIS_TIMESTAMP, |b| b.header.timestamp);
                    state.next_timestamp = Some(parent + interval);
                }
                state.mine_block(vec![], self.chain_id)
            };
            self.publish(ChainEvent::NewBlock(event));
        }
        Ok(())
    }

    fn snapshot(&self) -> BackendResult<U256> {
        let mut state = self.state();
        state.next_snapshot += 1;
        let id = U256::from(state.next_snapshot);
        let snapshot = Snapshot { blocks: state.blocks.clone(), accounts: state.accounts.clone() };
        state.snapshots.push((id, snapshot));
        Ok(id)
    }

    fn revert_to_snapshot(&self, id: U256) -> BackendResult<bool> {
        let removed = {
            let mut state = self.state();
            let Some(position) = state.snapshots.iter().position(|(sid, _)| *sid == id) else {
                return Ok(false);
            };
            let (_, snapshot) = state.snapshots.swap_remove(position);
            state.snapshots.retain(|(sid, _)| *sid < id);
            let kept = snapshot.blocks.len();
            let dropped: Vec<MockBlock> = state.blocks.drain(kept..).collect();
            let removed: Vec<Log> = dropped.iter().flat_map(|b| b.logs().cloned()).collect();
            state.orphans.extend(dropped);
            state.blocks = snapshot.blocks;
            state.accounts = snapshot.accounts;
            removed
        };
        if !removed.is_empty() {
            self.publish(ChainEvent::LogsRemoved(Arc::new(removed)));
        }
        Ok(true)
    }

    fn increase_time(&self, seconds: u64) -> BackendResult<u64> {
        let mut state = self.state();
        state.time_offset += seconds;
        Ok(state.time_offset)
    }

    fn set_next_block_timestamp(&self, timestamp: u64) -> BackendResult<()> {
        let mut state = self.state();
        let parent = state.blocks.last().map_or(GENESIS_TIMESTAMP, |b| b.header.timestamp);
        if timestamp <= parent {
            return Err(BackendError::InvalidParams(format!(
                "timestamp {timestamp} is not after the latest block's {parent}"
            )));
        }
        state.next_timestamp = Some(timestamp);
        Ok(())
    }

    fn set_balance(&self, address: Address, balance: U256) -> BackendResult<()> {
        self.state().account(address).balance = balance;
        Ok(())
    }

    fn set_code(&self, address: Address, code: Bytes) -> BackendResult<()> {
        self.state().account(address).code = code;
        Ok(())
    }

    fn set_storage_at(&self, address: Address, slot: B256, value: B256) -> BackendResult<()> {
        self.state().account(address).storage.insert(slot, value);
        Ok(())
    }

    fn set_nonce(&self, address: Address, nonce: u64) -> BackendResult<()> {
        self.state().account(address).nonce = nonce;
        Ok(())
    }

    fn impersonate_account(&self, address: Address) -> BackendResult<()> {
        self.state().impersonated.insert(address);
        Ok(())
    }

    fn stop_impersonating_account(&self, address: Address) -> BackendResult<()> {
        self.state().impersonated.remove(&address);
        Ok(())
    }
}

/// The EIP-2718 bytes of a transaction, for tests that build fixtures.
pub fn encode_envelope(envelope: &OpTxEnvelope) -> Bytes {
    Bytes::from(envelope.encoded_2718())
}
