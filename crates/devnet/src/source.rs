//! The verifier's view of a devnet L2 without the network: a [`ChainSource`] that reads the served chain
//! directly. It answers exactly what the chain's JSON-RPC answers (the tests compare it with
//! [`superlink_verifier::RpcChainSource`] on the same chain), without serialising every block.

use std::sync::Arc;

use superlink_chain::{Chain, StoredBlock};
use superlink_node::ChainService;
use superlink_verifier::{
    BlockRef, BlockTag, ChainId, ChainSource, OutputInputs, SourceBlock, SourceError, SourceLog,
};

/// A devnet chain as a chain source of the verifier.
#[derive(Debug, Clone)]
pub struct InProcessSource {
    chain_id: ChainId,
    service: Arc<ChainService>,
}

impl InProcessSource {
    /// The source of chain `chain_id`, run by `service`.
    pub fn new(chain_id: ChainId, service: Arc<ChainService>) -> Self {
        Self { chain_id, service }
    }

    /// Runs `read` on the chain, locked for reading, on the blocking pool (the sequencer holds the write lock
    /// while it builds a block, which must not stall an async worker).
    async fn read<T: Send + 'static>(
        &self,
        what: &'static str,
        read: impl FnOnce(&Chain) -> T + Send + 'static,
    ) -> Result<T, SourceError> {
        let service = self.service.clone();
        tokio::task::spawn_blocking(move || read(&service.read())).await.map_err(|e| SourceError::Rpc {
            chain_id: self.chain_id,
            method: what,
            reason: e.to_string(),
        })
    }

    async fn stored(&self, number: u64) -> Result<Option<Arc<StoredBlock>>, SourceError> {
        self.read("block", move |chain| chain.block_by_number(number)).await
    }
}

/// The identity of a stored block.
pub fn block_ref(block: &StoredBlock) -> BlockRef {
    BlockRef {
        hash: block.hash(),
        number: block.number(),
        parent_hash: block.header.parent_hash,
        timestamp: block.timestamp(),
    }
}

/// A stored block with every log of its receipts, in order.
pub fn source_block(block: &StoredBlock) -> SourceBlock {
    let logs = block
        .receipts
        .iter()
        .flat_map(|receipt| receipt.logs())
        .map(|log| SourceLog {
            address: log.address,
            topics: log.data.topics().to_vec(),
            data: log.data.data.clone(),
        })
        .collect();
    SourceBlock { block: block_ref(block), logs }
}

impl ChainSource for InProcessSource {
    fn chain_id(&self) -> ChainId {
        self.chain_id
    }

    async fn head_number(&self) -> Result<u64, SourceError> {
        self.read("head", |chain| chain.head_number()).await
    }

    async fn block(&self, number: u64) -> Result<Option<SourceBlock>, SourceError> {
        Ok(self.stored(number).await?.map(|b| source_block(&b)))
    }

    async fn block_ref(&self, number: u64) -> Result<Option<BlockRef>, SourceError> {
        Ok(self.stored(number).await?.map(|b| block_ref(&b)))
    }

    async fn tagged(&self, tag: BlockTag) -> Result<Option<BlockRef>, SourceError> {
        let block = self
            .read("tagged", move |chain| {
                let number = match tag {
                    BlockTag::Safe => chain.safe_number(),
                    BlockTag::Finalized => chain.finalized_number(),
                };
                chain.block_by_number(number)
            })
            .await?;
        Ok(block.map(|b| block_ref(&b)))
    }

    async fn output_inputs(&self, number: u64) -> Result<OutputInputs, SourceError> {
        let block = self
            .stored(number)
            .await?
            .ok_or(SourceError::MissingBlock { chain_id: self.chain_id, number })?;
        // Since Isthmus the header's withdrawals root is the L2ToL1MessagePasser's storage root.
        let message_passer_storage_root =
            block.header.withdrawals_root.ok_or_else(|| SourceError::Inconsistent {
                chain_id: self.chain_id,
                number,
                reason: "the header carries no withdrawals root (the message passer's storage root)".into(),
            })?;
        Ok(OutputInputs {
            state_root: block.header.state_root,
            message_passer_storage_root,
            block_hash: block.hash(),
        })
    }
}
