//! A [`ChainSource`] over a node's standard Ethereum JSON-RPC (op-geth, op-reth, anvil): headers with
//! `eth_getBlockByNumber`, logs with `eth_getBlockReceipts`, batched and fetched concurrently; tags with
//! `eth_getBlockByNumber("safe" | "finalized")`; output-root inputs with `eth_getProof`.

use std::time::Duration;

use alloy_primitives::{Address, B256, Bytes, U64};
use jsonrpsee::{
    core::{client::ClientT, params::BatchRequestBuilder},
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
};
use serde::Deserialize;
use serde_json::Value;
use superlink_protocol::predeploys::L2_TO_L1_MESSAGE_PASSER;
use tokio::task::JoinSet;

use crate::{
    chain_data::{BlockRef, ChainId, OutputInputs, SourceBlock, SourceLog},
    error::SourceError,
    source::{BlockTag, ChainSource},
};

/// Blocks fetched per JSON-RPC batch (two calls each).
const BLOCKS_PER_BATCH: u64 = 16;
/// Batches in flight at once.
const BATCHES_IN_FLIGHT: usize = 4;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcHeader {
    number: U64,
    hash: B256,
    parent_hash: B256,
    timestamp: U64,
    state_root: B256,
}

impl RpcHeader {
    fn block_ref(&self) -> BlockRef {
        BlockRef {
            hash: self.hash,
            number: self.number.to(),
            parent_hash: self.parent_hash,
            timestamp: self.timestamp.to(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcReceipt {
    block_hash: Option<B256>,
    logs: Vec<RpcLog>,
}

#[derive(Debug, Deserialize)]
struct RpcLog {
    address: Address,
    topics: Vec<B256>,
    data: Bytes,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcProof {
    storage_hash: B256,
}

/// A chain source over a node's HTTP JSON-RPC.
#[derive(Debug, Clone)]
pub struct RpcChainSource {
    chain_id: ChainId,
    client: HttpClient,
}

impl RpcChainSource {
    /// A source for chain `chain_id` served at `url`.
    pub fn new(chain_id: ChainId, url: &str) -> Result<Self, SourceError> {
        let client = HttpClientBuilder::default()
            .request_timeout(Duration::from_secs(30))
            .max_response_size(256 * 1024 * 1024)
            .build(url)
            .map_err(|e| SourceError::Connect { chain_id, url: url.to_string(), reason: e.to_string() })?;
        Ok(Self { chain_id, client })
    }

    /// Asks the node for its chain ID (`eth_chainId`).
    pub async fn remote_chain_id(&self) -> Result<u64, SourceError> {
        let id: U64 = self
            .client
            .request("eth_chainId", rpc_params![])
            .await
            .map_err(|e| self.rpc("eth_chainId", e))?;
        Ok(id.to())
    }

    fn rpc(&self, method: &'static str, e: impl std::fmt::Display) -> SourceError {
        SourceError::Rpc { chain_id: self.chain_id, method, reason: e.to_string() }
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        method: &'static str,
        value: Value,
    ) -> Result<T, SourceError> {
        serde_json::from_value(value).map_err(|e| self.rpc(method, format!("unexpected answer: {e}")))
    }

    /// Fetches `from..=to` in one batch; stops at the first missing block.
    async fn batch(&self, from: u64, to: u64) -> Result<Vec<SourceBlock>, SourceError> {
        let mut batch = BatchRequestBuilder::new();
        for number in from..=to {
            let tag = format!("{:#x}", number);
            batch
                .insert("eth_getBlockByNumber", rpc_params![tag.clone(), false])
                .and_then(|()| batch.insert("eth_getBlockReceipts", rpc_params![tag]))
                .map_err(|e| self.rpc("batch", e))?;
        }
        let responses = self.client.batch_request::<Value>(batch).await.map_err(|e| self.rpc("batch", e))?;
        let mut answers = responses.into_iter();
        let mut blocks = Vec::new();
        for number in from..=to {
            let (Some(header), Some(receipts)) = (answers.next(), answers.next()) else {
                return Err(self.rpc("batch", "fewer answers than requests"));
            };
            let header = header.map_err(|e| self.rpc("eth_getBlockByNumber", e))?;
            let receipts = receipts.map_err(|e| self.rpc("eth_getBlockReceipts", e))?;
            if header.is_null() || receipts.is_null() {
                break;
            }
            blocks.push(self.assemble(number, header, receipts)?);
        }
        Ok(blocks)
    }

    fn assemble(&self, number: u64, header: Value, receipts: Value) -> Result<SourceBlock, SourceError> {
        let header: RpcHeader = self.decode("eth_getBlockByNumber", header)?;
        let receipts: Vec<RpcReceipt> = self.decode("eth_getBlockReceipts", receipts)?;
        let block = header.block_ref();
        if block.number != number {
            return Err(SourceError::Inconsistent {
                chain_id: self.chain_id,
                number,
                reason: format!("asked for block {number}, got {}", block.number),
            });
        }
        if let Some(other) = receipts.iter().filter_map(|r| r.block_hash).find(|h| *h != block.hash) {
            return Err(SourceError::Inconsistent {
                chain_id: self.chain_id,
                number,
                reason: format!("receipts of block {other} answered for header {}", block.hash),
            });
        }
        let logs = receipts
            .into_iter()
            .flat_map(|r| r.logs)
            .map(|l| SourceLog { address: l.address, topics: l.topics, data: l.data })
            .collect();
        Ok(SourceBlock { block, logs })
    }

    async fn header(&self, tag: String) -> Result<Option<RpcHeader>, SourceError> {
        let value: Value = self
            .client
            .request("eth_getBlockByNumber", rpc_params![tag, false])
            .await
            .map_err(|e| self.rpc("eth_getBlockByNumber", e))?;
        if value.is_null() {
            return Ok(None);
        }
        self.decode("eth_getBlockByNumber", value).map(Some)
    }
}

impl ChainSource for RpcChainSource {
    fn chain_id(&self) -> ChainId {
        self.chain_id
    }

    async fn head_number(&self) -> Result<u64, SourceError> {
        let n: U64 = self
            .client
            .request("eth_blockNumber", rpc_params![])
            .await
            .map_err(|e| self.rpc("eth_blockNumber", e))?;
        Ok(n.to())
    }

    async fn block(&self, number: u64) -> Result<Option<SourceBlock>, SourceError> {
        Ok(self.batch(number, number).await?.pop())
    }

    async fn block_ref(&self, number: u64) -> Result<Option<BlockRef>, SourceError> {
        Ok(self.header(format!("{number:#x}")).await?.map(|h| h.block_ref()))
    }

    async fn blocks(&self, from: u64, to: u64) -> Result<Vec<SourceBlock>, SourceError> {
        let mut tasks = JoinSet::new();
        let mut out = Vec::new();
        let mut next = from;
        let mut results: Vec<(u64, Vec<SourceBlock>)> = Vec::new();
        while next <= to || !tasks.is_empty() {
            while next <= to && tasks.len() < BATCHES_IN_FLIGHT {
                let end = (next + BLOCKS_PER_BATCH - 1).min(to);
                let this = self.clone();
                tasks.spawn(async move { (next, this.batch(next, end).await) });
                next = end + 1;
            }
            let Some(joined) = tasks.join_next().await else { break };
            let (start, result) = joined.map_err(|e| self.rpc("batch", e))?;
            results.push((start, result?));
        }
        results.sort_by_key(|(start, _)| *start);
        for (start, blocks) in results {
            // Keep only the contiguous run: a short batch means the chain ends there.
            if out.last().is_some_and(|b: &SourceBlock| b.block.number + 1 != start) {
                break;
            }
            let full = blocks.len() as u64 == (start + BLOCKS_PER_BATCH - 1).min(to) - start + 1;
            out.extend(blocks);
            if !full {
                break;
            }
        }
        Ok(out)
    }

    async fn tagged(&self, tag: BlockTag) -> Result<Option<BlockRef>, SourceError> {
        Ok(self.header(tag.label().to_string()).await?.map(|h| h.block_ref()))
    }

    async fn output_inputs(&self, number: u64) -> Result<OutputInputs, SourceError> {
        let tag = format!("{number:#x}");
        let header = self
            .header(tag.clone())
            .await?
            .ok_or(SourceError::MissingBlock { chain_id: self.chain_id, number })?;
        let proof: Value = self
            .client
            .request("eth_getProof", rpc_params![L2_TO_L1_MESSAGE_PASSER, Vec::<B256>::new(), tag])
            .await
            .map_err(|e| self.rpc("eth_getProof", e))?;
        let proof: RpcProof = self.decode("eth_getProof", proof)?;
        Ok(OutputInputs {
            state_root: header.state_root,
            message_passer_storage_root: proof.storage_hash,
            block_hash: header.hash,
        })
    }
}
