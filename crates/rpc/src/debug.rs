//! The `debug_` method handlers: execution witnesses for stateless re-execution.

use alloy_eips::BlockNumberOrTag;
use jsonrpsee::core::{RpcResult, async_trait};
use superlink_chain::ExecutionWitness;

use crate::{api::DebugApiServer, backend::EthBackend, context::RpcContext};

#[async_trait]
impl<B: EthBackend> DebugApiServer for RpcContext<B> {
    async fn execution_witness(&self, block: BlockNumberOrTag) -> RpcResult<ExecutionWitness> {
        // Replaying the block and collecting proofs is CPU work: it runs on the blocking pool.
        self.blocking(move |backend| backend.execution_witness(block)).await
    }
}
