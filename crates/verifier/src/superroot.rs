//! Super roots: the output root of every chain's last block at or before a timestamp, combined as SuperV1.
//! A super root is answered only over cross-safe blocks (every chain cross-safe at the timestamp); the
//! optimistic outputs of `superroot_atTimestamp` are those of local-safe blocks, a replaced block's original.

use std::{collections::BTreeMap, sync::Arc};

use alloy_primitives::{Bytes, U64, U256};
use superlink_protocol::{OutputRootWithChain, OutputV0, SuperV1};
use tracing::debug;

use crate::{
    api::{
        ChainIdText, ChainRootInfo, OutputWithRequiredL1, SuperRootAtTimestamp, SuperRootData,
        SuperRootResponse, chain_key,
    },
    chain_data::{BlockId, BlockRef, ChainId},
    error::QueryError,
    source::ChainSource,
    state::{ChainHeads, VerifierState},
    verifier::Verifier,
};

/// The output preimage of one block, read from its chain's node.
pub(crate) async fn output_of<S: ChainSource>(source: &S, block: &BlockRef) -> Result<OutputV0, QueryError> {
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

/// The latest of the L1 sources (`source_of`) of the given blocks: the L1 block from which all of them are
/// derived. `None` when no source is known (no derivation data).
fn latest_source(
    state: &VerifierState,
    blocks: &BTreeMap<ChainId, Option<BlockRef>>,
    source_of: fn(&VerifierState, ChainId, u64) -> Option<BlockRef>,
) -> Option<BlockRef> {
    blocks
        .iter()
        .filter_map(|(chain, block)| block.and_then(|b| source_of(state, *chain, b.number)))
        .max_by_key(|l1| l1.number)
}

/// `supervisor_superRootAtTimestamp` (legacy): the super root over every chain's cross-safe block at the
/// timestamp. A not-found error ([`QueryError::Future`]) while some chain is not cross-safe at the timestamp.
pub async fn super_root_at_timestamp<S: ChainSource>(
    verifier: &Verifier,
    sources: &BTreeMap<ChainId, Arc<S>>,
    timestamp: u64,
) -> Result<SuperRootResponse, QueryError> {
    let (blocks, derived_from) = {
        let state = verifier.read();
        let blocks = blocks_at(&state, timestamp, |h| h.cross_safe);
        let derived_from = latest_source(&state, &blocks, VerifierState::cross_derived_from);
        (blocks, derived_from)
    };
    let mut chains = Vec::new();
    let mut outputs = Vec::new();
    for (chain, block) in blocks {
        let block = block.ok_or_else(|| {
            QueryError::Future(format!(
                "super root at timestamp {timestamp} not found: chain {chain} is not cross-safe at that timestamp"
            ))
        })?;
        let source = sources.get(&chain).ok_or_else(|| QueryError::UnknownChain(chain.to_string()))?;
        let output = output_of(source.as_ref(), &block).await?;
        chains.push(ChainRootInfo {
            chain_id: ChainIdText(chain),
            canonical: output.root(),
            pending: Bytes::copy_from_slice(&output.encode()),
        });
        outputs.push(OutputRootWithChain { chain_id: U256::from(chain), output_root: output.root() });
    }
    let super_output =
        SuperV1::new(timestamp, outputs).map_err(|e| QueryError::Unavailable(e.to_string()))?;
    Ok(SuperRootResponse {
        cross_safe_derived_from: VerifierState::id_or_zero(derived_from),
        timestamp: U64::from(timestamp),
        super_root: super_output.hash(),
        version: Bytes::from_static(&[1]),
        chains,
    })
}

/// The optimistic output of `chain` at a timestamp whose local-safe block is `block`: the original block's
/// output when `block` replaced one, else `block`'s own. `None` when it cannot be told (the chain is then left
/// out of the optimistic map).
async fn optimistic_output<S: ChainSource>(
    verifier: &Verifier,
    source: &S,
    chain: ChainId,
    block: &BlockRef,
) -> Option<OutputV0> {
    let original = verifier.replaced().original(chain, block.number, block.timestamp);
    match original {
        Some(original) if original.block.hash != block.hash => {
            if original.output.is_none() {
                debug!(chain, number = block.number, "the output of the replaced block was not read in time");
            }
            original.output
        }
        // A chain whose node cannot answer is left out of the optimistic map, as the spec asks.
        _ => output_of(source, block).await.ok(),
    }
}

/// `superroot_atTimestamp`: sync status, per-chain optimistic outputs of local-safe blocks, and the verified
/// super root when every chain is cross-safe at the timestamp.
pub async fn superroot_at_timestamp<S: ChainSource>(
    verifier: &Verifier,
    sources: &BTreeMap<ChainId, Arc<S>>,
    timestamp: u64,
) -> Result<SuperRootAtTimestamp, QueryError> {
    let (optimistic_blocks, verified_blocks, summary, l1) = {
        let state = verifier.read();
        let min_ts = |f: &dyn Fn(&ChainHeads) -> Option<BlockRef>| {
            state
                .chains()
                .map(|c| state.heads(c).and_then(|h| f(&h)).map_or(0, |b| b.timestamp))
                .min()
                .unwrap_or(0)
        };
        let summary = (min_ts(&|h| h.cross_safe), min_ts(&|h| h.local_safe), min_ts(&|h| h.finalized));
        let optimistic_blocks = blocks_at(&state, timestamp, |h| h.local_safe);
        let verified_blocks = blocks_at(&state, timestamp, |h| h.cross_safe);
        let required: BTreeMap<ChainId, BlockId> = optimistic_blocks
            .iter()
            .map(|(chain, block)| {
                let source = block.and_then(|b| state.derived_from(*chain, b.number));
                (*chain, VerifierState::id_or_zero(source))
            })
            .collect();
        let verified_required = VerifierState::id_or_zero(latest_source(
            &state,
            &verified_blocks,
            VerifierState::cross_derived_from,
        ));
        let current = VerifierState::id_or_zero(state.l1_scope());
        (optimistic_blocks, verified_blocks, summary, (required, verified_required, current))
    };
    let (required_l1, verified_required_l1, current_l1) = l1;
    let mut optimistic = BTreeMap::new();
    for (chain, block) in &optimistic_blocks {
        let (Some(block), Some(source)) = (block, sources.get(chain)) else { continue };
        if let Some(output) = optimistic_output(verifier, source.as_ref(), *chain, block).await {
            optimistic.insert(
                chain_key(*chain),
                OutputWithRequiredL1 {
                    output,
                    output_root: output.root(),
                    required_l1: required_l1.get(chain).copied().unwrap_or_default(),
                },
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
            data =
                Some(SuperRootData { verified_required_l1, super_root: super_output.hash(), super_output });
        }
    }
    Ok(SuperRootAtTimestamp {
        current_l1,
        safe_timestamp: summary.0,
        local_safe_timestamp: summary.1,
        finalized_timestamp: summary.2,
        chain_ids: verified_blocks.keys().map(|c| ChainIdText(*c)).collect(),
        optimistic_at_timestamp: optimistic,
        data,
    })
}

/// Reads, from its chain's node, the output of every block found invalid whose output is not known yet, so
/// that it is still known once the block is replaced. Blocks the node no longer serves are skipped.
pub async fn remember_invalid_outputs<S: ChainSource>(
    verifier: &Verifier,
    sources: &BTreeMap<ChainId, Arc<S>>,
) {
    let wanted = {
        let state = verifier.read();
        verifier.replaced().wanted(&state)
    };
    for (chain, block) in wanted {
        let Some(source) = sources.get(&chain) else { continue };
        match output_of(source.as_ref(), &block).await {
            Ok(output) => verifier.replaced().remember_output(output),
            Err(e) => debug!(chain, number = block.number, error = %e, "output of an invalid block not read"),
        }
    }
}
