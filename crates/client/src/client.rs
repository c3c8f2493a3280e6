//! [`NodeClient`]: requests to one node's JSON-RPC over HTTP, with typed answers.

use std::{fmt, time::Duration};

use alloy_primitives::{Address, B256, Bytes, U64, U128, U256};
use jsonrpsee::{
    core::{
        client::{ClientT, Error as TransportError},
        params::{ArrayParams, BatchRequestBuilder},
    },
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
    types::ErrorObject,
};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::{
    error::ClientError,
    wire::{BlockHeader, CallArgs, Log, LogQuery, Receipt},
};

/// Largest answer accepted (a batch of blocks with their receipts can be large).
const MAX_RESPONSE_BYTES: u32 = 256 * 1024 * 1024;

/// Which block a request is about: a number or one of the node's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockNumberOrTag {
    /// The block with this number.
    Number(u64),
    /// The node's latest block.
    Latest,
    /// The node's `safe` block.
    Safe,
    /// The node's `finalized` block.
    Finalized,
    /// The pending state (for nonces).
    Pending,
}

impl fmt::Display for BlockNumberOrTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockNumberOrTag::Number(n) => write!(f, "{n:#x}"),
            BlockNumberOrTag::Latest => f.write_str("latest"),
            BlockNumberOrTag::Safe => f.write_str("safe"),
            BlockNumberOrTag::Finalized => f.write_str("finalized"),
            BlockNumberOrTag::Pending => f.write_str("pending"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountProof {
    storage_hash: B256,
}

/// A client of one node's HTTP JSON-RPC. Cheap to clone (clones share the connection pool); the chain ID is
/// asked once and remembered.
#[derive(Debug, Clone)]
pub struct NodeClient {
    endpoint: String,
    client: HttpClient,
    chain_id: OnceCell<U256>,
}

impl NodeClient {
    /// A client of the node at `url` (`http://` or `https://`) whose requests give up after `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, ClientError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ClientError::BadEndpoint {
                endpoint: url.to_string(),
                reason: "expected an http:// or https:// URL".into(),
            });
        }
        let client = HttpClientBuilder::default()
            .request_timeout(timeout)
            .max_response_size(MAX_RESPONSE_BYTES)
            .build(url)
            .map_err(|e| ClientError::BadEndpoint { endpoint: url.to_string(), reason: e.to_string() })?;
        Ok(Self { endpoint: url.to_string(), client, chain_id: OnceCell::new() })
    }

    /// The URL of the node.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Calls `method` with `params` and decodes the answer.
    pub async fn request<T: DeserializeOwned>(
        &self,
        method: &'static str,
        params: ArrayParams,
    ) -> Result<T, ClientError> {
        self.client.request(method, params).await.map_err(|e| self.error(method, e))
    }

    /// Calls `method` with positional JSON `params` and returns the raw answer (for methods this crate does not
    /// wrap, such as the supervisor's or a dev node's).
    pub async fn request_json(&self, method: &'static str, params: Vec<Value>) -> Result<Value, ClientError> {
        let mut array = ArrayParams::new();
        for param in params {
            array.insert(param).map_err(|e| self.decode_error(method, e.to_string()))?;
        }
        self.request(method, array).await
    }

    /// The chain ID (`eth_chainId`), asked once.
    pub async fn chain_id(&self) -> Result<U256, ClientError> {
        self.chain_id.get_or_try_init(|| self.request("eth_chainId", rpc_params![])).await.copied()
    }

    /// The number of the latest block (`eth_blockNumber`).
    pub async fn block_number(&self) -> Result<u64, ClientError> {
        let n: U64 = self.request("eth_blockNumber", rpc_params![]).await?;
        Ok(n.to())
    }

    /// The header of a block, if the node has it (`eth_getBlockByNumber` without transactions).
    pub async fn header(&self, block: BlockNumberOrTag) -> Result<Option<BlockHeader>, ClientError> {
        self.request("eth_getBlockByNumber", rpc_params![block.to_string(), false]).await
    }

    /// The headers and receipts of blocks `from..=to`, read in one batch (`eth_getBlockByNumber` and
    /// `eth_getBlockReceipts` per block), oldest first. Stops before the first block the node does not have.
    pub async fn headers_with_receipts(
        &self,
        from: u64,
        to: u64,
    ) -> Result<Vec<(BlockHeader, Vec<Receipt>)>, ClientError> {
        const METHOD: &str = "batch";
        let mut batch = BatchRequestBuilder::new();
        for number in from..=to {
            let tag = BlockNumberOrTag::Number(number).to_string();
            batch
                .insert("eth_getBlockByNumber", rpc_params![tag.clone(), false])
                .and_then(|()| batch.insert("eth_getBlockReceipts", rpc_params![tag]))
                .map_err(|e| self.decode_error(METHOD, e.to_string()))?;
        }
        let responses = self.client.batch_request::<Value>(batch).await.map_err(|e| self.error(METHOD, e))?;
        let mut answers = responses.into_iter();
        let mut blocks = Vec::new();
        for _ in from..=to {
            let (Some(header), Some(receipts)) = (answers.next(), answers.next()) else {
                return Err(self.decode_error(METHOD, "fewer answers than requests".into()));
            };
            let header = header.map_err(|e| self.call_error("eth_getBlockByNumber", &e))?;
            let receipts = receipts.map_err(|e| self.call_error("eth_getBlockReceipts", &e))?;
            if header.is_null() || receipts.is_null() {
                break;
            }
            blocks.push((
                self.decode("eth_getBlockByNumber", header)?,
                self.decode("eth_getBlockReceipts", receipts)?,
            ));
        }
        Ok(blocks)
    }

    /// The receipt of transaction `tx`, if it is mined (`eth_getTransactionReceipt`).
    pub async fn transaction_receipt(&self, tx: B256) -> Result<Option<Receipt>, ClientError> {
        self.request("eth_getTransactionReceipt", rpc_params![tx]).await
    }

    /// The logs matching `query` (`eth_getLogs`), in chain order.
    pub async fn logs(&self, query: &LogQuery) -> Result<Vec<Log>, ClientError> {
        self.request("eth_getLogs", rpc_params![query]).await
    }

    /// Executes `call` against the latest state and returns its output (`eth_call`).
    pub async fn call(&self, call: &CallArgs<'_>) -> Result<Bytes, ClientError> {
        self.request("eth_call", rpc_params![call, "latest"]).await
    }

    /// The gas `call` needs (`eth_estimateGas`).
    pub async fn estimate_gas(&self, call: &CallArgs<'_>) -> Result<u64, ClientError> {
        let gas: U64 = self.request("eth_estimateGas", rpc_params![call]).await?;
        Ok(gas.to())
    }

    /// The transaction count of `account` at `block` (`eth_getTransactionCount`; `Pending` for the next nonce).
    pub async fn transaction_count(
        &self,
        account: Address,
        block: BlockNumberOrTag,
    ) -> Result<u64, ClientError> {
        let n: U64 = self.request("eth_getTransactionCount", rpc_params![account, block.to_string()]).await?;
        Ok(n.to())
    }

    /// The node's gas price (`eth_gasPrice`).
    pub async fn gas_price(&self) -> Result<u128, ClientError> {
        let price: U128 = self.request("eth_gasPrice", rpc_params![]).await?;
        Ok(price.to())
    }

    /// The priority fee the node suggests (`eth_maxPriorityFeePerGas`).
    pub async fn max_priority_fee_per_gas(&self) -> Result<u128, ClientError> {
        let fee: U128 = self.request("eth_maxPriorityFeePerGas", rpc_params![]).await?;
        Ok(fee.to())
    }

    /// Submits a signed, EIP-2718 encoded transaction (`eth_sendRawTransaction`); returns its hash.
    pub async fn send_raw_transaction(&self, raw: &Bytes) -> Result<B256, ClientError> {
        self.request("eth_sendRawTransaction", rpc_params![raw]).await
    }

    /// The storage root of `account` at `block` (`eth_getProof` with no storage keys).
    pub async fn storage_root(&self, account: Address, block: BlockNumberOrTag) -> Result<B256, ClientError> {
        let proof: AccountProof =
            self.request("eth_getProof", rpc_params![account, Vec::<B256>::new(), block.to_string()]).await?;
        Ok(proof.storage_hash)
    }

    fn decode<T: DeserializeOwned>(&self, method: &'static str, value: Value) -> Result<T, ClientError> {
        serde_json::from_value(value).map_err(|e| self.decode_error(method, e.to_string()))
    }

    fn decode_error(&self, method: &'static str, reason: String) -> ClientError {
        ClientError::Decode { endpoint: self.endpoint.clone(), method, reason }
    }

    fn call_error(&self, method: &'static str, error: &ErrorObject<'_>) -> ClientError {
        ClientError::Rpc {
            endpoint: self.endpoint.clone(),
            method,
            code: i64::from(error.code()),
            message: error.message().to_string(),
            data: error.data().and_then(|raw| serde_json::from_str::<Bytes>(raw.get()).ok()),
        }
    }

    fn error(&self, method: &'static str, error: TransportError) -> ClientError {
        match error {
            TransportError::Call(object) => self.call_error(method, &object),
            TransportError::ParseError(e) => self.decode_error(method, e.to_string()),
            other => ClientError::Unreachable {
                endpoint: self.endpoint.clone(),
                method,
                reason: other.to_string(),
            },
        }
    }
}
