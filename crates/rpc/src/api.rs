//! The JSON-RPC method tables: names, parameters and result types of every method served (`eth_`, `net_`,
//! `web3_`, and the anvil/hardhat-style dev methods).

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, U64, U256};
use alloy_rpc_types_eth::{
    AccessListResult, BlockOverrides, EIP1186AccountProofResponse, FeeHistory, FillTransaction, Filter,
    Index, Log, TransactionRequest,
    pubsub::{Params, SubscriptionKind},
    state::StateOverride,
};
use jsonrpsee::{
    core::{RpcResult, SubscriptionResult},
    proc_macros::rpc,
};
use serde::{Deserialize, Serialize};
use superlink_chain::ExecutionWitness;

use crate::{
    filters::{FilterChanges, FilterId},
    txpool::{TxpoolContent, TxpoolInspect, TxpoolStatus},
    types::{RpcBlock, RpcReceipt, RpcTransaction},
};

/// The `eth_` namespace.
#[rpc(server, namespace = "eth")]
pub trait EthApi {
    /// `eth_chainId`: the chain ID.
    #[method(name = "chainId")]
    async fn chain_id(&self) -> RpcResult<U64>;

    /// `eth_blockNumber`: the latest block number.
    #[method(name = "blockNumber")]
    async fn block_number(&self) -> RpcResult<U64>;

    /// `eth_syncing`: always `false` (the chain is local).
    #[method(name = "syncing")]
    async fn syncing(&self) -> RpcResult<bool>;

    /// `eth_coinbase`: the fee recipient of built blocks.
    #[method(name = "coinbase")]
    async fn coinbase(&self) -> RpcResult<Address>;

    /// `eth_accounts`: the unlocked dev accounts.
    #[method(name = "accounts")]
    async fn accounts(&self) -> RpcResult<Vec<Address>>;

    /// `eth_gasPrice`.
    #[method(name = "gasPrice")]
    async fn gas_price(&self) -> RpcResult<U256>;

    /// `eth_maxPriorityFeePerGas`.
    #[method(name = "maxPriorityFeePerGas")]
    async fn max_priority_fee_per_gas(&self) -> RpcResult<U256>;

    /// `eth_feeHistory`.
    #[method(name = "feeHistory")]
    async fn fee_history(
        &self,
        block_count: U64,
        newest_block: BlockNumberOrTag,
        reward_percentiles: Option<Vec<f64>>,
    ) -> RpcResult<FeeHistory>;

    /// `eth_getBlockByNumber`.
    #[method(name = "getBlockByNumber")]
    async fn block_by_number(&self, block: BlockNumberOrTag, full: bool) -> RpcResult<Option<RpcBlock>>;

    /// `eth_getBlockByHash`.
    #[method(name = "getBlockByHash")]
    async fn block_by_hash(&self, hash: B256, full: bool) -> RpcResult<Option<RpcBlock>>;

    /// `eth_getBlockTransactionCountByNumber`.
    #[method(name = "getBlockTransactionCountByNumber")]
    async fn block_transaction_count_by_number(&self, block: BlockNumberOrTag) -> RpcResult<Option<U64>>;

    /// `eth_getBlockTransactionCountByHash`.
    #[method(name = "getBlockTransactionCountByHash")]
    async fn block_transaction_count_by_hash(&self, hash: B256) -> RpcResult<Option<U64>>;

    /// `eth_getBlockReceipts`.
    #[method(name = "getBlockReceipts")]
    async fn block_receipts(&self, block: BlockId) -> RpcResult<Option<Vec<RpcReceipt>>>;

    /// `eth_getTransactionByHash`.
    #[method(name = "getTransactionByHash")]
    async fn transaction_by_hash(&self, hash: B256) -> RpcResult<Option<RpcTransaction>>;

    /// `eth_getTransactionByBlockNumberAndIndex`.
    #[method(name = "getTransactionByBlockNumberAndIndex")]
    async fn transaction_by_block_number_and_index(
        &self,
        block: BlockNumberOrTag,
        index: Index,
    ) -> RpcResult<Option<RpcTransaction>>;

    /// `eth_getTransactionByBlockHashAndIndex`.
    #[method(name = "getTransactionByBlockHashAndIndex")]
    async fn transaction_by_block_hash_and_index(
        &self,
        hash: B256,
        index: Index,
    ) -> RpcResult<Option<RpcTransaction>>;

    /// `eth_getTransactionReceipt`.
    #[method(name = "getTransactionReceipt")]
    async fn transaction_receipt(&self, hash: B256) -> RpcResult<Option<RpcReceipt>>;

    /// `eth_getLogs`: by block hash or by a range no wider than the server's maximum.
    #[method(name = "getLogs")]
    async fn logs(&self, filter: Filter) -> RpcResult<Vec<Log>>;

    /// `eth_newFilter`.
    #[method(name = "newFilter")]
    async fn new_filter(&self, filter: Filter) -> RpcResult<FilterId>;

    /// `eth_newBlockFilter`.
    #[method(name = "newBlockFilter")]
    async fn new_block_filter(&self) -> RpcResult<FilterId>;

    /// `eth_newPendingTransactionFilter`.
    #[method(name = "newPendingTransactionFilter")]
    async fn new_pending_transaction_filter(&self) -> RpcResult<FilterId>;

    /// `eth_getFilterChanges`.
    #[method(name = "getFilterChanges")]
    async fn filter_changes(&self, id: FilterId) -> RpcResult<FilterChanges>;

    /// `eth_getFilterLogs`.
    #[method(name = "getFilterLogs")]
    async fn filter_logs(&self, id: FilterId) -> RpcResult<Vec<Log>>;

    /// `eth_uninstallFilter`.
    #[method(name = "uninstallFilter")]
    async fn uninstall_filter(&self, id: FilterId) -> RpcResult<bool>;

    /// `eth_subscribe` / `eth_unsubscribe`: `newHeads`, `logs` (with a filter), `newPendingTransactions`.
    #[subscription(
        name = "subscribe" => "subscription",
        unsubscribe = "unsubscribe",
        item = serde_json::Value
    )]
    async fn subscribe(&self, kind: SubscriptionKind, params: Option<Params>) -> SubscriptionResult;

    /// `eth_getBalance`.
    #[method(name = "getBalance")]
    async fn balance(&self, address: Address, block: Option<BlockId>) -> RpcResult<U256>;

    /// `eth_getTransactionCount`.
    #[method(name = "getTransactionCount")]
    async fn transaction_count(&self, address: Address, block: Option<BlockId>) -> RpcResult<U64>;

    /// `eth_getCode`.
    #[method(name = "getCode")]
    async fn code(&self, address: Address, block: Option<BlockId>) -> RpcResult<Bytes>;

    /// `eth_getStorageAt`.
    #[method(name = "getStorageAt")]
    async fn storage_at(&self, address: Address, slot: U256, block: Option<BlockId>) -> RpcResult<B256>;

    /// `eth_getProof`.
    #[method(name = "getProof")]
    async fn proof(
        &self,
        address: Address,
        keys: Vec<U256>,
        block: Option<BlockId>,
    ) -> RpcResult<EIP1186AccountProofResponse>;

    /// `eth_call`, with optional state and block overrides.
    #[method(name = "call")]
    async fn call(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        state_overrides: Option<StateOverride>,
        block_overrides: Option<Box<BlockOverrides>>,
    ) -> RpcResult<Bytes>;

    /// `eth_estimateGas`, with optional state and block overrides.
    #[method(name = "estimateGas")]
    async fn estimate_gas(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        state_overrides: Option<StateOverride>,
        block_overrides: Option<Box<BlockOverrides>>,
    ) -> RpcResult<U64>;

    /// `eth_createAccessList`.
    #[method(name = "createAccessList")]
    async fn create_access_list(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        state_overrides: Option<StateOverride>,
    ) -> RpcResult<AccessListResult>;

    /// `eth_sendRawTransaction`.
    #[method(name = "sendRawTransaction")]
    async fn send_raw_transaction(&self, raw: Bytes) -> RpcResult<B256>;

    /// `eth_fillTransaction`: the transaction `request` describes with its nonce, gas, fees, chain ID and type
    /// filled in, unsigned, as geth answers it: `{raw, tx}`, `raw` being its EIP-2718 encoding with an all-zero
    /// signature. viem asks for it first when it prepares a transaction.
    #[method(name = "fillTransaction")]
    async fn fill_transaction(
        &self,
        request: TransactionRequest,
    ) -> RpcResult<FillTransaction<RpcTransaction>>;

    /// `eth_sendTransaction` from a dev or impersonated account.
    #[method(name = "sendTransaction")]
    async fn send_transaction(&self, request: TransactionRequest) -> RpcResult<B256>;

    /// `eth_sign`: an EIP-191 signature of `message` by an unlocked account.
    #[method(name = "sign")]
    async fn sign(&self, address: Address, message: Bytes) -> RpcResult<Bytes>;

    /// `eth_signTypedData_v4`: an EIP-712 signature of typed data (a JSON object, or a string holding one)
    /// by an unlocked account.
    #[method(name = "signTypedData_v4")]
    async fn sign_typed_data_v4(&self, address: Address, data: serde_json::Value) -> RpcResult<Bytes>;
}

/// The `personal_` namespace (signing only).
#[rpc(server, namespace = "personal")]
pub trait PersonalApi {
    /// `personal_sign`: as `eth_sign`, with the parameters the other way round.
    #[method(name = "sign")]
    async fn sign(&self, message: Bytes, address: Address) -> RpcResult<Bytes>;
}

/// The `debug_` namespace: execution witnesses, as reth serves them.
#[rpc(server, namespace = "debug")]
pub trait DebugApi {
    /// `debug_executionWitness`: the trie nodes of the parent's state, the codes, the preimages of the hashed
    /// keys and the ancestor headers needed to re-execute `block` from its parent's state root.
    #[method(name = "executionWitness")]
    async fn execution_witness(&self, block: BlockNumberOrTag) -> RpcResult<ExecutionWitness>;
}

/// The `txpool_` namespace (geth's pool inspection methods).
#[rpc(server, namespace = "txpool")]
pub trait TxpoolApi {
    /// `txpool_status`: how many transactions are pending and queued.
    #[method(name = "status")]
    async fn status(&self) -> RpcResult<TxpoolStatus>;

    /// `txpool_content`: every pooled transaction, by sender and nonce.
    #[method(name = "content")]
    async fn content(&self) -> RpcResult<TxpoolContent>;

    /// `txpool_inspect`: every pooled transaction as a one-line summary, by sender and nonce.
    #[method(name = "inspect")]
    async fn inspect(&self) -> RpcResult<TxpoolInspect>;
}

/// The `net_` namespace.
#[rpc(server, namespace = "net")]
pub trait NetApi {
    /// `net_version`: the chain ID in decimal.
    #[method(name = "version")]
    async fn version(&self) -> RpcResult<String>;

    /// `net_listening`: always `true`.
    #[method(name = "listening")]
    async fn listening(&self) -> RpcResult<bool>;

    /// `net_peerCount`: always 0 (no peer-to-peer network).
    #[method(name = "peerCount")]
    async fn peer_count(&self) -> RpcResult<U64>;
}

/// The `web3_` namespace.
#[rpc(server, namespace = "web3")]
pub trait Web3Api {
    /// `web3_clientVersion`: `superlink/<version>`.
    #[method(name = "clientVersion")]
    async fn client_version(&self) -> RpcResult<String>;

    /// `web3_sha3`: keccak-256 of the data.
    #[method(name = "sha3")]
    async fn sha3(&self, data: Bytes) -> RpcResult<B256>;
}

/// `evm_mine`'s optional parameter: a timestamp, or `{timestamp, blocks}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EvmMineParam {
    /// The timestamp of the block to mine.
    Timestamp(U64),
    /// Timestamp and count.
    Options {
        /// The timestamp of the first block.
        timestamp: Option<U64>,
        /// How many blocks.
        blocks: Option<U64>,
    },
}

/// Dev methods test suites rely on (anvil names, with hardhat aliases).
#[rpc(server)]
pub trait DevApi {
    /// `evm_mine`: mines one block (or `blocks`), optionally at a timestamp.
    #[method(name = "evm_mine")]
    async fn evm_mine(&self, param: Option<EvmMineParam>) -> RpcResult<String>;

    /// `anvil_mine` / `hardhat_mine`: mines `blocks` blocks (default 1), `interval` seconds apart.
    #[method(name = "anvil_mine", aliases = ["hardhat_mine"])]
    async fn anvil_mine(&self, blocks: Option<U64>, interval: Option<U64>) -> RpcResult<()>;

    /// `evm_snapshot` / `anvil_snapshot`: saves the chain state; the snapshot ID.
    #[method(name = "evm_snapshot", aliases = ["anvil_snapshot"])]
    async fn snapshot(&self) -> RpcResult<U256>;

    /// `evm_revert` / `anvil_revert`: returns to a snapshot; whether it existed.
    #[method(name = "evm_revert", aliases = ["anvil_revert"])]
    async fn revert(&self, id: U256) -> RpcResult<bool>;

    /// `evm_increaseTime` / `anvil_increaseTime`: moves the clock forward; the total offset in seconds.
    #[method(name = "evm_increaseTime", aliases = ["anvil_increaseTime"])]
    async fn increase_time(&self, seconds: U64) -> RpcResult<u64>;

    /// `evm_setAutomine` / `anvil_setAutomine`: turns mining on submission on or off.
    #[method(name = "evm_setAutomine", aliases = ["anvil_setAutomine"])]
    async fn set_automine(&self, enabled: bool) -> RpcResult<()>;

    /// `anvil_getAutomine` / `hardhat_getAutomine`: whether transactions are mined on submission.
    #[method(name = "anvil_getAutomine", aliases = ["hardhat_getAutomine"])]
    async fn automine(&self) -> RpcResult<bool>;

    /// `evm_setNextBlockTimestamp` / `anvil_setNextBlockTimestamp`.
    #[method(name = "evm_setNextBlockTimestamp", aliases = ["anvil_setNextBlockTimestamp"])]
    async fn set_next_block_timestamp(&self, timestamp: U64) -> RpcResult<()>;

    /// `anvil_setBalance` / `hardhat_setBalance`.
    #[method(name = "anvil_setBalance", aliases = ["hardhat_setBalance"])]
    async fn set_balance(&self, address: Address, balance: U256) -> RpcResult<()>;

    /// `anvil_setCode` / `hardhat_setCode`.
    #[method(name = "anvil_setCode", aliases = ["hardhat_setCode"])]
    async fn set_code(&self, address: Address, code: Bytes) -> RpcResult<()>;

    /// `anvil_setStorageAt` / `hardhat_setStorageAt`.
    #[method(name = "anvil_setStorageAt", aliases = ["hardhat_setStorageAt"])]
    async fn set_storage_at(&self, address: Address, slot: U256, value: B256) -> RpcResult<bool>;

    /// `anvil_setNonce` / `hardhat_setNonce`.
    #[method(name = "anvil_setNonce", aliases = ["hardhat_setNonce"])]
    async fn set_nonce(&self, address: Address, nonce: U64) -> RpcResult<()>;

    /// `anvil_impersonateAccount` / `hardhat_impersonateAccount`.
    #[method(name = "anvil_impersonateAccount", aliases = ["hardhat_impersonateAccount"])]
    async fn impersonate_account(&self, address: Address) -> RpcResult<()>;

    /// `anvil_stopImpersonatingAccount` / `hardhat_stopImpersonatingAccount`.
    #[method(name = "anvil_stopImpersonatingAccount", aliases = ["hardhat_stopImpersonatingAccount"])]
    async fn stop_impersonating_account(&self, address: Address) -> RpcResult<()>;
}
