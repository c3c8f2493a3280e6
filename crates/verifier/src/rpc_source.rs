//! A [`ChainSource`] over a node's standard Ethereum JSON-RPC (op-geth, op-reth, anvil): headers with
//! `eth_getBlockByNumber`, logs with `eth_getBlockReceipts`, batched and fetched concurrently; tags with
//! `eth_getBlockByNumber("safe" | "finalized")`; output-root inputs with `eth_getProof`.
//!
//! The requests are made by the shared [`NodeClient`]; this adapter checks that every answer is about the
//! block asked for.

use std::time::Duration;

use superlink_client::{BlockHeader, BlockNumberOrTag, ClientError, NodeClient, Receipt};
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
/// How long one request (or batch) may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

fn block_ref(header: &BlockHeader) -> BlockRef {
    BlockRef {
        hash: header.hash,
        number: header.number,
        parent_hash: header.parent_hash,
        timestamp: header.timestamp,
    }
}

/// A chain source over a node's HTTP JSON-RPC.
#[derive(Debug, Clone)]
pub struct RpcChainSource {
    chain_id: ChainId,
    client: NodeClient,
}

impl RpcChainSource {
    /// A source for chain `chain_id` served at `url`.
    pub fn new(chain_id: ChainId, url: &str) -> Result<Self, SourceError> {
        let client = NodeClient::new(url, REQUEST_TIMEOUT).map_err(|e| SourceError::Connect {
            chain_id,
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Self { chain_id, client })
    }

    /// Asks the node for its chain ID (`eth_chainId`).
    pub async fn remote_chain_id(&self) -> Result<u64, SourceError> {
        let id = self.client.chain_id().await.map_err(|e| self.rpc(e))?;
        u64::try_from(id).map_err(|_| SourceError::Rpc {
            chain_id: self.chain_id,
            method: "eth_chainId",
            reason: format!("chain ID {id} does not fit in 64 bits"),
        })
    }

    fn rpc(&self, error: ClientError) -> SourceError {
        SourceError::Rpc {
            chain_id: self.chain_id,
            method: error.method().unwrap_or("connect"),
            reason: error.to_string(),
        }
    }

    /// Fetches `from..=to` in one batch; stops at the first missing block.
    async fn batch(&self, from: u64, to: u64) -> Result<Vec<SourceBlock>, SourceError> {
        let answers = self.client.headers_with_receipts(from, to).await.map_err(|e| self.rpc(e))?;
        answers
            .into_iter()
            .zip(from..=to)
            .map(|((header, receipts), number)| self.assemble(number, header, receipts))
            .collect()
    }

    fn assemble(
        &self,
        number: u64,
        header: BlockHeader,
        receipts: Vec<Receipt>,
    ) -> Result<SourceBlock, SourceError> {
        let block = block_ref(&header);
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

    async fn header(&self, block: BlockNumberOrTag) -> Result<Option<BlockHeader>, SourceError> {
        self.client.header(block).await.map_err(|e| self.rpc(e))
    }
}

impl ChainSource for RpcChainSource {
    fn chain_id(&self) -> ChainId {
        self.chain_id
    }

    async fn head_number(&self) -> Result<u64, SourceError> {
        self.client.block_number().await.map_err(|e| self.rpc(e))
    }

    async fn block(&self, number: u64) -> Result<Option<SourceBlock>, SourceError> {
        Ok(self.batch(number, number).await?.pop())
    }

    async fn block_ref(&self, number: u64) -> Result<Option<BlockRef>, SourceError> {
        Ok(self.header(BlockNumberOrTag::Number(number)).await?.as_ref().map(block_ref))
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
            let (start, result) = joined.map_err(|e| SourceError::Rpc {
                chain_id: self.chain_id,
                method: "batch",
                reason: e.to_string(),
            })?;
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
        let block = match tag {
            BlockTag::Safe => BlockNumberOrTag::Safe,
            BlockTag::Finalized => BlockNumberOrTag::Finalized,
        };
        Ok(self.header(block).await?.as_ref().map(block_ref))
    }

    async fn output_inputs(&self, number: u64) -> Result<OutputInputs, SourceError> {
        let block = BlockNumberOrTag::Number(number);
        let header =
            self.header(block).await?.ok_or(SourceError::MissingBlock { chain_id: self.chain_id, number })?;
        let message_passer_storage_root =
            self.client.storage_root(L2_TO_L1_MESSAGE_PASSER, block).await.map_err(|e| self.rpc(e))?;
        Ok(OutputInputs {
            state_root: header.state_root,
            message_passer_storage_root,
            block_hash: header.hash,
        })
    }
}
