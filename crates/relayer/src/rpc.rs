//! [`ChainClient`] over a node's standard Ethereum JSON-RPC (HTTP): op-geth, op-reth, anvil, supersim.
//!
//! Answers are read into minimal shapes of our own, so receipts of any transaction type (deposits included)
//! are accepted. The chain ID is asked once and remembered.

use std::time::Duration;

use alloy_primitives::{Address, B256, Bytes, U64, U128, U256};
use jsonrpsee::{
    core::{ClientError, client::ClientT, params::ArrayParams},
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use tokio::sync::OnceCell;

use crate::{
    chain::{BlockInfo, CallRequest, ChainClient, FeeEstimate, LogFilter, LogInfo, ReceiptInfo},
    error::ChainError,
};

/// Priority fee offered when the node cannot suggest one (1 gwei).
const FALLBACK_PRIORITY_FEE: u128 = 1_000_000_000;

/// A chain reached over HTTP JSON-RPC.
#[derive(Debug, Clone)]
pub struct RpcChain {
    url: String,
    client: HttpClient,
    chain_id: OnceCell<U256>,
}

impl RpcChain {
    /// A client of the node at `url` (`http://` or `https://`), with a 10-second request timeout.
    pub fn new(url: &str) -> Result<Self, ChainError> {
        Self::with_timeout(url, Duration::from_secs(10))
    }

    /// A client of the node at `url` whose requests give up after `timeout`.
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<Self, ChainError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ChainError::BadEndpoint {
                endpoint: url.to_string(),
                reason: "expected an http:// or https:// URL".into(),
            });
        }
        let client = HttpClientBuilder::default()
            .request_timeout(timeout)
            .max_response_size(256 * 1024 * 1024)
            .build(url)
            .map_err(|e| ChainError::BadEndpoint { endpoint: url.to_string(), reason: e.to_string() })?;
        Ok(Self { url: url.to_string(), client, chain_id: OnceCell::new() })
    }

    /// Calls `method` with `params` and decodes the answer.
    pub async fn request<T: DeserializeOwned>(
        &self,
        method: &'static str,
        params: ArrayParams,
    ) -> Result<T, ChainError> {
        self.client.request(method, params).await.map_err(|e| self.error(method, e))
    }

    /// Calls `method` with positional JSON `params` and returns the raw answer (for methods this crate does not
    /// wrap, such as the supervisor's).
    pub async fn request_json(
        &self,
        method: &'static str,
        params: Vec<serde_json::Value>,
    ) -> Result<serde_json::Value, ChainError> {
        let mut array = ArrayParams::new();
        for param in params {
            array.insert(param).map_err(|e| self.decode_error(method, e.to_string()))?;
        }
        self.request(method, array).await
    }

    fn error(&self, method: &'static str, error: ClientError) -> ChainError {
        let endpoint = self.url.clone();
        match error {
            ClientError::Call(obj) => {
                let message = obj.message().to_string();
                let data = obj.data().and_then(|raw| serde_json::from_str::<Bytes>(raw.get()).ok());
                let reverted = obj.code() == 3 || message.to_ascii_lowercase().contains("revert");
                if reverted && matches!(method, "eth_call" | "eth_estimateGas") {
                    ChainError::Reverted { endpoint, method, message, data: data.unwrap_or_default() }
                } else {
                    ChainError::Rpc { endpoint, method, code: i64::from(obj.code()), message }
                }
            }
            ClientError::ParseError(e) => ChainError::Decode { endpoint, method, reason: e.to_string() },
            other => ChainError::Unreachable { endpoint, reason: other.to_string() },
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcBlock {
    number: U64,
    hash: B256,
    timestamp: U64,
    base_fee_per_gas: Option<U128>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcLog {
    address: Address,
    topics: Vec<B256>,
    data: Bytes,
    block_number: Option<U64>,
    block_hash: Option<B256>,
    log_index: Option<U64>,
    transaction_hash: Option<B256>,
    block_timestamp: Option<U64>,
    #[serde(default)]
    removed: bool,
}

impl RpcLog {
    fn into_log(self) -> Result<LogInfo, String> {
        let (Some(number), Some(hash), Some(index), Some(tx)) =
            (self.block_number, self.block_hash, self.log_index, self.transaction_hash)
        else {
            return Err("a mined log lacks its block, index or transaction".into());
        };
        Ok(LogInfo {
            address: self.address,
            topics: self.topics,
            data: self.data,
            block_number: number.to(),
            block_hash: hash,
            log_index: u32::try_from(number_u64(index)).map_err(|_| "log index above u32".to_string())?,
            transaction_hash: tx,
            block_timestamp: self.block_timestamp.map(|t| t.to()),
        })
    }
}

fn number_u64(n: U64) -> u64 {
    n.to()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcReceipt {
    transaction_hash: B256,
    block_number: U64,
    block_hash: B256,
    status: Option<U64>,
    gas_used: U64,
    logs: Vec<RpcLog>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RpcCall<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<Address>,
    to: Address,
    value: U256,
    input: &'a Bytes,
    access_list: &'a alloy_eips::eip2930::AccessList,
}

impl<'a> RpcCall<'a> {
    fn of(call: &'a CallRequest) -> Self {
        Self {
            from: call.from,
            to: call.to,
            value: call.value,
            input: &call.input,
            access_list: &call.access_list,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RpcFilter {
    from_block: U64,
    to_block: U64,
    address: Address,
    topics: Vec<Option<B256>>,
}

impl RpcChain {
    fn decode_error(&self, method: &'static str, reason: String) -> ChainError {
        ChainError::Decode { endpoint: self.url.clone(), method, reason }
    }
}

impl ChainClient for RpcChain {
    fn endpoint(&self) -> &str {
        &self.url
    }

    async fn chain_id(&self) -> Result<U256, ChainError> {
        self.chain_id
            .get_or_try_init(|| async {
                let id: U256 = self.request("eth_chainId", rpc_params![]).await?;
                Ok(id)
            })
            .await
            .copied()
    }

    async fn latest_block_number(&self) -> Result<u64, ChainError> {
        let n: U64 = self.request("eth_blockNumber", rpc_params![]).await?;
        Ok(n.to())
    }

    async fn block(&self, number: u64) -> Result<Option<BlockInfo>, ChainError> {
        let block: Option<RpcBlock> =
            self.request("eth_getBlockByNumber", rpc_params![U64::from(number), false]).await?;
        Ok(block.map(|b| BlockInfo {
            number: b.number.to(),
            hash: b.hash,
            timestamp: b.timestamp.to(),
            base_fee_per_gas: b.base_fee_per_gas.map(|f| f.to()),
        }))
    }

    async fn receipt(&self, tx: B256) -> Result<Option<ReceiptInfo>, ChainError> {
        let method = "eth_getTransactionReceipt";
        let receipt: Option<RpcReceipt> = self.request(method, rpc_params![tx]).await?;
        let Some(r) = receipt else { return Ok(None) };
        let logs = r
            .logs
            .into_iter()
            .map(RpcLog::into_log)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| self.decode_error(method, reason))?;
        Ok(Some(ReceiptInfo {
            transaction_hash: r.transaction_hash,
            block_number: r.block_number.to(),
            block_hash: r.block_hash,
            success: r.status.map(|s| s == U64::from(1)).unwrap_or(true),
            gas_used: r.gas_used.to(),
            logs,
        }))
    }

    async fn logs(&self, filter: &LogFilter) -> Result<Vec<LogInfo>, ChainError> {
        let method = "eth_getLogs";
        let mut topics = vec![Some(filter.topic0)];
        if let Some(t3) = filter.topic3 {
            topics.extend([None, None, Some(t3)]);
        }
        let rpc_filter = RpcFilter {
            from_block: U64::from(filter.from_block),
            to_block: U64::from(filter.to_block),
            address: filter.address,
            topics,
        };
        let logs: Vec<RpcLog> = self.request(method, rpc_params![rpc_filter]).await?;
        logs.into_iter()
            .filter(|l| !l.removed)
            .map(RpcLog::into_log)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| self.decode_error(method, reason))
    }

    async fn call(&self, call: &CallRequest) -> Result<Bytes, ChainError> {
        self.request("eth_call", rpc_params![RpcCall::of(call), "latest"]).await
    }

    async fn estimate_gas(&self, call: &CallRequest) -> Result<u64, ChainError> {
        let gas: U64 = self.request("eth_estimateGas", rpc_params![RpcCall::of(call)]).await?;
        Ok(gas.to())
    }

    async fn pending_nonce(&self, account: Address) -> Result<u64, ChainError> {
        let n: U64 = self.request("eth_getTransactionCount", rpc_params![account, "pending"]).await?;
        Ok(n.to())
    }

    async fn fees(&self) -> Result<FeeEstimate, ChainError> {
        let gas_price: U128 = self.request("eth_gasPrice", rpc_params![]).await?;
        let gas_price: u128 = gas_price.to();
        let priority = match self.request::<U128>("eth_maxPriorityFeePerGas", rpc_params![]).await {
            Ok(p) => p.to(),
            Err(ChainError::Rpc { .. }) => FALLBACK_PRIORITY_FEE.min(gas_price),
            Err(e) => return Err(e),
        };
        let latest = self.latest_block_number().await?;
        let base = self.block(latest).await?.and_then(|b| b.base_fee_per_gas).unwrap_or(gas_price);
        let max_fee = (base.saturating_mul(2).saturating_add(priority)).max(gas_price);
        Ok(FeeEstimate { max_fee_per_gas: max_fee, max_priority_fee_per_gas: priority.min(max_fee) })
    }

    async fn send_raw_transaction(&self, raw: Bytes) -> Result<B256, ChainError> {
        self.request("eth_sendRawTransaction", rpc_params![raw]).await
    }
}
