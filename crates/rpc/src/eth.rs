//! The `eth_` method handlers: parameters checked and defaulted, the backend asked, results shaped as geth
//! shapes them.

use std::time::Instant;

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, U64, U256};
use alloy_rpc_types_eth::{
    AccessListResult, BlockOverrides, BlockTransactions, EIP1186AccountProofResponse, FeeHistory,
    FillTransaction, Filter, Index, Log, TransactionRequest,
    pubsub::{Params, SubscriptionKind},
    state::StateOverride,
};
use jsonrpsee::{
    PendingSubscriptionSink,
    core::{RpcResult, SubscriptionResult, async_trait},
};

use alloy_dyn_abi::TypedData;

use crate::{
    api::EthApiServer,
    backend::{CallOverrides, EthBackend},
    chain_convert::filled_transaction,
    context::RpcContext,
    error::{BackendError, RpcError},
    filters::{FilterChanges, FilterId, FilterKind},
    log_query::bounded_log_filter,
    pubsub::{Subscription, forward_events},
    types::{RpcBlock, RpcReceipt, RpcTransaction},
};

/// The EIP-712 signing hash of typed data given as a JSON object or as a string holding one (wallets send
/// both).
pub fn typed_data_signing_hash(data: serde_json::Value) -> Result<B256, BackendError> {
    let invalid = |e: &dyn std::fmt::Display| BackendError::InvalidParams(format!("invalid typed data: {e}"));
    let typed: TypedData = match data {
        serde_json::Value::String(text) => serde_json::from_str(&text).map_err(|e| invalid(&e))?,
        other => serde_json::from_value(other).map_err(|e| invalid(&e))?,
    };
    typed.eip712_signing_hash().map_err(|e| invalid(&e))
}

fn block_or_latest(block: Option<BlockId>) -> BlockId {
    block.unwrap_or(BlockId::Number(BlockNumberOrTag::Latest))
}

impl<B: EthBackend> RpcContext<B> {
    async fn transaction_at(&self, block: BlockId, index: Index) -> RpcResult<Option<RpcTransaction>> {
        let Some(block) = self.blocking(move |backend| backend.block(block, true)).await? else {
            return Ok(None);
        };
        Ok(match block.transactions {
            BlockTransactions::Full(mut transactions) => {
                let index = usize::from(index);
                (index < transactions.len()).then(|| transactions.swap_remove(index))
            }
            BlockTransactions::Hashes(_) | BlockTransactions::Uncle => None,
        })
    }

    async fn transaction_count_of(&self, block: BlockId) -> RpcResult<Option<U64>> {
        let block = self.blocking(move |backend| backend.block(block, false)).await?;
        Ok(block.map(|block| U64::from(block.transactions.len())))
    }

    async fn query_logs(&self, filter: Filter) -> RpcResult<Vec<Log>> {
        let max_range = self.config.max_log_block_range;
        self.blocking(move |backend| {
            let head = backend.block_number()?;
            match bounded_log_filter(&filter, max_range, head, |tag| backend.resolve_block_number(tag)) {
                Ok(Some(bounded)) => backend.logs(&bounded).map(Ok),
                Ok(None) => Ok(Ok(Vec::new())),
                Err(err) => Ok(Err(err)),
            }
        })
        .await?
        .map_err(Into::into)
    }

    fn install_filter(&self, kind: FilterKind) -> RpcResult<FilterId> {
        self.filters()
            .install(kind, Instant::now())
            .map_err(|e| BackendError::InvalidParams(e.to_string()).into())
    }
}

#[async_trait]
impl<B: EthBackend> EthApiServer for RpcContext<B> {
    async fn chain_id(&self) -> RpcResult<U64> {
        Ok(U64::from(self.backend.chain_id()))
    }

    async fn block_number(&self) -> RpcResult<U64> {
        self.read(move |backend| backend.block_number()).await.map(U64::from)
    }

    async fn syncing(&self) -> RpcResult<bool> {
        Ok(false)
    }

    async fn coinbase(&self) -> RpcResult<Address> {
        self.read(move |backend| backend.coinbase()).await
    }

    async fn accounts(&self) -> RpcResult<Vec<Address>> {
        self.read(move |backend| backend.accounts()).await
    }

    async fn gas_price(&self) -> RpcResult<U256> {
        self.read(move |backend| backend.gas_price()).await.map(U256::from)
    }

    async fn max_priority_fee_per_gas(&self) -> RpcResult<U256> {
        self.read(move |backend| backend.max_priority_fee_per_gas()).await.map(U256::from)
    }

    async fn fee_history(
        &self,
        block_count: U64,
        newest_block: BlockNumberOrTag,
        reward_percentiles: Option<Vec<f64>>,
    ) -> RpcResult<FeeHistory> {
        let percentiles = reward_percentiles.unwrap_or_default();
        if percentiles.iter().any(|p| !(0.0..=100.0).contains(p))
            || percentiles.windows(2).any(|w| w[0] > w[1])
        {
            return Err(RpcError::InvalidParams(
                "reward percentiles must be ascending and between 0 and 100".to_string(),
            )
            .into());
        }
        let count = block_count.to::<u64>();
        self.blocking(move |backend| backend.fee_history(count, newest_block, &percentiles)).await
    }

    async fn block_by_number(&self, block: BlockNumberOrTag, full: bool) -> RpcResult<Option<RpcBlock>> {
        self.read(move |backend| backend.block(BlockId::Number(block), full)).await
    }

    async fn block_by_hash(&self, hash: B256, full: bool) -> RpcResult<Option<RpcBlock>> {
        self.read(move |backend| backend.block(BlockId::from(hash), full)).await
    }

    async fn block_transaction_count_by_number(&self, block: BlockNumberOrTag) -> RpcResult<Option<U64>> {
        self.transaction_count_of(BlockId::Number(block)).await
    }

    async fn block_transaction_count_by_hash(&self, hash: B256) -> RpcResult<Option<U64>> {
        self.transaction_count_of(BlockId::from(hash)).await
    }

    async fn block_receipts(&self, block: BlockId) -> RpcResult<Option<Vec<RpcReceipt>>> {
        self.blocking(move |backend| backend.block_receipts(block)).await
    }

    async fn transaction_by_hash(&self, hash: B256) -> RpcResult<Option<RpcTransaction>> {
        self.read(move |backend| backend.transaction_by_hash(hash)).await
    }

    async fn transaction_by_block_number_and_index(
        &self,
        block: BlockNumberOrTag,
        index: Index,
    ) -> RpcResult<Option<RpcTransaction>> {
        self.transaction_at(BlockId::Number(block), index).await
    }

    async fn transaction_by_block_hash_and_index(
        &self,
        hash: B256,
        index: Index,
    ) -> RpcResult<Option<RpcTransaction>> {
        self.transaction_at(BlockId::from(hash), index).await
    }

    async fn transaction_receipt(&self, hash: B256) -> RpcResult<Option<RpcReceipt>> {
        self.read(move |backend| backend.transaction_receipt(hash)).await
    }

    async fn logs(&self, filter: Filter) -> RpcResult<Vec<Log>> {
        self.query_logs(filter).await
    }

    async fn new_filter(&self, filter: Filter) -> RpcResult<FilterId> {
        self.install_filter(FilterKind::Logs(Box::new(filter)))
    }

    async fn new_block_filter(&self) -> RpcResult<FilterId> {
        self.install_filter(FilterKind::Blocks)
    }

    async fn new_pending_transaction_filter(&self) -> RpcResult<FilterId> {
        self.install_filter(FilterKind::PendingTransactions)
    }

    async fn filter_changes(&self, id: FilterId) -> RpcResult<FilterChanges> {
        self.filters().take_changes(id, Instant::now()).ok_or_else(|| RpcError::FilterNotFound.into())
    }

    async fn filter_logs(&self, id: FilterId) -> RpcResult<Vec<Log>> {
        let criteria = self.filters().log_criteria(id, Instant::now());
        match criteria {
            None => Err(RpcError::FilterNotFound.into()),
            Some(None) => Err(RpcError::NotALogFilter.into()),
            Some(Some(filter)) => self.query_logs(filter).await,
        }
    }

    async fn uninstall_filter(&self, id: FilterId) -> RpcResult<bool> {
        Ok(self.filters().uninstall(id))
    }

    async fn subscribe(
        &self,
        pending: PendingSubscriptionSink,
        kind: SubscriptionKind,
        params: Option<Params>,
    ) -> SubscriptionResult {
        let subscription = match (kind, params) {
            (SubscriptionKind::NewHeads, None | Some(Params::None)) => Subscription::NewHeads,
            (SubscriptionKind::Logs, None | Some(Params::None)) => Subscription::Logs(Box::default()),
            (SubscriptionKind::Logs, Some(Params::Logs(filter))) => Subscription::Logs(filter),
            (SubscriptionKind::NewPendingTransactions, None | Some(Params::None | Params::Bool(false))) => {
                Subscription::PendingTransactions
            }
            (kind, params) => {
                let error = RpcError::UnsupportedSubscription(format!("{kind:?} with {params:?}"));
                pending.reject(error).await;
                return Ok(());
            }
        };
        // Take the receiver before answering, so no event after the answer is missed.
        let events = self.backend.events();
        let sink = pending.accept().await?;
        tokio::spawn(forward_events(sink, events, subscription));
        Ok(())
    }

    async fn balance(&self, address: Address, block: Option<BlockId>) -> RpcResult<U256> {
        self.read(move |backend| backend.balance(address, block_or_latest(block))).await
    }

    async fn transaction_count(&self, address: Address, block: Option<BlockId>) -> RpcResult<U64> {
        self.read(move |backend| backend.transaction_count(address, block_or_latest(block)))
            .await
            .map(U64::from)
    }

    async fn code(&self, address: Address, block: Option<BlockId>) -> RpcResult<Bytes> {
        self.read(move |backend| backend.code(address, block_or_latest(block))).await
    }

    async fn storage_at(&self, address: Address, slot: U256, block: Option<BlockId>) -> RpcResult<B256> {
        self.read(move |backend| backend.storage_at(address, B256::from(slot), block_or_latest(block))).await
    }

    async fn proof(
        &self,
        address: Address,
        keys: Vec<U256>,
        block: Option<BlockId>,
    ) -> RpcResult<EIP1186AccountProofResponse> {
        let keys = keys.into_iter().map(B256::from).collect();
        let block = block_or_latest(block);
        self.blocking(move |backend| backend.proof(address, keys, block)).await
    }

    async fn call(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        state_overrides: Option<StateOverride>,
        block_overrides: Option<Box<BlockOverrides>>,
    ) -> RpcResult<Bytes> {
        let overrides = CallOverrides { state: state_overrides, block: block_overrides };
        let block = block_or_latest(block);
        self.read(move |backend| backend.call(request, block, overrides)).await
    }

    async fn estimate_gas(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        state_overrides: Option<StateOverride>,
        block_overrides: Option<Box<BlockOverrides>>,
    ) -> RpcResult<U64> {
        let overrides = CallOverrides { state: state_overrides, block: block_overrides };
        let block = block.unwrap_or(BlockId::Number(BlockNumberOrTag::Pending));
        self.blocking(move |backend| backend.estimate_gas(request, block, overrides)).await.map(U64::from)
    }

    async fn create_access_list(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        state_overrides: Option<StateOverride>,
    ) -> RpcResult<AccessListResult> {
        let overrides = CallOverrides { state: state_overrides, block: None };
        let block = block_or_latest(block);
        self.blocking(move |backend| backend.create_access_list(request, block, overrides)).await
    }

    async fn send_raw_transaction(&self, raw: Bytes) -> RpcResult<B256> {
        self.blocking(move |backend| backend.send_raw_transaction(raw)).await
    }

    async fn fill_transaction(
        &self,
        request: TransactionRequest,
    ) -> RpcResult<FillTransaction<RpcTransaction>> {
        let from = request.from.unwrap_or_default();
        let tx = self.blocking(move |backend| backend.fill_transaction(request)).await?;
        Ok(filled_transaction(tx, from))
    }

    async fn send_transaction(&self, request: TransactionRequest) -> RpcResult<B256> {
        self.blocking(move |backend| backend.send_transaction(request)).await
    }

    async fn sign(&self, address: Address, message: Bytes) -> RpcResult<Bytes> {
        self.blocking(move |backend| backend.sign_message(address, message)).await
    }

    async fn sign_typed_data_v4(&self, address: Address, data: serde_json::Value) -> RpcResult<Bytes> {
        let hash = typed_data_signing_hash(data).map_err(RpcError::Backend)?;
        self.blocking(move |backend| backend.sign_hash(address, hash)).await
    }
}
