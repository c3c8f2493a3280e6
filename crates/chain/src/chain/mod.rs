//! The chain: head state, block store, kept history, transaction pool and deposit queue. [`Chain`] is one
//! type; its operations live by concern in the modules below (history, state reads, calls, the pending
//! block, submission, block production, developer edits and snapshots, reorganisations, the block
//! production of fault injection, and saving and restoring the whole chain).

mod calls;
mod dev;
mod faults;
mod history;
mod pending;
mod persist;
mod production;
mod reorg;
mod state_reads;
mod submission;
mod witnesses;

use std::{
    collections::{BTreeMap, HashSet, VecDeque},
    sync::{Arc, Mutex},
};

use alloy_consensus::Sealed;
use alloy_primitives::{Address, U256};
use op_alloy_consensus::TxDeposit;
use op_revm::OpSpecId;
use superlink_txpool::{PoolConfig, TxPool};

use crate::{
    base_fee::Eip1559Params,
    block::StoredBlock,
    builder,
    error::ChainError,
    fork::{ForkPoint, ForkedState},
    genesis::Genesis,
    l1_info::L1Attributes,
    state::{AccountInfo, StateDiff, WorldState},
    store::BlockStore,
};

use dev::Snapshot;
use history::OrphanBlocks;

pub use faults::RebuildOutcome;
pub use pending::PendingBlock;
pub use persist::{
    AccountDump, AccountInfoDump, BlockAttributesDump, BlockDump, ChainDump, L1AttributesDump, L1FeeDump,
    PooledDump, RestoreError, RestoreReport, StateDiffDump, TransactionDump,
};
pub use production::{MAX_BLOCK_TIMESTAMP, MinedBlock};
pub use reorg::{ReplacedBlock, ReplacementOutcome, RewindOutcome};
pub use superlink_protocol::predeploys::SEQUENCER_FEE_VAULT;

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

/// One OP Stack chain in memory. Not synchronised by itself: queries take `&self` and changes `&mut self`, so
/// behind a read-write lock (as `superlink-node`'s `ChainService` keeps it) reads run alongside each other.
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
        Self::starting_at(genesis, genesis_block, state, config)
    }

    /// A chain forked from a remote chain at `point`: the remote's block is the chain's first block (so the
    /// next block has its hash as parent and its number plus one), and its state is the remote's at that block,
    /// read through `remote` as it is needed ([`crate::fork`]).
    ///
    /// On top of it go `installed`'s allocations, replacing the remote's accounts at their addresses whole
    /// (code, balance, nonce and storage: predeploys), and `balances`, which set the balance of accounts and keep
    /// the remote's nonce, code and storage (funded development accounts; reading them may ask the remote, hence
    /// the error). The chain takes `installed`'s chain ID and EIP-1559 parameters and the remote block's gas limit.
    pub fn fork(
        installed: &Genesis,
        point: ForkPoint,
        remote: Arc<ForkedState>,
        balances: &[(Address, U256)],
        config: ChainConfig,
    ) -> Result<Self, ChainError> {
        let mut state = WorldState::forked(remote);
        let mut scratch = StateDiff::default();
        for (address, account) in &installed.alloc {
            let code_hash = state.insert_code(account.code.clone());
            let info = AccountInfo { balance: account.balance, nonce: account.nonce, code_hash };
            let storage = account.storage.iter().map(|(slot, value)| (*slot, *value));
            state.install_account(*address, info, storage, &mut scratch);
        }
        for (address, balance) in balances {
            let mut info = state.info(address)?.unwrap_or_default();
            info.balance = *balance;
            state.set_info(*address, info, &mut scratch);
        }
        let mut genesis = installed.clone();
        genesis.timestamp = point.header.timestamp;
        genesis.gas_limit = point.header.gas_limit;
        genesis.base_fee = point.header.base_fee_per_gas.unwrap_or(installed.base_fee);
        let first = StoredBlock {
            header: Sealed::new_unchecked(point.header, point.hash),
            transactions: Vec::new(),
            receipts: Vec::new(),
            attributes: None,
        };
        let mut chain = Self::starting_at(&genesis, first, state, config);
        chain.safe = chain.store.first_number();
        chain.finalized = chain.store.first_number();
        Ok(chain)
    }

    /// A chain whose only block is `first` (its genesis, or the block it was forked at), with `state` after it.
    fn starting_at(genesis: &Genesis, first: StoredBlock, state: WorldState, config: ChainConfig) -> Self {
        let next_base_fee =
            genesis.eip1559.next_base_fee(first.header.gas_used, first.header.gas_limit, genesis.base_fee);
        let pool = TxPool::new(PoolConfig::new(genesis.chain_id, genesis.gas_limit), next_base_fee);
        Self {
            chain_id: genesis.chain_id,
            gas_limit: genesis.gas_limit,
            eip1559: genesis.eip1559,
            config,
            state,
            store: BlockStore::new(first),
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

    /// The number of the chain's first block: 0, or for a forked chain the remote block it was forked at
    /// (the chain holds no block before it).
    pub fn first_number(&self) -> u64 {
        self.store.first_number()
    }

    /// Whether the chain was forked from a remote chain: reads of state it does not hold ask the remote (and
    /// may wait for it, so callers run them where blocking is allowed).
    pub fn is_forked(&self) -> bool {
        self.state.fork().is_some()
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
    /// A number below the chain's first block labels the first block.
    pub fn set_safe(&mut self, number: u64) -> Result<(), ChainError> {
        self.check_not_beyond_head(number)?;
        self.safe = number.max(self.first_number());
        Ok(())
    }

    /// Labels block `number` finalized (the `finalized` block tag).
    /// A number below the chain's first block labels the first block.
    pub fn set_finalized(&mut self, number: u64) -> Result<(), ChainError> {
        self.check_not_beyond_head(number)?;
        self.finalized = number.max(self.first_number());
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
}
