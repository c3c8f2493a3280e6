//! The backend traits: what the server needs from a chain, in alloy types, one narrow trait per concern
//! (blocks, state, execution, fees, submission, dev accounts, dev control); [`EthBackend`] is all of them.
//!
//! The server owns everything that is pure RPC (parameter parsing, filters, subscriptions, limits, error
//! codes); the backend answers questions about one chain and changes it. Block tags (`latest`, `pending`,
//! `safe`, `finalized`, `earliest`, numbers, EIP-1898 `{blockHash, requireCanonical}`) arrive as
//! [`BlockId`]s and are resolved by the backend, which knows its labels. Dev accounts and dev methods
//! (`evm_*`, `anvil_*`) have default implementations that answer "not supported", so a production backend
//! implements only the chain queries.

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_rpc_types_eth::{
    AccessListResult, BlockOverrides, EIP1186AccountProofResponse, FeeHistory, Filter, Log,
    TransactionRequest, state::StateOverride,
};
use op_alloy_consensus::OpTypedTransaction;
use superlink_chain::ExecutionWitness;
use superlink_node::ChainEvent;
pub use superlink_node::MineRequest;
use tokio::sync::broadcast;

use crate::{
    error::BackendError,
    types::{RpcBlock, RpcReceipt, RpcTransaction},
};

/// The result of a backend operation.
pub type BackendResult<T> = Result<T, BackendError>;

/// State and block overrides of `eth_call`, `eth_estimateGas` and `eth_createAccessList`.
#[derive(Debug, Clone, Default)]
pub struct CallOverrides {
    /// Replaces balances, nonces, code or storage of accounts for this execution only.
    pub state: Option<StateOverride>,
    /// Replaces block fields (number, time, base fee, coinbase, ...) for this execution only.
    pub block: Option<Box<BlockOverrides>>,
}

/// The transactions of a pool, as `txpool_content` groups them.
#[derive(Debug, Clone, Default)]
pub struct PoolTransactions {
    /// Executable transactions (consecutive nonces from the sender's account nonce).
    pub pending: Vec<RpcTransaction>,
    /// Transactions waiting for an earlier nonce.
    pub queued: Vec<RpcTransaction>,
}

/// The canonical chain's blocks, transactions, receipts and logs, and the events that announce changes.
/// Block tags arrive as [`BlockId`]s and are resolved here, where the labels are known.
pub trait BlockProvider {
    /// The chain ID (EIP-155).
    fn chain_id(&self) -> u64;

    /// Whether a quick read (a state query, a block, an `eth_call`) would run now without waiting for the
    /// chain (nothing is changing it). The server then answers it on the connection's own task instead of
    /// hopping to the blocking pool. The default, `false`, always hops.
    fn reads_without_waiting(&self) -> bool {
        false
    }

    /// The number of the latest canonical block.
    fn block_number(&self) -> BackendResult<u64>;

    /// The number a tag stands for (`latest`, `pending`, `safe`, `finalized`, `earliest`, or a number), or
    /// `None` when the number is beyond the head.
    fn resolve_block_number(&self, tag: BlockNumberOrTag) -> BackendResult<Option<u64>>;

    /// A block by number, tag or hash, with transaction hashes or full transactions; `None` when unknown.
    fn block(&self, block: BlockId, full_transactions: bool) -> BackendResult<Option<RpcBlock>>;

    /// All receipts of a block, in transaction order; `None` when the block is unknown.
    fn block_receipts(&self, block: BlockId) -> BackendResult<Option<Vec<RpcReceipt>>>;

    /// A mined or pending transaction by hash.
    fn transaction_by_hash(&self, hash: B256) -> BackendResult<Option<RpcTransaction>>;

    /// The receipt of a mined transaction.
    fn transaction_receipt(&self, hash: B256) -> BackendResult<Option<RpcReceipt>>;

    /// The canonical logs matching `filter`. The server only passes a block hash, or a range whose bounds
    /// are both numbers and already checked against its maximum range.
    fn logs(&self, filter: &Filter) -> BackendResult<Vec<Log>>;

    /// The address that receives the fees of the blocks this node builds.
    fn coinbase(&self) -> BackendResult<Address>;

    /// A fresh receiver of the chain's events (new blocks, pending transactions, removed logs).
    fn events(&self) -> broadcast::Receiver<ChainEvent>;
}

/// Account state at a block.
pub trait StateProvider {
    /// The balance of `address` at `block`.
    fn balance(&self, address: Address, block: BlockId) -> BackendResult<U256>;

    /// The nonce of `address` at `block`; at `pending` it counts the pool's transactions too.
    fn transaction_count(&self, address: Address, block: BlockId) -> BackendResult<u64>;

    /// The code of `address` at `block`.
    fn code(&self, address: Address, block: BlockId) -> BackendResult<Bytes>;

    /// The storage slot `slot` of `address` at `block`.
    fn storage_at(&self, address: Address, slot: B256, block: BlockId) -> BackendResult<B256>;

    /// The EIP-1186 account and storage proofs of `address` at `block`.
    fn proof(
        &self,
        address: Address,
        keys: Vec<B256>,
        block: BlockId,
    ) -> BackendResult<EIP1186AccountProofResponse>;

    /// What re-executing `block` from its parent's state root needs (`debug_executionWitness`). The default
    /// answers "not supported".
    fn execution_witness(&self, block: BlockNumberOrTag) -> BackendResult<ExecutionWitness> {
        let _ = block;
        Err(BackendError::Unsupported("debug_executionWitness"))
    }
}

/// Execution without a transaction: calls, gas estimates, access lists.
pub trait CallExecutor {
    /// Executes `request` at `block` without committing; a revert is [`BackendError::Reverted`].
    fn call(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<Bytes>;

    /// The smallest gas limit with which `request` succeeds at `block`.
    fn estimate_gas(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<u64>;

    /// The access list `request` touches at `block`, and the gas it uses with that list.
    fn create_access_list(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<AccessListResult>;
}

/// Fee suggestions and fee history.
pub trait FeeOracle {
    /// A gas price that gets a legacy transaction into the next block.
    fn gas_price(&self) -> BackendResult<u128>;

    /// A priority fee that gets an EIP-1559 transaction into the next block.
    fn max_priority_fee_per_gas(&self) -> BackendResult<u128>;

    /// Base fees, gas use ratios and reward percentiles of `block_count` blocks ending at `newest`.
    fn fee_history(
        &self,
        block_count: u64,
        newest: BlockNumberOrTag,
        reward_percentiles: &[f64],
    ) -> BackendResult<FeeHistory>;
}

/// Transactions entering the pool, and what the pool holds.
pub trait TransactionSubmitter {
    /// Adds a signed, EIP-2718 encoded transaction to the pool; its hash.
    fn send_raw_transaction(&self, raw: Bytes) -> BackendResult<B256>;

    /// Adds a transaction from an unlocked dev account (signed by the backend) or an impersonated account
    /// (accepted unsigned), filling missing fields; its hash.
    fn send_transaction(&self, request: TransactionRequest) -> BackendResult<B256>;

    /// The unsigned transaction `request` describes, with what is missing filled in as
    /// [`Self::send_transaction`] fills it (nonce, gas, fees, chain ID, type), for `eth_fillTransaction`:
    /// wallets and viem ask for it before they sign. Any sender may ask; nothing is sent. The default answers
    /// "not supported".
    fn fill_transaction(&self, request: TransactionRequest) -> BackendResult<OpTypedTransaction> {
        let _ = request;
        Err(BackendError::Unsupported("eth_fillTransaction"))
    }

    /// The pool's transactions: those that can go into the next blocks (pending) and those waiting for an
    /// earlier nonce (queued), each in sender and nonce order.
    fn pool_transactions(&self) -> BackendResult<PoolTransactions> {
        Err(BackendError::Unsupported("txpool"))
    }
}

/// The unlocked development accounts and signing with them. A production backend has none: the defaults
/// refuse every account.
pub trait DevAccounts {
    /// The unlocked dev accounts.
    fn accounts(&self) -> BackendResult<Vec<Address>>;

    /// Signs `message` as EIP-191 personal message with an unlocked account; the 65-byte `r ++ s ++ v`
    /// signature (`v` 27 or 28).
    fn sign_message(&self, address: Address, message: Bytes) -> BackendResult<Bytes> {
        let _ = message;
        Err(BackendError::UnknownAccount(address))
    }

    /// Signs a 32-byte hash (an EIP-712 signing hash) with an unlocked account; the 65-byte `r ++ s ++ v`
    /// signature (`v` 27 or 28).
    fn sign_hash(&self, address: Address, hash: B256) -> BackendResult<Bytes> {
        let _ = hash;
        Err(BackendError::UnknownAccount(address))
    }
}

/// The anvil-style dev methods (`evm_*`, `anvil_*`): mining on request, snapshots, the clock, state edits
/// and impersonation. Each defaults to "not supported", so a production backend implements none of them.
pub trait DevControl {
    /// Mines blocks now (dev).
    fn mine(&self, request: MineRequest) -> BackendResult<()> {
        let _ = request;
        Err(BackendError::Unsupported("mine"))
    }

    /// Saves the whole chain state; the ID to revert to (dev).
    fn snapshot(&self) -> BackendResult<U256> {
        Err(BackendError::Unsupported("evm_snapshot"))
    }

    /// Returns to a snapshot, dropping it and every later one; `false` when the ID is unknown (dev).
    fn revert_to_snapshot(&self, id: U256) -> BackendResult<bool> {
        let _ = id;
        Err(BackendError::Unsupported("evm_revert"))
    }

    /// Moves the clock of future blocks forward by `seconds`; the total offset in seconds (dev).
    fn increase_time(&self, seconds: u64) -> BackendResult<u64> {
        let _ = seconds;
        Err(BackendError::Unsupported("evm_increaseTime"))
    }

    /// Whether every accepted transaction is mined at once (dev).
    fn automine(&self) -> BackendResult<bool> {
        Err(BackendError::Unsupported("anvil_getAutomine"))
    }

    /// Turns mining on submission on or off (dev).
    fn set_automine(&self, enabled: bool) -> BackendResult<()> {
        let _ = enabled;
        Err(BackendError::Unsupported("evm_setAutomine"))
    }

    /// Fixes the timestamp of the next block (dev).
    fn set_next_block_timestamp(&self, timestamp: u64) -> BackendResult<()> {
        let _ = timestamp;
        Err(BackendError::Unsupported("evm_setNextBlockTimestamp"))
    }

    /// Sets the balance of an account (dev).
    fn set_balance(&self, address: Address, balance: U256) -> BackendResult<()> {
        let _ = (address, balance);
        Err(BackendError::Unsupported("anvil_setBalance"))
    }

    /// Sets the code of an account (dev).
    fn set_code(&self, address: Address, code: Bytes) -> BackendResult<()> {
        let _ = (address, code);
        Err(BackendError::Unsupported("anvil_setCode"))
    }

    /// Sets one storage slot of an account (dev).
    fn set_storage_at(&self, address: Address, slot: B256, value: B256) -> BackendResult<()> {
        let _ = (address, slot, value);
        Err(BackendError::Unsupported("anvil_setStorageAt"))
    }

    /// Sets the nonce of an account (dev).
    fn set_nonce(&self, address: Address, nonce: u64) -> BackendResult<()> {
        let _ = (address, nonce);
        Err(BackendError::Unsupported("anvil_setNonce"))
    }

    /// Lets `eth_sendTransaction` send from `address` without its key (dev).
    fn impersonate_account(&self, address: Address) -> BackendResult<()> {
        let _ = address;
        Err(BackendError::Unsupported("anvil_impersonateAccount"))
    }

    /// Ends the impersonation of `address` (dev).
    fn stop_impersonating_account(&self, address: Address) -> BackendResult<()> {
        let _ = address;
        Err(BackendError::Unsupported("anvil_stopImpersonatingAccount"))
    }
}

/// A chain as the JSON-RPC server sees it: every narrow interface above. Methods are synchronous and quick
/// (the chain lives in memory); the server runs them on the blocking thread pool, off the async workers, except
/// quick reads while [`BlockProvider::reads_without_waiting`] says they would not wait. Implemented for every
/// type that implements the parts.
pub trait EthBackend:
    BlockProvider
    + StateProvider
    + CallExecutor
    + FeeOracle
    + TransactionSubmitter
    + DevAccounts
    + DevControl
    + Send
    + Sync
    + 'static
{
}

impl<T> EthBackend for T where
    T: BlockProvider
        + StateProvider
        + CallExecutor
        + FeeOracle
        + TransactionSubmitter
        + DevAccounts
        + DevControl
        + Send
        + Sync
        + 'static
{
}
