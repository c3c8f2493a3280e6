//! The chain: head state, block store, kept history, transaction pool and deposit queue, and every
//! operation on them (mining, queries at a block, calls, developer edits, snapshots, rewinds,
//! deposits-only replacement, safety labels).

use std::{
    collections::{BTreeMap, HashMap, HashSet, VecDeque},
    sync::{Arc, Mutex, PoisonError},
};

use alloy_consensus::Header;
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, U256, address};
use alloy_rpc_types_eth::{
    BlockOverrides, EIP1186AccountProofResponse, Log as RpcLog, TransactionRequest, state::StateOverride,
};
use op_alloy_consensus::TxDeposit;
use op_revm::OpSpecId;
use revm::{context::BlockEnv, context_interface::block::BlobExcessGasAndPrice};
use superlink_txpool::{
    AccountReader, AddedTransaction, AdmissionCheck, BestTransactions, DroppedTransaction, InsertError,
    PoolConfig, PoolTransaction, TxPool,
};

use crate::{
    base_fee::Eip1559Params,
    block::{BlockAttributes, BlockTransaction, StoredBlock},
    builder::{self, BuildParams, Exclusion, ListSource, NoTransactions, TxSource},
    call::{AccessListOutcome, CallContext, ExecutionOutcome},
    db::StateView,
    error::ChainError,
    genesis::Genesis,
    l1_info::L1Attributes,
    state::{AccountInfo, StateDiff, WorldState},
    store::{BlockStore, LogFilter},
    trie,
    tx::ExecutableTx,
};

/// The sequencer fee vault predeploy, the default fee recipient of OP Stack blocks.
pub const SEQUENCER_FEE_VAULT: Address = address!("0x4200000000000000000000000000000000000011");

/// Settings of a chain beyond its genesis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainConfig {
    /// The OP hardfork the EVM runs (the block format is Isthmus's).
    pub spec: OpSpecId,
    /// How many recent blocks keep their state diff: state reads, rewinds and replacements reach this far.
    pub history_depth: u64,
    /// Fee recipient of built blocks.
    pub fee_recipient: Address,
}

impl Default for ChainConfig {
    /// Isthmus, 1024 blocks of history, the sequencer fee vault as fee recipient.
    fn default() -> Self {
        Self { spec: OpSpecId::ISTHMUS, history_depth: 1024, fee_recipient: SEQUENCER_FEE_VAULT }
    }
}

/// A block the chain just mined, and what happened to the pool.
#[derive(Debug, Clone)]
pub struct MinedBlock {
    /// The new head.
    pub block: Arc<StoredBlock>,
    /// Pool transactions tried and left out, with why.
    pub excluded: Vec<(B256, Exclusion)>,
    /// Pool transactions dropped by the revalidation after the block.
    pub dropped: Vec<DroppedTransaction>,
}

/// What [`Chain::rewind_to`] did.
#[derive(Debug, Clone)]
pub struct RewindOutcome {
    /// The blocks taken off the chain, lowest first.
    pub removed: Vec<Arc<StoredBlock>>,
    /// User transactions of those blocks that went back to the pool.
    pub reinserted: Vec<B256>,
    /// User transactions of those blocks the pool refused, with why.
    pub refused: Vec<(B256, InsertError)>,
}

/// One height whose block changed in a deposits-only replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacedBlock {
    /// Block number.
    pub number: u64,
    /// Hash before.
    pub old_hash: B256,
    /// Hash after.
    pub new_hash: B256,
}

/// What [`Chain::replace_with_deposits_only`] did.
#[derive(Debug, Clone)]
pub struct ReplacementOutcome {
    /// Every height whose block was rebuilt (the replaced one first, then its descendants).
    pub replaced: Vec<ReplacedBlock>,
    /// User transactions of the replaced block, removed from the chain.
    pub removed: Vec<BlockTransaction>,
    /// User transactions of descendants that no longer executed and were left out, with why.
    pub dropped: Vec<(ExecutableTx, Exclusion)>,
}

/// The pool's view of the head state.
struct HeadAccounts<'a>(&'a WorldState);

impl AccountReader for HeadAccounts<'_> {
    fn nonce(&self, address: Address) -> u64 {
        self.0.info(&address).map(|info| info.nonce).unwrap_or_default()
    }

    fn balance(&self, address: Address) -> U256 {
        self.0.info(&address).map(|info| info.balance).unwrap_or_default()
    }
}

/// The pool's best transactions as a builder source; remembers what must leave the pool. Every candidate
/// passes the owner's admission hook once more for the block's timestamp before the builder sees it.
struct PoolSource {
    best: BestTransactions,
    check: Arc<dyn AdmissionCheck>,
    timestamp: u64,
    current: Option<Arc<PoolTransaction>>,
    invalid: Vec<B256>,
    excluded: Vec<(B256, Exclusion)>,
}

impl PoolSource {
    /// The best transactions of `pool` for a block at `timestamp` with `base_fee`.
    fn new(pool: &TxPool, base_fee: u64, timestamp: u64) -> Self {
        Self {
            best: pool.best_transactions(base_fee),
            check: pool.admission_check(),
            timestamp,
            current: None,
            invalid: Vec::new(),
            excluded: Vec::new(),
        }
    }
}

impl TxSource for PoolSource {
    fn next_transaction(&mut self) -> Option<ExecutableTx> {
        let mut tx = self.best.next()?;
        // Left out of this block (with the sender's later nonces); the revalidation after it decides its fate.
        while let Err(refused) = self.check.check_inclusion(&tx, self.timestamp) {
            self.best.mark_invalid(&tx);
            let why = format!("refused for a block at timestamp {}: {}", self.timestamp, refused.reason);
            self.excluded.push((tx.hash(), Exclusion::NotYet(why)));
            tx = self.best.next()?;
        }
        let executable = ExecutableTx {
            envelope: tx.tx().clone(),
            sender: tx.sender(),
            hash: tx.hash(),
            impersonated: tx.is_impersonated(),
        };
        self.current = Some(tx);
        Some(executable)
    }

    fn exclude(&mut self, tx: &ExecutableTx, why: &Exclusion) {
        if let Some(current) = self.current.as_ref().filter(|current| current.hash() == tx.hash) {
            self.best.mark_invalid(current);
        }
        if matches!(why, Exclusion::Invalid(_)) {
            self.invalid.push(tx.hash);
        }
        self.excluded.push((tx.hash, why.clone()));
    }
}

/// The block the chain would build next, on the head, from the queued deposits and the pool's executable
/// transactions, with the state after it (what the `pending` block tag reads). It is built from a copy of
/// the head state, never by changing the chain.
#[derive(Debug)]
pub struct PendingBlock {
    /// The block; its number is the head's plus one, its timestamp the head's plus one.
    pub block: Arc<StoredBlock>,
    /// The state after the block.
    pub state: WorldState,
}

fn is_pending(id: BlockId) -> bool {
    matches!(id, BlockId::Number(BlockNumberOrTag::Pending))
}

/// The environment a call sees in the block with `header`.
fn call_block_env(header: &Header) -> BlockEnv {
    BlockEnv {
        number: U256::from(header.number),
        beneficiary: header.beneficiary,
        timestamp: U256::from(header.timestamp),
        gas_limit: header.gas_limit,
        basefee: header.base_fee_per_gas.unwrap_or_default(),
        difficulty: U256::ZERO,
        prevrandao: Some(header.mix_hash),
        blob_excess_gas_and_price: Some(BlobExcessGasAndPrice::new(
            0,
            revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
        )),
        ..BlockEnv::default()
    }
}

/// Everything [`Chain::snapshot`] saves and [`Chain::revert_to_snapshot`] restores.
#[derive(Debug, Clone)]
struct Snapshot {
    state: WorldState,
    store: BlockStore,
    diffs: VecDeque<StateDiff>,
    edits: StateDiff,
    deposits: Vec<TxDeposit>,
    l1: L1Attributes,
    safe: u64,
    finalized: u64,
}

/// One OP Stack chain in memory. Not thread-safe by itself: share it as `Arc<Mutex<Chain>>` or
/// `Arc<RwLock<Chain>>`.
#[derive(Debug)]
pub struct Chain {
    chain_id: u64,
    gas_limit: u64,
    eip1559: Eip1559Params,
    config: ChainConfig,
    state: WorldState,
    store: BlockStore,
    /// Diffs of the most recent blocks, oldest first; the last belongs to the head.
    diffs: VecDeque<StateDiff>,
    /// Values overwritten by developer edits since the head was mined.
    edits: StateDiff,
    pool: TxPool,
    deposits: Vec<TxDeposit>,
    l1: L1Attributes,
    safe: u64,
    finalized: u64,
    impersonated: HashSet<Address>,
    auto_impersonate: bool,
    snapshots: BTreeMap<u64, Snapshot>,
    next_snapshot: u64,
    /// The pending block, built on demand; cleared whenever the pool, the queued deposits, the L1 origin
    /// or the head state change.
    pending: Mutex<Option<Arc<PendingBlock>>>,
    /// Blocks that left the canonical chain (rewinds, replacements, snapshot reverts), still served by hash.
    orphans: OrphanBlocks,
}

/// Blocks that left the canonical chain, by hash, with an index of their transactions; the oldest are
/// forgotten first once more than `limit` are kept.
#[derive(Debug, Default)]
struct OrphanBlocks {
    blocks: HashMap<B256, Arc<StoredBlock>>,
    order: VecDeque<B256>,
    transactions: HashMap<B256, (B256, usize)>,
}

impl OrphanBlocks {
    fn remember(&mut self, block: Arc<StoredBlock>, limit: usize) {
        let hash = block.hash();
        if self.blocks.contains_key(&hash) {
            return;
        }
        for (index, tx) in block.transactions.iter().enumerate() {
            self.transactions.insert(tx.hash, (hash, index));
        }
        self.blocks.insert(hash, block);
        self.order.push_back(hash);
        while self.order.len() > limit {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(gone) = self.blocks.remove(&oldest) {
                for tx in &gone.transactions {
                    if self.transactions.get(&tx.hash).is_some_and(|(block, _)| *block == oldest) {
                        self.transactions.remove(&tx.hash);
                    }
                }
            }
        }
    }
}

impl Chain {
    /// A chain at its genesis block.
    pub fn new(genesis: &Genesis, config: ChainConfig) -> Self {
        let mut state = genesis.state();
        let header = builder::genesis_header(
            &mut state,
            genesis.timestamp,
            genesis.gas_limit,
            genesis.base_fee,
            &genesis.eip1559,
        );
        let genesis_block =
            StoredBlock { header, transactions: Vec::new(), receipts: Vec::new(), attributes: None };
        let next_base_fee = genesis.eip1559.next_base_fee(
            genesis_block.header.gas_used,
            genesis_block.header.gas_limit,
            genesis.base_fee,
        );
        let pool = TxPool::new(PoolConfig::new(genesis.chain_id, genesis.gas_limit), next_base_fee);
        Self {
            chain_id: genesis.chain_id,
            gas_limit: genesis.gas_limit,
            eip1559: genesis.eip1559,
            config,
            state,
            store: BlockStore::new(genesis_block),
            diffs: VecDeque::new(),
            edits: StateDiff::default(),
            pool,
            deposits: Vec::new(),
            l1: L1Attributes { timestamp: genesis.timestamp, ..L1Attributes::default() },
            safe: 0,
            finalized: 0,
            impersonated: HashSet::new(),
            auto_impersonate: false,
            snapshots: BTreeMap::new(),
            next_snapshot: 0,
            pending: Mutex::new(None),
            orphans: OrphanBlocks::default(),
        }
    }

    // ----- identity and heads -----

    /// Chain ID.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// Block gas limit.
    pub fn gas_limit(&self) -> u64 {
        self.gas_limit
    }

    /// The OP hardfork the EVM runs.
    pub fn spec(&self) -> OpSpecId {
        self.config.spec
    }

    /// The head block.
    pub fn head(&self) -> Arc<StoredBlock> {
        Arc::clone(self.store.head())
    }

    /// The head block's number.
    pub fn head_number(&self) -> u64 {
        self.store.head_number()
    }

    /// The block labelled safe.
    pub fn safe_number(&self) -> u64 {
        self.safe
    }

    /// The block labelled finalized.
    pub fn finalized_number(&self) -> u64 {
        self.finalized
    }

    /// Labels block `number` safe (the `safe` block tag).
    pub fn set_safe(&mut self, number: u64) -> Result<(), ChainError> {
        self.check_not_beyond_head(number)?;
        self.safe = number;
        Ok(())
    }

    /// Labels block `number` finalized (the `finalized` block tag).
    pub fn set_finalized(&mut self, number: u64) -> Result<(), ChainError> {
        self.check_not_beyond_head(number)?;
        self.finalized = number;
        Ok(())
    }

    fn check_not_beyond_head(&self, number: u64) -> Result<(), ChainError> {
        let head = self.head_number();
        if number > head {
            return Err(ChainError::BeyondHead { number, head });
        }
        Ok(())
    }

    /// The base fee of the next block.
    pub fn next_base_fee(&self) -> u64 {
        let head = &self.store.head().header;
        self.eip1559.next_base_fee(head.gas_used, head.gas_limit, head.base_fee_per_gas.unwrap_or_default())
    }

    /// Heap bytes held by the kept per-block state diffs (the cost of reading older states).
    pub fn history_heap_bytes(&self) -> usize {
        self.diffs.iter().map(StateDiff::heap_bytes).sum::<usize>() + self.edits.heap_bytes()
    }

    /// The oldest block whose state can still be read.
    pub fn oldest_state(&self) -> u64 {
        self.head_number().saturating_sub(self.diffs.len() as u64)
    }

    // ----- blocks, transactions, receipts, logs -----

    /// The number a block id refers to, if that block exists.
    pub fn resolve(&self, id: BlockId) -> Result<u64, ChainError> {
        let head = self.head_number();
        match id {
            BlockId::Hash(hash) => self
                .store
                .number_of(&hash.block_hash)
                .ok_or_else(|| ChainError::BlockNotFound(hash.block_hash.to_string())),
            BlockId::Number(tag) => match tag {
                BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => Ok(head),
                BlockNumberOrTag::Safe => Ok(self.safe),
                BlockNumberOrTag::Finalized => Ok(self.finalized),
                BlockNumberOrTag::Earliest => Ok(0),
                BlockNumberOrTag::Number(number) if number <= head => Ok(number),
                BlockNumberOrTag::Number(number) => Err(ChainError::BlockNotFound(number.to_string())),
            },
        }
    }

    /// A canonical block by id.
    /// `pending` is the block the chain would build next ([`Chain::pending_block`]).
    pub fn block(&self, id: BlockId) -> Option<Arc<StoredBlock>> {
        if is_pending(id) {
            return self.pending_block().ok().map(|pending| Arc::clone(&pending.block));
        }
        if let BlockId::Hash(hash) = id
            && hash.require_canonical != Some(true)
            && self.store.number_of(&hash.block_hash).is_none()
        {
            return self.orphan_block(&hash.block_hash);
        }
        let number = self.resolve(id).ok()?;
        self.store.by_number(number).cloned()
    }

    /// A canonical block by number.
    pub fn block_by_number(&self, number: u64) -> Option<Arc<StoredBlock>> {
        self.store.by_number(number).cloned()
    }

    /// A canonical block by hash.
    pub fn block_by_hash(&self, hash: &B256) -> Option<Arc<StoredBlock>> {
        self.store.by_hash(hash).cloned()
    }

    /// A block that left the canonical chain (rewind, deposits-only replacement, snapshot revert), by hash;
    /// the most recent `history_depth` such blocks are kept.
    pub fn orphan_block(&self, hash: &B256) -> Option<Arc<StoredBlock>> {
        self.orphans.blocks.get(hash).cloned()
    }

    /// A transaction of a block that left the canonical chain: that block and its index there.
    pub fn orphan_transaction(&self, hash: &B256) -> Option<(Arc<StoredBlock>, usize)> {
        let (block, index) = self.orphans.transactions.get(hash)?;
        Some((self.orphans.blocks.get(block).cloned()?, *index))
    }

    fn remember_orphans(&mut self, blocks: impl IntoIterator<Item = Arc<StoredBlock>>) {
        let limit = usize::try_from(self.config.history_depth).unwrap_or(usize::MAX);
        for block in blocks {
            if self.store.number_of(&block.hash()).is_none() {
                self.orphans.remember(block, limit);
            }
        }
    }

    /// A mined transaction: its block and its index there (the receipt is `block.receipts[index]`).
    pub fn transaction(&self, hash: &B256) -> Option<(Arc<StoredBlock>, usize)> {
        self.store.transaction(hash).map(|(block, index)| (Arc::clone(block), index))
    }

    /// Logs matching `filter` (the range is clamped to the head).
    pub fn logs(&self, filter: &LogFilter) -> Vec<RpcLog> {
        self.store.logs(filter)
    }

    /// The block store (read-only).
    pub fn store(&self) -> &BlockStore {
        &self.store
    }

    // ----- state at a block -----

    /// Runs `read` on the state as of block `id`: `latest` includes developer edits since the head, and
    /// `pending` is the state after the pending block (the head state while nothing is waiting).
    pub fn read_state<T>(
        &self,
        id: BlockId,
        read: impl FnOnce(&StateView<'_>) -> T,
    ) -> Result<T, ChainError> {
        if is_pending(id)
            && let Some(pending) = self.pending_if_any()?
        {
            return Ok(read(&StateView::new(&pending.state, Vec::new(), self.store.hashes())));
        }
        let number = self.resolve(id)?;
        Ok(read(&self.view_at(number)?))
    }

    fn view_at(&self, number: u64) -> Result<StateView<'_>, ChainError> {
        let head = self.head_number();
        if number == head {
            return Ok(StateView::new(&self.state, Vec::new(), self.store.hashes()));
        }
        let oldest = self.oldest_state();
        if number < oldest {
            return Err(ChainError::StateUnavailable { number, oldest });
        }
        let skip = (number - oldest) as usize;
        let mut newer: Vec<&StateDiff> = self.diffs.iter().skip(skip).collect();
        newer.push(&self.edits);
        Ok(StateView::new(&self.state, newer, self.store.hashes()))
    }

    /// Balance at a block.
    pub fn balance(&self, address: Address, id: BlockId) -> Result<U256, ChainError> {
        self.read_state(id, |view| view.info(&address).map(|info| info.balance).unwrap_or_default())
    }

    /// Nonce at a block.
    pub fn nonce(&self, address: Address, id: BlockId) -> Result<u64, ChainError> {
        self.read_state(id, |view| view.info(&address).map(|info| info.nonce).unwrap_or_default())
    }

    /// Code at a block.
    pub fn code(&self, address: Address, id: BlockId) -> Result<Bytes, ChainError> {
        self.read_state(id, |view| view.code(&address))
    }

    /// A storage slot at a block.
    pub fn storage(&self, address: Address, slot: U256, id: BlockId) -> Result<U256, ChainError> {
        self.read_state(id, |view| view.storage(&address, &slot))
    }

    /// An EIP-1186 proof of an account and some of its slots at a block.
    pub fn proof(
        &self,
        address: Address,
        slots: &[B256],
        id: BlockId,
    ) -> Result<EIP1186AccountProofResponse, ChainError> {
        if is_pending(id)
            && let Some(pending) = self.pending_if_any()?
        {
            let mut state = pending.state.clone();
            return Ok(trie::account_proof(&mut state, address, slots));
        }
        let number = self.resolve(id)?;
        let mut state = if number == self.head_number() {
            self.state.clone()
        } else {
            self.view_at(number)?.materialize()
        };
        Ok(trie::account_proof(&mut state, address, slots))
    }

    /// The state root of block `id`'s state, recomputed from the kept history (it equals the header's
    /// `stateRoot`; at `latest` it includes developer edits since the head).
    pub fn state_root_at(&self, id: BlockId) -> Result<B256, ChainError> {
        let number = self.resolve(id)?;
        Ok(trie::full_state_root(&self.view_at(number)?.materialize()))
    }

    /// The head state (read-only).
    pub fn latest_state(&self) -> &WorldState {
        &self.state
    }

    /// Recomputes the state root of the head state from scratch (for checks; the header carries it).
    pub fn recompute_state_root(&self) -> B256 {
        trie::full_state_root(&self.state)
    }

    // ----- calls -----

    /// Runs `run` with the state and block environment of block `id` (with `block_overrides` applied).
    /// At `pending` the call sees the pending block's environment and the state after it.
    fn with_call_context<T>(
        &self,
        id: BlockId,
        block_overrides: Option<&BlockOverrides>,
        run: impl FnOnce(&CallContext<'_>) -> Result<T, ChainError>,
    ) -> Result<T, ChainError> {
        let finish = |mut context: CallContext<'_>| {
            if let Some(overrides) = block_overrides {
                context.apply_block_overrides(overrides);
            }
            run(&context)
        };
        if is_pending(id) {
            if let Some(pending) = self.pending_if_any()? {
                let view = StateView::new(&pending.state, Vec::new(), self.store.hashes());
                let block = call_block_env(&pending.block.header);
                return finish(CallContext { view, block, chain_id: self.chain_id, spec: self.config.spec });
            }
            // Nothing waits: the pending block would hold no transaction, so its environment over the head
            // state is all a call can tell apart.
            let head = self.store.head();
            let mut block = call_block_env(&head.header);
            block.number = U256::from(head.number() + 1);
            block.timestamp = U256::from(self.pending_timestamp());
            block.basefee = self.next_base_fee();
            block.beneficiary = self.config.fee_recipient;
            block.prevrandao = Some(self.l1.hash);
            let view = self.view_at(head.number())?;
            return finish(CallContext { view, block, chain_id: self.chain_id, spec: self.config.spec });
        }
        let number = self.resolve(id)?;
        let view = self.view_at(number)?;
        let header = &self
            .store
            .by_number(number)
            .ok_or_else(|| ChainError::BlockNotFound(number.to_string()))?
            .header;
        let block = call_block_env(header);
        finish(CallContext { view, block, chain_id: self.chain_id, spec: self.config.spec })
    }

    /// `eth_call`: executes `request` at block `id` with optional state and block overrides.
    pub fn call(
        &self,
        request: &TransactionRequest,
        id: BlockId,
        state_overrides: Option<&StateOverride>,
        block_overrides: Option<&BlockOverrides>,
    ) -> Result<ExecutionOutcome, ChainError> {
        self.with_call_context(id, block_overrides, |context| context.call(request, state_overrides))
    }

    /// `eth_estimateGas`: the smallest gas limit with which `request` succeeds at block `id`.
    pub fn estimate_gas(
        &self,
        request: &TransactionRequest,
        id: BlockId,
        state_overrides: Option<&StateOverride>,
        block_overrides: Option<&BlockOverrides>,
    ) -> Result<u64, ChainError> {
        self.with_call_context(id, block_overrides, |context| context.estimate_gas(request, state_overrides))
    }

    /// `eth_createAccessList`: the accounts and slots `request` touches at block `id`.
    pub fn create_access_list(
        &self,
        request: &TransactionRequest,
        id: BlockId,
        state_overrides: Option<&StateOverride>,
    ) -> Result<AccessListOutcome, ChainError> {
        self.with_call_context(id, None, |context| context.create_access_list(request, state_overrides))
    }

    // ----- pending block -----

    /// The timestamp of the pending block: one second after the head's.
    fn pending_timestamp(&self) -> u64 {
        self.store.head().timestamp() + 1
    }

    /// The pending block when something waits for the next block (pool transactions or queued deposits);
    /// `None` when the next block would hold only the L1 attributes deposit.
    fn pending_if_any(&self) -> Result<Option<Arc<PendingBlock>>, ChainError> {
        if self.pool.pending_count() == 0 && self.deposits.is_empty() {
            return Ok(None);
        }
        self.pending_block().map(Some)
    }

    /// The block the chain would build next on the head (the L1 attributes deposit, the queued deposits,
    /// then the pool's transactions by fee and nonce), with the state after it. Built on a copy of the head
    /// state the first time it is asked for, then kept until the pool, the deposits or the head change.
    pub fn pending_block(&self) -> Result<Arc<PendingBlock>, ChainError> {
        let mut cached = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let head_hash = self.store.head().hash();
        if let Some(pending) = cached.as_ref().filter(|pending| pending.block.header.parent_hash == head_hash)
        {
            return Ok(Arc::clone(pending));
        }
        let mut state = self.state.clone();
        let timestamp = self.pending_timestamp();
        let attrs = self.attributes_for(timestamp, self.deposits.clone());
        let mut source = PoolSource::new(&self.pool, self.next_base_fee(), timestamp);
        let built = builder::build_block(
            &mut state,
            &self.build_params(),
            &self.store.head().header,
            attrs,
            &mut source,
        )
        .map_err(|failure| failure.error)?;
        let pending = Arc::new(PendingBlock { block: Arc::new(built.block), state });
        *cached = Some(Arc::clone(&pending));
        Ok(pending)
    }

    /// Forgets the pending block (the pool, the deposits or the head state changed).
    fn forget_pending(&mut self) {
        *self.pending.get_mut().unwrap_or_else(PoisonError::into_inner) = None;
    }

    // ----- transaction pool -----

    /// The transaction pool (read-only: contents, counts).
    pub fn pool(&self) -> &TxPool {
        &self.pool
    }

    /// Installs the owner's admission check, run on every submission and on every revalidation.
    pub fn set_admission_check(&mut self, check: Arc<dyn AdmissionCheck>) {
        self.forget_pending();
        self.pool.set_admission_check(check);
    }

    /// Submits a transaction to the pool. Unsigned (impersonated) transactions are accepted only from
    /// impersonated senders, or from anyone while auto-impersonation is on.
    pub fn submit_transaction(&mut self, tx: PoolTransaction) -> Result<AddedTransaction, ChainError> {
        if tx.is_impersonated() && !self.auto_impersonate && !self.impersonated.contains(&tx.sender()) {
            return Err(ChainError::NotImpersonated(tx.sender()));
        }
        self.forget_pending();
        Ok(self.pool.add_transaction(tx, &HeadAccounts(&self.state))?)
    }

    /// The next nonce of `address` counting its consecutive pooled transactions (the `pending` nonce).
    pub fn pending_nonce(&self, address: Address) -> u64 {
        self.pool.next_nonce(address, &HeadAccounts(&self.state))
    }

    /// Submits raw `eth_sendRawTransaction` bytes.
    pub fn submit_raw_transaction(&mut self, raw: &[u8]) -> Result<AddedTransaction, ChainError> {
        self.forget_pending();
        Ok(self.pool.add_raw_transaction(raw, &HeadAccounts(&self.state))?)
    }

    /// Lets unsigned transactions from `address` in (`anvil_impersonateAccount`).
    pub fn impersonate(&mut self, address: Address) {
        self.impersonated.insert(address);
    }

    /// Stops impersonating `address`.
    pub fn stop_impersonating(&mut self, address: Address) {
        self.impersonated.remove(&address);
    }

    /// Accepts unsigned transactions from every address while on.
    pub fn set_auto_impersonate(&mut self, enabled: bool) {
        self.auto_impersonate = enabled;
    }

    /// Whether unsigned transactions from `address` are accepted.
    pub fn is_impersonated(&self, address: &Address) -> bool {
        self.auto_impersonate || self.impersonated.contains(address)
    }

    /// Revalidates the pool against the head state and the admission check; returns what was dropped.
    pub fn revalidate_pool(&mut self) -> Vec<DroppedTransaction> {
        self.forget_pending();
        let base_fee = self.next_base_fee();
        self.pool.on_new_block(&HeadAccounts(&self.state), base_fee)
    }

    // ----- deposits and L1 origin -----

    /// Queues a deposit (e.g. an L1 → L2 deposit) for the next block, after its L1 attributes deposit.
    pub fn queue_deposit(&mut self, deposit: TxDeposit) {
        self.forget_pending();
        self.deposits.push(deposit);
    }

    /// Deposits waiting for the next block.
    pub fn queued_deposits(&self) -> &[TxDeposit] {
        &self.deposits
    }

    /// Sets the L1 origin for the next blocks.
    pub fn set_l1_origin(&mut self, l1: L1Attributes) {
        self.forget_pending();
        self.l1 = l1;
    }

    /// The L1 origin the next block will reference.
    pub fn l1_origin(&self) -> &L1Attributes {
        &self.l1
    }

    // ----- mining -----

    fn next_attributes(&mut self, timestamp: u64) -> BlockAttributes {
        let deposits = std::mem::take(&mut self.deposits);
        self.forget_pending();
        self.attributes_for(timestamp, deposits)
    }

    /// The attributes of the head's child at `timestamp` with `deposits`.
    fn attributes_for(&self, timestamp: u64, deposits: Vec<TxDeposit>) -> BlockAttributes {
        let head = self.store.head();
        let sequence_number = match &head.attributes {
            Some(parent) if parent.l1.number == self.l1.number && parent.l1.hash == self.l1.hash => {
                parent.sequence_number + 1
            }
            None if self.l1.number == 0 => 1,
            _ => 0,
        };
        BlockAttributes {
            timestamp,
            l1: self.l1,
            sequence_number,
            deposits,
            prev_randao: self.l1.hash,
            parent_beacon_root: B256::ZERO,
            fee_recipient: self.config.fee_recipient,
        }
    }

    /// Builds the next block at `timestamp` (after the head's): the L1 attributes deposit, the queued
    /// deposits, then pool transactions by fee and nonce until the gas limit. Then revalidates the pool.
    pub fn mine(&mut self, timestamp: u64) -> Result<MinedBlock, ChainError> {
        let parent_timestamp = self.store.head().timestamp();
        if timestamp <= parent_timestamp {
            return Err(ChainError::TimestampNotIncreasing { timestamp, parent: parent_timestamp });
        }
        let attrs = self.next_attributes(timestamp);
        let mut source = PoolSource::new(&self.pool, self.next_base_fee(), timestamp);
        let deposits = attrs.deposits.clone();
        let block = match self.build_on_head(attrs, &mut source) {
            Ok(block) => block,
            Err(error) => {
                self.deposits.splice(0..0, deposits);
                return Err(error);
            }
        };
        let mined: Vec<B256> = block.transactions.iter().map(|tx| tx.hash).collect();
        self.pool.remove_mined(mined);
        for hash in &source.invalid {
            self.pool.remove_transaction(hash);
        }
        let dropped = self.revalidate_pool();
        Ok(MinedBlock { block, excluded: source.excluded, dropped })
    }

    /// The chain-wide parameters of the head's child.
    fn build_params(&self) -> BuildParams<'_> {
        BuildParams {
            chain_id: self.chain_id,
            spec: self.config.spec,
            gas_limit: self.gas_limit,
            eip1559: self.eip1559,
            hashes: self.store.hashes(),
        }
    }

    /// Builds a block on the head with `attrs` and appends it; on failure the state is left unchanged.
    fn build_on_head(
        &mut self,
        attrs: BlockAttributes,
        source: &mut dyn TxSource,
    ) -> Result<Arc<StoredBlock>, ChainError> {
        let parent = self.store.head().header.clone();
        self.forget_pending();
        let params = BuildParams {
            chain_id: self.chain_id,
            spec: self.config.spec,
            gas_limit: self.gas_limit,
            eip1559: self.eip1559,
            hashes: self.store.hashes(),
        };
        match builder::build_block(&mut self.state, &params, &parent, attrs, source) {
            Ok(built) => {
                let mut diff = std::mem::take(&mut self.edits);
                diff.absorb_later(built.diff);
                self.diffs.push_back(diff);
                while self.diffs.len() as u64 > self.config.history_depth {
                    self.diffs.pop_front();
                }
                self.store.push(built.block);
                Ok(self.head())
            }
            Err(failure) => {
                self.state.revert_diff(&failure.diff);
                Err(failure.error)
            }
        }
    }

    // ----- developer edits -----

    fn edit_info(&mut self, address: Address, edit: impl FnOnce(&mut AccountInfo)) {
        let mut info = self.state.info(&address).unwrap_or_default();
        edit(&mut info);
        self.state.set_info(address, info, &mut self.edits);
        self.revalidate_pool();
    }

    /// Sets an account's balance in the head state (`anvil_setBalance`).
    pub fn set_balance(&mut self, address: Address, balance: U256) {
        self.edit_info(address, |info| info.balance = balance);
    }

    /// Sets an account's nonce in the head state (`anvil_setNonce`).
    pub fn set_nonce(&mut self, address: Address, nonce: u64) {
        self.edit_info(address, |info| info.nonce = nonce);
    }

    /// Sets an account's code in the head state (`anvil_setCode`).
    pub fn set_code(&mut self, address: Address, code: Bytes) {
        let code_hash = self.state.insert_code(code);
        self.edit_info(address, |info| info.code_hash = code_hash);
    }

    /// Sets a storage slot in the head state (`anvil_setStorageAt`).
    pub fn set_storage(&mut self, address: Address, slot: U256, value: U256) {
        self.forget_pending();
        self.state.set_storage(address, slot, value, &mut self.edits);
    }

    /// A copy of everything a snapshot restores.
    fn capture(&self) -> Snapshot {
        Snapshot {
            state: self.state.clone(),
            store: self.store.clone(),
            diffs: self.diffs.clone(),
            edits: self.edits.clone(),
            deposits: self.deposits.clone(),
            l1: self.l1,
            safe: self.safe,
            finalized: self.finalized,
        }
    }

    /// Puts a captured copy back.
    fn restore(&mut self, snapshot: Snapshot) {
        self.forget_pending();
        self.state = snapshot.state;
        self.store = snapshot.store;
        self.diffs = snapshot.diffs;
        self.edits = snapshot.edits;
        self.deposits = snapshot.deposits;
        self.l1 = snapshot.l1;
        self.safe = snapshot.safe;
        self.finalized = snapshot.finalized;
    }

    /// Saves the whole chain (state, blocks, history, queued deposits, labels); returns the snapshot id.
    pub fn snapshot(&mut self) -> u64 {
        let id = self.next_snapshot;
        self.next_snapshot += 1;
        let snapshot = self.capture();
        self.snapshots.insert(id, snapshot);
        id
    }

    /// Restores snapshot `id` and forgets it and every later snapshot (as `evm_revert`); the pool is
    /// revalidated against the restored head.
    pub fn revert_to_snapshot(&mut self, id: u64) -> Result<(), ChainError> {
        let snapshot = self.snapshots.remove(&id).ok_or(ChainError::UnknownSnapshot(id))?;
        self.snapshots.split_off(&id);
        let before: Vec<Arc<StoredBlock>> = (0..=self.head_number())
            .rev()
            .take(usize::try_from(self.config.history_depth).unwrap_or(usize::MAX))
            .filter_map(|number| self.block_by_number(number))
            .collect();
        self.restore(snapshot);
        self.remember_orphans(before.into_iter().rev());
        self.revalidate_pool();
        Ok(())
    }

    // ----- reorgs -----

    /// Undoes developer edits and every block above `number`, leaving the state of block `number`.
    fn unwind_state_to(&mut self, number: u64) -> Result<(), ChainError> {
        let head = self.head_number();
        let oldest = self.oldest_state();
        if number < oldest {
            return Err(ChainError::HistoryTooShort { target: number, oldest });
        }
        self.state.revert_diff(&std::mem::take(&mut self.edits));
        for _ in number..head {
            if let Some(diff) = self.diffs.pop_back() {
                self.state.revert_diff(&diff);
            }
        }
        Ok(())
    }

    /// Reorganises the head back to block `number`: later blocks are gone, their user transactions go back
    /// to the pool (validated against the new head), labels above `number` come down to it.
    pub fn rewind_to(&mut self, number: u64) -> Result<RewindOutcome, ChainError> {
        self.check_not_beyond_head(number)?;
        self.unwind_state_to(number)?;
        self.forget_pending();
        let removed = self.store.truncate(number);
        self.remember_orphans(removed.iter().cloned());
        self.safe = self.safe.min(number);
        self.finalized = self.finalized.min(number);
        let base_fee = self.next_base_fee();
        let _ = self.pool.on_new_block(&HeadAccounts(&self.state), base_fee);
        let txs: Vec<PoolTransaction> = removed
            .iter()
            .flat_map(|block| block.transactions.iter())
            .filter(|tx| !tx.is_deposit())
            .filter_map(|tx| {
                PoolTransaction::from_trusted_parts(tx.envelope.clone(), tx.sender, tx.impersonated).ok()
            })
            .collect();
        let mut reinserted = Vec::new();
        let mut refused = Vec::new();
        for (hash, result) in self.pool.reinsert(txs, &HeadAccounts(&self.state)) {
            match result {
                Ok(_) => reinserted.push(hash),
                Err(error) => refused.push((hash, error)),
            }
        }
        Ok(RewindOutcome { removed, reinserted, refused })
    }

    /// Replaces block `number` with a block of the same attributes (timestamp, L1 origin, deposits) and no
    /// user transactions, then rebuilds every later block on top with its own attributes and user
    /// transactions; transactions that no longer execute are left out. Labels are kept (the caller owns them).
    /// If any rebuilt block fails (a deposit the EVM refuses), the chain is left exactly as it was.
    pub fn replace_with_deposits_only(&mut self, number: u64) -> Result<ReplacementOutcome, ChainError> {
        if number == 0 {
            return Err(ChainError::GenesisImmutable);
        }
        self.check_not_beyond_head(number)?;
        let oldest = self.oldest_state();
        if number - 1 < oldest {
            return Err(ChainError::HistoryTooShort { target: number - 1, oldest });
        }
        let saved = self.capture();
        match self.rebuild_deposits_only(number) {
            Ok(outcome) => {
                let old =
                    (number..=saved.store.head_number()).filter_map(|n| saved.store.by_number(n).cloned());
                self.remember_orphans(old);
                self.revalidate_pool();
                Ok(outcome)
            }
            Err(error) => {
                self.restore(saved);
                Err(error)
            }
        }
    }

    fn rebuild_deposits_only(&mut self, number: u64) -> Result<ReplacementOutcome, ChainError> {
        self.unwind_state_to(number - 1)?;
        let old_blocks = self.store.truncate(number - 1);
        let mut replaced = Vec::new();
        let mut removed = Vec::new();
        let mut dropped = Vec::new();
        for old in &old_blocks {
            let Some(attrs) = old.attributes.clone() else { continue };
            let new_block = if old.number() == number {
                removed.extend(old.transactions.iter().filter(|tx| !tx.is_deposit()).cloned());
                self.build_on_head(attrs, &mut NoTransactions)?
            } else {
                let user_txs = old.transactions.iter().filter(|tx| !tx.is_deposit()).map(|tx| ExecutableTx {
                    envelope: tx.envelope.clone(),
                    sender: tx.sender,
                    hash: tx.hash,
                    impersonated: tx.impersonated,
                });
                let mut source = ListSource::new(user_txs);
                let block = self.build_on_head(attrs, &mut source)?;
                dropped.extend(source.excluded);
                block
            };
            replaced.push(ReplacedBlock {
                number: old.number(),
                old_hash: old.hash(),
                new_hash: new_block.hash(),
            });
        }
        Ok(ReplacementOutcome { replaced, removed, dropped })
    }
}
