//! Super roots: the output root of every chain's last block at or before a timestamp, combined as SuperV1.

use std::{collections::BTreeMap, sync::Arc};

use alloy_primitives::{Bytes, U64, U256};
use superlink_protocol::{OutputRootWithChain, OutputV0, SuperV1};

use crate::{
    api::{
        ChainIdAndOutput, ChainRootInfo, OutputWithRequiredL1, SuperRootAtTimestamp, SuperRootData,
        SuperRootResponse, SuperV1Json, chain_key,
    },
    chain_data::{BlockId, BlockRef, ChainId},
    error::QueryError,
    source::ChainSource,
    state::{ChainHeads, VerifierState},
    verifier::Verifier,
};

/// The output preimage of one block, read from its chain's node.
async fn output_of<S: ChainSource>(source: &S, block: &BlockRef) -> Result<OutputV0, QueryError> {
    let inputs = source.output_inputs(block.number).await.map_err(|e| QueryError::Source(e.to_string()))?;
    if inputs.block_hash != block.hash {
        return Err(QueryError::Future(format!(
            "chain {} block {} changed while computing its output root",
            source.chain_id(),
            block.number
        )));
    }
    Ok(OutputV0 {
        state_root: inputs.state_root,
        message_passer_storage_root: inputs.message_passer_storage_root,
        block_hash: inputs.block_hash,
    })
}

/// Which block of each chain a super root at `timestamp` takes, read from the state under one lock: the last
/// block at or before `timestamp`, when `level_head` of the chain has reached `timestamp`.
fn blocks_at(
    state: &VerifierState,
    timestamp: u64,
    level_head: impl Fn(&ChainHeads) -> Option<BlockRef>,
) -> BTreeMap<ChainId, Option<BlockRef>> {
    state
        .chains()
        .map(|chain| {
            let reached =
                state.heads(chain).and_then(|h| level_head(&h)).is_some_and(|h| h.timestamp >= timestamp);
            (chain, if reached { state.block_at_timestamp(chain, timestamp) } else { None })
        })
        .collect()
}

/// `supervisor_superRootAtTimestamp`: the super root over every chain's canonical (indexed) blocks.
pub async fn super_root_at_timestamp<S: ChainSource>(
    verifier: &Verifier,
    sources: &BTreeMap<ChainId, Arc<S>>,
    timestamp: u64,
) -> Result<SuperRootResponse, QueryError> {
    let blocks = blocks_at(&verifier.read(), timestamp, |h| h.local_unsafe);
    let mut chains = Vec::new();
    let mut outputs = Vec::new();
    for (chain, block) in blocks {
        let block = block.ok_or_else(|| {
            QueryError::Future(format!(
                "chain {chain} has no indexed block at or after timestamp {timestamp}"
            ))
        })?;
        let source = sources.get(&chain).ok_or_else(|| QueryError::UnknownChain(chain.to_string()))?;
        let output = output_of(source.as_ref(), &block).await?;
        chains.push(ChainRootInfo {
            chain_id: U64::from(chain),
            canonical: output.root(),
            pending: Bytes::copy_from_slice(&output.encode()),
        });
        outputs.push(OutputRootWithChain { chain_id: U256::from(chain), output_root: output.root() });
    }
    let super_output =
        SuperV1::new(timestamp, outputs).map_err(|e| QueryError::Unavailable(e.to_string()))?;
    Ok(SuperRootResponse {
        cross_safe_derived_from: BlockId::default(),
        timestamp,
        super_root: super_output.hash(),
        version: 1,
        chains,
    })
}

/// `superroot_atTimestamp`: sync status, per-chain optimistic outputs of local-safe blocks, and the verified
/// super root when every chain is cross-safe at the timestamp.
pub async fn superroot_at_timestamp<S: ChainSource>(
    verifier: &Verifier,
    sources: &BTreeMap<ChainId, Arc<S>>,
    timestamp: u64,
) -> Result<SuperRootAtTimestamp, QueryError> {
    let (optimistic_blocks, verified_blocks, summary) = {
        let state = verifier.read();
        let min_ts = |f: &dyn Fn(&ChainHeads) -> Option<BlockRef>| {
            state
                .chains()
                .map(|c| state.heads(c).and_then(|h| f(&h)).map_or(0, |b| b.timestamp))
                .min()
                .unwrap_or(0)
        };
        let summary = (min_ts(&|h| h.cross_safe), min_ts(&|h| h.local_safe), min_ts(&|h| h.finalized));
        (
            blocks_at(&state, timestamp, |h| h.local_safe),
            blocks_at(&state, timestamp, |h| h.cross_safe),
            summary,
        )
    };
    let mut optimistic = BTreeMap::new();
    for (chain, block) in &optimistic_blocks {
        let (Some(block), Some(source)) = (block, sources.get(chain)) else { continue };
        // A chain whose node cannot answer is left out of the optimistic map, as the spec asks.
        if let Ok(output) = output_of(source.as_ref(), block).await {
            optimistic.insert(
                chain_key(*chain),
                OutputWithRequiredL1 { output, output_root: output.root(), required_l1: BlockId::default() },
            );
        }
    }
    let mut data = None;
    if verified_blocks.values().all(Option::is_some) {
        let mut outputs = Vec::new();
        for (chain, block) in &verified_blocks {
            let (Some(block), Some(source)) = (block, sources.get(chain)) else { break };
            let output = match optimistic.get(&chain_key(*chain)) {
                Some(o) if o.output.block_hash == block.hash => o.output,
                _ => output_of(source.as_ref(), block).await?,
            };
            outputs.push(OutputRootWithChain { chain_id: U256::from(*chain), output_root: output.root() });
        }
        if outputs.len() == verified_blocks.len() {
            let super_output =
                SuperV1::new(timestamp, outputs).map_err(|e| QueryError::Unavailable(e.to_string()))?;
            data = Some(SuperRootData {
                verified_required_l1: BlockId::default(),
                super_root: super_output.hash(),
                super_output: SuperV1Json {
                    timestamp,
                    chains: super_output
                        .outputs
                        .iter()
                        .map(|o| ChainIdAndOutput { chain_id: o.chain_id, output: o.output_root })
                        .collect(),
                },
            });
        }
    }
    Ok(SuperRootAtTimestamp {
        current_l1: BlockId::default(),
        safe_timestamp: summary.0,
        local_safe_timestamp: summary.1,
        finalized_timestamp: summary.2,
        chain_ids: verified_blocks.keys().map(|c| U256::from(*c)).collect(),
        optimistic_at_timestamp: optimistic,
        data,
    })
}
