//! The source of chain data the verifier follows: a narrow trait over one chain's node.

use std::future::Future;

use crate::{
    chain_data::{BlockRef, ChainId, OutputInputs, SourceBlock},
    error::SourceError,
};

/// A label a node resolves to one of its blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockTag {
    /// The node's safe head: derived from L1 data (the verifier's local-safe).
    Safe,
    /// The node's finalized head: derived from finalized L1 data (the verifier's local finality).
    Finalized,
}

impl BlockTag {
    /// The JSON-RPC label of this tag.
    pub fn label(self) -> &'static str {
        match self {
            BlockTag::Safe => "safe",
            BlockTag::Finalized => "finalized",
        }
    }
}

/// One chain's data, as the verifier needs it. Implemented over a remote node's JSON-RPC
/// ([`crate::RpcChainSource`]) and, in the devnet, over an in-process chain.
pub trait ChainSource: Send + Sync + 'static {
    /// The chain's ID.
    fn chain_id(&self) -> ChainId;

    /// The number of the chain's latest block.
    fn head_number(&self) -> impl Future<Output = Result<u64, SourceError>> + Send;

    /// The block at `number` with all the logs of its receipts; `None` when the chain has no such block yet.
    fn block(&self, number: u64) -> impl Future<Output = Result<Option<SourceBlock>, SourceError>> + Send;

    /// The header fields of block `number` (no logs); `None` when the chain has no such block.
    fn block_ref(&self, number: u64) -> impl Future<Output = Result<Option<BlockRef>, SourceError>> + Send;

    /// The blocks `from..=to`, in order, stopping at the first block the chain does not have. Sources that can
    /// batch requests override this; the default fetches one block after the other.
    fn blocks(
        &self,
        from: u64,
        to: u64,
    ) -> impl Future<Output = Result<Vec<SourceBlock>, SourceError>> + Send {
        async move {
            let mut out = Vec::new();
            for number in from..=to {
                match self.block(number).await? {
                    Some(block) => out.push(block),
                    None => break,
                }
            }
            Ok(out)
        }
    }

    /// The block a tag points at; `None` when the node does not know the tag yet.
    fn tagged(&self, tag: BlockTag) -> impl Future<Output = Result<Option<BlockRef>, SourceError>> + Send;

    /// The output-root inputs of block `number`.
    fn output_inputs(&self, number: u64) -> impl Future<Output = Result<OutputInputs, SourceError>> + Send;
}
