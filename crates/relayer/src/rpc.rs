//! [`ChainClient`] over a node's standard Ethereum JSON-RPC (HTTP): op-geth, op-reth, anvil, supersim.
//!
//! The requests are made by the shared [`NodeClient`]; this adapter checks that mined receipts and logs carry
//! their position, and tells reverted calls from other refusals.

use std::time::Duration;

use alloy_primitives::{Address, B256, Bytes, U256};
use jsonrpsee::core::params::ArrayParams;
use serde::de::DeserializeOwned;
use superlink_client::{BlockNumberOrTag, CallArgs, ClientError, Log, LogQuery, NodeClient, Receipt};

use crate::{
    chain::{BlockInfo, CallRequest, ChainClient, FeeEstimate, LogFilter, LogInfo, ReceiptInfo},
    error::ChainError,
};

/// Priority fee offered when the node cannot suggest one (1 gwei).
const FALLBACK_PRIORITY_FEE: u128 = 1_000_000_000;

/// A chain reached over HTTP JSON-RPC.
#[derive(Debug, Clone)]
pub struct RpcChain {
    client: NodeClient,
}

impl RpcChain {
    /// A client of the node at `url` (`http://` or `https://`), with a 10-second request timeout.
    pub fn new(url: &str) -> Result<Self, ChainError> {
        Self::with_timeout(url, Duration::from_secs(10))
    }

    /// A client of the node at `url` whose requests give up after `timeout`.
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<Self, ChainError> {
        Ok(Self { client: NodeClient::new(url, timeout).map_err(chain_error)? })
    }

    /// The shared JSON-RPC client underneath.
    pub fn node(&self) -> &NodeClient {
        &self.client
    }

    /// Calls `method` with `params` and decodes the answer.
    pub async fn request<T: DeserializeOwned>(
        &self,
        method: &'static str,
        params: ArrayParams,
    ) -> Result<T, ChainError> {
        self.client.request(method, params).await.map_err(chain_error)
    }

    /// Calls `method` with positional JSON `params` and returns the raw answer (for methods this crate does not
    /// wrap, such as the supervisor's).
    pub async fn request_json(
        &self,
        method: &'static str,
        params: Vec<serde_json::Value>,
    ) -> Result<serde_json::Value, ChainError> {
        self.client.request_json(method, params).await.map_err(chain_error)
    }

    fn decode_error(&self, method: &'static str, reason: String) -> ChainError {
        ChainError::Decode { endpoint: self.client.endpoint().to_string(), method, reason }
    }
}

/// The relayer's view of a failed request: reverted simulations apart, so their data can be decoded.
fn chain_error(error: ClientError) -> ChainError {
    let reverted = error.is_revert() && matches!(error.method(), Some("eth_call" | "eth_estimateGas"));
    match error {
        ClientError::Rpc { endpoint, method, message, data, .. } if reverted => {
            ChainError::Reverted { endpoint, method, message, data: data.unwrap_or_default() }
        }
        ClientError::Rpc { endpoint, method, code, message, .. } => {
            ChainError::Rpc { endpoint, method, code, message }
        }
        ClientError::Decode { endpoint, method, reason } => ChainError::Decode { endpoint, method, reason },
        ClientError::BadEndpoint { endpoint, reason } => ChainError::BadEndpoint { endpoint, reason },
        ClientError::Unreachable { endpoint, reason, .. } => ChainError::Unreachable { endpoint, reason },
    }
}

/// A mined log, which must carry its block, index and transaction.
fn mined_log(log: Log) -> Result<LogInfo, String> {
    let (Some(number), Some(hash), Some(index), Some(tx)) =
        (log.block_number, log.block_hash, log.log_index, log.transaction_hash)
    else {
        return Err("a mined log lacks its block, index or transaction".into());
    };
    Ok(LogInfo {
        address: log.address,
        topics: log.topics,
        data: log.data,
        block_number: number,
        block_hash: hash,
        log_index: u32::try_from(index).map_err(|_| "log index above u32".to_string())?,
        transaction_hash: tx,
        block_timestamp: log.block_timestamp,
    })
}

/// A mined receipt, which must carry its transaction, block and gas used.
fn mined_receipt(receipt: Receipt) -> Result<ReceiptInfo, String> {
    let (Some(transaction_hash), Some(block_number), Some(block_hash), Some(gas_used)) =
        (receipt.transaction_hash, receipt.block_number, receipt.block_hash, receipt.gas_used)
    else {
        return Err("a mined receipt lacks its transaction, block or gas used".into());
    };
    Ok(ReceiptInfo {
        transaction_hash,
        block_number,
        block_hash,
        success: receipt.status.is_none_or(|s| s == 1),
        gas_used,
        logs: receipt.logs.into_iter().map(mined_log).collect::<Result<Vec<_>, _>>()?,
    })
}

fn call_args(call: &CallRequest) -> CallArgs<'_> {
    CallArgs {
        from: call.from,
        to: call.to,
        value: call.value,
        input: &call.input,
        access_list: &call.access_list,
    }
}

impl ChainClient for RpcChain {
    fn endpoint(&self) -> &str {
        self.client.endpoint()
    }

    async fn chain_id(&self) -> Result<U256, ChainError> {
        self.client.chain_id().await.map_err(chain_error)
    }

    async fn latest_block_number(&self) -> Result<u64, ChainError> {
        self.client.block_number().await.map_err(chain_error)
    }

    async fn block(&self, number: u64) -> Result<Option<BlockInfo>, ChainError> {
        let header = self.client.header(BlockNumberOrTag::Number(number)).await.map_err(chain_error)?;
        Ok(header.map(|b| BlockInfo {
            number: b.number,
            hash: b.hash,
            timestamp: b.timestamp,
            base_fee_per_gas: b.base_fee_per_gas,
        }))
    }

    async fn receipt(&self, tx: B256) -> Result<Option<ReceiptInfo>, ChainError> {
        let receipt = self.client.transaction_receipt(tx).await.map_err(chain_error)?;
        receipt
            .map(mined_receipt)
            .transpose()
            .map_err(|reason| self.decode_error("eth_getTransactionReceipt", reason))
    }

    async fn logs(&self, filter: &LogFilter) -> Result<Vec<LogInfo>, ChainError> {
        let mut topics = vec![Some(filter.topic0)];
        if let Some(t3) = filter.topic3 {
            topics.extend([None, None, Some(t3)]);
        }
        let query = LogQuery {
            from_block: filter.from_block,
            to_block: filter.to_block,
            address: filter.address,
            topics,
        };
        let logs = self.client.logs(&query).await.map_err(chain_error)?;
        logs.into_iter()
            .filter(|l| !l.removed)
            .map(mined_log)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| self.decode_error("eth_getLogs", reason))
    }

    async fn call(&self, call: &CallRequest) -> Result<Bytes, ChainError> {
        self.client.call(&call_args(call)).await.map_err(chain_error)
    }

    async fn estimate_gas(&self, call: &CallRequest) -> Result<u64, ChainError> {
        self.client.estimate_gas(&call_args(call)).await.map_err(chain_error)
    }

    async fn pending_nonce(&self, account: Address) -> Result<u64, ChainError> {
        self.client.transaction_count(account, BlockNumberOrTag::Pending).await.map_err(chain_error)
    }

    async fn fees(&self) -> Result<FeeEstimate, ChainError> {
        let gas_price = self.client.gas_price().await.map_err(chain_error)?;
        let priority = match self.client.max_priority_fee_per_gas().await.map_err(chain_error) {
            Ok(p) => p,
            Err(ChainError::Rpc { .. }) => FALLBACK_PRIORITY_FEE.min(gas_price),
            Err(e) => return Err(e),
        };
        let latest = self.latest_block_number().await?;
        let base = self.block(latest).await?.and_then(|b| b.base_fee_per_gas).unwrap_or(gas_price);
        let max_fee = (base.saturating_mul(2).saturating_add(priority)).max(gas_price);
        Ok(FeeEstimate { max_fee_per_gas: max_fee, max_priority_fee_per_gas: priority.min(max_fee) })
    }

    async fn send_raw_transaction(&self, raw: Bytes) -> Result<B256, ChainError> {
        self.client.send_raw_transaction(&raw).await.map_err(chain_error)
    }
}
